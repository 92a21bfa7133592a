/* Rules: loaded from YAML, compiled once with JIT, run over the scopes of a
 * document with one reused match-data block. The find-all loop follows
 * pcre2demo before 10.47 (Debian 12 has 10.42, without pcre2_next_match). */
#include "scan.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "patcache.h"
#include "phrase.h"
#include "shuffle.h"
#include "startfilter.h"
#include "yamlwalk.h"

static const char *const kind_names[HM_KIND_COUNT] = {
    "date", "figure", "person", "event", "quotation", "judgement",
    "counterargument", "causation", "conclusion", "structure", "website"};

const char *hm_kind_name(hm_kind kind)
{
    return (unsigned)kind < HM_KIND_COUNT ? kind_names[kind] : "unknown";
}

int hm_kind_is_evidence(hm_kind kind)
{
    return kind <= HM_KIND_QUOTATION;
}

static const char *const scope_names[] = {"essay", "paragraph", "sentence", "introduction",
                                          "conclusion", "quotation", "question", "text"};
static const char *const type_names[] = {"existence", "substitution", "occurrence",
                                         "conditional", "names"};

bool hm_jit_wanted(const hm_config *cfg)
{
    const char *no_jit = getenv("HISTMARK_NO_JIT");
    return cfg->jit && (!no_jit || !*no_jit || *no_jit == '0');
}

pcre2_code *hm_compile(const hm_config *cfg, const char *pattern, uint32_t extra,
                       const char *file, int line, int column, const char *rule, hm_error *err)
{
    return hm_compile_opts(cfg, pattern, extra, true, true, file, line, column, rule, err);
}

pcre2_code *hm_compile_opts(const hm_config *cfg, const char *pattern, uint32_t extra, bool ucp, bool jit,
                            const char *file, int line, int column, const char *rule, hm_error *err)
{
    int code;
    PCRE2_SIZE offset;
    uint32_t options = PCRE2_UTF | (ucp ? PCRE2_UCP : 0) | extra;
    size_t len = strlen(pattern);
    /* A built-in pattern comes ready compiled (src/patcache.h). */
    pcre2_code *re = hm_patcache_find(pattern, len, options);
    if (!re) {
        re = pcre2_compile((PCRE2_SPTR)pattern, len, options, &code, &offset, cfg->cctx);
        if (!re) {
            PCRE2_UCHAR msg[256];
            pcre2_get_error_message(code, msg, sizeof msg);
            hm_error_set(err, HM_ERR_PATTERN, file, line, column, rule,
                         "rule '%s': the pattern does not compile: %s at offset %zu of '%.80s'",
                         rule ? rule : "?", (const char *)msg, (size_t)offset, pattern);
            return NULL;
        }
        if (hm_patcache_record)
            hm_patcache_record(pattern, len, options, re);
    }
    /* JIT when the platform allows it; the interpreter otherwise.
     * HISTMARK_NO_JIT=1 forces the interpreter: valgrind cannot follow
     * JIT-generated code and reports false errors inside it. */
    if (jit && hm_jit_wanted(cfg))
        (void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
    return re;
}

void hm_rule_free(hm_rule *r)
{
    free(r->id);
    free(r->message);
    free(r->tag);
    free(r->file);
    pcre2_code_free(r->re);
    pcre2_code_free(r->re_second);
    for (size_t i = 0; i < r->n_swap; i++) {
        free(r->swap_from[i]);
        free(r->swap_to[i]);
    }
    free(r->swap_from);
    free(r->swap_to);
    for (size_t i = 0; i < r->n_must_match; i++)
        free(r->must_match[i]);
    for (size_t i = 0; i < r->n_must_not_match; i++)
        free(r->must_not_match[i]);
    free(r->must_match);
    free(r->must_not_match);
    for (size_t i = 0; i < r->n_phrases; i++)
        free(r->phrases[i]);
    free(r->phrases);
    for (size_t i = 0; i < r->n_requires; i++)
        free(r->requires[i]);
    free(r->requires);
    for (size_t i = 0; i < r->n_starts; i++)
        free(r->starts[i]);
    free(r->starts);
    pcre2_code_free(r->re_anchored);
    hm_pattern_filter *filters[] = {&r->filter, &r->second_filter};
    for (size_t i = 0; i < 2; i++) {
        free(filters[i]->source);
        hm_start_filter_free(filters[i]->filter);
    }
    memset(r, 0, sizeof *r);
}

static int lookup(const char *const *names, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], s) == 0)
            return (int)i;
    return -1;
}

static void put_escaped(hm_buf *b, const char *s)
{
    for (; *s; s++) {
        if (strchr("\\^$.|?*+()[]{}", *s))
            hm_buf_putc(b, '\\');
        if (*s == ' ')
            hm_buf_puts(b, "\\s+");
        else
            hm_buf_putc(b, *s);
    }
}

/* A token's space stands for any run of white space, as a word list's
 * does: a hard-wrapped essay breaks "more than / anything" over lines. */
static void put_spaced(hm_buf *b, const char *s)
{
    bool in_class = false;
    for (; *s; s++) {
        if (*s == '\\' && s[1]) {
            hm_buf_putc(b, *s++);
            hm_buf_putc(b, *s);
            continue;
        }
        if (*s == '[' && !in_class)
            in_class = true;
        else if (*s == ']' && in_class)
            in_class = false;
        if (*s == ' ' && !in_class && (s[1] == '?' || s[1] == '*')) {
            hm_buf_puts(b, "\\s*"); /* an optional space */
            s++;
        } else if (*s == ' ') {
            hm_buf_puts(b, in_class ? "\\s" : "\\s+");
        } else {
            hm_buf_putc(b, *s);
        }
    }
}

static int by_length_desc(const void *a, const void *b)
{
    size_t la = strlen(*(char *const *)a), lb = strlen(*(char *const *)b);
    return la < lb ? 1 : la > lb ? -1 : strcmp(*(char *const *)a, *(char *const *)b);
}

/* Word lists compile into one alternation, longest first, bounded by
 * non-letters so "Lenin" does not match inside "Leninism". */
static char *alternation(char **items, size_t n, bool escape)
{
    char **sorted = hm_xmalloc((n ? n : 1) * sizeof *sorted);
    memcpy(sorted, items, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, by_length_desc);
    hm_buf b = {0};
    hm_buf_puts(&b, "(?<![\\p{L}\\p{N}])(?:");
    for (size_t i = 0; i < n; i++) {
        if (i)
            hm_buf_putc(&b, '|');
        if (escape)
            put_escaped(&b, sorted[i]);
        else
            put_spaced(&b, sorted[i]);
    }
    hm_buf_puts(&b, ")(?![\\p{L}\\p{N}])");
    free(sorted);
    return hm_buf_take(&b);
}

char *hm_alternation(char **items, size_t n, bool escape)
{
    return alternation(items, n, escape);
}

/* ---- starts ---- */

/* Why a pattern cannot be run from chosen start positions alone, or NULL.
 * Anchored calls at each candidate find what one unanchored call finds
 * (leftmost match, then the pattern's own order) unless \G (the start
 * offset), \K (a reported start other than the attempt's), a backtracking
 * verb such as (*SKIP) or (*COMMIT) (they steer the unanchored search) or
 * an empty match is involved. */
static const char *starts_unusable(const pcre2_code *re, yaml_node_t *pn)
{
    const char *p = pn->type == YAML_SCALAR_NODE ? (const char *)pn->data.scalar.value : "";
    bool in_class = false;
    for (; *p; p++) {
        if (*p == '\\') {
            if (!p[1])
                break;
            if (!in_class && p[1] == 'G')
                return "it uses \\G";
            if (!in_class && p[1] == 'K')
                return "it uses \\K";
            p++;
            continue;
        }
        if (in_class) {
            if (*p == ']')
                in_class = false;
            continue;
        }
        if (*p == '[') {
            in_class = true;
            if (p[1] == '^')
                p++;
            if (p[1] == ']')
                p++; /* a ] first in a class is literal */
            continue;
        }
        if (*p == '(' && p[1] == '*')
            return "it uses a (*VERB)";
    }
    uint32_t min = 0;
    if (pcre2_pattern_info(re, PCRE2_INFO_MINLENGTH, &min) != 0 || min == 0)
        return "it can match empty text";
    return NULL;
}

/* How far a lookbehind may reach back for a rule's required string at a
 * unit's start. */
#define REQ_LOOKBEHIND 16

/* How far after a required string a match of re (compiled from source) may
 * start: the match holds the string or has it in a positive lookbehind, of
 * up to 4 bytes a character. Without one (a negative lookbehind cannot hold
 * it), no further than the string's start: the unit's last call is not made
 * after its last match when nothing required follows it. Any (* or (?<*
 * counts as a positive lookbehind, as (*plb: or (*positive_lookbehind: may
 * be one. */
static size_t requires_slack(const pcre2_code *re, const char *source)
{
    if (!strstr(source, "(?<=") && !strstr(source, "(?<*") && !strstr(source, "(*"))
        return 0;
    uint32_t chars = 0;
    if (pcre2_pattern_info(re, PCRE2_INFO_MAXLOOKBEHIND, &chars) != 0)
        return SIZE_MAX / 2;
    return (size_t)chars * 4 > REQ_LOOKBEHIND ? (size_t)chars * 4 : REQ_LOOKBEHIND;
}

/* Units a rule runs over before its filter is made: making one costs as
 * much as some thousand anchored calls (a cold start's one essay would lose),
 * and it saves a few hundred an essay. A unit counts once for each
 * SF_UNIT_BYTES it has begun: a text-scope rule's search over a whole text
 * is what a filter saves most on (find_all_upto), so such a rule's filter
 * is made after a few texts, not 64. */
#define SF_MAKE_AFTER 64
#define SF_UNIT_BYTES 512

/* hm_filter_of for a pattern run over `units` more units. */
static const hm_start_filter *filter_after(const hm_pattern_filter *filter, const pcre2_code *re, unsigned units)
{
    hm_pattern_filter *pf = (hm_pattern_filter *)filter; /* only its atomics and what they guard change */
    if (atomic_load_explicit(&pf->made, memory_order_acquire))
        return pf->filter;
    if (!pf->source || !re)
        return NULL;
    if (atomic_fetch_add_explicit(&pf->units, units, memory_order_relaxed) + units < SF_MAKE_AFTER)
        return NULL;
    if (atomic_exchange_explicit(&pf->claimed, true, memory_order_relaxed))
        return NULL; /* another thread makes it */
    uint32_t opts = 0;
    pcre2_pattern_info(re, PCRE2_INFO_ARGOPTIONS, &opts);
    pf->filter = hm_start_filter_new(pf->source, (opts & PCRE2_CASELESS) != 0, (opts & PCRE2_UCP) != 0);
    atomic_store_explicit(&pf->made, true, memory_order_release);
    return pf->filter;
}

const hm_start_filter *hm_filter_of(const hm_pattern_filter *filter, const pcre2_code *re, bool now)
{
    return filter_after(filter, re, now ? SF_MAKE_AFTER : 1);
}

/* The filter of a pattern run over the unit [from, to). */
static const hm_start_filter *unit_filter(const hm_pattern_filter *filter, const pcre2_code *re, size_t from,
                                          size_t to)
{
    size_t blocks = (to - from) / SF_UNIT_BYTES + 1;
    return filter_after(filter, re, blocks < SF_MAKE_AFTER ? (unsigned)blocks : SF_MAKE_AFTER);
}

/* Does PCRE2 search for re with no first byte to look for, or with a set
 * of three or more? Then a search may take the filter's, whose table step
 * a byte rules out most of the attempts PCRE2 would make. (Measured: where
 * PCRE2 looks for one or two first bytes, as for date-year and
 * date-range, its own search is faster; bench/README.) */
static bool searched_byte_by_byte(const pcre2_code *re)
{
    uint32_t first = 1;
    const uint8_t *bitmap = NULL;
    if (pcre2_pattern_info(re, PCRE2_INFO_FIRSTCODETYPE, &first) != 0 || first != 0 ||
        pcre2_pattern_info(re, PCRE2_INFO_FIRSTBITMAP, &bitmap) != 0)
        return false;
    unsigned bytes = 0;
    for (size_t i = 0; bitmap && i < 32; i++)
        bytes += (unsigned)__builtin_popcount(bitmap[i]);
    return !bitmap || bytes >= 3;
}

