/* Text in: decoding and positions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "source.h"
#include "util.h"

static void utf8_bom_is_dropped(void **state)
{
    (void)state;
    hm_source s;
    assert_true(hm_source_init(&s, "\xEF\xBB\xBFHello", 8, "t", NULL));
    assert_string_equal(s.text, "Hello");
    assert_int_equal(s.encoding, HM_ENC_UTF8_BOM);
    hm_source_free(&s);
}

/* HM_SOURCE_PAD NULs after the text, whatever the encoding and length
 * (the tokenizer's 16-byte loads read up to them). */
static void text_is_followed_by_its_padding(void **state)
{
    (void)state;
    char bytes[200];
    for (size_t len = 0; len < sizeof bytes; len++) {
        memset(bytes, 'a', len);
        if (len > 2)
            bytes[len - 1] = (char)0xE9; /* invalid UTF-8: Windows-1252 */
        hm_source s;
        assert_true(hm_source_init(&s, bytes, len, "t", NULL));
        for (size_t k = 0; k < HM_SOURCE_PAD; k++)
            assert_int_equal(s.text[s.len + k], 0);
        hm_source_free(&s);
    }
}

static void utf16_with_bom_is_converted(void **state)
{
    (void)state;
    hm_source s;
    const char le[] = "\xFF\xFE" "S\0t\0a\0l\0i\0n\0 \0\x19\x20s\0";
    assert_true(hm_source_init(&s, le, sizeof le - 1, "t", NULL));
    assert_string_equal(s.text, "Stalin \xE2\x80\x99s");
    assert_int_equal(s.encoding, HM_ENC_UTF16LE);
    hm_source_free(&s);
    const char be[] = "\xFE\xFF\0L\0e\0n\0i\0n";
    assert_true(hm_source_init(&s, be, sizeof be - 1, "t", NULL));
    assert_string_equal(s.text, "Lenin");
    hm_source_free(&s);
}

static void utf16_without_bom_is_guessed(void **state)
{
    (void)state;
    hm_source s;
    const char le[] = "I\0n\0 \0" "1\0" "9\0" "2\0" "8\0 \0S\0t\0a\0l\0i\0n\0";
    assert_true(hm_source_init(&s, le, sizeof le - 1, "t", NULL));
    assert_string_equal(s.text, "In 1928 Stalin");
    assert_true(s.utf16_guessed);
    hm_source_free(&s);
}

static void invalid_utf8_reads_as_windows_1252(void **state)
{
    (void)state;
    hm_source s;
    /* Word's export: curly quotes 0x93/0x94 and a pound sign 0xA3 */
    assert_true(hm_source_init(&s, "\x93" "Dizzy" "\x94 \xA3" "5", 10, "t", NULL));
    assert_string_equal(s.text, "\xE2\x80\x9C" "Dizzy" "\xE2\x80\x9D \xC2\xA3" "5");
    assert_int_equal(s.encoding, HM_ENC_CP1252);
    hm_source_free(&s);
}

/* UTF-8 is checked in the pass that finds the lines, 32 bytes at a time:
 * valid and invalid sequences at every offset, across the blocks' edges
 * and cut off by the text's end. */
static void utf8_is_checked_at_every_offset(void **state)
{
    (void)state;
    static const struct {
        const char *bytes;
        bool valid;
    } seqs[] = {{"\xC3\xA9", true},         {"\xE2\x80\x99", true},     {"\xF0\x9F\x98\x80", true},
                {"\xF4\x8F\xBF\xBF", true}, {"\x80", false},            {"\xC3", false},
                {"\xE2\x80", false},         {"\xC0\xAF", false},        {"\xE0\x80\xAF", false},
                {"\xED\xA0\x80", false},     {"\xF4\x90\x80\x80", false}, {"\xF5\x80\x80\x80", false},
                {"\xC3\xA9\xA9", false},     {"\xE2\x28\xA1", false}};
    for (size_t k = 0; k < sizeof seqs / sizeof *seqs; k++) {
        size_t n = strlen(seqs[k].bytes);
        for (size_t at = 0; at <= 70; at++) {
            char text[80];
            memset(text, 'a', at);
            memcpy(text + at, seqs[k].bytes, n);
            memset(text + at + n, '\n', at % 3); /* at the text's end or before a line break or two */
            size_t len = at + n + at % 3;
            hm_source s;
            assert_true(hm_source_init(&s, text, len, "t", NULL));
            assert_int_equal(s.encoding, seqs[k].valid ? HM_ENC_UTF8 : HM_ENC_CP1252);
            if (seqs[k].valid) {
                assert_int_equal(s.len, len);
                assert_memory_equal(s.text, text, len);
                assert_int_equal(s.n_continuations, n - 1);
            }
            assert_int_equal(s.n_lines, 1 + at % 3);
            hm_source_free(&s);
        }
    }
}

