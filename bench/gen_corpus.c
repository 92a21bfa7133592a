/* A deterministic corpus of essays for the benchmarks.
 *
 *   gen_corpus [-n N] [-s SEED] [-d SAMPLES_DIR] OUT_DIR
 *
 * Writes N essays (default 10,000) named essay-00000.txt ... into OUT_DIR
 * (created if missing). Each is a question line from one sample, then an
 * introduction, shuffled body paragraphs and a conclusion drawn from the
 * samples on the same topic (the part of the file name before the level,
 * "coldwar" in coldwar-l3-cuba.txt), until the essay is 6-8 KB. A fixed-seed PRNG (splitmix64, integer
 * arithmetic only) makes the same corpus on every machine. For variety, one
 * essay in 16 is hard-wrapped at 72 columns with no blank lines (text pasted
 * from a PDF), one in 16 has CRLF line ends, and one in 8 tags its question
 * "(20 marks)" instead of ending it with '?'.
 *
 * The notes-*.txt samples (revision notes, flashcards) are left out: they
 * are not essays. The corpus depends on the samples: adding one changes it
 * (the summary line gives the count of paragraphs and topics). Generated
 * corpora belong in /tmp, never in the tree. */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef BENCH_SAMPLES_DIR
#define BENCH_SAMPLES_DIR "samples"
#endif

#define MIN_BYTES 6144
#define MAX_BYTES 8192
#define MAX_GROUPS 32

typedef struct text {
    char *s;
    size_t len;
} text;

typedef struct para {
    text t;
    int group;
    int role; /* 0 introduction, 1 body, 2 conclusion */
} para;

typedef struct corpus {
    char *group_names[MAX_GROUPS];
    int n_groups;
    text questions[256];
    int question_group[256];
    int n_questions;
    para *paras;
    size_t n_paras, cap_paras;
} corpus;

static uint64_t rng_state;

static uint64_t next_u64(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Uniform in [0, n) without modulo bias. */
static size_t below(size_t n)
{
    uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t v;
    do
        v = next_u64();
    while (v >= limit);
    return (size_t)(v % n);
}

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p) {
        fputs("gen_corpus: out of memory\n", stderr);
        exit(1);
    }
    return p;
}

static char *xstrndup(const char *s, size_t n)
{
    char *d = xrealloc(NULL, n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "gen_corpus: %s: %s\n", path, strerror(errno));
        exit(1);
    }
    size_t cap = 16384, n = 0;
    char *buf = xrealloc(NULL, cap);
    size_t got;
    while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap)
            buf = xrealloc(buf, cap *= 2);
    }
    if (ferror(f)) {
        fprintf(stderr, "gen_corpus: %s: read error\n", path);
        exit(1);
    }
    fclose(f);
    *len = n;
    return buf;
}

/* The topic of a sample: the part of its name before the level
 * ("coldwar" in coldwar-l3-cuba.txt and in blind2-coldwar-l5-detente.txt),
 * or before the first '-' when the name has no level. */
static int group_of(corpus *c, const char *file)
{
    const char *from = file;
    size_t n = strcspn(file, "-");
    for (const char *p = file, *prev = NULL; *p;) {
        size_t l = strcspn(p, "-.");
        if (l == 2 && p[0] == 'l' && p[1] >= '0' && p[1] <= '9' && prev) {
            from = prev;
            n = (size_t)(p - prev) - 1;
            break;
        }
        prev = p;
        p += l;
        if (*p != '-')
            break;
        p++;
    }
    for (int i = 0; i < c->n_groups; i++)
        if (strlen(c->group_names[i]) == n && strncmp(c->group_names[i], from, n) == 0)
            return i;
    if (c->n_groups == MAX_GROUPS) {
        fputs("gen_corpus: too many topics in the samples\n", stderr);
        exit(1);
    }
    c->group_names[c->n_groups] = xstrndup(from, n);
    return c->n_groups++;
}

static void add_para(corpus *c, const char *s, size_t n, int group, int role)
{
    if (c->n_paras == c->cap_paras) {
        c->cap_paras = c->cap_paras ? c->cap_paras * 2 : 64;
        c->paras = xrealloc(c->paras, c->cap_paras * sizeof *c->paras);
    }
    c->paras[c->n_paras++] = (para){{xstrndup(s, n), n}, group, role};
}

/* Splits a sample into its question line and its paragraphs (runs of
 * non-blank lines), joining each paragraph's lines with single newlines. */
