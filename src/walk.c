/* Folder walking for a teacher's class folder: depth-first, names in byte
 * order at every level (so the order is the same on every machine and run),
 * hidden names and Word lock files skipped, and each folder entered once,
 * known by device and inode, so a symlink loop cannot trap the walk. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

/* A folder tree deeper than this is a mistake or an attack. */
#define MAX_DEPTH 64

typedef struct dir_id {
    dev_t dev;
    ino_t ino;
} dir_id;

/* An open-addressing set of the folders entered so far. */
typedef struct visited {
    dir_id *slots;
    bool *used;
    size_t cap, count;
} visited;

static size_t id_hash(dir_id id, size_t cap)
{
    uint64_t h = (uint64_t)id.ino * 0x9E3779B97F4A7C15ull ^ (uint64_t)id.dev * 0xC2B2AE3D27D4EB4Full;
    return (size_t)(h ^ (h >> 29)) & (cap - 1);
}

static void visited_insert(visited *v, dir_id id)
{
    size_t i = id_hash(id, v->cap);
    while (v->used[i])
        i = (i + 1) & (v->cap - 1);
    v->used[i] = true;
    v->slots[i] = id;
    v->count++;
}

/* Adds id; false when it was already there. */
static bool visited_add(visited *v, dir_id id)
{
    if (v->cap) {
        for (size_t i = id_hash(id, v->cap); v->used[i]; i = (i + 1) & (v->cap - 1))
            if (v->slots[i].dev == id.dev && v->slots[i].ino == id.ino)
                return false;
    }
    if ((v->count + 1) * 2 > v->cap) {
        visited old = *v;
        v->cap = old.cap ? old.cap * 2 : 64;
        v->slots = hm_xcalloc(v->cap, sizeof *v->slots);
        v->used = hm_xcalloc(v->cap, sizeof *v->used);
        v->count = 0;
        for (size_t i = 0; i < old.cap; i++)
            if (old.used[i])
                visited_insert(v, old.slots[i]);
        free(old.slots);
        free(old.used);
    }
    visited_insert(v, id);
    return true;
}

/* The type a folder's listing gives an entry (d_type is not POSIX: where
 * the C library has none, each entry is stat'ed, as for DT_UNKNOWN). */
#ifdef DT_REG
#define LISTED_TYPE(e) ((unsigned char)(e)->d_type)
#define LISTED_FILE DT_REG
#else
#define LISTED_TYPE(e) 0
#define LISTED_FILE 0x100 /* no listed type is this */
#endif

static int by_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool skipped_name(const char *name)
{
    return name[0] == '.' || (name[0] == '~' && name[1] == '$');
}

typedef struct walker {
    hm_walk_fn fn;
    void *ud;
    visited seen;
} walker;

static int walk_dir(walker *w, const char *path, unsigned depth)
{
    if (depth > MAX_DEPTH)
        return w->fn(path, "folders nested too deeply; not read", w->ud);
    DIR *d = opendir(path);
    if (!d)
        return w->fn(path, strerror(errno), w->ud);
    /* The names in one block (a class folder holds thousands: no string
     * each), each after its type's byte, then pointers into it to sort. */
    hm_buf block = {0};
    size_t *at = NULL, n = 0, cap = 0;
    struct dirent *e;
    errno = 0;
    while ((e = readdir(d)) != NULL) {
        if (skipped_name(e->d_name))
            continue; /* ".", "..", hidden files and folders, Word lock files */
        HM_GROW(at, n, cap);
        at[n++] = block.len + 1;
        hm_buf_putc(&block, (char)LISTED_TYPE(e));
        hm_buf_put(&block, e->d_name, strlen(e->d_name) + 1);
    }
    int read_errno = errno;
    closedir(d);
    const char **names = hm_xmalloc((n + 1) * sizeof *names);
    for (size_t i = 0; i < n; i++)
        names[i] = block.data + at[i];
    free(at);
    if (n)
        qsort(names, n, sizeof *names, by_name);

    int rc = 0;
    if (read_errno)
        rc = w->fn(path, strerror(read_errno), w->ud);
    size_t plen = strlen(path);
    bool slash = plen && path[plen - 1] == '/';
    for (size_t i = 0; i < n && rc == 0; i++) {
        unsigned type = (unsigned char)names[i][-1];
        /* A file the folder says is a file needs no stat of its own (a
         * class's folder: thousands, the one part of a batch's start that
         * grew with it); a folder, a link or a file system that does not
         * say is asked. */
        if (type == LISTED_FILE && !hm_is_essay_name(names[i]))
            continue;
        hm_buf child = {0};
        hm_buf_printf(&child, "%s%s%s", path, slash ? "" : "/", names[i]);
        if (type == LISTED_FILE) {
            rc = w->fn(child.data, NULL, w->ud);
            hm_buf_free(&child);
            continue;
        }
        struct stat st;
        /* stat, not lstat: a symlink to an essay or a folder is followed;
         * the visited set stops loops. */
        if (stat(child.data, &st) != 0) {
            if (hm_is_essay_name(names[i]))
                rc = w->fn(child.data, strerror(errno), w->ud);
        } else if (S_ISDIR(st.st_mode)) {
            if (visited_add(&w->seen, (dir_id){st.st_dev, st.st_ino}))
                rc = walk_dir(w, child.data, depth + 1);
        } else if (S_ISREG(st.st_mode) && hm_is_essay_name(names[i])) {
            rc = w->fn(child.data, NULL, w->ud);
        }
        hm_buf_free(&child);
    }
    free(names);
    hm_buf_free(&block);
    return rc;
}

int hm_walk(const char *root, hm_walk_fn fn, void *ud)
{
    walker w = {fn, ud, {0}};
    struct stat st;
    int rc;
    if (stat(root, &st) != 0)
        rc = fn(root, strerror(errno), ud);
    else if (!S_ISDIR(st.st_mode))
        rc = fn(root, NULL, ud); /* a file named directly is read whatever its name */
    else {
        visited_add(&w.seen, (dir_id){st.st_dev, st.st_ino});
        rc = walk_dir(&w, root, 0);
    }
    free(w.seen.slots);
    free(w.seen.used);
    return rc;
}
