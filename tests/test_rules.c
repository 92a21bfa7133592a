/* The rules' passes (rules.c) against the plain searches they stand in for:
 * the `requires` strings found in one pass over the text (32 or 16
 * positions at a time where the CPU allows) must skip and bound the same
 * units as a search of each unit for each string, whatever the text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "histmark.h"
#include "phrase.h"
#include "startfilter.h"

#include "support.h"
#include "index_support.h"

/* A configuration of `rules` that must load. */
static hm_config *load_rules(const char *rules)
{
    hm_error err = {0};
    hm_config *c = load_rules_text(rules, &err);
    if (!c)
        fprintf(stderr, "%s\n", err.message);
    assert_non_null(c);
    return c;
}

static uint32_t next_random(uint32_t *state)
{
    *state = *state * 1664525u + 1013904223u;
    return *state >> 8;
}

/* A text of about n bytes in paragraphs and sentences, of words that hold
 * the strings (in either case, whole, cut short, inside other words) and
 * bytes that share their nibbles. */
static char *random_text(uint32_t *state, size_t n, const char *const *words, size_t n_words)
{
    static const char *const glue[] = {" ", " ", " ", ", ", ". ", "\n\n", "  ", "'", "\"", "%", "-"};
    hm_buf b = {0};
    while (b.len < n) {
        const char *w = words[next_random(state) % n_words];
        uint32_t how = next_random(state) % 8;
        size_t len = strlen(w);
        if (how == 0 && len > 1)
            len--; /* cut short */
        for (size_t i = 0; i < len; i++) {
            char ch = w[i];
            if (how == 1 && ch >= 'a' && ch <= 'z')
                ch = (char)(ch - 32);
            hm_buf_putc(&b, ch);
        }
        hm_buf_puts(&b, glue[next_random(state) % (sizeof glue / sizeof *glue)]);
    }
    return hm_buf_take(&b);
}

/* The built-in rules' strings, in texts of every length up to a few
 * blocks past the pass's 16 and the bytes it needs after them. */
static void requires_pass_built_in(void **state)
{
    (void)state;
    static const char *const words[] = {
        "essay", "essays", "Join now", "Avatar", "Continue reading", "Only available", "Page", "1920s", "0s",
        "times", "votes", "cent", "out", "without", "\xc2\xa3" "5", "$5", "\xe2\x80\x9c" "a b\xe2\x80\x9d",
        "\xe2\x80\x98" "a b\xe2\x80\x99", "it\xe2\x80\x99s", "degree", "not", "nothing", "measured",
        "Yet", "But", "Still", "yet", "so", "fundamental", "decisive", "most", "more", "mostly", "con",
        "est", "ion", "the", "of", "1917", "40", "about", "man", "cost", "pest", "notes", "e"};
    uint32_t seed = 7;
    for (size_t n = 1; n < 120; n++) {
        char *text = random_text(&seed, n, words, sizeof words / sizeof *words);
        same_as_patterns(cfg, text);
        free(text);
    }
    for (size_t i = 0; i < 20; i++) {
        char *text = random_text(&seed, 2000, words, sizeof words / sizeof *words);
        same_as_patterns(cfg, text);
        free(text);
    }
}

/* The built-in configuration's requires index is the image made at build
 * time (tools/mkpatterns.c): it must be what the strings give made afresh
 * (and another configuration's index what its strings give). */
static void requires_index_from_image(void **state)
{
    (void)state;
    hm_buf image = {0};
    assert_true(hm_requires_image_write(cfg, &image));
    assert_int_equal(image.len, hm_builtin_requires_image_len);
    assert_memory_equal(image.data, hm_builtin_requires_image, image.len);
    hm_buf_free(&image);
    hm_requires_index *fresh = hm_requires_index_build(cfg);
    assert_true(hm_requires_index_same(cfg->requires_index, fresh, cfg->n_rules));
    hm_requires_index_free(fresh);
    hm_config *c = load_rules("rules:\n  - id: a\n    kind: figure\n    message: m\n"
                              "    requires: [essay, '0s']\n    pattern: 'x'\n");
    hm_requires_index *other = hm_requires_index_build(c);
    assert_true(hm_requires_index_same(c->requires_index, other, c->n_rules));
    hm_requires_index_free(other);
    hm_config_free(c);
}

