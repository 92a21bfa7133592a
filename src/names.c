/* People without a topic pack: a capitalised run of words (the rule's
 * pattern) is a person unless the stop lists say it is a place, a body, a
 * nationality, a month, an event, or a word capitalised only because it opens
 * a sentence. With a pack, a capitalised word a letter or two away from one
 * of the pack's names ("Trosky") is reported with the right spelling. */
#include "phrase.h"
#include "scan.h"

#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

typedef struct span {
    size_t start, end;
} span;

/* Which stop lists (HM_NL_*) hold the word, without the index: one
 * lookup per list. */
static uint32_t lists_of(const hm_scan *scan, const char *s, size_t n)
{
    const hm_lists *l = &scan->cfg->lists;
    uint32_t m = 0;
    m |= hm_list_has(l->places, s, n) ? HM_NL_PLACES : 0;
    m |= hm_list_has(l->bodies, s, n) ? HM_NL_BODIES : 0;
    m |= hm_list_has(l->nationalities, s, n) ? HM_NL_NATIONALITIES : 0;
    m |= hm_list_has(l->months, s, n) ? HM_NL_MONTHS : 0;
    m |= hm_list_has(l->days, s, n) ? HM_NL_DAYS : 0;
    m |= hm_list_has(l->event_words, s, n) ? HM_NL_EVENT_WORDS : 0;
    m |= hm_list_has(l->sentence_starters, s, n) ? HM_NL_SENTENCE_STARTERS : 0;
    m |= hm_list_has(l->titles, s, n) ? HM_NL_TITLES : 0;
    m |= hm_list_has(l->given_names, s, n) ? HM_NL_GIVEN_NAMES : 0;
    return m;
}

/* in any list but given names */
#define HM_NL_ANY (HM_NL_PLACES | HM_NL_BODIES | HM_NL_NATIONALITIES | HM_NL_MONTHS | HM_NL_DAYS | \
                   HM_NL_EVENT_WORDS | HM_NL_SENTENCE_STARTERS | HM_NL_TITLES)

/* The place and group suffix lists' items by last byte, in one index made
 * once an analysis at the first word that asks (a word ending with either
 * counts as listed): head[c] is the first item ending in byte c, next[i]
 * the one after item i, SUFFIX_NONE ends a chain; item[i] and len[i] are
 * item i and its length. An empty item ends every word. Lists of more than
 * SUFFIX_MAX items together are walked whole, with strlen each time. */
enum { SUFFIX_MAX = 64, SUFFIX_NONE = 0xFF };
typedef struct suffix_index {
    bool made, usable, has_empty;
    uint8_t head[256], next[SUFFIX_MAX];
    const char *item[SUFFIX_MAX];
    size_t len[SUFFIX_MAX];
} suffix_index;

static void index_suffixes(suffix_index *ix, const hm_list *place, const hm_list *group)
{
    ix->made = true;
    ix->usable = place->n + group->n <= SUFFIX_MAX;
    ix->has_empty = false;
    memset(ix->head, SUFFIX_NONE, sizeof ix->head);
    if (!ix->usable)
        return;
    size_t i = 0;
    for (const hm_list *l = place;; l = group) {
        for (size_t j = 0; j < l->n; j++, i++) {
            ix->item[i] = l->items[j];
            ix->len[i] = strlen(l->items[j]);
        }
        if (l == group)
            break;
    }
    while (i-- > 0) {
        size_t k = ix->len[i];
        if (!k) {
            ix->has_empty = true;
            continue;
        }
        unsigned char c = (unsigned char)ix->item[i][k - 1];
        ix->next[i] = ix->head[c];
        ix->head[c] = (uint8_t)i;
    }
}

/* Does s[0, n) end with one of the list's items, with more than two bytes
 * before it? (Lists too long for the index.) */
static bool list_ends_any(const hm_list *suffixes, const char *s, size_t n)
{
    for (size_t i = 0; i < suffixes->n; i++) {
        const char *item = suffixes->items[i];
        size_t k = strlen(item);
        if (n > k + 2 && (k == 0 || s[n - 1] == item[k - 1]) && memcmp(s + n - k, item, k) == 0)
            return true;
    }
    return false;
}

