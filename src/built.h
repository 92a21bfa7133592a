/* The built-in word lists, topic packs and rubric as their loaders leave them,
 * written out at build time by tools/mkpatterns.c as C data in
 * builtin_patterns.c: every string, array and string set a static object,
 * pointer for pointer the loaded structure (strings one loaded copy shares
 * are one string here too), so that loading them is a struct copy.
 *
 * hm_lists_load, hm_topic_load and hm_rubric_load take them instead of the
 * YAML only when
 * the bytes they are given are the built-in file's own (the same pointer
 * and length, as the YAML snapshots are taken), and a pack only with the
 * built-in lists (its keywords are filtered by them). Anything else - a
 * teacher's edited file, or a copy of a built-in one - is loaded from its
 * YAML as before. The data is never freed, nor changed (hm_lists.built,
 * hm_topic.built, hm_rubric.built): calibration, which tunes the rubric it
 * loaded, loads the built-in one from its YAML. */
#ifndef HM_BUILT_H
#define HM_BUILT_H

#include "config.h"

typedef struct hm_built_lists {
    const char *file;  /* the built-in file they were loaded from; NULL: none */
    size_t len;
    const hm_list *lists;
    size_t n;
} hm_built_lists;

typedef struct hm_built_topic {
    const char *file;
    size_t len;
    hm_topic topic;    /* the patterns, the lock and `built` left zero */
} hm_built_topic;

typedef struct hm_built_rubric {
    const char *file;
    size_t len;
    hm_rubric rubric;
} hm_built_rubric;

extern const hm_built_lists hm_built_lists_data;
extern const hm_built_rubric hm_built_rubric_data;
extern const hm_built_topic hm_built_topics[];
extern const size_t hm_built_topic_count;

/* Whether `data` is the built-in file `file` itself (not a copy). */
bool hm_built_is_builtin(const char *file, size_t built_len, const char *data, size_t len);

/* hm_config_packs_built is declared in config.h (phrase.c uses it). */

#endif
