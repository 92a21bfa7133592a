/* Topic packs: the people, events, terms and places of one A-level topic,
 * so that "the NEP" is recognised as an event and "Trosky" as Trotsky. */
#include "scan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "built.h"
#include "phrase.h"
#include "yamlwalk.h"

char *hm_alternation(char **items, size_t n, bool escape);

static void entry_free(hm_topic_entry *e)
{
    free(e->name);
    free(e->role);
    free(e->date);
    free(e->since);
    for (size_t i = 0; i < e->n_aliases; i++)
        free(e->aliases[i]);
    free(e->aliases);
}

/* One alias of an entry: its text, the entry's name (what its finding
 * is given: the entry itself is not read), and its place in entry and alias
 * order. `len` is its length, the shortest text it can be: a space in it
 * matches a run of white space, so a text of another length is not it when
 * it has none (`spaced` false), nor when shorter. Most candidates part on
 * that and on `head`, its first head_len bytes (up to eight, none of them
 * a space; the rest 0), and the alias's text is not read. */
typedef struct alias_ref {
    const char *text, *name;
    uint32_t order;
    unsigned len : 27, head_len : 4, spaced : 1;
    uint64_t head; /* 32 bytes in all */
} alias_ref;

/* The first n bytes in memory of eight bytes read as one number (head,
 * hm_load8), for n of 0 to 8: its low bytes on a little-endian machine,
 * its high bytes on a big-endian one. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
static const uint64_t first_bytes[9] = {0,
                                        0xFF00000000000000ull,
                                        0xFFFF000000000000ull,
                                        0xFFFFFF0000000000ull,
                                        0xFFFFFFFF00000000ull,
                                        0xFFFFFFFFFF000000ull,
                                        0xFFFFFFFFFFFF0000ull,
                                        0xFFFFFFFFFFFFFF00ull,
                                        ~0ull};
#else
static const uint64_t first_bytes[9] = {0, 0xFF, 0xFFFF, 0xFFFFFF, 0xFFFFFFFF, 0xFFFFFFFFFFull, 0xFFFFFFFFFFFFull,
                                        0xFFFFFFFFFFFFFFull, ~0ull};
#endif

/* Every alias of a list of entries, by first byte and within a byte in
 * entry and alias order: a finding is compared with the few aliases that
 * could be it, which lie side by side. Made at load: every essay looks them
 * up. */
struct hm_alias_chains {
    uint32_t start[257]; /* byte b's aliases: refs[start[b], start[b + 1]) */
    alias_ref refs[];
};

static hm_alias_chains *chain_aliases(const hm_topic_entry *entries, size_t n)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += entries[i].n_aliases;
    hm_alias_chains *c = hm_xmalloc(sizeof *c + total * sizeof c->refs[0]);
    /* counted by byte, then each put at its byte's next place */
    uint32_t next[256] = {0};
    for (size_t i = 0; i < n; i++)
        for (size_t a = 0; a < entries[i].n_aliases; a++)
            next[(unsigned char)entries[i].aliases[a][0]]++;
    uint32_t at = 0;
    for (size_t b = 0; b < 256; b++) {
        c->start[b] = at;
        at += next[b];
        next[b] = c->start[b];
    }
    c->start[256] = at;
    uint32_t order = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t a = 0; a < entries[i].n_aliases; a++) {
            const char *alias = entries[i].aliases[a];
            size_t len = strlen(alias), to_space = strcspn(alias, " "), head_len = to_space < 8 ? to_space : 8;
            uint64_t head = 0;
            memcpy(&head, alias, head_len);
            c->refs[next[(unsigned char)alias[0]]++] = (alias_ref){
                alias, entries[i].name, order++, (unsigned)len, (unsigned)head_len, to_space < len, head};
        }
    return c;
}

static void chain_pack_aliases(hm_topic *t)
{
    t->people_aliases = chain_aliases(t->people, t->n_people);
    t->events_aliases = chain_aliases(t->events, t->n_events);
}

/* The patterns, the alias chains and the lock: what a run adds to a pack. */
static void topic_free_runtime(hm_topic *t)
{
    free(t->people_aliases);
    free(t->events_aliases);
    pcre2_code_free(t->people_re);
    pcre2_code_free(t->events_re);
    pcre2_code_free(t->terms_re);
    if (t->file || t->id) /* initialised by hm_topic_load */
        pthread_mutex_destroy(&t->jit_lock);
}

