/* Batches: the folder walker, Word documents, CSV quoting and copy
 * detection, through the public API. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>
#include <zip.h>

#include "histmark.h"
#include "config.h"
#include "copy.h"
#include "summary.h"
#include "util.h"

static hm_config *cfg;

static int setup(void **state)
{
    (void)state;
    hm_error err = {0};
    cfg = hm_config_load(NULL, &err);
    return cfg ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    hm_config_free(cfg);
    return 0;
}

static char *temp_dir(void)
{
    const char *base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    hm_buf b = {0};
    hm_buf_printf(&b, "%s/hm-test-XXXXXX", base);
    char *d = hm_buf_take(&b);
    assert_non_null(mkdtemp(d));
    return d;
}

static void write_file(const char *dir, const char *name, const char *text)
{
    hm_buf p = {0};
    hm_buf_printf(&p, "%s/%s", dir, name);
    FILE *f = fopen(p.data, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    hm_buf_free(&p);
}

static void make_dir(const char *dir, const char *name)
{
    hm_buf p = {0};
    hm_buf_printf(&p, "%s/%s", dir, name);
    assert_int_equal(mkdir(p.data, 0777), 0);
    hm_buf_free(&p);
}

static void remove_tree(const char *dir)
{
    hm_buf cmd = {0};
    hm_buf_printf(&cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd.data), 0);
    hm_buf_free(&cmd);
}

/* ---- the walker ---- */

typedef struct seen {
    hm_buf paths;   /* relative paths, one a line */
    size_t errors;
    size_t root_len;
} seen;

static int collect(const char *path, const char *error, void *ud)
{
    seen *s = ud;
    if (error) {
        s->errors++;
        return 0;
    }
    hm_buf_printf(&s->paths, "%s\n", path + s->root_len);
    return 0;
}

static void test_walk_order_hidden_loops(void **state)
{
    (void)state;
    char *d = temp_dir();
    write_file(d, "b.txt", "b");
    write_file(d, "a.md", "a");
    write_file(d, "C.docx", "c");
    write_file(d, "notes.pdf", "not an essay");
    write_file(d, ".hidden.txt", "hidden");
    write_file(d, "~$lock.docx", "Word's lock file");
    make_dir(d, ".git");
    write_file(d, ".git/x.txt", "hidden folder");
    make_dir(d, "class");
    write_file(d, "class/z.txt", "z");
    write_file(d, "class/m.TXT", "m");
    make_dir(d, "class/sub");
    write_file(d, "class/sub/deep.txt", "deep");
    /* Two loops: a link to the parent, and a link to the folder itself. */
    hm_buf p = {0};
    hm_buf_printf(&p, "%s/class/sub/up", d);
    assert_int_equal(symlink("..", p.data), 0);
    p.len = 0;
    hm_buf_printf(&p, "%s/class/self", d);
    assert_int_equal(symlink(".", p.data), 0);
    p.len = 0;
    hm_buf_printf(&p, "%s/dangling.txt", d);
    assert_int_equal(symlink("nowhere.txt", p.data), 0);
    hm_buf_free(&p);

    seen s = {{0}, 0, strlen(d)};
    assert_int_equal(hm_walk(d, collect, &s), 0);
    /* Byte order at each level ("C" before "a"), depth first, each file once. */
    assert_string_equal(s.paths.data, "/C.docx\n/a.md\n/b.txt\n/class/m.TXT\n/class/sub/deep.txt\n/class/z.txt\n");
    assert_int_equal(s.errors, 1); /* the dangling link, named .txt */

    /* The same order every time. */
    seen again = {{0}, 0, strlen(d)};
    hm_walk(d, collect, &again);
    assert_string_equal(again.paths.data, s.paths.data);
    hm_buf_free(&again.paths);
    hm_buf_free(&s.paths);

    /* A file given directly is read whatever its name. */
    hm_buf f = {0};
    hm_buf_printf(&f, "%s/notes.pdf", d);
    seen one = {{0}, 0, 0};
    hm_walk(f.data, collect, &one);
    assert_non_null(strstr(one.paths.data, "notes.pdf"));
    hm_buf_free(&one.paths);
    hm_buf_free(&f);

    assert_true(hm_is_essay_name("x.TXT") && hm_is_essay_name("y.Md") && hm_is_essay_name("z.docx"));
    assert_false(hm_is_essay_name("x.pdf") || hm_is_essay_name("docx") || hm_is_essay_name("x.txt.bak"));
    remove_tree(d);
    free(d);
}

static int stop_at_first(const char *path, const char *error, void *ud)
{
    (void)path;
    (void)error;
    (*(int *)ud)++;
    return 7;
}

