/* The rubric, read the way examiners read a levels-based mark scheme: each
 * strand climbs the levels like a ladder (a level counts only when every
 * requirement of it and of the levels below holds), the overall level is the
 * best fit across strands, and the mark within the band says how securely
 * that level is met. Every number comes from the YAML. */
#include "rubric.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "built.h"
#include "yamlwalk.h"

static void cond_free(hm_cond *c)
{
    free(c->gap);
    free(c->strength);
}

static void check_free(hm_check *c)
{
    for (size_t i = 0; i < c->n_conds; i++)
        cond_free(&c->conds[i]);
    free(c->conds);
    free(c->code);
    free(c->message);
}

void hm_rubric_free(hm_rubric *r)
{
    if (r->built) { /* static data (built.h) */
        memset(r, 0, sizeof *r);
        return;
    }
    free(r->name);
    free(r->file);
    for (int b = 0; b < 5; b++)
        free(r->bands[b].label);
    for (size_t s = 0; s < r->n_strands; s++) {
        hm_strand_def *d = &r->strands[s];
        free(d->id);
        free(d->name);
        for (int l = 0; l < 5; l++) {
            free(d->levels[l].descriptor);
            for (size_t i = 0; i < d->levels[l].n_reqs; i++)
                cond_free(&d->levels[l].reqs[i]);
            free(d->levels[l].reqs);
        }
    }
    free(r->strands);
    for (size_t i = 0; i < r->n_caps; i++)
        check_free(&r->caps[i]);
    for (size_t i = 0; i < r->n_warnings; i++)
        check_free(&r->warnings[i]);
    for (size_t i = 0; i < r->n_advice; i++)
        check_free(&r->advice[i]);
    free(r->caps);
    free(r->warnings);
    free(r->advice);
    memset(r, 0, sizeof *r);
}

static hm_yaml_pos node_pos(const yaml_node_t *n)
{
    hm_yaml_pos p = {-1, 0, 0};
    if (n->start_mark.line == n->end_mark.line && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
        p.line = (int)n->start_mark.line;
        p.column = (int)n->start_mark.column;
        p.length = (int)(n->end_mark.column - n->start_mark.column);
    }
    return p;
}

static bool load_cond(hm_yaml *y, yaml_node_t *node, hm_cond *c, const char *ctx)
{
    hm_yaml_field f[] = {{"feature", true, NULL, NULL}, {"min", false, NULL, NULL},
                         {"max", false, NULL, NULL},    {"gap", false, NULL, NULL},
                         {"strength", false, NULL, NULL}};
    const char *s;
    c->min = -HUGE_VAL;
    c->max = HUGE_VAL;
    c->min_pos.line = c->max_pos.line = -1;
    if (!hm_yaml_fields(y, node, f, 5, ctx) || !hm_yaml_string(y, f[0].value, "feature", ctx, &s))
        return false;
    if (!hm_feature_lookup(s, &c->feature)) {
        hm_buf known = {0};
        for (int i = 0; i < HM_F_COUNT; i++)
            hm_buf_printf(&known, "%s%s", i ? ", " : "", hm_feature_name((hm_feature_id)i));
        hm_yaml_fail(y, f[0].value, ctx, "unknown feature '%s' (known: %s)", s, known.data);
        hm_buf_free(&known);
        return false;
    }
    if (!f[1].value && !f[2].value)
        return hm_yaml_fail(y, node, ctx, "a condition needs 'min' or 'max'");
    if (f[1].value && !hm_yaml_number(y, f[1].value, "min", ctx, &c->min))
        return false;
    if (f[2].value && !hm_yaml_number(y, f[2].value, "max", ctx, &c->max))
        return false;
    if (f[1].value)
        c->min_pos = node_pos(f[1].value);
    if (f[2].value)
        c->max_pos = node_pos(f[2].value);
    if (c->min > c->max)
        return hm_yaml_fail(y, node, ctx, "'min' is greater than 'max'");
    if (f[3].value) {
        if (!hm_yaml_string(y, f[3].value, "gap", ctx, &s))
            return false;
        c->gap = hm_xstrdup(s);
    }
    if (f[4].value) {
        if (!hm_yaml_string(y, f[4].value, "strength", ctx, &s))
            return false;
        c->strength = hm_xstrdup(s);
    }
    return true;
}

static bool load_conds(hm_yaml *y, yaml_node_t *seq, hm_cond **out, size_t *n, const char *ctx)
{
    *out = NULL;
    *n = 0;
    if (seq->type != YAML_SEQUENCE_NODE)
        return hm_yaml_fail(y, seq, ctx, "expected a list of conditions");
    size_t len = hm_yaml_seq_len(seq);
    *out = hm_xcalloc(len, sizeof **out);
    for (size_t i = 0; i < len; i++) {
        yaml_node_t *it = hm_yaml_seq_item(y, seq, i);
        if (!it || !load_cond(y, it, &(*out)[i], ctx))
            return false;
        (*n)++;
    }
    return true;
}

