/* Document: paragraphs (with and without blank lines), the question line,
 * headings, lists, sentences and words. */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "scan.h"

#include "support.h"

typedef struct parsed {
    hm_source src;
    hm_document doc;
} parsed;

static void parse(parsed *p, const char *text)
{
    assert_true(hm_source_init(&p->src, text, strlen(text), "t", NULL));
    hm_document_build(&p->doc, &p->src, &cfg->lists);
}

static void done(parsed *p)
{
    hm_document_free(&p->doc);
    hm_source_free(&p->src);
}

static size_t count_kind(const hm_document *d, hm_para_kind k)
{
    size_t n = 0;
    for (size_t i = 0; i < d->n_paras; i++)
        n += d->paras[i].kind == k;
    return n;
}

static void blank_lines_separate_paragraphs_and_question_is_found(void **state)
{
    (void)state;
    parsed p;
    parse(&p, "How far was Stalin's rise due to his position? (20 marks)\n\n"
              "Stalin became General Secretary in 1922.\n\n"
              "This gave him power over appointments.\r\n\r\n"
              "In conclusion, the post mattered most.\n");
    assert_int_equal(p.doc.n_paras, 4);
    assert_int_equal(p.doc.question, 0);
    assert_int_equal(p.doc.paras[0].kind, HM_PARA_QUESTION);
    assert_int_equal(count_kind(&p.doc, HM_PARA_BODY), 3);
    assert_int_equal(p.doc.paras[3].number, 3);
    assert_int_equal(p.doc.paras[3].line, 7);
    done(&p);
}

/* A paragraph pasted from a PDF: lines wrapped at ~70 columns, no blank
 * lines; a short line ending a sentence, or a discourse marker, starts a
 * new paragraph. */
static void hard_wrapped_text_is_split_into_paragraphs(void **state)
{
    (void)state;
    parsed p;
    parse(&p, "To what extent did collectivisation succeed in the years 1928-41?\n"
              "Collectivisation was launched in 1929 and forced the peasants into the\n"
              "collective farms, which the state could tax and control far more easily\n"
              "than millions of small private holdings scattered across the country.\n"
              "This essay argues that it succeeded only partially.\n"
              "Firstly, grain procurement rose sharply because the state took what it\n"
              "wanted from the farms regardless of the harvest, even in the famine of\n"
              "1932-33 when millions of peasants in Ukraine died of hunger as a result.\n"
              "However, livestock numbers collapsed as peasants slaughtered their animals\n"
              "rather than hand them over, and output did not recover for many years.\n"
              "In conclusion, collectivisation gave the state control of the grain but\n"
              "at a terrible human cost, so its success was partial at best and costly.\n");
    assert_true(p.doc.hard_wrapped);
    assert_int_equal(p.doc.paras[0].kind, HM_PARA_QUESTION);
    assert_int_equal(count_kind(&p.doc, HM_PARA_BODY), 4);
    const char *t = p.src.text;
    assert_memory_equal(t + p.doc.paras[2].start, "Firstly", 7);
    assert_memory_equal(t + p.doc.paras[3].start, "However", 7);
    assert_memory_equal(t + p.doc.paras[4].start, "In conclusion", 13);
    done(&p);
}

static void headings_and_lists_are_recognised(void **state)
{
    (void)state;
    parsed p;
    parse(&p, "Alliances\n\nStalin allied with Zinoviev and Kamenev against Trotsky in 1923.\n\n"
              "Why did Stalin win?\n- He controlled appointments.\n- He was underestimated.\n");
    assert_int_equal(p.doc.paras[0].kind, HM_PARA_HEADING);
    assert_int_equal(p.doc.paras[1].kind, HM_PARA_BODY);
    assert_int_equal(count_kind(&p.doc, HM_PARA_LIST_ITEM), 2);
    size_t asks = 0;
    for (size_t i = 0; i < p.doc.n_paras; i++)
        asks += p.doc.paras[i].asks;
    assert_int_equal(asks, 1);
    done(&p);
}

static void sentences_survive_initials_abbreviations_decimals_and_ellipses(void **state)
{
    (void)state;
    parsed p;
    parse(&p, "J. Stalin was born c. 1878 in Georgia, e.g. in Gori. Output grew 2.5 times... "
              "or so Dr Smith says. St Petersburg was renamed! Was it? Yes.");
    assert_int_equal(p.doc.n_paras, 1);
    assert_int_equal(p.doc.n_sents, 5);
    const char *t = p.src.text;
    assert_memory_equal(t + p.doc.sents[1].start, "Output", 6);
    assert_memory_equal(t + p.doc.sents[2].start, "St Petersburg", 13);
    done(&p);
}

