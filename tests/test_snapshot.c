/* YAML snapshots (src/snapshot.c): a decoded snapshot is the tree libyaml
 * loads, node for node and mark for mark; a damaged one is refused; only
 * the built-in bytes themselves are served from the built-in snapshots. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "built.h"
#include "config.h"
#include "patcache.h"
#include "snapshot.h"
#include "yamlcache.h"
#include "yamlwalk.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

static bool parse(const char *text, size_t len, yaml_document_t *doc)
{
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser))
        return false;
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    bool ok = yaml_parser_load(&parser, doc);
    yaml_parser_delete(&parser);
    return ok;
}

static void assert_mark(yaml_mark_t a, yaml_mark_t b)
{
    assert_int_equal(a.index, b.index);
    assert_int_equal(a.line, b.line);
    assert_int_equal(a.column, b.column);
}

static void assert_same_tree(yaml_document_t *a, yaml_document_t *b)
{
    assert_int_equal(a->nodes.top - a->nodes.start, b->nodes.top - b->nodes.start);
    assert_int_equal(a->start_implicit, b->start_implicit);
    assert_int_equal(a->end_implicit, b->end_implicit);
    assert_mark(a->start_mark, b->start_mark);
    assert_mark(a->end_mark, b->end_mark);
    for (yaml_node_t *x = a->nodes.start, *y = b->nodes.start; x < a->nodes.top; x++, y++) {
        assert_int_equal(x->type, y->type);
        assert_true((x->tag == NULL) == (y->tag == NULL));
        if (x->tag)
            assert_string_equal((const char *)x->tag, (const char *)y->tag);
        assert_mark(x->start_mark, y->start_mark);
        assert_mark(x->end_mark, y->end_mark);
        switch (x->type) {
        case YAML_SCALAR_NODE:
            assert_int_equal(x->data.scalar.length, y->data.scalar.length);
            assert_memory_equal(x->data.scalar.value, y->data.scalar.value, x->data.scalar.length + 1);
            assert_int_equal(x->data.scalar.style, y->data.scalar.style);
            break;
        case YAML_SEQUENCE_NODE: {
            size_t n = (size_t)(x->data.sequence.items.top - x->data.sequence.items.start);
            assert_int_equal(n, y->data.sequence.items.top - y->data.sequence.items.start);
            for (size_t i = 0; i < n; i++)
                assert_int_equal(x->data.sequence.items.start[i], y->data.sequence.items.start[i]);
            assert_int_equal(x->data.sequence.style, y->data.sequence.style);
            break;
        }
        case YAML_MAPPING_NODE: {
            size_t n = (size_t)(x->data.mapping.pairs.top - x->data.mapping.pairs.start);
            assert_int_equal(n, y->data.mapping.pairs.top - y->data.mapping.pairs.start);
            for (size_t i = 0; i < n; i++) {
                assert_int_equal(x->data.mapping.pairs.start[i].key, y->data.mapping.pairs.start[i].key);
                assert_int_equal(x->data.mapping.pairs.start[i].value, y->data.mapping.pairs.start[i].value);
            }
            assert_int_equal(x->data.mapping.style, y->data.mapping.style);
            break;
        }
        default:
            fail();
        }
    }
}

static hm_buf snapshot_of(const char *text, size_t len)
{
    yaml_document_t doc;
    assert_true(parse(text, len, &doc));
    unsigned char hash[HM_SHA256_LEN];
    hm_sha256(text, len, hash);
    hm_buf b = {0};
    assert_true(hm_snapshot_encode(&doc, len, hash, &b));
    yaml_document_delete(&doc);
    return b;
}

static void round_trip(const char *text, size_t len)
{
    hm_buf b = snapshot_of(text, len);
    yaml_document_t want, got;
    assert_true(parse(text, len, &want));
    unsigned char src_hash[HM_SHA256_LEN];
    hm_sha256(text, len, src_hash);
    assert_true(hm_snapshot_decode((const unsigned char *)b.data, b.len, len, src_hash, &got));
    assert_same_tree(&want, &got);
    size_t src_len;
    unsigned char hash[HM_SHA256_LEN], want_hash[HM_SHA256_LEN];
    assert_true(hm_snapshot_source((const unsigned char *)b.data, b.len, &src_len, hash));
    hm_sha256(text, len, want_hash);
    assert_int_equal(src_len, len);
    assert_memory_equal(hash, want_hash, HM_SHA256_LEN);
    yaml_document_delete(&want);
    hm_snapshot_doc_free(&got);
    hm_buf_free(&b);
}

static const char tricky[] =
    "# comment\n"
    "plain: value\n"
    "quoted: \"two\\nlines and a \\0 NUL\"\n"
    "single: 'it''s'\n"
    "literal: |\n  line one\n  line two\n"
    "folded: >-\n  folded\n  text\n"
    "flow: [a, 'b', {c: d}]\n"
    "empty_seq: []\n"
    "empty_map: {}\n"
    "anchor: &x {k: v}\n"
    "alias: *x\n"
    "tagged: !!int 12\n"
    "custom: !mine value\n"
    "null_value:\n"
    "unicode: \"Stalin \xe2\x80\x94 \xc3\xa9t\xc3\xa9\"\n"
    "nested:\n  - - deep\n    - er\n  - key: [1, 2]\n";

static void test_round_trip(void **state)
{
    (void)state;
    round_trip(tricky, sizeof tricky - 1);
    round_trip("", 0);                 /* no document: no nodes */
    round_trip("--- just a scalar\n...\n", 22);
    round_trip("a: 1\n---\nb: 2\n", 14); /* the first document only, as libyaml loads */
}

