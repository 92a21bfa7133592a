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

static void start_filter_free(hm_start_filter *f);

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
        start_filter_free(filters[i]->filter);
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

/* How far after a required string a match of re may start: the match holds
 * the string or has it in a lookbehind, of up to 4 bytes a character. */
static size_t requires_slack(const pcre2_code *re)
{
    uint32_t chars = 0;
    if (pcre2_pattern_info(re, PCRE2_INFO_MAXLOOKBEHIND, &chars) != 0)
        return SIZE_MAX / 2;
    return (size_t)chars * 4 > REQ_LOOKBEHIND ? (size_t)chars * 4 : REQ_LOOKBEHIND;
}

/* ---- the start filter ----
 *
 * An anchored call at a start costs some 500 instructions, and most calls
 * fail: a year is a start of every rule with '\b\d'. A pattern's start
 * filter is a small DFA over ASCII bytes, made from its text
 * (hm_filter_of), that reads the text from a position and answers "no
 * match can begin here" when no string the pattern can match (or a longer
 * one) begins with those bytes. find_all_from_starts asks it before each
 * anchored call, and find_all_upto searches with it for a pattern that
 * PCRE2 would try at every character.
 *
 * It models a superset of the pattern, so a "no" is always right:
 * lookbehinds, negative lookaheads, \b and anchors are taken as true; a
 * positive lookahead (?=Y) as Y followed by anything (nothing after it is
 * asked); a count past SF_MAX_COPIES as that many copies and a star. A
 * negative lookahead (?!Y) that opens a top-level alternative is the
 * exception: where the model of Y is exact (no superset taken, \b only at
 * its end), a Y at the start rules that alternative out (a year for
 * figure-count's (?!1[0-9]{3}\b|...)\d{3,}). It answers "maybe" at any
 * non-ASCII byte of the text (under PCRE2_UCP \d, \s and \w match such
 * characters, and caseless k and s match the Kelvin sign and long s), after
 * SF_MAX_DEPTH bytes, and where the DFA would need more than SF_MAX_STATES
 * states. A pattern with a construct it does not model (backreferences,
 * recursion, conditionals, \G, \K, verbs, option letters but i) gets no
 * filter. The model is Glushkov's automaton (a position a character of the
 * pattern; each position's bytes and the positions that may follow it),
 * made deterministic for the first bytes. */

#define SF_MAX_POS 1024   /* positions (pattern characters) modelled */
#define SF_WORDS (SF_MAX_POS / 64)
#define SF_MAX_COPIES 4   /* copies of a counted item modelled exactly */
#define SF_MAX_DEPTH 24   /* text bytes read at most */
#define SF_MAX_STATES 254 /* live states */

/* What a move of the DFA gives: no match, maybe one, or (above these) the
 * next state's row in the table. */
enum { SF_DEAD = 0, SF_ACCEPT = 1 };

/* A DFA over the bytes from a start: where it ends, SF_DEAD or SF_ACCEPT. */
typedef struct sf_dfa {
    /* bytes that no position tells apart share a class; the last class is
     * every non-ASCII byte's, which gives up */
    unsigned char byte_class[256];
    unsigned width; /* the classes and a column for the unit's end */
    /* [row + class]: SF_DEAD, SF_ACCEPT or the next state's row. State k's
     * row is (k + 1) * width (width is 3 or more, so a row is never taken
     * for SF_DEAD or SF_ACCEPT); the start state is state 0. */
    uint16_t *next;
} sf_dfa;

/* A top-level alternative that opens with a negative lookahead (?!Y), as in
 * figure-count's (?!1[0-9]{3}\b|...)\d{3,}: its DFA, and Y's when the
 * model of Y is exact (then a Y at the start rules the alternative out). */
typedef struct sf_guarded {
    sf_dfa dfa, veto;
} sf_guarded;

struct hm_start_filter {
    sf_dfa unguarded; /* the other alternatives (next NULL: there are none) */
    sf_guarded *guarded;
    size_t n_guarded;
    /* [byte]: it may open a match (it opens a character, and some DFA does
     * not die on it), for the search of find_all_upto */
    unsigned char opens[256];
};

typedef struct sf_set {
    uint64_t w[SF_WORDS];
} sf_set;

typedef struct sf_bytes {
    uint64_t lo, hi; /* ASCII bytes 0-63 and 64-127 */
} sf_bytes;

/* The Glushkov sets of a piece of the pattern. */
typedef struct sf_frag {
    sf_set first, last;
    bool nullable;
} sf_frag;

typedef struct sf_parser {
    const char *p; /* the next pattern byte */
    bool failed;   /* a construct the filter does not model */
    bool inexact;  /* a construct modelled by a superset */
    bool veto;     /* modelling a lookahead's Y: a \b may end it */
    unsigned depth; /* groups open */
    bool properties_known, caseless_keeps_properties; /* caseless_keeps_properties(), once asked */
    /* veto: the positions after a final \b, for a non-word byte and for a
     * word byte (index + 1; 0 until made) */
    size_t boundary_pos[2];
    size_t n_pos, cap;
    sf_bytes *bytes; /* [position]: the ASCII bytes it matches */
    sf_set *follow;  /* [position]: the positions that may come next */
    sf_set accept;   /* positions after which the filter answers "maybe" (lookaheads' ends) */
} sf_parser;

static void sf_or(sf_set *a, const sf_set *b)
{
    for (size_t i = 0; i < SF_WORDS; i++)
        a->w[i] |= b->w[i];
}

static bool sf_bytes_has(sf_bytes b, unsigned c)
{
    return ((c < 64 ? b.lo : b.hi) >> (c % 64)) & 1;
}

static void sf_bytes_add(sf_bytes *b, unsigned lo, unsigned hi)
{
    for (unsigned c = lo; c <= hi && c < 128; c++)
        *(c < 64 ? &b->lo : &b->hi) |= (uint64_t)1 << (c % 64);
}

static sf_frag sf_empty(void)
{
    sf_frag f;
    memset(&f, 0, sizeof f);
    f.nullable = true;
    return f;
}

/* A new position matching bytes b. */
static sf_frag sf_position(sf_parser *P, sf_bytes b)
{
    sf_frag f = sf_empty();
    if (P->n_pos == SF_MAX_POS) {
        P->failed = true;
        return f;
    }
    if (P->n_pos == P->cap) {
        P->cap = P->cap ? 2 * P->cap : 64;
        P->bytes = hm_xrealloc(P->bytes, P->cap * sizeof *P->bytes);
        P->follow = hm_xrealloc(P->follow, P->cap * sizeof *P->follow);
    }
    size_t i = P->n_pos++;
    P->bytes[i] = b;
    memset(&P->follow[i], 0, sizeof P->follow[i]);
    f.first.w[i / 64] = f.last.w[i / 64] = (uint64_t)1 << (i % 64);
    f.nullable = false;
    return f;
}

/* Every position of `from` may be followed by every position of `to`. */
static void sf_link(sf_parser *P, const sf_set *from, const sf_set *to)
{
    for (size_t w = 0; w * 64 < P->n_pos; w++)
        for (uint64_t bits = from->w[w]; bits; bits &= bits - 1)
            sf_or(&P->follow[w * 64 + (size_t)__builtin_ctzll(bits)], to);
}