/* Code points between any two offsets, from the continuation bytes by a
 * branchless search, as counting the text gives them, and each offset's
 * line as a walk over the lines gives it. */
static void code_points_and_lines_match_a_count(void **state)
{
    (void)state;
    static const char *const pieces[] = {"ab", "\xC3\xA9", "\n", "\xE2\x80\x99x", "cd ", "\xF0\x9F\x98\x80", "\r\n"};
    char text[256] = "";
    for (size_t k = 0; k < 40; k++) {
        strcat(text, pieces[(k * 5 + k / 3) % (sizeof pieces / sizeof *pieces)]);
        hm_source s;
        assert_true(hm_source_init(&s, text, strlen(text), "t", NULL));
        for (size_t from = 0; from <= s.len + 1; from++) {
            for (size_t to = from; to <= s.len + 1; to++) {
                size_t in = (to < s.len ? to : s.len) - (from < s.len ? from : s.len);
                assert_int_equal(hm_source_code_points(&s, from, to),
                                 from < s.len ? hm_utf8_count(s.text + from, in) : 0);
            }
            unsigned line, column, walked = 1;
            hm_source_position(&s, from, &line, &column);
            for (size_t l = 1; l < s.n_lines && s.line_starts[l] <= from; l++)
                walked++;
            assert_int_equal(line, walked);
        }
        hm_source_free(&s);
    }
}

static void binary_is_refused_with_the_file_named(void **state)
{
    (void)state;
    hm_source s;
    hm_error err = {0};
    assert_false(hm_source_init(&s, "PK\x03\x04\0\0binary", 12, "essay.docx", &err));
    assert_int_equal(err.code, HM_ERR_INPUT);
    assert_string_equal(err.file, "essay.docx");
    assert_non_null(strstr(err.message, "not a text file"));
}

static void positions_count_code_points_and_all_line_endings(void **state)
{
    (void)state;
    hm_source s;
    const char *t = "ab\r\nc\rd\n\xE2\x80\x9CStalin";
    assert_true(hm_source_init(&s, t, strlen(t), "t", NULL));
    unsigned line, col;
    hm_source_position(&s, 4, &line, &col); /* c */
    assert_int_equal(line, 2);
    assert_int_equal(col, 1);
    hm_source_position(&s, 6, &line, &col); /* d after a lone CR */
    assert_int_equal(line, 3);
    assert_int_equal(col, 1);
    size_t stalin = strlen("ab\r\nc\rd\n\xE2\x80\x9C");
    hm_source_position(&s, stalin, &line, &col);
    assert_int_equal(line, 4);
    assert_int_equal(col, 2); /* the quote is one code point of three bytes */
    hm_source_free(&s);
}

/* The eight-bytes-at-a-time scans: a line break, a control byte or a
 * non-ASCII byte at every offset (across word boundaries) is found as a
 * byte-by-byte scan would find it. */
