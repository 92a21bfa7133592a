/* Findings: running the rules, the topic pack and name detection over a
 * document. One hm_scan per analysis holds the only mutable state, so one
 * config can serve many analyses at once. */
#ifndef HM_SCAN_H
#define HM_SCAN_H

#include "config.h"

typedef struct hm_warning_owned {
    char *code, *message;
} hm_warning_owned;

typedef struct hm_start {
    uint32_t pos;
    uint64_t rules;      /* a bit per rule with `starts` (hm_starts_bit) */
} hm_start;

typedef struct hm_scan {
    const hm_config *cfg;
    hm_document *doc;
    const char *text;
    size_t len;
    const hm_topic *topic;
    pcre2_match_data *md;
    hm_finding *findings;
    size_t n_findings, cap_findings;
    hm_warning_owned *warnings;
    size_t n_warnings, cap_warnings;
    size_t intro, conclusion;   /* paragraph indices, SIZE_MAX when none */
    size_t add_para_hint;       /* hm_scan_add's paragraph (each rule adds in text order) */
    unsigned limit_hits;
    /* Overlap queries binary-search findings[0, n_sorted), sorted by start;
     * person, event and date spans there are at most max_span bytes long. */
    size_t n_sorted, max_span;
    /* The sorts' room, kept from the first sort of an analysis to
     * hm_scan_free_data: the findings' second array (a sort copies them
     * into it in order, and the two change places) and the radix sort's
     * two key arrays (scan.c's sorted_order), both sized by cap_findings. */
    hm_finding *spare_findings;
    size_t cap_spare_findings;
    uint64_t *sort_index;
    size_t cap_sort_index;
    /* Words written with a capital somewhere mid-sentence: the first few
     * questions walk the words, later ones build this set. */
    hm_strset capitalised;
    bool capitalised_built;
    unsigned capitalised_asked;
    /* names.c's facts about the lists and the pack, made at its first call */
    struct hm_names_state *names_state;
    /* Phrase hits over the whole text (phrase.c), made on first use: those
     * of set k are phrase_hits[phrase_set_start[k], phrase_set_start[k + 1]). */
    struct hm_phrase_hit *phrase_hits;
    size_t n_phrase_hits, cap_phrase_hits;
    size_t *phrase_set_start;
    bool phrases_scanned, phrases_off;
    /* where each `requires` string asked about occurs in the text (ASCII
     * case ignored; '\d': any ASCII digit), found on first use, for the
     * strings the requires index below leaves ('\d', 64 bytes or more, a
     * config without its index): key is the
     * rule's string, the positions occ_pos[first, first + n) */
    struct hm_occurrences {
        const char *key;
        size_t first, n;
    } *occ;
    size_t n_occ, cap_occ;
    uint32_t *occ_pos;
    size_t n_occ_pos, cap_occ_pos;
    uint8_t occ_slot[64]; /* by the key's address: its entry + 1, or 0 (then search) */
    /* where each string of the config's requires index occurs (ASCII case
     * ignored), all found in one pass on first use: string k's positions
     * are req_pos[req_start[k], req_start[k + 1]) */
    uint32_t *req_start, *req_pos;
    bool req_found;
    /* Where rules with `starts` may begin a match (phrase.c), made on first use. */
    struct hm_start *starts;
    size_t n_starts;
    bool starts_found;
} hm_scan;

typedef enum hm_phase {
    HM_PHASE_TEXT,       /* website text, before anything else */
    HM_PHASE_BODY,       /* essay, paragraph, sentence and question scopes */
    HM_PHASE_PARTS       /* introduction, conclusion and quotation scopes */
} hm_phase;

void hm_scan_init(hm_scan *scan, const hm_config *cfg, hm_document *doc);
void hm_scan_free_data(hm_scan *scan); /* frees match data only */
/* NULL when the span lies where the rule may not report (the question,
 * website text). */
hm_finding *hm_scan_add(hm_scan *scan, const hm_rule *rule, size_t start, size_t end);
void hm_scan_warn(hm_scan *scan, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

void hm_rules_run(hm_scan *scan, hm_phase phase);
void hm_topic_run(hm_scan *scan);
void hm_names_run(hm_scan *scan, const hm_rule *rule, size_t from, size_t to);

/* Calls fn for every match of re in text[from, to); stops early when fn
 * returns false. Returns false when the pattern hit a resource limit. */
typedef bool (*hm_match_fn)(hm_scan *scan, size_t start, size_t end, void *ud);
bool hm_find_all(hm_scan *scan, const pcre2_code *re, size_t from, size_t to, hm_match_fn fn,
                 void *ud, const char *rule_id);

/* Sorts findings by position, drops duplicates and spans a stronger finding
 * covers, and fills paragraph, line and column. */
void hm_scan_finish(hm_scan *scan);

/* Sorts the findings so far by position, for hm_in_span_of_kinds. */
void hm_scan_sort(hm_scan *scan);
/* A set of kinds for hm_in_span_of_kinds, and the kinds it can answer for. */
#define HM_KIND_BIT(kind) (1u << (unsigned)(kind))
#define HM_SPAN_KINDS (HM_KIND_BIT(HM_KIND_PERSON) | HM_KIND_BIT(HM_KIND_EVENT) | HM_KIND_BIT(HM_KIND_DATE))
/* Does [start, end) overlap a finding of one of the kinds (of person, event
 * and date) made before the last hm_scan_sort? Logarithmic, so long texts
 * stay linear overall. */
bool hm_in_span_of_kinds(const hm_scan *scan, size_t start, size_t end, unsigned kinds);

#endif
