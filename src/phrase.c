/* Phrase sets: literal alternatives found in one pass over the text. See
 * phrase.h for the design; the comments here say how each piece keeps the
 * compiled pattern's semantics. */
#include "phrase.h"
#include "shuffle.h"

#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* Character classes, as the patterns see them. */
enum { CP_LN = 1, CP_SPACE = 2, CP_WORD = 4, CP_LU = 8, CP_LL = 16, CP_L = 32 };

/* One literal alternative of a set. */
typedef struct phrase_lit {
    char *text;            /* lowercased when the set is caseless */
    uint32_t len;
    uint32_t key_len;      /* bytes of the first run of letters/numbers; 0: starts with another character */
    uint32_t key2_off, key2_len; /* the second run, if any (key2_len 0: none) */
    uint32_t set;
    uint32_t priority;     /* the pattern's order: at one start, the lowest that matches wins */
    uint32_t not_followed; /* a trailing (?!a|b): index into lookaheads, or UINT32_MAX */
    bool word_end;         /* a trailing \b */
    /* the folded first byte of the third run when it is ASCII, else 0: a
     * pair's group can be long ("on the ...": 164 lits), and this rules
     * out most of them with one compare */
    unsigned char key3;
    /* the first literal after this one whose key3 differs (n_lits at the
     * end; set_key3 makes both, and the image keeps them): a pair's group lists its literals in the pattern's order, where
     * those with one third run often follow each other ("on the other
     * hand", "on the one hand"), and a run of them that key3 rules out is
     * passed over in one step */
    uint32_t key3_run_end;
} phrase_lit;
/* hm_phrase_image_write copies a literal field by field: a field added
 * here must be added there too */
_Static_assert(sizeof(phrase_lit) == 48, "a field added to phrase_lit: update hm_phrase_image_write");

typedef struct phrase_set {
    bool caseless, spaces_any, ucp, usable;
    /* some literal ends in a space ("what mattered (?:most)?"): \s+ at the
     * end, which match_rest gives back as the pattern does */
    bool ends_in_space;
} phrase_set;

/* The literals of a trailing negative lookahead. */
typedef struct lookahead {
    char **alts;
    size_t n;
} lookahead;

/* A slot of the word table (lits keyed by their first run alone) or of
 * the pair table (lits keyed by their first two runs). */
typedef struct key_slot {
    /* the key's runs' first 8 bytes, ASCII folded, zeros after a run's end
     * (key_bytes8): find_run compares a run of up to 8 bytes with these in
     * one step, reading no literal */
    uint64_t key8, key2_8;
    uint32_t key_len, key2_len; /* key_len 0: an empty slot (a run has a byte) */
    /* a run of lits, all with this key: lits[first] is compared with runs
     * longer than 8 bytes */
    uint32_t first, count;
} key_slot;

/* Groups of start strings (hm_phrase_index.start_group): by three bytes
 * (three_bytes_bit), then the short strings by first byte. */
#define START_THREE_GROUPS 4096u
#define START_GROUPS (START_THREE_GROUPS + 256u)

/* Bytes, for finding start positions: an ASCII letter, digit or _; a
 * digit; the first byte of a non-ASCII character. */
enum { BC_WORD = 1, BC_DIGIT = 2, BC_LEAD = 4 };

/* The start strings' first four bytes by their nibbles, a bucket a bit
 * (start_nibbles_of): where a string starts, each of the four bytes
 * leaves its bucket (hm_nibble_lookup), so that find_starts asks 64
 * positions at once with SSSE3's byte shuffle, not each word start's two
 * bytes in a loop whose end the predictor missed once a block. A superset
 * of what strings_at finds; strings_at decides. */
typedef struct start_nibbles {
    unsigned char lo[4][16], hi[4][16];
    bool wide; /* the CPU has AVX2: 32 positions a step (start_nibbles_block_wide) */
} start_nibbles;

/* A string of some rules' `starts` (ASCII-folded) and which rules list it. */
typedef struct start_string {
    char *text;
    size_t len;
    uint64_t rules;
    uint64_t pre, mask;    /* its first 8 bytes (zero after its end) and a mask of them */
} start_string;

/* A slot of the keyword table and of the stop lists' table: what a probe
 * needs in one 32-byte slot (the tables are 64-byte aligned, so one cache
 * line), not the slot, an array of answers beside it and the string. A
 * keyword's bytes are kept folded (fold). */
typedef struct word_slot {
    uint64_t hash;
    uint32_t len;          /* 0: empty (no word is empty, and none is put in) */
    uint32_t bits;         /* the keyword's packs, or the word's stop lists (HM_NL_*) */
    /* the word's bytes when it has up to 16 (zeros after), else a pointer
     * to them (slot_text) */
    union {
        char bytes[16];
        const char *str;
    } text;
} word_slot;
_Static_assert(sizeof(word_slot) == 32, "two word_slots a cache line");
enum { SLOT_BYTES = 16 };

static inline const char *slot_text(const word_slot *sl)
{
    return sl->len <= SLOT_BYTES ? sl->text.bytes : sl->text.str;
}

static inline uint64_t fold8(uint64_t w);

/* Sets sl's text to s[0, n) (folded if `folded`), which outlives the table
 * when n > SLOT_BYTES. */
static void slot_set_text(word_slot *sl, const char *s, size_t n, bool folded)
{
    memset(&sl->text, 0, sizeof sl->text);
    if (n > SLOT_BYTES) {
        sl->text.str = s;
        return;
    }
    memcpy(sl->text.bytes, s, n);
    if (folded) {
        uint64_t lo = fold8(hm_load8(sl->text.bytes)), hi = fold8(hm_load8(sl->text.bytes + 8));
        memcpy(sl->text.bytes, &lo, sizeof lo);
        memcpy(sl->text.bytes + 8, &hi, sizeof hi);
    }
}

/* 16 bytes of 0xFF then 16 of 0: eight or sixteen loaded from 16 - n on
 * keep the first n bytes of as many (word_bytes16, first_bytes_mask). */
static const unsigned char ones_then_zeros[32] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                                                  0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};

/* The 16 bytes at w (a word of a text with HM_SOURCE_PAD bytes after it),
 * those from n (1 to SLOT_BYTES) on zero, as two loads: a slot's bytes to
 * compare with, no branch on the length. */
static inline void word_bytes16(const char *w, size_t n, uint64_t *lo, uint64_t *hi)
{
    *lo = hm_load8(w) & hm_load8(ones_then_zeros + SLOT_BYTES - n);
    *hi = hm_load8(w + 8) & hm_load8(ones_then_zeros + SLOT_BYTES + 8 - n);
}

/* An empty table of cap word_slots, 64-byte aligned, in a block of *block
 * (what to free): calloc's, so that the empty slots of a big table stay
 * untouched zero pages. */
static word_slot *new_word_slots(size_t cap, void **block)
{
    *block = hm_xcalloc(cap + 2, sizeof(word_slot));
    return (word_slot *)(((uintptr_t)*block + 63) & ~(uintptr_t)63);
}

/* The keyword and stop-list filters, a bit per word's hash: an essay asks
 * some 1,250 words of the one and 200 of the other, and between analyses
 * the rest of the work evicts them, so that 8 KB filters missed the cache
 * some 125 and 80 times an analysis. At 4 KB the keyword filter lets
 * through 100 words an analysis, not 94 (85 are keywords); at 2 KB the
 * stop lists' 164 words, not 157 (156 listed). */
#define KEYWORD_FILTER_WORDS 512u
#define NAME_FILTER_WORDS 256u

struct hm_phrase_index {
    phrase_set *sets;
    size_t n_sets;
    int *rule_set;         /* per rule */
    int (*topic_set)[3];   /* per topic: people, events, terms */
    phrase_lit *lits;      /* grouped: keyed lits by key, then the rest by first byte */
    size_t n_lits;
    /* each lit's key3 in a row (16 zeros after the last), made with the
     * lits (set_key3, or read from the image): try_lits reads a pair's
     * group's key3s 16 at a time, not a line of lits for each */
    unsigned char *lit_key3;
    key_slot *words, *pairs;
    size_t cap_words, cap_pairs; /* powers of two */
    /* most words of an essay start no phrase: these answer them without a
     * probe into the tables. word_filter: two bits a key in one 64-bit word
     * (word_filter_has), 2 KB; pair_filter: a bit per 16 bits of hash, 8 KB */
    uint64_t word_filter[256], pair_filter[1024];
    uint32_t byte_first[256], byte_count[256];
    /* per byte: how long a quiet gap (quiet_gap) may be when the byte is
     * its second, 2 when no run and no literal opens with the byte, else 1
     * (made from byte_count by set_gap_second, not kept in the image) */
    unsigned char gap_second[256];
    lookahead *lookaheads;
    size_t n_lookaheads;
    /* every pack's keywords (folded), each with the packs (a bit each)
     * that list it */
    word_slot *keywords;
    size_t cap_keywords;
    void *keywords_block;  /* what keywords lies in (new_word_slots) */
    /* most of an essay's words are in no pack and no stop list, and the
     * tables are too big to probe without missing the cache */
    uint64_t keyword_filter[KEYWORD_FILTER_WORDS], name_filter[NAME_FILTER_WORDS];
    pcre2_code *re_ln, *re_space, *re_word, *re_lu, *re_ll, *re_l;
    /* the classes of non-ASCII characters met so far, shared by every scan
     * (and thread) of the configuration: CLASS_CACHE_SLOTS entries, each a
     * code point, its classes and a bit that it is set, in one word, so
     * that a relaxed load and store are all the sharing needs */
    _Atomic uint32_t *class_cache;
    struct hm_arena *texts; /* the literals' and lookaheads' strings */
    /* rules with `starts` (up to 64; a bit each): where each may begin */
    int *rule_start_bit;   /* per rule, -1: none */
    uint64_t start_all, start_digit, start_word_digit; /* rules with '\d', with '\b\d' */
    /* rules with a string that opens with a non-ASCII byte (made from the
     * strings by set_start_prefixes, not kept in the image) */
    uint64_t start_lead;
    /* some string opens with an ASCII byte that is no word byte (made
     * there too): else find_starts asks nothing between words */
    bool start_punct;
    start_string *start_strings; /* folded, each once, grouped by first byte */
    size_t n_start_strings;
    uint32_t start_first[256], start_count[256];
    /* per first byte: the second bytes its strings go on with (a bit each),
     * or start_short: one of them is a single byte */
    uint64_t start_second[256][4];
    bool start_short[256];
    /* start_second and start_short for the bytes as written: bit
     * two_bytes(c, c2) when a string opens with c, c2 as ASCII case folds them,
     * or is c alone (made by set_start_prefixes, not kept in the image), so
     * that find_starts tests a word's first two bytes with one load */
    uint64_t start_two[1024];
    /* the first three bytes of the strings of two or three bytes, a bit
     * each by three_bytes_bit (a 2-byte string's with every third byte),
     * and the first four of the longer ones by four_bytes_bit: most word
     * starts that pass start_second begin no string ("the" but not
     * "therefore") */
    uint64_t start_three[64], start_four[64];
    /* copies of the strings in groups (strings_at reads them in a row, not
     * through an index), group g at start_grouped[start_group[g] ..
     * start_group[g + 1]): first those of three
     * bytes or more by three_bytes_bit of their first three, then those of
     * one or two bytes by their first byte, so that strings_at compares the
     * few strings a text position can start, not all with its first byte
     * (made by set_start_prefixes, not kept in the image) */
    uint32_t start_group[START_GROUPS + 1];
    start_string *start_grouped;
    uint8_t start_byte_class[256]; /* BC_* */
    /* made at the first find_starts that can use them (start_nibbles_of),
     * published once for every scan and thread */
    _Atomic(start_nibbles *) start_nibbles;
    /* the words of name detection's stop lists: which lists (HM_NL_*) hold each */
    word_slot *name_words;
    size_t cap_name_words;
    void *name_words_block;
    /* made from the build-time image: words, pairs, lit_key3 and the
     * strings point into it (not freed) */
    bool from_image;
};

typedef struct hm_phrase_hit {
    uint32_t start, end, priority;
    uint16_t set;
    bool tail_ok;          /* the end conditions hold against the text after the match */
} hm_phrase_hit;

/* ---- characters ---- */

static bool ascii_alnum(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Bytes folded (fold_tab), and ASCII letters and digits folded with every
 * other ASCII byte 0 and a non-ASCII byte 1 (run_tab): one load a byte in
 * the loops that hash and compare words. */
#define FOLD1(c) ((c) >= 'A' && (c) <= 'Z' ? (c) | 0x20 : (c)) /* | not +: no out-of-range constant in the branch not taken */
#define RUN1(c)                                                                                            \
    ((c) >= 0x80 ? 1 : ((c) >= 'A' && (c) <= 'Z') || ((c) >= 'a' && (c) <= 'z') || ((c) >= '0' && (c) <= '9') \
                           ? FOLD1(c)                                                                      \
                           : 0)
#define TAB4(F, b) F(b), F((b) + 1), F((b) + 2), F((b) + 3)
#define TAB16(F, b) TAB4(F, b), TAB4(F, (b) + 4), TAB4(F, (b) + 8), TAB4(F, (b) + 12)
#define TAB64(F, b) TAB16(F, b), TAB16(F, (b) + 16), TAB16(F, (b) + 32), TAB16(F, (b) + 48)
static const unsigned char fold_tab[256] = {TAB64(FOLD1, 0), TAB64(FOLD1, 64), TAB64(FOLD1, 128),
                                            TAB64(FOLD1, 192)};
static const unsigned char run_tab[256] = {TAB64(RUN1, 0), TAB64(RUN1, 64), TAB64(RUN1, 128), TAB64(RUN1, 192)};

static inline unsigned char fold(unsigned char c)
{
    return fold_tab[c];
}

/* Eight bytes (as loaded from memory) with ASCII capitals folded, as fold
 * does each: a capital's high bit clear, at least 'A' and at most 'Z',
 * found without carries between the bytes. */
static inline uint64_t fold8(uint64_t w)
{
    const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
    uint64_t low7 = w & ~highs;
    uint64_t upper = (low7 + ones * (0x80 - 'A')) & ~(low7 + ones * (0x80 - 'Z' - 1)) & ~w & highs;
    return w | upper >> 2;
}

/* The mask of the first n (at most 8) of eight bytes as loaded from memory. */
static inline uint64_t first_bytes_mask(size_t n)
{
    uint64_t m;
    memcpy(&m, ones_then_zeros + 16 - n, sizeof m);
    return m;
}

static size_t utf8_len(unsigned char c)
{
    return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

#if defined(__SSE2__)
/* How many of the 16 bytes at p, from the first, are ASCII small letters
 * (16: all of them). */
static inline unsigned ascii_small16(const unsigned char *p)
{
    __m128i a = _mm_loadu_si128((const __m128i *)(const void *)p);
    __m128i d = _mm_sub_epi8(a, _mm_set1_epi8('a'));
    __m128i letter = _mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(25)), d);
    unsigned other = ~(unsigned)_mm_movemask_epi8(letter) & 0xFFFF;
    return other ? (unsigned)__builtin_ctz(other) : 16;
}
#endif

/* The classes of the character at text[i] (UCP semantics for space and
 * word; letters and numbers are Unicode either way). Non-ASCII characters
 * ask PCRE2 itself, so the classes agree with the patterns exactly. */
#define ASCII_CLASS(c)                                                                                     \
    ((c) >= 'A' && (c) <= 'Z'   ? CP_LN | CP_WORD | CP_L | CP_LU                                            \
     : (c) >= 'a' && (c) <= 'z' ? CP_LN | CP_WORD | CP_L | CP_LL                                            \
     : (c) >= '0' && (c) <= '9' ? CP_LN | CP_WORD                                                           \
     : (c) == '_'               ? CP_WORD                                                                   \
     : (c) == ' ' || ((c) >= '\t' && (c) <= '\r') ? CP_SPACE                                                \
                                : 0)
static const unsigned char ascii_class[128] = {TAB64(ASCII_CLASS, 0), TAB64(ASCII_CLASS, 64)};

static unsigned cp_class_slow(hm_scan *scan, size_t i, size_t *n);

static inline unsigned cp_class(hm_scan *scan, size_t i, size_t *n)
{
    unsigned char c = (unsigned char)scan->text[i];
    if (c < 0x80) {
        *n = 1;
        return ascii_class[c];
    }
    return cp_class_slow(scan, i, n);
}

#define CLASS_CACHE_BITS 9
#define CLASS_CACHE_SLOTS (1u << CLASS_CACHE_BITS)

/* cp_class for a non-ASCII character: from the configuration's cache, else
 * from PCRE2. Each essay meets a few such characters, mostly the same
 * ones (’ – “ ” é), and asking PCRE2 costs six matches. */
static unsigned cp_class_slow(hm_scan *scan, size_t i, size_t *n)
{
    unsigned char c = (unsigned char)scan->text[i];
    size_t k = utf8_len(c);
    if (i + k > scan->len)
        k = 1;
    *n = k;
    uint32_t cp = hm_utf8_next(scan->text, scan->len, &i);
    /* ſ and the Kelvin sign match s and k without case: leave such a text to the patterns. */
    if (cp == 0x17F || cp == 0x212A)
        scan->phrases_off = true;
    const hm_phrase_index *ix = scan->cfg->index;
    _Atomic uint32_t *slot = &ix->class_cache[(cp * 0x9E3779B1u) >> (32 - CLASS_CACHE_BITS)];
    uint32_t entry = atomic_load_explicit(slot, memory_order_relaxed);
    if ((entry & 1) && entry >> 7 == cp)
        return entry >> 1 & 63;
    const PCRE2_SPTR s = (PCRE2_SPTR)(scan->text + i - k);
    const struct {
        const pcre2_code *re;
        unsigned bit;
    } classes[] = {{ix->re_ln, CP_LN}, {ix->re_space, CP_SPACE}, {ix->re_word, CP_WORD},
                   {ix->re_lu, CP_LU}, {ix->re_ll, CP_LL},       {ix->re_l, CP_L}};
    unsigned cls = 0;
    for (size_t t = 0; t < sizeof classes / sizeof *classes; t++)
        if (pcre2_match(classes[t].re, s, k, 0, PCRE2_NO_UTF_CHECK, scan->md, NULL) >= 0)
            cls |= classes[t].bit;
    atomic_store_explicit(slot, cp << 7 | cls << 1 | 1, memory_order_relaxed);
    return cls;
}

/* Without Unicode properties, \s and \w are ASCII only. */
static unsigned set_class(hm_scan *scan, const phrase_set *set, size_t i, size_t *n)
{
    unsigned cls = cp_class(scan, i, n);
    if (!set->ucp && (unsigned char)scan->text[i] >= 0x80)
        cls &= CP_LN;
    return cls;
}

/* ---- arenas ---- */

/* Strings that live as long as the index (the literals' texts) or as long
 * as one fragment's expansion: one allocation per block, not per string. */
typedef struct arena_block {
    struct arena_block *next;
    size_t cap, used;
    char data[];
} arena_block;

typedef struct hm_arena {
    arena_block *head, *cur;
} hm_arena;

static char *arena_alloc(hm_arena *a, size_t n)
{
    for (;;) {
        arena_block *b = a->cur;
        if (b && b->cap - b->used >= n) {
            char *p = b->data + b->used;
            b->used += n;
            return p;
        }
        if (b && b->next) { /* after a reset: the blocks already made */
            a->cur = b->next;
            a->cur->used = 0;
            continue;
        }
        size_t cap = n > 32768 ? n : 32768;
        arena_block *nb = hm_xmalloc(sizeof *nb + cap);
        nb->next = NULL;
        nb->cap = cap;
        nb->used = 0;
        if (b)
            b->next = nb;
        else
            a->head = nb;
        a->cur = nb;
    }
}

