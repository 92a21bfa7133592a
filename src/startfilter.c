#include "startfilter.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "shuffle.h"
#include "util.h"

/* A pattern's start filter.
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
 * figure-count's (?!1[0-9]{3}\b|...)\d{3,}). At a non-ASCII byte of the
 * text it answers "no" where no next position can match a non-ASCII
 * character (ASCII letters, digits and marks; \d, \s and \w without
 * PCRE2_UCP), so that a year before a dash or a pound sign ends the walk,
 * and "maybe" where one can (a non-ASCII letter, a negated class, \D,
 * under PCRE2_UCP \d, \s and \w, caseless i, k and s); and "maybe" after
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

/* How a walk of the DFA ends: no match, or maybe one. */
enum { SF_DEAD = 0, SF_ACCEPT = 1 };

/* Moves a walk makes before it asks whether it has ended (sf_run). */
#define SF_STEPS 4

/* A DFA over the bytes from a start: where it ends, SF_DEAD or SF_ACCEPT. */
typedef struct sf_dfa {
    /* bytes that no position tells apart share a class; the class before
     * the end's column is every non-ASCII byte's (a walk there gives up,
     * or ends SF_DEAD where no position can match such a byte) */
    unsigned char byte_class[256];
    unsigned width; /* the classes and a column for the unit's end */
    /* [row + class]: the next row. Row 0 is the end SF_DEAD's and row
     * `width` SF_ACCEPT's, each all itself, so that a walk may read on
     * past where it ended; state k's row is (k + 2) * width, the start
     * state is state 0. */
    uint16_t *next;
} sf_dfa;

/* d's row for a walk's end: SF_DEAD or SF_ACCEPT. */
static size_t sf_end_row(const sf_dfa *d, unsigned end)
{
    return end == SF_ACCEPT ? d->width : 0;
}

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
    /* The same bytes (and every non-ASCII byte when a non-ASCII one opens)
     * by nibbles, 16 at a time: bucket b is one high nibble's (all of
     * 8 to F share one), open_lo[x] has its bit when a byte of that high
     * nibble and low nibble x opens, open_hi[h] the bit of h's bucket. */
    unsigned char open_lo[16], open_hi[16];
    bool shuffle;      /* the CPU has SSSE3 and the bytes need 8 buckets at most */
    bool wide_shuffle; /* ... and AVX2: 32 bytes at a time */
    /* The walk from an opening byte outlives any prose (sf_lives_on_prose):
     * the byte alone answers. */
    bool opening_byte_decides;
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
    bool ucp;           /* \d, \s and \w as PCRE2_UCP has them */
    size_t n_pos, cap;
    sf_bytes *bytes; /* [position]: the ASCII bytes it matches */
    sf_set high;     /* positions that may match a non-ASCII character */
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

/* A new position matching bytes b, and non-ASCII characters when high. */
static sf_frag sf_position(sf_parser *P, sf_bytes b, bool high)
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
    if (high)
        P->high.w[i / 64] |= (uint64_t)1 << (i % 64);
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

/* Caseless, may bytes b match a non-ASCII character? i, k and s may (the
 * Kelvin sign, the long s; the dotted and dotless i, to be safe). */
static bool sf_case_high(sf_bytes b, bool caseless)
{
    return caseless && (sf_bytes_has(b, 'i') || sf_bytes_has(b, 'k') || sf_bytes_has(b, 's') ||
                        sf_bytes_has(b, 'I') || sf_bytes_has(b, 'K') || sf_bytes_has(b, 'S'));
}

/* Without PCRE2_UCP, do \d, \s and \w match no non-ASCII character? Code
 * points over 255 never do; those from 128 to 255 as the library's tables
 * say (the C locale's: none). Asked of the library once, not assumed. */
