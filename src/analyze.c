/* The pipeline, stage by stage, and the result that owns what each stage
 * made: text -> document -> findings -> features -> score. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "phrase.h"
#include "rubric.h"

#define TOPIC_REASON_LEAD "chosen because the question and essay use "
#define TOPIC_REASON_TAIL " of its names and terms"

struct hm_result {
    /* The result's own fields, cleared when it is made (up to `src`). */
    const hm_config *cfg;
    char *question; /* in the block of paras, or NULL */
    const hm_topic *topic;
    const char *topic_reason; /* a fixed text, or reason_text */
    char reason_text[sizeof TOPIC_REASON_LEAD + HM_SIZE_DIGITS + sizeof TOPIC_REASON_TAIL];
    hm_paragraph *paras;
    hm_warning *warnings;
    unsigned words, essay_paragraphs;
    /* The stages', each cleared by the stage that fills it (3.9 KB, most
     * of it the features: not cleared twice). */
    hm_source src;
    hm_document doc;
    hm_scan scan;
    hm_features features;
    hm_scored scored;
    char name[]; /* in the result's own allocation */
};

/* ---- configuration ---- */

static bool load_data(const char *path, const char *builtin, char **owned, const char **data,
                      size_t *len, const char **file, hm_error *err)
{
    *owned = NULL;
    if (path) {
        *owned = hm_read_file(path, (size_t)16 << 20, len, err);
        if (!*owned)
            return false;
        *data = *owned;
        *file = path;
        return true;
    }
    const hm_builtin_file *b = hm_builtin_find(builtin);
    if (!b) {
        hm_error_set(err, HM_ERR_IO, builtin, 0, 0, NULL, "built-in file missing from this build");
        return false;
    }
    *data = b->data;
    *len = b->len;
    *file = b->name;
    return true;
}

static bool add_topic(hm_config *cfg, const char *data, size_t len, const char *file, hm_error *err)
{
    cfg->topics = hm_xrealloc(cfg->topics, (cfg->n_topics + 1) * sizeof *cfg->topics);
    if (!hm_topic_load(cfg, &cfg->topics[cfg->n_topics], data, len, file, err)) {
        hm_topic_free(&cfg->topics[cfg->n_topics]);
        return false;
    }
    cfg->n_topics++;
    return true;
}