static void test_walk_stops_and_reports(void **state)
{
    (void)state;
    char *d = temp_dir();
    write_file(d, "a.txt", "a");
    write_file(d, "b.txt", "b");
    int calls = 0;
    assert_int_equal(hm_walk(d, stop_at_first, &calls), 7);
    assert_int_equal(calls, 1);
    seen s = {{0}, 0, 0};
    hm_buf missing = {0};
    hm_buf_printf(&missing, "%s/missing", d);
    hm_walk(missing.data, collect, &s);
    assert_int_equal(s.errors, 1);
    hm_buf_free(&missing);
    hm_buf_free(&s.paths);
    remove_tree(d);
    free(d);
}

/* ---- Word documents ---- */

static void make_docx(const char *path, const char *document_xml)
{
    int err = 0;
    zip_t *z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &err);
    assert_non_null(z);
    static const char types[] =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types "
        "xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>";
    zip_source_t *s1 = zip_source_buffer(z, types, sizeof types - 1, 0);
    assert_true(zip_file_add(z, "[Content_Types].xml", s1, ZIP_FL_ENC_UTF_8) >= 0);
    if (document_xml) {
        zip_source_t *s2 = zip_source_buffer(z, document_xml, strlen(document_xml), 0);
        assert_true(zip_file_add(z, "word/document.xml", s2, ZIP_FL_ENC_UTF_8) >= 0);
    }
    assert_int_equal(zip_close(z), 0);
}

#define W "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\""

static void test_docx_text(void **state)
{
    (void)state;
    char *d = temp_dir();
    hm_buf path = {0};
    hm_buf_printf(&path, "%s/essay.docx", d);
    make_docx(path.data,
              "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>"
              "<w:document " W "><w:body>"
              "<w:p><w:r><w:t>To what extent was Stalin&apos;s rise due to luck?</w:t></w:r></w:p>"
              "<w:p><w:r><w:t xml:space=\"preserve\">In 1924 Lenin </w:t></w:r><w:r><w:t>died.</w:t></w:r>"
              "<w:r><w:tab/><w:t>Tab</w:t><w:br/><w:t>Line</w:t></w:r></w:p>"
              "<w:p/>"
              "<w:p><w:r><w:delText>deleted</w:delText><w:t>Łódź – “quoted”</w:t></w:r></w:p>"
              "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>cell</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"
              "</w:body></w:document>");
    size_t len = 0;
    hm_error err = {0};
    char *text = hm_read_input(path.data, 0, &len, &err);
    assert_non_null(text);
    assert_string_equal(text, "To what extent was Stalin's rise due to luck?\n\n"
                              "In 1924 Lenin died.\tTab\nLine\n\n"
                              "Łódź – “quoted”\n\n"
                              "cell\n");
    assert_int_equal(len, strlen(text));
    /* It marks like the same text typed in. */
    hm_analyze_options ao = {HM_ANALYZE_OPTIONS_VERSION, path.data, NULL, 0};
    hm_result *r = hm_analyze(cfg, text, len, &ao, &err);
    assert_non_null(r);
    assert_string_equal(hm_result_question(r), "To what extent was Stalin's rise due to luck?");
    hm_result_free(r);
    free(text);

    /* Too large, by the text's size. */
    hm_error big = {0};
    assert_null(hm_read_input(path.data, 10, &len, &big));
    assert_non_null(strstr(big.message, "too large"));
    hm_buf_free(&path);
    remove_tree(d);
    free(d);
}

static void test_docx_errors(void **state)
{
    (void)state;
    char *d = temp_dir();
    hm_buf path = {0};
    size_t len;

    hm_buf_printf(&path, "%s/notzip.docx", d);
    write_file(d, "notzip.docx", "just some text, not a zip");
    hm_error e1 = {0};
    assert_null(hm_read_input(path.data, 0, &len, &e1));
    assert_string_equal(e1.file, path.data);
    assert_non_null(strstr(e1.message, "not a Word document"));

    path.len = 0;
    hm_buf_printf(&path, "%s/nodoc.docx", d);
    make_docx(path.data, NULL);
    hm_error e2 = {0};
    assert_null(hm_read_input(path.data, 0, &len, &e2));
    assert_non_null(strstr(e2.message, "no word/document.xml"));

    path.len = 0;
    hm_buf_printf(&path, "%s/badxml.docx", d);
    make_docx(path.data, "<w:document " W "><w:body><w:p>");
    hm_error e3 = {0};
    assert_null(hm_read_input(path.data, 0, &len, &e3));
    assert_non_null(strstr(e3.message, "damaged"));

    path.len = 0;
    hm_buf_printf(&path, "%s/missing.docx", d);
    hm_error e4 = {0};
    assert_null(hm_read_input(path.data, 0, &len, &e4));
    assert_string_equal(e4.message, "No such file or directory");

    /* An external entity is not fetched (no network, no file reads). */
    path.len = 0;
    hm_buf_printf(&path, "%s/xxe.docx", d);
    make_docx(path.data, "<?xml version=\"1.0\"?><!DOCTYPE d [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
                         "<w:document " W "><w:body><w:p><w:r><w:t>a&x;b</w:t></w:r></w:p></w:body></w:document>");
    hm_error e5 = {0};
    char *text = hm_read_input(path.data, 0, &len, &e5);
    if (text)
        assert_null(strstr(text, "root:"));
    free(text);
    hm_buf_free(&path);
    remove_tree(d);
    free(d);
}

