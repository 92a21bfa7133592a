/* `histmark lsp`: a language server (LSP 3.17, JSON-RPC 2.0 over stdio with
 * Content-Length framing). Each open essay is analysed whenever it changes
 * and its findings, gaps and warnings are published as diagnostics; hover
 * explains a finding and shows the mark, a code lens shows the mark, and a
 * quick fix corrects a misspelt key name.
 *
 * The server keeps one hm_config (rebuilt when the settings change) and the
 * latest hm_result of each open document. Only complete framed messages go
 * to stdout; logs go to stderr and, as window/logMessage, to the client.
 * Nothing the client sends can crash or stall it: bad frames are logged and
 * skipped, bad JSON gets a JSON-RPC error, and the server goes on serving. */
#define _POSIX_C_SOURCE 200809L
#include "lsp.h"

#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "util.h"

/* JSON-RPC and LSP error codes. */
enum {
    RPC_PARSE_ERROR = -32700,
    RPC_INVALID_REQUEST = -32600,
    RPC_METHOD_NOT_FOUND = -32601,
    RPC_INVALID_PARAMS = -32602,
    RPC_SERVER_NOT_INITIALIZED = -32002
};

/* LSP's MessageType and DiagnosticSeverity. */
enum { MSG_ERROR = 1, MSG_WARNING = 2, MSG_INFO = 3, MSG_LOG = 4 };
enum { SEV_WARNING = 2, SEV_INFORMATION = 3, SEV_HINT = 4 };

#define HEADER_LINE_MAX 8192
/* How long a half-received frame may sit idle before it is dropped, so a
 * client that sends a short body cannot stall the server for ever.
 * HISTMARK_LSP_FRAME_TIMEOUT (milliseconds) overrides it. */
#define FRAME_TIMEOUT_MS 10000

/* ------------------------------------------------------------------ */
/* Positions: byte offsets <-> LSP (line, character).                  */

typedef struct textmap {
    const char *text;
    size_t len;
    size_t *starts; /* the offset of each line; LSP breaks at \n, \r\n and \r */
    size_t n;
} textmap;

static void map_build(textmap *m, const char *text, size_t len)
{
    size_t cap = 0;
    m->text = text;
    m->len = len;
    m->starts = NULL;
    m->n = 0;
    HM_GROW(m->starts, m->n, cap);
    m->starts[m->n++] = 0;
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '\r' && i + 1 < len && text[i + 1] == '\n')
            continue;
        if (text[i] == '\n' || text[i] == '\r') {
            HM_GROW(m->starts, m->n, cap);
            m->starts[m->n++] = i + 1;
        }
    }
}

static void map_free(textmap *m)
{
    free(m->starts);
    m->starts = NULL;
    m->n = 0;
}

static size_t map_line_of(const textmap *m, size_t off)
{
    size_t lo = 0, hi = m->n;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->starts[mid] <= off)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* The end of a line's text, before its line break. */
static size_t map_line_end(const textmap *m, size_t line)
{
    size_t start = m->starts[line];
    size_t end = line + 1 < m->n ? m->starts[line + 1] : m->len;
    if (end > start && m->text[end - 1] == '\n')
        end--;
    if (end > start && m->text[end - 1] == '\r')
        end--;
    return end;
}

static size_t utf8_seq_len(unsigned char c)
{
    return c < 0xC0 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

/* Code units of one character: UTF-16 needs a surrogate pair above U+FFFF. */
static size_t char_units(size_t seq_len, hm_lsp_encoding enc)
{
    return enc == HM_LSP_UTF8 ? seq_len : seq_len == 4 ? 2 : 1;
}

static json_t *pos_json(const textmap *m, size_t off, hm_lsp_encoding enc)
{
    if (off > m->len)
        off = m->len;
    size_t line = map_line_of(m, off), units = 0;
    for (size_t i = m->starts[line]; i < off;) {
        size_t n = utf8_seq_len((unsigned char)m->text[i]);
        units += char_units(n, enc);
        i += n;
    }
    return json_pack("{s:I,s:I}", "line", (json_int_t)line, "character", (json_int_t)units);
}

static json_t *range_json(const textmap *m, size_t start, size_t end, hm_lsp_encoding enc)
{
    return json_pack("{s:o,s:o}", "start", pos_json(m, start, enc), "end", pos_json(m, end, enc));
}

/* The whole of one line, for notes that point at no words. */
static json_t *line_range(const textmap *m, size_t line, hm_lsp_encoding enc)
{
    if (line >= m->n)
        line = m->n - 1;
    return range_json(m, m->starts[line], map_line_end(m, line), enc);
}

/* A client's position as a byte offset, clamped into the document: a line
 * past the end means the end, a character past a line's end means that
 * end, and a position inside a character means its start. */
static size_t offset_of(const textmap *m, json_int_t line, json_int_t character, hm_lsp_encoding enc)
{
    if (line < 0)
        return 0;
    if ((size_t)line >= m->n)
        return m->len;
    if (character < 0)
        character = 0;
    size_t i = m->starts[line], end = map_line_end(m, (size_t)line);
    json_int_t units = 0;
    while (i < end) {
        size_t n = utf8_seq_len((unsigned char)m->text[i]);
        json_int_t u = (json_int_t)char_units(n, enc);
        if (units + u > character)
            break;
        units += u;
        i += n;
    }
    return i;
}

/* ------------------------------------------------------------------ */
/* Diagnostics.                                                        */

/* Where the result's offsets sit in the client's text. The result text is
 * the document as given (LSP text is always UTF-8) minus a leading BOM; if
 * it is anything else, positions are taken in the result text itself. */
typedef struct placed {
    const hm_result *r;
    textmap map;
    size_t shift; /* client offset = result offset + shift */
} placed;

static void place(placed *p, const hm_result *r, const char *text, size_t len)
{
    size_t rlen;
    const char *rt = hm_result_text(r, &rlen);
    p->r = r;
    p->shift = 0;
    if (rlen == len && memcmp(rt, text, len) == 0) {
        map_build(&p->map, text, len);
    } else if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0 && rlen == len - 3 &&
               memcmp(rt, text + 3, rlen) == 0) {
        p->shift = 3;
        map_build(&p->map, text, len);
    } else {
        map_build(&p->map, rt, rlen);
    }
}

static json_t *span_range(const placed *p, size_t start, size_t end, hm_lsp_encoding enc)
{
    return range_json(&p->map, start + p->shift, end + p->shift, enc);
}

static json_t *diagnostic(json_t *range, int severity, const char *code, const char *message)
{
    return json_pack("{s:o,s:i,s:s,s:s,s:s}", "range", range, "severity", severity, "code", code, "source",
                     "histmark", "message", message);
}

static json_t *finding_diagnostic(const placed *p, const hm_finding *f, hm_lsp_encoding enc)
{
    hm_buf msg = {0};
    hm_buf_puts(&msg, f->message);
    if (f->suggestion)
        hm_buf_printf(&msg, ": did you mean \"%s\"?", f->suggestion);
    /* Misspelt names are worth noticing; the rest is what earns marks. */
    json_t *d = diagnostic(span_range(p, f->start, f->end, enc), f->suggestion ? SEV_INFORMATION : SEV_HINT,
                           f->rule, msg.data);
    hm_buf_free(&msg);
    return d;
}

