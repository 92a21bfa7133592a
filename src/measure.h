/* Features: what the findings add up to, per paragraph and per essay. */
#ifndef HM_MEASURE_H
#define HM_MEASURE_H

#include "scan.h"

typedef struct hm_feature_value {
    double value;
    bool available;        /* false: cannot be measured (no question given) */
    unsigned *paras;       /* paragraphs that lack it, for gaps */
    size_t n_paras, cap_paras;
    size_t ex_start, ex_end; /* an example of it, for strengths; equal: none */
    char *detail;          /* extra words for messages ({names}), or NULL */
} hm_feature_value;

typedef struct hm_features {
    hm_feature_value f[HM_F_COUNT];
    /* What every f[i].paras points into: one block, room in each list for
     * every main paragraph and the conclusion (a list names each once). */
    unsigned *para_lists;
    char **terms;          /* the question's key terms (lower case), */
    char *term_text;       /* in this block */
    size_t n_terms;
    bool *term_concept;    /* per term: written in lower case in the question
                              (a concept such as "success", not a name) */
    /* While measuring: the words of word_doc's main paragraphs and its
     * introduction that match a term, in order (indices into its words),
     * and for each the first term and the first concept term it matches
     * (-1: none); the three arrays are one block, term_words' own. */
    const hm_document *word_doc;
    size_t *term_words;
    size_t n_term_words;
    int32_t *word_term, *word_concept;
} hm_features;

void hm_features_measure(hm_features *fs, const hm_scan *scan, const char *question, size_t qlen);
void hm_features_free(hm_features *fs);

#endif
