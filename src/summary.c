/* The class overview: how the marks fall, which gaps the class shares, and
 * which essays a teacher should open first. Gaps are grouped by the rubric
 * feature they come from, because their texts name each essay's own
 * paragraphs and would never match exactly. */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "summary.h"

/* ---- front-coded names ---- */

void hm_names_add(hm_names *l, const char *s, size_t len)
{
    size_t shared = 0;
    if (l->n % HM_NAMES_RESTART == 0) {
        HM_GROW(l->restart, l->n / HM_NAMES_RESTART, l->cap_restart);
        l->restart[l->n / HM_NAMES_RESTART] = l->data.len;
    } else {
        while (shared < len && shared < l->last.len && s[shared] == l->last.data[shared])
            shared++;
    }
    for (size_t v = shared;; v >>= 7) {
        hm_buf_putc(&l->data, (char)((v & 0x7F) | (v >= 0x80 ? 0x80 : 0)));
        if (v < 0x80)
            break;
    }
    hm_buf_put(&l->data, s + shared, len - shared);
    hm_buf_putc(&l->data, '\0');
    l->last.len = 0;
    hm_buf_put(&l->last, s, len);
    l->n++;
}

const char *hm_names_get(const hm_names *l, size_t i, hm_buf *out)
{
    const char *p = l->data.data + l->restart[i / HM_NAMES_RESTART];
    for (size_t k = i - i % HM_NAMES_RESTART;; k++) {
        size_t shared = 0;
        unsigned shift = 0;
        unsigned char byte;
        do {
            byte = (unsigned char)*p++;
            shared |= (size_t)(byte & 0x7F) << shift;
            shift += 7;
        } while (byte & 0x80);
        size_t rest = strlen(p);
        out->len = shared;
        hm_buf_put(out, p, rest);
        p += rest + 1;
        if (k == i)
            return out->data;
    }
}

void hm_names_free(hm_names *l)
{
    hm_buf_free(&l->data);
    hm_buf_free(&l->last);
    free(l->restart);
    memset(l, 0, sizeof *l);
}

/* ---- strings on disk ---- */

/* Temporary files given back (hm_temp_fd_done), handed out again: a large
 * batch's copy check makes and drops about a thousand, and each new one was
 * an inode found on disk (ext4 passes over those freed lately: some 100 us
 * each, 4.5% of a 10,000-essay batch's time). A file is emptied when given
 * back. */
#define TEMP_POOL 64
static pthread_mutex_t temp_pool_lock = PTHREAD_MUTEX_INITIALIZER;
static int temp_pool[TEMP_POOL];
static size_t temp_pool_n;
static bool temp_pool_on; /* from hm_temp_fds_keep() to hm_temp_fds_close() */

void hm_temp_fds_keep(void)
{
    pthread_mutex_lock(&temp_pool_lock);
    temp_pool_on = true;
    pthread_mutex_unlock(&temp_pool_lock);
}

int hm_temp_fd(void)
{
    int fd = -1;
    pthread_mutex_lock(&temp_pool_lock);
    if (temp_pool_n)
        fd = temp_pool[--temp_pool_n];
    pthread_mutex_unlock(&temp_pool_lock);
    if (fd >= 0)
        return fd;
    const char *dir = getenv("TMPDIR");
    dir = dir && *dir ? dir : "/tmp";
#ifdef O_TMPFILE
    /* A file with no name: no directory entry made and then removed, two
     * threads taking turns at the directory's lock. */
    fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd >= 0)
        return fd;
    /* a file system without them: a named file, unlinked at once */
#endif
    hm_buf path = {0};
    hm_buf_printf(&path, "%s/histmark-XXXXXX", dir);
    fd = mkstemp(path.data);
    if (fd >= 0)
        unlink(path.data); /* gone when closed, or if the process dies */
    hm_buf_free(&path);
    return fd;
}

