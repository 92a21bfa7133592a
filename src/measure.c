/* Measures the essay. Every feature is a count or a share; the rubric sets
 * the thresholds. Shares are over the "main" paragraphs: all essay
 * paragraphs but the introduction and conclusion when there are three or
 * more, so a long essay is not rewarded for length, only for what each
 * paragraph does. A judgement counts only in a paragraph that also gives
 * specific evidence. */
#include "measure.h"
#include "question.h"

#include <assert.h>
#include <ctype.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* para_stats' counts of findings by kind: the kinds a paragraph's stats ask
 * about, a judgement tagged comparative apart (finding_slot), the rest in
 * SLOT_OTHER. */
enum { SLOT_OTHER, SLOT_CAUSATION, SLOT_COUNTER, SLOT_JUDGEMENT, SLOT_COMPARATIVE, SLOTS };

typedef struct para_stats {
    size_t index;
    unsigned specific, kinds_mask, criteria, argument_first, links, words, signpost;
    bool topic_sentence, analysed;
    /* The walk over the findings keeps these without a branch (which kind
     * comes next follows no pattern), by slot (finding_slot): how many,
     * and the first as UINT32_MAX less its number (0: none), so the
     * greatest is the first; and the evidence to quote, its rank above and
     * UINT32_MAX less its number below, so the greatest is the first of
     * the highest rank. */
    unsigned of_slot[SLOTS];
    uint32_t first_of_slot[SLOTS];
    uint64_t best_evidence;
} para_stats;

/* The findings by kind, a judgement tagged comparative apart. */
static unsigned judgements(const para_stats *s)
{
    return s->of_slot[SLOT_JUDGEMENT] + s->of_slot[SLOT_COMPARATIVE];
}

static uint32_t first_judgement(const para_stats *s)
{
    uint32_t a = s->first_of_slot[SLOT_JUDGEMENT], b = s->first_of_slot[SLOT_COMPARATIVE];
    return a > b ? a : b;
}

/* A finding number kept as para_stats keeps its firsts, as the finding
 * (0, none kept, is not one: callers ask only where a count says so). */
static const hm_finding *first_kept(const hm_scan *scan, uint32_t kept)
{
    assert(kept != 0);
    return &scan->findings[UINT32_MAX - kept];
}

/* The sentence (paragraph) holding `offset`, as hm_document_sentence_next
 * (_para_next) answers, for offsets that rise: the step to the next span is
 * taken without a branch (where a new one begins follows no pattern), and
 * only an offset past the next, or before the hint, searches. The caller
 * passes the spans from locals and keeps *hint in one: the search alone
 * sees its address. */
static size_t sentence_step(const hm_document *doc, const hm_sentence *sents, size_t n_sents, size_t offset,
                            size_t *hint)
{
    size_t h = *hint;
    if (h + 1 < n_sents) {
        h += offset >= sents[h].end;
        if (offset - sents[h].start < sents[h].end - sents[h].start)
            return *hint = h;
    }
    size_t seek_hint = *hint;
    size_t si = hm_document_sentence_next(doc, offset, &seek_hint);
    *hint = seek_hint;
    return si;
}

static size_t para_step(const hm_document *doc, const hm_para *paras, size_t n_paras, size_t offset, size_t *hint)
{
    size_t h = *hint;
    if (h + 1 < n_paras) {
        h += offset >= paras[h].end;
        if (offset - paras[h].start < paras[h].end - paras[h].start)
            return *hint = h;
    }
    size_t seek_hint = *hint;
    size_t pi = hm_document_para_next(doc, offset, &seek_hint);
    *hint = seek_hint;
    return pi;
}

/* The first of n spans in order of start (each `size` bytes with its start
 * `at` bytes in: words, findings) starting at or after `from`. */
static size_t first_starting_from(const void *spans, size_t n, size_t size, size_t at, size_t from)
{
    /* halving with conditional moves (which half holds it is a coin toss),
     * as hm_in_span_of_kinds: base is the last below `from`, or the first */
    if (!n)
        return 0;
    size_t base = 0, start;
    for (size_t len = n; len > 1; len -= len / 2) {
        memcpy(&start, (const char *)spans + (base + len / 2) * size + at, sizeof start);
        base = start < from ? base + len / 2 : base;
    }
    memcpy(&start, (const char *)spans + base * size + at, sizeof start);
    return base + (start < from);
}

/* The first word starting at or after `from`. */
static size_t first_word(const hm_document *doc, size_t from)
{
    return first_starting_from(doc->words, doc->n_words, sizeof *doc->words, offsetof(hm_word, start), from);
}

/* The first finding starting at or after `from` (hm_scan_finish sorted
 * them by start). */
static size_t first_finding(const hm_scan *scan, size_t from)
{
    return first_starting_from(scan->findings, scan->n_findings, sizeof *scan->findings, offsetof(hm_finding, start),
                               from);
}

static unsigned word_count_span(const hm_document *doc, size_t from, size_t to)
{
    unsigned n = 0;
    for (size_t k = first_word(doc, from); k < doc->n_words && doc->words[k].start < to; k++)
        n += doc->words[k].end <= to;
    return n;
}

/* (its list has room: see hm_features.para_lists) */
static void add_para(hm_feature_value *v, unsigned number)
{
    if (v->n_paras < v->cap_paras)
        v->paras[v->n_paras++] = number;
}

static void set_example(hm_feature_value *v, size_t s, size_t e)
{
    if (v->ex_start == v->ex_end) {
        v->ex_start = s;
        v->ex_end = e;
    }
}

/* Argument words quoted alone ("rather than") show the writer little: the
 * example is the clause that holds them, within its sentence, cut at
 * commas, semicolons and colons and kept short enough to quote whole. */
/* The clause around [s, e) within its sentence: *from and *to. */
static void clause_around(const hm_document *doc, size_t s, size_t e, size_t *from_out, size_t *to_out)
{
    /* some words before, so the argument words fall within the 100 bytes a
     * quotation keeps (expand() cuts longer ones at a word, with "...") */
    enum { MAX_BEFORE = 60, MAX_CLAUSE = 160 };
    const char *t = doc->src->text;
    size_t si = hm_document_sentence_at(doc, s);
    *from_out = s;
    *to_out = e;
    if (si == SIZE_MAX)
        return;
    size_t from = s, to = e, lo = doc->sents[si].start, hi = doc->sents[si].end;
    /* back to a clause stop, the sentence's start or MAX_BEFORE bytes,
     * then on to a stop, its end or MAX_CLAUSE bytes: one test a byte */
    static const bool clause_stop[256] = {[','] = true, [';'] = true, [':'] = true};
    size_t back_to = s > lo + MAX_BEFORE ? s - MAX_BEFORE : lo;
    while (from > back_to && !clause_stop[(unsigned char)t[from - 1]])
        from--;
    size_t on_to = hi - from > MAX_CLAUSE ? from + MAX_CLAUSE : hi;
    while (to < on_to && !clause_stop[(unsigned char)t[to]])
        to++;
    /* whole words, no space, half a character or full stop at either end */
    while (from < s && (t[from] == ' ' || t[from] == '\n' || ((unsigned char)t[from] & 0xC0) == 0x80 ||
                        (from > lo && isalnum((unsigned char)t[from - 1]) && isalnum((unsigned char)t[from]))))
        from++;
    while (to > e && (t[to - 1] == ' ' || t[to - 1] == '\n' || t[to - 1] == '.' || t[to - 1] == '!' ||
                      t[to - 1] == '?' || (to < hi && ((unsigned char)t[to] & 0xC0) == 0x80) ||
                      (to < hi && isalnum((unsigned char)t[to - 1]) && isalnum((unsigned char)t[to]))))
        to--;
    *from_out = from;
    *to_out = to;
}

/* The example quoted for v: the clause around [s, e), unless v has one or
 * `other` already quotes that clause (two strengths, one quotation). */
static void set_clause_example(hm_feature_value *v, const hm_document *doc, size_t s, size_t e,
                               const hm_feature_value *other)
{
    if (v->ex_start != v->ex_end)
        return;
    size_t from, to;
    clause_around(doc, s, e, &from, &to);
    if (other && other->ex_start == from && other->ex_end == to)
        return;
    set_example(v, from, to);
}

/* Evidence quoted with the words that lead to it ("would not break the
 * Nazi-Soviet Pact of 1939", not "1939"): its clause up to its end. */
static void set_lead_example(hm_feature_value *v, const hm_document *doc, size_t s, size_t e)
{
    if (v->ex_start != v->ex_end) /* the first is kept: no clause to find */
        return;
    size_t from, to;
    clause_around(doc, s, e, &from, &to);
    /* "in places like Watts", not "and in places like Watts" */
    static const char *const joins[] = {"and ", "but ", "or ", "so ", "while ", "as well as "};
    const char *t = doc->src->text;
    for (size_t j = 0; j < sizeof joins / sizeof *joins; j++) {
        size_t n = strlen(joins[j]);
        if (from + n < s && memcmp(t + from, joins[j], n) == 0) {
            from += n;
            break;
        }
    }
    set_example(v, from, e);
}

static void lower_ascii(char *s)
{
    for (; *s; s++)
        *s = (char)tolower((unsigned char)*s);
}

/* U+2000-U+207F (dashes, curly quotes, ellipsis) in UTF-8: punctuation,
 * not part of a word ("1568–87" is not a term). */
static bool general_punct(const char *q, size_t i, size_t n)
{
    return i + 2 < n && (unsigned char)q[i] == 0xE2 && ((unsigned char)q[i + 1] & 0xFE) == 0x80;
}

/* Key terms: the question's words less stopwords, years and short words. */
static void question_terms(hm_features *fs, const hm_scan *scan, const char *q, size_t qlen)
{
    const hm_lists *l = &scan->cfg->lists;
    size_t i = 0, text_used = 0;
    while (i < qlen) {
        if (general_punct(q, i, qlen)) {
            i += 3;
            continue;
        }
        if (!isalpha((unsigned char)q[i]) && !((unsigned char)q[i] & 0x80)) {
            i++;
            continue;
        }
        size_t a = i;
        while (i < qlen && !general_punct(q, i, qlen) &&
               (isalnum((unsigned char)q[i]) || ((unsigned char)q[i] & 0x80) || q[i] == '-'))
            i++;
        /* drop a possessive */
        size_t n = i - a;
        if (i + 1 < qlen && q[i] == '\'' && q[i + 1] == 's')
            i += 2;
        if (n < 3 || hm_list_has_fold(l->stopwords, q + a, n))
            continue;
        if (!fs->terms) {
            /* room for every term at once: each takes three bytes and the
             * byte after it; their texts, each with a NUL, in one block */
            size_t most = qlen / 4 + 1;
            fs->terms = hm_xmalloc(most * sizeof *fs->terms);
            fs->term_concept = hm_xmalloc(most * sizeof *fs->term_concept);
            fs->term_text = hm_xmalloc(qlen + most);
        }
        char *term = fs->term_text + text_used;
        memcpy(term, q + a, n);
        term[n] = '\0';
        lower_ascii(term);
        bool dup = false;
        for (size_t k = 0; k < fs->n_terms; k++)
            dup |= strcmp(fs->terms[k], term) == 0;
        if (dup)
            continue; /* its bytes are used again */
        text_used += n + 1;
        fs->term_concept[fs->n_terms] = !isupper((unsigned char)q[a]);
        fs->terms[fs->n_terms++] = term;
    }
}

/* A word matches a term when they share a stem: the term less up to three
 * letters of ending ("collectivisation" ~ "collectivised"). term_stem is
 * the stem's length in bytes. */
