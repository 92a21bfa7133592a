#include "lists.h"

#include <stdlib.h>
#include <string.h>

#include "built.h"
#include "yamlwalk.h"

static void list_index(hm_list *l)
{
    /* The sets point at the list's own items, which they never outlive. */
    hm_strset_init_borrowing(&l->exact, false);
    hm_strset_init_borrowing(&l->folded, true);
    hm_strset_reserve(&l->exact, l->n);
    hm_strset_reserve(&l->folded, l->n);
    for (size_t i = 0; i < l->n; i++) {
        hm_strset_add(&l->exact, l->items[i], strlen(l->items[i]));
        hm_strset_add(&l->folded, l->items[i], strlen(l->items[i]));
    }
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
    return ok;
}

static void list_free(hm_list *l)
{
    hm_strset_free(&l->exact); /* first: they point at the items */
    hm_strset_free(&l->folded);
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
    return hm_strset_has(&l->exact, s, n);
}

bool hm_list_has_fold(const hm_list *l, const char *s, size_t n)
{
    return hm_strset_has(&l->folded, s, n);
}