static bool load_checks(hm_yaml *y, yaml_node_t *seq, hm_check **out, size_t *n, const char *what)
{
    if (seq->type != YAML_SEQUENCE_NODE)
        return hm_yaml_fail(y, seq, what, "'%s' must be a list", what);
    size_t len = hm_yaml_seq_len(seq);
    *out = hm_xcalloc(len, sizeof **out);
    for (size_t i = 0; i < len; i++) {
        yaml_node_t *it = hm_yaml_seq_item(y, seq, i);
        hm_yaml_field f[] = {{"when", true, NULL, NULL},
                             {"max_level", false, NULL, NULL},
                             {"code", false, NULL, NULL},
                             {"message", true, NULL, NULL}};
        hm_check *c = &(*out)[i];
        const char *s;
        (*n)++;
        if (!it || !hm_yaml_fields(y, it, f, 4, what) || !load_conds(y, f[0].value, &c->conds, &c->n_conds, what))
            return false;
        if (!c->n_conds) /* {value} in the message comes from the first condition */
            return hm_yaml_fail(y, f[0].value, what, "'when' needs at least one condition");
        if (f[1].value && (!hm_yaml_int(y, f[1].value, "max_level", what, &c->max_level) ||
                           c->max_level < 0 || c->max_level > 5))
            return hm_yaml_fail(y, f[1].value, what, "'max_level' must be 0 to 5");
        if (strcmp(what, "caps") == 0 && !f[1].value)
            return hm_yaml_fail(y, it, what, "a cap needs 'max_level'");
        if (strcmp(what, "warnings") == 0 && !f[2].value)
            return hm_yaml_fail(y, it, what, "a warning needs a 'code'");
        if (f[2].value) {
            if (!hm_yaml_string(y, f[2].value, "code", what, &s))
                return false;
            c->code = hm_xstrdup(s);
        }
        if (!hm_yaml_string(y, f[3].value, "message", what, &s))
            return false;
        c->message = hm_xstrdup(s);
    }
    return true;
}

static bool load_strand(hm_yaml *y, yaml_node_t *node, hm_strand_def *d)
{
    hm_yaml_field f[] = {{"id", true, NULL, NULL}, {"name", true, NULL, NULL},
                         {"weight", false, NULL, NULL}, {"levels", true, NULL, NULL}};
    const char *s;
    if (!hm_yaml_fields(y, node, f, 4, NULL) || !hm_yaml_string(y, f[0].value, "id", NULL, &s))
        return false;
    d->id = hm_xstrdup(s);
    if (!hm_yaml_string(y, f[1].value, "name", d->id, &s))
        return false;
    d->name = hm_xstrdup(s);
    d->weight = 1;
    d->weight_pos.line = -1;
    if (f[2].value && (!hm_yaml_number(y, f[2].value, "weight", d->id, &d->weight) || d->weight <= 0))
        return hm_yaml_fail(y, f[2].value, d->id, "'weight' must be a number above 0");
    if (f[2].value)
        d->weight_pos = node_pos(f[2].value);
    yaml_node_t *levels = f[3].value;
    if (levels->type != YAML_SEQUENCE_NODE || hm_yaml_seq_len(levels) != 5)
        return hm_yaml_fail(y, levels, d->id, "strand '%s' needs a list of exactly 5 levels", d->id);
    for (size_t i = 0; i < 5; i++) {
        yaml_node_t *it = hm_yaml_seq_item(y, levels, i);
        hm_yaml_field lf[] = {{"level", true, NULL, NULL}, {"descriptor", true, NULL, NULL},
                              {"requires", false, NULL, NULL}};
        int level;
        if (!it || !hm_yaml_fields(y, it, lf, 3, d->id) || !hm_yaml_int(y, lf[0].value, "level", d->id, &level))
            return false;
        if (level != (int)i + 1)
            return hm_yaml_fail(y, lf[0].value, d->id, "levels must be listed 1 to 5 in order; expected %zu", i + 1);
        hm_level_def *ld = &d->levels[i];
        ld->level = level;
        if (!hm_yaml_string(y, lf[1].value, "descriptor", d->id, &s))
            return false;
        ld->descriptor = hm_xstrdup(s);
        if (lf[2].value && !load_conds(y, lf[2].value, &ld->reqs, &ld->n_reqs, d->id))
            return false;
    }
    return true;
}

/* An optional share under `overall:` (1 when absent), at most 1 and above
 * 0, or from 0 when zero is allowed. */