static size_t term_stem(const char *term)
{
    size_t tl = strlen(term);
    return tl > 6 ? tl - 3 : tl > 4 ? tl - 1 : tl;
}

/* The word opens with the term's first `stem` bytes, its case ignored. */
static bool matches_stem(const char *w, size_t n, const char *term, size_t stem)
{
    if (n < stem)
        return false;
    for (size_t i = 0; i < stem; i++)
        if (tolower((unsigned char)w[i]) != (unsigned char)term[i])
            return false;
    return true;
}

/* Eight bytes with ASCII capitals made small, as tolower does a byte in
 * the C locale (no other byte changes): in each byte, its low seven bits
 * plus 0x3F reach 0x80 from 'A' on, plus 0x25 from past 'Z' on, and a byte
 * of 0x80 or more is left as it is. */
static uint64_t fold_ascii8(uint64_t x)
{
    const uint64_t ones = 0x0101010101010101ULL, high = ones * 0x80;
    uint64_t low7 = x & ~high;
    uint64_t from_a = low7 + ones * (0x80 - 'A'), past_z = low7 + ones * (0x80 - 'Z' - 1);
    uint64_t capital = from_a & ~past_z & ~x & high;
    return x | capital >> 2;
}

/* A stem's first (up to) eight bytes as a key and the mask of those bytes,
 * for stem_matches_folded. */
static void stem_key(const char *term, size_t stem, uint64_t *key, uint64_t *mask)
{
    size_t n = stem < 8 ? stem : 8;
    unsigned char k[8] = {0}, m[8] = {0};
    memcpy(k, term, n);
    memset(m, 0xFF, n);
    memcpy(key, k, sizeof *key);
    memcpy(mask, m, sizeof *mask);
}

/* matches_stem, the word's first eight bytes given folded (fold_ascii8):
 * one compare for a stem of up to eight bytes, the rest byte by byte. */
static bool stem_matches_folded(const char *w, size_t n, uint64_t w8, const char *term, size_t stem, uint64_t key,
                                uint64_t mask)
{
    if ((unsigned)(n < stem) | (unsigned)(((w8 ^ key) & mask) != 0))
        return false;
    return stem <= 8 || matches_stem(w + 8, n - 8, term + 8, stem - 8);
}

/* A word's first two bytes hashed to one of 1024 buckets by the low five
 * bits of each: a letter's are the same in either case, and a pair that
 * shares a bucket with a stem's only lets the exact compare run. */
enum { STEM_PAIRS = 1024 };
static unsigned stem_pair(unsigned char c0, unsigned char c1)
{
    return (((uint32_t)c1 << 8 | c0) & 0x1F1Fu) * 0x9E3779B1u >> 22;
}

/* The words [first, first + n) whose first two bytes share a bucket with
 * some stem's (opens_stem, by stem_pair), into cand: their number. Every
 * word is written and the count grows by the table's answer, without a
 * branch: about one word in ten passes, in no pattern. cand has room for
 * n + 1 (the last word's slot is written also when n is even). */
static size_t stem_candidates(const char *text, const hm_word *words, size_t first, size_t n,
                              const unsigned char *opens_stem, size_t *cand)
{
    if (!n)
        return 0;
    size_t n_cand = 0, k = first;
    /* a word has a byte, and the text a NUL after its last: w[1] can be
     * read; two words a step, which halves the loop's own instructions */
    for (const hm_word *word = words + first, *pairs_end = word + (n & ~(size_t)1); word < pairs_end;
         word += 2, k += 2) {
        const unsigned char *w = (const unsigned char *)text + word[0].start,
                            *v = (const unsigned char *)text + word[1].start;
        cand[n_cand] = k;
        n_cand += opens_stem[stem_pair(w[0], w[1])];
        cand[n_cand] = k + 1;
        n_cand += opens_stem[stem_pair(v[0], v[1])];
    }
    /* the last word, counted when n is odd (no branch: it is as often not) */
    const unsigned char *w = (const unsigned char *)text + words[first + n - 1].start;
    cand[n_cand] = first + n - 1;
    n_cand += opens_stem[stem_pair(w[0], w[1])] & (n & 1);
    return n_cand;
}

static bool word_matches_term(const char *w, size_t n, const char *term)
{
    return matches_stem(w, n, term, term_stem(term));
}

/* Key terms in [from, to), each marked in `seen`; with concepts_only, only
 * the question's concept words. */
static unsigned terms_in_of(const hm_features *fs, const hm_document *doc, size_t from, size_t to,
                            bool *seen, bool concepts_only)
{
    unsigned hits = 0;
    if (fs->word_term && fs->word_doc == doc) {
        /* the words with a term from the first at or after `from` */
        size_t lo = 0; /* (halving as first_starting_from) */
        if (fs->n_term_words) {
            for (size_t len = fs->n_term_words; len > 1; len -= len / 2)
                lo = doc->words[fs->term_words[lo + len / 2]].start < from ? lo + len / 2 : lo;
            lo += doc->words[fs->term_words[lo]].start < from;
        }
        for (size_t j = lo; j < fs->n_term_words && doc->words[fs->term_words[j]].start < to; j++) {
            if (doc->words[fs->term_words[j]].end > to)
                continue;
            int32_t t = concepts_only ? fs->word_concept[j] : fs->word_term[j];
            if (t >= 0) {
                if (seen)
                    seen[t] = true;
                hits++;
            }
        }
        return hits;
    }
    /* Each term's stem length and first letter, so most words are turned
     * away without a call (word_matches_term still decides the rest). */
    enum { MAX_QUICK = 64 };
    size_t stem[MAX_QUICK];
    bool quick = fs->n_terms <= MAX_QUICK;
    for (size_t t = 0; quick && t < fs->n_terms; t++)
        stem[t] = term_stem(fs->terms[t]);
    for (size_t k = first_word(doc, from); k < doc->n_words && doc->words[k].start < to; k++) {
        const hm_word *w = &doc->words[k];
        if (w->end > to)
            continue;
        const char *wt = doc->src->text + w->start;
        size_t wn = w->end - w->start;
        for (size_t t = 0; t < fs->n_terms; t++)
            if ((!concepts_only || fs->term_concept[t]) &&
                (!quick || (wn >= stem[t] && (stem[t] == 0 || tolower((unsigned char)wt[0]) == (unsigned char)fs->terms[t][0]))) &&
                word_matches_term(wt, wn, fs->terms[t])) {
                if (seen)
                    seen[t] = true;
                hits++;
                break;
            }
    }
    return hits;
}

static unsigned terms_in(const hm_features *fs, const hm_document *doc, size_t from, size_t to,
                         bool *seen)
{
    return terms_in_of(fs, doc, from, to, seen, false);
}

/* What the walks over the findings ask of each, found once a finding: its
 * paragraph (SIZE_MAX: none, or not an essay paragraph), whether it is specific evidence (evidence
 * but a topic term), and which of the tags asked about it carries. */
enum {
    FACT_SPECIFIC = 1u << 0, /* the lowest: flags & FACT_SPECIFIC is 0 or 1 */
    FACT_APPRAISAL = 1u << 1,
    FACT_SIGNPOST = 1u << 2,
    FACT_CRITERIA = 1u << 3,
    FACT_COMPARATIVE = 1u << 4,
    FACT_EXTENT = 1u << 5,
    FACT_TERM = 1u << 6, /* a topic term: evidence of a kind, not specific */
};
/* the walks count and shift flags & FACT_SPECIFIC as a 0 or 1 */
_Static_assert(FACT_SPECIFIC == 1, "FACT_SPECIFIC must stay the lowest bit");

typedef struct finding_facts {
    size_t para;
    unsigned flags;
} finding_facts;

/* The FACT_ bit of a tag, or 0: one strcmp, chosen by the first letter. */
static unsigned tag_fact(const char *tag)
{
    if (!tag)
        return 0;
    switch (tag[0]) {
    case 'a': return strcmp(tag, "appraisal") == 0 ? FACT_APPRAISAL : 0;
    case 's': return strcmp(tag, "signpost") == 0 ? FACT_SIGNPOST : 0;
    case 'c': return strcmp(tag, "criteria") == 0 ? FACT_CRITERIA : strcmp(tag, "comparative") == 0 ? FACT_COMPARATIVE : 0;
    case 'e': return strcmp(tag, "extent") == 0 ? FACT_EXTENT : 0;
    case 't': return strcmp(tag, "term") == 0 ? FACT_TERM : 0;
    default: return 0;
    }
}

/* The kinds of evidence an essay does not use, in words ("figures (a
 * statistic) or a quotation from a historian or a source"), so that advice
 * on its range names what to add rather than what is already there. */
/* A name spelt wrongly, once in the advice however often the essay repeats
 * it: "Kamanev (Kamenev, 5 times)". */
typedef struct {
    const char *text;
    size_t len;
    const char *suggestion;
    unsigned count;
} misspelling;

#define MISSPELLINGS_LISTED 8

static void note_misspelling(misspelling *list, size_t *n, const char *text, size_t len, const char *suggestion)
{
    for (size_t i = 0; i < *n; i++)
        if (list[i].len == len && memcmp(list[i].text, text, len) == 0 && strcmp(list[i].suggestion, suggestion) == 0) {
            list[i].count++;
            return;
        }
    if (*n < MISSPELLINGS_LISTED)
        list[(*n)++] = (misspelling){text, len, suggestion, 1};
}

static char *misspellings_text(const misspelling *list, size_t n)
{
    if (!n)
        return NULL;
    hm_buf b = {0};
    for (size_t i = 0; i < n; i++) {
        hm_buf_printf(&b, "%s%.*s (%s", i ? ", " : "", (int)list[i].len, list[i].text, list[i].suggestion);
        if (list[i].count == 2)
            hm_buf_puts(&b, ", twice");
        else if (list[i].count > 2)
            hm_buf_printf(&b, ", %u times", list[i].count);
        hm_buf_putc(&b, ')');
    }
    return hm_buf_take(&b);
}

static char *missing_evidence_kinds(unsigned kinds_mask)
{
    static const char *const words[HM_KIND_COUNT] = {
        [HM_KIND_DATE] = "precise dates",
        [HM_KIND_FIGURE] = "figures (a statistic, a sum, a share)",
        [HM_KIND_PERSON] = "named people",
        [HM_KIND_EVENT] = "named events and laws",
        [HM_KIND_QUOTATION] = "a quotation from a historian or a source",
    };
    unsigned missing = 0;
    for (unsigned k = 0; k < HM_KIND_COUNT; k++)
        missing += words[k] && !(kinds_mask >> k & 1);
    if (!missing)
        return NULL;
    hm_buf b = {0};
    unsigned listed = 0;
    for (unsigned k = 0; k < HM_KIND_COUNT; k++) {
        if (!words[k] || kinds_mask >> k & 1)
            continue;
        hm_buf_puts(&b, !listed ? "" : listed + 1 < missing ? ", " : missing > 2 ? ", or " : " or ");
        hm_buf_puts(&b, words[k]);
        listed++;
    }
    return hm_buf_take(&b);
}

/* What a sentence does, as flags: what its findings make it (find_facts)
 * and its words of the question's concepts (see measure_sentences). */
enum {
    S_EVIDENCE = 1u << 0,
    S_EXPLAIN = 1u << 1,
    S_JUDGE = 1u << 2,
    S_COUNTER = 1u << 3,
    S_TERM = 1u << 4,
};

/* What measure_sentences takes from the findings, found by find_facts while
 * they are in the cache (the walk over the words after it pushes them
 * out): each sentence's flags and evidence items, which paragraphs are
 * main, and the spans of the evidence findings, in order. */