void hm_topic_free(hm_topic *t)
{
    topic_free_runtime(t);
    if (t->built) { /* the rest is static data (built.h) */
        memset(t, 0, sizeof *t);
        return;
    }
    free(t->id);
    free(t->name);
    free(t->file);
    hm_strset_free(&t->keywords);
    for (size_t i = 0; i < t->n_people; i++)
        entry_free(&t->people[i]);
    for (size_t i = 0; i < t->n_events; i++)
        entry_free(&t->events[i]);
    free(t->people);
    free(t->events);
    hm_strset_free(&t->places);
    for (size_t i = 0; i < t->n_terms; i++)
        free(t->terms[i]);
    free(t->terms);
    free(t->name_tokens);
    free(t->name_token_person);
    for (size_t i = 0; i < t->n_dates; i++)
        free(t->date_whats[i]);
    free(t->date_whats);
    free(t->date_years);
    memset(t, 0, sizeof *t);
}

bool hm_built_is_builtin(const char *file, size_t built_len, const char *data, size_t len)
{
    const hm_builtin_file *b = file ? hm_builtin_find(file) : NULL;
    return b && b->data == data && b->len == len && built_len == len;
}

bool hm_config_packs_built(const hm_config *cfg)
{
    if (!cfg->lists.built || cfg->lists.lists != hm_built_lists_data.lists || cfg->n_topics != hm_built_topic_count)
        return false;
    for (size_t i = 0; i < cfg->n_topics; i++)
        if (!cfg->topics[i].built || cfg->topics[i].id != hm_built_topics[i].topic.id)
            return false;
    return true;
}

/* The pack as the build loaded it, when data is that built-in file itself
 * and the lists that filtered its keywords are the built-in ones too. */
static const hm_topic *built_topic(const hm_config *cfg, const char *data, size_t len)
{
    if (!cfg->lists.built)
        return NULL;
    for (size_t i = 0; i < hm_built_topic_count; i++)
        if (hm_built_is_builtin(hm_built_topics[i].file, hm_built_topics[i].len, data, len))
            return &hm_built_topics[i].topic;
    return NULL;
}

static bool load_entries(hm_yaml *y, yaml_node_t *seq, const char *what, const char *extra_key,
                         hm_topic_entry **out, size_t *n_out)
{
    if (seq->type != YAML_SEQUENCE_NODE)
        return hm_yaml_fail(y, seq, NULL, "'%s' must be a list", what);
    size_t n = hm_yaml_seq_len(seq);
    hm_topic_entry *es = hm_xcalloc(n, sizeof *es);
    *out = es;
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *it = hm_yaml_seq_item(y, seq, i);
        /* people: a role and the date they died; events: a date, or a
         * 'since' for a body or movement that lasted */
        bool is_person = strcmp(extra_key, "role") == 0;
        hm_yaml_field f[] = {{"name", true, NULL, NULL},
                             {"aliases", false, NULL, NULL},
                             {extra_key, false, NULL, NULL},
                             {is_person ? "died" : "since", false, NULL, NULL}};
        const char *s;
        if (!it || !hm_yaml_fields(y, it, f, 4, NULL) || !hm_yaml_string(y, f[0].value, "name", NULL, &s))
            return false;
        es[i].name = hm_xstrdup(s);
        (*n_out)++;
        if (f[2].value) {
            if (!hm_yaml_string(y, f[2].value, extra_key, es[i].name, &s))
                return false;
            if (is_person)
                es[i].role = hm_xstrdup(s);
            else
                es[i].date = hm_xstrdup(s);
        }
        if (f[3].value) {
            if (!is_person && f[2].value)
                return hm_yaml_fail(y, it, es[i].name, "'%s' has both a date and a 'since': give one", es[i].name);
            if (!hm_yaml_string(y, f[3].value, f[3].key, es[i].name, &s))
                return false;
            if (is_person)
                es[i].date = hm_xstrdup(s);
            else
                es[i].since = hm_xstrdup(s);
        }
        if (f[1].value) {
            if (!hm_yaml_strings(y, f[1].value, "aliases", es[i].name, &es[i].aliases, &es[i].n_aliases))
                return false;
        }
        /* The name itself always counts as an alias. */
        bool has = false;
        for (size_t a = 0; a < es[i].n_aliases; a++)
            has |= strcmp(es[i].aliases[a], es[i].name) == 0;
        if (!has) {
            es[i].aliases = hm_xrealloc(es[i].aliases, (es[i].n_aliases + 1) * sizeof *es[i].aliases);
            es[i].aliases[es[i].n_aliases++] = hm_xstrdup(es[i].name);
        }
    }
    return true;
}

