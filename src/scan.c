#include "scan.h"

#include "phrase.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void hm_scan_init(hm_scan *scan, const hm_config *cfg, hm_document *doc)
{
    memset(scan, 0, sizeof *scan);
    scan->cfg = cfg;
    scan->doc = doc;
    scan->text = doc->src->text;
    scan->len = doc->src->len;
    scan->intro = scan->conclusion = SIZE_MAX;
    /* about one finding per 50 bytes of essay: room for most at once */
    scan->cap_findings = scan->len / 32 > 64 ? scan->len / 32 : 64;
    scan->findings = hm_xmalloc(scan->cap_findings * sizeof *scan->findings);
    scan->md = pcre2_match_data_create((uint32_t)(cfg->max_match_data_pairs + 1), NULL);
    if (!scan->md) {
        fputs("histmark: out of memory\n", stderr);
        abort();
    }
}

void hm_scan_free_data(hm_scan *scan)
{
    pcre2_match_data_free(scan->md);
    scan->md = NULL;
    hm_strset_free(&scan->capitalised);
    free(scan->names_state);
    scan->names_state = NULL;
    hm_phrase_scan_free(scan);
    free(scan->occ);
    scan->occ = NULL;
    scan->n_occ = scan->cap_occ = 0;
    free(scan->occ_pos);
    scan->occ_pos = NULL;
    scan->n_occ_pos = scan->cap_occ_pos = 0;
    memset(scan->occ_slot, 0, sizeof scan->occ_slot);
    free(scan->req_start);
    free(scan->req_pos);
    scan->req_start = scan->req_pos = NULL;
    scan->req_found = false;
    free(scan->spare_findings);
    scan->spare_findings = NULL;
    free(scan->sort_index);
    scan->sort_index = NULL;
    scan->cap_spare_findings = scan->cap_sort_index = 0;
}

/* p, or in its place a new block when it has room for fewer than `need`
 * entries of `size` bytes (what p held is not kept: scratch). */
static void *scratch_room(void *p, size_t *cap, size_t need, size_t size)
{
    if (*cap >= need)
        return p;
    free(p);
    *cap = need;
    return hm_xmalloc(need * size);
}

/* The findings' second array, with room for cap_findings, to copy them
 * into in order before swap_findings. */
static hm_finding *spare_findings(hm_scan *scan)
{
    scan->spare_findings = scratch_room(scan->spare_findings, &scan->cap_spare_findings, scan->cap_findings,
                                        sizeof *scan->spare_findings);
    return scan->spare_findings;
}

static void swap_findings(hm_scan *scan)
{
    hm_finding *findings = scan->findings;
    size_t cap = scan->cap_findings;
    scan->findings = scan->spare_findings;
    scan->cap_findings = scan->cap_spare_findings;
    scan->spare_findings = findings;
    scan->cap_spare_findings = cap;
}

hm_finding *hm_scan_add(hm_scan *scan, const hm_rule *rule, size_t start, size_t end)
{
    /* The question and copied website text are not the student's essay:
     * only rules written for them report there. */
    if (rule->scope != HM_SCOPE_TEXT && rule->scope != HM_SCOPE_QUESTION) {
        size_t p = hm_document_para_next(scan->doc, start, &scan->add_para_hint);
        if (p != SIZE_MAX && (scan->doc->paras[p].kind == HM_PARA_QUESTION ||
                              scan->doc->paras[p].kind == HM_PARA_WEBSITE)) {
            return NULL;
        }
    }
    HM_GROW(scan->findings, scan->n_findings, scan->cap_findings);
    hm_finding *f = &scan->findings[scan->n_findings++];
    memset(f, 0, sizeof *f);
    f->rule = rule->id;
    f->kind = rule->kind;
    f->tag = rule->tag;
    f->start = start;
    f->end = end;
    f->message = rule->message;
    return f;
}