typedef struct sentence_marks {
    unsigned *block; /* flags[-1] (0), flags, items, main_para, then evidence */
    unsigned *flags, *items, *main_para;
    size_t (*evidence)[2]; /* start and end */
    size_t n_evidence, sent_hint;
} sentence_marks;

/* sm's room, zeroed, and which paragraphs are main. */
static void sentence_marks_init(sentence_marks *sm, const hm_scan *scan, const para_stats *ps, size_t n_ps)
{
    const hm_document *doc = scan->doc;
    /* the sentences' and paragraphs' numbers (an even count of them:
     * evidence is aligned), then room for every finding's span */
    size_t units = 1 + 2 * (doc->n_sents + 1) + doc->n_paras + 1;
    units += units & 1;
    sm->block = hm_xmalloc(units * sizeof *sm->block + (scan->n_findings + 1) * sizeof *sm->evidence);
    memset(sm->block, 0, units * sizeof *sm->block);
    /* flags[-1] and flags[n_sents] are 0: a sentence's neighbours' flags
     * can be read at either end of the text */
    sm->flags = sm->block + 1;
    sm->items = sm->flags + doc->n_sents + 1;
    sm->main_para = sm->items + doc->n_sents + 1;
    sm->evidence = (size_t(*)[2])(sm->block + units);
    sm->n_evidence = sm->sent_hint = 0;
    for (size_t m = 0; m < n_ps; m++)
        sm->main_para[ps[m].index] = 1;
}

/* The facts of every finding, in the findings' order (a new array), and
 * how many are specific evidence; in the same block, after the facts, the
 * numbers of the findings that name a pack's entry (a person or event with
 * a canonical name), in order: *entries, *n_entries; after those, room for
 * FINDING_LISTS more lists of finding numbers, n_findings + 1 each (the
 * walk's dated and specific findings). In the same walk, what the findings
 * make each sentence of a main paragraph, into sm (sentence_marks_init).
 * A finding's paragraph is read from its number (hm_scan_finish set it):
 * para_of_number maps essay paragraphs' numbers to their indices, and 0 to
 * SIZE_MAX (no essay paragraph: the walks credit none), with no search. */
enum { FINDING_LISTS = 2 };
static finding_facts *find_facts(const hm_scan *scan, const size_t *para_of_number, size_t *n_specific,
                                 uint32_t **entries, size_t *n_entries, sentence_marks *sm)
{
    const hm_document *doc = scan->doc;
    size_t specific = 0, named = 0, n_evidence = 0;
    finding_facts *facts =
        hm_xmalloc((scan->n_findings + 1) * (sizeof *facts + (1 + FINDING_LISTS) * sizeof **entries));
    uint32_t *entry = (uint32_t *)(facts + scan->n_findings + 1);
    /* in locals: the stores below could otherwise be doc's or sm's fields */
    const hm_sentence *sents = doc->sents;
    size_t n_sents = doc->n_sents, (*evidence)[2] = sm->evidence, sent_hint = 0;
    unsigned *sent_flags = sm->flags, *sent_items = sm->items;
    const unsigned *main_para = sm->main_para;
    for (size_t k = 0; k < scan->n_findings; k++) {
        const hm_finding *f = &scan->findings[k];
        unsigned flags = tag_fact(f->tag);
        /* no branch: evidence or not is as likely as not */
        unsigned is_evidence = hm_kind_is_evidence(f->kind) != 0;
        unsigned is_specific = (unsigned)!(flags & FACT_TERM) & is_evidence;
        flags |= is_specific * FACT_SPECIFIC;
        specific += is_specific;
        facts[k] = (finding_facts){para_of_number[f->paragraph], flags};
        /* nor for naming an entry, nor for evidence's spans: written every
         * time, counted if so */
        entry[named] = (uint32_t)k;
        named += (unsigned)((HM_KIND_BIT(f->kind) & (HM_KIND_BIT(HM_KIND_PERSON) | HM_KIND_BIT(HM_KIND_EVENT))) != 0) &
                 (unsigned)(f->canonical != NULL);
        evidence[n_evidence][0] = f->start;
        evidence[n_evidence][1] = f->end;
        n_evidence += is_evidence;
        size_t si = sentence_step(doc, sents, n_sents, f->start, &sent_hint);
        if (si != SIZE_MAX && main_para[sents[si].para]) {
            /* what the finding's kind makes its sentence, by a table (the
             * kinds come in no order, a switch on them mispredicts); a
             * signpost of another kind judges */
            static const unsigned char kind_sentence_flag[HM_KIND_COUNT] = {
                [HM_KIND_CAUSATION] = S_EXPLAIN, [HM_KIND_JUDGEMENT] = S_JUDGE, /* appraisal too */
                [HM_KIND_COUNTERARGUMENT] = S_COUNTER};
            unsigned by_kind = kind_sentence_flag[f->kind];
            unsigned signpost = (flags & FACT_SIGNPOST) != 0;
            sent_flags[si] |= is_specific * S_EVIDENCE | by_kind | (unsigned)(by_kind == 0) * signpost * S_JUDGE;
            sent_items[si] += is_specific;
        }
    }
    *n_specific = specific;
    *entries = entry;
    *n_entries = named;
    sm->n_evidence = n_evidence;
    sm->sent_hint = sent_hint;
    return facts;
}

/* The distinct specific items: findings of one kind whose texts are the
 * same, ASCII case folded, are one. An open-addressing table of finding
 * numbers, sized once for every specific finding (at most half full) and on
 * the stack for most essays: no key is written out, and the text is
 * hashed where it stands. */
enum { DISTINCT_ON_STACK = 256 };

typedef struct distinct_slot {
    uint32_t finding; /* its number + 1; 0: empty */
    uint32_t hash;    /* the low half of the finding's */
} distinct_slot;

typedef struct distinct_items {
    distinct_slot *slots;
    size_t mask; /* slots - 1, a power of two less one */
    distinct_slot on_stack[DISTINCT_ON_STACK];
} distinct_items;

static void distinct_items_init(distinct_items *d, size_t n)
{
    size_t cap = 16;
    while (cap < 2 * n)
        cap *= 2;
    d->slots = cap <= DISTINCT_ON_STACK ? d->on_stack : hm_xmalloc(cap * sizeof *d->slots);
    memset(d->slots, 0, cap * sizeof *d->slots);
    d->mask = cap - 1;
}

static void distinct_items_free(distinct_items *d)
{
    if (d->slots != d->on_stack)
        free(d->slots);
}

/* The two texts, n bytes each, are the same ASCII case folded. */
static bool same_folded(const char *a, const char *b, size_t n)
{
    if (memcmp(a, b, n) == 0)
        return true;
    for (size_t i = 0; i < n; i++)
        if (hm_ascii_fold[(unsigned char)a[i]] != hm_ascii_fold[(unsigned char)b[i]])
            return false;
    return true;
}

/* A hash of the text s[0, n) and a kind, for the table alone: texts the
 * same with ASCII case folded hash alike, for every byte is taken with its
 * 0x20 bit set (a capital has it clear, its small letter set, and nothing
 * else folds; the few other bytes that then agree, such as '@' and '`',
 * same_folded tells apart). Of the text only its length, its first four
 * bytes and its last four (overlapping under eight; under four, the first,
 * middle and last) are hashed: no byte outside it is read, every text
 * takes the same steps, and texts that agree there but differ between are
 * told apart by same_folded too. */
static uint64_t distinct_hash(const char *s, size_t n, unsigned kind)
{
    const uint64_t case_bits = 0x2020202020202020ULL, mix = 0x9E3779B97F4A7C15ULL;
    uint64_t bytes;
    if (n >= 4) {
        uint32_t head, tail;
        memcpy(&head, s, sizeof head);
        memcpy(&tail, s + n - 4, sizeof tail);
        bytes = (uint64_t)head << 32 | tail;
    } else {
        bytes = n ? (uint64_t)(unsigned char)s[0] | (uint64_t)(unsigned char)s[n / 2] << 8 |
                        (uint64_t)(unsigned char)s[n - 1] << 16
                  : 0;
    }
    uint64_t h = ((n << 8 | kind) * mix ^ (bytes | case_bits)) * mix;
    return h ^ h >> 29;
}

/* Adds the k-th finding: 1 when no finding of its kind and text was added
 * before, else 0. */
static unsigned distinct_items_add(distinct_items *d, const hm_scan *scan, size_t k)
{
    const hm_finding *f = &scan->findings[k];
    const char *text = scan->text + f->start; /* the text holds no NUL */
    size_t len = f->end - f->start;
    uint64_t h = distinct_hash(text, len, (unsigned)f->kind);
    for (size_t i = (size_t)h & d->mask;; i = (i + 1) & d->mask) {
        distinct_slot *slot = &d->slots[i];
        if (!slot->finding) {
            *slot = (distinct_slot){(uint32_t)k + 1, (uint32_t)h};
            return 1;
        }
        const hm_finding *o = &scan->findings[slot->finding - 1];
        if (slot->hash == (uint32_t)h && o->kind == f->kind && o->end - o->start == len &&
            same_folded(scan->text + o->start, text, len))
            return 0;
    }
}

/* What the walk over the findings gathers for measure_question: the
 * extent judgements, and the years of the dated evidence (0: none). */
typedef struct question_evidence {
    unsigned extent;
    int first, last;
} question_evidence;

static void measure_question(hm_features *fs, const hm_scan *scan, const hm_question *q, question_evidence ev);
static void measure_date_slips(hm_features *fs, const hm_scan *scan, const uint32_t *entries, size_t n_entries);
static void measure_sentences(hm_features *fs, const hm_scan *scan, sentence_marks *sm, const para_stats *ps,
                              size_t n_ps, const char *question, size_t qlen);