static bool classes_stay_ascii(void)
{
    static atomic_int known; /* 0: not asked yet, 1: they do, 2: not */
    int k = atomic_load_explicit(&known, memory_order_relaxed);
    if (k)
        return k == 1;
    char text[256]; /* U+0080 to U+00FF */
    for (unsigned c = 0x80; c < 0x100; c++) {
        text[2 * (c - 0x80)] = (char)(0xC0 | c >> 6);
        text[2 * (c - 0x80) + 1] = (char)(0x80 | (c & 0x3F));
    }
    int code;
    PCRE2_SIZE offset;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR) "[\\d\\s\\w]", PCRE2_ZERO_TERMINATED, PCRE2_UTF, &code, &offset, NULL);
    pcre2_match_data *md = re ? pcre2_match_data_create_from_pattern(re, NULL) : NULL;
    bool ascii = md && pcre2_match(re, (PCRE2_SPTR)text, sizeof text, 0, 0, md, NULL) == PCRE2_ERROR_NOMATCH;
    pcre2_match_data_free(md);
    pcre2_code_free(re);
    atomic_store_explicit(&known, ascii ? 1 : 2, memory_order_relaxed);
    return ascii;
}

/* May the escape \e (one sf_escape_bytes takes) match a non-ASCII
 * character? */
