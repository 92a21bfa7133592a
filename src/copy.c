/* Copy detection across a batch, by sampled word shingles and an inverted
 * index kept on disk.
 *
 * Each essay becomes the 64-bit hashes of its 8-word shingles (lower-case
 * words, punctuation dropped). Only a content-defined sample of them is
 * kept: the hashes whose low bits are zero, one in SAMPLE_EVERY. A passage
 * two essays share is sampled the same way in both, so the share of the
 * samples they have in common estimates the share of the text. The samples
 * go, as (hash, essay) postings, into temporary files split by the hash's
 * top bits; to compare, each part is read back (in pieces of at most
 * CHUNK postings), sorted, and essays with equal hashes are paired. Pairs
 * go into a second set of files split by essay, which are read back the
 * same way to count each pair's shared samples. So resident memory stays
 * flat however large the batch: a few numbers an essay, and one piece of
 * postings at a time. Shingles held by many essays (the question line, set
 * phrases, a textbook) say nothing about copying and are skipped, which
 * also keeps pair counting linear in the postings.
 *
 * For the passages a pair is quoted by, each essay's shingles, all of them
 * in text order, and its decoded text go to one more temporary file (the
 * shingle store), so that an essay and its partners need not be tokenised
 * nor read again. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "copy.h"
#include "shuffle.h"
#include "source.h"
#include "summary.h"

/* One shingle in SAMPLE_EVERY is kept (a power of two). */
#define SAMPLE_EVERY 4
/* At most this many samples an essay (the smallest hashes): an essay of
 * 16,000 words; a longer file is judged on a bottom-k sketch. */
#define MAX_SAMPLES 4096
/* Fewer shared samples than this is coincidence whatever the share: about
 * twelve shared shingles, a 20-word phrase. */
#define MIN_SHARED 3
/* A shingle held by more than max(5, min(essays / 20, MAX_HOLDERS)) essays
 * is a common source, not a copy between two of them. The cap bounds the
 * pairs a shingle makes (190 at 20 holders, 1,225 at 50): on the bench's
 * corpus, built from shared paragraphs, 50 made the comparison two thirds
 * of a 10,000-essay batch's time. It binds only above 400 essays. */
#define MAX_HOLDERS 20
/* Postings and pairs are split into this many files... */
#define PARTS 32
/* ...and read back about CHUNK / 2 records at a time (128 KB of postings),
 * so that an uneven slice still fits in CHUNK. */
#define CHUNK 16384

struct hm_shingles {
    uint64_t *hash;   /* the sample: distinct; in text order, ascending when capped */
    uint32_t n;
    uint32_t total;   /* distinct shingles, sampled or not */
    uint64_t top;     /* the largest hash kept when capped, else UINT64_MAX */
};

typedef struct posting {
    uint64_t hash;
    uint32_t essay, unused;
} posting;

/* A pair of essays sharing a sample: a << 32 | b, a < b. */
typedef uint64_t essay_pair;

/* Eight bytes an essay: the index's only memory that grows with the batch. */
typedef struct essay_size {
    uint32_t total;   /* distinct shingles */
    uint16_t sampled; /* at most MAX_SAMPLES */
    uint16_t top;     /* the cut of a capped sample, its top 16 bits + 1;
                       * 0: not given; UINT16_MAX: not capped */
} essay_size;

/* Records of one size in an unlinked temporary file, written through a
 * small buffer, or in memory when no file can be made or written. The file
 * is made only when the records outgrow what the spill may hold (`hold`,
 * or the buffer): making one (an inode found on disk, then freed) costs
 * about as much as the copy check of an essay, and a small batch's 32
 * parts of postings and 32 of pairs a thread need none. */
#define SPILL_BUFFER 4096
/* A batch of at most this many essays keeps its postings and pairs in
 * memory (about 5 KB of postings an essay, and fewer bytes of pairs). */
#define HOLD_ESSAYS 256

typedef struct spill {
    int fd;             /* the file's descriptor + 1; 0: none yet */
    bool in_memory;     /* for good: no file could be made or written */
    char *buf;          /* file: records not yet written; memory or no file yet: all */
    size_t buffered, buf_cap; /* bytes */
    uint64_t written;   /* bytes in the file */
    size_t count;       /* records */
    size_t hold;        /* bytes held before a file is made; 0: SPILL_BUFFER */
} spill;

/* The index's lanes: postings from each thread that sets essays go to
 * spills of its own, so that the threads need no lock (with one, the
 * copy pass's appends, a file write among them now and then, took turns). */
#define MAX_COPY_LANES 8

struct hm_copy {
    size_t n;
    essay_size *size;
    spill post[PARTS][MAX_COPY_LANES]; /* postings by the hash's top bits, then lane */
    pthread_mutex_t lane_lock[MAX_COPY_LANES]; /* taken by a thread's set, seldom waited on */
    size_t lanes;
    size_t hold;        /* what its spills may hold in memory (see HOLD_ESSAYS) */
    hm_copy_pair *pairs;
    size_t n_pairs;
};

/* Whether the records are all in the buffer: in memory, or no file yet. */
static bool spill_held(const spill *s)
{
    return s->in_memory || !s->fd;
}

static void spill_flush(spill *s)
{
    if (spill_held(s) || !s->buffered)
        return;
    if (hm_pwrite_all(s->fd - 1, s->buf, s->buffered, s->written)) {
        s->written += s->buffered;
        s->buffered = 0;
        return;
    }
    /* a full disk: carry on in memory with what was written */
    char *all = hm_xmalloc(s->written + s->buffered + 1);
    if (!hm_pread_all(s->fd - 1, all, s->written, 0))
        memset(all, 0, s->written);
    memcpy(all + s->written, s->buf, s->buffered);
    free(s->buf);
    s->buf = all;
    s->buf_cap = s->buffered = s->written + s->buffered;
    s->written = 0;
    close(s->fd - 1);
    s->fd = 0;
    s->in_memory = true;
}

/* The bytes the buffer may hold before they go to the file. */
static inline size_t spill_limit(const spill *s)
{
    if (s->in_memory)
        return SIZE_MAX;
    return s->fd || !s->hold ? SPILL_BUFFER : s->hold;
}

/* Room for n records of `size` bytes each at the end of the buffer, for
 * the caller to fill: a run larger than the buffer goes through a buffer
 * grown to hold it. */
static void *spill_append(spill *s, size_t n, size_t size)
{
    size_t bytes = n * size;
    if (s->buffered + bytes > spill_limit(s)) {
        if (!s->fd) {
            int fd = hm_temp_fd();
            s->fd = fd + 1;
            s->in_memory = fd < 0;
        }
        spill_flush(s);
    }
    if (s->buffered + bytes > s->buf_cap) {
        size_t cap = s->buf_cap ? s->buf_cap * 2 : SPILL_BUFFER;
        while (cap < s->buffered + bytes)
            cap *= 2;
        s->buf = hm_xrealloc(s->buf, cap);
        s->buf_cap = cap;
    }
    void *at = s->buf + s->buffered;
    s->buffered += bytes;
    s->count += n;
    return at;
}

static inline void spill_add(spill *s, const void *rec, size_t size)
{
    /* nearly every record fits the buffer as it is: no call (a pair of
     * essays is added a record at a time) */
    if (s->buffered + size <= s->buf_cap && s->buffered + size <= spill_limit(s)) {
        memcpy(s->buf + s->buffered, rec, size);
        s->buffered += size;
        s->count++;
        return;
    }
    memcpy(spill_append(s, 1, size), rec, size);
}

/* Up to max records from record `at` into out; how many. */
static size_t spill_read(spill *s, size_t at, void *out, size_t max, size_t size)
{
    spill_flush(s);
    if (at >= s->count)
        return 0;
    if (max > s->count - at)
        max = s->count - at;
    if (spill_held(s)) {
        memcpy(out, s->buf + at * size, max * size);
        return max;
    }
    return hm_pread_all(s->fd - 1, out, max * size, (uint64_t)at * size) ? max : 0;
}

/* n bytes from byte `at` of the records into out; false on a short read. */
static bool spill_read_bytes(spill *s, uint64_t at, void *out, size_t n)
{
    spill_flush(s);
    uint64_t total = s->written + s->buffered; /* one of them is 0 after the flush */
    if (at > total || n > total - at)
        return false;
    if (spill_held(s)) {
        memcpy(out, s->buf + at, n);
        return true;
    }
    return hm_pread_all(s->fd - 1, out, n, at);
}

/* n bytes from byte `at` where they are held in memory, not copied; NULL
 * when they are in the file (or past the end). */
static const void *spill_view(spill *s, uint64_t at, size_t n)
{
    spill_flush(s);
    if (!spill_held(s) || at > s->buffered || n > s->buffered - at)
        return NULL;
    return s->buf + at;
}

static void spill_free(spill *s)
{
    if (s->fd > 0)
        hm_temp_fd_done(s->fd - 1);
    free(s->buf);
    memset(s, 0, sizeof *s);
}

/* The word scan reads a text 64 bytes at a time: which bytes are ASCII
 * letters or digits (word bytes), and which are from 0x80 (part of a
 * character beyond ASCII). In a block with none of the latter (nearly
 * all), words start where a word byte follows none and end where a byte
 * that is none follows one: two counts of trailing zeros a word, not a
 * test a byte. A character from 0x80 is decoded, asked of hm_is_word_cp
 * and folded, and the ASCII on either side of it is scanned as ASCII.
 * Blocks are 64 bytes from the text's start; the last, shorter one is
 * classified from a copy padded with bytes of neither kind. */
typedef struct block_bits {
    uint64_t word, high; /* bit k: byte k of the block */
} block_bits;

