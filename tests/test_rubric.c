/* The rubric cannot be gamed: length alone, or judgement words without
 * evidence, do not lift an essay out of the lower levels; stock phrases far
 * from evidence do not lift analysis; an essay that argues in plain words
 * with evidence is not held at Level 2. */
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

#include "histmark.h"
#include "util.h"

#include "support.h"
#include "rubric.h"
#include <math.h>

static const char *const narrative[] = {
    "In 1917 the Bolsheviks took power in Petrograd. Lenin led the new government and Trotsky led the Red Army. "
    "The Civil War lasted until 1921 and about 8 million people died.",
    "In 1921 Lenin introduced the New Economic Policy. Small traders returned and the peasants sold grain. "
    "In 1922 Stalin became General Secretary of the Party.",
    "Lenin died in January 1924. Stalin spoke at his funeral. Trotsky was ill in the south and did not attend.",
    "In 1925 Zinoviev and Kamenev attacked Stalin. In 1926 they joined Trotsky in the United Opposition. "
    "In 1927 Trotsky was expelled from the Party.",
    "In 1928 Stalin turned on Bukharin. The first Five Year Plan began in 1928 and collectivisation began in 1929. "
    "Over 1,500 new factories were built.",
    "In 1932 and 1933 famine struck Ukraine and around 5 million people died. Kirov was shot on 1 December 1934.",
    "The show trials began in 1936. Zinoviev and Kamenev were shot in August 1936. Bukharin was shot in 1938.",
    "Germany invaded on 22 June 1941. Leningrad was besieged for 872 days. Stalingrad was won in February 1943.",
};

/* The narrative paragraphs six times over under a question: 48 paragraphs. */
static hm_result *analyze_long_narrative(void)
{
    hm_buf b = {0};
    hm_buf_puts(&b, "To what extent did Stalin's power change in the years 1924-41?\n\n");
    for (int rep = 0; rep < 6; rep++)
        for (size_t i = 0; i < sizeof narrative / sizeof *narrative; i++)
            hm_buf_printf(&b, "%s\n\n", narrative[i]);
    hm_result *r = analyze(b.data);
    hm_buf_free(&b);
    return r;
}

static void long_narrative_stays_low(void **state)
{
    (void)state;
    hm_result *r = analyze_long_narrative();
    assert_true(hm_result_words(r) > 900);
    assert_true(hm_result_level(r) <= 2);
    hm_result_free(r);
}

/* Feedback a student can act on: on an essay of 48 paragraphs no gap lists
 * them all, and no strand says the same thing in more than two gaps (the
 * shipped rubric's max_gaps_per_strand). */
static void gaps_stay_short_and_varied_on_a_long_essay(void **state)
{
    (void)state;
    hm_result *r = analyze_long_narrative();
    bool cut_short = false;
    for (size_t i = 0; i < hm_result_gap_count(r); i++) {
        const hm_note *g = hm_result_gap(r, i);
        size_t commas = 0;
        for (const char *c = g->text; *c; c++)
            commas += *c == ',';
        assert_true(commas < 8);
        cut_short |= strstr(g->text, " others") != NULL;
        size_t same_strand = 0;
        for (size_t j = 0; g->strand && j < hm_result_gap_count(r); j++)
            same_strand += hm_result_gap(r, j)->strand && strcmp(hm_result_gap(r, j)->strand, g->strand) == 0;
        assert_true(same_strand <= 2);
    }
    assert_true(cut_short);
    hm_result_free(r);
}

