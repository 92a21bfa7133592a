/* Findings through the public API: evidence, argument, names, website
 * text, notes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "histmark.h"

#include "support.h"
#include "config.h"
#include "question.h"

/* The finding of `kind` whose text is exactly `want`, or NULL. */
static const hm_finding *find(const hm_result *r, hm_kind kind, const char *want)
{
    size_t len;
    const char *text = hm_result_text(r, &len);
    for (size_t i = 0; i < hm_result_finding_count(r); i++) {
        const hm_finding *f = hm_result_finding(r, i);
        if (f->kind == kind && f->end - f->start == strlen(want) && memcmp(text + f->start, want, f->end - f->start) == 0)
            return f;
    }
    return NULL;
}

static size_t count(const hm_result *r, hm_kind kind)
{
    size_t n = 0;
    for (size_t i = 0; i < hm_result_finding_count(r); i++)
        n += hm_result_finding(r, i)->kind == kind;
    return n;
}

static bool has_warning(const hm_result *r, const char *code)
{
    for (size_t i = 0; i < hm_result_warning_count(r); i++)
        if (strcmp(hm_result_warning(r, i)->code, code) == 0)
            return true;
    return false;
}

static void dates_in_every_form(void **state)
{
    (void)state;
    hm_result *r = analyze("Power changed in 1924, across 1928-53 and in the 1930s, above all by the mid-1930s. "
                           "Kirov died on 1 December 1934; war came on June 22 and a trial in Jan 1935.");
    const char *want[] = {"1924", "1928-53", "1930s", "mid-1930s", "1 December 1934", "June 22", "Jan 1935"};
    for (size_t i = 0; i < sizeof want / sizeof *want; i++)
        assert_non_null(find(r, HM_KIND_DATE, want[i]));
    assert_int_equal(count(r, HM_KIND_DATE), 7);
    hm_result_free(r);
}

static void figures_but_not_years_or_small_counts(void **state)
{
    (void)state;
    hm_result *r = analyze("He read 26,000 files; 22% voted; 14 out of 16 agreed; three out of five fled; "
                           "34 million died; over 3,000 were shot. In 1928 he had two main feats.");
    const char *want[] = {"26,000", "22%", "14 out of 16", "three out of five", "34 million", "over 3,000"};
    for (size_t i = 0; i < sizeof want / sizeof *want; i++)
        assert_non_null(find(r, HM_KIND_FIGURE, want[i]));
    assert_int_equal(count(r, HM_KIND_FIGURE), 6);
    assert_null(find(r, HM_KIND_FIGURE, "1928"));
    hm_result_free(r);
}

static void people_with_possessives_and_historians(void **state)
{
    (void)state;
    hm_result *r = analyze("Stalin\xE2\x80\x99s rivals included Leon Trotsky. The historian Sheila Fitzpatrick "
                           "disagrees with Conquest's view. In Moscow the Politburo met.");
    assert_non_null(find(r, HM_KIND_PERSON, "Stalin"));
    assert_non_null(find(r, HM_KIND_PERSON, "Leon Trotsky"));
    assert_non_null(find(r, HM_KIND_PERSON, "Sheila Fitzpatrick"));
    assert_non_null(find(r, HM_KIND_PERSON, "Conquest"));
    assert_null(find(r, HM_KIND_PERSON, "Moscow"));
    assert_null(find(r, HM_KIND_PERSON, "Politburo"));
    hm_result_free(r);
}

static void people_without_a_topic_pack(void **state)
{
    (void)state;
    hm_config_options o = {HM_CONFIG_OPTIONS_VERSION, NULL, NULL, NULL, "none", 0};
    hm_config *plain = hm_config_load(&o, NULL);
    assert_non_null(plain);
    const char *text = "During the war Churchill met Roosevelt at Yalta in February 1945. "
                       "Later the Labour Party won the election in Britain.";
    hm_result *r = hm_analyze(plain, text, strlen(text), NULL, NULL);
    assert_non_null(r);
    assert_null(hm_result_topic(r));
    assert_non_null(find(r, HM_KIND_PERSON, "Churchill"));
    assert_non_null(find(r, HM_KIND_PERSON, "Roosevelt"));
    assert_null(find(r, HM_KIND_PERSON, "Yalta"));
    assert_null(find(r, HM_KIND_PERSON, "Labour Party"));
    assert_null(find(r, HM_KIND_PERSON, "Britain"));
    assert_null(find(r, HM_KIND_PERSON, "During"));
    hm_result_free(r);
    hm_config_free(plain);
}