void hm_temp_fd_done(int fd)
{
    if (fd < 0)
        return;
    /* emptied, so that it holds no disk space while kept and a read past
     * what its next user writes is short, as in a new file (what a close
     * would free, freed here by the thread that used it, not at the end) */
    bool empty = ftruncate(fd, 0) == 0;
    pthread_mutex_lock(&temp_pool_lock);
    if (empty && temp_pool_on && temp_pool_n < TEMP_POOL) {
        temp_pool[temp_pool_n++] = fd;
        fd = -1;
    }
    pthread_mutex_unlock(&temp_pool_lock);
    if (fd >= 0)
        close(fd);
}

void hm_temp_fds_close(void)
{
    pthread_mutex_lock(&temp_pool_lock);
    temp_pool_on = false;
    while (temp_pool_n)
        close(temp_pool[--temp_pool_n]);
    pthread_mutex_unlock(&temp_pool_lock);
}

bool hm_pwrite_all(int fd, const void *data, size_t len, uint64_t at)
{
    const char *p = data;
    while (len) {
        ssize_t w = pwrite(fd, p, len, (off_t)at);
        if (w <= 0)
            return false;
        p += w;
        len -= (size_t)w;
        at += (uint64_t)w;
    }
    return true;
}

bool hm_pread_all(int fd, void *data, size_t len, uint64_t at)
{
    char *p = data;
    while (len) {
        ssize_t r = pread(fd, p, len, (off_t)at);
        if (r <= 0)
            return false;
        p += r;
        len -= (size_t)r;
        at += (uint64_t)r;
    }
    return true;
}

/* Each string is its length (4 bytes) and its bytes. */
uint64_t hm_spool_add(hm_spool *sp, const char *s, size_t len)
{
    uint32_t n = len > UINT32_MAX ? UINT32_MAX : (uint32_t)len;
    if (!sp->fd && !sp->in_memory) {
        sp->fd = hm_temp_fd() + 1;
        sp->in_memory = sp->fd == 0;
    }
    uint64_t at = sp->len;
    if (!sp->in_memory) {
        if (hm_pwrite_all(sp->fd - 1, &n, sizeof n, at) && hm_pwrite_all(sp->fd - 1, s, n, at + sizeof n)) {
            sp->len += sizeof n + n;
            return at;
        }
        /* a full disk: what was written is read back into memory */
        hm_buf_free(&sp->mem);
        char *old = hm_xmalloc(sp->len + 1);
        if (!hm_pread_all(sp->fd - 1, old, sp->len, 0))
            memset(old, 0, sp->len);
        hm_buf_put(&sp->mem, old, sp->len);
        free(old);
        close(sp->fd - 1);
        sp->in_memory = true;
    }
    hm_buf_put(&sp->mem, (const char *)&n, sizeof n);
    hm_buf_put(&sp->mem, s, n);
    sp->len += sizeof n + n;
    return at;
}

const char *hm_spool_get(const hm_spool *sp, uint64_t at, hm_buf *out)
{
    uint32_t n = 0;
    out->len = 0;
    if (sp->in_memory) {
        memcpy(&n, sp->mem.data + at, sizeof n);
        hm_buf_put(out, sp->mem.data + at + sizeof n, n);
        return out->data;
    }
    hm_buf_put(out, "", 0);
    if (!hm_pread_all(sp->fd - 1, &n, sizeof n, at))
        return out->data;
    char *tmp = hm_xmalloc((size_t)n + 1);
    if (hm_pread_all(sp->fd - 1, tmp, n, at + sizeof n))
        hm_buf_put(out, tmp, n);
    free(tmp);
    return out->data;
}

void hm_spool_free(hm_spool *sp)
{
    if (sp->fd > 0 && !sp->in_memory)
        hm_temp_fd_done(sp->fd - 1);
    hm_buf_free(&sp->mem);
    memset(sp, 0, sizeof *sp);
}

