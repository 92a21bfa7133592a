/* The copy check's passages, for the batch runner. The copy pass keeps
 * each essay's shingles (in an unlinked temporary file, as the index keeps
 * its samples), so that finding the passage an essay shares with a partner
 * tokenises neither again; only the essay quoted is read, up to the
 * passage's end. */
#ifndef HM_COPY_H
#define HM_COPY_H

#include <stdbool.h>
#include <stdint.h>

#include "histmark.h"

/* hm_shingles_make(), also handing over the essay's shingle hashes in text
 * order (*n of them, the caller frees *seq) when seq is not NULL. */
hm_shingles *hm_shingles_make_seq(const char *bytes, size_t len, uint64_t **seq, size_t *n);

/* hm_copy_passage() of text already decoded (as hm_result_text() gives
 * it). */
char *hm_copy_passage_decoded(const char *text, size_t len, size_t from, size_t n_words, size_t max_bytes);

/* Each essay's shingles, on disk (in memory when no temporary file can be
 * made): memory holds a number an essay. Putting is not thread-safe (the
 * caller locks); once the puts are done, reading is. */
typedef struct hm_shingle_store hm_shingle_store;
hm_shingle_store *hm_shingle_store_new(size_t n_essays);
/* Essay i's shingles (copied); each essay once. */
void hm_shingle_store_put(hm_shingle_store *st, size_t i, const uint64_t *seq, size_t n);
void hm_shingle_store_free(hm_shingle_store *st);

/* An essay's shingles, in text order and (when first asked for) as a set. */
typedef struct hm_copy_text hm_copy_text;
/* Essay i's from the store; NULL when it was not put there (not text). */
hm_copy_text *hm_copy_text_stored(hm_shingle_store *st, size_t i);
void hm_copy_text_free(hm_copy_text *t);

/* The run hm_copy_shared_passage() quotes: the longest stretch of
 * `quoted`'s shingles that are also in `other`, as its first word and
 * length in words (0 and 0, and false, when they share none or either is
 * NULL); hm_copy_passage() then gives its text. `other` keeps its set for
 * the next call. */
bool hm_copy_text_shared_run(const hm_copy_text *quoted, hm_copy_text *other, size_t *from, size_t *n_words);

#endif
