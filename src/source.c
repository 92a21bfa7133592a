/* Decoding. The decision order matters: a BOM is trusted first, then UTF-16
 * is guessed from NUL bytes in alternate positions (Notepad's "Unicode"
 * without a BOM), then UTF-8 is validated, and only invalid UTF-8 falls back
 * to Windows-1252, which is what Word's plain-text export usually produces. */
#include "source.h"

#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* Windows-1252 0x80..0x9F; 0 marks bytes the code page leaves undefined. */
static const uint16_t cp1252_high[32] = {
    0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
    0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178};


#if defined(__SSE2__)
static inline __m128i load16(const void *p)
{
    return _mm_loadu_si128((const __m128i *)p);
}
#endif

/* The length of the valid UTF-8 sequence at s[i] (a byte above 0x7F),
 * or 0 if there is none: no lead byte, a missing continuation byte, an
 * overlong form, a surrogate or a code point past U+10FFFF. */
static size_t utf8_sequence(const unsigned char *s, size_t len, size_t i)
{
    unsigned char c = s[i];
    size_t n;
    uint32_t min;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        min = 0x10000;
    } else {
        return 0;
    }
    if (i + n > len)
        return 0;
    uint32_t cp = c & (0xFF >> (n + 1));
    for (size_t j = 1; j < n; j++) {
        if ((s[i + j] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i + j] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

static void decode_utf16(hm_buf *out, const unsigned char *s, size_t len, bool big_endian)
{
    for (size_t i = 0; i + 1 < len; i += 2) {
        uint32_t u = big_endian ? (uint32_t)(s[i] << 8 | s[i + 1]) : (uint32_t)(s[i + 1] << 8 | s[i]);
        if (u >= 0xD800 && u <= 0xDBFF && i + 3 < len) {
            uint32_t lo = big_endian ? (uint32_t)(s[i + 2] << 8 | s[i + 3])
                                     : (uint32_t)(s[i + 3] << 8 | s[i + 2]);
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
                hm_utf8_put(out, 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00));
                i += 2;
                continue;
            }
        }
        if (u >= 0xD800 && u <= 0xDFFF)
            u = 0xFFFD;
        hm_utf8_put(out, u);
    }
}

/* UTF-16 without a BOM: most ASCII text has a NUL in every other byte. */
static int guess_utf16(const unsigned char *s, size_t len)
{
    if (len < 4 || len % 2)
        return 0;
    size_t n = len < 4096 ? len : 4096, even_nul = 0, odd_nul = 0;
    if (!memchr(s, 0, n))
        return 0; /* no NUL at all: most files, found fast */
    for (size_t i = 0; i + 1 < n; i += 2) {
        even_nul += s[i] == 0;
        odd_nul += s[i + 1] == 0;
    }
    size_t pairs = n / 2;
    if (odd_nul * 10 >= pairs * 7 && even_nul * 10 < pairs)
        return 1; /* little-endian */
    if (even_nul * 10 >= pairs * 7 && odd_nul * 10 < pairs)
        return 2;
    return 0;
}

/* What scan_lines finds: where lines start, where continuation bytes are,
 * how many C0 controls there are besides tab, line and page breaks, and,
 * when asked to check the text is UTF-8, whether it is not. */
typedef struct line_scan {
    size_t *starts, n_starts, cap_starts;
    size_t *conts, n_conts, cap_conts;
    size_t controls;
    bool check_utf8, invalid_utf8;
    size_t checked_to; /* the sequences checked end here: bytes above 0x7F
                          below it are their continuation bytes */
} line_scan;