int hm_flush_some(hm_buf *b, hm_write_fn write, void *ud)
{
    if (b->len < 32768)
        return 0;
    int rc = write(b->data, b->len, ud);
    b->len = 0;
    return rc;
}

/* Plain words for the features that carry gaps; others show their name. */
static const char *const feature_labels[][2] = {
    {"analytical_paragraph_share", "Paragraphs that describe instead of explaining"},
    {"explained_causation_share", "Causes and consequences not explained with evidence"},
    {"narrative_paragraph_share", "Narrative paragraphs: facts with no argument"},
    {"argued_sentence_share", "Descriptive passages: too few sentences argue"},
    {"narrative_sentence_share", "Sentences that narrate rather than argue"},
    {"narrative_passage_share", "Long descriptive passages"},
    {"linked_explanation_share", "Evidence left unexplained"},
    {"evidence_in_argument_share", "Knowledge narrated rather than used in the argument"},
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
    {"date_slips", "Dates that do not match the event"},
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

const char *hm_summary_feature_label(const char *feature)
{
    for (size_t i = 0; i < sizeof feature_labels / sizeof *feature_labels; i++)
        if (strcmp(feature_labels[i][0], feature) == 0)
            return feature_labels[i][1];
    return NULL;
}

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
    free(s->rows);
    free(s->strand_levels);
    hm_names_free(&s->files);
    hm_names_free(&s->pages);
    hm_spool_free(&s->text);
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
    g->index = s->n_gaps - 1;
    const char *label = hm_summary_feature_label(feature);
    if (label)
        g->label = hm_xstrdup(label);
    return g;
}

static bool has_warning(const hm_result *r, const char *code)
{
    for (size_t i = 0; i < hm_result_warning_count(r); i++)
        if (strcmp(hm_result_warning(r, i)->code, code) == 0)
            return true;
    return false;
}

typedef struct entry_gap {
    char *feature, *text, *strand; /* strand: its name, or NULL */
} entry_gap;

struct hm_summary_entry {
    char *file;
    int out_of, mark, level;
    unsigned words, flags;
    char **strand_names;
    int *strand_levels;
    size_t n_strands;
    entry_gap *gaps;         /* the first is the main gap */
    size_t n_gaps;
};

hm_summary_entry *hm_summary_entry_make(const hm_result *r)
{
    hm_summary_entry *e = hm_xcalloc(1, sizeof *e);
    e->file = hm_xstrdup(hm_result_name(r));
    e->out_of = hm_result_out_of(r);
    e->mark = hm_result_mark(r);
    e->level = hm_result_level(r);
    e->words = (unsigned)hm_result_words(r);
    e->n_strands = hm_result_strand_count(r);
    e->strand_names = hm_xcalloc(e->n_strands + 1, sizeof *e->strand_names);
    e->strand_levels = hm_xcalloc(e->n_strands + 1, sizeof *e->strand_levels);
    for (size_t i = 0; i < e->n_strands; i++) {
        e->strand_names[i] = hm_xstrdup(hm_result_strand(r, i)->name);
        e->strand_levels[i] = hm_result_strand(r, i)->level;
    }
    double links;
    if (has_warning(r, "very-short"))
        e->flags |= HM_LOOK_VERY_SHORT;
    if (has_warning(r, "mostly-quotation"))
        e->flags |= HM_LOOK_QUOTATION;
    if (hm_result_question(r) && hm_result_feature(r, "question_link_share", &links) && links == 0 &&
        hm_result_essay_paragraphs(r) > 0 && !has_warning(r, "not-an-essay"))
        e->flags |= HM_LOOK_OFF_QUESTION;
    if (has_warning(r, "not-an-essay"))
        e->flags |= HM_LOOK_NOTES;
    if (has_warning(r, "website-text"))
        e->flags |= HM_LOOK_WEBSITE;
    if (has_warning(r, "possible-copy"))
        e->flags |= HM_LOOK_COPY;
    e->n_gaps = hm_result_gap_count(r);
    e->gaps = hm_xcalloc(e->n_gaps + 1, sizeof *e->gaps);
    for (size_t i = 0; i < e->n_gaps; i++) {
        const hm_note *n = hm_result_gap(r, i);
        const char *sn = strand_name(r, n->strand);
        e->gaps[i] = (entry_gap){hm_xstrdup(n->feature ? n->feature : "other"), hm_xstrdup(n->text),
                                 sn ? hm_xstrdup(sn) : NULL};
    }
    return e;
}

