/* JSON report: one object per essay on one line, written directly (see
 * hm_render_json) in the form jansson's compact dump gives. The class
 * summary's line (summary.c) is built with jansson and written by
 * hm_json_write_line. */
#include <jansson.h>
#include <string.h>

#include "histmark.h"
#include "summary.h"
#include "util.h"

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

/* ---- the essay report, written directly ----
 *
 * Building a jansson tree for every essay and dumping it cost more than the
 * rest of a cold start but the analysis, so the report is written straight
 * into a buffer. It is byte for byte what jansson 2.14's JSON_COMPACT dump
 * of the same tree gave: keys in the order they were set, integers in
 * decimal, strings escaped as jansson escapes them (\" \\ \b \f \n \r \t,
 * other control characters as \u00XX with capitals), other characters as
 * they are, and a field whose string is NULL or not valid UTF-8 left out,
 * as json_object_set_new leaves out the NULL that json_string gives then. */

typedef struct jw {
    hm_buf b;
    bool first; /* no member or element yet in the innermost object or array */
} jw;

/* The length of the valid UTF-8 sequence at s (RFC 3629, as jansson's
 * utf8_check_full), or 0. */
static size_t utf8_len(const unsigned char *s, size_t left)
{
    unsigned char c = s[0];
    size_t n = c < 0x80 ? 1 : c < 0xC2 ? 0 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : c < 0xF5 ? 4 : 0;
    if (n <= 1)
        return n;
    if (n > left)
        return 0;
    uint32_t v = c & (n == 2 ? 0x1F : n == 3 ? 0x0F : 0x07);
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF) || (n == 3 && v < 0x800) || (n == 4 && v < 0x10000))
        return 0;
    return n;
}

static bool valid_utf8(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < len;) {
        size_t n = utf8_len(u + i, len - i);
        if (!n)
            return false;
        i += n;
    }
    return true;
}

static void put_escaped(hm_buf *b, const char *s, size_t len)
{
    hm_buf_putc(b, '"');
    size_t run = 0; /* start of the bytes not yet copied */
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        hm_buf_put(b, s + run, i - run);
        run = i + 1;
        switch (c) {
        case '"': hm_buf_puts(b, "\\\""); break;
        case '\\': hm_buf_puts(b, "\\\\"); break;
        case '\b': hm_buf_puts(b, "\\b"); break;
        case '\f': hm_buf_puts(b, "\\f"); break;
        case '\n': hm_buf_puts(b, "\\n"); break;
        case '\r': hm_buf_puts(b, "\\r"); break;
        case '\t': hm_buf_puts(b, "\\t"); break;
        default: hm_buf_printf(b, "\\u%04X", (unsigned)c);
        }
    }
    hm_buf_put(b, s + run, len - run);
    hm_buf_putc(b, '"');
}

static void jw_key(jw *w, const char *key)
{
    if (!w->first)
        hm_buf_putc(&w->b, ',');
    w->first = false;
    if (key) {
        put_escaped(&w->b, key, strlen(key));
        hm_buf_putc(&w->b, ':');
    }
}

static void jw_open(jw *w, const char *key, char bracket)
{
    jw_key(w, key);
    hm_buf_putc(&w->b, bracket);
    w->first = true;
}

static void jw_close(jw *w, char bracket)
{
    hm_buf_putc(&w->b, bracket);
    w->first = false;
}