static unsigned char fold_ascii(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

/* The capital of an ASCII lowercase letter; any other byte as it is. */
static unsigned char unfold_ascii(unsigned char c)
{
    return (c >= 'a' && c <= 'z') ? (unsigned char)(c - 32) : c;
}

/* Two bytes of text as one number, read with one load. */
static unsigned pair_key(const unsigned char *two)
{
    uint16_t v;
    memcpy(&v, two, sizeof v);
    return v;
}

/* r->re_anchored: the pattern of node pn compiled anchored, with JIT code
 * if jit (the JIT cannot anchor at match time). */
static bool compile_anchored(hm_config *cfg, hm_rule *r, const yaml_node_t *pn, bool ignorecase, bool unicode,
                             bool jit, const char *file, hm_error *err)
{
    r->re_anchored = hm_compile_opts(cfg, (const char *)pn->data.scalar.value,
                                     PCRE2_ANCHORED | (ignorecase ? PCRE2_CASELESS : 0), unicode, jit, file,
                                     (int)pn->start_mark.line + 1, (int)pn->start_mark.column + 1, r->id, err);
    return r->re_anchored != NULL;
}

static bool load_rule(hm_config *cfg, hm_yaml *y, yaml_node_t *node, hm_rule *r,
                      const char *file, hm_error *err)
{
    hm_yaml_field f[] = {
        {"id", true, NULL, NULL},        {"kind", true, NULL, NULL},
        {"type", false, NULL, NULL},     {"scope", false, NULL, NULL},
        {"message", true, NULL, NULL},   {"tag", false, NULL, NULL},
        {"pattern", false, NULL, NULL},  {"tokens", false, NULL, NULL},
        {"list", false, NULL, NULL},     {"ignorecase", false, NULL, NULL},
        {"swap", false, NULL, NULL},     {"min", false, NULL, NULL},
        {"max", false, NULL, NULL},      {"first", false, NULL, NULL},
        {"second", false, NULL, NULL},   {"extent", false, NULL, NULL},
        {"examples", false, NULL, NULL}, {"description", false, NULL, NULL},
        {"unicode", false, NULL, NULL},  {"requires", false, NULL, NULL},
        {"starts", false, NULL, NULL},
    };
    const size_t nf = sizeof f / sizeof *f;
    r->line = (int)node->start_mark.line + 1;
    r->column = (int)node->start_mark.column + 1;
    r->file = hm_xstrdup(file);
    r->min = r->max = -1;
    /* Read the id first so every later error can name the rule. */
    if (node->type == YAML_MAPPING_NODE) {
        for (yaml_node_pair_t *p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top; p++) {
            yaml_node_t *k = yaml_document_get_node(&y->doc, p->key);
            yaml_node_t *v = yaml_document_get_node(&y->doc, p->value);
            if (!r->id && k && v && k->type == YAML_SCALAR_NODE && v->type == YAML_SCALAR_NODE &&
                strcmp((const char *)k->data.scalar.value, "id") == 0)
                r->id = hm_xstrdup((const char *)v->data.scalar.value); /* a second id is refused below */
        }
    }
    if (!hm_yaml_fields(y, node, f, nf, r->id))
        return false;
    const char *s;
    if (!hm_yaml_string(y, hm_yaml_get(f, nf, "id"), "id", NULL, &s))
        return false; /* an id that is a list or a mapping */
    for (size_t i = 0; i < cfg->n_rules; i++)
        if (strcmp(cfg->rules[i].id, r->id) == 0)
            return hm_yaml_fail(y, hm_yaml_get(f, nf, "id"), r->id,
                                "duplicate rule id '%s' (first defined at line %d)", r->id,
                                cfg->rules[i].line);
    if (!hm_yaml_string(y, hm_yaml_get(f, nf, "kind"), "kind", r->id, &s))
        return false;
    int k = lookup(kind_names, HM_KIND_COUNT, s);
    if (k < 0)
        return hm_yaml_fail(y, hm_yaml_get(f, nf, "kind"), r->id,
                            "unknown kind '%s' (date, figure, person, event, quotation, judgement, "
                            "counterargument, causation, conclusion, structure, website)", s);
    r->kind = (hm_kind)k;
    if (!hm_yaml_string(y, hm_yaml_get(f, nf, "message"), "message", r->id, &s))
        return false;
    r->message = hm_xstrdup(s);
    yaml_node_t *v;
    if ((v = hm_yaml_get(f, nf, "tag"))) {
        if (!hm_yaml_string(y, v, "tag", r->id, &s))
            return false;
        r->tag = hm_xstrdup(s);
    }
    r->type = HM_RULE_EXISTENCE;
    if ((v = hm_yaml_get(f, nf, "type"))) {
        if (!hm_yaml_string(y, v, "type", r->id, &s))
            return false;
        int t = lookup(type_names, sizeof type_names / sizeof *type_names, s);
        if (t < 0)
            return hm_yaml_fail(y, v, r->id,
                                "unknown type '%s' (existence, substitution, occurrence, conditional, names)", s);
        r->type = (hm_rule_type)t;
    }
    r->scope = r->kind == HM_KIND_WEBSITE ? HM_SCOPE_TEXT : HM_SCOPE_PARAGRAPH;
    if ((v = hm_yaml_get(f, nf, "scope"))) {
        if (!hm_yaml_string(y, v, "scope", r->id, &s))
            return false;
        int sc = lookup(scope_names, sizeof scope_names / sizeof *scope_names, s);
        if (sc < 0)
            return hm_yaml_fail(y, v, r->id,
                                "unknown scope '%s' (essay, paragraph, sentence, introduction, "
                                "conclusion, quotation, question, text)", s);
        r->scope = (hm_scope)sc;
    }
    if ((v = hm_yaml_get(f, nf, "extent"))) {
        if (!hm_yaml_string(y, v, "extent", r->id, &s))
            return false;
        if (strcmp(s, "rest") == 0)
            r->rest_of_text = true;
        else if (strcmp(s, "paragraph") != 0)
            return hm_yaml_fail(y, v, r->id, "extent must be 'paragraph' or 'rest', found '%s'", s);
    }
    bool ignorecase = false, unicode = true;
    if ((v = hm_yaml_get(f, nf, "ignorecase")) && !hm_yaml_bool(y, v, "ignorecase", r->id, &ignorecase))
        return false;
    /* unicode: false drops Unicode properties for \b, \d, \s and \w (UTF-8
     * matching stays): patterns over digits and ASCII words then get a start
     * bitmap and skip most of the text, several times faster. */
    if ((v = hm_yaml_get(f, nf, "unicode")) && !hm_yaml_bool(y, v, "unicode", r->id, &unicode))
        return false;
    if ((v = hm_yaml_get(f, nf, "min")) && !hm_yaml_int(y, v, "min", r->id, &r->min))
        return false;
    if ((v = hm_yaml_get(f, nf, "max")) && !hm_yaml_int(y, v, "max", r->id, &r->max))
        return false;

    /* The pattern: exactly one of pattern, tokens, list, swap or first. */
    yaml_node_t *pattern = hm_yaml_get(f, nf, "pattern"), *tokens = hm_yaml_get(f, nf, "tokens"),
                *list = hm_yaml_get(f, nf, "list"), *swap = hm_yaml_get(f, nf, "swap"),
                *first = hm_yaml_get(f, nf, "first"), *second = hm_yaml_get(f, nf, "second");
    int given = !!pattern + !!tokens + !!list + !!swap + !!first;
    if (given != 1)
        return hm_yaml_fail(y, node, r->id,
                            "rule '%s' needs exactly one of pattern, tokens, list, swap or first", r->id);
    if ((r->type == HM_RULE_SUBSTITUTION) != !!swap)
        return hm_yaml_fail(y, node, r->id, "a substitution rule takes 'swap', and only it does");
    if ((r->type == HM_RULE_CONDITIONAL) != (first && second))
        return hm_yaml_fail(y, node, r->id, "a conditional rule takes 'first' and 'second', and only it does");
    if (r->type == HM_RULE_OCCURRENCE && r->min < 0 && r->max < 0)
        return hm_yaml_fail(y, node, r->id, "an occurrence rule needs 'min' or 'max'");

    char *source = NULL;
    int pline = r->line, pcol = r->column;
    if (pattern || first) {
        yaml_node_t *pn = pattern ? pattern : first;
        if (!hm_yaml_string(y, pn, pattern ? "pattern" : "first", r->id, &s))
            return false;
        source = hm_xstrdup(s);
        r->nonspace_runs = pattern && strcmp(s, "\\S+") == 0;
        pline = (int)pn->start_mark.line + 1;
        pcol = (int)pn->start_mark.column + 1;
    } else if (tokens) {
        char **items;
        size_t n;
        if (!hm_yaml_strings(y, tokens, "tokens", r->id, &items, &n))
            return false;
        if (n == 0) {
            free(items);
            return hm_yaml_fail(y, tokens, r->id, "'tokens' is empty");
        }
        source = alternation(items, n, false);
        r->phrases = items; /* kept for the phrase index */
        r->n_phrases = n;
        ignorecase = hm_yaml_get(f, nf, "ignorecase") ? ignorecase : true;
        pline = (int)tokens->start_mark.line + 1;
        pcol = (int)tokens->start_mark.column + 1;
    } else if (list) {
        if (!hm_yaml_string(y, list, "list", r->id, &s))
            return false;
        const hm_list *l = hm_lists_find(&cfg->lists, s);
        if (!l || l->n == 0)
            return hm_yaml_fail(y, list, r->id, "no word list named '%s' in the lists file", s);
        source = alternation(l->items, l->n, true);
        r->phrases = hm_xcalloc(l->n, sizeof *r->phrases);
        for (size_t i = 0; i < l->n; i++)
            r->phrases[i] = hm_xstrdup(l->items[i]);
        r->n_phrases = l->n;
        r->phrases_escaped = true;
    } else {
        if (swap->type != YAML_MAPPING_NODE)
            return hm_yaml_fail(y, swap, r->id, "'swap' maps wrong forms to right ones");
        size_t n = (size_t)(swap->data.mapping.pairs.top - swap->data.mapping.pairs.start);
        r->swap_from = hm_xcalloc(n, sizeof *r->swap_from);
        r->swap_to = hm_xcalloc(n, sizeof *r->swap_to);
        for (yaml_node_pair_t *p = swap->data.mapping.pairs.start; p < swap->data.mapping.pairs.top; p++) {
            const char *from, *to;
            if (!hm_yaml_string(y, yaml_document_get_node(&y->doc, p->key), "swap", r->id, &from) ||
                !hm_yaml_string(y, yaml_document_get_node(&y->doc, p->value), "swap", r->id, &to))
                return false;
            r->swap_from[r->n_swap] = hm_xstrdup(from);
            r->swap_to[r->n_swap++] = hm_xstrdup(to);
        }
        source = alternation(r->swap_from, r->n_swap, true);
        ignorecase = true;
    }
    /* A rule of literal phrases is usually served by the phrase index, a
     * rule with `starts` by its anchored pattern at the index's start
     * positions, person names by the index's walk in C (hm_names_find_all),
     * a \S+ count by hm_count_nonspace_runs: its pattern is JIT-compiled
     * only if the index cannot take it (hm_rules_jit). */
    bool phrases = r->n_phrases || r->n_swap;
    bool served_by_index = phrases || hm_yaml_get(f, nf, "starts") || strcmp(source, hm_person_name_pattern) == 0 ||
                           r->nonspace_runs;
    r->re = hm_compile_opts(cfg, source, ignorecase ? PCRE2_CASELESS : 0, unicode, !served_by_index, file, pline,
                            pcol, r->id, err);
    r->filter.source = source; /* dropped below when not wanted */
    if (!r->re)
        return false;
    uint32_t argopts = 0;
    if (pattern && pcre2_pattern_info(r->re, PCRE2_INFO_ARGOPTIONS, &argopts) == 0 &&
        argopts == (PCRE2_UTF | PCRE2_UCP) && hm_yaml_string(y, pattern, "pattern", r->id, &s) &&
        strcmp(s, hm_person_name_pattern) == 0)
        r->person_names = true;
    if (second) {
        if (!hm_yaml_string(y, second, "second", r->id, &s))
            return false;
        r->re_second = hm_compile(cfg, s, ignorecase ? PCRE2_CASELESS : 0, file,
                                  (int)second->start_mark.line + 1, (int)second->start_mark.column + 1,
                                  r->id, err);
        if (!r->re_second)
            return false;
        if (searched_byte_by_byte(r->re_second))
            r->second_filter.source = hm_xstrdup(s);
    }
    /* requires: a unit with none of these strings cannot match, and is skipped */
    if ((v = hm_yaml_get(f, nf, "requires"))) {
        if (!hm_yaml_strings(y, v, "requires", r->id, &r->requires, &r->n_requires))
            return false;
        for (size_t i = 0; i < r->n_requires; i++)
            if (!r->requires[i][0])
                return hm_yaml_fail(y, v, r->id, "'requires' holds an empty string");
        r->requires_slack = requires_slack(r->re, source);
    }
    /* starts: every match begins at one of these, so only those positions are tried */
    if ((v = hm_yaml_get(f, nf, "starts"))) {
        if (!pattern && !first)
            return hm_yaml_fail(y, v, r->id, "'starts' goes with 'pattern' or 'first'");
        if (!hm_yaml_strings(y, v, "starts", r->id, &r->starts, &r->n_starts))
            return false;
        const char *why = starts_unusable(r->re, pattern ? pattern : first);
        if (why)
            return hm_yaml_fail(y, v, r->id, "'starts' cannot be used with this pattern: %s", why);
        for (size_t i = 0; i < r->n_starts; i++)
            if (!r->starts[i][0])
                return hm_yaml_fail(y, v, r->id, "'starts' holds an empty string");
        if (!compile_anchored(cfg, r, pattern ? pattern : first, ignorecase, unicode, true, file, err))
            return false;
    }
    if (!r->re_anchored && !searched_byte_by_byte(r->re)) {
        free(r->filter.source); /* PCRE2 searches well enough without it */
        r->filter.source = NULL;
    } else if (!r->re_anchored && (pattern || first) && !phrases &&
               !starts_unusable(r->re, pattern ? pattern : first)) {
        /* searched from where its filter lets a match begin, by anchored
         * tries (find_all_upto) */
        if (!compile_anchored(cfg, r, pattern ? pattern : first, ignorecase, unicode,
                              !r->person_names && !r->nonspace_runs, file, err))
            return false;
    }
    if ((v = hm_yaml_get(f, nf, "examples"))) {
        hm_yaml_field ex[] = {{"match", false, NULL, NULL}, {"no-match", false, NULL, NULL}};
        if (!hm_yaml_fields(y, v, ex, 2, r->id))
            return false;
        if (ex[0].value && !hm_yaml_strings(y, ex[0].value, "match", r->id, &r->must_match, &r->n_must_match))
            return false;
        if (ex[1].value &&
            !hm_yaml_strings(y, ex[1].value, "no-match", r->id, &r->must_not_match, &r->n_must_not_match))
            return false;
    }
    return true;
}

bool hm_rules_load(hm_config *cfg, const char *data, size_t len, const char *file, hm_error *err)
{
    hm_yaml y;
    bool ok = false;
    if (!hm_yaml_load(&y, data, len, file, err))
        goto out;
    hm_yaml_field top[] = {{"rules", true, NULL, NULL}, {"limits", false, NULL, NULL}};
    if (!hm_yaml_fields(&y, hm_yaml_root(&y), top, 2, NULL))
        goto out;
    if (top[1].value) {
        hm_yaml_field lim[] = {{"match", false, NULL, NULL}, {"depth", false, NULL, NULL}};
        int v;
        if (!hm_yaml_fields(&y, top[1].value, lim, 2, NULL))
            goto out;
        if (lim[0].value) {
            if (!hm_yaml_int(&y, lim[0].value, "match", NULL, &v) || v < 1)
                goto out;
            pcre2_set_match_limit(cfg->mctx, (uint32_t)v);
        }
        if (lim[1].value) {
            if (!hm_yaml_int(&y, lim[1].value, "depth", NULL, &v) || v < 1)
                goto out;
            pcre2_set_depth_limit(cfg->mctx, (uint32_t)v);
        }
    }
    yaml_node_t *seq = top[0].value;
    if (seq->type != YAML_SEQUENCE_NODE) {
        hm_yaml_fail(&y, seq, NULL, "'rules' must be a list of rules");
        goto out;
    }
    size_t n = hm_yaml_seq_len(seq);
    cfg->rules = hm_xrealloc(cfg->rules, (cfg->n_rules + n) * sizeof *cfg->rules);
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *item = hm_yaml_seq_item(&y, seq, i);
        if (!item)
            goto out;
        hm_rule *r = &cfg->rules[cfg->n_rules];
        memset(r, 0, sizeof *r);
        if (!load_rule(cfg, &y, item, r, file, err)) {
            hm_rule_free(r);
            goto out;
        }
        uint32_t caps = 0;
        pcre2_pattern_info(r->re, PCRE2_INFO_CAPTURECOUNT, &caps);
        if (caps + 1 > cfg->max_match_data_pairs)
            cfg->max_match_data_pairs = caps + 1;
        cfg->n_rules++;
    }
    ok = true;
out:
    hm_yaml_free(&y);
    return ok;
}