static void misspelt_names_get_suggestions(void **state)
{
    (void)state;
    hm_result *r = analyze("How did Stalin defeat his rivals in the Politburo by 1929?\n\n"
                           "Stalin beat Trosky and then Kamanev and Zinoviev, while Bukharin waited. "
                           "Then Stain turned on Bukharin and the kulaks in 1928.");
    assert_string_equal(hm_result_topic(r), "russia-1917-53");
    const hm_finding *f = find(r, HM_KIND_PERSON, "Trosky");
    assert_non_null(f);
    assert_non_null(f->suggestion);
    assert_non_null(strstr(f->suggestion, "Trotsky"));
    f = find(r, HM_KIND_PERSON, "Kamanev");
    assert_non_null(f);
    assert_non_null(strstr(f->suggestion, "Kamenev"));
    f = find(r, HM_KIND_PERSON, "Stain");
    assert_non_null(f);
    assert_non_null(strstr(f->suggestion, "Stalin"));
    assert_null(find(r, HM_KIND_PERSON, "Zinoviev")->suggestion);
    bool gap = false;
    for (size_t i = 0; i < hm_result_gap_count(r); i++)
        gap |= strstr(hm_result_gap(r, i)->text, "spelling") != NULL;
    assert_true(gap);
    hm_result_free(r);
}

/* The first gap whose text holds `words`, or NULL. */
static const hm_note *gap_saying(const hm_result *r, const char *words)
{
    for (size_t i = 0; i < hm_result_gap_count(r); i++)
        if (strstr(hm_result_gap(r, i)->text, words))
            return hm_result_gap(r, i);
    return NULL;
}

static const char *date_gap(const hm_result *r)
{
    const hm_note *n = gap_saying(r, "Check your dates");
    return n ? n->text : NULL;
}

/* A year joined to a pack event that contradicts the pack's date is a slip
 * to check; a year that belongs to another occasion is not. */
static void dates_checked_against_the_pack(void **state)
{
    (void)state;
    hm_result *r = analyze("How far did the arms race shape the Cold War in the years 1949-63?\n\n"
                           "The Soviet atomic test of 1949 shocked Washington. Then the Soviets launched "
                           "Sputnik in 1959, which showed they had rockets that could reach America.\n\n"
                           "The Bay of Pigs in April 1961 and the Cuban Missile Crisis of October 1962 "
                           "raised the stakes. West Germany joined NATO in 1955.\n\n"
                           "Overall the arms race shaped the Cold War to a great extent.");
    double slips = -1;
    assert_true(hm_result_feature(r, "date_slips", &slips));
    assert_true(slips == 1); /* Sputnik; not the Bay of Pigs, the crisis or NATO */
    const char *gap = date_gap(r);
    assert_non_null(gap);
    assert_non_null(strstr(gap, "paragraph 1 gives 1959 for Sputnik (October 1957)"));
    /* it points at the words, for an editor's squiggle */
    size_t len;
    const char *text = hm_result_text(r, &len);
    const hm_note *n = gap_saying(r, "Check your dates");
    assert_int_equal(n->end - n->start, strlen("Sputnik in 1959"));
    assert_memory_equal(text + n->start, "Sputnik in 1959", n->end - n->start);
    hm_result_free(r);

    /* a decade, a range and a later act of the same name pass */
    r = analyze("How successful were the Tudors in dealing with poverty in the years 1485-1603?\n\n"
                "The Poor Law of 1601 made the parish levy a rate. The Pilgrimage of Grace (1536-37) "
                "was a protest as much about taxes as religion, and the Poor Laws of the 1570s set "
                "the poor to work.\n\n"
                "Overall the Tudors dealt with poverty only to a limited extent, because the laws "
                "were enforced unevenly.");
    assert_true(hm_result_feature(r, "date_slips", &slips));
    assert_true(slips == 0);
    assert_null(date_gap(r));
    hm_result_free(r);
}

/* A person's year is checked only as the year they died, and a year that
 * fits a namesake is let be. */
