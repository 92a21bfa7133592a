/* JSON report: one object per essay on one line, written directly (see
 * hm_render_json) in the form jansson's compact dump gives. The class
 * summary's line (summary.c) is built with jansson and written by
 * hm_json_write_line. */
#include <jansson.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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

/* A string the report has written before: the rule's id and message, the
 * kind, the tag and the name are the configuration's strings, one pointer
 * each, written for finding after finding. */
typedef struct written_string {
    const char *s;
    uint32_t at, len; /* its JSON text (quoted, escaped) in the report */
} written_string;

#define WRITTEN_BITS 8 /* 256 slots */
#define WRITTEN_SLOTS (1u << WRITTEN_BITS)

/* A slot in a table of 2^bits for a key: the top bits of its product with
 * 2^64 / phi. */
static inline size_t slot_of(uintptr_t key, unsigned bits)
{
    return (size_t)(((uint64_t)key * 0x9E3779B97F4A7C15ull) >> (64 - bits));
}

/* A finding's members before its text and after its numbers are the
 * configuration's strings, in the same few combinations finding after
 * finding: the head (the brace, rule and kind) by rule and kind, the tail
 * (message, tag, suggestion, name and the closing brace) by those four.
 * Each is written once a report and copied from where it was written after. */
typedef struct finding_head {
    const char *rule;
    hm_kind kind;
    bool first;       /* rule and kind both left out: the text's key has no comma */
    uint32_t at, len; /* its JSON text in the report */
} finding_head;

typedef struct finding_tail {
    const char *message, *tag, *suggestion, *canonical;
    uint32_t at, len;
} finding_tail;

#define FINDING_BITS 8 /* 256 slots */
#define FINDING_SLOTS (1u << FINDING_BITS)

/* Which slots of a table hold an entry of this report: the tables
 * themselves (20 KB) are not cleared for every report, only these bits. */
typedef struct slots_filled {
    uint64_t written[WRITTEN_SLOTS / 64], heads[FINDING_SLOTS / 64], tails[FINDING_SLOTS / 64];
} slots_filled;

static inline bool slot_filled(const uint64_t *bits, size_t i)
{
    return bits[i / 64] >> (i % 64) & 1;
}

static inline void slot_fill(uint64_t *bits, size_t i)
{
    bits[i / 64] |= 1ull << (i % 64);
}

typedef struct jw {
    char *data;       /* the report so far (the hm_buf's, held here while */
    size_t len, cap;  /* it is written: one load less an access) */
    bool first;       /* no member or element yet in the innermost object or array */
    slots_filled filled;
    written_string written[WRITTEN_SLOTS]; /* by the string's address */
    finding_head heads[FINDING_SLOTS];     /* by rule and kind */
    finding_tail tails[FINDING_SLOTS];     /* by their four strings */
} jw;

/* The writers below are small and called with literal keys: inlined, the
 * key's copy is a few stores of known length. */
#define JW_INLINE static inline __attribute__((always_inline))

static void jw_grow(jw *w, size_t n)
{
    size_t cap = w->cap ? w->cap : 16384;
    while (cap < w->len + n)
        cap *= 2;
    w->data = hm_xrealloc(w->data, cap);
    w->cap = cap;
}

/* Room for n more bytes at the end of the report: where they go. The
 * writers below reserve what they may need and then store directly, rather
 * than call out for every piece. */
JW_INLINE char *jw_room(jw *w, size_t n)
{
    if (w->len + n > w->cap)
        jw_grow(w, n);
    return w->data + w->len;
}

JW_INLINE void jw_end(jw *w, const char *out)
{
    w->len = (size_t)(out - w->data);
}

JW_INLINE void jw_put(jw *w, const char *s, size_t n)
{
    memcpy(jw_room(w, n), s, n);
    w->len += n;
}

