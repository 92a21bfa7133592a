/* Paragraphs come from blank lines, except in text pasted from a PDF, which
 * is hard wrapped with no blank lines: there a paragraph ends on a line that
 * ends a sentence and is clearly shorter than the wrap width, or before a
 * line that opens with a discourse marker ("Firstly", "In conclusion"). */
#include "document.h"
#include "shuffle.h"

#include <assert.h>
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

typedef struct line {
    size_t raw;        /* where the line begins, before indentation */
    size_t start, end; /* trimmed */
    unsigned cps;      /* length in code points, in blocks of three lines or more */
    bool blank, list;
    /* on a block's first line, for blocks of three lines or more (else 0
     * and false): its percentile90 width and block_wrapped's answer,
     * worked out once for hm_document_build and split_block */
    unsigned block_width;
    bool block_wrapped;
    size_t block_end;  /* on a block's first line: the line after its last */
} line;

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\f' || c == '\v' || c == '\r' || c == '\n';
}


#if !defined(__SSE2__)
/* Is any byte of x equal to c? (exact for the word as a whole) */
static inline uint64_t has_byte(uint64_t x, unsigned char c)
{
    uint64_t v = x ^ (HM_ONES * c);
    return (v - HM_ONES) & ~v & HM_HIGHS;
}
#endif

#if defined(__SSE2__)
/* A bit for each '.', '!' or '?' among the 16 bytes at p. */
static inline unsigned stops16(const char *p)
{
    __m128i a = _mm_loadu_si128((const __m128i *)(const void *)p);
    __m128i stops = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(a, _mm_set1_epi8('.')),
                                              _mm_cmpeq_epi8(a, _mm_set1_epi8('!'))),
                                 _mm_cmpeq_epi8(a, _mm_set1_epi8('?')));
    return (unsigned)_mm_movemask_epi8(stops);
}
#endif

/* The first '.', '!' or '?' in t[i, end), or end (t a source's text):
 * sixteen bytes at a time where SSE2 is there, else eight (a sentence runs
 * to a hundred bytes or more between them). */
static size_t next_stop(const char *t, size_t i, size_t end)
{
#if defined(__SSE2__)
    for (; i + 16 <= end; i += 16) {
        unsigned m = stops16(t + i);
        if (m)
            return i + (size_t)__builtin_ctz(m);
    }
    if (i < end) {
        /* the paragraph's last bytes: one load, inside the text or its
         * padding (HM_SOURCE_PAD), its bits from end on dropped (no byte
         * loop, no mispredicted exit) */
        unsigned m = stops16(t + i) & ((1u << (end - i)) - 1);
        return m ? i + (size_t)__builtin_ctz(m) : end;
    }
#else
    for (; i + 8 <= end; i += 8) {
        uint64_t x = hm_load8(t + i);
        if (has_byte(x, '.') | has_byte(x, '!') | has_byte(x, '?'))
            break;
    }
#endif
    while (i < end && t[i] != '.' && t[i] != '!' && t[i] != '?')
        i++;
    return i;
}

/* Code points in t[from, to): the source knows its continuation bytes. */
static unsigned count_cps(const hm_source *src, size_t from, size_t to)
{
    return (unsigned)hm_source_code_points(src, from, to);
}

/* "- ", "* ", "• ", "1. ", "2) ", "a) " open a list item. */
static bool is_list_line(const char *s, size_t n)
{
    if (n >= 2 && (s[0] == '-' || s[0] == '*' || s[0] == '+') && (s[1] == ' ' || s[1] == '\t'))
        return true;
    static const char *const bullets[] = {"\xE2\x80\xA2", "\xC2\xB7", "\xE2\x80\x93 ", "\xE2\x97\x8F",
                                          "\xE2\x96\xAA", "\xE2\x9E\xA2"};
    /* each bullet opens with a byte above 0x7F: most lines open with a letter */
    for (size_t b = 0; n && (unsigned char)s[0] >= 0x80 && b < sizeof bullets / sizeof *bullets; b++) {
        size_t bl = strlen(bullets[b]);
        if (n > bl && memcmp(s, bullets[b], bl) == 0)
            return true;
    }
    size_t i = 0;
    while (i < n && i < 3 && s[i] >= '0' && s[i] <= '9')
        i++;
    /* the letter and the bracket as one test, not a branch on each:
     * wrapped lines often open with a to h */
    if (i == 0 && n >= 3 && ((unsigned char)(s[0] - 'a') < 8) & (s[1] == ')'))
        return s[2] == ' ';
    return i > 0 && i + 1 < n && (s[i] == '.' || s[i] == ')') && s[i + 1] == ' ';
}

/* The last visible character, skipping closing quotes and brackets. */
static const char *last_mark(const char *s, size_t n, size_t *mark_len)
{
    size_t e = n;
    for (;;) {
        if (e >= 1 && (s[e - 1] == '"' || s[e - 1] == '\'' || s[e - 1] == ')' || s[e - 1] == ']')) {
            e--;
            continue;
        }
        /* ” and ’ are E2 80 9D and E2 80 99 */
        if (e >= 3 && (unsigned char)s[e - 3] == 0xE2 && (unsigned char)s[e - 2] == 0x80 &&
            ((unsigned char)s[e - 1] == 0x9D || (unsigned char)s[e - 1] == 0x99)) {
            e -= 3;
            continue;
        }
        break;
    }
    if (e == 0)
        return NULL;
    if (e >= 3 && (unsigned char)s[e - 3] == 0xE2 && (unsigned char)s[e - 2] == 0x80 &&
        (unsigned char)s[e - 1] == 0xA6) {
        *mark_len = 3; /* … */
        return s + e - 3;
    }
    *mark_len = 1;
    return s + e - 1;
}

static bool ends_sentence(const char *s, size_t n)
{
    size_t ml;
    const char *m = last_mark(s, n, &ml);
    return m && ml == 1 && (*m == '.' || *m == '!' || *m == '?');
}

static bool ends_with_question(const char *s, size_t n)
{
    size_t ml;
    const char *m = last_mark(s, n, &ml);
    return m && ml == 1 && *m == '?';
}

/* The first '(' or '[' in s[i, n), or n: sixteen bytes at a time where
 * SSE2 is there (a paragraph has a bracket in some hundreds of bytes). */