static void deaths_checked_against_the_pack(void **state)
{
    (void)state;
    hm_result *r = analyze("How far did Stalin's power grow in the years 1924-41?\n\n"
                           "Lenin died in 1925 and the struggle for power began. In 1927 Stalin had Trotsky "
                           "expelled from the party, and after Stalin's death in 1953 the terror eased.\n\n"
                           "In 1929 Stalin turned on Bukharin, which shows how far his power had grown.\n\n"
                           "Overall Stalin's power grew to a great extent.");
    const char *gap = date_gap(r);
    assert_non_null(gap);
    assert_non_null(strstr(gap, "gives 1925 for the death of Vladimir Lenin (21 January 1924)"));
    assert_null(strstr(gap, "1927")); /* Stalin acting in 1927 is no death */
    assert_null(strstr(gap, "1953"));
    hm_result_free(r);

    r = analyze("How secure was Henry VII on the throne in the years 1485-1509?\n\n"
                "Henry married Elizabeth of York in 1486. Queen Elizabeth died in 1503, so Henry had "
                "only one surviving son, and the Yorkist claim was weakened by the Battle of Stoke in 1487.\n\n"
                "Overall Henry VII was secure to a great extent by 1509.");
    assert_string_equal(hm_result_topic(r), "tudor-1485-1603"); /* so the check runs */
    assert_null(date_gap(r));
    hm_result_free(r);
}

/* Advice on the range of evidence names the kinds the essay lacks. */
static void missing_kinds_of_evidence_named(void **state)
{
    (void)state;
    hm_result *r = analyze("How far did the Weimar Republic recover in the years 1924-29?\n\n"
                           "In 1924 things got better. In 1925 they got better again. By 1929 the economy "
                           "was doing well because of loans.\n\n"
                           "However in 1929 there was a crash. This shows that the recovery was weak "
                           "because it depended on loans.\n\n"
                           "In conclusion the Republic recovered to a limited extent.");
    const hm_note *note = gap_saying(r, "kinds of evidence");
    assert_non_null(note);
    const char *gap = note->text;
    assert_non_null(strstr(gap, "add figures (a statistic, a sum, a share), named people, named events and laws, "
                                "or a quotation from a historian or a source."));
    assert_null(strstr(gap, "dates")); /* it has dates */
    hm_result_free(r);
}

static void events_from_the_topic_pack(void **state)
{
    (void)state;
    hm_result *r = analyze("How far did Stalin's power change in the years 1928-53?\n\n"
                           "The NEP ended when Stalin turned on Bukharin and the kulaks, and the Great Terror "
                           "followed, with the NKVD under Yezhov doing the killing.");
    assert_non_null(find(r, HM_KIND_EVENT, "NEP"));
    assert_non_null(find(r, HM_KIND_EVENT, "Great Terror"));
    hm_result_free(r);
}

static void quotations_not_scare_quotes(void **state)
{
    (void)state;
    hm_result *r = analyze("Service calls it \xE2\x80\x9C" "a revolution from above\xE2\x80\x9D. "
                           "The \"kulaks\" were blamed, and Stalin's and Lenin's aims differed.");
    assert_non_null(find(r, HM_KIND_QUOTATION, "\xE2\x80\x9C" "a revolution from above\xE2\x80\x9D"));
    assert_int_equal(count(r, HM_KIND_QUOTATION), 1);
    hm_result_free(r);
}

static void argument_language(void **state)
{
    (void)state;
    hm_result *r = analyze("The change was fundamental, partial or superficial, and to some extent decisive. "
                           "However, terror was more important than propaganda because it led to fear.\n\n"
                           "In conclusion, the change was partial.");
    assert_non_null(find(r, HM_KIND_JUDGEMENT, "fundamental"));
    assert_non_null(find(r, HM_KIND_JUDGEMENT, "superficial"));
    assert_non_null(find(r, HM_KIND_JUDGEMENT, "to some extent"));
    assert_non_null(find(r, HM_KIND_JUDGEMENT, "more important than"));
    assert_non_null(find(r, HM_KIND_COUNTERARGUMENT, "However"));
    assert_non_null(find(r, HM_KIND_CAUSATION, "because"));
    assert_non_null(find(r, HM_KIND_CAUSATION, "led to"));
    assert_non_null(find(r, HM_KIND_CONCLUSION, "In conclusion"));
    hm_result_free(r);
}

