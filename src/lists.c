#include "lists.h"

#include <stdlib.h>
#include <string.h>

#include "built.h"
#include "yamlwalk.h"

/* Whether the item is exactly the n bytes at s (folded: in any ASCII case). */
static bool item_is(const char *item, const char *s, size_t n, bool fold)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char x = (unsigned char)item[i], y = (unsigned char)s[i];
        if (!x)
            return false;
        if (fold) {
            x = (unsigned char)(x >= 'A' && x <= 'Z' ? x + 32 : x);
            y = (unsigned char)(y >= 'A' && y <= 'Z' ? y + 32 : y);
        }
        if (x != y)
            return false;
    }
    return item[n] == '\0';
}

/* The slot holding an item equal to s, or the empty slot where it would go. */
static size_t table_probe(const hm_list *l, const uint32_t *t, const char *s, size_t n, bool fold, uint64_t h)
{
    uint32_t tag = (uint32_t)(h >> 32);
    size_t i = (size_t)h & (l->cap - 1);
    while (t[2 * i] && !(t[2 * i + 1] == tag && item_is(l->items[t[2 * i] - 1], s, n, fold)))
        i = (i + 1) & (l->cap - 1);
    return i;
}

static void table_fill(hm_list *l, uint32_t *t, bool fold)
{
    for (size_t k = 0; k < l->n; k++) {
        size_t n = strlen(l->items[k]);
        uint64_t h = hm_hash_bytes(l->items[k], n, fold);
        size_t i = table_probe(l, t, l->items[k], n, fold, h);
        if (t[2 * i])
            continue; /* given twice */
        t[2 * i] = (uint32_t)(k + 1);
        t[2 * i + 1] = (uint32_t)(h >> 32);
    }
}

static void list_index(hm_list *l)
{
    l->cap = 0;
    l->exact = l->folded = l->tables = NULL;
    if (!l->n)
        return;
    l->cap = 16;
    while (l->cap < 2 * l->n + 2)
        l->cap *= 2;
    l->tables = hm_xcalloc(4 * l->cap, sizeof *l->tables);
    table_fill(l, l->tables, false);
    table_fill(l, l->tables + 2 * l->cap, true);
    l->exact = l->tables;
    l->folded = l->tables + 2 * l->cap;
}

const hm_list *hm_lists_find(const hm_lists *lists, const char *name)
{
    for (size_t i = 0; i < lists->n; i++)
        if (strcmp(lists->lists[i].name, name) == 0)
            return &lists->lists[i];
    return NULL;
}

static const hm_list *known(const hm_lists *lists, const char *name)
{
    const hm_list *l = hm_lists_find(lists, name);
    return l ? l : &lists->empty;
}

bool hm_lists_load(hm_lists *lists, const char *data, size_t len, const char *file, hm_error *err)
{
    memset(lists, 0, sizeof *lists);
    list_index(&lists->empty);
    hm_yaml y;
    memset(&y, 0, sizeof y);
    bool ok = false;
    const hm_built_lists *b = &hm_built_lists_data;
    if (hm_built_is_builtin(b->file, b->len, data, len)) {
        /* the built-in file: its lists as the build loaded them */
        lists->lists = (hm_list *)(uintptr_t)b->lists;
        lists->n = b->n;
        lists->built = true;
        ok = true;
        goto out;
    }
    if (!hm_yaml_load(&y, data, len, file, err))
        goto out;
    hm_yaml_field top[] = {{"lists", true, NULL, NULL}};
    if (!hm_yaml_fields(&y, hm_yaml_root(&y), top, 1, NULL))
        goto out;
    yaml_node_t *map = top[0].value;
    if (map->type != YAML_MAPPING_NODE) {
        hm_yaml_fail(&y, map, NULL, "'lists' must map list names to lists of words");
        goto out;
    }
    size_t n = (size_t)(map->data.mapping.pairs.top - map->data.mapping.pairs.start);
    lists->lists = hm_xcalloc(n, sizeof *lists->lists);
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(&y.doc, p->key);
        yaml_node_t *v = yaml_document_get_node(&y.doc, p->value);
        const char *name;
        if (!hm_yaml_string(&y, k, "list name", NULL, &name))
            goto out;
        if (hm_lists_find(lists, name)) {
            hm_yaml_fail(&y, k, name, "list '%s' is given twice", name);
            goto out;
        }
        hm_list *l = &lists->lists[lists->n];
        if (!hm_yaml_strings_packed(&y, v, name, name, &l->items, &l->n))
            goto out;
        l->name = hm_xstrdup(name);
        list_index(l);
        lists->n++;
    }
    ok = true;
out:
    hm_yaml_free(&y);
    lists->places = known(lists, "places");
    lists->bodies = known(lists, "bodies");
    lists->nationalities = known(lists, "nationalities");
    lists->months = known(lists, "months");
    lists->days = known(lists, "days");
    lists->titles = known(lists, "titles");
    lists->event_words = known(lists, "event_words");
    lists->sentence_starters = known(lists, "sentence_starters");
    lists->abbreviations = known(lists, "abbreviations");
    lists->discourse_markers = known(lists, "discourse_markers");
    lists->stopwords = known(lists, "stopwords");
    lists->given_names = known(lists, "given_names");
    lists->place_suffixes = known(lists, "place_suffixes");
    lists->group_suffixes = known(lists, "group_suffixes");
    lists->question_commands = known(lists, "question_commands");
    lists->date_check_skip = known(lists, "date_check_skip");
    lists->date_check_verbs = known(lists, "date_check_verbs");
    lists->death_words = known(lists, "death_words");
    return ok;
}

static void list_free(hm_list *l)
{
    free(l->tables);
    free(l->items); /* with the strings (hm_yaml_strings_packed) */
    free(l->name);
}

void hm_lists_free(hm_lists *lists)
{
    for (size_t i = 0; !lists->built && i < lists->n; i++)
        list_free(&lists->lists[i]);
    if (!lists->built)
        free(lists->lists);
    list_free(&lists->empty);
    memset(lists, 0, sizeof *lists);
}

bool hm_list_has(const hm_list *l, const char *s, size_t n)
{
    return l->cap && l->exact[2 * table_probe(l, l->exact, s, n, false, hm_hash_bytes(s, n, false))] != 0;
}

bool hm_list_has_fold(const hm_list *l, const char *s, size_t n)
{
    return l->cap && l->folded[2 * table_probe(l, l->folded, s, n, true, hm_hash_bytes(s, n, true))] != 0;
}
