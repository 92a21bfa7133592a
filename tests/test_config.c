/* Loading rules, rubrics and topic packs: every bad file fails with
 * FILE:LINE:COLUMN and the rule's id, before any essay is read. */
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
#include <time.h>
#include <unistd.h>

#include "histmark.h"

static char path[64];

static const char *write_tmp(const char *text)
{
    snprintf(path, sizeof path, "/tmp/histmark-test-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

static hm_error load_rules(const char *yaml)
{
    hm_error err = {0};
    hm_config_options o = {HM_CONFIG_OPTIONS_VERSION, NULL, write_tmp(yaml), NULL, "none", 0};
    hm_config *cfg = hm_config_load(&o, &err);
    unlink(path);
    hm_config_free(cfg);
    return err;
}

static const char good_rule[] = "rules:\n  - id: r\n    kind: date\n    message: m\n    pattern: '\\d+'\n";

static void a_good_rules_file_loads(void **state)
{
    (void)state;
    hm_error err = load_rules(good_rule);
    assert_int_equal(err.code, HM_ERR_NONE);
}

static void invalid_yaml_names_line_and_column(void **state)
{
    (void)state;
    hm_error err = load_rules("rules:\n  - id: r\n   kind: [unclosed\n");
    assert_int_equal(err.code, HM_ERR_YAML);
    assert_true(err.line >= 2);
    assert_true(err.column >= 1);
    assert_string_equal(err.file, path);
}

static void unknown_key_is_reported_at_the_key(void **state)
{
    (void)state;
    hm_error err = load_rules("rules:\n  - id: dates\n    kind: date\n    message: m\n    patern: 'x'\n");
    assert_int_equal(err.code, HM_ERR_SCHEMA);
    assert_int_equal(err.line, 5);
    assert_int_equal(err.column, 5);
    assert_string_equal(err.rule, "dates");
    assert_non_null(strstr(err.message, "unknown key 'patern'"));
}

static void wrong_type_missing_key_duplicate_id(void **state)
{
    (void)state;
    hm_error err = load_rules("rules:\n  - id: r\n    kind: [date]\n    message: m\n    pattern: x\n");
    assert_int_equal(err.code, HM_ERR_SCHEMA);
    assert_int_equal(err.line, 3);
    err = load_rules("rules:\n  - id: r\n    kind: date\n    pattern: x\n");
    assert_non_null(strstr(err.message, "missing required key 'message'"));
    err = load_rules("rules:\n  - {id: r, kind: date, message: m, pattern: x}\n  - {id: r, kind: date, message: m, pattern: y}\n");
    assert_non_null(strstr(err.message, "duplicate rule id 'r'"));
    assert_int_equal(err.line, 3);
    err = load_rules("rules:\n  - {id: r, kind: datum, message: m, pattern: x}\n");
    assert_non_null(strstr(err.message, "unknown kind 'datum'"));
    /* found by fuzzing: a huge whole number was converted to long unchecked */
    err = load_rules("limits: {match: 1e40}\nrules: [{id: a, kind: date, message: m, pattern: x}]\n");
    assert_non_null(strstr(err.message, "must be a whole number"));
    /* found by fuzzing: an id that is not a single value was compared as a string */
    err = load_rules("rules: [{id: [x], kind: date, message: m, pattern: x}]\n");
    assert_non_null(strstr(err.message, "'id' must be a single value"));
    /* found by fuzzing: a second id leaked the first */
    err = load_rules("rules: [{id: a, kind: date, id: b, message: m, pattern: x}]\n");
    assert_non_null(strstr(err.message, "key 'id' is given twice"));
}

static void invalid_regex_names_the_rule_and_offset(void **state)
{
    (void)state;
    hm_error err = load_rules("rules:\n  - id: broken\n    kind: date\n    message: m\n    pattern: '(\\d+'\n");
    assert_int_equal(err.code, HM_ERR_PATTERN);
    assert_int_equal(err.line, 5);
    assert_string_equal(err.rule, "broken");
    assert_non_null(strstr(err.message, "offset"));
}

static void aliases_are_refused(void **state)
{
    (void)state;
    hm_error err = load_rules("a: &x [1]\nrules:\n  - {id: r, kind: date, message: m, pattern: x, tokens: *x}\n");
    assert_int_not_equal(err.code, HM_ERR_NONE);
    /* an alias bomb loads in no time and is refused */
    char bomb[4096] = "a: &a [x, x, x, x, x, x, x, x, x]\n";
    for (char c = 'b'; c <= 'j'; c++) {
        char line[128];
        snprintf(line, sizeof line, "%c: &%c [*%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c]\n", c, c, c - 1, c - 1,
                 c - 1, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1);
        strcat(bomb, line);
    }
    strcat(bomb, "rules: *j\n");
    clock_t t0 = clock();
    err = load_rules(bomb);
    assert_int_not_equal(err.code, HM_ERR_NONE);
    assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 2.0);
}

static void catastrophic_backtracking_gives_up_with_a_warning(void **state)
{
    (void)state;
    hm_config_options o = {HM_CONFIG_OPTIONS_VERSION, NULL,
                           write_tmp("rules:\n  - {id: slow, kind: structure, message: m, pattern: '(a+)+$'}\n"),
                           NULL, "none", 0};
    hm_config *cfg = hm_config_load(&o, NULL);
    unlink(path);
    assert_non_null(cfg);
    char text[200];
    memset(text, 'a', 150);
    strcpy(text + 150, "b end.");
    clock_t t0 = clock();
    hm_result *r = hm_analyze(cfg, text, strlen(text), NULL, NULL);
    assert_non_null(r);
    assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 5.0);
    bool warned = false;
    for (size_t i = 0; i < hm_result_warning_count(r); i++)
        warned |= strcmp(hm_result_warning(r, i)->code, "rule-limit") == 0 &&
                  strstr(hm_result_warning(r, i)->message, "slow") != NULL;
    assert_true(warned);
    hm_result_free(r);
    hm_config_free(cfg);
}