/* ---- CSV ---- */

static int to_buf(const char *data, size_t len, void *ud)
{
    hm_buf_put(ud, data, len);
    return 0;
}

static void test_csv_quoting(void **state)
{
    (void)state;
    const char *essay = "How far did the NEP succeed?\n\nIn 1921 Lenin introduced the NEP, and by 1926 output recovered.\n";
    hm_error err = {0};
    hm_analyze_options ao = {HM_ANALYZE_OPTIONS_VERSION, "he said \"hi\", ok.txt", NULL, 0};
    hm_result *r = hm_analyze(cfg, essay, strlen(essay), &ao, &err);
    assert_non_null(r);
    hm_buf b = {0};
    assert_int_equal(hm_render_csv_header(r, to_buf, &b), 0);
    assert_memory_equal(b.data, "\xEF\xBB\xBF" "file,words,mark,level,", 25);
    assert_non_null(strstr(b.data, ",main gap,warnings\r\n"));
    assert_ptr_equal(strchr(b.data, '\n'), b.data + b.len - 1); /* one line */
    size_t header = b.len;
    assert_int_equal(hm_render_csv(r, 0, to_buf, &b), 0);
    const char *row = b.data + header;
    assert_true(strncmp(row, "\"he said \"\"hi\"\", ok.txt\",", 25) == 0);
    assert_true(b.len >= 2 && b.data[b.len - 2] == '\r' && b.data[b.len - 1] == '\n');
    /* Every comma-carrying field is quoted: the row has exactly the
     * header's number of fields, counting commas outside quotes. */
    size_t fields_h = 1, fields_r = 1;
    bool q = false;
    for (size_t i = 0; i < header; i++)
        fields_h += b.data[i] == ',';
    for (const char *p = row; *p; p++) {
        if (*p == '"')
            q = !q;
        else if (*p == ',' && !q)
            fields_r++;
    }
    assert_false(q);
    assert_int_equal(fields_h, fields_r);
    hm_result_free(r);

    /* A name a spreadsheet would run as a formula stays text. */
    hm_analyze_options ao2 = {HM_ANALYZE_OPTIONS_VERSION, "=HYPERLINK(\"x\").txt", NULL, 0};
    r = hm_analyze(cfg, essay, strlen(essay), &ao2, &err);
    b.len = 0;
    hm_render_csv(r, 0, to_buf, &b);
    assert_true(strncmp(b.data, "\"'=HYPERLINK(\"\"x\"\").txt\",", 25) == 0);
    hm_result_free(r);
    hm_buf_free(&b);
}

/* ---- copy detection ---- */

static uint64_t rng_state = 88172645463325252ull;

static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* n words from a 2,000-word invented vocabulary: unrelated essays share no
 * 8-word run by chance. */
static void random_words(hm_buf *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned w = (unsigned)(rnd() % 2000);
        hm_buf_printf(b, "%s%c%c%c%u", i ? (i % 17 == 0 ? ". " : " ") : "", 'a' + w % 26, 'a' + w / 26 % 26,
                      'a' + w / 676 % 3, w % 7);
    }
}

static const char *question = "To what extent was the New Economic Policy a success for the Bolsheviks in the 1920s?\n\n";