static char *arena_strndup(hm_arena *a, const char *s, size_t n)
{
    char *p = arena_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

/* Forgets every string, keeping the blocks for reuse. */
static void arena_reset(hm_arena *a)
{
    a->cur = a->head;
    if (a->head)
        a->head->used = 0;
}

static void arena_free(hm_arena *a)
{
    for (arena_block *b = a->head, *next; b; b = next) {
        next = b->next;
        free(b);
    }
    a->head = a->cur = NULL;
}

/* ---- expanding fragments ---- */

/* A list of strings in an arena (the vector itself is malloc'd). */
typedef struct strvec {
    char **v;
    size_t n, cap;
    hm_arena *ar;
} strvec;

static void strvec_push(strvec *s, char *str)
{
    HM_GROW(s->v, s->n, s->cap);
    s->v[s->n++] = str;
}

static void strvec_add(strvec *s, const char *str, size_t n)
{
    strvec_push(s, arena_strndup(s->ar, str, n));
}

static void strvec_free(strvec *s)
{
    free(s->v);
    s->v = NULL;
    s->n = s->cap = 0;
}

enum { MAX_EXPANSIONS = 4096 };

/* Every a + b, in backtracking order (each a with every b). */
static bool concat(strvec *acc, const strvec *next)
{
    if (acc->n * next->n > MAX_EXPANSIONS)
        return false;
    if (next->n == 1) { /* one way on: extend every string */
        size_t lb = strlen(next->v[0]);
        for (size_t i = 0; lb && i < acc->n; i++) {
            size_t la = strlen(acc->v[i]);
            char *s = arena_alloc(acc->ar, la + lb + 1);
            memcpy(s, acc->v[i], la);
            memcpy(s + la, next->v[0], lb + 1);
            acc->v[i] = s;
        }
        return true;
    }
    strvec out = {.ar = acc->ar};
    out.cap = acc->n * next->n;
    out.v = hm_xmalloc((out.cap ? out.cap : 1) * sizeof *out.v);
    for (size_t i = 0; i < acc->n; i++) {
        size_t la = strlen(acc->v[i]);
        for (size_t j = 0; j < next->n; j++) {
            size_t lb = strlen(next->v[j]);
            char *s = arena_alloc(acc->ar, la + lb + 1);
            memcpy(s, acc->v[i], la);
            memcpy(s + la, next->v[j], lb + 1);
            out.v[out.n++] = s;
        }
    }
    strvec_free(acc);
    *acc = out;
    return true;
}

static bool parse_alts(const char **pp, const char *end, strvec *out, int depth);

/* One atom (a character, an escaped punctuation mark, a group or a class)
 * and its optional '?'. */
static bool parse_atom(const char **pp, const char *end, strvec *out, int depth)
{
    const char *p = *pp;
    unsigned char c = (unsigned char)*p;
    if (c == '(') {
        if (p + 2 < end && p[1] == '?' && p[2] == ':')
            p += 3;
        else if (p + 1 < end && p[1] != '?')
            p += 1;
        else
            return false; /* lookarounds, options, named groups */
        if (!parse_alts(&p, end, out, depth + 1) || p >= end || *p != ')')
            return false;
        p++;
    } else if (c == '[') {
        p++;
        if (p < end && *p == '^')
            return false;
        bool first = true;
        while (p < end && (*p != ']' || first)) {
            unsigned char a = (unsigned char)*p;
            if (a == '\\') {
                if (p + 1 >= end || ascii_alnum((unsigned char)p[1]) || (unsigned char)p[1] >= 0x80)
                    return false;
                a = (unsigned char)p[1];
                p += 2;
            } else if (a >= 0x80 || a == '[') {
                return false;
            } else {
                p++;
            }
            if (p + 1 < end && *p == '-' && p[1] != ']') {
                unsigned char b = (unsigned char)p[1];
                if (!ascii_alnum(a) || !ascii_alnum(b) || b < a || b - a > 26)
                    return false;
                for (unsigned ch = a; ch <= b; ch++) {
                    char s[1] = {(char)ch};
                    strvec_add(out, s, 1);
                }
                p += 2;
            } else {
                char s[1] = {(char)a};
                strvec_add(out, s, 1);
            }
            first = false;
        }
        if (p >= end || out->n == 0)
            return false;
        p++;
    } else if (c == '\\') {
        if (p + 1 >= end || ascii_alnum((unsigned char)p[1]) || (unsigned char)p[1] >= 0x80)
            return false; /* \b, \d, \s, \w, \x... */
        strvec_add(out, p + 1, 1);
        p += 2;
    } else if (strchr(".^$*+{}?|)]", c)) {
        return false;
    } else {
        size_t k = utf8_len(c);
        if (p + k > end)
            return false;
        strvec_add(out, p, k);
        p += k;
    }
    if (p < end && *p == '?') {
        p++;
        bool lazy = p < end && *p == '?';
        if (p < end && *p == '+')
            return false; /* possessive: never gives the option back */
        if (lazy)
            p++;
        if (lazy) {
            /* "" first */
            strvec_push(out, NULL);
            memmove(out->v + 1, out->v, (out->n - 1) * sizeof *out->v);
            out->v[0] = arena_strndup(out->ar, "", 0);
        } else {
            strvec_add(out, "", 0);
        }
    }
    if (p < end && strchr("*+{", *p))
        return false;
    *pp = p;
    return true;
}

/* A sequence of atoms up to '|', ')' or the end. */
static bool parse_seq(const char **pp, const char *end, strvec *out, int depth)
{
    strvec acc = {.ar = out->ar};
    strvec_add(&acc, "", 0);
    while (*pp < end && **pp != '|' && **pp != ')') {
        strvec atom = {.ar = out->ar};
        /* a run of plain characters (none quantified) is one atom */
        const char *q = *pp;
        while (q < end && !strchr("\\()[]{}.^$*+?|", *q)) {
            size_t k = utf8_len((unsigned char)*q);
            if (q + k > end || (q + k < end && strchr("?*+{", q[k])))
                break;
            q += k;
        }
        if (q > *pp) {
            strvec_add(&atom, *pp, (size_t)(q - *pp));
            *pp = q;
            bool ok = concat(&acc, &atom);
            strvec_free(&atom);
            if (!ok) {
                strvec_free(&acc);
                return false;
            }
            continue;
        }
        if (!parse_atom(pp, end, &atom, depth) || !concat(&acc, &atom)) {
            strvec_free(&atom);
            strvec_free(&acc);
            return false;
        }
        strvec_free(&atom);
    }
    for (size_t i = 0; i < acc.n; i++)
        strvec_push(out, acc.v[i]);
    free(acc.v);
    return true;
}

static bool parse_alts(const char **pp, const char *end, strvec *out, int depth)
{
    if (depth > 8)
        return false;
    for (;;) {
        if (!parse_seq(pp, end, out, depth) || out->n > MAX_EXPANSIONS)
            return false;
        if (*pp < end && **pp == '|') {
            (*pp)++;
            continue;
        }
        return true;
    }
}

/* Does s[0, n) end with an unescaped `tail`? */
static bool ends_with_unescaped(const char *s, size_t n, const char *tail)
{
    size_t k = strlen(tail);
    if (n < k || memcmp(s + n - k, tail, k) != 0)
        return false;
    size_t bs = 0;
    while (bs < n - k && s[n - k - 1 - bs] == '\\')
        bs++;
    return bs % 2 == 0;
}

/* A token fragment as literals in backtracking order, with what must hold
 * after them: a trailing \b and a trailing (?!a|b|...) are kept as
 * conditions. False when the fragment uses anything else. */
static bool expand_fragment(const char *frag, strvec *out, bool *word_end, strvec *not_followed)
{
    size_t n = strlen(frag);
    *word_end = false;
    if (ends_with_unescaped(frag, n, "\\b")) {
        *word_end = true;
        n -= 2;
    } else if (n && frag[n - 1] == ')') {
        /* a closing lookahead: find its "(?!" at depth 0 */
        int depth = 0;
        size_t open = SIZE_MAX;
        for (size_t i = n; i-- > 0;) {
            if (i > 0 && frag[i - 1] == '\\')
                continue;
            if (frag[i] == ')')
                depth++;
            else if (frag[i] == '(' && --depth == 0) {
                open = i;
                break;
            }
        }
        if (open != SIZE_MAX && open + 3 <= n && memcmp(frag + open, "(?!", 3) == 0) {
            const char *p = frag + open + 3, *end = frag + n - 1;
            if (!parse_alts(&p, end, not_followed, 0) || p != end)
                return false;
            n = open;
        }
    }
    if (!memchr(frag, '\\', n) && strcspn(frag, "()[]{}.^$*+?|") >= n) {
        /* plain text: itself (the common case) */
        if (!n)
            return false;
        strvec_add(out, frag, n);
        return true;
    }
    const char *p = frag, *end = frag + n;
    if (!parse_alts(&p, end, out, 0) || p != end)
        return false;
    /* A condition after the end applies to the last alternative only. */
    if ((*word_end || not_followed->n) && memchr(frag, '|', n)) {
        int depth = 0;
        for (size_t i = 0; i < n; i++) {
            if (frag[i] == '\\') {
                i++;
                continue;
            }
            depth += frag[i] == '(' ? 1 : frag[i] == ')' ? -1 : 0;
            if (frag[i] == '|' && depth == 0)
                return false;
        }
    }
    for (size_t i = 0; i < out->n; i++)
        if (!out->v[i][0])
            return false; /* an empty alternative */
    return true;
}

/* ---- building ---- */

typedef struct builder {
    hm_phrase_index *ix;
    size_t cap_lits, cap_sets;
    pcre2_match_data *md;
    hm_arena scratch; /* one fragment's expansion */
    bool latin1_checked, latin1_ok;
} builder;

static pcre2_code *class_re(const char *pattern);

static int new_set(builder *b, bool caseless, bool spaces_any, bool ucp)
{
    hm_phrase_index *ix = b->ix;
    HM_GROW(ix->sets, ix->n_sets, b->cap_sets);
    ix->sets[ix->n_sets] = (phrase_set){.caseless = caseless, .spaces_any = spaces_any, .ucp = ucp, .usable = true};
    return (int)ix->n_sets++;
}

typedef struct sized_item {
    const char *s;
    size_t len;
} sized_item;

static int by_length_desc(const void *a, const void *b)
{
    const sized_item *x = a, *y = b;
    return x->len < y->len ? 1 : x->len > y->len ? -1 : strcmp(x->s, y->s);
}

/* Adds one literal; false when the set cannot use it. */
/* A Latin-1 letter whose only other case, without case, is the code point
 * 0x20 away (U+00C0-U+00FE but for the signs × and ÷, ß, and Å and å,
 * which the Angstrom sign also matches): both are two bytes, C3 then a
 * byte that differs in 0x20. Checked against PCRE2 itself when used. */
static bool latin1_pair(builder *b, uint32_t cp)
{
    if (cp < 0xC0 || cp > 0xFE || cp == 0xD7 || cp == 0xF7 || cp == 0xDF || cp == 0xC5 || cp == 0xE5)
        return false;
    if (!b->latin1_checked) {
        /* the pattern's own caseless matching must agree */
        pcre2_code *re = class_re("(?i)\\x{e0}");
        const unsigned char upper[2] = {0xC3, 0x80};
        b->latin1_ok = re && pcre2_match(re, upper, 2, 0, 0, b->md, NULL) >= 0;
        pcre2_code_free(re);
        b->latin1_checked = true;
    }
    return b->latin1_ok;
}

static bool add_lit_cased(builder *b, int set, const char *s, uint32_t priority, bool word_end,
                          uint32_t not_followed);

static bool add_lit(builder *b, int set, const char *s, uint32_t priority, bool word_end, uint32_t not_followed)
{
    hm_phrase_index *ix = b->ix;
    const phrase_set *ps = &ix->sets[set];
    size_t n = strlen(s);
    if (!n)
        return false;
    size_t pairs = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80 && ps->caseless) {
            /* Unicode case folding is the pattern's job, but punctuation
             * (Latin-1's and U+2000-U+206F: curly quotes, dashes) has none,
             * and a Latin-1 letter such as ü has one other case: the
             * literal is added once with each. */
            size_t at = i;
            uint32_t cp = hm_utf8_next(s, n, &at);
            if (latin1_pair(b, cp)) {
                pairs++;
                i = at - 1;
                continue;
            }
            if (!((cp >= 0xA0 && cp <= 0xBF) || (cp >= 0x2000 && cp <= 0x206F)))
                return false;
            i = at - 1;
            continue;
        }
        if (ps->spaces_any && (c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'))
            return false;
        if (ps->spaces_any && c == ' ' && (i == 0 || s[i + 1] == ' '))
            return false;
        if (ps->spaces_any && c == ' ' && i + 1 == n) {
            /* \s+ at the end, given back by match_rest; not with a
             * lookahead after it */
            if (not_followed != UINT32_MAX)
                return false;
            ix->sets[set].ends_in_space = true;
        }
    }
    if (pairs) {
        if (pairs > 4)
            return false; /* 2^pairs literals: leave it to the pattern */
        char *v = hm_xmalloc(n + 1);
        memcpy(v, s, n + 1);
        size_t where[4], k = 0;
        for (size_t i = 0; i + 1 < n; i++)
            if ((unsigned char)v[i] == 0xC3 && latin1_pair(b, 0xC0 + (((unsigned char)v[i + 1] - 0x80) & 0x3F)) &&
                (unsigned char)v[i + 1] >= 0x80 && (unsigned char)v[i + 1] <= 0xBF && k < 4)
                where[k++] = i + 1;
        bool ok = k == pairs;
        for (unsigned m = 0; ok && m < (1u << k); m++) {
            for (size_t j = 0; j < k; j++)
                v[where[j]] = (char)(((unsigned char)s[where[j]] ^ (((m >> j) & 1) ? 0x20 : 0)));
            ok = add_lit_cased(b, set, v, priority, word_end, not_followed);
        }
        free(v);
        return ok;
    }
    return add_lit_cased(b, set, s, priority, word_end, not_followed);
}

/* add_lit for a literal whose non-ASCII characters are matched byte for byte. */
static bool add_lit_cased(builder *b, int set, const char *s, uint32_t priority, bool word_end,
                          uint32_t not_followed)
{
    hm_phrase_index *ix = b->ix;
    const phrase_set *ps = &ix->sets[set];
    size_t n = strlen(s);
    /* The first run of letters and numbers is the key, classified as the
     * text will be. */
    size_t k = 0;
    while (k < n) {
        unsigned char c = (unsigned char)s[k];
        if (c < 0x80) {
            if (!ascii_alnum(c))
                break;
            k++;
            continue;
        }
        size_t cl = utf8_len(c);
        if (k + cl > n || pcre2_match(ix->re_ln, (PCRE2_SPTR)s + k, cl, 0, 0, b->md, NULL) < 0)
            break;
        k += cl;
    }
    /* The second run, after the characters that separate it from the first. */
    size_t k2 = k, k2_end;
    while (k2 < n) {
        unsigned char c = (unsigned char)s[k2];
        size_t cl = utf8_len(c);
        if (c < 0x80 ? ascii_alnum(c)
                     : (k2 + cl <= n && pcre2_match(ix->re_ln, (PCRE2_SPTR)s + k2, cl, 0, 0, b->md, NULL) >= 0))
            break;
        k2 += c < 0x80 ? 1 : cl;
    }
    for (k2_end = k2; k2_end < n;) {
        unsigned char c = (unsigned char)s[k2_end];
        size_t cl = utf8_len(c);
        if (c < 0x80 ? !ascii_alnum(c)
                     : (k2_end + cl > n || pcre2_match(ix->re_ln, (PCRE2_SPTR)s + k2_end, cl, 0, 0, b->md, NULL) < 0))
            break;
        k2_end += c < 0x80 ? 1 : cl;
    }
    if (word_end && !ascii_alnum((unsigned char)s[n - 1]))
        return false;
    if (k == 0 && ps->spaces_any && s[0] == ' ')
        return false;
    HM_GROW(ix->lits, ix->n_lits, b->cap_lits);
    phrase_lit *l = &ix->lits[ix->n_lits++];
    l->text = arena_strndup(ix->texts, s, n);
    if (ps->caseless)
        for (char *p = l->text; *p; p++)
            *p = (char)fold((unsigned char)*p);
    l->len = (uint32_t)n;
    l->key_len = (uint32_t)k;
    l->key2_off = (uint32_t)k2;
    l->key2_len = k && k2 < n ? (uint32_t)(k2_end - k2) : 0;
    l->set = (uint32_t)set;
    l->priority = priority;
    l->word_end = word_end;
    l->not_followed = not_followed;
    return true;
}

static void drop_set_lits(hm_phrase_index *ix, int set)
{
    size_t kept = 0;
    for (size_t i = 0; i < ix->n_lits; i++)
        if (ix->lits[i].set != (uint32_t)set)
            ix->lits[kept++] = ix->lits[i]; /* (the dropped texts stay in the arena) */
    ix->n_lits = kept;
    ix->sets[set].usable = false;
}

static void collapse_spaces(char *s)
{
    char *out = s;
    for (const char *in = s; *in; in++)
        if (!(*in == ' ' && in[1] == ' '))
            *out++ = *in;
    *out = '\0';
}

/* A set from items as hm_alternation joins them: sorted longest first.
 * A space stands for any run of white space, in word lists and tokens. */
static int add_items(builder *b, char *const *items, size_t n, bool escaped, bool caseless, bool ucp)
{
    int set = new_set(b, caseless, true, ucp);
    if (!n) {
        b->ix->sets[set].usable = false;
        return set;
    }
    sized_item *sorted = hm_xmalloc(n * sizeof *sorted);
    for (size_t i = 0; i < n; i++)
        sorted[i] = (sized_item){items[i], strlen(items[i])};
    qsort(sorted, n, sizeof *sorted, by_length_desc);
    uint32_t priority = 0;
    bool ok = true;
    for (size_t i = 0; ok && i < n; i++) {
        if (escaped) {
            ok = add_lit(b, set, sorted[i].s, priority++, false, UINT32_MAX);
            continue;
        }
        arena_reset(&b->scratch);
        strvec lits = {.ar = &b->scratch}, not_followed = {.ar = &b->scratch};
        bool word_end;
        ok = expand_fragment(sorted[i].s, &lits, &word_end, &not_followed);
        uint32_t la = UINT32_MAX;
        if (ok && not_followed.n) {
            hm_phrase_index *ix = b->ix;
            ix->lookaheads = hm_xrealloc(ix->lookaheads, (ix->n_lookaheads + 1) * sizeof *ix->lookaheads);
            char **alts = hm_xmalloc(not_followed.n * sizeof *alts);
            for (size_t k = 0; k < not_followed.n; k++) {
                alts[k] = arena_strndup(ix->texts, not_followed.v[k], strlen(not_followed.v[k]));
                for (char *p = alts[k]; caseless && *p; p++)
                    *p = (char)fold((unsigned char)*p);
            }
            ix->lookaheads[ix->n_lookaheads] = (lookahead){alts, not_followed.n};
            la = (uint32_t)ix->n_lookaheads++;
        }
        for (size_t k = 0; ok && k < lits.n; k++) {
            collapse_spaces(lits.v[k]); /* "to a (great)? ?extent": \s+\s* is \s+ */
            ok = add_lit(b, set, lits.v[k], priority++, word_end, la);
        }
        strvec_free(&lits);
        strvec_free(&not_followed);
    }
    free(sorted);
    if (!ok)
        drop_set_lits(b->ix, set);
    return set;
}

static int add_entries(builder *b, const hm_topic_entry *es, size_t n, bool caseless)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += es[i].n_aliases;
    char **all = hm_xmalloc((total ? total : 1) * sizeof *all);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t a = 0; a < es[i].n_aliases; a++)
            all[k++] = es[i].aliases[a];
    int set = add_items(b, all, total, true, caseless, true);
    free(all);
    return set;
}

static bool same_fold(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (fold((unsigned char)a[i]) != fold((unsigned char)b[i]))
            return false;
    return true;
}

static int lit_class(const phrase_lit *l)
{
    return !l->key_len ? 2 : l->key2_len ? 1 : 0;
}

static int cmp_fold(const char *a, size_t la, const char *b, size_t lb)
{
    size_t n = la < lb ? la : lb;
    for (size_t i = 0; i < n; i++) {
        int d = (int)fold((unsigned char)a[i]) - (int)fold((unsigned char)b[i]);
        if (d)
            return d;
    }
    return la < lb ? -1 : la > lb ? 1 : 0;
}

static uint64_t mix_pair(uint64_t h1, uint64_t h2)
{
    return h1 ^ (h2 * 0x9E3779B97F4A7C15ULL + (h1 << 6) + (h1 >> 2));
}

/* The slot of lit l's key, or the empty one where it goes. */
static key_slot *slot_for(key_slot *table, size_t cap, uint64_t h, const phrase_lit *lits, const phrase_lit *l,
                          bool pair)
{
    size_t s = (size_t)h & (cap - 1);
    for (; table[s].key_len; s = (s + 1) & (cap - 1)) {
        const phrase_lit *r = &lits[table[s].first];
        if (cmp_fold(r->text, r->key_len, l->text, l->key_len) == 0 &&
            (!pair || cmp_fold(r->text + r->key2_off, r->key2_len, l->text + l->key2_off, l->key2_len) == 0))
            return &table[s];
    }
    return &table[s];
}

/* Three folded bytes as one of 4096 bits, for tables that rule out most
 * words before they are hashed. */
static inline unsigned three_bytes_bit(unsigned char a, unsigned char b, unsigned char c)
{
    return (((uint32_t)a << 16 | (uint32_t)b << 8 | c) * 0x9E3779B1u) >> 20;
}

/* Four folded bytes as one of 4096 bits. */
static inline unsigned four_bytes_bit(unsigned char a, unsigned char b, unsigned char c, unsigned char d)
{
    return (((uint32_t)a << 24 | (uint32_t)b << 16 | (uint32_t)c << 8 | d) * 0x9E3779B1u) >> 20;
}

static inline bool bit_has(const uint64_t *bits, unsigned bit)
{
    return bits[bit >> 6] >> (bit & 63) & 1;
}

static inline void bit_add(uint64_t *bits, unsigned bit)
{
    bits[bit >> 6] |= (uint64_t)1 << (bit & 63);
}

/* The word filter: word h >> 40 & 255, bits h >> 48 and h (6 bits each;
 * FNV-1a's bits 40-47 and its low bits take the last byte straight, its
 * top bits only through carries). A run passes when both are set: fewer
 * false passes than a bit of 8 KB gave (4 an essay, not 11), from a
 * quarter of the lines (the pass touches most of them every essay, and the
 * rest of the analysis evicts them in between). Both bits are asked
 * without a branch between them: a branch on the first went either way. */
static inline bool word_filter_has(const uint64_t *filter, uint64_t h)
{
    uint64_t w = filter[h >> 40 & 255];
    return (w >> (h >> 48 & 63) & w >> (h & 63) & 1) != 0;
}

static void word_filter_add(uint64_t *filter, uint64_t h)
{
    filter[h >> 40 & 255] |= (uint64_t)1 << (h >> 48 & 63) | (uint64_t)1 << (h & 63);
}

/* The pair filter's bit for runs with hashes h1 and h2: what mix_pair
 * (the pair table's hash) would give costs a multiply at every run, and a
 * filter needs only 16 bits that both hashes move. */
static inline unsigned pair_filter_bit(uint64_t h1, uint64_t h2)
{
    return (unsigned)((h1 >> 40 ^ h2 >> 45) & 0xFFFF);
}

static void set_gap_second(hm_phrase_index *ix)
{
    for (unsigned c = 0; c < 256; c++)
        ix->gap_second[c] = (unsigned char)((run_tab[c] | ix->byte_count[c]) ? 1 : 2);
}

/* The keyword and stop-list filters (n_words 64-bit words, a power of two):
 * hash h's bit. */
