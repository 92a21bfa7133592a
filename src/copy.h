/* The copy check's passages, for the batch runner: an essay's words and
 * shingles are made once and compared with each of its partners, rather
 * than made again for every pair as hm_copy_shared_passage() does. */
#ifndef HM_COPY_H
#define HM_COPY_H

#include "histmark.h"

/* An essay as the passage search needs it: its decoded text, its words'
 * spans and its shingles, in text order and as a set. */
typedef struct hm_copy_text hm_copy_text;

/* Decodes like hm_analyze(); NULL only when the bytes are not text.
 * Thread-safe. */
hm_copy_text *hm_copy_text_make(const char *bytes, size_t len);
void hm_copy_text_free(hm_copy_text *t);

/* hm_copy_shared_passage() of two essays already made: the passage of
 * `quoted` whose shingles are also in `other`. NULL when either is NULL.
 * The first call that makes an essay `other` keeps its shingles as a set
 * in it, for the next. */
char *hm_copy_text_shared_passage(const hm_copy_text *quoted, hm_copy_text *other, size_t max_bytes,
                                  size_t *from, size_t *words);

#endif
