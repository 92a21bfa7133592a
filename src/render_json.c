/* JSON report: one object per essay on one line. Built with jansson, which
 * Debian packages (libjansson-dev), escapes every string correctly, and the
 * language server will use to parse as well as build messages. */
#include <jansson.h>
#include <string.h>

#include "histmark.h"
#include "summary.h"

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *note_json(const hm_note *n)
{
    json_t *o = json_object();
    json_object_set_new(o, "text", json_string(n->text));
    if (n->strand)
        json_object_set_new(o, "strand", json_string(n->strand));
    if (n->paragraph)
        json_object_set_new(o, "paragraph", json_integer(n->paragraph));
    if (n->end > n->start) {
        json_object_set_new(o, "start", json_integer((json_int_t)n->start));
        json_object_set_new(o, "end", json_integer((json_int_t)n->end));
        json_object_set_new(o, "line", json_integer(n->line));
        json_object_set_new(o, "column", json_integer(n->column));
    }
    return o;
}

static json_t *notes_json(const hm_note *notes, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, note_json(&notes[i]));
    return a;
}

/* jansson hands over the text a token at a time (about 10,000 pieces for
 * an essay): gathered here, it reaches `write` in a few large pieces. */
typedef struct sink {
    hm_write_fn write;
    void *ud;
    int rc;
    size_t used;
    char buf[8192];
} sink;

static void flush(sink *s)
{
    if (s->rc == 0 && s->used)
        s->rc = s->write(s->buf, s->used, s->ud);
    s->used = 0;
}

static int dump_cb(const char *buffer, size_t size, void *data)
{
    sink *s = data;
    if (s->used + size > sizeof s->buf)
        flush(s);
    if (size > sizeof s->buf) {
        if (s->rc == 0)
            s->rc = s->write(buffer, size, s->ud);
    } else {
        memcpy(s->buf + s->used, buffer, size);
        s->used += size;
    }
    return s->rc ? -1 : 0;
}

int hm_json_write_line(json_t *o, hm_write_fn write, void *ud)
{
    sink s = {write, ud, 0, 0, {0}};
    int dumped = json_dump_callback(o, dump_cb, &s, JSON_COMPACT);
    if (dumped == 0)
        dump_cb("\n", 1, &s);
    flush(&s);
    if (s.rc == 0 && dumped != 0)
        s.rc = -1;
    return s.rc;
}

int hm_render_json(const hm_result *r, unsigned flags, hm_write_fn write, void *ud)
{
    (void)flags;
    size_t text_len;
    const char *text = hm_result_text(r, &text_len);
    json_t *o = json_object();
    json_object_set_new(o, "file", json_string(hm_result_name(r)));
    json_object_set_new(o, "question", str_or_null(hm_result_question(r)));
    json_object_set_new(o, "topic", str_or_null(hm_result_topic(r)));
    if (hm_result_topic_reason(r))
        json_object_set_new(o, "topic_reason", json_string(hm_result_topic_reason(r)));
    json_object_set_new(o, "words", json_integer(hm_result_words(r)));
    json_object_set_new(o, "paragraphs", json_integer(hm_result_essay_paragraphs(r)));
    json_object_set_new(o, "mark", json_integer(hm_result_mark(r)));
    json_object_set_new(o, "out_of", json_integer(hm_result_out_of(r)));
    json_object_set_new(o, "level", json_integer(hm_result_level(r)));
    json_object_set_new(o, "band", json_string(hm_result_band(r)));

    json_t *strands = json_array();
    for (size_t i = 0; i < hm_result_strand_count(r); i++) {
        const hm_strand *s = hm_result_strand(r, i);
        json_t *so = json_object();
        json_object_set_new(so, "id", json_string(s->id));
        json_object_set_new(so, "name", json_string(s->name));
        json_object_set_new(so, "level", json_integer(s->level));
        json_object_set_new(so, "descriptor", json_string(s->descriptor));
        json_object_set_new(so, "strengths", notes_json(s->strengths, s->n_strengths));
        json_object_set_new(so, "gaps", notes_json(s->gaps, s->n_gaps));
        json_array_append_new(strands, so);
    }
    json_object_set_new(o, "strands", strands);

    json_t *strengths = json_array(), *gaps = json_array(), *warnings = json_array();
    for (size_t i = 0; i < hm_result_strength_count(r); i++)
        json_array_append_new(strengths, note_json(hm_result_strength(r, i)));
    for (size_t i = 0; i < hm_result_gap_count(r); i++)
        json_array_append_new(gaps, note_json(hm_result_gap(r, i)));
    for (size_t i = 0; i < hm_result_warning_count(r); i++) {
        const hm_warning *w = hm_result_warning(r, i);
        json_t *wo = json_object();
        json_object_set_new(wo, "code", json_string(w->code));
        json_object_set_new(wo, "message", json_string(w->message));
        json_array_append_new(warnings, wo);
    }
    json_object_set_new(o, "strengths", strengths);
    json_object_set_new(o, "gaps", gaps);
    json_object_set_new(o, "warnings", warnings);

    json_t *findings = json_array();
    for (size_t i = 0; i < hm_result_finding_count(r); i++) {
        const hm_finding *f = hm_result_finding(r, i);
        json_t *fo = json_object();
        json_object_set_new(fo, "rule", json_string(f->rule));
        json_object_set_new(fo, "kind", json_string(hm_kind_name(f->kind)));
        json_object_set_new(fo, "text", json_stringn(text + f->start, f->end - f->start));
        json_object_set_new(fo, "start", json_integer((json_int_t)f->start));
        json_object_set_new(fo, "end", json_integer((json_int_t)f->end));
        json_object_set_new(fo, "line", json_integer(f->line));
        json_object_set_new(fo, "column", json_integer(f->column));
        json_object_set_new(fo, "paragraph", json_integer(f->paragraph));
        json_object_set_new(fo, "message", json_string(f->message));
        if (f->tag)
            json_object_set_new(fo, "tag", json_string(f->tag));
        if (f->suggestion)
            json_object_set_new(fo, "suggestion", json_string(f->suggestion));
        if (f->canonical)
            json_object_set_new(fo, "name", json_string(f->canonical));
        json_array_append_new(findings, fo);
    }
    json_object_set_new(o, "findings", findings);
    (void)text_len;

    int rc = hm_json_write_line(o, write, ud);
    json_decref(o);
    return rc;
}
