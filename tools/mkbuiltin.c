/* Build tool: writes builtin_data.c, the YAML files under rubrics/ as byte
 * arrays with, for each, a snapshot of the tree libyaml loads from it
 * (src/snapshot.h), so that the built-in configuration loads without
 * parsing. A file libyaml refuses gets no snapshot: it is parsed at run
 * time and its error reported there, as before. A file named with --tree
 * (one the configuration reads as YAML on every run) also gets the tree as
 * fixed-width records (hm_builtin_trees, src/snapshot.h): loading it is a
 * copy of each, not a decoding.
 * Usage: mkbuiltin OUTPUT.c ROOT [--tree=FILE]... FILE... (FILE relative to ROOT) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yaml.h>

#include "genc.h"
#include "snapshot.h"

static unsigned char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    hm_buf b = {0};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        hm_buf_put(&b, chunk, n);
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        hm_buf_free(&b);
        return NULL;
    }
    *len = b.len;
    if (!b.data)
        return (unsigned char *)hm_xstrdup("");
    return (unsigned char *)b.data;
}

/* The tree libyaml loads from file k as a flat tree (src/snapshot.h):
 * records of numbers, its tags and scalars NUL-terminated in one array;
 * tree_k the table. False (nothing written) when a position passes 4 GiB. */
static bool put_tree(FILE *out, size_t k, const yaml_document_t *doc)
{
    hm_buf text = {0}, items = {0}, pairs = {0}, nodes = {0};
    size_t n_items = 0, n_pairs = 0;
    bool fits = true;
    for (const yaml_node_t *n = doc->nodes.start; n < doc->nodes.top; n++) {
        size_t tag = 0, at = 0, count = 0;
        int style = 0;
        if (n->tag) {
            tag = text.len + 1;
            hm_buf_put(&text, (const char *)n->tag, strlen((const char *)n->tag) + 1);
        }
        switch (n->type) {
        case YAML_SCALAR_NODE:
            at = text.len;
            count = n->data.scalar.length;
            style = (int)n->data.scalar.style;
            hm_buf_put(&text, (const char *)n->data.scalar.value, count);
            hm_buf_putc(&text, '\0');
            break;
        case YAML_SEQUENCE_NODE:
            at = n_items;
            count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
            style = (int)n->data.sequence.style;
            for (size_t i = 0; i < count; i++)
                hm_buf_printf(&items, "%d,%s", n->data.sequence.items.start[i], ++n_items % 16 ? "" : "\n");
            break;
        case YAML_MAPPING_NODE:
            at = n_pairs;
            count = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
            style = (int)n->data.mapping.style;
            for (size_t i = 0; i < count; i++)
                hm_buf_printf(&pairs, "{%d,%d},%s", n->data.mapping.pairs.start[i].key,
                              n->data.mapping.pairs.start[i].value, ++n_pairs % 8 ? "" : "\n");
            break;
        default:
            fits = false;
        }
        const yaml_mark_t *m[2] = {&n->start_mark, &n->end_mark};
        for (int j = 0; j < 2; j++)
            fits = fits && m[j]->index <= UINT32_MAX && m[j]->line <= UINT32_MAX && m[j]->column <= UINT32_MAX;
        fits = fits && text.len <= UINT32_MAX;
        hm_buf_printf(&nodes, "    {%d, %d, %zu, %zu, %zu, {%zu, %zu, %zu}, {%zu, %zu, %zu}},\n", (int)n->type, style,
                      tag, at, count, n->start_mark.index, n->start_mark.line, n->start_mark.column,
                      n->end_mark.index, n->end_mark.line, n->end_mark.column);
    }
    size_t n_nodes = (size_t)(doc->nodes.top - doc->nodes.start);
    if (fits) {
        /* one element more each: C has no empty arrays */
        genc_bytes(out, "tree_text", k, (const unsigned char *)text.data, text.len);
        fprintf(out, "static const yaml_node_item_t tree_items_%zu[] = {\n%s0};\n\n", k,
                items.data ? items.data : "");
        fprintf(out, "static const yaml_node_pair_t tree_pairs_%zu[] = {\n%s{0, 0}};\n\n", k,
                pairs.data ? pairs.data : "");
        fprintf(out, "static const hm_flat_node tree_nodes_%zu[] = {\n%s    {0}};\n\n", k,
                nodes.data ? nodes.data : "");
        fprintf(out,
                "static const hm_flat_tree tree_%zu = {tree_nodes_%zu, tree_items_%zu, tree_pairs_%zu, tree_text_%zu,\n"
                "    %zu, %zu, %zu, %d, %d, {%zu, %zu, %zu}, {%zu, %zu, %zu}};\n\n",
                k, k, k, k, k, n_nodes, n_items, n_pairs, doc->start_implicit, doc->end_implicit,
                doc->start_mark.index, doc->start_mark.line, doc->start_mark.column, doc->end_mark.index,
                doc->end_mark.line, doc->end_mark.column);
    }
    hm_buf_free(&text);
    hm_buf_free(&items);
    hm_buf_free(&pairs);
    hm_buf_free(&nodes);
    return fits;
}

