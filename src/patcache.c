#include "patcache.h"

#include <string.h>

void (*hm_patcache_record)(const char *pattern, size_t len, uint32_t options, const pcre2_code *code);

pcre2_code *hm_patcache_find(const char *pattern, size_t len, uint32_t options)
{
    for (size_t i = 0; i < hm_builtin_pattern_count; i++) {
        const hm_builtin_pattern *p = &hm_builtin_patterns[i];
        if (p->options != options || p->pattern_len != len || memcmp(p->pattern, pattern, len) != 0)
            continue;
        /* Refused when PCRE2's version or build differs from the one that
         * encoded it: then the caller compiles. */
        pcre2_code *code = NULL;
        if (pcre2_serialize_get_number_of_codes(p->code) != 1 ||
            pcre2_serialize_decode(&code, 1, p->code, NULL) != 1)
            return NULL;
        return code;
    }
    return NULL;
}
