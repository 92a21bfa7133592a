/* An empty pattern table, no phrase or requires index image and no built lists, packs or rubric,
 * for tools/mkpatterns.c, which makes the real ones. */
#include "built.h"
#include "patcache.h"
#include "phrase.h"

const hm_builtin_pattern hm_builtin_patterns[] = {{0, NULL, 0, NULL, 0}};
const size_t hm_builtin_pattern_count = 0;

const unsigned char hm_builtin_phrase_image[1] = {0};
const size_t hm_builtin_phrase_image_len = 0;

const unsigned char hm_builtin_requires_image[1] = {0};
const size_t hm_builtin_requires_image_len = 0;

const hm_built_lists hm_built_lists_data = {NULL, 0, NULL, 0};
const hm_built_topic hm_built_topics[] = {{NULL, 0, {0}}};
const size_t hm_built_topic_count = 0;
const hm_built_rubric hm_built_rubric_data = {NULL, 0, {0}};