static void line_breaks_and_controls_at_every_offset(void **state)
{
    (void)state;
    static const char *const breaks[] = {"\n", "\r", "\r\n", "\n\n", "\r\r\n"};
    for (size_t b = 0; b < sizeof breaks / sizeof *breaks; b++) {
        for (size_t at = 0; at <= 24; at++) {
            char text[64];
            memset(text, 'a', sizeof text);
            size_t bl = strlen(breaks[b]);
            memcpy(text + at, breaks[b], bl);
            size_t len = at + bl + 5 + at % 7;
            hm_source s;
            assert_true(hm_source_init(&s, text, len, "t", NULL));
            size_t want[8], n = 0;
            want[n++] = 0;
            for (size_t i = 0; i < len; i++) {
                if (text[i] == '\r' && i + 1 < len && text[i + 1] == '\n')
                    continue;
                if (text[i] == '\n' || text[i] == '\r')
                    want[n++] = i + 1;
            }
            assert_int_equal(s.n_lines, n);
            for (size_t i = 0; i < n; i++)
                assert_int_equal(s.line_starts[i], want[i]);
            hm_source_free(&s);
        }
    }
    for (size_t at = 0; at < 20; at++) {
        char text[21];
        memset(text, 'x', sizeof text);
        hm_source s;
        text[at] = '\x01';
        assert_false(hm_source_init(&s, text, sizeof text, "t", NULL));
        text[at] = '\t';
        assert_true(hm_source_init(&s, text, sizeof text, "t", NULL));
        assert_int_equal(s.encoding, HM_ENC_UTF8);
        hm_source_free(&s);
        text[at] = '\xE9'; /* not UTF-8: Windows-1252 */
        assert_true(hm_source_init(&s, text, sizeof text, "t", NULL));
        assert_int_equal(s.encoding, HM_ENC_CP1252);
        hm_source_free(&s);
        if (at + 2 <= sizeof text) {
            memcpy(text + at, "\xC3\xA9", 2);
            assert_true(hm_source_init(&s, text, sizeof text, "t", NULL));
            assert_int_equal(s.encoding, HM_ENC_UTF8);
            hm_source_free(&s);
        }
        memset(text, 'x', sizeof text);
    }
}

/* The cursor counts columns in bulk; moved forward over every code point
 * boundary it agrees with hm_source_position, and stepping byte by byte
 * (through the middle of code points) it lands on the same columns. */
static void cursor_columns_match_positions(void **state)
{
    (void)state;
    const char text[] = "Caf\xC3\xA9 \xE2\x80\x9CStalin\xE2\x80\x9D said \xF0\x9F\x98\x80 and then\r\n"
                        "na\xC3\xAFve r\xC3\xA9sum\xC3\xA9 of the 1930s \xE2\x80\x94 a long line indeed\n\nEnd";
    hm_source s;
    assert_true(hm_source_init(&s, text, sizeof text - 1, "t", NULL));
    hm_source_cursor every, bounds;
    hm_source_cursor_init(&every, &s);
    hm_source_cursor_init(&bounds, &s);
    for (size_t off = 0; off <= s.len; off++) {
        hm_source_cursor_move(&every, off);
        if (off < s.len && ((unsigned char)s.text[off] & 0xC0) == 0x80)
            continue; /* inside a code point */
        hm_source_cursor_move(&bounds, off);
        unsigned line, col;
        hm_source_position(&s, off, &line, &col);
        assert_int_equal(bounds.line, line);
        assert_int_equal(bounds.column, col);
        assert_int_equal(every.line, line);
        assert_int_equal(every.column, col);
    }
    for (size_t a = 0; a < 24; a++)
        for (size_t n = 0; a + n <= s.len && n < 40; n++) {
            size_t want = 0;
            for (size_t i = a; i < a + n; i++)
                want += ((unsigned char)s.text[i] & 0xC0) != 0x80;
            assert_int_equal(hm_utf8_count(s.text + a, n), want);
        }
    hm_source_free(&s);
}

/* The source lists every continuation byte, wherever the sixteen-byte
 * chunks fall (and in the tail the chunks leave), for decoded text too; a
 * cursor moved back and forth by those gives hm_source_position's columns. */