static void jit_compile_if_none(pcre2_code *re)
{
    size_t jit_size = 0;
    if (re && !(pcre2_pattern_info(re, PCRE2_INFO_JITSIZE, &jit_size) == 0 && jit_size))
        (void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
}

void hm_rules_jit(hm_config *cfg)
{
    if (!hm_jit_wanted(cfg))
        return;
    for (size_t i = 0; i < cfg->n_rules; i++) {
        hm_rule *r = &cfg->rules[i];
        if (hm_phrase_set_of_rule(cfg, r) >= 0 || hm_starts_bit(cfg, r) >= 0 ||
            ((r->person_names || r->nonspace_runs) && cfg->index))
            continue;
        jit_compile_if_none(r->re);
        jit_compile_if_none(r->re_anchored); /* person names' and \S+'s were loaded without */
    }
}

/* ---- running ---- */

/* A match that gave up on a resource limit is said (the first few times),
 * naming the rule, so that a teacher can see which pattern backtracks. */
static void limit_warning(hm_scan *scan, int rc, const char *rule_id)
{
    if (rc != PCRE2_ERROR_MATCHLIMIT && rc != PCRE2_ERROR_DEPTHLIMIT && rc != PCRE2_ERROR_HEAPLIMIT &&
        rc != PCRE2_ERROR_JIT_STACKLIMIT)
        return;
    if (scan->limit_hits++ < 5)
        hm_scan_warn(scan, "rule-limit",
                     "rule '%s' gave up on this text after reaching its match limit; "
                     "its pattern backtracks too much", rule_id ? rule_id : "?");
}

/* pcre2_match, by way of the pattern's JIT code where it has some. With
 * JIT code pcre2_match checks its arguments and calls pcre2_jit_match, and
 * these calls need none of the checks (the offset is within the subject, no
 * UTF check is asked for), so calling it directly saves some 140
 * instructions a call: most of the few hundred calls an essay fail at once. The
 * JIT code ignores PCRE2_ANCHORED given at match time (only a pattern
 * compiled anchored is), so such calls go through pcre2_match, as do
 * patterns without JIT code (pcre2_jit_match returns
 * PCRE2_ERROR_JIT_BADOPTION for them, and for every pattern when JIT is
 * off or not built). bench/rule_profile.c wraps both calls. */
static int match_jit_first(const pcre2_code *re, PCRE2_SPTR subject, size_t length, size_t offset,
                           uint32_t options, pcre2_match_data *md, pcre2_match_context *mctx)
{
    if (!(options & PCRE2_ANCHORED)) {
        int rc = pcre2_jit_match(re, subject, length, offset, options, md, mctx);
        if (rc != PCRE2_ERROR_JIT_BADOPTION)
            return rc;
    }
    return pcre2_match(re, subject, length, offset, options, md, mctx);
}

/* Units longer than this are searched by anchored tries where the filter
 * lets a match begin (find_all_upto); a paragraph is seldom this long. */
#define ANCHORED_TRIES_UNIT 2048

/* hm_find_all for matches that start at or before last_start (none can
 * start later, by the rule's `requires`): no call is made past it. With
 * the pattern's filter, each search starts where a match may begin: for a
 * pattern that PCRE2 tries at every character, the filter rules most of
 * them out in a table step or two. anchored_re, when not NULL, is re
 * compiled anchored (JIT code of its own). */
static bool find_all_upto(hm_scan *scan, const pcre2_code *re, const pcre2_code *anchored_re,
                          const hm_start_filter *filter, size_t from, size_t to, size_t last_start, hm_match_fn fn,
                          void *ud, const char *rule_id)
{
    const PCRE2_SPTR subject = (PCRE2_SPTR)scan->text;
    size_t offset = from;
    uint32_t options = 0, min_length = 0;
    /* In a long unit (the text), a search from the first place the filter
     * lets through runs over the rest of it, trying at every byte PCRE2's
     * start bitmap has (website-boilerplate's capitals); a try anchored at
     * each place the filter lets through costs an interpreted match each,
     * and there are few. (In a paragraph the search is short, and the
     * tries at quotation's quote marks cost more than it.) A pattern with a
     * filter has no \G, \K or verb (startfilter.c), so where it cannot
     * match empty text, the tries find what the search finds. With JIT
     * code compiled anchored, a try costs less than the search over the
     * rest of any unit (which after an apostrophe that opens no quotation
     * runs byte by byte to the paragraph's end). */
    bool anchored_tries = filter && (anchored_re || to - from > ANCHORED_TRIES_UNIT) &&
                          pcre2_pattern_info(re, PCRE2_INFO_MINLENGTH, &min_length) == 0 && min_length > 0;
    while (offset <= to && offset <= last_start) {
        if (filter && !options) {
            offset = hm_start_filter_next(scan->text, filter, offset, to, last_start);
            if (offset == SIZE_MAX)
                break;
        }
        bool anchored_try = anchored_tries && !options;
        int rc = anchored_try && anchored_re
                     ? match_jit_first(anchored_re, subject, to, offset, PCRE2_NO_UTF_CHECK, scan->md, scan->cfg->mctx)
                     : match_jit_first(re, subject, to, offset,
                                       options | PCRE2_NO_UTF_CHECK | (anchored_try ? PCRE2_ANCHORED : 0), scan->md,
                                       scan->cfg->mctx);
        if (rc == PCRE2_ERROR_NOMATCH) {
            if (!options && !anchored_try)
                break;
            /* An empty match could not be extended, or the anchored try
             * failed: step one character. */
            offset++;
            while (offset < to && ((unsigned char)scan->text[offset] & 0xC0) == 0x80)
                offset++;
            options = 0;
            continue;
        }
        if (rc < 0) {
            limit_warning(scan, rc, rule_id);
            return false;
        }
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(scan->md);
        size_t s = ov[0], e = ov[1];
        if (s > e) /* \K in a lookbehind: ignore the match */
            e = s;
        if (e > s && !fn(scan, s, e, ud))
            return true;
        if (ov[1] < offset)
            break; /* \K moved the match back: stop rather than loop */
        options = (s == e) ? (PCRE2_NOTEMPTY_ATSTART | PCRE2_ANCHORED) : 0;
        offset = ov[1];
    }
    return true;
}

bool hm_find_all(hm_scan *scan, const pcre2_code *re, size_t from, size_t to, hm_match_fn fn,
                 void *ud, const char *rule_id)
{
    return find_all_upto(scan, re, NULL, NULL, from, to, SIZE_MAX, fn, ud, rule_id);
}

static bool add_match(hm_scan *scan, size_t s, size_t e, void *ud)
{
    hm_scan_add(scan, ud, s, e);
    return true;
}

static bool add_swap(hm_scan *scan, size_t s, size_t e, void *ud)
{
    const hm_rule *r = ud;
    hm_finding *f = hm_scan_add(scan, r, s, e);
    for (size_t i = 0; f && i < r->n_swap; i++)
        if (strlen(r->swap_from[i]) == e - s && strncasecmp(r->swap_from[i], scan->text + s, e - s) == 0)
            f->suggestion = r->swap_to[i];
    return true;
}

typedef struct counter {
    size_t count, first_start, first_end;
} counter;

static bool count_match(hm_scan *scan, size_t s, size_t e, void *ud)
{
    (void)scan;
    counter *c = ud;
    if (c->count++ == 0) {
        c->first_start = s;
        c->first_end = e;
    }
    return true;
}

static bool any_match(hm_scan *scan, size_t s, size_t e, void *ud)
{
    (void)scan;
    (void)s;
    (void)e;
    *(bool *)ud = true;
    return false;
}

/* hm_find_all for a rule with `starts`: an anchored match at each position
 * where a match may begin, in text order, resuming after each match. The
 * leftmost match is the first candidate's that succeeds, and at one start
 * an anchored match is what the unanchored search finds there, so the
 * matches are the same (starts_unusable keeps out the patterns for which
 * they would not be). */
static bool find_all_from_starts(hm_scan *scan, const hm_rule *r, int bit, size_t from, size_t to,
                                 size_t last_start, hm_match_fn fn, void *ud)
{
    size_t n;
    const hm_start *pos = hm_starts_find(scan, &n);
    if (!pos)
        return find_all_upto(scan, r->re, NULL, NULL, from, to, last_start, fn, ud, r->id);
    const pcre2_code *re = r->re_anchored;
    const hm_start_filter *filter = unit_filter(&r->filter, r->re, from, to);
    const PCRE2_SPTR t = (PCRE2_SPTR)scan->text;
    const uint64_t m = (uint64_t)1 << bit;
    /* the first start at or after `from`, as first_at_or_after finds it */
    const hm_start *base = pos;
    for (size_t left = n; left > 1; left -= left / 2)
        base = base[left / 2].pos < from ? base + left / 2 : base;
    size_t lo = (size_t)(base - pos) + (n && base->pos < from);
    size_t i = from, end = last_start < to ? last_start + 1 : to; /* a match starts before end */
    for (size_t k = lo; k < n && pos[k].pos < end; k++) {
        if (!(pos[k].rules & m) || pos[k].pos < i)
            continue;
        i = pos[k].pos;
        if (!hm_start_filter_passes(filter, scan->text, i, to))
            continue;
        int rc = match_jit_first(re, t, to, i, PCRE2_NO_UTF_CHECK, scan->md, scan->cfg->mctx);
        if (rc == PCRE2_ERROR_NOMATCH)
            continue;
        if (rc < 0) {
            limit_warning(scan, rc, r->id);
            return false;
        }
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(scan->md);
        size_t s = ov[0], e = ov[1];
        if (e <= s) /* cannot happen: the pattern cannot match empty text */
            continue;
        if (!fn(scan, s, e, ud))
            return true;
        i = e;
    }
    return true;
}

/* What running a rule over a unit asks of the rule and the configuration,
 * the same for all units and texts: found once a rule by plan_rule, when
 * the requires index is made (run_rule asks it when there is none). */
typedef struct rule_plan {
    const hm_rule *rule;
    const uint16_t *req_ids; /* its `requires` strings in the requires index, or NULL */
    int phrase_set;          /* hm_phrase_set_of_rule, or -1 */
    int start_bit;           /* hm_starts_bit, or -1 */
    bool want_last;          /* bound its pattern's calls by `requires` (run_unit) */
    bool count_runs;         /* a \S+ occurrence rule counted without its pattern */
    bool runs_ucp;           /* ... with white space as PCRE2_UCP sees it */
} rule_plan;

/* The matches of a rule's pattern (or of a conditional rule's first) in
 * [from, to), none of which starts after last_start. The fast path stands
 * in for the pattern only while the config's derived index exists, so that
 * tests can compare the two by dropping the index. */
static bool pattern_find_all(hm_scan *scan, const rule_plan *plan, size_t from, size_t to, size_t last_start,
                             hm_match_fn fn, void *ud)
{
    const hm_rule *r = plan->rule;
    if (plan->start_bit >= 0)
        return find_all_from_starts(scan, r, plan->start_bit, from, to, last_start, fn, ud);
    return find_all_upto(scan, r->re, r->re_anchored, unit_filter(&r->filter, r->re, from, to), from, to, last_start,
                         fn, ud, r->id);
}

/* The rule's matches in [from, to): from the phrase index when the rule's
 * phrases are there, else from its pattern. */
static bool rule_find_all(hm_scan *scan, const rule_plan *plan, size_t from, size_t to, size_t last_start,
                          hm_match_fn fn, void *ud)
{
    if (plan->phrase_set >= 0 && hm_phrase_find_all(scan, plan->phrase_set, from, to, fn, ud))
        return true;
    return pattern_find_all(scan, plan, from, to, last_start, fn, ud);
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Where the last occurrence of s in t[from, to) starts, ASCII case ignored
 * (or, for digits, the last ASCII digit): searched from the end. */
static bool has_fold(const char *t, size_t from, size_t to, const char *s, bool digits, size_t *last)
{
    size_t n = digits ? 1 : strlen(s);
    unsigned char c0 = (unsigned char)s[0], c1 = c0;
    if (c0 >= 'a' && c0 <= 'z')
        c1 = (unsigned char)(c0 - 32);
    else if (c0 >= 'A' && c0 <= 'Z')
        c1 = (unsigned char)(c0 + 32);
    for (size_t i = to >= n ? to - n + 1 : 0; i-- > from;) {
        bool hit = digits ? is_digit(t[i])
                          : ((unsigned char)t[i] == c0 || (unsigned char)t[i] == c1) && strncasecmp(t + i, s, n) == 0;
        if (hit) {
            *last = i;
            return true;
        }
    }
    return false;
}

static void occ_push(hm_scan *scan, size_t pos)
{
    HM_GROW(scan->occ_pos, scan->n_occ_pos, scan->cap_occ_pos);
    scan->occ_pos[scan->n_occ_pos++] = (uint32_t)pos;
}

#if defined(__SSE2__)
static bool is_lower(unsigned char c)
{
    return c >= 'a' && c <= 'z';
}
#endif

/* base + b for each set bit b of mask's low `width` bits (16 or 32; none
 * above them), into out; how many. The first four go without a branch a
 * bit, as how many a block has is a coin toss: the four bits just above
 * `width` stand in for those there are not, written past the count but
 * within the `width` places out must have, and not counted. */
static inline __attribute__((always_inline)) size_t bit_positions(uint32_t *out, uint64_t mask, unsigned width,
                                                                   size_t base)
{
    uint64_t low = ((uint64_t)1 << width) - 1;
    size_t k = 0;
    mask |= (uint64_t)0xF << width;
    for (int j = 0; j < 4; j++) {
        out[k] = (uint32_t)(base + (size_t)__builtin_ctzll(mask));
        k += (mask & low) != 0;
        mask &= mask - 1;
    }
    for (; mask & low; mask &= mask - 1)
        out[k++] = (uint32_t)(base + (size_t)__builtin_ctzll(mask));
    return k;
}

/* Appends to occ_pos where the folded needle occurs in the text, ASCII case
 * ignored, or where an ASCII digit is (digits). Sixteen bytes at a time
 * where SSE2 is there: a byte b matches a folded letter c when (b | 0x20)
 * == c, and any other byte only itself. */
static void find_occurrences(hm_scan *scan, const char *needle, size_t n, bool digits)
{
    const unsigned char *t = (const unsigned char *)scan->text, *s = (const unsigned char *)needle;
    size_t len = scan->len, i = 0;
    if (len < n)
        return;
    size_t last = len - n; /* the last position a match can start at */
#if defined(__SSE2__)
    const __m128i v0 = _mm_set1_epi8((char)(digits ? '0' : s[0])), v1 = _mm_set1_epi8((char)(n > 1 ? s[1] : 0));
    const __m128i f0 = _mm_set1_epi8((char)(!digits && is_lower(s[0]) ? 0x20 : 0));
    const __m128i f1 = _mm_set1_epi8((char)(n > 1 && is_lower(s[1]) ? 0x20 : 0));
    const __m128i nine = _mm_set1_epi8(9);
    /* 16 candidate starts at a time, each with its n bytes in the text;
     * a loop for each kind of needle, so that each stays short */
    if (digits) {
        for (; i + 16 <= len; i += 16) {
            __m128i d = _mm_sub_epi8(_mm_loadu_si128((const __m128i *)(const void *)(t + i)), v0);
            unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(d, nine), d));
            if (!m)
                continue;
            /* A block's first four digits (a year's) go without a branch a
             * digit; room for its 16 holds the four written past a count
             * of fewer. */
            while (scan->cap_occ_pos - scan->n_occ_pos < 16)
                HM_GROW(scan->occ_pos, scan->n_occ_pos + 16, scan->cap_occ_pos);
            scan->n_occ_pos += bit_positions(scan->occ_pos + scan->n_occ_pos, m, 16, i);
        }
    } else if (n == 1) {
        for (; i + 16 <= len; i += 16) {
            __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(t + i));
            for (unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_or_si128(a, f0), v0)); m; m &= m - 1)
                occ_push(scan, i + (size_t)__builtin_ctz(m));
        }
    } else {
        for (; i + 15 + n <= len; i += 16) {
            __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(t + i));
            __m128i c = _mm_loadu_si128((const __m128i *)(const void *)(t + i + 1));
            unsigned m = (unsigned)_mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(_mm_or_si128(a, f0), v0),
                                                                   _mm_cmpeq_epi8(_mm_or_si128(c, f1), v1)));
            for (; m; m &= m - 1) {
                size_t p = i + (size_t)__builtin_ctz(m), k = 2;
                while (k < n && fold_ascii(t[p + k]) == s[k])
                    k++;
                if (k == n)
                    occ_push(scan, p);
            }
        }
    }