/* The word before a stop is found from the 16 bytes before it: after a
 * space, tab, line break, '(' or '"', at the paragraph's start, or 16
 * bytes or more back; at every alignment the same sentences. */
static void abbreviations_are_found_at_every_alignment(void **state)
{
    (void)state;
    for (size_t pad = 0; pad < 40; pad++) {
        char text[512];
        snprintf(text, sizeof text,
                 "%*sBuilt (c. 1900) and so. It was \"e.g. Rome\" then. Made\tca. 1850 here. "
                 "Notanabbreviationatall. Then (i.e. Paris) too. Well,c. Yes. Nowhere.\n\n"
                 "Etc. Is it? Cf. The end.",
                 (int)pad, "");
        parsed p;
        parse(&p, text);
        assert_int_equal(p.doc.n_paras, 2);
        assert_int_equal(p.doc.paras[0].n_sentences, 8);
        assert_int_equal(p.doc.paras[1].n_sentences, 2);
        done(&p);
    }
}

static void words_are_counted_with_apostrophes_and_hyphens(void **state)
{
    (void)state;
    parsed p;
    parse(&p, "Stalin\xE2\x80\x99s Five-Year Plan didn't fail \xE2\x80\x94 entirely.");
    assert_int_equal(p.doc.paras[0].words, 6);
    done(&p);
}

/* What find_words notes of each word, against the text: the paragraph's
 * words from its first_word, the ASCII run's end and hash, and the words
 * that may open with a capital. */
static void check_words(const parsed *p)
{
    const char *t = p->src.text;
    size_t next_capital = 0, next_word = 0;
    for (size_t i = 0; i < p->doc.n_paras; i++) {
        const hm_para *para = &p->doc.paras[i];
        assert_int_equal(para->first_word, next_word);
        next_word += para->words;
        for (size_t k = para->first_word; k < para->first_word + para->words; k++) {
            const hm_word *w = &p->doc.words[k];
            assert_true(w->start >= para->start && w->end <= para->end);
            size_t run = w->start;
            while (run < w->end && isalnum((unsigned char)t[run]))
                run++;
            assert_int_equal(w->ascii_end, run);
            assert_true(w->ascii_hash == hm_hash_bytes(t + w->start, run - w->start, true));
            unsigned char c = (unsigned char)t[w->start];
            if ((c >= 'A' && c <= 'Z') || c >= 0x80) {
                assert_true(next_capital < p->doc.n_capitals);
                assert_int_equal(p->doc.capitals[next_capital++], k);
            }
        }
    }
    assert_int_equal(next_word, p->doc.n_words);
    assert_int_equal(next_capital, p->doc.n_capitals);
}

/* Sentences at every alignment (the stops are found sixteen bytes at a
 * time). */
static void words_carry_their_paragraph_hash_and_capitals(void **state)
{
    (void)state;
    size_t sentences = 0;
    for (size_t pad = 0; pad < 40; pad++) {
        char text[512];
        snprintf(text, sizeof text,
                 "%*sHow far did \xC3\x89mile's Nazi-Soviet pact matter?\n\n"
                 "In 1939 Stalin signed it. Hitler\xE2\x80\x99s aims were clear! Was it 7.5 per cent?\n\n"
                 "\xC3\xA9t\xC3\xA9 ends it.",
                 (int)pad, "");
        parsed p;
        parse(&p, text);
        check_words(&p);
        if (pad == 0)
            sentences = p.doc.n_sents;
        assert_int_equal(p.doc.n_sents, sentences); /* wherever the stops fall */
        done(&p);
    }
    assert_true(sentences >= 3);
}

/* Each ASCII byte after a word's first letters, and before them: the
 * run's end (letters and digits are found by two compares a byte, so the
 * bytes at their ranges' edges count: '/', ':', '@', '[', '`', '{'), its
 * hash and the capitals. */
static void each_ascii_byte_ends_a_run_or_not(void **state)
{
    (void)state;
    for (int c = 1; c < 0x80; c++) {
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
            continue; /* other controls make it no text */
        char text[32];
        snprintf(text, sizeof text, "Ab%cyz %cQ9%c", c, c, c);
        parsed p;
        parse(&p, text);
        check_words(&p);
        done(&p);
    }
}