static void jw_int(jw *w, const char *key, long long v)
{
    char digits[24];
    size_t n = 0;
    unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
    do {
        digits[sizeof digits - 1 - n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        digits[sizeof digits - 1 - n++] = '-';
    jw_key(w, key);
    hm_buf_put(&w->b, digits + sizeof digits - n, n);
}

/* A string member, left out when s is NULL or not UTF-8 (see above). */
static void jw_strn(jw *w, const char *key, const char *s, size_t len)
{
    if (!s || !valid_utf8(s, len))
        return;
    jw_key(w, key);
    put_escaped(&w->b, s, len);
}

static void jw_str(jw *w, const char *key, const char *s)
{
    if (s)
        jw_strn(w, key, s, strlen(s));
}

/* str_or_null: null for NULL (an invalid string is still left out). */
static void jw_str_or_null(jw *w, const char *key, const char *s)
{
    if (s) {
        jw_str(w, key, s);
    } else {
        jw_key(w, key);
        hm_buf_puts(&w->b, "null");
    }
}

static void jw_note(jw *w, const hm_note *n)
{
    jw_open(w, NULL, '{');
    jw_str(w, "text", n->text);
    if (n->strand)
        jw_str(w, "strand", n->strand);
    if (n->paragraph)
        jw_int(w, "paragraph", n->paragraph);
    if (n->end > n->start) {
        jw_int(w, "start", (long long)n->start);
        jw_int(w, "end", (long long)n->end);
        jw_int(w, "line", n->line);
        jw_int(w, "column", n->column);
    }
    jw_close(w, '}');
}

static void jw_notes(jw *w, const char *key, const hm_note *notes, size_t n)
{
    jw_open(w, key, '[');
    for (size_t i = 0; i < n; i++)
        jw_note(w, &notes[i]);
    jw_close(w, ']');
}

int hm_render_json(const hm_result *r, unsigned flags, hm_write_fn write, void *ud)
{
    (void)flags;
    size_t text_len;
    const char *text = hm_result_text(r, &text_len);
    jw w = {{NULL, 0, 0}, true};
    jw_open(&w, NULL, '{');
    jw_str(&w, "file", hm_result_name(r));
    jw_str_or_null(&w, "question", hm_result_question(r));
    jw_str_or_null(&w, "topic", hm_result_topic(r));
    jw_str(&w, "topic_reason", hm_result_topic_reason(r));
    jw_int(&w, "words", hm_result_words(r));
    jw_int(&w, "paragraphs", hm_result_essay_paragraphs(r));
    jw_int(&w, "mark", hm_result_mark(r));
    jw_int(&w, "out_of", hm_result_out_of(r));
    jw_int(&w, "level", hm_result_level(r));
    jw_str(&w, "band", hm_result_band(r));

    jw_open(&w, "strands", '[');
    for (size_t i = 0; i < hm_result_strand_count(r); i++) {
        const hm_strand *s = hm_result_strand(r, i);
        jw_open(&w, NULL, '{');
        jw_str(&w, "id", s->id);
        jw_str(&w, "name", s->name);
        jw_int(&w, "level", s->level);
        jw_str(&w, "descriptor", s->descriptor);
        jw_notes(&w, "strengths", s->strengths, s->n_strengths);
        jw_notes(&w, "gaps", s->gaps, s->n_gaps);
        jw_close(&w, '}');
    }
    jw_close(&w, ']');

    jw_open(&w, "strengths", '[');
    for (size_t i = 0; i < hm_result_strength_count(r); i++)
        jw_note(&w, hm_result_strength(r, i));
    jw_close(&w, ']');
    jw_open(&w, "gaps", '[');
    for (size_t i = 0; i < hm_result_gap_count(r); i++)
        jw_note(&w, hm_result_gap(r, i));
    jw_close(&w, ']');
    jw_open(&w, "warnings", '[');
    for (size_t i = 0; i < hm_result_warning_count(r); i++) {
        const hm_warning *wn = hm_result_warning(r, i);
        jw_open(&w, NULL, '{');
        jw_str(&w, "code", wn->code);
        jw_str(&w, "message", wn->message);
        jw_close(&w, '}');
    }
    jw_close(&w, ']');

    jw_open(&w, "findings", '[');
    for (size_t i = 0; i < hm_result_finding_count(r); i++) {
        const hm_finding *f = hm_result_finding(r, i);
        jw_open(&w, NULL, '{');
        jw_str(&w, "rule", f->rule);
        jw_str(&w, "kind", hm_kind_name(f->kind));
        jw_strn(&w, "text", text + f->start, f->end - f->start);
        jw_int(&w, "start", (long long)f->start);
        jw_int(&w, "end", (long long)f->end);
        jw_int(&w, "line", f->line);
        jw_int(&w, "column", f->column);
        jw_int(&w, "paragraph", f->paragraph);
        jw_str(&w, "message", f->message);
        if (f->tag)
            jw_str(&w, "tag", f->tag);
        if (f->suggestion)
            jw_str(&w, "suggestion", f->suggestion);
        if (f->canonical)
            jw_str(&w, "name", f->canonical);
        jw_close(&w, '}');
    }
    jw_close(&w, ']');
    (void)text_len;
    jw_close(&w, '}');
    hm_buf_putc(&w.b, '\n');
    int rc = write(w.b.data, w.b.len, ud);
    hm_buf_free(&w.b);
    return rc;
}