/* The byte at t[i], one below 0x20 or above 0x7F. */
static inline void note_byte(line_scan *ls, const char *t, size_t len, size_t i)
{
    unsigned char c = (unsigned char)t[i];
    if (c >= 0x80) {
        if (ls->check_utf8 && i >= ls->checked_to) {
            /* a sequence's lead byte: the whole of it checked here */
            size_t n = utf8_sequence((const unsigned char *)t, len, i);
            ls->invalid_utf8 |= n == 0;
            ls->checked_to = i + (n ? n : 1);
        }
        if ((c & 0xC0) == 0x80) {
            HM_GROW(ls->conts, ls->n_conts, ls->cap_conts);
            ls->conts[ls->n_conts++] = i;
        }
        return;
    }
    if (c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v')
        ls->controls++;
    if (c == '\r' && i + 1 < len && t[i + 1] == '\n')
        return; /* CRLF ends at the LF */
    if (c == '\n' || c == '\r') {
        HM_GROW(ls->starts, ls->n_starts, ls->cap_starts);
        ls->starts[ls->n_starts++] = i + 1;
    }
}

/* Counts C0 controls other than tab, line and page breaks, and records
 * where each line starts and where each UTF-8 continuation byte is (for
 * columns, hm_source_cursor_move); with check_utf8, also checks each
 * sequence of bytes above 0x7F is UTF-8 (false if one is not: then what
 * was recorded is freed, and nothing kept). Thirty-two bytes at a time
 * (SSE2) give the bytes below 0x20 or above 0x7F as a mask, or eight bytes
 * with none are skipped (most of the text), the rest a byte at a time:
 * one pass for all of these, not one to check UTF-8 and one for lines. */
static bool scan_lines(hm_source *src, bool check_utf8, size_t *controls)
{
    line_scan ls = {0};
    ls.check_utf8 = check_utf8;
    ls.cap_starts = 64;
    ls.starts = hm_xmalloc(ls.cap_starts * sizeof *ls.starts);
    ls.cap_conts = 64; /* room for most essays' curly quotes and dashes */
    ls.conts = hm_xmalloc(ls.cap_conts * sizeof *ls.conts);
    ls.starts[ls.n_starts++] = 0;
    const char *t = src->text;
    size_t len = src->len, i = 0;
#if defined(__SSE2__)
    for (; i + 32 <= len; i += 32) {
        /* as signed bytes, those above 0x7F are below 0 and so below 0x20;
         * two chunks a test: most have none */
        __m128i low = _mm_cmplt_epi8(load16(t + i), _mm_set1_epi8(0x20));
        __m128i high = _mm_cmplt_epi8(load16(t + i + 16), _mm_set1_epi8(0x20));
        if (!_mm_movemask_epi8(_mm_or_si128(low, high)))
            continue;
        unsigned m = (unsigned)_mm_movemask_epi8(low) | (unsigned)_mm_movemask_epi8(high) << 16;
        for (; m; m &= m - 1)
            note_byte(&ls, t, len, i + (size_t)__builtin_ctz(m));
    }
#endif
    while (i < len) {
        if (i + 8 <= len) {
            uint64_t x = hm_load8(t + i);
            if (((((x - HM_ONES * 0x20) & ~x) | x) & HM_HIGHS) == 0) {
                i += 8;
                continue; /* no byte below 0x20 or above 0x7F */
            }
        }
        size_t end = i + 8 < len ? i + 8 : len;
        for (; i < end; i++)
            if ((unsigned char)t[i] < 0x20 || (unsigned char)t[i] >= 0x80)
                note_byte(&ls, t, len, i);
    }
    if (ls.invalid_utf8) {
        free(ls.starts);
        free(ls.conts);
        return false;
    }
    src->line_starts = ls.starts;
    src->n_lines = ls.n_starts;
    /* SIZE_MAX past the last, not counted: the cursor's walks test no count */
    HM_GROW(ls.conts, ls.n_conts, ls.cap_conts);
    ls.conts[ls.n_conts] = SIZE_MAX;
    src->continuations = ls.conts;
    src->n_continuations = ls.n_conts;
    *controls = ls.controls;
    return true;
}

/* The text out holds, and after it the HM_SOURCE_PAD NULs, as src's. */
static void take_text(hm_source *src, hm_buf *out)
{
    src->len = out->len;
    /* hm_buf_put adds the last NUL */
    static const char pad[HM_SOURCE_PAD - 1];
    hm_buf_put(out, pad, sizeof pad);
    src->text = hm_buf_take(out);
}

/* Windows-1252 bytes as UTF-8. */
static void decode_cp1252(hm_buf *out, const unsigned char *u, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = u[i];
        uint32_t cp = c;
        if (c >= 0x80 && c <= 0x9F)
            cp = cp1252_high[c - 0x80] ? cp1252_high[c - 0x80] : 0xFFFD;
        hm_utf8_put(out, cp);
    }
}

