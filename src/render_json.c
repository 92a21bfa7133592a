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
    char *data;       /* the report so far (not NUL-terminated) */
    size_t len, cap;
    bool first;       /* no member or element yet in the innermost object or array */
} jw;

/* Room for n more bytes at the end of the report: where they go. The
 * writers below reserve what they may need and then store directly, rather
 * than call out for every piece. */
static char *jw_room(jw *w, size_t n)
{
    if (w->len + n > w->cap) {
        size_t cap = w->cap ? w->cap : 16384;
        while (cap < w->len + n)
            cap *= 2;
        w->data = hm_xrealloc(w->data, cap);
        w->cap = cap;
    }
    return w->data + w->len;
}

static void jw_put(jw *w, const char *s, size_t n)
{
    memcpy(jw_room(w, n), s, n);
    w->len += n;
}

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

/* Whether the 8 bytes at p are all printable ASCII other than '"' and
 * '\\', to be copied as they are: the usual bit tricks flag a byte below
 * 0x20 ((x - 0x20) & ~x), a byte equal to '"' or '\\' (the same below 1
 * after an XOR) and a byte from 0x80 (x itself) in its top bit. A borrow
 * can flag a byte wrongly only above one rightly flagged, so the answer
 * for the eight is exact. */
static bool plain_ascii8(const unsigned char *p)
{
    const uint64_t ones = 0x0101010101010101ull, tops = 0x8080808080808080ull;
    uint64_t x;
    memcpy(&x, p, sizeof x);
    uint64_t quote = x ^ (ones * '"'), backslash = x ^ (ones * '\\');
    uint64_t flagged = ((x - ones * 0x20) & ~x) | ((quote - ones) & ~quote) | ((backslash - ones) & ~backslash) | x;
    return (flagged & tops) == 0;
}

/* The escape of a byte that needs one, written at out; its end. */
static char *put_escape(char *out, unsigned char c)
{
    static const char hex[] = "0123456789ABCDEF";
    *out++ = '\\';
    switch (c) {
    case '"': *out++ = '"'; break;
    case '\\': *out++ = '\\'; break;
    case '\b': *out++ = 'b'; break;
    case '\f': *out++ = 'f'; break;
    case '\n': *out++ = 'n'; break;
    case '\r': *out++ = 'r'; break;
    case '\t': *out++ = 't'; break;
    default:
        memcpy(out, "u00", 3);
        out[3] = hex[c >> 4];
        out[4] = hex[c & 15];
        out += 5;
    }
    return out;
}

/* s as a JSON string, checking that it is UTF-8 on the way: runs of bytes
 * that need no escape are copied whole, and scanned eight at a time while
 * they are plain ASCII. False, with the report's length unchanged, when s
 * is not UTF-8. */
static bool put_string(jw *w, const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    char *out = jw_room(w, 6 * len + 2); /* at most \u00XX a byte */
    *out++ = '"';
    size_t run = 0; /* start of the bytes not yet copied */
    for (size_t i = 0; i < len;) {
        if (len - i >= 8 && plain_ascii8(u + i)) {
            i += 8;
            continue;
        }
        unsigned char c = u[i];
        if (c >= 0x80) {
            size_t n = utf8_len(u + i, len - i);
            if (!n)
                return false;
            i += n;
            continue;
        }
        if (c >= 0x20 && c != '"' && c != '\\') {
            i++;
            continue;
        }
        memcpy(out, s + run, i - run);
        out = put_escape(out + (i - run), c);
        run = ++i;
    }
    memcpy(out, s + run, len - run);
    out += len - run;
    *out++ = '"';
    w->len = (size_t)(out - w->data);
    return true;
}

/* The comma before a member or element, and a member's key: the keys are
 * this file's own names, which need no escapes. */
static void jw_key(jw *w, const char *key)
{
    size_t n = key ? strlen(key) : 0;
    char *out = jw_room(w, n + 4);
    if (!w->first)
        *out++ = ',';
    w->first = false;
    if (key) {
        *out++ = '"';
        memcpy(out, key, n);
        out += n;
        *out++ = '"';
        *out++ = ':';
    }
    w->len = (size_t)(out - w->data);
}

static void jw_open(jw *w, const char *key, char bracket)
{
    jw_key(w, key);
    jw_put(w, &bracket, 1);
    w->first = true;
}

static void jw_close(jw *w, char bracket)
{
    jw_put(w, &bracket, 1);
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
    jw_put(w, digits + sizeof digits - n, n);
}

/* A string member, left out when s is NULL or not UTF-8 (see above). */
static void jw_strn(jw *w, const char *key, const char *s, size_t len)
{
    if (!s)
        return;
    size_t before = w->len;
    bool first = w->first;
    jw_key(w, key);
    if (!put_string(w, s, len)) {
        w->len = before;
        w->first = first;
    }
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
        jw_put(w, "null", 4);
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
    jw w = {NULL, 0, 0, true};
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
    jw_put(&w, "\n", 1);
    int rc = write(w.data, w.len, ud);
    free(w.data);
    return rc;
}
