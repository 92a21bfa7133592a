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

#endif