static sf_frag sf_cat(sf_parser *P, const sf_frag *a, const sf_frag *b)
{
    sf_link(P, &a->last, &b->first);
    sf_frag f = *a;
    if (a->nullable)
        sf_or(&f.first, &b->first);
    f.last = b->last;
    if (b->nullable)
        sf_or(&f.last, &a->last);
    f.nullable = a->nullable && b->nullable;
    return f;
}

static void sf_alt(sf_frag *a, const sf_frag *b)
{
    sf_or(&a->first, &b->first);
    sf_or(&a->last, &b->last);
    a->nullable = a->nullable || b->nullable;
}

static void sf_fold(sf_bytes *b)
{
    for (unsigned c = 'a'; c <= 'z'; c++)
        if (sf_bytes_has(*b, c) || sf_bytes_has(*b, c - 32)) {
            sf_bytes_add(b, c, c);
            sf_bytes_add(b, c - 32, c - 32);
        }
}

/* The bytes of the escape \e that stands for a character or a class of
 * them (in a class or out of one); false for any other escape. */
static bool sf_escape_bytes(char e, sf_bytes *b)
{
    sf_bytes s = {0, 0};
    switch (e) {
    case 'd': case 'D': sf_bytes_add(&s, '0', '9'); break;
    case 's': case 'S': sf_bytes_add(&s, '\t', '\r'); sf_bytes_add(&s, ' ', ' '); break;
    case 'w': case 'W':
        sf_bytes_add(&s, '0', '9'); sf_bytes_add(&s, 'A', 'Z'); sf_bytes_add(&s, 'a', 'z');
        sf_bytes_add(&s, '_', '_');
        break;
    case 'n': sf_bytes_add(&s, '\n', '\n'); break;
    case 't': sf_bytes_add(&s, '\t', '\t'); break;
    case 'r': sf_bytes_add(&s, '\r', '\r'); break;
    case 'f': sf_bytes_add(&s, '\f', '\f'); break;
    default:
        if ((unsigned char)e >= 0x80 || (e >= '0' && e <= '9') || (e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z') ||
            !e)
            return false;
        sf_bytes_add(&s, (unsigned char)e, (unsigned char)e); /* escaped punctuation */
    }
    if (e == 'D' || e == 'S' || e == 'W') {
        s.lo = ~s.lo;
        s.hi = ~s.hi;
    }
    *b = s;
    return true;
}

/* The length of the UTF-8 character at s (1 for a stray byte). */
static size_t sf_char_len(const char *s)
{
    unsigned char c = (unsigned char)*s;
    size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    for (size_t i = 1; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            return i;
    return n;
}

/* A non-ASCII character matches no ASCII byte, except that caseless the
 * Kelvin sign and long s match k and s: then it is taken as any letter. */
static sf_bytes sf_non_ascii(bool caseless)
{
    sf_bytes b = {0, 0};
    if (caseless) {
        sf_bytes_add(&b, 'A', 'Z');
        sf_bytes_add(&b, 'a', 'z');
    }
    return b;
}

/* Does this PCRE2 leave \p{Lu} as it is without case (10.42 does; Perl
 * does not)? Asked of the library, not assumed. */
static bool caseless_keeps_properties(void)
{
    int code;
    PCRE2_SIZE offset;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR) "\\p{Lu}", PCRE2_ZERO_TERMINATED,
                                   PCRE2_UTF | PCRE2_UCP | PCRE2_CASELESS, &code, &offset, NULL);
    pcre2_match_data *md = re ? pcre2_match_data_create_from_pattern(re, NULL) : NULL;
    bool keeps = md && pcre2_match(re, (PCRE2_SPTR) "a", 1, 0, 0, md, NULL) == PCRE2_ERROR_NOMATCH;
    pcre2_match_data_free(md);
    pcre2_code_free(re);
    return keeps;
}

/* \p{..} or \P{..} at P->p (the backslash): its ASCII bytes, exact for
 * the common properties (letters, their cases, digits, alphanumerics and
 * white space as PCRE2_UCP sees them); false for another property, or
 * caseless where this PCRE2 lets case change a property, which a caller
 * takes as any byte. */
static bool sf_property(sf_parser *P, bool caseless, sf_bytes *b)
{
    const char *s = P->p, *name = s + 2, *end = name + 1;
    if (*name == '{') {
        name++;
        end = strchr(name, '}');
        if (!end) {
            P->failed = true;
            return false;
        }
        P->p = end + 1;
    } else {
        if (!*name) {
            P->failed = true;
            return false;
        }
        P->p = name + 1;
    }
    static const struct {
        const char *name;
        const char *sets; /* of A (capitals), a (small letters), 0 (digits), _ and s (white space) */
    } known[] = {{"L", "Aa"},  {"L&", "Aa"},    {"Lu", "A"},    {"Ll", "a"},    {"N", "0"},
                 {"Nd", "0"}, {"Xan", "Aa0"}, {"Xwd", "Aa0_"}, {"Xsp", "s"}, {"Xps", "s"}};
    const char *sets = NULL;
    for (size_t i = 0; i < sizeof known / sizeof *known && !sets; i++)
        if (strlen(known[i].name) == (size_t)(end - name) && strncmp(known[i].name, name, (size_t)(end - name)) == 0)
            sets = known[i].sets;
    if (caseless && !P->properties_known) {
        P->properties_known = true;
        P->caseless_keeps_properties = caseless_keeps_properties();
    }
    if (!sets || (caseless && !P->caseless_keeps_properties))
        return false;
    sf_bytes r = {0, 0};
    for (; *sets; sets++)
        switch (*sets) {
        case 'A': sf_bytes_add(&r, 'A', 'Z'); break;
        case 'a': sf_bytes_add(&r, 'a', 'z'); break;
        case '0': sf_bytes_add(&r, '0', '9'); break;
        case '_': sf_bytes_add(&r, '_', '_'); break;
        default: sf_escape_bytes('s', &r); break;
        }
    if (s[1] == 'P') {
        r.lo = ~r.lo;
        r.hi = ~r.hi;
    }
    *b = r;
    return true;
}