static void positions_are_bytes_lines_and_code_point_columns(void **state)
{
    (void)state;
    hm_result *r = analyze("Question?\r\n\r\n\xE2\x80\x9CWe\xE2\x80\x9D said it in 1936.");
    const hm_finding *f = find(r, HM_KIND_DATE, "1936");
    assert_non_null(f);
    size_t len;
    const char *text = hm_result_text(r, &len);
    assert_memory_equal(text + f->start, "1936", 4);
    assert_int_equal(f->line, 3);
    assert_int_equal(f->column, 17);
    assert_int_equal(f->paragraph, 1);
    hm_result_free(r);
}

static void website_text_is_flagged_and_left_out(void **state)
{
    (void)state;
    hm_result *with = analyze("Why did Stalin win?\n\nStalin won in 1929 because he controlled the Party.\n\n"
                              "Join now!\n\nYou May Also Find These Documents Helpful\n\n"
                              "Trotsky and the Left Opposition in 1927 and Zinoviev in 1926\n\n- 1472 Words\n");
    assert_true(has_warning(with, "website-text"));
    assert_null(find(with, HM_KIND_PERSON, "Trotsky"));
    assert_null(find(with, HM_KIND_DATE, "1927"));
    assert_non_null(find(with, HM_KIND_DATE, "1929"));
    hm_result_free(with);
}

static void notes_are_not_an_essay(void **state)
{
    (void)state;
    hm_result *r = analyze("Why did Lenin introduce the NEP?\nThe economy had collapsed by 1921.\n\n"
                           "What was War Communism?\nGrain requisitioning from 1918.\n\n"
                           "Who opposed the NEP?\nThe Left, including Trotsky.\n\n"
                           "When did the NEP end?\nIn 1928 with the grain crisis.\n");
    assert_true(has_warning(r, "not-an-essay"));
    assert_true(hm_result_level(r) <= 2);
    hm_result_free(r);
}

static void empty_input_gets_a_result_and_mark_zero(void **state)
{
    (void)state;
    hm_result *r = analyze("");
    assert_int_equal(hm_result_mark(r), 0);
    assert_int_equal(hm_result_words(r), 0);
    hm_result_free(r);
}

static int append(const char *data, size_t len, void *ud)
{
    char **out = ud;
    size_t have = *out ? strlen(*out) : 0;
    *out = realloc(*out, have + len + 1);
    memcpy(*out + have, data, len);
    (*out)[have + len] = '\0';
    return 0;
}

/* The JSON report is written directly, not through jansson: it must be
 * exactly jansson's compact dump of itself (escapes, order, numbers), with
 * a name that is not UTF-8 left out as jansson leaves it out. */
static void json_report_is_jansson_compact(void **state)
{
    (void)state;
    static const char text[] = "How far was \"Stalin's\" rise due to luck?\n\n"
                               "In 1928 Stalin said \"\\\\ no\"\tand Trotsky lost \xe2\x80\x94 \xf0\x9f\x98\x80.\n";
    /* Valid names first, then names that are not UTF-8; the long ones put
     * what needs care past the first eight bytes, and between them. */
    const char *names[] = {"q \"name\" \\ x.txt", "ctl\x01\x1f\x7f\b\f\r\n.txt",
                           "a long name \"with\" quotes\\ and caf\xc3\xa9s \xe2\x80\x94 \xf0\x9f\x98\x80 at the end.txt",
                           "latin\xe9.txt", "overlong name here: \xc0\x80.txt", "surrogate name here \xed\xa0\x80",
                           "cut short at the end \xe2\x80"};
    const size_t n_valid = 3;
    for (size_t k = 0; k < sizeof names / sizeof *names; k++) {
        hm_analyze_options ao = {HM_ANALYZE_OPTIONS_VERSION, names[k], NULL, 0};
        hm_error err = {0};
        hm_result *r = hm_analyze(cfg, text, strlen(text), &ao, &err);
        assert_non_null(r);
        char *line = NULL;
        assert_int_equal(hm_render_json(r, 0, append, &line), 0);
        size_t n = strlen(line);
        assert_true(n > 2 && line[n - 1] == '\n');
        line[n - 1] = '\0';
        json_error_t jerr;
        json_t *parsed = json_loads(line, 0, &jerr);
        assert_non_null(parsed);
        char *again = json_dumps(parsed, JSON_COMPACT);
        assert_string_equal(again, line);
        assert_true((json_object_get(parsed, "file") != NULL) == (k < n_valid));
        free(again);
        json_decref(parsed);
        free(line);
        hm_result_free(r);
    }
}