/* Every built-in file's snapshot was made from its own bytes and decodes to
 * exactly the tree libyaml parses from them. */
static void test_builtin_snapshots(void **state)
{
    (void)state;
    for (size_t i = 0; i < hm_builtin_file_count; i++) {
        const hm_builtin_file *f = &hm_builtin_files[i];
        assert_non_null(f->snapshot);
        size_t src_len;
        unsigned char hash[HM_SHA256_LEN], want[HM_SHA256_LEN];
        assert_true(hm_snapshot_source(f->snapshot, f->snapshot_len, &src_len, hash));
        hm_sha256(f->data, f->len, want);
        assert_int_equal(src_len, f->len);
        assert_memory_equal(hash, want, HM_SHA256_LEN);
        yaml_document_t parsed, decoded;
        assert_true(parse(f->data, f->len, &parsed));
        assert_true(hm_snapshot_decode(f->snapshot, f->snapshot_len, f->len, want, &decoded));
        assert_same_tree(&parsed, &decoded);
        yaml_document_delete(&parsed);
        hm_snapshot_doc_free(&decoded);
    }
}

/* The rules, read as YAML on every run, carry their tree as flat records,
 * which load to exactly the tree libyaml parses from their bytes; the
 * loader takes them. */
static void test_builtin_trees(void **state)
{
    (void)state;
    size_t trees = 0;
    for (size_t i = 0; i < hm_builtin_file_count; i++) {
        const hm_builtin_file *f = &hm_builtin_files[i];
        const hm_flat_tree *tree = hm_builtin_trees[i];
        assert_int_equal(tree != NULL, strcmp(f->name, "rubrics/rules.yaml") == 0);
        if (!tree)
            continue;
        trees++;
        yaml_document_t parsed, loaded;
        assert_true(parse(f->data, f->len, &parsed));
        hm_flat_tree_load(tree, &loaded);
        assert_same_tree(&parsed, &loaded);
        hm_snapshot_doc_free(&loaded);
        hm_error err = {0};
        hm_yaml y;
        assert_true(hm_yaml_load(&y, f->data, f->len, f->name, &err));
        assert_true(y.from_snapshot);
        assert_same_tree(&parsed, &y.doc);
        hm_yaml_free(&y);
        yaml_document_delete(&parsed);
    }
    assert_int_equal(trees, 1);
}

