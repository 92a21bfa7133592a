/* Where the analysis time goes: per pipeline stage and per pattern.
 *
 *   rule_profile [-n MAX] [-p PASSES] DIR|FILE...
 *
 * perf and callgrind cannot name the code that PCRE2's JIT generates (it is
 * most of the time), so this program is linked with the linker's --wrap for
 * pcre2_match_8 and pcre2_jit_match_8 (which rules.c calls directly for
 * patterns with JIT code) and for the stages that analyze.c calls in other
 * files.
 * Every call from libhistmark.a is timed with CLOCK_MONOTONIC (the cost of
 * the clock itself is measured and subtracted) and charged to the pattern's
 * rule or topic pack, found through the loaded configuration.
 *
 * It reads internal headers (src/config.h, src/scan.h ...) like the unit
 * tests do: when those change, this tool may need to change with them. It
 * is a diagnostic, not a benchmark: the timing adds about 60 ns per call. */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "document.h"
#include "measure.h"
#include "rubric.h"
#include "scan.h"
#include "source.h"

/* ---- clocks ---- */

static double overhead_ns; /* of one now_ns() pair */

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void calibrate(void)
{
    double best = 1e9;
    for (int k = 0; k < 20; k++) {
        double t0 = now_ns();
        for (int i = 0; i < 1000; i++) {
            volatile double a = now_ns();
            volatile double b = now_ns();
            (void)a;
            (void)b;
        }
        double per = (now_ns() - t0) / 1000;
        if (per < best)
            best = per;
    }
    overhead_ns = best;
}

/* ---- per pattern ---- */

typedef struct pat {
    const pcre2_code *re;
    char label[96];
    unsigned long long calls, matches, bytes;
    double ns;
} pat;

static pat pats[1024];
static size_t n_pats;
static int recording;

static pat *pat_of(const pcre2_code *re)
{
    for (size_t i = 0; i < n_pats; i++)
        if (pats[i].re == re)
            return &pats[i];
    if (n_pats == sizeof pats / sizeof *pats)
        return NULL;
    pat *p = &pats[n_pats++];
    memset(p, 0, sizeof *p);
    p->re = re;
    snprintf(p->label, sizeof p->label, "(unknown pattern %p)", (const void *)re);
    return p;
}

/* One call of a pattern: its time, the bytes it was given, whether it matched. */
static void record(const pcre2_code *code, double ns, PCRE2_SIZE bytes, int rc)
{
    pat *p = pat_of(code);
    if (!p)
        return;
    p->calls++;
    p->ns += ns > 0 ? ns : 0;
    p->bytes += bytes;
    p->matches += rc > 0;
}

int __real_pcre2_match_8(const pcre2_code *code, PCRE2_SPTR subject, PCRE2_SIZE length, PCRE2_SIZE start,
                         uint32_t options, pcre2_match_data *md, pcre2_match_context *mctx);
int __wrap_pcre2_match_8(const pcre2_code *code, PCRE2_SPTR subject, PCRE2_SIZE length, PCRE2_SIZE start,
                         uint32_t options, pcre2_match_data *md, pcre2_match_context *mctx);

int __wrap_pcre2_match_8(const pcre2_code *code, PCRE2_SPTR subject, PCRE2_SIZE length, PCRE2_SIZE start,
                         uint32_t options, pcre2_match_data *md, pcre2_match_context *mctx)
{
    if (!recording)
        return __real_pcre2_match_8(code, subject, length, start, options, md, mctx);
    double t0 = now_ns();
    int rc = __real_pcre2_match_8(code, subject, length, start, options, md, mctx);
    double t = now_ns() - t0 - overhead_ns;
    record(code, t, length - start, rc);
    return rc;
}

int __real_pcre2_jit_match_8(const pcre2_code *code, PCRE2_SPTR subject, PCRE2_SIZE length, PCRE2_SIZE start,
                             uint32_t options, pcre2_match_data *md, pcre2_match_context *mctx);
int __wrap_pcre2_jit_match_8(const pcre2_code *code, PCRE2_SPTR subject, PCRE2_SIZE length, PCRE2_SIZE start,
                             uint32_t options, pcre2_match_data *md, pcre2_match_context *mctx);

