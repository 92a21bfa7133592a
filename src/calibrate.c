/* `histmark calibrate`: how far histmark agrees with a teacher's marks, and
 * (with --fit) a tuned copy of the rubric.
 *
 * Fitting moves the rubric's thresholds by coordinate descent, one number at
 * a time, keeping a move only when agreement (quadratic weighted kappa on
 * marks) rises by a clear margin. Small sets over-fit easily, so: rows marked
 * `holdout` never take part; the whole fitting procedure is cross-validated
 * on the rest (k folds: fit on k-1, measure on the one left out) and both
 * figures are printed; each threshold may move at most to half or twice its
 * value; and the tuned rubric is written as a new file, never over the one
 * read, keeping every comment and line of it. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rubric.h"

typedef struct row {
    char *path;
    int mark, level; /* the teacher's; level 0 when not given: from the mark */
    bool holdout;
    bool ok;
    hm_features fs;  /* values only */
    int got_level, got_mark;
    int *strand_levels;
} row;

typedef struct rows {
    row *v;
    size_t n, cap;
} rows;

static int level_of_mark(const hm_rubric *r, int mark)
{
    for (int l = 0; l < 5; l++)
        if (mark >= r->bands[l].min && mark <= r->bands[l].max)
            return l + 1;
    return 0;
}

/* Reads file, mark, optional level and set; paths relative to the table. */
static bool read_table(const char *path, rows *out, const hm_rubric *rubric)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "histmark: %s: %s\n", path, strerror(errno));
        return false;
    }
    char *dir = hm_xstrdup(path);
    char *slash = strrchr(dir, '/');
    if (slash)
        slash[1] = '\0';
    else
        dir[0] = '\0';
    char line[4096];
    int col_file = -1, col_mark = -1, col_level = -1, col_set = -1;
    unsigned lineno = 0;
    bool ok = true;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[0] || line[0] == '#')
            continue;
        char *cols[16];
        int nc = 0;
        for (char *p = line; nc < 16;) {
            cols[nc++] = p;
            char *tab = strchr(p, '\t');
            if (!tab)
                break;
            *tab = '\0';
            p = tab + 1;
        }
        if (col_file < 0) { /* the header */
            for (int i = 0; i < nc; i++) {
                if (!strcmp(cols[i], "file")) col_file = i;
                else if (!strcmp(cols[i], "mark")) col_mark = i;
                else if (!strcmp(cols[i], "level")) col_level = i;
                else if (!strcmp(cols[i], "set")) col_set = i;
            }
            if (col_file < 0 || col_mark < 0) {
                fprintf(stderr, "histmark: %s:%u: the header needs 'file' and 'mark' columns (tab-separated)\n",
                        path, lineno);
                ok = false;
                break;
            }
            continue;
        }
        if (nc <= col_file || nc <= col_mark) {
            fprintf(stderr, "histmark: %s:%u: too few columns\n", path, lineno);
            ok = false;
            break;
        }
        char *end;
        long mark = strtol(cols[col_mark], &end, 10);
        if (*end || mark < 0 || mark > rubric->out_of) {
            fprintf(stderr, "histmark: %s:%u: mark '%s' is not a whole number from 0 to %d\n", path, lineno,
                    cols[col_mark], rubric->out_of);
            ok = false;
            break;
        }
        HM_GROW(out->v, out->n, out->cap);
        row *r = &out->v[out->n++];
        memset(r, 0, sizeof *r);
        hm_buf b = {0};
        if (cols[col_file][0] != '/')
            hm_buf_puts(&b, dir);
        hm_buf_puts(&b, cols[col_file]);
        r->path = hm_buf_take(&b);
        r->mark = (int)mark;
        r->level = col_level >= 0 && col_level < nc ? atoi(cols[col_level]) : 0;
        if (r->level < 1 || r->level > 5)
            r->level = level_of_mark(rubric, r->mark);
        r->holdout = col_set >= 0 && col_set < nc && !strcmp(cols[col_set], "holdout");
    }
    fclose(f);
    free(dir);
    if (ok && out->n == 0) {
        fprintf(stderr, "histmark: %s: no essays listed\n", path);
        ok = false;
    }
    return ok;
}