static json_t *note_diagnostic(const placed *p, const hm_note *n, int severity, const char *kind,
                               hm_lsp_encoding enc)
{
    json_t *range = NULL;
    if (n->end > n->start) {
        range = span_range(p, n->start, n->end, enc);
    } else {
        size_t line = 0;
        for (size_t i = 0; n->paragraph && i < hm_result_paragraph_count(p->r); i++) {
            const hm_paragraph *para = hm_result_paragraph(p->r, i);
            if (para->number == n->paragraph) {
                line = map_line_of(&p->map, para->start + p->shift);
                break;
            }
        }
        range = line_range(&p->map, line, enc);
    }
    hm_buf code = {0};
    hm_buf_puts(&code, kind);
    if (n->strand)
        hm_buf_printf(&code, "-%s", n->strand);
    json_t *d = diagnostic(range, severity, code.data, n->text);
    hm_buf_free(&code);
    return d;
}

static json_t *build_diagnostics(const placed *p, hm_lsp_encoding enc, unsigned show)
{
    const hm_result *r = p->r;
    json_t *a = json_array();
    if (show & HM_LSP_SHOW_WARNINGS)
        for (size_t i = 0; i < hm_result_warning_count(r); i++) {
            const hm_warning *w = hm_result_warning(r, i);
            json_array_append_new(a, diagnostic(line_range(&p->map, 0, enc), SEV_WARNING, w->code, w->message));
        }
    if (show & HM_LSP_SHOW_GAPS)
        for (size_t i = 0; i < hm_result_gap_count(r); i++)
            json_array_append_new(a, note_diagnostic(p, hm_result_gap(r, i), SEV_WARNING, "gap", enc));
    if (show & HM_LSP_SHOW_STRENGTHS)
        for (size_t i = 0; i < hm_result_strength_count(r); i++)
            json_array_append_new(a, note_diagnostic(p, hm_result_strength(r, i), SEV_HINT, "strength", enc));
    for (size_t i = 0; i < hm_result_finding_count(r); i++) {
        const hm_finding *f = hm_result_finding(r, i);
        if (show & HM_LSP_SHOW_KIND(f->kind))
            json_array_append_new(a, finding_diagnostic(p, f, enc));
    }
    return a;
}

json_t *hm_lsp_diagnostics(const hm_result *r, const char *text, size_t len, hm_lsp_encoding enc,
                           unsigned show)
{
    placed p;
    place(&p, r, text, len);
    json_t *a = build_diagnostics(&p, enc, show);
    map_free(&p.map);
    return a;
}

/* ------------------------------------------------------------------ */
/* Server state.                                                       */

typedef struct doc {
    char *uri, *language, *name;
    json_int_t version;
    bool has_version;
    char *text;
    size_t len;
    hm_result *res; /* the latest analysis, or NULL */
    placed at;      /* valid when res is set */
    char *error;    /* why the text could not be analysed, or NULL */
} doc;

typedef struct strlist {
    char **v;
    size_t n;
} strlist;

typedef struct settings {
    char *rubric, *rules, *lists, *topic; /* NULL: the built-in ones */
    unsigned show;
    strlist languages, extensions;
} settings;

typedef struct reader {
    int fd;
    char *buf;
    size_t start, len, cap; /* unread bytes are buf[start, len) */
} reader;

typedef struct server {
    reader in;
    int out_fd;
    bool out_broken;
    int timeout_ms;
    bool initialized, shutdown;
    int exit_code; /* -1 until exit */
    hm_lsp_encoding enc;
    bool markdown;
    char *root; /* the workspace folder, for relative paths in settings */
    settings set;
    hm_config *cfg;
    char *cfg_key; /* the settings cfg was built from */
    doc *docs;
    size_t n_docs, cap_docs;
} server;

/* ------------------------------------------------------------------ */
/* Output.                                                             */

static void write_all(server *s, const char *p, size_t n)
{
    while (n && !s->out_broken) {
        ssize_t k = write(s->out_fd, p, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            fprintf(stderr, "histmark lsp: writing to the client failed: %s\n", strerror(errno));
            s->out_broken = true;
            return;
        }
        p += k;
        n -= (size_t)k;
    }
}

/* Sends one message, framed, in one piece. Takes the reference to msg. */
static void send_msg(server *s, json_t *msg)
{
    if (!msg)
        return;
    json_object_set_new(msg, "jsonrpc", json_string("2.0"));
    char *body = json_dumps(msg, JSON_COMPACT);
    json_decref(msg);
    if (!body) {
        fputs("histmark lsp: a reply could not be encoded\n", stderr);
        return;
    }
    size_t n = strlen(body);
    hm_buf frame = {0};
    hm_buf_printf(&frame, "Content-Length: %zu\r\n\r\n", n);
    hm_buf_put(&frame, body, n);
    free(body);
    write_all(s, frame.data, frame.len);
    hm_buf_free(&frame);
}

/* A JSON string of a message that may hold bytes from the client (a bad
 * header, jansson's "near '...'"): json_string() refuses invalid UTF-8, and
 * an error must still be sent. */
static json_t *safe_string(const char *m)
{
    json_t *j = json_string(m);
    if (j)
        return j;
    hm_buf b = {0};
    for (const char *p = m; *p; p++)
        hm_buf_putc(&b, *p >= 0x20 && *p < 0x7F ? *p : '?');
    j = json_string(b.data ? b.data : "");
    hm_buf_free(&b);
    return j;
}

static void notify(server *s, const char *method, json_t *params)
{
    send_msg(s, json_pack("{s:s,s:o}", "method", method, "params", params));
}

static void reply(server *s, json_t *id, json_t *result)
{
    send_msg(s, json_pack("{s:O,s:o}", "id", id ? id : json_null(), "result", result ? result : json_null()));
}

