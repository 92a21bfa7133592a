/* Layout: a fixed header, then a body of unsigned LEB128 numbers and
 * NUL-terminated strings.
 *
 *   header  "HMYSNAP\0", format version, libyaml major/minor/patch (u32 LE
 *           each), source length (u64 LE), source SHA-256, body checksum
 *           (u64 LE), body length (u64 LE)
 *   body    counts: nodes, sequence items, mapping pairs, tags, string bytes
 *           document: start_implicit, end_implicit, start and end marks
 *           tag lengths
 *           nodes: tag << 2 | type (tag 0: none, else 1 + its index),
 *             start mark as zigzag deltas from the previous node's, end mark
 *             as zigzag deltas from its own start, then length << 3 | style
 *             (a scalar's length, a sequence's or mapping's item count)
 *           sequence items and mapping pairs (node ids), in node order
 *           strings: the tags, then every scalar in node order, each
 *             followed by NUL (so decoded scalars point straight at them)
 *
 * Numbers, not structs, so a snapshot does not depend on the compiler's
 * layout of yaml_node_t. */
#include "snapshot.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const unsigned char magic[8] = {'H', 'M', 'Y', 'S', 'N', 'A', 'P', 0};
#define FORMAT_VERSION 3
#define HEADER_LEN 80
#define MAX_POSITION UINT32_MAX

static uint64_t get_u64(const unsigned char *p);

/* Against damage on disk, not against an adversary (who could write the
 * cache folder anyway): any change within one 8-byte word always changes
 * it (every step is a bijection of the state), others nearly always.
 * About a tenth of what SHA-256 costs. */
static uint64_t checksum(const unsigned char *p, size_t n)
{
    uint64_t h = 0x9E3779B97F4A7C15u ^ n;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        h = (h ^ get_u64(p + i)) * 0xff51afd7ed558ccdu;
        h ^= h >> 32;
    }
    for (; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3u;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53u;
    return h ^ (h >> 33);
}

/* ---- writing ---- */

static void put_u32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void put_u64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void put_num(hm_buf *b, uint64_t v)
{
    char tmp[10];
    size_t n = 0;
    do {
        tmp[n] = (char)(v & 0x7f);
        v >>= 7;
        if (v)
            tmp[n] = (char)(tmp[n] | 0x80);
        n++;
    } while (v);
    hm_buf_put(b, tmp, n);
}

static uint64_t zigzag(size_t to, size_t from)
{
    int64_t d = (int64_t)to - (int64_t)from;
    return ((uint64_t)d << 1) ^ (uint64_t)(d >> 63);
}

static bool mark_fits(yaml_mark_t m)
{
    return m.index <= MAX_POSITION && m.line <= MAX_POSITION && m.column <= MAX_POSITION;
}

static void put_marks(hm_buf *b, yaml_mark_t s, yaml_mark_t e, yaml_mark_t prev)
{
    put_num(b, zigzag(s.index, prev.index));
    put_num(b, zigzag(s.line, prev.line));
    put_num(b, zigzag(s.column, prev.column));
    put_num(b, zigzag(e.index, s.index));
    put_num(b, zigzag(e.line, s.line));
    put_num(b, zigzag(e.column, s.column));
}