static void bad_rubric_and_unknown_topic(void **state)
{
    (void)state;
    hm_error err = {0};
    hm_config_options o = {HM_CONFIG_OPTIONS_VERSION,
                           write_tmp("name: x\nout_of: 20\nbands: []\noverall: {max_above_lowest: 1, min_words: 1}\nstrands: []\n"),
                           NULL, NULL, "none", 0};
    assert_null(hm_config_load(&o, &err));
    unlink(path);
    assert_non_null(strstr(err.message, "bands"));
    assert_int_equal(err.line, 3);
    hm_error err2 = {0};
    hm_config_options t = {HM_CONFIG_OPTIONS_VERSION, NULL, NULL, NULL, "atlantis-1900", 0};
    assert_null(hm_config_load(&t, &err2));
    assert_non_null(strstr(err2.message, "russia-1917-53"));
}

static void missing_file_is_an_io_error(void **state)
{
    (void)state;
    hm_error err = {0};
    hm_config_options o = {HM_CONFIG_OPTIONS_VERSION, "/nonexistent/rubric.yaml", NULL, NULL, "none", 0};
    assert_null(hm_config_load(&o, &err));
    assert_int_equal(err.code, HM_ERR_IO);
    assert_string_equal(err.file, "/nonexistent/rubric.yaml");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_good_rules_file_loads),
        cmocka_unit_test(invalid_yaml_names_line_and_column),
        cmocka_unit_test(unknown_key_is_reported_at_the_key),
        cmocka_unit_test(wrong_type_missing_key_duplicate_id),
        cmocka_unit_test(invalid_regex_names_the_rule_and_offset),
        cmocka_unit_test(aliases_are_refused),
        cmocka_unit_test(catastrophic_backtracking_gives_up_with_a_warning),
        cmocka_unit_test(bad_rubric_and_unknown_topic),
        cmocka_unit_test(missing_file_is_an_io_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