/* rules.c calls the JIT code directly where a pattern has some, and
 * pcre2_match when it answers PCRE2_ERROR_JIT_BADOPTION: that call is
 * counted by the wrapper above, so this one counts only the others. */
int __wrap_pcre2_jit_match_8(const pcre2_code *code, PCRE2_SPTR subject, PCRE2_SIZE length, PCRE2_SIZE start,
                             uint32_t options, pcre2_match_data *md, pcre2_match_context *mctx)
{
    if (!recording)
        return __real_pcre2_jit_match_8(code, subject, length, start, options, md, mctx);
    double t0 = now_ns();
    int rc = __real_pcre2_jit_match_8(code, subject, length, start, options, md, mctx);
    double t = now_ns() - t0 - overhead_ns;
    if (rc == PCRE2_ERROR_JIT_BADOPTION)
        return rc;
    record(code, t, length - start, rc);
    return rc;
}

/* ---- per stage ---- */

enum { S_SOURCE, S_DOCUMENT, S_RULES_TEXT, S_RULES_BODY, S_RULES_PARTS, S_NAMES, S_TOPIC, S_FINISH,
       S_MEASURE, S_SCORE, S_COUNT };
static const char *const stage_names[S_COUNT] = {
    "hm_source_init (decode, line table)", "hm_document_build (paragraphs, sentences, words)",
    "hm_rules_run TEXT phase (website text)", "hm_rules_run BODY phase", "hm_rules_run PARTS phase",
    "  of which hm_names_run (person detection)", "hm_topic_run (topic pack's names and terms)",
    "hm_scan_finish (sort, overlaps, positions)", "hm_features_measure", "hm_rubric_score"};
static double stage_ns[S_COUNT];

#define TIMED(stage, call)                                                                                   \
    do {                                                                                                     \
        double t0_ = now_ns();                                                                               \
        call;                                                                                                \
        if (recording)                                                                                       \
            stage_ns[stage] += now_ns() - t0_ - overhead_ns;                                                 \
    } while (0)

bool __real_hm_source_init(hm_source *src, const char *bytes, size_t len, const char *name, hm_error *err);
bool __wrap_hm_source_init(hm_source *src, const char *bytes, size_t len, const char *name, hm_error *err);
bool __wrap_hm_source_init(hm_source *src, const char *bytes, size_t len, const char *name, hm_error *err)
{
    bool ok;
    TIMED(S_SOURCE, ok = __real_hm_source_init(src, bytes, len, name, err));
    return ok;
}

void __real_hm_document_build(hm_document *doc, const hm_source *src, const hm_lists *lists);
void __wrap_hm_document_build(hm_document *doc, const hm_source *src, const hm_lists *lists);
void __wrap_hm_document_build(hm_document *doc, const hm_source *src, const hm_lists *lists)
{
    TIMED(S_DOCUMENT, __real_hm_document_build(doc, src, lists));
}

void __real_hm_rules_run(hm_scan *scan, hm_phase phase);
void __wrap_hm_rules_run(hm_scan *scan, hm_phase phase);
void __wrap_hm_rules_run(hm_scan *scan, hm_phase phase)
{
    int s = phase == HM_PHASE_TEXT ? S_RULES_TEXT : phase == HM_PHASE_BODY ? S_RULES_BODY : S_RULES_PARTS;
    TIMED(s, __real_hm_rules_run(scan, phase));
}

void __real_hm_names_run(hm_scan *scan, const hm_rule *rule, size_t from, size_t to);
void __wrap_hm_names_run(hm_scan *scan, const hm_rule *rule, size_t from, size_t to);
void __wrap_hm_names_run(hm_scan *scan, const hm_rule *rule, size_t from, size_t to)
{
    TIMED(S_NAMES, __real_hm_names_run(scan, rule, from, to));
}

void __real_hm_topic_run(hm_scan *scan);
void __wrap_hm_topic_run(hm_scan *scan);
void __wrap_hm_topic_run(hm_scan *scan)
{
    TIMED(S_TOPIC, __real_hm_topic_run(scan));
}

