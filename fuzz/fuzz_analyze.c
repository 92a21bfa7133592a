/* libFuzzer harness: the whole analysis of one text, and every renderer. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "histmark.h"

static int discard(const char *data, size_t len, void *ud)
{
    (void)data;
    (void)len;
    (void)ud;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static hm_config *cfg;
    if (!cfg) {
        cfg = hm_config_load(NULL, NULL);
        if (!cfg)
            abort();
    }
    hm_error err = {0};
    hm_result *r = hm_analyze(cfg, (const char *)data, size, NULL, &err);
    if (!r)
        return 0;
    hm_render_text(r, HM_RENDER_COLOR, discard, NULL);
    hm_render_json(r, 0, discard, NULL);
    hm_result_free(r);
    return 0;
}
