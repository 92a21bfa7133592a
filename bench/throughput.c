/* In-process analysis throughput on one core.
 *
 *   throughput [-p PASSES] [-n MAX] [-r] [-t TOPIC] DIR|FILE...
 *
 * Reads every *.txt of DIR (or the FILEs) into memory, loads the built-in
 * configuration once (every rule enabled), then analyses every essay PASSES
 * times (default 5) after one unmeasured warm-up pass, freeing each result.
 * With -r each result is also rendered as JSON into a reused buffer. Prints
 * "key value" lines: the median pass in MB/s (10^6 bytes) and essays/s, the
 * fastest and slowest pass, the configuration's load time, peak resident
 * memory, and a checksum of the marks so that the work cannot be skipped and
 * two builds can be compared. */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "histmark.h"

typedef struct essay {
    char *name;
    char *data;
    size_t len;
} essay;

static void die(const char *what, const char *detail)
{
    fprintf(stderr, "throughput: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    exit(1);
}

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p)
        die("out of memory", NULL);
    return p;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void read_essay(essay *e, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        die(path, strerror(errno));
    size_t cap = 16384, n = 0, got;
    char *buf = xrealloc(NULL, cap);
    while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap)
            buf = xrealloc(buf, cap *= 2);
    }
    if (ferror(f))
        die(path, "read error");
    fclose(f);
    e->data = buf;
    e->len = n;
    size_t l = strlen(path);
    e->name = memcpy(xrealloc(NULL, l + 1), path, l + 1);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.txt files of a folder, sorted; NULL when `path` is not a folder. */
static char **list_dir(const char *path, size_t *count)
{
    DIR *d = opendir(path);
    if (!d)
        return NULL;
    char **names = NULL;
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        size_t l = strlen(de->d_name);
        if (l < 5 || strcmp(de->d_name + l - 4, ".txt") != 0)
            continue;
        size_t pl = strlen(path) + l + 2;
        names = xrealloc(names, (n + 1) * sizeof *names);
        names[n] = xrealloc(NULL, pl);
        snprintf(names[n], pl, "%s/%s", path, de->d_name);
        n++;
    }
    closedir(d);
    qsort(names, n, sizeof *names, by_name);
    *count = n;
    return names;
}

typedef struct sink {
    char *buf;
    size_t len, cap;
} sink;

