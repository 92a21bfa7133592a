/* The class overview's data, shared by its text, JSON and HTML renderers.
 * It keeps a few numbers per essay, never the results themselves. */
#ifndef HM_SUMMARY_H
#define HM_SUMMARY_H

#include <jansson.h>

#include "util.h"

/* Why an essay needs a look; bits of hm_summary_row.flags. */
enum {
    HM_LOOK_VERY_SHORT = 1u << 0,
    HM_LOOK_QUOTATION = 1u << 1,
    HM_LOOK_OFF_QUESTION = 1u << 2,
    HM_LOOK_NOTES = 1u << 3,
    HM_LOOK_WEBSITE = 1u << 4,
    HM_LOOK_COPY = 1u << 5,
    HM_LOOK_COUNT = 6
};

typedef struct hm_summary_row {
    char *file, *page;       /* page: NULL when there is none */
    int mark, level;
    unsigned words;
    int *strand_levels;      /* one per strand of the first essay */
    char *main_gap;          /* the first gap, or NULL */
    unsigned flags;
} hm_summary_row;

typedef struct hm_gap_group {
    char *feature, *label, *strands; /* strands: names, comma separated */
    size_t *rows;            /* essays that have the gap, in batch order */
    size_t n_rows, cap_rows;
} hm_gap_group;

typedef struct hm_copy_flag {
    char *a, *b, *passage;
    double share;
} hm_copy_flag;

typedef struct hm_failure {
    char *file, *message;
} hm_failure;

struct hm_summary {
    int out_of;
    char **strand_names;     /* from the first essay */
    size_t n_strands;
    hm_summary_row *rows;
    size_t n_rows, cap_rows;
    hm_gap_group *gaps;
    size_t n_gaps, cap_gaps;
    hm_copy_flag *copies;
    size_t n_copies, cap_copies;
    hm_failure *failures;
    size_t n_failures, cap_failures;
};

/* What each flag is called in reports. */
const char *hm_look_label(unsigned bit);

/* Fills `rows` (room for every row) with the rows flagged with look `k`;
 * returns how many. */
size_t hm_summary_rows_with(const hm_summary *s, unsigned k, size_t *rows);

/* Writes a JSON value on one line, then "\n" (render_json.c). */
int hm_json_write_line(json_t *o, hm_write_fn write, void *ud);
/* Gap groups, most shared first (ties in order of first appearance);
 * the array is the caller's to free. */
const hm_gap_group **hm_summary_sorted_gaps(const hm_summary *s);

#endif