static size_t node_count(const yaml_node_t *n)
{
    switch (n->type) {
    case YAML_SEQUENCE_NODE: return (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    case YAML_MAPPING_NODE: return (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
    default: return 0;
    }
}

bool hm_snapshot_encode(const yaml_document_t *doc, size_t src_len,
                        const unsigned char src_hash[HM_SHA256_LEN], hm_buf *out)
{
    if (doc->version_directive || doc->tag_directives.start != doc->tag_directives.end ||
        !mark_fits(doc->start_mark) || !mark_fits(doc->end_mark))
        return false;
    const yaml_node_t *nodes = doc->nodes.start;
    size_t n_nodes = (size_t)(doc->nodes.top - doc->nodes.start);
    size_t n_items = 0, n_pairs = 0, str_len = 0;
    /* Distinct tags: a loaded document has a handful, one copy per node. */
    const char **tags = hm_xmalloc((n_nodes ? n_nodes : 1) * sizeof *tags);
    size_t *tag_of = hm_xmalloc((n_nodes ? n_nodes : 1) * sizeof *tag_of);
    size_t n_tags = 0;
    bool ok = true;
    for (size_t i = 0; i < n_nodes && ok; i++) {
        const yaml_node_t *n = &nodes[i];
        ok = mark_fits(n->start_mark) && mark_fits(n->end_mark) &&
             (n->type == YAML_SCALAR_NODE || n->type == YAML_SEQUENCE_NODE || n->type == YAML_MAPPING_NODE);
        tag_of[i] = 0;
        if (n->tag) {
            size_t t = 0;
            while (t < n_tags && strcmp(tags[t], (const char *)n->tag) != 0)
                t++;
            if (t == n_tags) {
                tags[n_tags++] = (const char *)n->tag;
                str_len += strlen((const char *)n->tag) + 1;
            }
            tag_of[i] = t + 1;
        }
        if (n->type == YAML_SEQUENCE_NODE)
            n_items += node_count(n);
        else if (n->type == YAML_MAPPING_NODE)
            n_pairs += node_count(n);
        else if (n->type == YAML_SCALAR_NODE)
            str_len += n->data.scalar.length + 1;
    }
    if (!ok) {
        free(tags);
        free(tag_of);
        return false;
    }

    hm_buf body = {0};
    put_num(&body, n_nodes);
    put_num(&body, n_items);
    put_num(&body, n_pairs);
    put_num(&body, n_tags);
    put_num(&body, str_len);
    put_num(&body, (uint64_t)doc->start_implicit);
    put_num(&body, (uint64_t)doc->end_implicit);
    yaml_mark_t zero = {0, 0, 0};
    put_marks(&body, doc->start_mark, doc->end_mark, zero);
    for (size_t t = 0; t < n_tags; t++)
        put_num(&body, strlen(tags[t]));
    yaml_mark_t prev = zero;
    for (size_t i = 0; i < n_nodes; i++) {
        const yaml_node_t *n = &nodes[i];
        put_num(&body, (uint64_t)tag_of[i] << 2 | (uint64_t)n->type);
        put_marks(&body, n->start_mark, n->end_mark, prev);
        prev = n->start_mark;
        if (n->type == YAML_SCALAR_NODE) {
            put_num(&body, (uint64_t)n->data.scalar.length << 3 | (uint64_t)n->data.scalar.style);
        } else if (n->type == YAML_SEQUENCE_NODE) {
            put_num(&body, (uint64_t)node_count(n) << 3 | (uint64_t)n->data.sequence.style);
        } else {
            put_num(&body, (uint64_t)node_count(n) << 3 | (uint64_t)n->data.mapping.style);
        }
    }
    /* Node ids are ints in libyaml; a negative one is kept as a huge number
     * and refused by the decoder, as libyaml's lookup would refuse it. */
    for (size_t i = 0; i < n_nodes; i++)
        if (nodes[i].type == YAML_SEQUENCE_NODE)
            for (yaml_node_item_t *it = nodes[i].data.sequence.items.start; it < nodes[i].data.sequence.items.top; it++)
                put_num(&body, (uint64_t)(uint32_t)*it);
    for (size_t i = 0; i < n_nodes; i++)
        if (nodes[i].type == YAML_MAPPING_NODE)
            for (yaml_node_pair_t *p = nodes[i].data.mapping.pairs.start; p < nodes[i].data.mapping.pairs.top; p++) {
                put_num(&body, (uint64_t)(uint32_t)p->key);
                put_num(&body, (uint64_t)(uint32_t)p->value);
            }
    for (size_t t = 0; t < n_tags; t++)
        hm_buf_put(&body, tags[t], strlen(tags[t]) + 1);
    for (size_t i = 0; i < n_nodes; i++)
        if (nodes[i].type == YAML_SCALAR_NODE)
            hm_buf_put(&body, (const char *)nodes[i].data.scalar.value, nodes[i].data.scalar.length + 1);
    free(tags);
    free(tag_of);

    unsigned char header[HEADER_LEN];
    int major, minor, patch;
    yaml_get_version(&major, &minor, &patch);
    memcpy(header, magic, 8);
    put_u32(header + 8, FORMAT_VERSION);
    put_u32(header + 12, (uint32_t)major);
    put_u32(header + 16, (uint32_t)minor);
    put_u32(header + 20, (uint32_t)patch);
    put_u64(header + 24, src_len);
    memcpy(header + 32, src_hash, HM_SHA256_LEN);
    put_u64(header + 64, checksum((const unsigned char *)body.data, body.len));
    put_u64(header + 72, body.len);
    hm_buf_put(out, (const char *)header, sizeof header);
    hm_buf_put(out, body.data, body.len);
    hm_buf_free(&body);
    return true;
}

/* ---- reading ---- */

static uint32_t get_u32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_u64(const unsigned char *p)
{
    return (uint64_t)get_u32(p) | (uint64_t)get_u32(p + 4) << 32;
}

typedef struct reader {
    const unsigned char *p, *end;
    bool bad;
} reader;

static inline uint64_t get_num(reader *r)
{
    if (r->p < r->end && *r->p < 0x80) /* most numbers are one byte */
        return *r->p++;
    uint64_t v = 0;
    for (unsigned shift = 0; shift < 64 && r->p < r->end; shift += 7) {
        unsigned char c = *r->p++;
        v |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80))
            return v;
    }
    r->bad = true;
    return 0;
}