#ifndef __SSE2__
/* Whether an ASCII byte is a letter or a digit: hm_is_word_cp's answer. */
static inline bool ascii_word_byte(unsigned char c)
{
    return (unsigned)(c - '0') < 10 || (unsigned)((c | 0x20) - 'a') < 26;
}
#endif

/* The bits of the 64 bytes at p. */
static inline block_bits classify_block(const unsigned char *p)
{
    block_bits b = {0, 0};
#ifdef __SSE2__
    /* c - '0' < 10 and (c | 0x20) - 'a' < 26 unsigned, as signed compares
     * of the bytes moved so that the range starts at -128 */
    const __m128i digit_move = _mm_set1_epi8((char)(0x80 - '0')), digit_below = _mm_set1_epi8(-128 + 10);
    const __m128i case_bit = _mm_set1_epi8(0x20), letter_move = _mm_set1_epi8((char)(0x80 - 'a'));
    const __m128i letter_below = _mm_set1_epi8(-128 + 26);
    for (unsigned k = 0; k < 64; k += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + k));
        __m128i digit = _mm_cmplt_epi8(_mm_add_epi8(v, digit_move), digit_below);
        __m128i letter = _mm_cmplt_epi8(_mm_add_epi8(_mm_or_si128(v, case_bit), letter_move), letter_below);
        b.word |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_or_si128(digit, letter)) << k;
        b.high |= (uint64_t)(unsigned)_mm_movemask_epi8(v) << k;
    }
#else
    for (unsigned k = 0; k < 64; k++) {
        b.word |= (uint64_t)ascii_word_byte(p[k]) << k;
        b.high |= (uint64_t)(p[k] >> 7) << k;
    }
#endif
    return b;
}

/* The bits of the last block, n < 64 bytes. */
static __attribute__((noinline)) block_bits classify_tail(const unsigned char *p, size_t n)
{
    unsigned char tail[64] = {0};
    memcpy(tail, p, n);
    return classify_block(tail);
}

/* Every MARK_EVERY-th word's start is kept with an essay's shingles, so
 * that a quote is tokenised from near its first word, not from the
 * essay's start. */
#define MARK_EVERY 16

typedef struct words {
    uint64_t *hash;       /* (WORD_HASHES) */
    size_t *start, *end;  /* byte spans (WORD_SPANS) */
    uint64_t *mark;       /* every MARK_EVERY-th word's start (WORD_MARKS) */
    size_t n, cap;
} words;

/* What tokenise keeps of each word. */
enum { WORD_SPANS = 1, WORD_MARKS = 2, WORD_HASHES = 4 };

static void words_grow(words *w, size_t len, unsigned keep)
{
    /* an essay has a word in about six bytes: room for one in five, so that
     * an essay seldom grows the arrays (each grow copies them) */
    w->cap = w->cap ? w->cap * 2 : len / 5 + 64;
    if (keep & WORD_HASHES)
        w->hash = hm_xrealloc(w->hash, w->cap * sizeof *w->hash);
    if (keep & WORD_SPANS) {
        w->start = hm_xrealloc(w->start, w->cap * sizeof *w->start);
        w->end = hm_xrealloc(w->end, w->cap * sizeof *w->end);
    }
    /* one more: word_add writes the next mark's slot before its word comes */
    if (keep & WORD_MARKS)
        w->mark = hm_xrealloc(w->mark, (w->cap / MARK_EVERY + 2) * sizeof *w->mark);
}

/* x with its first byte in memory the low one, whatever the CPU's order
 * (and back). */
static inline uint64_t little_endian(uint64_t x)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    x = __builtin_bswap64(x);
#endif
    return x;
}

/* (h ^ *b) * prime. On x86-64 the byte is xored into h's low byte straight
 * from memory (as document.c's fnv_step), two instructions a step: gcc's
 * own takes five from a register (a copy, a shift, a widening). */
static inline uint64_t fnv_step(uint64_t h, const unsigned char *b, uint64_t prime)
{
#if defined(__x86_64__) && defined(__GNUC__)
    __asm__("xorb %1, %b0\n\timulq %2, %0" : "+r"(h) : "m"(*b), "r"(prime) : "cc");
    return h;
#else
    return (h ^ *b) * prime;
#endif
}

/* FNV-1a of the eight bytes of x, the low byte first: a fixed run of steps. */
static inline uint64_t hash_eight(uint64_t h, uint64_t x)
{
    unsigned char b[8];
    x = little_endian(x);
    memcpy(b, &x, sizeof b);
    /* written out: a loop's test would be a branch of its own */
    h = fnv_step(h, b + 0, HM_FNV_PRIME);
    h = fnv_step(h, b + 1, HM_FNV_PRIME);
    h = fnv_step(h, b + 2, HM_FNV_PRIME);
    h = fnv_step(h, b + 3, HM_FNV_PRIME);
    h = fnv_step(h, b + 4, HM_FNV_PRIME);
    h = fnv_step(h, b + 5, HM_FNV_PRIME);
    h = fnv_step(h, b + 6, HM_FNV_PRIME);
    return fnv_step(h, b + 7, HM_FNV_PRIME);
}

/* HM_FNV_PRIME's inverse (mod 2^64) to the power 8 - n, for the last n
 * bytes of a word: a step over a zero byte multiplies by the prime, so h
 * times this, then 8 - n zero bytes, is h. */
static const uint64_t fnv_prime_inverse_for[9] = {
    0x48E254E75F5EB9E1ull, 0x375026270DF5D953ull, 0xF30A275CB8C04809ull,
    0xBA88EB8DEEBA674Bull, 0xB10F8D2CA6BD8471ull, 0x9AF153DF54080C03ull,
    0x501D877BC9AC6919ull, 0xCE965057AFF6957Bull, 0x0000000000000001ull,
};
/* The last n of eight bytes loaded (the high ones): the others read as zero. */
static const uint64_t window_keep[9] = {
    0, 0xFF00000000000000ull, 0xFFFF000000000000ull, 0xFFFFFF0000000000ull, 0xFFFFFFFF00000000ull,
    0xFFFFFFFFFF000000ull, 0xFFFFFFFFFFFF0000ull, 0xFFFFFFFFFFFFFF00ull, ~0ull,
};
#define FOLD_BYTES 0x2020202020202020ull

/* FNV-1a over the ASCII word bytes [p, end), folded: each byte with the
 * case bit set (digits have it). A word's last (up to) eight bytes are the
 * eight bytes that end it, the ones before it zeroed and h taken back as
 * many zero steps first: eight steps whatever its length, so that the
 * length (the exit of a loop a byte) costs no mispredict. Longer words go
 * eight bytes at a time first. The eight bytes before end are read: in
 * the text's first block, tokenise's padded copy of it. */
static inline uint64_t hash_ascii(uint64_t h, const unsigned char *p, const unsigned char *end)
{
    for (; end - p > 8; p += 8)
        h = hash_eight(h, little_endian(hm_load8(p)) | FOLD_BYTES);
    size_t n = (size_t)(end - p);
    return hash_eight(h * fnv_prime_inverse_for[n], (little_endian(hm_load8(end - 8)) | FOLD_BYTES) & window_keep[n]);
}

/* Adds the word text[at, end) of hash h as word *n (tokenise made room);
 * whether that makes max_words. */
static inline __attribute__((always_inline)) bool word_add(words *w, size_t *n, unsigned keep, uint64_t h, size_t at,
                                                           size_t end, size_t max_words)
{
    if (keep & WORD_HASHES)
        w->hash[*n] = h;
    if (keep & WORD_SPANS) {
        w->start[*n] = at;
        w->end[*n] = end;
    }
    /* no branch: a word that is no mark writes the next mark's slot, which
     * that mark's own word overwrites (or which is past the marks kept) */
    if (keep & WORD_MARKS)
        w->mark[(*n + MARK_EVERY - 1) / MARK_EVERY] = at;
    ++*n;
    /* SIZE_MAX, no limit, is a constant where tokenise is inlined: no test */
    return max_words != SIZE_MAX && *n >= max_words;
}

/* The words of text, the first max_words of them at most: each a run of
 * letters and digits (hm_is_word_cp), hashed by FNV-1a over its code
 * points folded (hm_copy_fold) when keep has WORD_HASHES. Always inlined,
 * so that each caller's `keep` is a constant. */