void hm_scan_warn(hm_scan *scan, const char *code, const char *fmt, ...)
{
    for (size_t i = 0; i < scan->n_warnings; i++)
        if (strcmp(scan->warnings[i].code, code) == 0 && strcmp(code, "rule-limit") != 0)
            return; /* one warning per code */
    hm_buf b = {0};
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    hm_buf_puts(&b, msg);
    HM_GROW(scan->warnings, scan->n_warnings, scan->cap_warnings);
    scan->warnings[scan->n_warnings].code = hm_xstrdup(code);
    scan->warnings[scan->n_warnings++].message = hm_buf_take(&b);
}

/* By position: by start, the longer first, then by kind. */
static inline bool finding_before(const hm_finding *x, const hm_finding *y)
{
    if (x->start != y->start)
        return x->start < y->start;
    if (x->end != y->end)
        return x->end > y->end; /* longer first */
    return (int)x->kind < (int)y->kind;
}

/* The findings' order by position, ties in the order they were found: a
 * stable sort, as glibc's qsort (a merge sort) gave them. NULL when they
 * are in order already; else in scan->sort_index, an entry a finding's
 * number in its low 32 bits and its start in the high 32 (the key).
 *
 * A radix sort on the start, a byte a pass from the lowest (each pass
 * stable), then the few ties of start put in order by finding_before:
 * merging the runs the rules add (most a few findings long) asked at
 * every step which run gives the next, a coin toss that mispredicted,
 * and a radix pass asks nothing. Starts fit 32 bits (a decoded text is
 * under 4 GiB: hm_analyze reads at most 1 GiB, which decoding at most
 * triples), and so, far below, do finding numbers. */
static const uint64_t *sorted_order(hm_scan *scan)
{
    size_t n = scan->n_findings;
    assert(n <= UINT32_MAX);
    const hm_finding *f = scan->findings;
    size_t first_run_end = 1;
    while (first_run_end < n && !finding_before(&f[first_run_end], &f[first_run_end - 1]))
        first_run_end++;
    if (first_run_end >= n)
        return NULL;
    scan->sort_index = scratch_room(scan->sort_index, &scan->cap_sort_index, 2 * scan->cap_findings,
                                    sizeof *scan->sort_index);
    uint64_t *keys = scan->sort_index, *spare = keys + n;
    /* the keys, and the counts of their two lowest bytes' digits (the
     * passes of a text under 64 KB) */
    uint32_t counts[2][256];
    memset(counts[0], 0, sizeof counts[0]);
    memset(counts[1], 0, sizeof counts[1]);
    uint64_t max_start = 0;
    for (size_t k = 0; k < n; k++) {
        uint64_t start = f[k].start;
        keys[k] = start << 32 | k;
        counts[0][start & 255]++;
        counts[1][start >> 8 & 255]++;
        max_start = start > max_start ? start : max_start;
    }
    /* a pass for each byte of the largest start (at least one) */
    for (unsigned byte = 0; byte < 4 && (byte == 0 || max_start >> (8 * byte)); byte++) {
        unsigned shift = 32 + 8 * byte;
        /* the pass's digits run up to the largest start's */
        uint64_t top = max_start >> (8 * byte);
        size_t digits = (top > 255 ? 255 : (size_t)top) + 1;
        uint32_t *at = counts[byte & 1];
        if (byte >= 2) { /* a text of 64 KB or more: counted here */
            for (size_t d = 0; d < digits; d++)
                at[d] = 0;
            for (size_t k = 0; k < n; k++)
                at[keys[k] >> shift & 255]++;
        }
        uint32_t sum = 0;
        for (size_t d = 0; d < digits; d++) {
            uint32_t count = at[d];
            at[d] = sum;
            sum += count;
        }
        for (size_t k = 0; k < n; k++)
            spare[at[keys[k] >> shift & 255]++] = keys[k];
        uint64_t *sorted = spare;
        spare = keys;
        keys = sorted;
    }
    /* Findings that start together (few) in order by finding_before: an
     * insertion, which keeps the order found where that ties too. */
    for (size_t i = 1; i < n; i++) {
        if (keys[i] >> 32 != keys[i - 1] >> 32)
            continue;
        uint64_t x = keys[i];
        size_t j = i;
        for (; j > 0 && keys[j - 1] >> 32 == x >> 32 && finding_before(&f[(uint32_t)x], &f[(uint32_t)keys[j - 1]]); j--)
            keys[j] = keys[j - 1];
        keys[j] = x;
    }
    return keys;
}

