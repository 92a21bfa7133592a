/* libyaml 0.2.5 has no nesting limit and expands nothing: an alias is a
 * second reference to the same node. We never follow one (each node may be
 * reached once), so alias bombs cost nothing and are rejected, and the
 * walk's depth is bounded by the fixed shape of our files. */
#include "yamlwalk.h"

#include "config.h"
#include "snapshot.h"
#include "yamlcache.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_YAML_BYTES ((size_t)16 << 20)

static const char *problem_text(const char *problem)
{
    if (problem && strstr(problem, "tab"))
        return "a tab character where YAML wants spaces for indentation";
    return problem ? problem : "invalid YAML";
}

/* The tree of a built-in file, when the data is that file's own (the same
 * bytes in the binary): from its flat tree, or its build-time snapshot. */
static bool load_snapshot(hm_yaml *y, const char *data, size_t len)
{
    for (size_t i = 0; i < hm_builtin_file_count; i++) {
        const hm_builtin_file *b = &hm_builtin_files[i];
        if (b->data == data && b->len == len) {
            if (hm_builtin_trees[i]) {
                hm_flat_tree_load(hm_builtin_trees[i], &y->doc);
                y->from_snapshot = true;
                return true;
            }
            y->from_snapshot =
                b->snapshot && hm_snapshot_decode(b->snapshot, b->snapshot_len, len, NULL, &y->doc);
            return y->from_snapshot;
        }
    }
    return false;
}

/* The document is in y->doc, from either source. */
static bool loaded(hm_yaml *y, const char *file, hm_error *err)
{
    y->loaded = true;
    y->n_nodes = (size_t)(y->doc.nodes.top - y->doc.nodes.start);
    y->seen = hm_xcalloc(y->n_nodes + 1, 1);
    if (!yaml_document_get_root_node(&y->doc)) {
        hm_error_set(err, HM_ERR_SCHEMA, file, 1, 1, NULL, "the file is empty");
        return false;
    }
    return true;
}

bool hm_yaml_load(hm_yaml *y, const char *data, size_t len, const char *file, hm_error *err)
{
    memset(y, 0, sizeof *y);
    y->file = file;
    y->err = err;
    if (len > MAX_YAML_BYTES) {
        hm_error_set(err, HM_ERR_YAML, file, 0, 0, NULL, "file too large for a rubric (%zu bytes)",
                     len);
        return false;
    }
    if (load_snapshot(y, data, len))
        return loaded(y, file, err);
    hm_yaml_cache_key key;
    if (hm_yaml_cache_get(data, len, &key, &y->doc, &y->blob)) {
        y->from_snapshot = true;
        return loaded(y, file, err);
    }
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) {
        hm_error_set(err, HM_ERR_NOMEM, file, 0, 0, NULL, "out of memory");
        return false;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
    if (!yaml_parser_load(&parser, &y->doc)) {
        yaml_mark_t m = parser.problem_mark;
        if (parser.error == YAML_READER_ERROR)
            hm_error_set(err, HM_ERR_YAML, file, 0, 0, NULL, "invalid YAML: %s (not UTF-8 text?)",
                         problem_text(parser.problem));
        else
            hm_error_set(err, HM_ERR_YAML, file, (int)m.line + 1, (int)m.column + 1, NULL,
                         "invalid YAML: %s%s%s", problem_text(parser.problem),
                         parser.context ? " " : "", parser.context ? parser.context : "");
        yaml_parser_delete(&parser);
        return false;
    }
    yaml_parser_delete(&parser);
    hm_yaml_cache_put(&key, len, &y->doc);
    return loaded(y, file, err);
}

void hm_yaml_free(hm_yaml *y)
{
    if (y->from_snapshot)
        hm_snapshot_doc_free(&y->doc);
    else if (y->loaded)
        yaml_document_delete(&y->doc);
    free(y->blob);
    free(y->seen);
    memset(y, 0, sizeof *y);
}