static void load_sample(corpus *c, const char *dir, const char *file)
{
    size_t plen = strlen(dir) + strlen(file) + 2;
    char *path = xrealloc(NULL, plen);
    snprintf(path, plen, "%s/%s", dir, file);
    size_t len;
    char *buf = read_all(path, &len);
    free(path);
    int group = group_of(c, file);

    size_t i = 0;
    /* strip \r so every paragraph is plain LF text */
    size_t w = 0;
    for (size_t r = 0; r < len; r++)
        if (buf[r] != '\r')
            buf[w++] = buf[r];
    len = w;
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
        i = 3;

    size_t first_para = c->n_paras;
    int have_question = 0;
    while (i < len) {
        while (i < len && buf[i] == '\n')
            i++;
        if (i >= len)
            break;
        size_t start = i, end = i;
        /* a paragraph ends at a blank line or at the end */
        while (i < len) {
            size_t eol = i;
            while (eol < len && buf[eol] != '\n')
                eol++;
            end = eol;
            i = eol < len ? eol + 1 : eol;
            if (i >= len || buf[i] == '\n')
                break;
        }
        if (!have_question) {
            /* the question is the first line only */
            size_t qend = start;
            while (qend < end && buf[qend] != '\n')
                qend++;
            if (c->n_questions < 256) {
                c->questions[c->n_questions] = (text){xstrndup(buf + start, qend - start), qend - start};
                c->question_group[c->n_questions++] = group;
            }
            have_question = 1;
            if (qend < end)
                add_para(c, buf + qend + 1, end - qend - 1, group, 1);
            continue;
        }
        add_para(c, buf + start, end - start, group, 1);
    }
    if (c->n_paras - first_para >= 3) {
        c->paras[first_para].role = 0;
        c->paras[c->n_paras - 1].role = 2;
    }
    free(buf);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void load_samples(corpus *c, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "gen_corpus: %s: %s\n", dir, strerror(errno));
        exit(1);
    }
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t l = strlen(e->d_name);
        if (l < 5 || strcmp(e->d_name + l - 4, ".txt") != 0 || strncmp(e->d_name, "notes-", 6) == 0)
            continue;
        names = xrealloc(names, (n + 1) * sizeof *names);
        names[n++] = xstrndup(e->d_name, l);
    }
    closedir(d);
    if (n == 0) {
        fprintf(stderr, "gen_corpus: %s: no essay samples (*.txt)\n", dir);
        exit(1);
    }
    /* readdir's order differs between file systems: sort for determinism */
    qsort(names, n, sizeof *names, by_name);
    for (size_t i = 0; i < n; i++) {
        load_sample(c, dir, names[i]);
        free(names[i]);
    }
    free(names);
}

typedef struct out {
    char *s;
    size_t len, cap;
} out;

static void put(out *o, const char *s, size_t n)
{
    if (n > ((size_t)1 << 30)) {
        fputs("gen_corpus: essay too large\n", stderr);
        exit(1);
    }
    if (o->len + n + 1 > o->cap) {
        while (o->len + n + 1 > o->cap)
            o->cap = o->cap ? o->cap * 2 : 16384;
        o->s = xrealloc(o->s, o->cap);
    }
    memcpy(o->s + o->len, s, n);
    o->len += n;
    o->s[o->len] = '\0';
}

/* Picks a paragraph of the given role, from the group when it has one not
 * yet used in this essay, else from any group. */
static const para *pick(const corpus *c, int group, int role, unsigned char *used)
{
    size_t cand[4096];
    size_t nc = 0;
    for (int pass = 0; pass < 2 && nc == 0; pass++)
        for (size_t i = 0; i < c->n_paras && nc < 4096; i++)
            if (!used[i] && c->paras[i].role == role && (pass == 1 || c->paras[i].group == group))
                cand[nc++] = i;
    if (nc == 0)
        return NULL;
    size_t k = cand[below(nc)];
    used[k] = 1;
    return &c->paras[k];
}

/* Re-flows paragraphs to lines of at most `width` columns, with no blank
 * lines between them: the shape of text pasted from a PDF. */
static void hard_wrap(out *o, size_t body_from, size_t width)
{
    out w = {NULL, 0, 0};
    put(&w, o->s, body_from);
    size_t col = 0;
    for (size_t i = body_from; i < o->len;) {
        if (o->s[i] == '\n') {
            bool para_end = i + 1 < o->len && o->s[i + 1] == '\n';
            if (para_end || i + 1 == o->len) {
                put(&w, "\n", 1);
                col = 0;
                i += para_end ? 2 : 1;
            } else {
                if (col) {
                    put(&w, " ", 1);
                    col++;
                }
                i++;
            }
            continue;
        }
        size_t a = i;
        while (i < o->len && o->s[i] != ' ' && o->s[i] != '\n')
            i++;
        size_t wl = i - a;
        if (col && col + 1 + wl > width) {
            /* drop the trailing space before the break */
            if (w.len && w.s[w.len - 1] == ' ')
                w.len--;
            put(&w, "\n", 1);
            col = 0;
        }
        put(&w, o->s + a, wl);
        col += wl;
        if (i < o->len && o->s[i] == ' ') {
            put(&w, " ", 1);
            col++;
            i++;
        }
    }
    free(o->s);
    *o = w;
}

static void to_crlf(out *o)
{
    out w = {NULL, 0, 0};
    for (size_t i = 0; i < o->len; i++) {
        if (o->s[i] == '\n')
            put(&w, "\r\n", 2);
        else
            put(&w, o->s + i, 1);
    }
    free(o->s);
    *o = w;
}