/* A name misspelt five times is one piece of advice, with its count. */
static void a_repeated_misspelling_is_named_once(void **state)
{
    (void)state;
    hm_buf b = {0};
    hm_buf_puts(&b, "How far was Stalin's rise to power in the years 1924-29 due to his rivals' mistakes?\n\n"
                    "Trotsky, Zinoviev and Bukharin all misjudged Stalin, the General Secretary, after Lenin died "
                    "in 1924.\n\n");
    for (int i = 0; i < 5; i++)
        hm_buf_printf(&b, "In 192%d Kamanev made another mistake, because he underestimated Stalin.\n\n", i + 4);
    hm_result *r = analyze(b.data);
    const hm_note *spelling = NULL;
    for (size_t i = 0; i < hm_result_gap_count(r); i++)
        if (strcmp(hm_result_gap(r, i)->feature, "misspelt_names") == 0)
            spelling = hm_result_gap(r, i);
    assert_non_null(spelling);
    assert_non_null(strstr(spelling->text, "Kamanev (Kamenev, 5 times)"));
    assert_null(strstr(strstr(spelling->text, "Kamanev") + 1, "Kamanev"));
    hm_result_free(r);
    hm_buf_free(&b);
}

/* Praise for evidence quotes it with the words that lead to it, so the
 * student sees which use of a date was meant: not just "1939". */
static void evidence_is_praised_in_its_words(void **state)
{
    (void)state;
    hm_result *r = analyze_sample("blind18a-russia-l3-war.txt");
    const hm_note *praise = NULL;
    for (size_t i = 0; i < hm_result_strength_count(r); i++)
        if (strcmp(hm_result_strength(r, i)->feature, "evidence_paragraph_share") == 0)
            praise = hm_result_strength(r, i);
    assert_non_null(praise);
    assert_non_null(strstr(praise->text, "\"he believed Hitler would not break the Nazi-Soviet Pact of 1939\""));
    assert_int_equal(praise->paragraph, 2);
    hm_result_free(r);
}

/* What to weigh comes from the question: a change question is told to weigh
 * change and continuity, a success question successes and failures, not
 * "the factors". */
static void the_question_says_what_to_weigh(void **state)
{
    (void)state;
    static const struct {
        const char *question, *weighs;
    } cases[] = {
        {"How far did collectivisation change the lives of the peasants in the years 1928-41?",
         "Weigh change and continuity against each other"},
        {"How successful was collectivisation in the years 1928-41?", "Weigh successes and failures against each other"},
    };
    const char *body = "Collectivisation succeeded only partially, measured by grain and by human cost. This essay "
                       "will argue that its success was limited.\n\n"
                       "Grain procurements rose from 10.8 million tons in 1928 to 22.8 million in 1933, because "
                       "the state took grain by force; this was a fundamental success for Stalin.\n\n"
                       "However, about 5 million people died in the famine of 1932-33, and livestock fell by half, "
                       "so the success was partial.\n\n"
                       "In conclusion, collectivisation succeeded to a limited extent.\n";
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        hm_buf b = {0};
        hm_buf_printf(&b, "%s\n\n%s", cases[c].question, body);
        hm_result *r = analyze(b.data);
        bool said = false, factors = false;
        for (size_t i = 0; i < hm_result_gap_count(r); i++) {
            said |= strstr(hm_result_gap(r, i)->text, cases[c].weighs) != NULL;
            factors |= strstr(hm_result_gap(r, i)->text, "the factors") != NULL;
        }
        assert_true(said);
        assert_false(factors);
        hm_result_free(r);
        hm_buf_free(&b);
    }
}

/* No two strengths quote overlapping words: a judgement and the sentence
 * that holds it are one passage, praised once. */
static void strengths_quote_different_passages(void **state)
{
    (void)state;
    hm_result *r = analyze_sample("blind19a-tudor-l2-northernrising.txt");
    size_t quoting = 0;
    for (size_t i = 0; i < hm_result_strength_count(r); i++) {
        const hm_note *a = hm_result_strength(r, i);
        if (a->end <= a->start || !strchr(a->text, '"'))
            continue;
        quoting++;
        for (size_t j = i + 1; j < hm_result_strength_count(r); j++) {
            const hm_note *o = hm_result_strength(r, j);
            if (o->end > o->start && strchr(o->text, '"'))
                assert_false(o->start < a->end && a->start < o->end);
        }
    }
    assert_true(quoting >= 1);
    hm_result_free(r);
}