static void continuations_listed_and_cursor_jumps(void **state)
{
    (void)state;
    static const char *const pieces[] = {"a", "\xC3\xA9", "\xE2\x80\x99", "\xF0\x9F\x98\x80", " ", "Stalin", "\n", "\r\n"};
    hm_buf b = {0};
    for (size_t i = 0; b.len < 700; i++)
        hm_buf_puts(&b, pieces[(i * 5 + i / 4) % (sizeof pieces / sizeof *pieces)]);
    const char cp1252[] = "Caf\xE9 \x93quoted\x94 text, na\xEFve, over\nsixteen bytes \x96 of it\x85";
    struct {
        const char *bytes;
        size_t len;
    } inputs[] = {{b.data, b.len}, {b.data + 3, b.len - 9}, {cp1252, sizeof cp1252 - 1}};
    for (size_t k = 0; k < sizeof inputs / sizeof *inputs; k++) {
        hm_source s;
        assert_true(hm_source_init(&s, inputs[k].bytes, inputs[k].len, "t", NULL));
        size_t n = 0;
        for (size_t i = 0; i < s.len; i++)
            if (((unsigned char)s.text[i] & 0xC0) == 0x80) {
                assert_true(n < s.n_continuations);
                assert_int_equal(s.continuations[n++], i);
            }
        assert_int_equal(n, s.n_continuations);
        for (size_t a = 0; a < s.len; a += 13)
            for (size_t z = a; z <= s.len + 1; z += 7) {
                size_t to = z < s.len ? z : s.len;
                assert_int_equal(hm_source_code_points(&s, a, z), hm_utf8_count(s.text + a, to - a));
            }
        hm_source_cursor c;
        hm_source_cursor_init(&c, &s);
        for (size_t step = 0; step < 400; step++) {
            size_t off = (step * 37 + (step % 3) * 101) % (s.len + 2); /* now and then past the end */
            hm_source_cursor_move(&c, off);
            unsigned line, col;
            hm_source_position(&s, off, &line, &col);
            assert_int_equal(c.line, line);
            assert_int_equal(c.column, col);
        }
        hm_source_free(&s);
    }
    hm_buf_free(&b);
}

/* Long spans go through the sixteen-byte loop (and its sums every 255
 * blocks): the count is the bytes that are not continuation bytes. */
static void utf8_count_matches_a_byte_at_a_time(void **state)
{
    (void)state;
    static const char *const pieces[] = {"a", "\xC3\xA9", "\xE2\x80\x99", "\xF0\x9F\x98\x80", " ", "Stalin"};
    hm_buf b = {0};
    for (size_t i = 0; b.len < 9000; i++)
        hm_buf_puts(&b, pieces[(i * 7 + i / 3) % (sizeof pieces / sizeof *pieces)]);
    size_t spans[][2] = {{0, 0}, {0, 15}, {0, 16}, {1, 17}, {3, 4079}, {0, 4080}, {5, 4096}, {7, 8191}, {0, b.len}};
    for (size_t k = 0; k < sizeof spans / sizeof *spans; k++) {
        size_t a = spans[k][0], n = spans[k][1];
        if (a + n > b.len)
            n = b.len - a;
        size_t want = 0;
        for (size_t i = a; i < a + n; i++)
            want += ((unsigned char)b.data[i] & 0xC0) != 0x80;
        assert_int_equal(hm_utf8_count(b.data + a, n), want);
    }
    hm_buf_free(&b);
}

static void buf_put_uint_writes_as_printf_does(void **state)
{
    (void)state;
    unsigned values[] = {0, 7, 10, 99, 100, 12345, 4294967295u};
    for (size_t k = 0; k < sizeof values / sizeof *values; k++) {
        hm_buf mine = {0};
        char theirs[32];
        hm_buf_puts(&mine, "p ");
        hm_buf_put_uint(&mine, values[k]);
        snprintf(theirs, sizeof theirs, "p %u", values[k]);
        assert_string_equal(mine.data, theirs);
        hm_buf_free(&mine);
    }
}

/* hm_buf_printf writes %s, %.*s, %d, %u, %zu and %% itself: the same text
 * as snprintf, appended to what the buffer holds; other formats too. */