/* v, read already, must be at most `max`. */
static inline size_t get_upto_value(reader *r, uint64_t v, uint64_t max)
{
    if (v > max)
        r->bad = true;
    return r->bad ? 0 : (size_t)v;
}

/* A number that must be at most `max`. */
static inline size_t get_upto(reader *r, uint64_t max)
{
    return get_upto_value(r, get_num(r), max);
}

static inline size_t get_delta(reader *r, size_t from)
{
    uint64_t z = get_num(r);
    uint64_t d = (z >> 1) ^ -(z & 1); /* the signed delta, two's complement */
    /* Range first: a hostile delta must not overflow the sum. One unsigned
     * compare each: a delta below -MAX_POSITION, or a sum below 0, wraps
     * past the bound. */
    uint64_t v = from + d;
    if (d + MAX_POSITION > 2 * (uint64_t)MAX_POSITION || v > MAX_POSITION) {
        r->bad = true;
        return 0;
    }
    return (size_t)v;
}

static inline void get_marks(reader *r, yaml_mark_t *s, yaml_mark_t *e, yaml_mark_t prev)
{
    s->index = get_delta(r, prev.index);
    s->line = get_delta(r, prev.line);
    s->column = get_delta(r, prev.column);
    e->index = get_delta(r, s->index);
    e->line = get_delta(r, s->line);
    e->column = get_delta(r, s->column);
}

static bool check_header(const unsigned char *snap, size_t snap_len)
{
    if (snap_len < HEADER_LEN || memcmp(snap, magic, 8) != 0 || get_u32(snap + 8) != FORMAT_VERSION)
        return false;
    int major, minor, patch;
    yaml_get_version(&major, &minor, &patch);
    return get_u32(snap + 12) == (uint32_t)major && get_u32(snap + 16) == (uint32_t)minor &&
           get_u32(snap + 20) == (uint32_t)patch && get_u64(snap + 72) == snap_len - HEADER_LEN;
}

bool hm_snapshot_source(const unsigned char *snap, size_t snap_len, size_t *src_len,
                        unsigned char src_hash[HM_SHA256_LEN])
{
    if (!check_header(snap, snap_len) || get_u64(snap + 24) > SIZE_MAX)
        return false;
    *src_len = (size_t)get_u64(snap + 24);
    memcpy(src_hash, snap + 32, HM_SHA256_LEN);
    return true;
}