static void judgement_words_without_evidence_stay_low(void **state)
{
    (void)state;
    const char *p = "This was fundamental and decisive, but also partial and superficial to some extent, "
                    "because it was more important than anything else and therefore the most significant "
                    "factor. However, on the other hand, it outweighed the others, which meant that it "
                    "was crucial and, as a result, it was to a great extent a turning point.";
    hm_buf b = {0};
    hm_buf_puts(&b, "To what extent did Stalin's power change in the years 1924-41?\n\n");
    for (int i = 0; i < 5; i++)
        hm_buf_printf(&b, "%s\n\n", p);
    hm_buf_puts(&b, "In conclusion, overall the change was fundamental and partial to some extent.\n");
    hm_result *r = analyze(b.data);
    assert_true(hm_result_level(r) <= 2);
    hm_result_free(r);
    hm_buf_free(&b);
}

static void a_tenth_judgement_word_adds_nothing(void **state)
{
    (void)state;
    const char *base = "How far did collectivisation succeed in the years 1928-41?\n\n"
                       "Collectivisation succeeded only partially, measured by grain and by human cost. This essay will argue "
                       "that its success was limited.\n\n"
                       "Grain procurements rose from 10.8 million tons in 1928 to 22.8 million in 1933, because "
                       "the state took grain by force; this was a fundamental success for Stalin.\n\n"
                       "However, about 5 million people died in the famine of 1932-33, and livestock fell by half, "
                       "so the success was partial.\n\n"
                       "In conclusion, collectivisation succeeded to a limited extent.\n";
    hm_result *r1 = analyze(base);
    hm_buf b = {0};
    hm_buf_puts(&b, base);
    /* Same essay with judgement words piled into the grain paragraph. */
    char *at = strstr(b.data, "this was a fundamental");
    assert_non_null(at);
    hm_buf c = {0};
    hm_buf_put(&c, b.data, (size_t)(at - b.data));
    hm_buf_puts(&c, "this was decisive, crucial, vital, pivotal, fundamental, highly significant and largely ");
    hm_buf_puts(&c, at);
    hm_result *r2 = analyze(c.data);
    assert_int_equal(hm_result_level(r2), hm_result_level(r1));
    assert_true(hm_result_mark(r2) - hm_result_mark(r1) <= 1);
    hm_result_free(r1);
    hm_result_free(r2);
    hm_buf_free(&b);
    hm_buf_free(&c);
}

static void marks_stay_inside_the_level_band(void **state)
{
    (void)state;
    hm_result *r = analyze("How far did the NEP solve Russia's problems by 1928?\n\n"
                           "The NEP of 1921 restored trade, and by 1926 grain output had recovered to pre-war levels. "
                           "However, industry grew slowly because private traders, the Nepmen, served the towns "
                           "while the state kept the commanding heights, so the problem of investment remained.\n");
    int level = hm_result_level(r), mark = hm_result_mark(r);
    assert_true(level >= 1 && level <= 5);
    assert_true(mark >= 4 * level - 3 && mark <= 4 * level);
    assert_int_equal(hm_result_out_of(r), 20);
    hm_result_free(r);
}


static int strand_level(const hm_result *r, const char *id)
{
    for (size_t i = 0; i < hm_result_strand_count(r); i++)
        if (strcmp(hm_result_strand(r, i)->id, id) == 0)
            return hm_result_strand(r, i)->level;
    fail_msg("no strand %s", id);
    return -1;
}

/* A mid-level essay: evidence, some explanation, a descriptive passage. */
static const char *const middling =
    "How far was the Great Depression the main reason for Hitler becoming Chancellor in January 1933?\n\n"
    "The Depression was an important reason for Hitler becoming Chancellor, but it was not the only one. "
    "The backstairs intrigue of 1932 also mattered.\n\n"
    "The Wall Street Crash came in October 1929. American loans were recalled. By 1932 about 6 million Germans "
    "were unemployed. Many banks failed in 1931. This meant that voters lost faith in the Weimar parties and "
    "turned to the Nazis, whose vote rose from 2.6% in 1928 to 37% in July 1932.\n\n"
    "Hindenburg appointed Bruning in March 1930. Bruning ruled by decree under Article 48. Papen replaced him "
    "in June 1932. Schleicher replaced Papen in December 1932. Papen then met Hitler in January 1933.\n\n"
    "Propaganda also helped the Nazis because Goebbels used rallies, posters and radio to reach voters, so the "
    "party looked strong and modern.\n\n"
    "In conclusion, the Depression was the main reason, because without it the Nazis would have stayed small.\n";