static size_t next_bracket(const char *s, size_t i, size_t n)
{
#if defined(__SSE2__)
    for (; i + 16 <= n; i += 16) {
        __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        unsigned m = (unsigned)_mm_movemask_epi8(
            _mm_or_si128(_mm_cmpeq_epi8(a, _mm_set1_epi8('(')), _mm_cmpeq_epi8(a, _mm_set1_epi8('['))));
        if (m)
            return i + (size_t)__builtin_ctz(m);
    }
#endif
    while (i < n && s[i] != '(' && s[i] != '[')
        i++;
    return i;
}

/* "(20 marks)", "[20 marks]", "(25)": the tag exam questions carry. */
static bool has_marks_tag(const char *s, size_t n)
{
    if (n < 2)
        return false;
    /* a bracket at i < n - 1: one with a byte after it */
    for (size_t i = 0; (i = next_bracket(s, i, n - 1)) < n - 1; i++) {
        size_t j = i + 1;
        while (j < n && s[j] >= '0' && s[j] <= '9')
            j++;
        if (j == i + 1)
            continue;
        while (j < n && (s[j] == ' ' || s[j] == '\n' || s[j] == '\r'))
            j++;
        if (j + 4 <= n && strncmp(s + j, "mark", 4) == 0)
            return true;
        if (j < n && (s[j] == ')' || s[j] == ']') && j == n - 1)
            return true;
    }
    return false;
}

bool hm_starts_with_marker(const char *s, size_t len, const hm_list *markers)
{
    for (size_t i = 0; i < markers->n; i++) {
        const char *m = markers->items[i];
        size_t ml = strlen(m);
        if (ml && len > ml && strncmp(s, m, ml) == 0 &&
            (s[ml] == ',' || s[ml] == ' ' || s[ml] == ':'))
            return true;
    }
    return false;
}

/* hm_utf8_next and hm_is_word_cp with ASCII inline: most of the text */
static inline uint32_t next_cp(const char *s, size_t n, size_t *i)
{
    unsigned char c = (unsigned char)s[*i];
    if (c < 0x80) {
        (*i)++;
        return c;
    }
    return hm_utf8_next(s, n, i);
}

/* The word loop's tables, one object: one register holds the base of
 * them all (as six tables, gcc made four of their addresses again for
 * every word; find_words hides its address, see run_consts). */
#define ENDS_WORD(c)                                                                         \
    ((c) < 0x80 && !(((c) >= '0' && (c) <= '9') || ((c) >= 'A' && (c) <= 'Z') ||            \
                     ((c) >= 'a' && (c) <= 'z')) && (c) != '\'' && (c) != '-')
#define CAPITAL_STEP(c) ((c) >= 'A' && (c) <= 'Z' ? sizeof(size_t) : 0)
#if defined(__SSE2__)
/* from the byte as it stands: a letter's or digit's | 0x20 is its folded form */
#define FNV_FIRST(c) ((HM_FNV_SEED ^ (uint64_t)((c) | 0x20)) * HM_FNV_PRIME)
#define FNV_P4 HM_FNV_PRIME, HM_FNV_PRIME, HM_FNV_PRIME, HM_FNV_PRIME
#define FNV_1S4 1, 1, 1, 1
#endif
static const struct word_tables {
#if defined(__SSE2__)
    /* FNV-1a's first step from its seed, by the run's first byte as it
     * stands (below 0x80, case folded here): a load, not a xor and a
     * multiply, and the byte the word loop has read already. */
    uint64_t fnv_first[128];
    /* 1 16 times and then FNV-1a's prime 16 times: a run of n bytes
     * multiplies at its step k (1 to 15) by fnv_steps[15 + n - k], the
     * prime where k < n, else 1 (each byte past the run 0, so that its
     * step leaves h as it is); one array, 4 cache lines, for every
     * length, its index n itself (a load's address from n, no 16 - n). */
    uint64_t fnv_steps[32];
    /* 16 bytes of all ones and then 16 of none: the 16 from 16 - n keep
     * the first n */
    unsigned char keep_first[32];
#endif
    /* ASCII letters and digits, each as its lowercase (no byte above
     * 0x7F: those start or continue a code point that word_cp decides);
     * 0 for every other byte */
    unsigned char ascii_word[256];
    /* The bytes that end a word where they stand, word_end's first test
     * in one lookup: ASCII but no letter or digit, and no apostrophe or
     * hyphen (those may join two parts: "Stalin's", "Nazi-Soviet"). */
    bool ends_word[256];
    /* sizeof(size_t) for an ASCII capital, else 0: find_words' step
     * through its capitals array in bytes, one load and an add a word
     * (the compare took five instructions, a step in items a shift more) */
    unsigned char capital_step[256];
} wt = {
#if defined(__SSE2__)
    .fnv_first = {HM_BYTES64(FNV_FIRST, 0), HM_BYTES64(FNV_FIRST, 64)},
    .fnv_steps = {FNV_1S4, FNV_1S4, FNV_1S4, FNV_1S4, FNV_P4, FNV_P4, FNV_P4, FNV_P4},
    .keep_first = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF},
#endif
    .ascii_word = {
        ['0'] = '0', ['1'] = '1', ['2'] = '2', ['3'] = '3', ['4'] = '4', ['5'] = '5', ['6'] = '6', ['7'] = '7',
        ['8'] = '8', ['9'] = '9', ['A'] = 'a', ['B'] = 'b', ['C'] = 'c', ['D'] = 'd', ['E'] = 'e', ['F'] = 'f',
        ['G'] = 'g', ['H'] = 'h', ['I'] = 'i', ['J'] = 'j', ['K'] = 'k', ['L'] = 'l', ['M'] = 'm', ['N'] = 'n',
        ['O'] = 'o', ['P'] = 'p', ['Q'] = 'q', ['R'] = 'r', ['S'] = 's', ['T'] = 't', ['U'] = 'u', ['V'] = 'v',
        ['W'] = 'w', ['X'] = 'x', ['Y'] = 'y', ['Z'] = 'z', ['a'] = 'a', ['b'] = 'b', ['c'] = 'c', ['d'] = 'd',
        ['e'] = 'e', ['f'] = 'f', ['g'] = 'g', ['h'] = 'h', ['i'] = 'i', ['j'] = 'j', ['k'] = 'k', ['l'] = 'l',
        ['m'] = 'm', ['n'] = 'n', ['o'] = 'o', ['p'] = 'p', ['q'] = 'q', ['r'] = 'r', ['s'] = 's', ['t'] = 't',
        ['u'] = 'u', ['v'] = 'v', ['w'] = 'w', ['x'] = 'x', ['y'] = 'y', ['z'] = 'z'},
    .ends_word = HM_BYTE_TABLE(ENDS_WORD),
    .capital_step = HM_BYTE_TABLE(CAPITAL_STEP),
};
#undef ENDS_WORD
#undef CAPITAL_STEP
#if defined(__SSE2__)
#undef FNV_FIRST
#undef FNV_P4
#undef FNV_1S4
#endif