static inline bool list_filter_has(const uint64_t *filter, size_t n_words, uint64_t h)
{
    size_t b = (size_t)(h >> 40) & (n_words * 64 - 1);
    return filter[b >> 6] >> (b & 63) & 1;
}

static void list_filter_add(uint64_t *filter, size_t n_words, uint64_t h)
{
    size_t b = (size_t)(h >> 40) & (n_words * 64 - 1);
    filter[b >> 6] |= (uint64_t)1 << (b & 63);
}

/* Groups the literals by key (the tables' slots want each key's literals
 * in one run) without sorting: each literal's group is found in a hash
 * table, the groups get consecutive places, and the literals keep their
 * order within a group. */
/* The group of a literal's key in a table of group numbers (+ 1; 0: free),
 * a new one when the key is new; hashes[g] and reps[g] describe group g. */
static uint32_t group_of(uint32_t *t, size_t cap, uint64_t h, const phrase_lit *lits, const phrase_lit *l,
                         bool pair, uint32_t i, uint64_t *hashes, uint32_t *reps, uint32_t *n_groups)
{
    size_t s = (size_t)h & (cap - 1);
    for (; t[s]; s = (s + 1) & (cap - 1)) {
        uint32_t g = t[s] - 1;
        const phrase_lit *r = &lits[reps[g]];
        if (hashes[g] == h && cmp_fold(r->text, r->key_len, l->text, l->key_len) == 0 &&
            (!pair || cmp_fold(r->text + r->key2_off, r->key2_len, l->text + l->key2_off, l->key2_len) == 0))
            return g;
    }
    uint32_t g = (*n_groups)++;
    hashes[g] = h;
    reps[g] = i;
    t[s] = g + 1;
    return g;
}

/* Each literal's key3 (see phrase_lit). Whatever separates the second
 * run from the third matches only characters that are not letters or
 * numbers, so in a match the third run's first byte is the first letter or
 * number after the text's second run. */
static void set_key3(hm_phrase_index *ix)
{
    free(ix->lit_key3);
    ix->lit_key3 = hm_xcalloc(ix->n_lits + 16, 1);
    /* from the last: key3_run_end asks the next literal's */
    for (size_t i = ix->n_lits; i-- > 0;) {
        phrase_lit *l = &ix->lits[i];
        l->key3 = 0;
        if (l->key2_len) {
            size_t k = (size_t)l->key2_off + l->key2_len;
            while (k < l->len && (unsigned char)l->text[k] < 0x80 && !ascii_alnum((unsigned char)l->text[k]))
                k++;
            if (k < l->len && ascii_alnum((unsigned char)l->text[k]))
                l->key3 = fold((unsigned char)l->text[k]);
        }
        l->key3_run_end = i + 1 < ix->n_lits && l[1].key3 == l->key3 ? l[1].key3_run_end : (uint32_t)(i + 1);
        ix->lit_key3[i] = l->key3;
    }
}

/* The first 8 bytes of s[0, n), folded (zeros after n), as key_slot keeps
 * them. */
static uint64_t key_bytes8(const char *s, size_t n)
{
    unsigned char b[8] = {0};
    memcpy(b, s, n < 8 ? n : 8);
    uint64_t w;
    memcpy(&w, b, sizeof w);
    return fold8(w);
}

/* The slot of the count lits from lits[first], which share a key (their
 * first run, and their second if they have one). */
static key_slot key_slot_of(const phrase_lit *lits, uint32_t first, uint32_t count)
{
    const phrase_lit *l = &lits[first];
    return (key_slot){key_bytes8(l->text, l->key_len), key_bytes8(l->text + l->key2_off, l->key2_len), l->key_len,
                      l->key2_len, first, count};
}

static void build_table(hm_phrase_index *ix)
{
    size_t n = ix->n_lits;
    /* what each literal's groups are: its first run (words), its first two
     * runs (pairs, class 1) or its first byte (class 2) */
    size_t keyed = 0, two = 0;
    for (size_t i = 0; i < n; i++) {
        keyed += ix->lits[i].key_len != 0;
        two += lit_class(&ix->lits[i]) == 1;
    }
    size_t cap_w = 16, cap_p = 16;
    while (cap_w < keyed * 2)
        cap_w *= 2;
    while (cap_p < two * 2)
        cap_p *= 2;
    uint32_t *wt = hm_xcalloc(cap_w, sizeof *wt), *pt = hm_xcalloc(cap_p, sizeof *pt);
    uint32_t *lit_word = hm_xmalloc((n + 1) * sizeof *lit_word), *lit_pair = hm_xmalloc((n + 1) * sizeof *lit_pair);
    uint64_t *word_hash = hm_xmalloc((n + 1) * sizeof *word_hash), *pair_hash = hm_xmalloc((n + 1) * sizeof *pair_hash);
    uint32_t *word_rep = hm_xmalloc((n + 1) * sizeof *word_rep), *pair_rep = hm_xmalloc((n + 1) * sizeof *pair_rep);
    uint32_t n_words = 0, n_pairs = 0;
    for (size_t i = 0; i < n; i++) {
        const phrase_lit *l = &ix->lits[i];
        lit_word[i] = lit_pair[i] = UINT32_MAX;
        if (!l->key_len)
            continue;
        uint64_t h1 = hm_hash_bytes(l->text, l->key_len, true);
        lit_word[i] = group_of(wt, cap_w, h1, ix->lits, l, false, (uint32_t)i, word_hash, word_rep, &n_words);
        if (lit_class(l) == 1) {
            uint64_t h = mix_pair(h1, hm_hash_bytes(l->text + l->key2_off, l->key2_len, true));
            lit_pair[i] = group_of(pt, cap_p, h, ix->lits, l, true, (uint32_t)i, pair_hash, pair_rep, &n_pairs);
        }
    }
    free(wt);
    free(pt);
    /* places: single-run keys by word, two-run keys by pair, the rest by byte */
    uint32_t *word_at = hm_xcalloc((size_t)n_words + 1, sizeof *word_at);
    uint32_t *pair_at = hm_xcalloc((size_t)n_pairs + 1, sizeof *pair_at);
    uint32_t *word_count = hm_xcalloc((size_t)n_words + 1, sizeof *word_count);
    uint32_t *pair_count = hm_xcalloc((size_t)n_pairs + 1, sizeof *pair_count);
    uint32_t byte_at[256] = {0};
    for (size_t i = 0; i < n; i++) {
        const phrase_lit *l = &ix->lits[i];
        int cls = lit_class(l);
        if (cls == 0)
            word_count[lit_word[i]]++;
        else if (cls == 1)
            pair_count[lit_pair[i]]++;
        else
            ix->byte_count[(unsigned char)l->text[0]]++;
    }
    uint32_t at = 0;
    for (uint32_t w = 0; w < n_words; w++) {
        word_at[w] = at;
        at += word_count[w];
    }
    for (uint32_t p = 0; p < n_pairs; p++) {
        pair_at[p] = at;
        at += pair_count[p];
    }
    for (unsigned c = 0; c < 256; c++) {
        ix->byte_first[c] = ix->byte_count[c] ? at : 0;
        byte_at[c] = at;
        at += ix->byte_count[c];
    }
    phrase_lit *lits = hm_xmalloc((n + 1) * sizeof *lits);
    uint32_t *new_index = hm_xmalloc((n + 1) * sizeof *new_index);
    for (size_t i = 0; i < n; i++) {
        const phrase_lit *l = &ix->lits[i];
        int cls = lit_class(l);
        uint32_t to = cls == 0 ? word_at[lit_word[i]]++
                    : cls == 1 ? pair_at[lit_pair[i]]++
                               : byte_at[(unsigned char)l->text[0]]++;
        lits[to] = *l;
        new_index[i] = to;
    }
    free(ix->lits);
    ix->lits = lits;
    /* the tables, sized by distinct keys so that they stay in cache */
    size_t single_words = 0;
    for (uint32_t w = 0; w < n_words; w++)
        single_words += word_count[w] != 0;
    ix->cap_words = ix->cap_pairs = 16;
    while (ix->cap_words < single_words * 2)
        ix->cap_words *= 2;
    while (ix->cap_pairs < (size_t)n_pairs * 2)
        ix->cap_pairs *= 2;
    ix->words = hm_xcalloc(ix->cap_words, sizeof *ix->words);
    ix->pairs = hm_xcalloc(ix->cap_pairs, sizeof *ix->pairs);
    for (uint32_t w = 0; w < n_words; w++) {
        /* a first run that only opens pairs ("in the ...") needs no slot:
         * the pass asks the pair table at every word */
        if (!word_count[w])
            continue;
        uint64_t h = word_hash[w];
        uint32_t rep = new_index[word_rep[w]];
        word_filter_add(ix->word_filter, h);
        key_slot *s = slot_for(ix->words, ix->cap_words, h, ix->lits, &ix->lits[rep], false);
        /* word_at now points past the group */
        *s = key_slot_of(ix->lits, word_at[w] - word_count[w], word_count[w]);
    }
    for (uint32_t p = 0; p < n_pairs; p++) {
        uint64_t h = pair_hash[p];
        uint32_t rep = new_index[pair_rep[p]];
        const phrase_lit *l = &ix->lits[rep];
        bit_add(ix->pair_filter, pair_filter_bit(hm_hash_bytes(l->text, l->key_len, true),
                                                 hm_hash_bytes(l->text + l->key2_off, l->key2_len, true)));
        key_slot *s = slot_for(ix->pairs, ix->cap_pairs, h, ix->lits, &ix->lits[rep], true);
        *s = key_slot_of(ix->lits, pair_at[p] - pair_count[p], pair_count[p]);
    }
    free(lit_word);
    free(lit_pair);
    free(word_hash);
    free(pair_hash);
    free(word_rep);
    free(pair_rep);
    free(word_at);
    free(pair_at);
    free(word_count);
    free(pair_count);
    free(new_index);
    set_key3(ix);
    set_gap_second(ix);
}

/* The filters of the keyword and name tables, from their slots' hashes
 * (made here or read from the image). */
static void fill_word_filters(hm_phrase_index *ix)
{
    memset(ix->keyword_filter, 0, sizeof ix->keyword_filter);
    memset(ix->name_filter, 0, sizeof ix->name_filter);
    for (size_t i = 0; ix->keywords && i < ix->cap_keywords; i++)
        if (ix->keywords[i].len)
            list_filter_add(ix->keyword_filter, KEYWORD_FILTER_WORDS, ix->keywords[i].hash);
    for (size_t i = 0; ix->name_words && i < ix->cap_name_words; i++)
        if (ix->name_words[i].len)
            list_filter_add(ix->name_filter, NAME_FILTER_WORDS, ix->name_words[i].hash);
}

/* One table for choosing a pack: a word's lookup gives every pack that
 * counts it. The strings are the packs' own. */
static void index_keywords(hm_phrase_index *ix, const hm_config *cfg)
{
    if (cfg->n_topics == 0 || cfg->n_topics > 32)
        return;
    size_t total = 0;
    for (size_t t = 0; t < cfg->n_topics; t++)
        total += cfg->topics[t].keywords.count;
    ix->cap_keywords = 16;
    while (ix->cap_keywords < total * 2)
        ix->cap_keywords *= 2;
    ix->keywords = new_word_slots(ix->cap_keywords, &ix->keywords_block);
    for (size_t t = 0; t < cfg->n_topics; t++) {
        const hm_strset *kw = &cfg->topics[t].keywords;
        for (size_t i = 0; i < kw->cap; i++) {
            const hm_strset_slot *w = &kw->slots[i];
            /* an empty keyword matches no word */
            if (!w->str || !w->len)
                continue;
            uint64_t h = hm_hash_bytes(w->str, w->len, true);
            size_t s = (size_t)h & (ix->cap_keywords - 1);
            word_slot *k = &ix->keywords[s];
            for (; k->len && !(k->hash == h && k->len == w->len && same_fold(slot_text(k), w->str, w->len));
                 k = &ix->keywords[s])
                s = (s + 1) & (ix->cap_keywords - 1);
            if (!k->len) {
                k->hash = h;
                k->len = (uint32_t)w->len;
                slot_set_text(k, w->str, w->len, true);
            }
            k->bits |= (uint32_t)1 << t;
        }
    }
}

bool hm_topic_keywords_indexed(const hm_config *cfg)
{
    return cfg->index && cfg->index->keywords;
}

/* The keyword table's probe, out of line: the filters answer most words,
 * and without the probe's loop that answer saves and restores no registers.
 * w is a word of a text with HM_SOURCE_PAD bytes after it. */
static __attribute__((noinline)) uint32_t keyword_packs_probe(const hm_phrase_index *ix, const char *w, size_t n,
                                                              uint64_t h)
{
    /* a word that hashes alike is the keyword: up to 16 bytes, its bytes
     * folded in two words and compared with the slot's (kept folded);
     * longer, byte by byte */
    uint64_t lo = 0, hi = 0;
    if (n <= SLOT_BYTES) {
        word_bytes16(w, n, &lo, &hi);
        lo = fold8(lo);
        hi = fold8(hi);
    }
    for (size_t s = (size_t)h & (ix->cap_keywords - 1); ix->keywords[s].len; s = (s + 1) & (ix->cap_keywords - 1)) {
        const word_slot *k = &ix->keywords[s];
        if (k->hash != h || k->len != n)
            continue;
        if (n <= SLOT_BYTES ? ((hm_load8(k->text.bytes) ^ lo) | (hm_load8(k->text.bytes + 8) ^ hi)) == 0
                            : same_fold(k->text.str, w, n))
            return k->bits;
    }
    return 0;
}

/* A word the hash's filter let through: the probe, and the packs that
 * list it scored (the filter lets through about one word in seven that
 * no pack lists; a test of its first three bytes before the probe cost
 * more than the probes it saved). Out of line with the probe: the walk's
 * loop keeps only what every word needs in registers. */
static __attribute__((noinline)) void score_keyword(const hm_phrase_index *ix, const char *ws, size_t wl, uint64_t h,
                                                    unsigned weight, unsigned score[32])
{
    for (uint32_t packs = keyword_packs_probe(ix, ws, wl, h); packs; packs &= packs - 1)
        score[__builtin_ctz(packs)] += weight;
}

/* A word with more than ASCII letters and digits ("Stalin's", "Witte’s",
 * "Nazi-Soviet"): its stem (hm_possessive_stem) scored. Seldom met. */
static __attribute__((noinline, cold)) void score_other_word(const hm_phrase_index *ix, const char *text,
                                                              const hm_word *w, unsigned weight, unsigned score[32])
{
    const char *ws = text + w->start;
    size_t wl = hm_possessive_stem(ws, w->end - w->start);
    uint64_t h = wl == w->ascii_end - w->start ? w->ascii_hash : hm_hash_bytes(ws, wl, true);
    if (list_filter_has(ix->keyword_filter, KEYWORD_FILTER_WORDS, h))
        score_keyword(ix, ws, wl, h, weight, score);
}

void hm_topic_keyword_scores(const hm_config *cfg, const char *text, const hm_word *words, size_t n_words,
                             unsigned weight, unsigned score[32])
{
    const hm_phrase_index *ix = cfg->index;
    const uint64_t *filter = ix->keyword_filter;
    for (const hm_word *w = words, *end = words + n_words; w < end; w++) {
        /* most words are ASCII letters and digits alone, hashed already,
         * and in no pack: the hash's filter answers them, and nothing
         * else of the word is read */
        if (__builtin_expect(w->ascii_end != w->end, 0))
            score_other_word(ix, text, w, weight, score);
        else if (list_filter_has(filter, KEYWORD_FILTER_WORDS, w->ascii_hash))
            score_keyword(ix, text + w->start, w->end - w->start, w->ascii_hash, weight, score);
    }
}

static pcre2_code *class_re(const char *pattern)
{
    int code;
    PCRE2_SIZE offset;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
                                   PCRE2_UTF | PCRE2_UCP | PCRE2_ANCHORED, &code, &offset, NULL);
    return re;
}

static uint32_t arg_options(const pcre2_code *re)
{
    uint32_t o = 0;
    if (re)
        pcre2_pattern_info(re, PCRE2_INFO_ARGOPTIONS, &o);
    return o;
}

static int by_first_byte(const void *a, const void *b)
{
    const start_string *x = a, *y = b;
    return (unsigned char)x->text[0] - (unsigned char)y->text[0];
}

/* Every rule with `starts` (and its anchored pattern) gets a bit; the
 * strings of all of them go into one table by first byte, each once. */
/* A start string's group in start_group (see there). */
static unsigned start_group_of(const start_string *ss)
{
    const unsigned char *u = (const unsigned char *)ss->text;
    return ss->len >= 3 ? three_bytes_bit(u[0], u[1], u[2]) : START_THREE_GROUPS + u[0];
}

/* A byte and the byte its ASCII capital or small letter is (itself when
 * it is no letter). */
static unsigned char other_case(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ? c ^ 0x20 : c;
}