static pcre2_code *compile_entries(const hm_config *cfg, hm_topic *t, const hm_topic_entry *es,
                                   size_t n, const char *what, hm_error *err)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += es[i].n_aliases;
    if (!total)
        return NULL;
    char **all = hm_xmalloc(total * sizeof *all);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t a = 0; a < es[i].n_aliases; a++)
            all[k++] = es[i].aliases[a];
    char *pattern = hm_alternation(all, total, true);
    free(all);
    pcre2_code *re = hm_compile_opts(cfg, pattern, 0, true, false, t->file, 0, 0, what, err);
    free(pattern);
    return re;
}

static void add_keyword_words(hm_strset *set, const hm_lists *l, const char *s)
{
    /* Every capitalised word of a name or alias is typical of the topic,
     * unless it is a common word ("First", "Great", "Party") or a given name. */
    const char *p = s;
    while (*p) {
        while (*p == ' ' || *p == '.')
            p++;
        const char *a = p;
        while (*p && *p != ' ' && *p != '.')
            p++;
        size_t n = (size_t)(p - a);
        if (n >= 4 && *a >= 'A' && *a <= 'Z' && !hm_list_has(l->sentence_starters, a, n) &&
            !hm_list_has(l->given_names, a, n) && !hm_list_has(l->months, a, n) &&
            !hm_list_has(l->titles, a, n) && !hm_list_has(l->event_words, a, n) &&
            !hm_list_has(l->bodies, a, n) && !hm_list_has_fold(l->stopwords, a, n))
            hm_strset_add(set, a, n);
    }
}

