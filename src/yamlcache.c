#include "yamlcache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "snapshot.h"

#define MAX_ENTRIES 64
#define PREFIX "yaml-"
#define SUFFIX ".snap"

static atomic_bool enabled;

void hm_yaml_cache_enable(bool on)
{
    atomic_store(&enabled, on);
}

static bool cache_dir(char *out, size_t n)
{
    if (!atomic_load(&enabled))
        return false;
    const char *off = getenv("HISTMARK_NO_CACHE");
    if (off && *off && strcmp(off, "0") != 0)
        return false;
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    int k;
    if (xdg && xdg[0] == '/') /* the spec ignores a relative one */
        k = snprintf(out, n, "%s/histmark", xdg);
    else if (home && home[0] == '/')
        k = snprintf(out, n, "%s/.cache/histmark", home);
    else
        return false;
    return k > 0 && (size_t)k < n;
}

const char *hm_yaml_cache_dir(void)
{
    static char dir[4096];
    return cache_dir(dir, sizeof dir) ? dir : NULL;
}

/* dir/yaml-<hex of hash>.snap */
static bool entry_path(const unsigned char hash[HM_SHA256_LEN], char *out, size_t n)
{
    char dir[4096];
    if (!cache_dir(dir, sizeof dir))
        return false;
    char hex[2 * HM_SHA256_LEN + 1];
    for (size_t i = 0; i < HM_SHA256_LEN; i++)
        snprintf(hex + 2 * i, 3, "%02x", hash[i]);
    int k = snprintf(out, n, "%s/" PREFIX "%s" SUFFIX, dir, hex);
    return k > 0 && (size_t)k < n;
}

bool hm_yaml_cache_get(const char *data, size_t len, hm_yaml_cache_key *key, yaml_document_t *doc,
                       unsigned char **blob)
{
    *blob = NULL;
    char dir[4096], path[4200];
    key->on = cache_dir(dir, sizeof dir);
    if (!key->on)
        return false;
    hm_sha256(data, len, key->hash);
    if (!entry_path(key->hash, path, sizeof path))
        return false;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return false;
    struct stat st;
    /* A snapshot is about twice the YAML; far more is not one of ours. */
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
        (unsigned long long)st.st_size > 16ull * len + 4096) {
        close(fd);
        return false;
    }
    size_t size = (size_t)st.st_size, got = 0;
    unsigned char *buf = hm_xmalloc(size);
    while (got < size) {
        ssize_t r = read(fd, buf + got, size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    if (got != size || !hm_snapshot_decode(buf, size, len, key->hash, doc)) {
        free(buf);
        return false;
    }
    *blob = buf;
    return true;
}

/* Keeps the newest MAX_ENTRIES entries: each edit of a file adds one. */
static void prune(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    char oldest[4200] = "";
    time_t oldest_time = 0;
    size_t count = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (strncmp(e->d_name, PREFIX, strlen(PREFIX)) != 0 || n < strlen(SUFFIX) ||
            strcmp(e->d_name + n - strlen(SUFFIX), SUFFIX) != 0)
            continue;
        char path[4200];
        struct stat st;
        if (snprintf(path, sizeof path, "%s/%s", dir, e->d_name) >= (int)sizeof path ||
            lstat(path, &st) != 0)
            continue;
        count++;
        if (!oldest[0] || st.st_mtime < oldest_time) {
            strcpy(oldest, path);
            oldest_time = st.st_mtime;
        }
    }
    closedir(d);
    if (count > MAX_ENTRIES && oldest[0])
        unlink(oldest); /* one per write keeps the folder at the limit */
}

void hm_yaml_cache_put(const hm_yaml_cache_key *key, size_t len, const yaml_document_t *doc)
{
    char path[4200], dir[4096];
    if (!key->on || !entry_path(key->hash, path, sizeof path) || !cache_dir(dir, sizeof dir))
        return;
    hm_buf snap = {0};
    if (!hm_snapshot_encode(doc, len, key->hash, &snap))
        return;
    /* The folder and its parent (~/.cache may not exist yet), private. */
    char *slash = strrchr(dir, '/');
    *slash = '\0';
    (void)mkdir(dir, 0700);
    *slash = '/';
    (void)mkdir(dir, 0700);
    char tmp[4300];
    snprintf(tmp, sizeof tmp, "%s.%ld.%lx.tmp", path, (long)getpid(), (unsigned long)time(NULL));
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        hm_buf_free(&snap);
        return;
    }
    size_t done = 0;
    while (done < snap.len) {
        ssize_t w = write(fd, snap.data + done, snap.len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        done += (size_t)w;
    }
    bool ok = close(fd) == 0 && done == snap.len;
    hm_buf_free(&snap);
    if (!ok || rename(tmp, path) != 0) {
        unlink(tmp);
        return;
    }
    prune(dir);
}