static bool overall_share(hm_yaml *y, yaml_node_t *node, const char *key, bool zero_allowed, double *out)
{
    *out = 1;
    if (!node)
        return true;
    if (!hm_yaml_number(y, node, key, "overall", out))
        return false;
    if (*out > 1 || *out < 0 || (*out == 0 && !zero_allowed))
        return hm_yaml_fail(y, node, "overall", zero_allowed ? "'%s' must be from 0 to 1" : "'%s' must be above 0 and at most 1", key);
    return true;
}

bool hm_rubric_load(hm_rubric *r, const char *data, size_t len, const char *file, hm_error *err)
{
    const hm_built_rubric *built = &hm_built_rubric_data;
    if (hm_built_is_builtin(built->file, built->len, data, len)) {
        *r = built->rubric; /* the built-in file: the rubric as the build loaded it */
        r->built = true;
        return true;
    }
    memset(r, 0, sizeof *r);
    r->file = hm_xstrdup(file);
    hm_yaml y;
    bool ok = false;
    if (!hm_yaml_load(&y, data, len, file, err))
        goto out;
    hm_yaml_field f[] = {
        {"name", true, NULL, NULL},     {"out_of", true, NULL, NULL},   {"bands", true, NULL, NULL},
        {"overall", true, NULL, NULL},  {"feedback", false, NULL, NULL}, {"topic", false, NULL, NULL},
        {"strands", true, NULL, NULL},  {"caps", false, NULL, NULL},     {"warnings", false, NULL, NULL},
        {"advice", false, NULL, NULL},
    };
    const size_t nf = sizeof f / sizeof *f;
    const char *s;
    if (!hm_yaml_fields(&y, hm_yaml_root(&y), f, nf, NULL) || !hm_yaml_string(&y, f[0].value, "name", NULL, &s))
        goto out;
    r->name = hm_xstrdup(s);
    if (!hm_yaml_int(&y, f[1].value, "out_of", NULL, &r->out_of))
        goto out;
    yaml_node_t *bands = f[2].value;
    if (bands->type != YAML_SEQUENCE_NODE || hm_yaml_seq_len(bands) != 5) {
        hm_yaml_fail(&y, bands, NULL, "'bands' must list exactly 5 levels");
        goto out;
    }
    int prev_max = 0;
    for (size_t i = 0; i < 5; i++) {
        yaml_node_t *it = hm_yaml_seq_item(&y, bands, i);
        hm_yaml_field bf[] = {{"level", true, NULL, NULL}, {"min", true, NULL, NULL},
                              {"max", true, NULL, NULL},   {"label", false, NULL, NULL}};
        int level;
        hm_band *b = &r->bands[i];
        if (!it || !hm_yaml_fields(&y, it, bf, 4, NULL) || !hm_yaml_int(&y, bf[0].value, "level", NULL, &level) ||
            !hm_yaml_int(&y, bf[1].value, "min", NULL, &b->min) || !hm_yaml_int(&y, bf[2].value, "max", NULL, &b->max))
            goto out;
        if (level != (int)i + 1 || b->min != prev_max + 1 || b->max < b->min || b->max > r->out_of) {
            hm_yaml_fail(&y, it, NULL,
                         "band %zu must be level %zu, start at mark %d and end at or below %d", i + 1, i + 1,
                         prev_max + 1, r->out_of);
            goto out;
        }
        prev_max = b->max;
        if (bf[3].value) {
            if (!hm_yaml_string(&y, bf[3].value, "label", NULL, &s))
                goto out;
            b->label = hm_xstrdup(s);
        }
    }
    hm_yaml_field of[] = {{"max_above_lowest", true, NULL, NULL}, {"min_words", true, NULL, NULL},
                          {"near_miss", false, NULL, NULL}, {"mark_at_level", false, NULL, NULL}};
    if (!hm_yaml_fields(&y, f[3].value, of, 4, "overall") ||
        !hm_yaml_int(&y, of[0].value, "max_above_lowest", "overall", &r->max_above_lowest) ||
        !hm_yaml_int(&y, of[1].value, "min_words", "overall", &r->min_words))
        goto out;
    if (!overall_share(&y, of[2].value, "near_miss", false, &r->near_miss) ||
        !overall_share(&y, of[3].value, "mark_at_level", true, &r->mark_at_level))
        goto out;
    r->max_strengths = r->max_gaps = 5;
    if (f[4].value) {
        hm_yaml_field ff[] = {{"max_strengths", false, NULL, NULL},
                              {"max_gaps", false, NULL, NULL},
                              {"max_gaps_per_strand", false, NULL, NULL}};
        int v;
        if (!hm_yaml_fields(&y, f[4].value, ff, 3, "feedback"))
            goto out;
        if (ff[0].value) {
            if (!hm_yaml_int(&y, ff[0].value, "max_strengths", "feedback", &v) || v < 0)
                goto out;
            r->max_strengths = (size_t)v;
        }
        if (ff[1].value) {
            if (!hm_yaml_int(&y, ff[1].value, "max_gaps", "feedback", &v) || v < 0)
                goto out;
            r->max_gaps = (size_t)v;
        }
        if (ff[2].value) {
            if (!hm_yaml_int(&y, ff[2].value, "max_gaps_per_strand", "feedback", &v) || v < 0)
                goto out;
            r->max_gaps_per_strand = (size_t)v;
        }
    }
    r->topic_min_score = 5;
    if (f[5].value) {
        hm_yaml_field tf[] = {{"min_score", true, NULL, NULL}};
        if (!hm_yaml_fields(&y, f[5].value, tf, 1, "topic") ||
            !hm_yaml_number(&y, tf[0].value, "min_score", "topic", &r->topic_min_score))
            goto out;
    }
    yaml_node_t *strands = f[6].value;
    if (strands->type != YAML_SEQUENCE_NODE || hm_yaml_seq_len(strands) == 0) {
        hm_yaml_fail(&y, strands, NULL, "'strands' must be a list of at least one strand");
        goto out;
    }
    size_t ns = hm_yaml_seq_len(strands);
    r->strands = hm_xcalloc(ns, sizeof *r->strands);
    for (size_t i = 0; i < ns; i++) {
        yaml_node_t *it = hm_yaml_seq_item(&y, strands, i);
        r->n_strands++;
        if (!it || !load_strand(&y, it, &r->strands[i]))
            goto out;
        for (size_t j = 0; j < i; j++)
            if (strcmp(r->strands[j].id, r->strands[i].id) == 0) {
                hm_yaml_fail(&y, it, r->strands[i].id, "duplicate strand id '%s'", r->strands[i].id);
                goto out;
            }
    }
    if (f[7].value && !load_checks(&y, f[7].value, &r->caps, &r->n_caps, "caps"))
        goto out;
    if (f[8].value && !load_checks(&y, f[8].value, &r->warnings, &r->n_warnings, "warnings"))
        goto out;
    if (f[9].value && !load_checks(&y, f[9].value, &r->advice, &r->n_advice, "advice"))
        goto out;
    ok = true;
out:
    hm_yaml_free(&y);
    return ok;
}