/* More strings than the pass has buckets and seeds (the later ones join
 * the bucket they widen least), of one to five bytes, with non-ASCII bytes
 * and in either case; each rule's pattern matches anywhere, so the units
 * skipped and the bounds on where matches start show in the findings. */
static void requires_pass_many_strings(void **state)
{
    (void)state;
    hm_buf rules = {0};
    hm_buf_puts(&rules, "rules:\n");
    const char *words[90];
    char store[90][16];
    uint32_t seed = 11;
    static const char *const chars[] = {"a", "b", "c", "d", "e", "o", "s", "t", "u", "v", "x", "y", "z", " ",
                                        ",", ".", "%", "'", "\"", "0", "1", "5", "9", "A", "B", "E", "Z",
                                        "\xc2\xa3", "\xe2\x80\x9c", "\xe2\x80\x99"};
    for (size_t i = 0; i < 90; i++) {
        size_t chars_in = 1 + (i * 7 + 3) % 5;
        store[i][0] = 0;
        for (size_t k = 0; k < chars_in; k++)
            strcat(store[i], chars[next_random(&seed) % (sizeof chars / sizeof *chars)]);
        if (store[i][0] == ' ')
            store[i][0] = 'q';
        words[i] = store[i];
    }
    for (size_t r = 0; r < 18; r++) {
        hm_buf_printf(&rules, "  - id: r%zu\n    kind: figure\n    message: m\n    requires: [", r);
        for (size_t k = 0; k < 5; k++) {
            hm_buf_puts(&rules, k ? ", '" : "'");
            for (const char *p = words[r * 5 + k]; *p; p++) {
                if (*p == '\'')
                    hm_buf_putc(&rules, '\'');
                hm_buf_putc(&rules, *p);
            }
            hm_buf_putc(&rules, '\'');
        }
        hm_buf_printf(&rules, "]\n    pattern: '%s'\n", r % 2 ? "\\S" : "[aeiou]");
    }
    char *text_rules = hm_buf_take(&rules);
    hm_config *c = load_rules(text_rules);
    free(text_rules);
    for (size_t n = 1; n < 80; n++) {
        char *text = random_text(&seed, n, words, 90);
        same_as_patterns(c, text);
        free(text);
    }
    for (size_t i = 0; i < 20; i++) {
        char *text = random_text(&seed, 1500, words, 90);
        same_as_patterns(c, text);
        free(text);
    }
    hm_config_free(c);
}

/* The spans of one rule's findings, one a line. */
static char *spans_of(const hm_result *r, const char *rule)
{
    hm_buf b = {0};
    for (size_t i = 0; i < hm_result_finding_count(r); i++) {
        const hm_finding *f = hm_result_finding(r, i);
        if (strcmp(f->rule, rule) == 0)
            hm_buf_printf(&b, "%zu %zu\n", f->start, f->end);
    }
    return b.data ? hm_buf_take(&b) : hm_xstrdup("");
}

/* A pattern searched through its start filter (anchored tries where the
 * filter lets a match begin, by its anchored JIT code, over units as long
 * as a text and shorter) finds what the same pattern finds without a
 * filter ((?s) keeps it from having one), once the filter is made (after
 * some units). */
static void anchored_tries_find_what_the_search_finds(void **state)
{
    (void)state;
    static const char pattern[] =
        "(?<![a-z])(?:Join now!?|Page \\d+ of \\d+|Cite this essay|Read (?:the )?full essay|"
        "\xe2\x80\x9c[A-Z][a-z]+ [^\xe2\x80\x9d]+\xe2\x80\x9d)";
    char rules[1024];
    snprintf(rules, sizeof rules,
             "rules:\n"
             "  - id: filtered\n    kind: judgement\n    scope: text\n    message: m\n    pattern: '%s'\n"
             "  - id: plain\n    kind: causation\n    scope: text\n    message: m\n    pattern: '(?s)%s'\n",
             pattern, pattern);
    hm_config *c = load_rules(rules);
    static const char *const words[] = {
        "Join now", "Join now!", "Join no", "join now", "xJoin now", "Page 3 of 12", "Page 3 of", "Page x of 2",
        "Cite this essay", "Cite this", "Read full essay", "Read the full essay", "Read the essay",
        "\xe2\x80\x9cStalin said no\xe2\x80\x9d", "\xe2\x80\x9cstalin\xe2\x80\x9d", "The", "Purges", "of",
        "Russia", "in", "1937", "Pages", "Joint", "Readers", "Citation", "\xc3\x89tat"};
    uint32_t seed = 5;
    for (size_t round = 0; round < 80; round++) {
        char *text = random_text(&seed, (round % 2 ? 300 : 2500) + round * 13, words, sizeof words / sizeof *words);
        hm_error err = {0};
        hm_result *r = hm_analyze(c, text, strlen(text), NULL, &err);
        assert_non_null(r);
        char *filtered = spans_of(r, "filtered"), *plain = spans_of(r, "plain");
        assert_string_equal(filtered, plain);
        if (round == 79)
            assert_true(strlen(plain) > 0);
        free(filtered);
        free(plain);
        hm_result_free(r);
        free(text);
    }
    hm_config_free(c);
}

