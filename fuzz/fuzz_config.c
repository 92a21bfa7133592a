/* libFuzzer harness: the YAML loaders. The first byte picks the loader
 * (rules, word lists, rubric, topic pack); the rest is the file. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static hm_config *base; /* for its word lists */
    if (!base) {
        base = hm_config_load(NULL, NULL);
        if (!base)
            abort();
    }
    if (size < 1)
        return 0;
    const char *yaml = (const char *)data + 1;
    size_t len = size - 1;
    hm_error err = {0};
    switch (data[0] % 4) {
    case 0: {
        hm_config cfg = {0};
        cfg.lists = base->lists; /* borrowed, not freed here */
        cfg.cctx = pcre2_compile_context_create(NULL);
        cfg.mctx = pcre2_match_context_create(NULL);
        hm_rules_load(&cfg, yaml, len, "fuzz.yaml", &err);
        for (size_t i = 0; i < cfg.n_rules; i++)
            hm_rule_free(&cfg.rules[i]);
        free(cfg.rules);
        pcre2_compile_context_free(cfg.cctx);
        pcre2_match_context_free(cfg.mctx);
        break;
    }
    case 1: {
        hm_lists lists;
        hm_lists_load(&lists, yaml, len, "fuzz.yaml", &err);
        hm_lists_free(&lists);
        break;
    }
    case 2: {
        hm_rubric rubric;
        hm_rubric_load(&rubric, yaml, len, "fuzz.yaml", &err);
        hm_rubric_free(&rubric);
        break;
    }
    default: {
        hm_config cfg = {0};
        cfg.lists = base->lists;
        cfg.cctx = pcre2_compile_context_create(NULL);
        cfg.mctx = pcre2_match_context_create(NULL);
        hm_topic topic;
        if (hm_topic_load(&cfg, &topic, yaml, len, "fuzz.yaml", &err))
            hm_topic_prepare(&cfg, &topic, &err);
        hm_topic_free(&topic);
        pcre2_compile_context_free(cfg.cctx);
        pcre2_match_context_free(cfg.mctx);
        break;
    }
    }
    return 0;
}