static void score_all(const hm_rubric *r, rows *rs)
{
    int *levels = hm_xcalloc(r->n_strands + 1, sizeof *levels);
    double *progress = hm_xcalloc(r->n_strands + 1, sizeof *progress);
    for (size_t i = 0; i < rs->n; i++) {
        row *w = &rs->v[i];
        if (!w->ok)
            continue;
        hm_rubric_levels(r, &w->fs, levels, progress, &w->got_level, &w->got_mark, NULL);
        memcpy(w->strand_levels, levels, r->n_strands * sizeof *levels);
    }
    free(levels);
    free(progress);
}

typedef struct agreement {
    size_t n;
    double qwk, exact, adjacent, mae;
} agreement;

/* Quadratic weighted kappa on marks 0..out_of, over rows chosen by `use`. */
static agreement agree(const rows *rs, int out_of, const bool *use)
{
    agreement a = {0, 0, 0, 0, 0};
    int k = out_of + 1;
    double *o = hm_xcalloc((size_t)(k * k), sizeof *o), *ha = hm_xcalloc((size_t)k, sizeof *ha),
           *hb = hm_xcalloc((size_t)k, sizeof *hb);
    for (size_t i = 0; i < rs->n; i++) {
        const row *w = &rs->v[i];
        if (!w->ok || (use && !use[i]))
            continue;
        a.n++;
        o[w->mark * k + w->got_mark]++;
        ha[w->mark]++;
        hb[w->got_mark]++;
        a.exact += w->level == w->got_level;
        a.adjacent += abs(w->level - w->got_level) <= 1;
        a.mae += abs(w->mark - w->got_mark);
    }
    double num = 0, den = 0;
    for (int i = 0; i < k; i++)
        for (int j = 0; j < k; j++) {
            double wgt = (double)(i - j) * (i - j) / ((double)(k - 1) * (k - 1));
            num += wgt * o[i * k + j];
            den += a.n ? wgt * ha[i] * hb[j] / (double)a.n : 0;
        }
    a.qwk = den > 0 ? 1 - num / den : 1;
    if (a.n) {
        a.exact /= (double)a.n;
        a.adjacent /= (double)a.n;
        a.mae /= (double)a.n;
    }
    free(o);
    free(ha);
    free(hb);
    return a;
}

/* ---- fitting ---- */

typedef struct param {
    double *value;  /* a cond's min or max */
    double original;
    hm_yaml_pos pos;
    const char *strand, *feature, *bound;
    int level;
} param;

static size_t collect_params(hm_rubric *r, param **out)
{
    size_t n = 0, cap = 0;
    param *ps = NULL;
    for (size_t s = 0; s < r->n_strands; s++)
        for (int l = 0; l < 5; l++)
            for (size_t i = 0; i < r->strands[s].levels[l].n_reqs; i++) {
                hm_cond *c = &r->strands[s].levels[l].reqs[i];
                for (int which = 0; which < 2; which++) {
                    double *v = which ? &c->max : &c->min;
                    hm_yaml_pos pos = which ? c->max_pos : c->min_pos;
                    if (isinf(*v) || pos.line < 0)
                        continue;
                    HM_GROW(ps, n, cap);
                    ps[n++] = (param){v, *v, pos, r->strands[s].id, hm_feature_name(c->feature),
                                      which ? "max" : "min", l + 1};
                }
            }
    *out = ps;
    return n;
}

static double objective(const hm_rubric *r, rows *rs, int out_of, const bool *use)
{
    score_all(r, rs);
    return agree(rs, out_of, use).qwk;
}

static bool allowed(const param *p, double v)
{
    if (p->original >= 2 && v != floor(v))
        v = floor(v + 0.5);
    if (p->original <= 1 && v > 1 && p->original > 0)
        return false; /* shares stay shares */
    return v >= 0 && v >= p->original * 0.5 - 1e-9 && v <= p->original * 2 + 1e-9;
}

static double rounded(const param *p, double v)
{
    return p->original >= 2 ? floor(v + 0.5) : v;
}

/* Coordinate descent over the thresholds on the rows in `use`: each number
 * alone, then all the numbers on one feature together (a feature that two
 * strands require, such as a conclusion, only helps when both move). */
