/* Copy detection across a batch, by word shingles and an inverted index.
 *
 * Each essay becomes the 64-bit hashes of its 8-word shingles (lower-case
 * words, punctuation dropped), in text order; that is all that is kept, a
 * few bytes per word, never the text. To compare, every essay's distinct
 * shingles go into one array of (hash, essay) sorted by hash: equal hashes
 * are then adjacent, which is the inverted index, and only essays that share
 * a shingle are ever paired, so the work follows the overlap, not the square
 * of the class size. Shingles held by many essays (the question line, set
 * phrases) say nothing about copying and are skipped. */
#include <stdlib.h>
#include <string.h>

#include "source.h"

struct hm_shingles {
    uint64_t *seq;    /* shingle hashes in text order */
    size_t n;
};

typedef struct posting {
    uint64_t hash;
    size_t essay;
} posting;

struct hm_copy {
    size_t n;
    hm_shingles **s;
    posting *post;    /* built by hm_copy_find */
    size_t n_post;
    size_t max_df;
    hm_copy_pair *pairs;
    size_t n_pairs;
};

/* Fewer shared shingles than this is coincidence whatever the share: a
 * 12-word phrase in common. */
#define MIN_SHARED 5

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

hm_shingles *hm_shingles_make(const char *bytes, size_t len)
{
    hm_source src;
    if (!hm_source_init(&src, bytes, len, "-", NULL))
        return NULL;
    words w = {0};
    tokenise(src.text, src.len, &w, false);
    hm_source_free(&src);
    hm_shingles *s = hm_xcalloc(1, sizeof *s);
    if (w.n >= HM_SHINGLE_WORDS) {
        s->n = w.n - HM_SHINGLE_WORDS + 1;
        s->seq = hm_xmalloc(s->n * sizeof *s->seq);
        for (size_t i = 0; i < s->n; i++) {
            uint64_t h = 0;
            for (size_t k = 0; k < HM_SHINGLE_WORDS; k++)
                h = mix(h ^ w.hash[i + k]);
            s->seq[i] = h;
        }
    }
    words_free(&w);
    return s;
}

void hm_shingles_free(hm_shingles *s)
{
    if (!s)
        return;
    free(s->seq);
    free(s);
}

hm_copy *hm_copy_new(size_t n)
{
    hm_copy *c = hm_xcalloc(1, sizeof *c);
    c->n = n;
    c->s = hm_xcalloc(n, sizeof *c->s);
    return c;
}

void hm_copy_set(hm_copy *c, size_t i, hm_shingles *s)
{
    if (i >= c->n) {
        hm_shingles_free(s);
        return;
    }
    hm_shingles_free(c->s[i]);
    c->s[i] = s;
}

void hm_copy_free(hm_copy *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++)
        hm_shingles_free(c->s[i]);
    free(c->s);
    free(c->post);
    free(c->pairs);
    free(c);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Sorts by hash, keeping essay order among equal hashes: a stable LSD
 * radix sort, a byte at a time. The postings arrive in essay order, so the
 * result is ordered by (hash, essay); several times faster than qsort on
 * the million postings of a thousand essays. */
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

/* The postings [*lo, *hi) of a shingle; false when it is common (or, which
 * cannot happen for an indexed essay, absent). */
static bool group_of(const hm_copy *c, uint64_t hash, size_t *lo_out, size_t *hi_out)
{
    size_t lo = 0, hi = c->n_post;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->post[mid].hash < hash)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t end = lo;
    while (end < c->n_post && c->post[end].hash == hash && end - lo <= c->max_df)
        end++;
    *lo_out = lo;
    *hi_out = end;
    return end > lo && end - lo <= c->max_df;
}

/* Is `other` among the postings [lo, hi), sorted by essay? */
static bool in_group(const hm_copy *c, size_t lo, size_t hi, size_t other)
{
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->post[mid].essay < other)
            lo = mid + 1;
        else if (c->post[mid].essay > other)
            hi = mid;
        else
            return true;
    }
    return false;
}

