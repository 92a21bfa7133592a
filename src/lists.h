/* Word lists from rubrics/lists.yaml: stop lists for name detection,
 * abbreviations for sentence splitting, discourse markers for paragraphing,
 * question stopwords. A list is named; rules may also use any list as their
 * tokens ("list: NAME"). */
#ifndef HM_LISTS_H
#define HM_LISTS_H

#include "util.h"

/* A list's lookups are two open-addressing tables of item numbers, not
 * pointers, so that the built-in lists' tables (built.h) are read-only
 * data the program maps as it needs them, with nothing to relocate. */
typedef struct hm_list {
    char *name;
    char **items;
    size_t n;
    size_t cap;             /* slots of each table: a power of two over twice n; 0: none */
    /* per slot: the item's number + 1 (0: empty), then its hash's high
     * 32 bits; the items as written, and ASCII case folded */
    const uint32_t *exact, *folded;
    uint32_t *tables;       /* both, when made at run time (one block) */
} hm_list;

typedef struct hm_lists {
    hm_list *lists;
    size_t n;
    /* The lists the C code itself consults; each points into `lists` or at
     * an empty list when the file does not define it. */
    const hm_list *places, *bodies, *nationalities, *months, *days, *titles,
        *event_words, *sentence_starters, *abbreviations, *discourse_markers, *stopwords,
        *given_names, *place_suffixes, *group_suffixes, *question_commands, *date_check_skip, *date_check_verbs, *death_words;
    hm_list empty;
    /* `lists` is build-time static data (built.h): not freed */
    bool built;
} hm_lists;

bool hm_lists_load(hm_lists *lists, const char *data, size_t len, const char *file, hm_error *err);
void hm_lists_free(hm_lists *lists);
const hm_list *hm_lists_find(const hm_lists *lists, const char *name);

bool hm_list_has(const hm_list *l, const char *s, size_t n);      /* exact */
bool hm_list_has_fold(const hm_list *l, const char *s, size_t n); /* any case */

#endif