void hm_summary_entry_free(hm_summary_entry *e)
{
    if (!e)
        return;
    free(e->file);
    for (size_t i = 0; i < e->n_strands; i++)
        free(e->strand_names[i]);
    free(e->strand_names);
    free(e->strand_levels);
    for (size_t i = 0; i < e->n_gaps; i++) {
        free(e->gaps[i].feature);
        free(e->gaps[i].text);
        free(e->gaps[i].strand);
    }
    free(e->gaps);
    free(e);
}

static int8_t small_level(int l)
{
    return (int8_t)(l < -1 ? -1 : l > 100 ? 100 : l);
}

void hm_summary_add_entry(hm_summary *s, hm_summary_entry *e, const char *page)
{
    if (s->n_rows == 0 && s->n_strands == 0) {
        s->out_of = e->out_of;
        s->n_strands = e->n_strands;
        s->strand_names = hm_xcalloc(s->n_strands + 1, sizeof *s->strand_names);
        for (size_t i = 0; i < s->n_strands; i++)
            s->strand_names[i] = hm_xstrdup(e->strand_names[i]);
    }
    if (s->n_rows == s->cap_rows) {
        s->cap_rows = s->cap_rows ? s->cap_rows * 2 : 64;
        s->rows = hm_xrealloc(s->rows, s->cap_rows * sizeof *s->rows);
        s->strand_levels = hm_xrealloc(s->strand_levels, s->cap_rows * (s->n_strands + 1));
    }
    size_t index = s->n_rows++;
    hm_summary_row *row = &s->rows[index];
    memset(row, 0, sizeof *row);
    hm_names_add(&s->files, e->file, strlen(e->file));
    if (page || s->pages.n) { /* a row without a page has "" */
        while (s->pages.n < index)
            hm_names_add(&s->pages, "", 0);
        hm_names_add(&s->pages, page ? page : "", page ? strlen(page) : 0);
    }
    row->mark = (int16_t)(e->mark < INT16_MIN ? INT16_MIN : e->mark > INT16_MAX ? INT16_MAX : e->mark);
    row->level = small_level(e->level);
    row->words = (uint32_t)e->words;
    row->flags = (uint8_t)e->flags;
    for (size_t i = 0; i < s->n_strands; i++)
        s->strand_levels[index * s->n_strands + i] = small_level(i < e->n_strands ? e->strand_levels[i] : 0);
    row->main_gap = e->n_gaps ? hm_spool_add(&s->text, e->gaps[0].text, strlen(e->gaps[0].text)) : HM_NO_GAP;

    /* Every gap of the essay, each feature counted once per essay. */
    for (size_t i = 0; i < e->n_gaps; i++) {
        const entry_gap *eg = &e->gaps[i];
        hm_gap_group *g = gap_group(s, eg->feature);
        if (g->index < HM_GAP_BITS) {
            if (row->gaps & (1ull << g->index))
                continue;
            row->gaps |= 1ull << g->index;
        } else {
            if (g->n_rows && g->rows[g->n_rows - 1] == index)
                continue;
            HM_GROW(g->rows, g->n_rows, g->cap_rows);
            g->rows[g->n_rows] = (uint32_t)index;
        }
        if (!g->n_rows++)
            g->first_row = (uint32_t)index;
        if (!g->label) /* no plain words for it: the first essay's own */
            g->label = hm_xstrdup(eg->text);
        if (eg->strand && (!g->strands || !strstr(g->strands, eg->strand))) {
            hm_buf b = {0};
            if (g->strands)
                hm_buf_printf(&b, "%s, ", g->strands);
            hm_buf_puts(&b, eg->strand);
            free(g->strands);
            g->strands = hm_buf_take(&b);
        }
    }
    hm_summary_entry_free(e);
}