static void stock_phrases_without_evidence_do_not_lift_analysis(void **state)
{
    (void)state;
    hm_result *r1 = analyze(middling);
    hm_buf b = {0};
    const char *concl = strstr(middling, "In conclusion");
    hm_buf_put(&b, middling, (size_t)(concl - middling));
    for (int i = 0; i < 3; i++)
        hm_buf_puts(&b, "This suggests that the factors were linked, which meant that each one shaped the "
                        "others. It is difficult to argue otherwise, and this reading points the same way: the "
                        "real weakness was not one thing but several, and this matters for the question.\n\n");
    hm_buf_puts(&b, concl);
    hm_result *r2 = analyze(b.data);
    double a1, a2;
    assert_true(hm_result_feature(r1, "argued_sentence_share", &a1));
    assert_true(hm_result_feature(r2, "argued_sentence_share", &a2));
    assert_true(a2 <= a1); /* arguing far from any evidence earns nothing */
    assert_true(strand_level(r2, "analysis") <= strand_level(r1, "analysis"));
    assert_true(strand_level(r2, "judgement") <= strand_level(r1, "judgement"));
    hm_result_free(r1);
    hm_result_free(r2);
    hm_buf_free(&b);
}

static void a_descriptive_passage_is_named_with_its_years(void **state)
{
    (void)state;
    hm_result *r = analyze(middling);
    double v;
    assert_true(hm_result_feature(r, "narrative_passage_share", &v));
    assert_true(v > 0);
    hm_result_free(r);
    /* A narrative sample: the gap names the paragraph, its years and the
     * question's concept it never addresses. */
    r = analyze_sample("blind-germany-l2-long-narrative.txt");
    bool named = false;
    for (size_t i = 0; i < hm_result_gap_count(r); i++)
        named |= strstr(hm_result_gap(r, i)->text, "paragraph 6 narrates the events of 1932") != NULL &&
                 hm_result_gap(r, i)->paragraph == 6;
    assert_true(named);
    hm_result_free(r);
}