void __real_hm_scan_finish(hm_scan *scan);
void __wrap_hm_scan_finish(hm_scan *scan);
void __wrap_hm_scan_finish(hm_scan *scan)
{
    TIMED(S_FINISH, __real_hm_scan_finish(scan));
}

void __real_hm_features_measure(hm_features *fs, const hm_scan *scan, const char *question, size_t qlen);
void __wrap_hm_features_measure(hm_features *fs, const hm_scan *scan, const char *question, size_t qlen);
void __wrap_hm_features_measure(hm_features *fs, const hm_scan *scan, const char *question, size_t qlen)
{
    TIMED(S_MEASURE, __real_hm_features_measure(fs, scan, question, qlen));
}

void __real_hm_rubric_score(const hm_rubric *rubric, const hm_features *fs, hm_scan *scan, hm_scored *out);
void __wrap_hm_rubric_score(const hm_rubric *rubric, const hm_features *fs, hm_scan *scan, hm_scored *out);
void __wrap_hm_rubric_score(const hm_rubric *rubric, const hm_features *fs, hm_scan *scan, hm_scored *out)
{
    TIMED(S_SCORE, __real_hm_rubric_score(rubric, fs, scan, out));
}

/* ---- inputs ---- */

typedef struct essay {
    char *data;
    size_t len;
} essay;

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p) {
        fputs("rule_profile: out of memory\n", stderr);
        exit(1);
    }
    return p;
}

static int read_essay(essay *e, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "rule_profile: %s: %s\n", path, strerror(errno));
        return 0;
    }
    size_t cap = 16384, n = 0, got;
    char *buf = xrealloc(NULL, cap);
    while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap)
            buf = xrealloc(buf, cap *= 2);
    }
    fclose(f);
    e->data = buf;
    e->len = n;
    return 1;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int by_time(const void *a, const void *b)
{
    const pat *x = a, *y = b;
    return (x->ns < y->ns) - (x->ns > y->ns);
}

static const char *const scope_names[] = {"essay", "paragraph", "sentence", "introduction",
                                          "conclusion", "quotation", "question", "text"};

static void label_patterns(const hm_config *cfg)
{
    for (size_t i = 0; i < cfg->n_rules; i++) {
        const hm_rule *r = &cfg->rules[i];
        const char *scope = (unsigned)r->scope < 8 ? scope_names[r->scope] : "?";
        pat *p = pat_of(r->re);
        if (p)
            snprintf(p->label, sizeof p->label, "rule %s (%s)", r->id, scope);
        if (r->re_second && (p = pat_of(r->re_second)) != NULL)
            snprintf(p->label, sizeof p->label, "rule %s, second (%s)", r->id, scope);
        if (r->re_anchored && (p = pat_of(r->re_anchored)) != NULL)
            snprintf(p->label, sizeof p->label, "rule %s, at its starts (%s)", r->id, scope);
    }
    for (size_t t = 0; t < cfg->n_topics; t++) {
        const hm_topic *tp = &cfg->topics[t];
        pat *p;
        if (tp->people_re && (p = pat_of(tp->people_re)) != NULL)
            snprintf(p->label, sizeof p->label, "topic %s: people (%zu, paragraph)", tp->id, tp->n_people);
        if (tp->events_re && (p = pat_of(tp->events_re)) != NULL)
            snprintf(p->label, sizeof p->label, "topic %s: events (%zu, paragraph)", tp->id, tp->n_events);
        if (tp->terms_re && (p = pat_of(tp->terms_re)) != NULL)
            snprintf(p->label, sizeof p->label, "topic %s: terms (%zu, paragraph)", tp->id, tp->n_terms);
    }
}

