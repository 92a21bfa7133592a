/* For tools/mkpatterns.c: writes the loaded built-in word lists, topic
 * packs and rubric as C data (src/built.h). Every string goes once into one byte array
 * (hm_built_strs), keyed by its address in the loaded structure, so strings
 * the structure shares (a list's items and its sets' slots, a person's
 * alias and the pack's name tokens) stay shared; every array is a static
 * const object, written with designated initialisers so that the compiler
 * checks them against the structs. */
#ifndef HM_GENBUILT_H
#define HM_GENBUILT_H

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "built.h"
#include "genc.h"

typedef struct genbuilt {
    hm_buf strs;             /* the strings, NUL-terminated */
    hm_buf defs;             /* the arrays */
    const char **keys;       /* open addressing: a loaded string's address ... */
    size_t *offs;            /* ... and its offset in strs */
    size_t cap, n;
    size_t n_arrays;
    bool failed;
} genbuilt;

static size_t gb_str_off(genbuilt *g, const char *s)
{
    if (g->n * 2 >= g->cap) {
        size_t old_cap = g->cap;
        const char **old_keys = g->keys;
        size_t *old_offs = g->offs;
        g->cap = g->cap ? g->cap * 2 : 4096;
        g->keys = hm_xcalloc(g->cap, sizeof *g->keys);
        g->offs = hm_xcalloc(g->cap, sizeof *g->offs);
        g->n = 0;
        for (size_t i = 0; i < old_cap; i++)
            if (old_keys[i]) {
                size_t j = (size_t)(((uintptr_t)old_keys[i] * 0x9E3779B97F4A7C15u) >> 20) & (g->cap - 1);
                while (g->keys[j])
                    j = (j + 1) & (g->cap - 1);
                g->keys[j] = old_keys[i];
                g->offs[j] = old_offs[i];
                g->n++;
            }
        free(old_keys);
        free(old_offs);
    }
    size_t j = (size_t)(((uintptr_t)s * 0x9E3779B97F4A7C15u) >> 20) & (g->cap - 1);
    while (g->keys[j] && g->keys[j] != s)
        j = (j + 1) & (g->cap - 1);
    if (!g->keys[j]) {
        g->keys[j] = s;
        g->offs[j] = g->strs.len;
        hm_buf_put(&g->strs, s, strlen(s) + 1);
        g->n++;
    }
    return g->offs[j];
}

/* A string pointer as an expression. */
static void gb_ptr(genbuilt *g, hm_buf *b, const char *s)
{
    if (s)
        hm_buf_printf(b, "(char *)hm_built_strs + %zu", gb_str_off(g, s));
    else
        hm_buf_puts(b, "NULL");
}

/* An array of n strings: its name as an expression (NULL stays NULL; an
 * empty array stays a pointer to something). */
static void gb_strs(genbuilt *g, hm_buf *b, char *const *v, size_t n)
{
    if (!v) {
        hm_buf_puts(b, "NULL");
        return;
    }
    size_t k = g->n_arrays++;
    hm_buf a = {0};
    hm_buf_printf(&a, "static char *const a_%zu[] = {", k);
    for (size_t i = 0; i < n; i++) {
        hm_buf_puts(&a, i % 4 ? " " : "\n    ");
        gb_ptr(g, &a, v[i]);
        hm_buf_putc(&a, ',');
    }
    hm_buf_puts(&a, n ? "};\n" : "NULL};\n");
    hm_buf_put(&g->defs, a.data, a.len);
    hm_buf_free(&a);
    hm_buf_printf(b, "(char **)a_%zu", k);
}

static void gb_numbers(genbuilt *g, hm_buf *b, const char *type, const void *v, size_t n, bool is_int)
{
    if (!v) {
        hm_buf_puts(b, "NULL");
        return;
    }
    size_t k = g->n_arrays++;
    hm_buf_printf(&g->defs, "static const %s a_%zu[] = {", type, k);
    for (size_t i = 0; i < n; i++)
        hm_buf_printf(&g->defs, "%s%" PRIu64 ",", i % 16 ? "" : "\n    ",
                      is_int ? (uint64_t)(int64_t)((const int *)v)[i] : (uint64_t)((const size_t *)v)[i]);
    hm_buf_puts(&g->defs, n ? "};\n" : "0};\n");
    hm_buf_printf(b, "(%s *)a_%zu", type, k);
}