/* The filter's search, 32 or 16 bytes at a time where it can (texts of 40
 * to 363 bytes: both, and bytes left over), stops at the first character
 * start from where it is asked that the filter lets through, as a
 * byte-by-byte walk does: patterns whose opening bytes share high nibbles,
 * span many, or include non-ASCII characters. */
static void filter_search_stops_where_the_walk_does(void **state)
{
    (void)state;
    static const char *const patterns[] = {
        "(?:Join now|Page \\d+|Cite|Read|\xe2\x80\x9cX)", "[\"'\xe2\x80\x98]\\w+\\s", "\\p{Lu}\\p{Ll}+\\s+\\p{Lu}",
        "(?i)(?:essay|join|zebra)", "[!-~]b", "(?:\\t|\\n|!|0|@|P|p|~)x",
        "(?:\\t|\x1b|!|0|@|P|p|~|\xc3\xa9)x", /* nine high nibbles: byte by byte */
        "\"[^\"][^\"\\s]*+\\s[^\"]++\"", /* lives on prose: the opening byte decides */
    };
    static const char *const words[] = {"Join now", "Page 12", "Cite", "Read", "\xe2\x80\x9cX", "'word ",
                                        "\xe2\x80\x98q ", "Stalin Lenin", "ESSAY", "zebra", "\tx", "\nx",
                                        "!x", "0x", "@x", "Px", "px", "~x", "ab", "\x1bx", "\xc3\xa9x", "\xc3\xa9t\xc3\xa9", "the",
                                        "\"x y\"", "\""};
    uint32_t seed = 3;
    for (size_t k = 0; k < sizeof patterns / sizeof *patterns; k++) {
        hm_start_filter *f = hm_start_filter_new(patterns[k], false, true);
        assert_non_null(f);
        for (size_t round = 0; round < 20; round++) {
            char *text = random_text(&seed, 40 + round * 17, words, sizeof words / sizeof *words);
            size_t len = strlen(text);
            for (size_t at = 0; at <= len; at++) {
                size_t want = at;
                while (want < len && (((unsigned char)text[want] & 0xC0) == 0x80 ||
                                      !hm_start_filter_passes(f, text, want, len)))
                    want++;
                assert_int_equal(hm_start_filter_next(text, f, at, len, SIZE_MAX), want < len ? want : SIZE_MAX);
                size_t bound = at + (len - at) / 2; /* no further than last_start */
                assert_int_equal(hm_start_filter_next(text, f, at, len, bound), want <= bound && want < len ? want : SIZE_MAX);
            }
            free(text);
        }
        hm_start_filter_free(f);
    }
    /* a quote mark opens a run of any text: each one passes, even where the
     * walk would have found the quote closed too soon */
    hm_start_filter *q = hm_start_filter_new(patterns[7], false, true);
    assert_non_null(q);
    assert_true(hm_start_filter_passes(q, "a \"b\" c", 2, 8));
    assert_false(hm_start_filter_passes(q, "a \"b\" c", 3, 8));
    hm_start_filter_free(q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(requires_pass_built_in),
        cmocka_unit_test(requires_index_from_image),
        cmocka_unit_test(requires_pass_many_strings),
        cmocka_unit_test(anchored_tries_find_what_the_search_finds),
        cmocka_unit_test(filter_search_stops_where_the_walk_does),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