static void test_copy_detection(void **state)
{
    (void)state;
    enum { N = 10 };
    hm_buf essays[N];
    hm_buf passage = {0};
    random_words(&passage, 150);
    for (int i = 0; i < N; i++) {
        memset(&essays[i], 0, sizeof essays[i]);
        hm_buf_puts(&essays[i], question); /* every essay has the question */
        random_words(&essays[i], 250);
        hm_buf_puts(&essays[i], ".\n\n");
        if (i == 2 || i == 7)
            hm_buf_put(&essays[i], passage.data, passage.len); /* the planted copy */
        else
            random_words(&essays[i], 150);
        hm_buf_puts(&essays[i], ".\n\n");
        random_words(&essays[i], i == 7 ? 400 : 200);
        hm_buf_puts(&essays[i], ".\n");
    }
    hm_copy *c = hm_copy_new(N);
    for (int i = 0; i < N; i++)
        hm_copy_set(c, (size_t)i, hm_shingles_make(essays[i].data, essays[i].len));
    const hm_copy_pair *pairs;
    size_t n = hm_copy_find(c, 0.1, 0, &pairs);
    assert_int_equal(n, 1);
    assert_int_equal(pairs[0].a, 2);
    assert_int_equal(pairs[0].b, 7);
    /* Essay 2 is the smaller: 16 question words + 600 = 616 words, 609
     * shingles; the passage gives 150 - 7 = 143 of them. The share is
     * estimated from one shingle in four. */
    assert_int_equal(pairs[0].from_essay, 2);
    assert_true(pairs[0].shared >= 143 / 4 - 15 && pairs[0].shared <= 143 / 4 + 15);
    assert_true(pairs[0].share > 143.0 / 609 - 0.08 && pairs[0].share < 143.0 / 609 + 0.08);
    size_t from = 0, words = 0;
    char *text = hm_copy_shared_passage(essays[2].data, essays[2].len, essays[7].data, essays[7].len, 0, &from, &words);
    assert_non_null(text);
    assert_int_equal(words, 150);
    /* The run is exactly the planted passage. */
    assert_int_equal(strlen(text), passage.len);
    assert_memory_equal(text, passage.data, passage.len);
    free(text);
    char *again = hm_copy_passage(essays[2].data, essays[2].len, from, words, 0);
    assert_string_equal(again, passage.data);
    free(again);
    char *cut = hm_copy_passage(essays[2].data, essays[2].len, from, words, 40);
    assert_true(strlen(cut) <= 44 && strcmp(cut + strlen(cut) - 3, "...") == 0);
    free(cut);
    /* Two essays that share only the question share that. */
    char *q = hm_copy_shared_passage(essays[0].data, essays[0].len, essays[1].data, essays[1].len, 0, NULL, NULL);
    assert_non_null(q);
    assert_int_equal(strncmp(q, question, strlen(q)), 0);
    free(q);
    assert_null(hm_copy_shared_passage(essays[0].data, essays[0].len, passage.data, passage.len, 0, NULL, NULL));

    /* A higher threshold, no pair; an essay too short for a shingle, none. */
    assert_int_equal(hm_copy_find(c, 0.5, 0, &pairs), 0);
    hm_copy_set(c, 0, hm_shingles_make("Too short.", 10));
    assert_int_equal(hm_copy_find(c, 0.1, 0, &pairs), 1);
    hm_copy_free(c);
    assert_null(hm_shingles_make("\x00\x01\x02binary\x00", 10));
    for (int i = 0; i < N; i++)
        hm_buf_free(&essays[i]);
    hm_buf_free(&passage);
}

/* Case, punctuation and line breaks do not hide a copy. */
static void test_copy_normalises(void **state)
{
    (void)state;
    hm_buf a = {0}, b = {0}, common = {0};
    random_words(&common, 60);
    hm_buf_put(&a, common.data, common.len);
    for (size_t i = 0; i < common.len; i++) {
        char ch = common.data[i];
        hm_buf_putc(&b, ch == ' ' ? (i % 3 ? '\n' : ' ') : ch == '.' ? ',' : (char)(ch >= 'a' && ch <= 'z' ? ch - 32 : ch));
    }
    hm_copy *c = hm_copy_new(2);
    hm_copy_set(c, 0, hm_shingles_make(a.data, a.len));
    hm_copy_set(c, 1, hm_shingles_make(b.data, b.len));
    const hm_copy_pair *pairs;
    assert_int_equal(hm_copy_find(c, 0.9, 0, &pairs), 1);
    assert_true(pairs[0].share > 0.99);
    hm_copy_free(c);
    hm_buf_free(&a);
    hm_buf_free(&b);
    hm_buf_free(&common);
}

/* The batch's way to a passage (the copy pass's shingles kept in a store,
 * the run found there, the quote taken from the smaller essay) gives what
 * hm_copy_shared_passage gives, with the store on disk, in memory for want
 * of a temporary file, and held in memory for a small batch (which also
 * hands the analysis the essay's bytes). */