bool hm_topic_load(hm_config *cfg, hm_topic *t, const char *data, size_t len, const char *file,
                   hm_error *err)
{
    const hm_topic *b = built_topic(cfg, data, len);
    if (b) {
        memcpy(t, b, sizeof *t); /* pointers to static data; the lock is set up below */
        t->built = true;
    } else {
        memset(t, 0, sizeof *t);
        t->file = hm_xstrdup(file);
    }
    pthread_mutex_init(&t->jit_lock, NULL);
    atomic_init(&t->jit_done, false);
    if (b) {
        chain_pack_aliases(t);
        return true;
    }
    hm_strset_init(&t->keywords, true);
    hm_strset_init(&t->places, false);
    hm_yaml y;
    bool ok = false;
    if (!hm_yaml_load(&y, data, len, file, err))
        goto out;
    hm_yaml_field top[] = {{"topic", true, NULL, NULL},  {"people", true, NULL, NULL},
                           {"events", false, NULL, NULL}, {"terms", false, NULL, NULL},
                           {"places", false, NULL, NULL}, {"dates", false, NULL, NULL}};
    if (!hm_yaml_fields(&y, hm_yaml_root(&y), top, 6, NULL))
        goto out;
    hm_yaml_field head[] = {{"id", true, NULL, NULL}, {"name", true, NULL, NULL},
                            {"period", true, NULL, NULL}, {"keywords", false, NULL, NULL}};
    const char *s;
    if (!hm_yaml_fields(&y, top[0].value, head, 4, NULL) ||
        !hm_yaml_string(&y, head[0].value, "id", NULL, &s))
        goto out;
    t->id = hm_xstrdup(s);
    if (!hm_yaml_string(&y, head[1].value, "name", t->id, &s))
        goto out;
    t->name = hm_xstrdup(s);
    hm_yaml_field period[] = {{"start", true, NULL, NULL}, {"end", true, NULL, NULL}};
    if (!hm_yaml_fields(&y, head[2].value, period, 2, t->id) ||
        !hm_yaml_int(&y, period[0].value, "start", t->id, &t->period_start) ||
        !hm_yaml_int(&y, period[1].value, "end", t->id, &t->period_end))
        goto out;
    if (t->period_end < t->period_start) {
        hm_yaml_fail(&y, head[2].value, t->id, "the period ends before it starts");
        goto out;
    }
    if (head[3].value) {
        char **kw;
        size_t n;
        if (!hm_yaml_strings(&y, head[3].value, "keywords", t->id, &kw, &n))
            goto out;
        for (size_t i = 0; i < n; i++) {
            hm_strset_add(&t->keywords, kw[i], strlen(kw[i]));
            free(kw[i]);
        }
        free(kw);
    }
    if (!load_entries(&y, top[1].value, "people", "role", &t->people, &t->n_people))
        goto out;
    if (top[2].value && !load_entries(&y, top[2].value, "events", "date", &t->events, &t->n_events))
        goto out;
    if (top[3].value && !hm_yaml_strings(&y, top[3].value, "terms", t->id, &t->terms, &t->n_terms))
        goto out;
    if (top[4].value) {
        char **pl;
        size_t n;
        if (!hm_yaml_strings(&y, top[4].value, "places", t->id, &pl, &n))
            goto out;
        for (size_t i = 0; i < n; i++) {
            hm_strset_add(&t->places, pl[i], strlen(pl[i]));
            free(pl[i]);
        }
        free(pl);
    }
    if (top[5].value) {
        /* Key dates: question-aware feedback names what an essay leaves out. */
        if (top[5].value->type != YAML_SEQUENCE_NODE) {
            hm_yaml_fail(&y, top[5].value, t->id, "'dates' must be a list");
            goto out;
        }
        size_t nd = hm_yaml_seq_len(top[5].value);
        t->date_years = hm_xcalloc(nd, sizeof *t->date_years);
        t->date_whats = hm_xcalloc(nd, sizeof *t->date_whats);
        for (size_t i = 0; i < nd; i++) {
            hm_yaml_field d[] = {{"year", true, NULL, NULL}, {"what", true, NULL, NULL}};
            yaml_node_t *it = hm_yaml_seq_item(&y, top[5].value, i);
            int year;
            const char *what;
            if (!it || !hm_yaml_fields(&y, it, d, 2, t->id) || !hm_yaml_int(&y, d[0].value, "year", t->id, &year) ||
                !hm_yaml_string(&y, d[1].value, "what", t->id, &what))
                goto out;
            t->date_years[i] = year;
            t->date_whats[i] = hm_xstrdup(what);
            t->n_dates++;
        }
    }
    for (size_t i = 0; i < t->n_people; i++) {
        add_keyword_words(&t->keywords, &cfg->lists, t->people[i].name);
        for (size_t a = 0; a < t->people[i].n_aliases; a++) {
            const char *al = t->people[i].aliases[a];
            if (!strchr(al, ' ') && strlen(al) >= 4) {
                t->name_tokens = hm_xrealloc(t->name_tokens, (t->n_name_tokens + 1) * sizeof *t->name_tokens);
                t->name_token_person =
                    hm_xrealloc(t->name_token_person, (t->n_name_tokens + 1) * sizeof *t->name_token_person);
                t->name_tokens[t->n_name_tokens] = t->people[i].aliases[a];
                t->name_token_person[t->n_name_tokens++] = i;
            }
        }
    }
    for (size_t i = 0; i < t->n_events; i++)
        for (size_t a = 0; a < t->events[i].n_aliases; a++)
            add_keyword_words(&t->keywords, &cfg->lists, t->events[i].aliases[a]);
    chain_pack_aliases(t);
    ok = true;
out:
    hm_yaml_free(&y);
    return ok;
}

/* ---- running ---- */

static const hm_rule person_rule = {.id = "topic-person", .kind = HM_KIND_PERSON,
                                    .scope = HM_SCOPE_PARAGRAPH, .message = "A named person"};
static const hm_rule event_rule = {.id = "topic-event", .kind = HM_KIND_EVENT,
                                   .scope = HM_SCOPE_PARAGRAPH, .message = "A named event, policy or organisation"};
static const hm_rule term_rule = {.id = "topic-term", .kind = HM_KIND_EVENT, .tag = "term",
                                  .scope = HM_SCOPE_PARAGRAPH, .message = "A term of the topic"};

