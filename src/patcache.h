/* Compiled patterns made at build time: every pattern the built-in rules
 * and topic packs compile, in pcre2_serialize_encode form, so that loading
 * them is a copy rather than a compilation. hm_compile_opts (rules.c) asks
 * here first and compiles as before when the pattern is not in the table or
 * the table does not decode (another PCRE2 version at run time). */
#ifndef HM_PATCACHE_H
#define HM_PATCACHE_H

#include "config.h"

typedef struct hm_builtin_pattern {
    uint32_t options;          /* as given to pcre2_compile */
    const char *pattern;
    size_t pattern_len;
    const unsigned char *code; /* pcre2_serialize_encode of this one pattern */
    size_t code_len;
} hm_builtin_pattern;

/* builtin_patterns.c, written by tools/mkpatterns.c. */
extern const hm_builtin_pattern hm_builtin_patterns[];
extern const size_t hm_builtin_pattern_count;

/* The compiled code of `pattern` with `options`, or NULL: compile it. The
 * configuration's compile context must be the default one (it is). */
pcre2_code *hm_patcache_find(const char *pattern, size_t len, uint32_t options);

/* When set (by tools/mkpatterns.c), sees every pattern that compiles. */
extern void (*hm_patcache_record)(const char *pattern, size_t len, uint32_t options,
                                  const pcre2_code *code);

#endif