/* Words after gaps of every length from 1 to 40 bytes of spaces and
 * punctuation (the next word's start is found from the 16 bytes at a
 * word's start, or on from them), one in curly quotes. */
static void words_are_found_after_gaps_of_every_length(void **state)
{
    (void)state;
    static const char marks[] = ", ;:()[]\"/*";
    for (size_t g = 1; g <= 40; g++) {
        char gap[41];
        for (size_t k = 0; k < g; k++)
            gap[k] = k == 0 || k + 1 == g ? ' ' : marks[k % (sizeof marks - 1)];
        gap[g] = '\0';
        char text[256];
        snprintf(text, sizeof text, "Alpha%sbeta%s\xE2\x80\x9Cgamma\xE2\x80\x9D%sdelta9%s", gap, gap, gap,
                 g % 2 ? "." : "");
        parsed p;
        parse(&p, text);
        check_words(&p);
        assert_int_equal(p.doc.n_words, 4);
        static const char *const expect[] = {"Alpha", "beta", "gamma", "delta9"};
        for (size_t k = 0; k < 4; k++) {
            const hm_word *w = &p.doc.words[k];
            assert_int_equal(w->end - w->start, strlen(expect[k]));
            assert_memory_equal(p.src.text + w->start, expect[k], strlen(expect[k]));
        }
        done(&p);
    }
}

/* The hinted look-ups answer as the binary searches do, whatever order the
 * offsets come in and whatever the hint says. */
static void hinted_lookups_match_binary_search(void **state)
{
    (void)state;
    parsed p;
    parse(&p, "Question: how far? (25 marks)\n\nFirst point. Second one! Third?\n\n"
              "  - a list item\n\nThe end.  Really.\n");
    size_t len = p.src.len;
    size_t ph = 0, sh = 0, ph_down = 0, sh_down = 0, ph_jump = 0, sh_jump = 0;
    for (size_t off = 0; off <= len + 2; off++) {
        assert_int_equal(hm_document_para_next(&p.doc, off, &ph), hm_document_para_at(&p.doc, off));
        assert_int_equal(hm_document_sentence_next(&p.doc, off, &sh), hm_document_sentence_at(&p.doc, off));
        size_t down = len + 2 - off;
        assert_int_equal(hm_document_para_next(&p.doc, down, &ph_down), hm_document_para_at(&p.doc, down));
        assert_int_equal(hm_document_sentence_next(&p.doc, down, &sh_down), hm_document_sentence_at(&p.doc, down));
        size_t jump = (off * 37) % (len + 3);
        assert_int_equal(hm_document_para_next(&p.doc, jump, &ph_jump), hm_document_para_at(&p.doc, jump));
        assert_int_equal(hm_document_sentence_next(&p.doc, jump, &sh_jump), hm_document_sentence_at(&p.doc, jump));
        size_t wild = SIZE_MAX / 2;
        assert_int_equal(hm_document_para_next(&p.doc, off, &wild), hm_document_para_at(&p.doc, off));
    }
    done(&p);
}

/* The span holding offset by looking at each: what the searches answer. */
static size_t span_by_scan(const hm_document *d, size_t offset, bool sentences)
{
    size_t n = sentences ? d->n_sents : d->n_paras;
    for (size_t i = 0; i < n; i++) {
        size_t start = sentences ? d->sents[i].start : d->paras[i].start;
        size_t end = sentences ? d->sents[i].end : d->paras[i].end;
        if (start <= offset && offset < end)
            return i;
    }
    return SIZE_MAX;
}

/* The branchless searches over 0 to 24 sentences (their halving steps
 * differ with the count), at every offset, and over no paragraphs. */
static void span_searches_match_a_scan_for_every_count(void **state)
{
    (void)state;
    for (size_t k = 0; k <= 24; k++) {
        char text[512] = "";
        for (size_t i = 0; i < k; i++)
            snprintf(text + strlen(text), sizeof text - strlen(text), "Point %zu is%s. ", i, i % 3 ? "" : " long");
        parsed p;
        parse(&p, text);
        assert_int_equal(p.doc.n_sents, k);
        size_t hint = 0;
        for (size_t off = 0; off <= p.src.len + 1; off++) {
            assert_int_equal(hm_document_sentence_at(&p.doc, off), span_by_scan(&p.doc, off, true));
            assert_int_equal(hm_document_para_at(&p.doc, off), span_by_scan(&p.doc, off, false));
            size_t jump = (off * 7) % (p.src.len + 2);
            assert_int_equal(hm_document_sentence_next(&p.doc, jump, &hint), span_by_scan(&p.doc, jump, true));
        }
        done(&p);
    }
}

