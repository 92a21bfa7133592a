#include "question.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const type_names[HM_Q_TYPE_COUNT] = {"other", "extent", "significance", "causes",
                                                        "compare", "success"};
static const char *const type_lists[HM_Q_TYPE_COUNT] = {NULL, "question_extent", "question_significance",
                                                        "question_causes", "question_compare",
                                                        "question_success"};

const char *hm_question_type_name(hm_question_type t)
{
    return (unsigned)t < HM_Q_TYPE_COUNT ? type_names[t] : "other";
}

static bool contains_fold(const char *hay, size_t n, const char *needle)
{
    size_t m = strlen(needle);
    for (size_t i = 0; m && i + m <= n; i++) {
        size_t k = 0;
        while (k < m && tolower((unsigned char)hay[i + k]) == tolower((unsigned char)needle[k]))
            k++;
        if (k == m && (i == 0 || !isalpha((unsigned char)hay[i - 1])) &&
            (i + m == n || !isalpha((unsigned char)hay[i + m])))
            return true;
    }
    return false;
}

/* The number the n digits at s spell (what atoi reads there, without its
 * call: a date finding is read for every date of the essay). */
static int digits_value(const char *s, size_t n)
{
    int v = 0;
    for (size_t k = 0; k < n; k++)
        v = v * 10 + (s[k] - '0');
    return v;
}

/* A year, or a two-digit end of a range ("1928-53"). */
static int read_year(const char *s, size_t n, size_t *i)
{
    size_t a = *i, k = a;
    while (k < n && isdigit((unsigned char)s[k]))
        k++;
    if (k - a != 4 || (a > 0 && (isdigit((unsigned char)s[a - 1]) || s[a - 1] == ',')))
        return 0;
    int y = digits_value(s + a, 4);
    *i = k;
    return (y >= 1000 && y <= 2099) ? y : 0;
}

bool hm_date_years(const char *s, size_t n, int *first, int *last)
{
    int lo = 0, hi = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]) || (i > 0 && isdigit((unsigned char)s[i - 1])))
            continue;
        size_t j = i;
        int y = read_year(s, n, &j);
        if (!y)
            continue;
        if (j < n && s[j] == 's') /* a decade: its middle */
            y += 5;
        if (!lo || y < lo)
            lo = y;
        if (y > hi)
            hi = y;
        /* "1928-53", "1928–1953", "1928/9" */
        size_t k = j;
        if (k < n && (s[k] == '-' || s[k] == '/'))
            k++;
        else if (k + 3 <= n && !memcmp(s + k, "\xE2\x80\x93", 3))
            k += 3;
        else
            continue;
        size_t d = k;
        while (d < n && isdigit((unsigned char)s[d]))
            d++;
        int end = 0;
        if (d - k == 4)
            end = digits_value(s + k, 4);
        else if (d - k == 2)
            end = y / 100 * 100 + digits_value(s + k, 2);
        else if (d - k == 1)
            end = y / 10 * 10 + digits_value(s + k, 1);
        if (end > y && end - y < 200 && end > hi)
            hi = end;
        i = d;
    }
    if (!lo)
        return false;
    *first = lo;
    *last = hi;
    return true;
}

/* Does the phrase stand at text[at], any case, ending at a word's end? */
static bool phrase_at(const char *text, size_t len, size_t at, const char *phrase)
{
    size_t m = strlen(phrase);
    if (at + m > len)
        return false;
    for (size_t k = 0; k < m; k++)
        if (tolower((unsigned char)text[at + k]) != tolower((unsigned char)phrase[k]))
            return false;
    return at + m == len || !isalpha((unsigned char)text[at + m]);
}

const char *hm_question_weighs(const char *text, size_t len, const hm_lists *lists)
{
    /* the more particular first: "how far do you agree it was a turning
     * point" weighs change, not just the statement */
    static const struct {
        const char *list, *weighs;
    } weighings[] = {
        {"weigh_change", "change and continuity"},
        {"weigh_success", "successes and failures"},
        {"weigh_compare", "similarities and differences"},
        {"weigh_statement", "the case for the statement and the case against it"},
    };
    /* at each word of the question, the phrases that start with its
     * letter: a question has some fifteen words, the lists fifty phrases */
    for (size_t w = 0; text && w < sizeof weighings / sizeof *weighings; w++) {
        const hm_list *l = hm_lists_find(lists, weighings[w].list);
        for (size_t at = 0; l && at < len; at++) {
            if (!isalpha((unsigned char)text[at]) || (at > 0 && isalpha((unsigned char)text[at - 1])))
                continue;
            int first = tolower((unsigned char)text[at]);
            for (size_t i = 0; i < l->n; i++)
                if (tolower((unsigned char)l->items[i][0]) == first && phrase_at(text, len, at, l->items[i]))
                    return weighings[w].weighs;
        }
    }
    return "the factors";
}

void hm_question_parse(hm_question *q, const char *text, size_t len, const hm_lists *lists)
{
    memset(q, 0, sizeof *q);
    for (int t = 1; t < HM_Q_TYPE_COUNT && q->type == HM_Q_OTHER; t++) {
        const hm_list *l = hm_lists_find(lists, type_lists[t]);
        for (size_t i = 0; l && i < l->n; i++)
            if (contains_fold(text, len, l->items[i])) {
                q->type = (hm_question_type)t;
                break;
            }
    }
    int first, last;
    if (hm_date_years(text, len, &first, &last)) {
        q->start_year = first;
        q->end_year = last;
        /* "by 1929" names only an end; "caused by ... (1536)" names one year */
        char by[40], by_end[40];
        snprintf(by, sizeof by, "by %d", last);
        snprintf(by_end, sizeof by_end, "by the end of %d", last);
        if (first == last && (contains_fold(text, len, by) || contains_fold(text, len, by_end)))
            q->start_year = 0;
    }
}