#endif
    for (; i <= last; i++) {
        if (digits) {
            if (is_digit((char)t[i]))
                occ_push(scan, i);
            continue;
        }
        size_t k = 0;
        while (k < n && fold_ascii(t[i + k]) == s[k])
            k++;
        if (k == n)
            occ_push(scan, i);
    }
}

/* The first of n ascending positions at or after `from` (n when none). The
 * halving's steps are conditional moves, not branches: which half holds it
 * is a coin toss. */
static size_t first_at_or_after(const uint32_t *pos, size_t n, size_t from)
{
    if (n == 0)
        return 0;
    const uint32_t *base = pos;
    for (; n > 1; n -= n / 2)
        base = base[n / 2] < from ? base + n / 2 : base;
    return (size_t)(base - pos) + (*base < from);
}

/* The last of n ascending positions of a string of len bytes in [from,
 * to - len], that is the last occurrence within [from, to); false when none. */
static inline __attribute__((always_inline)) bool last_within(const uint32_t *pos, size_t n, size_t len, size_t from,
                                                            size_t to, size_t *last)
{
    if (len > to)
        return false;
    size_t k = first_at_or_after(pos, n, to - len + 1);
    if (k == 0 || pos[k - 1] < from)
        return false;
    *last = pos[k - 1];
    return true;
}

/* The string's occurrences in the whole text (ASCII case ignored; '\d':
 * the ASCII digits), found once: n ascending positions of a string of len
 * bytes. False when has_fold must search instead. */
static bool occurrences_of(hm_scan *scan, const char *s, const uint32_t **pos, size_t *n_pos, size_t *len)
{
    static const char digit_key[] = "\\d"; /* one list for every rule's '\d' */
    char needle[64];
    bool digits = strcmp(s, "\\d") == 0;
    size_t n = digits ? 1 : strlen(s);
    if (digits)
        s = digit_key;
    if (n >= sizeof needle || scan->len > UINT32_MAX || !scan->cfg->index) /* no index: as tests compare */
        return false;
    struct hm_occurrences *o = NULL;
    size_t slot = ((uintptr_t)s >> 4) & 63;
    if (scan->occ_slot[slot] && scan->occ[scan->occ_slot[slot] - 1].key == s)
        o = &scan->occ[scan->occ_slot[slot] - 1];
    for (size_t i = 0; i < scan->n_occ && !o; i++)
        if (scan->occ[i].key == s)
            o = &scan->occ[i];
    if (!o) {
        for (size_t i = 0; i <= n; i++)
            needle[i] = (char)fold_ascii((unsigned char)s[i]);
        if (!scan->cap_occ_pos) {
            scan->cap_occ_pos = scan->len / 16 + 64;
            scan->occ_pos = hm_xmalloc(scan->cap_occ_pos * sizeof *scan->occ_pos);
        }
        size_t first = scan->n_occ_pos;
        find_occurrences(scan, needle, n, digits);
        HM_GROW(scan->occ, scan->n_occ, scan->cap_occ);
        o = &scan->occ[scan->n_occ++];
        *o = (struct hm_occurrences){s, first, scan->n_occ_pos - first};
    }
    if ((size_t)(o - scan->occ) < 255)
        scan->occ_slot[slot] = (uint8_t)(o - scan->occ + 1);
    *pos = scan->occ_pos + o->first;
    *n_pos = o->n;
    *len = n;
    return true;
}

/* has_fold from the string's occurrences in the whole text, found once;
 * *last is where the last in [from, to) starts. */