static void reply_error(server *s, json_t *id, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void reply_error(server *s, json_t *id, int code, const char *fmt, ...)
{
    char m[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m, sizeof m, fmt, ap);
    va_end(ap);
    send_msg(s, json_pack("{s:O,s:{s:i,s:o}}", "id", id ? id : json_null(), "error", "code", code, "message",
                          safe_string(m)));
}

/* A log line on stderr and in the client's log. */
static void log_msg(server *s, int type, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void log_msg(server *s, int type, const char *fmt, ...)
{
    char m[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m, sizeof m, fmt, ap);
    va_end(ap);
    fprintf(stderr, "histmark lsp: %s\n", m);
    notify(s, "window/logMessage", json_pack("{s:i,s:o}", "type", type, "message", safe_string(m)));
}

/* Something the user should see, not just the log. */
static void show_msg(server *s, int type, const char *m)
{
    fprintf(stderr, "histmark lsp: %s\n", m);
    notify(s, "window/showMessage", json_pack("{s:i,s:o}", "type", type, "message", safe_string(m)));
}

/* ------------------------------------------------------------------ */
/* Input: frames.                                                      */

/* Reads what is available. wait_ms < 0 blocks until something arrives.
 * Returns the bytes read, 0 at end of input, -1 on an error, -2 when
 * nothing arrived in time. Moves the buffer, so offsets into it survive but
 * pointers do not. */
static long reader_fill(reader *r, int wait_ms)
{
    if (r->start == r->len) {
        r->start = r->len = 0;
    } else if (r->start > 0 && r->len == r->cap) {
        memmove(r->buf, r->buf + r->start, r->len - r->start);
        r->len -= r->start;
        r->start = 0;
    }
    if (r->len == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 65536;
        r->buf = hm_xrealloc(r->buf, r->cap);
    }
    if (wait_ms >= 0) {
        struct pollfd pf = {r->fd, POLLIN, 0};
        int k;
        do
            k = poll(&pf, 1, wait_ms);
        while (k < 0 && errno == EINTR);
        if (k == 0)
            return -2;
        if (k < 0)
            return -1;
    }
    ssize_t n;
    do
        n = read(r->fd, r->buf + r->len, r->cap - r->len);
    while (n < 0 && errno == EINTR);
    if (n > 0)
        r->len += (size_t)n;
    return n < 0 ? -1 : (long)n;
}

/* Where a frame can begin: at one of the two headers LSP defines. */
static const char *const header_keys[] = {"content-length:", "content-type:"};
#define HEADER_KEY_MAX 15 /* the longer one's length */

static const char *find_header(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t h = 0; h < sizeof header_keys / sizeof *header_keys; h++) {
            const char *key = header_keys[h];
            size_t j = 0;
            while (key[j] && i + j < n && tolower((unsigned char)p[i + j]) == key[j])
                j++;
            if (!key[j])
                return p + i;
        }
    }
    return NULL;
}

/* After a bad frame, skips to the next header, which is where the next
 * frame must begin (inside a JSON body one can only appear within a
 * string). Blocks like waiting for a frame does. */
static void resync(reader *r)
{
    const size_t keep = HEADER_KEY_MAX - 1;
    for (;;) {
        const char *h = find_header(r->buf + r->start, r->len - r->start);
        if (h) {
            r->start = (size_t)(h - r->buf);
            return;
        }
        if (r->len - r->start > keep)
            r->start = r->len - keep;
        if (reader_fill(r, -1) <= 0)
            return;
    }
}

enum { LINE_OK, LINE_EOF, LINE_TIMEOUT, LINE_TOO_LONG };

/* One header line, without its line break, as an offset into the buffer. */
static int read_line(server *s, bool in_frame, size_t *off, size_t *len)
{
    reader *r = &s->in;
    for (;;) {
        char *nl = memchr(r->buf + r->start, '\n', r->len - r->start);
        if (nl) {
            *off = r->start;
            *len = (size_t)(nl - (r->buf + r->start));
            if (*len && r->buf[*off + *len - 1] == '\r')
                (*len)--;
            r->start = (size_t)(nl - r->buf) + 1;
            return LINE_OK;
        }
        if (r->len - r->start > HEADER_LINE_MAX)
            return LINE_TOO_LONG;
        /* Between frames the client may be silent for as long as it likes;
         * within one it must keep sending. */
        long k = reader_fill(r, in_frame || r->len > r->start ? s->timeout_ms : -1);
        if (k == -2)
            return LINE_TIMEOUT;
        if (k <= 0)
            return LINE_EOF;
    }
}

enum { FRAME_OK, FRAME_BAD, FRAME_EOF };

static bool header_is(const char *line, size_t n, const char *name)
{
    size_t k = strlen(name);
    return n == k && strncasecmp(line, name, k) == 0;
}

/* Reads one frame. FRAME_OK leaves the body at [*body, *body + *len) in the
 * buffer until the next read; FRAME_BAD means a frame was refused (and
 * logged) and reading can go on. */
static int read_frame(server *s, size_t *body, size_t *len)
{
    reader *r = &s->in;
    bool any = false, have_len = false;
    size_t content_length = 0;
    char bad[200] = "";
    for (;;) {
        size_t off, n;
        int k = read_line(s, any, &off, &n);
        if (k == LINE_EOF) {
            if (any || r->len > r->start)
                log_msg(s, MSG_ERROR, "the input ended in the middle of a message header");
            return FRAME_EOF;
        }
        if (k == LINE_TIMEOUT) {
            log_msg(s, MSG_ERROR, "an incomplete message header, then nothing for %d ms: skipped", s->timeout_ms);
            r->start = r->len;
            return FRAME_BAD;
        }
        if (k == LINE_TOO_LONG) {
            log_msg(s, MSG_ERROR, "a message header line longer than %d bytes: skipped", HEADER_LINE_MAX);
            r->start++;
            resync(r);
            return FRAME_BAD;
        }
        if (n == 0) {
            if (!any)
                continue; /* stray blank lines between frames */
            break;
        }
        any = true;
        const char *line = r->buf + off;
        const char *colon = memchr(line, ':', n);
        if (!colon) {
            snprintf(bad, sizeof bad, "a line that is not a message header (\"%.*s\")", (int)(n < 40 ? n : 40), line);
            r->start = off + 1; /* a frame may begin later in the line */
            break;
        }
        if (!header_is(line, (size_t)(colon - line), "Content-Length"))
            continue; /* Content-Type, or anything else: ignored */
        const char *v = colon + 1, *end = line + n;
        while (v < end && (*v == ' ' || *v == '\t'))
            v++;
        while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
            end--;
        size_t value = 0;
        bool digits = v < end, huge = false;
        for (const char *p = v; p < end; p++) {
            if (*p < '0' || *p > '9') {
                digits = false;
                break;
            }
            if (value > HM_LSP_MAX_CONTENT_LENGTH)
                huge = true;
            else
                value = value * 10 + (size_t)(*p - '0');
        }
        if (!digits) {
            snprintf(bad, sizeof bad, "Content-Length is not a number (\"%.*s\")", (int)(end - v < 40 ? end - v : 40),
                     v);
        } else if (huge || value > HM_LSP_MAX_CONTENT_LENGTH) {
            snprintf(bad, sizeof bad, "Content-Length %.*s is over the limit of %zu bytes",
                     (int)(end - v < 40 ? end - v : 40), v, HM_LSP_MAX_CONTENT_LENGTH);
        }
        have_len = true;
        content_length = value;
    }
    if (!bad[0] && !have_len)
        snprintf(bad, sizeof bad, "a message without a Content-Length header");
    if (bad[0]) {
        log_msg(s, MSG_ERROR, "%s: skipped to the next message", bad);
        resync(r);
        return FRAME_BAD;
    }
    while (r->len - r->start < content_length) {
        long k = reader_fill(r, s->timeout_ms);
        if (k == -2) {
            log_msg(s, MSG_ERROR, "a message shorter than its Content-Length (%zu of %zu bytes, then nothing for %d ms): "
                    "skipped", r->len - r->start, content_length, s->timeout_ms);
            /* The rest may be the start of the next frame. */
            const char *h = find_header(r->buf + r->start, r->len - r->start);
            r->start = h ? (size_t)(h - r->buf) : r->len;
            return FRAME_BAD;
        }
        if (k <= 0) {
            log_msg(s, MSG_ERROR, "the input ended %zu bytes short of a message's Content-Length",
                    content_length - (r->len - r->start));
            return FRAME_EOF;
        }
    }
    *body = r->start;
    *len = content_length;
    r->start += content_length;
    return FRAME_OK;
}