static inline bool word_cp(uint32_t cp)
{
    if (cp < 0x80)
        return wt.ascii_word[cp] != 0;
    return hm_is_word_cp(cp);
}

/* Are there more than `most` words in s? They are counted only as far as
 * that (a paragraph need not be read to its end), and not at all where s
 * is too short to hold more: between two words is a byte of neither. */
static bool more_words_than(const char *s, size_t n, unsigned most)
{
    if ((n + 1) / 2 <= most)
        return false;
    unsigned w = 0;
    bool in = false;
    size_t i = 0;
    while (i < n && w <= most) {
        uint32_t cp = next_cp(s, n, &i);
        bool wc = word_cp(cp);
        /* bitwise, not && and ||: branches on each character's kind were
         * mispredicted at most words' ends */
        bool joins = (cp == '\'') | (cp == 0x2019) | (cp == '-');
        w += wc & !in;
        in = wc | (in & joins);
    }
    return w > most;
}

static bool looks_like_heading(const char *s, size_t n, unsigned cps)
{
    if (n == 0 || cps > 80)
        return false;
    unsigned char c0 = (unsigned char)s[0];
    if (!((c0 >= 'A' && c0 <= 'Z') || (c0 >= '0' && c0 <= '9') || c0 >= 0x80))
        return false;
    size_t ml;
    const char *m = last_mark(s, n, &ml);
    if (!m || ml != 1 || *m == '.' || *m == ',' || *m == ';' || *m == '!' || *m == '?' || *m == '"')
        return false;
    /* the words counted last: the tests above read a byte or two */
    return !more_words_than(s, n, 10);
}

/* A paragraph spans whole lines: it ends where a line does, trimmed, at
 * white space or the text's end (find_words' runs stop there unbounded). */
static void add_para(hm_document *doc, const line *lines, size_t first_line, size_t end, hm_para_kind kind)
{
    assert(end == doc->src->len || is_space(doc->src->text[end]));
    HM_GROW(doc->paras, doc->n_paras, doc->cap_paras);
    hm_para *p = &doc->paras[doc->n_paras++];
    memset(p, 0, sizeof *p);
    p->kind = kind;
    p->start = lines[first_line].start;
    p->end = end;
    /* its line from its first, 1-based (a walk over the line starts for
     * each paragraph found it again, its exit a mispredict a paragraph) */
    p->line = (unsigned)first_line + 1;
}

/* The want-th smallest width (capped at 1023) of the block's lines that
 * are no list items, want being nine in ten of them, rounded up: a short
 * block's as the (n - want + 1)-th largest, a long one's from a histogram
 * (which costs its 4 KB whatever the block). */
static unsigned percentile90(const line *lines, size_t from, size_t to)
{
    enum { SHORT_BLOCK = 64, WIDTH_CAP = 1023, MOST_TOP = 7 };
    if (to - from <= SHORT_BLOCK) {
        size_t n = 0;
        for (size_t i = from; i < to; i++)
            n += !lines[i].list;
        if (!n)
            return 0;
        /* the k largest widths, largest first: each width goes down them
         * by min and max, k steps (1 to 7 for up to 64 lines), where an
         * insertion sort's exit was a mispredict a line */
        size_t k = n - (n * 9 + 9) / 10 + 1;
        assert(k <= MOST_TOP);
        unsigned top[MOST_TOP] = {0}; /* no width is below 0: the zeros go first */
        for (size_t i = from; i < to; i++) {
            if (lines[i].list)
                continue;
            unsigned v = lines[i].cps < WIDTH_CAP ? lines[i].cps : WIDTH_CAP;
            for (size_t j = 0; j < k; j++) {
                unsigned larger = top[j] > v ? top[j] : v;
                v = top[j] > v ? v : top[j];
                top[j] = larger;
            }
        }
        return top[k - 1];
    }
    unsigned hist[WIDTH_CAP + 1] = {0};
    size_t n = 0;
    unsigned top = 0; /* the highest value counted: the answer is at most it */
    for (size_t i = from; i < to; i++) {
        if (lines[i].list)
            continue;
        unsigned v = lines[i].cps < WIDTH_CAP ? lines[i].cps : WIDTH_CAP;
        hist[v]++;
        if (v > top)
            top = v;
        n++;
    }
    if (!n)
        return 0;
    size_t want = (n * 9 + 9) / 10, seen = 0;
    for (unsigned v = 0; v <= top; v++) {
        seen += hist[v];
        if (seen >= want)
            return v;
    }
    return WIDTH_CAP;
}

/* A run of lines is hard wrapped when most of them (all but the last of
 * each paragraph) come close to one width. */
static bool block_wrapped(const line *lines, size_t from, size_t to, unsigned width)
{
    size_t n = 0, near = 0;
    for (size_t i = from; i < to; i++) {
        if (lines[i].list)
            continue;
        n++;
        near += lines[i].cps * 10 >= width * 7;
    }
    return n >= 3 && width >= 40 && width <= 200 && near * 10 >= n * 6;
}

/* In a block too short to measure a wrap width (the question, two or three
 * lines), a long line that stops mid-sentence runs on even before a capital
 * ("... caused more by\nAmerican than by Soviet actions.' How far ...?");
 * a short line there is a title or a name. */
static bool continues_before_capital(const hm_source *src, const line *ln, size_t block_lines)
{
    if (block_lines > 3)
        return false;
    unsigned cps = count_cps(src, ln->start, ln->end); /* not measured in short blocks */
    return cps >= 40 && !looks_like_heading(src->text + ln->start, ln->end - ln->start, cps);
}