void hm_summary_add(hm_summary *s, const hm_result *r, const char *page)
{
    hm_summary_add_entry(s, hm_summary_entry_make(r), page);
}

void hm_summary_add_failure(hm_summary *s, const char *file, const char *message)
{
    HM_GROW(s->failures, s->n_failures, s->cap_failures);
    s->failures[s->n_failures++] = (hm_failure){hm_xstrdup(file), hm_xstrdup(message ? message : "")};
}

/* Kept best first; past HM_SUMMARY_COPIES a pair displaces the worst, if
 * it is better. Equal shares keep the order they came in. */
void hm_summary_add_copy(hm_summary *s, const char *a, const char *b, double share, const char *passage)
{
    s->all_copies++;
    if (!s->copies)
        s->copies = hm_xcalloc(HM_SUMMARY_COPIES, sizeof *s->copies);
    size_t at = s->n_copies;
    while (at > 0 && s->copies[at - 1].share < share)
        at--;
    if (at == HM_SUMMARY_COPIES)
        return;
    if (s->n_copies == HM_SUMMARY_COPIES) {
        hm_copy_flag *worst = &s->copies[--s->n_copies];
        free(worst->a);
        free(worst->b);
        free(worst->passage);
    }
    memmove(&s->copies[at + 1], &s->copies[at], (s->n_copies - at) * sizeof *s->copies);
    s->copies[at] = (hm_copy_flag){hm_xstrdup(a), hm_xstrdup(b), hm_xstrdup(passage ? passage : ""), share};
    s->n_copies++;
}

const char *hm_summary_file(const hm_summary *s, size_t row, hm_buf *buf)
{
    return hm_names_get(&s->files, row, buf);
}

const char *hm_summary_page(const hm_summary *s, size_t row, hm_buf *buf)
{
    const char *page = s->pages.n > row ? hm_names_get(&s->pages, row, buf) : NULL;
    return page && *page ? page : NULL;
}

const char *hm_summary_main_gap(const hm_summary *s, size_t row, hm_buf *buf)
{
    return s->rows[row].main_gap == HM_NO_GAP ? NULL : hm_spool_get(&s->text, s->rows[row].main_gap, buf);
}

int hm_summary_strand_level(const hm_summary *s, size_t row, size_t k)
{
    return k < s->n_strands ? s->strand_levels[row * s->n_strands + k] : 0;
}

static int by_count(const void *x, const void *y)
{
    const hm_gap_group *a = *(const hm_gap_group *const *)x, *b = *(const hm_gap_group *const *)y;
    if (a->n_rows != b->n_rows)
        return a->n_rows > b->n_rows ? -1 : 1;
    return a->first_row < b->first_row ? -1 : a->first_row > b->first_row;
}