hm_config *hm_config_load(const hm_config_options *opts, hm_error *err)
{
    hm_config_options none = {HM_CONFIG_OPTIONS_VERSION, NULL, NULL, NULL, NULL, 0};
    if (!opts)
        opts = &none;
    hm_config *cfg = hm_xcalloc(1, sizeof *cfg);
    cfg->jit = !(opts->version >= 2 && (opts->flags & HM_CONFIG_INTERPRET));
    cfg->cctx = pcre2_compile_context_create(NULL);
    cfg->mctx = pcre2_match_context_create(NULL);
    if (!cfg->cctx || !cfg->mctx) {
        hm_error_set(err, HM_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
        hm_config_free(cfg);
        return NULL;
    }
    /* Safety limits so a pattern that backtracks badly gives up instead of
     * hanging; rules.yaml may set its own under `limits`. */
    pcre2_set_match_limit(cfg->mctx, 1000000);
    pcre2_set_depth_limit(cfg->mctx, 10000);
    pcre2_set_heap_limit(cfg->mctx, 20000);
    cfg->max_match_data_pairs = 1;

    char *owned = NULL;
    const char *data, *file;
    size_t len;
    bool ok = load_data(opts->lists_path, "rubrics/lists.yaml", &owned, &data, &len, &file, err) &&
              hm_lists_load(&cfg->lists, data, len, file, err);
    free(owned);
    if (ok) {
        ok = load_data(opts->rules_path, "rubrics/rules.yaml", &owned, &data, &len, &file, err) &&
             hm_rules_load(cfg, data, len, file, err);
        free(owned);
    }
    if (ok) {
        ok = load_data(opts->rubric_path, "rubrics/a-level-20.yaml", &owned, &data, &len, &file, err) &&
             hm_rubric_load(&cfg->rubric, data, len, file, err);
        free(owned);
    }
    const char *topic = opts->topic;
    if (ok && (!topic || strcmp(topic, "none") != 0)) {
        /* The built-in packs, unless a file was named. */
        bool is_file = topic && (strchr(topic, '/') || strstr(topic, ".yaml") || strstr(topic, ".yml"));
        if (is_file) {
            ok = load_data(topic, NULL, &owned, &data, &len, &file, err) && add_topic(cfg, data, len, file, err);
            free(owned);
            if (ok)
                cfg->fixed_topic = &cfg->topics[0];
            /* A pack the user names is checked now, before any essay. */
            ok = ok && hm_topic_prepare(cfg, cfg->fixed_topic, err);
        } else {
            for (size_t i = 0; ok && i < hm_builtin_file_count; i++) {
                const hm_builtin_file *b = &hm_builtin_files[i];
                if (strncmp(b->name, "rubrics/topics/", 15) == 0)
                    ok = add_topic(cfg, b->data, b->len, b->name, err);
            }
            if (ok && topic) {
                for (size_t i = 0; i < cfg->n_topics; i++)
                    if (strcmp(cfg->topics[i].id, topic) == 0)
                        cfg->fixed_topic = &cfg->topics[i];
                if (!cfg->fixed_topic) {
                    hm_buf known = {0};
                    for (size_t i = 0; i < cfg->n_topics; i++)
                        hm_buf_printf(&known, "%s%s", i ? ", " : "", cfg->topics[i].id);
                    hm_error_set(err, HM_ERR_SCHEMA, topic, 0, 0, NULL,
                                 "no such topic pack (built in: %s, or give a .yaml file)", known.data);
                    hm_buf_free(&known);
                    ok = false;
                }
            }
            cfg->choose_topic = ok && !topic;
        }
    }
    if (!ok) {
        hm_config_free(cfg);
        return NULL;
    }
    hm_config_index(cfg);
    hm_rules_jit(cfg);
    return cfg;
}

void hm_config_free(hm_config *cfg)
{
    if (!cfg)
        return;
    hm_config_index_free(cfg);
    for (size_t i = 0; i < cfg->n_rules; i++)
        hm_rule_free(&cfg->rules[i]);
    free(cfg->rules);
    for (size_t i = 0; i < cfg->n_topics; i++)
        hm_topic_free(&cfg->topics[i]);
    free(cfg->topics);
    hm_rubric_free(&cfg->rubric);
    hm_lists_free(&cfg->lists);
    pcre2_compile_context_free(cfg->cctx);
    pcre2_match_context_free(cfg->mctx);
    free(cfg);
}

/* ---- stages ---- */

static const hm_rule *rule_of(const hm_config *cfg, const hm_finding *f)
{
    for (size_t i = 0; i < cfg->n_rules; i++)
        if (cfg->rules[i].id == f->rule)
            return &cfg->rules[i];
    return NULL;
}

/* Text copied from an essay website is flagged and kept out of the score. */
static void mark_website_text(hm_result *r)
{
    hm_scan *scan = &r->scan;
    hm_document *doc = &r->doc;
    size_t count = 0, first = SIZE_MAX;
    size_t para_hint = 0;
    for (size_t k = 0; k < scan->n_findings; k++) {
        const hm_finding *f = &scan->findings[k];
        if (f->kind != HM_KIND_WEBSITE)
            continue;
        count++;
        if (first == SIZE_MAX || f->start < scan->findings[first].start)
            first = k;
        size_t pi = hm_document_para_next(doc, f->start, &para_hint);
        if (pi == SIZE_MAX)
            continue;
        const hm_rule *rule = rule_of(r->cfg, f);
        size_t last = rule && rule->rest_of_text ? doc->n_paras : pi + 1;
        for (size_t i = pi; i < last; i++)
            doc->paras[i].kind = HM_PARA_WEBSITE;
    }
    if (doc->question != SIZE_MAX && doc->paras[doc->question].kind == HM_PARA_WEBSITE)
        doc->question = SIZE_MAX;
    if (count) {
        const hm_finding *f = &scan->findings[first];
        unsigned line, col;
        hm_source_position(doc->src, f->start, &line, &col);
        hm_scan_warn(scan, "website-text",
                     "%zu passage%s look%s copied from an essay website (first at line %u: \"%.*s\"); "
                     "that text is left out of the mark",
                     count, count == 1 ? "" : "s", count == 1 ? "s" : "", line,
                     (int)(f->end - f->start > 60 ? 60 : f->end - f->start), doc->src->text + f->start);
        hm_document_renumber(doc);
    }
}

/* Picks the pack whose typical words the question and essay use most. */
static void choose_topic(hm_result *r)
{
    const hm_config *cfg = r->cfg;
    if (cfg->fixed_topic) {
        r->topic = cfg->fixed_topic;
        r->topic_reason = "chosen with --topic";
        return;
    }
    if (!cfg->choose_topic || cfg->n_topics == 0)
        return;
    const hm_document *doc = &r->doc;
    double best = 0;
    size_t best_i = SIZE_MAX;
    if (hm_topic_keywords_indexed(cfg)) {
        /* One walk over the words, paragraph by paragraph (every word lies
         * in one: hm_document_build finds them there, in order), and one
         * lookup a word for all packs at once. Whole counts. */
        unsigned score[32] = {0};
        const char *text = doc->src->text;
        for (size_t pi = 0; pi < doc->n_paras; pi++) {
            const hm_para *p = &doc->paras[pi];
            if (p->kind == HM_PARA_WEBSITE || !p->words)
                continue; /* (a text without words may have no array) */
            unsigned weight = pi == doc->question ? 3 : 1;
            hm_topic_keyword_scores(cfg, text, &doc->words[p->first_word], p->words, weight, score);
        }
        for (size_t t = 0; t < cfg->n_topics; t++)
            if (score[t] > best) {
                best = (double)score[t];
                best_i = t;
            }
    }
    for (size_t t = 0; !hm_topic_keywords_indexed(cfg) && t < cfg->n_topics; t++) {
        /* without the index (more than 32 packs): pack by pack */
        double score = 0;
        size_t para_hint = 0;
        for (size_t k = 0; k < doc->n_words; k++) {
            const hm_word *w = &doc->words[k];
            size_t pi = hm_document_para_next(doc, w->start, &para_hint);
            if (pi != SIZE_MAX && doc->paras[pi].kind == HM_PARA_WEBSITE)
                continue;
            const char *ws = doc->src->text + w->start;
            size_t wl = hm_possessive_stem(ws, w->end - w->start);
            if (hm_strset_has(&cfg->topics[t].keywords, ws, wl))
                score += (pi == doc->question) ? 3 : 1;
        }
        if (score > best) {
            best = score;
            best_i = t;
        }
    }
    if (best_i != SIZE_MAX && best >= cfg->rubric.topic_min_score) {
        r->topic = &cfg->topics[best_i];
        /* the score is a whole count: its digits, not printf's %.0f (some
         * 2,000 instructions) */
        char *at = r->reason_text;
        memcpy(at, TOPIC_REASON_LEAD, sizeof TOPIC_REASON_LEAD - 1);
        at += sizeof TOPIC_REASON_LEAD - 1;
        at += hm_size_digits(at, (size_t)best);
        memcpy(at, TOPIC_REASON_TAIL, sizeof TOPIC_REASON_TAIL);
        r->topic_reason = r->reason_text;
    } else {
        r->topic_reason = "no topic pack fits this essay; people are found by capitalised names alone";
    }
}

static void find_intro_conclusion(hm_result *r)
{
    hm_document *doc = &r->doc;
    hm_scan *scan = &r->scan;
    size_t first = SIZE_MAX, last = SIZE_MAX, n = 0;
    for (size_t i = 0; i < doc->n_paras; i++)
        if (doc->paras[i].kind == HM_PARA_BODY) {
            if (first == SIZE_MAX)
                first = i;
            last = i;
            n++;
        }
    if (n < 2)
        return;
    scan->intro = first;
    /* The last paragraph concludes when its first sentence opens a conclusion
     * ("In conclusion", "Overall"), or when it judges more than once and its
     * first or last sentence judges: strong essays often conclude without a
     * stock phrase, opening with the verdict or ending on it. */
    const hm_para *p = &doc->paras[last];
    const hm_sentence *s = &doc->sents[p->first_sentence];
    const hm_sentence *e = &doc->sents[p->first_sentence + (p->n_sentences ? p->n_sentences - 1 : 0)];
    bool marker = false, judges_first = false, judges_last = false;
    size_t judgements = 0;
    for (size_t k = 0; k < scan->n_findings; k++) {
        const hm_finding *f = &scan->findings[k];
        if (f->start < p->start || f->start >= p->end)
            continue;
        bool in_first = f->start >= s->start && f->start < s->end;
        bool in_last = f->start >= e->start && f->start < e->end;
        marker |= f->kind == HM_KIND_CONCLUSION && in_first;
        judges_first |= f->kind == HM_KIND_JUDGEMENT && in_first;
        judges_last |= f->kind == HM_KIND_JUDGEMENT && in_last;
        judgements += f->kind == HM_KIND_JUDGEMENT;
    }
    if (marker || ((judges_first || judges_last) && judgements >= 2))
        scan->conclusion = last;
}

/* The paragraphs' public array and the question's text (the one given,
 * else the essay's question paragraph on one line, else none) in one
 * allocation, which r->paras owns: both live as long as the result. The
 * array is filled by the caller. */
static void paras_and_question(hm_result *r, const char *given)
{
    const char *question = given;
    size_t question_len = 0;
    if (given)
        question_len = strlen(given);
    else if (r->doc.question != SIZE_MAX) {
        const hm_para *p = &r->doc.paras[r->doc.question];
        question = r->src.text + p->start;
        question_len = p->end - p->start;
    }
    size_t paras_bytes = r->doc.n_paras * sizeof *r->paras;
    r->paras = hm_xmalloc(paras_bytes + (question ? question_len + 1 : 0));
    if (!question)
        return;
    r->question = memcpy((char *)r->paras + paras_bytes, question, question_len);
    r->question[question_len] = '\0';
    if (!given)
        for (size_t i = 0; i < question_len; i++)
            if (r->question[i] == '\n' || r->question[i] == '\r')
                r->question[i] = ' ';
}

hm_result *hm_analyze(const hm_config *cfg, const char *bytes, size_t len, const hm_analyze_options *opts,
                      hm_error *err)
{
    const char *name = opts && opts->name ? opts->name : "-";
    size_t max = opts && opts->max_bytes ? opts->max_bytes : HM_DEFAULT_MAX_BYTES;
    if (len > max) {
        hm_error_set(err, HM_ERR_INPUT, name, 0, 0, NULL,
                     "too large for an essay (%zu bytes; the limit is %zu, see --max-bytes)", len, max);
        return NULL;
    }
    /* A document's word ends are 32 bits (hm_word), and decoding may make
     * a text three times as long (Windows-1252's euro sign is three bytes
     * of UTF-8): 1 GiB is the most read, whatever --max-bytes allows. */
    if (len > HM_MAX_TEXT_BYTES) {
        hm_error_set(err, HM_ERR_INPUT, name, 0, 0, NULL,
                     "too large for an essay (%zu bytes; histmark reads at most %zu)", len,
                     (size_t)HM_MAX_TEXT_BYTES);
        return NULL;
    }
    size_t name_len = strlen(name);
    hm_result *r = hm_xmalloc(sizeof *r + name_len + 1);
    memset(r, 0, offsetof(hm_result, src));
    r->cfg = cfg;
    memcpy(r->name, name, name_len + 1);
    if (!hm_source_init(&r->src, bytes, len, name, err)) {
        free(r);
        return NULL;
    }
    hm_document_build(&r->doc, &r->src, &cfg->lists);
    hm_scan_init(&r->scan, cfg, &r->doc);
    hm_scan *scan = &r->scan;

    if (r->src.encoding == HM_ENC_CP1252)
        hm_scan_warn(scan, "encoding", "the file is not UTF-8; it was read as Windows-1252 (save it as UTF-8 to be sure)");
    else if (r->src.utf16_guessed)
        hm_scan_warn(scan, "encoding", "the file looks like UTF-16 without a byte order mark; it was read as such");

    hm_rules_run(scan, HM_PHASE_TEXT);
    mark_website_text(r);
    choose_topic(r);
    scan->topic = r->topic;
    hm_topic_run(scan);
    hm_rules_run(scan, HM_PHASE_BODY);
    find_intro_conclusion(r);
    hm_rules_run(scan, HM_PHASE_PARTS);
    hm_scan_finish(scan);
    hm_scan_free_data(scan);

    paras_and_question(r, opts ? opts->question : NULL);
    hm_features_measure(&r->features, scan, r->question, r->question ? strlen(r->question) : 0);
    hm_rubric_score(&cfg->rubric, &r->features, scan, &r->scored);

    /* every entry written; read only below n_paras (as the warnings) */
    for (size_t i = 0; i < r->doc.n_paras; i++) {
        const hm_para *p = &r->doc.paras[i];
        r->paras[i] = (hm_paragraph){p->kind, p->number, p->start, p->end, p->line, p->words};
        if (p->number)
            r->essay_paragraphs++;
    }
    r->words = (unsigned)r->features.f[HM_F_WORDS].value;
    r->warnings = scan->n_warnings ? hm_xmalloc(scan->n_warnings * sizeof *r->warnings) : NULL;
    for (size_t i = 0; i < scan->n_warnings; i++)
        r->warnings[i] = (hm_warning){scan->warnings[i].code, scan->warnings[i].message};
    return r;
}

void hm_result_free(hm_result *r)
{
    if (!r)
        return;
    hm_scored_free(&r->scored);
    hm_features_free(&r->features);
    for (size_t i = 0; i < r->scan.n_warnings; i++) {
        free(r->scan.warnings[i].code);
        free(r->scan.warnings[i].message);
    }
    free(r->scan.warnings);
    free(r->scan.findings);
    hm_document_free(&r->doc);
    hm_source_free(&r->src);
    free(r->paras); /* and the question's text */
    free(r->warnings);
    free(r);
}

/* ---- accessors ---- */

const char *hm_result_name(const hm_result *r) { return r->name; }
const char *hm_result_text(const hm_result *r, size_t *len)
{
    if (len)
        *len = r->src.len;
    return r->src.text;
}
const char *hm_result_question(const hm_result *r) { return r->question; }
const char *hm_result_topic(const hm_result *r) { return r->topic ? r->topic->id : NULL; }
const char *hm_result_topic_name(const hm_result *r) { return r->topic ? r->topic->name : NULL; }
const char *hm_result_topic_reason(const hm_result *r) { return r->topic_reason; }
unsigned hm_result_words(const hm_result *r) { return r->words; }
unsigned hm_result_essay_paragraphs(const hm_result *r) { return r->essay_paragraphs; }
int hm_result_mark(const hm_result *r) { return r->scored.mark; }
int hm_result_out_of(const hm_result *r) { return r->cfg->rubric.out_of; }
int hm_result_level(const hm_result *r) { return r->scored.level; }
const char *hm_result_band(const hm_result *r) { return r->scored.band; }
size_t hm_result_paragraph_count(const hm_result *r) { return r->doc.n_paras; }
const hm_paragraph *hm_result_paragraph(const hm_result *r, size_t i)
{
    return i < r->doc.n_paras ? &r->paras[i] : NULL;
}
size_t hm_result_finding_count(const hm_result *r) { return r->scan.n_findings; }
const hm_finding *hm_result_finding(const hm_result *r, size_t i)
{
    return i < r->scan.n_findings ? &r->scan.findings[i] : NULL;
}
size_t hm_result_strand_count(const hm_result *r) { return r->scored.n_strands; }
const hm_strand *hm_result_strand(const hm_result *r, size_t i)
{
    return i < r->scored.n_strands ? &r->scored.strands[i] : NULL;
}
size_t hm_result_strength_count(const hm_result *r) { return r->scored.n_strengths; }
const hm_note *hm_result_strength(const hm_result *r, size_t i)
{
    return i < r->scored.n_strengths ? &r->scored.strengths[i] : NULL;
}
size_t hm_result_gap_count(const hm_result *r) { return r->scored.n_gaps; }
const hm_note *hm_result_gap(const hm_result *r, size_t i)
{
    return i < r->scored.n_gaps ? &r->scored.gaps[i] : NULL;
}
size_t hm_result_warning_count(const hm_result *r) { return r->scan.n_warnings; }
const hm_warning *hm_result_warning(const hm_result *r, size_t i)
{
    return i < r->scan.n_warnings ? &r->warnings[i] : NULL;
}

/* Not through hm_scan_warn: that keeps one warning per code, and an essay
 * may share text with more than one other. */
void hm_result_add_warning(hm_result *r, const char *code, const char *message)
{
    hm_scan *scan = &r->scan;
    HM_GROW(scan->warnings, scan->n_warnings, scan->cap_warnings);
    scan->warnings[scan->n_warnings].code = hm_xstrdup(code);
    scan->warnings[scan->n_warnings++].message = hm_xstrdup(message);
    r->warnings = hm_xrealloc(r->warnings, (scan->n_warnings + 1) * sizeof *r->warnings);
    for (size_t i = 0; i < scan->n_warnings; i++)
        r->warnings[i] = (hm_warning){scan->warnings[i].code, scan->warnings[i].message};
}

int hm_result_feature(const hm_result *r, const char *name, double *value)
{
    hm_feature_id id;
    if (!name || !hm_feature_lookup(name, &id) || !r->features.f[id].available)
        return 0;
    if (value)
        *value = r->features.f[id].value;
    return 1;
}

/* ---- rule examples ---- */

size_t hm_config_test_rules(const hm_config *cfg, size_t *examples_run, hm_line_fn out, void *ud)
{
    size_t failures = 0, run = 0;
    for (size_t i = 0; i < cfg->n_rules; i++) {
        const hm_rule *rule = &cfg->rules[i];
        for (int want = 1; want >= 0; want--) {
            char **ex = want ? rule->must_match : rule->must_not_match;
            size_t n = want ? rule->n_must_match : rule->n_must_not_match;
            for (size_t e = 0; e < n; e++) {
                hm_result *r = hm_analyze(cfg, ex[e], strlen(ex[e]), NULL, NULL);
                bool hit = false;
                for (size_t k = 0; r && k < r->scan.n_findings; k++)
                    hit |= r->scan.findings[k].rule == rule->id;
                run++;
                if (hit != (bool)want) {
                    failures++;
                    char line[1200];
                    snprintf(line, sizeof line, "%s:%d:%d: rule '%s' %s its example: %s", rule->file, rule->line,
                             rule->column, rule->id, want ? "does not match" : "wrongly matches", ex[e]);
                    if (out)
                        out(line, ud);
                }
                hm_result_free(r);
            }
        }
    }
    if (examples_run)
        *examples_run = run;
    return failures;
}

/* For calibration, which re-scores an essay's features under trial rubrics. */
const hm_features *hm_result_features(const hm_result *r)
{
    return &r->features;
}