static inline __attribute__((always_inline)) void tokenise(const char *text, size_t len, words *w, unsigned keep,
                                                           size_t max_words)
{
    const unsigned char *t = (const unsigned char *)text;
    /* the count in a local: a store through w->hash may alias w->n */
    size_t n = w->n, at = 0;
    size_t pos = 0; /* the first byte not read: a character from 0x80 may end past its block */
    /* The word being read, when in_word: from `at`; h is the hash of its
     * bytes before `from` (characters from 0x80 are hashed as they come,
     * ASCII when the word ends). */
    size_t from = 0;
    uint64_t h = 0;
    bool in_word = false;
    if (n >= max_words)
        return;
    /* The hashes read the eight bytes before a word's end: in the first
     * block from a copy after eight zero bytes, then from the text (ht is
     * the text's start in whichever). */
    unsigned char first[8 + 64] = {0};
    if (keep & WORD_HASHES)
        memcpy(first + 8, t, len < 64 ? len : 64);
    const unsigned char *ht = first + 8;
    for (size_t block = 0; block < len; block += 64) {
        size_t block_end = len - block >= 64 ? block + 64 : len;
        if (block)
            ht = t;
        /* Room for the block's words, checked once a block: a word ends at
         * a byte after one of its own, so at most 32 end here, and one
         * more may end with the text. */
        if (n + 33 > w->cap)
            words_grow(w, len, keep);
        block_bits b = block_end - block == 64 ? classify_block(t + block) : classify_tail(t + block, len - block);
        /* The block in segments of ASCII (one, nearly always), each ended
         * by a character from 0x80 or the block's end. */
        while (pos < block_end) {
            unsigned lo = (unsigned)(pos - block);
            uint64_t rest = ~(uint64_t)0 << lo, high = b.high & rest;
            unsigned hi = high ? (unsigned)__builtin_ctzll(high) : 64;
            uint64_t segment = hi < 64 ? rest & ((1ull << hi) - 1) : rest;
            size_t segment_end = block + hi;
            uint64_t word = b.word & segment;
            /* bit k: byte k - 1 is a word's, or the word being read runs into k */
            uint64_t follows = (word << 1) | ((uint64_t)in_word << lo);
            uint64_t starts = word & ~follows, ends = ~word & follows & segment;
            /* After the word being read ends (if it does here), starts and
             * ends alternate; a start left over runs on past the segment. */
            if (in_word && ends) {
                size_t end = block + (size_t)(unsigned)__builtin_ctzll(ends);
                ends &= ends - 1;
                in_word = false;
                if (keep & WORD_HASHES)
                    h = hash_ascii(h, ht + from, ht + end);
                if (word_add(w, &n, keep, h, at, end, max_words))
                    goto done;
            }
            while (ends) {
                size_t start = block + (size_t)(unsigned)__builtin_ctzll(starts);
                starts &= starts - 1;
                size_t end = block + (size_t)(unsigned)__builtin_ctzll(ends);
                ends &= ends - 1;
                uint64_t word_hash = keep & WORD_HASHES ? hash_ascii(HM_FNV_SEED, ht + start, ht + end) : 0;
                if (word_add(w, &n, keep, word_hash, start, end, max_words))
                    goto done;
            }
            if (starts) { /* on into the next segment */
                in_word = true;
                at = from = block + (size_t)(unsigned)__builtin_ctzll(starts);
                h = HM_FNV_SEED;
            }
            if (hi == 64) {
                pos = block + 64;
                break;
            }
            /* the character from 0x80 at the segment's end: decoded, asked, folded */
            pos = segment_end;
            uint32_t cp = hm_utf8_next(text, len, &pos);
            if (hm_is_word_cp(cp)) {
                if (!in_word)
                    h = HM_FNV_SEED, at = segment_end;
                else if (keep & WORD_HASHES)
                    h = hash_ascii(h, ht + from, ht + segment_end);
                in_word = true;
                h = (h ^ hm_copy_fold(cp)) * HM_FNV_PRIME; /* a whole code point, not a byte */
                from = pos;
            } else if (in_word) {
                in_word = false;
                if (keep & WORD_HASHES)
                    h = hash_ascii(h, ht + from, ht + segment_end);
                if (word_add(w, &n, keep, h, at, segment_end, max_words))
                    goto done;
            }
        }
    }
    if (in_word) {
        if (keep & WORD_HASHES)
            h = hash_ascii(h, ht + from, ht + len);
        word_add(w, &n, keep, h, at, len, max_words);
    }
done:
    w->n = n;
}

static void words_free(words *w)
{
    free(w->hash);
    free(w->start);
    free(w->end);
    free(w->mark);
}

/* The hash of the 8-word shingle opening at hash[0]. */
static inline uint64_t shingle_hash(const uint64_t *hash)
{
    uint64_t h = 0;
    /* unrolled: the loop's own count and test were a fifth of it */
#pragma GCC unroll 8
    for (size_t k = 0; k < HM_SHINGLE_WORDS; k++)
        h = hm_shingle_mix(h ^ hash[k]);
    return h;
}

#ifdef HM_HAVE_SHUFFLE
/* x * c in each 64-bit lane (AVX2 multiplies 32 by 32 bits): the low
 * halves' product plus the two cross products moved up 32 bits; c_low is c
 * (its low half is what is read), c_high c >> 32. */
__attribute__((target("avx2"))) static inline __m256i mul64_lanes(__m256i x, __m256i c_low, __m256i c_high)
{
    __m256i cross = _mm256_add_epi64(_mm256_mul_epu32(_mm256_srli_epi64(x, 32), c_low), _mm256_mul_epu32(x, c_high));
    return _mm256_add_epi64(_mm256_mul_epu32(x, c_low), _mm256_slli_epi64(cross, 32));
}

/* hm_shingle_mix() in each 64-bit lane. */
__attribute__((target("avx2"))) static inline __m256i mix_lanes(__m256i x)
{
    const __m256i c1 = _mm256_set1_epi64x((long long)0xBF58476D1CE4E5B9ull), c1_high = _mm256_set1_epi64x(0xBF58476D);
    const __m256i c2 = _mm256_set1_epi64x((long long)0x94D049BB133111EBull), c2_high = _mm256_set1_epi64x(0x94D049BB);
    x = _mm256_xor_si256(x, _mm256_srli_epi64(x, 30));
    x = mul64_lanes(x, c1, c1_high);
    x = _mm256_xor_si256(x, _mm256_srli_epi64(x, 27));
    x = mul64_lanes(x, c2, c2_high);
    return _mm256_xor_si256(x, _mm256_srli_epi64(x, 31));
}

/* The first n shingles (a multiple of 16) sixteen at a time, in four sets
 * of four lanes whose chains of mixes overlap (a mix is about 20 cycles of
 * latency): shingle_hash()'s values, half its instructions. In place, as
 * shingles_in_place(): a set's words are all read before its shingles are
 * written. */
__attribute__((target("avx2"))) static void shingles_in_place_wide(uint64_t *hash, size_t n)
{
    for (size_t i = 0; i < n; i += 16) {
        __m256i lane[4] = {_mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256(),
                           _mm256_setzero_si256()};
#pragma GCC unroll 8
        for (size_t k = 0; k < HM_SHINGLE_WORDS; k++)
#pragma GCC unroll 4
            for (size_t v = 0; v < 4; v++)
                lane[v] = mix_lanes(
                    _mm256_xor_si256(lane[v], _mm256_loadu_si256((const __m256i *)(const void *)(hash + i + 4 * v + k))));
        for (size_t v = 0; v < 4; v++)
            _mm256_storeu_si256((__m256i *)(void *)(hash + i + 4 * v), lane[v]);
    }
}
#endif

/* Each word's hash becomes that of the 8-word shingle it opens, in place:
 * n_words - 7 of them (shingle i needs words i to i + 7, which no earlier
 * shingle has overwritten). How many. */
static size_t shingles_in_place(uint64_t *hash, size_t n_words)
{
    size_t n = n_words >= HM_SHINGLE_WORDS ? n_words - HM_SHINGLE_WORDS + 1 : 0, i = 0;
#ifdef HM_HAVE_SHUFFLE
    if (hm_cpu_has_wide_shuffle()) {
        i = n & ~(size_t)15;
        shingles_in_place_wide(hash, i);
    }
#endif
    for (; i < n; i++)
        hash[i] = shingle_hash(hash + i);
    return n;
}

/* LSD radix sorts, a byte at a time over the low `bits` of the key: several
 * times faster than qsort on the thousands of hashes of an essay and the
 * millions of pairs of a class. */
static void radix_sort_u64(uint64_t *a, size_t n, unsigned bits)
{
    if (n < 2)
        return;
    uint64_t *tmp = hm_xmalloc(n * sizeof *tmp), *from = a, *to = tmp;
    for (unsigned shift = 0; shift < bits; shift += 8) {
        size_t count[257] = {0};
        for (size_t i = 0; i < n; i++)
            count[((from[i] >> shift) & 0xFF) + 1]++;
        for (int k = 0; k < 256; k++)
            count[k + 1] += count[k];
        for (size_t i = 0; i < n; i++)
            to[count[(from[i] >> shift) & 0xFF]++] = from[i];
        uint64_t *t = from;
        from = to;
        to = t;
    }
    if (from != a)
        memcpy(a, from, n * sizeof *a);
    free(tmp);
}

/* How many buckets (a power of two, about one a hash, at most 2^16) n
 * mixed hashes are placed in, by the top bits in which they differ (the
 * bits set in `differ`, not 0): the shift that brings those bits down. */
static size_t hash_buckets(uint64_t differ, size_t n, unsigned *shift)
{
    unsigned top = 64 - (unsigned)__builtin_clzll(differ), bits = 1;
    while (bits < 16 && bits < top && ((size_t)1 << bits) < n)
        bits++;
    *shift = top - bits;
    return (size_t)1 << bits;
}

/* Sorts distinct hashes that are mixed (their bits spread evenly): placed
 * by the top bits in which they differ in about one bucket each, then an
 * insertion sort that moves each at most past its bucket's few others: a
 * capped sample (4,096 hashes or more; an uncapped one is not sorted). Not
 * for hashes that repeat (a part's postings): many copies of two hashes in
 * one bucket make the insertion sort quadratic. */
static void sort_mixed_hashes(uint64_t *a, size_t n)
{
    uint64_t differ = 0; /* the bits in which some hash differs from the first */
    for (size_t i = 1; i < n; i++)
        differ |= a[i] ^ a[0];
    if (!differ)
        return;
    unsigned shift;
    size_t buckets = hash_buckets(differ, n, &shift), mask = buckets - 1;
    /* four-byte counts (fewer than 2^32 hashes, as the sets): half the
     * table to clear */
    uint32_t *first = hm_xcalloc(buckets + 1, sizeof *first);
    uint64_t *tmp = hm_xmalloc(n * sizeof *tmp);
    for (size_t i = 0; i < n; i++)
        first[((a[i] >> shift) & mask) + 1]++;
    for (size_t k = 0; k < buckets; k++)
        first[k + 1] += first[k];
    for (size_t i = 0; i < n; i++)
        tmp[first[(a[i] >> shift) & mask]++] = a[i];
    for (size_t i = 0; i < n; i++) {
        uint64_t v = tmp[i];
        size_t j = i;
        for (; j > 0 && a[j - 1] > v; j--)
            a[j] = a[j - 1];
        a[j] = v;
    }
    free(tmp);
    free(first);
}