void hm_features_measure(hm_features *fs, const hm_scan *scan, const char *question, size_t qlen)
{
    memset(fs, 0, sizeof *fs);
    const hm_document *doc = scan->doc;
    hm_feature_value *F = fs->f;
    for (int i = 0; i < HM_F_COUNT; i++)
        F[i].available = true;
    /* No question line: an essay's opening sentence usually restates the
     * question, so its words stand in for the key terms. The introduction
     * is then not judged on using them. */
    bool terms_from_intro = false;
    if (question) {
        question_terms(fs, scan, question, qlen);
    } else if (scan->intro != SIZE_MAX && doc->paras[scan->intro].n_sentences) {
        const hm_sentence *open = &doc->sents[doc->paras[scan->intro].first_sentence];
        question_terms(fs, scan, doc->src->text + open->start, open->end - open->start);
        terms_from_intro = fs->n_terms > 0;
    }
    bool have_terms = fs->n_terms > 0;
    F[HM_F_QUESTION_FOUND].value = question != NULL;

    /* Essay paragraphs and the main ones among them. */
    size_t n_body = 0, n_items = 0, n_headings = 0, n_asks = 0, last_body = SIZE_MAX;
    unsigned words = 0;
    for (size_t i = 0; i < doc->n_paras; i++) {
        const hm_para *p = &doc->paras[i];
        if (p->kind == HM_PARA_BODY) {
            n_body++;
            words += p->words;
            last_body = i;
        } else if (p->kind == HM_PARA_LIST_ITEM) {
            n_items++;
            words += p->words;
        } else if (p->kind == HM_PARA_HEADING) {
            n_headings++;
            n_asks += p->asks;
        }
    }
    F[HM_F_WORDS].value = words;
    F[HM_F_PARAGRAPHS].value = (double)n_body;
    F[HM_F_MEAN_PARA_WORDS].value = n_body ? (double)words / (double)n_body : 0;
    F[HM_F_QUESTION_LINES].value = (double)n_asks;
    F[HM_F_LIST_SHARE].value =
        (n_body + n_items + n_headings) ? (double)n_items / (double)(n_body + n_items + n_headings) : 0;

    /* the main paragraphs' stats, paragraph -> ps and essay paragraph
     * number -> paragraph (find_facts), in one block */
    para_stats *ps = hm_xcalloc(doc->n_paras + 1, sizeof *ps + 2 * sizeof(size_t));
    size_t *ps_of = (size_t *)(ps + doc->n_paras + 1);
    size_t *para_of_number = ps_of + doc->n_paras + 1;
    para_of_number[0] = SIZE_MAX;
    for (size_t i = 0; i < doc->n_paras; i++) {
        ps_of[i] = SIZE_MAX;
        if (doc->paras[i].number) /* numbered 1, 2, ...: no more than n_paras */
            para_of_number[doc->paras[i].number] = i;
    }
    size_t n_ps = 0;
    for (size_t i = 0; i < doc->n_paras; i++) {
        if (doc->paras[i].kind != HM_PARA_BODY)
            continue;
        bool main = n_body < 3 || (i != scan->intro && i != scan->conclusion);
        if (!main)
            continue;
        ps[n_ps].index = i;
        ps[n_ps].words = doc->paras[i].words;
        ps_of[i] = n_ps++;
    }
    /* The features' paragraph lists in one block, not a few dozen
     * allocations an essay: a list holds main paragraphs, each once, or the
     * conclusion. */
    fs->para_lists = hm_xmalloc(HM_F_COUNT * (n_ps + 1) * sizeof *fs->para_lists);
    for (int i = 0; i < HM_F_COUNT; i++) {
        F[i].paras = fs->para_lists + (size_t)i * (n_ps + 1);
        F[i].cap_paras = n_ps + 1;
    }

    /* Walk the findings once, crediting paragraphs. */
    unsigned evidence = 0, kinds_mask = 0, misspelt = 0, website = 0, quote_bytes_words = 0;
    misspelling slips[MISSPELLINGS_LISTED];
    size_t n_slips = 0;
    size_t n_specific;
    uint32_t *entries; /* in facts' block */
    size_t n_entries;
    sentence_marks marks;
    sentence_marks_init(&marks, scan, ps, n_ps);
    finding_facts *facts = find_facts(scan, para_of_number, &n_specific, &entries, &n_entries, &marks);
    distinct_items distinct;
    distinct_items_init(&distinct, n_specific);
    unsigned conclusion_concedes = 0, extent = 0; /* the conclusion can concede too */
    const size_t intro = scan->intro, conclusion = scan->conclusion; /* (the stores below could be scan's) */
    hm_question q = {HM_Q_OTHER, 0, 0, HM_QUESTION_WEIGHS_NONE};
    if (question)
        hm_question_parse(&q, question, qlen, &scan->cfg->lists);
    question_evidence q_ev = {0, 0, 0}; /* extent after the walk */
    uint32_t *dated = entries + scan->n_findings + 1, *specific_found = dated + scan->n_findings + 1;
    size_t n_dated = 0, n_specific_found = 0;
    for (size_t k = 0; k < scan->n_findings; k++) {
        const hm_finding *f = &scan->findings[k];
        size_t pi = facts[k].para;
        unsigned fact = facts[k].flags;
        if (f->kind == HM_KIND_WEBSITE) {
            website++;
            continue;
        }
        /* Appraisal words ("this reading", "points to") mark a sentence as
         * arguing (see measure_sentences), not a judgement of the question. */
        if (f->kind == HM_KIND_JUDGEMENT && (fact & FACT_APPRAISAL))
            continue;
        if (pi == SIZE_MAX || (doc->paras[pi].kind != HM_PARA_BODY && doc->paras[pi].kind != HM_PARA_LIST_ITEM))
            continue;
        /* (a website finding or an appraisal is neither of these) */
        extent += (unsigned)(f->kind == HM_KIND_JUDGEMENT) & (unsigned)((fact & FACT_EXTENT) != 0);
        /* The dates and the specific findings come in no order: listed
         * without a branch (written every time, counted if so), read after
         * the walk. */
        dated[n_dated] = (uint32_t)k;
        n_dated += f->kind == HM_KIND_DATE;
        specific_found[n_specific_found] = (uint32_t)k;
        n_specific_found += fact & FACT_SPECIFIC;
        kinds_mask |= (fact & FACT_SPECIFIC) << f->kind;
        if (f->kind == HM_KIND_QUOTATION)
            quote_bytes_words += word_count_span(doc, f->start, f->end);
        if (f->suggestion && f->kind == HM_KIND_PERSON) {
            misspelt++;
            note_misspelling(slips, &n_slips, scan->text + f->start, f->end - f->start, f->suggestion);
            set_example(&F[HM_F_MISSPELT], f->start, f->end);
        }
        if (pi == intro) {
            if (f->kind == HM_KIND_JUDGEMENT || (fact & FACT_SIGNPOST)) {
                F[HM_F_INTRO_ARGUMENT].value = 1;
                set_example(&F[HM_F_INTRO_ARGUMENT], f->start, f->end);
            }
            if (fact & FACT_CRITERIA) {
                F[HM_F_CRITERIA].value = 1;
                set_example(&F[HM_F_CRITERIA], f->start, f->end);
            }
        }
        if (pi == conclusion) {
            /* (no test above turns a counter-argument away here) */
            conclusion_concedes |= f->kind == HM_KIND_COUNTERARGUMENT;
            if (f->kind == HM_KIND_JUDGEMENT) {
                F[HM_F_CONCLUSION_JUDGEMENT].value = 1;
                set_example(&F[HM_F_CONCLUSION_JUDGEMENT], f->start, f->end);
                if (fact & FACT_COMPARATIVE) {
                    F[HM_F_CONCLUSION_WEIGHS].value = 1;
                    set_example(&F[HM_F_CONCLUSION_WEIGHS], f->start, f->end);
                }
            }
        }
        if (ps_of[pi] != SIZE_MAX) {
            para_stats *s = &ps[ps_of[pi]];
            /* (counts by bit tests: which findings are specific, criteria
             * or signposts, or open a paragraph, follows no pattern) */
            unsigned kind_bit = HM_KIND_BIT(f->kind);
            unsigned specific = fact & FACT_SPECIFIC; /* 0 or 1 */
            s->specific += specific;
            s->kinds_mask |= specific * kind_bit;
            /* The example to quote: a date or figure shows precise
             * knowledge better than a name (0: not evidence). */
            /* (the rank in the high half: see para_stats) */
            static const uint64_t evidence_rank[HM_KIND_COUNT] = {
                [HM_KIND_DATE] = 3ull << 32, [HM_KIND_FIGURE] = 3ull << 32, [HM_KIND_EVENT] = 2ull << 32,
                [HM_KIND_PERSON] = 1ull << 32, [HM_KIND_QUOTATION] = 1ull << 32};
            /* (maxima, not ifs: see para_stats) */
            uint32_t first = UINT32_MAX - (uint32_t)k;
            uint64_t evidence_key = (evidence_rank[f->kind] & -(uint64_t)specific) | first;
            s->best_evidence = evidence_key > s->best_evidence ? evidence_key : s->best_evidence;
            const hm_sentence *first_sent = &doc->sents[doc->paras[pi].first_sentence];
            unsigned in_first = f->start < first_sent->end;
            /* the slot by a table, tagged comparative or not, and kind */
            static const unsigned char finding_slot[2][HM_KIND_COUNT] = {
                {[HM_KIND_CAUSATION] = SLOT_CAUSATION, [HM_KIND_COUNTERARGUMENT] = SLOT_COUNTER,
                 [HM_KIND_JUDGEMENT] = SLOT_JUDGEMENT},
                {[HM_KIND_CAUSATION] = SLOT_CAUSATION, [HM_KIND_COUNTERARGUMENT] = SLOT_COUNTER,
                 [HM_KIND_JUDGEMENT] = SLOT_COMPARATIVE}};
            unsigned slot = finding_slot[(fact & FACT_COMPARATIVE) != 0][f->kind];
            s->of_slot[slot]++;
            s->first_of_slot[slot] = first > s->first_of_slot[slot] ? first : s->first_of_slot[slot];
            unsigned signpost = (fact & FACT_SIGNPOST) != 0;
            s->criteria += (fact & FACT_CRITERIA) != 0;
            s->signpost += signpost;
            s->argument_first += in_first & (((kind_bit & (HM_KIND_BIT(HM_KIND_JUDGEMENT) | HM_KIND_BIT(HM_KIND_CAUSATION) |
                                                           HM_KIND_BIT(HM_KIND_COUNTERARGUMENT))) != 0) |
                                             signpost);
        }
    }
    q_ev.extent = extent;
    for (size_t i = 0; i < n_dated; i++) {
        const hm_finding *f = &scan->findings[dated[i]];
        int a, b;
        /* Restating the question's period ("during 1928-53") is not evidence of it. */
        if (hm_date_years(scan->text + f->start, f->end - f->start, &a, &b) &&
            !(a != b && a == q.start_year && b == q.end_year)) {
            if (!q_ev.first || a < q_ev.first)
                q_ev.first = a;
            if (b > q_ev.last)
                q_ev.last = b;
        }
    }
    /* Range, not repetition: count each distinct item once. */
    for (size_t i = 0; i < n_specific_found; i++)
        evidence += distinct_items_add(&distinct, scan, specific_found[i]);
    distinct_items_free(&distinct);
    F[HM_F_EVIDENCE_ITEMS].value = evidence;
    F[HM_F_EVIDENCE_KINDS].value = hm_popcount32(kinds_mask);
    F[HM_F_EVIDENCE_KINDS].detail = missing_evidence_kinds(kinds_mask);
    F[HM_F_EVIDENCE_DENSITY].value = words ? 100.0 * evidence / words : 0;
    F[HM_F_MISSPELT].value = misspelt;
    F[HM_F_MISSPELT].detail = misspellings_text(slips, n_slips);
    F[HM_F_WEBSITE].value = website;
    F[HM_F_QUOTATION_SHARE].value = words ? (double)quote_bytes_words / words : 0;
    measure_date_slips(fs, scan, entries, n_entries);

    /* The words with a key term, after every walk over the findings: the
     * walk over the words pushes them out of the cache. */
    size_t *term_words = NULL, n_term_words = 0; /* the words with a term, in order */
    if (have_terms) {
        /* each word against the terms once; terms_in_of then only counts */
        /* the words, their terms and their concepts in one block (freed
         * with term_words) */
        term_words = hm_xmalloc((doc->n_words + 1) * (sizeof *term_words + 2 * sizeof(int32_t)));
        int32_t *wt = (int32_t *)(term_words + doc->n_words + 1);
        int32_t *wc = wt + doc->n_words + 1;
        /* each term's stem key and mask (stem_key), stem length and the
         * next term with its first byte */
        uint64_t *stem_keys = hm_xmalloc(fs->n_terms * (2 * sizeof *stem_keys + sizeof(size_t) + sizeof(int32_t)));
        uint64_t *stem_masks = stem_keys + fs->n_terms;
        size_t *stem = (size_t *)(stem_masks + fs->n_terms);
        /* Terms by first byte, in term order (next_term chains them), so a
         * word meets only the terms it could match (c0 == terms[t][0]); a
         * term with an empty stem matches any word, and then every word
         * tries every term. */
        int32_t *next_term = (int32_t *)(stem + fs->n_terms);
        int32_t head[256];
        memset(head, 0xFF, sizeof head); /* -1: no term opens with the byte */
        bool any_empty = false;
        /* A word shorter than every stem matches none, and a word matches a
         * term only when its first two bytes are the stem's, case aside:
         * opens_stem has the stems' pairs (stem_pair), and one test
         * turns away most words (a term opens with a common letter for
         * half of them; with its second letter too, for few). */
        size_t shortest_stem = SIZE_MAX;
        unsigned char opens_stem[STEM_PAIRS];
        memset(opens_stem, 0, sizeof opens_stem);
        for (size_t t = fs->n_terms; t-- > 0;) {
            stem[t] = term_stem(fs->terms[t]);
            stem_key(fs->terms[t], stem[t], &stem_keys[t], &stem_masks[t]);
            any_empty |= stem[t] == 0;
            if (stem[t] < shortest_stem)
                shortest_stem = stem[t];
            unsigned char c = (unsigned char)fs->terms[t][0];
            next_term[t] = head[c];
            head[c] = (int32_t)t;
            if (stem[t] >= 2)
                opens_stem[stem_pair(c, (unsigned char)fs->terms[t][1])] = 1;
        }
        if (shortest_stem < 2) /* a stem of one byte or none: every word is asked */
            memset(opens_stem, 1, sizeof opens_stem);
        /* in locals: the stores below could otherwise be doc's fields */
        const char *text = doc->src->text;
        const hm_word *doc_words = doc->words;
        for (size_t pi = 0; pi < doc->n_paras; pi++) {
            /* only the main paragraphs' words and the introduction's are
             * asked about (links, topic sentences, the introduction's terms) */
            if (ps_of[pi] == SIZE_MAX && pi != scan->intro)
                continue;
            /* the paragraph's candidates first, written where the words
             * with a term go (there are no more of those than candidates,
             * and each is written after its candidate is read) */
            size_t n_cand = stem_candidates(text, doc_words, doc->paras[pi].first_word, doc->paras[pi].words,
                                            opens_stem, term_words + n_term_words);
            for (size_t *cand = term_words + n_term_words, *cand_end = cand + n_cand; cand < cand_end; cand++) {
                size_t k = *cand;
                const unsigned char *w = (const unsigned char *)text + doc_words[k].start;
                size_t n = doc_words[k].end - doc_words[k].start;
                if (n < shortest_stem)
                    continue;
                int c0 = hm_ascii_fold[w[0]];
                int32_t term = -1, concept = -1;
                if (any_empty) {
                    for (size_t t = 0; t < fs->n_terms && concept < 0; t++)
                        if ((stem[t] == 0 || c0 == (unsigned char)fs->terms[t][0]) &&
                            matches_stem((const char *)w, n, fs->terms[t], stem[t])) {
                            if (term < 0)
                                term = (int32_t)t;
                            if (fs->term_concept[t])
                                concept = (int32_t)t;
                        }
                } else {
                    /* the word's first eight bytes folded once for all the
                     * terms it meets (the text is padded: they can be read) */
                    uint64_t w8;
                    memcpy(&w8, w, sizeof w8);
                    w8 = fold_ascii8(w8);
                    for (int32_t t = head[c0]; t >= 0 && concept < 0; t = next_term[t])
                        if (stem_matches_folded((const char *)w, n, w8, fs->terms[t], stem[t], stem_keys[t],
                                                stem_masks[t])) {
                            if (term < 0)
                                term = t;
                            if (fs->term_concept[t])
                                concept = t;
                        }
                }
                if (term >= 0) { /* a concept word is a term word too */
                    wt[n_term_words] = term;
                    wc[n_term_words] = concept;
                    term_words[n_term_words++] = k;
                }
            }
        }
        free(stem_keys);
        fs->word_doc = doc;
        fs->term_words = term_words;
        fs->n_term_words = n_term_words;
        fs->word_term = wt;
        fs->word_concept = wc;
    }

    /* Key terms in the main paragraphs (links), and in their first or last
     * sentences (topic sentences): one walk over the words with a term. */
    size_t term_para_hint = 0;
    for (size_t j = 0; j < n_term_words; j++) {
        const hm_word *w = &doc->words[term_words[j]];
        size_t pi = para_step(doc, doc->paras, doc->n_paras, w->start, &term_para_hint);
        if (pi == SIZE_MAX || ps_of[pi] == SIZE_MAX || w->end > doc->paras[pi].end)
            continue;
        para_stats *s = &ps[ps_of[pi]];
        s->links++;
        const hm_para *p = &doc->paras[pi];
        const hm_sentence *first = &doc->sents[p->first_sentence];
        const hm_sentence *last = &doc->sents[p->first_sentence + p->n_sentences - 1];
        /* (bit tests: which words open or close a paragraph is no guess) */
        unsigned in_first = (unsigned)(w->start >= first->start) & (unsigned)(w->start < first->end) &
                            (unsigned)(w->end <= first->end);
        unsigned in_last = (unsigned)(w->start >= last->start) & (unsigned)(w->start < last->end) &
                           (unsigned)(w->end <= last->end);
        s->topic_sentence |= in_first | in_last;
    }

    /* Per main paragraph: evidence, explanation, judgement, links. */
    size_t with_ev = 0, precise = 0, explained = 0, judged = 0,
           topic = 0, linked = 0, counter_paras = 0;
    unsigned supported = 0, unsupported = 0, comparative = 0;
    for (size_t m = 0; m < n_ps; m++) {
        para_stats *s = &ps[m];
        const hm_para *p = &doc->paras[s->index];
        const hm_sentence *first = &doc->sents[p->first_sentence];
        if (s->argument_first)
            s->topic_sentence = true;
        bool ev = s->specific > 0;
        with_ev += ev;
        if (!ev) {
            add_para(&F[HM_F_UNEVIDENCED], p->number);
            add_para(&F[HM_F_EVIDENCE_SHARE], p->number);
        }
        else { /* every specific kind has a rank: best_evidence holds one */
            const hm_finding *e = first_kept(scan, (uint32_t)s->best_evidence);
            set_lead_example(&F[HM_F_EVIDENCE_SHARE], doc, e->start, e->end);
        }
        if (s->specific >= 2 && hm_popcount32(s->kinds_mask) >= 2)
            precise++;
        else
            add_para(&F[HM_F_PRECISE_SHARE], p->number);
        unsigned causation = s->of_slot[SLOT_CAUSATION], judgement = judgements(s),
                 counter = s->of_slot[SLOT_COUNTER], comparative_judgement = s->of_slot[SLOT_COMPARATIVE];
        if (causation && ev) {
            explained++;
            if (F[HM_F_CAUSATION_SHARE].ex_end == F[HM_F_CAUSATION_SHARE].ex_start) {
                const hm_finding *c = first_kept(scan, s->first_of_slot[SLOT_CAUSATION]);
                set_clause_example(&F[HM_F_CAUSATION_SHARE], doc, c->start, c->end, NULL);
            }
        } else {
            add_para(&F[HM_F_CAUSATION_SHARE], p->number);
        }
        if (judgement && ev) {
            judged++;
            supported += judgement;
            comparative += comparative_judgement;
            const hm_finding *j = first_kept(scan, first_judgement(s));
            set_clause_example(&F[HM_F_JUDGEMENT_SHARE], doc, j->start, j->end, NULL);
            set_clause_example(&F[HM_F_SUPPORTED_JUDGEMENTS], doc, j->start, j->end, NULL);
            if (comparative_judgement) { /* praised beside supported judgements: another quotation */
                const hm_finding *c = first_kept(scan, s->first_of_slot[SLOT_COMPARATIVE]);
                set_clause_example(&F[HM_F_COMPARATIVE], doc, c->start, c->end, &F[HM_F_SUPPORTED_JUDGEMENTS]);
            }
        } else {
            unsupported += judgement;
            add_para(&F[HM_F_JUDGEMENT_SHARE], p->number);
            if (judgement)
                add_para(&F[HM_F_UNSUPPORTED_JUDGEMENTS], p->number);
        }
        bool analysed = (causation && ev) || (judgement && ev) || (counter && ev);
        s->analysed = analysed; /* measure_sentences adds paragraphs argued in plain words */
        if (s->topic_sentence)
            topic++;
        else
            add_para(&F[HM_F_TOPIC_SENTENCES], p->number);
        if (s->links)
            linked++;
        else
            add_para(&F[HM_F_QUESTION_LINKS], p->number);
        if (s->criteria) {
            F[HM_F_CRITERIA].value = 1;
        }
        if (counter) {
            counter_paras++;
            set_example(&F[HM_F_COUNTER], p->start, first->end);
        }
    }
    counter_paras += conclusion_concedes;
    double main_n = n_ps ? (double)n_ps : 1;
    F[HM_F_EVIDENCE_SHARE].value = n_ps ? with_ev / main_n : 0;
    F[HM_F_PRECISE_SHARE].value = n_ps ? precise / main_n : 0;
    F[HM_F_UNEVIDENCED].value = (double)(n_ps - with_ev);
    F[HM_F_CAUSATION_SHARE].value = n_ps ? explained / main_n : 0;
    F[HM_F_JUDGEMENT_SHARE].value = n_ps ? judged / main_n : 0;
    F[HM_F_SUPPORTED_JUDGEMENTS].value = supported;
    F[HM_F_UNSUPPORTED_JUDGEMENTS].value = unsupported;
    F[HM_F_COMPARATIVE].value = comparative + F[HM_F_CONCLUSION_WEIGHS].value;
    F[HM_F_COUNTER].value = (double)counter_paras;
    F[HM_F_TOPIC_SENTENCES].value = n_ps ? topic / main_n : 0;
    F[HM_F_QUESTION_LINKS].value = n_ps ? linked / main_n : 0;
    F[HM_F_QUESTION_LINKS].available = have_terms;
    F[HM_F_CONCLUSION].value = scan->conclusion != SIZE_MAX;
    if (scan->conclusion != SIZE_MAX) {
        set_example(&F[HM_F_CONCLUSION], doc->paras[scan->conclusion].start,
                    doc->sents[doc->paras[scan->conclusion].first_sentence].end);
        /* A conclusion that does not judge or weigh: point at it. */
        unsigned number = doc->paras[scan->conclusion].number;
        if (!F[HM_F_CONCLUSION_JUDGEMENT].value)
            add_para(&F[HM_F_CONCLUSION_JUDGEMENT], number);
        if (!F[HM_F_CONCLUSION_WEIGHS].value)
            add_para(&F[HM_F_CONCLUSION_WEIGHS], number);
    }
    /* Where more knowledge would help most: the thinnest main paragraphs
     * (two items or fewer, or else the fewest). */
    unsigned thinnest = UINT_MAX;
    for (size_t k = 0; k < n_ps; k++)
        if (ps[k].specific < thinnest)
            thinnest = ps[k].specific;
    for (size_t k = 0; k < n_ps; k++)
        if (ps[k].specific <= 2 || ps[k].specific == thinnest)
            add_para(&F[HM_F_EVIDENCE_ITEMS], doc->paras[ps[k].index].number);

    if (scan->intro != SIZE_MAX && have_terms) {
        bool *seen = hm_xcalloc(fs->n_terms, sizeof *seen);
        const hm_para *ip = &doc->paras[scan->intro];
        terms_in(fs, doc, ip->start, ip->end, seen);
        size_t hit = 0;
        for (size_t t = 0; t < fs->n_terms; t++)
            hit += seen[t];
        free(seen);
        F[HM_F_INTRO_TERMS].value = (double)hit / (double)fs->n_terms;
        F[HM_F_INTRO_TERMS].available = !terms_from_intro;
        set_example(&F[HM_F_INTRO_TERMS], ip->start, doc->sents[ip->first_sentence].end);
    } else {
        F[HM_F_INTRO_TERMS].available = have_terms;
    }

    /* Balance: main paragraphs within a factor of the median length. */
    if (n_ps >= 2) {
        unsigned *w = hm_xmalloc(n_ps * sizeof *w);
        for (size_t m = 0; m < n_ps; m++)
            w[m] = ps[m].words;
        for (size_t a = 1; a < n_ps; a++)
            for (size_t b = a; b > 0 && w[b - 1] > w[b]; b--) {
                unsigned t = w[b];
                w[b] = w[b - 1];
                w[b - 1] = t;
            }
        double median = w[n_ps / 2];
        size_t ok = 0;
        for (size_t m = 0; m < n_ps; m++)
            ok += ps[m].words * 10 >= median * 4 && ps[m].words * 10 <= median * 25;
        F[HM_F_BALANCE].value = (double)ok / (double)n_ps;
        free(w);
    }
    if (last_body != SIZE_MAX) {
        const hm_para *p = &doc->paras[last_body];
        size_t e = p->end;
        const char *t = doc->src->text;
        while (e > p->start && (t[e - 1] == '"' || t[e - 1] == ')' || (unsigned char)t[e - 1] >= 0x80))
            e--;
        F[HM_F_TRUNCATED].value = !(e > p->start && (t[e - 1] == '.' || t[e - 1] == '!' || t[e - 1] == '?'));
    }
    measure_sentences(fs, scan, &marks, ps, n_ps, question, qlen);
    free(marks.block); /* and the rest of sentence_marks_init's block */
    free(ps); /* and ps_of */
    measure_question(fs, scan, &q, q_ev);
    free(facts);
    free(fs->term_words); /* and word_term and word_concept with it */
    fs->word_term = fs->word_concept = NULL;
    fs->term_words = NULL;
    fs->n_term_words = 0;
    fs->word_doc = NULL;
}