/* [...]: the bytes of a class, P->p just past the '['. */
static sf_bytes sf_class(sf_parser *P, bool caseless)
{
    sf_bytes b = {0, 0};
    sf_bytes props = {0, 0}; /* of \p and \P */
    bool negated = *P->p == '^', any = false;
    if (negated)
        P->p++;
    bool first = true;
    while (!P->failed && (*P->p != ']' || first)) {
        first = false;
        const char *s = P->p;
        unsigned lo;
        if (!*s || (s[0] == '[' && (s[1] == ':' || s[1] == '.' || s[1] == '='))) {
            P->failed = true; /* the end, or a POSIX class */
            break;
        }
        if (*s == '\\' && (s[1] == 'p' || s[1] == 'P')) {
            sf_bytes e = {0, 0};
            if (!sf_property(P, caseless, &e))
                any = true; /* even when the class is negated */
            props.lo |= e.lo; /* not folded with the rest */
            props.hi |= e.hi;
            continue;
        }
        if (*s == '\\') {
            sf_bytes e;
            if (s[1] == 'b' || !sf_escape_bytes(s[1], &e)) {
                P->failed = true;
                break;
            }
            P->p += 2;
            if (__builtin_popcountll(e.lo) + __builtin_popcountll(e.hi) != 1) {
                b.lo |= e.lo; /* a class escape: no range from it */
                b.hi |= e.hi;
                continue;
            }
            lo = e.lo ? (unsigned)__builtin_ctzll(e.lo) : 64 + (unsigned)__builtin_ctzll(e.hi);
        } else if ((unsigned char)*s >= 0x80) {
            P->p += sf_char_len(s);
            P->inexact |= caseless;
            sf_bytes n = sf_non_ascii(caseless);
            b.lo |= n.lo;
            b.hi |= n.hi;
            if (*P->p == '-' && P->p[1] != ']')
                P->failed = true; /* a range from a non-ASCII character */
            continue;
        } else {
            lo = (unsigned char)*s;
            P->p++;
        }
        unsigned hi = lo;
        if (*P->p == '-' && P->p[1] != ']' && P->p[1]) {
            const char *h = P->p + 1;
            if (*h == '\\' || *h == '[') {
                P->failed = true;
                break;
            }
            if ((unsigned char)*h >= 0x80) {
                hi = 127; /* up into non-ASCII: every ASCII byte from lo */
                P->p = h + sf_char_len(h);
                P->inexact |= caseless;
                if (caseless) {
                    sf_bytes n = sf_non_ascii(true);
                    b.lo |= n.lo;
                    b.hi |= n.hi;
                }
            } else {
                hi = (unsigned char)*h;
                P->p = h + 1;
            }
        }
        sf_bytes_add(&b, lo, hi);
    }
    if (!P->failed)
        P->p++; /* the ']' */
    if (caseless)
        sf_fold(&b);
    b.lo |= props.lo;
    b.hi |= props.hi;
    if (negated) {
        b.lo = ~b.lo;
        b.hi = ~b.hi;
    }
    if (any) {
        P->inexact = true;
        b.lo = b.hi = ~(uint64_t)0;
    }
    return b;
}

static sf_frag sf_alternation(sf_parser *P, bool caseless);

/* Option letters after "(?": only i and -i are modelled. *caseless is set
 * to what they say; false for any other letter. */
static bool sf_options(sf_parser *P, bool *caseless)
{
    bool on = true;
    for (; *P->p && *P->p != ')' && *P->p != ':'; P->p++) {
        if (*P->p == '-')
            on = false;
        else if (*P->p == 'i')
            *caseless = on;
        else
            return false;
    }
    return *P->p != 0;
}

/* One item of the pattern without its quantifier. *zero_width: it matches
 * no character (an assertion, a comment, or (?i) or (?-i), which set
 * *caseless for the rest of the group). */
static sf_frag sf_atom(sf_parser *P, bool *caseless, bool *zero_width)
{
    const char *s = P->p;
    *zero_width = false;
    if (*s == '(') {
        bool lookahead = false, ignore = false, inner_case = *caseless;
        if (s[1] != '?' && s[1] != '*') {
            P->p = s + 1;
        } else if (s[1] == '*') {
            P->failed = true;
            return sf_empty();
        } else {
            const char *q = s + 2;
            if (*q == ':' || *q == '>' || *q == '|') {
                P->inexact |= *q == '>'; /* an atomic group may lose matches */
                P->p = q + 1;
            } else if (*q == '=') {
                lookahead = true;
                P->p = q + 1;
            } else if (*q == '!' || (*q == '<' && (q[1] == '=' || q[1] == '!'))) {
                ignore = true;
                P->p = q + (*q == '<' ? 2 : 1);
            } else if (*q == '#') {
                const char *e = strchr(q, ')');
                if (!e) {
                    P->failed = true;
                    return sf_empty();
                }
                P->p = e + 1;
                *zero_width = true;
                return sf_empty();
            } else if (*q == '<' || *q == '\'' || (*q == 'P' && q[1] == '<')) {
                const char *e = *q == '\'' ? strchr(q + 1, '\'') : strchr(q, '>');
                if (!e) {
                    P->failed = true;
                    return sf_empty();
                }
                P->p = e + 1; /* a named group */
            } else {
                P->p = q;
                if (!sf_options(P, &inner_case)) {
                    P->failed = true;
                    return sf_empty();
                }
                if (*P->p == ')') { /* (?i): the rest of the enclosing group */
                    P->p++;
                    *caseless = inner_case;
                    *zero_width = true;
                    return sf_empty();
                }
                P->p++; /* (?i: ... ) */
            }
        }
        P->depth++;
        sf_frag f = sf_alternation(P, inner_case);
        P->depth--;
        if (*P->p != ')') {
            P->failed = true;
            return sf_empty();
        }
        P->p++;
        if (ignore) {
            P->inexact = true;
            *zero_width = true;
            return sf_empty();
        }
        if (lookahead) {
            P->inexact = true;
            *zero_width = true;
            if (f.nullable)
                return sf_empty();
            /* Y must begin here: after Y the filter stops. */
            sf_or(&P->accept, &f.last);
            memset(&f.last, 0, sizeof f.last);
        }
        return f;
    }
    sf_bytes b = {0, 0};
    if (*s == '[') {
        P->p = s + 1;
        b = sf_class(P, *caseless);
    } else if (*s == '\\') {
        if (s[1] == 'b' || s[1] == 'B' || s[1] == 'A' || s[1] == 'z' || s[1] == 'Z') {
            P->p = s + 2;
            P->inexact = true;
            *zero_width = true;
            return sf_empty();
        }
        if (s[1] == 'p' || s[1] == 'P') {
            if (!sf_property(P, *caseless, &b)) { /* its case is its own */
                if (P->failed)
                    return sf_empty();
                P->inexact = true; /* any byte */
                b.lo = b.hi = ~(uint64_t)0;
            }
        } else if (!sf_escape_bytes(s[1], &b)) {
            P->failed = true;
            return sf_empty();
        } else {
            P->p = s + 2;
            if (*caseless)
                sf_fold(&b);
        }
    } else if (*s == '^' || *s == '$') {
        P->p = s + 1;
        P->inexact = true;
        *zero_width = true;
        return sf_empty();
    } else if (*s == '.') {
        P->p = s + 1;
        P->inexact = true;
        b.lo = b.hi = ~(uint64_t)0;
    } else if (*s == '*' || *s == '+' || *s == '?' || *s == '{' || *s == ')' || *s == '|' || !*s) {
        P->failed = true;
        return sf_empty();
    } else if ((unsigned char)*s >= 0x80) {
        P->p = s + sf_char_len(s);
        P->inexact |= *caseless;
        b = sf_non_ascii(*caseless);
    } else {
        P->p = s + 1;
        sf_bytes_add(&b, (unsigned char)*s, (unsigned char)*s);
        if (*caseless)
            sf_fold(&b);
    }
    return sf_position(P, b);
}

/* Reads a count {n}, {n,} or {n,m} at P->p; max is SIZE_MAX for none. */
static bool sf_count(sf_parser *P, size_t *min, size_t *max)
{
    const char *q = P->p + 1;
    char *end;
    if (*q < '0' || *q > '9')
        return false;
    *min = strtoul(q, &end, 10);
    *max = *min;
    if (*end == ',') {
        *max = SIZE_MAX;
        if (end[1] >= '0' && end[1] <= '9')
            *max = strtoul(end + 1, &end, 10);
        else
            end++;
    }
    if (*end != '}' || *max < *min)
        return false;
    P->p = end + 1;
    return true;
}