/* ------------------------------------------------------------------ */
/* Settings.                                                           */

static void strlist_free(strlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

static void strlist_set(strlist *l, const char *const *v, size_t n)
{
    strlist_free(l);
    l->v = hm_xcalloc(n ? n : 1, sizeof *l->v);
    for (size_t i = 0; i < n; i++)
        l->v[l->n++] = hm_xstrdup(v[i]);
}

static bool strlist_has(const strlist *l, const char *s)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i], s) == 0 || strcmp(l->v[i], "*") == 0)
            return true;
    return false;
}

static void settings_defaults(settings *st)
{
    static const char *const languages[] = {"plaintext", "markdown", "text"};
    static const char *const extensions[] = {".txt", ".md"};
    free(st->rubric), free(st->rules), free(st->lists), free(st->topic);
    st->rubric = st->rules = st->lists = st->topic = NULL;
    st->show = HM_LSP_SHOW_DEFAULT;
    strlist_set(&st->languages, languages, 3);
    strlist_set(&st->extensions, extensions, 2);
}

static void settings_free(settings *st)
{
    free(st->rubric), free(st->rules), free(st->lists), free(st->topic);
    strlist_free(&st->languages);
    strlist_free(&st->extensions);
}

/* "rubric": a string sets it, null restores the built-in one. */
static void set_path(server *s, json_t *o, const char *key, char **slot)
{
    json_t *v = json_object_get(o, key);
    if (!v)
        return;
    if (json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0)) {
        free(*slot);
        *slot = NULL;
    } else if (json_is_string(v)) {
        free(*slot);
        *slot = hm_xstrdup(json_string_value(v));
    } else {
        log_msg(s, MSG_WARNING, "setting '%s' should be a string; ignored", key);
    }
}

static bool set_strlist(server *s, json_t *o, const char *key, strlist *l)
{
    json_t *v = json_object_get(o, key);
    if (!v)
        return false;
    if (!json_is_array(v)) {
        log_msg(s, MSG_WARNING, "setting '%s' should be an array of strings; ignored", key);
        return false;
    }
    strlist_free(l);
    l->v = hm_xcalloc(json_array_size(v) + 1, sizeof *l->v);
    size_t i;
    json_t *e;
    json_array_foreach(v, i, e) {
        if (json_is_string(e))
            l->v[l->n++] = hm_xstrdup(json_string_value(e));
    }
    return true;
}

/* The kinds setting: what to publish as diagnostics. */
static unsigned parse_show(server *s, const strlist *l)
{
    unsigned show = 0;
    for (size_t i = 0; i < l->n; i++) {
        const char *k = l->v[i];
        unsigned bit = 0;
        if (strcmp(k, "gap") == 0 || strcmp(k, "gaps") == 0)
            bit = HM_LSP_SHOW_GAPS;
        else if (strcmp(k, "warning") == 0 || strcmp(k, "warnings") == 0)
            bit = HM_LSP_SHOW_WARNINGS;
        else if (strcmp(k, "strength") == 0 || strcmp(k, "strengths") == 0)
            bit = HM_LSP_SHOW_STRENGTHS;
        else if (strcmp(k, "finding") == 0 || strcmp(k, "findings") == 0)
            bit = HM_LSP_SHOW_FINDINGS;
        else if (strcmp(k, "evidence") == 0) {
            for (int kind = 0; kind < HM_KIND_COUNT; kind++)
                if (hm_kind_is_evidence((hm_kind)kind))
                    bit |= HM_LSP_SHOW_KIND(kind);
        } else {
            for (int kind = 0; kind < HM_KIND_COUNT; kind++)
                if (strcmp(k, hm_kind_name((hm_kind)kind)) == 0)
                    bit = HM_LSP_SHOW_KIND(kind);
        }
        if (!bit)
            log_msg(s, MSG_WARNING, "setting 'kinds': unknown kind '%s' (gaps, warnings, strengths, findings, "
                    "evidence, or a finding kind such as date or person)", k);
        show |= bit;
    }
    return show;
}

/* Merges a settings object: keys present replace the current values, keys
 * absent keep them, so a client that sends {} changes nothing. Accepts the
 * settings bare or under "histmark". */
static void merge_settings(server *s, json_t *o)
{
    if (json_is_object(json_object_get(o, "histmark")))
        o = json_object_get(o, "histmark");
    if (!json_is_object(o))
        return;
    set_path(s, o, "rubric", &s->set.rubric);
    set_path(s, o, "rules", &s->set.rules);
    set_path(s, o, "lists", &s->set.lists);
    set_path(s, o, "topic", &s->set.topic);
    strlist kinds = {0};
    if (set_strlist(s, o, "kinds", &kinds))
        s->set.show = parse_show(s, &kinds);
    strlist_free(&kinds);
    set_strlist(s, o, "languages", &s->set.languages);
    set_strlist(s, o, "extensions", &s->set.extensions);
}

/* file:///home/x/essay%201.txt -> /home/x/essay 1.txt; NULL for other schemes. */
static char *uri_to_path(const char *uri)
{
    if (strncmp(uri, "file://", 7) != 0)
        return NULL;
    const char *p = strchr(uri + 7, '/');
    if (!p)
        return NULL;
    hm_buf b = {0};
    for (; *p; p++) {
        if (*p == '%' && isxdigit((unsigned char)p[1]) && isxdigit((unsigned char)p[2])) {
            char hex[3] = {p[1], p[2], 0};
            hm_buf_putc(&b, (char)strtol(hex, NULL, 16));
            p += 2;
        } else {
            hm_buf_putc(&b, *p);
        }
    }
    return hm_buf_take(&b);
}

/* Relative paths in settings are relative to the workspace folder. */
static char *resolve(const server *s, const char *path)
{
    if (!path || path[0] == '/' || !s->root)
        return path ? hm_xstrdup(path) : NULL;
    hm_buf b = {0};
    hm_buf_printf(&b, "%s/%s", s->root, path);
    return hm_buf_take(&b);
}

static bool topic_is_file(const char *t)
{
    return t && (strchr(t, '/') || strstr(t, ".yaml") || strstr(t, ".yml"));
}

/* ------------------------------------------------------------------ */
/* Documents.                                                          */

static doc *find_doc(server *s, const char *uri)
{
    for (size_t i = 0; i < s->n_docs; i++)
        if (strcmp(s->docs[i].uri, uri) == 0)
            return &s->docs[i];
    return NULL;
}

