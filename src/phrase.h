/* Phrase lists matched in one pass over a document's words instead of one
 * regular-expression scan per rule and scope unit.
 *
 * A token rule (`tokens:`), a list rule (`list:`), a substitution rule
 * (`swap:`) and a topic pack's people, events and terms all compile to an
 * alternation of phrases between letter/number boundaries (see
 * hm_alternation). When every phrase of such a set is a literal, or a
 * fragment that expands to a few literals ("partial(?:ly)?", "[ey]",
 * "(?:a|the) result"), hm_config_index puts the literals into one table keyed
 * by their first word. hm_phrase_scan then walks the document once, and
 * hm_phrase_find_all serves each scope unit from the hits, with PCRE2's
 * semantics: leftmost match, and at one start the first alternative in the
 * pattern's order (longest written phrase first), non-overlapping.
 * A set that cannot be expanded stays on its compiled pattern. */
#ifndef HM_PHRASE_H
#define HM_PHRASE_H

#include <string.h>

#include "scan.h"

typedef struct hm_phrase_index hm_phrase_index;

/* Builds the derived index (phrase tables) from the loaded rules, lists and
 * topic packs, replacing any earlier one. Call after filling a config in any
 * way; hm_config_load calls it. Without it every rule uses its pattern. */
void hm_config_index(hm_config *cfg);
void hm_config_index_free(hm_config *cfg);

/* The index of the built-in configuration, made at build time
 * (builtin_patterns.c, written by tools/mkpatterns.c): the inputs the
 * builder reads, byte for byte, and the index as flat data. hm_config_index
 * takes it when the configuration's inputs are the image's (a copy of a
 * built-in file with the same content counts), and builds the index
 * otherwise, or when the image does not read back whole. */
extern const unsigned char hm_builtin_phrase_image[];
extern const size_t hm_builtin_phrase_image_len;
/* Appends the image of cfg's index (built, not itself from an image) to
 * out; false when there is none. */
bool hm_phrase_image_write(const hm_config *cfg, hm_buf *out);
/* Replaces cfg's index with the one in image; false (and no index) when the
 * image is not whole or not for this configuration's inputs. For tests. */
bool hm_phrase_index_from_image(hm_config *cfg, const unsigned char *image, size_t len);
/* Builds cfg's index from the configuration, never from the image. */
void hm_config_index_build(hm_config *cfg);
/* Whether cfg's index came from an image. */
bool hm_phrase_index_is_image(const hm_config *cfg);

/* Which phrase set serves a rule or a topic pack's list; -1 when none. */
int hm_phrase_set_of_rule(const hm_config *cfg, const hm_rule *rule);
typedef enum hm_topic_list { HM_TOPIC_PEOPLE, HM_TOPIC_EVENTS, HM_TOPIC_TERMS } hm_topic_list;
int hm_phrase_set_of_topic(const hm_config *cfg, const hm_topic *topic, hm_topic_list which);

/* Calls fn for every match of the set in text[from, to), as hm_find_all
 * would for the set's pattern. Returns false when it cannot answer for this
 * unit (no index, a unit that ends inside a word, a text with a character
 * that caseless matching equates with an ASCII letter): the caller then
 * runs the pattern. */
bool hm_phrase_find_all(hm_scan *scan, int set, size_t from, size_t to, hm_match_fn fn, void *ud);

/* "Stalin's" and "Stalin’s" count as Stalin: the length of the word
 * text[0, n) that a topic keyword would be. */
static inline size_t hm_possessive_stem(const char *w, size_t n)
{
    if (n > 2 && w[n - 1] == 's' && w[n - 2] == '\'')
        return n - 2;
    if (n > 4 && w[n - 1] == 's' && !memcmp(w + n - 4, "\xE2\x80\x99", 3))
        return n - 4;
    return n;
}

/* Every pack's keywords in one table, compared without ASCII case: adds
 * `weight` to score[t] for each of the words (a possessive as its stem)
 * that pack t (cfg->topics[t]) lists. One call a paragraph, not a word.
 * Only when hm_topic_keywords_indexed (up to 32 packs). text is an
 * hm_source's, with HM_SOURCE_PAD bytes after it: a word's 16 bytes are
 * read at once. */
