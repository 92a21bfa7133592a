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
 * also keeps pair counting linear in the postings. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
 * is a common source, not a copy between two of them. */
#define MAX_HOLDERS 50
/* Postings and pairs are split into this many files... */
#define PARTS 32
/* ...and read back about CHUNK / 2 records at a time (128 KB of postings),
 * so that an uneven slice still fits in CHUNK. */
#define CHUNK 16384

struct hm_shingles {
    uint64_t *hash;   /* the sample: distinct, ascending */
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

typedef struct essay_size {
    uint32_t total, sampled;
    uint64_t top;     /* 0: not given */
} essay_size;

/* Records of one size in an unlinked temporary file or, when none can be
 * made, in memory. */
typedef struct spill {
    FILE *f;
    char *mem;
    size_t count, mem_cap;
    bool appending;
} spill;

struct hm_copy {
    size_t n;
    essay_size *size;
    spill post[PARTS];  /* postings by the hash's top bits */
    hm_copy_pair *pairs;
    size_t n_pairs;
};

static FILE *temp_file(void)
{
    int fd = hm_temp_fd();
    FILE *f = fd >= 0 ? fdopen(fd, "w+b") : NULL;
    if (!f && fd >= 0)
        close(fd);
    return f;
}

static void spill_add(spill *s, const void *rec, size_t size)
{
    if (!s->f && !s->mem && !s->count)
        s->f = temp_file();
    if (s->f) {
        if (!s->appending) {
            fseek(s->f, 0, SEEK_END);
            s->appending = true;
        }
        if (fwrite(rec, size, 1, s->f) == 1) {
            s->count++;
            return;
        }
        /* a full disk: carry on in memory with what was written */
        char *old = hm_xmalloc(s->count * size + 1);
        size_t got = 0;
        if (fseek(s->f, 0, SEEK_SET) == 0)
            got = fread(old, size, s->count, s->f);
        fclose(s->f);
        s->f = NULL;
        s->mem = old;
        s->mem_cap = s->count = got;
    }
    if (s->count >= s->mem_cap) {
        s->mem_cap = s->mem_cap ? s->mem_cap * 2 : 1024;
        s->mem = hm_xrealloc(s->mem, s->mem_cap * size);
    }
    memcpy(s->mem + s->count * size, rec, size);
    s->count++;
}

/* Up to max records from record `at` into out; how many. */
static size_t spill_read(spill *s, size_t at, void *out, size_t max, size_t size)
{
    if (at >= s->count)
        return 0;
    if (max > s->count - at)
        max = s->count - at;
    if (!s->f) {
        memcpy(out, s->mem + at * size, max * size);
        return max;
    }
    s->appending = false;
    if (fseek(s->f, (long)(at * size), SEEK_SET) != 0)
        return 0;
    return fread(out, size, max, s->f);
}

static void spill_free(spill *s)
{
    if (s->f)
        fclose(s->f);
    free(s->mem);
    memset(s, 0, sizeof *s);
}

static uint64_t mix(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 27;
    x *= 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

/* Lower case for the scripts essays use; enough to make "The" and "the",
 * "ÉMIGRÉS" and "émigrés" one word. */
static uint32_t fold(uint32_t cp)
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

typedef struct words {
    uint64_t *hash;
    size_t *start, *end;  /* byte spans, when wanted */
    size_t n, cap;
} words;

static void tokenise(const char *text, size_t len, words *w, bool spans)
{
    size_t i = 0;
    while (i < len) {
        size_t at = i;
        uint32_t cp = hm_utf8_next(text, len, &i);
        if (!hm_is_word_cp(cp))
            continue;
        uint64_t h = 1469598103934665603ull;
        size_t end = i;
        for (;;) {
            h = (h ^ fold(cp)) * 1099511628211ull;
            end = i;
            if (i >= len)
                break;
            size_t next = i;
            cp = hm_utf8_next(text, len, &next);
            if (!hm_is_word_cp(cp))
                break;
            i = next;
        }
        if (w->n >= w->cap) {
            w->cap = w->cap ? w->cap * 2 : 256;
            w->hash = hm_xrealloc(w->hash, w->cap * sizeof *w->hash);
            if (spans) {
                w->start = hm_xrealloc(w->start, w->cap * sizeof *w->start);
                w->end = hm_xrealloc(w->end, w->cap * sizeof *w->end);
            }
        }
        w->hash[w->n] = h;
        if (spans) {
            w->start[w->n] = at;
            w->end[w->n] = end;
        }
        w->n++;
    }
}

static void words_free(words *w)
{
    free(w->hash);
    free(w->start);
    free(w->end);
}

/* The hash of each 8-word shingle, in text order; n - 7 of them. */
static uint64_t *shingle_seq(const words *w, size_t *n)
{
    *n = w->n >= HM_SHINGLE_WORDS ? w->n - HM_SHINGLE_WORDS + 1 : 0;
    uint64_t *seq = hm_xmalloc((*n + 1) * sizeof *seq);
    for (size_t i = 0; i < *n; i++) {
        uint64_t h = 0;
        for (size_t k = 0; k < HM_SHINGLE_WORDS; k++)
            h = mix(h ^ w->hash[i + k]);
        seq[i] = h;
    }
    return seq;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
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

/* Sorts and drops repeats; the new count. */
static size_t sort_distinct(uint64_t *h, size_t n)
{
    if (n < 2)
        return n;
    radix_sort_u64(h, n, 64);
    size_t m = 1;
    for (size_t i = 1; i < n; i++)
        if (h[i] != h[m - 1])
            h[m++] = h[i];
    return m;
}

static bool sampled(uint64_t hash)
{
    return (hash & (SAMPLE_EVERY - 1)) == 0;
}

hm_shingles *hm_shingles_make(const char *bytes, size_t len)
{
    hm_source src;
    if (!hm_source_init(&src, bytes, len, "-", NULL))
        return NULL;
    words w = {0};
    tokenise(src.text, src.len, &w, false);
    hm_source_free(&src);
    size_t n;
    uint64_t *seq = shingle_seq(&w, &n);
    words_free(&w);
    n = sort_distinct(seq, n);
    hm_shingles *s = hm_xcalloc(1, sizeof *s);
    s->total = n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
    s->top = UINT64_MAX;
    size_t kept = 0;
    for (size_t i = 0; i < n && kept < MAX_SAMPLES; i++)
        if (sampled(seq[i]))
            seq[kept++] = seq[i]; /* ascending, so a cap keeps the smallest */
    if (kept == MAX_SAMPLES)
        s->top = seq[kept - 1];
    s->n = (uint32_t)kept;
    s->hash = hm_xrealloc(seq, (kept + 1) * sizeof *seq);
    return s;
}

void hm_shingles_free(hm_shingles *s)
{
    if (!s)
        return;
    free(s->hash);
    free(s);
}

hm_copy *hm_copy_new(size_t n)
{
    hm_copy *c = hm_xcalloc(1, sizeof *c);
    c->n = n;
    c->size = hm_xcalloc(n + 1, sizeof *c->size);
    return c;
}

static unsigned part_of_hash(uint64_t hash)
{
    return (unsigned)(hash >> 59); /* PARTS = 32: the top five bits */
}

void hm_copy_set(hm_copy *c, size_t i, hm_shingles *s)
{
    if (i < c->n && s && !c->size[i].top && i <= UINT32_MAX) {
        c->size[i] = (essay_size){s->total, s->n, s->top};
        for (uint32_t k = 0; k < s->n; k++) {
            posting p = {s->hash[k], (uint32_t)i, 0};
            spill_add(&c->post[part_of_hash(p.hash)], &p, sizeof p);
        }
    }
    hm_shingles_free(s);
}

void hm_copy_free(hm_copy *c)
{
    if (!c)
        return;
    for (int k = 0; k < PARTS; k++)
        spill_free(&c->post[k]);
    free(c->size);
    free(c->pairs);
    free(c);
}

/* Postings by hash (equal hashes together is all that is needed). */
static void sort_postings(posting *p, size_t n)
{
    if (n < 2)
        return;
    posting *tmp = hm_xmalloc(n * sizeof *tmp), *from = p, *to = tmp;
    for (unsigned shift = 0; shift < 64; shift += 8) {
        size_t count[257] = {0};
        for (size_t i = 0; i < n; i++)
            count[((from[i].hash >> shift) & 0xFF) + 1]++;
        for (int k = 0; k < 256; k++)
            count[k + 1] += count[k];
        for (size_t i = 0; i < n; i++)
            to[count[(from[i].hash >> shift) & 0xFF]++] = from[i];
        posting *t = from;
        from = to;
        to = t;
    }
    /* eight passes: the sorted data is back in p */
    free(tmp);
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
    uint64_t cut = c->size[a].top < c->size[b].top ? c->size[a].top : c->size[b].top;
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
    uint32_t *other, *shared;
} best_list;

static bool better(double share, uint32_t other, double than_share, uint32_t than_other)
{
    return share > than_share || (share == than_share && other < than_other);
}

static void best_offer(const hm_copy *c, best_list *bl, uint32_t self, uint32_t other, uint32_t shared)
{
    uint32_t *o = bl->other + (size_t)self * bl->k, *sh = bl->shared + (size_t)self * bl->k;
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
    sh[at] = shared;
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

/* Pairs the essays of each group of equal hashes in one piece of
 * postings, into the pair files by first essay. */
static void pair_postings(hm_copy *c, posting *p, size_t n, size_t max_holders, spill *pairs)
{
    sort_postings(p, n);
    for (size_t lo = 0, hi; lo < n; lo = hi) {
        for (hi = lo + 1; hi < n && p[hi].hash == p[lo].hash;)
            hi++;
        if (hi - lo < 2 || hi - lo > max_holders)
            continue;
        for (size_t x = lo; x < hi; x++)
            for (size_t y = x + 1; y < hi; y++) {
                uint64_t a = p[x].essay < p[y].essay ? p[x].essay : p[y].essay;
                uint64_t b = p[x].essay < p[y].essay ? p[y].essay : p[x].essay;
                essay_pair ep = a << 32 | b;
                spill_add(&pairs[a * PARTS / c->n], &ep, sizeof ep);
            }
    }
}

size_t hm_copy_find(hm_copy *c, double threshold, size_t max_per_essay, const hm_copy_pair **out)
{
    free(c->pairs);
    c->pairs = NULL;
    c->n_pairs = 0;
    size_t max_holders = c->n / 20 < MAX_HOLDERS ? c->n / 20 : MAX_HOLDERS;
    if (max_holders < 5)
        max_holders = 5;

    /* Postings, a piece at a time: part by part, and a part too large for
     * one piece in slices of the next bits of the hash. */
    spill pairs[PARTS] = {{0}};
    posting *piece = hm_xmalloc(CHUNK * sizeof *piece), *buf = hm_xmalloc(1024 * sizeof *buf);
    size_t piece_cap = CHUNK;
    for (int part = 0; part < PARTS; part++) {
        spill *s = &c->post[part];
        size_t slices = (2 * s->count + CHUNK - 1) / CHUNK;
        for (size_t slice = 0; slice < slices; slice++) {
            size_t n = 0, got;
            for (size_t at = 0; (got = spill_read(s, at, buf, 1024, sizeof *buf)) > 0; at += got)
                for (size_t k = 0; k < got; k++) {
                    uint64_t next_bits = (buf[k].hash << 5) >> 32;
                    if (slices > 1 && (next_bits * slices) >> 32 != slice)
                        continue;
                    if (n == piece_cap) {
                        piece_cap *= 2;
                        piece = hm_xrealloc(piece, piece_cap * sizeof *piece);
                    }
                    piece[n++] = buf[k];
                }
            pair_postings(c, piece, n, max_holders, pairs);
        }
    }
    free(piece);
    free(buf);

    /* Shared samples of each pair: the pair files, a piece at a time
     * (slices by first essay), sorted, and counted in runs. */
    best_list bl = {max_per_essay, NULL, NULL};
    if (bl.k) {
        bl.other = hm_xcalloc(c->n * bl.k + 1, sizeof *bl.other);
        bl.shared = hm_xcalloc(c->n * bl.k + 1, sizeof *bl.shared);
    }
    unsigned essay_bits = 1;
    while (essay_bits < 32 && (c->n >> essay_bits))
        essay_bits++;
    size_t cap = 0, ep_cap = CHUNK;
    essay_pair *ep = hm_xmalloc(ep_cap * sizeof *ep), *ebuf = hm_xmalloc(1024 * sizeof *ebuf);
    for (int part = 0; part < PARTS; part++) {
        spill *s = &pairs[part];
        size_t slices = (2 * s->count + CHUNK - 1) / CHUNK;
        size_t first = (part * c->n + PARTS - 1) / PARTS, end = ((part + 1) * c->n + PARTS - 1) / PARTS;
        for (size_t slice = 0; slice < slices; slice++) {
            size_t n = 0, got;
            for (size_t at = 0; (got = spill_read(s, at, ebuf, 1024, sizeof *ebuf)) > 0; at += got)
                for (size_t k = 0; k < got; k++) {
                    if (slices > 1 && ((ebuf[k] >> 32) - first) * slices / (end - first) != slice)
                        continue;
                    if (n == ep_cap) {
                        ep_cap *= 2;
                        ep = hm_xrealloc(ep, ep_cap * sizeof *ep);
                    }
                    ep[n++] = ebuf[k];
                }
            /* b in the low bits, a from bit 32: sort on the bits in use */
            for (size_t k = 0; k < n; k++)
                ep[k] = (ep[k] >> 32) << essay_bits | (ep[k] & 0xFFFFFFFFu);
            radix_sort_u64(ep, n, (2 * essay_bits + 7) / 8 * 8);
            for (size_t lo = 0, hi; lo < n; lo = hi) {
                for (hi = lo + 1; hi < n && ep[hi] == ep[lo];)
                    hi++;
                uint32_t a = (uint32_t)(ep[lo] >> essay_bits), b = (uint32_t)(ep[lo] & ((1ull << essay_bits) - 1));
                uint32_t shared = (uint32_t)(hi - lo);
                if (shared < MIN_SHARED || pair_share(c, a, b, shared) + 1e-12 < threshold)
                    continue;
                if (bl.k) {
                    best_offer(c, &bl, a, b, shared);
                    best_offer(c, &bl, b, a, shared);
                } else {
                    add_pair(c, &cap, a, b, shared);
                }
            }
        }
        spill_free(s);
    }
    free(ep);
    free(ebuf);

    /* With a limit, the pairs among the best of either essay, each once. */
    for (size_t e = 0; bl.k && e < c->n; e++)
        for (size_t i = 0; i < bl.k; i++) {
            uint32_t o1 = bl.other[e * bl.k + i];
            if (!o1)
                break;
            uint32_t self = (uint32_t)e, other = o1 - 1;
            if (self < other)
                add_pair(c, &cap, self, other, bl.shared[e * bl.k + i]);
            else if (!best_has(&bl, other, self))
                add_pair(c, &cap, other, self, bl.shared[e * bl.k + i]);
        }
    free(bl.other);
    free(bl.shared);
    if (c->n_pairs)
        qsort(c->pairs, c->n_pairs, sizeof *c->pairs, cmp_pair);
    *out = c->pairs;
    return c->n_pairs;
}

/* The text of words [from, from + n_words) of a tokenised source. */
static char *passage_text(const hm_source *src, const words *w, size_t from, size_t n_words, size_t max_bytes)
{
    if (!n_words || from + n_words > w->n)
        return NULL;
    size_t start = w->start[from], end = w->end[from + n_words - 1];
    hm_buf b = {0};
    bool space = false;
    for (size_t i = start; i < end; i++) {
        char ch = src->text[i];
        if (ch == ' ' || ch == '\n' || ch == '\r' || ch == '\t') {
            space = true;
            continue;
        }
        if (space)
            hm_buf_putc(&b, ' ');
        space = false;
        /* Cut on a character boundary once past the limit. */
        if (max_bytes && b.len >= max_bytes && ((unsigned char)ch & 0xC0) != 0x80) {
            hm_buf_puts(&b, "...");
            break;
        }
        hm_buf_putc(&b, ch);
    }
    return hm_buf_take(&b);
}

char *hm_copy_passage(const char *bytes, size_t len, size_t from, size_t n_words, size_t max_bytes)
{
    hm_source src;
    if (!n_words || !hm_source_init(&src, bytes, len, "-", NULL))
        return NULL;
    words w = {0};
    tokenise(src.text, src.len, &w, true);
    char *out = passage_text(&src, &w, from, n_words, max_bytes);
    words_free(&w);
    hm_source_free(&src);
    return out;
}

char *hm_copy_shared_passage(const char *bytes, size_t len, const char *other, size_t other_len, size_t max_bytes,
                             size_t *from_out, size_t *words_out)
{
    hm_source src, osrc;
    if (!hm_source_init(&src, bytes, len, "-", NULL))
        return NULL;
    if (!hm_source_init(&osrc, other, other_len, "-", NULL)) {
        hm_source_free(&src);
        return NULL;
    }
    words w = {0}, ow = {0};
    tokenise(src.text, src.len, &w, true);
    tokenise(osrc.text, osrc.len, &ow, false);
    hm_source_free(&osrc);
    size_t n, on;
    uint64_t *seq = shingle_seq(&w, &n), *oseq = shingle_seq(&ow, &on);
    words_free(&ow);
    on = sort_distinct(oseq, on);
    /* The longest stretch of shared shingles, bridging a changed word (it
     * breaks the 8 shingles that hold it), so that a lightly edited copy
     * is one passage and outweighs a shared question line. */
    size_t best = 0, best_at = 0, start = 0, last = 0;
    bool in_stretch = false;
    for (size_t k = 0; k < n; k++) {
        if (!bsearch(&seq[k], oseq, on, sizeof *oseq, cmp_u64))
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
    free(seq);
    free(oseq);
    size_t n_words = best ? best + HM_SHINGLE_WORDS - 1 : 0;
    char *out = passage_text(&src, &w, best_at, n_words, max_bytes);
    words_free(&w);
    hm_source_free(&src);
    if (from_out)
        *from_out = best_at;
    if (words_out)
        *words_out = out ? n_words : 0;
    return out;
}