bool hm_snapshot_decode(const unsigned char *snap, size_t snap_len, size_t src_len,
                        const unsigned char *src_hash, yaml_document_t *doc)
{
    if (!check_header(snap, snap_len) || get_u64(snap + 24) != (uint64_t)src_len)
        return false;
    const unsigned char *body = snap + HEADER_LEN;
    size_t body_len = snap_len - HEADER_LEN;
    if (src_hash) {
        if (memcmp(src_hash, snap + 32, HM_SHA256_LEN) != 0)
            return false;
        if (checksum(body, body_len) != get_u64(snap + 64))
            return false;
    }
    reader r = {body, body + body_len, false};
    /* Every node, item and pair takes at least a byte of the body: counts
     * beyond that are corrupt, and never reach the allocator. */
    size_t n_nodes = get_upto(&r, body_len), n_items = get_upto(&r, body_len),
           n_pairs = get_upto(&r, body_len), n_tags = get_upto(&r, body_len),
           str_len = get_upto(&r, body_len);
    yaml_document_t d;
    memset(&d, 0, sizeof d);
    d.start_implicit = (int)get_upto(&r, 1);
    d.end_implicit = (int)get_upto(&r, 1);
    yaml_mark_t zero = {0, 0, 0};
    get_marks(&r, &d.start_mark, &d.end_mark, zero);
    if (r.bad)
        return false;
    /* One block: nodes, then pairs, then items (alignment decreasing). */
    size_t nodes_size = n_nodes * sizeof(yaml_node_t), pairs_size = n_pairs * sizeof(yaml_node_pair_t);
    unsigned char *block = hm_xmalloc(nodes_size + pairs_size + n_items * sizeof(yaml_node_item_t));
    yaml_node_t *nodes = (yaml_node_t *)(void *)block;
    yaml_node_pair_t *pairs = (yaml_node_pair_t *)(void *)(block + nodes_size);
    yaml_node_item_t *items = (yaml_node_item_t *)(void *)(block + nodes_size + pairs_size);
    size_t *tag_len = hm_xmalloc((n_tags ? n_tags : 1) * sizeof *tag_len);
    for (size_t t = 0; t < n_tags; t++)
        tag_len[t] = get_upto(&r, str_len);

    size_t items_used = 0, pairs_used = 0;
    yaml_mark_t prev = zero;
    for (size_t i = 0; i < n_nodes && !r.bad; i++) {
        yaml_node_t *n = &nodes[i];
        memset(n, 0, sizeof *n);
        uint64_t kind = get_num(&r);
        n->type = (yaml_node_type_t)(kind & 3);
        /* the tag's index for now; its pointer once the strings are found */
        n->tag = (yaml_char_t *)(uintptr_t)get_upto_value(&r, kind >> 2, n_tags);
        get_marks(&r, &n->start_mark, &n->end_mark, prev);
        prev = n->start_mark;
        uint64_t size = get_num(&r);
        unsigned style = (unsigned)(size & 7);
        size_t count = get_upto_value(&r, size >> 3, body_len);
        switch (n->type) {
        case YAML_SCALAR_NODE:
            n->data.scalar.length = count;
            n->data.scalar.style = (yaml_scalar_style_t)get_upto_value(&r, style, YAML_FOLDED_SCALAR_STYLE);
            break;
        case YAML_SEQUENCE_NODE:
            if (count > n_items - items_used) {
                r.bad = true;
                break;
            }
            n->data.sequence.items.start = items + items_used;
            n->data.sequence.items.top = n->data.sequence.items.end = items + items_used + count;
            items_used += count;
            n->data.sequence.style = (yaml_sequence_style_t)get_upto_value(&r, style, YAML_FLOW_SEQUENCE_STYLE);
            break;
        case YAML_MAPPING_NODE:
            if (count > n_pairs - pairs_used) {
                r.bad = true;
                break;
            }
            n->data.mapping.pairs.start = pairs + pairs_used;
            n->data.mapping.pairs.top = n->data.mapping.pairs.end = pairs + pairs_used + count;
            pairs_used += count;
            n->data.mapping.style = (yaml_mapping_style_t)get_upto_value(&r, style, YAML_FLOW_MAPPING_STYLE);
            break;
        default:
            r.bad = true; /* YAML_NO_NODE */
        }
    }
    if (items_used != n_items || pairs_used != n_pairs)
        r.bad = true;
    for (size_t i = 0; i < n_items && !r.bad; i++)
        items[i] = (yaml_node_item_t)get_upto(&r, n_nodes);
    for (size_t i = 0; i < n_pairs && !r.bad; i++) {
        pairs[i].key = (int)get_upto(&r, n_nodes);
        pairs[i].value = (int)get_upto(&r, n_nodes);
    }
    /* Node ids are 1-based; libyaml never makes 0. */
    for (size_t i = 0; i < n_items && !r.bad; i++)
        r.bad = items[i] < 1;
    for (size_t i = 0; i < n_pairs && !r.bad; i++)
        r.bad = pairs[i].key < 1 || pairs[i].value < 1;

    /* The strings fill the rest of the body exactly. */
    const unsigned char *s = r.p;
    if (r.bad || (size_t)(r.end - r.p) != str_len) {
        free(tag_len);
        free(block);
        return false;
    }
    const yaml_char_t **tag_at = hm_xmalloc((n_tags ? n_tags : 1) * sizeof *tag_at);
    for (size_t t = 0; t < n_tags && !r.bad; t++) {
        if (tag_len[t] >= (size_t)(r.end - s) || s[tag_len[t]] != 0 || memchr(s, 0, tag_len[t])) {
            r.bad = true;
            break;
        }
        tag_at[t] = s;
        s += tag_len[t] + 1;
    }
    for (size_t i = 0; i < n_nodes && !r.bad; i++) {
        yaml_node_t *n = &nodes[i];
        size_t t = (size_t)(uintptr_t)n->tag;
        n->tag = t ? (yaml_char_t *)tag_at[t - 1] : NULL;
        if (n->type != YAML_SCALAR_NODE)
            continue;
        size_t len = n->data.scalar.length;
        if (len >= (size_t)(r.end - s) || s[len] != 0) {
            r.bad = true;
            break;
        }
        n->data.scalar.value = (yaml_char_t *)s;
        s += len + 1;
    }
    free(tag_len);
    free(tag_at);
    if (r.bad || s != r.end) {
        free(block);
        return false;
    }
    d.nodes.start = nodes;
    d.nodes.top = d.nodes.end = nodes + n_nodes;
    *doc = d;
    return true;
}