/* Does s[0, n) (n > 0) end with a place or group suffix, with more than two
 * bytes before it? */
static bool ends_with_suffix(const hm_lists *l, const suffix_index *ix, const char *s, size_t n)
{
    if (!ix->usable)
        return list_ends_any(l->place_suffixes, s, n) || list_ends_any(l->group_suffixes, s, n);
    if (ix->has_empty && n > 2)
        return true;
    for (unsigned i = ix->head[(unsigned char)s[n - 1]]; i != SUFFIX_NONE; i = ix->next[i]) {
        size_t k = ix->len[i];
        if (n > k + 2 && memcmp(s + n - k, ix->item[i], k) == 0)
            return true;
    }
    return false;
}

/* "the Guildhall", "the Führer", "the Kennedy administration": a person's
 * name is seldom written after "the". */
static bool after_the(const char *t, size_t start)
{
    return start >= 4 && (t[start - 1] == ' ' || t[start - 1] == '\n') && (t[start - 4] == 't' || t[start - 4] == 'T') &&
           t[start - 3] == 'h' && t[start - 2] == 'e' && (start == 4 || !((t[start - 5] | 32) >= 'a' && (t[start - 5] | 32) <= 'z'));
}

static bool is_connector(const char *s, size_t n)
{
    /* every connector has two or three letters: most words end here */
    return (n == 2 || n == 3) && hm_name_connector(s, n);
}

static bool is_roman(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != 'I' && s[i] != 'V' && s[i] != 'X')
            return false;
    return n > 0;
}

/* Optimal string alignment distance, giving up above `limit`. */
static unsigned edit_distance(const char *a, size_t la, const char *b, size_t lb, unsigned limit)
{
    if (la > 40 || lb > 40)
        return limit + 1;
    if ((la > lb ? la - lb : lb - la) > limit)
        return limit + 1;
    /* A lower bound first: an edit changes the difference between the two
     * words' multisets of bytes by at most one (a transposition by none),
     * and counting bytes in 32 buckets can only make it smaller. Most
     * capitalised words are nothing like the name. */
    int cnt[32] = {0};
    for (size_t i = 0; i < la; i++)
        cnt[(unsigned char)a[i] & 31]++;
    for (size_t j = 0; j < lb; j++)
        cnt[(unsigned char)b[j] & 31]--;
    unsigned more = 0, fewer = 0;
    for (size_t k = 0; k < 32; k++) {
        if (cnt[k] > 0)
            more += (unsigned)cnt[k];
        else
            fewer += (unsigned)-cnt[k];
    }
    if (more > limit || fewer > limit)
        return limit + 1;
    unsigned d[41][41];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = (unsigned)i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = (unsigned)j;
    unsigned prev_min = 0;
    for (size_t i = 1; i <= la; i++) {
        unsigned row_min = d[i][0];
        for (size_t j = 1; j <= lb; j++) {
            unsigned cost = a[i - 1] != b[j - 1];
            unsigned v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v)
                v = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < v)
                v = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
            if (v < row_min)
                row_min = v;
        }
        /* Each cell is at least the smaller of the row above's least and
         * one more than the least of the row before that, so two rows over
         * the limit mean every later row is too. */
        if (row_min > limit && prev_min > limit)
            return limit + 1;
        prev_min = row_min;
    }
    return d[la][lb];
}

/* Is the word one of the topic pack's places? Asked at most once a word of
 * a run (both checks below ask): *known is 0 until then, then 1 for no and
 * 2 for yes. */
static bool pack_place(const hm_scan *scan, const char *w, size_t n, uint8_t *known)
{
    if (!*known)
        *known = scan->topic && hm_strset_has(&scan->topic->places, w, n) ? 2 : 1;
    return *known == 2;
}