static void fit(hm_rubric *r, param *ps, size_t np, rows *rs, const bool *use)
{
    static const double factors[] = {0.5, 0.67, 0.8, 0.9, 1.1, 1.25, 1.5, 2.0};
    const size_t nf = sizeof factors / sizeof *factors;
    double best = objective(r, rs, r->out_of, use);
    double *saved = hm_xcalloc(np + 1, sizeof *saved);
    for (int pass = 0; pass < 3; pass++) {
        bool moved = false;
        for (size_t p = 0; p < np; p++) {
            double keep = *ps[p].value, best_v = keep;
            for (size_t f = 0; f < nf + 2; f++) {
                double v = f < nf ? ps[p].original * factors[f] : keep + (f == nf ? -1 : 1);
                v = rounded(&ps[p], v);
                if (!allowed(&ps[p], v) || v == keep)
                    continue;
                *ps[p].value = v;
                double q = objective(r, rs, r->out_of, use);
                if (q > best + 0.005) {
                    best = q;
                    best_v = v;
                }
            }
            *ps[p].value = best_v;
            moved |= best_v != keep;
        }
        for (size_t p = 0; p < np; p++) {
            if (p > 0 && ps[p].feature == ps[p - 1].feature)
                continue;
            for (size_t f = 0; f < nf; f++) {
                bool any = false;
                for (size_t q = 0; q < np; q++) {
                    saved[q] = *ps[q].value;
                    if (ps[q].feature != ps[p].feature)
                        continue;
                    double v = rounded(&ps[q], ps[q].original * factors[f]);
                    if (allowed(&ps[q], v) && v != *ps[q].value) {
                        *ps[q].value = v;
                        any = true;
                    }
                }
                double q = any ? objective(r, rs, r->out_of, use) : best;
                if (any && q > best + 0.005) {
                    best = q;
                    moved = true;
                } else {
                    for (size_t k = 0; k < np; k++)
                        *ps[k].value = saved[k];
                }
            }
        }
        if (!moved)
            break;
    }
    free(saved);
}

static void reset(param *ps, size_t np)
{
    for (size_t p = 0; p < np; p++)
        *ps[p].value = ps[p].original;
}

/* The original file with the tuned numbers written in place. */
static char *patch_yaml(const char *data, size_t len, const param *ps, size_t np)
{
    size_t n_lines = 1;
    for (size_t i = 0; i < len; i++)
        n_lines += data[i] == '\n';
    size_t *starts = hm_xmalloc(n_lines * sizeof *starts);
    size_t k = 0;
    starts[k++] = 0;
    for (size_t i = 0; i < len; i++)
        if (data[i] == '\n')
            starts[k++] = i + 1;
    /* byte offset of each changed number, in file order */
    typedef struct edit { size_t at, n; double v; } edit;
    edit *edits = hm_xcalloc(np + 1, sizeof *edits);
    size_t ne = 0;
    for (size_t p = 0; p < np; p++) {
        if (*ps[p].value == ps[p].original || ps[p].pos.line < 0 || (size_t)ps[p].pos.line >= n_lines)
            continue;
        size_t at = starts[ps[p].pos.line];
        for (int c = 0; c < ps[p].pos.column && at < len; c++) {
            at++;
            while (at < len && ((unsigned char)data[at] & 0xC0) == 0x80)
                at++;
        }
        edits[ne++] = (edit){at, (size_t)ps[p].pos.length, *ps[p].value};
    }
    for (size_t a = 1; a < ne; a++)
        for (size_t b = a; b > 0 && edits[b - 1].at > edits[b].at; b--) {
            edit t = edits[b];
            edits[b] = edits[b - 1];
            edits[b - 1] = t;
        }
    hm_buf out = {0};
    size_t pos = 0;
    for (size_t e = 0; e < ne; e++) {
        hm_buf_put(&out, data + pos, edits[e].at - pos);
        hm_buf_printf(&out, "%g", edits[e].v);
        pos = edits[e].at + edits[e].n;
    }
    hm_buf_put(&out, data + pos, len - pos);
    free(edits);
    free(starts);
    return hm_buf_take(&out);
}

static bool write_new_file(const char *path, const char *data)
{
    char *tmp = hm_xmalloc(strlen(path) + 16);
    sprintf(tmp, "%s.tmp.XXXXXX", path);
    int fd = mkstemp(tmp);
    bool ok = fd >= 0;
    if (ok) {
        size_t len = strlen(data);
        ok = write(fd, data, len) == (ssize_t)len;
        ok = (close(fd) == 0) && ok;
        /* link() refuses to replace an existing file, unlike rename() */
        ok = ok && link(tmp, path) == 0;
        unlink(tmp);
    }
    if (!ok)
        fprintf(stderr, "histmark: %s: cannot write the tuned rubric: %s\n", path, strerror(errno));
    free(tmp);
    return ok;
}