void hm_flat_tree_load(const hm_flat_tree *t, yaml_document_t *doc)
{
    /* One block as hm_snapshot_decode's: nodes, then pairs, then items. */
    size_t nodes_size = t->n_nodes * sizeof(yaml_node_t), pairs_size = t->n_pairs * sizeof(yaml_node_pair_t);
    unsigned char *block = hm_xmalloc(nodes_size + pairs_size + t->n_items * sizeof(yaml_node_item_t) + 1);
    yaml_node_t *nodes = (yaml_node_t *)(void *)block;
    yaml_node_pair_t *pairs = (yaml_node_pair_t *)(void *)(block + nodes_size);
    yaml_node_item_t *items = (yaml_node_item_t *)(void *)(block + nodes_size + pairs_size);
    if (t->n_pairs)
        memcpy(pairs, t->pairs, pairs_size);
    if (t->n_items)
        memcpy(items, t->items, t->n_items * sizeof *items);
    yaml_char_t *text = (yaml_char_t *)(uintptr_t)t->text;
    for (size_t i = 0; i < t->n_nodes; i++) {
        const hm_flat_node *f = &t->nodes[i];
        yaml_node_t *n = &nodes[i];
        memset(n, 0, sizeof *n);
        n->type = (yaml_node_type_t)f->type;
        n->tag = f->tag ? text + f->tag - 1 : NULL;
        n->start_mark = (yaml_mark_t){f->start[0], f->start[1], f->start[2]};
        n->end_mark = (yaml_mark_t){f->end[0], f->end[1], f->end[2]};
        switch (n->type) {
        case YAML_SCALAR_NODE:
            n->data.scalar.value = text + f->at;
            n->data.scalar.length = f->count;
            n->data.scalar.style = (yaml_scalar_style_t)f->style;
            break;
        case YAML_SEQUENCE_NODE:
            n->data.sequence.items.start = items + f->at;
            n->data.sequence.items.top = n->data.sequence.items.end = items + f->at + f->count;
            n->data.sequence.style = (yaml_sequence_style_t)f->style;
            break;
        default: /* YAML_MAPPING_NODE: the build writes no other */
            n->data.mapping.pairs.start = pairs + f->at;
            n->data.mapping.pairs.top = n->data.mapping.pairs.end = pairs + f->at + f->count;
            n->data.mapping.style = (yaml_mapping_style_t)f->style;
        }
    }
    memset(doc, 0, sizeof *doc);
    doc->start_implicit = t->start_implicit;
    doc->end_implicit = t->end_implicit;
    doc->start_mark = t->start_mark;
    doc->end_mark = t->end_mark;
    doc->nodes.start = nodes;
    doc->nodes.top = doc->nodes.end = nodes + t->n_nodes;
}

void hm_snapshot_doc_free(yaml_document_t *doc)
{
    free(doc->nodes.start); /* the one block: nodes, pairs, items */
    memset(doc, 0, sizeof *doc);
}