static void split_block(hm_document *doc, const line *lines, size_t from, size_t to,
                        bool split_wrapped, const hm_lists *lists)
{
    const char *t = doc->src->text;
    unsigned width = lines[from].block_width;
    bool wrapped = lines[from].block_wrapped;
    if (wrapped) {
        doc->hard_wrapped = true;
        doc->wrap_width = width;
    }
    size_t open = SIZE_MAX; /* first line of the paragraph being built */
    bool open_list = false;
    for (size_t j = from; j < to; j++) {
        const line *ln = &lines[j];
        const char *s = t + ln->start;
        size_t n = ln->end - ln->start;
        if (ln->list) {
            if (open != SIZE_MAX)
                add_para(doc, lines, open, lines[j - 1].end, open_list ? HM_PARA_LIST_ITEM : HM_PARA_BODY);
            open = j;
            open_list = true;
            continue;
        }
        if (open_list) {
            /* An indented line continues the list item; anything else ends it. */
            bool indented = ln->start > ln->raw;
            if (indented && !ends_with_question(s, n))
                continue;
            add_para(doc, lines, open, lines[j - 1].end, HM_PARA_LIST_ITEM);
            open = SIZE_MAX;
            open_list = false;
        }
        if (!wrapped) {
            if (open != SIZE_MAX)
                add_para(doc, lines, open, lines[j - 1].end, HM_PARA_BODY);
            open = SIZE_MAX;
            /* A line that stops mid-sentence and runs on into a lower-case
             * line is one paragraph with it: a question wrapped over two
             * lines ("... to the Elizabethan\nreligious settlement ...?"). */
            size_t last = j;
            while (last + 1 < to && !lines[last + 1].list && !lines[last + 1].blank &&
                   !ends_sentence(t + lines[last].start, lines[last].end - lines[last].start) &&
                   (islower((unsigned char)t[lines[last + 1].start]) ||
                    continues_before_capital(doc->src, &lines[last], to - from)))
                last++;
            add_para(doc, lines, j, lines[last].end, HM_PARA_BODY);
            j = last;
            continue;
        }
        if (open == SIZE_MAX)
            open = j;
        bool last = j + 1 == to;
        if (last)
            break;
        const line *next = &lines[j + 1];
        bool split = false;
        bool first_of_text = doc->n_paras == 0 && open == j;
        /* A question hard-wrapped over up to four lines, its marks tag
         * perhaps broken ("agree? (20\nmarks)"), ends at its '?' or tag. */
        const char *q = t + lines[open].start;
        size_t qn = ln->end - lines[open].start;
        bool wrapped_question = doc->n_paras == 0 && open < j && j - open < 4 && memchr(q, '?', qn) &&
                                (ends_with_question(q, qn) || has_marks_tag(q, qn));
        bool question_ends = (first_of_text && (ends_with_question(s, n) || has_marks_tag(s, n))) || wrapped_question;
        /* ... unless its marks tag has a line of its own, next (asked only
         * where a question ends: most lines are not) */
        if (question_ends && !(has_marks_tag(t + next->start, next->end - next->start) &&
                               !more_words_than(t + next->start, next->end - next->start, 3)))
            split = true;
        else if (open == j && ln->cps * 10 < width * 6 && looks_like_heading(s, n, ln->cps))
            split = true;
        else if (split_wrapped && ends_sentence(s, n)) {
            if (ln->cps * 10 < width * 8)
                split = true;
            else if (hm_starts_with_marker(t + next->start, next->end - next->start,
                                           lists->discourse_markers))
                split = true;
        }
        if (split) {
            add_para(doc, lines, open, ln->end, HM_PARA_BODY);
            open = SIZE_MAX;
        }
    }
    if (open != SIZE_MAX)
        add_para(doc, lines, open, lines[to - 1].end, open_list ? HM_PARA_LIST_ITEM : HM_PARA_BODY);
}

/* Where the word before t[dot] begins: after the last white space, '('
 * or '"' in t[para_start, dot), or at para_start. Where SSE2 is there,
 * from the mask of those bytes among the 16 before dot (still in the
 * text), not a byte loop whose exit, at every length, was a mispredict. */
static size_t word_before(const char *t, size_t dot, size_t para_start)
{
#if defined(__SSE2__)
    if (dot >= 16) {
        __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(t + dot - 16));
        /* '\t' to '\r' as one signed compare (see ascii_run16) */
        __m128i controls = _mm_cmplt_epi8(_mm_add_epi8(a, _mm_set1_epi8((char)(0x80 - '\t'))),
                                          _mm_set1_epi8(-128 + 5));
        __m128i stops = _mm_or_si128(_mm_or_si128(controls, _mm_cmpeq_epi8(a, _mm_set1_epi8(' '))),
                                     _mm_or_si128(_mm_cmpeq_epi8(a, _mm_set1_epi8('(')),
                                                  _mm_cmpeq_epi8(a, _mm_set1_epi8('"'))));
        unsigned m = (unsigned)_mm_movemask_epi8(stops);
        if (m) {
            size_t b = dot - (size_t)__builtin_clz(m) + 16; /* past the last: dot - 16 + (32 - clz) */
            return b > para_start ? b : para_start;
        }
    }
#endif
    size_t b = dot;
    while (b > para_start) {
        unsigned char c = (unsigned char)t[b - 1];
        if (is_space((char)c) || c == '(' || c == '"')
            break;
        b--;
    }
    return b;
}

static bool is_abbreviation(const char *t, size_t dot, size_t para_start, const hm_lists *lists)
{
    size_t b = word_before(t, dot, para_start);
    size_t n = dot - b;
    if (n == 0)
        return false;
    /* An initial: "J. Stalin". */
    if (n == 1 && t[b] >= 'A' && t[b] <= 'Z')
        return true;
    return hm_list_has_fold(lists->abbreviations, t + b, n);
}