static void print_agreement(const char *label, agreement a)
{
    if (!a.n)
        return;
    printf("  %-8s %3zu essays  QWK %.3f  exact level %3.0f%%  within one level %3.0f%%  mean abs error %.2f marks\n",
           label, a.n, a.qwk, 100 * a.exact, 100 * a.adjacent, a.mae);
}

static void usage(void)
{
    fputs("Usage: histmark calibrate [--rubric FILE] [--rules FILE] [--topic ID|FILE] [--fit OUT.yaml]\n"
          "                          [--folds K] MARKS.tsv\n"
          "MARKS.tsv is tab-separated with a header naming the columns file and mark, and\n"
          "optionally level and set (tune or holdout). Paths are relative to the table.\n",
          stderr);
}

int hm_calibrate_main(int argc, char **argv)
{
    hm_config_options co = {HM_CONFIG_OPTIONS_VERSION, NULL, NULL, NULL, NULL, 0};
    const char *fit_out = NULL;
    int folds = 4;
    static const struct option longopts[] = {
        {"rubric", required_argument, NULL, 'r'}, {"rules", required_argument, NULL, 'u'},
        {"topic", required_argument, NULL, 't'},  {"fit", required_argument, NULL, 'f'},
        {"folds", required_argument, NULL, 'k'},  {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'r': co.rubric_path = optarg; break;
        case 'u': co.rules_path = optarg; break;
        case 't': co.topic = optarg; break;
        case 'f': fit_out = optarg; break;
        case 'k': folds = atoi(optarg); break;
        case 'h': usage(); return HM_EXIT_OK;
        default: usage(); return HM_EXIT_CONFIG;
        }
    }
    if (optind + 1 != argc || folds < 2 || folds > 20) {
        usage();
        return HM_EXIT_CONFIG;
    }
    const char *table = argv[optind];
    if (fit_out && co.rubric_path) {
        char *a = realpath(fit_out, NULL), *b = realpath(co.rubric_path, NULL);
        bool same = a && b && !strcmp(a, b);
        free(a);
        free(b);
        if (same) {
            fprintf(stderr, "histmark: %s: --fit will not overwrite the rubric it reads\n", fit_out);
            return HM_EXIT_CONFIG;
        }
    }
    if (fit_out && access(fit_out, F_OK) == 0) {
        fprintf(stderr, "histmark: %s: already exists; --fit writes a new file\n", fit_out);
        return HM_EXIT_CONFIG;
    }
    hm_error err = {0};
    hm_config *cfg = hm_config_load(&co, &err);
    if (!cfg) {
        if (err.line)
            fprintf(stderr, "histmark: %s:%d:%d: %s\n", err.file, err.line, err.column, err.message);
        else
            fprintf(stderr, "histmark: %s: %s\n", err.file, err.message);
        return HM_EXIT_CONFIG;
    }
    hm_rubric *rubric = (hm_rubric *)&cfg->rubric; /* ours to tune: this process loaded it */
    if (rubric->built) {
        /* The built-in rubric is read-only data (built.h): tune one loaded
         * from a copy of its YAML, which is then all ours. */
        const hm_builtin_file *b = hm_builtin_find(rubric->file);
        char *copy = hm_xmalloc(b->len + 1);
        memcpy(copy, b->data, b->len + 1);
        hm_rubric_free(rubric);
        bool loaded = hm_rubric_load(rubric, copy, b->len, b->name, &err);
        free(copy);
        if (!loaded) { /* the build loaded the same bytes */
            fprintf(stderr, "histmark: %s: %s\n", err.file, err.message);
            hm_config_free(cfg);
            return HM_EXIT_CONFIG;
        }
    }
    rows rs = {NULL, 0, 0};
    int status = HM_EXIT_OK;
    if (!read_table(table, &rs, rubric)) {
        status = HM_EXIT_CONFIG;
        goto out;
    }
    for (size_t i = 0; i < rs.n; i++) {
        row *w = &rs.v[i];
        w->strand_levels = hm_xcalloc(rubric->n_strands + 1, sizeof *w->strand_levels);
        size_t len;
        char *text = hm_read_file(w->path, HM_DEFAULT_MAX_BYTES, &len, &err);
        hm_result *res = text ? hm_analyze(cfg, text, len, NULL, &err) : NULL;
        free(text);
        if (!res) {
            fprintf(stderr, "histmark: %s: %s\n", w->path, err.message);
            memset(&err, 0, sizeof err);
            status = HM_EXIT_INPUT;
            continue;
        }
        const hm_features *fs = hm_result_features(res);
        for (int f = 0; f < HM_F_COUNT; f++) {
            w->fs.f[f].value = fs->f[f].value;
            w->fs.f[f].available = fs->f[f].available;
        }
        w->ok = true;
        hm_result_free(res);
    }
    score_all(rubric, &rs);

    bool *tune = hm_xcalloc(rs.n, sizeof *tune), *hold = hm_xcalloc(rs.n, sizeof *hold);
    size_t n_hold = 0;
    for (size_t i = 0; i < rs.n; i++) {
        tune[i] = !rs.v[i].holdout;
        hold[i] = rs.v[i].holdout;
        n_hold += hold[i];
    }
    printf("Calibration against %s: %zu essays (%zu held out of any tuning)\n", table, rs.n, n_hold);
    print_agreement("all", agree(&rs, rubric->out_of, NULL));
    print_agreement("tune", agree(&rs, rubric->out_of, tune));
    print_agreement("holdout", agree(&rs, rubric->out_of, hold));

    printf("\nLevels (rows: teacher, columns: histmark)\n        L0  L1  L2  L3  L4  L5\n");
    for (int t = 1; t <= 5; t++) {
        printf("  L%d  ", t);
        for (int g = 0; g <= 5; g++) {
            int n = 0;
            for (size_t i = 0; i < rs.n; i++)
                n += rs.v[i].ok && rs.v[i].level == t && rs.v[i].got_level == g;
            printf(n ? "%4d" : "   .", n);
        }
        printf("\n");
    }
    /* Whether marks rise with quality: histmark's mean mark for the essays
     * the teacher put at each level. */
    printf("\nMean histmark mark by the teacher's level (essays)\n ");
    for (int t = 1; t <= 5; t++) {
        int n = 0, sum = 0;
        for (size_t i = 0; i < rs.n; i++)
            if (rs.v[i].ok && rs.v[i].level == t) {
                n++;
                sum += rs.v[i].got_mark;
            }
        if (n)
            printf(" L%d %.1f (%d)", t, (double)sum / n, n);
        else
            printf(" L%d -", t);
    }
    printf("\n");

    /* Where the disagreements come from: strands off the teacher's level,
     * and the requirements that held essays below it. */
    printf("\nStrands away from the teacher's level, over the essays histmark placed differently\n");
    for (size_t s = 0; s < rubric->n_strands; s++) {
        int high = 0, low = 0;
        for (size_t i = 0; i < rs.n; i++) {
            const row *w = &rs.v[i];
            if (!w->ok || w->got_level == w->level)
                continue;
            high += w->strand_levels[s] > w->level;
            low += w->strand_levels[s] < w->level;
        }
        printf("  %-34s %2d too high, %2d too low\n", rubric->strands[s].name, high, low);
    }
    printf("\nRequirements most often unmet at the teacher's level where histmark placed lower\n");
    {
        typedef struct blame { const hm_cond *c; const char *strand; int level, n; } blame;
        blame *bl = NULL;
        size_t nb = 0, capb = 0;
        for (size_t i = 0; i < rs.n; i++) {
            const row *w = &rs.v[i];
            if (!w->ok || w->got_level >= w->level)
                continue;
            for (size_t s = 0; s < rubric->n_strands; s++)
                for (int l = 0; l < w->level && l < 5; l++)
                    for (size_t q = 0; q < rubric->strands[s].levels[l].n_reqs; q++) {
                        const hm_cond *cd = &rubric->strands[s].levels[l].reqs[q];
                        const hm_feature_value *v = &w->fs.f[cd->feature];
                        if (!v->available || (v->value >= cd->min && v->value <= cd->max))
                            continue;
                        size_t b;
                        for (b = 0; b < nb && bl[b].c != cd; b++)
                            ;
                        if (b == nb) {
                            HM_GROW(bl, nb, capb);
                            bl[nb++] = (blame){cd, rubric->strands[s].id, l + 1, 0};
                        }
                        bl[b].n++;
                    }
        }
        for (size_t a = 1; a < nb; a++)
            for (size_t b = a; b > 0 && bl[b - 1].n < bl[b].n; b--) {
                blame t = bl[b];
                bl[b] = bl[b - 1];
                bl[b - 1] = t;
            }
        for (size_t b = 0; b < nb && b < 6; b++) {
            const hm_cond *cd = bl[b].c;
            printf("  %-13s L%d  %-30s %s %-6g  %d essay%s\n", bl[b].strand, bl[b].level, hm_feature_name(cd->feature),
                   isinf(cd->min) ? "<=" : ">=", isinf(cd->min) ? cd->max : cd->min, bl[b].n, bl[b].n == 1 ? "" : "s");
        }
        if (!nb)
            printf("  none\n");
        free(bl);
    }

    if (fit_out) {
        param *ps;
        size_t np = collect_params(rubric, &ps);
        /* Cross-validate the fitting procedure on the tune rows. */
        bool *train = hm_xcalloc(rs.n, sizeof *train), *test = hm_xcalloc(rs.n, sizeof *test);
        double cv_before = 0, cv_after = 0;
        int used_folds = 0;
        for (int f = 0; f < folds; f++) {
            size_t k = 0, n_test = 0;
            for (size_t i = 0; i < rs.n; i++) {
                train[i] = test[i] = false;
                if (!tune[i])
                    continue;
                (k++ % (size_t)folds == (size_t)f ? test : train)[i] = true;
                n_test += test[i];
            }
            if (!n_test)
                continue;
            reset(ps, np);
            cv_before += objective(rubric, &rs, rubric->out_of, test);
            fit(rubric, ps, np, &rs, train);
            cv_after += objective(rubric, &rs, rubric->out_of, test);
            used_folds++;
        }
        reset(ps, np);
        double base_tune = objective(rubric, &rs, rubric->out_of, tune);
        agreement base_hold = agree(&rs, rubric->out_of, hold);
        fit(rubric, ps, np, &rs, tune);
        double fit_tune = objective(rubric, &rs, rubric->out_of, tune);
        agreement fit_hold = agree(&rs, rubric->out_of, hold);
        printf("\nFitting %zu thresholds by coordinate descent (each within half to twice its value)\n", np);
        size_t changed = 0;
        for (size_t p = 0; p < np; p++)
            if (*ps[p].value != ps[p].original) {
                printf("  %-13s L%d  %-30s %s %g -> %g\n", ps[p].strand, ps[p].level, ps[p].feature, ps[p].bound,
                       ps[p].original, *ps[p].value);
                changed++;
            }
        if (!changed)
            printf("  no change improves agreement by a clear margin\n");
        printf("  QWK on the tune rows:            %.3f -> %.3f (fitted on them: optimistic)\n", base_tune, fit_tune);
        if (used_folds)
            printf("  QWK %d-fold cross-validated:      %.3f -> %.3f (the honest estimate)\n", used_folds,
                   cv_before / used_folds, cv_after / used_folds);
        if (base_hold.n)
            printf("  QWK on the %zu holdout rows:      %.3f -> %.3f\n", base_hold.n, base_hold.qwk, fit_hold.qwk);
        /* The tuned copy of the rubric file. */
        const char *src_path = co.rubric_path;
        char *owned = NULL;
        const char *data;
        size_t len;
        if (src_path) {
            owned = hm_read_file(src_path, 0, &len, &err);
            data = owned;
        } else {
            const hm_builtin_file *b = hm_builtin_find("rubrics/a-level-20.yaml");
            data = b ? b->data : NULL;
            len = b ? b->len : 0;
        }
        if (!data) {
            fprintf(stderr, "histmark: cannot read the rubric to write its tuned copy\n");
            status = HM_EXIT_INPUT;
        } else {
            char *tuned = patch_yaml(data, len, ps, np);
            if (write_new_file(fit_out, tuned))
                printf("  wrote %s (%zu thresholds changed)\n", fit_out, changed);
            else
                status = HM_EXIT_INPUT;
            free(tuned);
        }
        free(owned);
        free(train);
        free(test);
        free(ps);
    }
    free(tune);
    free(hold);
out:
    for (size_t i = 0; i < rs.n; i++) {
        free(rs.v[i].path);
        free(rs.v[i].strand_levels);
    }
    free(rs.v);
    hm_config_free(cfg);
    if (fflush(stdout) != 0) {
        fprintf(stderr, "histmark: writing the report failed: %s\n", strerror(errno));
        status = HM_EXIT_INPUT;
    }
    return status;
}