/* Words of every length from 1 to 24 (a run is hashed in eight or sixteen
 * fixed steps up to 16 bytes, a byte at a time beyond, and near the text's
 * end), mixed case and digits, each before a space, a stop, a hyphen or an
 * apostrophe, with the text ending right after the last. */
static void words_of_every_length_are_hashed_alike(void **state)
{
    (void)state;
    static const char letters[] = "AbCdEfGhIjKlMnOpQrStUvWx0123456789";
    static const char *const after[] = {" ", ". ", "-x ", "'s ", ", "};
    for (size_t a = 0; a < sizeof after / sizeof *after; a++) {
        char text[2048];
        size_t n = 0;
        for (size_t len = 1; len <= 24; len++) {
            for (size_t k = 0; k < len; k++)
                text[n++] = letters[(len + k) % (sizeof letters - 1)];
            n += (size_t)snprintf(text + n, sizeof text - n, "%s", after[a]);
        }
        for (size_t len = 24; len >= 1; len--) { /* and the last at the text's end */
            memcpy(text + n, letters, len);
            text[n + len] = '\0';
            parsed p;
            parse(&p, text);
            check_words(&p);
            assert_int_equal(p.doc.words[p.doc.n_words - 1].end, n + len);
            done(&p);
        }
    }
}

static void empty_and_blank_texts_have_no_paragraphs(void **state)
{
    (void)state;
    parsed p;
    parse(&p, "");
    assert_int_equal(p.doc.n_paras, 0);
    done(&p);
    parse(&p, " \n\t\n\n   \n");
    assert_int_equal(p.doc.n_paras, 0);
    done(&p);
}

/* An exam command without a question mark is a question when it stands
 * alone as one sentence; an introduction that opens with the same word is
 * not. */
static void a_command_question_is_found_without_a_question_mark(void **state)
{
    (void)state;
    parsed p;
    parse(&p, "Assess the reasons why Stalin began the Berlin Blockade in 1948.\n\n"
              "Stalin feared a West German state.\n\n"
              "In conclusion, fear mattered most.\n");
    assert_int_equal(p.doc.question, 0);
    assert_int_equal(p.doc.paras[0].kind, HM_PARA_QUESTION);
    done(&p);
    parse(&p, "How far do you agree that the Puritans were a serious threat to the Elizabethan\n"
              "religious settlement in the years 1559-1603? (20 marks)\n\n"
              "The Puritans wanted further reform.\n");
    assert_int_equal(p.doc.question, 0); /* a question wrapped over two lines is one paragraph */
    assert_int_equal(p.doc.n_paras, 2);
    done(&p);
    parse(&p, "Explain the blockade first. Stalin feared a West German state in 1948.\n\n"
              "The airlift lasted until May 1949.\n");
    assert_int_equal(p.doc.question, SIZE_MAX);
    done(&p);
}

/* A whole essay hard-wrapped with no blank lines, its quotation question
 * running over three lines and its marks tag broken across the last two:
 * the question is still the first paragraph, and the introduction is not
 * swallowed into it. */