/* The item at `at` again, with fresh positions: a copy for a count. */
static sf_frag sf_again(sf_parser *P, const char *at, bool caseless)
{
    const char *back = P->p;
    bool zero_width;
    P->p = at;
    sf_frag f = sf_atom(P, &caseless, &zero_width);
    P->p = back;
    return f;
}

/* An item and its quantifier. */
static sf_frag sf_quantified(sf_parser *P, bool *caseless)
{
    const char *at = P->p;
    const bool item_case = *caseless;
    bool zero_width;
    sf_frag f = sf_atom(P, caseless, &zero_width);
    size_t min = 1, max = 1;
    if (*P->p == '?')
        min = 0;
    else if (*P->p == '*')
        min = 0, max = SIZE_MAX;
    else if (*P->p == '+')
        max = SIZE_MAX;
    else if (*P->p == '{' && !sf_count(P, &min, &max))
        P->failed = true;
    if (P->failed || (min == 1 && max == 1))
        return f;
    if (*P->p == '?' || *P->p == '*' || *P->p == '+')
        P->p++;
    if (*P->p == '+') {
        P->p++;
        P->inexact = true; /* possessive: may lose matches */
    } else if (*P->p == '?') {
        P->p++; /* lazy: the same strings */
    }
    if (zero_width) {
        P->failed = true; /* a quantified assertion or option setting */
        return f;
    }
    /* min copies (at most SF_MAX_COPIES), then max - min optional ones, or a
     * star when max is unbounded or too large to copy */
    bool star = max > SF_MAX_COPIES;
    size_t copies = min < SF_MAX_COPIES ? min : SF_MAX_COPIES;
    P->inexact |= copies < min || (star && max != SIZE_MAX);
    size_t optional = star ? 1 : max - min;
    sf_frag out = copies ? f : sf_empty();
    bool used = copies > 0;
    for (size_t i = 1; i < copies && !P->failed; i++) {
        sf_frag c = sf_again(P, at, item_case);
        out = sf_cat(P, &out, &c);
    }
    for (size_t i = 0; i < optional && !P->failed; i++) {
        sf_frag c = used ? sf_again(P, at, item_case) : f;
        used = true;
        if (star)
            sf_link(P, &c.last, &c.first);
        c.nullable = true;
        out = sf_cat(P, &out, &c);
    }
    return out;
}

static bool sf_ends_item(char c)
{
    return c == '|' || c == ')' || !c;
}

/* The positions after a final \b of a lookahead's Y: a byte of the other
 * kind than the last (word or not) must follow, or the unit's end after a
 * word byte. */
static void sf_final_boundary(sf_parser *P, sf_frag *seq)
{
    sf_bytes word = {0, 0};
    sf_escape_bytes('w', &word);
    for (size_t w = 0; w * 64 < P->n_pos; w++)
        for (uint64_t bits = seq->last.w[w]; bits; bits &= bits - 1) {
            size_t p = w * 64 + (size_t)__builtin_ctzll(bits);
            bool words = !(P->bytes[p].lo & ~word.lo) && !(P->bytes[p].hi & ~word.hi);
            bool others = !(P->bytes[p].lo & word.lo) && !(P->bytes[p].hi & word.hi);
            if (words == others) {
                P->inexact = true; /* both kinds, or none */
                continue;
            }
            size_t *q = &P->boundary_pos[words ? 0 : 1];
            if (!*q) {
                sf_frag b = sf_position(P, words ? (sf_bytes){~word.lo, ~word.hi} : word);
                if (P->failed)
                    return;
                *q = P->n_pos; /* its index + 1 */
                sf_or(&P->accept, &b.first);
            }
            P->follow[p].w[(*q - 1) / 64] |= (uint64_t)1 << ((*q - 1) % 64);
        }
    if (seq->nullable)
        P->inexact = true;
    memset(&seq->last, 0, sizeof seq->last); /* no match ends before the boundary */
}

/* A negative lookahead (?!Y) that opens an alternative (after assertions
 * only): Y's text and whether it is caseless there. */
typedef struct sf_lookahead {
    const char *y, *y_end;
    bool caseless;
} sf_lookahead;

/* One alternative: items up to a '|', a ')' or the end; *opening, when
 * asked for, its opening negative lookahead (y NULL: none). */
static sf_frag sf_sequence(sf_parser *P, bool *caseless, sf_lookahead *opening)
{
    sf_frag seq = sf_empty();
    const unsigned depth = P->depth;
    if (opening)
        opening->y = NULL;
    while (!P->failed && !sf_ends_item(*P->p)) {
        if (P->veto && depth == 0 && P->p[0] == '\\' && P->p[1] == 'b' && sf_ends_item(P->p[2])) {
            P->p += 2;
            sf_final_boundary(P, &seq);
            continue;
        }
        bool at_start = seq.nullable;
        for (size_t w = 0; w < SF_WORDS; w++)
            at_start &= !seq.first.w[w];
        const char *item = P->p;
        bool item_case = *caseless;
        sf_frag next = sf_quantified(P, caseless);
        if (opening && at_start && !opening->y && !P->failed && item[0] == '(' && item[1] == '?' && item[2] == '!')
            *opening = (sf_lookahead){item + 3, P->p - 1 /* its ')' */, item_case};
        seq = sf_cat(P, &seq, &next);
    }
    return seq;
}

/* Alternatives up to a ')' or the end. (?i) in one holds for the rest of
 * the group, the later alternatives too. */
static sf_frag sf_alternation(sf_parser *P, bool caseless)
{
    sf_frag all = sf_sequence(P, &caseless, NULL);
    while (!P->failed && *P->p == '|') {
        P->p++;
        sf_frag seq = sf_sequence(P, &caseless, NULL);
        sf_alt(&all, &seq);
    }
    return all;
}

/* A hash of a set of positions, its first n_words words. */
static uint64_t sf_hash(const sf_set *s, size_t n_words)
{
    uint64_t h = 0;
    for (size_t w = 0; w < n_words; w++)
        h = (h ^ s->w[w]) * 0x100000001b3u;
    return h ^ (h >> 29);
}

/* The DFA's states while it is made: their positions, depth and a hash
 * table of them (open addressing, SF_HASH slots of state index + 1). */
#define SF_HASH (2 * SF_MAX_STATES)
typedef struct sf_states {
    sf_set set[SF_MAX_STATES];
    uint64_t hash[SF_MAX_STATES];
    unsigned char depth[SF_MAX_STATES];
    uint16_t slot[SF_HASH];
    size_t n, n_words;
} sf_states;

/* The number of the state with positions s, added if new; SIZE_MAX when
 * there is no room. */
static size_t sf_state(sf_states *st, const sf_set *s, unsigned depth)
{
    uint64_t h = sf_hash(s, st->n_words);
    size_t i = (size_t)h % SF_HASH;
    for (; st->slot[i]; i = (i + 1) % SF_HASH) {
        size_t k = st->slot[i] - 1u;
        if (st->hash[k] == h && memcmp(&st->set[k], s, st->n_words * sizeof s->w[0]) == 0)
            return k;
    }
    if (st->n == SF_MAX_STATES)
        return SIZE_MAX;
    st->set[st->n] = *s;
    st->hash[st->n] = h;
    st->depth[st->n] = (unsigned char)depth;
    st->slot[i] = (uint16_t)(++st->n);
    return st->n - 1;
}

