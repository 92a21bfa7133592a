/* Times a command: wall clock, CPU and peak resident memory over many runs.
 *
 *   timecmd [-n RUNS] [-w WARMUP] [-b BASELINE] [-P K] [-l LIST] [-a] [-e] [-o FILE]
 *           -- CMD [ARG...] [:: FILE...]
 *
 * Runs CMD (found on PATH) RUNS times (default 50) after WARMUP unmeasured
 * runs (default 3), standard output to /dev/null (or FILE, -o) and standard
 * error to /dev/null (kept with -e), and prints "key value" lines: the
 * median, fastest, slowest and mean wall time in milliseconds
 * (CLOCK_MONOTONIC around posix_spawn and wait4), the median user and
 * system CPU time, and the largest peak resident set (ru_maxrss of wait4)
 * of any run. "argv_kb" is the size of the largest process's arguments and
 * environment (strings and pointers): they sit on its stack and count in
 * its resident memory, about 0.5 MiB for 10,000 file names.
 *
 * -b BASELINE runs that command (no arguments; /bin/true, say) in
 * alternation with CMD, so that the floor is measured under the same
 * conditions, and prints its figures with the prefix "base_".
 *
 * The FILEs after "::", then those named one per line in LIST (-l), are
 * appended to the arguments (so no shell or xargs limit splits a batch of
 * 10,000 files; the kernel's ARG_MAX still applies); with -P K they are cut
 * into K contiguous shares and K copies of CMD run at once, one per share
 * (the wall time is until the last ends): how `xargs -P` would spread a
 * batch over K cores when CMD itself cannot.
 *
 * A non-zero exit status stops the measurement unless -a is given (prose
 * linters exit 1 when they find something). */
#define _GNU_SOURCE /* wait4 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

typedef struct stats {
    double *wall, *user, *sys;
    long maxrss_kb;
    int last_status;
} stats;

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        fputs("timecmd: out of memory\n", stderr);
        exit(1);
    }
    return p;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double tv_s(struct timeval tv)
{
    return (double)tv.tv_sec + (double)tv.tv_usec * 1e-6;
}

static const char *out_path = "/dev/null";
static int keep_stderr = 0;

/* Runs the K argument vectors at once; returns the wall time and adds
 * each process's CPU time and peak memory. Returns -1 on a failed exit
 * status (unless accept_any). */
static double run_once(char ***argvs, int k, int accept_any, double *user, double *sys, long *maxrss,
                       int *status_out)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (!keep_stderr)
        posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    pid_t pids[64];
    double t0 = now();
    for (int i = 0; i < k; i++) {
        int rc = posix_spawnp(&pids[i], argvs[i][0], &fa, NULL, argvs[i], environ);
        if (rc != 0) {
            fprintf(stderr, "timecmd: %s: %s\n", argvs[i][0], strerror(rc));
            exit(1);
        }
    }
    *user = *sys = 0;
    int bad = 0;
    for (int i = 0; i < k; i++) {
        int status;
        struct rusage ru;
        pid_t p;
        while ((p = wait4(pids[i], &status, 0, &ru)) < 0 && errno == EINTR)
            ;
        if (p < 0) {
            perror("timecmd: wait4");
            exit(1);
        }
        *user += tv_s(ru.ru_utime);
        *sys += tv_s(ru.ru_stime);
        if (ru.ru_maxrss > *maxrss)
            *maxrss = ru.ru_maxrss;
        int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        *status_out = code;
        if (code != 0 && !(accept_any && WIFEXITED(status)))
            bad = 1;
    }
    double t = now() - t0;
    posix_spawn_file_actions_destroy(&fa);
    return bad ? -1 : t;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void report(const char *prefix, stats *s, int n)
{
    double sum = 0;
    for (int i = 0; i < n; i++)
        sum += s->wall[i];
    qsort(s->wall, (size_t)n, sizeof *s->wall, cmp_double);
    qsort(s->user, (size_t)n, sizeof *s->user, cmp_double);
    qsort(s->sys, (size_t)n, sizeof *s->sys, cmp_double);
#define MED(v) (n % 2 ? (v)[n / 2] : ((v)[n / 2 - 1] + (v)[n / 2]) / 2)
    printf("%sruns %d\n", prefix, n);
    printf("%smedian_ms %.3f\n", prefix, MED(s->wall) * 1e3);
    printf("%smin_ms %.3f\n", prefix, s->wall[0] * 1e3);
    printf("%smax_ms %.3f\n", prefix, s->wall[n - 1] * 1e3);
    printf("%smean_ms %.3f\n", prefix, sum / n * 1e3);
    printf("%suser_ms %.3f\n", prefix, MED(s->user) * 1e3);
    printf("%ssys_ms %.3f\n", prefix, MED(s->sys) * 1e3);
    printf("%smaxrss_kb %ld\n", prefix, s->maxrss_kb);
    printf("%sexit %d\n", prefix, s->last_status);
#undef MED
}