/* Cut short anywhere, or any byte changed: refused, never a wrong tree. */
static void test_damaged_refused(void **state)
{
    (void)state;
    const size_t len = sizeof tricky - 1;
    hm_buf b = snapshot_of(tricky, len);
    unsigned char hash[HM_SHA256_LEN];
    hm_sha256(tricky, len, hash);
    yaml_document_t doc;
    for (size_t n = 0; n < b.len; n++)
        assert_false(hm_snapshot_decode((const unsigned char *)b.data, n, len, hash, &doc));
    unsigned char *copy = malloc(b.len);
    for (size_t i = 0; i < b.len; i++) {
        memcpy(copy, b.data, b.len);
        copy[i] ^= 0x5a;
        assert_false(hm_snapshot_decode(copy, b.len, len, hash, &doc));
        /* Unchecked (as the built-in ones are), a changed body must still
         * decode safely (the sanitizer build watches) or be refused. */
        if (hm_snapshot_decode(copy, b.len, len, NULL, &doc))
            hm_snapshot_doc_free(&doc);
    }
    /* Made from other bytes: refused. */
    assert_false(hm_snapshot_decode((const unsigned char *)b.data, b.len, len + 1, NULL, &doc));
    hash[0] ^= 1;
    assert_false(hm_snapshot_decode((const unsigned char *)b.data, b.len, len, hash, &doc));
    free(copy);
    hm_buf_free(&b);
}

/* The loader takes the snapshot for the built-in bytes only: a copy of
 * them, or an edited copy, is parsed, and the edit is seen. */
static void test_loader_uses_snapshot_for_builtin_only(void **state)
{
    (void)state;
    const hm_builtin_file *f = hm_builtin_find("rubrics/rules.yaml");
    assert_non_null(f);
    hm_error err = {0};
    hm_yaml y;
    assert_true(hm_yaml_load(&y, f->data, f->len, f->name, &err));
    assert_true(y.from_snapshot);
    hm_yaml_free(&y);

    char *copy = hm_xstrndup(f->data, f->len);
    assert_true(hm_yaml_load(&y, copy, f->len, "copy.yaml", &err));
    assert_false(y.from_snapshot);
    hm_yaml_free(&y);

    /* An edit that breaks the YAML is reported at its position. */
    char *tab = strstr(copy, "\n  - id:");
    assert_non_null(tab);
    tab[1] = '\t';
    assert_false(hm_yaml_load(&y, copy, f->len, "copy.yaml", &err));
    assert_int_equal(err.code, HM_ERR_YAML);
    assert_true(err.line > 1);
    hm_yaml_free(&y);
    free(copy);
}

/* Every built-in compiled pattern is what pcre2_compile makes of it now. */
static void test_builtin_patterns(void **state)
{
    (void)state;
    assert_true(hm_builtin_pattern_count > 30);
    for (size_t i = 0; i < hm_builtin_pattern_count; i++) {
        const hm_builtin_pattern *p = &hm_builtin_patterns[i];
        pcre2_code *cached = hm_patcache_find(p->pattern, p->pattern_len, p->options);
        assert_non_null(cached);
        int code;
        PCRE2_SIZE offset;
        pcre2_code *fresh = pcre2_compile((PCRE2_SPTR)p->pattern, p->pattern_len, p->options, &code, &offset, NULL);
        assert_non_null(fresh);
        const uint32_t what[] = {PCRE2_INFO_SIZE, PCRE2_INFO_CAPTURECOUNT, PCRE2_INFO_ALLOPTIONS,
                                 PCRE2_INFO_FIRSTCODETYPE, PCRE2_INFO_MINLENGTH, PCRE2_INFO_BACKREFMAX};
        for (size_t k = 0; k < sizeof what / sizeof *what; k++) {
            size_t a = 0, b = 0; /* PCRE2_INFO_SIZE is a size_t, the rest uint32_t */
            pcre2_pattern_info(cached, what[k], &a);
            pcre2_pattern_info(fresh, what[k], &b);
            assert_int_equal(a, b);
        }
        pcre2_code_free(cached);
        pcre2_code_free(fresh);
    }
    /* Not in the table: compile it. */
    assert_null(hm_patcache_find("x", 1, PCRE2_UTF));
}

static size_t count_entries(const char *dir)
{
    size_t n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        n += strncmp(e->d_name, "yaml-", 5) == 0;
    closedir(d);
    return n;
}

/* Loads text with hm_yaml_load, checks the tree is libyaml's, and says
 * whether it came from a snapshot. */
