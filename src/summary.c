/* The class overview: how the marks fall, which gaps the class shares, and
 * which essays a teacher should open first. Gaps are grouped by the rubric
 * feature they come from, because their texts name each essay's own
 * paragraphs and would never match exactly. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "summary.h"

/* Plain words for the features that carry gaps; others show their name. */
static const char *const feature_labels[][2] = {
    {"analytical_paragraph_share", "Paragraphs that describe instead of explaining"},
    {"explained_causation_share", "Causes and consequences not explained with evidence"},
    {"narrative_paragraph_share", "Narrative paragraphs: facts with no argument"},
    {"comparative_judgements", "Factors not weighed against each other"},
    {"evidence_items", "Too little specific knowledge"},
    {"evidence_paragraph_share", "Paragraphs with no specific evidence"},
    {"evidence_kinds", "A narrow range of evidence"},
    {"precise_evidence_share", "Evidence that is not precise"},
    {"supported_judgements", "No judgement backed by evidence"},
    {"judgement_paragraph_share", "Paragraphs that end without a judgement"},
    {"counterargument_paragraphs", "No counter-argument weighed"},
    {"conclusion_present", "No conclusion"},
    {"conclusion_judgement", "A conclusion without a clear judgement"},
    {"conclusion_weighs_factors", "A conclusion that does not weigh the factors"},
    {"introduction_line_of_argument", "No line of argument in the introduction"},
    {"introduction_question_terms", "An introduction that does not address the question"},
    {"criteria_stated", "No criteria for judgement"},
    {"paragraphs", "Not organised in paragraphs"},
    {"topic_sentence_share", "Paragraphs without topic sentences"},
    {"question_link_share", "Paragraphs that drift from the question"},
    {"paragraph_balance", "Unbalanced paragraphs"},
    {"misspelt_names", "Misspelt key names"},
    {"unsupported_judgements", "Judgements with no evidence"},
    {"judgement_fits_question", "A judgement that does not answer the type of question set"},
    {"extent_judgements", "No judgement of extent"},
    {"period_coverage", "Evidence that does not cover the question's period"},
    {"period_missing_years", "Evidence that does not cover the question's period"},
    {"question_extent", "The type of question not addressed"},
    {"question_significance", "The type of question not addressed"},
    {"question_causes", "The type of question not addressed"},
    {"question_compare", "The type of question not addressed"},
    {"question_success", "The type of question not addressed"},
};

static const char *const look_labels[HM_LOOK_COUNT] = {
    "very short", "mostly quotation", "off the question (no links to its key terms)",
    "notes, not an essay", "text from an essay website", "possible copying"};

const char *hm_look_label(unsigned bit)
{
    for (unsigned i = 0; i < HM_LOOK_COUNT; i++)
        if (bit == 1u << i)
            return look_labels[i];
    return "";
}

hm_summary *hm_summary_new(void)
{
    return hm_xcalloc(1, sizeof(hm_summary));
}

void hm_summary_free(hm_summary *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n_strands; i++)
        free(s->strand_names[i]);
    free(s->strand_names);
    for (size_t i = 0; i < s->n_rows; i++) {
        free(s->rows[i].file);
        free(s->rows[i].page);
        free(s->rows[i].strand_levels);
        free(s->rows[i].main_gap);
    }
    free(s->rows);
    for (size_t i = 0; i < s->n_gaps; i++) {
        free(s->gaps[i].feature);
        free(s->gaps[i].label);
        free(s->gaps[i].strands);
        free(s->gaps[i].rows);
    }
    free(s->gaps);
    for (size_t i = 0; i < s->n_copies; i++) {
        free(s->copies[i].a);
        free(s->copies[i].b);
        free(s->copies[i].passage);
    }
    free(s->copies);
    for (size_t i = 0; i < s->n_failures; i++) {
        free(s->failures[i].file);
        free(s->failures[i].message);
    }
    free(s->failures);
    free(s);
}

static const char *strand_name(const hm_result *r, const char *id)
{
    for (size_t i = 0; id && i < hm_result_strand_count(r); i++)
        if (strcmp(hm_result_strand(r, i)->id, id) == 0)
            return hm_result_strand(r, i)->name;
    return NULL;
}

static hm_gap_group *gap_group(hm_summary *s, const char *feature)
{
    for (size_t i = 0; i < s->n_gaps; i++)
        if (strcmp(s->gaps[i].feature, feature) == 0)
            return &s->gaps[i];
    HM_GROW(s->gaps, s->n_gaps, s->cap_gaps);
    hm_gap_group *g = &s->gaps[s->n_gaps++];
    memset(g, 0, sizeof *g);
    g->feature = hm_xstrdup(feature);
    for (size_t i = 0; i < sizeof feature_labels / sizeof *feature_labels; i++)
        if (strcmp(feature_labels[i][0], feature) == 0)
            g->label = hm_xstrdup(feature_labels[i][1]);
    return g;
}