/* ---- sentence by sentence ----
 * What each sentence of a main paragraph does. A sentence argues when it
 * explains (a causation finding), judges (a judgement, criterion or line of
 * argument), qualifies (a counter-argument), or, without any evidence of its
 * own, makes a claim in the question's own concept words ("success",
 * "failure", "aims"). A sentence narrates when it gives specific evidence and
 * does none of these: a date or a name and what happened, no more. Evidence
 * is deployed when it sits in an arguing sentence, or in the sentence just
 * before one that explains or judges it ("... in 1932. This meant ..."). The
 * sentences' flags (S_) are set from the findings by find_facts. */

/* Sentences in a row that narrate: a descriptive passage. */
#define NARRATIVE_RUN 3

/* (bit tests, not && and ||: a sentence's flags are no guess) */
static bool sent_argues(unsigned f)
{
    return (unsigned)((f & (S_EXPLAIN | S_JUDGE | S_COUNTER)) != 0) | (unsigned)((f & (S_TERM | S_EVIDENCE)) == S_TERM);
}

static bool sent_narrates(unsigned f)
{
    return (f & (S_EVIDENCE | S_EXPLAIN | S_JUDGE | S_COUNTER)) == S_EVIDENCE;
}

static void measure_sentences(hm_features *fs, const hm_scan *scan, sentence_marks *sm, const para_stats *ps,
                              size_t n_ps, const char *question, size_t qlen)
{
    const hm_document *doc = scan->doc;
    hm_feature_value *F = fs->f;
    unsigned *block = sm->block, *flags = sm->flags, *items = sm->items;
    const unsigned *main_para = sm->main_para;
    size_t sent_hint = sm->sent_hint;
    /* Words inside evidence ("the kulaks" as a named group) do not make a
     * sentence a claim about the question's concept. A word is inside when
     * it starts within an evidence finding: the findings come in order of
     * start, so the furthest end of those starting at or before the word
     * tells, and one walk over their spans serves the words with a
     * concept, which are in order too. */
    bool concepts = false;
    for (size_t t = 0; t < fs->n_terms; t++)
        concepts |= fs->term_concept[t];
    size_t term_sent_hint = 0, next_evidence = 0, evidence_end = 0;
    for (size_t j = 0; concepts && j < fs->n_term_words; j++) {
        const hm_word *w = &doc->words[fs->term_words[j]];
        if (fs->word_concept[j] < 0)
            continue;
        for (; next_evidence < sm->n_evidence && sm->evidence[next_evidence][0] <= w->start; next_evidence++) {
            size_t end = sm->evidence[next_evidence][1]; /* (a maximum: no branch) */
            evidence_end = end > evidence_end ? end : evidence_end;
        }
        if (w->start < evidence_end)
            continue;
        size_t si = sentence_step(doc, doc->sents, doc->n_sents, w->start, &term_sent_hint);
        if (si != SIZE_MAX && main_para[doc->sents[si].para] && w->end <= doc->sents[si].end)
            flags[si] |= S_TERM;
    }

    size_t sentences = 0, argued = 0, narrated = 0, linked = 0, narrative_paras = 0, in_runs = 0, analytical = 0;
    unsigned ev_items = 0, deployed = 0;
    size_t worst = SIZE_MAX, worst_narrated = 0;
    for (size_t m = 0; m < n_ps; m++) {
        const hm_para *p = &doc->paras[ps[m].index];
        size_t a = p->first_sentence, n = p->n_sentences, para_narrated = 0, para_argued = 0;
        unsigned para_linked = 0, argues_somewhere = 0;
        size_t run = 0, longest = 0;
        /* (counts by bit tests, not branches: a sentence's flags are no
         * guess; the flags of the sentences either side are 0 past the
         * paragraph's ends) */
        for (size_t i = a; i < a + n; i++) {
            unsigned f = flags[i];
            /* (block[i] is flags[i - 1]: no index below 0) */
            unsigned prev = block[i] & -(unsigned)(i > a), next = flags[i + 1] & -(unsigned)(i + 1 < a + n);
            unsigned reasons = (f & (S_EXPLAIN | S_JUDGE)) != 0;
            /* evidence at hand: in the sentence or beside it */
            unsigned near_evidence = ((f | prev | next) & S_EVIDENCE) != 0;
            unsigned explained_next = (unsigned)((next & (S_EXPLAIN | S_JUDGE)) != 0) & (unsigned)!(next & S_EVIDENCE);
            unsigned argues = sent_argues(f);
            sentences++;
            /* An argument counts where evidence is at hand: in the sentence or
             * beside it. Stock phrases far from any fact earn nothing. */
            unsigned counts = argues & near_evidence;
            argued += counts;
            para_argued += counts;
            /* the example is the first such: asked first, the branch is
             * seldom taken */
            hm_feature_value *argued_v = &F[HM_F_ARGUED_SENTENCES];
            if (argued_v->ex_start == argued_v->ex_end && (counts & reasons & (f & S_EVIDENCE)))
                set_example(argued_v, doc->sents[i].start, doc->sents[i].end);
            unsigned narrates = sent_narrates(f);
            narrated += narrates;
            para_narrated += narrates;
            /* the example is the essay's first linked sentence: asked first,
             * as above */
            hm_feature_value *linked_v = &F[HM_F_LINKED_EXPLANATION];
            if (linked_v->ex_start == linked_v->ex_end && (reasons & near_evidence))
                set_example(linked_v, doc->sents[i].start, doc->sents[i].end);
            para_linked |= reasons & near_evidence;
            ev_items += items[i];
            deployed += items[i] * (argues | explained_next);
            /* runs of narrating sentences, in the same walk */
            argues_somewhere |= argues;
            run = (run + 1) * narrates;
            longest = run > longest ? run : longest;
            /* a run that reaches NARRATIVE_RUN counts its sentences so far,
             * and each one after */
            in_runs += (run == NARRATIVE_RUN) * NARRATIVE_RUN + (run > NARRATIVE_RUN);
        }
        linked += para_linked;
        /* Analytical: explains, judges or qualifies with evidence in the
         * paragraph, or argues beside its evidence in the writer's own words. */
        if (ps[m].analysed || para_argued)
            analytical++;
        else
            add_para(&F[HM_F_ANALYSIS_SHARE], p->number);
        if (para_argued * 3 < n)
            add_para(&F[HM_F_ARGUED_SENTENCES], p->number);
#ifdef HM_DEBUG_SENTENCES /* a developer's view of each sentence's class */
        if (getenv("HM_DEBUG_SENT"))
            for (size_t i = a; i < a + n; i++)
                fprintf(stderr, "P%u %c%c%c%c%c %s| %.*s\n", p->number, flags[i] & S_EVIDENCE ? 'E' : '.',
                        flags[i] & S_EXPLAIN ? 'X' : '.', flags[i] & S_JUDGE ? 'J' : '.',
                        flags[i] & S_COUNTER ? 'C' : '.', flags[i] & S_TERM ? 'T' : '.',
                        sent_narrates(flags[i]) ? "NARR" : sent_argues(flags[i]) ? "ARG " : "    ",
                        (int)(doc->sents[i].end - doc->sents[i].start), scan->text + doc->sents[i].start);
#endif
        if (!para_linked)
            add_para(&F[HM_F_LINKED_EXPLANATION], p->number);
        /* A narrative paragraph: half or more of its sentences narrate (at
         * least two), or it gives evidence and argues nowhere. */
        if (longest >= NARRATIVE_RUN || (ps[m].specific && !argues_somewhere)) {
            narrative_paras++;
            add_para(&F[HM_F_NARRATIVE_SHARE], p->number);
            add_para(&F[HM_F_NARRATIVE_SENTENCES], p->number);
            if (longest >= NARRATIVE_RUN)
                add_para(&F[HM_F_NARRATIVE_RUNS], p->number);
            if (para_narrated > worst_narrated) {
                worst_narrated = para_narrated;
                worst = m;
            }
        }
        if (!ps[m].specific || para_narrated * 2 >= n) /* no evidence, or evidence left as story */
            add_para(&F[HM_F_EVIDENCE_DEPLOYED], p->number);
    }
    F[HM_F_ARGUED_SENTENCES].value = sentences ? (double)argued / (double)sentences : 0;
    F[HM_F_ARGUED_COUNT].value = (double)argued;
    F[HM_F_NARRATIVE_SENTENCES].value = sentences ? (double)narrated / (double)sentences : 0;
    F[HM_F_NARRATIVE_RUNS].value = sentences ? (double)in_runs / (double)sentences : 0;
    F[HM_F_LINKED_EXPLANATION].value = n_ps ? (double)linked / (double)n_ps : 0;
    F[HM_F_ANALYSIS_SHARE].value = n_ps ? (double)analytical / (double)n_ps : 0;
    F[HM_F_NARRATIVE_SHARE].value = n_ps ? (double)narrative_paras / (double)n_ps : 0;
    F[HM_F_EVIDENCE_DEPLOYED].value = ev_items ? (double)deployed / (double)ev_items : 0;

    /* Say what the most narrative paragraph narrates, and what it leaves out;
     * it comes first, so that the gap points at it. */
    if (worst != SIZE_MAX) {
        const hm_para *p = &doc->paras[ps[worst].index];
        hm_feature_value *lists[] = {&F[HM_F_NARRATIVE_SHARE], &F[HM_F_NARRATIVE_SENTENCES], &F[HM_F_NARRATIVE_RUNS]};
        for (size_t l = 0; l < 3; l++)
            for (size_t i = lists[l]->n_paras; i-- > 1;)
                if (lists[l]->paras[i] == p->number) {
                    memmove(lists[l]->paras + 1, lists[l]->paras, i * sizeof *lists[l]->paras);
                    lists[l]->paras[0] = p->number;
                    break;
                }
        int lo = 0, hi = 0;
        size_t first_narr = SIZE_MAX;
        for (size_t i = p->first_sentence; i < p->first_sentence + p->n_sentences && first_narr == SIZE_MAX; i++)
            if (sent_narrates(flags[i]))
                first_narr = i;
        /* the paragraph's findings only: they are in order of start */
        for (size_t k = first_finding(scan, p->start); k < scan->n_findings && scan->findings[k].start < p->end; k++) {
            const hm_finding *f = &scan->findings[k];
            int y0, y1;
            if (f->kind != HM_KIND_DATE || f->end > p->end)
                continue;
            size_t si = hm_document_sentence_next(doc, f->start, &sent_hint);
            if (si == SIZE_MAX || !sent_narrates(flags[si]) ||
                !hm_date_years(scan->text + f->start, f->end - f->start, &y0, &y1))
                continue;
            if (!lo || y0 < lo)
                lo = y0;
            if (y1 > hi)
                hi = y1;
        }
        hm_buf b = {0};
        hm_buf_printf(&b, "paragraph %u ", p->number);
        if (lo && hi > lo)
            hm_buf_printf(&b, "narrates the events of %d-%d", lo, hi);
        else if (lo)
            hm_buf_printf(&b, "narrates the events of %d", lo);
        else
            hm_buf_puts(&b, "lists facts");
        hm_buf_printf(&b, " (%zu of its %zu sentences give facts with no explanation or judgement)", worst_narrated,
                      p->n_sentences);
        /* The question's concept the paragraph never mentions, else its first. */
        size_t term = SIZE_MAX;
        bool *seen = fs->n_terms ? hm_xcalloc(fs->n_terms, sizeof *seen) : NULL;
        if (seen)
            terms_in_of(fs, doc, p->start, p->end, seen, true);
        for (size_t t = 0; t < fs->n_terms && term == SIZE_MAX; t++)
            if (fs->term_concept[t] && !seen[t])
                term = t;
        for (size_t t = 0; t < fs->n_terms && term == SIZE_MAX; t++)
            if (fs->term_concept[t])
                term = t;
        free(seen);
        if (term != SIZE_MAX) {
            /* "foreign policy", not "foreign": the next concept words, up to
             * three in all, where the question has them side by side ("civil
             * rights", not "civil"; not "solve Soviet", a name) */
            hm_buf phrase = {0};
            hm_buf_puts(&phrase, fs->terms[term]);
            for (size_t next = term + 1; question && next < fs->n_terms && next < term + 3 && fs->term_concept[next];
                 next++) {
                size_t had = phrase.len;
                hm_buf_printf(&phrase, " %s", fs->terms[next]);
                bool side_by_side = false;
                /* the first byte picks the places worth the compare */
                int first = tolower((unsigned char)phrase.data[0]);
                for (size_t i = 0; !side_by_side && i + phrase.len <= qlen; i++)
                    side_by_side = tolower((unsigned char)question[i]) == first &&
                                   strncasecmp(question + i, phrase.data, phrase.len) == 0;
                if (!side_by_side) {
                    phrase.len = had;
                    phrase.data[had] = '\0';
                    break;
                }
            }
            hm_buf_printf(&b, " without saying what they show about the question's '%s'", phrase.data);
            hm_buf_free(&phrase);
        } else
            hm_buf_puts(&b, " without saying what they show about the question");
        F[HM_F_NARRATIVE_SENTENCES].detail = hm_buf_take(&b);
        F[HM_F_NARRATIVE_SHARE].detail = hm_xstrdup(F[HM_F_NARRATIVE_SENTENCES].detail);
        F[HM_F_NARRATIVE_RUNS].detail = hm_xstrdup(F[HM_F_NARRATIVE_SENTENCES].detail);
        if (first_narr != SIZE_MAX) {
            set_example(&F[HM_F_NARRATIVE_SENTENCES], doc->sents[first_narr].start, doc->sents[first_narr].end);
            set_example(&F[HM_F_NARRATIVE_SHARE], doc->sents[first_narr].start, doc->sents[first_narr].end);
            set_example(&F[HM_F_NARRATIVE_RUNS], doc->sents[first_narr].start, doc->sents[first_narr].end);
        }
    }
}