/* ---- scoring ---- */

static bool cond_holds(const hm_cond *c, const hm_features *fs)
{
    const hm_feature_value *v = &fs->f[c->feature];
    if (!v->available)
        return true; /* not measurable here: neither credit nor penalty */
    return v->value >= c->min && v->value <= c->max;
}

/* Met with room to spare: clear of the threshold by the near-miss margin.
 * At the top level, which has no next level to reach towards, this is how
 * securely a strand sits there. */
static bool cond_secure(const hm_rubric *r, const hm_cond *c, const hm_features *fs)
{
    const hm_feature_value *v = &fs->f[c->feature];
    if (!v->available)
        return true;
    double lo = c->min > 0 ? c->min / r->near_miss : c->min;
    double hi = c->max < HUGE_VAL ? c->max * r->near_miss : c->max;
    return v->value >= lo && v->value <= hi;
}

static bool all_hold(const hm_cond *cs, size_t n, const hm_features *fs)
{
    for (size_t i = 0; i < n; i++)
        if (!cond_holds(&cs[i], fs))
            return false;
    return true;
}

/* Caps, warnings and advice fire only on what was actually measured. */
/* Best fit: a level counts when every requirement holds, or when one alone
 * falls short by no more than the rubric's near_miss allows (0.9: within
 * 10% of its threshold), as an examiner places an answer at the level that
 * describes it best. The near miss is still reported as a gap. */
static bool level_fits(const hm_rubric *r, const hm_level_def *l, const hm_features *fs)
{
    size_t unmet = 0;
    for (size_t i = 0; i < l->n_reqs; i++) {
        const hm_cond *c = &l->reqs[i];
        if (cond_holds(c, fs))
            continue;
        double v = fs->f[c->feature].value;
        bool near = r->near_miss < 1 && fs->f[c->feature].available &&
                    ((c->min > 0 && v >= c->min * r->near_miss && v <= c->max) ||
                     (c->max > 0 && c->max < HUGE_VAL && v <= c->max / r->near_miss && v >= c->min));
        if (!near || ++unmet > 1)
            return false;
    }
    return true;
}

static bool all_measured_and_hold(const hm_cond *cs, size_t n, const hm_features *fs)
{
    for (size_t i = 0; i < n; i++)
        if (!fs->f[cs[i].feature].available)
            return false;
    return all_hold(cs, n, fs);
}

/* The notes' texts, one after another in blocks each chained to the one
 * before: a text costs a copy, not an allocation of its own and its
 * growth. The first block lies in the strands' allocation, with room for
 * most essays' notes (1.1 KB at the median, 2.1 KB at the 99th
 * percentile); a block added after it holds some 1,000 bytes, to come
 * from malloc's small sizes, or a longer text whole. */