static void test_copy_stored_passage(void **state)
{
    (void)state;
    hm_buf passage = {0}, a = {0}, b = {0};
    random_words(&passage, 120);
    random_words(&a, 300);
    hm_buf_puts(&a, ".\n\n");
    hm_buf_put(&a, passage.data, passage.len);
    hm_buf_puts(&a, ".\n");
    random_words(&b, 100);
    hm_buf_puts(&b, ".\n\nQuite ");
    hm_buf_put(&b, passage.data, passage.len);
    hm_buf_puts(&b, ".\n");
    random_words(&b, 500);
    const hm_buf *essays[2] = {&a, &b};
    const char *tmpdir = getenv("TMPDIR");
    char *saved = tmpdir ? hm_xstrdup(tmpdir) : NULL;
    enum { ON_DISK, NO_TEMP_FILE, SMALL_BATCH };
    for (int mode = ON_DISK; mode <= SMALL_BATCH; mode++) {
        if (mode == NO_TEMP_FILE)
            setenv("TMPDIR", "/nonexistent/histmark-test", 1);
        /* 300 essays: more than a small batch holds in memory */
        hm_shingle_store *st = hm_shingle_store_new(mode == SMALL_BATCH ? 3 : 300, 2);
        for (size_t i = 0; i < 2; i++) {
            hm_copy_text *t = NULL;
            hm_shingles_free(hm_shingles_make_text(essays[i]->data, essays[i]->len, &t));
            assert_non_null(t);
            hm_shingle_store_put(st, i, i, t); /* a lane each */
            hm_copy_text_free(t);
            size_t len = 0;
            char *owned = NULL;
            const char *bytes = hm_shingle_store_bytes(st, i, &len, &owned);
            /* on disk they are read into a buffer of the caller's; in
             * memory they are lent */
            assert_non_null(bytes);
            if (mode == ON_DISK)
                assert_ptr_equal(bytes, owned);
            else
                assert_null(owned);
            assert_int_equal(len, essays[i]->len);
            assert_memory_equal(bytes, essays[i]->data, len);
            assert_int_equal(bytes[len], '\0');
            free(owned);
        }
        for (size_t q = 0; q < 2; q++) {
            hm_copy_text *quoted = hm_copy_text_stored(st, q), *other = hm_copy_text_stored(st, 1 - q);
            size_t from, words, want_from, want_words;
            assert_true(hm_copy_text_shared_run(quoted, other, &from, &words));
            /* ASCII: the text decoded is the bytes */
            char *got = hm_copy_text_quote(quoted, essays[q]->data, essays[q]->len, from, words, 60);
            char *want = hm_copy_shared_passage(essays[q]->data, essays[q]->len, essays[1 - q]->data,
                                                essays[1 - q]->len, 60, &want_from, &want_words);
            assert_int_equal(from, want_from);
            assert_int_equal(words, want_words);
            assert_int_equal(words, 120);
            assert_string_equal(got, want);
            char *plain = hm_copy_passage(essays[q]->data, essays[q]->len, from, words, 60);
            assert_string_equal(plain, want);
            free(plain);
            /* the store's own text, from the mark before the passage, cut
             * or whole */
            char *stored = hm_shingle_store_quote(st, q, from, words, 60);
            assert_string_equal(stored, want);
            free(stored);
            stored = hm_shingle_store_quote(st, q, from, words, 0);
            plain = hm_copy_passage(essays[q]->data, essays[q]->len, from, words, 0);
            assert_string_equal(stored, plain);
            free(stored);
            free(plain);
            free(got);
            free(want);
            hm_copy_text_free(quoted);
            hm_copy_text_free(other);
        }
        assert_null(hm_copy_text_stored(st, 2)); /* never put */
        assert_null(hm_shingle_store_quote(st, 2, 0, 8, 60));
        size_t none;
        char *owned = NULL;
        assert_null(hm_shingle_store_bytes(st, 2, &none, &owned));
        assert_null(owned);
        hm_shingle_store_free(st);
        hm_temp_fds_close(); /* as a batch ends: the next mode makes its own files */
    }
    if (saved)
        setenv("TMPDIR", saved, 1);
    else
        unsetenv("TMPDIR");
    free(saved);
    hm_buf_free(&passage);
    hm_buf_free(&a);
    hm_buf_free(&b);
}

/* The copy check's words are runs of the characters hm_is_word_cp takes,
 * whatever mix of ASCII and other UTF-8 the text is: each word as
 * hm_copy_passage quotes it is the run a plain decode finds. */
static void test_copy_words(void **state)
{
    (void)state;
    static const char *const pieces[] = {
        "a", "Z", "9", " ", ".", "'", "-", "\n", "\t", "_", "@", "[", "`", "{", "\x7f",
        "\xc3\xa9",         /* e acute: a letter */
        "\xc3\x97",         /* multiplication sign: not */
        "\xc2\xab",         /* guillemet: not */
        "\xce\xa9",         /* omega */
        "\xe2\x80\x99",     /* right quote: general punctuation, not */
        "\xe4\xb8\xad",     /* a CJK ideograph */
        "\xe3\x80\x82",     /* ideographic full stop: not */
        "\xef\xbb\xbf",     /* a byte order mark inside the text: not */
        "\xf0\x9f\x98\x80", /* an emoji: a word character by the rule */
    };
    for (int round = 0; round < 200; round++) {
        hm_buf text = {0};
        hm_buf_putc(&text, 'x'); /* so that no byte order mark comes first */
        size_t n_pieces = 1 + rnd() % 60;
        for (size_t k = 0; k < n_pieces; k++)
            hm_buf_puts(&text, pieces[rnd() % (sizeof pieces / sizeof *pieces)]);
        size_t i = 0, n_words = 0;
        while (i < text.len) {
            size_t start = i;
            if (!hm_is_word_cp(hm_utf8_next(text.data, text.len, &i)))
                continue;
            size_t end = i;
            while (end < text.len) {
                size_t next = end;
                if (!hm_is_word_cp(hm_utf8_next(text.data, text.len, &next)))
                    break;
                end = next;
            }
            i = end;
            char *word = hm_copy_passage(text.data, text.len, n_words++, 1, 0);
            assert_non_null(word);
            assert_int_equal(strlen(word), end - start);
            assert_memory_equal(word, text.data + start, end - start);
            free(word);
        }
        assert_null(hm_copy_passage(text.data, text.len, n_words, 1, 0));
        hm_buf_free(&text);
    }
}

