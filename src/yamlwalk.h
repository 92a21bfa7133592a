/* Loading YAML data files (rules, lists, topic packs, the rubric) with
 * positions for every error: FILE:LINE:COLUMN and, where known, the rule. */
#ifndef HM_YAMLWALK_H
#define HM_YAMLWALK_H

#include <yaml.h>

#include "util.h"

typedef struct hm_yaml {
    yaml_document_t doc;
    bool loaded;
    bool from_snapshot;  /* doc rebuilt by hm_snapshot_decode or hm_flat_tree_load: freed by hm_snapshot_doc_free */
    unsigned char *blob; /* the cached snapshot doc points into, or NULL */
    const char *file;
    hm_error *err;
    unsigned char *seen; /* per node: reached once already (an alias if twice) */
    size_t n_nodes;
} hm_yaml;

bool hm_yaml_load(hm_yaml *y, const char *data, size_t len, const char *file, hm_error *err);
void hm_yaml_free(hm_yaml *y);
yaml_node_t *hm_yaml_root(hm_yaml *y);

/* Reports an error at a node's position; always returns false. */
bool hm_yaml_fail(hm_yaml *y, const yaml_node_t *at, const char *rule, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

typedef struct hm_yaml_field {
    const char *key;
    bool required;
    yaml_node_t *value; /* filled: NULL when absent */
    const yaml_node_t *key_node;
} hm_yaml_field;

/* Checks `map` is a mapping whose keys are all in `fields`, none twice, and
 * every required one present; fills each field's value. */
bool hm_yaml_fields(hm_yaml *y, yaml_node_t *map, hm_yaml_field *fields, size_t n,
                    const char *rule);
/* The value of field `key` in a filled table, or NULL. */
yaml_node_t *hm_yaml_get(hm_yaml_field *fields, size_t n, const char *key);

bool hm_yaml_string(hm_yaml *y, yaml_node_t *node, const char *what, const char *rule,
                    const char **out);
bool hm_yaml_number(hm_yaml *y, yaml_node_t *node, const char *what, const char *rule,
                    double *out);
bool hm_yaml_int(hm_yaml *y, yaml_node_t *node, const char *what, const char *rule, int *out);
bool hm_yaml_bool(hm_yaml *y, yaml_node_t *node, const char *what, const char *rule, bool *out);

/* Checks a sequence (a lone scalar counts as a one-item sequence) and returns
 * its items through the callback-free pair below. */
bool hm_yaml_sequence(hm_yaml *y, yaml_node_t *node, const char *what, const char *rule);
size_t hm_yaml_seq_len(yaml_node_t *node);
yaml_node_t *hm_yaml_seq_item(hm_yaml *y, yaml_node_t *node, size_t i);

/* A sequence of strings, copied; *out is an array of n owned strings. */
bool hm_yaml_strings(hm_yaml *y, yaml_node_t *node, const char *what, const char *rule,
                     char ***out, size_t *n);
/* The same in one allocation: the array, then the strings; free(*out)
 * frees them all (and the strings must not be freed one by one). */
bool hm_yaml_strings_packed(hm_yaml *y, yaml_node_t *node, const char *what, const char *rule,
                            char ***out, size_t *n);

#endif