struct hm_text_block {
    struct hm_text_block *prev; /* NULL: the first, not allocated alone */
    size_t used, size;          /* bytes of text[] */
    char text[];
};

enum { FIRST_TEXT_BYTES = 2048, TEXT_BLOCK_BYTES = 1024 - sizeof(struct hm_text_block) };

static const char *keep_text(hm_scored *out, const hm_buf *b)
{
    struct hm_text_block *block = out->texts;
    if (block->size - block->used < b->len + 1) {
        size_t size = b->len + 1 > TEXT_BLOCK_BYTES ? b->len + 1 : TEXT_BLOCK_BYTES;
        block = hm_xmalloc(sizeof *block + size);
        block->prev = out->texts;
        block->used = 0;
        block->size = size;
        out->texts = block;
    }
    char *text = memcpy(block->text + block->used, b->data, b->len + 1);
    block->used += b->len + 1;
    return text;
}

/* A long list is cut short: "paragraphs 2, 4, 5, 6, 7 and 27 others" reads
 * better than thirty numbers, and the first still points the way. */
#define PARAGRAPHS_LISTED 6

static void paragraph_list(hm_buf *b, const unsigned *p, size_t n)
{
    hm_buf_puts(b, n == 1 ? "paragraph " : "paragraphs ");
    size_t shown = n > PARAGRAPHS_LISTED ? PARAGRAPHS_LISTED - 1 : n;
    for (size_t i = 0; i < shown; i++) {
        if (i)
            hm_buf_puts(b, i + 1 == n ? " and " : ", ");
        hm_buf_put_uint(b, p[i]);
    }
    if (shown < n)
        hm_buf_printf(b, " and %zu others", n - shown);
}

/* Fills {paragraphs}, {example}, {value}, {names} in a feedback sentence,
 * written into b from its start (a buffer reused note by note). */
static void expand(hm_buf *b, const char *tmpl, const hm_feature_value *v, const hm_scan *scan)
{
    b->len = 0;
    hm_buf_put(b, "", 0); /* a text even when the template is empty */
    for (const char *p = tmpl; *p;) {
        if (*p != '{') {
            size_t run = strcspn(p, "{"); /* plain text, copied in one go */
            hm_buf_put(b, p, run);
            p += run;
            continue;
        }
        if (*p == '{') {
            const char *e = strchr(p, '}');
            if (e) {
                size_t n = (size_t)(e - p - 1);
                if (n == 10 && strncmp(p + 1, "paragraphs", n) == 0) {
                    if (v->n_paras)
                        paragraph_list(b, v->paras, v->n_paras);
                    else
                        hm_buf_puts(b, "some paragraphs");
                } else if (n == 7 && strncmp(p + 1, "example", n) == 0 && v->ex_end <= v->ex_start) {
                    /* Nothing to quote: end the sentence before "such as ...". */
                    static const char *const lead_ins[] = {", for example ", " for example ", ", such as ",
                                                           " such as ", ": ", " "};
                    for (size_t k = 0; k < sizeof lead_ins / sizeof *lead_ins; k++) {
                        size_t ll = strlen(lead_ins[k]);
                        if (b->len >= ll && memcmp(b->data + b->len - ll, lead_ins[k], ll) == 0) {
                            b->len -= ll;
                            b->data[b->len] = '\0';
                            break;
                        }
                    }
                    hm_buf_putc(b, '.');
                    break;
                } else if (n == 7 && strncmp(p + 1, "example", n) == 0) {
                    size_t len = v->ex_end - v->ex_start;
                    hm_buf_putc(b, '"');
                    if (len > 100) {
                        /* Cut at a word boundary so the quotation stays readable. */
                        size_t cut = v->ex_start + 100;
                        while (cut > v->ex_start + 60 && scan->text[cut] != ' ' && scan->text[cut] != '\n')
                            cut--;
                        while (cut > v->ex_start && ((unsigned char)scan->text[cut] & 0xC0) == 0x80)
                            cut--;
                        hm_buf_put(b, scan->text + v->ex_start, cut - v->ex_start);
                        hm_buf_puts(b, "...");
                    } else {
                        hm_buf_put(b, scan->text + v->ex_start, len);
                    }
                    hm_buf_putc(b, '"');
                } else if (n == 5 && strncmp(p + 1, "value", n) == 0) {
                    if (v->value == floor(v->value))
                        hm_buf_printf(b, "%.0f", v->value);
                    else
                        hm_buf_printf(b, "%.0f%%", v->value * 100);
                } else if ((n == 5 && strncmp(p + 1, "names", n) == 0) ||
                           (n == 6 && strncmp(p + 1, "detail", n) == 0)) {
                    hm_buf_puts(b, v->detail ? v->detail : "");
                } else {
                    hm_buf_put(b, p, n + 2);
                }
                p = e + 1;
                continue;
            }
        }
        hm_buf_putc(b, *p++);
    }
    /* Collapse the white space a line break in a quoted example brings
     * (strpbrk: the text holds no NUL, and most notes none of these). */
    for (char *q = b->data; (q = strpbrk(q, "\n\r\t")) != NULL; q++)
        *q = ' ';
}