/* Within a batch a temporary file given back is handed out again, emptied
 * (a large batch's spills would otherwise make an inode each), and the
 * batch's end closes those given back. */
static void test_temp_files_reused(void **state)
{
    (void)state;
    /* outside a batch, a file given back is closed */
    int lone = hm_temp_fd();
    assert_true(lone >= 0);
    hm_temp_fd_done(lone);
    assert_int_equal(fcntl(lone, F_GETFD), -1);
    hm_temp_fds_keep();
    int fd = hm_temp_fd();
    assert_true(fd >= 0);
    assert_true(hm_pwrite_all(fd, "old bytes", 9, 0));
    hm_temp_fd_done(fd);
    int again = hm_temp_fd();
    assert_int_equal(again, fd);
    char got[10] = {0};
    assert_false(hm_pread_all(again, got, 9, 0)); /* emptied: none of the old bytes */
    assert_true(hm_pwrite_all(again, "new", 3, 0));
    assert_true(hm_pread_all(again, got, 3, 0));
    assert_string_equal(got, "new");
    hm_temp_fd_done(again);
    hm_temp_fds_close();
    assert_int_equal(fcntl(fd, F_GETFD), -1); /* closed */
}

/* A passage shared by many essays is a common source, not a copy: with 200
 * essays a shingle held by more than 10 is ignored, so only the pair that
 * shares a second passage is flagged. The index works in memory when no
 * temporary file can be made. */
static void test_copy_common_source(void **state)
{
    (void)state;
    enum { N = 200 };
    const char *tmpdir = getenv("TMPDIR");
    char *saved = tmpdir ? hm_xstrdup(tmpdir) : NULL;
    for (int in_memory = 0; in_memory < 2; in_memory++) {
        if (in_memory)
            setenv("TMPDIR", "/nonexistent/histmark-test", 1);
        hm_buf textbook = {0}, shared = {0};
        random_words(&textbook, 200);
        random_words(&shared, 150);
        hm_copy *c = hm_copy_new(N);
        for (int i = 0; i < N; i++) {
            hm_buf e = {0};
            hm_buf_puts(&e, question);
            random_words(&e, 200);
            hm_buf_puts(&e, ".\n\n");
            hm_buf_put(&e, textbook.data, textbook.len);
            hm_buf_puts(&e, ".\n\n");
            if (i == 40 || i == 160)
                hm_buf_put(&e, shared.data, shared.len);
            else
                random_words(&e, 150);
            hm_buf_puts(&e, ".\n");
            hm_copy_set(c, (size_t)i, hm_shingles_make(e.data, e.len));
            hm_buf_free(&e);
        }
        const hm_copy_pair *pairs;
        assert_int_equal(hm_copy_find(c, 0.1, 3, &pairs), 1);
        assert_int_equal(pairs[0].a, 40);
        assert_int_equal(pairs[0].b, 160);
        assert_true(pairs[0].share > 0.2 && pairs[0].share < 0.4); /* 143 of 557 shingles */
        hm_copy_free(c);
        hm_buf_free(&textbook);
        hm_buf_free(&shared);
    }
    if (saved)
        setenv("TMPDIR", saved, 1);
    else
        unsetenv("TMPDIR");
    free(saved);
}

/* A very long essay is judged on the smallest of its sampled hashes: a
 * short essay that copies 300 of its 24,000 words still shows about half
 * its text shared. */
static void test_copy_long_essay(void **state)
{
    (void)state;
    hm_buf longer = {0}, shorter = {0};
    random_words(&longer, 24000);
    const char *mid = longer.data + longer.len / 2;
    while (*mid != ' ')
        mid++;
    mid++;
    const char *end = mid;
    for (int w = 0; w < 300; end++)
        w += *end == ' ';
    random_words(&shorter, 300);
    hm_buf_puts(&shorter, " ");
    hm_buf_put(&shorter, mid, (size_t)(end - mid));
    hm_copy *c = hm_copy_new(2);
    hm_copy_set(c, 0, hm_shingles_make(longer.data, longer.len));
    hm_copy_set(c, 1, hm_shingles_make(shorter.data, shorter.len));
    const hm_copy_pair *pairs;
    assert_int_equal(hm_copy_find(c, 0.1, 3, &pairs), 1);
    assert_int_equal(pairs[0].from_essay, 1);
    assert_true(pairs[0].share > 0.35 && pairs[0].share < 0.65);
    hm_copy_free(c);
    hm_buf_free(&longer);
    hm_buf_free(&shorter);
}

/* The pair search on several threads finds the pairs one thread finds, in
 * the same order: essays that each share passages with several others, of
 * a few lengths (ties in share), so that the best three of an essay are
 * chosen among offers that come from different threads. */