bool hm_yaml_fail(hm_yaml *y, const yaml_node_t *at, const char *rule, const char *fmt, ...)
{
    char msg[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    int line = at ? (int)at->start_mark.line + 1 : 0;
    int col = at ? (int)at->start_mark.column + 1 : 0;
    hm_error_set(y->err, HM_ERR_SCHEMA, y->file, line, col, rule, "%s", msg);
    return false;
}

static yaml_node_t *node_at(hm_yaml *y, int id, const yaml_node_t *parent, const char *rule)
{
    if (id < 1 || (size_t)id > y->n_nodes)
        return NULL;
    yaml_node_t *n = yaml_document_get_node(&y->doc, id);
    if (y->seen[id]) {
        hm_yaml_fail(y, parent ? parent : n, rule,
                     "YAML aliases (*name) are not supported here; write the value out");
        return NULL;
    }
    y->seen[id] = 1;
    return n;
}

yaml_node_t *hm_yaml_root(hm_yaml *y)
{
    return node_at(y, 1, NULL, NULL);
}

static const char *type_name(const yaml_node_t *n)
{
    switch (n->type) {
    case YAML_SCALAR_NODE: return "a single value";
    case YAML_SEQUENCE_NODE: return "a list";
    case YAML_MAPPING_NODE: return "a mapping of keys to values";
    default: return "nothing";
    }
}

bool hm_yaml_fields(hm_yaml *y, yaml_node_t *map, hm_yaml_field *fields, size_t n,
                    const char *rule)
{
    if (!map)
        return false;
    if (map->type != YAML_MAPPING_NODE)
        return hm_yaml_fail(y, map, rule, "expected a mapping of keys to values, found %s (check the indentation)",
                            type_name(map));
    for (size_t i = 0; i < n; i++) {
        fields[i].value = NULL;
        fields[i].key_node = NULL;
    }
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
        yaml_node_t *k = node_at(y, p->key, map, rule);
        if (!k)
            return false;
        if (k->type != YAML_SCALAR_NODE)
            return hm_yaml_fail(y, k, rule, "a key must be a plain word");
        const char *key = (const char *)k->data.scalar.value;
        size_t i;
        /* the first bytes first: a table's keys mostly differ there, and a
         * byte compare is no call */
        for (i = 0; i < n; i++)
            if (fields[i].key[0] == key[0] && strcmp(fields[i].key, key) == 0)
                break;
        if (i == n) {
            hm_buf known = {0};
            for (size_t j = 0; j < n; j++)
                hm_buf_printf(&known, "%s%s", j ? ", " : "", fields[j].key);
            hm_yaml_fail(y, k, rule, "unknown key '%s' (known keys: %s)", key, known.data);
            hm_buf_free(&known);
            return false;
        }
        if (fields[i].key_node)
            return hm_yaml_fail(y, k, rule, "key '%s' is given twice", key);
        fields[i].key_node = k;
        fields[i].value = node_at(y, p->value, k, rule);
        if (!fields[i].value)
            return false;
    }
    for (size_t i = 0; i < n; i++)
        if (fields[i].required && !fields[i].value)
            return hm_yaml_fail(y, map, rule, "missing required key '%s'", fields[i].key);
    return true;
}

yaml_node_t *hm_yaml_get(hm_yaml_field *fields, size_t n, const char *key)
{
    /* Callers name the key with the literal their table has: the same
     * pointer, mostly, which needs no strcmp. */
    for (size_t i = 0; i < n; i++)
        if (fields[i].key == key)
            return fields[i].value;
    for (size_t i = 0; i < n; i++)
        if (strcmp(fields[i].key, key) == 0)
            return fields[i].value;
    return NULL;
}

bool hm_yaml_string(hm_yaml *y, yaml_node_t *node, const char *what, const char *rule,
                    const char **out)
{
    if (node->type != YAML_SCALAR_NODE)
        return hm_yaml_fail(y, node, rule, "'%s' must be a single value, found %s", what,
                            type_name(node));
    *out = (const char *)node->data.scalar.value;
    return true;
}