static void a_question_wrapped_over_three_lines_in_wrapped_text(void **state)
{
    (void)state;
    parsed p;
    parse(&p, "'Grassroots activism, not federal action, was the driving force behind the\n"
              "advance of civil rights in the years 1954-65.' How far do you agree? (20\n"
              "marks)\n"
              "The advance of civil rights between 1954 and 1965 is measured most clearly in\n"
              "the end of legal segregation and the restoration of the vote in the South,\n"
              "culminating in the Civil Rights Act of 1964 and the Voting Rights Act of 1965.\n"
              "Federal institutions rarely moved unless protest forced them to act first.\n"
              "Firstly, the Montgomery bus boycott of 1955-56 showed what local action could\n"
              "do, though it was the Supreme Court that ended bus segregation in 1956.\n");
    assert_int_equal(p.doc.question, 0);
    assert_int_equal(p.doc.paras[0].kind, HM_PARA_QUESTION);
    assert_true(p.doc.n_paras >= 2);
    const char *t = p.doc.src->text;
    assert_memory_equal(t + p.doc.paras[1].start, "The advance", 11);
    done(&p);
    /* the marks tag on a line of its own stays with the question */
    parse(&p, "How far do you agree that Stalin's control of the Communist Party machine\n"
              "was the main reason why he had emerged as the leader of the USSR by 1929?\n"
              "(20 marks)\n"
              "When Lenin died in January 1924 Stalin was not the obvious successor.\n"
              "Trotsky was far better known, as the organiser of the October Revolution\n"
              "and the creator of the Red Army, and Lenin's Testament had criticised\n"
              "Stalin as too rude. Yet by 1929 Trotsky had been deported and Stalin had\n"
              "defeated both the Left and the Right of the party.\n");
    assert_int_equal(p.doc.question, 0);
    t = p.doc.src->text;
    assert_memory_equal(t + p.doc.paras[0].end - 10, "(20 marks)", 10);
    assert_memory_equal(t + p.doc.paras[1].start, "When Lenin", 10);
    done(&p);
}

/* A question wrapped before a capital letter, in its own block, is one
 * paragraph; a short title line above a question is not joined to it. */
static void a_question_wrapped_before_a_capital_is_one_paragraph(void **state)
{
    (void)state;
    parsed p;
    parse(&p, "'The renewed Cold War tensions of 1979-85 were caused more by\n"
              "American than by Soviet actions.' How far do you agree?\n\n"
              "Between 1979 and 1985 relations fell to their lowest point.\n");
    assert_int_equal(p.doc.question, 0);
    assert_int_equal(p.doc.n_paras, 2);
    done(&p);
    parse(&p, "Assess the reasons for the Soviet Union's victory in the Great\n"
              "Patriotic War, 1941-45.\n\n"
              "The economy mattered most.\n\n"
              "In conclusion, the economy decided it.\n");
    assert_int_equal(p.doc.question, 0);
    assert_int_equal(p.doc.n_paras, 3);
    done(&p);
    parse(&p, "The Sino-Soviet Split\n"
              "To what extent did the split change the Cold War in the years 1956-72?\n\n"
              "It changed its structure.\n");
    assert_int_equal(p.doc.question, 1);
    assert_int_equal(p.doc.paras[0].kind, HM_PARA_HEADING);
    done(&p);
}

/* The wrap width is the width nine in ten lines come up to, rounded up,
 * in a short block (its widths sorted) and a long one (a histogram) alike:
 * lines of 60 to 69 characters, one in ten of them 75 long. */
static void wrap_width_of_short_and_long_blocks(void **state)
{
    (void)state;
    for (size_t n_lines = 20; n_lines <= 100; n_lines += 80) {
        hm_buf b = {0};
        for (size_t i = 0; i < n_lines; i++) {
            size_t width = i % 10 == 3 ? 75 : 60 + (i * 7) % 10;
            hm_buf_puts(&b, "Word");
            for (size_t k = 4; k + 1 < width; k++)
                hm_buf_putc(&b, k % 6 == 5 ? ' ' : 'a');
            hm_buf_puts(&b, i + 1 < n_lines ? "b\n" : "b.\n");
        }
        parsed p;
        parse(&p, b.data);
        assert_true(p.doc.hard_wrapped);
        /* 90% of 20 lines is 18: the 18th width is 69; of 100, the 90th is 69 */
        assert_int_equal(p.doc.wrap_width, 69);
        done(&p);
        hm_buf_free(&b);
    }
}

/* hm_scan_finish puts findings in order by position (by start, the longer
 * first, then by kind), ties in the order found, and keeps the first of a
 * stretch of one kind (and drops a figure inside a date, a person inside an
 * event and an event inside a person), whatever runs they come in: here
 * runs of lengths 1 to 40, some found before an hm_scan_sort, against an
 * insertion sort. */
static bool ranks_before(const hm_finding *x, const hm_finding *y)
{
    if (x->start != y->start)
        return x->start < y->start;
    if (x->end != y->end)
        return x->end > y->end;
    return x->kind < y->kind;
}

