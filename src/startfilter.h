/* A pattern's start filter: a small DFA over ASCII bytes, made from the
 * pattern's text, that answers "no match can begin here" without a PCRE2
 * call. It models a superset of the pattern, so a "no" is always right;
 * startfilter.c says what it models and where it answers "maybe". */
#ifndef HM_STARTFILTER_H
#define HM_STARTFILTER_H

#include <stdbool.h>
#include <stddef.h>

typedef struct hm_start_filter hm_start_filter;

/* NULL when the pattern has a construct the filter does not model;
 * caseless, and with PCRE2_UCP (ucp) or not, as the pattern was compiled
 * (in UTF mode). Free with hm_start_filter_free. */
hm_start_filter *hm_start_filter_new(const char *pattern, bool caseless, bool ucp);
void hm_start_filter_free(hm_start_filter *f);

/* false when no match of the pattern over text[0, to) can begin at `at`;
 * true when one may, or f is NULL */
bool hm_start_filter_passes(const hm_start_filter *f, const char *text, size_t at, size_t to);

/* The first position from `at`, before `to` and at most last_start, where
 * a match may begin; SIZE_MAX when none. f is not NULL. */
size_t hm_start_filter_next(const char *text, const hm_start_filter *f, size_t at, size_t to, size_t last_start);

#endif