static void make_essay(const corpus *c, out *o, unsigned char *used)
{
    o->len = 0;
    memset(used, 0, c->n_paras);
    size_t qi = below((size_t)c->n_questions);
    int group = c->question_group[qi];
    const text *q = &c->questions[qi];
    size_t target = MIN_BYTES + below(MAX_BYTES - MIN_BYTES + 1);

    /* the question: tagged "(20 marks)" in one essay in 8 */
    size_t qlen = q->len;
    bool tag = below(8) == 0;
    if (tag) {
        while (qlen && (q->s[qlen - 1] == ' ' || q->s[qlen - 1] == '?'))
            qlen--;
        const char *p = strstr(q->s, " (20 marks)");
        if (p && (size_t)(p - q->s) < qlen)
            qlen = (size_t)(p - q->s);
    }
    put(o, q->s, qlen);
    if (tag)
        put(o, " (20 marks)", 11);
    put(o, "\n\n", 2);
    size_t body_from = o->len;

    const para *intro = pick(c, group, 0, used);
    const para *concl = pick(c, group, 2, used);
    size_t reserve = concl ? concl->t.len + 2 : 0;
    if (intro) {
        put(o, intro->t.s, intro->t.len);
        put(o, "\n\n", 2);
    }
    /* body paragraphs until the target size, skipping ones that would
     * overshoot the 8 KB ceiling */
    for (int tries = 0; tries < 64 && o->len + reserve < target; tries++) {
        const para *p = pick(c, group, 1, used);
        if (!p)
            break;
        if (o->len + reserve + p->t.len + 2 > MAX_BYTES)
            continue;
        put(o, p->t.s, p->t.len);
        put(o, "\n\n", 2);
    }
    if (concl) {
        put(o, concl->t.s, concl->t.len);
        put(o, "\n", 1);
    }
    if (below(16) == 0)
        hard_wrap(o, body_from, 72);
    if (below(16) == 0)
        to_crlf(o);
}

static void usage(FILE *f)
{
    fputs("Usage: gen_corpus [-n N] [-s SEED] [-d SAMPLES_DIR] OUT_DIR\n"
          "Writes N essays (default 10000) of 6-8 KB, made from the paragraphs of\n"
          "SAMPLES_DIR/*.txt (default " BENCH_SAMPLES_DIR ") by a fixed-seed PRNG,\n"
          "to OUT_DIR/essay-NNNNN.txt. The same N and SEED give the same files.\n",
          f);
}

static unsigned long long parse_num(const char *s, const char *what)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || end == s || *s == '-') {
        fprintf(stderr, "gen_corpus: %s must be a number, not '%s'\n", what, s);
        exit(2);
    }
    return v;
}

int main(int argc, char **argv)
{
    size_t n = 10000;
    uint64_t seed = 20261124;
    const char *samples = BENCH_SAMPLES_DIR, *dir = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(argv[i], "-n") == 0 && i + 1 < argc) {
            n = (size_t)parse_num(argv[++i], "N");
        } else if (strcmp(argv[i], "-s") == 0 && i + 1 < argc) {
            seed = parse_num(argv[++i], "SEED");
        } else if (strcmp(argv[i], "-d") == 0 && i + 1 < argc) {
            samples = argv[++i];
        } else if (argv[i][0] == '-' || dir) {
            usage(stderr);
            return 2;
        } else {
            dir = argv[i];
        }
    }
    if (!dir || n == 0 || n > 1000000) {
        usage(stderr);
        return 2;
    }
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "gen_corpus: %s: %s\n", dir, strerror(errno));
        return 1;
    }

    corpus c;
    memset(&c, 0, sizeof c);
    load_samples(&c, samples);
    rng_state = seed;

    unsigned char *used = xrealloc(NULL, c.n_paras);
    out o = {NULL, 0, 0};
    size_t total = 0, min = SIZE_MAX, max = 0;
    size_t plen = strlen(dir) + 32;
    char *path = xrealloc(NULL, plen);
    for (size_t k = 0; k < n; k++) {
        make_essay(&c, &o, used);
        snprintf(path, plen, "%s/essay-%05zu.txt", dir, k);
        FILE *f = fopen(path, "wb");
        if (!f || fwrite(o.s, 1, o.len, f) != o.len || fclose(f) != 0) {
            fprintf(stderr, "gen_corpus: %s: %s\n", path, strerror(errno));
            return 1;
        }
        total += o.len;
        if (o.len < min)
            min = o.len;
        if (o.len > max)
            max = o.len;
    }
    printf("gen_corpus: %zu essays in %s: %zu bytes (mean %zu, min %zu, max %zu) from %zu paragraphs "
           "of %d topics, seed %llu\n",
           n, dir, total, total / n, min, max, c.n_paras, c.n_groups, (unsigned long long)seed);

    free(path);
    free(o.s);
    free(used);
    for (size_t i = 0; i < c.n_paras; i++)
        free(c.paras[i].t.s);
    free(c.paras);
    for (int i = 0; i < c.n_questions; i++)
        free(c.questions[i].s);
    for (int i = 0; i < c.n_groups; i++)
        free(c.group_names[i]);
    return 0;
}