static bool has_fold_fast(hm_scan *scan, size_t from, size_t to, const char *s, size_t *last)
{
    const uint32_t *pos;
    size_t n, len;
    if (!occurrences_of(scan, s, &pos, &n, &len))
        return has_fold(scan->text, from, to, s, strcmp(s, "\\d") == 0, last);
    return last_within(pos, n, len, from, to, last);
}

/* ---- requires: every rule's strings found in one pass ---- */

#define REQ_NONE UINT16_MAX /* a string asked about by has_fold_fast */
#define REQ_BUCKETS 1024

/* The bucket of a string that opens with folded bytes a, b. */
static unsigned req_bucket(unsigned char a, unsigned char b)
{
    return (((uint32_t)a << 8 | b) * 0x9E3779B1u) >> 22;
}

/* What the index derives from its strings: the same for the same strings,
 * so the built-in configuration's come made at build time
 * (hm_builtin_requires_image). */
typedef struct req_tables {
    /* a bit per byte pair (as the text has it, by pair_key) that folds to
     * the start of a string: every pair for a 1-byte string */
    uint64_t pair[1024];
    /* the 2+ byte strings by their folded first two bytes' bucket
     * (req_bucket): order[first[b], first[b] + count[b]). A bucket holds
     * about one string, where a first byte alone held dozens to compare. */
    uint16_t first[REQ_BUCKETS], count[REQ_BUCKETS];
    int32_t single[256]; /* the 1-byte string of each folded byte, or -1 */
    /* a bit (req_triple) per folded first three bytes of a 3+ byte string,
     * and per third byte after a 2-byte one: most pairs that pass the pair
     * test ("es", "on", "st" ...) go on with a byte that starts no string */
    uint64_t triple[64];
    /* The strings in 8 buckets; nib_lo[k][x] has bucket b's bit when some
     * string of b has a byte with low nibble x at offset k (either case;
     * any byte past its end), nib_hi[k] the same for high nibbles. A
     * position where the three bytes' nibbles leave a bucket set may start
     * a string: 16 positions at a time with SSSE3's byte shuffle (about 3
     * instructions a byte, where the pair test above takes 10). */
    uint8_t nib_lo[3][16], nib_hi[3][16];
} req_tables;

struct hm_requires_index {
    char *store;    /* the folded strings, each once and NUL-ended, back to back */
    char **strings; /* each string's place in store */
    uint8_t *len;
    size_t n;
    /* per rule: its strings' ids are ids[rule_first[r], rule_first[r + 1]),
     * REQ_NONE for '\d' and strings of 64 bytes or more */
    uint32_t *rule_first;
    uint16_t *ids;
    uint16_t *order; /* see tab.first */
    req_tables tab;
    /* [id]: the string's first 16 bytes, NULs after a shorter one, which
     * requires_at compares with the text's 16 folded bytes at once */
    uint8_t (*head)[16];
    bool shuffle;      /* the CPU has SSSE3 */
    bool wide_shuffle; /* ... and AVX2: 32 positions at a time */
    /* per rule: its plan, and the phase it runs in (apart, so that a phase
     * skips the others' rules reading one line, not each rule) */
    rule_plan *plans;
    uint8_t *phases;
};

static rule_plan plan_rule(const hm_config *cfg, const hm_requires_index *ri, const hm_rule *r);
static hm_phase rule_phase(const hm_rule *r);

static unsigned req_triple(unsigned char a, unsigned char b, unsigned char c)
{
    return (((uint32_t)a << 16 | (uint32_t)b << 8 | c) * 0x9E3779B1u) >> 20;
}

static void set_triple(uint64_t *bits, unsigned char a, unsigned char b, unsigned char c)
{
    unsigned k = req_triple(a, b, c);
    bits[k >> 6] |= (uint64_t)1 << (k & 63);
}

static void set_pair(uint64_t *bits, unsigned char a, unsigned char b)
{
    unsigned p = pair_key((const unsigned char[]){a, b});
    bits[p >> 6] |= (uint64_t)1 << (p & 63);
}

/* The nibbles (as bit sets) that string s of n bytes has at offset k,
 * either case; every nibble past its end. */
static void string_nibbles(const unsigned char *s, size_t n, unsigned k, uint16_t *lo, uint16_t *hi)
{
    if (k >= n) {
        *lo = *hi = 0xFFFF;
        return;
    }
    unsigned char a = s[k], b = unfold_ascii(s[k]);
    *lo = (uint16_t)(1u << (a & 15) | 1u << (b & 15));
    *hi = (uint16_t)(1u << (a >> 4) | 1u << (b >> 4));
}

/* How often a byte turns up in an essay, roughly: a small letter by its
 * share of English letters (per mille), the space about a fifth of the
 * text, capitals, digits and other bytes seldom. The buckets below are
 * weighed by it. */
static unsigned byte_weight(unsigned b)
{
    static const uint8_t letters[26] = {82, 15, 28, 43, 127, 22, 20, 61, 70, 2,  8,  40, 24,
                                        67, 75, 19, 1,  60, 63,  91, 28, 10, 24, 2,  20, 1};
    if (b >= 'a' && b <= 'z')
        return letters[b - 'a'];
    if (b == ' ')
        return 225;
    if (b == ',' || b == '.')
        return 12;
    return (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') ? 2 : 1;
}

/* A bucket's nibbles (bit sets) at offsets 0 to 2 of its strings. */
typedef struct nibble_set {
    uint16_t lo[3], hi[3];
} nibble_set;

/* byte_weight summed over the bytes of a low-nibble set, for the high
 * nibbles 2 to 7 (where letters, digits and punctuation are; every other
 * byte weighs 1): by the set's low and high eight bits. */
typedef struct nibble_weights {
    uint16_t row[6][2][256];
    uint64_t all; /* every byte's */
} nibble_weights;

static void nibble_weights_make(nibble_weights *w)
{
    w->all = 0;
    for (unsigned c = 0; c < 256; c++)
        w->all += byte_weight(c);
    for (unsigned h = 0; h < 6; h++)
        for (unsigned half = 0; half < 2; half++) {
            w->row[h][half][0] = 0;
            for (unsigned m = 1; m < 256; m++)
                w->row[h][half][m] = (uint16_t)(w->row[h][half][m & (m - 1)] +
                                                byte_weight((h + 2) << 4 | (half * 8 + (unsigned)__builtin_ctz(m))));
        }
}

/* The weight of the bytes whose low nibble is in lo and high one in hi. */
static uint64_t nibbles_weight(const nibble_weights *w, uint16_t lo, uint16_t hi)
{
    if (lo == 0xFFFF && hi == 0xFFFF)
        return w->all;
    uint64_t sum = 0;
    for (unsigned m = hi; m; m &= m - 1) {
        unsigned h = (unsigned)__builtin_ctz(m);
        sum += h >= 2 && h <= 7 ? (uint64_t)w->row[h - 2][0][lo & 255] + w->row[h - 2][1][lo >> 8]
                                : (uint64_t)__builtin_popcount(lo);
    }
    return sum;
}

/* How many positions of a text the bucket passes, in weight: the three
 * offsets taken as independent. */
static uint64_t bucket_passes(const nibble_weights *w, const nibble_set *b)
{
    uint64_t p = 1;
    for (unsigned k = 0; k < 3; k++)
        p *= nibbles_weight(w, b->lo[k], b->hi[k]);
    return p;
}

static nibble_set nibbles_union(const nibble_set *a, const nibble_set *b)
{
    nibble_set u;
    for (unsigned k = 0; k < 3; k++) {
        u.lo[k] = a->lo[k] | b->lo[k];
        u.hi[k] = a->hi[k] | b->hi[k];
    }
    return u;
}

#define NIBBLE_BUCKETS 8
#define NIBBLE_SEEDS 64 /* strings past these join the seed they widen least */

/* Puts the strings in NIBBLE_BUCKETS buckets (a bucket passes the products
 * of its strings' nibble sets, so strings alike share one), and fills the
 * nibble tables. The strings of each first byte start as one seed; the two
 * seeds whose union adds least are put together until 8 are left. */
static void make_nibble_tables(hm_requires_index *ri)
{
    nibble_weights w;
    nibble_weights_make(&w);
    nibble_set seeds[NIBBLE_SEEDS];
    uint64_t passes[NIBBLE_SEEDS];
    size_t seed_first[NIBBLE_SEEDS]; /* the string that started each seed */
    size_t n = 0;
    for (size_t id = 0; id < ri->n; id++) {
        nibble_set s;
        for (unsigned k = 0; k < 3; k++)
            string_nibbles((const unsigned char *)ri->strings[id], ri->len[id], k, &s.lo[k], &s.hi[k]);
        size_t best = n;
        for (size_t j = 0; j < n && best == n; j++)
            if (ri->strings[seed_first[j]][0] == ri->strings[id][0])
                best = j; /* a first byte's strings start as one seed */
        if (best < n) {
            s = nibbles_union(&seeds[best], &s);
        } else if (n == NIBBLE_SEEDS) {
            int64_t best_cost = INT64_MAX;
            for (size_t j = 0; j < n; j++) {
                nibble_set u = nibbles_union(&seeds[j], &s);
                int64_t c = (int64_t)(bucket_passes(&w, &u) - passes[j]);
                if (c < best_cost) {
                    best_cost = c;
                    best = j;
                }
            }
            s = nibbles_union(&seeds[best], &s);
        } else {
            seed_first[n++] = id;
        }
        seeds[best] = s;
        passes[best] = bucket_passes(&w, &s);
    }
    /* what putting seeds i and j together adds to the positions passed */
    int64_t cost[NIBBLE_SEEDS][NIBBLE_SEEDS]; /* symmetric */
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++) {
            nibble_set u = nibbles_union(&seeds[i], &seeds[j]);
            cost[i][j] = cost[j][i] = (int64_t)(bucket_passes(&w, &u) - passes[i] - passes[j]);
        }
    for (; n > NIBBLE_BUCKETS; n--) {
        size_t bi = 0, bj = 1;
        for (size_t i = 0; i < n; i++)
            for (size_t j = i + 1; j < n; j++)
                if (cost[i][j] < cost[bi][bj]) {
                    bi = i;
                    bj = j;
                }
        /* bj joins bi (bi < bj), and the last seed takes bj's place */
        seeds[bi] = nibbles_union(&seeds[bi], &seeds[bj]);
        passes[bi] = bucket_passes(&w, &seeds[bi]);
        seeds[bj] = seeds[n - 1];
        passes[bj] = passes[n - 1];
        for (size_t i = 0; i < n - 1; i++)
            cost[i][bj] = cost[bj][i] = cost[i][n - 1];
        for (size_t i = 0; i < n - 1; i++)
            if (i != bi) {
                nibble_set u = nibbles_union(&seeds[i], &seeds[bi]);
                cost[i][bi] = cost[bi][i] = (int64_t)(bucket_passes(&w, &u) - passes[i] - passes[bi]);
            }
    }
    for (size_t b = 0; b < n; b++)
        for (unsigned k = 0; k < 3; k++)
            for (unsigned x = 0; x < 16; x++) {
                if (seeds[b].lo[k] >> x & 1)
                    ri->tab.nib_lo[k][x] |= (uint8_t)(1u << b);
                if (seeds[b].hi[k] >> x & 1)
                    ri->tab.nib_hi[k][x] |= (uint8_t)(1u << b);
            }
}

/* The index's id for `requires` string s (folded into folded[], of *n
 * bytes), or REQ_NONE for '\d' and strings asked by has_fold_fast. */
static bool requires_indexed(const char *s, char *folded, size_t *n)
{
    *n = strlen(s);
    if (strcmp(s, "\\d") == 0 || *n == 0 || *n >= 64)
        return false;
    for (size_t j = 0; j < *n; j++)
        folded[j] = (char)fold_ascii((unsigned char)s[j]);
    return true;
}

/* ri->strings, ri->len and ri->n from ri->store's n strings. */
static void index_store(hm_requires_index *ri, size_t n)
{
    const char *p = ri->store;
    for (size_t id = 0; id < n; id++) {
        ri->strings[id] = (char *)p;
        ri->len[id] = (uint8_t)strlen(p);
        p += ri->len[id] + 1;
    }
    ri->n = n;
}