/* The pack's one-word names of four bytes or more by first byte and length,
 * made once an analysis at the first word that asks: group[c] is the row of
 * heads for names opening with byte c (GROUP_NONE: no such name), head[g][L]
 * the first of them of length L (31: or more), next[i] the one after name i
 * in the pack's order, and the count of names ends a chain. Shorter names
 * are left out: the words asked are four bytes or more, so such a name is
 * neither the word nor (misspelt_person's `tl < 4`) a misspelling's. A pack
 * with more names or first bytes is walked whole. */
enum { TOKEN_INDEX_MAX = 1024, TOKEN_GROUPS = 32, GROUP_NONE = 0xFF };
typedef struct token_index {
    const hm_topic *topic; /* the pack indexed, NULL until then */
    bool usable;
    uint8_t group[256];
    uint32_t lengths[256]; /* bit k: a name of length k (31: or more) opens with the byte; all bits when unusable */
    uint16_t head[TOKEN_GROUPS][32];
    uint16_t next[TOKEN_INDEX_MAX];
    size_t len[TOKEN_INDEX_MAX];       /* each name's length */
    uint32_t buckets[TOKEN_INDEX_MAX]; /* its byte_buckets, 0 until a word asks (a name has a byte) */
} token_index;

/* A bit for each of edit_distance's 32 buckets that s has a byte in. */
static uint32_t byte_buckets(const char *s, size_t n)
{
    uint32_t b = 0;
    for (size_t i = 0; i < n; i++)
        b |= (uint32_t)1 << ((unsigned char)s[i] & 31);
    return b;
}

/* byte_buckets of a word of the text, which HM_SOURCE_PAD bytes follow:
 * eight bytes a step, those past the word raised to buckets 32 to 63 that
 * the answer drops. The loop ends after n / 8 steps, not n: a word's
 * length is nothing the branch history foretells. */
static uint32_t text_byte_buckets(const char *s, size_t n)
{
    uint64_t b = 0;
    for (size_t i = 0; i < n; i += 8) {
        uint64_t x;
        memcpy(&x, s + i, 8);
        x &= 0x1F1F1F1F1F1F1F1Full;
        x |= n - i < 8 ? 0x2020202020202020ull << (8 * (n - i)) : 0;
        for (unsigned k = 0; k < 8; k++, x >>= 8)
            b |= (uint64_t)1 << (x & 63);
    }
    return (uint32_t)b;
}

/* 1 if x has more than `most` (1 or 2: misspelt_person's limit) bits set,
 * else 0. Both answers without a loop: the loop's end, after as many bits
 * as x has, was a mispredict. A whole number, not a bool, so that the
 * caller's two tests join with | (no branch between them) without clang's
 * warning about bitwise operators on booleans. */
static unsigned more_bits_than(uint32_t x, unsigned most)
{
    uint32_t past_one = x & (x - 1), past_two = past_one & (past_one - 1);
    return (most == 1 ? past_one : past_two) != 0;
}

/* What hm_names_run works out once an analysis, not at each of its calls
 * (one a paragraph): held by the scan, made at the first call. */
struct hm_names_state {
    suffix_index suffixes;
    token_index tokens;
    /* The ascii_hash of each word of the document that may open with a
     * capital, in doc->capitals' order, made at capitalised_elsewhere's
     * first walk: the walks read these, not the words (a cache line each,
     * and mostly out of the cache by then). */
    bool capital_hashes_made;
    uint64_t capital_hashes[]; /* doc->n_capitals of them */
};

