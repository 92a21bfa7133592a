/* The question: its type (to what extent, how significant, ...), its key
 * terms and the period it covers ("between 1928-53" is 1928 to 1953). */
#ifndef HM_QUESTION_H
#define HM_QUESTION_H

#include "lists.h"

typedef enum hm_question_type {
    HM_Q_OTHER,
    HM_Q_EXTENT,        /* to what extent, how far, assess the validity */
    HM_Q_SIGNIFICANCE,  /* how significant, how important */
    HM_Q_CAUSES,        /* why, assess the reasons, what caused */
    HM_Q_COMPARE,       /* compare, how similar, how different */
    HM_Q_SUCCESS,       /* how successful, how effective */
    HM_Q_TYPE_COUNT
} hm_question_type;

typedef struct hm_question {
    hm_question_type type;
    int start_year, end_year;   /* 0 when the question names no period */
    /* What the question asks an essay to weigh, in the feedback's words:
     * "change and continuity" when it holds a phrase of the list
     * weigh_change (whole words, any case: "success" is not found in
     * "successful"), and so on for weigh_success, weigh_compare and
     * weigh_statement; "the factors" when it holds none. A static string. */
    const char *weighs;
} hm_question;

/* The weighs of no question. */
#define HM_QUESTION_WEIGHS_NONE "the factors"

/* Reads the type from the lists question_extent, question_significance,
 * question_causes, question_compare and question_success (phrases, any
 * case), the period from the years the question names, and what it asks to
 * weigh. */
void hm_question_parse(hm_question *q, const char *text, size_t len, const hm_lists *lists);
const char *hm_question_type_name(hm_question_type t);

/* The years a date finding's text names: "1928-53" gives 1928 and 1953,
 * "mid-1930s" 1935 and 1935. Returns false when it names no year. */
bool hm_date_years(const char *text, size_t len, int *first, int *last);

#endif