static void doc_drop_result(doc *d)
{
    if (d->res) {
        map_free(&d->at.map);
        hm_result_free(d->res);
        d->res = NULL;
    }
    free(d->error);
    d->error = NULL;
}

static void doc_free(doc *d)
{
    doc_drop_result(d);
    free(d->uri), free(d->language), free(d->name), free(d->text);
}

static bool doc_wanted(const server *s, const doc *d)
{
    if (d->language && strlist_has(&s->set.languages, d->language))
        return true;
    size_t n = strlen(d->uri);
    for (size_t i = 0; i < s->set.extensions.n; i++) {
        const char *e = s->set.extensions.v[i];
        size_t k = strlen(e);
        if (strcmp(e, "*") == 0 || (k <= n && strcasecmp(d->uri + n - k, e) == 0))
            return true;
    }
    return false;
}

/* Analyses a document again (freeing the old result first) and publishes
 * its diagnostics; a document the settings exclude gets an empty list. */
static void doc_publish(server *s, doc *d)
{
    doc_drop_result(d);
    json_t *diags;
    if (!doc_wanted(s, d) || !s->cfg) {
        diags = json_array();
    } else {
        hm_analyze_options ao = {HM_ANALYZE_OPTIONS_VERSION, d->name, NULL, 0};
        hm_error err = {0};
        d->res = hm_analyze(s->cfg, d->text, d->len, &ao, &err);
        if (d->res) {
            place(&d->at, d->res, d->text, d->len);
            diags = build_diagnostics(&d->at, s->enc, s->set.show);
        } else {
            /* Said where the writer looks, not only in the log. */
            d->error = hm_xstrdup(err.message);
            textmap m;
            map_build(&m, d->text, d->len);
            char msg[1200];
            snprintf(msg, sizeof msg, "histmark cannot mark this text: %s", err.message);
            diags = json_pack("[o]", diagnostic(line_range(&m, 0, s->enc), SEV_WARNING, "not-analysed", msg));
            map_free(&m);
        }
    }
    json_t *params = json_pack("{s:s,s:o}", "uri", d->uri, "diagnostics", diags);
    if (d->has_version)
        json_object_set_new(params, "version", json_integer(d->version));
    notify(s, "textDocument/publishDiagnostics", params);
}

/* (Re)builds the config when the settings that shape it changed. Results
 * are freed before the config they were made with. */
static void apply_config(server *s)
{
    char *rubric = resolve(s, s->set.rubric), *rules = resolve(s, s->set.rules), *lists = resolve(s, s->set.lists);
    char *topic = topic_is_file(s->set.topic) ? resolve(s, s->set.topic)
                                                : (s->set.topic ? hm_xstrdup(s->set.topic) : NULL);
    hm_buf key = {0};
    hm_buf_printf(&key, "%s\n%s\n%s\n%s", rubric ? rubric : "", rules ? rules : "", lists ? lists : "",
                  topic ? topic : "");
    if (s->cfg && s->cfg_key && strcmp(s->cfg_key, key.data) == 0) {
        hm_buf_free(&key);
    } else {
        hm_config_options co = {HM_CONFIG_OPTIONS_VERSION, rubric, rules, lists, topic, 0};
        hm_error err = {0};
        hm_config *cfg = hm_config_load(&co, &err);
        if (!cfg) {
            hm_buf m = {0};
            hm_buf_printf(&m, "histmark settings: %s", err.file);
            if (err.line)
                hm_buf_printf(&m, ":%d:%d", err.line, err.column);
            hm_buf_printf(&m, "%s%s; %s", err.file[0] ? ": " : "", err.message,
                          s->cfg ? "keeping the previous settings" : "using the built-in ones");
            show_msg(s, MSG_ERROR, m.data);
            hm_buf_free(&m);
            if (!s->cfg)
                cfg = hm_config_load(NULL, &err);
        }
        if (cfg) {
            for (size_t i = 0; i < s->n_docs; i++)
                doc_drop_result(&s->docs[i]);
            hm_config_free(s->cfg);
            s->cfg = cfg;
            free(s->cfg_key);
            s->cfg_key = hm_buf_take(&key);
        }
        hm_buf_free(&key);
    }
    free(rubric), free(rules), free(lists), free(topic);
}

/* ------------------------------------------------------------------ */
/* Why each kind of finding matters for the mark (hover).              */

static const char *const kind_why[HM_KIND_COUNT] = {
    [HM_KIND_DATE] = "Dates are specific evidence. The knowledge strand rewards main paragraphs that back "
                     "their point with specific evidence, and precise evidence (two or more items of two or "
                     "more kinds, such as a date and a name) lifts it further.",
    [HM_KIND_FIGURE] = "Figures are specific evidence: numbers, percentages and amounts make a point precise, "
                       "which the knowledge strand rewards.",
    [HM_KIND_PERSON] = "Named people are specific evidence for the knowledge strand; spelling key names "
                       "correctly is part of accurate knowledge.",
    [HM_KIND_EVENT] = "Named events and terms are specific evidence for the knowledge strand, and show a "
                      "command of the topic's vocabulary.",
    [HM_KIND_QUOTATION] = "A quotation is specific evidence; keep quotations short, as an essay that is mostly "
                          "quotation is flagged.",
    [HM_KIND_JUDGEMENT] = "A judgement (how far, how significant) earns credit in the judgement strand only in a "
                          "paragraph that also gives specific evidence; judgements that weigh factors against "
                          "each other reach the top levels.",
    [HM_KIND_COUNTERARGUMENT] = "Considering the other side of the argument is part of evaluation: the judgement "
                                "strand looks for paragraphs with a counter-argument.",
    [HM_KIND_CAUSATION] = "Explained causation ('because', 'led to', 'as a result') tied to evidence turns "
                          "narrative into analysis, which the analysis strand rewards.",
    [HM_KIND_CONCLUSION] = "A conclusion that answers the question, judges and weighs the factors is what the "
                           "judgement and organisation strands look for.",
    [HM_KIND_STRUCTURE] = "Structure (signposts, topic sentences, paragraph and sentence length) feeds the "
                          "organisation strand.",
    [HM_KIND_WEBSITE] = "Text that looks copied from an essay website is kept out of the mark.",
};

/* Markdown would read the essay's own asterisks and underscores. */
static void put_md(hm_buf *b, const char *s, size_t n, bool markdown)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (markdown && strchr("\\`*_{}[]<>()#+-.!|~", c))
            hm_buf_putc(b, '\\');
        hm_buf_putc(b, c == '\n' || c == '\r' ? ' ' : c);
    }
}