static hm_note make_note(hm_scored *out, hm_buf *scratch, const char *strand, const char *tmpl,
                         const hm_feature_value *v, const hm_scan *scan, bool gap)
{
    hm_note n = {0};
    n.strand = strand;
    expand(scratch, tmpl, v, scan);
    n.text = keep_text(out, scratch);
    if (gap && v->n_paras) {
        n.paragraph = v->paras[0];
        for (size_t i = 0; i < scan->doc->n_paras; i++)
            if (scan->doc->paras[i].number == v->paras[0]) {
                const hm_para *p = &scan->doc->paras[i];
                const hm_sentence *s = &scan->doc->sents[p->first_sentence];
                n.start = s->start;
                n.end = s->end;
            }
    } else if (v->ex_end > v->ex_start) {
        n.start = v->ex_start;
        n.end = v->ex_end;
        size_t pi = hm_document_para_at(scan->doc, v->ex_start);
        n.paragraph = pi == SIZE_MAX ? 0 : scan->doc->paras[pi].number;
    }
    if (n.end > n.start)
        hm_source_position(scan->doc->src, n.start, &n.line, &n.column);
    return n;
}

/* Levels and mark only: shared by scoring and by calibration, which
 * re-scores the same features under many trial rubrics. `levels` and
 * `progress` have a slot per strand; `capped` gets the first cap applied. */
void hm_rubric_levels(const hm_rubric *r, const hm_features *fs, int *levels, double *progress, int *level_out,
                      int *mark_out, const hm_check **capped)
{
    bool rewardable = fs->f[HM_F_WORDS].value >= r->min_words;
    double weighted = 0, weights = 0;
    int lowest = 5;
    if (capped)
        *capped = NULL;
    for (size_t s = 0; s < r->n_strands; s++) {
        const hm_strand_def *d = &r->strands[s];
        int level = 0;
        if (rewardable) {
            for (int l = 0; l < 5; l++) {
                if (!level_fits(r, &d->levels[l], fs))
                    break;
                level = l + 1;
            }
        }
        /* Reach beyond the level: the share of the next level's
         * requirements met, or at the top, of its own met securely. */
        double prog = 1;
        const hm_level_def *next = &d->levels[level < 5 ? level : 4];
        if (next->n_reqs) {
            size_t met = 0;
            for (size_t i = 0; i < next->n_reqs; i++)
                met += level < 5 ? cond_holds(&next->reqs[i], fs) : cond_secure(r, &next->reqs[i], fs);
            prog = (double)met / (double)next->n_reqs;
        } else if (level < 5) {
            prog = 0;
        }
        levels[s] = level;
        progress[s] = prog;
        weighted += d->weight * level;
        weights += d->weight;
        if (level < lowest)
            lowest = level;
    }

    /* Best fit: the weighted mean, a half rounding down, held within reach
     * of the weakest strand, then any cap the rubric sets. */
    double mean = weights > 0 ? weighted / weights : 0;
    int level = (int)ceil(mean - 0.5);
    if (level > lowest + r->max_above_lowest)
        level = lowest + r->max_above_lowest;
    for (size_t c = 0; c < r->n_caps; c++) {
        const hm_check *cap = &r->caps[c];
        if (all_measured_and_hold(cap->conds, cap->n_conds, fs) && level > cap->max_level) {
            level = cap->max_level;
            if (capped && !*capped)
                *capped = cap;
        }
    }
    if (!rewardable)
        level = 0;
    if (level < 0)
        level = 0;
    if (level > 5)
        level = 5;
    if (rewardable && level == 0)
        level = 1;
    *level_out = level;
    *mark_out = 0;
    if (level > 0) {
        const hm_band *b = &r->bands[level - 1];
        double security = 0;
        for (size_t s = 0; s < r->n_strands; s++) {
            double v = levels[s] + progress[s] - level + 1;
            if (levels[s] > level)
                v = 1;
            else if (levels[s] == level) /* placed by its reach towards the next level */
                v = r->mark_at_level + (1 - r->mark_at_level) * progress[s];
            security += r->strands[s].weight * (v < 0 ? 0 : v > 1 ? 1 : v);
        }
        security = weights > 0 ? security / weights : 0;
        *mark_out = b->min + (int)floor((b->max - b->min) * security + 1e-9);
    }
}

/* Two strengths that quote overlapping words praise one passage twice
 * (the judgement in a sentence, then the whole sentence): keep the first. */