static void index_tokens(token_index *ix, const hm_topic *t)
{
    ix->topic = t;
    ix->usable = t->n_name_tokens < TOKEN_INDEX_MAX;
    memset(ix->lengths, 0, sizeof ix->lengths);
    memset(ix->group, GROUP_NONE, sizeof ix->group);
    uint16_t none = (uint16_t)t->n_name_tokens;
    unsigned groups = 0;
    for (size_t i = t->n_name_tokens; ix->usable && i-- > 0;) {
        const char *tok = t->name_tokens[i];
        size_t tl = strlen(tok);
        if (tl < 4)
            continue;
        unsigned char c = (unsigned char)tok[0];
        if (ix->group[c] == GROUP_NONE) {
            if (groups == TOKEN_GROUPS) {
                ix->usable = false;
                break;
            }
            ix->group[c] = (uint8_t)groups;
            for (size_t k = 0; k < 32; k++)
                ix->head[groups][k] = none;
            groups++;
        }
        unsigned l = tl < 31 ? (unsigned)tl : 31;
        ix->next[i] = ix->head[ix->group[c]][l];
        ix->head[ix->group[c]][l] = (uint16_t)i;
        ix->len[i] = tl;
        ix->lengths[c] |= (uint32_t)1 << l;
        ix->buckets[i] = 0; /* most names are never within reach of a word's length */
    }
    if (!ix->usable)
        memset(ix->lengths, 0xFF, sizeof ix->lengths);
}

/* misspelt_person's walk of a pack too large for the index: every name. */
static size_t misspelt_person_walk(const hm_topic *t, const char *w, size_t n, unsigned limit)
{
    size_t best = SIZE_MAX;
    for (size_t i = 0; i < t->n_name_tokens; i++) {
        const char *tok = t->name_tokens[i];
        if (tok[0] != w[0])
            continue;
        size_t tl = strlen(tok);
        if ((tl > n ? tl - n : n - tl) > limit)
            continue;
        if (tl == n && memcmp(tok, w, n) == 0)
            return SIZE_MAX;
        if (tl < 4 || (n == tl + 1 && w[n - 1] == 's' && memcmp(tok, w, tl) == 0) || best != SIZE_MAX)
            continue;
        if (edit_distance(w, n, tok, tl, limit) <= limit)
            best = i;
    }
    return best;
}

/* The pack's one-word name (an index into name_tokens) that this word
 * misspells, or SIZE_MAX. The caller asks only with a pack, and of words
 * of four bytes or more in no stop list. */
static size_t misspelt_person(const hm_scan *scan, const char *w, size_t n, uint8_t *place_known, token_index *ix)
{
    const hm_topic *t = scan->topic;
    if (ix->topic != t)
        index_tokens(ix, t);
    unsigned limit = n >= 8 ? 2 : 1;
    /* The lengths within `limit` of n that a name opening with the word's
     * first byte has (bit 31 for 31 or more); none for most words: neither
     * the name nor a misspelling of it. */
    uint32_t reach = n + limit < 31 ? ((1u << (2 * limit + 1)) - 1) << (n - limit) : ~0u << (n - limit < 31 ? n - limit : 31);
    uint32_t window = ix->lengths[(unsigned char)w[0]] & reach;
    if (!window || pack_place(scan, w, n, place_known))
        return SIZE_MAX;
    if (!ix->usable)
        return misspelt_person_walk(t, w, n, limit);
    const uint16_t *head = ix->head[ix->group[(unsigned char)w[0]]];
    /* A name, spelt right (most words asked that get this far): only the
     * names of its length are compared. */
    if (n < 31)
        for (size_t i = head[n]; i < t->n_name_tokens; i = ix->next[i])
            if (memcmp(t->name_tokens[i], w, n) == 0)
                return SIZE_MAX;
    /* Else every name in reach is walked, a length at a time, so the first
     * misspelt name in the pack's order is the one of least index. The
     * bucket bound comes first: it turns away most names in one test. */
    uint32_t w_buckets = text_byte_buckets(w, n);
    size_t best = SIZE_MAX;
    for (; window; window &= window - 1) {
        for (size_t i = head[__builtin_ctz(window)]; i < t->n_name_tokens; i = ix->next[i]) {
            const char *tok = t->name_tokens[i];
            size_t tl = ix->len[i];
            /* edit_distance's bucket bound, by bits: a bucket only one of
             * the two has a byte in counts one at least (none for the name
             * itself, one for "Stalins") */
            if (!ix->buckets[i])
                ix->buckets[i] = byte_buckets(tok, tl);
            if (more_bits_than(w_buckets & ~ix->buckets[i], limit) | more_bits_than(ix->buckets[i] & ~w_buckets, limit))
                continue;
            if (tl >= 31 && (tl > n ? tl - n : n - tl) > limit)
                continue; /* of 31 bytes or more (one chain), and out of reach */
            if (n >= 31 && tl == n && memcmp(tok, w, n) == 0)
                return SIZE_MAX;
            /* "Stalins" is a missing apostrophe, not a misspelling */
            if ((n == tl + 1 && w[n - 1] == 's' && memcmp(tok, w, tl) == 0) || i > best)
                continue;
            if (edit_distance(w, n, tok, tl, limit) <= limit)
                best = i;
        }
    }
    return best;
}

