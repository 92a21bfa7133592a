/* The rubric cannot be gamed: length alone, or judgement words without
 * evidence, do not lift an essay out of the lower levels. */
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

static void long_narrative_stays_low(void **state)
{
    (void)state;
    hm_buf b = {0};
    hm_buf_puts(&b, "To what extent did Stalin's power change in the years 1924-41?\n\n");
    for (int rep = 0; rep < 6; rep++)
        for (size_t i = 0; i < sizeof narrative / sizeof *narrative; i++)
            hm_buf_printf(&b, "%s\n\n", narrative[i]);
    hm_result *r = analyze(b.data);
    assert_true(hm_result_words(r) > 900);
    assert_true(hm_result_level(r) <= 2);
    hm_result_free(r);
    hm_buf_free(&b);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(long_narrative_stays_low),
        cmocka_unit_test(judgement_words_without_evidence_stay_low),
        cmocka_unit_test(a_tenth_judgement_word_adds_nothing),
        cmocka_unit_test(marks_stay_inside_the_level_band),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
