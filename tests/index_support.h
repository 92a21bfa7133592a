/* What the tests of the built indexes share (test_phrase, test_rules): a
 * text's findings as one string, the check that a configuration's indexes
 * (the phrase index, the requires pass) give the same findings as the plain
 * patterns, and a configuration made from a rules file's text. Include it
 * after support.h. */
#ifndef HM_TEST_INDEX_SUPPORT_H
#define HM_TEST_INDEX_SUPPORT_H

#include <unistd.h>

#include "phrase.h"
#include "util.h"

/* Every finding, one a line, then the mark. */
static inline char *signature(const hm_config *c, const char *text)
{
    hm_error err = {0};
    hm_result *r = hm_analyze(c, text, strlen(text), NULL, &err);
    assert_non_null(r);
    hm_buf b = {0};
    for (size_t i = 0; i < hm_result_finding_count(r); i++) {
        const hm_finding *f = hm_result_finding(r, i);
        hm_buf_printf(&b, "%s %zu %zu %s %s\n", f->rule, f->start, f->end, f->canonical ? f->canonical : "-",
                      f->suggestion ? f->suggestion : "-");
    }
    hm_buf_printf(&b, "mark %d\n", hm_result_mark(r));
    hm_result_free(r);
    return hm_buf_take(&b);
}

/* The same findings with the configuration's indexes as with the patterns
 * alone (every rule searching every unit). */
static inline void same_as_patterns(hm_config *c, const char *text)
{
    char *with = signature(c, text);
    hm_config_index_free(c);
    char *without = signature(c, text);
    hm_config_index(c);
    if (getenv("PM_DEBUG"))
        fprintf(stderr, "%s\n%s", text, with);
    if (strcmp(with, without) != 0)
        fprintf(stderr, "text: %s\n--- with the indexes:\n%s--- patterns only:\n%s", text, with, without);
    assert_string_equal(with, without);
    free(with);
    free(without);
}

/* A configuration whose rules file holds `rules` (NULL and *err set when it
 * does not load). */
static inline hm_config *load_rules_text(const char *rules, hm_error *err)
{
    char path[] = "/tmp/histmark-test-rules-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, rules, strlen(rules)), (ssize_t)strlen(rules));
    close(fd);
    hm_config_options o = {HM_CONFIG_OPTIONS_VERSION, NULL, path, NULL, NULL, 0};
    hm_config *c = hm_config_load(&o, err);
    unlink(path);
    return c;
}

#endif