/* Two bytes as one number, in the host's order: one load. */
static inline unsigned two_bytes(const unsigned char *p)
{
    uint16_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* The bits of start_two for a (folded) start string u of n bytes. */
static void add_start_two(hm_phrase_index *ix, const unsigned char *u, size_t n)
{
    unsigned char firsts[2] = {u[0], other_case(u[0])};
    for (int a = 0; a < 2; a++) {
        unsigned char two[2] = {firsts[a], 0};
        if (n == 1) {
            for (unsigned c2 = 0; c2 < 256; c2++) {
                two[1] = (unsigned char)c2;
                bit_add(ix->start_two, two_bytes(two));
            }
            continue;
        }
        two[1] = u[1];
        bit_add(ix->start_two, two_bytes(two));
        two[1] = other_case(u[1]);
        bit_add(ix->start_two, two_bytes(two));
    }
}

/* Each start string's first 8 bytes as a word, for one compare in
 * strings_at, its first three bytes in start_three (or four in start_four), and the strings'
 * groups (a counting sort by start_group_of). */
static void set_start_prefixes(hm_phrase_index *ix)
{
    memset(ix->start_three, 0, sizeof ix->start_three);
    memset(ix->start_four, 0, sizeof ix->start_four);
    memset(ix->start_group, 0, sizeof ix->start_group);
    free(ix->start_grouped);
    ix->start_grouped = hm_xmalloc((ix->n_start_strings + 1) * sizeof *ix->start_grouped);
    for (size_t j = 0; j < ix->n_start_strings; j++)
        ix->start_group[start_group_of(&ix->start_strings[j]) + 1]++;
    for (unsigned g = 0; g < START_GROUPS; g++)
        ix->start_group[g + 1] += ix->start_group[g];
    uint32_t next[START_GROUPS];
    memcpy(next, ix->start_group, sizeof next);
    memset(ix->start_two, 0, sizeof ix->start_two);
    ix->start_lead = 0;
    ix->start_punct = false;
    for (size_t j = 0; j < ix->n_start_strings; j++) {
        start_string *ss = &ix->start_strings[j];
        unsigned char first = (unsigned char)ss->text[0];
        if (first >= 0x80)
            ix->start_lead |= ss->rules;
        else if (!ascii_alnum(first) && first != '_')
            ix->start_punct = true;
        unsigned char pre[8] = {0}, mask[8] = {0};
        size_t n = ss->len < 8 ? ss->len : 8;
        memcpy(pre, ss->text, n);
        memset(mask, 0xFF, n);
        memcpy(&ss->pre, pre, 8);
        memcpy(&ss->mask, mask, 8);
        const unsigned char *u = (const unsigned char *)ss->text;
        add_start_two(ix, u, ss->len);
        if (ss->len >= 4)
            bit_add(ix->start_four, four_bytes_bit(u[0], u[1], u[2], u[3]));
        else if (ss->len == 3)
            bit_add(ix->start_three, three_bytes_bit(u[0], u[1], u[2]));
        else if (ss->len == 2)
            for (unsigned c = 0; c < 256; c++)
                bit_add(ix->start_three, three_bytes_bit(u[0], u[1], (unsigned char)c));
    }
    /* copied with their prefixes and masks */
    for (size_t j = 0; j < ix->n_start_strings; j++)
        ix->start_grouped[next[start_group_of(&ix->start_strings[j])]++] = ix->start_strings[j];
}

static void index_starts(hm_phrase_index *ix, const hm_config *cfg)
{
    for (unsigned c = 0; c < 256; c++)
        ix->start_byte_class[c] = (uint8_t)((ascii_alnum((unsigned char)c) || c == '_' ? BC_WORD : 0) |
                                            (c >= '0' && c <= '9' ? BC_DIGIT : 0) | (c >= 0xC0 ? BC_LEAD : 0));
    ix->rule_start_bit = hm_xcalloc(cfg->n_rules + 1, sizeof *ix->rule_start_bit);
    int bits = 0;
    size_t cap = 0;
    for (size_t i = 0; i < cfg->n_rules; i++) {
        const hm_rule *r = &cfg->rules[i];
        ix->rule_start_bit[i] = -1;
        if (!r->re_anchored || !r->n_starts || bits == 64)
            continue;
        int bit = bits++;
        uint64_t m = (uint64_t)1 << bit;
        ix->rule_start_bit[i] = bit;
        ix->start_all |= m;
        for (size_t k = 0; k < r->n_starts; k++) {
            const char *s = r->starts[k];
            if (strcmp(s, "\\d") == 0) {
                ix->start_digit |= m;
                continue;
            }
            if (strcmp(s, "\\b\\d") == 0) {
                ix->start_word_digit |= m;
                continue;
            }
            size_t n = strlen(s), j;
            for (j = 0; j < ix->n_start_strings; j++)
                if (ix->start_strings[j].len == n && same_fold(ix->start_strings[j].text, s, n))
                    break;
            if (j == ix->n_start_strings) {
                if (ix->n_start_strings == cap) {
                    cap = cap ? 2 * cap : 16;
                    ix->start_strings = hm_xrealloc(ix->start_strings, cap * sizeof *ix->start_strings);
                }
                char *f = hm_xstrdup(s);
                for (size_t c = 0; c < n; c++)
                    f[c] = (char)fold((unsigned char)f[c]);
                ix->start_strings[ix->n_start_strings++] = (start_string){f, n, 0, 0, 0};
            }
            ix->start_strings[j].rules |= m;
        }
    }
    if (ix->n_start_strings)
        qsort(ix->start_strings, ix->n_start_strings, sizeof *ix->start_strings, by_first_byte);
    for (size_t j = 0; j < ix->n_start_strings; j++) {
        const start_string *ss = &ix->start_strings[j];
        unsigned char c = (unsigned char)ss->text[0];
        if (!ix->start_count[c])
            ix->start_first[c] = (uint32_t)j;
        ix->start_count[c]++;
        if (ss->len == 1) {
            ix->start_short[c] = true;
        } else {
            unsigned char c2 = (unsigned char)ss->text[1];
            ix->start_second[c][c2 >> 6] |= (uint64_t)1 << (c2 & 63);
        }
    }
    set_start_prefixes(ix);
}

/* The stop lists' hash, exact case, of a word of up to 16 bytes given as
 * its two 8-byte halves, zeros after its end (word_bytes16): no branch on
 * the length (a word's length is no foreseeable thing; the forms picked by
 * length that this replaced were some 130 mispredicts an analysis). */
static inline uint64_t name_hash16(size_t n, uint64_t lo, uint64_t hi)
{
    const uint64_t k1 = 0x9E3779B97F4A7C15ULL, k2 = 0xC2B2AE3D27D4EB4FULL;
    uint64_t h = ((uint64_t)n * k2 ^ lo) * k1;
    h = (h ^ hi) * k2;
    h ^= h >> 29;
    h *= k1;
    return h ^ h >> 32;
}

/* The stop lists' hash of s[0, n) for words of more than 16 bytes. */
static uint64_t name_hash_long(const char *s, size_t n)
{
    const uint64_t k1 = 0x9E3779B97F4A7C15ULL, k2 = 0xC2B2AE3D27D4EB4FULL;
    uint64_t h = (uint64_t)n * k2;
    for (size_t i = 0; i + 8 < n; i += 8)
        h = (h ^ hm_load8(s + i)) * k1;
    h ^= hm_load8(s + n - 8);
    h *= k1;
    h ^= h >> 29;
    h *= k2;
    return h ^ h >> 32;
}

static void index_name_lists(hm_phrase_index *ix, const hm_config *cfg)
{
    const hm_lists *l = &cfg->lists;
    const hm_list *lists[] = {l->places, l->bodies, l->nationalities, l->months, l->days,
                              l->event_words, l->sentence_starters, l->titles, l->given_names};
    size_t total = 0;
    for (size_t k = 0; k < sizeof lists / sizeof *lists; k++)
        total += lists[k] ? lists[k]->n : 0;
    /* at most two slots in three used (the keywords' table, a tenth of
     * the size, half): 32-byte slots at half the load were 64 KB more than
     * the 24-byte ones, for some 20 fewer misses an analysis */
    size_t cap = 64;
    while (cap < total + total / 2 + 2)
        cap *= 2;
    ix->name_words = new_word_slots(cap, &ix->name_words_block);
    ix->cap_name_words = cap;
    for (size_t k = 0; k < sizeof lists / sizeof *lists; k++) {
        for (size_t i = 0; lists[k] && i < lists[k]->n; i++) {
            const char *s = lists[k]->items[i];
            size_t n = strlen(s);
            if (!n) /* no word of a run is empty */
                continue;
            /* a list's word is not padded as a text is: its halves from a copy */
            char b[SLOT_BYTES] = {0};
            memcpy(b, s, n <= SLOT_BYTES ? n : 0);
            uint64_t h = n <= SLOT_BYTES ? name_hash16(n, hm_load8(b), hm_load8(b + 8)) : name_hash_long(s, n);
            size_t j = (size_t)h & (cap - 1);
            word_slot *sl = &ix->name_words[j];
            for (; sl->len && !(sl->hash == h && sl->len == n && memcmp(slot_text(sl), s, n) == 0);
                 sl = &ix->name_words[j])
                j = (j + 1) & (cap - 1);
            if (!sl->len) {
                sl->hash = h;
                sl->len = (uint32_t)n;
                slot_set_text(sl, s, n, false);
            }
            sl->bits |= 1u << k;
        }
    }
}

/* The lists' mask of the word s[0, n) (0: in none). */
static inline __attribute__((always_inline)) uint32_t name_word_lists(const hm_phrase_index *ix, const char *s,
                                                                      size_t n)
{
    uint64_t lo = 0, hi = 0, h;
    if (n <= SLOT_BYTES) {
        word_bytes16(s, n, &lo, &hi);
        h = name_hash16(n, lo, hi);
    } else {
        h = name_hash_long(s, n);
    }
    if (!list_filter_has(ix->name_filter, NAME_FILTER_WORDS, h))
        return 0;
    size_t cap = ix->cap_name_words;
    for (size_t j = (size_t)h & (cap - 1); ix->name_words[j].len; j = (j + 1) & (cap - 1)) {
        const word_slot *sl = &ix->name_words[j];
        if (sl->hash != h || sl->len != n)
            continue;
        /* the same hash and length: mostly the word; up to 16 bytes, its
         * halves compared with the slot's */
        if (n <= SLOT_BYTES) {
            if (((hm_load8(sl->text.bytes) ^ lo) | (hm_load8(sl->text.bytes + 8) ^ hi)) == 0)
                return sl->bits;
        } else if (memcmp(sl->text.str, s, n) == 0) {
            return sl->bits;
        }
    }
    return 0;
}

bool hm_name_run_lists(const hm_config *cfg, const char *text, const hm_name_run *run, uint32_t *masks)
{
    const hm_phrase_index *ix = cfg->index;
    if (!ix || !ix->name_words)
        return false;
    const struct hm_name_word *w = run->words;
    /* Three runs in four are one word: asked without the loop, whose end
     * after a count the branch history does not foretell was a mispredict. */
    if (run->n_words == 1) {
        masks[0] = name_word_lists(ix, text + w[0].start, w[0].end - w[0].start);
        return true;
    }
    for (size_t k = 0; k < run->n_words; k++)
        masks[k] = name_word_lists(ix, text + w[k].start, w[k].end - w[k].start);
    return true;
}


/* ---- the index made at build time (tools/mkpatterns.c) ----
 *
 * The index is a function of what the builder reads from the configuration
 * (and of PCRE2's Unicode tables). The image holds those inputs, written out
 * in one canonical byte stream, and the index built from them as flat data
 * (offsets, not pointers). hm_config_index takes the image only when the
 * configuration's inputs are byte for byte the image's; anything else, or
 * an image that does not read back exactly, and the index is built. */

#define IMAGE_MAGIC 0x49504d48u /* "HMPI" */
#define IMAGE_VERSION 7u /* 2: the word table holds only first runs with single-run literals; 3: name_hash,
                           * and each literal's key3 and key3_run_end; 4: the tables' slots keep their
                           * keys' first bytes, not their hashes, and the pair
                           * filter's bits are pair_filter_bit's; 5: the tables in the
                           * index's own layout, and those made from others kept; 6: the word
                           * filter two bits a key in 2 KB; 7: the keyword and stop-list tables'
                           * word_slots, their filters 4 and 2 KB, no keyword prefixes, name_hash16 */

typedef struct feed {
    hm_buf *out;              /* writing the inputs, or */
    const unsigned char *want; /* comparing them with the image's */
    size_t want_len, at;
    bool ok;
    bool builtin_image;       /* want: the built-in image's inputs */
} feed;

static void feed_bytes(feed *f, const void *p, size_t n)
{
    if (f->out) {
        hm_buf_put(f->out, p, n);
        return;
    }
    if (!f->ok || n > f->want_len - f->at || (n && memcmp(f->want + f->at, p, n) != 0)) {
        f->ok = false;
        return;
    }
    f->at += n;
}

static void feed_u64(feed *f, uint64_t v)
{
    feed_bytes(f, &v, sizeof v);
}

static void feed_str(feed *f, const char *s, size_t n)
{
    feed_u64(f, s ? n : UINT64_MAX);
    if (s)
        feed_bytes(f, s, n);
}

static void feed_strs(feed *f, char *const *v, size_t n)
{
    feed_u64(f, n);
    for (size_t i = 0; i < n; i++)
        feed_str(f, v[i], v[i] ? strlen(v[i]) : 0);
}

/* Everything hm_config_index reads, in the order it reads it. */
static void feed_inputs(feed *f, const hm_config *cfg)
{
    char version[64] = {0}, unicode[64] = {0};
    pcre2_config(PCRE2_CONFIG_VERSION, version);
    pcre2_config(PCRE2_CONFIG_UNICODE_VERSION, unicode);
    feed_str(f, version, strlen(version));
    feed_str(f, unicode, strlen(unicode));
    feed_u64(f, cfg->n_rules);
    for (size_t i = 0; i < cfg->n_rules; i++) {
        const hm_rule *r = &cfg->rules[i];
        feed_u64(f, arg_options(r->re));
        feed_u64(f, (uint64_t)r->type);
        feed_strs(f, r->swap_from, r->n_swap);
        feed_strs(f, r->phrases, r->n_phrases);
        feed_u64(f, r->phrases_escaped);
        feed_u64(f, r->re_anchored != NULL);
        feed_strs(f, r->starts, r->n_starts);
    }
    /* The packs and lists made with the built-in image (built.h) are its
     * inputs by construction: they come last, and need no comparison. */
    if (f->want && f->builtin_image && f->ok && hm_config_packs_built(cfg)) {
        f->at = f->want_len;
        return;
    }
    feed_u64(f, cfg->n_topics);
    for (size_t t = 0; t < cfg->n_topics; t++) {
        const hm_topic *tp = &cfg->topics[t];
        const hm_topic_entry *lists[2] = {tp->people, tp->events};
        size_t counts[2] = {tp->n_people, tp->n_events};
        for (int k = 0; k < 2; k++) {
            feed_u64(f, counts[k]);
            for (size_t e = 0; e < counts[k]; e++)
                feed_strs(f, lists[k][e].aliases, lists[k][e].n_aliases);
        }
        feed_strs(f, tp->terms, tp->n_terms);
        const hm_strset *kw = &tp->keywords;
        feed_u64(f, kw->cap);
        feed_u64(f, kw->count);
        for (size_t i = 0; i < kw->cap; i++)
            feed_str(f, kw->slots[i].str, kw->slots[i].str ? kw->slots[i].len : 0);
    }
    const hm_lists *l = &cfg->lists;
    const hm_list *lists[] = {l->places, l->bodies, l->nationalities, l->months, l->days,
                              l->event_words, l->sentence_starters, l->titles, l->given_names};
    for (size_t k = 0; k < sizeof lists / sizeof *lists; k++) {
        feed_u64(f, lists[k] != NULL);
        if (lists[k])
            feed_strs(f, lists[k]->items, lists[k]->n);
    }
}

/* Where a string lies in the image's texts; 0 for none (the texts open
 * with a NUL that is no string's). */
typedef uint32_t text_at;

static void put_align(hm_buf *b)
{
    static const char zeros[8];
    hm_buf_put(b, zeros, (8 - b->len % 8) % 8);
}

static void put_u64(hm_buf *b, uint64_t v)
{
    hm_buf_put(b, (const char *)&v, sizeof v);
}

static void put_block(hm_buf *b, const void *p, size_t n)
{
    put_u64(b, n);
    hm_buf_put(b, p, n);
    put_align(b);
}

/* A string of the image, NUL-terminated, into texts; its text_at into ats. */
static void put_text(hm_buf *texts, hm_buf *ats, const char *s, size_t n)
{
    text_at at = 0;
    if (s) {
        at = (text_at)texts->len;
        hm_buf_put(texts, s, n);
        hm_buf_putc(texts, '\0');
    }
    hm_buf_put(ats, (const char *)&at, sizeof at);
}

/* A table of start strings as the image holds them: the strings' pointers
 * NULL, their texts in texts and ats. */
static void put_start_strings(hm_buf *out, hm_buf *ats, hm_buf *texts, const start_string *ss, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        start_string flat = ss[i];
        put_text(texts, ats, flat.text, flat.len);
        flat.text = NULL;
        hm_buf_put(out, (const char *)&flat, sizeof flat);
    }
}

/* The image holds the index's tables as the loaded index uses them, each
 * string pointer NULL and the string's text_at in a block beside the
 * table, so that loading is copies and one fix-up a string; the tables
 * made from others (set_start_prefixes, fill_word_filters) are kept too. */
bool hm_phrase_image_write(const hm_config *cfg, hm_buf *out)
{
    const hm_phrase_index *ix = cfg->index;
    if (!ix || ix->from_image || !ix->rule_set)
        return false;
    hm_buf in = {0}, texts = {0}, lits = {0}, lit_at = {0}, las = {0}, kws = {0}, kw_at = {0}, starts = {0},
           start_at = {0}, grouped = {0}, grouped_at = {0}, names = {0}, name_at = {0};
    feed f = {.out = &in, .ok = true};
    feed_inputs(&f, cfg);
    hm_buf_putc(&texts, '\0'); /* text_at 0: none */
    for (size_t i = 0; i < ix->n_lits; i++) {
        const phrase_lit *l = &ix->lits[i];
        phrase_lit flat;
        memset(&flat, 0, sizeof flat); /* the padding too: the image is compared byte for byte */
        flat.len = l->len;
        flat.key_len = l->key_len;
        flat.key2_off = l->key2_off;
        flat.key2_len = l->key2_len;
        flat.set = l->set;
        flat.priority = l->priority;
        flat.not_followed = l->not_followed;
        flat.word_end = l->word_end;
        flat.key3 = l->key3;
        flat.key3_run_end = l->key3_run_end;
        hm_buf_put(&lits, (const char *)&flat, sizeof flat);
        put_text(&texts, &lit_at, l->text, l->len);
    }
    for (size_t i = 0; i < ix->n_lookaheads; i++) {
        put_u64(&las, ix->lookaheads[i].n);
        for (size_t k = 0; k < ix->lookaheads[i].n; k++) {
            put_u64(&las, texts.len);
            hm_buf_put(&texts, ix->lookaheads[i].alts[k], strlen(ix->lookaheads[i].alts[k]) + 1);
        }
    }
    /* a slot as it is but for a long word's pointer (its text is kept) */
    for (size_t i = 0; ix->keywords && i < ix->cap_keywords; i++) {
        word_slot flat = ix->keywords[i];
        put_text(&texts, &kw_at, flat.len ? slot_text(&flat) : NULL, flat.len);
        if (flat.len > SLOT_BYTES)
            flat.text.str = NULL;
        hm_buf_put(&kws, (const char *)&flat, sizeof flat);
    }
    put_start_strings(&starts, &start_at, &texts, ix->start_strings, ix->n_start_strings);
    put_start_strings(&grouped, &grouped_at, &texts, ix->start_grouped, ix->n_start_strings);
    for (size_t i = 0; ix->name_words && i < ix->cap_name_words; i++) {
        word_slot flat = ix->name_words[i];
        put_text(&texts, &name_at, flat.len ? slot_text(&flat) : NULL, flat.len);
        if (flat.len > SLOT_BYTES)
            flat.text.str = NULL;
        hm_buf_put(&names, (const char *)&flat, sizeof flat);
    }
    bool fits = texts.len < UINT32_MAX;
    if (fits) {
        uint64_t head[8] = {IMAGE_MAGIC,        IMAGE_VERSION,      sizeof(phrase_set),      sizeof(key_slot),
                            sizeof(phrase_lit), sizeof(word_slot), sizeof(hm_phrase_index), sizeof(start_string)};
        hm_buf_put(out, (const char *)head, sizeof head);
        put_block(out, in.data, in.len);
        put_block(out, texts.data, texts.len);
        put_block(out, ix->sets, ix->n_sets * sizeof *ix->sets);
        put_block(out, ix->rule_set, cfg->n_rules * sizeof *ix->rule_set);
        put_block(out, ix->topic_set, cfg->n_topics * sizeof *ix->topic_set);
        put_block(out, lits.data, lits.len);
        put_block(out, lit_at.data, lit_at.len);
        put_block(out, ix->lit_key3, ix->n_lits + 16);
        put_block(out, ix->words, ix->cap_words * sizeof *ix->words);
        put_block(out, ix->pairs, ix->cap_pairs * sizeof *ix->pairs);
        put_block(out, ix->word_filter, sizeof ix->word_filter);
        put_block(out, ix->pair_filter, sizeof ix->pair_filter);
        put_block(out, ix->byte_first, sizeof ix->byte_first);
        put_block(out, ix->byte_count, sizeof ix->byte_count);
        put_u64(out, ix->n_lookaheads);
        put_block(out, las.data, las.len);
        put_block(out, kws.data, kws.len);
        put_block(out, kw_at.data, kw_at.len);
        put_block(out, ix->keyword_filter, sizeof ix->keyword_filter);
        put_block(out, ix->name_filter, sizeof ix->name_filter);
        put_block(out, ix->rule_start_bit, cfg->n_rules * sizeof *ix->rule_start_bit);
        uint64_t masks[5] = {ix->start_all, ix->start_digit, ix->start_word_digit, ix->start_lead, ix->start_punct};
        put_block(out, masks, sizeof masks);
        put_block(out, starts.data, starts.len);
        put_block(out, start_at.data, start_at.len);
        put_block(out, ix->start_first, sizeof ix->start_first);
        put_block(out, ix->start_count, sizeof ix->start_count);
        put_block(out, ix->start_second, sizeof ix->start_second);
        put_block(out, ix->start_short, sizeof ix->start_short);
        put_block(out, ix->start_byte_class, sizeof ix->start_byte_class);
        put_block(out, ix->start_two, sizeof ix->start_two);
        put_block(out, ix->start_three, sizeof ix->start_three);
        put_block(out, ix->start_four, sizeof ix->start_four);
        put_block(out, ix->start_group, sizeof ix->start_group);
        put_block(out, grouped.data, grouped.len);
        put_block(out, grouped_at.data, grouped_at.len);
        put_block(out, names.data, names.len);
        put_block(out, name_at.data, name_at.len);
        put_u64(out, IMAGE_MAGIC);
    }
    hm_buf *bufs[] = {&in, &texts, &lits, &lit_at, &las, &kws, &kw_at, &starts, &start_at, &grouped, &grouped_at,
                      &names, &name_at};
    for (size_t i = 0; i < sizeof bufs / sizeof *bufs; i++)
        hm_buf_free(bufs[i]);
    return fits;
}

typedef struct reader {
    const unsigned char *p;
    size_t len, at;
    bool ok;
} reader;

static uint64_t get_u64(reader *r)
{
    uint64_t v = 0;
    if (!r->ok || r->len - r->at < sizeof v) {
        r->ok = false;
        return 0;
    }
    memcpy(&v, r->p + r->at, sizeof v);
    r->at += sizeof v;
    return v;
}

/* A block of exactly `want` bytes (SIZE_MAX: any), or NULL; *n its size. */
static const unsigned char *get_block(reader *r, size_t want, size_t *n)
{
    uint64_t len = get_u64(r);
    if (!r->ok || len > r->len - r->at || (want != SIZE_MAX && len != want)) {
        r->ok = false;
        return NULL;
    }
    const unsigned char *p = r->p + r->at;
    r->at += (size_t)len;
    r->at += (8 - r->at % 8) % 8;
    if (r->at > r->len)
        r->ok = false;
    if (n)
        *n = (size_t)len;
    return r->ok ? p : NULL;
}

/* A block of n elements of `size` bytes, any n; *n_out the count. */
static const unsigned char *get_array(reader *r, size_t size, size_t *n_out)
{
    size_t n = 0;
    const unsigned char *p = get_block(r, SIZE_MAX, &n);
    if (p && n % size)
        r->ok = false;
    *n_out = n / size;
    return r->ok ? p : NULL;
}

static void *memdup(const void *p, size_t n)
{
    void *q = hm_xmalloc(n ? n : 1);
    if (n)
        memcpy(q, p, n);
    return q;
}

/* The string at `at` (not 0) of the image's texts. Checked, NULL unless
 * it lies in the texts and ends at len; the built-in image's are not. */
static inline __attribute__((always_inline)) const char *image_string(const unsigned char *texts, size_t n_texts,
                                                                       text_at at, size_t len, bool check)
{
    if (check && (!at || at >= n_texts || len >= n_texts - at || texts[at + len] != '\0'))
        return NULL;
    return (const char *)texts + at;
}

static text_at text_at_of(const unsigned char *ats, size_t i)
{
    text_at at;
    memcpy(&at, ats + i * sizeof at, sizeof at);
    return at;
}

/* A table of start strings from the image, their texts pointed at. */
static start_string *image_start_strings(const unsigned char *table, const unsigned char *ats, size_t n,
                                         const unsigned char *texts, size_t n_texts, bool check, bool *ok)
{
    start_string *ss = hm_xmalloc((n + 1) * sizeof *ss);
    if (n)
        memcpy(ss, table, n * sizeof *ss);
    for (size_t i = 0; *ok && i < n; i++) {
        ss[i].text = (char *)(uintptr_t)image_string(texts, n_texts, text_at_of(ats, i), ss[i].len, check);
        *ok = *ok && ss[i].text && ss[i].len > 0;
    }
    return ss;
}

/* A table of word_slots (cap, empty) from a checked image's: the used
 * slots copied (the empty ones stay untouched zero pages), a long word's
 * pointer set to the image's string. Short words must be their strings
 * (folded if `folded`); false when not, when a slot has no string or no
 * length, or when no slot is left empty (a probe ends at one). */