static void split_sentences(hm_document *doc, size_t pi, const hm_lists *lists)
{
    hm_para *p = &doc->paras[pi];
    const char *t = doc->src->text;
    p->first_sentence = doc->n_sents;
    size_t s = p->start;
    if (p->kind == HM_PARA_BODY || p->kind == HM_PARA_LIST_ITEM) {
        size_t i = p->start;
        while ((i = next_stop(t, i, p->end)) < p->end) {
            char c = t[i];
            size_t e = i + 1;
            bool ellipsis = (c == '.' && ((e < p->end && t[e] == '.') || (i > p->start && t[i - 1] == '.')));
            while (e < p->end && (t[e] == '.' || t[e] == '!' || t[e] == '?'))
                e++;
            /* closing quotes and brackets belong to the sentence */
            for (;;) {
                if (e < p->end && (t[e] == '"' || t[e] == '\'' || t[e] == ')' || t[e] == ']')) {
                    e++;
                } else if (e + 2 < p->end && (unsigned char)t[e] == 0xE2 && (unsigned char)t[e + 1] == 0x80 &&
                           ((unsigned char)t[e + 2] == 0x9D || (unsigned char)t[e + 2] == 0x99)) {
                    e += 3;
                } else {
                    break;
                }
            }
            if (e < p->end && !is_space(t[e])) {
                i = e;
                continue;
            }
            size_t k = e;
            while (k < p->end && is_space(t[k]))
                k++;
            bool boundary = k >= p->end;
            if (!boundary && !ellipsis) {
                unsigned char nc = (unsigned char)t[k];
                boundary = (nc >= 'A' && nc <= 'Z') || (nc >= '0' && nc <= '9') || nc == '"' ||
                           nc == '\'' || nc == '(' || nc >= 0xC0;
                if (boundary && c == '.' && is_abbreviation(t, i, p->start, lists))
                    boundary = false;
            }
            if (boundary && k < p->end) {
                HM_GROW(doc->sents, doc->n_sents, doc->cap_sents);
                doc->sents[doc->n_sents++] = (hm_sentence){s, e, pi};
                s = k;
            }
            i = e;
        }
    }
    HM_GROW(doc->sents, doc->n_sents, doc->cap_sents);
    doc->sents[doc->n_sents++] = (hm_sentence){s, p->end, pi};
    p->n_sentences = doc->n_sents - p->first_sentence;
}

/* The end of a word that started before i, found from i: it runs on over
 * letters and digits, and over an apostrophe or hyphen with a letter or
 * digit after it ("Stalin's", "Nazi-Soviet"). Sets *end_at to where it ends
 * and returns where to go on looking: past the character that ended it. */
static size_t word_end(const char *t, size_t i, size_t end, size_t *end_at)
{
    while (i < end) {
        unsigned char c = (unsigned char)t[i];
        if (wt.ascii_word[c]) {
            i++;
            continue;
        }
        if (wt.ends_word[c]) {
            *end_at = i; /* a space or a stop: the usual end */
            return i + 1;
        }
        size_t at = i;
        uint32_t cp = next_cp(t, end, &i);
        if (word_cp(cp))
            continue;
        if ((cp == '\'' || cp == 0x2019 || cp == '-') && i < end) {
            size_t peek = i;
            if (word_cp(next_cp(t, end, &peek)))
                continue;
        }
        *end_at = at;
        return i;
    }
    *end_at = end;
    return end;
}

/* The trailing zeros of x (not 0) as a size_t: on x86-64 one tzcnt
 * (a bsf where there is no BMI1: the same for x not 0), where
 * __builtin_ctz's int took a sign extension after it, twice a word. */
static inline size_t ctz_nonzero(unsigned x)
{
#if defined(__x86_64__) && defined(__GNUC__)
    size_t n;
    __asm__("tzcntl %1, %k0" : "=r"(n) : "rm"(x) : "cc");
    return n;
#else
    return (size_t)__builtin_ctz(x);
#endif
}

#if defined(__SSE2__)
#define HM_WORDS16 1
/* The n (1 to 15) ASCII letters and digits that open a word, case folded,
 * and 0 after them, 16 bytes in all; as_bytes[k] is byte k (the hash
 * reads them from memory: a byte from a register takes more steps). */
typedef union ascii_run {
    __m128i v;
    unsigned char as_bytes[16];
} ascii_run;

/* The constants ascii_run16 works with, made once a call of find_words
 * and hidden from the compiler (run_consts_make's empty asm): seen as
 * constants, they were made again for each word, a load or three
 * instructions each. Each compare is "greater than" with its constant the
 * second operand, so it can come from memory as it is. */
typedef struct run_consts {
    __m128i fold;        /* 0x20: c | 0x20 folds a letter and keeps a digit */
    __m128i letter_bias; /* c - 'a' + 0x80: the letters are then -128 to -103 */
    __m128i letter_last;
    __m128i digit_bias;  /* c - '0' + 0x80: the digits are then -128 to -119 */
    __m128i digit_last;
    /* wt, hidden too: gcc kept wt's address in a register for some
     * tables and made it again for others, word by word */
    const struct word_tables *tab;
} run_consts;

static inline __attribute__((always_inline)) run_consts run_consts_make(void)
{
    run_consts k = {_mm_set1_epi8(0x20), _mm_set1_epi8((char)(0x80 - 'a')), _mm_set1_epi8(-128 + 25),
                    _mm_set1_epi8((char)(0x80 - '0')), _mm_set1_epi8(-128 + 9), &wt};
    __asm__("" : "+x"(k.fold), "+x"(k.letter_bias), "+x"(k.letter_last), "+x"(k.digit_bias), "+x"(k.digit_last),
            "+r"(k.tab));
    return k;
}

/* How many of the 16 bytes at p, from the first, are ASCII letters or
 * digits (16: all), found from one mask: a word's end without a branch a
 * byte. When fewer than 16, *run holds them case folded. *shut has a bit
 * for each of the 16 bytes that opens no word (below 0x80, and no letter
 * or digit). */
static inline size_t ascii_run16(const char *p, const run_consts *k, ascii_run *run, unsigned *shut)
{
    __m128i a = _mm_loadu_si128((const __m128i *)(const void *)p);
    __m128i folded = _mm_or_si128(a, k->fold);
    /* c in [lo, lo + n) as one signed compare: c - lo + 0x80 at most -129 + n */
    __m128i past_letters = _mm_cmpgt_epi8(_mm_add_epi8(folded, k->letter_bias), k->letter_last);
    __m128i past_digits = _mm_cmpgt_epi8(_mm_add_epi8(a, k->digit_bias), k->digit_last);
    __m128i other = _mm_and_si128(past_letters, past_digits);
    unsigned others = (unsigned)_mm_movemask_epi8(other);
    /* the others below 0x80 open no word (bits 16 and up clear: an
     * opening byte past the 16 bytes, as far as the word loop's search
     * for the next one can tell) */
    *shut = (unsigned)_mm_movemask_epi8(_mm_andnot_si128(a, other));
    /* + as |: others is below 1 << 16 (one lea, not a copy and an or) */
    size_t n = ctz_nonzero(others + (1u << 16));
    __m128i keep = _mm_loadu_si128((const __m128i *)(const void *)(k->tab->keep_first + 16 - n));
    run->v = _mm_and_si128(folded, keep);
    return n;
}

