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

/* Where a phrase may begin in a question: every position with no letter
 * just before it (a question has some twenty), and those of them that
 * open with each letter, case folded, chained in order: a list's phrase is
 * tried only where its first letter stands. */
typedef struct phrase_starts {
    size_t *at, n;
    size_t *next_same;  /* by index into at: the next start with the same letter */
    size_t first_of[26]; /* by letter: the index of its first start; SIZE_MAX: none */
} phrase_starts;

/* ps->at: room for 2 * (len + 1) positions, or NULL to take it from the heap */
static void phrase_starts_find(phrase_starts *ps, const char *text, size_t len)
{
    if (!ps->at)
        ps->at = hm_xmalloc(2 * (len + 1) * sizeof *ps->at);
    /* next_same is the second half */
    ps->next_same = ps->at + len + 1;
    ps->n = 0;
    size_t *last_of[26];
    for (int c = 0; c < 26; c++) {
        ps->first_of[c] = SIZE_MAX;
        last_of[c] = &ps->first_of[c];
    }
    for (size_t i = 0; i < len; i++) {
        if (i > 0 && isalpha((unsigned char)text[i - 1]))
            continue;
        int c = tolower((unsigned char)text[i]);
        if (c >= 'a' && c <= 'z') {
            *last_of[c - 'a'] = ps->n;
            last_of[c - 'a'] = &ps->next_same[ps->n];
            ps->next_same[ps->n] = SIZE_MAX;
        }
        ps->at[ps->n++] = i;
    }
}

/* Is the needle at hay[i], any case, with no letter after it? */
static bool phrase_at(const char *hay, size_t n, size_t i, const char *needle, size_t m)
{
    if (i + m > n)
        return false;
    size_t k = 0;
    while (k < m && tolower((unsigned char)hay[i + k]) == tolower((unsigned char)needle[k]))
        k++;
    return k == m && (i + m == n || !isalpha((unsigned char)hay[i + m]));
}

/* Does the needle stand in hay, any case, with no letter on either side? */
static bool contains_fold(const char *hay, size_t n, const phrase_starts *ps, const char *needle)
{
    size_t m = strlen(needle);
    if (!m)
        return false;
    int first = tolower((unsigned char)needle[0]);
    if (first >= 'a' && first <= 'z') {
        for (size_t s = ps->first_of[first - 'a']; s != SIZE_MAX; s = ps->next_same[s])
            if (phrase_at(hay, n, ps->at[s], needle, m))
                return true;
        return false;
    }
    for (size_t s = 0; s < ps->n; s++)
        if (phrase_at(hay, n, ps->at[s], needle, m))
            return true;
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

static bool is_digit(char c)
{
    return (unsigned char)(c - '0') < 10;
}

/* The end of the run of digits from i. */
static size_t digits_end(const char *s, size_t n, size_t i)
{
    while (i < n && is_digit(s[i]))
        i++;
    return i;
}

bool hm_date_years(const char *s, size_t n, int *first, int *last)
{
    int lo = 0, hi = 0;
    /* run by run of digits: a year is one of four (1000-2099), not after a
     * comma ("3,1928" is a figure) */
    for (size_t i = 0; i < n;) {
        if (!is_digit(s[i])) {
            i++;
            continue;
        }
        size_t a = i;
        i = digits_end(s, n, i);
        if (i - a != 4 || (a > 0 && s[a - 1] == ','))
            continue;
        int y = digits_value(s + a, 4);
        if (y < 1000 || y > 2099)
            continue;
        if (i < n && s[i] == 's') /* a decade: its middle */
            y += 5;
        if (!lo || y < lo)
            lo = y;
        if (y > hi)
            hi = y;
        /* "1928-53", "1928–1953", "1928/9" */
        size_t k = i;
        if (k < n && (s[k] == '-' || s[k] == '/'))
            k++;
        else if (k + 3 <= n && !memcmp(s + k, "\xE2\x80\x93", 3))
            k += 3;
        else
            continue;
        size_t d = digits_end(s, n, k);
        int end = 0;
        if (d - k == 4)
            end = digits_value(s + k, 4);
        else if (d - k == 2)
            end = y / 100 * 100 + digits_value(s + k, 2);
        else if (d - k == 1)
            end = y / 10 * 10 + digits_value(s + k, 1);
        if (end > y && end - y < 200 && end > hi)
            hi = end;
        i = d; /* the range's end is no year of its own */
    }
    if (!lo)
        return false;
    *first = lo;
    *last = hi;
    return true;
}

/* What the question asks to weigh: a phrase that opens with a letter, at
 * the start of one of the question's words. */
static const char *question_weighs(const char *text, size_t len, const phrase_starts *ps, const hm_lists *lists)
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
    for (size_t w = 0; w < sizeof weighings / sizeof *weighings; w++) {
        const hm_list *l = hm_lists_find(lists, weighings[w].list);
        for (size_t i = 0; l && i < l->n; i++)
            if (isalpha((unsigned char)l->items[i][0]) && contains_fold(text, len, ps, l->items[i]))
                return weighings[w].weighs;
    }
    return HM_QUESTION_WEIGHS_NONE;
}

void hm_question_parse(hm_question *q, const char *text, size_t len, const hm_lists *lists)
{
    memset(q, 0, sizeof *q);
    /* room for a question's starts on the stack; a longer one's on the heap */
    size_t room[2 * 256];
    phrase_starts ps = {.at = len < 256 ? room : NULL};
    phrase_starts_find(&ps, text, len);
    q->weighs = question_weighs(text, len, &ps, lists);
    for (int t = 1; t < HM_Q_TYPE_COUNT && q->type == HM_Q_OTHER; t++) {
        const hm_list *l = hm_lists_find(lists, type_lists[t]);
        for (size_t i = 0; l && i < l->n; i++)
            if (contains_fold(text, len, &ps, l->items[i])) {
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
        if (first == last && (contains_fold(text, len, &ps, by) || contains_fold(text, len, &ps, by_end)))
            q->start_year = 0;
    }
    if (ps.at != room)
        free(ps.at);
}