static bool quotes_a_quoted_passage(const hm_scored *out, const hm_note *n)
{
    bool quotes = n->end > n->start && strchr(n->text, '"');
    for (size_t i = 0; quotes && i < out->n_strengths; i++) {
        const hm_note *o = &out->strengths[i];
        if (o->end > o->start && strchr(o->text, '"') && o->start < n->end && n->start < o->end)
            return true;
    }
    return false;
}

void hm_rubric_score(const hm_rubric *r, const hm_features *fs, hm_scan *scan, hm_scored *out)
{
    memset(out, 0, sizeof *out);
    out->n_strands = r->n_strands;
    bool rewardable = fs->f[HM_F_WORDS].value >= r->min_words;
    /* Scratch, one block: each strand's reach, place in the order and
     * level, and the features of the gaps taken (each written before it
     * is read). */
    size_t n_gap_slots = r->max_gaps + r->n_advice;
    double *progress = hm_xmalloc(r->n_strands * (sizeof(double) + sizeof(size_t) + sizeof(int)) +
                                  n_gap_slots * sizeof(hm_feature_id));
    size_t *order = (size_t *)(void *)(progress + r->n_strands);
    int *levels = (int *)(void *)(order + r->n_strands);
    hm_feature_id *gap_feature = (hm_feature_id *)(void *)(levels + r->n_strands);
    const hm_check *cap = NULL;
    hm_rubric_levels(r, fs, levels, progress, &out->level, &out->mark, &cap);
    if (out->level == 0)
        snprintf(out->band, sizeof out->band, "0");
    else
        snprintf(out->band, sizeof out->band, "%d-%d", r->bands[out->level - 1].min, r->bands[out->level - 1].max);

    /* Feedback: what earned each strand its level, and what the next level
     * needs, pointing at paragraphs and words. */
    /* room for each strand's two strengths and its next level's gaps, not
     * for every level's requirements (a cleared block that size cost more
     * than the notes) */
    enum { STRENGTHS_PER_STRAND = 2 };
    size_t cap_notes = 0;
    for (size_t s = 0; s < r->n_strands; s++)
        cap_notes += STRENGTHS_PER_STRAND + (levels[s] < 5 ? r->strands[s].levels[levels[s]].n_reqs : 0);
    /* The strands, the three note arrays and the first text block, one
     * allocation (each entry written before it is read: not cleared). */
    size_t n_notes = cap_notes + r->max_strengths + n_gap_slots;
    size_t notes_bytes = r->n_strands * sizeof *out->strands + n_notes * sizeof(hm_note);
    _Static_assert(sizeof(hm_strand) % _Alignof(struct hm_text_block) == 0 &&
                       sizeof(hm_note) % _Alignof(struct hm_text_block) == 0,
                   "the first text block follows the notes aligned");
    out->strands = hm_xmalloc(notes_bytes + sizeof(struct hm_text_block) + FIRST_TEXT_BYTES);
    out->strand_notes = (hm_note *)(void *)(out->strands + r->n_strands);
    out->strengths = out->strand_notes + cap_notes;
    out->gaps = out->strengths + r->max_strengths;
    out->texts = (struct hm_text_block *)(void *)((char *)out->strands + notes_bytes);
    *out->texts = (struct hm_text_block){NULL, 0, FIRST_TEXT_BYTES};
    hm_buf scratch = {0}; /* each note's text, expanded before it is kept */
    hm_buf_reserve(&scratch, 511); /* the longest notes are some 300 bytes */
    size_t used = 0;
    for (size_t s = 0; s < r->n_strands; s++) {
        const hm_strand_def *d = &r->strands[s];
        hm_strand *st = &out->strands[s];
        *st = (hm_strand){.id = d->id, .name = d->name, .level = levels[s], .security = progress[s],
                          .descriptor = levels[s] ? d->levels[levels[s] - 1].descriptor
                                                  : "Nothing in the essay can be rewarded yet."};
        st->strengths = &out->strand_notes[used];
        for (int l = levels[s] - 1; l >= 0 && st->n_strengths < STRENGTHS_PER_STRAND; l--) {
            const hm_level_def *ld = &d->levels[l];
            for (size_t i = 0; i < ld->n_reqs && st->n_strengths < STRENGTHS_PER_STRAND; i++) {
                const hm_cond *c = &ld->reqs[i];
                /* A feature praised at a higher level is not praised again
                 * in weaker words from a lower one. */
                bool said = false;
                for (size_t j = 0; j < st->n_strengths; j++)
                    said |= strcmp(st->strengths[j].feature, hm_feature_name(c->feature)) == 0;
                if (c->strength && !said && fs->f[c->feature].available) {
                    out->strand_notes[used++] = make_note(out, &scratch, d->id, c->strength, &fs->f[c->feature], scan, false);
                    out->strand_notes[used - 1].feature = hm_feature_name(c->feature);
                    st->n_strengths++;
                }
            }
        }
        st->gaps = &out->strand_notes[used];
        if (levels[s] < 5 && rewardable) {
            const hm_level_def *next = &d->levels[levels[s]];
            for (size_t i = 0; i < next->n_reqs; i++) {
                const hm_cond *c = &next->reqs[i];
                if (c->gap && !cond_holds(c, fs)) {
                    out->strand_notes[used++] = make_note(out, &scratch, d->id, c->gap, &fs->f[c->feature], scan, true);
                    out->strand_notes[used - 1].feature = hm_feature_name(c->feature);
                    st->n_gaps++;
                }
            }
        }
    }

    /* The essay's own lists: strongest strands' strengths first, weakest
     * strands' gaps first, then general advice. */
    for (size_t s = 0; s < r->n_strands; s++)
        order[s] = s;
    for (size_t a = 1; a < r->n_strands; a++)
        for (size_t b = a; b > 0 && levels[order[b - 1]] < levels[order[b]]; b--) {
            size_t t = order[b];
            order[b] = order[b - 1];
            order[b - 1] = t;
        }
    for (size_t round = 0; round < 2; round++)
        for (size_t k = 0; k < r->n_strands && out->n_strengths < r->max_strengths; k++) {
            const hm_strand *st = &out->strands[order[k]];
            if (round < st->n_strengths && !quotes_a_quoted_passage(out, &st->strengths[round]))
                out->strengths[out->n_strengths++] = st->strengths[round];
        }
    /* Two strands may miss the same thing (a conclusion): say it once. */
    for (size_t k = r->n_strands; k-- > 0;) {
        const hm_strand *st = &out->strands[order[k]];
        const hm_strand_def *d = &r->strands[order[k]];
        const hm_level_def *next = levels[order[k]] < 5 ? &d->levels[levels[order[k]]] : NULL;
        size_t gi = 0, taken = 0;
        for (size_t i = 0; next && i < next->n_reqs && gi < st->n_gaps; i++) {
            const hm_cond *c = &next->reqs[i];
            if (!c->gap || cond_holds(c, fs))
                continue;
            /* The same feature, or two features that name the same passage
             * (narrative paragraphs and passages): say it once. */
            const char *detail = fs->f[c->feature].n_paras ? fs->f[c->feature].detail : NULL;
            bool dup = false;
            for (size_t j = 0; j < out->n_gaps; j++)
                dup |= gap_feature[j] == c->feature ||
                       (detail && *detail && fs->f[gap_feature[j]].n_paras && fs->f[gap_feature[j]].detail &&
                        strcmp(fs->f[gap_feature[j]].detail, detail) == 0);
            /* A strand's next level often asks for one thing in several
             * words (explain, not narrate): its first gaps say it. */
            bool strand_full = r->max_gaps_per_strand && taken >= r->max_gaps_per_strand;
            if (!dup && !strand_full && out->n_gaps < r->max_gaps) {
                gap_feature[out->n_gaps] = c->feature;
                out->gaps[out->n_gaps++] = st->gaps[gi];
                taken++;
            }
            gi++;
        }
    }
    for (size_t a = 0; a < r->n_advice; a++) {
        const hm_check *adv = &r->advice[a];
        if (!adv->n_conds || !all_measured_and_hold(adv->conds, adv->n_conds, fs))
            continue;
        bool dup = false;
        for (size_t j = 0; j < out->n_gaps; j++)
            dup |= gap_feature[j] == adv->conds[0].feature;
        if (!dup) {
            gap_feature[out->n_gaps] = adv->conds[0].feature;
            out->gaps[out->n_gaps++] = make_note(out, &scratch, NULL, adv->message, &fs->f[adv->conds[0].feature], scan, true);
            out->gaps[out->n_gaps - 1].feature = hm_feature_name(adv->conds[0].feature);
        }
    }
    for (size_t w = 0; w < r->n_warnings; w++) {
        const hm_check *wc = &r->warnings[w];
        if (wc->n_conds && all_measured_and_hold(wc->conds, wc->n_conds, fs)) {
            expand(&scratch, wc->message, &fs->f[wc->conds[0].feature], scan);
            hm_scan_warn(scan, wc->code, "%s", scratch.data);
        }
    }
    /* After the warnings, so that a code they share keeps the fuller message. */
    if (cap) {
        expand(&scratch, cap->message, &fs->f[cap->conds[0].feature], scan);
        hm_scan_warn(scan, cap->code ? cap->code : "capped", "%s", scratch.data);
    }
    hm_buf_free(&scratch);
    free(progress); /* the scratch block */
}

void hm_scored_free(hm_scored *s)
{
    for (struct hm_text_block *b = s->texts, *prev; b && b->prev; b = prev) {
        prev = b->prev;
        free(b);
    }
    free(s->strands); /* and the note arrays and the first text block */
    memset(s, 0, sizeof *s);
}