static void test_copy_threads(void **state)
{
    (void)state;
    enum { ESSAYS = 40, PASSAGES = 20 };
    hm_buf passage[PASSAGES];
    for (int p = 0; p < PASSAGES; p++) {
        memset(&passage[p], 0, sizeof passage[p]);
        random_words(&passage[p], 40 + (size_t)(p % 3) * 20);
    }
    hm_copy *c = hm_copy_new(ESSAYS);
    for (int i = 0; i < ESSAYS; i++) {
        hm_buf e = {0};
        random_words(&e, 100);
        hm_buf_puts(&e, ".\n\n");
        hm_buf_put(&e, passage[i % PASSAGES].data, passage[i % PASSAGES].len);
        hm_buf_puts(&e, ".\n\n");
        hm_buf_put(&e, passage[(i * 7 + 3) % PASSAGES].data, passage[(i * 7 + 3) % PASSAGES].len);
        hm_buf_puts(&e, ".\n");
        hm_copy_set(c, (size_t)i, hm_shingles_make(e.data, e.len));
        hm_buf_free(&e);
    }
    const hm_copy_pair *pairs;
    size_t n = hm_copy_find(c, 0.05, 3, &pairs);
    assert_true(n > ESSAYS / 2);
    hm_copy_pair *one = malloc(n * sizeof *one);
    memcpy(one, pairs, n * sizeof *one);
    /* the last find (a batch's) gives back the postings as it pairs them:
     * the same pairs, then none */
    for (unsigned jobs = 2; jobs <= 16; jobs += 7) {
        size_t got = jobs < 16 ? hm_copy_find_threads(c, 0.05, 3, jobs, &pairs)
                               : hm_copy_find_last(c, 0.05, 3, 2, &pairs);
        assert_int_equal(got, n);
        for (size_t k = 0; k < n; k++) {
            assert_int_equal(pairs[k].a, one[k].a);
            assert_int_equal(pairs[k].b, one[k].b);
            assert_int_equal(pairs[k].shared, one[k].shared);
            assert_true(pairs[k].share == one[k].share);
        }
    }
    assert_int_equal(hm_copy_find(c, 0.05, 3, &pairs), 0);
    free(one);
    hm_copy_free(c);
    for (int p = 0; p < PASSAGES; p++)
        hm_buf_free(&passage[p]);
}

/* Essays set from several threads, each into a lane of its own (a batch
 * too large to hold, so on disk), give the pairs one lane gives. */
static void test_copy_lanes(void **state)
{
    (void)state;
    enum { ESSAYS = 300, PASSAGES = 40 };
    hm_buf passage[PASSAGES];
    for (int p = 0; p < PASSAGES; p++) {
        memset(&passage[p], 0, sizeof passage[p]);
        random_words(&passage[p], 40 + (size_t)(p % 3) * 20);
    }
    hm_copy *one = hm_copy_new(ESSAYS), *three = hm_copy_new_lanes(ESSAYS, 3);
    assert_int_equal(hm_copy_lanes(one), 1);
    assert_int_equal(hm_copy_lanes(three), 3);
    for (int i = 0; i < ESSAYS; i++) {
        hm_buf e = {0};
        random_words(&e, 80);
        hm_buf_puts(&e, ".\n\n");
        hm_buf_put(&e, passage[i % PASSAGES].data, passage[i % PASSAGES].len);
        hm_buf_puts(&e, ".\n");
        hm_copy_set(one, (size_t)i, hm_shingles_make(e.data, e.len));
        hm_copy_set_lane(three, (size_t)(i * 7 % 3), (size_t)i, hm_shingles_make(e.data, e.len));
        hm_buf_free(&e);
    }
    const hm_copy_pair *p1, *p3;
    size_t n = hm_copy_find_threads(one, 0.05, 3, 2, &p1);
    assert_true(n > ESSAYS / 2);
    assert_int_equal(hm_copy_find_threads(three, 0.05, 3, 2, &p3), n);
    for (size_t k = 0; k < n; k++) {
        assert_int_equal(p3[k].a, p1[k].a);
        assert_int_equal(p3[k].b, p1[k].b);
        assert_true(p3[k].share == p1[k].share);
    }
    hm_copy_free(one);
    hm_copy_free(three);
    /* a batch held in memory has one lane, whatever is asked */
    hm_copy *small = hm_copy_new_lanes(10, 4);
    assert_int_equal(hm_copy_lanes(small), 1);
    hm_copy_free(small);
    for (int p = 0; p < PASSAGES; p++)
        hm_buf_free(&passage[p]);
}

/* Front-coded names come back as they went in, across restarts and long
 * shared prefixes. */