static bool has_warning(const hm_result *r, const char *code)
{
    for (size_t i = 0; i < hm_result_warning_count(r); i++)
        if (strcmp(hm_result_warning(r, i)->code, code) == 0)
            return true;
    return false;
}

void hm_summary_add(hm_summary *s, const hm_result *r, const char *page)
{
    if (s->n_rows == 0 && s->n_strands == 0) {
        s->out_of = hm_result_out_of(r);
        s->n_strands = hm_result_strand_count(r);
        s->strand_names = hm_xcalloc(s->n_strands + 1, sizeof *s->strand_names);
        for (size_t i = 0; i < s->n_strands; i++)
            s->strand_names[i] = hm_xstrdup(hm_result_strand(r, i)->name);
    }
    HM_GROW(s->rows, s->n_rows, s->cap_rows);
    size_t index = s->n_rows++;
    hm_summary_row *row = &s->rows[index];
    memset(row, 0, sizeof *row);
    row->file = hm_xstrdup(hm_result_name(r));
    row->page = page ? hm_xstrdup(page) : NULL;
    row->mark = hm_result_mark(r);
    row->level = hm_result_level(r);
    row->words = hm_result_words(r);
    row->strand_levels = hm_xcalloc(s->n_strands + 1, sizeof *row->strand_levels);
    for (size_t i = 0; i < s->n_strands && i < hm_result_strand_count(r); i++)
        row->strand_levels[i] = hm_result_strand(r, i)->level;
    if (hm_result_gap_count(r))
        row->main_gap = hm_xstrdup(hm_result_gap(r, 0)->text);

    double links;
    if (has_warning(r, "very-short"))
        row->flags |= HM_LOOK_VERY_SHORT;
    if (has_warning(r, "mostly-quotation"))
        row->flags |= HM_LOOK_QUOTATION;
    if (hm_result_question(r) && hm_result_feature(r, "question_link_share", &links) && links == 0 &&
        hm_result_essay_paragraphs(r) > 0 && !has_warning(r, "not-an-essay"))
        row->flags |= HM_LOOK_OFF_QUESTION;
    if (has_warning(r, "not-an-essay"))
        row->flags |= HM_LOOK_NOTES;
    if (has_warning(r, "website-text"))
        row->flags |= HM_LOOK_WEBSITE;
    if (has_warning(r, "possible-copy"))
        row->flags |= HM_LOOK_COPY;

    /* Every gap of the essay, each feature counted once per essay. */
    for (size_t i = 0; i < hm_result_gap_count(r); i++) {
        const hm_note *n = hm_result_gap(r, i);
        hm_gap_group *g = gap_group(s, n->feature ? n->feature : "other");
        if (g->n_rows && g->rows[g->n_rows - 1] == index)
            continue;
        HM_GROW(g->rows, g->n_rows, g->cap_rows);
        g->rows[g->n_rows++] = index;
        if (!g->label) /* no plain words for it: the first essay's own */
            g->label = hm_xstrdup(n->text);
        const char *sn = strand_name(r, n->strand);
        if (sn && (!g->strands || !strstr(g->strands, sn))) {
            hm_buf b = {0};
            if (g->strands)
                hm_buf_printf(&b, "%s, ", g->strands);
            hm_buf_puts(&b, sn);
            free(g->strands);
            g->strands = hm_buf_take(&b);
        }
    }
}

void hm_summary_add_failure(hm_summary *s, const char *file, const char *message)
{
    HM_GROW(s->failures, s->n_failures, s->cap_failures);
    s->failures[s->n_failures++] = (hm_failure){hm_xstrdup(file), hm_xstrdup(message ? message : "")};
}

void hm_summary_add_copy(hm_summary *s, const char *a, const char *b, double share, const char *passage)
{
    HM_GROW(s->copies, s->n_copies, s->cap_copies);
    s->copies[s->n_copies++] = (hm_copy_flag){hm_xstrdup(a), hm_xstrdup(b), hm_xstrdup(passage ? passage : ""), share};
}

static int by_count(const void *x, const void *y)
{
    const hm_gap_group *a = *(const hm_gap_group *const *)x, *b = *(const hm_gap_group *const *)y;
    if (a->n_rows != b->n_rows)
        return a->n_rows > b->n_rows ? -1 : 1;
    return a->rows[0] < b->rows[0] ? -1 : a->rows[0] > b->rows[0];
}

const hm_gap_group **hm_summary_sorted_gaps(const hm_summary *s)
{
    const hm_gap_group **g = hm_xcalloc(s->n_gaps + 1, sizeof *g);
    for (size_t i = 0; i < s->n_gaps; i++)
        g[i] = &s->gaps[i];
    qsort(g, s->n_gaps, sizeof *g, by_count);
    return g;
}