size_t hm_gap_rows(const hm_summary *s, const hm_gap_group *g, uint32_t *rows)
{
    if (g->index >= HM_GAP_BITS) {
        memcpy(rows, g->rows, g->n_rows * sizeof *rows);
        return g->n_rows;
    }
    size_t n = 0;
    for (size_t i = 0; i < s->n_rows; i++)
        if (s->rows[i].gaps & (1ull << g->index))
            rows[n++] = (uint32_t)i;
    return n;
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

static void name_list(hm_buf *b, const hm_summary *s, const uint32_t *rows, size_t n, bool words)
{
    hm_buf name = {0};
    for (size_t i = 0; i < n && i < MAX_NAMES; i++) {
        hm_buf_printf(b, "%s%s", i ? ", " : "", hm_summary_file(s, rows[i], &name));
        if (words)
            hm_buf_printf(b, " (%u words)", s->rows[rows[i]].words);
    }
    hm_buf_free(&name);
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
    uint32_t *rows = hm_xcalloc(s->n_rows + 1, sizeof *rows);
    if (s->n_gaps) {
        heading(&b, color, "Most common gaps");
        for (size_t i = 0; i < s->n_gaps && i < MAX_GAPS; i++) {
            hm_buf_printf(&b, "  %zu essay%s: %s", g[i]->n_rows, g[i]->n_rows == 1 ? "" : "s", g[i]->label);
            if (g[i]->strands)
                hm_buf_printf(&b, " [%s]", g[i]->strands);
            hm_buf_puts(&b, "\n    ");
            name_list(&b, s, rows, hm_gap_rows(s, g[i], rows), false);
            hm_buf_puts(&b, "\n");
        }
    }
    free(g);

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
        if (s->all_copies > s->n_copies)
            hm_buf_printf(&b, "  and %zu more pairs with smaller shares\n", s->all_copies - s->n_copies);
    }
    int rc = write(b.data, b.len, ud);
    hm_buf_free(&b);
    return rc;
}

size_t hm_summary_rows_with(const hm_summary *s, unsigned k, uint32_t *rows)
{
    size_t n = 0;
    for (size_t i = 0; i < s->n_rows; i++)
        if (s->rows[i].flags & (1u << k))
            rows[n++] = (uint32_t)i;
    return n;
}

/* ---- JSON ---- */

/* Appends a JSON value as jansson writes it compactly, and drops it. */
static void put_json_with(hm_buf *b, json_t *v, size_t flags);

static void put_json(hm_buf *b, json_t *v)
{
    put_json_with(b, v, 0);
}

static void put_json_with(hm_buf *b, json_t *v, size_t flags)
{
    char *text = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | flags) : NULL;
    hm_buf_puts(b, text ? text : "null"); /* NULL: a string that is not UTF-8 */
    free(text);
    json_decref(v);
}

static void put_key(hm_buf *b, bool first, const char *key)
{
    if (!first)
        hm_buf_putc(b, ',');
    put_json(b, json_string(key));
    hm_buf_putc(b, ':');
}

/* Written in pieces, the same text as one json_dumps() of the whole: the
 * lists of files are as long as the class. */