/* Numbers with no pointer among them: read-only data, not relocated. */
static void gb_u32s(genbuilt *g, hm_buf *b, const uint32_t *v, size_t n)
{
    if (!v || !n) {
        hm_buf_puts(b, "NULL");
        return;
    }
    size_t k = g->n_arrays++;
    hm_buf_printf(&g->defs, "static const uint32_t a_%zu[] = {", k);
    for (size_t i = 0; i < n; i++)
        hm_buf_printf(&g->defs, "%s%" PRIu32 "u,", i % 12 ? "" : "\n    ", v[i]);
    hm_buf_puts(&g->defs, "};\n");
    hm_buf_printf(b, "a_%zu", k);
}

/* A string set's initialiser: its slots a static array. */
static void gb_strset(genbuilt *g, hm_buf *b, const hm_strset *s)
{
    if (!s->slots) {
        hm_buf_printf(b, "{NULL, 0, 0, %d, %d}", s->fold, s->borrowed);
        return;
    }
    size_t k = g->n_arrays++;
    hm_buf a = {0};
    hm_buf_printf(&a, "static const hm_strset_slot a_%zu[%zu] = {", k, s->cap);
    for (size_t i = 0; i < s->cap; i++) {
        const hm_strset_slot *sl = &s->slots[i];
        if (!sl->str)
            continue;
        if (strlen(sl->str) != sl->len)
            g->failed = true; /* the loaders store every string NUL-terminated at len */
        hm_buf_printf(&a, "\n    [%zu] = {", i);
        gb_ptr(g, &a, sl->str);
        hm_buf_printf(&a, ", %zu, 0x%016" PRIx64 "u},", sl->len, sl->hash);
    }
    hm_buf_puts(&a, "};\n");
    hm_buf_put(&g->defs, a.data, a.len);
    hm_buf_free(&a);
    hm_buf_printf(b, "{(hm_strset_slot *)a_%zu, %zu, %zu, %d, %d}", k, s->cap, s->count, s->fold, s->borrowed);
}

static void gb_entries(genbuilt *g, hm_buf *b, const hm_topic_entry *es, size_t n)
{
    if (!es) {
        hm_buf_puts(b, "NULL");
        return;
    }
    hm_buf a = {0};
    hm_buf_puts(&a, "{");
    for (size_t i = 0; i < n; i++) {
        hm_buf_puts(&a, "\n    {.name = ");
        gb_ptr(g, &a, es[i].name);
        hm_buf_puts(&a, ", .role = ");
        gb_ptr(g, &a, es[i].role);
        hm_buf_puts(&a, ", .date = ");
        gb_ptr(g, &a, es[i].date);
        hm_buf_puts(&a, ", .since = ");
        gb_ptr(g, &a, es[i].since);
        hm_buf_puts(&a, ", .aliases = ");
        gb_strs(g, &a, es[i].aliases, es[i].n_aliases);
        hm_buf_printf(&a, ", .n_aliases = %zu},", es[i].n_aliases);
    }
    hm_buf_puts(&a, n ? "};\n" : "{0}};\n");
    size_t k = g->n_arrays++;
    hm_buf_printf(&g->defs, "static const hm_topic_entry a_%zu[] = ", k);
    hm_buf_put(&g->defs, a.data, a.len);
    hm_buf_free(&a);
    hm_buf_printf(b, "(hm_topic_entry *)a_%zu", k);
}

