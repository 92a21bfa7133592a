/* What the cmocka test programs share: the built-in configuration, loaded
 * once per program, and a one-call analysis that must succeed. Include it
 * after cmocka.h. */
#ifndef HM_TEST_SUPPORT_H
#define HM_TEST_SUPPORT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "histmark.h"

static hm_config *cfg;

static int setup(void **state)
{
    (void)state;
    hm_error err = {0};
    cfg = hm_config_load(NULL, &err);
    if (!cfg)
        fprintf(stderr, "%s:%d: %s\n", err.file, err.line, err.message);
    return cfg ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    hm_config_free(cfg);
    return 0;
}

static inline hm_result *analyze(const char *text)
{
    hm_error err = {0};
    hm_result *r = hm_analyze(cfg, text, strlen(text), NULL, &err);
    assert_non_null(r);
    return r;
}

/* A shipped sample (samples/NAME, under HISTMARK_SOURCE_DIR) analysed;
 * the caller frees the result. */
static inline hm_result *analyze_sample(const char *name)
{
    const char *dir = getenv("HISTMARK_SOURCE_DIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/samples/%s", dir ? dir : ".", name);
    hm_error err = {0};
    size_t len;
    char *text = hm_read_input(path, HM_DEFAULT_MAX_BYTES, &len, &err);
    assert_non_null(text);
    hm_result *r = hm_analyze(cfg, text, len, NULL, &err);
    assert_non_null(r);
    free(text);
    return r;
}

#endif