/* Does the judgement answer the kind of question asked? The detail says
 * what this type of question needs, for the rubric's messages. */
static void judge_fit(hm_features *fs, hm_question_type type)
{
    hm_feature_value *F = fs->f;
    double extent = F[HM_F_EXTENT_JUDGEMENTS].value, comparative = F[HM_F_COMPARATIVE].value,
           criteria = F[HM_F_CRITERIA].value, counter = F[HM_F_COUNTER].value;
    const char *need = NULL;
    bool fits = true;
    switch (type) {
    case HM_Q_EXTENT:
        fits = extent > 0;
        need = "a 'to what extent' or 'how far' question needs a judgement of degree: was it fundamental, "
               "partial or superficial, or true to a great or only a limited extent";
        break;
    case HM_Q_SIGNIFICANCE:
        fits = comparative > 0 && criteria > 0;
        need = "a significance question needs criteria (impact in the short and long term, who was affected) "
               "and a comparison with other factors";
        break;
    case HM_Q_CAUSES:
        fits = comparative > 0;
        need = "a question about causes needs the causes weighed: which mattered most, and why";
        break;
    case HM_Q_COMPARE:
        fits = comparative > 0 || counter > 0;
        need = "a comparison question needs similarities and differences weighed against each other";
        break;
    case HM_Q_SUCCESS:
        fits = criteria > 0 || extent > 0;
        need = "a 'how successful' question needs a definition of success (success for whom, by what measure?) "
               "and a judgement of how far it was met";
        break;
    default:
        break;
    }
    F[HM_F_JUDGEMENT_FITS].value = fits;
    if (need)
        F[HM_F_JUDGEMENT_FITS].detail = hm_xstrdup(need);
}

