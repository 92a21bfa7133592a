/* Precision and recall of the evidence finders (date, figure, person)
 * against hand-annotated spans: tests/annotations/NAME.txt marks each span
 * as [[kind|text]]; with the marks removed it must equal samples/NAME.txt.
 * A found span counts as right when it overlaps an annotated span of the
 * same kind (each annotated span is matched at most once). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "histmark.h"
#include "util.h"

typedef struct gold {
    hm_kind kind;
    size_t start, end;
    bool used;
} gold;

static const hm_kind kinds[] = {HM_KIND_DATE, HM_KIND_FIGURE, HM_KIND_PERSON};

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: eval_spans SOURCE_DIR [-v]\n");
        return 2;
    }
    bool verbose = argc > 2;
    hm_config *cfg = hm_config_load(NULL, NULL);
    char dirpath[4096];
    snprintf(dirpath, sizeof dirpath, "%s/tests/annotations", argv[1]);
    DIR *dir = opendir(dirpath);
    if (!cfg || !dir) {
        fprintf(stderr, "cannot load the config or open %s\n", dirpath);
        return 1;
    }
    unsigned tp[3] = {0}, fp[3] = {0}, fn[3] = {0};
    int problems = 0, files = 0;
    struct dirent *de;
    char **names = NULL;
    size_t n_names = 0, cap = 0;
    while ((de = readdir(dir)))
        if (strstr(de->d_name, ".txt")) {
            HM_GROW(names, n_names, cap);
            names[n_names++] = hm_xstrdup(de->d_name);
        }
    closedir(dir);
    for (size_t ni = 0; ni < n_names; ni++) {
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", dirpath, names[ni]);
        size_t len;
        char *ann = hm_read_file(path, 0, &len, NULL);
        snprintf(path, sizeof path, "%s/samples/%s", argv[1], names[ni]);
        size_t plen;
        char *plain = hm_read_file(path, 0, &plen, NULL);
        if (!ann || !plain) {
            fprintf(stderr, "%s: missing annotated or plain version\n", names[ni]);
            problems++;
            free(ann);
            free(plain);
            continue;
        }
        hm_buf out = {0};
        gold *g = NULL;
        size_t ng = 0, gcap = 0;
        for (size_t i = 0; i < len;) {
            if (ann[i] == '[' && i + 1 < len && ann[i + 1] == '[') {
                char *bar = memchr(ann + i, '|', len - i);
                char *close = strstr(ann + i, "]]");
                if (!bar || !close || bar > close) {
                    fprintf(stderr, "%s: bad markup at byte %zu\n", names[ni], i);
                    problems++;
                    break;
                }
                size_t kl = (size_t)(bar - ann - i - 2);
                hm_kind k = HM_KIND_COUNT;
                for (int kk = 0; kk < 3; kk++)
                    if (strlen(hm_kind_name(kinds[kk])) == kl && !strncmp(ann + i + 2, hm_kind_name(kinds[kk]), kl))
                        k = kinds[kk];
                HM_GROW(g, ng, gcap);
                g[ng].kind = k;
                g[ng].start = out.len;
                hm_buf_put(&out, bar + 1, (size_t)(close - bar - 1));
                g[ng].end = out.len;
                g[ng++].used = false;
                i = (size_t)(close - ann) + 2;
            } else {
                hm_buf_putc(&out, ann[i++]);
            }
        }
        if (out.len != plen || memcmp(out.data, plain, plen) != 0) {
            fprintf(stderr, "%s: samples/ copy differs from the annotation with marks removed\n", names[ni]);
            problems++;
        }
        hm_result *r = hm_analyze(cfg, plain, plen, NULL, NULL);
        files++;
        /* The question line is not the student's evidence: not scored. */
        for (size_t pi = 0; pi < hm_result_paragraph_count(r); pi++) {
            const hm_paragraph *p = hm_result_paragraph(r, pi);
            if (p->kind != HM_PARA_QUESTION && p->kind != HM_PARA_WEBSITE)
                continue;
            for (size_t j = 0; j < ng; j++)
                if (g[j].start >= p->start && g[j].end <= p->end)
                    g[j].used = true;
        }
        for (size_t i = 0; i < hm_result_finding_count(r); i++) {
            const hm_finding *f = hm_result_finding(r, i);
            int ki = f->kind == HM_KIND_DATE ? 0 : f->kind == HM_KIND_FIGURE ? 1 : f->kind == HM_KIND_PERSON ? 2 : -1;
            if (ki < 0)
                continue;
            bool hit = false;
            for (size_t j = 0; j < ng && !hit; j++)
                if (!g[j].used && g[j].kind == f->kind && g[j].start < f->end && f->start < g[j].end)
                    hit = g[j].used = true;
            if (hit)
                tp[ki]++;
            else {
                fp[ki]++;
                if (verbose)
                    printf("  FP %-7s %s: %.*s\n", hm_kind_name(f->kind), names[ni], (int)(f->end - f->start),
                           plain + f->start);
            }
        }
        for (size_t j = 0; j < ng; j++) {
            int ki = g[j].kind == HM_KIND_DATE ? 0 : g[j].kind == HM_KIND_FIGURE ? 1 : 2;
            if (!g[j].used) {
                fn[ki]++;
                if (verbose)
                    printf("  FN %-7s %s: %.*s\n", hm_kind_name(g[j].kind), names[ni], (int)(g[j].end - g[j].start),
                           plain + g[j].start);
            }
        }
        hm_result_free(r);
        free(g);
        hm_buf_free(&out);
        free(ann);
        free(plain);
        free(names[ni]);
    }
    free(names);
    int failed = problems;
    printf("%d annotated texts\n%-8s %6s %6s %6s %9s %7s %5s\n", files, "kind", "tp", "fp", "fn", "precision", "recall", "F1");
    for (int k = 0; k < 3; k++) {
        double p = tp[k] + fp[k] ? (double)tp[k] / (tp[k] + fp[k]) : 0;
        double rc = tp[k] + fn[k] ? (double)tp[k] / (tp[k] + fn[k]) : 0;
        double f1 = p + rc ? 2 * p * rc / (p + rc) : 0;
        printf("%-8s %6u %6u %6u %9.3f %7.3f %5.3f\n", hm_kind_name(kinds[k]), tp[k], fp[k], fn[k], p, rc, f1);
        if (f1 < 0.95)
            failed++;
    }
    printf("%d passed, %d failed\n", failed ? 0 : 1, failed ? 1 : 0);
    hm_config_free(cfg);
    return failed ? 1 : 0;
}