/* The index's tables from its strings. */
static void make_tables(hm_requires_index *ri)
{
    req_tables *tab = &ri->tab;
    for (unsigned c = 0; c < 256; c++)
        tab->single[c] = -1;
    for (size_t id = 0; id < ri->n; id++) {
        const unsigned char *s = (const unsigned char *)ri->strings[id];
        /* the pairs of bytes that fold to the string's first two (any
         * second byte for a 1-byte string) */
        const unsigned char a[2] = {s[0], unfold_ascii(s[0])};
        for (unsigned i = 0; i < 2; i++) {
            if (ri->len[id] == 1) {
                for (unsigned b = 0; b < 256; b++)
                    set_pair(tab->pair, a[i], (unsigned char)b);
            } else {
                set_pair(tab->pair, a[i], s[1]);
                set_pair(tab->pair, a[i], unfold_ascii(s[1]));
            }
        }
        if (ri->len[id] == 1) {
            tab->single[s[0]] = (int32_t)id;
        } else {
            tab->count[req_bucket(s[0], s[1])]++;
            if (ri->len[id] > 2)
                set_triple(tab->triple, s[0], s[1], s[2]);
            else
                for (unsigned c = 0; c < 256; c++)
                    set_triple(tab->triple, s[0], s[1], fold_ascii((unsigned char)c));
        }
    }
    unsigned at = 0;
    for (unsigned b = 0; b < REQ_BUCKETS; b++) {
        tab->first[b] = (uint16_t)at;
        at += tab->count[b];
        tab->count[b] = 0;
    }
    for (size_t id = 0; id < ri->n; id++)
        if (ri->len[id] > 1) {
            const unsigned char *s = (const unsigned char *)ri->strings[id];
            unsigned b = req_bucket(s[0], s[1]);
            ri->order[tab->first[b] + tab->count[b]++] = (uint16_t)id;
        }
    make_nibble_tables(ri);
}

/* The requires image (hm_requires_image_write): a header of six u64
 * (magic, sizeof(req_tables), rules, `requires` strings, distinct strings,
 * bytes of their store), then the ids (u16 each), rule_first (u32, one per
 * rule and one more), order (u16, one per distinct string), the store and
 * the tables. */
#define REQ_IMAGE_MAGIC 0x31304d4952514d48ull /* "HMQRIM01" */
#define REQ_IMAGE_HEAD (6 * sizeof(uint64_t))

/* The image's part of `size` bytes at *at, moving *at on; NULL when the
 * image is shorter. */
static const unsigned char *image_part(const unsigned char *image, size_t len, size_t *at, size_t size)
{
    if (size > len - *at)
        return NULL;
    const unsigned char *p = image + *at;
    *at += size;
    return p;
}

/* The index from an image made for cfg's very strings; NULL when the image
 * is not for them (then they are indexed afresh). */
static hm_requires_index *requires_from_image(const hm_config *cfg, const unsigned char *image, size_t len)
{
    uint64_t head[6];
    if (!image || len < REQ_IMAGE_HEAD)
        return NULL;
    memcpy(head, image, sizeof head);
    size_t total = 0;
    for (size_t r = 0; r < cfg->n_rules; r++)
        total += cfg->rules[r].n_requires;
    if (head[0] != REQ_IMAGE_MAGIC || head[1] != sizeof(req_tables) || head[2] != cfg->n_rules ||
        head[3] != total || head[4] >= REQ_NONE || head[5] > len)
        return NULL;
    size_t n = (size_t)head[4], store_len = (size_t)head[5], at = REQ_IMAGE_HEAD;
    const unsigned char *ids = image_part(image, len, &at, total * sizeof(uint16_t));
    const unsigned char *rule_first = image_part(image, len, &at, (cfg->n_rules + 1) * sizeof(uint32_t));
    const unsigned char *order = image_part(image, len, &at, n * sizeof(uint16_t));
    const unsigned char *store = image_part(image, len, &at, store_len);
    const unsigned char *tab = image_part(image, len, &at, sizeof(req_tables));
    if (!tab || at != len || (store_len && store[store_len - 1] != 0))
        return NULL;
    hm_requires_index *ri = hm_xcalloc(1, sizeof *ri);
    ri->ids = hm_xmalloc((total + 1) * sizeof *ri->ids);
    ri->rule_first = hm_xmalloc((cfg->n_rules + 1) * sizeof *ri->rule_first);
    ri->order = hm_xmalloc((n + 1) * sizeof *ri->order);
    ri->store = hm_xmalloc(store_len + 1);
    ri->strings = hm_xmalloc((n + 1) * sizeof *ri->strings);
    ri->len = hm_xmalloc(n + 1);
    memcpy(ri->ids, ids, total * sizeof *ri->ids);
    memcpy(ri->rule_first, rule_first, (cfg->n_rules + 1) * sizeof *ri->rule_first);
    memcpy(ri->order, order, n * sizeof *ri->order);
    memcpy(ri->store, store, store_len);
    memcpy(&ri->tab, tab, sizeof ri->tab);
    /* n NUL-ended strings fill the store exactly */
    size_t strings = 0;
    for (size_t i = 0; i < store_len; i++)
        strings += ri->store[i] == 0;
    bool ok = strings == n;
    if (ok)
        index_store(ri, n);
    /* the same strings as the configuration's, rule by rule */
    char folded[64];
    for (size_t r = 0, k = 0; ok && r < cfg->n_rules; r++) {
        const hm_rule *rule = &cfg->rules[r];
        ok = ri->rule_first[r] == k && ri->rule_first[r + 1] - k == rule->n_requires;
        for (size_t i = 0; ok && i < rule->n_requires; i++, k++) {
            size_t len_s;
            unsigned id = ri->ids[k];
            ok = requires_indexed(rule->requires[i], folded, &len_s)
                     ? id < n && ri->len[id] == len_s && memcmp(ri->strings[id], folded, len_s) == 0
                     : id == REQ_NONE;
        }
    }
    for (size_t k = 0; ok && k < n; k++)
        ok = ri->order[k] < n;
    if (!ok) {
        hm_requires_index_free(ri);
        return NULL;
    }
    return ri;
}

bool hm_requires_image_write(const hm_config *cfg, hm_buf *out)
{
    const hm_requires_index *ri = cfg->requires_index;
    if (!ri)
        return false;
    size_t total = ri->rule_first[cfg->n_rules], store_len = 0;
    for (size_t id = 0; id < ri->n; id++)
        store_len += ri->len[id] + 1u;
    const uint64_t head[6] = {REQ_IMAGE_MAGIC, sizeof(req_tables), cfg->n_rules, total, ri->n, store_len};
    hm_buf_put(out, (const char *)head, sizeof head);
    hm_buf_put(out, (const char *)ri->ids, total * sizeof *ri->ids);
    hm_buf_put(out, (const char *)ri->rule_first, (cfg->n_rules + 1) * sizeof *ri->rule_first);
    hm_buf_put(out, (const char *)ri->order, ri->n * sizeof *ri->order);
    hm_buf_put(out, ri->store, store_len);
    hm_buf_put(out, (const char *)&ri->tab, sizeof ri->tab);
    return true;
}

/* The index made afresh from the configuration's strings. */
static hm_requires_index *requires_from_strings(const hm_config *cfg)
{
    hm_requires_index *ri = hm_xcalloc(1, sizeof *ri);
    size_t total = 0, store_cap = 1;
    for (size_t r = 0; r < cfg->n_rules; r++) {
        total += cfg->rules[r].n_requires;
        for (size_t i = 0; i < cfg->rules[r].n_requires; i++)
            store_cap += strlen(cfg->rules[r].requires[i]) + 1;
    }
    ri->rule_first = hm_xcalloc(cfg->n_rules + 1, sizeof *ri->rule_first);
    ri->ids = hm_xcalloc(total + 1, sizeof *ri->ids);
    ri->store = hm_xmalloc(store_cap);
    ri->strings = hm_xcalloc(total + 1, sizeof *ri->strings);
    ri->len = hm_xcalloc(total + 1, sizeof *ri->len);
    ri->order = hm_xcalloc(total + 1, sizeof *ri->order);
    size_t k = 0, store_len = 0;
    char folded[64];
    for (size_t r = 0; r < cfg->n_rules; r++) {
        const hm_rule *rule = &cfg->rules[r];
        ri->rule_first[r] = (uint32_t)k;
        for (size_t i = 0; i < rule->n_requires; i++) {
            size_t n, id = REQ_NONE;
            if (requires_indexed(rule->requires[i], folded, &n)) {
                for (id = 0; id < ri->n; id++)
                    if (ri->len[id] == n && memcmp(ri->strings[id], folded, n) == 0)
                        break;
                if (id == ri->n && ri->n == REQ_NONE) /* too many: asked the old way */
                    id = REQ_NONE;
                else if (id == ri->n) {
                    ri->strings[id] = ri->store + store_len;
                    memcpy(ri->strings[id], folded, n);
                    ri->strings[id][n] = 0;
                    store_len += n + 1;
                    ri->len[id] = (uint8_t)n;
                    ri->n++;
                }
            }
            ri->ids[k++] = (uint16_t)id;
        }
    }
    ri->rule_first[cfg->n_rules] = (uint32_t)k;
    make_tables(ri);
    return ri;
}

/* requires_from_image or requires_from_strings, with the CPU's answer. */
static hm_requires_index *requires_index(const hm_config *cfg, const unsigned char *image, size_t image_len)
{
    hm_requires_index *ri = requires_from_image(cfg, image, image_len);
    if (!ri)
        ri = requires_from_strings(cfg);
#if defined(HM_HAVE_SHUFFLE)
    ri->shuffle = hm_cpu_has_shuffle();
    ri->wide_shuffle = ri->shuffle && hm_cpu_has_wide_shuffle();
#endif
    ri->head = hm_xcalloc(ri->n + 1, sizeof *ri->head);
    for (size_t id = 0; id < ri->n; id++)
        memcpy(ri->head[id], ri->strings[id], ri->len[id] < 16 ? ri->len[id] : 16);
    ri->plans = hm_xmalloc((cfg->n_rules + 1) * sizeof *ri->plans);
    ri->phases = hm_xmalloc(cfg->n_rules + 1);
    for (size_t k = 0; k < cfg->n_rules; k++) {
        ri->plans[k] = plan_rule(cfg, ri, &cfg->rules[k]);
        ri->phases[k] = (uint8_t)rule_phase(&cfg->rules[k]);
    }
    return ri;
}

hm_requires_index *hm_requires_index_new(const hm_config *cfg)
{
    return requires_index(cfg, hm_builtin_requires_image, hm_builtin_requires_image_len);
}

hm_requires_index *hm_requires_index_build(const hm_config *cfg)
{
    return requires_index(cfg, NULL, 0);
}

bool hm_requires_index_same(const hm_requires_index *a, const hm_requires_index *b, size_t n_rules)
{
    if (a->n != b->n || memcmp(a->rule_first, b->rule_first, (n_rules + 1) * sizeof *a->rule_first) != 0 ||
        memcmp(a->ids, b->ids, a->rule_first[n_rules] * sizeof *a->ids) != 0 ||
        memcmp(a->order, b->order, a->n * sizeof *a->order) != 0 || memcmp(&a->tab, &b->tab, sizeof a->tab) != 0)
        return false;
    for (size_t id = 0; id < a->n; id++)
        if (a->len[id] != b->len[id] || strcmp(a->strings[id], b->strings[id]) != 0)
            return false;
    return true;
}

void hm_requires_index_free(hm_requires_index *ri)
{
    if (!ri)
        return;
    free(ri->store);
    free(ri->strings);
    free(ri->len);
    free(ri->rule_first);
    free(ri->ids);
    free(ri->order);
    free(ri->head);
    free(ri->plans);
    free(ri->phases);
    free(ri);
}

typedef struct req_hit {
    uint32_t pos, id;
} req_hit;

/* fold_ascii as a table, for the loop below */
static const unsigned char fold_table[256] = {
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29,
    30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57,
    58, 59, 60, 61, 62, 63, 64, 97, 98, 99, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113,
    114, 115, 116, 117, 118, 119, 120, 121, 122, 91, 92, 93, 94, 95, 96, 97, 98, 99, 100, 101, 102, 103, 104, 105,
    106, 107, 108, 109, 110, 111, 112, 113, 114, 115, 116, 117, 118, 119, 120, 121, 122, 123, 124, 125, 126, 127,
    128, 129, 130, 131, 132, 133, 134, 135, 136, 137, 138, 139, 140, 141, 142, 143, 144, 145, 146, 147, 148, 149,
    150, 151, 152, 153, 154, 155, 156, 157, 158, 159, 160, 161, 162, 163, 164, 165, 166, 167, 168, 169, 170, 171,
    172, 173, 174, 175, 176, 177, 178, 179, 180, 181, 182, 183, 184, 185, 186, 187, 188, 189, 190, 191, 192, 193,
    194, 195, 196, 197, 198, 199, 200, 201, 202, 203, 204, 205, 206, 207, 208, 209, 210, 211, 212, 213, 214, 215,
    216, 217, 218, 219, 220, 221, 222, 223, 224, 225, 226, 227, 228, 229, 230, 231, 232, 233, 234, 235, 236, 237,
    238, 239, 240, 241, 242, 243, 244, 245, 246, 247, 248, 249, 250, 251, 252, 253, 254, 255};