/* The snapshot of what hm_yaml_load would parse, or false; with *tree,
 * its flat tree too (put_tree), *tree cleared when none was written. */
static bool snapshot_of(FILE *out, size_t k, bool *tree, const unsigned char *data, size_t len, hm_buf *snap)
{
    yaml_parser_t parser;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&parser))
        return false;
    yaml_parser_set_input_string(&parser, data, len);
    bool ok = yaml_parser_load(&parser, &doc);
    yaml_parser_delete(&parser);
    if (!ok)
        return false;
    unsigned char hash[HM_SHA256_LEN];
    hm_sha256(data, len, hash);
    ok = hm_snapshot_encode(&doc, len, hash, snap);
    *tree = ok && *tree && put_tree(out, k, &doc);
    yaml_document_delete(&doc);
    return ok;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fputs("usage: mkbuiltin OUTPUT.c ROOT FILE...\n", stderr);
        return 2;
    }
    const char *output = argv[1], *root = argv[2];
    int first = 3;
    while (first < argc && strncmp(argv[first], "--tree=", 7) == 0)
        first++;
    /* a --tree= that names no file would leave that file's tree out unsaid */
    for (int t = 3; t < first; t++) {
        bool named = false;
        for (int i = first; i < argc; i++)
            named = named || strcmp(argv[t] + 7, argv[i]) == 0;
        if (!named) {
            fprintf(stderr, "mkbuiltin: %s names none of the files given\n", argv[t]);
            return 1;
        }
    }
    char tmp[4096];
    FILE *out = genc_open(output, tmp, sizeof tmp);
    if (!out)
        return 1;
    fputs("/* Generated by tools/mkbuiltin.c from the files under rubrics/. */\n"
          "#include \"config.h\"\n#include \"snapshot.h\"\n#include <string.h>\n\n", out);
    hm_buf table = {0}, trees = {0};
    for (int i = first; i < argc; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", root, argv[i]);
        size_t len;
        unsigned char *data = read_all(path, &len);
        if (!data) {
            perror(path);
            fclose(out);
            remove(tmp);
            return 1;
        }
        size_t k = (size_t)(i - first);
        genc_bytes(out, "data", k, data, len);
        bool tree = false;
        for (int t = 3; t < first; t++)
            tree = tree || strcmp(argv[t] + 7, argv[i]) == 0;
        hm_buf snap = {0};
        bool snapped = snapshot_of(out, k, &tree, data, len, &snap);
        if (tree)
            hm_buf_printf(&trees, "    &tree_%zu,\n", k);
        else
            hm_buf_puts(&trees, "    NULL,\n");
        if (snapped) {
            genc_bytes(out, "snapshot", k, (const unsigned char *)snap.data, snap.len);
            hm_buf_printf(&table, "    {\"%s\", (const char *)data_%zu, %zu, snapshot_%zu, %zu},\n", argv[i], k,
                          len, k, snap.len);
        } else {
            hm_buf_printf(&table, "    {\"%s\", (const char *)data_%zu, %zu, NULL, 0},\n", argv[i], k, len);
        }
        hm_buf_free(&snap);
        free(data);
    }
    fprintf(out,
            "const hm_builtin_file hm_builtin_files[] = {\n%s    {NULL, NULL, 0, NULL, 0}};\n"
            "const size_t hm_builtin_file_count = %d;\n\n"
            "const hm_builtin_file *hm_builtin_find(const char *name)\n{\n"
            "    for (size_t i = 0; i < hm_builtin_file_count; i++)\n"
            "        if (strcmp(hm_builtin_files[i].name, name) == 0)\n"
            "            return &hm_builtin_files[i];\n"
            "    return NULL;\n}\n\n"
            "const hm_flat_tree *const hm_builtin_trees[] = {\n%s    NULL};\n",
            table.data ? table.data : "", argc - first, trees.data ? trees.data : "");
    hm_buf_free(&table);
    hm_buf_free(&trees);
    return genc_close(out, tmp, output);
}
