/* A YAML document as libyaml loaded it (nodes, values, tags, marks), in a
 * compact binary form that rebuilds the same yaml_document_t without
 * libyaml's scanner: about 20 times less work than parsing. The built-in
 * files carry one made at build time (tools/mkbuiltin.c); hm_yaml_load
 * (yamlwalk.c) uses them, and the loaders walk the same tree either way.
 *
 * A snapshot names the bytes it was made from (length and SHA-256) and the
 * libyaml version that parsed them. Decoding checks all of it and every
 * index, count and string bound: a snapshot that fails any check is
 * refused, and the caller parses the YAML instead. */
#ifndef HM_SNAPSHOT_H
#define HM_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yaml.h>

#include "sha256.h"
#include "util.h"

/* Appends the snapshot of `doc`, parsed from the `src_len` bytes whose hash
 * is `src_hash`, to `out`. False (and `out` unchanged) when the document
 * holds what the format does not carry: version or tag directives, or a
 * position past 4 GiB. */
bool hm_snapshot_encode(const yaml_document_t *doc, size_t src_len,
                        const unsigned char src_hash[HM_SHA256_LEN], hm_buf *out);

/* The source a snapshot claims to come from, read from its header only.
 * False when the header is not one of ours. */
bool hm_snapshot_source(const unsigned char *snap, size_t snap_len, size_t *src_len,
                        unsigned char src_hash[HM_SHA256_LEN]);

/* Rebuilds the document of a snapshot made from `src_len` bytes. Scalars and
 * tags point into `snap`, which must outlive `doc`; free `doc` with
 * hm_snapshot_doc_free, never yaml_document_delete. `src_hash`: the SHA-256
 * of the bytes the caller has, for snapshots read from disk: then the
 * snapshot must name it, and its body must match its own checksum. NULL for the
 * built-in snapshots, which the build made from the bytes beside them.
 * False, and `doc` untouched, when anything is wrong. */
bool hm_snapshot_decode(const unsigned char *snap, size_t snap_len, size_t src_len,
                        const unsigned char *src_hash, yaml_document_t *doc);
void hm_snapshot_doc_free(yaml_document_t *doc);

/* A built-in file's tree as the build wrote it (tools/mkbuiltin.c --tree):
 * fixed-width records, no pointers, so the data needs no relocation. */
typedef struct hm_flat_node {
    uint32_t type, style;
    uint32_t tag;          /* 0: none, else 1 + its place in text */
    uint32_t at, count;    /* a scalar's place in text and length; a list's first item or pair and count */
    uint32_t start[3], end[3]; /* marks: index, line, column */
} hm_flat_node;

typedef struct hm_flat_tree {
    const hm_flat_node *nodes;
    const yaml_node_item_t *items;
    const yaml_node_pair_t *pairs;
    const unsigned char *text; /* the tags and scalars, each NUL-terminated */
    size_t n_nodes, n_items, n_pairs;
    int start_implicit, end_implicit;
    yaml_mark_t start_mark, end_mark;
} hm_flat_tree;

/* Per built-in file (hm_builtin_files' order), its flat tree for the files
 * the configuration reads as YAML on every run, else NULL. */
extern const hm_flat_tree *const hm_builtin_trees[];

/* The document of a flat tree, as hm_snapshot_decode makes it (free it
 * with hm_snapshot_doc_free): a copy of each record, its strings pointing
 * into t->text. Not checked: the build made it from libyaml's own tree,
 * and the tests compare the two. */
void hm_flat_tree_load(const hm_flat_tree *t, yaml_document_t *doc);

#endif
