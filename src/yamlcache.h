/* An on-disk cache of YAML snapshots (src/snapshot.h) for the files a user
 * names (--rubric, --rules, --lists, --topic FILE): the second run with the
 * same file skips libyaml's parser. Built-in files need none: their
 * snapshots are compiled in.
 *
 * Where: $XDG_CACHE_HOME/histmark, else ~/.cache/histmark; one file per
 * YAML content, named by the SHA-256 of its bytes, so an edited file is a
 * new entry and never meets a stale one. Written after a file is parsed,
 * atomically (a temporary file renamed into place); at most MAX_ENTRIES are
 * kept. Off unless the program turns it on (the command does; the library
 * alone, the tests and the fuzzers do not), and off whenever
 * HISTMARK_NO_CACHE is set to anything but "" or "0".
 *
 * Anything wrong with the cache (missing, unreadable, corrupt, truncated,
 * another format or libyaml version) is a miss: the YAML is parsed, as
 * without a cache, and nothing is printed. */
#ifndef HM_YAMLCACHE_H
#define HM_YAMLCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <yaml.h>

/* Turns the cache on or off for this process (off by default). */
void hm_yaml_cache_enable(bool on);

/* The cache key of some YAML: its SHA-256; `on` false when the cache is off. */
typedef struct hm_yaml_cache_key {
    bool on;
    unsigned char hash[32];
} hm_yaml_cache_key;

/* The document of `data` from the cache: true, with *blob the snapshot that
 * doc points into (free it after hm_snapshot_doc_free), or false. Either
 * way *key is filled, for hm_yaml_cache_put after a parse. */
bool hm_yaml_cache_get(const char *data, size_t len, hm_yaml_cache_key *key, yaml_document_t *doc,
                       unsigned char **blob);

/* Stores the document just parsed from the `len` bytes of `key`; silent on
 * any failure. */
void hm_yaml_cache_put(const hm_yaml_cache_key *key, size_t len, const yaml_document_t *doc);

/* The folder in use, or NULL when the cache is off (for tests). */
const char *hm_yaml_cache_dir(void);

#endif