static bool sf_escape_high(const sf_parser *P, char e)
{
    if (e == 'D' || e == 'S' || e == 'W')
        return true;
    if (e == 'd' || e == 's' || e == 'w')
        return P->ucp || !classes_stay_ascii();
    return false;
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

/* [...]: the bytes of a class, P->p just past the '['; *high when it may
 * match a non-ASCII character. */
static sf_bytes sf_class(sf_parser *P, bool caseless, bool *high)
{
    sf_bytes b = {0, 0};
    sf_bytes props = {0, 0}; /* of \p and \P */
    /* bytes a member may match (caseless non-ASCII: the Kelvin sign is k,
     * the long s is s): matched by the class, negated or not, for a
     * negated class must not lose what its member might not take */
    sf_bytes maybe = {0, 0};
    bool negated = *P->p == '^', any = false;
    *high = negated;
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
            *high = true;
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
            *high |= sf_escape_high(P, s[1]);
            if (__builtin_popcountll(e.lo) + __builtin_popcountll(e.hi) != 1) {
                b.lo |= e.lo; /* a class escape: no range from it */
                b.hi |= e.hi;
                continue;
            }
            lo = e.lo ? (unsigned)__builtin_ctzll(e.lo) : 64 + (unsigned)__builtin_ctzll(e.hi);
        } else if ((unsigned char)*s >= 0x80) {
            P->p += sf_char_len(s);
            *high = true;
            P->inexact |= caseless;
            sf_bytes n = sf_non_ascii(caseless);
            maybe.lo |= n.lo;
            maybe.hi |= n.hi;
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
                *high = true;
                P->p = h + sf_char_len(h);
                P->inexact |= caseless;
                if (caseless) {
                    sf_bytes n = sf_non_ascii(true);
                    maybe.lo |= n.lo;
                    maybe.hi |= n.hi;
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
    *high |= sf_case_high(b, caseless);
    b.lo |= props.lo;
    b.hi |= props.hi;
    if (negated) {
        b.lo = ~b.lo;
        b.hi = ~b.hi;
    }
    b.lo |= maybe.lo;
    b.hi |= maybe.hi;
    if (any) {
        P->inexact = true;
        b.lo = b.hi = ~(uint64_t)0;
        *high = true;
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
    bool high = false;
    if (*s == '[') {
        P->p = s + 1;
        b = sf_class(P, *caseless, &high);
    } else if (*s == '\\') {
        if (s[1] == 'b' || s[1] == 'B' || s[1] == 'A' || s[1] == 'z' || s[1] == 'Z') {
            P->p = s + 2;
            P->inexact = true;
            *zero_width = true;
            return sf_empty();
        }
        if (s[1] == 'p' || s[1] == 'P') {
            high = true;
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
            high = sf_escape_high(P, s[1]) || sf_case_high(b, *caseless);
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
        high = true;
    } else if (*s == '*' || *s == '+' || *s == '?' || *s == '{' || *s == ')' || *s == '|' || !*s) {
        P->failed = true;
        return sf_empty();
    } else if ((unsigned char)*s >= 0x80) {
        P->p = s + sf_char_len(s);
        P->inexact |= *caseless;
        b = sf_non_ascii(*caseless);
        high = true;
    } else {
        P->p = s + 1;
        sf_bytes_add(&b, (unsigned char)*s, (unsigned char)*s);
        if (*caseless)
            sf_fold(&b);
        high = sf_case_high(b, *caseless);
    }
    return sf_position(P, b, high);
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
                sf_frag b = sf_position(P, words ? (sf_bytes){~word.lo, ~word.hi} : word,
                                        words || sf_escape_high(P, 'w'));
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
 * stops (a non-ASCII byte that a position of the state may match,
 * SF_MAX_DEPTH bytes, SF_MAX_STATES states) it ends with `give_up`; a
 * non-ASCII byte that none may match ends it with SF_DEAD. */
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
    const uint16_t accept_row = (uint16_t)sf_end_row(d, SF_ACCEPT), give_up_row = (uint16_t)sf_end_row(d, give_up);
    d->next = NULL;
    for (size_t i = 0; i < st->n; i++) {
        d->next = hm_xrealloc(d->next, (i + 3) * d->width * sizeof *d->next);
        if (i == 0) /* the ends' rows */
            for (size_t k = 0; k < d->width; k++) {
                d->next[k] = 0;
                d->next[d->width + k] = accept_row;
            }
        uint16_t *row = d->next + (i + 2) * d->width;
        memset(row, 0, d->width * sizeof *row); /* SF_DEAD */
        bool high = false;
        for (size_t w = 0; w < n_words; w++)
            high |= (st->set[i].w[w] & P->high.w[w]) != 0;
        row[non_ascii] = high ? give_up_row : 0;
        bool ends = false;
        for (size_t w = 0; at_end && w < n_words; w++)
            ends |= (st->set[i].w[w] & at_end->w[w]) != 0;
        row[end] = ends ? accept_row : 0;
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
                row[k] = done ? accept_row : give_up_row;
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
                row[k] = to == SIZE_MAX ? give_up_row : (uint16_t)((to + 2) * d->width);
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
    return d->next[2 * d->width + d->byte_class[c]] != 0;
}

static void sf_parser_free(sf_parser *P)
{
    free(P->bytes);
    free(P->follow);
}

/* Does d, from every ASCII byte that opens it, live on through any two
 * bytes of prose (a letter or blank, then a lowercase letter or blank)? Then
 * its walk from an opening byte runs on, mostly to SF_MAX_DEPTH, at some
 * nine instructions a byte, and rules out next to nothing that the byte
 * alone does not: quotation's quote marks open runs of any text. */
static bool sf_lives_on_prose(const sf_dfa *d)
{
    static const char second[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz \n",
                      third[] = "abcdefghijklmnopqrstuvwxyz \n";
    const size_t accept_row = sf_end_row(d, SF_ACCEPT);
    for (unsigned c = 0; c < 128; c++) {
        size_t r1 = d->next[2 * d->width + d->byte_class[c]];
        if (r1 == 0 || r1 == accept_row)
            continue;
        for (const char *b = second; *b; b++) {
            size_t r2 = d->next[r1 + d->byte_class[(unsigned char)*b]];
            if (r2 == 0)
                return false;
            for (const char *e = third; r2 != accept_row && *e; e++)
                if (d->next[r2 + d->byte_class[(unsigned char)*e]] == 0)
                    return false;
        }
    }
    return true;
}

/* The veto DFA of (?!Y): SF_ACCEPT when Y matches at the start, so that the
 * lookahead fails. False when the model of Y is not exact (then a veto
 * could be wrong): a "no" (SF_DEAD) is taken wherever the model stops. */
static bool sf_veto(const sf_lookahead *la, bool ucp, sf_dfa *d)
{
    char *y = hm_xstrndup(la->y, (size_t)(la->y_end - la->y));
    sf_parser P;
    memset(&P, 0, sizeof P);
    P.p = y;
    P.veto = true;
    P.ucp = ucp;
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

/* The nibble tables of f->opens, when its bytes need at most 8 buckets
 * (one for each ASCII high nibble, one for every non-ASCII byte). */
static void make_open_nibbles(hm_start_filter *f)
{
    unsigned bucket[16], n = 0, non_ascii = 16;
    for (unsigned h = 0; h < 16; h++) {
        bool used = false;
        for (unsigned l = 0; l < 16; l++)
            used |= f->opens[h << 4 | l];
        if (!used)
            bucket[h] = 16;
        else if (h < 8)
            bucket[h] = n++;
        else
            bucket[h] = non_ascii = non_ascii < 16 ? non_ascii : n++;
    }
    if (n > 8)
        return;
    for (unsigned c = 0; c < 256; c++)
        if (f->opens[c]) {
            unsigned char bit = (unsigned char)(1u << bucket[c >> 4]);
            for (unsigned l = 0; l < 16; l++)
                if (c >= 0x80 || l == (c & 15))
                    f->open_lo[l] |= bit;
            f->open_hi[c >> 4] |= bit;
        }
#if defined(HM_HAVE_SHUFFLE)
    f->shuffle = hm_cpu_has_shuffle();
    f->wide_shuffle = f->shuffle && hm_cpu_has_wide_shuffle();
#endif
}

/* The start filter of an anchored pattern, or NULL when the filter does not
 * model it. Top-level alternatives that open with a negative lookahead
 * whose Y is modelled exactly get DFAs of their own, with Y's as a veto;
 * the others share one. */
hm_start_filter *hm_start_filter_new(const char *pattern, bool caseless, bool ucp)
{
    sf_parser P;
    memset(&P, 0, sizeof P);
    P.p = pattern;
    P.ucp = ucp;
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
            if (!sf_veto(&alts[i].la, ucp, &f->guarded[i].veto))
                f->guarded[i].veto.next = NULL;
        }
        for (unsigned c = 0; c < 256; c++) {
            bool opens = any_unguarded && sf_opens(&f->unguarded, c);
            for (size_t i = 0; i < n_alts; i++)
                opens |= sf_opens(&f->guarded[i].dfa, c);
            f->opens[c] = opens && (c & 0xC0) != 0x80;
        }
        make_open_nibbles(f);
        f->opening_byte_decides = any_unguarded && !n_alts && sf_lives_on_prose(&f->unguarded);
    }
    free(alts);
    sf_parser_free(&P);
    return f;
}

void hm_start_filter_free(hm_start_filter *f)
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

/* The DFA's move from the state of `row` on byte c. */
static inline size_t sf_move(const sf_dfa *d, size_t row, char c)
{
    return d->next[row + d->byte_class[(unsigned char)c]];
}

/* How the DFA ends on text[at, to): SF_DEAD or SF_ACCEPT. SF_STEPS moves
 * a test while that many bytes are left (an ended walk stays so): a test a
 * move mispredicted about once a walk, where a walk of 1 to 7 bytes ends. */
static inline __attribute__((always_inline)) unsigned sf_run(const sf_dfa *d, const char *text, size_t at, size_t to)
{
    const size_t accept_row = d->width; /* the last end row */
    size_t row = 2 * d->width;          /* the start state's */
    size_t i = at;
    for (; i + SF_STEPS <= to; i += SF_STEPS) {
        for (unsigned k = 0; k < SF_STEPS; k++)
            row = sf_move(d, row, text[i + k]);
        if (row <= accept_row)
            return row ? SF_ACCEPT : SF_DEAD;
    }
    for (; i < to; i++)
        if ((row = sf_move(d, row, text[i])) <= accept_row)
            return row ? SF_ACCEPT : SF_DEAD;
    return d->next[row + d->width - 1] ? SF_ACCEPT : SF_DEAD; /* the unit's end */
}

bool hm_start_filter_passes(const hm_start_filter *f, const char *text, size_t at, size_t to)
{
    if (f && f->opening_byte_decides && at < to)
        return f->opens[(unsigned char)text[at]];
    if (!f || (f->unguarded.next && sf_run(&f->unguarded, text, at, to) == SF_ACCEPT))
        return true;
    for (size_t i = 0; i < f->n_guarded; i++)
        if (sf_run(&f->guarded[i].dfa, text, at, to) == SF_ACCEPT &&
            !(f->guarded[i].veto.next && sf_run(&f->guarded[i].veto, text, at, to) == SF_ACCEPT))
            return true;
    return false;
}

#if defined(HM_HAVE_SHUFFLE)
/* hm_start_filter_next over the 16-byte blocks from `at` that end by
 * `end`: the first place where the filter lets a match begin (SIZE_MAX
 * when none), or in *at where the blocks ended. */
__attribute__((target("ssse3"))) static size_t sf_next_blocks(const char *text, const hm_start_filter *f,
                                                              size_t *at, size_t end, size_t to)
{
    const __m128i lo = _mm_loadu_si128((const __m128i *)(const void *)f->open_lo),
                  hi = _mm_loadu_si128((const __m128i *)(const void *)f->open_hi);
    size_t i = *at;
    for (; i + 16 <= end; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(text + i));
        __m128i m = hm_nibble_lookup(v, lo, hi);
        for (unsigned bits = ~(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(m, _mm_setzero_si128())) & 0xFFFF; bits;
             bits &= bits - 1) {
            size_t p = i + (size_t)__builtin_ctz(bits);
            if (f->opens[(unsigned char)text[p]] && hm_start_filter_passes(f, text, p, to))
                return p;
        }
    }
    *at = i;
    return SIZE_MAX;
}

/* sf_next_blocks 32 bytes at a time, with AVX2. */
__attribute__((target("avx2"))) static size_t sf_next_blocks_wide(const char *text, const hm_start_filter *f,
                                                                  size_t *at, size_t end, size_t to)
{
    const __m256i lo = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(const void *)f->open_lo)),
                  hi = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(const void *)f->open_hi));
    size_t i = *at;
    for (; i + 32 <= end; i += 32) {
        __m256i m = hm_nibble_lookup_wide(_mm256_loadu_si256((const __m256i *)(const void *)(text + i)), lo, hi);
        for (unsigned bits = ~(unsigned)_mm256_movemask_epi8(_mm256_cmpeq_epi8(m, _mm256_setzero_si256())); bits;
             bits &= bits - 1) {
            size_t p = i + (size_t)__builtin_ctz(bits);
            if (f->opens[(unsigned char)text[p]] && hm_start_filter_passes(f, text, p, to))
                return p;
        }
    }
    *at = i;
    return SIZE_MAX;
}
#endif

/* The first character's start from `at`, before `to` and at most
 * last_start, where the filter lets a match begin; SIZE_MAX when none. */
size_t hm_start_filter_next(const char *text, const hm_start_filter *f, size_t at, size_t to,
                                  size_t last_start)
{
    size_t end = last_start < to ? last_start + 1 : to;
#if defined(HM_HAVE_SHUFFLE)
    if (f->wide_shuffle) { /* then the last block (under 32 bytes) 16 at a time */
        size_t p = sf_next_blocks_wide(text, f, &at, end, to);
        if (p != SIZE_MAX)
            return p;
    }
    if (f->shuffle) {
        size_t p = sf_next_blocks(text, f, &at, end, to);
        if (p != SIZE_MAX)
            return p;
    }
#endif
    for (; at < end; at++)
        if (f->opens[(unsigned char)text[at]] && hm_start_filter_passes(f, text, at, to))
            return at;
    return SIZE_MAX;
}

