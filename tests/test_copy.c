/* The copy check's words and shingles: the one-pass scan (64 bytes at a
 * time, AVX2 shingles where the CPU has them) against the plain way, a
 * code point at a time and a shingle at a time, by the same definitions
 * (hm_copy_fold, hm_shingle_mix). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "copy.h"
#include "source.h"
#include "util.h"

/* The shingles of decoded text, a code point at a time; how many. */
static size_t plain_shingles(const char *text, size_t len, uint64_t *out, size_t max)
{
    uint64_t word[4096];
    size_t n = 0, i = 0;
    while (i < len && n < 4096) {
        size_t next = i;
        if (!hm_is_word_cp(hm_utf8_next(text, len, &next))) {
            i = next;
            continue;
        }
        uint64_t h = HM_FNV_SEED;
        for (;;) {
            next = i;
            uint32_t cp = i < len ? hm_utf8_next(text, len, &next) : 0;
            if (i >= len || !hm_is_word_cp(cp))
                break;
            h = (h ^ hm_copy_fold(cp)) * HM_FNV_PRIME;
            i = next;
        }
        word[n++] = h;
    }
    size_t shingles = 0;
    for (size_t s = 0; s + HM_SHINGLE_WORDS <= n && shingles < max; s++) {
        uint64_t h = 0;
        for (size_t k = 0; k < HM_SHINGLE_WORDS; k++)
            h = hm_shingle_mix(h ^ word[s + k]);
        out[shingles++] = h;
    }
    return shingles;
}

static void check_text(const char *bytes, size_t len)
{
    hm_source src;
    if (!hm_source_init(&src, bytes, len, "t", NULL)) { /* not text (a control byte): no copy text either */
        hm_copy_text *none = NULL;
        assert_null(hm_shingles_make_text(bytes, len, &none));
        return;
    }
    static uint64_t expect[4096];
    size_t n_expect = plain_shingles(src.text, src.len, expect, 4096);
    hm_copy_text *t = NULL;
    hm_shingles_free(hm_shingles_make_text(bytes, len, &t));
    assert_non_null(t);
    size_t n = 0;
    const uint64_t *got = hm_copy_text_shingles(t, &n);
    if (getenv("TEST_COPY_DEBUG") && n != n_expect)
        fprintf(stderr, "len %zu got %zu want %zu\n[%.*s]\n", src.len, n, n_expect, (int)src.len, src.text);
    assert_int_equal(n, n_expect);
    if (n)
        assert_memory_equal(got, expect, n * sizeof *got);
    hm_copy_text_free(t);
    hm_source_free(&src);
}

/* Random texts of ASCII (every printable byte, tabs, line ends), letters
 * and marks beyond it, and words longer than the scan's 64-byte blocks, so
 * that words start, end and break at every place in a block. */
static void scan_gives_the_plain_shingles(void **state)
{
    (void)state;
    static const char *const piece[] = {
        "the", "War", "1914", "x", "E", "q7", " ", " ", " ", "\n", "\t", ".", ",", "'", "-",
        "\xC3\xA9", "\xC3\x89MIGR\xC3\x89S", "\xC3\x97", "\xE2\x80\x94", "\xD0\x96", "\xCE\xA9",
        ("\xC5\x81" "odz"), "\xE3\x80\x81", "\xEF\xBF\xBD",
        "Constitutionalmonarchyandtheparliamentaryreformsofeighteenthirtytwo",
    };
    size_t n_pieces = sizeof piece / sizeof *piece;
    srand(7);
    hm_buf b = {0};
    for (int round = 0; round < 300; round++) {
        b.len = 0;
        size_t target = (size_t)(rand() % 1500);
        while (b.len < target) {
            if (rand() % 8 == 0) {
                char c = (char)(0x20 + rand() % 95);
                hm_buf_put(&b, &c, 1);
            } else {
                hm_buf_puts(&b, piece[(size_t)rand() % n_pieces]);
            }
        }
        check_text(b.data ? b.data : "", b.len);
    }
    hm_buf_free(&b);
}

/* Each ASCII byte between words, and as a word's only character. */
static void every_ascii_byte_is_classed_as_hm_is_word_cp(void **state)
{
    (void)state;
    hm_buf b = {0};
    for (int c = 1; c < 0x80; c++) {
        char ch = (char)c;
        for (int k = 0; k < 9; k++) {
            hm_buf_puts(&b, "ab ");
            hm_buf_put(&b, &ch, 1);
            hm_buf_puts(&b, " cd");
            hm_buf_put(&b, &ch, 1);
        }
        check_text(b.data, b.len);
        b.len = 0;
    }
    hm_buf_free(&b);
}

/* The longest shared stretch, from the list of the shared shingles'
 * places: a stretch breaks where two places are more than 9 apart (the 8
 * shingles a changed word breaks are bridged). The first longest wins. */