static void put_mark(hm_buf *b, const hm_result *r, bool md)
{
    const char *bold = md ? "**" : "";
    if (hm_result_level(r) > 0)
        hm_buf_printf(b, "%shistmark: %d/%d, Level %d (%s marks)%s", bold, hm_result_mark(r), hm_result_out_of(r),
                      hm_result_level(r), hm_result_band(r), bold);
    else
        hm_buf_printf(b, "%shistmark: 0/%d (nothing that can be rewarded yet)%s", bold, hm_result_out_of(r), bold);
    hm_buf_puts(b, "\n\n");
    for (size_t i = 0; i < hm_result_strand_count(r); i++) {
        const hm_strand *st = hm_result_strand(r, i);
        hm_buf_printf(b, "%s%s: Level %d", i ? (md ? " · " : "; ") : "", st->name, st->level);
    }
    hm_buf_printf(b, "\n\n%u words in %u paragraph%s", hm_result_words(r), hm_result_essay_paragraphs(r),
                  hm_result_essay_paragraphs(r) == 1 ? "" : "s");
    if (hm_result_topic_name(r))
        hm_buf_printf(b, "; topic: %s", hm_result_topic_name(r));
    hm_buf_puts(b, "\n");
}

static void put_finding(hm_buf *b, const hm_result *r, const hm_finding *f, bool md)
{
    size_t len;
    const char *text = hm_result_text(r, &len);
    hm_buf_printf(b, "%s", md ? "**" : "");
    put_md(b, f->message, strlen(f->message), md);
    hm_buf_printf(b, "%s (%s, rule %s%s%s): \"", md ? "**" : "", hm_kind_name(f->kind), md ? "`" : "", f->rule,
                  md ? "`" : "");
    put_md(b, text + f->start, f->end - f->start, md);
    hm_buf_puts(b, "\"\n\n");
    if (f->suggestion) {
        hm_buf_puts(b, "Did you mean ");
        put_md(b, f->suggestion, strlen(f->suggestion), md);
        hm_buf_puts(b, "? A misspelt key name undermines accurate knowledge; the quick fix corrects it.\n\n");
    } else if (f->canonical) {
        hm_buf_puts(b, "The topic's name for it: ");
        put_md(b, f->canonical, strlen(f->canonical), md);
        hm_buf_puts(b, ".\n\n");
    }
    hm_buf_printf(b, "%s\n", kind_why[f->kind]);
}

/* ------------------------------------------------------------------ */
/* Methods.                                                            */

static const char *get_str(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static const char *param_uri(json_t *params)
{
    return get_str(json_object_get(params, "textDocument"), "uri");
}

static bool has_string(json_t *array, const char *s)
{
    size_t i;
    json_t *e;
    json_array_foreach(array, i, e) {
        if (json_is_string(e) && strcmp(json_string_value(e), s) == 0)
            return true;
    }
    return false;
}

static void m_initialize(server *s, json_t *id, json_t *params)
{
    json_t *caps = json_object_get(params, "capabilities");
    json_t *encodings = json_object_get(json_object_get(caps, "general"), "positionEncodings");
    s->enc = has_string(encodings, "utf-8") ? HM_LSP_UTF8 : HM_LSP_UTF16;
    json_t *formats = json_object_get(json_object_get(json_object_get(caps, "textDocument"), "hover"), "contentFormat");
    s->markdown = has_string(formats, "markdown");

    const char *root = get_str(params, "rootUri");
    json_t *folders = json_object_get(params, "workspaceFolders");
    if (!root && json_array_size(folders))
        root = get_str(json_array_get(folders, 0), "uri");
    s->root = root ? uri_to_path(root) : NULL;
    if (!s->root && get_str(params, "rootPath"))
        s->root = hm_xstrdup(get_str(params, "rootPath"));

    merge_settings(s, json_object_get(params, "initializationOptions"));
    apply_config(s);
    s->initialized = true;

    json_t *caps_out = json_pack(
        "{s:s,s:{s:b,s:i,s:{s:b}},s:b,s:{s:[s]},s:{s:b}}", "positionEncoding",
        s->enc == HM_LSP_UTF8 ? "utf-8" : "utf-16", "textDocumentSync", "openClose", 1, "change", 1, "save",
        "includeText", 0, "hoverProvider", 1, "codeActionProvider", "codeActionKinds", "quickfix",
        "codeLensProvider", "resolveProvider", 0);
    reply(s, id, json_pack("{s:o,s:{s:s,s:s}}", "capabilities", caps_out, "serverInfo", "name", "histmark",
                           "version", HM_VERSION_STRING));
}

static void m_initialized(server *s, json_t *id, json_t *params) { (void)s, (void)id, (void)params; }

static void m_shutdown(server *s, json_t *id, json_t *params)
{
    (void)params;
    s->shutdown = true;
    reply(s, id, json_null());
}

static void m_exit(server *s, json_t *id, json_t *params)
{
    (void)id, (void)params;
    s->exit_code = s->shutdown ? 0 : 1;
}

/* The text of a document, which JSON may carry with NULs (then refused by
 * the analysis as not text). */
static bool get_text(json_t *o, const char *key, const char **text, size_t *len)
{
    json_t *t = json_object_get(o, key);
    if (!json_is_string(t))
        return false;
    *text = json_string_value(t);
    *len = json_string_length(t);
    return true;
}

static void m_did_open(server *s, json_t *id, json_t *params)
{
    (void)id;
    json_t *td = json_object_get(params, "textDocument");
    const char *uri = get_str(td, "uri"), *text;
    size_t len;
    if (!uri || !get_text(td, "text", &text, &len)) {
        log_msg(s, MSG_WARNING, "textDocument/didOpen without a uri and text: ignored");
        return;
    }
    doc *d = find_doc(s, uri);
    if (d) {
        free(d->text), free(d->language);
    } else {
        HM_GROW(s->docs, s->n_docs, s->cap_docs);
        d = &s->docs[s->n_docs++];
        memset(d, 0, sizeof *d);
        d->uri = hm_xstrdup(uri);
        d->name = uri_to_path(uri);
        if (!d->name)
            d->name = hm_xstrdup(uri);
    }
    d->text = hm_xmalloc(len + 1);
    memcpy(d->text, text, len);
    d->text[len] = '\0';
    d->len = len;
    const char *lang = get_str(td, "languageId");
    d->language = lang ? hm_xstrdup(lang) : NULL;
    json_t *v = json_object_get(td, "version");
    d->has_version = json_is_integer(v);
    d->version = json_integer_value(v);
    doc_publish(s, d);
}

/* A change with a range (incremental sync, which this server does not ask
 * for, but a client might send) is applied; one without replaces all. */
static void apply_change(server *s, doc *d, json_t *change)
{
    const char *text;
    size_t len;
    if (!get_text(change, "text", &text, &len))
        return;
    json_t *range = json_object_get(change, "range");
    size_t a = 0, b = d->len;
    if (json_is_object(range)) {
        textmap m;
        map_build(&m, d->text, d->len);
        json_t *st = json_object_get(range, "start"), *en = json_object_get(range, "end");
        a = offset_of(&m, json_integer_value(json_object_get(st, "line")),
                      json_integer_value(json_object_get(st, "character")), s->enc);
        b = offset_of(&m, json_integer_value(json_object_get(en, "line")),
                      json_integer_value(json_object_get(en, "character")), s->enc);
        map_free(&m);
        if (b < a)
            b = a;
    }
    char *t = hm_xmalloc(d->len - (b - a) + len + 1);
    memcpy(t, d->text, a);
    memcpy(t + a, text, len);
    memcpy(t + a + len, d->text + b, d->len - b);
    d->len = d->len - (b - a) + len;
    t[d->len] = '\0';
    free(d->text);
    d->text = t;
}

static void m_did_change(server *s, json_t *id, json_t *params)
{
    (void)id;
    const char *uri = param_uri(params);
    doc *d = uri ? find_doc(s, uri) : NULL;
    if (!d) {
        log_msg(s, MSG_WARNING, "textDocument/didChange for a document that is not open: ignored");
        return;
    }
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(params, "contentChanges"), i, c) apply_change(s, d, c);
    json_t *v = json_object_get(json_object_get(params, "textDocument"), "version");
    if (json_is_integer(v)) {
        d->has_version = true;
        d->version = json_integer_value(v);
    }
    doc_publish(s, d);
}

