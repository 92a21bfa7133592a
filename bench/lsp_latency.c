/* How long the language server takes from a didChange to its
 * publishDiagnostics, without the pipe: analyse the essay, build the
 * Diagnostic[] (positions in UTF-16, as most clients use) and serialise the
 * notification, exactly as src/lsp.c does for each change. Not a test.
 *
 * Usage: lsp_latency [-n RUNS] [-w WORDS] FILE...
 * Builds one essay of about WORDS words (default 1500) from the files'
 * lines (one question line: the first file's), and
 * prints the median, 10th and 90th percentile over RUNS runs (default 200). */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lsp.h"
#include "util.h"

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static size_t count_words(const char *s, size_t n)
{
    size_t w = 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\n' && s[i] != '\r' && s[i] != '\t' &&
            (i == 0 || s[i - 1] == ' ' || s[i - 1] == '\n' || s[i - 1] == '\r' || s[i - 1] == '\t'))
            w++;
    return w;
}

int main(int argc, char **argv)
{
    int runs = 200;
    size_t want = 1500;
    int first = 1;
    while (first + 1 < argc && argv[first][0] == '-') {
        if (strcmp(argv[first], "-n") == 0)
            runs = atoi(argv[first + 1]);
        else if (strcmp(argv[first], "-w") == 0)
            want = (size_t)atol(argv[first + 1]);
        else
            break;
        first += 2;
    }
    if (first >= argc || runs < 1) {
        fputs("usage: lsp_latency [-n RUNS] [-w WORDS] FILE...\n", stderr);
        return 2;
    }
    hm_buf essay = {0};
    for (int pass = 0; count_words(essay.data, essay.len) < want; pass++) {
        size_t before = essay.len;
        for (int i = first; i < argc && count_words(essay.data, essay.len) < want; i++) {
            hm_error err = {0};
            size_t len;
            char *text = hm_read_file(argv[i], 0, &len, &err);
            if (!text) {
                fprintf(stderr, "lsp_latency: %s: %s\n", argv[i], err.message);
                return 1;
            }
            /* One question: after the first essay, only its body, added a
             * line at a time until the essay is long enough. */
            const char *p = text;
            if (essay.len) {
                const char *nl = strstr(text, "\n\n");
                p = nl ? nl + 2 : text;
                hm_buf_puts(&essay, "\n\n");
            }
            while (*p && count_words(essay.data, essay.len) < want) {
                const char *nl = strchr(p, '\n');
                size_t n = nl ? (size_t)(nl - p) + 1 : strlen(p);
                hm_buf_put(&essay, p, n);
                p += n;
            }
            free(text);
        }
        if (essay.len == before)
            break;
        (void)pass;
    }

    hm_error err = {0};
    hm_config *cfg = hm_config_load(NULL, &err);
    if (!cfg) {
        fprintf(stderr, "lsp_latency: %s\n", err.message);
        return 1;
    }
    double *t = hm_xcalloc((size_t)runs, sizeof *t), *ta = hm_xcalloc((size_t)runs, sizeof *ta);
    size_t n_diags = 0, bytes = 0;
    unsigned words = 0;
    for (int i = 0; i < runs; i++) {
        double t0 = now_ms();
        hm_analyze_options ao = {HM_ANALYZE_OPTIONS_VERSION, "/tmp/essay.txt", NULL, 0};
        hm_result *r = hm_analyze(cfg, essay.data, essay.len, &ao, &err);
        if (!r) {
            fprintf(stderr, "lsp_latency: %s\n", err.message);
            return 1;
        }
        ta[i] = now_ms() - t0;
        json_t *diags = hm_lsp_diagnostics(r, essay.data, essay.len, HM_LSP_UTF16, HM_LSP_SHOW_DEFAULT);
        json_t *msg = json_pack("{s:s,s:s,s:{s:s,s:i,s:o}}", "jsonrpc", "2.0", "method",
                                "textDocument/publishDiagnostics", "params", "uri", "file:///tmp/essay.txt",
                                "version", i, "diagnostics", diags);
        char *out = json_dumps(msg, JSON_COMPACT);
        t[i] = now_ms() - t0;
        n_diags = json_array_size(diags);
        bytes = strlen(out);
        words = hm_result_words(r);
        free(out);
        json_decref(msg);
        hm_result_free(r);
    }
    qsort(t, (size_t)runs, sizeof *t, cmp_double);
    qsort(ta, (size_t)runs, sizeof *ta, cmp_double);
    printf("essay: %u words (%zu bytes), %zu diagnostics, %zu-byte notification\n", words, essay.len, n_diags,
           bytes);
    printf("didChange -> publishDiagnostics, in-process, %d runs: median %.3f ms (p10 %.3f, p90 %.3f, max %.3f)\n",
           runs, t[runs / 2], t[runs / 10], t[runs * 9 / 10], t[runs - 1]);
    printf("of which hm_analyze: median %.3f ms; diagnostics and JSON: the rest\n", ta[runs / 2]);
    free(t);
    free(ta);
    hm_config_free(cfg);
    hm_buf_free(&essay);
    return 0;
}
