/* The compiler-style report editors already understand on save:
 * FILE:LINE:COLUMN: severity: message [rule-id], one line each, in the order
 * of the text, so Vim's quickfix, Emacs's compilation mode and VS Code's
 * problem matchers can jump to every note without a plugin. Sees the result
 * only through the public accessors. */
#include <stdlib.h>
#include <string.h>

#include "histmark.h"
#include "util.h"

/* The two severities used: nothing histmark finds is an error. */
enum { SEV_WARNING, SEV_NOTE };

typedef struct entry {
    unsigned line, column;
    int severity;
    size_t seq;    /* order of addition: the mark, warnings, gaps, strengths, findings */
    char *message; /* without the severity and the rule id */
    char *id;
} entry;

typedef struct entries {
    entry *v;
    size_t n, cap;
} entries;

/* Messages must stay on one line, or the editors read the rest as a new,
 * unparseable entry. */
static void put_oneline(hm_buf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        hm_buf_putc(b, c == '\n' || c == '\r' || c == '\t' ? ' ' : c);
    }
}

/* A quoted excerpt of the essay, cut at a character boundary so a long
 * quotation does not swamp the list. */
static void put_excerpt(hm_buf *b, const char *text, size_t start, size_t end)
{
    const size_t max = 60;
    size_t n = end - start;
    bool cut = false;
    if (n > max) {
        n = max;
        while (n > 0 && ((unsigned char)text[start + n] & 0xC0) == 0x80)
            n--;
        cut = true;
    }
    hm_buf_putc(b, '"');
    put_oneline(b, text + start, n);
    hm_buf_puts(b, cut ? "...\"" : "\"");
}

static void add(entries *es, unsigned line, unsigned column, int severity, hm_buf *msg, const char *id,
                const char *id_suffix)
{
    HM_GROW(es->v, es->n, es->cap);
    hm_buf idb = {0};
    hm_buf_puts(&idb, id);
    if (id_suffix)
        hm_buf_printf(&idb, "-%s", id_suffix);
    es->v[es->n] = (entry){line ? line : 1, column ? column : 1, severity, es->n, hm_buf_take(msg),
                           hm_buf_take(&idb)};
    es->n++;
}

static int by_position(const void *a, const void *b)
{
    const entry *x = a, *y = b;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    if (x->column != y->column)
        return x->column < y->column ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* A note's position: its words, else its paragraph's first line, else the
 * top of the file. */
static void note_position(const hm_result *r, const hm_note *n, unsigned *line, unsigned *column)
{
    *line = 1;
    *column = 1;
    if (n->end > n->start && n->line) {
        *line = n->line;
        *column = n->column;
        return;
    }
    for (size_t i = 0; n->paragraph && i < hm_result_paragraph_count(r); i++) {
        const hm_paragraph *p = hm_result_paragraph(r, i);
        if (p->number == n->paragraph) {
            *line = p->line;
            return;
        }
    }
}

static void add_note(entries *es, const hm_result *r, const hm_note *n, int severity, const char *id)
{
    unsigned line, column;
    note_position(r, n, &line, &column);
    hm_buf msg = {0};
    put_oneline(&msg, n->text, strlen(n->text));
    add(es, line, column, severity, &msg, id, n->strand);
}

int hm_render_gcc(const hm_result *r, unsigned flags, hm_write_fn write, void *ud)
{
    (void)flags;
    size_t text_len;
    const char *text = hm_result_text(r, &text_len);
    entries es = {0};
    hm_buf msg = {0};

    /* The mark first, so a quickfix list opens on it. */
    if (hm_result_level(r) > 0)
        hm_buf_printf(&msg, "Mark: %d/%d, Level %d (%s marks)", hm_result_mark(r), hm_result_out_of(r),
                      hm_result_level(r), hm_result_band(r));
    else
        hm_buf_printf(&msg, "Mark: 0/%d (nothing that can be rewarded yet)", hm_result_out_of(r));
    add(&es, 1, 1, SEV_NOTE, &msg, "mark", NULL);
    for (size_t i = 0; i < hm_result_warning_count(r); i++) {
        const hm_warning *w = hm_result_warning(r, i);
        put_oneline(&msg, w->message, strlen(w->message));
        add(&es, 1, 1, SEV_WARNING, &msg, w->code, NULL);
    }
    for (size_t i = 0; i < hm_result_gap_count(r); i++)
        add_note(&es, r, hm_result_gap(r, i), SEV_WARNING, "gap");
    for (size_t i = 0; i < hm_result_strength_count(r); i++)
        add_note(&es, r, hm_result_strength(r, i), SEV_NOTE, "strength");
    for (size_t i = 0; i < hm_result_finding_count(r); i++) {
        const hm_finding *f = hm_result_finding(r, i);
        put_oneline(&msg, f->message, strlen(f->message));
        if (f->end > f->start && f->end <= text_len) {
            hm_buf_puts(&msg, ": ");
            put_excerpt(&msg, text, f->start, f->end);
        }
        if (f->suggestion)
            hm_buf_printf(&msg, " (did you mean \"%s\"?)", f->suggestion);
        add(&es, f->line, f->column, SEV_NOTE, &msg, f->rule, NULL);
    }
    hm_buf_free(&msg);

    qsort(es.v, es.n, sizeof *es.v, by_position);
    hm_buf out = {0};
    const char *name = hm_result_name(r);
    for (size_t i = 0; i < es.n; i++) {
        const entry *e = &es.v[i];
        put_oneline(&out, name, strlen(name));
        hm_buf_printf(&out, ":%u:%u: %s: %s [%s]\n", e->line, e->column,
                      e->severity == SEV_WARNING ? "warning" : "note", e->message, e->id);
        free(e->message);
        free(e->id);
    }
    free(es.v);
    int rc = out.len ? write(out.data, out.len, ud) : 0;
    hm_buf_free(&out);
    return rc;
}