static bool at_sentence_start(const hm_scan *scan, size_t pos, size_t *hint)
{
    size_t si = hm_document_sentence_next(scan->doc, pos, hint);
    if (si == SIZE_MAX)
        return true;
    size_t s = scan->doc->sents[si].start;
    /* quotes, brackets and list markers ("- ", "1. ") before the word */
    while (s < pos && (unsigned char)scan->text[s] < 0x80 && !((scan->text[s] | 32) >= 'a' && (scan->text[s] | 32) <= 'z'))
        s++;
    if (s + 3 <= pos && (unsigned char)scan->text[s] == 0xE2 && (unsigned char)scan->text[s + 1] == 0x80)
        s += 3; /* an opening curly quote */
    return s >= pos;
}

/* The word's length without a possessive "'s" or "’s". */
static size_t stem_len(const char *s, size_t len)
{
    if (len > 2 && s[len - 1] == 's' && s[len - 2] == '\'')
        return len - 2;
    if (len > 4 && s[len - 1] == 's' && !memcmp(s + len - 4, "\xE2\x80\x99", 3))
        return len - 4;
    return len;
}

static bool all_ascii_alnum(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!((c >= '0' && c <= '9') || ((c | 32) >= 'a' && (c | 32) <= 'z')))
            return false;
    }
    return true;
}

/* Written with a capital and not as a sentence's first word. */
static bool capitalised_mid_sentence(const hm_scan *scan, const hm_word *wd, size_t *hint)
{
    size_t i = wd->start;
    return hm_is_upper_cp(hm_utf8_next(scan->text, wd->end, &i)) && !at_sentence_start(scan, wd->start, hint);
}

/* Does this capitalised word also appear mid-sentence somewhere? Then it
 * is a name and not just a sentence's first word. Most essays ask once or
 * twice, and a walk over the words comparing the first byte and length is
 * cheaper than a set; after a few questions the set is built once, so each
 * further question costs a hash lookup. Both read only the words that may
 * open with a capital (doc->capitals): no other is written with one. */
#ifndef HM_CAPITALISED_WALKS
#define HM_CAPITALISED_WALKS 4 /* 0 (always the set) and 100000 (always the walk) give the same findings */
#endif
static const unsigned CAPITALISED_WALKS = HM_CAPITALISED_WALKS;

/* st->capital_hashes, made at the first call. */
static const uint64_t *capital_hashes(struct hm_names_state *st, const hm_document *doc)
{
    if (!st->capital_hashes_made) {
        for (size_t c = 0; c < doc->n_capitals; c++)
            st->capital_hashes[c] = doc->words[doc->capitals[c]].ascii_hash;
        st->capital_hashes_made = true;
    }
    return st->capital_hashes;
}