/* The question's type and period against the essay's judgements and dates. */
static void measure_question(hm_features *fs, const hm_scan *scan, const hm_question *q, question_evidence ev)
{
    hm_feature_value *F = fs->f;
    /* The feedback's words for what to weigh: {detail} in its messages. */
    F[HM_F_COMPARATIVE].detail = hm_xstrdup(q->weighs);
    F[HM_F_CONCLUSION_WEIGHS].detail = hm_xstrdup(q->weighs);
    F[HM_F_Q_EXTENT].value = q->type == HM_Q_EXTENT;
    F[HM_F_Q_SIGNIFICANCE].value = q->type == HM_Q_SIGNIFICANCE;
    F[HM_F_Q_CAUSES].value = q->type == HM_Q_CAUSES;
    F[HM_F_Q_COMPARE].value = q->type == HM_Q_COMPARE;
    F[HM_F_Q_SUCCESS].value = q->type == HM_Q_SUCCESS;

    int first = ev.first, last = ev.last;
    F[HM_F_EXTENT_JUDGEMENTS].value = ev.extent;
    judge_fit(fs, q->type);

    /* Coverage of the period: the dated evidence's span within the
     * question's, and what the biggest uncovered stretch leaves out. */
    /* "by 1929" gives only an end: the essay may start where it likes within
     * the topic's period, and only the stretch before the end is owed. */
    int qs = q->start_year, qe = q->end_year;
    if (!qs && scan->topic) {
        qs = scan->topic->period_start;
        if (first > qs && first < qe)
            qs = first;
    }
    bool known = qe > 0 && qs > 0 && qe > qs;
    F[HM_F_PERIOD_COVERAGE].available = known;
    F[HM_F_PERIOD_MISSING].available = known;
    if (!known)
        return;
    int lo = first > qs ? first : qs, hi = last < qe ? last : qe;
    double span = qe - qs;
    F[HM_F_PERIOD_COVERAGE].value = (!first || hi < lo) ? 0 : (hi - lo) / span;
    int gap_start = qs, gap_end = qe; /* the uncovered stretch reported */
    if (!first || last < qs || first > qe) {
        F[HM_F_PERIOD_MISSING].value = qe - qs;
    } else if (qe - last >= first - qs) {
        F[HM_F_PERIOD_MISSING].value = qe - last;
        gap_start = last + 1;
    } else {
        F[HM_F_PERIOD_MISSING].value = first - qs;
        gap_end = first - 1;
    }
    hm_buf b = {0};
    if (first == last && first)
        hm_buf_printf(&b, "all your dated evidence is from %d", first);
    else if (first)
        hm_buf_printf(&b, "your dated evidence runs from %d to %d", first, last);
    else
        hm_buf_puts(&b, "the essay gives no dates");
    if (first && !q->start_year)
        hm_buf_printf(&b, "; the question runs to %d", qe);
    else
        hm_buf_printf(&b, "; the question runs from %d to %d", qs, qe);
    if (F[HM_F_PERIOD_MISSING].value > 0) {
        hm_buf_printf(&b, ", so nothing covers %d-%d", gap_start, gap_end);
        /* Name the first and the last key dates of the pack in that stretch. */
        size_t in_gap[2] = {SIZE_MAX, SIZE_MAX}, shown = 0;
        for (size_t i = 0; scan->topic && i < scan->topic->n_dates; i++) {
            int y = scan->topic->date_years[i];
            if (y < gap_start || y > gap_end)
                continue;
            if (in_gap[0] == SIZE_MAX || y < scan->topic->date_years[in_gap[0]])
                in_gap[0] = i;
            if (in_gap[1] == SIZE_MAX || y > scan->topic->date_years[in_gap[1]])
                in_gap[1] = i;
        }
        for (size_t k = 0; k < 2; k++) {
            if (in_gap[k] == SIZE_MAX || (k == 1 && in_gap[1] == in_gap[0]))
                continue;
            hm_buf_printf(&b, "%s %d: %s", shown++ ? ";" : " (for example", scan->topic->date_years[in_gap[k]],
                          scan->topic->date_whats[in_gap[k]]);
        }
        if (shown)
            hm_buf_puts(&b, ")");
    }
    F[HM_F_PERIOD_COVERAGE].detail = hm_buf_take(&b);
    F[HM_F_PERIOD_MISSING].detail = hm_xstrdup(F[HM_F_PERIOD_COVERAGE].detail);
}

void hm_features_free(hm_features *fs)
{
    for (int i = 0; i < HM_F_COUNT; i++)
        free(fs->f[i].detail);
    free(fs->para_lists);
    free(fs->term_text);
    free(fs->terms);
    free(fs->term_concept);
    free(fs->term_words); /* and word_term and word_concept with it */
    memset(fs, 0, sizeof *fs);
}

static const char *const feature_names[HM_F_COUNT] = {
#define HM_FEATURE(id, name) name,
#include "features.def"
#undef HM_FEATURE
};

const char *hm_feature_name(hm_feature_id id)
{
    return (unsigned)id < HM_F_COUNT ? feature_names[id] : "?";
}

bool hm_feature_lookup(const char *name, hm_feature_id *id)
{
    for (int i = 0; i < HM_F_COUNT; i++)
        if (strcmp(feature_names[i], name) == 0) {
            *id = (hm_feature_id)i;
            return true;
        }
    return false;
}