bool hm_yaml_number(hm_yaml *y, yaml_node_t *node, const char *what, const char *rule,
                    double *out)
{
    const char *s = NULL;
    if (!hm_yaml_string(y, node, what, rule, &s))
        return false;
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end != '\0' || !isfinite(v))
        return hm_yaml_fail(y, node, rule, "'%s' must be a number, found '%s'", what, s);
    *out = v;
    return true;
}

bool hm_yaml_int(hm_yaml *y, yaml_node_t *node, const char *what, const char *rule, int *out)
{
    double v = 0; /* gcc -O3 cannot see that hm_yaml_number sets it */
    if (!hm_yaml_number(y, node, what, rule, &v))
        return false;
    /* Range first: converting a huge double to an integer is undefined. */
    if (v < -1e9 || v > 1e9 || v != floor(v))
        return hm_yaml_fail(y, node, rule, "'%s' must be a whole number between -1000000000 and 1000000000", what);
    *out = (int)v;
    return true;
}

bool hm_yaml_bool(hm_yaml *y, yaml_node_t *node, const char *what, const char *rule, bool *out)
{
    const char *s = NULL;
    if (!hm_yaml_string(y, node, what, rule, &s))
        return false;
    if (!strcmp(s, "true") || !strcmp(s, "yes"))
        *out = true;
    else if (!strcmp(s, "false") || !strcmp(s, "no"))
        *out = false;
    else
        return hm_yaml_fail(y, node, rule, "'%s' must be true or false, found '%s'", what, s);
    return true;
}

bool hm_yaml_sequence(hm_yaml *y, yaml_node_t *node, const char *what, const char *rule)
{
    if (node->type == YAML_SEQUENCE_NODE || node->type == YAML_SCALAR_NODE)
        return true;
    return hm_yaml_fail(y, node, rule, "'%s' must be a list, found %s", what, type_name(node));
}

size_t hm_yaml_seq_len(yaml_node_t *node)
{
    if (node->type == YAML_SCALAR_NODE)
        return 1;
    return (size_t)(node->data.sequence.items.top - node->data.sequence.items.start);
}

yaml_node_t *hm_yaml_seq_item(hm_yaml *y, yaml_node_t *node, size_t i)
{
    if (node->type == YAML_SCALAR_NODE)
        return node;
    return node_at(y, node->data.sequence.items.start[i], node, NULL);
}

bool hm_yaml_strings(hm_yaml *y, yaml_node_t *node, const char *what, const char *rule,
                     char ***out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (!hm_yaml_sequence(y, node, what, rule))
        return false;
    size_t len = hm_yaml_seq_len(node);
    char **items = hm_xcalloc(len, sizeof *items);
    for (size_t i = 0; i < len; i++) {
        yaml_node_t *it = hm_yaml_seq_item(y, node, i);
        const char *s = NULL;
        if (!it || !hm_yaml_string(y, it, what, rule, &s)) {
            for (size_t j = 0; j < i; j++)
                free(items[j]);
            free(items);
            return false;
        }
        items[i] = hm_xstrdup(s);
    }
    *out = items;
    *n = len;
    return true;
}

bool hm_yaml_strings_packed(hm_yaml *y, yaml_node_t *node, const char *what, const char *rule,
                            char ***out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (!hm_yaml_sequence(y, node, what, rule))
        return false;
    size_t len = hm_yaml_seq_len(node), bytes = 0;
    /* first the strings where the document holds them, then copied after
     * the array (the document outlives this call) */
    char **items = hm_xmalloc(len * sizeof *items + 1);
    for (size_t i = 0; i < len; i++) {
        yaml_node_t *it = hm_yaml_seq_item(y, node, i);
        const char *s = NULL;
        if (!it || !hm_yaml_string(y, it, what, rule, &s)) {
            free(items);
            return false;
        }
        items[i] = (char *)(uintptr_t)s;
        bytes += strlen(s) + 1;
    }
    items = hm_xrealloc(items, len * sizeof *items + bytes + 1);
    char *p = (char *)(items + len);
    for (size_t i = 0; i < len; i++) {
        size_t k = strlen(items[i]) + 1;
        memcpy(p, items[i], k);
        items[i] = p;
        p += k;
    }
    *out = items;
    *n = len;
    return true;
}
