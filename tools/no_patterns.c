/* An empty pattern table and no phrase index image, for tools/mkpatterns.c,
 * which makes the real ones. */
#include "patcache.h"
#include "phrase.h"

const hm_builtin_pattern hm_builtin_patterns[] = {{0, NULL, 0, NULL, 0}};
const size_t hm_builtin_pattern_count = 0;

const unsigned char hm_builtin_phrase_image[1] = {0};
const size_t hm_builtin_phrase_image_len = 0;