/* The n bytes the report has at `at` written again at its end. */
JW_INLINE void jw_again(jw *w, uint32_t at, uint32_t n)
{
    char *out = jw_room(w, n);
    memcpy(out, w->data + at, n);
    jw_end(w, out + n);
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

/* A byte copied as it is when no UTF-8 check is due: printable ASCII other
 * than '"' and '\\'. */
static inline bool plain_byte(unsigned char c)
{
    return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

#if !defined(__SSE2__)
/* Whether the 8 bytes at p are all plain: the usual bit tricks flag a byte
 * below 0x20 ((x - 0x20) & ~x), a byte equal to '"' or '\\' (the same below
 * 1 after an XOR) and a byte from 0x80 (x itself) in its top bit. A borrow
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
#endif

/* How many of the 16 bytes at p (all inside the string) are plain before
 * the first that is not: 16 when all are. Only a count that is not 16 may
 * be short of the truth (the byte loop goes on from it). */
static inline size_t plain_prefix16(const unsigned char *p)
{
#if defined(__SSE2__)
    __m128i v = _mm_loadu_si128((const __m128i *)p);
    /* signed: bytes from 0x80 are below 0x20 too */
    __m128i flagged = _mm_or_si128(_mm_cmplt_epi8(v, _mm_set1_epi8(0x20)),
                                   _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
                                                _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))));
    unsigned mask = (unsigned)_mm_movemask_epi8(flagged);
    return mask ? (size_t)__builtin_ctz(mask) : 16;
#else
    return plain_ascii8(p) ? plain_ascii8(p + 8) ? 16 : 8 : 0;
#endif
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

/* How many of the `left` bytes at p (fewer than 16) are plain before the
 * first that is not, as plain_prefix16 counts: they are checked in a
 * zeroed block of 16 (a zero is not plain), which is stored whole at out. */
static size_t plain_prefix_short(const unsigned char *p, size_t left, char *out)
{
    unsigned char block[16] = {0};
    memcpy(block, p, left);
    memcpy(out, block, sizeof block);
    return plain_prefix16(block);
}

#define STRING_ROOM(len) (6 * (len) + 2 + 16) /* at most \u00XX a byte, quotes, a block's store */

/* s as a JSON string, checking that it is UTF-8 on the way: plain bytes are
 * copied sixteen at a time, read at s while sixteen may be (`readable`, from
 * len up: a finding's text lies inside the essay's, so its last block is
 * whole too, and what it read past len is not counted), the last few from
 * a block of their own; the store is whole, in the STRING_ROOM(len) bytes
 * the caller has at out. What is not plain goes a character at a time.
 * The string's end, or NULL when s is not UTF-8. */
JW_INLINE char *put_string(char *out, const char *s, size_t len, size_t readable)
{
    const unsigned char *u = (const unsigned char *)s;
    *out++ = '"';
    for (size_t i = 0; i < len;) {
        size_t n;
        if (readable - i >= 16) {
            n = plain_prefix16(u + i);
            memcpy(out, u + i, 16);
        } else {
            n = plain_prefix_short(u + i, len - i, out);
        }
        if (n >= len - i) {
            out += len - i;
            break;
        }
        out += n;
        i += n;
        if (n == 16)
            continue;
        /* the portable count may stop short of the byte that is not plain,
         * or of the string's end (when what it read past len was not) */
        for (; i < len && plain_byte(u[i]); i++)
            *out++ = (char)u[i];
        if (i == len)
            break;
        unsigned char c = u[i];
        if (c >= 0x80) {
            size_t k = utf8_len(u + i, len - i);
            if (!k)
                return NULL;
            memcpy(out, u + i, k);
            out += k;
            i += k;
        } else {
            out = put_escape(out, c);
            i++;
        }
    }
    *out++ = '"';
    return out;
}

/* A member's key as one literal with the comma before it (the keys are
 * this file's own names, which need no escapes): its length is known where
 * it is written, so the copy is a few stores. */
#define KEY(name) ",\"" name "\":"

/* The comma before a member and its key `lit` (a KEY(), n its length), or
 * before an element (lit ELEMENT); no comma in first place. */
#define ELEMENT ","

/* The key `lit` at out, without its comma when it is the first; its end. */
JW_INLINE char *put_key(char *out, const char *lit, size_t n, bool first)
{
    out[0] = ',';
    memcpy(out + !first, lit + 1, n - 1);
    return out + n - first;
}

JW_INLINE void jw_key(jw *w, const char *lit, size_t n)
{
    char *out = put_key(jw_room(w, n), lit, n, w->first);
    w->first = false;
    jw_end(w, out);
}

#define JW_KEY(w, name) jw_key(w, KEY(name), sizeof KEY(name) - 1)

JW_INLINE void jw_open_at(jw *w, const char *lit, size_t n, char bracket)
{
    char *out = put_key(jw_room(w, n + 1), lit, n, w->first);
    *out++ = bracket;
    w->first = true;
    jw_end(w, out);
}