static bool load_from_snapshot(const char *text)
{
    hm_error err = {0};
    hm_yaml y;
    assert_true(hm_yaml_load(&y, text, strlen(text), "user.yaml", &err));
    bool snap = y.from_snapshot;
    yaml_document_t parsed;
    assert_true(parse(text, strlen(text), &parsed));
    assert_same_tree(&parsed, &y.doc);
    yaml_document_delete(&parsed);
    hm_yaml_free(&y);
    return snap;
}

/* The on-disk cache for user files: a second load is served from it, an
 * edited file never is, a damaged entry is parsed over, and
 * HISTMARK_NO_CACHE turns it off. */
static void test_user_cache(void **state)
{
    (void)state;
    char base[] = "/tmp/histmark-test-cache-XXXXXX";
    assert_non_null(mkdtemp(base));
    setenv("XDG_CACHE_HOME", base, 1);
    unsetenv("HISTMARK_NO_CACHE");
    char dir[600];
    snprintf(dir, sizeof dir, "%s/histmark", base);

    assert_null(hm_yaml_cache_dir()); /* off until turned on */
    assert_false(load_from_snapshot(tricky));
    assert_int_equal(count_entries(dir), 0);

    hm_yaml_cache_enable(true);
    assert_string_equal(hm_yaml_cache_dir(), dir);
    assert_false(load_from_snapshot(tricky)); /* parsed, then stored */
    assert_int_equal(count_entries(dir), 1);
    assert_true(load_from_snapshot(tricky));  /* served */

    char *edited = hm_xstrdup(tricky);
    edited[strlen("# comment\nplain: ")] = 'V';     /* same length, other bytes */
    assert_false(load_from_snapshot(edited));
    assert_int_equal(count_entries(dir), 2);
    assert_true(load_from_snapshot(edited));

    /* Damage every entry: parsed again (and the entry rewritten). */
    DIR *d = opendir(dir);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, "yaml-", 5) != 0)
            continue;
        char path[1200];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        FILE *f = fopen(path, "r+b");
        assert_non_null(f);
        fseek(f, 200, SEEK_SET);
        fputc('!', f);
        fclose(f);
    }
    closedir(d);
    assert_false(load_from_snapshot(tricky));
    assert_true(load_from_snapshot(tricky));

    setenv("HISTMARK_NO_CACHE", "1", 1);
    assert_null(hm_yaml_cache_dir());
    assert_false(load_from_snapshot(tricky));
    unsetenv("HISTMARK_NO_CACHE");

    /* An unusable folder (a file in its place) is a miss, silently. */
    setenv("XDG_CACHE_HOME", "/dev/null", 1);
    assert_false(load_from_snapshot(tricky));
    hm_yaml_cache_enable(false);
    unsetenv("XDG_CACHE_HOME");

    d = opendir(dir);
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.') {
            char path[1200];
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            unlink(path);
        }
    closedir(d);
    rmdir(dir);
    rmdir(base);
    free(edited);
}

/* Found by fuzz_snapshot (tests/regressions/snapshot-delta-overflow.bin, a
 * 0 byte then the snapshot): a mark's delta so large that adding it to the
 * previous position overflowed before the range check. Refused now; the
 * sanitizer build would stop on the overflow. */
static void test_hostile_delta_refused(void **state)
{
    (void)state;
    const char *dir = getenv("HISTMARK_SOURCE_DIR");
    if (!dir)
        skip();
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/regressions/snapshot-delta-overflow.bin", dir);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static unsigned char data[1 << 16];
    size_t n = fread(data, 1, sizeof data, f);
    fclose(f);
    assert_true(n > 1 && data[0] == 0);
    size_t src_len;
    unsigned char hash[HM_SHA256_LEN];
    yaml_document_t doc;
    assert_true(hm_snapshot_source(data + 1, n - 1, &src_len, hash));
    assert_false(hm_snapshot_decode(data + 1, n - 1, src_len, NULL, &doc));
}

/* ---- the lists and packs as the build loaded them (src/built.h) ---- */