#if defined(__SSE2__)
/* The 16 bytes at p with A-Z folded, as fold_table folds them: a byte plus
 * 0x3F is below -128 + 26 (signed) only from 'A' to 'Z'. */
static inline __m128i fold16(const unsigned char *p)
{
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
    __m128i upper = _mm_cmplt_epi8(_mm_add_epi8(v, _mm_set1_epi8(0x3F)), _mm_set1_epi8(-128 + 26));
    return _mm_or_si128(v, _mm_and_si128(upper, _mm_set1_epi8(0x20)));
}
#endif

/* The hits of the strings that the text at i (folded c, d; d 256 past the
 * end) starts with. With SSE2 a string's first 16 bytes are compared at
 * once (the text's HM_SOURCE_PAD NULs let 16 be read from any position),
 * with one test: where the byte loop ends was mispredicted once a string. */
static inline __attribute__((always_inline)) void requires_at(const hm_requires_index *ri, const unsigned char *t,
                                                             size_t len, size_t i, unsigned c, unsigned d,
                                                             req_hit **hits, size_t *n_hits, size_t *cap_hits)
{
    if (ri->tab.single[c] >= 0) {
        HM_GROW(*hits, *n_hits, *cap_hits);
        (*hits)[(*n_hits)++] = (req_hit){(uint32_t)i, (uint32_t)ri->tab.single[c]};
    }
    if (d > 255)
        return;
    unsigned b = req_bucket((unsigned char)c, (unsigned char)d);
#if defined(__SSE2__)
    const __m128i text = fold16(t + i);
#endif
    for (unsigned k = ri->tab.first[b], e = k + ri->tab.count[b]; k < e; k++) {
        unsigned id = ri->order[k];
        const char *s = ri->strings[id];
        size_t n = ri->len[id], j = 2;
#if defined(__SSE2__)
        unsigned same = (unsigned)_mm_movemask_epi8(
                     _mm_cmpeq_epi8(text, _mm_loadu_si128((const __m128i *)(const void *)ri->head[id]))),
                 want = (1u << (n < 16 ? n : 16)) - 1;
        if ((same & want) != want || n > len - i)
            continue;
        j = n < 16 ? n : 16;
#else
        if ((unsigned char)s[0] != c || (unsigned char)s[1] != d || n > len - i)
            continue;
#endif
        while (j < n && fold_table[t[i + j]] == (unsigned char)s[j])
            j++;
        if (j == n) {
            HM_GROW(*hits, *n_hits, *cap_hits);
            (*hits)[(*n_hits)++] = (req_hit){(uint32_t)i, id};
        }
    }
}

/* Can a string of two bytes or more start with folded bytes c, d, e? */
static bool triple_has(const hm_requires_index *ri, unsigned c, unsigned d, unsigned e)
{
    unsigned k = req_triple((unsigned char)c, (unsigned char)d, (unsigned char)e);
    return ri->tab.triple[k >> 6] >> (k & 63) & 1;
}

/* requires_at where the pair at i (before the text's last byte) may start
 * a string: a pair that starts no 1-byte string is asked about its third
 * byte first. */
static inline void requires_pair_at(const hm_requires_index *ri, const unsigned char *t, size_t len, size_t i,
                                    req_hit **hits, size_t *n_hits, size_t *cap_hits)
{
    unsigned c = fold_table[t[i]], d = fold_table[t[i + 1]];
    if (ri->tab.single[c] >= 0 || i + 2 >= len || triple_has(ri, c, d, fold_table[t[i + 2]]))
        requires_at(ri, t, len, i, c, d, hits, n_hits, cap_hits);
}

#if defined(HM_HAVE_SHUFFLE)
/* The buckets that the 16 bytes at t leave, by the tables of their low and
 * high nibbles. */
__attribute__((target("ssse3"))) static __m128i nibble_buckets(const unsigned char *t, __m128i lo_tab,
                                                              __m128i hi_tab)
{
    return hm_nibble_lookup(_mm_loadu_si128((const __m128i *)(const void *)t), lo_tab, hi_tab);
}

#define REQ_CANDIDATES 256 /* positions handed over at a time */

/* The positions from `from` on whose three bytes' nibbles leave a bucket
 * (a superset of where a string starts), 16 at a time, for the blocks whose
 * bytes lie in the text, until the end or until cand may not have room
 * for another block's: into cand[*n], and where it stopped. */
__attribute__((target("ssse3"))) static size_t requires_candidates(const hm_requires_index *ri,
                                                                   const unsigned char *t, size_t from,
                                                                   size_t len, uint32_t *cand, size_t *n)
{
    __m128i lo[3], hi[3];
    for (unsigned k = 0; k < 3; k++) {
        lo[k] = _mm_loadu_si128((const __m128i *)(const void *)ri->tab.nib_lo[k]);
        hi[k] = _mm_loadu_si128((const __m128i *)(const void *)ri->tab.nib_hi[k]);
    }
    size_t i = from, k = *n;
    for (; i + 18 <= len && k <= REQ_CANDIDATES - 16; i += 16) {
        __m128i m = _mm_and_si128(nibble_buckets(t + i, lo[0], hi[0]),
                                  _mm_and_si128(nibble_buckets(t + i + 1, lo[1], hi[1]),
                                                nibble_buckets(t + i + 2, lo[2], hi[2])));
        for (unsigned bits = ~(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(m, _mm_setzero_si128())) & 0xFFFF; bits;
             bits &= bits - 1)
            cand[k++] = (uint32_t)(i + (size_t)__builtin_ctz(bits));
    }
    *n = k;
    return i;
}

/* requires_candidates 32 positions at a time, with AVX2 (the bytes of a
 * block need two more after it, as there). */
__attribute__((target("avx2"))) static size_t requires_candidates_wide(const hm_requires_index *ri,
                                                                      const unsigned char *t, size_t from,
                                                                      size_t len, uint32_t *cand, size_t *n)
{
    __m256i lo[3], hi[3];
    for (unsigned k = 0; k < 3; k++) {
        lo[k] = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(const void *)ri->tab.nib_lo[k]));
        hi[k] = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(const void *)ri->tab.nib_hi[k]));
    }
    size_t i = from, k = *n;
    for (; i + 34 <= len && k <= REQ_CANDIDATES - 32; i += 32) {
        __m256i b[3];
        for (unsigned o = 0; o < 3; o++)
            b[o] = hm_nibble_lookup_wide(_mm256_loadu_si256((const __m256i *)(const void *)(t + i + o)), lo[o], hi[o]);
        __m256i m = _mm256_and_si256(b[0], _mm256_and_si256(b[1], b[2]));
        uint64_t bits = ~(unsigned)_mm256_movemask_epi8(_mm256_cmpeq_epi8(m, _mm256_setzero_si256()));
        if (!bits)
            continue;
        k += bit_positions(cand + k, bits, 32, i); /* cand has room for 32 more */
    }
    *n = k;
    return i;
}
#endif

/* Where every string of the index occurs in the text, in one pass: with
 * SSSE3 only the positions the nibble tables let through are asked about;
 * otherwise (and at the text's last bytes) a byte pair that starts no
 * string (most) costs a 2-byte load and a bit test (a 1-byte string sets
 * the bits of every pair it starts). A pair that may start one is asked
 * about its third byte before the strings are compared. Positions come in
 * text order, so each string's (sorted out by a counting sort) are sorted. */
static void requires_find(hm_scan *scan, const hm_requires_index *ri)
{
    const unsigned char *t = (const unsigned char *)scan->text;
    size_t len = scan->len, n_hits = 0, cap_hits = len / 16 + 64, from = 0;
    req_hit *hits = hm_xmalloc(cap_hits * sizeof *hits);
#if defined(HM_HAVE_SHUFFLE)
    /* the blocks' candidates, then the rest of the text byte by byte */
    while (ri->shuffle && from + 18 <= len) {
        uint32_t cand[REQ_CANDIDATES];
        size_t n_cand = 0;
        if (ri->wide_shuffle) /* then the last blocks (under 34 bytes) 16 at a time */
            from = requires_candidates_wide(ri, t, from, len, cand, &n_cand);
        from = requires_candidates(ri, t, from, len, cand, &n_cand);
        /* requires_pair_at's test without a branch (a coin toss a
         * candidate), the candidates that pass kept; a block's positions
         * have two bytes after them */
        size_t n_pass = 0;
        for (size_t k = 0; k < n_cand; k++) {
            const unsigned char *p = t + cand[k];
            unsigned c = fold_table[p[0]];
            cand[n_pass] = cand[k];
            n_pass += (unsigned)(ri->tab.single[c] >= 0) |
                      (unsigned)triple_has(ri, c, fold_table[p[1]], fold_table[p[2]]);
        }
        for (size_t k = 0; k < n_pass; k++)
            requires_at(ri, t, len, cand[k], fold_table[t[cand[k]]], fold_table[t[cand[k] + 1]], &hits, &n_hits,
                        &cap_hits);
    }
#endif
    if (len) {
        for (size_t i = from; i + 1 < len; i++) {
            unsigned p = pair_key(t + i);
            if (ri->tab.pair[p >> 6] >> (p & 63) & 1)
                requires_pair_at(ri, t, len, i, &hits, &n_hits, &cap_hits);
        }
        requires_at(ri, t, len, len - 1, fold_table[t[len - 1]], 256, &hits, &n_hits, &cap_hits);
    }
    scan->req_start = hm_xcalloc(ri->n + 1, sizeof *scan->req_start);
    scan->req_pos = hm_xmalloc((n_hits + 1) * sizeof *scan->req_pos);
    for (size_t h = 0; h < n_hits; h++)
        scan->req_start[hits[h].id + 1]++;
    for (size_t id = 0; id < ri->n; id++)
        scan->req_start[id + 1] += scan->req_start[id];
    uint32_t *fill = hm_xmalloc((ri->n + 1) * sizeof *fill);
    memcpy(fill, scan->req_start, (ri->n + 1) * sizeof *fill);
    for (size_t h = 0; h < n_hits; h++)
        scan->req_pos[fill[hits[h].id]++] = hits[h].pos;
    free(fill);
    free(hits);
    scan->req_found = true;
}

/* Where string `id` of the index occurs: n ascending positions. */
static const uint32_t *requires_positions(hm_scan *scan, const hm_requires_index *ri, unsigned id, size_t *n)
{
    if (!scan->req_found)
        requires_find(scan, ri);
    *n = scan->req_start[id + 1] - scan->req_start[id];
    return scan->req_pos + scan->req_start[id];
}

/* has_fold_fast for string `id` of the index. */
static bool requires_has(hm_scan *scan, const hm_requires_index *ri, unsigned id, size_t from, size_t to,
                         size_t *last)
{
    size_t n;
    const uint32_t *pos = requires_positions(scan, ri, id, &n);
    return last_within(pos, n, ri->len[id], from, to, last);
}

/* Can the unit hold a match, by the rule's `requires`? The window starts a
 * little early for lookbehinds. With want_last, *last_start is the last
 * position a match can start at, requires_slack after the last required
 * string (SIZE_MAX: no bound). */
static bool unit_may_match(hm_scan *scan, const rule_plan *plan, size_t from, size_t to, bool want_last,
                           size_t *last_start)
{
    const hm_rule *r = plan->rule;
    *last_start = SIZE_MAX;
    if (!r->n_requires)
        return true;
    from = from > REQ_LOOKBEHIND ? from - REQ_LOOKBEHIND : 0;
    const hm_requires_index *ri = scan->cfg->requires_index;
    const uint16_t *ids = plan->req_ids;
    bool found = false;
    size_t last = 0;
    for (size_t i = 0; i < r->n_requires; i++) {
        size_t at;
        if (ids && ids[i] != REQ_NONE ? requires_has(scan, ri, ids[i], from, to, &at)
                                      : has_fold_fast(scan, from, to, r->requires[i], &at)) {
            if (!want_last)
                return true;
            found = true;
            last = at > last ? at : last;
        }
    }
    if (found)
        *last_start = last + r->requires_slack;
    return found;
}

/* Runs one rule over one unit of its scope, [from, to). Occurrence and
 * conditional rules judge the unit as a whole. */