/* (h ^ *b) * *prime: an FNV-1a step whose multiplier is the prime or 1,
 * both operands read from memory. On x86-64
 * the byte is xored into h's low byte straight from memory, two
 * instructions a step (gcc's own takes three: it widens the byte first). */
static inline uint64_t fnv_step(uint64_t h, const unsigned char *b, const uint64_t *prime)
{
#if defined(__x86_64__) && defined(__GNUC__)
    __asm__("xorb %1, %b0\n\timulq %2, %0" : "+r"(h) : "m"(*b), "m"(*prime) : "cc");
    return h;
#else
    return (h ^ *b) * *prime;
#endif
}

/* hm_hash_bytes (case folded) of the run's n (1 to 15) bytes, in fixed
 * steps: its first eight (first is its first byte as it stands), and
 * where n > 8 (one word in twelve) hash_run_tail's eight more; the word's
 * length decides no other branch (a loop's end would be mispredicted at
 * most words' ends). */
#define FNV_STEP_AT(k) h = fnv_step(h, run->as_bytes + (k), prime - (k))
static inline uint64_t hash_run_head(const ascii_run *run, unsigned char first, size_t n, const run_consts *k)
{
    const uint64_t *prime = k->tab->fnv_steps + 15 + n;
    uint64_t h = k->tab->fnv_first[first];
    /* written out: a loop's test would be a branch of its own */
    FNV_STEP_AT(1);
    FNV_STEP_AT(2);
    FNV_STEP_AT(3);
    FNV_STEP_AT(4);
    FNV_STEP_AT(5);
    FNV_STEP_AT(6);
    FNV_STEP_AT(7);
    return h;
}

static inline uint64_t hash_run_tail(uint64_t h, const ascii_run *run, size_t n, const run_consts *k)
{
    const uint64_t *prime = k->tab->fnv_steps + 15 + n;
    FNV_STEP_AT(8);
    FNV_STEP_AT(9);
    FNV_STEP_AT(10);
    FNV_STEP_AT(11);
    FNV_STEP_AT(12);
    FNV_STEP_AT(13);
    FNV_STEP_AT(14);
    FNV_STEP_AT(15);
    return h;
}
#undef FNV_STEP_AT
#else
typedef struct run_consts {
    const struct word_tables *tab; /* no vector constants without SSE2 */
} run_consts;

static inline run_consts run_consts_make(void)
{
    return (run_consts){&wt};
}
#endif

/* The FNV-1a hash (case folded) of the ASCII letters and digits from i
 * (below the text's length); *run_end is where they stop. Where the run
 * ends among the 16 bytes from i (in the text or its padding,
 * HM_SOURCE_PAD), the word loop takes it from ascii_run16 and
 * hash_run_head/tail, and where a word may open next from the same mask
 * (no test a byte between words, whose exit was a mispredict where a stop
 * or comma stood before the space). Else (a run of 16 or more, or no
 * SSE2) this loop, which tests no bound: the text ends in a NUL, which no
 * letter is. Two bytes a turn: the second is there, as the first is no
 * NUL. No run goes on past the paragraph's end: a paragraph ends where a
 * line does, trimmed of white space, so the byte at its end is white
 * space or the text's NUL (add_para). */
#if defined(HM_WORDS16)
/* out of line where it is the rare case (a run of 16 or more): inline, it
 * held a register of the word loop's for its prime */
__attribute__((noinline))
#endif
static uint64_t hash_ascii_bytes(const char *t, size_t i, size_t *run_end)
{
    uint64_t h = HM_FNV_SEED;
    size_t j = i;
    for (;;) {
        unsigned char folded = wt.ascii_word[(unsigned char)t[j]];
        if (!folded)
            break;
        h = hm_fnv_add(h, folded);
        folded = wt.ascii_word[(unsigned char)t[j + 1]];
        if (!folded) {
            j++;
            break;
        }
        h = hm_fnv_add(h, folded);
        j += 2;
    }
    *run_end = j;
    return h;
}

/* Room in *a (capacity *cap, items of `size` bytes) for `need` items,
 * doubled as often as that takes. */
static void *reserve(void *a, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return a;
    size_t c = *cap ? *cap : 16;
    while (c < need)
        c *= 2;
    *cap = c;
    return hm_xrealloc(a, c * size);
}

/* The word at [start, stop) in *out, its index in *capital_out, which
 * steps on by capital_step bytes: written always, kept when it counts
 * (one word in ten is a capital, at no foreseeable place). */
static inline __attribute__((always_inline)) void put_word(hm_word **out, size_t **capital_out, size_t *n_words,
                                                            size_t start, uint64_t ascii_hash, size_t stop,
                                                            size_t ascii_end, size_t capital_step)
{
    **capital_out = (*n_words)++;
    *capital_out = (size_t *)(void *)((char *)*capital_out + capital_step);
    *(*out)++ = (hm_word){.start = start, .ascii_hash = ascii_hash, .end = (uint32_t)stop,
                          .ascii_end = (uint32_t)ascii_end};
}