/* A sound essay that argues in plain words, with few stock phrases. */
static void plain_words_argument_with_evidence_is_not_level_2(void **state)
{
    (void)state;
    hm_result *r = analyze(
        "How far was the Marshall Plan responsible for the division of Europe in the years 1945-49?\n\n"
        "The Marshall Plan did not divide Europe on its own. The split had begun before June 1947, in the way "
        "the Red Army ran the lands it occupied, and it was sealed by the Berlin Blockade. What the Plan did was "
        "force every government to choose a side, and that turned a drift into a line across the continent.\n\n"
        "Soviet control of Eastern Europe came first. In Poland the Lublin Committee was installed in 1944 and the "
        "January 1947 election was rigged, and in Romania a government led by Petru Groza was imposed in March "
        "1945. In Hungary the Smallholders' leader Ferenc Nagy was forced out of office in May 1947. "
        "Churchill spoke of an iron curtain at Fulton in March 1946, more than a year before Marshall spoke "
        "at Harvard. A continent where half the governments answered to Moscow was already divided in practice, "
        "so the Plan cannot be the first cause.\n\n"
        "The Plan changed the character of that division. Marshall offered aid to all of Europe, Molotov walked "
        "out of the Paris talks in July 1947, and Czechoslovakia was made to withdraw its acceptance. The offer "
        "worked as a test of loyalty: any state that took American dollars would be tied to the Western economy. "
        "Stalin answered with the Cominform in September 1947 and the Molotov Plan, and the communist coup in "
        "Prague in February 1948 removed the last government in the east that had tried to stand between the "
        "blocs. The Plan did not create the Soviet sphere, but it made the line between the spheres fixed.\n\n"
        "Germany is where the line became permanent. The Americans and British merged their zones into Bizonia "
        "in January 1947, and the new Deutschmark of June 1948 carried Marshall money into the western zones. "
        "The Soviet zone answered with a currency reform of its own within days. "
        "Stalin read the currency reform as the start of a separate West German state, and he blockaded Berlin "
        "for 318 days. The airlift beat the blockade, but by May 1949 the Federal Republic existed, and the German "
        "Democratic Republic followed in October 1949. Without the Plan the western zones would not have been "
        "rebuilt so fast, yet the quarrel over Germany had its own roots in reparations and security.\n\n"
        "Washington's own motives point the same way. Some $13 billion went to sixteen western states between "
        "1948 and 1952, shared out by the Organisation for European Economic Co-operation from April 1948. The "
        "planners feared that hunger would carry the large communist parties of France and Italy into office, so "
        "taking the aid was a political choice as well as an economic one. Much of the money bought food, fuel and "
        "raw materials rather than machines.\n\n"
        "Britain's part points the same way. Bevin pressed for a joint European answer within days of "
        "Marshall's speech, and the Brussels Treaty of March 1948 bound Britain, France, Belgium, the "
        "Netherlands and Luxembourg to defend one another. A western bloc was being built from below as well "
        "as from Washington, so the Plan was one of several forces that drew the line, not the only one.\n\n"
        "Stalin's aims also deserve weight. He wanted a buffer after losing some 20 million people in the war, "
        "and he would not allow free elections that his allies were bound to lose. No American offer could have "
        "reconciled that aim with the open economies Washington wanted. That is why the Plan sharpened the "
        "division rather than started it.\n\n"
        "In conclusion, the Marshall Plan was responsible for the division only to a limited extent. Soviet "
        "control of the east made a split likely from 1945, and the Plan turned it into two economic blocs; "
        "Berlin and the two German states of 1949 then made the division permanent.\n");
    assert_true(hm_result_level(r) >= 3);
    assert_true(strand_level(r, "analysis") >= 3);
    hm_result_free(r);
}

/* A one-strand rubric with the usual five bands, and features that are all
 * measured (an essay of 900 words), for the scoring tests below. */
static void one_strand_rubric(hm_rubric *r, hm_strand_def *strand, double near_miss, double mark_at_level)
{
    *r = (hm_rubric){.out_of = 20, .max_above_lowest = 5, .min_words = 0, .near_miss = near_miss,
                     .mark_at_level = mark_at_level};
    for (int l = 0; l < 5; l++)
        r->bands[l] = (hm_band){4 * l + 1, 4 * l + 4, NULL};
    r->strands = strand;
    r->n_strands = 1;
}

static void measured_features(hm_features *fs)
{
    memset(fs, 0, sizeof *fs);
    for (int i = 0; i < HM_F_COUNT; i++)
        fs->f[i].available = true;
    fs->f[HM_F_WORDS].value = 900;
}

/* Best fit: one requirement within near_miss of its threshold still lets the
 * level count; two short, or one far short, do not. */
static void a_near_miss_still_fits_the_level(void **state)
{
    (void)state;
    hm_cond reqs[2] = {
        {.feature = HM_F_ARGUED_SENTENCES, .min = 0.3, .max = HUGE_VAL},
        {.feature = HM_F_EVIDENCE_SHARE, .min = 0.5, .max = HUGE_VAL},
    };
    hm_strand_def strand = {.id = "analysis", .name = "Analysis", .weight = 1};
    strand.levels[1] = (hm_level_def){2, NULL, reqs, 2};
    for (int l = 2; l < 5; l++)
        strand.levels[l] = (hm_level_def){l + 1, NULL, reqs, 2}; /* unreachable above 2 in effect */
    hm_rubric r;
    one_strand_rubric(&r, &strand, 0.9, 1);
    hm_features fs;
    measured_features(&fs);
    int levels[1], level, mark;
    double progress[1];

    fs.f[HM_F_ARGUED_SENTENCES].value = 0.28; /* 93% of 0.3 */
    fs.f[HM_F_EVIDENCE_SHARE].value = 0.6;
    hm_rubric_levels(&r, &fs, levels, progress, &level, &mark, NULL);
    assert_int_equal(levels[0], 5);

    r.near_miss = 1; /* every clause must hold */
    hm_rubric_levels(&r, &fs, levels, progress, &level, &mark, NULL);
    assert_int_equal(levels[0], 1);

    r.near_miss = 0.9;
    fs.f[HM_F_ARGUED_SENTENCES].value = 0.2; /* far short */
    hm_rubric_levels(&r, &fs, levels, progress, &level, &mark, NULL);
    assert_int_equal(levels[0], 1);

    fs.f[HM_F_ARGUED_SENTENCES].value = 0.28; /* two short at once */
    fs.f[HM_F_EVIDENCE_SHARE].value = 0.48;
    hm_rubric_levels(&r, &fs, levels, progress, &level, &mark, NULL);
    assert_int_equal(levels[0], 1);
}