static void run_unit(hm_scan *scan, const rule_plan *plan, size_t from, size_t to)
{
    const hm_rule *r = plan->rule;
    /* An occurrence rule with a minimum reports a unit without matches. */
    size_t last_start = SIZE_MAX;
    if (!(r->type == HM_RULE_OCCURRENCE && r->min > 0) &&
        !unit_may_match(scan, plan, from, to, plan->want_last, &last_start))
        return;
    switch (r->type) {
    case HM_RULE_EXISTENCE:
        rule_find_all(scan, plan, from, to, last_start, add_match, (void *)r);
        break;
    case HM_RULE_SUBSTITUTION:
        rule_find_all(scan, plan, from, to, last_start, add_swap, (void *)r);
        break;
    case HM_RULE_NAMES:
        hm_names_run(scan, r, from, to);
        break;
    case HM_RULE_OCCURRENCE: {
        counter c = {0, 0, 0};
        if (plan->count_runs && hm_count_nonspace_runs(scan, from, to, plan->runs_ucp, &c.count)) {
            /* \S+ counted without the pattern */
        } else if (!rule_find_all(scan, plan, from, to, last_start, count_match, &c)) {
            break;
        }
        if ((r->min >= 0 && c.count < (size_t)r->min) || (r->max >= 0 && c.count > (size_t)r->max))
            hm_scan_add(scan, r, from, to);
        break;
    }
    case HM_RULE_CONDITIONAL: {
        counter c = {0, 0, 0};
        bool second = false;
        if (!pattern_find_all(scan, plan, from, to, last_start, count_match, &c) || c.count == 0)
            break;
        if (find_all_upto(scan, r->re_second, NULL, unit_filter(&r->second_filter, r->re_second, from, to), from, to,
                          SIZE_MAX, any_match, &second, r->id) &&
            !second)
            hm_scan_add(scan, r, c.first_start, c.first_end);
        break;
    }
    }
}

static bool scored_para(const hm_para *p)
{
    return p->kind == HM_PARA_BODY || p->kind == HM_PARA_LIST_ITEM || p->kind == HM_PARA_HEADING;
}

/* The rule's plan: the tables' answers about it (ri: the requires index
 * being made, or NULL). */
static rule_plan plan_rule(const hm_config *cfg, const hm_requires_index *ri, const hm_rule *r)
{
    rule_plan plan = {r, NULL, hm_phrase_set_of_rule(cfg, r), r->re_anchored ? hm_starts_bit(cfg, r) : -1,
                      /* a rule of phrases is mostly served by the phrase index, which needs no bound */
                      !r->n_phrases && !r->n_swap, false, false};
    if (ri && cfg->index && r >= cfg->rules && r < cfg->rules + cfg->n_rules) {
        size_t k = (size_t)(r - cfg->rules);
        if (ri->rule_first[k + 1] - ri->rule_first[k] == r->n_requires)
            plan.req_ids = ri->ids + ri->rule_first[k];
    }
    uint32_t opts = 0;
    if (r->nonspace_runs && pcre2_pattern_info(r->re, PCRE2_INFO_ARGOPTIONS, &opts) == 0) {
        plan.count_runs = true;
        plan.runs_ucp = (opts & PCRE2_UCP) != 0;
    }
    return plan;
}

/* The units of a phase's paragraph and sentence rules (those in scored
 * paragraphs), listed once for all its rules, not found by each rule's walk
 * over every paragraph or sentence; each list made on first use. */
typedef struct unit_span {
    size_t start, end;
} unit_span;

typedef struct phase_units {
    unit_span *paras, *sents;
    size_t n_paras, n_sents;
} phase_units;

static const unit_span *scored_paras(const hm_scan *scan, phase_units *u, size_t *n)
{
    const hm_document *doc = scan->doc;
    if (!u->paras) {
        u->paras = hm_xmalloc((doc->n_paras + 1) * sizeof *u->paras);
        for (size_t i = 0; i < doc->n_paras; i++)
            if (scored_para(&doc->paras[i]))
                u->paras[u->n_paras++] = (unit_span){doc->paras[i].start, doc->paras[i].end};
    }
    *n = u->n_paras;
    return u->paras;
}

static const unit_span *scored_sents(const hm_scan *scan, phase_units *u, size_t *n)
{
    const hm_document *doc = scan->doc;
    if (!u->sents) {
        u->sents = hm_xmalloc((doc->n_sents + 1) * sizeof *u->sents);
        for (size_t i = 0; i < doc->n_sents; i++)
            if (scored_para(&doc->paras[doc->sents[i].para]))
                u->sents[u->n_sents++] = (unit_span){doc->sents[i].start, doc->sents[i].end};
    }
    *n = u->n_sents;
    return u->sents;
}

/* A `requires` string's occurrences, and the first not behind the windows
 * of the units so far. */
typedef struct req_cursor {
    const uint32_t *pos;
    size_t n, len, k;
} req_cursor;

#define CURSORS_MAX 16

/* The cursors of the rule's `requires` strings; false when a string has no
 * list of occurrences (then has_fold searches). */
static bool cursors_make(hm_scan *scan, const rule_plan *plan, req_cursor *cur)
{
    const hm_rule *r = plan->rule;
    const hm_requires_index *ri = scan->cfg->requires_index;
    for (size_t i = 0; i < r->n_requires; i++) {
        req_cursor *c = &cur[i];
        c->k = 0;
        if (plan->req_ids && plan->req_ids[i] != REQ_NONE) {
            c->pos = requires_positions(scan, ri, plan->req_ids[i], &c->n);
            c->len = ri->len[plan->req_ids[i]];
        } else if (!occurrences_of(scan, r->requires[i], &c->pos, &c->n, &c->len)) {
            return false;
        }
    }
    return true;
}

/* Moves the cursors to the first occurrences at or after `from`; *next is
 * the earliest of those, *end where the first of them to end ends. */
static void cursors_advance(req_cursor *cur, size_t n_cur, size_t from, size_t *next, size_t *end)
{
    *next = *end = SIZE_MAX;
    for (size_t i = 0; i < n_cur; i++) {
        req_cursor *c = &cur[i];
        c->k += first_at_or_after(c->pos + c->k, c->n - c->k, from); /* a halving: counts vary */
        if (c->k < c->n) {
            size_t p = c->pos[c->k];
            *next = p < *next ? p : *next;
            *end = p + c->len < *end ? p + c->len : *end;
        }
    }
}

/* run_unit over units in text order. A unit holding none of the rule's
 * `requires` strings (unit_may_match's window: from REQ_LOOKBEHIND before
 * it to its end) is passed over by one comparison: the windows only move
 * on, so each string's first occurrence not behind them is kept from unit
 * to unit, and a unit can hold one only if the first of those to end ends
 * within it. Units that may hold one go through run_unit as before. */
static void run_units(hm_scan *scan, const rule_plan *plan, const unit_span *u, size_t n)
{
    const hm_rule *r = plan->rule;
    req_cursor cur[CURSORS_MAX];
    size_t i = 0;
    if (n > 1 && r->n_requires && r->n_requires <= CURSORS_MAX && !(r->type == HM_RULE_OCCURRENCE && r->min > 0) &&
        cursors_make(scan, plan, cur)) {
        size_t next = 0, end = 0, window = 0;
        bool started = false;
        for (; i < n; i++) {
            size_t from = u[i].start > REQ_LOOKBEHIND ? u[i].start - REQ_LOOKBEHIND : 0;
            if (from < window)
                break; /* not in text order: the rest as run_unit sees them */
            window = from;
            if (next < from || !started)
                cursors_advance(cur, r->n_requires, from, &next, &end);
            started = true;
            if (end <= u[i].end)
                run_unit(scan, plan, u[i].start, u[i].end);
        }
    }
    for (; i < n; i++)
        run_unit(scan, plan, u[i].start, u[i].end);
}

/* run_unit over paragraphs in text order. Most of a paragraph rule's
 * paragraphs hold one of its strings, so keeping each string's next
 * occurrence (run_units) costs more than it saves; what is kept is the
 * span of them all: a paragraph can hold one only if the first occurrence
 * to end ends within it and the last starts in its window. */
static void run_paras(hm_scan *scan, const rule_plan *plan, const unit_span *u, size_t n)
{
    const hm_rule *r = plan->rule;
    req_cursor cur[CURSORS_MAX];
    size_t first_end = 0, last = SIZE_MAX;
    if (n > 1 && r->n_requires && r->n_requires <= CURSORS_MAX && !(r->type == HM_RULE_OCCURRENCE && r->min > 0) &&
        cursors_make(scan, plan, cur)) {
        first_end = SIZE_MAX;
        last = 0;
        for (size_t j = 0; j < r->n_requires; j++) {
            const req_cursor *c = &cur[j];
            if (c->n) {
                first_end = c->pos[0] + c->len < first_end ? c->pos[0] + c->len : first_end;
                last = c->pos[c->n - 1] > last ? c->pos[c->n - 1] : last;
            }
        }
    }
    for (size_t i = 0; i < n; i++) {
        size_t from = u[i].start > REQ_LOOKBEHIND ? u[i].start - REQ_LOOKBEHIND : 0;
        if (first_end <= u[i].end && last >= from)
            run_unit(scan, plan, u[i].start, u[i].end);
    }
}

static void run_rule(hm_scan *scan, const rule_plan *planned, phase_units *units)
{
    const hm_document *doc = scan->doc;
    const hm_rule *r = planned->rule;
    rule_plan plan = *planned;
    if (scan->len > UINT32_MAX)
        plan.req_ids = NULL; /* the index's positions are 32-bit */
    const unit_span *u;
    size_t n;
    switch (r->scope) {
    case HM_SCOPE_TEXT:
        run_unit(scan, &plan, 0, scan->len);
        break;
    case HM_SCOPE_ESSAY:
    case HM_SCOPE_PARAGRAPH:
        u = scored_paras(scan, units, &n);
        if (r->scope == HM_SCOPE_ESSAY && (r->type == HM_RULE_OCCURRENCE || r->type == HM_RULE_CONDITIONAL)) {
            /* The essay as one unit: from its first to its last paragraph. */
            if (n)
                run_unit(scan, &plan, u[0].start, u[n - 1].end);
            break;
        }
        run_paras(scan, &plan, u, n);
        break;
    case HM_SCOPE_SENTENCE:
        u = scored_sents(scan, units, &n);
        run_units(scan, &plan, u, n);
        break;
    case HM_SCOPE_QUESTION:
        if (doc->question != SIZE_MAX)
            run_unit(scan, &plan, doc->paras[doc->question].start, doc->paras[doc->question].end);
        break;
    case HM_SCOPE_INTRODUCTION:
        if (scan->intro != SIZE_MAX)
            run_unit(scan, &plan, doc->paras[scan->intro].start, doc->paras[scan->intro].end);
        break;
    case HM_SCOPE_CONCLUSION:
        if (scan->conclusion != SIZE_MAX)
            run_unit(scan, &plan, doc->paras[scan->conclusion].start, doc->paras[scan->conclusion].end);
        break;
    case HM_SCOPE_QUOTATION: {
        n = scan->n_findings; /* quotations found so far */
        for (size_t i = 0; i < n; i++)
            if (scan->findings[i].kind == HM_KIND_QUOTATION)
                run_unit(scan, &plan, scan->findings[i].start, scan->findings[i].end);
        break;
    }
    }
}

static hm_phase rule_phase(const hm_rule *r)
{
    return r->scope == HM_SCOPE_TEXT ? HM_PHASE_TEXT
         : (r->scope == HM_SCOPE_INTRODUCTION || r->scope == HM_SCOPE_CONCLUSION || r->scope == HM_SCOPE_QUOTATION)
             ? HM_PHASE_PARTS
             : HM_PHASE_BODY;
}

void hm_rules_run(hm_scan *scan, hm_phase phase)
{
    const hm_config *cfg = scan->cfg;
    const hm_requires_index *ri = cfg->requires_index;
    phase_units units = {NULL, NULL, 0, 0};
    for (size_t i = 0; i < cfg->n_rules; i++) {
        if ((ri ? (hm_phase)ri->phases[i] : rule_phase(&cfg->rules[i])) != phase)
            continue;
        const rule_plan plan = ri ? ri->plans[i] : plan_rule(cfg, NULL, &cfg->rules[i]);
        if (plan.rule->type == HM_RULE_NAMES)
            hm_scan_sort(scan); /* for its overlap queries */
        run_rule(scan, &plan, &units);
    }
    free(units.paras);
    free(units.sents);
}