static inline __attribute__((always_inline)) void find_words_body(hm_document *doc)
{
    const char *t = doc->src->text;
    size_t len = doc->src->len;
    /* the arrays in locals while they fill: a word for every four bytes or
     * so, room for all at once in most essays, and a capital in ten words */
    hm_word *words = doc->words;
    size_t n_words = doc->n_words, cap_words = doc->cap_words;
    if (!cap_words) {
        cap_words = len / 3 + 16;
        words = hm_xmalloc(cap_words * sizeof *words);
    }
    size_t *capitals = doc->capitals;
    size_t n_capitals = doc->n_capitals, cap_capitals = doc->cap_capitals;
    if (!cap_capitals) {
        cap_capitals = len / 8 + 16;
        capitals = hm_xmalloc(cap_capitals * sizeof *capitals);
    }
    const run_consts consts = run_consts_make();
    for (size_t pi = 0; pi < doc->n_paras; pi++) {
        hm_para *p = &doc->paras[pi];
        size_t i = p->start, end = p->end, first = n_words;
        /* A word and the byte after it take two bytes at least: room for
         * the paragraph's most words here, in both arrays, so the loop
         * asks for none (and notes a capital without a branch). */
        size_t most = (end - i + 1) / 2;
        words = reserve(words, &cap_words, n_words + most, sizeof *words);
        capitals = reserve(capitals, &cap_capitals, n_capitals + most, sizeof *capitals);
        hm_word *out = words + n_words;
        size_t *capital_out = capitals + n_capitals;
        while (i < end) {
            /* between words: on to the next letter or digit */
            unsigned char c = (unsigned char)t[i];
            size_t start = i, ascii_end, word_stop;
            uint64_t ascii_hash = HM_FNV_SEED;
            size_t capital_step; /* sizeof(size_t) if it opens with an ASCII capital or a byte above 0x7F, else 0 */
            if (consts.tab->ascii_word[c]) {
                capital_step = consts.tab->capital_step[c];
                /* the ASCII letters and digits that open the word, hashed;
                 * `shut` has a bit for each byte from i that opens no word
                 * (none of the run's) */
                unsigned shut;
#if defined(HM_WORDS16)
                ascii_run run;
                size_t n = ascii_run16(t + i, &consts, &run, &shut);
                ascii_end = i + n;
                ascii_hash = hash_run_head(&run, c, n, &consts);
                /* a run of 16 or more only where n > 8: one branch a word
                 * for most, not two */
                if (n > 8) {
                    if (n < 16) {
                        ascii_hash = hash_run_tail(ascii_hash, &run, n, &consts);
                    } else {
                        /* a run of 16 or more, byte by byte, and word_end
                         * from its end; to the word's store, not through
                         * the test below (which would need i apart from
                         * start: a copy a word) */
                        size_t j; /* its address taken: kept apart from ascii_end */
                        ascii_hash = hash_ascii_bytes(t, i, &j);
                        ascii_end = j;
                        i = word_end(t, j, end, &word_stop);
                        goto found;
                    }
                }
#else
                size_t j;
                ascii_hash = hash_ascii_bytes(t, i, &j);
                ascii_end = i = j;
                shut = 1; /* the next word may open from j + 1 */
#endif
                /* a space or a stop ends most words: word_end's first step
                 * (at the paragraph's end, word_end would give end too) */
                if (consts.tab->ends_word[(unsigned char)t[ascii_end]]) {
                    /* stored here, not after the join: there word_stop
                     * would be a copy of ascii_end a word */
                    put_word(&out, &capital_out, &n_words, start, ascii_hash, ascii_end, ascii_end, capital_step);
                    /* on to the first opening byte past the run: the
                     * byte at its end opens nothing (it ends the word), so
                     * shut's lowest bit is there, and | (shut - 1) sets
                     * those below; the first bit then clear is at 16 or
                     * below (16: none among the 16, look on from i + 16) */
                    i += ctz_nonzero(~(shut | (shut - 1)));
                    continue;
                } else {
                    i = word_end(t, ascii_end, end, &word_stop);
                }
            } else if (c < 0x80) {
                i++;
                continue;
            } else {
                size_t next = i;
                if (!hm_is_word_cp(hm_utf8_next(t, end, &next))) {
                    i = next;
                    continue;
                }
                ascii_end = start;
                i = word_end(t, next, end, &word_stop);
                capital_step = sizeof(size_t);
            }
#if defined(HM_WORDS16)
        found:
#endif
            put_word(&out, &capital_out, &n_words, start, ascii_hash, word_stop, ascii_end, capital_step);
        }
        n_capitals = (size_t)(capital_out - capitals);
        p->first_word = first;
        p->words = (unsigned)(n_words - first);
    }
    doc->words = words;
    doc->n_words = n_words;
    doc->cap_words = cap_words;
    doc->capitals = capitals;
    doc->n_capitals = n_capitals;
    doc->cap_capitals = cap_capitals;
}

#if defined(HM_HAVE_SHUFFLE)
/* The same loop built for AVX2: its SSE2 steps in VEX form take three
 * operands, so the constants they compare with are not copied first (two
 * operand SSE2 destroys one: a copy a constant a word). */
__attribute__((target("avx2"))) static void find_words_vex(hm_document *doc)
{
    find_words_body(doc);
}
#endif

static void find_words(hm_document *doc)
{
#if defined(HM_HAVE_SHUFFLE)
    if (hm_cpu_has_wide_shuffle()) {
        find_words_vex(doc);
        return;
    }
#endif
    find_words_body(doc);
}

void hm_document_renumber(hm_document *doc)
{
    unsigned number = 0;
    for (size_t i = 0; i < doc->n_paras; i++) {
        hm_para *p = &doc->paras[i];
        p->number = (p->kind == HM_PARA_BODY || p->kind == HM_PARA_LIST_ITEM) ? ++number : 0;
    }
}

/* "Assess the significance of Malcolm X ... 1952-68.": one sentence that
 * opens with an exam command (the list question_commands) is a question
 * even without a question mark. */
static bool is_command_question(const char *s, size_t n, const hm_list *commands)
{
    /* each stop with a byte after it, found sixteen bytes at a time (s is
     * in a source's text: next_stop's loads stay in it or its padding) */
    for (size_t i = 0; n > 1 && (i = next_stop(s, i, n - 1)) < n - 1; i++)
        if (s[i + 1] == ' ' || s[i + 1] == '\n')
            return false; /* more than one sentence: an introduction */
    for (size_t k = 0; k < commands->n; k++) {
        const char *c = commands->items[k];
        size_t cl = strlen(c);
        if (cl < n && strncasecmp(s, c, cl) == 0 && (s[cl] == ' ' || s[cl] == ','))
            return true;
    }
    return false;
}

static void classify(hm_document *doc, const hm_lists *lists)
{
    const char *t = doc->src->text;
    doc->question = SIZE_MAX;
    for (size_t i = 0; i < doc->n_paras && i < 2; i++) {
        hm_para *p = &doc->paras[i];
        size_t n = p->end - p->start;
        if (p->kind != HM_PARA_BODY)
            continue;
        /* the words counted last, where the paragraph asks (they were
         * counted first, to 61 in most first paragraphs) */
        if ((ends_with_question(t + p->start, n) || (n > 9 && strncmp(t + p->start, "Question:", 9) == 0) ||
             (i + 1 < doc->n_paras && is_command_question(t + p->start, n, lists->question_commands)) ||
             has_marks_tag(t + p->start, n)) &&
            !more_words_than(t + p->start, n, 60)) {
            p->kind = HM_PARA_QUESTION;
            p->asks = true;
            doc->question = i;
            break;
        }
    }
    for (size_t i = 0; i < doc->n_paras; i++) {
        hm_para *p = &doc->paras[i];
        if (p->kind != HM_PARA_BODY)
            continue;
        const char *s = t + p->start;
        size_t n = p->end - p->start;
        /* no line break inside: no line starts after the paragraph's first
         * before its end (which is no break: it is trimmed) */
        const hm_source *src = doc->src;
        bool one_line = p->line >= src->n_lines || src->line_starts[p->line] >= p->end;
        if (one_line && ends_with_question(s, n) && !more_words_than(s, n, 40)) {
            p->kind = HM_PARA_HEADING;
            p->asks = true;
        } else if (one_line && i + 1 < doc->n_paras &&
                   /* more than 4 * 80 bytes is more than 80 code points (a
                    * heading's most): no heading, and nothing to count */
                   n <= 4 * 80 && looks_like_heading(s, n, count_cps(doc->src, p->start, p->end))) {
            p->kind = HM_PARA_HEADING;
        }
    }
}