static void usage(FILE *f)
{
    fputs("Usage: timecmd [-n RUNS] [-w WARMUP] [-b BASELINE] [-P K] [-l LIST] [-a] [-e] [-o FILE]\n"
          "               -- CMD [ARG...] [:: FILE...]\n"
          "Runs CMD RUNS times (default 50, after 3 warm-up runs) and prints the median,\n"
          "fastest, slowest and mean wall time, median CPU time and peak memory.\n"
          "  -b CMD  run CMD (no arguments) in alternation, as the floor (base_*)\n"
          "  -l LIST append the files named in LIST, one per line, to the FILEs\n"
          "  -P K    cut the FILEs into K shares and run K processes at once\n"
          "  -a      accept any exit status      -e  keep standard error\n"
          "  -o FILE standard output to FILE (default /dev/null)\n",
          f);
}

int main(int argc, char **argv)
{
    int runs = 50, warmup = 3, par = 1, accept_any = 0;
    const char *baseline = NULL, *list = NULL;
    int i = 1;
    for (; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        } else if (strcmp(argv[i], "-n") == 0 && i + 1 < argc) {
            runs = atoi(argv[++i]);
        } else if (strcmp(argv[i], "-w") == 0 && i + 1 < argc) {
            warmup = atoi(argv[++i]);
        } else if (strcmp(argv[i], "-b") == 0 && i + 1 < argc) {
            baseline = argv[++i];
        } else if (strcmp(argv[i], "-P") == 0 && i + 1 < argc) {
            par = atoi(argv[++i]);
        } else if (strcmp(argv[i], "-l") == 0 && i + 1 < argc) {
            list = argv[++i];
        } else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
            out_path = argv[++i];
        } else if (strcmp(argv[i], "-a") == 0) {
            accept_any = 1;
        } else if (strcmp(argv[i], "-e") == 0) {
            keep_stderr = 1;
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 0;
        } else {
            usage(stderr);
            return 2;
        }
    }
    if (i >= argc || runs < 1 || warmup < 0 || par < 1 || par > 64) {
        usage(stderr);
        return 2;
    }

    /* CMD ARG... and the FILEs after "::" */
    int n_fixed = 0;
    while (i + n_fixed < argc && strcmp(argv[i + n_fixed], "::") != 0)
        n_fixed++;
    char **fixed = argv + i;
    char **given = argv + i + n_fixed + (i + n_fixed < argc);
    int n_files = (int)(argv + argc - given);
    char **files = xmalloc((size_t)n_files * sizeof *files);
    memcpy(files, given, (size_t)n_files * sizeof *files);
    if (list) {
        FILE *lf = fopen(list, "r");
        if (!lf) {
            fprintf(stderr, "timecmd: %s: %s\n", list, strerror(errno));
            return 1;
        }
        char line[4096];
        size_t cap = (size_t)n_files;
        while (fgets(line, sizeof line, lf)) {
            line[strcspn(line, "\r\n")] = '\0';
            if (!line[0])
                continue;
            if ((size_t)n_files == cap) {
                cap = cap ? cap * 2 : 1024;
                char **grown = realloc(files, cap * sizeof *files);
                if (!grown) {
                    fputs("timecmd: out of memory\n", stderr);
                    return 1;
                }
                files = grown;
            }
            size_t l = strlen(line);
            files[n_files++] = memcpy(xmalloc(l + 1), line, l + 1);
        }
        fclose(lf);
    }
    if (par > 1 && n_files < par) {
        fputs("timecmd: -P needs at least K files after '::'\n", stderr);
        return 2;
    }
    char ***argvs = xmalloc((size_t)par * sizeof *argvs);
    for (int p = 0; p < par; p++) {
        int from = (int)((long)n_files * p / par), to = (int)((long)n_files * (p + 1) / par);
        char **v = xmalloc((size_t)(n_fixed + (to - from) + 1) * sizeof *v);
        memcpy(v, fixed, (size_t)n_fixed * sizeof *v);
        memcpy(v + n_fixed, files + from, (size_t)(to - from) * sizeof *v);
        v[n_fixed + (to - from)] = NULL;
        argvs[p] = v;
    }
    char *base_argv[2] = {(char *)baseline, NULL};
    char **base_argvs[1] = {base_argv};

    stats s = {xmalloc((size_t)runs * sizeof(double)), xmalloc((size_t)runs * sizeof(double)),
               xmalloc((size_t)runs * sizeof(double)), 0, 0};
    stats b = {xmalloc((size_t)runs * sizeof(double)), xmalloc((size_t)runs * sizeof(double)),
               xmalloc((size_t)runs * sizeof(double)), 0, 0};
    for (int r = -warmup; r < runs; r++) {
        double u, sy;
        long rss = 0;
        int st = 0;
        if (baseline) {
            double t = run_once(base_argvs, 1, 1, &u, &sy, &rss, &st);
            if (r >= 0) {
                b.wall[r] = t;
                b.user[r] = u;
                b.sys[r] = sy;
                if (rss > b.maxrss_kb)
                    b.maxrss_kb = rss;
                b.last_status = st;
            }
            rss = 0;
        }
        double t = run_once(argvs, par, accept_any, &u, &sy, &rss, &st);
        if (t < 0) {
            fprintf(stderr, "timecmd: %s exited with status %d (give -a to accept it)\n", argvs[0][0], st);
            return 1;
        }
        if (r >= 0) {
            s.wall[r] = t;
            s.user[r] = u;
            s.sys[r] = sy;
            if (rss > s.maxrss_kb)
                s.maxrss_kb = rss;
            s.last_status = st;
        }
    }
    size_t env_bytes = 0, argv_bytes = 0;
    for (char **e = environ; *e; e++)
        env_bytes += strlen(*e) + 1 + sizeof *e;
    for (int p = 0; p < par; p++) {
        size_t bytes = env_bytes + sizeof(char *);
        for (char **a = argvs[p]; *a; a++)
            bytes += strlen(*a) + 1 + sizeof *a;
        if (bytes > argv_bytes)
            argv_bytes = bytes;
    }
    printf("processes %d\n", par);
    printf("argv_kb %zu\n", (argv_bytes + 1023) / 1024);
    printf("files %d\n", n_files);
    report("", &s, runs);
    if (baseline)
        report("base_", &b, runs);

    for (int p = 0; p < par; p++)
        free(argvs[p]);
    free(argvs);
    for (int f = (int)(argv + argc - given); f < n_files; f++)
        free(files[f]);
    free(files);
    free(s.wall), free(s.user), free(s.sys);
    free(b.wall), free(b.user), free(b.sys);
    return 0;
}