/* The findings as jansson gives them from the accessors (how the report
 * was built before it was written directly). */
static json_t *findings_by_jansson(const hm_result *r)
{
    size_t text_len;
    const char *text = hm_result_text(r, &text_len);
    json_t *a = json_array();
    for (size_t i = 0; i < hm_result_finding_count(r); i++) {
        const hm_finding *f = hm_result_finding(r, i);
        json_t *o = json_object();
        json_object_set_new(o, "rule", json_string(f->rule));
        json_object_set_new(o, "kind", json_string(hm_kind_name(f->kind)));
        json_object_set_new(o, "text", json_stringn(text + f->start, f->end - f->start));
        json_object_set_new(o, "start", json_integer((json_int_t)f->start));
        json_object_set_new(o, "end", json_integer((json_int_t)f->end));
        json_object_set_new(o, "line", json_integer(f->line));
        json_object_set_new(o, "column", json_integer(f->column));
        json_object_set_new(o, "paragraph", json_integer(f->paragraph));
        json_object_set_new(o, "message", json_string(f->message));
        if (f->tag)
            json_object_set_new(o, "tag", json_string(f->tag));
        if (f->suggestion)
            json_object_set_new(o, "suggestion", json_string(f->suggestion));
        if (f->canonical)
            json_object_set_new(o, "name", json_string(f->canonical));
        json_array_append_new(a, o);
    }
    return a;
}

/* A finding's members around its text are copied from the first finding
 * with the same strings, its text is read in blocks up to the essay's end
 * and its numbers are written without printf: the findings must still be
 * what jansson gives, here for essays with many findings of a rule, names
 * that differ under one rule, numbers past four digits, and a quotation
 * with escapes that ends where the essay does. */
static void json_findings_are_what_jansson_gives(void **state)
{
    (void)state;
    hm_result *results[3] = {
        analyze_sample("blind10k-germany-l5-weimar.txt"),
        analyze_sample("blind-tudor-l5-mary.txt"),
        analyze("How far was Stalin responsible for the purges of 1936-38?\n\n"
                "In 1936 Stalin began the show trials; Bukharin said \"I am guilty\" in 1938, and by 1939 "
                "about 680,000 had been shot. Trotsky wrote that \"the \\ purges\tended the revolution\""),
    };
    for (size_t k = 0; k < sizeof results / sizeof *results; k++) {
        hm_result *r = results[k];
        assert_true(hm_result_finding_count(r) > 0);
        char *line = NULL;
        assert_int_equal(hm_render_json(r, 0, append, &line), 0);
        json_error_t jerr;
        json_t *parsed = json_loads(line, 0, &jerr);
        assert_non_null(parsed);
        char *got = json_dumps(json_object_get(parsed, "findings"), JSON_COMPACT);
        json_t *expected = findings_by_jansson(r);
        char *want = json_dumps(expected, JSON_COMPACT);
        assert_string_equal(got, want);
        assert_non_null(strstr(line, want)); /* and written as jansson writes it */
        free(got);
        free(want);
        json_decref(expected);
        json_decref(parsed);
        free(line);
        hm_result_free(r);
    }
}

/* "by 1509" names an end only; "caused by ... (1536)" names one year and no
 * period, so the evidence is not held to the pack's whole span. */