#define JW_OPEN(w, name, bracket) jw_open_at(w, KEY(name), sizeof KEY(name) - 1, bracket)
#define JW_OPEN_ELEMENT(w) jw_open_at(w, ELEMENT, 1, '{')

JW_INLINE void jw_close(jw *w, char bracket)
{
    jw_put(w, &bracket, 1);
    w->first = false;
}

static const char digit_pairs[] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
                                  "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
                                  "8081828384858687888990919293949596979899";

/* v < 10000 in decimal at out, no leading zeros; its end. */
JW_INLINE char *put_below_10000(char *out, unsigned v)
{
    if (v < 100) {
        if (v < 10) {
            *out = (char)('0' + v);
            return out + 1;
        }
        memcpy(out, digit_pairs + 2 * v, 2);
        return out + 2;
    }
    unsigned hi = v / 100, lo = v % 100;
    if (hi < 10) {
        *out++ = (char)('0' + hi);
    } else {
        memcpy(out, digit_pairs + 2 * hi, 2);
        out += 2;
    }
    memcpy(out, digit_pairs + 2 * lo, 2);
    return out + 2;
}

/* u in decimal at out; its end. Most numbers in a report (lines, columns,
 * offsets in an essay) have eight digits or fewer: four digits at a time,
 * two by a table load. */