static void gb_topic(genbuilt *g, hm_buf *b, const hm_topic *t)
{
    hm_buf_puts(b, "{.id = ");
    gb_ptr(g, b, t->id);
    hm_buf_puts(b, ", .name = ");
    gb_ptr(g, b, t->name);
    hm_buf_puts(b, ", .file = ");
    gb_ptr(g, b, t->file);
    hm_buf_printf(b, ",\n     .period_start = %d, .period_end = %d,\n     .keywords = ", t->period_start,
                  t->period_end);
    gb_strset(g, b, &t->keywords);
    hm_buf_puts(b, ",\n     .people = ");
    gb_entries(g, b, t->people, t->n_people);
    hm_buf_puts(b, ", .events = ");
    gb_entries(g, b, t->events, t->n_events);
    hm_buf_printf(b, ", .n_people = %zu, .n_events = %zu,\n     .places = ", t->n_people, t->n_events);
    gb_strset(g, b, &t->places);
    hm_buf_puts(b, ",\n     .terms = ");
    gb_strs(g, b, t->terms, t->n_terms);
    hm_buf_printf(b, ", .n_terms = %zu,\n     .name_tokens = ", t->n_terms);
    gb_strs(g, b, t->name_tokens, t->n_name_tokens);
    hm_buf_puts(b, ", .name_token_person = ");
    gb_numbers(g, b, "size_t", t->name_token_person, t->n_name_tokens, false);
    hm_buf_printf(b, ", .n_name_tokens = %zu,\n     .date_years = ", t->n_name_tokens);
    gb_numbers(g, b, "int", t->date_years, t->n_dates, true);
    hm_buf_puts(b, ", .date_whats = ");
    gb_strs(g, b, t->date_whats, t->n_dates);
    hm_buf_printf(b, ", .n_dates = %zu}", t->n_dates);
}

/* A double exactly (hexadecimal), an open bound as HUGE_VAL. */
static void gb_double(genbuilt *g, hm_buf *b, double v)
{
    if (isnan(v))
        g->failed = true;
    if (isinf(v))
        hm_buf_puts(b, v < 0 ? "-HUGE_VAL" : "HUGE_VAL");
    else
        hm_buf_printf(b, "%a", v);
}

static void gb_pos(hm_buf *b, hm_yaml_pos p)
{
    hm_buf_printf(b, "{%d, %d, %d}", p.line, p.column, p.length);
}

static void gb_conds(genbuilt *g, hm_buf *b, const hm_cond *cs, size_t n)
{
    if (!cs) {
        hm_buf_puts(b, "NULL");
        return;
    }
    hm_buf a = {0};
    for (size_t i = 0; i < n; i++) {
        const hm_cond *c = &cs[i];
        hm_buf_printf(&a, "\n    {.feature = (hm_feature_id)%d, .min = ", (int)c->feature);
        gb_double(g, &a, c->min);
        hm_buf_puts(&a, ", .max = ");
        gb_double(g, &a, c->max);
        hm_buf_puts(&a, ", .gap = ");
        gb_ptr(g, &a, c->gap);
        hm_buf_puts(&a, ", .strength = ");
        gb_ptr(g, &a, c->strength);
        hm_buf_puts(&a, ", .min_pos = ");
        gb_pos(&a, c->min_pos);
        hm_buf_puts(&a, ", .max_pos = ");
        gb_pos(&a, c->max_pos);
        hm_buf_puts(&a, "},");
    }
    size_t k = g->n_arrays++;
    hm_buf_printf(&g->defs, "static const hm_cond a_%zu[] = {%s%s};\n", k, a.data ? a.data : "", n ? "" : "{0}");
    hm_buf_free(&a);
    hm_buf_printf(b, "(hm_cond *)a_%zu", k);
}

static void gb_checks(genbuilt *g, hm_buf *b, const hm_check *cs, size_t n)
{
    if (!cs) {
        hm_buf_puts(b, "NULL");
        return;
    }
    hm_buf a = {0};
    for (size_t i = 0; i < n; i++) {
        hm_buf_puts(&a, "\n    {.conds = ");
        gb_conds(g, &a, cs[i].conds, cs[i].n_conds);
        hm_buf_printf(&a, ", .n_conds = %zu, .max_level = %d, .code = ", cs[i].n_conds, cs[i].max_level);
        gb_ptr(g, &a, cs[i].code);
        hm_buf_puts(&a, ", .message = ");
        gb_ptr(g, &a, cs[i].message);
        hm_buf_puts(&a, "},");
    }
    size_t k = g->n_arrays++;
    hm_buf_printf(&g->defs, "static const hm_check a_%zu[] = {%s%s};\n", k, a.data ? a.data : "", n ? "" : "{0}");
    hm_buf_free(&a);
    hm_buf_printf(b, "(hm_check *)a_%zu", k);
}