static void question_period_is_read_from_its_years(void **state)
{
    (void)state;
    const hm_lists *lists = &((const struct hm_config *)cfg)->lists;
    struct { const char *q; int start, end; } cases[] = {
        {"To what extent did Stalin's power over the Party change between 1928-53?", 1928, 1953},
        {"How far did Henry VII secure the Tudor dynasty by 1509?", 0, 1509},
        {"How far was Brown v Board of Education successful by the end of 1968?", 0, 1968},
        {"To what extent was the Pilgrimage of Grace (1536) caused by religious grievances?", 1536, 1536},
        {"How successful was Elizabeth I's foreign policy?", 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        hm_question q;
        hm_question_parse(&q, cases[i].q, strlen(cases[i].q), lists);
        assert_int_equal(q.start_year, cases[i].start);
        assert_int_equal(q.end_year, cases[i].end);
    }
}

/* A date's years, run of digits by run: four digits make a year (not after
 * a comma, not in a longer run), a range's end is read with it and is no
 * year of its own, a decade counts as its middle. */
static void date_years_are_read_run_by_run(void **state)
{
    (void)state;
    struct { const char *text; bool found; int first, last; } cases[] = {
        {"1928-53", true, 1928, 1953},       {"1928\xE2\x80\x93" "1953", true, 1928, 1953},
        {"1928/9", true, 1928, 1929},        {"the 1930s", true, 1935, 1935},
        {"3,1928", false, 0, 0},             {"12345", false, 0, 0},
        {"1914-1918-1920", true, 1914, 1920}, {"1928- 1930", true, 1928, 1930},
        {"1950s-60s", true, 1955, 1955},     {"1850-2080", true, 1850, 1850},
        {"1,000 men in 1917", true, 1917, 1917}, {"2100", false, 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        int first = 0, last = 0;
        assert_int_equal(hm_date_years(cases[i].text, strlen(cases[i].text), &first, &last), cases[i].found);
        assert_int_equal(first, cases[i].first);
        assert_int_equal(last, cases[i].last);
    }
}

/* A question's phrases are found at word starts only, any case, after any
 * punctuation, in a question of any length (a long one's starts are kept on
 * the heap), and say what the question weighs. */
static void question_type_and_weighs_are_read_at_word_starts(void **state)
{
    (void)state;
    const hm_lists *lists = &((const struct hm_config *)cfg)->lists;
    struct { const char *q; hm_question_type type; const char *weighs; } cases[] = {
        {"'How far' did policy CHANGE in the years 1928-41?", HM_Q_EXTENT, "change and continuity"},
        {"How successful was Elizabeth I's foreign policy?", HM_Q_SUCCESS, "successes and failures"},
        {"Assess the unsuccessfulness of the plan.", HM_Q_OTHER, HM_QUESTION_WEIGHS_NONE},
        {"", HM_Q_OTHER, HM_QUESTION_WEIGHS_NONE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        hm_question q;
        hm_question_parse(&q, cases[i].q, strlen(cases[i].q), lists);
        assert_int_equal(q.type, cases[i].type);
        assert_string_equal(q.weighs, cases[i].weighs);
    }
    char long_q[600];
    memset(long_q, 'x', sizeof long_q);
    memcpy(long_q + sizeof long_q - 29, " to what extent did it change", 29);
    hm_question q;
    hm_question_parse(&q, long_q, sizeof long_q, lists);
    assert_int_equal(q.type, HM_Q_EXTENT);
    assert_string_equal(q.weighs, "change and continuity");
}

/* A configuration that interprets its patterns (for one quick analysis)
 * finds and marks exactly what a JIT-compiled one does. */
static void interpreted_config_gives_the_same_report(void **state)
{
    (void)state;
    static const char text[] =
        "To what extent was the Treaty of Versailles (1919) the main cause of Weimar's problems?\n\n"
        "In 1923 the Ruhr was occupied by about 60,000 French and Belgian troops, so hyperinflation "
        "followed: by November a loaf cost 200 billion marks. However, Stresemann ended passive "
        "resistance, which was more significant than the treaty itself.\n\n"
        "In conclusion, the treaty was only partly responsible.\n";
    hm_config_options o = {HM_CONFIG_OPTIONS_VERSION, NULL, NULL, NULL, NULL, HM_CONFIG_INTERPRET};
    hm_error err = {0};
    hm_config *slow_start = hm_config_load(&o, &err);
    assert_non_null(slow_start);
    char *lines[2] = {NULL, NULL};
    const hm_config *cfgs[2] = {cfg, slow_start};
    for (size_t k = 0; k < 2; k++) {
        hm_result *r = hm_analyze(cfgs[k], text, strlen(text), NULL, &err);
        assert_non_null(r);
        assert_int_equal(hm_render_json(r, 0, append, &lines[k]), 0);
        hm_result_free(r);
    }
    assert_string_equal(lines[0], lines[1]);
    assert_non_null(strstr(lines[0], "200 billion"));
    free(lines[0]);
    free(lines[1]);
    hm_config_free(slow_start);
}

/* A question's key term with an accent ("détente") links the paragraphs that
 * use it, as a plain one does. */
static void accented_question_terms_link_paragraphs(void **state)
{
    (void)state;
    static const char text[] =
        "How successful was d\xc3\xa9tente in the years 1969-79?\n\n"
        "D\xc3\xa9tente began with Brandt's Ostpolitik and the SALT talks.\n\n"
        "The d\xc3\xa9tente of the 1970s brought the SALT I treaty in 1972 and the Helsinki Accords in 1975.\n\n"
        "The Soviet invasion of Afghanistan in 1979 ended d\xc3\xa9tente.\n\n"
        "Overall, d\xc3\xa9tente was only a limited success.\n";
    hm_result *r = analyze(text);
    double links = -1;
    assert_int_equal(hm_result_feature(r, "question_link_share", &links), 1);
    assert_true(links > 0.99);
    hm_result_free(r);
}

/* The question_link_share of an essay asking how far `cause` brought the
 * famine, whose second and fourth paragraphs (and the last words) name
 * `second` and `fourth`. */
static double famine_link_share(const char *cause, const char *second, const char *fourth)
{
    char text[1024];
    snprintf(text, sizeof text,
             "How far was %s responsible for the famine of 1932-33?\n\n"
             "This essay weighs the grain procurements against the weather.\n\n"
             "%s took the grain from the villages in 1930 and the peasants resisted.\n\n"
             "The harvest failed in Ukraine and many people died in 1932.\n\n"
             "Stalin blamed the kulaks for the %s of those years, not the weather.\n\n"
             "In the end it was %s",
             cause, second, fourth, second);
    hm_result *r = analyze(text);
    double share = -1;
    assert_int_equal(hm_result_feature(r, "question_link_share", &share), 1);
    hm_result_free(r);
    return share;
}

/* A key term matches a word whatever the case of its ASCII letters, for
 * stems of up to eight bytes and longer ("collectivisat", "famin"), and at
 * the end of the text; other bytes are compared as they are (an 'É' is not
 * an 'é', though their second bytes differ by the bit a letter's case is). */
static void key_terms_match_whatever_the_case(void **state)
{
    (void)state;
    const char *cause = "collectivisation";
    double none = famine_link_share(cause, "Requisitioning", "hunger");
    double lower = famine_link_share(cause, "collectivisation", "famines");
    assert_true(lower > none);
    assert_true(famine_link_share(cause, "COLLECTIVISATION", "FAMINES") == lower);
    assert_true(famine_link_share(cause, "CoLLectiVISATION", "Famine") == lower);
    /* "d\xc3\xa9tente" against "D\xc3\x89TENTE" (0xA9 and 0x89) */
    cause = "d\xc3\xa9tente";
    assert_true(famine_link_share(cause, "D\xc3\xa9TENTE", "d\xc3\xa9tente") == lower);
    assert_true(famine_link_share(cause, "D\xc3\x89TENTE", "D\xc3\x89tente") == none);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dates_in_every_form),
        cmocka_unit_test(figures_but_not_years_or_small_counts),
        cmocka_unit_test(people_with_possessives_and_historians),
        cmocka_unit_test(people_without_a_topic_pack),
        cmocka_unit_test(misspelt_names_get_suggestions),
        cmocka_unit_test(dates_checked_against_the_pack),
        cmocka_unit_test(deaths_checked_against_the_pack),
        cmocka_unit_test(missing_kinds_of_evidence_named),
        cmocka_unit_test(events_from_the_topic_pack),
        cmocka_unit_test(quotations_not_scare_quotes),
        cmocka_unit_test(argument_language),
        cmocka_unit_test(positions_are_bytes_lines_and_code_point_columns),
        cmocka_unit_test(website_text_is_flagged_and_left_out),
        cmocka_unit_test(notes_are_not_an_essay),
        cmocka_unit_test(empty_input_gets_a_result_and_mark_zero),
        cmocka_unit_test(json_report_is_jansson_compact),
        cmocka_unit_test(json_findings_are_what_jansson_gives),
        cmocka_unit_test(question_period_is_read_from_its_years),
        cmocka_unit_test(date_years_are_read_run_by_run),
        cmocka_unit_test(question_type_and_weighs_are_read_at_word_starts),
        cmocka_unit_test(interpreted_config_gives_the_same_report),
        cmocka_unit_test(accented_question_terms_link_paragraphs),
        cmocka_unit_test(key_terms_match_whatever_the_case),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