/* No field left behind: with every pointer (and the lock, and `built`) set
 * aside, a built struct is byte for byte the loaded one, so a field that a
 * loader fills and tools/genbuilt.h does not write fails here. The loaders
 * zero these structs and fill them field by field, and static data has zero
 * padding, so the padding compares equal too. */
static void assert_same_plain_topic(const hm_topic *built, const hm_topic *loaded)
{
    hm_topic a, b;
    memcpy(&a, built, sizeof a);
    memcpy(&b, loaded, sizeof b);
    hm_topic *t[2] = {&a, &b};
    for (int k = 0; k < 2; k++) {
        t[k]->id = t[k]->name = t[k]->file = NULL;
        t[k]->keywords.slots = t[k]->places.slots = NULL;
        t[k]->people = t[k]->events = NULL;
        t[k]->terms = t[k]->name_tokens = t[k]->date_whats = NULL;
        t[k]->name_token_person = NULL;
        t[k]->date_years = NULL;
        t[k]->people_re = t[k]->events_re = t[k]->terms_re = NULL;
        t[k]->people_aliases = t[k]->events_aliases = NULL; /* made at load from the entries */
        memset(&t[k]->jit_lock, 0, sizeof t[k]->jit_lock);
        memset((void *)&t[k]->jit_done, 0, sizeof t[k]->jit_done);
        t[k]->built = false;
    }
    assert_memory_equal(&a, &b, sizeof a);
}

static void assert_same_plain_list(const hm_list *built, const hm_list *loaded)
{
    hm_list a, b;
    memcpy(&a, built, sizeof a);
    memcpy(&b, loaded, sizeof b);
    hm_list *l[2] = {&a, &b};
    for (int k = 0; k < 2; k++) {
        l[k]->name = NULL;
        l[k]->items = NULL;
        l[k]->exact = l[k]->folded = l[k]->tables = NULL;
    }
    assert_memory_equal(&a, &b, sizeof a);
}

static void assert_same_plain_rubric(const hm_rubric *built, const hm_rubric *loaded)
{
    hm_rubric a, b;
    memcpy(&a, built, sizeof a);
    memcpy(&b, loaded, sizeof b);
    hm_rubric *r[2] = {&a, &b};
    for (int k = 0; k < 2; k++) {
        r[k]->name = r[k]->file = NULL;
        for (int i = 0; i < 5; i++)
            r[k]->bands[i].label = NULL;
        r[k]->strands = NULL;
        r[k]->caps = r[k]->warnings = r[k]->advice = NULL;
        r[k]->built = false;
    }
    assert_memory_equal(&a, &b, sizeof a);
}

static void assert_same_plain_entry(const hm_topic_entry *built, const hm_topic_entry *loaded)
{
    hm_topic_entry a, b;
    memcpy(&a, built, sizeof a);
    memcpy(&b, loaded, sizeof b);
    a.name = a.role = a.date = a.since = b.name = b.role = b.date = b.since = NULL;
    a.aliases = b.aliases = NULL;
    assert_memory_equal(&a, &b, sizeof a);
}

static void assert_same_plain_cond(const hm_cond *built, const hm_cond *loaded)
{
    hm_cond a, b;
    memcpy(&a, built, sizeof a);
    memcpy(&b, loaded, sizeof b);
    a.gap = a.strength = b.gap = b.strength = NULL;
    assert_memory_equal(&a, &b, sizeof a);
}

static void assert_same_plain_check(const hm_check *built, const hm_check *loaded)
{
    hm_check a, b;
    memcpy(&a, built, sizeof a);
    memcpy(&b, loaded, sizeof b);
    a.conds = b.conds = NULL;
    a.code = a.message = b.code = b.message = NULL;
    assert_memory_equal(&a, &b, sizeof a);
}

static void assert_same_plain_strand(const hm_strand_def *built, const hm_strand_def *loaded)
{
    hm_strand_def a, b;
    memcpy(&a, built, sizeof a);
    memcpy(&b, loaded, sizeof b);
    a.id = a.name = b.id = b.name = NULL;
    for (int l = 0; l < 5; l++) {
        a.levels[l].descriptor = b.levels[l].descriptor = NULL;
        a.levels[l].reqs = b.levels[l].reqs = NULL;
    }
    assert_memory_equal(&a, &b, sizeof a);
}