static void gb_rubric(genbuilt *g, hm_buf *b, const hm_rubric *r)
{
    hm_buf_puts(b, "{.name = ");
    gb_ptr(g, b, r->name);
    hm_buf_puts(b, ", .file = ");
    gb_ptr(g, b, r->file);
    hm_buf_printf(b, ", .out_of = %d,\n     .bands = {", r->out_of);
    for (int i = 0; i < 5; i++) {
        hm_buf_printf(b, "{%d, %d, ", r->bands[i].min, r->bands[i].max);
        gb_ptr(g, b, r->bands[i].label);
        hm_buf_puts(b, "}, ");
    }
    hm_buf a = {0};
    for (size_t s = 0; r->strands && s < r->n_strands; s++) {
        const hm_strand_def *d = &r->strands[s];
        hm_buf_puts(&a, "\n    {.id = ");
        gb_ptr(g, &a, d->id);
        hm_buf_puts(&a, ", .name = ");
        gb_ptr(g, &a, d->name);
        hm_buf_puts(&a, ", .weight = ");
        gb_double(g, &a, d->weight);
        hm_buf_puts(&a, ", .weight_pos = ");
        gb_pos(&a, d->weight_pos);
        hm_buf_puts(&a, ",\n     .levels = {");
        for (int l = 0; l < 5; l++) {
            hm_buf_printf(&a, "\n        {.level = %d, .descriptor = ", d->levels[l].level);
            gb_ptr(g, &a, d->levels[l].descriptor);
            hm_buf_puts(&a, ", .reqs = ");
            gb_conds(g, &a, d->levels[l].reqs, d->levels[l].n_reqs);
            hm_buf_printf(&a, ", .n_reqs = %zu},", d->levels[l].n_reqs);
        }
        hm_buf_puts(&a, "}},");
    }
    if (r->strands) {
        size_t k = g->n_arrays++;
        hm_buf_printf(&g->defs, "static const hm_strand_def a_%zu[] = {%s%s};\n", k, a.data ? a.data : "",
                      r->n_strands ? "" : "{0}");
        hm_buf_printf(b, "},\n     .strands = (hm_strand_def *)a_%zu", k);
    } else {
        hm_buf_puts(b, "},\n     .strands = NULL");
    }
    hm_buf_free(&a);
    hm_buf_printf(b, ", .n_strands = %zu, .max_above_lowest = %d, .near_miss = ", r->n_strands, r->max_above_lowest);
    gb_double(g, b, r->near_miss);
    hm_buf_puts(b, ", .mark_at_level = ");
    gb_double(g, b, r->mark_at_level);
    hm_buf_printf(b, ", .min_words = %d, .topic_min_score = ", r->min_words);
    gb_double(g, b, r->topic_min_score);
    hm_buf_printf(b, ",\n     .max_strengths = %zu, .max_gaps = %zu, .max_gaps_per_strand = %zu,\n     .caps = ",
                  r->max_strengths, r->max_gaps, r->max_gaps_per_strand);
    gb_checks(g, b, r->caps, r->n_caps);
    hm_buf_puts(b, ", .warnings = ");
    gb_checks(g, b, r->warnings, r->n_warnings);
    hm_buf_puts(b, ", .advice = ");
    gb_checks(g, b, r->advice, r->n_advice);
    hm_buf_printf(b, ",\n     .n_caps = %zu, .n_warnings = %zu, .n_advice = %zu}", r->n_caps, r->n_warnings,
                  r->n_advice);
}

