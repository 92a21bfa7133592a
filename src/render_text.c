/* The text report a student reads: the mark, what earned it, what would
 * raise it, with paragraph numbers and the words concerned. Sees the result
 * only through the public accessors. */
#include <stdio.h>
#include <string.h>

#include "histmark.h"
#include "util.h"

typedef struct out {
    hm_buf b;
    bool color;
} out;

static void style(out *o, const char *code)
{
    if (o->color)
        hm_buf_printf(&o->b, "\x1b[%sm", code);
}

static void note_line(out *o, const hm_result *r, const hm_note *n, const char *mark, const char *color)
{
    hm_buf_puts(&o->b, "  ");
    style(o, color);
    hm_buf_puts(&o->b, mark);
    style(o, "0");
    hm_buf_printf(&o->b, " %s", n->text);
    if (n->paragraph || n->line) {
        hm_buf_puts(&o->b, " [");
        if (n->paragraph)
            hm_buf_printf(&o->b, "paragraph %u", n->paragraph);
        if (n->line)
            hm_buf_printf(&o->b, "%sline %u", n->paragraph ? ", " : "", n->line);
        hm_buf_puts(&o->b, "]");
    }
    (void)r;
    hm_buf_putc(&o->b, '\n');
}

int hm_render_text(const hm_result *r, unsigned flags, hm_write_fn write, void *ud)
{
    out o = {{0}, (flags & HM_RENDER_COLOR) != 0};
    style(&o, "1");
    hm_buf_printf(&o.b, "%s", hm_result_name(r));
    style(&o, "0");
    hm_buf_puts(&o.b, "\n");
    if (hm_result_level(r) > 0)
        hm_buf_printf(&o.b, "  Mark: %d/%d, Level %d (%s marks)\n", hm_result_mark(r), hm_result_out_of(r),
                      hm_result_level(r), hm_result_band(r));
    else
        hm_buf_printf(&o.b, "  Mark: 0/%d (nothing that can be rewarded yet)\n", hm_result_out_of(r));
    if (hm_result_question(r))
        hm_buf_printf(&o.b, "  Question: %s\n", hm_result_question(r));
    else
        hm_buf_puts(&o.b, "  Question: none found (put it on the first line, or use --question)\n");
    if (hm_result_topic(r))
        hm_buf_printf(&o.b, "  Topic: %s (%s)\n", hm_result_topic_name(r), hm_result_topic_reason(r));
    hm_buf_printf(&o.b, "  %u words in %u paragraph%s\n", hm_result_words(r), hm_result_essay_paragraphs(r),
                  hm_result_essay_paragraphs(r) == 1 ? "" : "s");

    unsigned counts[HM_KIND_COUNT] = {0};
    for (size_t i = 0; i < hm_result_finding_count(r); i++)
        counts[hm_result_finding(r, i)->kind]++;
    hm_buf_puts(&o.b, "  Evidence:");
    static const char *const labels[][2] = {{"date", "dates"},   {"figure", "figures"},
                                            {"person", "people"}, {"event", "events and terms"},
                                            {"quotation", "quotations"}};
    for (int k = 0; k <= HM_KIND_QUOTATION; k++)
        hm_buf_printf(&o.b, "%s %u %s", k ? "," : "", counts[k], labels[k][counts[k] == 1 ? 0 : 1]);
    hm_buf_puts(&o.b, "\n");

    hm_buf_puts(&o.b, "\n");
    style(&o, "1");
    hm_buf_puts(&o.b, "Strands\n");
    style(&o, "0");
    for (size_t i = 0; i < hm_result_strand_count(r); i++) {
        const hm_strand *s = hm_result_strand(r, i);
        hm_buf_printf(&o.b, "  %-34s Level %d  %s\n", s->name, s->level, s->descriptor);
    }
    if (hm_result_strength_count(r)) {
        hm_buf_puts(&o.b, "\n");
        style(&o, "1");
        hm_buf_puts(&o.b, "What earned marks\n");
        style(&o, "0");
        for (size_t i = 0; i < hm_result_strength_count(r); i++)
            note_line(&o, r, hm_result_strength(r, i), "+", "32");
    }
    if (hm_result_gap_count(r)) {
        hm_buf_puts(&o.b, "\n");
        style(&o, "1");
        hm_buf_puts(&o.b, "What would raise the mark\n");
        style(&o, "0");
        for (size_t i = 0; i < hm_result_gap_count(r); i++)
            note_line(&o, r, hm_result_gap(r, i), "-", "33");
    }
    if (hm_result_warning_count(r)) {
        hm_buf_puts(&o.b, "\n");
        style(&o, "1");
        hm_buf_puts(&o.b, "Warnings\n");
        style(&o, "0");
        for (size_t i = 0; i < hm_result_warning_count(r); i++) {
            const hm_warning *w = hm_result_warning(r, i);
            hm_buf_puts(&o.b, "  ");
            style(&o, "31");
            hm_buf_printf(&o.b, "! %s", w->code);
            style(&o, "0");
            hm_buf_printf(&o.b, ": %s\n", w->message);
        }
    }
    int rc = write(o.b.data, o.b.len, ud);
    hm_buf_free(&o.b);
    return rc;
}
