/* Score: the rubric turns features into strand levels, an overall level and
 * mark, and the strengths and gaps that explain them. */
#ifndef HM_RUBRIC_H
#define HM_RUBRIC_H

#include "measure.h"

typedef struct hm_scored {
    int level, mark;
    char band[32];
    hm_strand *strands;       /* one block with the three note arrays and
                                 the first text block: owned */
    size_t n_strands;
    hm_note *strengths, *gaps;
    size_t n_strengths, n_gaps;
    hm_note *strand_notes;    /* storage the strands' note arrays point into */
    struct hm_text_block *texts; /* every generated text, in blocks (the last
                                    one, chained back to the first): owned */
} hm_scored;

/* Also adds the rubric's warnings (not-an-essay, ...) to the scan. */
void hm_rubric_score(const hm_rubric *rubric, const hm_features *fs, hm_scan *scan, hm_scored *out);
void hm_scored_free(hm_scored *s);

const hm_features *hm_result_features(const hm_result *r);

/* The level and mark alone (no feedback): for calibration. */
void hm_rubric_levels(const hm_rubric *r, const hm_features *fs, int *levels, double *progress, int *level,
                      int *mark, const hm_check **capped);

#endif