/* ---- text ---- */

#define MAX_NAMES 12
#define MAX_GAPS 6

static void heading(hm_buf *b, bool color, const char *text)
{
    hm_buf_printf(b, "\n%s%s%s\n", color ? "\x1b[1m" : "", text, color ? "\x1b[0m" : "");
}

static void name_list(hm_buf *b, const hm_summary *s, const size_t *rows, size_t n, bool words)
{
    for (size_t i = 0; i < n && i < MAX_NAMES; i++) {
        hm_buf_printf(b, "%s%s", i ? ", " : "", s->rows[rows[i]].file);
        if (words)
            hm_buf_printf(b, " (%u words)", s->rows[rows[i]].words);
    }
    if (n > MAX_NAMES)
        hm_buf_printf(b, " and %zu more", n - MAX_NAMES);
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

int hm_summary_render_text(const hm_summary *s, unsigned flags, hm_write_fn write, void *ud)
{
    bool color = (flags & HM_RENDER_COLOR) != 0;
    hm_buf b = {0};
    hm_buf_printf(&b, "%sClass summary%s: %zu essay%s marked", color ? "\x1b[1m" : "", color ? "\x1b[0m" : "",
                  s->n_rows, s->n_rows == 1 ? "" : "s");
    if (s->n_failures)
        hm_buf_printf(&b, ", %zu could not be read", s->n_failures);
    hm_buf_puts(&b, "\n");
    if (s->n_rows) {
        int *marks = hm_xmalloc(s->n_rows * sizeof *marks);
        double sum = 0;
        for (size_t i = 0; i < s->n_rows; i++)
            sum += marks[i] = s->rows[i].mark;
        qsort(marks, s->n_rows, sizeof *marks, cmp_int);
        double median = s->n_rows % 2 ? marks[s->n_rows / 2]
                                      : (marks[s->n_rows / 2 - 1] + marks[s->n_rows / 2]) / 2.0;
        hm_buf_printf(&b, "  Marks: mean %.1f, median %g, lowest %d, highest %d (out of %d)\n",
                      sum / (double)s->n_rows, median, marks[0], marks[s->n_rows - 1], s->out_of);
        hm_buf_puts(&b, "  Distribution:");
        for (size_t i = 0; i < s->n_rows;) {
            size_t j = i;
            while (j < s->n_rows && marks[j] == marks[i])
                j++;
            hm_buf_printf(&b, " %d", marks[i]);
            if (j - i > 1)
                hm_buf_printf(&b, " x%zu", j - i);
            hm_buf_puts(&b, j < s->n_rows ? "," : "\n");
            i = j;
        }
        free(marks);
        size_t levels[6] = {0}, most = 1;
        for (size_t i = 0; i < s->n_rows; i++)
            levels[s->rows[i].level >= 0 && s->rows[i].level <= 5 ? s->rows[i].level : 0]++;
        for (int l = 0; l <= 5; l++)
            most = levels[l] > most ? levels[l] : most;
        for (int l = 5; l >= 0; l--) {
            if (l == 0 && !levels[0])
                break;
            size_t bar = (levels[l] * 30 + most - 1) / most;
            char label[16] = "No mark";
            if (l)
                snprintf(label, sizeof label, "Level %d", l);
            hm_buf_printf(&b, "  %-8s %4zu  ", label, levels[l]);
            for (size_t k = 0; k < bar; k++)
                hm_buf_puts(&b, "#");
            hm_buf_puts(&b, "\n");
        }
    }

    const hm_gap_group **g = hm_summary_sorted_gaps(s);
    if (s->n_gaps) {
        heading(&b, color, "Most common gaps");
        for (size_t i = 0; i < s->n_gaps && i < MAX_GAPS; i++) {
            hm_buf_printf(&b, "  %zu essay%s: %s", g[i]->n_rows, g[i]->n_rows == 1 ? "" : "s", g[i]->label);
            if (g[i]->strands)
                hm_buf_printf(&b, " [%s]", g[i]->strands);
            hm_buf_puts(&b, "\n    ");
            name_list(&b, s, g[i]->rows, g[i]->n_rows, false);
            hm_buf_puts(&b, "\n");
        }
    }
    free(g);

    size_t *rows = hm_xcalloc(s->n_rows + 1, sizeof *rows);
    bool any = false;
    for (unsigned k = 0; k < HM_LOOK_COUNT; k++) {
        size_t n = hm_summary_rows_with(s, k, rows);
        if (!n)
            continue;
        if (!any)
            heading(&b, color, "Essays that need a look");
        any = true;
        hm_buf_printf(&b, "  %s: ", hm_look_label(1u << k));
        name_list(&b, s, rows, n, (1u << k) == HM_LOOK_VERY_SHORT);
        hm_buf_puts(&b, "\n");
    }
    free(rows);
    if (s->n_failures) {
        heading(&b, color, "Could not be read");
        for (size_t i = 0; i < s->n_failures; i++)
            hm_buf_printf(&b, "  %s: %s\n", s->failures[i].file, s->failures[i].message);
    }
    if (s->n_copies) {
        heading(&b, color, "Possible copying");
        for (size_t i = 0; i < s->n_copies; i++)
            hm_buf_printf(&b, "  %s and %s: %.0f%% of the shorter essay is shared, such as \"%s\"\n",
                          s->copies[i].a, s->copies[i].b, s->copies[i].share * 100, s->copies[i].passage);
    }
    int rc = write(b.data, b.len, ud);
    hm_buf_free(&b);
    return rc;
}

size_t hm_summary_rows_with(const hm_summary *s, unsigned k, size_t *rows)
{
    size_t n = 0;
    for (size_t i = 0; i < s->n_rows; i++)
        if (s->rows[i].flags & (1u << k))
            rows[n++] = i;
    return n;
}

/* ---- JSON ---- */

int hm_summary_render_json(const hm_summary *s, hm_write_fn write, void *ud)
{
    json_t *o = json_object();
    json_object_set_new(o, "essays", json_integer((json_int_t)s->n_rows));
    json_object_set_new(o, "unreadable", json_integer((json_int_t)s->n_failures));
    json_object_set_new(o, "out_of", json_integer(s->out_of));
    json_t *marks = json_array(), *levels = json_array();
    size_t *by_mark = hm_xcalloc((size_t)(s->out_of > 0 ? s->out_of : 0) + 1, sizeof *by_mark);
    size_t by_level[6] = {0};
    for (size_t i = 0; i < s->n_rows; i++) {
        if (s->rows[i].mark >= 0 && s->rows[i].mark <= s->out_of)
            by_mark[s->rows[i].mark]++;
        if (s->rows[i].level >= 0 && s->rows[i].level <= 5)
            by_level[s->rows[i].level]++;
    }
    for (int m = 0; m <= s->out_of; m++)
        json_array_append_new(marks, json_integer((json_int_t)by_mark[m]));
    for (int l = 0; l <= 5; l++)
        json_array_append_new(levels, json_integer((json_int_t)by_level[l]));
    free(by_mark);
    json_object_set_new(o, "marks", marks);   /* count at each mark, 0..out_of */
    json_object_set_new(o, "levels", levels); /* count at each level, 0..5 */

    json_t *gaps = json_array();
    const hm_gap_group **g = hm_summary_sorted_gaps(s);
    for (size_t i = 0; i < s->n_gaps; i++) {
        json_t *go = json_object(), *files = json_array();
        json_object_set_new(go, "feature", json_string(g[i]->feature));
        json_object_set_new(go, "label", json_string(g[i]->label));
        if (g[i]->strands)
            json_object_set_new(go, "strands", json_string(g[i]->strands));
        for (size_t k = 0; k < g[i]->n_rows; k++)
            json_array_append_new(files, json_string(s->rows[g[i]->rows[k]].file));
        json_object_set_new(go, "files", files);
        json_array_append_new(gaps, go);
    }
    free(g);
    json_object_set_new(o, "gaps", gaps);

    static const char *const codes[HM_LOOK_COUNT] = {"very-short", "mostly-quotation", "off-question",
                                                     "not-an-essay", "website-text", "possible-copy"};
    json_t *look = json_object();
    for (unsigned k = 0; k < HM_LOOK_COUNT; k++) {
        json_t *files = json_array();
        for (size_t i = 0; i < s->n_rows; i++)
            if (s->rows[i].flags & (1u << k))
                json_array_append_new(files, json_string(s->rows[i].file));
        json_object_set_new(look, codes[k], files);
    }
    json_object_set_new(o, "needs_a_look", look);
    json_t *copies = json_array();
    for (size_t i = 0; i < s->n_copies; i++) {
        json_t *c = json_object();
        json_object_set_new(c, "files", json_pack("[ss]", s->copies[i].a, s->copies[i].b));
        json_object_set_new(c, "share", json_real(s->copies[i].share));
        json_object_set_new(c, "passage", json_string(s->copies[i].passage));
        json_array_append_new(copies, c);
    }
    json_object_set_new(o, "possible_copies", copies);
    json_t *fails = json_array();
    for (size_t i = 0; i < s->n_failures; i++)
        json_array_append_new(fails, json_pack("{ssss}", "file", s->failures[i].file, "message",
                                               s->failures[i].message));
    json_object_set_new(o, "failures", fails);

    json_t *top = json_object();
    json_object_set_new(top, "summary", o);
    int rc = hm_json_write_line(top, write, ud);
    json_decref(top);
    return rc;
}