void hm_scan_sort(hm_scan *scan)
{
    const uint64_t *order = sorted_order(scan);
    if (order) {
        hm_finding *sorted = spare_findings(scan);
        for (size_t i = 0; i < scan->n_findings; i++)
            sorted[i] = scan->findings[(uint32_t)order[i]];
        swap_findings(scan);
    }
    scan->n_sorted = scan->n_findings;
    size_t max_span = 0;
    for (const hm_finding *f = scan->findings, *end = f + scan->n_findings; f < end; f++)
        if ((HM_KIND_BIT(f->kind) & HM_SPAN_KINDS) && f->end - f->start > max_span)
            max_span = f->end - f->start;
    scan->max_span = max_span;
}

/* The kind (+ 1; 0: none) whose findings kept take in a finding of each
 * kind that starts inside them: a year is a date, not a figure; a name
 * inside a named event ("the Lenin Enrolment") is part of the event, and
 * an event inside a name part of the name. */
static const unsigned char covering_kind[HM_KIND_COUNT] = {[HM_KIND_FIGURE] = HM_KIND_DATE + 1,
                                                           [HM_KIND_PERSON] = HM_KIND_EVENT + 1,
                                                           [HM_KIND_EVENT] = HM_KIND_PERSON + 1};

void hm_scan_finish(hm_scan *scan)
{
    /* Ties of position and kind stay in the order found (rule order). The
     * findings kept are copied once, from the old array to a new one in
     * order (or down the old one, when it is in order already). */
    const uint64_t *order = sorted_order(scan);
    hm_finding *kept_findings = order ? spare_findings(scan) : scan->findings;
    hm_source_cursor cursor;
    hm_source_cursor_init(&cursor, scan->doc->src);
    /* last_end[kind + 1]: the furthest end of the kind's findings kept so
     * far (0 before the first, which no start is below); last_end[0] stays
     * 0, the kind that covers no other */
    size_t last_end[HM_KIND_COUNT + 1] = {0};
    size_t kept = 0, para_hint = 0;
    for (size_t i = 0; i < scan->n_findings; i++) {
        const hm_finding *f = &scan->findings[order ? (uint32_t)order[i] : i];
        size_t own = (size_t)f->kind + 1, other = covering_kind[f->kind];
        /* One finding per stretch of text and kind: the longest; and one
         * inside the other kind's kept finding goes. | on whole numbers, one
         * branch: which findings overlap follows no pattern. */
        if ((unsigned)(f->start < last_end[own]) | (unsigned)(f->start < last_end[other]))
            continue;
        if (f->end > last_end[own])
            last_end[own] = f->end;
        hm_finding *k = &kept_findings[kept++];
        if (k != f)
            *k = *f;
        size_t p = hm_document_para_next(scan->doc, k->start, &para_hint);
        k->paragraph = p == SIZE_MAX ? 0 : scan->doc->paras[p].number;
        hm_source_cursor_move(&cursor, k->start);
        k->line = cursor.line;
        k->column = cursor.column;
    }
    if (order)
        swap_findings(scan);
    scan->n_findings = kept;
    scan->n_sorted = 0;
}

bool hm_in_span_of_kinds(const hm_scan *scan, size_t start, size_t end, unsigned kinds)
{
    /* The first finding starting at or after `end` (found by halving with
     * conditional moves: which half holds it is a coin toss), then back
     * over those that could still reach `start`. */
    size_t lo = 0;
    if (scan->n_sorted) {
        const hm_finding *base = scan->findings;
        for (size_t n = scan->n_sorted; n > 1; n -= n / 2)
            base = base[n / 2].start < end ? base + n / 2 : base;
        lo = (size_t)(base - scan->findings) + (base->start < end);
    }
    while (lo-- > 0) {
        const hm_finding *f = &scan->findings[lo];
        if (f->start + scan->max_span < start)
            break;
        if ((kinds & HM_KIND_BIT(f->kind)) && start < f->end)
            return true;
    }
    return false;
}