static bool capitalised_elsewhere(hm_scan *scan, const char *w, size_t n)
{
    const hm_document *doc = scan->doc;
    if (!scan->capitalised_built && scan->capitalised_asked + 1 <= CAPITALISED_WALKS) {
        scan->capitalised_asked++;
        if (n == 0)
            return false;
        size_t hint = 0;
        if (all_ascii_alnum(w, n)) {
            /* A word that is w (or w's) opens with w as its ASCII letters
             * and digits: the document's hash of those rules out the rest. */
            uint64_t h = hm_hash_bytes(w, n, true);
            const uint64_t *hashes = capital_hashes(scan->names_state, doc);
            for (size_t c = 0; c < doc->n_capitals; c++) {
                if (hashes[c] != h)
                    continue;
                const hm_word *wd = &doc->words[doc->capitals[c]];
                if (wd->ascii_end - wd->start != n)
                    continue;
                const char *s = scan->text + wd->start;
                if (stem_len(s, wd->end - wd->start) == n && memcmp(s, w, n) == 0 &&
                    capitalised_mid_sentence(scan, wd, &hint))
                    return true;
            }
            return false;
        }
        for (size_t c = 0; c < doc->n_capitals; c++) {
            const hm_word *wd = &doc->words[doc->capitals[c]];
            const char *s = scan->text + wd->start;
            size_t len = wd->end - wd->start;
            if (s[0] != w[0] || len < n || len > n + 4)
                continue;
            if (stem_len(s, len) == n && memcmp(s, w, n) == 0 && capitalised_mid_sentence(scan, wd, &hint))
                return true;
        }
        return false;
    }
    if (!scan->capitalised_built) {
        hm_strset_init_borrowing(&scan->capitalised, false); /* the words stay in the text */
        size_t hint = 0;
        for (size_t c = 0; c < doc->n_capitals; c++) {
            const hm_word *wd = &doc->words[doc->capitals[c]];
            if (!capitalised_mid_sentence(scan, wd, &hint))
                continue;
            const char *s = scan->text + wd->start;
            hm_strset_add(&scan->capitalised, s, stem_len(s, wd->end - wd->start));
        }
        scan->capitalised_built = true;
    }
    return hm_strset_has(&scan->capitalised, w, n);
}

/* The end of a run's word that starts at i: its first gap, or end. Sixteen
 * bytes at a time (SSE2) to the next byte of 0x20 or below (a gap, or a
 * rare page break), else a byte at a time. */
static size_t run_word_end(const char *t, size_t len, size_t i, size_t end)
{
#if defined(__SSE2__)
    while (i < end && i + 16 <= len) {
        __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(t + i));
        unsigned low = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(a, _mm_set1_epi8(0x20)), a));
        if (!low) {
            i += 16;
            continue;
        }
        i += (size_t)__builtin_ctz(low);
        if (i >= end || hm_name_gap(t[i]))
            break;
        i++;
    }
#else
    (void)len;
#endif
    while (i < end && !hm_name_gap(t[i]))
        i++;
    return i < end ? i : end;
}

/* Is each of the run's words that `named` has a bit for in a stop list
 * (but given names), one of the pack's places, or with a place or group
 * suffix? Asked only of runs that nothing else settles, and only up to the
 * first word that is none of these (most names' first). */
static bool all_listed(const hm_scan *scan, const hm_name_run *run, const uint32_t *wl, uint32_t named,
                       uint8_t *place_known, suffix_index *sx)
{
    const hm_lists *l = &scan->cfg->lists;
    for (; named; named &= named - 1) {
        size_t k = (size_t)__builtin_ctz(named);
        const char *s = scan->text + run->words[k].start;
        size_t n = run->words[k].end - run->words[k].start;
        if ((wl[k] & HM_NL_ANY) || pack_place(scan, s, n, &place_known[k]))
            continue;
        if (!sx->made)
            index_suffixes(sx, l->place_suffixes, l->group_suffixes);
        if (!n || !ends_with_suffix(l, sx, s, n))
            return false;
    }
    return true;
}

/* What each run's checks share in one call of hm_names_run. */
typedef struct names_pass {
    const hm_rule *rule;
    suffix_index *suffixes;
    token_index *tokens;
    size_t sent_hint;
} names_pass;

/* Is the run of nw words a person's name? Then it is added as a finding
 * (or as a misspelt name from the pack). */
