/* The copy check's passages, for the batch runner. The copy pass keeps
 * each essay's shingles and decoded text (in an unlinked temporary file, as
 * the index keeps its samples), so that finding the passage an essay shares
 * with a partner tokenises neither again, and quoting it reads no file
 * again; only the passage is tokenised, from near its start to its cut. */
#ifndef HM_COPY_H
#define HM_COPY_H

#include <stdbool.h>
#include <stdint.h>

#include "histmark.h"

/* A shingle's hash mixes its eight words' hashes in turn: h = mix(h ^ word)
 * from 0 (SplitMix64's finaliser). */
static inline uint64_t hm_shingle_mix(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 27;
    x *= 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

/* A word's hash is FNV-1a over its code points lower-cased by this: the
 * scripts essays use, enough to make "The" and "the", "ÉMIGRÉS" and
 * "émigrés" one word. */
static inline uint32_t hm_copy_fold(uint32_t cp)
{
    if (cp < 0x80)
        return cp >= 'A' && cp <= 'Z' ? cp + 32 : cp;
    if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7)
        return cp + 32;
    if (cp >= 0x100 && cp <= 0x17F && (cp & 1) == 0)
        return cp + 1;
    if ((cp >= 0x410 && cp <= 0x42F) || (cp >= 0x391 && cp <= 0x3A9))
        return cp + 32;
    return cp;
}

/* An essay as the passages need it: its shingles in text order, where
 * every 16th word starts, and (when first asked for) its shingles as a
 * set. */
typedef struct hm_copy_text hm_copy_text;
void hm_copy_text_free(hm_copy_text *t);

/* Its shingles' hashes in text order, *n of them (for tests). */
const uint64_t *hm_copy_text_shingles(const hm_copy_text *t, size_t *n);

/* hm_shingles_make(), also handing over the essay's copy text in *text
 * when text is not NULL. */
hm_shingles *hm_shingles_make_text(const char *bytes, size_t len, hm_copy_text **text);

/* Each essay's copy text and decoded text, on disk (in memory when no
 * temporary file can be made): memory holds a number an essay. Threads may
 * put at once, each into its own lane (a file each, for lanes up to the
 * number given; those beyond share them, and wait for each other); once the
 * puts are done, reading is thread-safe too. */
typedef struct hm_shingle_store hm_shingle_store;
hm_shingle_store *hm_shingle_store_new(size_t n_essays, size_t lanes);
/* Essay i's copy text (copied) into lane `lane`; each essay once. */
void hm_shingle_store_put(hm_shingle_store *st, size_t lane, size_t i, const hm_copy_text *t);
void hm_shingle_store_free(hm_shingle_store *st);
/* Essay i's from the store; NULL when it was not put there (not text). */
hm_copy_text *hm_copy_text_stored(hm_shingle_store *st, size_t i);
/* Essay i's bytes as the copy pass read them, NUL-terminated, when the
 * store holds them (its decoded text is its bytes, as for UTF-8): the
 * analysis need not open the file again. A store in memory lends them
 * (*owned NULL); one on disk reads them into *owned, the caller's to free.
 * NULL otherwise. */
const char *hm_shingle_store_bytes(hm_shingle_store *st, size_t i, size_t *len, char **owned);
/* hm_copy_text_quote() of essay i's text as the store keeps it (the copy
 * text made from its bytes keeps its decoded text): a quote reads neither
 * the essay's file nor its shingles. NULL when it was not put there. */
char *hm_shingle_store_quote(hm_shingle_store *st, size_t i, size_t from, size_t n_words, size_t max_bytes);

/* The run hm_copy_shared_passage() quotes: the longest stretch of
 * `quoted`'s shingles that are also in `other`, as its first word and
 * length in words (0 and 0, and false, when they share none or either is
 * NULL). `other` keeps its set for the next call. */
bool hm_copy_text_shared_run(const hm_copy_text *quoted, hm_copy_text *other, size_t *from, size_t *n_words);
/* Its text, as hm_copy_passage() gives it, from the essay's decoded text
 * (hm_result_text()'s, or hm_source_init()'s of its bytes). */
char *hm_copy_text_quote(const hm_copy_text *quoted, const char *text, size_t len, size_t from, size_t n_words,
                         size_t max_bytes);

/* hm_copy_new() for `lanes` threads setting essays at once, each into a
 * lane of its own (hm_copy_set_lane; lanes up to 8, those beyond shared,
 * each behind its own lock); a batch small enough to be held in memory
 * gets one lane. */
hm_copy *hm_copy_new_lanes(size_t n_essays, size_t lanes);
void hm_copy_set_lane(hm_copy *c, size_t lane, size_t i, hm_shingles *s);
/* The lanes hm_copy_new_lanes() gave. */
size_t hm_copy_lanes(const hm_copy *c);

/* hm_copy_find() on up to `jobs` threads, the caller's among them: the
 * same pairs in the same order. */
size_t hm_copy_find_threads(hm_copy *c, double threshold, size_t max_per_essay, unsigned jobs,
                            const hm_copy_pair **pairs);
/* hm_copy_find_threads(), each part's postings given back (their files
 * emptied) by the thread that paired them, as soon as it has: a batch's
 * index is freed on all its threads, not on one after them. c finds no
 * pairs after it. */
size_t hm_copy_find_last(hm_copy *c, double threshold, size_t max_per_essay, unsigned jobs,
                         const hm_copy_pair **pairs);

#endif