static void plain_shared_run(const uint64_t *q, size_t nq, const uint64_t *o, size_t no, size_t *from, size_t *n_words)
{
    static size_t place[8192];
    size_t m = 0;
    for (size_t k = 0; k < nq && m < 8192; k++)
        for (size_t j = 0; j < no; j++)
            if (o[j] == q[k]) {
                place[m++] = k;
                break;
            }
    size_t best = 0, best_at = 0;
    for (size_t first = 0, j = 0; j < m; j++) {
        first = j > 0 && place[j] - place[j - 1] <= HM_SHINGLE_WORDS + 1 ? first : place[j];
        if (place[j] + 1 - first > best)
            best = place[j] + 1 - first, best_at = first;
    }
    *from = best_at;
    *n_words = best ? best + HM_SHINGLE_WORDS - 1 : 0;
}

static void random_words(hm_buf *b, size_t n)
{
    static const char *const word[] = {"the", "treaty", "of", "Versailles", "was", "harsh", "Germany", "lost",
                                       "land", "and", "paid", "reparations", "army", "limited", "to", "men"};
    for (size_t i = 0; i < n; i++) {
        hm_buf_puts(b, word[(size_t)rand() % (sizeof word / sizeof *word)]);
        hm_buf_puts(b, rand() % 9 ? " " : ". ");
    }
}

/* Pairs of essays sharing a passage, some lightly edited, some sharing
 * nothing: the run found is the plain one. */
static void shared_run_is_the_plain_one(void **state)
{
    (void)state;
    srand(11);
    hm_buf a = {0}, b = {0}, passage = {0};
    for (int round = 0; round < 60; round++) {
        a.len = b.len = passage.len = 0;
        random_words(&passage, (size_t)(rand() % 300));
        random_words(&a, (size_t)(rand() % 400));
        hm_buf_put(&a, passage.data ? passage.data : "", passage.len);
        random_words(&a, (size_t)(rand() % 200));
        random_words(&b, (size_t)(rand() % 600));
        if (round % 3)
            hm_buf_put(&b, passage.data ? passage.data : "", passage.len / 2);
        hm_buf_puts(&b, " changed ");
        if (round % 2)
            hm_buf_put(&b, passage.data ? passage.data + passage.len / 2 : "", passage.len - passage.len / 2);
        hm_copy_text *ta = NULL, *tb = NULL;
        hm_shingles_free(hm_shingles_make_text(a.data, a.len, &ta));
        hm_shingles_free(hm_shingles_make_text(b.data, b.len, &tb));
        assert_non_null(ta);
        assert_non_null(tb);
        size_t na, nb, from, n_words, want_from, want_words;
        const uint64_t *sa = hm_copy_text_shingles(ta, &na), *sb = hm_copy_text_shingles(tb, &nb);
        plain_shared_run(sa, na, sb, nb, &want_from, &want_words);
        assert_int_equal(hm_copy_text_shared_run(ta, tb, &from, &n_words), want_words > 0);
        assert_int_equal(from, want_from);
        assert_int_equal(n_words, want_words);
        plain_shared_run(sb, nb, sa, na, &want_from, &want_words);
        hm_copy_text_shared_run(tb, ta, &from, &n_words);
        assert_int_equal(from, want_from);
        assert_int_equal(n_words, want_words);
        hm_copy_text_free(ta);
        hm_copy_text_free(tb);
    }
    hm_buf_free(&a);
    hm_buf_free(&b);
    hm_buf_free(&passage);
}

/* An essay of `words` words from a seed's sequence ("w" and a number). */
static void add_words(hm_buf *b, unsigned seed, size_t words)
{
    uint32_t x = seed * 2654435761u + 1;
    for (size_t k = 0; k < words; k++) {
        x = x * 1664525u + 1013904223u;
        hm_buf_printf(b, "w%u ", x >> 8);
    }
}

/* n essays, each a passage all share and words of its own: the pairs the
 * index finds among them. */
static size_t pairs_sharing_one_passage(size_t n, unsigned jobs)
{
    hm_copy *c = hm_copy_new(n);
    for (size_t i = 0; i < n; i++) {
        hm_buf b = {0};
        add_words(&b, 1000 + (unsigned)i, 150);
        add_words(&b, 7, 200);
        hm_copy_set(c, i, hm_shingles_make(b.data, b.len));
        hm_buf_free(&b);
    }
    const hm_copy_pair *pairs;
    size_t found = hm_copy_find_threads(c, 0.1, jobs > 1 ? 8 : 0, jobs, &pairs);
    for (size_t k = 0; k < found; k++)
        assert_true(pairs[k].a < pairs[k].b && pairs[k].b < n);
    hm_copy_free(c);
    return found;
}

/* A hash held by up to max(5, essays / 20) essays pairs them all; one held
 * by more is a common source and pairs none. */
static void common_hashes_pair_no_one(void **state)
{
    (void)state;
    assert_int_equal(pairs_sharing_one_passage(2, 1), 1);
    assert_int_equal(pairs_sharing_one_passage(4, 1), 6);
    assert_int_equal(pairs_sharing_one_passage(5, 1), 10);
    assert_int_equal(pairs_sharing_one_passage(5, 2), 10);
    assert_int_equal(pairs_sharing_one_passage(6, 1), 0);
    assert_int_equal(pairs_sharing_one_passage(6, 2), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(scan_gives_the_plain_shingles),
        cmocka_unit_test(every_ascii_byte_is_classed_as_hm_is_word_cp),
        cmocka_unit_test(shared_run_is_the_plain_one),
        cmocka_unit_test(common_hashes_pair_no_one),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