static void findings_are_sorted_stably_from_runs(void **state)
{
    (void)state;
    char text[1200];
    memset(text, 'x', sizeof text - 1);
    text[sizeof text - 1] = '\0';
    parsed p;
    parse(&p, text);
    enum { N = 400 };
    static char ids[N][8];
    static hm_rule rules[N];
    static hm_finding want[N];
    const hm_kind kinds[] = {HM_KIND_QUOTATION, HM_KIND_JUDGEMENT, HM_KIND_CAUSATION, HM_KIND_DATE,
                             HM_KIND_FIGURE,    HM_KIND_PERSON,    HM_KIND_EVENT};
    const size_t n_kinds = sizeof kinds / sizeof *kinds;
    for (int sorted_first = 0; sorted_first < 2; sorted_first++) {
        hm_scan scan;
        hm_scan_init(&scan, cfg, &p.doc);
        unsigned seed = 7;
        size_t n = 0;
        while (n < N) {
            seed = seed * 1103515245u + 12345u;
            size_t len = 1 + (seed >> 16) % 40, at = (seed >> 8) % 64;
            for (size_t k = 0; k < len && n < N; k++, n++) {
                seed = seed * 1103515245u + 12345u;
                at += (seed >> 16) % 9; /* steps of 0: ties */
                snprintf(ids[n], sizeof ids[n], "r%zu", n);
                rules[n] = (hm_rule){.id = ids[n], .kind = kinds[(seed >> 20) % n_kinds], .scope = HM_SCOPE_TEXT};
                assert_non_null(hm_scan_add(&scan, &rules[n], at, at + 1 + (seed >> 24) % 4));
            }
            if (sorted_first && n >= N / 2 && n - len < N / 2)
                hm_scan_sort(&scan);
        }
        /* the reference: an insertion sort, then the first of each stretch */
        for (size_t i = 0; i < n; i++) {
            size_t j = i;
            for (; j > 0 && ranks_before(&scan.findings[i], &want[j - 1]); j--)
                want[j] = want[j - 1];
            want[j] = scan.findings[i];
        }
        size_t kept = 0, last_end[HM_KIND_COUNT] = {0};
        for (size_t i = 0; i < n; i++) {
            hm_kind k = want[i].kind;
            size_t at = want[i].start;
            if (last_end[k] > at)
                continue;
            /* a figure inside a date goes, a person inside an event, an
             * event inside a person */
            if ((k == HM_KIND_FIGURE && last_end[HM_KIND_DATE] > at) ||
                (k == HM_KIND_PERSON && last_end[HM_KIND_EVENT] > at) ||
                (k == HM_KIND_EVENT && last_end[HM_KIND_PERSON] > at))
                continue;
            last_end[want[i].kind] = want[i].end;
            want[kept++] = want[i];
        }
        hm_scan_finish(&scan);
        assert_int_equal(scan.n_findings, kept);
        for (size_t i = 0; i < kept; i++) {
            assert_string_equal(scan.findings[i].rule, want[i].rule);
            assert_int_equal(scan.findings[i].line, 1);
            assert_int_equal(scan.findings[i].column, want[i].start + 1);
        }
        hm_scan_free_data(&scan);
        free(scan.findings);
        free(scan.warnings);
    }
    done(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(blank_lines_separate_paragraphs_and_question_is_found),
        cmocka_unit_test(a_command_question_is_found_without_a_question_mark),
        cmocka_unit_test(a_question_wrapped_over_three_lines_in_wrapped_text),
        cmocka_unit_test(a_question_wrapped_before_a_capital_is_one_paragraph),
        cmocka_unit_test(hard_wrapped_text_is_split_into_paragraphs),
        cmocka_unit_test(headings_and_lists_are_recognised),
        cmocka_unit_test(hinted_lookups_match_binary_search),
        cmocka_unit_test(span_searches_match_a_scan_for_every_count),
        cmocka_unit_test(sentences_survive_initials_abbreviations_decimals_and_ellipses),
        cmocka_unit_test(words_are_counted_with_apostrophes_and_hyphens),
        cmocka_unit_test(abbreviations_are_found_at_every_alignment),
        cmocka_unit_test(words_carry_their_paragraph_hash_and_capitals),
        cmocka_unit_test(words_of_every_length_are_hashed_alike),
        cmocka_unit_test(words_are_found_after_gaps_of_every_length),
        cmocka_unit_test(each_ascii_byte_ends_a_run_or_not),
        cmocka_unit_test(empty_and_blank_texts_have_no_paragraphs),
        cmocka_unit_test(findings_are_sorted_stably_from_runs),
        cmocka_unit_test(wrap_width_of_short_and_long_blocks),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