static inline __attribute__((always_inline)) void check_words(hm_scan *scan, const hm_name_run *run,
                                                              names_pass *pass, size_t nw)
{
    const hm_rule *rule = pass->rule;
    const char *t = scan->text;
    const struct hm_name_word *w = run->words;
    uint32_t wl[HM_NAME_RUN_WORDS];
    uint8_t place_known[HM_NAME_RUN_WORDS] = {0};
    if (!hm_name_run_lists(scan->cfg, t, run, wl))
        for (size_t k = 0; k < nw; k++)
            wl[k] = lists_of(scan, t + w[k].start, w[k].end - w[k].start);
    /* A one-word run in a stop list (but given names) is no name, whatever
     * the tests below ask first (a sentence starter's; a title's, with no
     * word after it; all_listed's): one test, not the three. */
    if (nw == 1 && (wl[0] & HM_NL_ANY))
        return;
    /* One pass over the words without a branch on each (what they are
     * decides, which is no foreseeable thing): bit k of `starters` for a
     * sentence starter, of `unlisted` for a word the misspelling search
     * asks (four bytes or more, in no stop list). */
    _Static_assert(HM_NAME_RUN_WORDS < 32, "a run's words fit a mask with a bit to spare");
    uint32_t starters = 0, unlisted = 0;
    for (size_t k = 0; k < nw; k++) {
        starters |= (uint32_t)((wl[k] & HM_NL_SENTENCE_STARTERS) != 0) << k;
        unlisted |= (uint32_t)((w[k].end - w[k].start >= 4) & !(wl[k] & (HM_NL_ANY | HM_NL_GIVEN_NAMES))) << k;
    }
    /* Words capitalised only because they open the sentence (nw <= 16, so
     * ~starters has a bit set). */
    size_t first = (size_t)__builtin_ctz(~starters);
    if (first >= nw)
        return;
    size_t start = w[first].start, end = w[nw - 1].end;

    /* A misspelt name from the pack? */
    size_t person = SIZE_MAX, bad_word = 0;
    uint32_t ask = scan->topic ? unlisted >> first << first : 0;
    for (; ask && person == SIZE_MAX; ask &= ask - 1) {
        size_t k = (size_t)__builtin_ctz(ask);
        person = misspelt_person(scan, t + w[k].start, w[k].end - w[k].start, &place_known[k], pass->tokens);
        bad_word = k;
    }
    if (person != SIZE_MAX) {
        if (hm_in_span_of_kinds(scan, start, end, HM_KIND_BIT(HM_KIND_PERSON)))
            return;
        hm_finding *f = hm_scan_add(scan, rule, w[bad_word].start, w[bad_word].end);
        if (f) {
            f->suggestion = scan->topic->name_tokens[person];
            f->canonical = scan->topic->people[scan->topic->name_token_person[person]].name;
            f->message = "A key name that looks misspelt";
        }
        return;
    }

    bool title = wl[first] & HM_NL_TITLES;
    /* The words that name (bit k; not connectors or numerals) */
    uint32_t named = 0;
    bool eventish = false;
    for (size_t k = first + title; k < nw; k++) {
        const char *s = t + w[k].start;
        size_t n = w[k].end - w[k].start;
        /* a connector opens with a small letter, a naming word seldom
         * does: one foreseeable test before the connectors' */
        if (n && ((unsigned char)s[0] >= 'a' ? is_connector(s, n) : is_roman(s, n)))
            continue;
        named |= (uint32_t)1 << k;
        eventish |= (wl[k] & (HM_NL_EVENT_WORDS | HM_NL_BODIES)) != 0;
    }
    /* "the Duke of Norfolk": a title of a place is a person */
    bool title_of = title && first + 1 < nw && is_connector(t + w[first + 1].start, w[first + 1].end - w[first + 1].start);
    if (named == 0 || eventish || (!title_of && all_listed(scan, run, wl, named, place_known, pass->suffixes)))
        return;
    if (after_the(t, start) && !title_of && !(wl[first] & HM_NL_GIVEN_NAMES))
        return;
    if (hm_in_span_of_kinds(scan, start, end, HM_SPAN_KINDS))
        return;
    /* One word opening a sentence (the run's first: no starter word before
     * it): a name only when it is known as one or written with a capital
     * mid-sentence elsewhere. Where the sentence starts is asked last, of
     * the few runs that get this far. */
    if (first == 0 && !(named & (named - 1)) && !title && at_sentence_start(scan, run->start, &pass->sent_hint)) {
        const char *s = t + w[first].start;
        size_t n = w[first].end - w[first].start;
        bool possessive = end + 1 < scan->len && (t[end] == '\'' || (unsigned char)t[end] == 0xE2);
        if (!(wl[first] & HM_NL_GIVEN_NAMES) && !possessive && !capitalised_elsewhere(scan, s, n))
            return;
    }
    hm_scan_add(scan, rule, start, end);
}