static bool image_word_slots(word_slot *t, size_t cap, const unsigned char *slots, const unsigned char *ats,
                             const unsigned char *texts, size_t n_texts, bool folded)
{
    size_t used = 0;
    for (size_t i = 0; i < cap; i++) {
        text_at at = text_at_of(ats, i);
        if (!at)
            continue;
        word_slot *sl = &t[i];
        memcpy(sl, slots + i * sizeof *sl, sizeof *sl);
        const char *s = image_string(texts, n_texts, at, sl->len, true);
        if (!s || !sl->len || ++used >= cap)
            return false;
        word_slot made = *sl;
        slot_set_text(&made, s, sl->len, folded);
        if (sl->len <= SLOT_BYTES && memcmp(&made.text, &sl->text, sizeof made.text) != 0)
            return false;
        sl->text = made.text;
    }
    return true;
}

/* The built-in image's table of word_slots, taken as written: every slot
 * copied (the empty ones are zeros, and at the tables' load each page
 * holds used slots anyway), a long word's pointer set to its string. One
 * pass of stores, not calloc's zeroing and then a copy of the used slots. */
static word_slot *builtin_word_slots(size_t cap, const unsigned char *slots, const unsigned char *ats,
                                     const unsigned char *texts, void **block)
{
    *block = hm_xmalloc((cap + 2) * sizeof(word_slot));
    word_slot *t = (word_slot *)(((uintptr_t)*block + 63) & ~(uintptr_t)63);
    for (word_slot *sl = t, *end = t + cap; sl < end; sl++, slots += sizeof *sl, ats += sizeof(text_at)) {
        memcpy(sl, slots, sizeof *sl);
        if (sl->len > SLOT_BYTES) {
            text_at at;
            memcpy(&at, ats, sizeof at);
            sl->text.str = (const char *)texts + at;
        }
    }
    return t;
}

/* Whether the image's start strings at table (n, their texts at ats) are
 * those of ss, string for string. */
static bool same_start_strings(const start_string *ss, const unsigned char *table, const unsigned char *ats,
                               size_t n, const unsigned char *texts, size_t n_texts)
{
    bool ok = true;
    start_string *image = image_start_strings(table, ats, n, texts, n_texts, true, &ok);
    for (size_t i = 0; ok && i < n; i++)
        ok = ss[i].len == image[i].len && ss[i].rules == image[i].rules && ss[i].pre == image[i].pre &&
             ss[i].mask == image[i].mask && !memcmp(ss[i].text, image[i].text, ss[i].len);
    free(image);
    return ok;
}

static bool power_of_two(size_t n)
{
    return n && !(n & (n - 1));
}

/* An empty index, with its class cache. */
static hm_phrase_index *new_index(void)
{
    hm_phrase_index *ix = hm_xcalloc(1, sizeof *ix);
    ix->class_cache = hm_xcalloc(CLASS_CACHE_SLOTS, sizeof *ix->class_cache);
    return ix;
}

/* The index from an image, when the configuration's inputs are the
 * image's; false (and no index) otherwise.
 * The built-in image is the builder's own output: tools/mkpatterns.c
 * reads a copy of it back through every check here before it embeds it,
 * and the tests compare it byte for byte with what the builder writes. So
 * it is taken as it is, its tables copied and their strings pointed at.
 * Any other image is checked entry by entry, and the tables made from
 * others are made again, not taken. */
static bool index_from_image(hm_config *cfg, const unsigned char *image, size_t len)
{
    if (!image || len < 64 || ((uintptr_t)image % 8) != 0)
        return false;
    reader r = {image, len, 0, true};
    uint64_t head[8];
    for (int i = 0; i < 8; i++)
        head[i] = get_u64(&r);
    if (!r.ok || head[0] != IMAGE_MAGIC || head[1] != IMAGE_VERSION || head[2] != sizeof(phrase_set) ||
        head[3] != sizeof(key_slot) || head[4] != sizeof(phrase_lit) || head[5] != sizeof(word_slot) ||
        head[6] != sizeof(hm_phrase_index) || head[7] != sizeof(start_string))
        return false;
    size_t n_in, n_texts, n_sets, n_lits, cap_words, cap_pairs, n_las, cap_keywords, n_starts, n_grouped, cap_names;
    const unsigned char *in = get_block(&r, SIZE_MAX, &n_in);
    if (!in)
        return false;
    const bool builtin = image == hm_builtin_phrase_image, check = !builtin;
    feed f = {.want = in, .want_len = n_in, .ok = true, .builtin_image = builtin};
    feed_inputs(&f, cfg);
    if (!f.ok || f.at != n_in)
        return false;
    hm_phrase_index probe; /* for the sizes of the fixed arrays */
    const unsigned char *texts = get_block(&r, SIZE_MAX, &n_texts);
    const unsigned char *sets = get_array(&r, sizeof(phrase_set), &n_sets);
    const unsigned char *rule_set = get_block(&r, cfg->n_rules * sizeof *probe.rule_set, NULL);
    const unsigned char *topic_set = get_block(&r, cfg->n_topics * sizeof *probe.topic_set, NULL);
    const unsigned char *lits = get_array(&r, sizeof(phrase_lit), &n_lits);
    const unsigned char *lit_at = get_block(&r, n_lits * sizeof(text_at), NULL);
    const unsigned char *lit_key3 = get_block(&r, n_lits + 16, NULL);
    const unsigned char *words = get_array(&r, sizeof(key_slot), &cap_words);
    const unsigned char *pairs = get_array(&r, sizeof(key_slot), &cap_pairs);
    const unsigned char *word_filter = get_block(&r, sizeof probe.word_filter, NULL);
    const unsigned char *pair_filter = get_block(&r, sizeof probe.pair_filter, NULL);
    const unsigned char *byte_first = get_block(&r, sizeof probe.byte_first, NULL);
    const unsigned char *byte_count = get_block(&r, sizeof probe.byte_count, NULL);
    uint64_t n_lookaheads = get_u64(&r);
    const unsigned char *las = get_block(&r, SIZE_MAX, &n_las);
    const unsigned char *kws = get_array(&r, sizeof(word_slot), &cap_keywords);
    const unsigned char *kw_at = get_block(&r, cap_keywords * sizeof(text_at), NULL);
    const unsigned char *keyword_filter = get_block(&r, sizeof probe.keyword_filter, NULL);
    const unsigned char *name_filter = get_block(&r, sizeof probe.name_filter, NULL);
    const unsigned char *rule_start_bit = get_block(&r, cfg->n_rules * sizeof *probe.rule_start_bit, NULL);
    const unsigned char *masks = get_block(&r, 5 * sizeof(uint64_t), NULL);
    const unsigned char *starts = get_array(&r, sizeof(start_string), &n_starts);
    const unsigned char *start_at = get_block(&r, n_starts * sizeof(text_at), NULL);
    const unsigned char *start_first = get_block(&r, sizeof probe.start_first, NULL);
    const unsigned char *start_count = get_block(&r, sizeof probe.start_count, NULL);
    const unsigned char *start_second = get_block(&r, sizeof probe.start_second, NULL);
    const unsigned char *start_short = get_block(&r, sizeof probe.start_short, NULL);
    const unsigned char *start_byte_class = get_block(&r, sizeof probe.start_byte_class, NULL);
    const unsigned char *start_two = get_block(&r, sizeof probe.start_two, NULL);
    const unsigned char *start_three = get_block(&r, sizeof probe.start_three, NULL);
    const unsigned char *start_four = get_block(&r, sizeof probe.start_four, NULL);
    const unsigned char *start_group = get_block(&r, sizeof probe.start_group, NULL);
    const unsigned char *grouped = get_array(&r, sizeof(start_string), &n_grouped);
    const unsigned char *grouped_at = get_block(&r, n_starts * sizeof(text_at), NULL);
    const unsigned char *names = get_array(&r, sizeof(word_slot), &cap_names);
    const unsigned char *name_at = get_block(&r, cap_names * sizeof(text_at), NULL);
    if (!r.ok || get_u64(&r) != IMAGE_MAGIC || !r.ok || r.at != len || n_sets > UINT16_MAX || !n_texts ||
        n_lookaheads > n_las / 8 || n_grouped != n_starts || ((uintptr_t)words % _Alignof(key_slot)) ||
        ((uintptr_t)pairs % _Alignof(key_slot)) || !power_of_two(cap_words) || !power_of_two(cap_pairs) ||
        (cap_keywords && !power_of_two(cap_keywords)) || (cap_names && !power_of_two(cap_names)))
        return false;

    bool ok = true;
    hm_phrase_index *ix = new_index();
    ix->from_image = true;
    ix->n_sets = n_sets;
    for (size_t i = 0; check && i < n_sets * sizeof(phrase_set); i++)
        ok = ok && sets[i] <= 1; /* bools only */
    ix->sets = memdup(sets, n_sets * sizeof *ix->sets);
    ix->rule_set = memdup(rule_set, cfg->n_rules * sizeof *ix->rule_set);
    for (size_t i = 0; check && i < cfg->n_rules; i++)
        ok = ok && ix->rule_set[i] >= -1 && ix->rule_set[i] < (int)n_sets;
    ix->topic_set = memdup(topic_set, cfg->n_topics * sizeof *ix->topic_set);
    for (size_t t = 0; check && t < cfg->n_topics; t++)
        for (int k = 0; k < 3; k++)
            ok = ok && ix->topic_set[t][k] >= -1 && ix->topic_set[t][k] < (int)n_sets;
    ix->n_lookaheads = (size_t)n_lookaheads;
    ix->lookaheads = hm_xcalloc(ix->n_lookaheads + 1, sizeof *ix->lookaheads);
    size_t la_at = 0;
    for (size_t i = 0; ok && i < ix->n_lookaheads; i++) {
        uint64_t k;
        if (n_las - la_at < 8) {
            ok = false;
            break;
        }
        memcpy(&k, las + la_at, 8);
        la_at += 8;
        if (k > (n_las - la_at) / 8) {
            ok = false;
            break;
        }
        ix->lookaheads[i].alts = hm_xmalloc((k ? k : 1) * sizeof(char *));
        ix->lookaheads[i].n = (size_t)k;
        for (size_t j = 0; j < k; j++) {
            uint64_t at;
            memcpy(&at, las + la_at, 8);
            la_at += 8;
            const char *s = at < n_texts ? (const char *)texts + at : NULL;
            if (!s || !memchr(s, '\0', n_texts - (size_t)at)) {
                ok = false;
                s = "";
            }
            ix->lookaheads[i].alts[j] = (char *)(uintptr_t)s;
        }
    }
    ix->n_lits = n_lits;
    ix->lits = hm_xmalloc((n_lits + 1) * sizeof *ix->lits);
    ix->lit_key3 = (unsigned char *)(uintptr_t)lit_key3;
    /* each copied as it is fixed up: one pass over them, not two; the
     * built-in image's in a loop of its own, with nothing asked (some
     * 9,600 literals: the most of this function's work) */
    if (!check) {
        const unsigned char *from = lits, *at = lit_at;
        for (phrase_lit *l = ix->lits, *end = l + n_lits; l < end; l++, from += sizeof *l, at += sizeof(text_at)) {
            /* as 32 and 16 bytes: gcc makes a 48-byte memcpy a rep movs,
             * slow to start (and counted a word by callgrind) */
            memcpy(l, from, 32);
            memcpy((unsigned char *)l + 32, from + 32, sizeof *l - 32);
            text_at t;
            memcpy(&t, at, sizeof t);
            l->text = (char *)(uintptr_t)texts + t;
        }
    }
    for (size_t i = 0; check && ok && i < n_lits; i++) {
        phrase_lit *l = &ix->lits[i];
        memcpy(l, lits + i * sizeof *l, sizeof *l);
        l->text = (char *)(uintptr_t)image_string(texts, n_texts, text_at_of(lit_at, i), l->len, true);
        /* word_end read as a byte: a bool of another value may not be loaded;
         * key3_run_end past the literal, or try_lits would not go on */
        ok = ok && l->text && lits[i * sizeof *l + offsetof(phrase_lit, word_end)] <= 1 && l->set < n_sets &&
             l->key_len <= l->len && l->key2_off <= l->len && l->key2_len <= l->len - l->key2_off &&
             (l->not_followed == UINT32_MAX || l->not_followed < ix->n_lookaheads) && lit_key3[i] == l->key3 &&
             l->key3_run_end > i && l->key3_run_end <= n_lits;
    }
    for (size_t i = 0; check && i < 16; i++)
        ok = ok && lit_key3[n_lits + i] == 0;
    ix->words = (key_slot *)(uintptr_t)words;
    ix->pairs = (key_slot *)(uintptr_t)pairs;
    ix->cap_words = cap_words;
    ix->cap_pairs = cap_pairs;
    /* the runs lie within the lits, each with the key lengths of its first
     * (find_run reads so many of its bytes), and each table has an empty
     * slot (a probe ends) */
    size_t used_words = 0, used_pairs = 0;
    for (size_t i = 0; check && ok && i < cap_words + cap_pairs; i++) {
        const key_slot *s = i < cap_words ? &ix->words[i] : &ix->pairs[i - cap_words];
        ok = !s->key_len || (s->first < n_lits && s->count <= n_lits - s->first &&
                             ix->lits[s->first].key_len == s->key_len && ix->lits[s->first].key2_len == s->key2_len);
        *(i < cap_words ? &used_words : &used_pairs) += s->key_len != 0;
    }
    ok = ok && (!check || (used_words < cap_words && used_pairs < cap_pairs));
    memcpy(ix->word_filter, word_filter, sizeof ix->word_filter);
    memcpy(ix->pair_filter, pair_filter, sizeof ix->pair_filter);
    memcpy(ix->byte_first, byte_first, sizeof ix->byte_first);
    memcpy(ix->byte_count, byte_count, sizeof ix->byte_count);
    set_gap_second(ix);
    for (unsigned c = 0; check && c < 256; c++)
        ok = ok && ix->byte_first[c] <= n_lits && ix->byte_count[c] <= n_lits - ix->byte_first[c];
    if (cap_keywords) {
        ix->cap_keywords = cap_keywords;
        if (check) {
            ix->keywords = new_word_slots(cap_keywords, &ix->keywords_block);
            ok = ok && image_word_slots(ix->keywords, cap_keywords, kws, kw_at, texts, n_texts, true);
        } else {
            ix->keywords = builtin_word_slots(cap_keywords, kws, kw_at, texts, &ix->keywords_block);
        }
    }
    ix->rule_start_bit = memdup(rule_start_bit, cfg->n_rules * sizeof *ix->rule_start_bit);
    for (size_t i = 0; check && i < cfg->n_rules; i++)
        ok = ok && ix->rule_start_bit[i] >= -1 && ix->rule_start_bit[i] < 64;
    uint64_t mask[5];
    memcpy(mask, masks, sizeof mask);
    ix->start_all = mask[0];
    ix->start_digit = mask[1];
    ix->start_word_digit = mask[2];
    ix->n_start_strings = n_starts;
    ix->start_strings = image_start_strings(starts, start_at, n_starts, texts, n_texts, check, &ok);
    memcpy(ix->start_first, start_first, sizeof ix->start_first);
    memcpy(ix->start_count, start_count, sizeof ix->start_count);
    memcpy(ix->start_second, start_second, sizeof ix->start_second);
    memcpy(ix->start_short, start_short, sizeof ix->start_short);
    memcpy(ix->start_byte_class, start_byte_class, sizeof ix->start_byte_class);
    for (unsigned c = 0; check && c < 256; c++)
        ok = ok && start_short[c] <= 1 && ix->start_first[c] <= ix->n_start_strings &&
             ix->start_count[c] <= ix->n_start_strings - ix->start_first[c];
    if (cap_names) {
        ix->cap_name_words = cap_names;
        if (check) {
            ix->name_words = new_word_slots(cap_names, &ix->name_words_block);
            ok = ok && image_word_slots(ix->name_words, cap_names, names, name_at, texts, n_texts, false);
        } else {
            ix->name_words = builtin_word_slots(cap_names, names, name_at, texts, &ix->name_words_block);
        }
    }
    if (ok && check) {
        /* the tables made from others, made again and compared with the
         * image's: mkpatterns' read-back then vouches for the tables the
         * built-in image is taken with as well */
        set_start_prefixes(ix);
        fill_word_filters(ix);
        ok = ix->start_lead == mask[3] && ix->start_punct == (mask[4] != 0) &&
             !memcmp(ix->start_two, start_two, sizeof ix->start_two) &&
             !memcmp(ix->start_three, start_three, sizeof ix->start_three) &&
             !memcmp(ix->start_four, start_four, sizeof ix->start_four) &&
             !memcmp(ix->start_group, start_group, sizeof ix->start_group) &&
             !memcmp(ix->keyword_filter, keyword_filter, sizeof ix->keyword_filter) &&
             !memcmp(ix->name_filter, name_filter, sizeof ix->name_filter) &&
             same_start_strings(ix->start_grouped, grouped, grouped_at, n_starts, texts, n_texts);
    } else if (ok) {
        ix->start_lead = mask[3];
        ix->start_punct = mask[4] != 0;
        memcpy(ix->start_two, start_two, sizeof ix->start_two);
        memcpy(ix->start_three, start_three, sizeof ix->start_three);
        memcpy(ix->start_four, start_four, sizeof ix->start_four);
        memcpy(ix->start_group, start_group, sizeof ix->start_group);
        ix->start_grouped = image_start_strings(grouped, grouped_at, n_starts, texts, n_texts, check, &ok);
        memcpy(ix->keyword_filter, keyword_filter, sizeof ix->keyword_filter);
        memcpy(ix->name_filter, name_filter, sizeof ix->name_filter);
    }
    if (ok) {
        ix->re_ln = class_re("[\\p{L}\\p{N}]");
        ix->re_space = class_re("\\s");
        ix->re_word = class_re("\\w");
        ix->re_lu = class_re("\\p{Lu}");
        ix->re_ll = class_re("\\p{Ll}");
        ix->re_l = class_re("\\p{L}");
        ok = ix->re_ln && ix->re_space && ix->re_word && ix->re_lu && ix->re_ll && ix->re_l;
    }
    cfg->index = ix;
    if (!ok)
        hm_config_index_free(cfg);
    else
        cfg->requires_index = hm_requires_index_new(cfg);
    return ok;
}

bool hm_phrase_index_from_image(hm_config *cfg, const unsigned char *image, size_t len)
{
    hm_config_index_free(cfg);
    return index_from_image(cfg, image, len);
}

bool hm_phrase_index_is_image(const hm_config *cfg)
{
    return cfg->index && cfg->index->from_image;
}

void hm_config_index(hm_config *cfg)
{
    hm_config_index_free(cfg);
    if (hm_builtin_phrase_image_len && index_from_image(cfg, hm_builtin_phrase_image, hm_builtin_phrase_image_len))
        return;
    hm_config_index_build(cfg);
}

void hm_config_index_build(hm_config *cfg)
{
    hm_config_index_free(cfg);
    hm_phrase_index *ix = new_index();
    ix->texts = hm_xcalloc(1, sizeof *ix->texts);
    ix->re_ln = class_re("[\\p{L}\\p{N}]");
    ix->re_space = class_re("\\s");
    ix->re_word = class_re("\\w");
    ix->re_lu = class_re("\\p{Lu}");
    ix->re_ll = class_re("\\p{Ll}");
    ix->re_l = class_re("\\p{L}");
    if (!ix->re_ln || !ix->re_space || !ix->re_word || !ix->re_lu || !ix->re_ll || !ix->re_l) {
        cfg->index = ix;
        hm_config_index_free(cfg);
        return;
    }
    builder b = {.ix = ix, .md = pcre2_match_data_create(1, NULL)};
    if (!b.md) {
        cfg->index = ix;
        hm_config_index_free(cfg);
        return;
    }
    ix->rule_set = hm_xcalloc(cfg->n_rules + 1, sizeof *ix->rule_set);
    for (size_t i = 0; i < cfg->n_rules; i++) {
        const hm_rule *r = &cfg->rules[i];
        ix->rule_set[i] = -1;
        uint32_t o = arg_options(r->re);
        bool caseless = o & PCRE2_CASELESS, ucp = o & PCRE2_UCP;
        if (r->type == HM_RULE_SUBSTITUTION && r->n_swap)
            ix->rule_set[i] = add_items(&b, r->swap_from, r->n_swap, true, caseless, ucp);
        else if (r->n_phrases && (r->type == HM_RULE_EXISTENCE || r->type == HM_RULE_OCCURRENCE))
            ix->rule_set[i] = add_items(&b, r->phrases, r->n_phrases, r->phrases_escaped, caseless, ucp);
    }
    ix->topic_set = hm_xcalloc(cfg->n_topics + 1, sizeof *ix->topic_set);
    for (size_t t = 0; t < cfg->n_topics; t++) {
        const hm_topic *tp = &cfg->topics[t];
        ix->topic_set[t][HM_TOPIC_PEOPLE] = add_entries(&b, tp->people, tp->n_people, false);
        ix->topic_set[t][HM_TOPIC_EVENTS] = add_entries(&b, tp->events, tp->n_events, false);
        ix->topic_set[t][HM_TOPIC_TERMS] = add_items(&b, tp->terms, tp->n_terms, true, true, true);
    }
    pcre2_match_data_free(b.md);
    arena_free(&b.scratch);
    index_keywords(ix, cfg);
    if (ix->n_sets > UINT16_MAX) {
        cfg->index = ix;
        hm_config_index_free(cfg);
        return;
    }
    build_table(ix);
    index_starts(ix, cfg);
    index_name_lists(ix, cfg);
    fill_word_filters(ix);
    cfg->index = ix;
    cfg->requires_index = hm_requires_index_new(cfg);
}