/* A set of shingle hashes by open addressing, over an array of them that
 * outlives it: a slot holds the index + 1 of its hash in `key` (0: empty),
 * not the hash's eight bytes, so the table cleared for each essay and each
 * partner is small: two bytes a slot for 65,535 hashes or fewer (an
 * essay: an 8 KB memset, not 16 KB), four beyond. The hashes are mixed
 * already, so their top bits place them. One build and a probe a shingle
 * cost a fraction of sorting them. The calls below take `narrow` as a
 * constant where they are inlined, so that a loop over a set tests its
 * width once, not at every probe. */
typedef struct hash_set {
    void *slot; /* uint16_t when narrow, else uint32_t */
    const uint64_t *key;
    size_t mask;
    unsigned shift;
    bool narrow;
} hash_set;

#define SET_INLINE static inline __attribute__((always_inline))
/* The most hashes a set of two-byte slots holds (index + 1 <= 65,535). */
#define NARROW_MAX 65535

/* Room for the n hashes of key (fewer than 2^32: 32 GB of shingles), the
 * table at most half full (fuller, the probes cost more than a smaller
 * table saves in clearing it). */
static void set_init(hash_set *s, const uint64_t *key, size_t n)
{
    unsigned bits = 4;
    while (((size_t)1 << bits) < 2 * n)
        bits++;
    s->narrow = n <= NARROW_MAX;
    s->slot = hm_xcalloc((size_t)1 << bits, s->narrow ? sizeof(uint16_t) : sizeof(uint32_t));
    s->key = key;
    s->mask = ((size_t)1 << bits) - 1;
    s->shift = 64 - bits;
}

static void set_free(hash_set *s)
{
    free(s->slot);
    s->slot = NULL;
}

/* Slot `at`'s index + 1 (0: empty). */
SET_INLINE uint32_t set_at(const hash_set *s, size_t at, bool narrow)
{
    return narrow ? ((const uint16_t *)s->slot)[at] : ((const uint32_t *)s->slot)[at];
}

/* The slot that holds h, or the empty one where it would go. */
SET_INLINE size_t set_slot(const hash_set *s, uint64_t h, bool narrow)
{
    size_t at = (size_t)(h >> s->shift);
    while (set_at(s, at, narrow) && s->key[set_at(s, at, narrow) - 1] != h)
        at = (at + 1) & s->mask;
    return at;
}

SET_INLINE bool set_has(const hash_set *s, uint64_t h, bool narrow)
{
    return set_at(s, set_slot(s, h, narrow), narrow) != 0;
}

/* Adds key[i]; whether its hash is new. */
SET_INLINE bool set_add(hash_set *s, size_t i, bool narrow)
{
    size_t at = set_slot(s, s->key[i], narrow);
    if (set_at(s, at, narrow))
        return false;
    if (narrow)
        ((uint16_t *)s->slot)[at] = (uint16_t)(i + 1);
    else
        ((uint32_t *)s->slot)[at] = (uint32_t)(i + 1);
    return true;
}

static bool sampled(uint64_t hash)
{
    return (hash & (SAMPLE_EVERY - 1)) == 0;
}

struct hm_copy_text {
    uint64_t *shingle;    /* in text order; the marks follow, in one block */
    bool borrowed;        /* the block is the shingle store's, not this one's */
    size_t n_shingles;
    const uint64_t *mark; /* byte offset of word k * MARK_EVERY */
    size_t n_marks;
    hash_set shingle_set; /* made when first asked for (NULL slots till then) */
    uint64_t *filter;     /* made with it: a bit a hash's bits 16 up (filter_mask) */
    size_t filter_mask;
    char *text;           /* the decoded text it was made from, when it keeps it */
    size_t text_len;
    bool text_is_bytes;   /* that text is the essay's bytes unchanged (UTF-8) */
};

/* Takes over data: n shingles, then n_marks marks. */
static hm_copy_text *copy_text_of(uint64_t *data, size_t n, size_t n_marks)
{
    hm_copy_text *t = hm_xcalloc(1, sizeof *t);
    t->shingle = data;
    t->n_shingles = n;
    t->mark = data + n;
    t->n_marks = n_marks;
    return t;
}

/* The copy text of text already decoded: its words' hashes become its
 * shingles where they are, and the marks follow them in the block. */
static hm_copy_text *copy_text_of_decoded(const char *text, size_t len)
{
    words w = {0};
    tokenise(text, len, &w, WORD_HASHES | WORD_MARKS, SIZE_MAX);
    size_t n = shingles_in_place(w.hash, w.n), n_marks = (w.n + MARK_EVERY - 1) / MARK_EVERY;
    uint64_t *data = hm_xrealloc(w.hash, (n + n_marks + 1) * sizeof *data);
    if (n_marks)
        memcpy(data + n, w.mark, n_marks * sizeof *data);
    w.hash = NULL;
    words_free(&w);
    return copy_text_of(data, n, n_marks);
}

/* The copy text of an essay's bytes; NULL when they are not text. */
static hm_copy_text *copy_text_make(const char *bytes, size_t len)
{
    hm_source src;
    if (!hm_source_init(&src, bytes, len, "-", NULL))
        return NULL;
    hm_copy_text *t = copy_text_of_decoded(src.text, src.len);
    t->text = src.text; /* kept for the shingle store, which quotes from it */
    t->text_len = src.len;
    t->text_is_bytes = src.len == len && memcmp(src.text, bytes, len) == 0;
    src.text = NULL;
    hm_source_free(&src);
    return t;
}

const uint64_t *hm_copy_text_shingles(const hm_copy_text *t, size_t *n)
{
    *n = t->n_shingles;
    return t->shingle;
}

void hm_copy_text_free(hm_copy_text *t)
{
    if (!t)
        return;
    if (!t->borrowed)
        free(t->shingle);
    set_free(&t->shingle_set);
    free(t->filter);
    free(t->text);
    free(t);
}

/* Adds the set's n hashes: how many are distinct; the distinct ones that
 * are sampled go to sample, *kept of them. */
SET_INLINE size_t add_all(hash_set *seen, size_t n, uint64_t *sample, size_t *kept, bool narrow)
{
    size_t distinct = 0, k = 0;
    for (size_t i = 0; i < n; i++) {
        /* a mask, not a branch: one shingle in four is sampled, by its bits */
        bool is_new = set_add(seen, i, narrow);
        distinct += is_new;
        sample[k] = seen->key[i];
        k += is_new & sampled(seen->key[i]);
    }
    *kept = k;
    return distinct;
}

hm_shingles *hm_shingles_make_text(const char *bytes, size_t len, hm_copy_text **text_out)
{
    hm_copy_text *t = copy_text_make(bytes, len);
    if (!t)
        return NULL;
    const uint64_t *seq = t->shingle;
    size_t n = t->n_shingles;
    /* Distinct shingles are counted in a set; only the sampled ones, a
     * quarter, are kept, in text order (the index puts each in its part
     * whatever the order), sorted only when capped. */
    uint64_t *sample = hm_xmalloc((n + 1) * sizeof *sample);
    hash_set seen;
    set_init(&seen, seq, n);
    size_t kept = 0;
    size_t distinct = seen.narrow ? add_all(&seen, n, sample, &kept, true) : add_all(&seen, n, sample, &kept, false);
    set_free(&seen);
    hm_shingles *s = hm_xcalloc(1, sizeof *s);
    s->total = distinct > UINT32_MAX ? UINT32_MAX : (uint32_t)distinct;
    s->top = UINT64_MAX;
    if (kept >= MAX_SAMPLES) { /* a capped sketch keeps the smallest */
        sort_mixed_hashes(sample, kept);
        kept = MAX_SAMPLES;
        s->top = sample[kept - 1];
    }
    s->n = (uint32_t)kept;
    s->hash = hm_xrealloc(sample, (kept + 1) * sizeof *sample);
    if (text_out)
        *text_out = t;
    else
        hm_copy_text_free(t);
    return s;
}

hm_shingles *hm_shingles_make(const char *bytes, size_t len)
{
    return hm_shingles_make_text(bytes, len, NULL);
}

void hm_shingles_free(hm_shingles *s)
{
    if (!s)
        return;
    free(s->hash);
    free(s);
}

hm_copy *hm_copy_new_lanes(size_t n, size_t lanes)
{
    hm_copy *c = hm_xcalloc(1, sizeof *c);
    c->n = n;
    c->hold = n <= HOLD_ESSAYS ? SIZE_MAX : 0;
    /* a batch held in memory pairs each part where it lies: one lane */
    c->lanes = c->hold || lanes < 1 ? 1 : lanes > MAX_COPY_LANES ? MAX_COPY_LANES : lanes;
    for (size_t l = 0; l < c->lanes; l++)
        pthread_mutex_init(&c->lane_lock[l], NULL);
    for (int k = 0; k < PARTS; k++)
        for (size_t l = 0; l < c->lanes; l++)
            c->post[k][l].hold = c->hold;
    c->size = hm_xcalloc(n + 1, sizeof *c->size);
    return c;
}

hm_copy *hm_copy_new(size_t n)
{
    return hm_copy_new_lanes(n, 1);
}

size_t hm_copy_lanes(const hm_copy *c)
{
    return c->lanes;
}

static unsigned part_of_hash(uint64_t hash)
{
    return (unsigned)(hash >> 59); /* PARTS = 32: the top five bits */
}

void hm_copy_set(hm_copy *c, size_t i, hm_shingles *s)
{
    hm_copy_set_lane(c, 0, i, s);
}