static int sink_write(const char *data, size_t len, void *ud)
{
    sink *s = ud;
    if (s->len + len > s->cap) {
        while (s->len + len > s->cap)
            s->cap = s->cap ? s->cap * 2 : 65536;
        s->buf = xrealloc(s->buf, s->cap);
    }
    memcpy(s->buf + s->len, data, len);
    s->len += len;
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void usage(FILE *f)
{
    fputs("Usage: throughput [-p PASSES] [-n MAX] [-r] [-t TOPIC] DIR|FILE...\n"
          "Analyses every essay (held in memory) PASSES times (default 5) with the\n"
          "built-in rules, after a warm-up pass, and prints the median pass.\n"
          "  -n MAX    use at most MAX essays\n"
          "  -r        also render each result as JSON into a buffer\n"
          "  -t TOPIC  a fixed topic pack (default: chosen per essay)\n",
          f);
}

int main(int argc, char **argv)
{
    int passes = 5;
    size_t max = (size_t)-1;
    int render = 0;
    const char *topic = NULL;
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        if (strcmp(argv[i], "-p") == 0 && i + 1 < argc)
            passes = atoi(argv[++i]);
        else if (strcmp(argv[i], "-n") == 0 && i + 1 < argc)
            max = (size_t)strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "-t") == 0 && i + 1 < argc)
            topic = argv[++i];
        else if (strcmp(argv[i], "-r") == 0)
            render = 1;
        else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 0;
        } else {
            usage(stderr);
            return 2;
        }
    }
    if (i >= argc || passes < 1 || passes > 1000 || max == 0) {
        usage(stderr);
        return 2;
    }

    /* the inputs, all in memory before any timing */
    essay *es = NULL;
    size_t n = 0, bytes = 0;
    for (; i < argc && n < max; i++) {
        size_t count = 0;
        char **names = list_dir(argv[i], &count);
        char *single[1] = {argv[i]};
        if (!names)
            count = 1;
        for (size_t k = 0; k < count; k++) {
            if (n < max) {
                es = xrealloc(es, (n + 1) * sizeof *es);
                read_essay(&es[n], names ? names[k] : single[0]);
                bytes += es[n].len;
                n++;
            }
            if (names)
                free(names[k]);
        }
        free(names);
    }
    if (n == 0)
        die("no essays", NULL);

    double t0 = now();
    hm_config_options co = {HM_CONFIG_OPTIONS_VERSION, NULL, NULL, NULL, topic, 0};
    hm_error err;
    memset(&err, 0, sizeof err);
    hm_config *cfg = hm_config_load(&co, &err);
    if (!cfg)
        die("configuration", err.message);
    double load_s = now() - t0;

    hm_analyze_options ao = {HM_ANALYZE_OPTIONS_VERSION, NULL, NULL, 0};
    sink out = {NULL, 0, 0};
    double *wall = xrealloc(NULL, (size_t)passes * sizeof *wall);
    double *cpu = xrealloc(NULL, (size_t)passes * sizeof *cpu);
    unsigned long long checksum = 0, findings = 0, failed = 0;
    for (int p = -1; p < passes; p++) { /* pass -1 warms up */
        unsigned long long sum = 0, nf = 0, bad = 0;
        double w0 = now(), c0 = cpu_now();
        for (size_t k = 0; k < n; k++) {
            ao.name = es[k].name;
            hm_result *r = hm_analyze(cfg, es[k].data, es[k].len, &ao, &err);
            if (!r) {
                bad++;
                continue;
            }
            sum += (unsigned long long)hm_result_mark(r) * (k % 7 + 1);
            nf += hm_result_finding_count(r);
            if (render) {
                out.len = 0;
                hm_render_json(r, 0, sink_write, &out);
            }
            hm_result_free(r);
        }
        double w = now() - w0, c = cpu_now() - c0;
        if (p >= 0) {
            wall[p] = w;
            cpu[p] = c;
        }
        checksum = sum;
        findings = nf;
        failed = bad;
    }
    double fastest = wall[0], slowest = wall[0];
    for (int p = 1; p < passes; p++) {
        if (wall[p] < fastest)
            fastest = wall[p];
        if (wall[p] > slowest)
            slowest = wall[p];
    }
    double med = median(wall, (size_t)passes);
    double med_cpu = median(cpu, (size_t)passes);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);

    printf("essays %zu\n", n);
    printf("bytes %zu\n", bytes);
    printf("passes %d\n", passes);
    printf("render_json %d\n", render);
    printf("config_load_ms %.3f\n", load_s * 1e3);
    printf("pass_median_s %.4f\n", med);
    printf("pass_min_s %.4f\n", fastest);
    printf("pass_max_s %.4f\n", slowest);
    printf("cpu_median_s %.4f\n", med_cpu);
    printf("mb_per_s %.2f\n", (double)bytes / med / 1e6);
    printf("essays_per_s %.0f\n", (double)n / med);
    printf("us_per_essay %.1f\n", med / (double)n * 1e6);
    printf("findings %llu\n", findings);
    printf("failed %llu\n", failed);
    printf("checksum %llu\n", checksum);
    printf("maxrss_kb %ld\n", ru.ru_maxrss);

    free(out.buf);
    free(wall);
    free(cpu);
    hm_config_free(cfg);
    for (size_t k = 0; k < n; k++) {
        free(es[k].name);
        free(es[k].data);
    }
    free(es);
    return failed ? 1 : 0;
}