int hm_summary_render_json(const hm_summary *s, hm_write_fn write, void *ud)
{
    hm_buf b = {0}, name = {0};
    int rc = 0;
    hm_buf_puts(&b, "{\"summary\":{");
    put_key(&b, true, "essays");
    put_json(&b, json_integer((json_int_t)s->n_rows));
    put_key(&b, false, "unreadable");
    put_json(&b, json_integer((json_int_t)s->n_failures));
    put_key(&b, false, "out_of");
    put_json(&b, json_integer(s->out_of));
    size_t *by_mark = hm_xcalloc((size_t)(s->out_of > 0 ? s->out_of : 0) + 1, sizeof *by_mark);
    size_t by_level[6] = {0};
    for (size_t i = 0; i < s->n_rows; i++) {
        if (s->rows[i].mark >= 0 && s->rows[i].mark <= s->out_of)
            by_mark[s->rows[i].mark]++;
        if (s->rows[i].level >= 0 && s->rows[i].level <= 5)
            by_level[s->rows[i].level]++;
    }
    put_key(&b, false, "marks"); /* count at each mark, 0..out_of */
    hm_buf_putc(&b, '[');
    for (int m = 0; m <= s->out_of; m++)
        hm_buf_printf(&b, "%s%zu", m ? "," : "", by_mark[m]);
    hm_buf_putc(&b, ']');
    free(by_mark);
    put_key(&b, false, "levels"); /* count at each level, 0..5 */
    hm_buf_putc(&b, '[');
    for (int l = 0; l <= 5; l++)
        hm_buf_printf(&b, "%s%zu", l ? "," : "", by_level[l]);
    hm_buf_putc(&b, ']');

    put_key(&b, false, "gaps");
    hm_buf_putc(&b, '[');
    const hm_gap_group **g = hm_summary_sorted_gaps(s);
    uint32_t *rows = hm_xcalloc(s->n_rows + 1, sizeof *rows);
    for (size_t i = 0; i < s->n_gaps && rc == 0; i++) {
        hm_buf_puts(&b, i ? ",{" : "{");
        put_key(&b, true, "feature");
        put_json(&b, json_string(g[i]->feature));
        put_key(&b, false, "label");
        put_json(&b, json_string(g[i]->label));
        if (g[i]->strands) {
            put_key(&b, false, "strands");
            put_json(&b, json_string(g[i]->strands));
        }
        put_key(&b, false, "files");
        hm_buf_putc(&b, '[');
        size_t n = hm_gap_rows(s, g[i], rows);
        for (size_t k = 0; k < n && rc == 0; k++) {
            if (k)
                hm_buf_putc(&b, ',');
            put_json(&b, json_string(hm_summary_file(s, rows[k], &name)));
            rc = hm_flush_some(&b, write, ud);
        }
        hm_buf_puts(&b, "]}");
    }
    free(g);
    free(rows);
    hm_buf_putc(&b, ']');

    static const char *const codes[HM_LOOK_COUNT] = {"very-short", "mostly-quotation", "off-question",
                                                     "not-an-essay", "website-text", "possible-copy"};
    put_key(&b, false, "needs_a_look");
    hm_buf_putc(&b, '{');
    for (unsigned k = 0; k < HM_LOOK_COUNT && rc == 0; k++) {
        put_key(&b, k == 0, codes[k]);
        hm_buf_putc(&b, '[');
        bool first = true;
        for (size_t i = 0; i < s->n_rows && rc == 0; i++)
            if (s->rows[i].flags & (1u << k)) {
                if (!first)
                    hm_buf_putc(&b, ',');
                first = false;
                put_json(&b, json_string(hm_summary_file(s, i, &name)));
                rc = hm_flush_some(&b, write, ud);
            }
        hm_buf_putc(&b, ']');
    }
    hm_buf_putc(&b, '}');
    put_key(&b, false, "possible_copies");
    hm_buf_putc(&b, '[');
    for (size_t i = 0; i < s->n_copies; i++) {
        json_t *c = json_object();
        json_object_set_new(c, "files", json_pack("[ss]", s->copies[i].a, s->copies[i].b));
        json_object_set_new(c, "share", json_real(s->copies[i].share));
        json_object_set_new(c, "passage", json_string(s->copies[i].passage));
        if (i)
            hm_buf_putc(&b, ',');
        put_json_with(&b, c, JSON_REAL_PRECISION(3)); /* an estimate: 0.302, not 0.30208334326744080 */
    }
    hm_buf_putc(&b, ']');
    /* pairs beyond the list: only when there are any, so small classes
     * read as before */
    if (s->all_copies > s->n_copies) {
        put_key(&b, false, "possible_copies_not_listed");
        put_json(&b, json_integer((json_int_t)(s->all_copies - s->n_copies)));
    }
    put_key(&b, false, "failures");
    hm_buf_putc(&b, '[');
    for (size_t i = 0; i < s->n_failures && rc == 0; i++) {
        if (i)
            hm_buf_putc(&b, ',');
        put_json(&b, json_pack("{ssss}", "file", s->failures[i].file, "message", s->failures[i].message));
        rc = hm_flush_some(&b, write, ud);
    }
    hm_buf_puts(&b, "]}}\n");
    if (rc == 0)
        rc = write(b.data, b.len, ud);
    hm_buf_free(&b);
    hm_buf_free(&name);
    return rc;
}