void hm_copy_set_lane(hm_copy *c, size_t lane, size_t i, hm_shingles *s)
{
    lane %= c->lanes;
    pthread_mutex_lock(&c->lane_lock[lane]);
    if (i < c->n && s && !c->size[i].top && i <= UINT32_MAX) {
        uint16_t top = s->top == UINT64_MAX ? UINT16_MAX : (uint16_t)((s->top >> 48) + 1 < UINT16_MAX ? (s->top >> 48) + 1 : UINT16_MAX - 1);
        c->size[i] = (essay_size){s->total, (uint16_t)s->n, top};
        /* Each posting to its part's spill, in the sample's order (a
         * part's postings are paired whatever their order, and its pairs
         * sorted before they are counted): the parts counted, room made in
         * each once, then each posting stored where its part's next goes. */
        uint32_t count[PARTS] = {0};
        for (uint32_t k = 0; k < s->n; k++)
            count[part_of_hash(s->hash[k])]++;
        posting *next[PARTS];
        for (unsigned part = 0; part < PARTS; part++)
            next[part] = count[part] ? spill_append(&c->post[part][lane], count[part], sizeof(posting)) : NULL;
        for (uint32_t k = 0; k < s->n; k++)
            *next[part_of_hash(s->hash[k])]++ = (posting){s->hash[k], (uint32_t)i, 0};
    }
    pthread_mutex_unlock(&c->lane_lock[lane]);
    hm_shingles_free(s);
}

void hm_copy_free(hm_copy *c)
{
    if (!c)
        return;
    for (int k = 0; k < PARTS; k++)
        for (size_t l = 0; l < c->lanes; l++)
            spill_free(&c->post[k][l]);
    for (size_t l = 0; l < c->lanes; l++)
        pthread_mutex_destroy(&c->lane_lock[l]);
    free(c->size);
    free(c->pairs);
    free(c);
}

/* The postings of one piece by hash, to find the essays that hold each
 * hash: an open-addressing table of the first posting of each hash (most
 * are held by one essay only), the others chained from it. Reused from
 * piece to piece by its thread; nothing is moved or sorted. */
typedef struct holder_table {
    void *slot;      /* posting index + 1 of a hash's first posting; 0: empty (uint16_t
                      * for NARROW_MAX postings or fewer, as a hash_set's, else uint32_t) */
    uint32_t *next;  /* posting index + 1 of the next posting of its hash; 0: none */
    uint32_t *multi; /* first postings of the hashes held twice or more */
    size_t slot_bytes, posting_cap;
} holder_table;

static void holder_table_free(holder_table *t)
{
    free(t->slot);
    free(t->next);
    free(t->multi);
    memset(t, 0, sizeof *t);
}

/* The postings' hashes into the table's `slots` (a power of two, mask
 * slots - 1), cleared: how many hashes are held twice or more, their first
 * postings in t->multi. */
SET_INLINE size_t holder_table_put(holder_table *t, const posting *p, size_t n, unsigned bits, bool narrow)
{
    size_t mask = ((size_t)1 << bits) - 1, n_multi = 0;
    uint16_t *slot16 = t->slot;
    uint32_t *slot32 = t->slot;
    for (size_t i = 0; i < n; i++) {
        uint64_t h = p[i].hash;
        /* a part's (and a piece's) hashes share their top bits, and the
         * sample's its low ones: a multiply spreads the rest */
        size_t at = (size_t)((h * 0x9E3779B97F4A7C15ull) >> (64 - bits));
        uint32_t held;
        while ((held = narrow ? slot16[at] : slot32[at]) && p[held - 1].hash != h)
            at = (at + 1) & mask;
        if (!held) {
            if (narrow)
                slot16[at] = (uint16_t)(i + 1);
            else
                slot32[at] = (uint32_t)(i + 1);
            t->next[i] = 0;
            continue;
        }
        size_t first = held - 1;
        if (!t->next[first])
            t->multi[n_multi++] = (uint32_t)first;
        t->next[i] = t->next[first];
        t->next[first] = (uint32_t)(i + 1);
    }
    return n_multi;
}

/* Fills the table with n postings (fewer than 2^32: a piece is about
 * CHUNK / 2 of them); how many hashes are held twice or more, their first
 * postings in t->multi. */
static size_t holder_table_fill(holder_table *t, const posting *p, size_t n)
{
    unsigned bits = 4;
    while (((size_t)1 << bits) < 2 * n)
        bits++;
    bool narrow = n <= NARROW_MAX;
    size_t bytes = ((size_t)1 << bits) * (narrow ? sizeof(uint16_t) : sizeof(uint32_t));
    if (bytes > t->slot_bytes) {
        free(t->slot);
        t->slot = hm_xmalloc(bytes);
        t->slot_bytes = bytes;
    }
    if (n > t->posting_cap) {
        t->next = hm_xrealloc(t->next, n * sizeof *t->next);
        t->multi = hm_xrealloc(t->multi, n * sizeof *t->multi);
        t->posting_cap = n;
    }
    memset(t->slot, 0, bytes);
    return narrow ? holder_table_put(t, p, n, bits, true) : holder_table_put(t, p, n, bits, false);
}

static int cmp_pair(const void *a, const void *b)
{
    const hm_copy_pair *x = a, *y = b;
    if (x->share != y->share)
        return x->share > y->share ? -1 : 1;
    if (x->a != y->a)
        return x->a < y->a ? -1 : 1;
    return x->b < y->b ? -1 : x->b > y->b;
}

/* The smaller essay of a pair (by distinct shingles; the first on a tie). */
static uint32_t smaller(const hm_copy *c, uint32_t a, uint32_t b)
{
    return c->size[a].total <= c->size[b].total ? a : b;
}

/* Shared samples over the smaller essay's samples. With a capped sketch
 * only hashes below both essays' cuts can be shared, so the smaller
 * essay's samples are counted below that cut (estimated: hashes are
 * uniform). */
static double pair_share(const hm_copy *c, uint32_t a, uint32_t b, size_t shared)
{
    const essay_size *s = &c->size[smaller(c, a, b)];
    unsigned cut = c->size[a].top < c->size[b].top ? c->size[a].top : c->size[b].top;
    double base = s->sampled;
    if (s->top > cut)
        base *= (double)cut / (double)s->top;
    double share = base > 0 ? (double)shared / base : 0;
    return share > 1 ? 1 : share;
}

/* Each essay's best partners so far, best first: other + 1 (0: none) and
 * the shared count. */
typedef struct best_list {
    size_t k;
    uint32_t *other;
    uint16_t *shared;  /* at most MAX_SAMPLES */
} best_list;

static bool better(double share, uint32_t other, double than_share, uint32_t than_other)
{
    return share > than_share || (share == than_share && other < than_other);
}

static void best_offer(const hm_copy *c, best_list *bl, uint32_t self, uint32_t other, uint32_t shared)
{
    uint32_t *o = bl->other + (size_t)self * bl->k;
    uint16_t *sh = bl->shared + (size_t)self * bl->k;
    double share = pair_share(c, self, other, shared);
    size_t at = bl->k;
    while (at > 0) {
        if (o[at - 1]) {
            double s = pair_share(c, self, o[at - 1] - 1, sh[at - 1]);
            if (!better(share, other, s, o[at - 1] - 1))
                break;
        }
        at--;
    }
    if (at == bl->k)
        return;
    memmove(o + at + 1, o + at, (bl->k - at - 1) * sizeof *o);
    memmove(sh + at + 1, sh + at, (bl->k - at - 1) * sizeof *sh);
    o[at] = other + 1;
    sh[at] = (uint16_t)shared;
}

static bool best_has(const best_list *bl, uint32_t self, uint32_t other)
{
    for (size_t i = 0; i < bl->k; i++)
        if (bl->other[(size_t)self * bl->k + i] == other + 1)
            return true;
    return false;
}

static void add_pair(hm_copy *c, size_t *cap, uint32_t a, uint32_t b, uint32_t shared)
{
    HM_GROW(c->pairs, c->n_pairs, *cap);
    c->pairs[c->n_pairs++] = (hm_copy_pair){a, b, pair_share(c, a, b, shared), shared, 0, 0, smaller(c, a, b)};
}

/* Pairs the essays that hold each hash of one piece of postings (held by
 * two to max_holders essays), into the pair files by first essay: part p's
 * file is pairs[p * stride] (a thread's files are every stride-th). Their
 * order does not matter: each part's pairs are sorted before counting. */
static void pair_postings(const posting *p, size_t n, size_t max_holders, unsigned part_shift, spill *pairs,
                          size_t stride, holder_table *t)
{
    size_t n_multi = holder_table_fill(t, p, n);
    uint32_t essay[MAX_HOLDERS]; /* max_holders is at most MAX_HOLDERS */
    for (size_t g = 0; g < n_multi; g++) {
        size_t held = 0;
        uint32_t at = t->multi[g] + 1;
        for (; at && held < max_holders; at = t->next[at - 1])
            essay[held++] = p[at - 1].essay;
        if (at)
            continue; /* more than max_holders */
        for (size_t x = 0; x < held; x++)
            for (size_t y = x + 1; y < held; y++) {
                uint64_t a = essay[x] < essay[y] ? essay[x] : essay[y];
                uint64_t b = essay[x] < essay[y] ? essay[y] : essay[x];
                essay_pair ep = a << 32 | b;
                spill_add(&pairs[(a >> part_shift) * stride], &ep, sizeof ep);
            }
    }
}

/* All records of n_spills spills in one array (grown as needed); how
 * many. */
static size_t load_all(spill *s, size_t n_spills, size_t size, char **array, size_t *cap)
{
    size_t total = 0;
    for (size_t k = 0; k < n_spills; k++)
        total += s[k].count;
    if (total > *cap) {
        *cap = total;
        *array = hm_xrealloc(*array, *cap * size);
    }
    size_t n = 0;
    for (size_t k = 0; k < n_spills; k++)
        for (size_t at = 0, got; at < s[k].count && (got = spill_read(&s[k], at, *array + n * size, s[k].count - at, size)) > 0;
             at += got)
            n += got;
    return n;
}

