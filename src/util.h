/* Small shared helpers: allocation that aborts on exhaustion (as cmark does,
 * so no other code needs an out-of-memory path), growable arrays, a string
 * buffer, a string set, and UTF-8 decoding. */
#ifndef HM_UTIL_H
#define HM_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "histmark.h"

void *hm_xmalloc(size_t n);
void *hm_xcalloc(size_t n, size_t size);
void *hm_xrealloc(void *p, size_t n);
char *hm_xstrdup(const char *s);
char *hm_xstrndup(const char *s, size_t n);

/* Grow an array `a` with count `n` and capacity `cap` to hold one more. */
#define HM_GROW(a, n, cap)                                                  \
    do {                                                                    \
        if ((n) >= (cap)) {                                                 \
            (cap) = (cap) ? (cap) * 2 : 8;                                  \
            (a) = hm_xrealloc((a), (cap) * sizeof(*(a)));                   \
        }                                                                   \
    } while (0)

typedef struct hm_buf {
    char *data;
    size_t len, cap;
} hm_buf;

/* Room for n more bytes and the NUL without growing: a buffer whose usual
 * size is known takes it in one allocation, not by doubling from 64. */
void hm_buf_reserve(hm_buf *b, size_t n);
void hm_buf_put(hm_buf *b, const char *s, size_t n);
void hm_buf_puts(hm_buf *b, const char *s);
void hm_buf_putc(hm_buf *b, char c);
/* v in decimal into out, as "%zu" prints it, without printf's cost and
 * without a NUL: returns the length, at most HM_SIZE_DIGITS. */
#define HM_SIZE_DIGITS 20
size_t hm_size_digits(char *out, size_t v);
/* v in decimal, as "%u" prints it, without printf's cost. */
void hm_buf_put_uint(hm_buf *b, unsigned v);
/* As printf; a format of only %s, %.*s, %d, %u, %zu and %% conversions
 * is written without vsnprintf, straight into b, so no argument may point
 * into b's own text. */
void hm_buf_printf(hm_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Hands over the NUL-terminated contents; the buffer is empty afterwards. */
char *hm_buf_take(hm_buf *b);
void hm_buf_free(hm_buf *b);

/* An open-addressing set of strings, compared exactly or ASCII-case-folded.
 * Each slot keeps its string's hash and length, so a probe compares two
 * integers before any bytes. */
typedef struct hm_strset_slot {
    char *str;               /* NULL: empty */
    size_t len;
    uint64_t hash;
} hm_strset_slot;

typedef struct hm_strset {
    hm_strset_slot *slots;
    size_t cap, count;
    bool fold;
    bool borrowed; /* slots point at the caller's strings: not copied, not freed */
} hm_strset;

void hm_strset_init(hm_strset *s, bool fold);
/* A set of strings that outlive it (a word list's own items, words in a
 * text): adding one keeps the pointer, and the set reads its len bytes and
 * no more (a NUL before them ends it, as in a set that copies). */
void hm_strset_init_borrowing(hm_strset *s, bool fold);
void hm_strset_add(hm_strset *s, const char *str, size_t len);
/* Room for n entries without growing (a list's size is known up front). */
void hm_strset_reserve(hm_strset *s, size_t n);
bool hm_strset_has(const hm_strset *s, const char *str, size_t len);
void hm_strset_free(hm_strset *s);

/* Decodes one UTF-8 code point at s[*i] (valid UTF-8 assumed), advancing *i. */
uint32_t hm_utf8_next(const char *s, size_t len, size_t *i);
/* Bytes of s[0, n) that are not UTF-8 continuation bytes (10xxxxxx): the
 * code points of valid UTF-8, counted sixteen bytes at a time (SSE2) or eight. */
size_t hm_utf8_count(const char *s, size_t n);
void hm_utf8_put(hm_buf *b, uint32_t cp);
/* Letters and digits, by a cheap test good enough for word boundaries. */
bool hm_is_word_cp(uint32_t cp);
bool hm_is_upper_cp(uint32_t cp);

void hm_error_set(hm_error *err, hm_error_code code, const char *file, int line,
                  int column, const char *rule, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

/* Reads a whole file; NULL and err filled on failure. Refuses more than
 * max_bytes (0: no limit) and anything that is not a regular file or FIFO. */
char *hm_read_file(const char *path, size_t max_bytes, size_t *len, hm_error *err);

/* Word-at-a-time byte scanning: eight bytes loaded without alignment, and
 * the masks that test all of them at once. */
#define HM_ONES 0x0101010101010101ull
#define HM_HIGHS 0x8080808080808080ull

/* FNV-1a, a byte at a time: HM_FNV_SEED, then hm_fnv_add for each byte.
 * The string sets, the word lists, the phrase index and the document's
 * words all hash this way, so that a word hashed once (hm_word.ascii_hash)
 * serves more than one table. */
#define HM_FNV_SEED 1469598103934665603ull
#define HM_FNV_PRIME 1099511628211ull
static inline uint64_t hm_fnv_add(uint64_t h, unsigned char c)
{
    return (h ^ c) * HM_FNV_PRIME;
}

/* Each byte with ASCII capitals made small, every other byte as it is. */
extern const unsigned char hm_ascii_fold[256];

/* The initializer of a table of 256 bytes whose entry for byte c is F(c),
 * a constant expression: HM_BYTE_TABLE(F). */
#define HM_BYTES4(F, c) F(c), F((c) + 1), F((c) + 2), F((c) + 3)
#define HM_BYTES16(F, c) HM_BYTES4(F, c), HM_BYTES4(F, (c) + 4), HM_BYTES4(F, (c) + 8), HM_BYTES4(F, (c) + 12)
#define HM_BYTES64(F, c) HM_BYTES16(F, c), HM_BYTES16(F, (c) + 16), HM_BYTES16(F, (c) + 32), HM_BYTES16(F, (c) + 48)
#define HM_BYTE_TABLE(F) {HM_BYTES64(F, 0), HM_BYTES64(F, 64), HM_BYTES64(F, 128), HM_BYTES64(F, 192)}

/* FNV-1a over n bytes, ASCII case folded when `fold`: the string set's and
 * the word lists' hash. */
static inline uint64_t hm_hash_bytes(const char *s, size_t n, bool fold)
{
    uint64_t h = HM_FNV_SEED;
    if (fold) {
        for (size_t i = 0; i < n; i++)
            h = hm_fnv_add(h, hm_ascii_fold[(unsigned char)s[i]]);
    } else {
        for (size_t i = 0; i < n; i++)
            h = hm_fnv_add(h, (unsigned char)s[i]);
    }
    return h;
}

static inline uint64_t hm_load8(const void *p)
{
    uint64_t x;
    memcpy(&x, p, sizeof x);
    return x;
}

/* The set bits of x, without a loop or a call: the build's baseline CPU
 * has no popcnt, and __builtin_popcount is then a call to libgcc. */
static inline unsigned hm_popcount32(uint32_t x)
{
    x -= x >> 1 & 0x55555555u;
    x = (x & 0x33333333u) + (x >> 2 & 0x33333333u);
    return ((x + (x >> 4)) & 0x0F0F0F0Fu) * 0x01010101u >> 24;
}

#endif