static void m_did_save(server *s, json_t *id, json_t *params)
{
    (void)id;
    const char *uri = param_uri(params);
    doc *d = uri ? find_doc(s, uri) : NULL;
    if (!d)
        return;
    json_t *change = json_object_get(params, "text");
    if (json_is_string(change)) {
        json_t *full = json_pack("{s:O}", "text", change);
        apply_change(s, d, full);
        json_decref(full);
    }
    doc_publish(s, d);
}

static void m_did_close(server *s, json_t *id, json_t *params)
{
    (void)id;
    const char *uri = param_uri(params);
    doc *d = uri ? find_doc(s, uri) : NULL;
    if (!d)
        return;
    notify(s, "textDocument/publishDiagnostics", json_pack("{s:s,s:[]}", "uri", d->uri, "diagnostics"));
    doc_free(d);
    *d = s->docs[--s->n_docs];
}

static void m_did_change_configuration(server *s, json_t *id, json_t *params)
{
    (void)id;
    merge_settings(s, json_object_get(params, "settings"));
    apply_config(s);
    for (size_t i = 0; i < s->n_docs; i++)
        doc_publish(s, &s->docs[i]);
}

/* The analysed document a request is about, in *d (NULL when it is not
 * open or not analysed). False when the request was answered with an error
 * already. */
static bool request_doc(server *s, json_t *id, json_t *params, doc **d)
{
    const char *uri = param_uri(params);
    *d = NULL;
    if (!uri) {
        reply_error(s, id, RPC_INVALID_PARAMS, "Invalid params: params.textDocument.uri is missing");
        return false;
    }
    *d = find_doc(s, uri);
    if (*d && !(*d)->res)
        *d = NULL;
    return true;
}

static size_t result_offset(const doc *d, json_t *pos, hm_lsp_encoding enc)
{
    size_t off = offset_of(&d->at.map, json_integer_value(json_object_get(pos, "line")),
                           json_integer_value(json_object_get(pos, "character")), enc);
    return off > d->at.shift ? off - d->at.shift : 0;
}

static void m_hover(server *s, json_t *id, json_t *params)
{
    doc *d;
    if (!request_doc(s, id, params, &d))
        return;
    if (!d) {
        reply(s, id, json_null());
        return;
    }
    json_t *pos = json_object_get(params, "position");
    size_t off = result_offset(d, pos, s->enc);
    hm_buf b = {0};
    json_t *range = NULL;
    for (size_t i = 0; i < hm_result_finding_count(d->res); i++) {
        const hm_finding *f = hm_result_finding(d->res, i);
        if (f->start <= off && off < f->end) {
            if (b.len)
                hm_buf_puts(&b, s->markdown ? "\n---\n\n" : "\n");
            put_finding(&b, d->res, f, s->markdown);
            if (!range)
                range = span_range(&d->at, f->start, f->end, s->enc);
        }
    }
    /* The first line (the question, usually) also shows the mark. */
    if (json_integer_value(json_object_get(pos, "line")) <= 0) {
        if (b.len)
            hm_buf_puts(&b, s->markdown ? "\n---\n\n" : "\n");
        put_mark(&b, d->res, s->markdown);
    }
    if (!b.len) {
        reply(s, id, json_null());
        return;
    }
    json_t *result = json_pack("{s:{s:s,s:s}}", "contents", "kind", s->markdown ? "markdown" : "plaintext", "value",
                               b.data);
    if (range)
        json_object_set_new(result, "range", range);
    hm_buf_free(&b);
    reply(s, id, result);
}

static void m_code_lens(server *s, json_t *id, json_t *params)
{
    doc *d;
    if (!request_doc(s, id, params, &d))
        return;
    if (!d) {
        reply(s, id, json_array());
        return;
    }
    char title[200];
    const hm_result *r = d->res;
    if (hm_result_level(r) > 0)
        snprintf(title, sizeof title, "histmark: %d/%d, Level %d (%s marks)", hm_result_mark(r), hm_result_out_of(r),
                 hm_result_level(r), hm_result_band(r));
    else
        snprintf(title, sizeof title, "histmark: 0/%d", hm_result_out_of(r));
    /* A command with no id is shown as a label, not a link. */
    reply(s, id, json_pack("[{s:{s:{s:i,s:i},s:{s:i,s:i}},s:{s:s,s:s}}]", "range", "start", "line", 0, "character", 0,
                           "end", "line", 0, "character", 0, "command", "title", title, "command", ""));
}

static bool wants_quickfix(json_t *context)
{
    json_t *only = json_object_get(context, "only");
    if (!json_is_array(only))
        return true;
    size_t i;
    json_t *e;
    json_array_foreach(only, i, e) {
        const char *k = json_string_value(e);
        if (k && (strcmp(k, "quickfix") == 0 || k[0] == '\0'))
            return true;
    }
    return false;
}

static void m_code_action(server *s, json_t *id, json_t *params)
{
    doc *d;
    if (!request_doc(s, id, params, &d))
        return;
    json_t *actions = json_array();
    if (!d || !wants_quickfix(json_object_get(params, "context"))) {
        reply(s, id, actions);
        return;
    }
    json_t *range = json_object_get(params, "range");
    size_t a = result_offset(d, json_object_get(range, "start"), s->enc);
    size_t b = result_offset(d, json_object_get(range, "end"), s->enc);
    if (b < a) {
        size_t t = a;
        a = b, b = t;
    }
    size_t len;
    const char *text = hm_result_text(d->res, &len);
    for (size_t i = 0; i < hm_result_finding_count(d->res); i++) {
        const hm_finding *f = hm_result_finding(d->res, i);
        /* Touching counts: a cursor just after the word still offers it. */
        if (!f->suggestion || f->start > b || f->end < a)
            continue;
        hm_buf title = {0};
        hm_buf_puts(&title, "Replace '");
        hm_buf_put(&title, text + f->start, f->end - f->start);
        hm_buf_printf(&title, "' with '%s'", f->suggestion);
        json_t *edit = json_pack("{s:o,s:s}", "range", span_range(&d->at, f->start, f->end, s->enc), "newText",
                                 f->suggestion);
        json_t *changes = json_object();
        json_object_set_new(changes, d->uri, json_pack("[o]", edit));
        json_array_append_new(actions,
                              json_pack("{s:s,s:s,s:b,s:[o],s:{s:o}}", "title", title.data, "kind", "quickfix",
                                        "isPreferred", 1, "diagnostics", finding_diagnostic(&d->at, f, s->enc),
                                        "edit", "changes", changes));
        hm_buf_free(&title);
    }
    reply(s, id, actions);
}