/* The mark within the band: a strand that just meets the level starts at
 * mark_at_level (mid-band at 0.5) and rises with the share of the next
 * level's requirements it meets; at the top level, with how many of its
 * requirements it clears by the near-miss margin. */
static void the_mark_rises_within_the_band_with_reach_beyond_the_level(void **state)
{
    (void)state;
    hm_cond l3[1] = {{.feature = HM_F_EVIDENCE_SHARE, .min = 0.5, .max = HUGE_VAL}};
    hm_cond l4[2] = {
        {.feature = HM_F_EVIDENCE_SHARE, .min = 0.75, .max = HUGE_VAL},
        {.feature = HM_F_ARGUED_SENTENCES, .min = 0.4, .max = HUGE_VAL},
    };
    hm_cond never[1] = {{.feature = HM_F_EVIDENCE_SHARE, .min = 2, .max = HUGE_VAL}};
    hm_strand_def strand = {.id = "knowledge", .name = "Knowledge", .weight = 1};
    strand.levels[1] = (hm_level_def){2, NULL, NULL, 0};
    strand.levels[2] = (hm_level_def){3, NULL, l3, 1};
    strand.levels[3] = (hm_level_def){4, NULL, l4, 2};
    strand.levels[4] = (hm_level_def){5, NULL, never, 1};
    hm_rubric r;
    one_strand_rubric(&r, &strand, 1, 0.5);
    hm_features fs;
    measured_features(&fs);
    int levels[1], level, mark;
    double progress[1];

    fs.f[HM_F_EVIDENCE_SHARE].value = 0.6; /* Level 3, nothing of Level 4 */
    hm_rubric_levels(&r, &fs, levels, progress, &level, &mark, NULL);
    assert_int_equal(level, 3);
    assert_int_equal(mark, 10); /* 9 + floor(3 x 0.5) */

    fs.f[HM_F_ARGUED_SENTENCES].value = 0.5; /* half of Level 4 */
    hm_rubric_levels(&r, &fs, levels, progress, &level, &mark, NULL);
    assert_int_equal(level, 3);
    assert_int_equal(mark, 11); /* 9 + floor(3 x 0.75) */

    r.mark_at_level = 1; /* the old rule: meeting the level is the top of the band */
    fs.f[HM_F_ARGUED_SENTENCES].value = 0;
    hm_rubric_levels(&r, &fs, levels, progress, &level, &mark, NULL);
    assert_int_equal(mark, 12);

    /* The top level: secure when it clears its threshold by the margin. */
    hm_cond l5[1] = {{.feature = HM_F_ARGUED_SENTENCES, .min = 0.5, .max = HUGE_VAL}};
    r.mark_at_level = 0.5;
    r.near_miss = 0.9;
    strand.levels[4] = (hm_level_def){5, NULL, l5, 1};
    fs.f[HM_F_EVIDENCE_SHARE].value = 0.8;
    fs.f[HM_F_ARGUED_SENTENCES].value = 0.52; /* meets 0.5, not 0.5 / 0.9 */
    hm_rubric_levels(&r, &fs, levels, progress, &level, &mark, NULL);
    assert_int_equal(level, 5);
    assert_int_equal(mark, 18);
    fs.f[HM_F_ARGUED_SENTENCES].value = 0.6;
    hm_rubric_levels(&r, &fs, levels, progress, &level, &mark, NULL);
    assert_int_equal(mark, 20);
}