void hm_document_build(hm_document *doc, const hm_source *src, const hm_lists *lists)
{
    /* a word's end is 32 bits (hm_word); hm_analyze refuses a text that
     * could decode to this (HM_MAX_TEXT_BYTES), so this is a bug */
    if (src->len > UINT32_MAX) {
        fputs("histmark: a text over 4 GiB is too long to analyse\n", stderr);
        abort();
    }
    memset(doc, 0, sizeof *doc);
    doc->src = src;
    doc->question = SIZE_MAX;
    const char *t = src->text;

    line *lines = hm_xcalloc(src->n_lines, sizeof *lines);
    for (size_t i = 0; i < src->n_lines; i++) {
        size_t a = src->line_starts[i];
        size_t b = i + 1 < src->n_lines ? src->line_starts[i + 1] : src->len;
        while (b > a && (t[b - 1] == '\n' || t[b - 1] == '\r'))
            b--;
        while (a < b && is_space(t[a]))
            a++;
        /* U+00A0 and U+3000 are common in pasted text */
        while (b > a && is_space(t[b - 1]))
            b--;
        lines[i].raw = src->line_starts[i];
        lines[i].start = a;
        lines[i].end = b;
        lines[i].blank = a == b;
        lines[i].list = !lines[i].blank && is_list_line(t + a, b - a);
    }

    /* a paragraph in 256 bytes is more than most essays have: one array */
    doc->cap_paras = src->len / 256 + 8;
    doc->paras = hm_xmalloc(doc->cap_paras * sizeof *doc->paras);

    /* Blank lines between wrapped blocks mean the writer separated
     * paragraphs themselves; then a block is one paragraph. */
    size_t wrapped_blocks = 0;
    for (size_t i = 0; i < src->n_lines;) {
        if (lines[i].blank) {
            i++;
            continue;
        }
        size_t j = i;
        while (j < src->n_lines && !lines[j].blank)
            j++;
        lines[i].block_end = j;
        /* line widths matter only where wrapping is possible: blocks of
         * three lines or more (see split_block) */
        if (j - i >= 3) {
            for (size_t k = i; k < j; k++)
                lines[k].cps = count_cps(src, lines[k].start, lines[k].end);
            lines[i].block_width = percentile90(lines, i, j);
            lines[i].block_wrapped = block_wrapped(lines, i, j, lines[i].block_width);
            wrapped_blocks += lines[i].block_wrapped;
        }
        i = j;
    }
    for (size_t i = 0; i < src->n_lines;) {
        if (lines[i].blank) {
            i++;
            continue;
        }
        /* the block's end as the pass above found it (scanned again, its
         * exit was a mispredict a block) */
        size_t j = lines[i].block_end;
        split_block(doc, lines, i, j, wrapped_blocks < 2, lists);
        i = j;
    }
    free(lines);

    classify(doc, lists);
    /* a sentence in 64 bytes is more than most essays have: one array */
    doc->cap_sents = src->len / 64 + 8;
    doc->sents = hm_xmalloc(doc->cap_sents * sizeof *doc->sents);
    for (size_t i = 0; i < doc->n_paras; i++)
        split_sentences(doc, i, lists);
    find_words(doc);
    hm_document_renumber(doc);
}

void hm_document_free(hm_document *doc)
{
    free(doc->paras);
    free(doc->sents);
    free(doc->words);
    free(doc->capitals);
    memset(doc, 0, sizeof *doc);
}

/* Spans ordered by start and end alike (paragraphs, sentences): the one
 * that holds offset, or SIZE_MAX; *where (unless NULL) is set to the first
 * index whose end is past offset, the hinted lookups' next hint. A binary
 * search without branches: the halving steps depend on n alone and each
 * takes its half by a conditional move, so however the offsets come no
 * step is mispredicted (the search from a hint, with a few steps on
 * before a branching search, cost some 140 mispredicts an essay). The
 * answer lies in [lo, lo + len] throughout, and lo + len <= n. */
#define SPAN_FIND(arr, n, offset, where)                                        \
    do {                                                                        \
        size_t lo_ = 0, len_ = (n);                                             \
        while (len_ > 1) {                                                      \
            size_t half_ = len_ / 2;                                            \
            lo_ = (arr)[lo_ + half_ - 1].end <= (offset) ? lo_ + half_ : lo_;   \
            len_ -= half_;                                                      \
        }                                                                       \
        lo_ += len_ && (arr)[lo_].end <= (offset);                              \
        if (where)                                                              \
            *(size_t *)(where) = lo_;                                           \
        return lo_ < (n) && (arr)[lo_].start <= (offset) ? lo_ : SIZE_MAX;      \
    } while (0)

size_t hm_document_para_at(const hm_document *doc, size_t offset)
{
    SPAN_FIND(doc->paras, doc->n_paras, offset, NULL);
}

size_t hm_document_sentence_at(const hm_document *doc, size_t offset)
{
    SPAN_FIND(doc->sents, doc->n_sents, offset, NULL);
}

/* Past the inline test of the hint's span (hm_document_para_next): the
 * search does not start from the hint, it only sets it. */
size_t hm_document_para_seek(const hm_document *doc, size_t offset, size_t *hint)
{
    SPAN_FIND(doc->paras, doc->n_paras, offset, hint);
}

size_t hm_document_sentence_seek(const hm_document *doc, size_t offset, size_t *hint)
{
    SPAN_FIND(doc->sents, doc->n_sents, offset, hint);
}