/* The DFA of the parsed pattern from positions `start`: a byte that takes
 * it to positions in `accept` ends it with SF_ACCEPT, as does the unit's end
 * in a state with positions in `at_end` (NULL: none), and where the model
 * stops (a non-ASCII byte, SF_MAX_DEPTH bytes, SF_MAX_STATES states) it
 * ends with `give_up`. */
static void sf_build(const sf_parser *P, const sf_set *start, const sf_set *accept, const sf_set *at_end,
                     unsigned give_up, sf_dfa *d)
{
    const size_t n_words = (P->n_pos + 63) / 64;
    /* bytes matched by the same positions share a class */
    sf_set *by_byte = hm_xcalloc(128, sizeof *by_byte);
    for (size_t i = 0; i < P->n_pos; i++)
        for (unsigned half = 0; half < 2; half++)
            for (uint64_t bits = half ? P->bytes[i].hi : P->bytes[i].lo; bits; bits &= bits - 1)
                by_byte[half * 64 + (unsigned)__builtin_ctzll(bits)].w[i / 64] |= (uint64_t)1 << (i % 64);
    uint64_t class_hash[128];
    unsigned char class_byte[128]; /* the first byte of each class */
    unsigned n_ascii = 0;
    for (unsigned c = 0; c < 128; c++) {
        uint64_t h = sf_hash(&by_byte[c], n_words);
        unsigned k = 0;
        while (k < n_ascii &&
               (class_hash[k] != h || memcmp(&by_byte[class_byte[k]], &by_byte[c], sizeof *by_byte) != 0))
            k++;
        if (k == n_ascii) {
            class_hash[k] = h;
            class_byte[n_ascii++] = (unsigned char)c;
        }
        d->byte_class[c] = (unsigned char)k;
    }
    free(by_byte);
    const unsigned non_ascii = n_ascii, end = n_ascii + 1;
    memset(d->byte_class + 128, (int)non_ascii, 128);
    d->width = n_ascii + 2;
    /* each position's classes: a state's moves come from its positions' */
    sf_bytes *pos_classes = hm_xcalloc(P->n_pos ? P->n_pos : 1, sizeof *pos_classes);
    for (size_t i = 0; i < P->n_pos; i++)
        for (unsigned half = 0; half < 2; half++)
            for (uint64_t bits = half ? P->bytes[i].hi : P->bytes[i].lo; bits; bits &= bits - 1) {
                unsigned k = d->byte_class[half * 64 + (unsigned)__builtin_ctzll(bits)];
                sf_bytes_add(&pos_classes[i], k, k);
            }
    sf_states *st = hm_xmalloc(sizeof *st); /* only the slots need clearing */
    memset(st->slot, 0, sizeof st->slot);
    st->n = 0;
    st->n_words = n_words;
    sf_state(st, start, 0);
    sf_set *moves = hm_xcalloc(n_ascii ? n_ascii : 1, sizeof *moves); /* [class]: the state's positions that take it */
    d->next = NULL;
    for (size_t i = 0; i < st->n; i++) {
        d->next = hm_xrealloc(d->next, (i + 2) * d->width * sizeof *d->next);
        if (i == 0)
            memset(d->next, 0, d->width * sizeof *d->next); /* no state's row */
        uint16_t *row = d->next + (i + 1) * d->width;
        memset(row, 0, d->width * sizeof *row); /* SF_DEAD */
        row[non_ascii] = (uint16_t)give_up;
        bool ends = false;
        for (size_t w = 0; at_end && w < n_words; w++)
            ends |= (st->set[i].w[w] & at_end->w[w]) != 0;
        row[end] = ends ? SF_ACCEPT : SF_DEAD;
        sf_bytes taken = {0, 0};
        for (size_t w = 0; w < n_words; w++)
            for (uint64_t bits = st->set[i].w[w]; bits; bits &= bits - 1) {
                size_t p = w * 64 + (size_t)__builtin_ctzll(bits);
                for (unsigned half = 0; half < 2; half++)
                    for (uint64_t ks = half ? pos_classes[p].hi : pos_classes[p].lo; ks; ks &= ks - 1) {
                        unsigned k = half * 64 + (unsigned)__builtin_ctzll(ks);
                        if (!sf_bytes_has(taken, k))
                            memset(&moves[k], 0, n_words * sizeof moves[k].w[0]);
                        sf_bytes_add(&taken, k, k);
                        moves[k].w[w] |= bits & -bits;
                    }
            }
        for (unsigned k = 0; k < n_ascii; k++) {
            if (!sf_bytes_has(taken, k))
                continue;
            bool done = false;
            for (size_t w = 0; w < n_words; w++)
                done |= (moves[k].w[w] & accept->w[w]) != 0;
            if (done || st->depth[i] + 1 >= SF_MAX_DEPTH) {
                row[k] = (uint16_t)(done ? SF_ACCEPT : give_up);
                continue;
            }
            sf_set next;
            memset(&next, 0, sizeof next);
            bool empty = true;
            for (size_t w = 0; w < n_words; w++)
                for (uint64_t bits = moves[k].w[w]; bits; bits &= bits - 1)
                    sf_or(&next, &P->follow[w * 64 + (size_t)__builtin_ctzll(bits)]);
            for (size_t w = 0; w < n_words; w++)
                empty &= !next.w[w];
            if (!empty) {
                size_t to = sf_state(st, &next, st->depth[i] + 1u);
                row[k] = (uint16_t)(to == SIZE_MAX ? give_up : (to + 1) * d->width);
            }
        }
    }
    free(moves);
    free(st);
    free(pos_classes);
}

/* Does byte c not end the DFA at once with SF_DEAD? */
static bool sf_opens(const sf_dfa *d, unsigned c)
{
    return d->next[d->width + d->byte_class[c]] != SF_DEAD;
}

static void sf_parser_free(sf_parser *P)
{
    free(P->bytes);
    free(P->follow);
}

/* The veto DFA of (?!Y): SF_ACCEPT when Y matches at the start, so that the
 * lookahead fails. False when the model of Y is not exact (then a veto
 * could be wrong): a "no" (SF_DEAD) is taken wherever the model stops. */
static bool sf_veto(const sf_lookahead *la, sf_dfa *d)
{
    char *y = hm_xstrndup(la->y, (size_t)(la->y_end - la->y));
    sf_parser P;
    memset(&P, 0, sizeof P);
    P.p = y;
    P.veto = true;
    sf_frag root = sf_alternation(&P, la->caseless);
    bool ok = !P.failed && !*P.p && !P.inexact && !root.nullable;
    if (ok) {
        sf_set at_end;
        memset(&at_end, 0, sizeof at_end);
        if (P.boundary_pos[0]) /* a word byte, then the unit's end: a boundary */
            at_end.w[(P.boundary_pos[0] - 1) / 64] |= (uint64_t)1 << ((P.boundary_pos[0] - 1) % 64);
        sf_or(&P.accept, &root.last);
        sf_build(&P, &root.first, &P.accept, &at_end, SF_DEAD, d);
    }
    sf_parser_free(&P);
    free(y);
    return ok;
}

/* The start filter of an anchored pattern, or NULL when the filter does not
 * model it. Top-level alternatives that open with a negative lookahead
 * whose Y is modelled exactly get DFAs of their own, with Y's as a veto;
 * the others share one. */