void hm_config_index_free(hm_config *cfg)
{
    hm_requires_index_free(cfg->requires_index);
    cfg->requires_index = NULL;
    hm_phrase_index *ix = cfg->index;
    if (!ix)
        return;
    free(ix->lits);
    for (size_t i = 0; i < ix->n_lookaheads; i++)
        free(ix->lookaheads[i].alts);
    if (ix->texts) {
        arena_free(ix->texts);
        free(ix->texts);
    }
    free(ix->lookaheads);
    if (!ix->from_image) {
        free(ix->words);
        free(ix->pairs);
        free(ix->lit_key3);
    }
    free(ix->keywords_block);
    free(ix->sets);
    free(ix->rule_set);
    free(ix->topic_set);
    pcre2_code_free(ix->re_ln);
    pcre2_code_free(ix->re_space);
    pcre2_code_free(ix->re_word);
    pcre2_code_free(ix->re_lu);
    pcre2_code_free(ix->re_ll);
    pcre2_code_free(ix->re_l);
    free(ix->rule_start_bit);
    free(ix->name_words_block);
    for (size_t i = 0; !ix->from_image && i < ix->n_start_strings; i++)
        free(ix->start_strings[i].text);
    free(ix->start_strings);
    free(ix->start_grouped);
    free(atomic_load_explicit(&ix->start_nibbles, memory_order_relaxed));
    free(ix->class_cache);
    free(ix);
    cfg->index = NULL;
}

int hm_phrase_set_of_rule(const hm_config *cfg, const hm_rule *rule)
{
    const hm_phrase_index *ix = cfg->index;
    if (!ix || !ix->rule_set || rule < cfg->rules || rule >= cfg->rules + cfg->n_rules)
        return -1;
    int set = ix->rule_set[rule - cfg->rules];
    return set >= 0 && ix->sets[set].usable ? set : -1;
}

int hm_phrase_set_of_topic(const hm_config *cfg, const hm_topic *topic, hm_topic_list which)
{
    const hm_phrase_index *ix = cfg->index;
    if (!ix || !ix->topic_set || topic < cfg->topics || topic >= cfg->topics + cfg->n_topics)
        return -1;
    int set = ix->topic_set[topic - cfg->topics][which];
    return set >= 0 && ix->sets[set].usable ? set : -1;
}

void hm_phrase_stats(const hm_config *cfg, size_t *sets, size_t *usable)
{
    *sets = *usable = 0;
    const hm_phrase_index *ix = cfg->index;
    for (size_t i = 0; ix && i < ix->n_sets; i++) {
        ++*sets;
        *usable += ix->sets[i].usable;
    }
}

/* ---- matching ---- */

/* \s+ at text[at], for a space of a literal in a set with spaces_any;
 * at the literal's last byte (last_byte) the set's end boundary fails
 * before a letter, and the pattern backtracks one space, which then ends
 * the match. Returns the end, or SIZE_MAX. */
static size_t match_spaces(hm_scan *scan, const phrase_set *set, size_t at, bool last_byte)
{
    size_t len = scan->len, n, taken = 0, last = at;
    while (at < len && (set_class(scan, set, at, &n) & CP_SPACE)) {
        last = at;
        at += n;
        taken++;
    }
    if (!taken)
        return SIZE_MAX;
    if (last_byte && at < len && (set_class(scan, set, at, &n) & CP_LN)) {
        if (taken < 2)
            return SIZE_MAX;
        at = last;
    }
    return at;
}

/* Matches lit's bytes from text[key_end] on (its key already matched);
 * returns the end, or SIZE_MAX. Every byte of the literal takes at least
 * one of the text (a space: one or more white space characters), so a
 * literal longer than what is left of the text fails at once, and the bytes
 * up to its next space need no bound test. */
static size_t match_rest(hm_scan *scan, const phrase_set *set, const phrase_lit *l, size_t from_lit, size_t at)
{
    const unsigned char *t = (const unsigned char *)scan->text;
    const unsigned char *lit = (const unsigned char *)l->text;
    size_t len = scan->len, lit_len = l->len, k = from_lit;
    if (lit_len - k > len - at)
        return SIZE_MAX;
    for (;;) {
        /* up to the literal's next space, one loop for each case rule */
        if (set->caseless) {
            for (; k < lit_len && lit[k] != ' '; k++, at++)
                if (fold(t[at]) != lit[k])
                    return SIZE_MAX;
        } else {
            for (; k < lit_len && lit[k] != ' '; k++, at++)
                if (t[at] != lit[k])
                    return SIZE_MAX;
        }
        if (k == lit_len)
            return at;
        if (!set->spaces_any) {
            if (t[at] != ' ')
                return SIZE_MAX;
            at++;
        } else if (k + 1 < lit_len && t[at] == ' ' && t[at + 1] < 0x80 && !(ascii_class[t[at + 1]] & CP_SPACE)) {
            at++; /* one space between words: match_spaces' usual answer */
        } else {
            at = match_spaces(scan, set, at, k + 1 == lit_len);
            if (at == SIZE_MAX || lit_len - (k + 1) > len - at)
                return SIZE_MAX;
        }
        k++;
    }
}

static bool starts_with_fold(const char *t, size_t len, size_t at, const char *s)
{
    size_t n = strlen(s);
    if (at + n > len)
        return false;
    for (size_t i = 0; i < n; i++)
        if (fold((unsigned char)t[at + i]) != (unsigned char)s[i])
            return false;
    return true;
}

static bool tail_holds(hm_scan *scan, const phrase_set *set, const phrase_lit *l, size_t end)
{
    if (end >= scan->len)
        return true;
    size_t n;
    unsigned cls = set_class(scan, set, end, &n);
    if (cls & CP_LN)
        return false;
    if (l->word_end && (cls & CP_WORD))
        return false;
    if (l->not_followed != UINT32_MAX) {
        const lookahead *la = &scan->cfg->index->lookaheads[l->not_followed];
        for (size_t i = 0; i < la->n; i++) {
            bool hit = set->caseless ? starts_with_fold(scan->text, scan->len, end, la->alts[i])
                                     : (end + strlen(la->alts[i]) <= scan->len &&
                                        memcmp(scan->text + end, la->alts[i], strlen(la->alts[i])) == 0);
            if (hit)
                return false;
        }
    }
    return true;
}

static void add_hit(hm_scan *scan, const phrase_lit *l, size_t start, size_t end)
{
    const phrase_set *set = &scan->cfg->index->sets[l->set];
    HM_GROW(scan->phrase_hits, scan->n_phrase_hits, scan->cap_phrase_hits);
    scan->phrase_hits[scan->n_phrase_hits++] =
        (hm_phrase_hit){(uint32_t)start, (uint32_t)end, l->priority, (uint16_t)l->set,
                        tail_holds(scan, set, l, end)};
}

/* Tries literal l at text[start] (its key matched to key_end); one_space:
 * see try_lits. */
static inline void try_lit(hm_scan *scan, const phrase_lit *l, size_t start, size_t key_end, bool one_space)
{
    const phrase_set *set = &scan->cfg->index->sets[l->set];
    if (!l->key_len) {
        /* a literal that opens with punctuation: compare it all */
        size_t e = match_rest(scan, set, l, 0, start);
        if (e != SIZE_MAX)
            add_hit(scan, l, start, e);
        return;
    }
    if (!set->caseless && memcmp(l->text, scan->text + start, l->key_len) != 0)
        return; /* the key matched without case only */
    size_t e;
    if (l->len == l->key_len)
        e = key_end; /* most single-run literals are their key */
    else if (one_space && set->caseless && l->key2_off == l->key_len + 1 && l->text[l->key_len] == ' ')
        /* the space and the second run need no compare: the group's
         * second run is the text's without case, and a caseless
         * literal is written in small letters */
        e = match_rest(scan, set, l, (size_t)l->key2_off + l->key2_len, key_end + 1 + l->key2_len);
    else
        e = match_rest(scan, set, l, l->key_len, key_end);
    if (e != SIZE_MAX)
        add_hit(scan, l, start, e);
}

/* key3: the folded byte that starts the text's third run (256: none), or
 * -1 to try every literal. */
static __attribute__((noinline)) void try_lits(hm_scan *scan, uint32_t first, uint32_t count, size_t start, size_t key_end,
                                               int key3)
{
    const hm_phrase_index *ix = scan->cfg->index;
    const unsigned char *t = (const unsigned char *)scan->text;
    /* A pair's group (key3 >= 0) whose two runs one space parts in the text
     * (the usual case): the second run starts after it, and has the
     * length of each literal's second run (find_run compared them). */
    bool one_space = key3 >= 0 && key_end + 1 < scan->len && t[key_end] == ' ' && run_tab[t[key_end + 1]] > 1;
    uint32_t end = first + count;
    if (key3 < 0) {
        for (uint32_t i = first; i < end; i++)
            try_lit(scan, &ix->lits[i], start, key_end, one_space);
        return;
    }
#if defined(__SSE2__)
    /* the literals whose key3 is 0 (any) or the text's, 16 key3s at a
     * time, in the group's order (which decides between hits of one
     * priority); a pair's group can be long ("on the ...": 164 lits) */
    __m128i want = _mm_set1_epi8((char)(key3 & 0xFF)), any = _mm_setzero_si128();
    for (uint32_t base = first; base < end; base += 16) {
        __m128i k3 = _mm_loadu_si128((const __m128i *)(const void *)(ix->lit_key3 + base));
        unsigned m = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(k3, any), _mm_cmpeq_epi8(k3, want)));
        if (end - base < 16)
            m &= (1u << (end - base)) - 1;
        for (; m; m &= m - 1)
            try_lit(scan, &ix->lits[base + (unsigned)__builtin_ctz(m)], start, key_end, one_space);
    }
#else
    for (uint32_t i = first, next; i < end; i = next) {
        const phrase_lit *l = &ix->lits[i];
        next = i + 1;
        if (l->key3 && l->key3 != key3)
            next = l->key3_run_end; /* a run of lits that key3 rules out; the group may end sooner */
        else
            try_lit(scan, l, start, key_end, one_space);
    }
#endif
}

/* The folded hash of the run of letters and numbers at text[i]; *end is
 * where it stops (i when there is none). Inlined at both its calls: it
 * runs once a word, and the call cost a fifth of it. */
static inline __attribute__((always_inline)) uint64_t run_hash(hm_scan *scan, size_t i, size_t *end)
{
    const unsigned char *t = (const unsigned char *)scan->text;
    size_t len = scan->len, j = i, n;
    uint64_t h = HM_FNV_SEED;
    for (;;) {
        unsigned char lc = j < len ? run_tab[t[j]] : 0;
        if (lc > 1) {
            /* an ASCII letter or digit, folded */
            h = hm_fnv_add(h, lc);
            j++;
            continue;
        }
        if (!lc || !(cp_class(scan, j, &n) & CP_LN))
            break;
        for (size_t k = 0; k < n; k++)
            h = hm_fnv_add(h, t[j + k]);
        j += n;
    }
    *end = j;
    return h;
}

/* run_hash, taken from the document's word that starts at i when there is
 * one: its leading ASCII letters and digits (hashed by hm_document_build
 * the same way) are the whole run when an ASCII byte that is no letter or
 * digit follows them. *word walks the document's words [*word, words_end)
 * along with the pass, and is left past a word that gave its hash: most
 * runs are words, so the next run's word is then the first one looked at. */
static inline __attribute__((always_inline)) uint64_t run_hash_at(hm_scan *scan, const hm_word **word,
                                                                  const hm_word *words_end, size_t i, size_t *end)
{
    const hm_word *w = *word;
    if (w < words_end && w->start != i) {
        while (w < words_end && w->start < i)
            w++;
        *word = w;
    }
    if (w < words_end && w->start == i) {
        size_t e = w->ascii_end;
        if (e > i && (e >= scan->len || run_tab[(unsigned char)scan->text[e]] == 0)) {
            *word = w + 1;
            *end = e;
            return w->ascii_hash;
        }
    }
    return run_hash(scan, i, end);
}

/* The first letter or number at or after k (the text's length when none):
 * run_tab answers ASCII bytes without a call. */
static inline size_t next_run_start(hm_scan *scan, size_t k)
{
    const unsigned char *t = (const unsigned char *)scan->text;
    size_t n;
    for (; k < scan->len; k += n) {
        unsigned char rc = run_tab[t[k]];
        if (rc > 1)
            break;
        n = 1;
        if (rc == 1 && (cp_class(scan, k, &n) & CP_LN))
            break;
    }
    return k;
}

/* same_key_run's compare of a run longer than 8 bytes, or near the text's
 * end, with the key's run in its literal l (its first run, or its second
 * when `second`): out of line, so that the usual compare reads no literal. */
static __attribute__((noinline)) bool same_long_run(const hm_scan *scan, size_t a, size_t b, const phrase_lit *l,
                                                    bool second)
{
    return same_fold(l->text + (second ? l->key2_off : 0), scan->text + a, b - a);
}

/* Whether the text's run [a, b) is a key's run, kept as key8 (and in
 * literal l, see same_long_run), without ASCII case: 8 bytes in one compare
 * when the run has at most 8 and the text 8 from a. */
static inline bool same_key_run(const hm_scan *scan, size_t a, size_t b, uint64_t key8, const phrase_lit *l,
                                bool second)
{
    size_t n = b - a;
    if (n <= 8 && scan->len - a >= 8) {
        uint64_t w;
        memcpy(&w, scan->text + a, sizeof w);
        return (fold8(w) & first_bytes_mask(n)) == key8;
    }
    return same_long_run(scan, a, b, l, second);
}

/* The slot whose key is the text's run [a, b) (and, for pairs, [c, d)).
 * Inlined in try_word and try_pair, each of which has one call. */
static inline __attribute__((always_inline)) const key_slot *find_run(const key_slot *table, size_t cap, uint64_t h,
                                                                      const phrase_lit *lits, const hm_scan *scan,
                                                                      size_t a, size_t b, size_t c, size_t d)
{
    for (size_t s = (size_t)h & (cap - 1); table[s].key_len; s = (s + 1) & (cap - 1)) {
        const key_slot *k = &table[s];
        if (k->key_len != b - a || k->key2_len != d - c)
            continue;
        const phrase_lit *r = &lits[k->first];
        if (same_key_run(scan, a, b, k->key8, r, false) && (d == c || same_key_run(scan, c, d, k->key2_8, r, true)))
            return k;
    }
    return NULL;
}

/* The literals that open with punctuation, at each character of the gap
 * [from, to) between runs that follows another gap character: the first
 * follows a run unless it opens the text (first_opens). */
static void try_gap_lits(hm_scan *scan, size_t from, size_t to, bool first_opens)
{
    const hm_phrase_index *ix = scan->cfg->index;
    const unsigned char *t = (const unsigned char *)scan->text;
    size_t n;
    for (size_t i = from; i < to; i += n) {
        n = 1;
        if (t[i] >= 0x80)
            cp_class(scan, i, &n);
        if ((i > from || first_opens) && ix->byte_count[t[i]])
            try_lits(scan, ix->byte_first[t[i]], ix->byte_count[t[i]], i, i, -1);
    }
}

/* The literals keyed by the run [i, j) alone, whose hash h passed the word
 * filter. Out of line, as try_pair: few runs come here (77 an essay), and
 * the pass's loop keeps its registers. */
static __attribute__((noinline)) void try_word(hm_scan *scan, size_t i, size_t j, uint64_t h)
{
    const hm_phrase_index *ix = scan->cfg->index;
    const key_slot *w = find_run(ix->words, ix->cap_words, h, ix->lits, scan, i, j, 0, 0);
    if (w)
        try_lits(scan, w->first, w->count, i, j, -1);
}

/* The literals keyed by the runs [i, j) and [k, m), whose hashes h and h2
 * passed the pair filter (139 an essay). */
static __attribute__((noinline)) void try_pair(hm_scan *scan, size_t i, size_t j, size_t k, size_t m, uint64_t h,
                                               uint64_t h2)
{
    const hm_phrase_index *ix = scan->cfg->index;
    const key_slot *p = find_run(ix->pairs, ix->cap_pairs, mix_pair(h, h2), ix->lits, scan, i, j, k, m);
    if (p) {
        /* the third run's first byte */
        size_t k3 = next_run_start(scan, m);
        try_lits(scan, p->first, p->count, i, j, k3 < scan->len ? fold((unsigned char)scan->text[k3]) : 256);
    }
}

/* The run the pass goes to next, [start, end) with its hash, and where
 * the walk through the document's words stands after it. */
typedef struct next_run {
    size_t start, end;
    uint64_t hash;
    const hm_word *word;
} next_run;

/* The pass's way to the run after the one that ends at j when it is not
 * the usual one (a word past a quiet gap). Out of line: one run in ten or
 * so comes here, and inlined, its loops' registers cost the pass's loop
 * spills at every run. */
static __attribute__((noinline)) next_run walk_to_next_run(hm_scan *scan, const hm_word *word,
                                                           const hm_word *words_end, size_t j)
{
    const unsigned char *t = (const unsigned char *)scan->text;
    next_run r;
    r.start = j + 1 < scan->len && t[j] < 0x80 && run_tab[t[j + 1]] > 1 ? j + 1 : next_run_start(scan, j);
    r.hash = run_hash_at(scan, &word, words_end, r.start, &r.end);
    r.word = word;
    return r;
}

/* Is the gap [j, k) between a run that ends at j and a word at k one ASCII
 * byte that is no letter or digit, or two, the second opening no literal
 * (try_gap_lits' test)? Then the walk from j would stop at k, and
 * try_gap_lits find nothing. Most gaps are a space, or a mark and a space;
 * the test has no branch (the gap's length is a guess): k - j - 1 below 0,
 * 1 or 2 (gap_second's, shifted out when t[j] is no ASCII byte: t[j] >> 6
 * & 2 is 2 from 0x80 on), which fails when k <= j. t[j + 1] is there: j <=
 * the text's length, and NULs follow the text (HM_SOURCE_PAD). */
static inline bool quiet_gap(const hm_phrase_index *ix, const unsigned char *t, size_t j, size_t k)
{
    unsigned most = ix->gap_second[t[j + 1]]; /* t[k] when the gap is one byte */
    return k - j - 1 < (size_t)(most >> (t[j] >> 6 & 2));
}

/* Per set, the first of its hits that the unit last asked for did not
 * reach (phrase_set_start[n_sets + 1 + set]): units are asked for in text
 * order, and the next unit's hits most often begin there, which two
 * compares tell, not a halving search (its loop's end a guess each call). */
static inline size_t *set_resume(hm_scan *scan, const hm_phrase_index *ix)
{
    return scan->phrase_set_start + ix->n_sets + 1;
}

/* One pass over the text, from run to run of letters and numbers: at each,
 * the literals keyed by that run and those keyed by it and the next run;
 * in the gaps, the literals that open with a byte. Then the hits are
 * grouped by set, each group in text order. Out of line: it runs once a
 * text, and inlined its registers cost each of hm_phrase_find_all's some
 * 300 calls an essay a longer entry and exit. */
static __attribute__((noinline)) void phrase_scan(hm_scan *scan)
{
    const hm_phrase_index *ix = scan->cfg->index;
    scan->phrases_scanned = true;
    if (scan->len > UINT32_MAX - 1) {
        scan->phrases_off = true;
        return;
    }
    const unsigned char *t = (const unsigned char *)scan->text;
    size_t len = scan->len;
    /* doc->words, for run_hash_at */
    const hm_word *word = scan->doc->words, *words_end = word ? word + scan->doc->n_words : word;
    if (!scan->cap_phrase_hits) {
        /* about one hit in 60 bytes of an essay: few texts need to grow it */
        scan->cap_phrase_hits = len / 32 + 16;
        scan->phrase_hits = hm_xmalloc(scan->cap_phrase_hits * sizeof *scan->phrase_hits);
    }
    /* [i, j): the current run, h its hash */
    size_t i = next_run_start(scan, 0), j = i;
    try_gap_lits(scan, 0, i, true);
    uint64_t h = run_hash_at(scan, &word, words_end, i, &j);
    /* the loop's test is the walk's: a document word starts before the
     * text's end, so the usual next run needs none */
    for (bool more = i < len; more;) {
        if (word_filter_has(ix->word_filter, h))
            try_word(scan, i, j, h);
        /* the pair table, whatever the first run: a stop word that opens
         * pairs ("in the ...") in the word table would pass its filter and
         * cost a probe at every use. The next run, past what separates it,
         * is hashed once for both its lookups; most runs are a word past a
         * quiet gap, found without the walk. */
        size_t k, m;
        uint64_t h2;
        const hm_word *next = word;
        if (next < words_end && quiet_gap(ix, t, j, k = next->start) && (m = next->ascii_end) > k &&
            run_tab[t[m]] == 0) {
            /* the usual next run: the next document word's leading ASCII
             * letters and digits ([start, ascii_end), so t[k] is one), the
             * whole run (t[m] a NUL past the text's end: HM_SOURCE_PAD), a
             * quiet gap on (run_hash_at's first answer at next_run_start's) */
            h2 = next->ascii_hash;
            word = next + 1;
            if (bit_has(ix->pair_filter, pair_filter_bit(h, h2)))
                try_pair(scan, i, j, k, m, h, h2);
        } else {
            next_run r = walk_to_next_run(scan, word, words_end, j);
            k = r.start;
            m = r.end;
            h2 = r.hash;
            word = r.word;
            if (m > k && bit_has(ix->pair_filter, pair_filter_bit(h, h2)))
                try_pair(scan, i, j, k, m, h, h2);
            /* after the pair's hits, which start earlier */
            if (k - j > 1)
                try_gap_lits(scan, j, k, false);
            more = k < len;
        }
        i = k;
        j = m;
        h = h2;
    }
    /* group by set, keeping text order within each; after the sets'
     * starts, where each set's last unit stopped (set_resume) */
    size_t n_sets = ix->n_sets;
    scan->phrase_set_start = hm_xcalloc(2 * n_sets + 1, sizeof *scan->phrase_set_start);
    size_t *resume = set_resume(scan, ix);
    for (size_t k = 0; k < scan->n_phrase_hits; k++)
        scan->phrase_set_start[scan->phrase_hits[k].set + 1]++;
    for (size_t k = 0; k < n_sets; k++)
        scan->phrase_set_start[k + 1] += scan->phrase_set_start[k];
    memcpy(resume, scan->phrase_set_start, n_sets * sizeof *resume);
    /* after the last hit one that starts nowhere, which
     * hm_phrase_find_all may read: it has room (cap_phrase_hits > 0) */
    const hm_phrase_hit past_last = {UINT32_MAX, UINT32_MAX, UINT32_MAX, 0, false};
    if (scan->n_phrase_hits) {
        hm_phrase_hit *sorted = hm_xmalloc((scan->n_phrase_hits + 1) * sizeof *sorted);
        /* resume[s]: where set s's next hit goes, then back to its start */
        for (size_t k = 0; k < scan->n_phrase_hits; k++)
            sorted[resume[scan->phrase_hits[k].set]++] = scan->phrase_hits[k];
        memcpy(resume, scan->phrase_set_start, n_sets * sizeof *resume);
        free(scan->phrase_hits);
        scan->phrase_hits = sorted;
        scan->cap_phrase_hits = scan->n_phrase_hits + 1;
    }
    scan->phrase_hits[scan->n_phrase_hits] = past_last;
}