static void test_names(void **state)
{
    (void)state;
    hm_names l = {0};
    hm_buf want[70], got = {0};
    for (int i = 0; i < 70; i++) {
        memset(&want[i], 0, sizeof want[i]);
        if (i == 20)
            ; /* empty */
        else if (i >= 30 && i < 40) /* a shared prefix longer than 127 bytes: a two-byte count */
            hm_buf_printf(&want[i], "/%0200d/essay-%d.txt", 7, i);
        else
            hm_buf_printf(&want[i], "/home/t/class/%s/essay-%05d.txt", i % 3 ? "b" : "a", i / 2);
        hm_names_add(&l, want[i].data ? want[i].data : "", want[i].len);
    }
    for (int k = 0; k < 70; k++) {
        int i = (k * 37) % 70;
        assert_string_equal(hm_names_get(&l, (size_t)i, &got), want[i].data ? want[i].data : "");
    }
    size_t plain = 0;
    for (int i = 0; i < 70; i++) {
        plain += want[i].len + 1;
        hm_buf_free(&want[i]);
    }
    assert_true(l.data.len < plain / 2);
    hm_buf_free(&got);
    hm_names_free(&l);
}

/* The summary lists the 100 pairs with the largest shares, best first, and
 * counts the rest. */
static void test_summary_copies_capped(void **state)
{
    (void)state;
    hm_summary *s = hm_summary_new();
    for (int i = 0; i < 150; i++) {
        char a[32], b[32];
        snprintf(a, sizeof a, "a%03d.txt", i);
        snprintf(b, sizeof b, "b%03d.txt", i);
        hm_summary_add_copy(s, a, b, 0.1 + (double)((i * 7) % 150) / 200, "a passage");
    }
    hm_buf text = {0}, json = {0};
    hm_summary_render_text(s, 0, to_buf, &text);
    hm_summary_render_json(s, to_buf, &json);
    size_t listed = 0;
    for (const char *p = text.data; (p = strstr(p, " is shared, such as")) != NULL; p++)
        listed++;
    assert_int_equal(listed, 100);
    assert_non_null(strstr(text.data, "and 50 more pairs with smaller shares"));
    /* i = 107 has the largest share, 0.1 + 149 / 200 */
    const char *first = strstr(text.data, "Possible copying\n");
    assert_non_null(first);
    assert_true(strncmp(first + strlen("Possible copying\n"), "  a107.txt and b107.txt: 84%", 28) == 0);
    assert_non_null(strstr(json.data, "\"possible_copies_not_listed\":50"));
    assert_non_null(strstr(json.data, "{\"files\":[\"a107.txt\",\"b107.txt\"],\"share\":0.845,"));
    hm_buf_free(&text);
    hm_buf_free(&json);
    hm_summary_free(s);
}

/* A warning added after analysis reaches every renderer. */
static void test_added_warning(void **state)
{
    (void)state;
    const char *essay = "How far did the NEP succeed?\n\nIn 1921 Lenin introduced the NEP.\n";
    hm_result *r = hm_analyze(cfg, essay, strlen(essay), NULL, NULL);
    size_t before = hm_result_warning_count(r);
    hm_result_add_warning(r, "possible-copy", "shares text with b.txt");
    hm_result_add_warning(r, "possible-copy", "shares text with c.txt");
    assert_int_equal(hm_result_warning_count(r), before + 2);
    assert_string_equal(hm_result_warning(r, before + 1)->message, "shares text with c.txt");
    hm_buf b = {0};
    hm_render_json(r, 0, to_buf, &b);
    assert_non_null(strstr(b.data, "{\"code\":\"possible-copy\",\"message\":\"shares text with b.txt\"}"));
    hm_buf_free(&b);
    double v = -1;
    assert_true(hm_result_feature(r, "words", &v) && v > 0);
    assert_false(hm_result_feature(r, "no-such-feature", &v));
    hm_result_free(r);
}

/* Every gap the shipped rubric can give has plain words in the class
 * overview, not one essay's paragraph numbers standing for the group. */
static void test_every_rubric_gap_has_a_label(void **state)
{
    (void)state;
    const hm_rubric *r = &cfg->rubric;
    for (size_t s = 0; s < r->n_strands; s++)
        for (int l = 0; l < 5; l++)
            for (size_t i = 0; i < r->strands[s].levels[l].n_reqs; i++) {
                const hm_cond *cd = &r->strands[s].levels[l].reqs[i];
                if (!cd->gap)
                    continue;
                const char *name = hm_feature_name(cd->feature);
                if (!hm_summary_feature_label(name))
                    fail_msg("feature %s has a gap but no label in the class overview", name);
            }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_walk_order_hidden_loops),
        cmocka_unit_test(test_walk_stops_and_reports),
        cmocka_unit_test(test_docx_text),
        cmocka_unit_test(test_docx_errors),
        cmocka_unit_test(test_csv_quoting),
        cmocka_unit_test(test_copy_detection),
        cmocka_unit_test(test_copy_normalises),
        cmocka_unit_test(test_copy_words),
        cmocka_unit_test(test_copy_stored_passage),
        cmocka_unit_test(test_temp_files_reused),
        cmocka_unit_test(test_copy_common_source),
        cmocka_unit_test(test_copy_long_essay),
        cmocka_unit_test(test_copy_threads),
        cmocka_unit_test(test_copy_lanes),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_summary_copies_capped),
        cmocka_unit_test(test_added_warning),
        cmocka_unit_test(test_every_rubric_gap_has_a_label),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