/* ---- dates checked against the topic pack ----
 * "Sputnik in 1959", when the pack dates Sputnik to October 1957, is a slip
 * the writer should fix. Only a year joined to the event ("EVENT in 1959",
 * "EVENT of 1959", "EVENT (1959)", "EVENT on 4 October 1957") is read as the
 * event's own date. A word just before the event that makes the year another
 * occasion's ("revised the Prayer Book in 1571", "joined NATO in 1955": the
 * list date_check_skip) or a capitalised word that makes it part of a longer
 * name ("the Spanish Civil War") leaves the year alone, and an entry with
 * `since` (a body or movement) is never checked. A person's year is read
 * only when a death word ties it to them ("Lenin died in 1925", "the
 * execution of Cromwell in 1541") and checked against the pack's `died`. */

typedef struct year_span {
    int from, to;
} year_span;

/* The first year in [s, s + n) and, for "1942-43" or "1942-1943", the last;
 * the end of what was read in *used. False when there is no year. */
static bool read_year_span(const char *s, size_t n, year_span *out, size_t *used)
{
    for (size_t i = 0; i + 4 <= n; i++) {
        if (i && isdigit((unsigned char)s[i - 1]))
            continue;
        if (!(s[i] == '1' || s[i] == '2') || !isdigit((unsigned char)s[i + 1]) || !isdigit((unsigned char)s[i + 2]) ||
            !isdigit((unsigned char)s[i + 3]) || (i + 4 < n && isdigit((unsigned char)s[i + 4])))
            continue;
        int y = (s[i] - '0') * 1000 + (s[i + 1] - '0') * 100 + (s[i + 2] - '0') * 10 + (s[i + 3] - '0');
        size_t j = i + 4;
        out->from = out->to = y;
        /* a hyphen or an en dash, then two or four digits */
        size_t dash = j < n && s[j] == '-' ? 1 : j + 2 < n && memcmp(s + j, "\xe2\x80\x93", 3) == 0 ? 3 : 0;
        if (dash) {
            size_t k = j + dash, digits = 0;
            while (k + digits < n && isdigit((unsigned char)s[k + digits]) && digits < 5)
                digits++;
            if (digits == 2 || digits == 4) {
                int e = 0;
                for (size_t d = 0; d < digits; d++)
                    e = e * 10 + (s[k + d] - '0');
                if (digits == 2)
                    e += y / 100 * 100;
                if (e >= y) {
                    out->to = e;
                    j = k + digits;
                }
            }
        }
        if (j == i + 4 && j < n && s[j] == 's') { /* "the 1560s": the decade */
            out->from = y / 10 * 10;
            out->to = out->from + 9;
            j++;
        }
        *used = j;
        return true;
    }
    return false;
}

/* Does the pack's date ("October 1957", "1918-21", "1549; 1552; 1559")
 * allow any year of the essay's span? */
static bool date_allows(const char *date, year_span essay)
{
    size_t n = strlen(date), at = 0, used;
    year_span d;
    while (at < n && read_year_span(date + at, n - at, &d, &used)) {
        if (essay.from <= d.to && essay.to >= d.from)
            return true;
        at += used;
    }
    return false;
}

static bool is_word_byte(unsigned char c)
{
    return isalnum(c) || c == '\'' || c == '-' || c >= 0x80;
}

/* Between an event and its year: an optional comma and up to two words of
 * the list date_check_verbs ("was signed", "began"), then "in", "of", "on"
 * or "(", then optionally "the", a day ("4", "4th") and a month. Between a
 * person and a year (deaths != NULL), words of death_words may stand there
 * too ("'s death", "was executed"), and *deaths counts them. */
static bool joins_event_to_year(const hm_lists *lists, const char *s, size_t n, unsigned *deaths)
{
    size_t i = 0, words = 0, verb_words = 0;
    bool joined = false;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        if (isspace(c) || (c == ',' && !joined)) {
            i++;
            continue;
        }
        if (c == '(' && !joined) {
            joined = true;
            i++;
            continue;
        }
        size_t w = i;
        while (i < n && is_word_byte((unsigned char)s[i]))
            i++;
        if (i == w || ++words > 4)
            return false;
        size_t len = i - w;
        const char *word = s + w;
        if (!joined) {
            if (deaths && words == 1 &&
                ((len == 2 && memcmp(word, "'s", 2) == 0) || (len == 4 && memcmp(word, "\xe2\x80\x99s", 4) == 0)))
                continue; /* "Lenin's death" */
            if (deaths && verb_words < 3 && hm_list_has_fold(lists->death_words, word, len)) {
                verb_words++;
                (*deaths)++;
                continue;
            }
            if (verb_words < 2 && hm_list_has_fold(lists->date_check_verbs, word, len)) {
                verb_words++;
                continue;
            }
            if (!((len == 2 && (strncasecmp(word, "in", 2) == 0 || strncasecmp(word, "of", 2) == 0 ||
                                strncasecmp(word, "on", 2) == 0))))
                return false;
            joined = true;
        } else if (!((len == 3 && strncasecmp(word, "the", 3) == 0) || (len == 2 && strncasecmp(word, "of", 2) == 0) ||
                     isdigit((unsigned char)word[0]) || hm_list_has_fold(lists->months, word, len))) {
            return false;
        }
    }
    return joined;
}

/* The word before [.., end) in the same sentence: its span, or false. */
static bool word_before(const char *text, size_t floor_at, size_t end, size_t *ws, size_t *we)
{
    size_t i = end;
    while (i > floor_at && (text[i - 1] == ' ' || text[i - 1] == '\t' || text[i - 1] == '\n' || text[i - 1] == '\r' ||
                            text[i - 1] == '"' || text[i - 1] == '('))
        i--;
    size_t e = i;
    while (i > floor_at && is_word_byte((unsigned char)text[i - 1]))
        i--;
    if (i == e)
        return false;
    *ws = i;
    *we = e;
    return true;
}

/* Is one of the three words before the finding, in its sentence, in
 * `list`? With `longer_names`, a capital just before it that does not open
 * the sentence ("the Spanish Civil War") counts too. */
static bool word_before_in(const hm_scan *scan, const hm_finding *f, const hm_list *list, bool longer_names)
{
    const hm_document *doc = scan->doc;
    size_t si = hm_document_sentence_at(doc, f->start);
    size_t floor_at = si == SIZE_MAX ? 0 : doc->sents[si].start;
    size_t end = f->start, ws, we;
    for (int k = 0; k < 3 && word_before(scan->text, floor_at, end, &ws, &we); k++) {
        if (hm_list_has_fold(list, scan->text + ws, we - ws))
            return true;
        if (longer_names && k == 0 && isupper((unsigned char)scan->text[ws])) {
            size_t ps, pe;
            if (word_before(scan->text, floor_at, ws, &ps, &pe))
                return true;
        }
        end = ws;
    }
    return false;
}

/* Does the wording before the event make a later year another occasion's? */
static bool year_belongs_elsewhere(const hm_scan *scan, const hm_finding *event)
{
    return word_before_in(scan, event, scan->cfg->lists.date_check_skip, true);
}

/* "Civil Rights Act" opens "Civil Rights Act of 1957" too: the words found
 * may name another entry, so their year cannot be checked. */
static bool names_other_entries(const hm_topic_entry *es, size_t n_es, const hm_topic_entry *e, const char *s,
                                size_t n)
{
    for (size_t i = 0; i < n_es; i++) {
        const hm_topic_entry *o = &es[i];
        if (o == e)
            continue;
        for (size_t a = 0; a < o->n_aliases; a++)
            if (strlen(o->aliases[a]) >= n && strncasecmp(o->aliases[a], s, n) == 0)
                return true;
    }
    return false;
}

/* "Queen Elizabeth died in 1503" is Elizabeth of York's death, not
 * Elizabeth I's: a year that fits another person who shares a word of the
 * name found (four letters or more) is given the benefit of the doubt. */
static bool fits_a_namesake(const hm_topic_entry *es, size_t n_es, const hm_topic_entry *e, const char *s, size_t n,
                            year_span said)
{
    for (size_t i = 0; i < n_es; i++) {
        const hm_topic_entry *o = &es[i];
        if (o == e || !o->date || !date_allows(o->date, said))
            continue;
        for (const char *w = o->name; *w;) {
            size_t len = strcspn(w, " ,.");
            for (size_t j = 0; len >= 4 && j + len <= n; j++)
                if ((j == 0 || s[j - 1] == ' ') && (j + len == n || !isalpha((unsigned char)s[j + len])) &&
                    strncmp(s + j, w, len) == 0)
                    return true;
            w += len;
            w += strspn(w, " ,.");
        }
    }
    return false;
}

static const hm_topic_entry *entry_named(const hm_topic_entry *es, size_t n_es, const char *canonical)
{
    for (size_t i = 0; i < n_es; i++)
        if (es[i].name == canonical)
            return &es[i];
    return NULL;
}

/* "the execution of Mary in 1588": a death word among the three before. */
static bool death_word_before(const hm_scan *scan, const hm_finding *person)
{
    return word_before_in(scan, person, scan->cfg->lists.death_words, false);
}

/* The findings that name an entry (`entries`, from find_facts) followed by
 * a year their entry's dates rule out. */
static void measure_date_slips(hm_features *fs, const hm_scan *scan, const uint32_t *entries, size_t n_entries)
{
    hm_feature_value *slips = &fs->f[HM_F_DATE_SLIPS];
    if (!scan->topic)
        return;
    hm_buf detail = {0};
    const hm_topic *t = scan->topic;
    for (size_t i = 0; i < n_entries; i++) {
        size_t k = entries[i];
        const hm_finding *f = &scan->findings[k];
        bool person = f->kind == HM_KIND_PERSON;
        /* the first date that starts within a few words after the event
         * (asked first: most names have none, and then need no entry) */
        const hm_finding *year = NULL;
        for (size_t j = k + 1; j < scan->n_findings && scan->findings[j].start < f->end + 24; j++)
            if (scan->findings[j].kind == HM_KIND_DATE && scan->findings[j].start >= f->end) {
                year = &scan->findings[j];
                break;
            }
        if (!year)
            continue;
        /* the words between next (most years are not joined to the name),
         * and only then the entry, a walk over the pack's */
        unsigned deaths = 0; /* a person's year is checked only as the year they died */
        if (!joins_event_to_year(&scan->cfg->lists, scan->text + f->end, year->start - f->end, person ? &deaths : NULL) ||
            (person && !deaths && !death_word_before(scan, f)))
            continue;
        const hm_topic_entry *es = person ? t->people : t->events;
        size_t n_es = person ? t->n_people : t->n_events;
        const hm_topic_entry *e = entry_named(es, n_es, f->canonical);
        if (!e || !e->date)
            continue;
        year_span said;
        size_t used;
        if (!read_year_span(scan->text + year->start, year->end - year->start, &said, &used) ||
            date_allows(e->date, said) || year_belongs_elsewhere(scan, f) ||
            names_other_entries(es, n_es, e, scan->text + f->start, f->end - f->start) ||
            (person && fits_a_namesake(es, n_es, e, scan->text + f->start, f->end - f->start, said)))
            continue;
        size_t pi = hm_document_para_at(scan->doc, f->start);
        unsigned para = pi == SIZE_MAX ? 0 : scan->doc->paras[pi].number;
        if (slips->value < 3) /* the first few are enough to prompt a check */
            hm_buf_printf(&detail, "%sparagraph %u gives %.*s for %s%s (%s)", detail.len ? "; " : "", para,
                          (int)(year->end - year->start), scan->text + year->start, person ? "the death of " : "",
                          e->name, e->date);
        slips->value++;
        set_example(slips, f->start, year->end); /* no paragraphs: the note points at the words */
    }
    slips->detail = detail.len ? hm_buf_take(&detail) : NULL;
    hm_buf_free(&detail);
}