/* The shipped rubric: an essay that meets every strand's requirements in
 * 750 words is held at Level 3 when only a few of its sentences argue, and
 * at Level 4 (the 900-word cap) when it argues throughout. */
static void a_brief_thinly_argued_essay_is_held_at_level_3(void **state)
{
    (void)state;
    const hm_rubric *rb = &cfg->rubric;
    hm_features fs;
    measured_features(&fs);
    /* Every requirement of every level met, at its threshold. */
    for (size_t s = 0; s < rb->n_strands; s++)
        for (int l = 0; l < 5; l++)
            for (size_t q = 0; q < rb->strands[s].levels[l].n_reqs; q++) {
                const hm_cond *c = &rb->strands[s].levels[l].reqs[q];
                if (c->min > -HUGE_VAL && fs.f[c->feature].value < c->min)
                    fs.f[c->feature].value = c->min;
            }
    fs.f[HM_F_WORDS].value = 750;
    int levels[8], level, mark;
    double progress[8];
    assert_true(rb->n_strands <= 8);

    fs.f[HM_F_ARGUED_COUNT].value = 20;
    hm_rubric_levels(rb, &fs, levels, progress, &level, &mark, NULL);
    assert_int_equal(level, 4);

    fs.f[HM_F_ARGUED_COUNT].value = 10;
    const hm_check *cap = NULL;
    hm_rubric_levels(rb, &fs, levels, progress, &level, &mark, &cap);
    assert_int_equal(level, 3);
    assert_non_null(cap);
    assert_non_null(strstr(cap->message, "{value} of its sentences"));

    fs.f[HM_F_WORDS].value = 1000; /* long enough: no cap, every strand at 5 */
    hm_rubric_levels(rb, &fs, levels, progress, &level, &mark, NULL);
    assert_int_equal(level, 5);
}

/* No question line: the opening sentence stands in for the question, so
 * links back to it are still checked, but the introduction is not credited
 * for using its own words. */
static void without_a_question_the_opening_sentence_gives_the_terms(void **state)
{
    (void)state;
    hm_result *r = analyze(
        "The collapse of the Weimar Republic was caused more by the Depression than by the weaknesses of its "
        "constitution.\n\n"
        "Unemployment rose above six million by early 1932. Banks failed in July 1931 and Brüning cut spending. "
        "The Depression made voters desperate, which explains the Nazi vote of 37 per cent in July 1932.\n\n"
        "Hindenburg appointed Hitler on 30 January 1933. Papen believed that he could control him.\n\n"
        "In conclusion, the Depression mattered more than the constitution.\n");
    assert_null(hm_result_question(r));
    double v = -1;
    assert_true(hm_result_feature(r, "question_link_share", &v));
    assert_true(v > 0.4 && v < 0.6); /* the Depression paragraph links; the Hitler one does not */
    assert_false(hm_result_feature(r, "introduction_question_terms", &v));
    hm_result_free(r);
}

/* The question's text is kept in the paragraphs' block: the question
 * paragraph on one line (its line break a space), or the question given
 * whole; the paragraphs beside it intact either way. */
static void the_question_is_kept_beside_the_paragraphs(void **state)
{
    (void)state;
    const char *text = "To what extent was the Depression\nthe cause of Hitler's rise?\n\n"
                       "Unemployment rose above six million by early 1932.\n\n"
                       "In conclusion, the Depression mattered more than the constitution.\n";
    hm_result *r = analyze(text);
    assert_string_equal(hm_result_question(r), "To what extent was the Depression the cause of Hitler's rise?");
    size_t n = hm_result_paragraph_count(r);
    assert_int_equal(n, 3);
    const hm_paragraph *last = hm_result_paragraph(r, n - 1);
    assert_int_equal(text[last->start], 'I');
    hm_result_free(r);

    hm_analyze_options opts = {.version = HM_ANALYZE_OPTIONS_VERSION, .question = "Given\nwhole?"};
    hm_error err = {0};
    r = hm_analyze(cfg, text, strlen(text), &opts, &err);
    assert_non_null(r);
    assert_string_equal(hm_result_question(r), "Given\nwhole?");
    assert_int_equal(hm_result_paragraph_count(r), 3);
    assert_int_equal(text[hm_result_paragraph(r, 1)->start], 'U');
    hm_result_free(r);
}