/* Three runs in four are one word: checked with nw the constant 1, the
 * loops over the words are straight code, not ends after a count that
 * the branch history does not foretell (a mispredict in each loop). */
static bool check_run(hm_scan *scan, const hm_name_run *run, void *ud)
{
    if (run->n_words == 1)
        check_words(scan, run, ud, 1);
    else
        check_words(scan, run, ud, run->n_words);
    return true;
}

/* The rule's own pattern's matches in a paragraph (no index, or a rule
 * other than the built-in names): most fit in `local`, on the stack; more
 * go to the heap. */
enum { LOCAL_SPANS = 64 };
typedef struct span_vec {
    span *v;
    size_t n, cap;
    span local[LOCAL_SPANS];
} span_vec;

static bool push_span(hm_scan *scan, size_t s, size_t e, void *ud)
{
    (void)scan;
    span_vec *vec = ud;
    if (vec->n == vec->cap) {
        vec->cap *= 2;
        if (vec->v == vec->local) {
            vec->v = hm_xmalloc(vec->cap * sizeof *vec->v);
            memcpy(vec->v, vec->local, vec->n * sizeof *vec->v);
        } else {
            vec->v = hm_xrealloc(vec->v, vec->cap * sizeof *vec->v);
        }
    }
    vec->v[vec->n++] = (span){s, e};
    return true;
}

/* A pattern's match parted into its words, as hm_names_find_all gives them. */
static void split_run(const hm_scan *scan, span m, hm_name_run *run)
{
    const char *t = scan->text;
    run->start = m.start;
    run->end = m.end;
    run->n_words = 0;
    size_t i = m.start;
    while (i < m.end && run->n_words < HM_NAME_RUN_WORDS) {
        while (i < m.end && hm_name_gap(t[i]))
            i++;
        size_t a = i;
        i = run_word_end(t, scan->len, i, m.end);
        if (i > a)
            run->words[run->n_words++] = (struct hm_name_word){a, i};
    }
}

void hm_names_run(hm_scan *scan, const hm_rule *rule, size_t from, size_t to)
{
    if (!scan->names_state) {
        scan->names_state =
            hm_xmalloc(sizeof *scan->names_state + scan->doc->n_capitals * sizeof *scan->names_state->capital_hashes);
        scan->names_state->suffixes.made = false;
        scan->names_state->capital_hashes_made = false;
        scan->names_state->tokens.topic = NULL; /* its arrays filled only where a word asks */
    }
    names_pass pass = {rule, &scan->names_state->suffixes, &scan->names_state->tokens, 0};
    /* The walk in C reads no pattern's match data, so each run is checked
     * as it is found. */
    if (rule->person_names && hm_names_find_all(scan, from, to, check_run, &pass))
        return;
    /* hm_find_all reuses one match-data block, and the checks may run
     * patterns of their own: the matches are collected first. */
    span_vec found;
    found.v = found.local;
    found.n = 0;
    found.cap = LOCAL_SPANS;
    hm_find_all(scan, rule->re, from, to, push_span, &found, rule->id);
    for (size_t m = 0; m < found.n; m++) {
        hm_name_run run;
        split_run(scan, found.v[m], &run);
        check_run(scan, &run, &pass);
    }
    if (found.v != found.local)
        free(found.v);
}
