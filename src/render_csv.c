/* CSV for a teacher's spreadsheet: one row per essay. RFC 4180: fields with
 * a comma, quote or line break are quoted and quotes doubled; records end
 * in CRLF. The header starts with a UTF-8 byte order mark, without which
 * Excel reads UTF-8 as the local code page and mangles names like "Łódź".
 * The CLI writes the header once, then a row per essay. */
#include <string.h>

#include "util.h"

static void field(hm_buf *b, const char *s, bool first)
{
    if (!first)
        hm_buf_putc(b, ',');
    if (!s)
        return;
    /* A cell starting with = + or @ is a formula to a spreadsheet: a file
     * named "=HYPERLINK(...).txt" must stay text. */
    bool formula = s[0] == '=' || s[0] == '+' || s[0] == '@';
    bool quote = formula || strpbrk(s, ",\"\r\n") != NULL || s[0] == ' ' || (s[0] && s[strlen(s) - 1] == ' ');
    if (!quote) {
        hm_buf_puts(b, s);
        return;
    }
    hm_buf_putc(b, '"');
    if (formula)
        hm_buf_putc(b, '\'');
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            hm_buf_putc(b, '"');
        hm_buf_putc(b, *p);
    }
    hm_buf_putc(b, '"');
}

static void number(hm_buf *b, long v)
{
    hm_buf_printf(b, ",%ld", v);
}

int hm_render_csv_header(const hm_result *first, hm_write_fn write, void *ud)
{
    hm_buf b = {0};
    hm_buf_puts(&b, "\xEF\xBB\xBF");
    field(&b, "file", true);
    field(&b, "words", false);
    field(&b, "mark", false);
    field(&b, "level", false);
    for (size_t i = 0; first && i < hm_result_strand_count(first); i++) {
        hm_buf h = {0};
        hm_buf_printf(&h, "%s level", hm_result_strand(first, i)->name);
        field(&b, h.data, false);
        hm_buf_free(&h);
    }
    field(&b, "main gap", false);
    field(&b, "warnings", false);
    hm_buf_puts(&b, "\r\n");
    int rc = write(b.data, b.len, ud);
    hm_buf_free(&b);
    return rc;
}

int hm_render_csv(const hm_result *r, unsigned flags, hm_write_fn write, void *ud)
{
    (void)flags;
    hm_buf b = {0};
    field(&b, hm_result_name(r), true);
    number(&b, (long)hm_result_words(r));
    number(&b, hm_result_mark(r));
    number(&b, hm_result_level(r));
    for (size_t i = 0; i < hm_result_strand_count(r); i++)
        number(&b, hm_result_strand(r, i)->level);
    field(&b, hm_result_gap_count(r) ? hm_result_gap(r, 0)->text : "", false);
    hm_buf codes = {0};
    for (size_t i = 0; i < hm_result_warning_count(r); i++) {
        const char *code = hm_result_warning(r, i)->code;
        /* one mention per code: an essay may share text with two others */
        bool seen = false;
        for (size_t j = 0; j < i; j++)
            seen |= strcmp(hm_result_warning(r, j)->code, code) == 0;
        if (seen)
            continue;
        hm_buf_printf(&codes, "%s%s", codes.len ? "; " : "", code);
    }
    field(&b, codes.data ? codes.data : "", false);
    hm_buf_free(&codes);
    hm_buf_puts(&b, "\r\n");
    int rc = write(b.data, b.len, ud);
    hm_buf_free(&b);
    return rc;
}