/* A conclusion without a stock opening: the last paragraph that ends on a
 * verdict and judges more than once is the conclusion; a last paragraph
 * that only narrates is not. */
static void a_conclusion_may_end_on_its_verdict(void **state)
{
    (void)state;
    const char *head =
        "How far was the Depression responsible for the collapse of the Weimar Republic?\n\n"
        "The Depression mattered, but the constitution and the elites mattered too.\n\n"
        "Unemployment rose above six million by early 1932, which explains the Nazi vote of 37 per cent in "
        "July 1932.\n\n"
        "Article 48 let Hindenburg govern by decree from 1930, so the Reichstag lost its power.\n\n";
    hm_buf b = {0};
    hm_buf_printf(&b, "%s%s", head,
                  "These causes worked together in 1932. The constitution was a weakness, but a partial one. "
                  "Of the three, the Depression was the most important, so the constitution was only partly to "
                  "blame.\n");
    hm_result *r = analyze(b.data);
    double v = 0;
    assert_true(hm_result_feature(r, "conclusion_present", &v));
    assert_true(v == 1);
    hm_result_free(r);
    b.len = 0;
    hm_buf_printf(&b, "%s%s", head, "Hitler became Chancellor on 30 January 1933. Hindenburg died in August 1934.\n");
    r = analyze(b.data);
    assert_true(hm_result_feature(r, "conclusion_present", &v));
    assert_true(v == 0);
    hm_result_free(r);
    hm_buf_free(&b);
}

/* A period written with an en dash ("1568–87") is not a key term, nor are
 * the question's framing words ("how accurate is it to say"). */
static void dashes_and_framing_words_are_not_key_terms(void **state)
{
    (void)state;
    hm_result *r = analyze("How accurate is it to say that Mary was a serious threat to Elizabeth in the years "
                           "1568\xe2\x80\x93" "87?\n\n"
                           "Mary was a serious threat to Elizabeth because Catholics plotted for her.\n\n"
                           "The Ridolfi plot of 1571 planned a Spanish invasion.\n\n"
                           "In conclusion, the threat was serious but contained.\n");
    double v = 0;
    assert_true(hm_result_feature(r, "introduction_question_terms", &v));
    assert_true(v == 1);
    hm_result_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(long_narrative_stays_low),
        cmocka_unit_test(gaps_stay_short_and_varied_on_a_long_essay),
        cmocka_unit_test(a_repeated_misspelling_is_named_once),
        cmocka_unit_test(evidence_is_praised_in_its_words),
        cmocka_unit_test(the_question_says_what_to_weigh),
        cmocka_unit_test(strengths_quote_different_passages),
        cmocka_unit_test(judgement_words_without_evidence_stay_low),
        cmocka_unit_test(a_tenth_judgement_word_adds_nothing),
        cmocka_unit_test(marks_stay_inside_the_level_band),
        cmocka_unit_test(stock_phrases_without_evidence_do_not_lift_analysis),
        cmocka_unit_test(a_descriptive_passage_is_named_with_its_years),
        cmocka_unit_test(plain_words_argument_with_evidence_is_not_level_2),
        cmocka_unit_test(a_near_miss_still_fits_the_level),
        cmocka_unit_test(the_mark_rises_within_the_band_with_reach_beyond_the_level),
        cmocka_unit_test(a_brief_thinly_argued_essay_is_held_at_level_3),
        cmocka_unit_test(without_a_question_the_opening_sentence_gives_the_terms),
        cmocka_unit_test(the_question_is_kept_beside_the_paragraphs),
        cmocka_unit_test(a_conclusion_may_end_on_its_verdict),
        cmocka_unit_test(dashes_and_framing_words_are_not_key_terms),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