typedef void (*method_fn)(server *s, json_t *id, json_t *params);
static const struct {
    const char *name;
    method_fn fn;
    bool request;
} methods[] = {
    {"initialize", m_initialize, true},
    {"initialized", m_initialized, false},
    {"shutdown", m_shutdown, true},
    {"exit", m_exit, false},
    {"textDocument/didOpen", m_did_open, false},
    {"textDocument/didChange", m_did_change, false},
    {"textDocument/didSave", m_did_save, false},
    {"textDocument/didClose", m_did_close, false},
    {"workspace/didChangeConfiguration", m_did_change_configuration, false},
    {"textDocument/hover", m_hover, true},
    {"textDocument/codeLens", m_code_lens, true},
    {"textDocument/codeAction", m_code_action, true},
};

/* One parsed message: checks it is a request or notification, then
 * dispatches by method and by the server's state. */
static void dispatch(server *s, json_t *msg)
{
    if (!json_is_object(msg)) {
        reply_error(s, NULL, RPC_INVALID_REQUEST, "Invalid Request: a message must be a JSON object");
        return;
    }
    json_t *id = json_object_get(msg, "id");
    bool good_id = !id || json_is_string(id) || json_is_integer(id) || json_is_null(id);
    json_t *reply_id = good_id ? id : NULL;
    json_t *method = json_object_get(msg, "method");
    const char *version = get_str(msg, "jsonrpc");
    if (!method && id && (json_object_get(msg, "result") || json_object_get(msg, "error")))
        return; /* a response: this server sends no requests, so nothing waits for it */
    if (!version || strcmp(version, "2.0") != 0 || !json_is_string(method) || !good_id) {
        reply_error(s, reply_id, RPC_INVALID_REQUEST, "Invalid Request: %s",
                    !version || strcmp(version, "2.0") != 0 ? "\"jsonrpc\" must be \"2.0\""
                    : !json_is_string(method)              ? "\"method\" must be a string"
                                                           : "\"id\" must be a number or a string");
        return;
    }
    const char *name = json_string_value(method);
    json_t *params = json_object_get(msg, "params");
    if (json_is_null(params))
        params = NULL; /* "params": null, as some clients send for shutdown */
    if (params && !json_is_object(params) && !json_is_array(params)) {
        if (id)
            reply_error(s, id, RPC_INVALID_PARAMS, "Invalid params: \"params\" must be an object or an array");
        return;
    }
    if (strcmp(name, "exit") == 0) {
        m_exit(s, id, params);
        return;
    }
    if (!s->initialized && strcmp(name, "initialize") != 0) {
        if (id)
            reply_error(s, id, RPC_SERVER_NOT_INITIALIZED, "Server not initialized: send initialize first");
        return; /* notifications before initialize are dropped */
    }
    if (s->shutdown) {
        if (id)
            reply_error(s, id, RPC_INVALID_REQUEST, "Invalid Request: the server is shutting down");
        return;
    }
    for (size_t i = 0; i < sizeof methods / sizeof *methods; i++) {
        if (strcmp(methods[i].name, name) != 0)
            continue;
        if (methods[i].request && !id)
            return; /* a request sent as a notification: nobody to answer */
        if (!methods[i].request && id) {
            reply_error(s, id, RPC_INVALID_REQUEST, "Invalid Request: %s is a notification (send it without an id)",
                        name);
            return;
        }
        if (strcmp(name, "initialize") == 0 && s->initialized) {
            reply_error(s, id, RPC_INVALID_REQUEST, "Invalid Request: initialize was already sent");
            return;
        }
        methods[i].fn(s, id, params);
        return;
    }
    if (id)
        reply_error(s, id, RPC_METHOD_NOT_FOUND, "Method not found: %s", name);
    /* unknown notifications ($/cancelRequest, $/setTrace, ...) are ignored */
}

static void handle_body(server *s, size_t off, size_t len)
{
    json_error_t je;
    json_t *msg = json_loadb(s->in.buf + off, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
    if (!msg) {
        /* A frame shorter than its Content-Length swallows the start of the
         * next one; give that one back so it is still served. */
        const char *h = find_header(s->in.buf + off, len);
        if (h) {
            s->in.start = (size_t)(h - s->in.buf);
            log_msg(s, MSG_ERROR, "a message shorter than its Content-Length ran into the next one");
        }
        reply_error(s, NULL, RPC_PARSE_ERROR, "Parse error: %s (line %d, column %d)", je.text, je.line, je.column);
        return;
    }
    dispatch(s, msg);
    json_decref(msg);
}

static int usage(FILE *f, int status)
{
    fputs("Usage: histmark lsp [--stdio]\n"
          "Runs histmark as a language server (LSP 3.17) on standard input and output,\n"
          "for editors: diagnostics on every change, hover, a code lens with the mark,\n"
          "and quick fixes for misspelt names. See editors/README.md.\n",
          f);
    return status;
}

int hm_lsp_main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--stdio") == 0)
            continue; /* what vscode-languageclient passes */
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return usage(stdout, HM_EXIT_OK);
        fprintf(stderr, "histmark lsp: unknown option '%s'\n", argv[i]);
        return usage(stderr, HM_EXIT_CONFIG);
    }
    /* A client that goes away must not kill us mid-write with SIGPIPE;
     * the write fails and the server stops instead. */
    signal(SIGPIPE, SIG_IGN);

    server s = {0};
    s.in.fd = STDIN_FILENO;
    s.in.cap = 65536; /* allocated up front: the scans never see a NULL buffer */
    s.in.buf = hm_xmalloc(s.in.cap);
    s.out_fd = STDOUT_FILENO;
    s.exit_code = -1;
    s.timeout_ms = FRAME_TIMEOUT_MS;
    const char *t = getenv("HISTMARK_LSP_FRAME_TIMEOUT");
    if (t && atoi(t) > 0)
        s.timeout_ms = atoi(t);
    settings_defaults(&s.set);

    while (s.exit_code < 0 && !s.out_broken) {
        size_t off, len;
        int k = read_frame(&s, &off, &len);
        if (k == FRAME_EOF)
            break;
        if (k == FRAME_OK)
            handle_body(&s, off, len);
    }

    for (size_t i = 0; i < s.n_docs; i++)
        doc_free(&s.docs[i]);
    free(s.docs);
    hm_config_free(s.cfg);
    free(s.cfg_key);
    free(s.root);
    settings_free(&s.set);
    free(s.in.buf);
    /* Exit code 0 only after shutdown then exit, as LSP asks. */
    return s.exit_code == 0 ? 0 : 1;
}