typedef uint64_t (*key_fn)(const void *rec, uint64_t arg);
typedef void (*piece_fn)(void *recs, size_t n, void *ctx);

/* Hands the records of n_spills spills, as one, to fn in 2^bits pieces, by
 * the top bits of key(record): with more than one piece, they are first
 * split into a spill a piece (one pass), so each record is read twice, not
 * once a piece. */
static void each_piece(spill *s, size_t n_spills, size_t size, unsigned bits, key_fn key, uint64_t arg, piece_fn fn,
                       void *ctx, char **array, size_t *cap)
{
    if (!bits) {
        /* loaded first: load_all may move *array, and the order in which
         * a call's arguments are taken is unspecified (clang takes *array
         * before it) */
        size_t n = load_all(s, n_spills, size, array, cap);
        fn(*array, n, ctx);
        return;
    }
    size_t pieces = (size_t)1 << bits, got;
    spill *piece = hm_xcalloc(pieces, sizeof *piece);
    char *buf = hm_xmalloc(1024 * size);
    for (size_t from = 0; from < n_spills; from++)
        for (size_t at = 0; (got = spill_read(&s[from], at, buf, 1024, size)) > 0; at += got)
            for (size_t k = 0; k < got; k++)
                spill_add(&piece[key(buf + k * size, arg) >> (64 - bits)], buf + k * size, size);
    free(buf);
    for (size_t i = 0; i < pieces; i++) {
        size_t n = load_all(&piece[i], 1, size, array, cap);
        fn(*array, n, ctx);
        spill_free(&piece[i]);
    }
    free(piece);
}

/* How many bits cut `count` records into pieces of about CHUNK / 2, at
 * most `limit`. */
static unsigned piece_bits(size_t count, unsigned limit)
{
    unsigned bits = 0;
    while (((size_t)CHUNK << bits) < 2 * count && bits < limit)
        bits++;
    return bits;
}

static uint64_t posting_key(const void *rec, uint64_t arg)
{
    (void)arg;
    return ((const posting *)rec)->hash << 5; /* the bits after the part's */
}

/* The first essay's place in its part, as the top bits. */
static uint64_t pair_key(const void *rec, uint64_t part_shift)
{
    uint64_t a = *(const essay_pair *)rec >> 32;
    return (a & ((1ull << part_shift) - 1)) << (64 - part_shift);
}

/* At most this many threads find pairs: each keeps a file open a part,
 * and 32 parts give more threads little to share. */
#define MAX_FIND_THREADS 8

/* What the threads of hm_copy_find share: read-only but for next_part. */
typedef struct find_shared {
    hm_copy *c;
    double threshold;
    size_t max_holders;
    unsigned part_shift, essay_bits;
    size_t threads;
    spill *pairs;        /* part p's pairs from thread t: pairs[p * threads + t] */
    bool drop;           /* give each part's postings back once paired */
    atomic_uint next_part;
} find_shared;

/* A pair that passed, found by a thread other than the first. */
typedef struct found_pair {
    uint32_t a, b, shared;
} found_pair;

/* One thread's own: it writes nothing another thread reads until all are
 * joined. */
typedef struct find_ctx {
    find_shared *sh;
    size_t thread;
    best_list *bl;       /* the first thread's: the best partners of every essay */
    spill found;         /* the other threads': pairs to offer them after the join,
                          * so that memory does not grow by a list an essay a thread */
    size_t pairs_cap;    /* c->pairs' (no limit: one thread) */
    char *array;         /* the piece in hand */
    size_t array_cap;
    holder_table holders; /* the piece of postings in hand's, by hash */
} find_ctx;

/* Pairs a piece of postings (each_piece's callback; ctx is the find_ctx). */
static void on_postings(void *recs, size_t n, void *ctx)
{
    find_ctx *f = ctx;
    pair_postings(recs, n, f->sh->max_holders, f->sh->part_shift, f->sh->pairs + f->thread, f->sh->threads,
                  &f->holders);
}

/* Counts the shared samples of each pair in a piece: sorted, in runs. */
static void on_pairs(void *recs, size_t n, void *ctx)
{
    find_ctx *f = ctx;
    const find_shared *sh = f->sh;
    essay_pair *ep = recs;
    unsigned eb = sh->essay_bits;
    /* b in the low bits, a above it: sort on the bits in use */
    for (size_t k = 0; k < n; k++)
        ep[k] = (ep[k] >> 32) << eb | (ep[k] & 0xFFFFFFFFu);
    radix_sort_u64(ep, n, (2 * eb + 7) / 8 * 8);
    for (size_t lo = 0, hi; lo < n; lo = hi) {
        for (hi = lo + 1; hi < n && ep[hi] == ep[lo];)
            hi++;
        uint32_t a = (uint32_t)(ep[lo] >> eb), b = (uint32_t)(ep[lo] & ((1ull << eb) - 1));
        uint32_t shared = (uint32_t)(hi - lo);
        if (shared < MIN_SHARED || pair_share(sh->c, a, b, shared) + 1e-12 < sh->threshold)
            continue;
        if (!f->bl) {
            spill_add(&f->found, &(found_pair){a, b, shared}, sizeof(found_pair));
        } else if (f->bl->k) {
            best_offer(sh->c, f->bl, a, b, shared);
            best_offer(sh->c, f->bl, b, a, shared);
        } else {
            add_pair(sh->c, &f->pairs_cap, a, b, shared);
        }
    }
}

/* Postings, part by part, a part too large for one piece in pieces by the
 * next bits of the hash; pairs of essays out, by first essay, to this
 * thread's pair files. */
static void *find_postings_worker(void *arg)
{
    find_ctx *f = arg;
    find_shared *sh = f->sh;
    for (unsigned part; (part = atomic_fetch_add(&sh->next_part, 1)) < PARTS;) {
        spill *s = sh->c->post[part];
        size_t lanes = sh->c->lanes, count = 0;
        for (size_t l = 0; l < lanes; l++)
            count += s[l].count;
        unsigned bits = piece_bits(count, 16);
        /* a part held in memory in one piece is paired where it is (pairing
         * moves no posting), not copied first */
        const posting *held = bits || lanes > 1 ? NULL : spill_view(s, 0, s->count * sizeof(posting));
        if (held)
            on_postings((void *)(uintptr_t)held, s->count, f);
        else
            each_piece(s, lanes, sizeof(posting), bits, posting_key, 0, on_postings, f, &f->array, &f->array_cap);
        for (size_t l = 0; sh->drop && l < lanes; l++)
            spill_free(&s[l]);
    }
    return NULL;
}

/* Shared samples of each pair, part by part (every thread's files of the
 * part together), a part too large for one piece in pieces by first essay
 * (one essay's pairs stay together), into this thread's best lists. A pair
 * is in one part only, so it is counted whole by one thread. */
static void *find_pairs_worker(void *arg)
{
    find_ctx *f = arg;
    find_shared *sh = f->sh;
    for (unsigned part; (part = atomic_fetch_add(&sh->next_part, 1)) < PARTS;) {
        spill *s = &sh->pairs[part * sh->threads];
        size_t count = 0;
        for (size_t t = 0; t < sh->threads; t++)
            count += s[t].count;
        each_piece(s, sh->threads, sizeof(essay_pair), piece_bits(count, sh->part_shift), pair_key, sh->part_shift,
                   on_pairs, f, &f->array, &f->array_cap);
        for (size_t t = 0; t < sh->threads; t++)
            spill_free(&s[t]);
    }
    return NULL;
}

/* fn on every thread's context, the calling thread doing the first. */
static void run_threads(find_ctx *ctx, size_t threads, void *(*fn)(void *))
{
    pthread_t *t = hm_xcalloc(threads, sizeof *t);
    ctx[0].sh->next_part = 0;
    size_t started = 1;
    for (; started < threads; started++)
        if (pthread_create(&t[started], NULL, fn, &ctx[started]) != 0)
            break; /* the threads that did start take the parts */
    fn(&ctx[0]);
    for (size_t k = 1; k < started; k++)
        pthread_join(t[k], NULL);
    free(t);
}