/* Writes hm_built_lists_data, hm_built_topics and hm_built_rubric_data for
 * cfg, loaded from the built-in files alone; none (empty) when it is not. */
static bool gb_write(FILE *out, const hm_config *cfg)
{
    genbuilt g = {0};
    hm_buf top = {0};
    const char *lists_file = "rubrics/lists.yaml";
    const hm_builtin_file *lf = hm_builtin_find(lists_file);
    bool all = cfg && lf && !cfg->lists.built;
    for (size_t i = 0; all && i < cfg->n_topics; i++)
        all = cfg->topics[i].file && hm_builtin_find(cfg->topics[i].file) && !cfg->topics[i].built;
    all = all && cfg->rubric.file && hm_builtin_find(cfg->rubric.file) && !cfg->rubric.built;
    if (all) {
        hm_buf lists = {0};
        for (size_t i = 0; i < cfg->lists.n; i++) {
            const hm_list *l = &cfg->lists.lists[i];
            hm_buf_puts(&lists, "\n    {.name = ");
            gb_ptr(&g, &lists, l->name);
            hm_buf_puts(&lists, ", .items = ");
            gb_strs(&g, &lists, l->items, l->n);
            hm_buf_printf(&lists, ", .n = %zu, .cap = %zu,\n     .exact = ", l->n, l->cap);
            gb_u32s(&g, &lists, l->exact, 2 * l->cap);
            hm_buf_puts(&lists, ", .folded = ");
            gb_u32s(&g, &lists, l->folded, 2 * l->cap);
            hm_buf_puts(&lists, "},");
        }
        hm_buf_printf(&top, "static const hm_list built_lists[] = {%s{0}};\n", lists.data ? lists.data : "");
        hm_buf_free(&lists);
        hm_buf_printf(&top, "const hm_built_lists hm_built_lists_data = {\"%s\", %zu, built_lists, %zu};\n\n",
                      lists_file, lf->len, cfg->lists.n);
        hm_buf_puts(&top, "const hm_built_topic hm_built_topics[] = {");
        for (size_t i = 0; i < cfg->n_topics; i++) {
            const hm_topic *t = &cfg->topics[i];
            hm_buf_printf(&top, "\n    {\"%s\", %zu,\n     ", t->file, hm_builtin_find(t->file)->len);
            gb_topic(&g, &top, t);
            hm_buf_puts(&top, "},");
        }
        hm_buf_printf(&top, "\n    {NULL, 0, {0}}};\nconst size_t hm_built_topic_count = %zu;\n", cfg->n_topics);
        hm_buf_printf(&top, "\nconst hm_built_rubric hm_built_rubric_data = {\"%s\", %zu,\n    ", cfg->rubric.file,
                      hm_builtin_find(cfg->rubric.file)->len);
        gb_rubric(&g, &top, &cfg->rubric);
        hm_buf_puts(&top, "};\n");
    }
    if (!all || g.failed) {
        hm_buf_free(&top);
        hm_buf_puts(&top, "const hm_built_lists hm_built_lists_data = {NULL, 0, NULL, 0};\n"
                          "const hm_built_topic hm_built_topics[] = {{NULL, 0, {0}}};\n"
                          "const size_t hm_built_topic_count = 0;\n"
                          "const hm_built_rubric hm_built_rubric_data = {NULL, 0, {0}};\n");
    }
    fputs("\n/* The built-in lists and topic packs as loaded (src/built.h). */\n", out);
    if (all && !g.failed) {
        genc_bytes(out, "built_strs", 0, (const unsigned char *)(g.strs.data ? g.strs.data : ""), g.strs.len);
        fputs("#define hm_built_strs built_strs_0\n", out);
        fwrite(g.defs.data ? g.defs.data : "", 1, g.defs.len, out);
    }
    fwrite(top.data, 1, top.len, out);
    bool ok = !g.failed;
    hm_buf_free(&top);
    hm_buf_free(&g.strs);
    hm_buf_free(&g.defs);
    free(g.keys);
    free(g.offs);
    return ok;
}

#endif