static hm_start_filter *start_filter_new(const char *pattern, bool caseless)
{
    sf_parser P;
    memset(&P, 0, sizeof P);
    P.p = pattern;
    sf_frag unguarded = sf_empty();
    bool any_unguarded = false, nullable = false;
    struct {
        sf_frag frag;
        sf_lookahead la;
    } *alts = NULL;
    size_t n_alts = 0;
    for (;;) {
        sf_lookahead la;
        sf_frag seq = sf_sequence(&P, &caseless, &la);
        nullable |= seq.nullable;
        if (la.y) {
            alts = hm_xrealloc(alts, (n_alts + 1) * sizeof *alts);
            alts[n_alts].frag = seq;
            alts[n_alts++].la = la;
        } else if (any_unguarded) {
            sf_alt(&unguarded, &seq);
        } else {
            unguarded = seq;
            any_unguarded = true;
        }
        if (P.failed || *P.p != '|')
            break;
        P.p++;
    }
    hm_start_filter *f = NULL;
    if (!P.failed && !*P.p && !nullable) {
        f = hm_xcalloc(1, sizeof *f);
        sf_set accept = P.accept;
        sf_or(&accept, &unguarded.last);
        for (size_t i = 0; i < n_alts; i++)
            sf_or(&accept, &alts[i].frag.last);
        if (any_unguarded)
            sf_build(&P, &unguarded.first, &accept, NULL, SF_ACCEPT, &f->unguarded);
        f->guarded = hm_xcalloc(n_alts ? n_alts : 1, sizeof *f->guarded);
        f->n_guarded = n_alts;
        for (size_t i = 0; i < n_alts; i++) {
            sf_build(&P, &alts[i].frag.first, &accept, NULL, SF_ACCEPT, &f->guarded[i].dfa);
            if (!sf_veto(&alts[i].la, &f->guarded[i].veto))
                f->guarded[i].veto.next = NULL;
        }
        for (unsigned c = 0; c < 256; c++) {
            bool opens = any_unguarded && sf_opens(&f->unguarded, c);
            for (size_t i = 0; i < n_alts; i++)
                opens |= sf_opens(&f->guarded[i].dfa, c);
            f->opens[c] = opens && (c & 0xC0) != 0x80;
        }
    }
    free(alts);
    sf_parser_free(&P);
    return f;
}

static void start_filter_free(hm_start_filter *f)
{
    if (!f)
        return;
    free(f->unguarded.next);
    for (size_t i = 0; i < f->n_guarded; i++) {
        free(f->guarded[i].dfa.next);
        free(f->guarded[i].veto.next);
    }
    free(f->guarded);
    free(f);
}

/* Units a rule runs over before its filter is made: making one costs as
 * much as some thousand anchored calls (a cold start's one essay would lose),
 * and it saves a few hundred an essay. */
#define SF_MAKE_AFTER 64

