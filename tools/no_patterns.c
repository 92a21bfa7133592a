/* An empty pattern table, for tools/mkpatterns.c, which makes the real one. */
#include "patcache.h"

const hm_builtin_pattern hm_builtin_patterns[] = {{0, NULL, 0, NULL, 0}};
const size_t hm_builtin_pattern_count = 0;