bool hm_phrase_find_all(hm_scan *scan, int set, size_t from, size_t to, hm_match_fn fn, void *ud)
{
    const hm_phrase_index *ix = scan->cfg->index;
    if (!ix || set < 0 || (size_t)set >= ix->n_sets || !ix->sets[set].usable)
        return false;
    if (!scan->phrases_scanned)
        phrase_scan(scan);
    if (scan->phrases_off)
        return false;
    /* A unit that ends inside a run of letters would cut a word the table
     * only knows whole. */
    if (to > 0 && to < scan->len) {
        /* most units end before a space or a mark: run_tab answers, and
         * the character before `to` need not be found */
        size_t n;
        unsigned char after = run_tab[(unsigned char)scan->text[to]];
        bool run_after = after > 1 || (after == 1 && (cp_class(scan, to, &n) & CP_LN));
        bool ends_in_space = ix->sets[set].ends_in_space;
        if (run_after || ends_in_space) {
            size_t b = to - 1;
            while (b > 0 && ((unsigned char)scan->text[b] & 0xC0) == 0x80)
                b--;
            if (run_after && (cp_class(scan, b, &n) & CP_LN))
                return false;
            /* A unit that ends in white space ends a literal's trailing \s+
             * where the hits over the whole text do not. */
            if (ends_in_space && (set_class(scan, &ix->sets[set], b, &n) & CP_SPACE))
                return false;
        }
    }
    const hm_phrase_hit *h = scan->phrase_hits;
    size_t *resume = set_resume(scan, ix);
    /* the set's first hit at or after from: where the last unit stopped,
     * or else found halving [first, hi) without a branch on the compare
     * (the way it goes is the text's, a coin toss to the predictor) */
    size_t first = scan->phrase_set_start[set], hi = scan->phrase_set_start[set + 1], lo = resume[set];
    /* | and & on whole numbers, one branch: h[lo] is there (phrase_scan's
     * last hit), and h[lo - 1] is read only where it is */
    unsigned after_last = (unsigned)(lo == first) | (unsigned)(h[lo - (lo > 0)].start < from);
    unsigned first_here = (unsigned)(lo == hi) | (unsigned)(h[lo].start >= from);
    if (!(after_last & first_here)) {
        size_t n = hi - first;
        lo = first;
        while (n > 1) {
            size_t half = n / 2;
            lo = h[lo + half - 1].start < from ? lo + half : lo;
            n -= half;
        }
        lo += n == 1 && h[lo].start < from;
    }
    size_t pos = from, k = lo;
    while (k < hi && h[k].start < to) {
        size_t start = h[k].start, best = SIZE_MAX;
        size_t g = k;
        for (; g < hi && h[g].start == start; g++) {
            bool ok = h[g].end <= to && (h[g].tail_ok || h[g].end == to);
            if (ok && start >= pos && (best == SIZE_MAX || h[g].priority < h[best].priority))
                best = g;
        }
        k = g;
        if (best == SIZE_MAX)
            continue;
        pos = h[best].end;
        if (!fn(scan, h[best].start, h[best].end, ud))
            break;
    }
    resume[set] = k;
    return true;
}

int hm_starts_bit(const hm_config *cfg, const hm_rule *rule)
{
    const hm_phrase_index *ix = cfg->index;
    if (!ix || !ix->rule_start_bit || rule < cfg->rules || rule >= cfg->rules + cfg->n_rules)
        return -1;
    return ix->rule_start_bit[rule - cfg->rules];
}

/* The rules (beyond those in have | m) with a string of group g that the
 * text at `at` starts with; w: the text's next 8 bytes, folded. */
static inline uint64_t strings_in_group(const hm_phrase_index *ix, unsigned g, uint64_t w, const unsigned char *t,
                                        size_t len, size_t at, uint64_t have, uint64_t m)
{
    for (uint32_t q = ix->start_group[g]; q < ix->start_group[g + 1]; q++) {
        const start_string *ss = &ix->start_grouped[q];
        if ((w & ss->mask) != ss->pre || ((have | m) & ss->rules) == ss->rules || ss->len > len - at)
            continue;
        size_t k = 8;
        while (k < ss->len && fold(t[at + k]) == (unsigned char)ss->text[k])
            k++;
        if (k >= ss->len)
            m |= ss->rules;
    }
    return m;
}

/* The rules (beyond those in `have`) with a string that the text at `at`
 * starts with, ASCII case ignored. Out of line: inlined at its two calls in
 * starts_in_block, its group loops cost that loop registers. */
static __attribute__((noinline)) uint64_t strings_at(const hm_phrase_index *ix, const unsigned char *t, size_t len, size_t at, uint64_t have)
{
    /* the text's next 8 bytes, ASCII capitals folded */
    uint64_t w = 0;
    if (len - at >= 8)
        memcpy(&w, t + at, 8); /* one load; the copy of fewer bytes is a call */
    else
        memcpy(&w, t + at, len - at);
    w = fold8(w);
    uint64_t m = strings_in_group(ix, START_THREE_GROUPS + (w & 0xFF), w, t, len, at, have, 0);
    /* three_bytes_bit of the first three bytes, taken from w (the first
     * byte lowest there, highest in the bit's number) */
    if (len - at >= 3)
        m = strings_in_group(ix, ((__builtin_bswap32((uint32_t)w) >> 8) * 0x9E3779B1u) >> 20, w, t, len, at, have, m);
    return m;
}

#if !defined(__SSE2__)
/* Can a start string begin at `at`, by its first two bytes? Most word
 * starts fail here. (The SSE2 walk asks the same of a block at once.) */
static inline bool strings_may_start2(const hm_phrase_index *ix, const unsigned char *t, size_t len, size_t at)
{
    unsigned char f = fold(t[at]);
    if (!ix->start_count[f])
        return false;
    if (ix->start_short[f])
        return true;
    if (at + 1 >= len)
        return false;
    unsigned char f2 = fold(t[at + 1]);
    return (ix->start_second[f][f2 >> 6] >> (f2 & 63)) & 1;
}
#endif

/* ... and by its third and fourth, where its first two may: most word
 * starts that pass the two begin no string. Both tables are asked without
 * a branch between them (a string of four bytes or more cannot start
 * within three of the text's end). */
static inline bool strings_may_start3(const hm_phrase_index *ix, const unsigned char *t, size_t len, size_t at)
{
    unsigned char f = fold(t[at]);
    if (ix->start_short[f] || at + 2 >= len)
        return true;
    unsigned char f1 = fold(t[at + 1]), f2 = fold(t[at + 2]);
    bool four = at + 3 < len;
    unsigned char f3 = fold(four ? t[at + 3] : 0);
    /* | and & on whole numbers, not || and &&: no branch between the tables */
    return ((unsigned)bit_has(ix->start_three, three_bytes_bit(f, f1, f2)) |
            ((unsigned)four & (unsigned)bit_has(ix->start_four, four_bytes_bit(f, f1, f2, f3)))) != 0;
}

/* The rules whose matches may begin at the non-ASCII character at `at`:
 * at a number, those with '\d' or '\b\d' (Unicode \d matches other digits);
 * those with a string that opens with a non-ASCII byte (strings_at compares
 * bytes, not Unicode case); and every rule at ſ and the Kelvin sign, which
 * match s and k without case. No other character matches an ASCII letter
 * without case, so at the rest (’, –, “, é ...) no anchored call is made. */
static uint64_t lead_starts(hm_scan *scan, size_t at)
{
    const hm_phrase_index *ix = scan->cfg->index;
    size_t n, i = at;
    unsigned cls = cp_class_slow(scan, at, &n);
    uint32_t cp = hm_utf8_next(scan->text, scan->len, &i);
    if (cp == 0x17F || cp == 0x212A)
        return ix->start_all;
    uint64_t m = ix->start_lead;
    if ((cls & CP_LN) && !(cls & CP_L))
        m |= ix->start_digit | ix->start_word_digit;
    return m;
}

/* The rules whose matches may begin at `at` ('\d': any digit; '\b\d' and
 * strings: after no ASCII letter, digit or _, which after_word says of the
 * byte before; at a non-ASCII character, lead_starts). may_string: what
 * strings_may_start2 says there. */
static inline uint64_t starts_at(hm_scan *scan, const unsigned char *t, size_t len, size_t at, bool after_word,
                                 bool may_string)
{
    const hm_phrase_index *ix = scan->cfg->index;
    unsigned char c = t[at];
    uint8_t b = ix->start_byte_class[c];
    uint64_t m = 0;
    if (b & BC_WORD) {
        if (after_word)
            return (b & BC_DIGIT) ? ix->start_digit : 0;
        if (b & BC_DIGIT)
            m = ix->start_digit | ix->start_word_digit;
    } else if (b & BC_LEAD) {
        return lead_starts(scan, at);
    } else if (after_word || c >= 0x80) {
        return 0; /* else a string may open with punctuation */
    }
    if (may_string && strings_may_start3(ix, t, len, at))
        m |= strings_at(ix, t, len, at, m);
    return m;
}

static void add_start(hm_scan *scan, size_t *cap, size_t at, uint64_t m)
{
    if (scan->n_starts == *cap) {
        *cap = *cap ? 2 * *cap : 256;
        scan->starts = hm_xrealloc(scan->starts, *cap * sizeof *scan->starts);
    }
    scan->starts[scan->n_starts++] = (hm_start){(uint32_t)at, m};
}

#if defined(__SSE2__)
/* strings_may_start3 at the block's byte p, from one 4-byte load folded in
 * a word (not a load and a table load a byte). Three bytes after the block
 * can be read (find_starts); past the text's end they are zeros, which no
 * string holds: the answer may then be no where strings_may_start3 says
 * yes, but only where strings_at finds nothing. */
static inline bool strings_may_start3_at(const hm_phrase_index *ix, const unsigned char *p)
{
    const uint32_t ones = 0x01010101u, highs = 0x80808080u;
    uint32_t u;
    memcpy(&u, p, sizeof u);
    uint32_t low7 = u & ~highs;
    uint32_t upper = (low7 + ones * (0x80 - 'A')) & ~(low7 + ones * (0x80 - 'Z' - 1)) & ~u & highs;
    u |= upper >> 2; /* fold8's sum on four bytes */
    uint32_t b = __builtin_bswap32(u); /* the first byte highest, as in four_bytes_bit */
    /* three_bytes_bit and four_bytes_bit; | on whole numbers: no branch between the tables */
    return ((unsigned)ix->start_short[u & 0xFF] | (unsigned)bit_has(ix->start_three, ((b >> 8) * 0x9E3779B1u) >> 20) |
            (unsigned)bit_has(ix->start_four, (b * 0x9E3779B1u) >> 20)) != 0;
}

/* The 16 bytes at p, a bit each: word bytes (ASCII letter, digit or _),
 * digits, bytes above 0x7F, and the first bytes of non-ASCII characters. */
typedef struct byte_kinds {
    uint64_t word, digit, high, lead;
} byte_kinds;

static inline void byte_kinds16(const unsigned char *p, unsigned shift, byte_kinds *bk)
{
    __m128i a = _mm_loadu_si128((const __m128i *)(const void *)p);
    __m128i d = _mm_sub_epi8(_mm_or_si128(a, _mm_set1_epi8(0x20)), _mm_set1_epi8('a'));
    __m128i letter = _mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(25)), d);
    __m128i dd = _mm_sub_epi8(a, _mm_set1_epi8('0'));
    __m128i digit = _mm_cmpeq_epi8(_mm_min_epu8(dd, _mm_set1_epi8(9)), dd);
    __m128i under = _mm_cmpeq_epi8(a, _mm_set1_epi8('_'));
    uint64_t high = (unsigned)_mm_movemask_epi8(a);
    bk->word |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(letter, digit), under)) << shift;
    bk->digit |= (uint64_t)(unsigned)_mm_movemask_epi8(digit) << shift;
    bk->high |= high << shift;
    /* signed, a lead byte (0xC0 and up) is above -65, a continuation byte not */
    bk->lead |= (high & (unsigned)_mm_movemask_epi8(_mm_cmpgt_epi8(a, _mm_set1_epi8(-65)))) << shift;
}

#if defined(HM_HAVE_SHUFFLE)
/* The positions of the 64 bytes at p (and three more) where a start string
 * may begin by start_nibbles: each of the four bytes from there leaves a
 * bucket, and one bucket all four. */
__attribute__((target("ssse3"))) static uint64_t start_nibbles_block(const start_nibbles *sn, const unsigned char *p)
{
    __m128i lo[4], hi[4];
    for (unsigned k = 0; k < 4; k++) {
        lo[k] = _mm_loadu_si128((const __m128i *)(const void *)sn->lo[k]);
        hi[k] = _mm_loadu_si128((const __m128i *)(const void *)sn->hi[k]);
    }
    uint64_t may = 0;
    for (unsigned b = 0; b < 64; b += 16) {
        __m128i m = hm_nibble_lookup(_mm_loadu_si128((const __m128i *)(const void *)(p + b)), lo[0], hi[0]);
        for (unsigned k = 1; k < 4; k++)
            m = _mm_and_si128(m, hm_nibble_lookup(_mm_loadu_si128((const __m128i *)(const void *)(p + b + k)),
                                                  lo[k], hi[k]));
        may |= (uint64_t)(~(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(m, _mm_setzero_si128())) & 0xFFFFu) << b;
    }
    return may;
}

/* start_nibbles_block with AVX2, 32 bytes a step (three-operand code: no
 * copies of the tables that SSSE3's shuffle overwrites). */
__attribute__((target("avx2"))) static uint64_t start_nibbles_block_wide(const start_nibbles *sn,
                                                                        const unsigned char *p)
{
    __m256i lo[4], hi[4];
    for (unsigned k = 0; k < 4; k++) {
        lo[k] = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(const void *)sn->lo[k]));
        hi[k] = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(const void *)sn->hi[k]));
    }
    uint64_t may = 0;
    for (unsigned b = 0; b < 64; b += 32) {
        __m256i m = hm_nibble_lookup_wide(_mm256_loadu_si256((const __m256i *)(const void *)(p + b)), lo[0], hi[0]);
        for (unsigned k = 1; k < 4; k++)
            m = _mm256_and_si256(
                m, hm_nibble_lookup_wide(_mm256_loadu_si256((const __m256i *)(const void *)(p + b + k)), lo[k], hi[k]));
        may |= (uint64_t)~(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(m, _mm256_setzero_si256())) << b;
    }
    return may;
}

/* A bucket's or a first byte's strings' nibbles at each of the four places,
 * a bit each: start_nibbles_of chooses the buckets with these, then makes
 * the tables from them. */
typedef struct nibble_sets {
    uint16_t lo[4], hi[4];
} nibble_sets;

/* String ss's first four bytes (with their other case; past its end, any
 * byte) into ns. */
static void nibble_sets_add(nibble_sets *ns, const start_string *ss)
{
    const unsigned char *u = (const unsigned char *)ss->text;
    for (unsigned k = 0; k < 4; k++) {
        if (k >= ss->len) {
            ns->lo[k] = ns->hi[k] = 0xFFFF;
            continue;
        }
        unsigned char cases[2] = {u[k], other_case(u[k])};
        for (unsigned c = 0; c < 2; c++) {
            ns->lo[k] |= (uint16_t)(1u << (cases[c] & 15));
            ns->hi[k] |= (uint16_t)(1u << (cases[c] >> 4));
        }
    }
}

/* How many four-byte texts a bucket of nibble sets ns lets through: at each
 * place, its low nibbles times its high ones. */
static uint64_t nibble_volume(const nibble_sets *ns)
{
    uint64_t v = 1;
    for (unsigned k = 0; k < 4; k++)
        v *= hm_popcount32(ns->lo[k]) * hm_popcount32(ns->hi[k]);
    return v;
}

/* ix's start_nibbles, made for start_nibbles_of: the strings of one first
 * byte share a bucket (their later bytes then mix only with each other's),
 * the first bytes with the most strings first, each into the bucket whose
 * volume (nibble_volume) it grows least: a bucket's bytes at each place
 * are the product of its nibbles', and the strings' crossings let words
 * through ("tw" and "th" pass "the"). Made from the strings, so the same
 * for an index built or read from an image. */
static __attribute__((noinline, cold)) const start_nibbles *start_nibbles_make(const hm_phrase_index *ix);

/* ix's start_nibbles (start_nibbles_make at the first call). */
static inline const start_nibbles *start_nibbles_of(const hm_phrase_index *ix)
{
    hm_phrase_index *shared = (hm_phrase_index *)(uintptr_t)ix; /* written once, by start_nibbles_make */
    const start_nibbles *sn = atomic_load_explicit(&shared->start_nibbles, memory_order_acquire);
    return sn ? sn : start_nibbles_make(ix);
}

static __attribute__((noinline, cold)) const start_nibbles *start_nibbles_make(const hm_phrase_index *ix)
{
    hm_phrase_index *shared = (hm_phrase_index *)(uintptr_t)ix; /* the table is published once, atomically */
    nibble_sets bucket[8];
    memset(bucket, 0, sizeof bucket);
    uint64_t volume[8] = {0};
    /* the first bytes with strings, most strings first (an insertion sort:
     * some twenty) */
    unsigned char firsts[256];
    unsigned n_firsts = 0;
    for (unsigned c = 0; c < 256; c++) {
        if (!ix->start_count[c])
            continue;
        unsigned at = n_firsts++;
        for (; at > 0 && ix->start_count[firsts[at - 1]] < ix->start_count[c]; at--)
            firsts[at] = firsts[at - 1];
        firsts[at] = (unsigned char)c;
    }
    for (unsigned g = 0; g < n_firsts; g++) {
        unsigned f = firsts[g];
        nibble_sets group;
        memset(&group, 0, sizeof group);
        for (uint32_t j = 0; j < ix->start_count[f]; j++)
            nibble_sets_add(&group, &ix->start_strings[ix->start_first[f] + j]);
        unsigned best = 0;
        uint64_t best_growth = UINT64_MAX;
        for (unsigned q = 0; q < 8; q++) {
            nibble_sets with = bucket[q];
            for (unsigned k = 0; k < 4; k++) {
                with.lo[k] |= group.lo[k];
                with.hi[k] |= group.hi[k];
            }
            uint64_t growth = nibble_volume(&with) - volume[q];
            if (growth < best_growth) {
                best = q;
                best_growth = growth;
            }
        }
        for (unsigned k = 0; k < 4; k++) {
            bucket[best].lo[k] |= group.lo[k];
            bucket[best].hi[k] |= group.hi[k];
        }
        volume[best] += best_growth;
    }
    start_nibbles *sn = hm_xcalloc(1, sizeof *sn);
    for (unsigned q = 0; q < 8; q++)
        for (unsigned k = 0; k < 4; k++)
            for (unsigned n = 0; n < 16; n++) {
                sn->lo[k][n] |= (unsigned char)((bucket[q].lo[k] >> n & 1) << q);
                sn->hi[k][n] |= (unsigned char)((bucket[q].hi[k] >> n & 1) << q);
            }
    sn->wide = hm_cpu_has_wide_shuffle();
    start_nibbles *none = NULL;
    if (!atomic_compare_exchange_strong_explicit(&shared->start_nibbles, &none, sn, memory_order_acq_rel,
                                                 memory_order_acquire)) {
        free(sn); /* another scan's came first: the same table */
        return none;
    }
    return sn;
}
#endif

/* The starts in the 64 bytes of text at i, read from p (the text, or a
 * copy of its last bytes with zeros after them; valid: the bits of the
 * text's bytes). starts_at answers only where it may find something,
 * which the start nibbles (with SSSE3; else a branchless test of each word
 * start's first two bytes) narrow to a few first. */