const hm_start_filter *hm_filter_of(const hm_pattern_filter *filter, const pcre2_code *re, bool now)
{
    hm_pattern_filter *pf = (hm_pattern_filter *)filter; /* only its atomics and what they guard change */
    if (atomic_load_explicit(&pf->made, memory_order_acquire))
        return pf->filter;
    if (!pf->source || !re)
        return NULL;
    if (!now && atomic_fetch_add_explicit(&pf->units, 1, memory_order_relaxed) + 1 < SF_MAKE_AFTER)
        return NULL;
    if (atomic_exchange_explicit(&pf->claimed, true, memory_order_relaxed))
        return NULL; /* another thread makes it */
    uint32_t opts = 0;
    pcre2_pattern_info(re, PCRE2_INFO_ARGOPTIONS, &opts);
    pf->filter = start_filter_new(pf->source, (opts & PCRE2_CASELESS) != 0);
    atomic_store_explicit(&pf->made, true, memory_order_release);
    return pf->filter;
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

/* How the DFA ends on text[at, to): SF_DEAD or SF_ACCEPT. */
static unsigned sf_run(const sf_dfa *d, const char *text, size_t at, size_t to)
{
    size_t row = d->width; /* the start state's */
    for (size_t i = at; i < to; i++) {
        row = d->next[row + d->byte_class[(unsigned char)text[i]]];
        if (row <= SF_ACCEPT)
            return (unsigned)row;
    }
    return d->next[row + d->width - 1]; /* the unit's end */
}

bool hm_start_filter_passes(const hm_start_filter *f, const char *text, size_t at, size_t to)
{
    if (!f || (f->unguarded.next && sf_run(&f->unguarded, text, at, to) == SF_ACCEPT))
        return true;
    for (size_t i = 0; i < f->n_guarded; i++)
        if (sf_run(&f->guarded[i].dfa, text, at, to) == SF_ACCEPT &&
            !(f->guarded[i].veto.next && sf_run(&f->guarded[i].veto, text, at, to) == SF_ACCEPT))
            return true;
    return false;
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
    /* A rule of literal phrases is usually served by the phrase index: its
     * pattern is JIT-compiled only if the index cannot take it (hm_rules_jit). */
    bool phrases = r->n_phrases || r->n_swap;
    r->re = hm_compile_opts(cfg, source, ignorecase ? PCRE2_CASELESS : 0, unicode, !phrases, file, pline, pcol,
                            r->id, err);
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
        r->requires_slack = requires_slack(r->re);
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
        yaml_node_t *pn = pattern ? pattern : first;
        r->re_anchored = hm_compile_opts(cfg, (const char *)pn->data.scalar.value,
                                         PCRE2_ANCHORED | (ignorecase ? PCRE2_CASELESS : 0), unicode, true, file,
                                         (int)pn->start_mark.line + 1, (int)pn->start_mark.column + 1, r->id,
                                         err);
        if (!r->re_anchored)
            return false;
    }
    if (!r->re_anchored && !searched_byte_by_byte(r->re)) {
        free(r->filter.source); /* PCRE2 searches well enough without it */
        r->filter.source = NULL;
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

void hm_rules_jit(hm_config *cfg)
{
    if (!hm_jit_wanted(cfg))
        return;
    for (size_t i = 0; i < cfg->n_rules; i++) {
        hm_rule *r = &cfg->rules[i];
        size_t jit_size = 0;
        if (!r->re || hm_phrase_set_of_rule(cfg, r) >= 0 ||
            (pcre2_pattern_info(r->re, PCRE2_INFO_JITSIZE, &jit_size) == 0 && jit_size))
            continue;
        (void)pcre2_jit_compile(r->re, PCRE2_JIT_COMPLETE);
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

/* The first character's start from `at`, before `to` and at most
 * last_start, where the filter lets a match begin; SIZE_MAX when none. */
static size_t next_possible_start(const char *text, const hm_start_filter *f, size_t at, size_t to,
                                  size_t last_start)
{
    size_t end = last_start < to ? last_start + 1 : to;
    for (; at < end; at++)
        if (f->opens[(unsigned char)text[at]] && hm_start_filter_passes(f, text, at, to))
            return at;
    return SIZE_MAX;
}

/* hm_find_all for matches that start at or before last_start (none can
 * start later, by the rule's `requires`): no call is made past it. With
 * the pattern's filter, each search starts where a match may begin: for a
 * pattern that PCRE2 tries at every character, the filter rules most of
 * them out in a table step or two. */
static bool find_all_upto(hm_scan *scan, const pcre2_code *re, const hm_start_filter *filter, size_t from,
                          size_t to, size_t last_start, hm_match_fn fn, void *ud, const char *rule_id)
{
    const PCRE2_SPTR subject = (PCRE2_SPTR)scan->text;
    size_t offset = from;
    uint32_t options = 0;
    while (offset <= to && offset <= last_start) {
        if (filter && !options) {
            offset = next_possible_start(scan->text, filter, offset, to, last_start);
            if (offset == SIZE_MAX)
                break;
        }
        int rc = match_jit_first(re, subject, to, offset, options | PCRE2_NO_UTF_CHECK, scan->md,
                                 scan->cfg->mctx);
        if (rc == PCRE2_ERROR_NOMATCH) {
            if (!options)
                break;
            /* An empty match could not be extended: step one character. */
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
    return find_all_upto(scan, re, NULL, from, to, SIZE_MAX, fn, ud, rule_id);
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
        return find_all_upto(scan, r->re, NULL, from, to, last_start, fn, ud, r->id);
    const pcre2_code *re = r->re_anchored;
    const hm_start_filter *filter = hm_filter_of(&r->filter, r->re, false);
    const PCRE2_SPTR t = (PCRE2_SPTR)scan->text;
    const uint64_t m = (uint64_t)1 << bit;
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (pos[mid].pos < from)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t i = from;
    for (size_t k = lo; k < n && pos[k].pos < to && pos[k].pos <= last_start; k++) {
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
 * the same for all of a text's units: found once a rule by plan_rule. */
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
    return find_all_upto(scan, r->re, hm_filter_of(&r->filter, r->re, false), from, to, last_start, fn, ud, r->id);
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
            for (unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(d, nine), d)); m; m &= m - 1)
                occ_push(scan, i + (size_t)__builtin_ctz(m));
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

/* The first of n ascending positions at or after `from` (n when none). */
static size_t first_at_or_after(const uint32_t *pos, size_t n, size_t from)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (pos[mid] < from)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The last of n ascending positions of a string of len bytes in [from,
 * to - len], that is the last occurrence within [from, to); false when none. */
static bool last_within(const uint32_t *pos, size_t n, size_t len, size_t from, size_t to, size_t *last)
{
    if (len > to)
        return false;
    size_t k = first_at_or_after(pos, n, to - len + 1);
    if (k == 0 || pos[k - 1] < from)
        return false;
    *last = pos[k - 1];
    return true;
}

/* has_fold from the string's occurrences in the whole text, found once;
 * *last is where the last in [from, to) starts. */
static bool has_fold_fast(hm_scan *scan, size_t from, size_t to, const char *s, size_t *last)
{
    static const char digit_key[] = "\\d"; /* one list for every rule's '\d' */
    char needle[64];
    bool digits = strcmp(s, "\\d") == 0;
    size_t n = digits ? 1 : strlen(s);
    if (digits)
        s = digit_key;
    if (n >= sizeof needle || scan->len > UINT32_MAX || !scan->cfg->index) /* no index: as tests compare */
        return has_fold(scan->text, from, to, s, digits, last);
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
    return last_within(scan->occ_pos + o->first, o->n, n, from, to, last);
}

/* ---- requires: every rule's strings found in one pass ---- */

#define REQ_NONE UINT16_MAX /* a string asked about by has_fold_fast */
#define REQ_BUCKETS 1024

/* The bucket of a string that opens with folded bytes a, b. */
static unsigned req_bucket(unsigned char a, unsigned char b)
{
    return (((uint32_t)a << 8 | b) * 0x9E3779B1u) >> 22;
}

struct hm_requires_index {
    char **strings; /* folded, each once */
    uint8_t *len;
    size_t n;
    /* per rule: its strings' ids are ids[rule_first[r], rule_first[r + 1]),
     * REQ_NONE for '\d' and strings of 64 bytes or more */
    uint32_t *rule_first;
    uint16_t *ids;
    /* a bit per byte pair (as the text has it, by pair_key) that folds to
     * the start of a string: every pair for a 1-byte string */
    uint64_t pair[1024];
    /* the 2+ byte strings by their folded first two bytes' bucket
     * (req_bucket): order[first[b], first[b] + count[b]). A bucket holds
     * about one string, where a first byte alone held dozens to compare. */
    uint16_t first[REQ_BUCKETS], count[REQ_BUCKETS];
    uint16_t *order;
    int32_t single[256]; /* the 1-byte string of each folded byte, or -1 */
    /* a bit (req_triple) per folded first three bytes of a 3+ byte string,
     * and per third byte after a 2-byte one: most pairs that pass the pair
     * test ("es", "on", "st" ...) go on with a byte that starts no string */
    uint64_t triple[64];
};

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

hm_requires_index *hm_requires_index_new(const hm_config *cfg)
{
    hm_requires_index *ri = hm_xcalloc(1, sizeof *ri);
    size_t total = 0;
    for (size_t r = 0; r < cfg->n_rules; r++)
        total += cfg->rules[r].n_requires;
    ri->rule_first = hm_xcalloc(cfg->n_rules + 1, sizeof *ri->rule_first);
    ri->ids = hm_xcalloc(total + 1, sizeof *ri->ids);
    ri->strings = hm_xcalloc(total + 1, sizeof *ri->strings);
    ri->len = hm_xcalloc(total + 1, sizeof *ri->len);
    ri->order = hm_xcalloc(total + 1, sizeof *ri->order);
    size_t k = 0;
    char folded[64];
    for (size_t r = 0; r < cfg->n_rules; r++) {
        const hm_rule *rule = &cfg->rules[r];
        ri->rule_first[r] = (uint32_t)k;
        for (size_t i = 0; i < rule->n_requires; i++) {
            const char *s = rule->requires[i];
            size_t n = strlen(s), id = REQ_NONE;
            if (strcmp(s, "\\d") != 0 && n > 0 && n < sizeof folded) {
                for (size_t j = 0; j < n; j++)
                    folded[j] = (char)fold_ascii((unsigned char)s[j]);
                for (id = 0; id < ri->n; id++)
                    if (ri->len[id] == n && memcmp(ri->strings[id], folded, n) == 0)
                        break;
                if (id == ri->n && ri->n == REQ_NONE) /* too many: asked the old way */
                    id = REQ_NONE;
                else if (id == ri->n) {
                    ri->strings[id] = hm_xmalloc(n + 1);
                    memcpy(ri->strings[id], folded, n);
                    ri->strings[id][n] = 0;
                    ri->len[id] = (uint8_t)n;
                    ri->n++;
                }
            }
            ri->ids[k++] = (uint16_t)id;
        }
    }
    ri->rule_first[cfg->n_rules] = (uint32_t)k;
    for (unsigned c = 0; c < 256; c++)
        ri->single[c] = -1;
    for (size_t id = 0; id < ri->n; id++) {
        const unsigned char *s = (const unsigned char *)ri->strings[id];
        /* the pairs of bytes that fold to the string's first two (any
         * second byte for a 1-byte string) */
        const unsigned char a[2] = {s[0], unfold_ascii(s[0])};
        for (unsigned i = 0; i < 2; i++) {
            if (ri->len[id] == 1) {
                for (unsigned b = 0; b < 256; b++)
                    set_pair(ri->pair, a[i], (unsigned char)b);
            } else {
                set_pair(ri->pair, a[i], s[1]);
                set_pair(ri->pair, a[i], unfold_ascii(s[1]));
            }
        }
        if (ri->len[id] == 1) {
            ri->single[s[0]] = (int32_t)id;
        } else {
            ri->count[req_bucket(s[0], s[1])]++;
            if (ri->len[id] > 2)
                set_triple(ri->triple, s[0], s[1], s[2]);
            else
                for (unsigned c = 0; c < 256; c++)
                    set_triple(ri->triple, s[0], s[1], fold_ascii((unsigned char)c));
        }
    }
    unsigned at = 0;
    for (unsigned b = 0; b < REQ_BUCKETS; b++) {
        ri->first[b] = (uint16_t)at;
        at += ri->count[b];
        ri->count[b] = 0;
    }
    for (size_t id = 0; id < ri->n; id++)
        if (ri->len[id] > 1) {
            const unsigned char *s = (const unsigned char *)ri->strings[id];
            unsigned b = req_bucket(s[0], s[1]);
            ri->order[ri->first[b] + ri->count[b]++] = (uint16_t)id;
        }
    return ri;
}

void hm_requires_index_free(hm_requires_index *ri)
{
    if (!ri)
        return;
    for (size_t id = 0; id < ri->n; id++)
        free(ri->strings[id]);
    free(ri->strings);
    free(ri->len);
    free(ri->rule_first);
    free(ri->ids);
    free(ri->order);
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

/* The hits of the strings that the text at i (folded c, d; d 256 past the
 * end) starts with. */
static void requires_at(const hm_requires_index *ri, const unsigned char *t, size_t len, size_t i, unsigned c,
                        unsigned d, req_hit **hits, size_t *n_hits, size_t *cap_hits)
{
    if (ri->single[c] >= 0) {
        HM_GROW(*hits, *n_hits, *cap_hits);
        (*hits)[(*n_hits)++] = (req_hit){(uint32_t)i, (uint32_t)ri->single[c]};
    }
    if (d > 255)
        return;
    unsigned b = req_bucket((unsigned char)c, (unsigned char)d);
    for (unsigned k = ri->first[b], e = k + ri->count[b]; k < e; k++) {
        unsigned id = ri->order[k];
        const char *s = ri->strings[id];
        size_t n = ri->len[id], j = 2;
        if ((unsigned char)s[0] != c || (unsigned char)s[1] != d || n > len - i)
            continue;
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
    return ri->triple[k >> 6] >> (k & 63) & 1;
}

/* Where every string of the index occurs in the text, in one pass: a byte
 * pair that starts no string (most) costs a 2-byte load and a bit test (a
 * 1-byte string sets the bits of every pair it starts), and one that does
 * is asked about its third byte before the strings are compared. Positions
 * come in text order, so each string's (sorted out by a counting sort) are
 * sorted. */
static void requires_find(hm_scan *scan, const hm_requires_index *ri)
{
    const unsigned char *t = (const unsigned char *)scan->text;
    size_t len = scan->len, n_hits = 0, cap_hits = len / 16 + 64;
    req_hit *hits = hm_xmalloc(cap_hits * sizeof *hits);
    if (len) {
        for (size_t i = 0; i + 1 < len; i++) {
            unsigned p = pair_key(t + i);
            if (!(ri->pair[p >> 6] >> (p & 63) & 1))
                continue;
            unsigned c = fold_table[t[i]], d = fold_table[t[i + 1]];
            if (ri->single[c] >= 0 || i + 2 >= len || triple_has(ri, c, d, fold_table[t[i + 2]]))
                requires_at(ri, t, len, i, c, d, &hits, &n_hits, &cap_hits);
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

/* has_fold_fast for string `id` of the index. */
static bool requires_has(hm_scan *scan, const hm_requires_index *ri, unsigned id, size_t from, size_t to,
                         size_t *last)
{
    if (!scan->req_found)
        requires_find(scan, ri);
    const uint32_t *pos = scan->req_pos + scan->req_start[id];
    return last_within(pos, scan->req_start[id + 1] - scan->req_start[id], ri->len[id], from, to, last);
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
        if (find_all_upto(scan, r->re_second, hm_filter_of(&r->second_filter, r->re_second, false), from, to,
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

/* The rule's plan for this text: the tables' answers about it, asked once
 * rather than at every unit. */
static rule_plan plan_rule(const hm_scan *scan, const hm_rule *r)
{
    const hm_config *cfg = scan->cfg;
    const hm_requires_index *ri = cfg->requires_index;
    rule_plan plan = {r, NULL, hm_phrase_set_of_rule(cfg, r), r->re_anchored ? hm_starts_bit(cfg, r) : -1,
                      /* a rule of phrases is mostly served by the phrase index, which needs no bound */
                      !r->n_phrases && !r->n_swap, false, false};
    if (ri && cfg->index && scan->len <= UINT32_MAX && r >= cfg->rules && r < cfg->rules + cfg->n_rules) {
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

static void run_rule(hm_scan *scan, const hm_rule *r)
{
    const hm_document *doc = scan->doc;
    const rule_plan plan = plan_rule(scan, r);
    switch (r->scope) {
    case HM_SCOPE_TEXT:
        run_unit(scan, &plan, 0, scan->len);
        break;
    case HM_SCOPE_ESSAY:
    case HM_SCOPE_PARAGRAPH:
        if (r->scope == HM_SCOPE_ESSAY && (r->type == HM_RULE_OCCURRENCE || r->type == HM_RULE_CONDITIONAL)) {
            /* The essay as one unit: from its first to its last paragraph. */
            size_t a = SIZE_MAX, b = 0;
            for (size_t i = 0; i < doc->n_paras; i++)
                if (scored_para(&doc->paras[i])) {
                    if (a == SIZE_MAX)
                        a = doc->paras[i].start;
                    b = doc->paras[i].end;
                }
            if (a != SIZE_MAX)
                run_unit(scan, &plan, a, b);
            break;
        }
        for (size_t i = 0; i < doc->n_paras; i++)
            if (scored_para(&doc->paras[i]))
                run_unit(scan, &plan, doc->paras[i].start, doc->paras[i].end);
        break;
    case HM_SCOPE_SENTENCE:
        for (size_t i = 0; i < doc->n_sents; i++)
            if (scored_para(&doc->paras[doc->sents[i].para]))
                run_unit(scan, &plan, doc->sents[i].start, doc->sents[i].end);
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
        size_t n = scan->n_findings; /* quotations found so far */
        for (size_t i = 0; i < n; i++)
            if (scan->findings[i].kind == HM_KIND_QUOTATION)
                run_unit(scan, &plan, scan->findings[i].start, scan->findings[i].end);
        break;
    }
    }
}

void hm_rules_run(hm_scan *scan, hm_phase phase)
{
    for (size_t i = 0; i < scan->cfg->n_rules; i++) {
        const hm_rule *r = &scan->cfg->rules[i];
        hm_phase p = r->scope == HM_SCOPE_TEXT ? HM_PHASE_TEXT
                   : (r->scope == HM_SCOPE_INTRODUCTION || r->scope == HM_SCOPE_CONCLUSION ||
                      r->scope == HM_SCOPE_QUOTATION)
                       ? HM_PHASE_PARTS
                       : HM_PHASE_BODY;
        if (p != phase)
            continue;
        if (r->type == HM_RULE_NAMES)
            hm_scan_sort(scan); /* for its overlap queries */
        run_rule(scan, r);
    }
}