bool hm_topic_keywords_indexed(const hm_config *cfg);
void hm_topic_keyword_scores(const hm_config *cfg, const char *text, const hm_word *words, size_t n_words,
                             unsigned weight, unsigned score[32]);

/* How many matches \S+ has in text[from, to) (the runs of characters that
 * are not white space; ucp: as PCRE2_UCP sees white space, else ASCII
 * only), as hm_find_all would count them. False without an index. */
bool hm_count_nonspace_runs(hm_scan *scan, size_t from, size_t to, bool ucp, size_t *count);

/* Rules with `starts` (see rules.yaml): the rule's bit in hm_start.rules,
 * or -1 (no `starts`, no index, more than 64 such rules). */
int hm_starts_bit(const hm_config *cfg, const hm_rule *rule);
/* Every position where some rule with `starts` may begin a match, in text
 * order, with the bits of those rules; made on first use. With len above
 * UINT32_MAX: none (*n = 0 and NULL), and the caller runs the patterns. */
const hm_start *hm_starts_find(hm_scan *scan, size_t *n);

/* The stop lists name detection consults (names.c), a bit each. */
enum {
    HM_NL_PLACES = 1, HM_NL_BODIES = 2, HM_NL_NATIONALITIES = 4, HM_NL_MONTHS = 8, HM_NL_DAYS = 16,
    HM_NL_EVENT_WORDS = 32, HM_NL_SENTENCE_STARTERS = 64, HM_NL_TITLES = 128, HM_NL_GIVEN_NAMES = 256
};

/* A match of the person-name pattern and its words: what space, tab, line
 * break or carriage return parts, in text order; only the first
 * HM_NAME_RUN_WORDS (names.c asks no more). */
enum { HM_NAME_RUN_WORDS = 16 };
typedef struct hm_name_run {
    size_t start, end;
    size_t n_words;
    struct hm_name_word {
        size_t start, end;
    } words[HM_NAME_RUN_WORDS];
} hm_name_run;
typedef bool (*hm_name_run_fn)(hm_scan *scan, const hm_name_run *run, void *ud);
/* What parts a run's words. */
static inline bool hm_name_gap(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Is s[0, n) (n two or three) a connector inside a name: von, van, de,
 * der, du, la, le, of, bin, ibn, da, di? One switch on its bytes, not a
 * comparison with each in turn. */
static inline bool hm_name_connector(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
#define HM_KEY3(b0, b1, b2) ((uint32_t)(b0) | (uint32_t)(b1) << 8 | (uint32_t)(b2) << 16)
    switch (HM_KEY3(u[0], u[1], n == 3 ? u[2] : 0)) {
    case HM_KEY3('v', 'o', 'n'):
    case HM_KEY3('v', 'a', 'n'):
    case HM_KEY3('d', 'e', 0):
    case HM_KEY3('d', 'e', 'r'):
    case HM_KEY3('d', 'u', 0):
    case HM_KEY3('l', 'a', 0):
    case HM_KEY3('l', 'e', 0):
    case HM_KEY3('o', 'f', 0):
    case HM_KEY3('b', 'i', 'n'):
    case HM_KEY3('i', 'b', 'n'):
    case HM_KEY3('d', 'a', 0):
    case HM_KEY3('d', 'i', 0):
        return true;
    default:
        return false;
    }
#undef HM_KEY3
}

/* The built-in person-name pattern, and its matches in text[from, to) as
 * hm_find_all would give them, found in C, each with its words (the walk
 * that finds a match knows where they part); fn returns false to stop.
 * False without an index, before any call. */
extern const char hm_person_name_pattern[];
bool hm_names_find_all(hm_scan *scan, size_t from, size_t to, hm_name_run_fn fn, void *ud);
/* Which of the stop lists (HM_NL_*) hold each word of the run exactly (as
 * hm_list_has), one lookup a word: masks[k] for run->words[k]; false
 * without an index. text is an hm_source's (HM_SOURCE_PAD bytes after it). */
bool hm_name_run_lists(const hm_config *cfg, const char *text, const hm_name_run *run, uint32_t *masks);

/* Frees the per-document hits (hm_scan_free_data calls it). */
void hm_phrase_scan_free(hm_scan *scan);

/* For tests: how many sets the index holds and how many of them are served
 * from the table (the rest use their patterns). */
void hm_phrase_stats(const hm_config *cfg, size_t *sets, size_t *usable);

#endif