static void starts_in_block(hm_scan *scan, size_t *cap, const unsigned char *p, size_t i, uint64_t valid,
                            bool *after_word, const start_nibbles *sn)
{
    const hm_phrase_index *ix = scan->cfg->index;
    byte_kinds bk = {0, 0, 0, 0};
    byte_kinds16(p, 0, &bk);
    byte_kinds16(p + 16, 16, &bk);
    byte_kinds16(p + 32, 32, &bk);
    byte_kinds16(p + 48, 48, &bk);
    uint64_t before = bk.word << 1 | *after_word; /* the byte before is a word byte */
    uint64_t word_starts = bk.word & ~before;
    /* where a string may start: a word's first byte, and (when some string
     * opens with punctuation) an ASCII byte after one that is no word byte */
    uint64_t ask = word_starts;
    if (ix->start_punct)
        ask |= ~bk.word & ~before & ~bk.high;
    ask &= valid;
    /* where starts_at may answer something: non-ASCII characters; with
     * '\d' or '\b\d', a number's first digit; with '\d', every digit */
    uint64_t maybe = bk.lead, may_string = 0;
    if (ix->start_digit | ix->start_word_digit)
        maybe |= bk.digit & word_starts;
    if (ix->start_digit)
        maybe |= bk.digit & before;
#if defined(HM_HAVE_SHUFFLE)
    if (sn)
        may_string = (sn->wide ? start_nibbles_block_wide(sn, p) : start_nibbles_block(sn, p)) & ask;
    else
#else
    (void)sn;
#endif
        for (; ask; ask &= ask - 1) {
            unsigned k = (unsigned)__builtin_ctzll(ask);
            /* strings_may_start2 without a branch (NUL is no string's second
             * byte) */
            unsigned two = two_bytes(p + k);
            may_string |= (ix->start_two[two >> 6] >> (two & 63) & 1) << k;
        }
    const unsigned char *t = (const unsigned char *)scan->text;
    size_t len = scan->len;
    maybe &= valid;
    for (uint64_t ask_more = maybe | (may_string & valid); ask_more; ask_more &= ask_more - 1) {
        unsigned k = (unsigned)__builtin_ctzll(ask_more);
        uint64_t m;
        if (maybe >> k & 1)
            m = starts_at(scan, t, len, i + k, before >> k & 1, may_string >> k & 1);
        else /* a letter or punctuation after no word byte: only a string may begin there */
            m = strings_may_start3_at(ix, p + k) ? strings_at(ix, t, len, i + k, 0) : 0;
        if (m)
            add_start(scan, cap, i + k, m);
    }
    *after_word = bk.word >> 63;
}
#endif

/* One pass over the text: starts_at wherever something may start, in text
 * order. */
static __attribute__((noinline)) void find_starts(hm_scan *scan)
{
    const unsigned char *t = (const unsigned char *)scan->text;
    size_t len = scan->len, cap = 0, i = 0;
    scan->starts_found = true;
    if (len > UINT32_MAX)
        return;
    bool after_word = false;
#if defined(__SSE2__)
    const start_nibbles *sn = NULL;
#if defined(HM_HAVE_SHUFFLE)
    if (hm_cpu_has_shuffle())
        sn = start_nibbles_of(scan->cfg->index);
#endif
    /* 64 bytes at a time; a block reads the three bytes after it, so the
     * last blocks (from the one that reaches within three bytes of the
     * text's end) are read from a copy with zeros after the text */
    for (; i + 67 <= len; i += 64)
        starts_in_block(scan, &cap, t + i, i, ~(uint64_t)0, &after_word, sn);
    if (i < len) {
        unsigned char tail[144] = {0}; /* at most 66 bytes of text, then two blocks' reads */
        size_t n = len - i;
        memcpy(tail, t + i, n);
        starts_in_block(scan, &cap, tail, i, n >= 64 ? ~(uint64_t)0 : ~(uint64_t)0 >> (64 - n), &after_word, sn);
        if (n > 64)
            starts_in_block(scan, &cap, tail + 64, i + 64, ~(uint64_t)0 >> (128 - n), &after_word, sn);
    }
#else
    const hm_phrase_index *ix = scan->cfg->index;
    for (; i < len; i++) {
        uint64_t m = starts_at(scan, t, len, i, after_word, strings_may_start2(ix, t, len, i));
        if (m)
            add_start(scan, &cap, i, m);
        after_word = ix->start_byte_class[t[i]] & BC_WORD;
    }
#endif
}

const hm_start *hm_starts_find(hm_scan *scan, size_t *n)
{
    if (!scan->starts_found)
        find_starts(scan);
    *n = scan->n_starts;
    return scan->starts;
}

/* ---- person names ---- */

/* The built-in person-name pattern (rules.yaml), which hm_names_find_all
 * follows step by step. */
const char hm_person_name_pattern[] =
    "(?=\\p{Lu})(?<![\\p{L}.])(?:\\p{Lu}\\.\\s?){0,3}\\p{Lu}\\p{Ll}+(?:-\\p{Lu}?\\p{Ll}+|['\u2019](?!s\\b)"
    "\\p{Lu}?\\p{Ll}+)*(?:[ \\t]+(?:(?:von|van|de|der|du|la|le|of|bin|ibn|da|di)[ \\t]+)?(?:(?:\\p{Lu}\\.\\s?)"
    "{0,3}\\p{Lu}\\p{Ll}+(?:-\\p{Lu}?\\p{Ll}+|['\u2019](?!s\\b)\\p{Lu}?\\p{Ll}+)*|[IVX]{1,4}\\b)|[ \\t]+"
    "\\p{Lu}\\.[ \\t]*\\p{Lu}\\p{Ll}+)*";

typedef struct name_cursor {
    hm_scan *scan;
    size_t to;             /* the subject ends here */
    hm_name_run run;       /* the match so far: its words before word_start */
    size_t word_start;     /* where the word the walk is in opens */
} name_cursor;

/* What the run's words are at a point of the walk, to go back to when an
 * alternative fails. */
typedef struct nc_mark {
    size_t n_words, word_start;
} nc_mark;

static inline nc_mark nc_save(const name_cursor *c)
{
    return (nc_mark){c->run.n_words, c->word_start};
}

static inline void nc_restore(name_cursor *c, nc_mark m)
{
    c->run.n_words = m.n_words;
    c->word_start = m.word_start;
}

/* The walk steps over a gap between words ([end, next)): the word it was
 * in ends at `end`, the next opens at `next`. */
static inline void nc_gap(name_cursor *c, size_t end, size_t next)
{
    if (c->run.n_words < HM_NAME_RUN_WORDS)
        c->run.words[c->run.n_words++] = (struct hm_name_word){c->word_start, end};
    c->word_start = next;
}


/* The classes of the character at i (0 at or past the end); *n its length. */
static inline unsigned nc_class(const name_cursor *c, size_t i, size_t *n)
{
    if (i >= c->to) {
        *n = 0;
        return 0;
    }
    unsigned char ch = (unsigned char)c->scan->text[i];
    if (ch >= 'a' && ch <= 'z') {
        *n = 1;
        return CP_LN | CP_WORD | CP_L | CP_LL;
    }
    return cp_class(c->scan, i, n);
}

static bool nc_is(const name_cursor *c, size_t i, char ch)
{
    return i < c->to && c->scan->text[i] == ch;
}

static bool nc_space_tab(const name_cursor *c, size_t i)
{
    return nc_is(c, i, ' ') || nc_is(c, i, '\t');
}

/* \p{Ll}+ from i: the end, or SIZE_MAX when none */
static inline size_t nc_lowers(const name_cursor *c, size_t i)
{
    size_t n, j = i;
#if defined(__SSE2__)
    /* ASCII small letters 16 at a time (within the subject): most of a
     * name's letters; the loop below goes on from the first other byte,
     * unless it is ASCII (most names): no small letter then */
    const unsigned char *t = (const unsigned char *)c->scan->text;
    for (; j + 16 <= c->to; j += 16) {
        unsigned k = ascii_small16(t + j);
        if (k < 16) {
            j += k;
            if (t[j] < 0x80)
                return j > i ? j : SIZE_MAX;
            break;
        }
    }
#endif
    while (nc_class(c, j, &n) & CP_LL)
        j += n;
    return j > i ? j : SIZE_MAX;
}

/* A quote mark: ' or ’ (its length in *n) */
static bool nc_quote(const name_cursor *c, size_t i, size_t *n)
{
    const char *t = c->scan->text;
    if (nc_is(c, i, '\'')) {
        *n = 1;
        return true;
    }
    if (i + 3 <= c->to && (unsigned char)t[i] == 0xE2 && (unsigned char)t[i + 1] == 0x80 &&
        (unsigned char)t[i + 2] == 0x99) {
        *n = 3;
        return true;
    }
    return false;
}

/* (?:\p{Lu}\.\s?){0,3}\p{Lu}\p{Ll}+(?:-\p{Lu}?\p{Ll}+|['’](?!s\b)\p{Lu}?\p{Ll}+)*
 * at i: the end, or SIZE_MAX. Each step has one way to succeed: an
 * initial is "X." and a name needs a small letter after its capital, so
 * backtracking cannot find another. */
static size_t nc_name(name_cursor *c, size_t i)
{
    size_t n, m;
    /* the class of the character at i, asked once for the initials' test
     * and the name's capital */
    unsigned cls = nc_class(c, i, &n);
    for (int k = 0; k < 3 && (cls & CP_LU) && nc_is(c, i + n, '.'); k++) {
        i += n + 1;
        if (nc_class(c, i, &m) & CP_SPACE) {
            if (hm_name_gap(c->scan->text[i])) /* of \s, only these part words */
                nc_gap(c, i, i + m);
            i += m;
        }
        cls = nc_class(c, i, &n);
    }
    if (!(cls & CP_LU))
        return SIZE_MAX;
    size_t e = nc_lowers(c, i + n);
    if (e == SIZE_MAX)
        return SIZE_MAX;
    const unsigned char *t = (const unsigned char *)c->scan->text;
    for (;;) {
        /* most names end at a byte that opens neither part below: one
         * load and three compares, not each part's own tests */
        if (e >= c->to || (t[e] != '-' && t[e] != '\'' && t[e] != 0xE2))
            break;
        size_t j;
        if (nc_is(c, e, '-')) {
            j = e + 1;
        } else if (nc_quote(c, e, &m)) {
            j = e + m;
            /* (?!s\b) */
            if (nc_is(c, j, 's') && !(nc_class(c, j + 1, &n) & CP_WORD))
                break;
        } else {
            break;
        }
        if (nc_class(c, j, &n) & CP_LU)
            j += n;
        size_t f = nc_lowers(c, j);
        if (f == SIZE_MAX)
            break;
        e = f;
    }
    return e;
}

/* [IVX]{1,4}\b at i */
static size_t nc_roman(const name_cursor *c, size_t i)
{
    size_t j = i, n;
    while (j - i < 4 && (nc_is(c, j, 'I') || nc_is(c, j, 'V') || nc_is(c, j, 'X')))
        j++;
    if (j == i || (nc_class(c, j, &n) & CP_WORD))
        return SIZE_MAX;
    return j;
}

/* The length of the connector (von, van, de, der, du, la, le, of, bin,
 * ibn, da, di) and the space or tab after it at r, or 0: at most one can
 * match (each must end where a space or tab is), so the pattern's order
 * among them does not count. */
static size_t nc_connector(const name_cursor *c, size_t r)
{
    size_t cl = nc_space_tab(c, r + 2) ? 2 : nc_space_tab(c, r + 3) ? 3 : 0;
    if (!cl)
        return 0;
    return hm_name_connector(c->scan->text + r, cl) ? cl : 0;
}

/* Bit 1: the byte is a space or tab; bit 2: a byte after a name's space
 * or tab that nc_part goes on at (another space or tab, a connector's
 * first letter, an ASCII capital, or a byte not ASCII). */
#define NAME_GAP1(b) ((b) == ' ' || (b) == '\t')
#define NAME_ON1(b)                                                                                              \
    (NAME_GAP1(b) | (NAME_GAP1(b) || (b) >= 0x80 || ((b) >= 'A' && (b) <= 'Z') || (b) == 'v' || (b) == 'd' ||   \
                     (b) == 'l' || (b) == 'o' || (b) == 'b' || (b) == 'i') << 1)
static const unsigned char name_next_tab[256] = {TAB64(NAME_ON1, 0), TAB64(NAME_ON1, 64), TAB64(NAME_ON1, 128),
                                                 TAB64(NAME_ON1, 192)};

/* One more part of the name after `e`, or SIZE_MAX: the outer group's two
 * alternatives in the pattern's order. */
static size_t nc_part(name_cursor *c, size_t e)
{
    /* Most names end here: at a byte that is no space or tab, or at one
     * space or tab before a byte that opens no connector and is no capital
     * (below). Both are asked in one test of the two bytes (0 at or past
     * `to`, a test foreseen) looked up: as two tests, whose answers the
     * history does not foretell, they cost a mispredict each. */
    const unsigned char *t = (const unsigned char *)c->scan->text;
    unsigned b0 = e < c->to ? t[e] : 0, b1 = e + 1 < c->to ? t[e + 1] : 0;
    if (!(name_next_tab[b0] & name_next_tab[b1] >> 1 & 1))
        return SIZE_MAX;
    if (!nc_space_tab(c, e))
        return SIZE_MAX;
    size_t r = e;
    while (nc_space_tab(c, r))
        r++;
    /* Most names are followed by an ordinary word: test the connectors'
     * first letters before the connectors, and every other alternative
     * opens with a capital. Such a word is turned away before the gap is
     * noted. */
    unsigned char c0 = r < c->to ? (unsigned char)c->scan->text[r] : 0;
    bool may_connect = c0 == 'v' || c0 == 'd' || c0 == 'l' || c0 == 'o' || c0 == 'b' || c0 == 'i';
    bool may_open = r < c->to && (c0 >= 0x80 || (c0 >= 'A' && c0 <= 'Z'));
    if (!may_connect && !may_open)
        return SIZE_MAX;
    nc_mark entry = nc_save(c);
    nc_gap(c, e, r);
    nc_mark after_gap = nc_save(c);
    size_t cl = may_connect ? nc_connector(c, r) : 0;
    if (cl) {
        size_t r2 = r + cl;
        while (nc_space_tab(c, r2))
            r2++;
        nc_gap(c, r + cl, r2);
        size_t x = nc_name(c, r2);
        if (x == SIZE_MAX) {
            nc_restore(c, after_gap);
            nc_gap(c, r + cl, r2);
            x = nc_roman(c, r2);
        }
        if (x != SIZE_MAX)
            return x;
        nc_restore(c, after_gap);
    }
    if (!may_open) {
        nc_restore(c, entry);
        return SIZE_MAX;
    }
    size_t x = nc_name(c, r);
    if (x == SIZE_MAX) {
        nc_restore(c, after_gap);
        x = nc_roman(c, r);
    }
    if (x != SIZE_MAX)
        return x;
    /* [ \t]+\p{Lu}\.[ \t]*\p{Lu}\p{Ll}+ */
    size_t n;
    if ((nc_class(c, r, &n) & CP_LU) && nc_is(c, r + n, '.')) {
        size_t dot_end = r + n + 1;
        r = dot_end;
        while (nc_space_tab(c, r))
            r++;
        if (nc_class(c, r, &n) & CP_LU) {
            x = nc_lowers(c, r + n);
            if (x != SIZE_MAX) {
                if (r > dot_end)
                    nc_gap(c, dot_end, r);
                return x;
            }
        }
    }
    nc_restore(c, entry);
    return SIZE_MAX;
}

#if defined(__SSE2__)
/* Bit k: the byte p[k] is an ASCII capital or not ASCII, of the 16 at p. */
static inline unsigned may_open16(const unsigned char *p)
{
    __m128i a = _mm_loadu_si128((const __m128i *)(const void *)p);
    /* 'A' to 'Z' moved to -128 to -103 as signed bytes */
    __m128i cap = _mm_cmplt_epi8(_mm_add_epi8(a, _mm_set1_epi8((char)(0x80 - 'A'))), _mm_set1_epi8(-128 + 26));
    return (unsigned)_mm_movemask_epi8(_mm_or_si128(cap, a));
}
#endif

/* The first byte of t[i, to) (to <= len, the text's length) that may open
 * a name, or a place at or past `to` when none does: no ASCII character
 * but a capital can (most of the text). */
static inline size_t next_may_open(const unsigned char *t, size_t i, size_t to, size_t len)
{
#if defined(__SSE2__)
    /* 64 bytes at a time, inside the text (a byte found past `to` means
     * none before it): one byte in some forty may open a name, so most
     * blocks hold one and the test after a block is foreseen. Sixteen at a
     * time, the loop's exit after an unforeseeable count of empty chunks
     * cost a mispredict at each capital. */
    for (; i < to && i + 64 <= len; i += 64) {
        uint64_t m = may_open16(t + i) | (uint64_t)may_open16(t + i + 16) << 16 |
                     (uint64_t)may_open16(t + i + 32) << 32 | (uint64_t)may_open16(t + i + 48) << 48;
        if (m)
            return i + (size_t)__builtin_ctzll(m);
    }
    /* the text's last bytes */
    for (; i + 16 <= to; i += 16) {
        unsigned m = may_open16(t + i);
        if (m)
            return i + (size_t)__builtin_ctz(m);
    }
#else
    (void)len;
#endif
    while (i < to && t[i] < 0x80 && !(t[i] >= 'A' && t[i] <= 'Z'))
        i++;
    return i < to ? i : to;
}

bool hm_names_find_all(hm_scan *scan, size_t from, size_t to, hm_name_run_fn fn, void *ud)
{
    if (!scan->cfg->index || to > scan->len)
        return false;
    name_cursor c;
    c.scan = scan;
    c.to = to;
    const unsigned char *t = (const unsigned char *)scan->text;
    for (size_t i = from; (i = next_may_open(t, i, to, scan->len)) < to;) {
        size_t n;
        unsigned cls = nc_class(&c, i, &n);
        if (!(cls & CP_LU)) {
            i += n ? n : 1;
            continue;
        }
        /* (?<![\p{L}.]) */
        if (i > 0) {
            size_t b = i - 1, pn;
            while (b > 0 && (t[b] & 0xC0) == 0x80)
                b--;
            if (t[i - 1] == '.' || (cp_class(scan, b, &pn) & CP_L)) {
                i += n;
                continue;
            }
        }
        c.run.n_words = 0;
        c.word_start = i;
        size_t e = nc_name(&c, i);
        if (e == SIZE_MAX) {
            i += n;
            continue;
        }
        for (size_t x; (x = nc_part(&c, e)) != SIZE_MAX;)
            e = x;
        nc_gap(&c, e, e); /* the last word */
        c.run.start = i;
        c.run.end = e;
        if (!fn(scan, &c.run, ud))
            return true;
        i = e;
    }
    return true;
}

#if defined(__SSE2__)
/* How many bits each byte has set: two loads count a 16-bit mask, fewer
 * instructions than adding the bits in place (no popcnt in the baseline). */
#define BITS1(b) (((b) & 1) + ((b) >> 1 & 1) + ((b) >> 2 & 1) + ((b) >> 3 & 1) + ((b) >> 4 & 1) + ((b) >> 5 & 1) + \
                  ((b) >> 6 & 1) + ((b) >> 7 & 1))
static const unsigned char bits_set8[256] = {TAB64(BITS1, 0), TAB64(BITS1, 64), TAB64(BITS1, 128), TAB64(BITS1, 192)};

/* Adds to *n the runs of characters that are not white space starting in
 * the 16 ASCII bytes at p that keep has a bit for (a run starts at a byte
 * that is not space after one that is; *in_run: the byte before is in a
 * run). False, with nothing counted, when a kept byte is not ASCII. */
static inline bool count_runs16(const unsigned char *p, unsigned keep, bool *in_run, size_t *n)
{
    __m128i a = _mm_loadu_si128((const __m128i *)(const void *)p);
    if ((unsigned)_mm_movemask_epi8(a) & keep)
        return false;
    __m128i c = _mm_sub_epi8(a, _mm_set1_epi8('\t'));
    __m128i sp = _mm_or_si128(_mm_cmpeq_epi8(a, _mm_set1_epi8(' ')), _mm_cmpeq_epi8(_mm_min_epu8(c, _mm_set1_epi8(4)), c));
    unsigned ns = ~(unsigned)_mm_movemask_epi8(sp) & keep;
    unsigned st = ns & ~((ns << 1) | (unsigned)*in_run);
    *n += bits_set8[st & 0xFF] + bits_set8[st >> 8];
    *in_run = ns >> 15;
    return true;
}
#endif

bool hm_count_nonspace_runs(hm_scan *scan, size_t from, size_t to, bool ucp, size_t *count)
{
    if (!scan->cfg->index)
        return false;
    const unsigned char *t = (const unsigned char *)scan->text;
    size_t n = 0, i = from;
    bool in_run = false;
#if defined(__SSE2__)
    size_t whole_to = to < scan->len ? to : scan->len; /* whole chunks end by here */
#endif
    while (i < to) {
        bool space;
        size_t k = 1;
#if defined(__SSE2__)
        /* 16 ASCII bytes at a time, whole chunks inside the unit, then
         * one that may reach past `to` (not past the text): its bytes from
         * `to` on are left out. A non-ASCII byte stops them: one character
         * at a time below. */
        while (i + 16 <= whole_to && count_runs16(t + i, 0xFFFF, &in_run, &n))
            i += 16;
        if (i < to && to - i < 16 && i + 16 <= scan->len && count_runs16(t + i, (1u << (to - i)) - 1, &in_run, &n))
            i = to;
        if (i >= to)
            break;
#endif
        if (t[i] < 0x80) {
            /* ASCII, most of the text: white space is 9-13 and 32 */
            space = t[i] == ' ' || (unsigned)(t[i] - '\t') < 5;
            n += !space && !in_run;
            in_run = !space;
            i++;
            continue;
        }
        if (!ucp)
            space = false, k = utf8_len(t[i]);
        else
            space = cp_class(scan, i, &k) & CP_SPACE;
        if (i + k > to)
            k = to - i;
        n += !space && !in_run;
        in_run = !space;
        i += k;
    }
    *count = n;
    return true;
}

void hm_phrase_scan_free(hm_scan *scan)
{
    free(scan->starts);
    scan->starts = NULL;
    scan->n_starts = 0;
    scan->starts_found = false;
    free(scan->phrase_hits);
    free(scan->phrase_set_start);
    scan->phrase_hits = NULL;
    scan->phrase_set_start = NULL;
    scan->n_phrase_hits = scan->cap_phrase_hits = 0;
    scan->phrases_scanned = false;
}