bool hm_source_init(hm_source *src, const char *bytes, size_t len, const char *name,
                    hm_error *err)
{
    memset(src, 0, sizeof *src);
    const unsigned char *u = (const unsigned char *)bytes;
    hm_buf out = {0};
    int utf16 = 0;

    if (len >= 2 && u[0] == 0xFF && u[1] == 0xFE) {
        utf16 = 1;
        u += 2;
        len -= 2;
    } else if (len >= 2 && u[0] == 0xFE && u[1] == 0xFF) {
        utf16 = 2;
        u += 2;
        len -= 2;
    } else if (len >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF) {
        src->encoding = HM_ENC_UTF8_BOM;
        u += 3;
        len -= 3;
    } else if ((utf16 = guess_utf16(u, len)) != 0) {
        src->utf16_guessed = true;
    }

    if (utf16) {
        src->encoding = utf16 == 1 ? HM_ENC_UTF16LE : HM_ENC_UTF16BE;
        decode_utf16(&out, u, len, utf16 == 2);
    } else {
        hm_buf_put(&out, (const char *)u, len); /* UTF-8, checked as lines are found */
    }
    take_text(src, &out);
    size_t controls = 0;
    if (!scan_lines(src, !utf16, &controls)) {
        /* not UTF-8: Word's plain-text export, most likely */
        free(src->text);
        src->encoding = HM_ENC_CP1252;
        decode_cp1252(&out, u, len);
        take_text(src, &out);
        scan_lines(src, false, &controls);
    }
    /* NUL and other C0 controls besides tab, line and page breaks mean this
     * is not a text file (a .docx renamed, an image). */
    if (controls) {
        hm_error_set(err, HM_ERR_INPUT, name, 0, 0, NULL,
                     "not a text file (%zu NUL or control bytes); save the essay as plain text (.txt)",
                     controls);
        free(src->text);
        free(src->line_starts);
        free(src->continuations);
        src->text = NULL;
        src->line_starts = NULL;
        src->continuations = NULL;
        src->len = src->n_lines = src->n_continuations = 0;
        return false;
    }
    return true;
}

void hm_source_free(hm_source *src)
{
    free(src->text);
    free(src->line_starts);
    free(src->continuations);
    memset(src, 0, sizeof *src);
}

/* How many of the n sorted values in a are below x: a binary search
 * without branches (the halving steps depend on n alone, each half taken
 * by a conditional move), as its answers follow the text, not a pattern a
 * branch could learn. The answer lies in [lo, lo + len] throughout. */
static size_t count_below(const size_t *a, size_t n, size_t x)
{
    size_t lo = 0, len = n;
    while (len > 1) {
        size_t half = len / 2;
        lo = a[lo + half - 1] < x ? lo + half : lo;
        len -= half;
    }
    return lo + (len && a[lo] < x);
}

/* How many continuation bytes lie before offset. */
static size_t continuations_before(const hm_source *src, size_t offset)
{
    return count_below(src->continuations, src->n_continuations, offset);
}

void hm_source_position(const hm_source *src, size_t offset, unsigned *line, unsigned *column)
{
    /* the last line starting at or before offset (no line starts past
     * the text's end: offsets past it are on the last line) */
    size_t at = offset < src->len ? offset : src->len;
    size_t lo = count_below(src->line_starts, src->n_lines, at + 1) - 1;
    *line = (unsigned)lo + 1;
    *column = 1 + (unsigned)hm_source_code_points(src, src->line_starts[lo], offset);
}

/* Stepping with hm_utf8_next would count the same: the text is valid
 * UTF-8 here, and an offset inside a code point adds nothing until the
 * next one starts. */
size_t hm_source_code_points(const hm_source *src, size_t from, size_t to)
{
    if (to > src->len)
        to = src->len;
    if (to <= from)
        return 0;
    if (!src->n_continuations)
        return to - from; /* ASCII */
    return to - from - (continuations_before(src, to) - continuations_before(src, from));
}

void hm_source_cursor_init(hm_source_cursor *c, const hm_source *src)
{
    c->src = src;
    c->line_index = 0;
    c->offset = 0;
    c->conts_before = 0;
    c->line = 1;
    c->column = 1;
}

void hm_source_cursor_move(hm_source_cursor *c, size_t offset)
{
    const hm_source *src = c->src;
    if (offset < c->offset) {
        hm_source_position(src, offset, &c->line, &c->column);
        c->line_index = c->line - 1;
        c->offset = offset;
        c->conts_before = continuations_before(src, offset);
        return;
    }
    while (c->line_index + 1 < src->n_lines && src->line_starts[c->line_index + 1] <= offset) {
        c->line_index++;
        c->offset = src->line_starts[c->line_index];
        c->column = 1;
    }
    size_t to = offset < src->len ? offset : src->len;
    if (to > c->offset) {
        /* a column a code point: the bytes passed, less the continuation
         * bytes among them (hm_utf8_count's answer, without reading them) */
        const size_t *conts = src->continuations; /* SIZE_MAX after the last */
        size_t k = c->conts_before;
        while (conts[k] < c->offset)
            k++; /* those on the lines passed over */
        size_t first = k;
        /* most moves pass none or one: the first without a branch (the
         * loop's exit, its only test, was a mispredict where one lay) */
        k += conts[k] < to;
        while (conts[k] < to)
            k++;
        c->column += (unsigned)(to - c->offset - (k - first));
        c->conts_before = k;
        c->offset = to;
    }
    c->line = (unsigned)c->line_index + 1;
}