static size_t find_pairs(hm_copy *c, double threshold, size_t max_per_essay, unsigned jobs, bool drop,
                         const hm_copy_pair **out)
{
    free(c->pairs);
    c->pairs = NULL;
    c->n_pairs = 0;
    find_shared sh = {.c = c, .threshold = threshold, .essay_bits = 1, .threads = 1, .drop = drop};
    sh.max_holders = c->n / 20 < MAX_HOLDERS ? c->n / 20 : MAX_HOLDERS;
    if (sh.max_holders < 5)
        sh.max_holders = 5;
    /* Pairs go to a part by their first essay: the top bits of its number
     * (a shift, not a division: there are millions). */
    while (((size_t)PARTS << sh.part_shift) < c->n)
        sh.part_shift++;
    while (sh.essay_bits < 32 && (c->n >> sh.essay_bits))
        sh.essay_bits++;
    /* Without a limit every pair goes straight to c->pairs: one thread. */
    sh.threads = !max_per_essay || !jobs ? 1 : jobs > MAX_FIND_THREADS ? MAX_FIND_THREADS : jobs;
    sh.pairs = hm_xcalloc(PARTS * sh.threads, sizeof *sh.pairs);
    for (size_t k = 0; k < PARTS * sh.threads; k++)
        sh.pairs[k].hold = c->hold;

    find_ctx *ctx = hm_xcalloc(sh.threads, sizeof *ctx);
    for (size_t t = 0; t < sh.threads; t++)
        ctx[t] = (find_ctx){.sh = &sh, .thread = t};
    run_threads(ctx, sh.threads, find_postings_worker);
    for (size_t t = 0; t < sh.threads; t++)
        holder_table_free(&ctx[t].holders);

    best_list bl = {max_per_essay, NULL, NULL};
    if (bl.k) {
        bl.other = hm_xcalloc(c->n * bl.k + 1, sizeof *bl.other);
        bl.shared = hm_xcalloc(c->n * bl.k + 1, sizeof *bl.shared);
    }
    ctx[0].bl = &bl;
    run_threads(ctx, sh.threads, find_pairs_worker);
    free(sh.pairs);

    /* The other threads' pairs to the best lists: the best k of a set
     * under one strict order, whatever order they are offered in. */
    found_pair buf[1024];
    for (size_t t = 1; t < sh.threads; t++) {
        for (size_t at = 0, got; (got = spill_read(&ctx[t].found, at, buf, 1024, sizeof *buf)) > 0; at += got)
            for (size_t k = 0; k < got; k++) {
                best_offer(c, &bl, buf[k].a, buf[k].b, buf[k].shared);
                best_offer(c, &bl, buf[k].b, buf[k].a, buf[k].shared);
            }
        spill_free(&ctx[t].found);
    }

    /* With a limit, the pairs among the best of either essay, each once. */
    size_t pairs_cap = ctx[0].pairs_cap;
    for (size_t e = 0; bl.k && e < c->n; e++)
        for (size_t i = 0; i < bl.k; i++) {
            uint32_t o1 = bl.other[e * bl.k + i];
            if (!o1)
                break;
            uint32_t self = (uint32_t)e, other = o1 - 1;
            if (self < other)
                add_pair(c, &pairs_cap, self, other, bl.shared[e * bl.k + i]);
            else if (!best_has(&bl, other, self))
                add_pair(c, &pairs_cap, other, self, bl.shared[e * bl.k + i]);
        }
    free(bl.other);
    free(bl.shared);
    for (size_t t = 0; t < sh.threads; t++)
        free(ctx[t].array);
    free(ctx);
    if (c->n_pairs)
        qsort(c->pairs, c->n_pairs, sizeof *c->pairs, cmp_pair);
    *out = c->pairs;
    return c->n_pairs;
}

size_t hm_copy_find_threads(hm_copy *c, double threshold, size_t max_per_essay, unsigned jobs,
                            const hm_copy_pair **out)
{
    return find_pairs(c, threshold, max_per_essay, jobs, false, out);
}

size_t hm_copy_find_last(hm_copy *c, double threshold, size_t max_per_essay, unsigned jobs,
                         const hm_copy_pair **out)
{
    return find_pairs(c, threshold, max_per_essay, jobs, true, out);
}

size_t hm_copy_find(hm_copy *c, double threshold, size_t max_per_essay, const hm_copy_pair **out)
{
    return find_pairs(c, threshold, max_per_essay, 1, false, out);
}

static bool passage_space(char ch)
{
    return ch == ' ' || ch == '\n' || ch == '\r' || ch == '\t';
}

/* text[start, end) with white space collapsed, cut with "..." on a
 * character boundary once max_bytes (0: no limit) are written. */
static char *passage_text(const char *text, size_t start, size_t end, size_t max_bytes)
{
    /* the output is never longer than the span, nor than the cut and a
     * character and "..." */
    size_t room = end - start;
    if (max_bytes && room > max_bytes + 8)
        room = max_bytes + 8;
    char *out = hm_xmalloc(room + 1), *o = out;
    bool space = false;
    for (size_t i = start; i < end; i++) {
        char ch = text[i];
        if (passage_space(ch)) {
            space = true;
            continue;
        }
        if (space)
            *o++ = ' ';
        space = false;
        /* Cut on a character boundary once past the limit. */
        if (max_bytes && (size_t)(o - out) >= max_bytes && ((unsigned char)ch & 0xC0) != 0x80) {
            memcpy(o, "...", 3);
            o += 3;
            break;
        }
        *o++ = ch;
    }
    *o = '\0';
    return out;
}

/* Where passage_text() from `start` has certainly cut: past the first byte
 * that starts a character after max_bytes bytes that are not white space
 * (the output is at least as long as they are), or len. */
static size_t passage_cut_bound(const char *text, size_t len, size_t start, size_t max_bytes)
{
    size_t kept = 0;
    for (size_t i = start; i < len; i++) {
        if (passage_space(text[i]))
            continue;
        if (kept >= max_bytes && ((unsigned char)text[i] & 0xC0) != 0x80)
            return i + 1;
        kept++;
    }
    return len;
}

/* hm_copy_passage() of text already decoded. */
static char *passage_of_decoded(const char *text, size_t len, size_t from, size_t n_words, size_t max_bytes)
{
    if (!n_words || from > SIZE_MAX - n_words)
        return NULL;
    /* only the words up to the passage's end */
    words w = {0};
    tokenise(text, len, &w, WORD_SPANS, from + n_words);
    char *out = w.n >= from + n_words ? passage_text(text, w.start[from], w.end[from + n_words - 1], max_bytes) : NULL;
    words_free(&w);
    return out;
}

char *hm_copy_passage(const char *bytes, size_t len, size_t from, size_t n_words, size_t max_bytes)
{
    hm_source src;
    if (!n_words || !hm_source_init(&src, bytes, len, "-", NULL))
        return NULL;
    char *out = passage_of_decoded(src.text, src.len, from, n_words, max_bytes);
    hm_source_free(&src);
    return out;
}

/* The mark a quote of word `from` tokenises from: the last at or before
 * it, a word's start, after which tokenising finds the same words as from
 * the text's start. */
static size_t mark_before(size_t from, size_t n_marks)
{
    return from / MARK_EVERY < n_marks ? from / MARK_EVERY : 0;
}

/* hm_copy_text_quote() of the text from mark k, which starts at word
 * k * MARK_EVERY. */
static char *quote_from_mark(const char *text, size_t len, size_t k, size_t from, size_t n_words, size_t max_bytes)
{
    from -= k * MARK_EVERY;
    if (!n_words || !max_bytes)
        return passage_of_decoded(text, len, from, n_words, max_bytes);
    /* The passage's first word, then its words only as far as the cut: a
     * shared paragraph is hundreds of words, the quote a few dozen. The
     * range is this text's own (its shingles were made from it), so the
     * words past the cut are there and need not be counted. */
    words w = {0};
    tokenise(text, len, &w, WORD_SPANS, from + 1);
    char *out = NULL;
    if (w.n > from) {
        size_t start = w.start[from], bound = passage_cut_bound(text, len, start, max_bytes);
        w.n = 0;
        tokenise(text + start, bound - start, &w, WORD_SPANS, n_words);
        if (w.n == n_words || bound < len)
            out = passage_text(text, start, w.n == n_words ? start + w.end[n_words - 1] : bound, max_bytes);
    }
    words_free(&w);
    return out;
}

char *hm_copy_text_quote(const hm_copy_text *quoted, const char *text, size_t len, size_t from, size_t n_words,
                         size_t max_bytes)
{
    size_t k = mark_before(from, quoted->n_marks);
    size_t at = quoted->n_marks ? (size_t)quoted->mark[k] : 0;
    if (at > len) /* the file changed since: from the start */
        at = k = 0;
    return quote_from_mark(text + at, len - at, k, from, n_words, max_bytes);
}

/* Puts t's shingles in its set and its filter (both made, empty). */
SET_INLINE void shingle_set_fill(hm_copy_text *t, bool narrow)
{
    for (size_t k = 0; k < t->n_shingles; k++) {
        size_t bit = (size_t)(t->shingle[k] >> 16) & t->filter_mask;
        t->filter[bit / 64] |= 1ull << (bit % 64);
        set_add(&t->shingle_set, k, narrow);
    }
}

/* The essay's shingles as a set: only the essay a passage is not quoted
 * from needs them so. */
static const hash_set *shingle_set(hm_copy_text *t)
{
    if (!t->shingle_set.slot) {
        set_init(&t->shingle_set, t->shingle, t->n_shingles);
        /* A bit filter of about 8 bits a shingle (2 KB for an essay): a
         * shingle the other essay lacks is nearly always told by one bit
         * of a table in L1, not by probing the set's 16 KB through its
         * shingles (the set's misses and mispredicts). */
        size_t bits = 64;
        while (bits < 8 * t->n_shingles)
            bits *= 2;
        t->filter = hm_xcalloc(bits / 64, sizeof *t->filter);
        t->filter_mask = bits - 1;
        if (t->shingle_set.narrow)
            shingle_set_fill(t, true);
        else
            shingle_set_fill(t, false);
    }
    return &t->shingle_set;
}

/* Whether h may be among t's shingles (shingle_set made): false is sure. */
static inline bool filter_may_have(const hm_copy_text *t, uint64_t h)
{
    size_t bit = (size_t)(h >> 16) & t->filter_mask;
    return (t->filter[bit / 64] >> (bit % 64)) & 1;
}

/* The longest stretch of quoted's shingles in other (its set made): its
 * length in shingles, from *at. */
SET_INLINE size_t longest_shared(const hm_copy_text *quoted, const hm_copy_text *other, size_t *at, bool narrow)
{
    /* The longest stretch of shared shingles, bridging a changed word (it
     * breaks the 8 shingles that hold it), so that a lightly edited copy
     * is one passage and outweighs a shared question line. */
    size_t best = 0, best_at = 0, start = 0, last = 0;
    bool in_stretch = false;
    for (size_t k = 0; k < quoted->n_shingles; k++) {
        uint64_t h = quoted->shingle[k];
        if (!filter_may_have(other, h) || !set_has(&other->shingle_set, h, narrow))
            continue;
        if (!in_stretch || k - last > HM_SHINGLE_WORDS + 1)
            start = k;
        in_stretch = true;
        last = k;
        if (last - start + 1 > best) {
            best = last - start + 1;
            best_at = start;
        }
    }
    *at = best_at;
    return best;
}