/* Compares an alias with text whose spaces may be any run of white space. */
static bool alias_is(const char *alias, const char *s, size_t n)
{
    size_t i = 0;
    for (const char *a = alias; *a; a++) {
        if (*a == ' ') {
            if (i >= n || !(s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t'))
                return false;
            while (i < n && (s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t'))
                i++;
            continue;
        }
        if (i >= n || s[i] != *a)
            return false;
        i++;
    }
    return i == n;
}


/* A text looked up before and the name of what it named (NULL: nothing):
 * an essay names the same few people and events again and again. */
typedef struct recent_lookup {
    const char *text; /* NULL: an empty slot */
    size_t len;
    const char *name;
} recent_lookup;

enum { RECENT_LOOKUPS = 16 };

typedef struct entry_ctx {
    const hm_rule *rule;
    const hm_alias_chains *aliases; /* the pack's, made at load */
    recent_lookup recent[RECENT_LOOKUPS]; /* by length and first byte */
} entry_ctx;

/* The name of the entry of the first alias, in entry order, that is this
 * text: only aliases opening with its first byte or with a space can be
 * (alias_is lets a space match any run of white space); empty text can only
 * be an empty alias. */
static const char *first_alias_of(entry_ctx *c, const char *s, size_t n)
{
    const hm_alias_chains *chains = c->aliases;
    unsigned char c0 = n ? (unsigned char)s[0] : '\0';
    uint32_t i = chains->start[c0], i_end = chains->start[c0 + 1];
    uint32_t j = chains->start[' '], j_end = c0 == ' ' ? j : chains->start[' ' + 1];
    /* the text's first eight bytes (the essay's text is padded: they can
     * be read), against each alias's head (an alias that fits is no
     * shorter than its head, so no byte past the text is compared); an
     * alias without a space is the text when its length and head are the
     * text's and, past eight bytes, the rest */
    uint64_t s_head = hm_load8(s);
    /* the two runs merged, in the order of the list (the second is
     * nearly always empty) */
    while (i < i_end || j < j_end) {
        const alias_ref *r;
        if (j == j_end || (i < i_end && chains->refs[i].order < chains->refs[j].order))
            r = &chains->refs[i++];
        else
            r = &chains->refs[j++];
        /* one branch, seldom taken but on the alias that is the text */
        unsigned head = (s_head & first_bytes[r->head_len]) == r->head;
        unsigned same = (unsigned)!r->spaced & (unsigned)(n == r->len) & head;
        unsigned fits = same | ((unsigned)r->spaced & (unsigned)(n >= r->len) & head);
        if (fits && (same ? n <= 8 || memcmp(r->text + 8, s + 8, n - 8) == 0 : alias_is(r->text, s, n)))
            return r->name;
    }
    return NULL;
}

/* The name first_alias_of finds for this text, asked once a text. */
static const char *entry_name_of(entry_ctx *c, const char *s, size_t n)
{
    unsigned char c0 = n ? (unsigned char)s[0] : '\0';
    recent_lookup *seen = &c->recent[(n * 7 + c0) % RECENT_LOOKUPS];
    if (seen->text && seen->len == n && memcmp(seen->text, s, n) == 0)
        return seen->name;
    const char *name = first_alias_of(c, s, n);
    *seen = (recent_lookup){s, n, name};
    return name;
}

static bool add_entry(hm_scan *scan, size_t s, size_t e, void *ud)
{
    entry_ctx *c = ud;
    hm_finding *f = hm_scan_add(scan, c->rule, s, e);
    if (!f)
        return true;
    f->canonical = entry_name_of(c, scan->text + s, e - s); /* NULL: no entry */
    return true;
}

static bool add_term(hm_scan *scan, size_t s, size_t e, void *ud)
{
    (void)ud;
    hm_scan_add(scan, &term_rule, s, e);
    return true;
}

static bool topic_compile(const hm_config *cfg, hm_topic *t, hm_error *err)
{
    t->people_re = compile_entries(cfg, t, t->people, t->n_people, "people", err);
    if (!t->people_re)
        return false;
    if (t->n_events && !(t->events_re = compile_entries(cfg, t, t->events, t->n_events, "events", err)))
        return false;
    if (t->n_terms) {
        char *pattern = hm_alternation(t->terms, t->n_terms, true);
        t->terms_re = hm_compile_opts(cfg, pattern, PCRE2_CASELESS, true, false, t->file, 0, 0, "terms", err);
        free(pattern);
        if (!t->terms_re)
            return false;
    }
    if (hm_jit_wanted(cfg)) {
        pcre2_code *res[] = {t->people_re, t->events_re, t->terms_re};
        for (size_t i = 0; i < 3; i++)
            if (res[i])
                (void)pcre2_jit_compile(res[i], PCRE2_JIT_COMPLETE);
    }
    return true;
}

/* Compiles a pack's patterns the first time an essay uses it (or at load,
 * for a pack the user names, so that its errors come before any essay).
 * Most runs use one pack of five, and compiling is most of the cost of
 * loading. The lock makes every thread wait until the code is complete. */
bool hm_topic_prepare(const hm_config *cfg, const hm_topic *ct, hm_error *err)
{
    hm_topic *t = (hm_topic *)ct; /* only the compiled state changes, under the lock */
    if (atomic_load_explicit(&t->jit_done, memory_order_acquire))
        return t->people_re != NULL;
    pthread_mutex_lock(&t->jit_lock);
    if (!atomic_load_explicit(&t->jit_done, memory_order_relaxed)) {
        if (!topic_compile(cfg, t, err)) {
            pcre2_code_free(t->people_re);
            pcre2_code_free(t->events_re);
            pcre2_code_free(t->terms_re);
            t->people_re = t->events_re = t->terms_re = NULL;
        }
        atomic_store_explicit(&t->jit_done, true, memory_order_release);
    }
    pthread_mutex_unlock(&t->jit_lock);
    return t->people_re != NULL;
}

/* The pack's patterns, compiled on the first paragraph the phrase index
 * cannot serve (most essays need none); false, with a warning, when they do
 * not compile. */
static bool patterns_ready(hm_scan *scan, const hm_topic *t, int *ready)
{
    if (*ready < 0) {
        hm_error err = {0};
        *ready = hm_topic_prepare(scan->cfg, t, &err);
        if (!*ready)
            hm_scan_warn(scan, "topic-pack", "the topic pack %s could not be used: %s", t->id, err.message);
    }
    return *ready;
}

/* The pack's events, people and terms, paragraph by paragraph. */
static void find_entries(hm_scan *scan, const hm_topic *t, entry_ctx *people, entry_ctx *events, int *ready)
{
    const hm_document *doc = scan->doc;
    int people_set = hm_phrase_set_of_topic(scan->cfg, t, HM_TOPIC_PEOPLE);
    int events_set = hm_phrase_set_of_topic(scan->cfg, t, HM_TOPIC_EVENTS);
    int terms_set = hm_phrase_set_of_topic(scan->cfg, t, HM_TOPIC_TERMS);
    for (size_t i = 0; i < doc->n_paras; i++) {
        const hm_para *p = &doc->paras[i];
        if (p->kind == HM_PARA_QUESTION || p->kind == HM_PARA_WEBSITE)
            continue;
        if (t->n_events && !hm_phrase_find_all(scan, events_set, p->start, p->end, add_entry, events)) {
            if (!patterns_ready(scan, t, ready))
                return;
            hm_find_all(scan, t->events_re, p->start, p->end, add_entry, events, "topic-event");
        }
        if (!hm_phrase_find_all(scan, people_set, p->start, p->end, add_entry, people)) {
            if (!patterns_ready(scan, t, ready))
                return;
            hm_find_all(scan, t->people_re, p->start, p->end, add_entry, people, "topic-person");
        }
        if (t->n_terms && !hm_phrase_find_all(scan, terms_set, p->start, p->end, add_term, NULL)) {
            if (!patterns_ready(scan, t, ready))
                return;
            hm_find_all(scan, t->terms_re, p->start, p->end, add_term, NULL, "topic-term");
        }
    }
}

void hm_topic_run(hm_scan *scan)
{
    const hm_topic *t = scan->topic;
    if (!t)
        return;
    int ready = -1;
    if (t->n_people == 0 && !patterns_ready(scan, t, &ready))
        return; /* a pack without people has no pattern to run: say so */
    entry_ctx people = {.rule = &person_rule, .aliases = t->people_aliases};
    entry_ctx events = {.rule = &event_rule, .aliases = t->events_aliases};
    find_entries(scan, t, &people, &events, &ready);
}