static int by_from_essay(const void *x, const void *y)
{
    const hm_copy_pair *a = *(const hm_copy_pair *const *)x, *b = *(const hm_copy_pair *const *)y;
    return a->from_essay < b->from_essay ? -1 : a->from_essay > b->from_essay;
}

size_t hm_copy_find(hm_copy *c, double threshold, size_t max_per_essay, const hm_copy_pair **out)
{
    free(c->post);
    free(c->pairs);
    c->post = NULL;
    c->pairs = NULL;
    c->n_post = c->n_pairs = 0;
    c->max_df = c->n / 20 > 5 ? c->n / 20 : 5;

    /* Each essay's distinct shingles, as postings. */
    size_t *distinct = hm_xcalloc(c->n + 1, sizeof *distinct);
    size_t total = 0;
    for (size_t i = 0; i < c->n; i++)
        total += c->s[i] ? c->s[i]->n : 0;
    c->post = hm_xmalloc((total + 1) * sizeof *c->post);
    uint64_t *tmp = NULL;
    size_t tmp_cap = 0;
    for (size_t i = 0; i < c->n; i++) {
        const hm_shingles *s = c->s[i];
        if (!s || !s->n)
            continue;
        if (s->n > tmp_cap) {
            tmp_cap = s->n;
            tmp = hm_xrealloc(tmp, tmp_cap * sizeof *tmp);
        }
        memcpy(tmp, s->seq, s->n * sizeof *tmp);
        qsort(tmp, s->n, sizeof *tmp, cmp_u64);
        for (size_t k = 0; k < s->n; k++)
            if (k == 0 || tmp[k] != tmp[k - 1]) {
                c->post[c->n_post++] = (posting){tmp[k], i};
                distinct[i]++;
            }
    }
    free(tmp);
    sort_postings(c->post, c->n_post);

    /* Count shared shingles essay by essay: for essay a, every posting of
     * a in a group that is not too common, then the essays after a in that
     * group. The counts live in one array indexed by essay, small enough to
     * stay in cache, and are cleared through the list of those touched. */
    size_t *first = hm_xcalloc(c->n + 2, sizeof *first);   /* CSR: essay -> its postings */
    for (size_t lo = 0, hi; lo < c->n_post; lo = hi) {
        for (hi = lo + 1; hi < c->n_post && c->post[hi].hash == c->post[lo].hash;)
            hi++;
        if (hi - lo >= 2 && hi - lo <= c->max_df)
            for (size_t x = lo; x < hi; x++)
                first[c->post[x].essay + 1]++;
    }
    for (size_t i = 0; i < c->n; i++)
        first[i + 1] += first[i];
    size_t *at = hm_xmalloc((first[c->n] + 1) * sizeof *at), *fill = hm_xcalloc(c->n + 1, sizeof *fill);
    for (size_t lo = 0, hi; lo < c->n_post; lo = hi) {
        for (hi = lo + 1; hi < c->n_post && c->post[hi].hash == c->post[lo].hash;)
            hi++;
        if (hi - lo >= 2 && hi - lo <= c->max_df)
            for (size_t x = lo; x < hi; x++) {
                size_t e = c->post[x].essay;
                at[first[e] + fill[e]++] = x;
            }
    }
    free(fill);
    uint32_t *count = hm_xcalloc(c->n + 1, sizeof *count);
    size_t *touched = hm_xmalloc((c->n + 1) * sizeof *touched), cap = 0;
    for (size_t a = 0; a < c->n; a++) {
        size_t n_touched = 0;
        for (size_t k = first[a]; k < first[a + 1]; k++) {
            size_t x = at[k];
            /* postings are sorted by (hash, essay): later ones are b > a */
            for (size_t y = x + 1; y < c->n_post && c->post[y].hash == c->post[x].hash; y++)
                if (count[c->post[y].essay]++ == 0)
                    touched[n_touched++] = c->post[y].essay;
        }
        for (size_t t = 0; t < n_touched; t++) {
            size_t b = touched[t];
            size_t shared = count[b];
            count[b] = 0;
            if (shared < MIN_SHARED)
                continue;
            size_t small = distinct[a] <= distinct[b] ? a : b;
            double share = (double)shared / (double)distinct[small];
            if (share + 1e-12 < threshold)
                continue;
            HM_GROW(c->pairs, c->n_pairs, cap);
            c->pairs[c->n_pairs++] = (hm_copy_pair){a, b, share, shared, 0, 0, small};
        }
    }
    free(count);
    free(touched);
    free(at);
    free(first);
    free(distinct);
    if (c->n_pairs)
        qsort(c->pairs, c->n_pairs, sizeof *c->pairs, cmp_pair);

    /* Best first, so each essay's first max_per_essay pairs are its best. */
    if (max_per_essay) {
        size_t *kept = hm_xcalloc(c->n + 1, sizeof *kept), n = 0;
        for (size_t p = 0; p < c->n_pairs; p++) {
            hm_copy_pair pr = c->pairs[p];
            if (kept[pr.a] >= max_per_essay && kept[pr.b] >= max_per_essay)
                continue;
            kept[pr.a]++;
            kept[pr.b]++;
            c->pairs[n++] = pr;
        }
        c->n_pairs = n;
        free(kept);
    }

    /* The longest run of consecutive shared shingles in the smaller essay:
     * the passage to show. Pairs are taken essay by essay so that each
     * shingle's postings are looked up once per essay, not once per pair. */
    hm_copy_pair **by_essay = hm_xmalloc((c->n_pairs + 1) * sizeof *by_essay);
    for (size_t p = 0; p < c->n_pairs; p++)
        by_essay[p] = &c->pairs[p];
    if (c->n_pairs)
        qsort(by_essay, c->n_pairs, sizeof *by_essay, by_from_essay);
    size_t *glo = NULL, *ghi = NULL, g_cap = 0;
    for (size_t p = 0; p < c->n_pairs; p++) {
        hm_copy_pair *pr = by_essay[p];
        const hm_shingles *s = c->s[pr->from_essay];
        if (p == 0 || by_essay[p - 1]->from_essay != pr->from_essay) {
            if (s->n > g_cap) {
                g_cap = s->n;
                glo = hm_xrealloc(glo, g_cap * sizeof *glo);
                ghi = hm_xrealloc(ghi, g_cap * sizeof *ghi);
            }
            for (size_t k = 0; k < s->n; k++)
                if (!group_of(c, s->seq[k], &glo[k], &ghi[k]))
                    ghi[k] = glo[k]; /* common: never shared */
        }
        size_t other = pr->from_essay == pr->a ? pr->b : pr->a;
        size_t best = 0, best_at = 0, run = 0;
        for (size_t k = 0; k < s->n; k++) {
            run = ghi[k] > glo[k] && in_group(c, glo[k], ghi[k], other) ? run + 1 : 0;
            if (run > best) {
                best = run;
                best_at = k + 1 - run;
            }
        }
        pr->from = best_at;
        pr->words = best ? best + HM_SHINGLE_WORDS - 1 : 0;
    }
    free(glo);
    free(ghi);
    free(by_essay);
    *out = c->pairs;
    return c->n_pairs;
}

char *hm_copy_passage(const char *bytes, size_t len, size_t from, size_t n_words, size_t max_bytes)
{
    hm_source src;
    if (!n_words || !hm_source_init(&src, bytes, len, "-", NULL))
        return NULL;
    words w = {0};
    tokenise(src.text, src.len, &w, true);
    char *out = NULL;
    if (from + n_words <= w.n) {
        size_t start = w.start[from], end = w.end[from + n_words - 1];
        hm_buf b = {0};
        bool space = false;
        for (size_t i = start; i < end; i++) {
            char ch = src.text[i];
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
        out = hm_buf_take(&b);
    }
    words_free(&w);
    hm_source_free(&src);
    return out;
}