bool hm_copy_text_shared_run(const hm_copy_text *quoted, hm_copy_text *other, size_t *from, size_t *n_words)
{
    *from = *n_words = 0;
    if (!quoted || !other)
        return false;
    size_t best = shingle_set(other)->narrow ? longest_shared(quoted, other, from, true)
                                             : longest_shared(quoted, other, from, false);
    *n_words = best ? best + HM_SHINGLE_WORDS - 1 : 0;
    return best > 0;
}

char *hm_copy_shared_passage(const char *bytes, size_t len, const char *other, size_t other_len, size_t max_bytes,
                             size_t *from_out, size_t *words_out)
{
    hm_source src;
    if (!hm_source_init(&src, bytes, len, "-", NULL))
        return NULL;
    hm_copy_text *partner = copy_text_make(other, other_len);
    if (!partner) {
        hm_source_free(&src);
        return NULL;
    }
    hm_copy_text *quoted = copy_text_of_decoded(src.text, src.len);
    size_t from, n_words;
    hm_copy_text_shared_run(quoted, partner, &from, &n_words);
    char *out = hm_copy_text_quote(quoted, src.text, src.len, from, n_words, max_bytes);
    hm_copy_text_free(quoted);
    hm_copy_text_free(partner);
    hm_source_free(&src);
    if (from_out)
        *from_out = from;
    if (words_out)
        *words_out = out ? n_words : 0;
    return out;
}

/* ---- the copy pass's shingles, kept for the passages ---- */

/* Where an essay is in the shingle store, and its counts. */
typedef struct stored_essay {
    uint64_t first;      /* its first record in its lane, + 1; 0: not kept */
    uint32_t n_shingles, n_marks, text_len;
    bool text_is_bytes;
    uint8_t lane;
} stored_essay;

/* Room an essay in a store held in memory, at the start. */
#define STORE_ROOM (28 * 1024)
/* A store has a lane a thread putting (up to this many; more share them):
 * with one file, the puts of two threads took turns at its lock (and the
 * kernel's), and a copy pass on two cores read and shingled at 1.65 times
 * the speed of one. */
#define MAX_STORE_LANES 8

typedef struct store_lane {
    pthread_mutex_t lock;
    spill records;       /* each essay's shingles, marks and text, one write an
                          * essay (in eight-byte records, the last padded) */
} store_lane;

struct hm_shingle_store {
    store_lane lane[MAX_STORE_LANES];
    size_t n_lanes;
    stored_essay *essay; /* kept in memory, so that a read needs no counts first */
    size_t n;
};

hm_shingle_store *hm_shingle_store_new(size_t n_essays, size_t lanes)
{
    hm_shingle_store *st = hm_xcalloc(1, sizeof *st);
    st->n = n_essays;
    /* a store held in memory has one lane: a lane's buffer is sized for
     * the whole batch, and so small a batch's puts seldom meet */
    st->n_lanes = n_essays <= HOLD_ESSAYS || lanes < 1 ? 1 : lanes > MAX_STORE_LANES ? MAX_STORE_LANES : lanes;
    st->essay = hm_xcalloc(n_essays + 1, sizeof *st->essay);
    for (size_t k = 0; k < st->n_lanes; k++) {
        pthread_mutex_init(&st->lane[k].lock, NULL);
        /* A small batch keeps them in memory (about 17 KB an essay):
         * writing each essay to the file and reading its shingles and
         * quotes back cost more system time than the copy pass's own work.
         * Its buffer has room for all the essays of 2,000 words at the
         * start, so that it is not copied as it grows: a large block is
         * mapped, and pages never written are never taken. */
        if (n_essays <= HOLD_ESSAYS) {
            spill *r = &st->lane[k].records;
            r->hold = SIZE_MAX;
            r->buf_cap = n_essays * STORE_ROOM;
            r->buf = hm_xmalloc(r->buf_cap);
        }
    }
    return st;
}

static void *lane_free(void *records)
{
    spill_free(records);
    return NULL;
}

void hm_shingle_store_free(hm_shingle_store *st)
{
    if (!st)
        return;
    /* Emptying a file frees its pages from the page cache (some 150 MB
     * for 10,000 essays), work done on the thread that asks: the lanes'
     * files are emptied at once, a thread each, not one after another
     * after the batch's last essay. */
    pthread_t thread[MAX_STORE_LANES];
    bool started[MAX_STORE_LANES] = {false};
    for (size_t k = 1; k < st->n_lanes; k++)
        started[k] = st->lane[k].records.fd > 0 &&
                     pthread_create(&thread[k], NULL, lane_free, &st->lane[k].records) == 0;
    for (size_t k = 0; k < st->n_lanes; k++) {
        if (started[k])
            pthread_join(thread[k], NULL);
        else
            spill_free(&st->lane[k].records);
        pthread_mutex_destroy(&st->lane[k].lock);
    }
    free(st->essay);
    free(st);
}

void hm_shingle_store_put(hm_shingle_store *st, size_t lane, size_t i, const hm_copy_text *t)
{
    size_t text_len = t->text ? t->text_len : 0;
    /* an essay past 2^32 bytes or shingles is not kept (no passage is quoted) */
    if (i >= st->n || st->essay[i].first || t->n_shingles > UINT32_MAX || t->n_marks > UINT32_MAX ||
        text_len > UINT32_MAX)
        return;
    store_lane *l = &st->lane[lane % st->n_lanes];
    pthread_mutex_lock(&l->lock);
    st->essay[i] = (stored_essay){l->records.count + 1, (uint32_t)t->n_shingles, (uint32_t)t->n_marks,
                                  (uint32_t)text_len, t->text && t->text_is_bytes, (uint8_t)(l - st->lane)};
    /* the text is followed by at least one NUL, as a file read is */
    size_t numbers = t->n_shingles + t->n_marks, text_records = t->text ? text_len / 8 + 1 : 0;
    uint64_t *rec = spill_append(&l->records, numbers + text_records, sizeof *rec);
    memcpy(rec, t->shingle, numbers * sizeof *rec); /* the marks follow the shingles */
    if (text_records) {
        rec[numbers + text_records - 1] = 0; /* the padding */
        memcpy(rec + numbers, t->text, text_len);
    }
    /* Nothing is left buffered, so that reading needs no lock (a store held
     * in memory is read only once the puts are done). */
    spill_flush(&l->records);
    pthread_mutex_unlock(&l->lock);
}

/* Essay i's place and counts in the store, or NULL when not kept. */
static const stored_essay *stored(const hm_shingle_store *st, size_t i)
{
    return st && i < st->n && st->essay[i].first ? &st->essay[i] : NULL;
}

/* The records that hold essay e. */
static spill *records_of(hm_shingle_store *st, const stored_essay *e)
{
    return &st->lane[e->lane].records;
}

hm_copy_text *hm_copy_text_stored(hm_shingle_store *st, size_t i)
{
    const stored_essay *e = stored(st, i);
    if (!e)
        return NULL;
    size_t total = (size_t)e->n_shingles + e->n_marks;
    const void *held = spill_view(records_of(st, e), (e->first - 1) * sizeof(uint64_t), total * sizeof(uint64_t));
    if (held) { /* a store in memory: no copy */
        hm_copy_text *t = copy_text_of((uint64_t *)held, e->n_shingles, e->n_marks);
        t->borrowed = true;
        return t;
    }
    uint64_t *data = hm_xmalloc((total + 1) * sizeof *data);
    if (total && spill_read(records_of(st, e), e->first - 1, data, total, sizeof *data) != total) {
        free(data);
        return NULL;
    }
    return copy_text_of(data, e->n_shingles, e->n_marks);
}

const char *hm_shingle_store_bytes(hm_shingle_store *st, size_t i, size_t *len, char **owned)
{
    *owned = NULL;
    const stored_essay *e = stored(st, i);
    if (!e || !e->text_is_bytes)
        return NULL;
    uint64_t at = (e->first - 1 + e->n_shingles + e->n_marks) * sizeof(uint64_t);
    const char *held = spill_view(records_of(st, e), at, e->text_len + 1);
    if (!held) {
        /* one read from the store's file, not an open, a stat, a read and a
         * close of the essay's own (the NUL after the text comes too) */
        *owned = hm_xmalloc((size_t)e->text_len + 1);
        if (!spill_read_bytes(records_of(st, e), at, *owned, (size_t)e->text_len + 1)) {
            free(*owned);
            *owned = NULL;
            return NULL;
        }
        held = *owned;
    }
    *len = e->text_len;
    return held;
}

char *hm_shingle_store_quote(hm_shingle_store *st, size_t i, size_t from, size_t n_words, size_t max_bytes)
{
    const stored_essay *e = stored(st, i);
    if (!e || !e->text_len)
        return NULL;
    /* The marks from the passage's, then the text: one read. */
    size_t k = mark_before(from, e->n_marks), marks = e->n_marks - (e->n_marks ? k : 0);
    size_t bytes = marks * sizeof(uint64_t) + e->text_len;
    uint64_t at_byte = (e->first - 1 + e->n_shingles + e->n_marks - marks) * sizeof(uint64_t);
    char *copy = NULL; /* read from the file; a store in memory is read where it is */
    const char *data = spill_view(records_of(st, e), at_byte, bytes);
    if (!data) {
        copy = hm_xmalloc(bytes + 1);
        data = spill_read_bytes(records_of(st, e), at_byte, copy, bytes) ? copy : NULL;
    }
    char *out = NULL;
    if (data) {
        uint64_t at = 0;
        if (marks)
            memcpy(&at, data, sizeof at);
        if (at > e->text_len) /* the file changed since: from the start */
            at = k = 0;
        const char *text = data + marks * sizeof(uint64_t) + at;
        out = quote_from_mark(text, e->text_len - at, k, from, n_words, max_bytes);
    }
    free(copy);
    return out;
}