static void assert_same_strs(char *const *a, char *const *b, size_t n)
{
    assert_true((a == NULL) == (b == NULL));
    for (size_t i = 0; i < n; i++)
        assert_string_equal(a[i], b[i]);
}

static void assert_same_set(const hm_strset *a, const hm_strset *b)
{
    assert_int_equal(a->cap, b->cap);
    assert_int_equal(a->count, b->count);
    assert_int_equal(a->fold, b->fold);
    assert_int_equal(a->borrowed, b->borrowed);
    for (size_t i = 0; i < a->cap; i++) {
        assert_true((a->slots[i].str == NULL) == (b->slots[i].str == NULL));
        if (!a->slots[i].str)
            continue;
        assert_int_equal(a->slots[i].len, b->slots[i].len);
        assert_int_equal(a->slots[i].hash, b->slots[i].hash);
        assert_string_equal(a->slots[i].str, b->slots[i].str);
    }
}

static void assert_same_entries(const hm_topic_entry *a, const hm_topic_entry *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        assert_same_plain_entry(&a[i], &b[i]);
        assert_string_equal(a[i].name, b[i].name);
        assert_true((a[i].role == NULL) == (b[i].role == NULL));
        if (a[i].role)
            assert_string_equal(a[i].role, b[i].role);
        assert_true((a[i].date == NULL) == (b[i].date == NULL));
        if (a[i].date)
            assert_string_equal(a[i].date, b[i].date);
        assert_true((a[i].since == NULL) == (b[i].since == NULL));
        if (a[i].since)
            assert_string_equal(a[i].since, b[i].since);
        assert_int_equal(a[i].n_aliases, b[i].n_aliases);
        assert_same_strs(a[i].aliases, b[i].aliases, a[i].n_aliases);
    }
}

/* The built-in bytes themselves take the built data, which is what the
 * loaders make from the same bytes elsewhere (a copy): field for field, and
 * sharing what the loaded structure shares. A copy of the bytes, or other
 * lists, take the YAML. */
