/* libFuzzer harness: YAML snapshots (src/snapshot.c), which a cache file
 * brings from disk. First byte 0: the rest is a snapshot, decoded without
 * its hash check, as a damaged cache file whose hash still matched would
 * be (it must be refused or decode to a tree that is safe to walk). Else:
 * the rest is YAML, and a snapshot of what libyaml loads must decode to
 * the same tree. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "snapshot.h"

static size_t walk(const yaml_document_t *doc)
{
    size_t n_nodes = (size_t)(doc->nodes.top - doc->nodes.start), sum = 0;
    for (const yaml_node_t *n = doc->nodes.start; n < doc->nodes.top; n++) {
        if (n->tag)
            sum += strlen((const char *)n->tag);
        if (n->type == YAML_SCALAR_NODE)
            for (size_t i = 0; i <= n->data.scalar.length; i++)
                sum += n->data.scalar.value[i];
        else if (n->type == YAML_SEQUENCE_NODE)
            for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
                if (*it < 1 || (size_t)*it > n_nodes)
                    abort();
                sum += (size_t)*it;
            }
        else if (n->type == YAML_MAPPING_NODE)
            for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
                if (p->key < 1 || (size_t)p->key > n_nodes || p->value < 1 || (size_t)p->value > n_nodes)
                    abort();
                sum += (size_t)p->key;
            }
        else
            abort();
    }
    return sum;
}

static bool same_mark(yaml_mark_t a, yaml_mark_t b)
{
    return a.index == b.index && a.line == b.line && a.column == b.column;
}

static void check_same(const yaml_document_t *a, const yaml_document_t *b)
{
    if (a->nodes.top - a->nodes.start != b->nodes.top - b->nodes.start)
        abort();
    for (const yaml_node_t *x = a->nodes.start, *y = b->nodes.start; x < a->nodes.top; x++, y++) {
        if (x->type != y->type || !same_mark(x->start_mark, y->start_mark) || !same_mark(x->end_mark, y->end_mark) ||
            (x->tag == NULL) != (y->tag == NULL) || (x->tag && strcmp((const char *)x->tag, (const char *)y->tag)))
            abort();
        if (x->type == YAML_SCALAR_NODE &&
            (x->data.scalar.length != y->data.scalar.length || x->data.scalar.style != y->data.scalar.style ||
             memcmp(x->data.scalar.value, y->data.scalar.value, x->data.scalar.length)))
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const unsigned char *rest = data + 1;
    size_t len = size - 1;
    yaml_document_t doc;
    if (data[0] == 0) {
        size_t src_len;
        unsigned char hash[HM_SHA256_LEN];
        if (hm_snapshot_source(rest, len, &src_len, hash) && hm_snapshot_decode(rest, len, src_len, NULL, &doc)) {
            volatile size_t sink = walk(&doc);
            (void)sink;
            hm_snapshot_doc_free(&doc);
        }
        return 0;
    }
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser))
        return 0;
    yaml_parser_set_input_string(&parser, rest, len);
    bool ok = yaml_parser_load(&parser, &doc);
    yaml_parser_delete(&parser);
    if (!ok)
        return 0;
    unsigned char hash[HM_SHA256_LEN];
    hm_sha256(rest, len, hash);
    hm_buf snap = {0};
    if (hm_snapshot_encode(&doc, len, hash, &snap)) {
        yaml_document_t back;
        if (!hm_snapshot_decode((const unsigned char *)snap.data, snap.len, len, hash, &back))
            abort();
        check_same(&doc, &back);
        hm_snapshot_doc_free(&back);
    }
    hm_buf_free(&snap);
    yaml_document_delete(&doc);
    return 0;
}