static void buf_printf_writes_as_snprintf_does(void **state)
{
    (void)state;
    int ints[] = {0, 7, -7, 10, -100, 12345, INT_MAX, INT_MIN};
    unsigned uints[] = {0, 9, 10, 4294967295u};
    size_t sizes[] = {0, 99, 100, SIZE_MAX};
    const char *texts[] = {"", "a", "paragraph", NULL};
    int precisions[] = {-1, 0, 3, 5, 6, 40};
    char want[512];
    for (size_t i = 0; i < sizeof ints / sizeof *ints; i++)
        for (size_t u = 0; u < sizeof uints / sizeof *uints; u++)
            for (size_t z = 0; z < sizeof sizes / sizeof *sizes; z++)
                for (size_t t = 0; t < sizeof texts / sizeof *texts; t++)
                    for (size_t p = 0; p < sizeof precisions / sizeof *precisions; p++) {
                        hm_buf b = {0};
                        hm_buf_puts(&b, "before|");
                        /* (a null %s is undefined in C; glibc writes "(null)") */
                        hm_buf_printf(&b, "%d-%u %zu%% of %s, %.*s;%s", ints[i], uints[u], sizes[z], texts[t],
                                      precisions[p], texts[t] ? "paragraphs" : NULL, "end");
                        snprintf(want, sizeof want, "before|%d-%u %zu%% of %s, %.*s;%s", ints[i], uints[u],
                                 sizes[z], texts[t], precisions[p], texts[t] ? "paragraphs" : NULL, "end");
                        assert_string_equal(b.data, want);
                        hm_buf_free(&b);
                    }
    hm_buf b = {0};
    hm_buf_printf(&b, "%.0f%% and %5d", 12.5, 3); /* through vsnprintf */
    assert_string_equal(b.data, "12% and     3");
    hm_buf_printf(&b, "%s", "");
    assert_string_equal(b.data, "12% and     3");
    hm_buf_printf(&b, "; %s %u=%5.1f", "x", 2u, 2.25); /* begun, then through vsnprintf */
    assert_string_equal(b.data, "12% and     3; x 2=  2.2");
    hm_buf_free(&b);
}

static void empty_input_is_text(void **state)
{
    (void)state;
    hm_source s;
    assert_true(hm_source_init(&s, "", 0, "t", NULL));
    assert_int_equal(s.len, 0);
    assert_int_equal(s.n_lines, 1);
    hm_source_free(&s);
}

/* hm_read_file reads a file straight into a buffer of its size: every byte
 * comes back, NUL-terminated, around the buffer's doubling sizes, and a
 * file over max_bytes is refused with its name. */
static void read_file_returns_every_byte(void **state)
{
    (void)state;
    char path[] = "/tmp/histmark-test-read-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    static const size_t sizes[] = {0, 1, 63, 64, 65, 4095, 65535, 65536, 65537, 200001};
    static char bytes[200001];
    uint32_t x = 12345;
    for (size_t i = 0; i < sizeof bytes; i++) {
        x = x * 1103515245u + 12345u;
        bytes[i] = (char)(x >> 24);
    }
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        FILE *f = fopen(path, "wb");
        assert_non_null(f);
        assert_int_equal(fwrite(bytes, 1, sizes[k], f), sizes[k]);
        fclose(f);
        size_t len = 99;
        hm_error err = {0};
        char *text = hm_read_file(path, 0, &len, &err);
        assert_non_null(text);
        assert_int_equal(len, sizes[k]);
        if (len)
            assert_memory_equal(text, bytes, len);
        assert_int_equal(text[len], '\0');
        free(text);
    }
    size_t len = 0;
    hm_error err = {0};
    assert_null(hm_read_file(path, 1000, &len, &err));
    assert_int_equal(err.code, HM_ERR_INPUT);
    assert_string_equal(err.file, path);
    assert_non_null(strstr(err.message, "too large"));
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(utf8_bom_is_dropped),
        cmocka_unit_test(read_file_returns_every_byte),
        cmocka_unit_test(text_is_followed_by_its_padding),
        cmocka_unit_test(utf16_with_bom_is_converted),
        cmocka_unit_test(utf16_without_bom_is_guessed),
        cmocka_unit_test(invalid_utf8_reads_as_windows_1252),
        cmocka_unit_test(utf8_is_checked_at_every_offset),
        cmocka_unit_test(code_points_and_lines_match_a_count),
        cmocka_unit_test(binary_is_refused_with_the_file_named),
        cmocka_unit_test(positions_count_code_points_and_all_line_endings),
        cmocka_unit_test(empty_input_is_text),
        cmocka_unit_test(line_breaks_and_controls_at_every_offset),
        cmocka_unit_test(cursor_columns_match_positions),
        cmocka_unit_test(continuations_listed_and_cursor_jumps),
        cmocka_unit_test(utf8_count_matches_a_byte_at_a_time),
        cmocka_unit_test(buf_put_uint_writes_as_printf_does),
        cmocka_unit_test(buf_printf_writes_as_snprintf_does),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