static void test_built_lists_and_packs(void **state)
{
    (void)state;
    assert_true(hm_built_topic_count > 0);
    const hm_builtin_file *lf = hm_builtin_find("rubrics/lists.yaml");
    assert_non_null(lf);
    hm_error err = {0};
    hm_config *cfg = hm_xcalloc(1, sizeof *cfg);
    assert_true(hm_lists_load(&cfg->lists, lf->data, lf->len, lf->name, &err));
    assert_true(cfg->lists.built);
    char *copy = hm_xmalloc(lf->len + 1);
    memcpy(copy, lf->data, lf->len + 1);
    hm_lists yaml;
    assert_true(hm_lists_load(&yaml, copy, lf->len, lf->name, &err));
    assert_false(yaml.built);
    assert_int_equal(cfg->lists.n, yaml.n);
    for (size_t i = 0; i < yaml.n; i++) {
        const hm_list *a = &cfg->lists.lists[i], *b = &yaml.lists[i];
        assert_same_plain_list(&hm_built_lists_data.lists[i], b);
        assert_string_equal(a->name, b->name);
        assert_int_equal(a->n, b->n);
        assert_same_strs(a->items, b->items, a->n);
        assert_int_equal(a->cap, b->cap);
        assert_null(a->tables);
        if (a->cap) {
            assert_memory_equal(a->exact, b->exact, 2 * a->cap * sizeof *a->exact);
            assert_memory_equal(a->folded, b->folded, 2 * a->cap * sizeof *a->folded);
        }
        for (size_t k = 0; k < a->n; k++) {
            size_t n = strlen(a->items[k]);
            assert_true(hm_list_has(a, a->items[k], n));
            assert_true(hm_list_has_fold(a, a->items[k], n));
            assert_false(n > 1 && hm_list_has(a, a->items[k], n - 1) && !hm_list_has(b, a->items[k], n - 1));
        }
    }
    /* exact and folded lookups, a prefix, a longer text, a NUL inside */
    const hm_list *months = cfg->lists.months;
    assert_true(hm_list_has(months, "January", 7));
    assert_false(hm_list_has(months, "JANUARY", 7));
    assert_true(hm_list_has_fold(months, "JANUARY", 7));
    assert_false(hm_list_has_fold(months, "JANUAR", 6));
    assert_false(hm_list_has(months, "Januaryx", 8));
    assert_false(hm_list_has(months, "January\0", 8));
    assert_false(hm_list_has(&cfg->lists.empty, "January", 7));
    assert_ptr_equal(cfg->lists.given_names, &cfg->lists.lists[yaml.given_names - yaml.lists]);
    free(copy);

    for (size_t i = 0; i < hm_built_topic_count; i++) {
        const hm_builtin_file *tf = hm_builtin_find(hm_built_topics[i].file);
        assert_non_null(tf);
        hm_topic a, b;
        assert_true(hm_topic_load(cfg, &a, tf->data, tf->len, tf->name, &err));
        assert_true(a.built);
        copy = hm_xmalloc(tf->len + 1);
        memcpy(copy, tf->data, tf->len + 1);
        assert_true(hm_topic_load(cfg, &b, copy, tf->len, tf->name, &err));
        assert_false(b.built);
        assert_same_plain_topic(&hm_built_topics[i].topic, &b);
        assert_string_equal(a.id, b.id);
        assert_string_equal(a.name, b.name);
        assert_string_equal(a.file, b.file);
        assert_int_equal(a.period_start, b.period_start);
        assert_int_equal(a.period_end, b.period_end);
        assert_same_set(&a.keywords, &b.keywords);
        assert_int_equal(a.n_people, b.n_people);
        assert_int_equal(a.n_events, b.n_events);
        assert_same_entries(a.people, b.people, a.n_people);
        assert_same_entries(a.events, b.events, a.n_events);
        assert_same_set(&a.places, &b.places);
        assert_int_equal(a.n_terms, b.n_terms);
        assert_same_strs(a.terms, b.terms, a.n_terms);
        assert_int_equal(a.n_name_tokens, b.n_name_tokens);
        for (size_t k = 0; k < a.n_name_tokens; k++) {
            assert_int_equal(a.name_token_person[k], b.name_token_person[k]);
            /* a name token is its person's alias itself, as loaded */
            const hm_topic_entry *p = &a.people[a.name_token_person[k]];
            bool shared = false;
            for (size_t j = 0; j < p->n_aliases; j++)
                shared |= p->aliases[j] == a.name_tokens[k];
            assert_true(shared);
            assert_string_equal(a.name_tokens[k], b.name_tokens[k]);
        }
        assert_int_equal(a.n_dates, b.n_dates);
        for (size_t k = 0; k < a.n_dates; k++) {
            assert_int_equal(a.date_years[k], b.date_years[k]);
            assert_string_equal(a.date_whats[k], b.date_whats[k]);
        }
        hm_topic_free(&a);
        hm_topic_free(&b);
        free(copy);
    }

    /* Other lists (here a copy): the packs are loaded from their YAML. */
    hm_lists_free(&cfg->lists);
    cfg->lists = yaml;
    const hm_builtin_file *tf = hm_builtin_find(hm_built_topics[0].file);
    hm_topic t;
    assert_true(hm_topic_load(cfg, &t, tf->data, tf->len, tf->name, &err));
    assert_false(t.built);
    hm_topic_free(&t);
    hm_lists_free(&cfg->lists);
    free(cfg);
}

static void assert_same_str_or_null(const char *a, const char *b)
{
    assert_true((a == NULL) == (b == NULL));
    if (a)
        assert_string_equal(a, b);
}

static void assert_same_conds(const hm_cond *a, const hm_cond *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        assert_same_plain_cond(&a[i], &b[i]);
        assert_int_equal(a[i].feature, b[i].feature);
        assert_memory_equal(&a[i].min, &b[i].min, sizeof a[i].min); /* bit for bit, infinities too */
        assert_memory_equal(&a[i].max, &b[i].max, sizeof a[i].max);
        assert_same_str_or_null(a[i].gap, b[i].gap);
        assert_same_str_or_null(a[i].strength, b[i].strength);
        assert_memory_equal(&a[i].min_pos, &b[i].min_pos, sizeof a[i].min_pos);
        assert_memory_equal(&a[i].max_pos, &b[i].max_pos, sizeof a[i].max_pos);
    }
}