int main(int argc, char **argv)
{
    size_t max = (size_t)-1;
    int passes = 1, i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "-n") == 0 && i + 1 < argc)
            max = (size_t)strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "-p") == 0 && i + 1 < argc)
            passes = atoi(argv[++i]);
        else {
            fputs("Usage: rule_profile [-n MAX] [-p PASSES] DIR|FILE...\n", stderr);
            return 2;
        }
    }
    if (i >= argc || passes < 1) {
        fputs("Usage: rule_profile [-n MAX] [-p PASSES] DIR|FILE...\n", stderr);
        return 2;
    }
    essay *es = NULL;
    size_t n = 0, bytes = 0;
    for (; i < argc && n < max; i++) {
        DIR *d = opendir(argv[i]);
        char **names = NULL;
        size_t nn = 0;
        if (d) {
            struct dirent *de;
            while ((de = readdir(d)) != NULL) {
                size_t l = strlen(de->d_name);
                if (l < 5 || strcmp(de->d_name + l - 4, ".txt") != 0)
                    continue;
                names = xrealloc(names, (nn + 1) * sizeof *names);
                names[nn] = xrealloc(NULL, strlen(argv[i]) + l + 2);
                sprintf(names[nn++], "%s/%s", argv[i], de->d_name);
            }
            closedir(d);
            qsort(names, nn, sizeof *names, by_name);
        } else {
            names = xrealloc(NULL, sizeof *names);
            names[0] = xrealloc(NULL, strlen(argv[i]) + 1);
            strcpy(names[0], argv[i]);
            nn = 1;
        }
        for (size_t k = 0; k < nn; k++) {
            if (n < max) {
                es = xrealloc(es, (n + 1) * sizeof *es);
                if (read_essay(&es[n], names[k]))
                    bytes += es[n++].len;
            }
            free(names[k]);
        }
        free(names);
    }
    if (n == 0) {
        fputs("rule_profile: no essays\n", stderr);
        return 1;
    }

    calibrate();
    hm_error err;
    memset(&err, 0, sizeof err);
    hm_config *cfg = hm_config_load(NULL, &err);
    if (!cfg) {
        fprintf(stderr, "rule_profile: %s\n", err.message);
        return 1;
    }
    label_patterns(cfg);

    /* one pass unrecorded to warm up, then the recorded passes */
    double total = 0;
    for (int p = -1; p < passes; p++) {
        recording = p >= 0;
        double t0 = now_ns();
        for (size_t k = 0; k < n; k++)
            hm_result_free(hm_analyze(cfg, es[k].data, es[k].len, NULL, &err));
        if (recording)
            total += now_ns() - t0;
    }
    double per = (double)n * passes;

    double in_match = 0;
    for (size_t k = 0; k < n_pats; k++)
        in_match += pats[k].ns;
    double staged = 0;
    for (int s = 0; s < S_COUNT; s++)
        if (s != S_NAMES)
            staged += stage_ns[s];

    printf("%zu essays, %zu bytes, %d pass(es); %.1f us per essay (timing adds some overhead); "
           "clock pair %.0f ns subtracted\n\n",
           n, bytes, passes, total / per / 1e3, overhead_ns);
    printf("Stages (inclusive)                                      us/essay   share\n");
    for (int s = 0; s < S_COUNT; s++)
        printf("  %-52s %8.1f  %5.1f%%\n", stage_names[s], stage_ns[s] / per / 1e3, 100 * stage_ns[s] / total);
    printf("  %-52s %8.1f  %5.1f%%\n", "rest of hm_analyze (choose_topic, website, results)",
           (total - staged) / per / 1e3, 100 * (total - staged) / total);
    printf("  %-52s %8.1f  %5.1f%%\n\n", "all pcre2_match calls (JIT code)", in_match / per / 1e3,
           100 * in_match / total);

    qsort(pats, n_pats, sizeof *pats, by_time);
    printf("Patterns by time in pcre2_match                 us/essay  share  calls/essay  ns/call  "
           "KB scanned/essay  matches/essay\n");
    for (size_t k = 0; k < n_pats; k++) {
        const pat *p = &pats[k];
        if (p->calls == 0)
            continue;
        printf("  %-46s %8.1f %5.1f%%  %10.1f  %7.0f  %16.1f  %13.1f\n", p->label, p->ns / per / 1e3,
               100 * p->ns / total, (double)p->calls / per, p->ns / (double)p->calls,
               (double)p->bytes / per / 1024, (double)p->matches / per);
    }
    hm_config_free(cfg);
    for (size_t k = 0; k < n; k++)
        free(es[k].data);
    free(es);
    return 0;
}