JW_INLINE char *put_uint(char *out, unsigned long long u)
{
    if (u < 10000)
        return put_below_10000(out, (unsigned)u);
    if (u < 100000000) {
        unsigned v = (unsigned)u, lo = v % 10000;
        out = put_below_10000(out, v / 10000);
        memcpy(out, digit_pairs + 2 * (lo / 100), 2);
        memcpy(out + 2, digit_pairs + 2 * (lo % 100), 2);
        return out + 4;
    }
    char digits[20];
    size_t n = 0;
    do {
        digits[sizeof digits - 1 - n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    memcpy(out, digits + sizeof digits - n, n);
    return out + n;
}

/* A number member at out (its key without the comma when first); its end. */
JW_INLINE char *put_uint_member(char *out, const char *lit, size_t n, bool first, unsigned long long v)
{
    return put_uint(put_key(out, lit, n, first), v);
}
#define PUT_UINT_MEMBER(out, name, first, v) put_uint_member(out, KEY(name), sizeof KEY(name) - 1, first, v)

/* Room for the numbers of a note or a finding (five at most) and a brace. */
#define NUMBERS_ROOM (5 * (sizeof KEY("paragraph") + 20) + 1)

JW_INLINE void jw_int_at(jw *w, const char *lit, size_t n, long long v)
{
    jw_key(w, lit, n);
    char *out = jw_room(w, 24);
    if (v < 0)
        *out++ = '-';
    jw_end(w, put_uint(out, v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v));
}
#define JW_INT(w, name, v) jw_int_at(w, KEY(name), sizeof KEY(name) - 1, v)

/* A NUL-terminated string as a value: one written before in this report is
 * copied from where it was written, not measured and escaped again. False,
 * with nothing written, when s is not UTF-8. */
static bool jw_string_value(jw *w, const char *s)
{
    size_t slot = slot_of((uintptr_t)s, WRITTEN_BITS);
    written_string *seen = &w->written[slot];
    if (slot_filled(w->filled.written, slot) && seen->s == s) {
        jw_again(w, seen->at, seen->len);
        return true;
    }
    size_t at = w->len, len = strlen(s);
    char *end = put_string(jw_room(w, STRING_ROOM(len)), s, len, len);
    if (!end)
        return false;
    jw_end(w, end);
    if (w->len <= UINT32_MAX) {
        *seen = (written_string){s, (uint32_t)at, (uint32_t)(w->len - at)};
        slot_fill(w->filled.written, slot);
    }
    return true;
}

/* A NUL-terminated string member, left out when s is NULL or not UTF-8: the
 * key inline (a literal of known length), the value out of line. */
JW_INLINE void jw_str_at(jw *w, const char *lit, size_t n, const char *s)
{
    if (!s)
        return;
    size_t before = w->len;
    bool first = w->first;
    jw_key(w, lit, n);
    if (!jw_string_value(w, s)) {
        w->len = before;
        w->first = first;
    }
}

#define JW_STR(w, name, s) jw_str_at(w, KEY(name), sizeof KEY(name) - 1, s)

/* str_or_null: null for NULL (an invalid string is still left out). */
#define JW_STR_OR_NULL(w, name, s)                                                                                     \
    do {                                                                                                               \
        const char *s_ = (s);                                                                                          \
        if (s_) {                                                                                                      \
            JW_STR(w, name, s_);                                                                                       \
        } else {                                                                                                       \
            JW_KEY(w, name);                                                                                           \
            jw_put(w, "null", 4);                                                                                      \
        }                                                                                                              \
    } while (0)

static void jw_note(jw *w, const hm_note *n)
{
    JW_OPEN_ELEMENT(w);
    JW_STR(w, "text", n->text);
    if (n->strand)
        JW_STR(w, "strand", n->strand);
    char *out = jw_room(w, NUMBERS_ROOM);
    bool first = w->first;
    if (n->paragraph) {
        out = PUT_UINT_MEMBER(out, "paragraph", first, n->paragraph);
        first = false;
    }
    if (n->end > n->start) {
        out = PUT_UINT_MEMBER(out, "start", first, n->start);
        out = PUT_UINT_MEMBER(out, "end", false, n->end);
        out = PUT_UINT_MEMBER(out, "line", false, n->line);
        out = PUT_UINT_MEMBER(out, "column", false, n->column);
    }
    *out++ = '}';
    w->first = false;
    jw_end(w, out);
}

#define JW_NOTES(w, name, notes, n)                                                                                    \
    do {                                                                                                               \
        JW_OPEN(w, name, '[');                                                                                         \
        for (size_t k_ = 0; k_ < (n); k_++)                                                                            \
            jw_note(w, &(notes)[k_]);                                                                                  \
        jw_close(w, ']');                                                                                              \
    } while (0)

/* A finding's head, written or copied; after it, w->first as the head left it. */
static void jw_finding_head(jw *w, const hm_finding *f)
{
    size_t slot = slot_of((uintptr_t)f->rule + (uintptr_t)f->kind, FINDING_BITS);
    finding_head *head = &w->heads[slot];
    if (slot_filled(w->filled.heads, slot) && head->rule == f->rule && head->kind == f->kind) {
        jw_again(w, head->at, head->len);
        w->first = head->first;
        return;
    }
    size_t at = w->len;
    jw_put(w, "{", 1);
    w->first = true;
    JW_STR(w, "rule", f->rule);
    JW_STR(w, "kind", hm_kind_name(f->kind));
    if (w->len <= UINT32_MAX) {
        *head = (finding_head){f->rule, f->kind, w->first, (uint32_t)at, (uint32_t)(w->len - at)};
        slot_fill(w->filled.heads, slot);
    }
}

/* A finding's tail, written or copied: its members follow the numbers, so
 * each key has its comma. */
static void jw_finding_tail(jw *w, const hm_finding *f)
{
    uintptr_t mix = (uintptr_t)f->message + 3 * (uintptr_t)f->tag + 5 * (uintptr_t)f->suggestion +
                    7 * (uintptr_t)f->canonical;
    size_t slot = slot_of(mix, FINDING_BITS);
    finding_tail *tail = &w->tails[slot];
    if (slot_filled(w->filled.tails, slot) && tail->message == f->message && tail->tag == f->tag &&
        tail->suggestion == f->suggestion && tail->canonical == f->canonical) {
        jw_again(w, tail->at, tail->len);
        w->first = false;
        return;
    }
    size_t at = w->len;
    JW_STR(w, "message", f->message);
    if (f->tag)
        JW_STR(w, "tag", f->tag);
    if (f->suggestion)
        JW_STR(w, "suggestion", f->suggestion);
    if (f->canonical)
        JW_STR(w, "name", f->canonical);
    jw_close(w, '}');
    if (w->len <= UINT32_MAX) {
        *tail = (finding_tail){f->message, f->tag, f->suggestion, f->canonical, (uint32_t)at,
                               (uint32_t)(w->len - at)};
        slot_fill(w->filled.tails, slot);
    }
}

/* A finding: head, its text (read in blocks up to the essay's end; left
 * out when not UTF-8) and numbers under one reservation, tail. */
static void jw_finding(jw *w, const hm_finding *f, const char *text, size_t text_len)
{
    jw_key(w, ELEMENT, 1);
    jw_finding_head(w, f);
    size_t len = f->end - f->start;
    char *out = jw_room(w, sizeof KEY("text") + STRING_ROOM(len) + NUMBERS_ROOM);
    char *key = out;
    out = put_string(put_key(out, KEY("text"), sizeof KEY("text") - 1, w->first), text + f->start, len,
                     text_len - f->start);
    if (out)
        w->first = false;
    else
        out = key;
    out = PUT_UINT_MEMBER(out, "start", w->first, f->start);
    w->first = false;
    out = PUT_UINT_MEMBER(out, "end", false, f->end);
    out = PUT_UINT_MEMBER(out, "line", false, f->line);
    out = PUT_UINT_MEMBER(out, "column", false, f->column);
    out = PUT_UINT_MEMBER(out, "paragraph", false, f->paragraph);
    jw_end(w, out);
    jw_finding_tail(w, f);
}

void hm_render_json_buf(const hm_result *r, hm_buf *b)
{
    size_t text_len;
    const char *text = hm_result_text(r, &text_len);
    jw w; /* its tables are read only where w.filled says */
    w.data = b->data;
    w.len = b->len;
    w.cap = b->cap;
    w.first = true;
    w.filled = (slots_filled){{0}, {0}, {0}};
    /* Room for the whole report at once: about 200 bytes a finding with
     * the notes' share, so that it is not copied as it grows. */
    jw_room(&w, 8192 + 256 * hm_result_finding_count(r));
    JW_OPEN_ELEMENT(&w);
    JW_STR(&w, "file", hm_result_name(r));
    JW_STR_OR_NULL(&w, "question", hm_result_question(r));
    JW_STR_OR_NULL(&w, "topic", hm_result_topic(r));
    JW_STR(&w, "topic_reason", hm_result_topic_reason(r));
    JW_INT(&w, "words", hm_result_words(r));
    JW_INT(&w, "paragraphs", hm_result_essay_paragraphs(r));
    JW_INT(&w, "mark", hm_result_mark(r));
    JW_INT(&w, "out_of", hm_result_out_of(r));
    JW_INT(&w, "level", hm_result_level(r));
    JW_STR(&w, "band", hm_result_band(r));

    JW_OPEN(&w, "strands", '[');
    for (size_t i = 0; i < hm_result_strand_count(r); i++) {
        const hm_strand *s = hm_result_strand(r, i);
        JW_OPEN_ELEMENT(&w);
        JW_STR(&w, "id", s->id);
        JW_STR(&w, "name", s->name);
        JW_INT(&w, "level", s->level);
        JW_STR(&w, "descriptor", s->descriptor);
        JW_NOTES(&w, "strengths", s->strengths, s->n_strengths);
        JW_NOTES(&w, "gaps", s->gaps, s->n_gaps);
        jw_close(&w, '}');
    }
    jw_close(&w, ']');

    JW_OPEN(&w, "strengths", '[');
    for (size_t i = 0; i < hm_result_strength_count(r); i++)
        jw_note(&w, hm_result_strength(r, i));
    jw_close(&w, ']');
    JW_OPEN(&w, "gaps", '[');
    for (size_t i = 0; i < hm_result_gap_count(r); i++)
        jw_note(&w, hm_result_gap(r, i));
    jw_close(&w, ']');
    JW_OPEN(&w, "warnings", '[');
    for (size_t i = 0; i < hm_result_warning_count(r); i++) {
        const hm_warning *wn = hm_result_warning(r, i);
        JW_OPEN_ELEMENT(&w);
        JW_STR(&w, "code", wn->code);
        JW_STR(&w, "message", wn->message);
        jw_close(&w, '}');
    }
    jw_close(&w, ']');

    JW_OPEN(&w, "findings", '[');
    size_t n_findings = hm_result_finding_count(r);
    for (size_t i = 0; i < n_findings; i++)
        jw_finding(&w, hm_result_finding(r, i), text, text_len);
    jw_close(&w, ']');
    jw_close(&w, '}');
    /* a line, and the NUL an hm_buf keeps after its bytes */
    jw_put(&w, "\n", 2);
    *b = (hm_buf){w.data, w.len - 1, w.cap};
}

int hm_render_json(const hm_result *r, unsigned flags, hm_write_fn write, void *ud)
{
    (void)flags;
    hm_buf b = {0};
    hm_render_json_buf(r, &b);
    int rc = write(b.data, b.len, ud);
    hm_buf_free(&b);
    return rc;
}