static void assert_same_checks(const hm_check *a, const hm_check *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        assert_same_plain_check(&a[i], &b[i]);
        assert_int_equal(a[i].n_conds, b[i].n_conds);
        assert_same_conds(a[i].conds, b[i].conds, a[i].n_conds);
        assert_int_equal(a[i].max_level, b[i].max_level);
        assert_same_str_or_null(a[i].code, b[i].code);
        assert_same_str_or_null(a[i].message, b[i].message);
    }
}

/* The built rubric is the one its loader makes from a copy of the bytes. */
static void test_built_rubric(void **state)
{
    (void)state;
    const hm_builtin_file *f = hm_builtin_find(hm_built_rubric_data.file);
    assert_non_null(f);
    hm_error err = {0};
    hm_rubric a, b;
    assert_true(hm_rubric_load(&a, f->data, f->len, f->name, &err));
    assert_true(a.built);
    char *copy = hm_xmalloc(f->len + 1);
    memcpy(copy, f->data, f->len + 1);
    assert_true(hm_rubric_load(&b, copy, f->len, f->name, &err));
    free(copy);
    assert_false(b.built);
    assert_same_plain_rubric(&hm_built_rubric_data.rubric, &b);
    assert_string_equal(a.name, b.name);
    assert_string_equal(a.file, b.file);
    assert_int_equal(a.out_of, b.out_of);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(a.bands[i].min, b.bands[i].min);
        assert_int_equal(a.bands[i].max, b.bands[i].max);
        assert_same_str_or_null(a.bands[i].label, b.bands[i].label);
    }
    assert_int_equal(a.n_strands, b.n_strands);
    for (size_t s = 0; s < a.n_strands; s++) {
        const hm_strand_def *x = &a.strands[s], *y = &b.strands[s];
        assert_same_plain_strand(x, y);
        assert_string_equal(x->id, y->id);
        assert_string_equal(x->name, y->name);
        assert_memory_equal(&x->weight, &y->weight, sizeof x->weight);
        assert_memory_equal(&x->weight_pos, &y->weight_pos, sizeof x->weight_pos);
        for (int l = 0; l < 5; l++) {
            assert_int_equal(x->levels[l].level, y->levels[l].level);
            assert_same_str_or_null(x->levels[l].descriptor, y->levels[l].descriptor);
            assert_int_equal(x->levels[l].n_reqs, y->levels[l].n_reqs);
            assert_same_conds(x->levels[l].reqs, y->levels[l].reqs, x->levels[l].n_reqs);
        }
    }
    assert_int_equal(a.max_above_lowest, b.max_above_lowest);
    assert_memory_equal(&a.near_miss, &b.near_miss, sizeof a.near_miss);
    assert_memory_equal(&a.mark_at_level, &b.mark_at_level, sizeof a.mark_at_level);
    assert_int_equal(a.min_words, b.min_words);
    assert_memory_equal(&a.topic_min_score, &b.topic_min_score, sizeof a.topic_min_score);
    assert_int_equal(a.max_strengths, b.max_strengths);
    assert_int_equal(a.max_gaps, b.max_gaps);
    assert_int_equal(a.n_caps, b.n_caps);
    assert_int_equal(a.n_warnings, b.n_warnings);
    assert_int_equal(a.n_advice, b.n_advice);
    assert_same_checks(a.caps, b.caps, a.n_caps);
    assert_same_checks(a.warnings, b.warnings, a.n_warnings);
    assert_same_checks(a.advice, b.advice, a.n_advice);
    hm_rubric_free(&a);
    hm_rubric_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_builtin_snapshots),
        cmocka_unit_test(test_builtin_trees),
        cmocka_unit_test(test_damaged_refused),
        cmocka_unit_test(test_hostile_delta_refused),
        cmocka_unit_test(test_loader_uses_snapshot_for_builtin_only),
        cmocka_unit_test(test_builtin_patterns),
        cmocka_unit_test(test_user_cache),
        cmocka_unit_test(test_built_lists_and_packs),
        cmocka_unit_test(test_built_rubric),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
