/* The loaded configuration: rules (findings), topic packs, the rubric
 * (features -> score) and the word lists. Immutable after loading. */
#ifndef HM_CONFIG_H
#define HM_CONFIG_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <pthread.h>
#include <stdatomic.h>

#include "document.h"
#include "lists.h"

/* ---- rules ---- */

typedef enum hm_rule_type {
    HM_RULE_EXISTENCE,    /* every match is a finding */
    HM_RULE_SUBSTITUTION, /* a match is a wrong form with a suggested right one */
    HM_RULE_OCCURRENCE,   /* too few or too many matches in a scope */
    HM_RULE_CONDITIONAL,  /* `first` in a scope needs `second` in the same scope */
    HM_RULE_NAMES         /* capitalised names, filtered by the stop lists */
} hm_rule_type;

typedef enum hm_scope {
    HM_SCOPE_ESSAY,
    HM_SCOPE_PARAGRAPH,
    HM_SCOPE_SENTENCE,
    HM_SCOPE_INTRODUCTION,
    HM_SCOPE_CONCLUSION,
    HM_SCOPE_QUOTATION,
    HM_SCOPE_QUESTION,
    HM_SCOPE_TEXT        /* everything, question and website text included */
} hm_scope;

/* Where a pattern's matches can begin (rules.c): made from the pattern's
 * text by the call of hm_filter_of that finds the pattern has been run over
 * enough text (units, a long one counting once a SF_UNIT_BYTES begun), so
 * that one essay does not pay for it; only the atomics change it in a
 * loaded configuration. */
typedef struct hm_pattern_filter {
    char *source; /* the pattern's text; NULL: no filter is wanted */
    struct hm_start_filter *filter;
    atomic_uint units;
    atomic_bool claimed, made;
} hm_pattern_filter;

typedef struct hm_rule {
    char *id, *message, *tag, *file;
    int line, column;
    hm_kind kind;
    hm_rule_type type;
    hm_scope scope;
    pcre2_code *re, *re_second;
    int min, max;            /* occurrence; -1 when not set */
    char **swap_from, **swap_to;
    size_t n_swap;
    char **must_match, **must_not_match;
    size_t n_must_match, n_must_not_match;
    bool rest_of_text;       /* website text: everything from here on */
    /* tokens or list: the phrases as written (swap: swap_from), for the
     * phrase index (phrase.c); escaped: a list, whose spaces match any white space */
    char **phrases;
    size_t n_phrases;
    bool phrases_escaped;
    /* requires: strings one of which every match needs nearby (\d: a digit) */
    char **requires;
    size_t n_requires;
    /* how far after a required string a match may start (rules.c) */
    size_t requires_slack;
    /* starts: where every match of the pattern begins ('\d': a digit, '\b\d':
     * a digit after no ASCII letter, digit or _, else a string at a word
     * start, ASCII case ignored); the phrase index (phrase.c) finds them */
    char **starts;
    size_t n_starts;
    pcre2_code *re_anchored; /* the pattern compiled anchored (the JIT cannot anchor at match time) */
    /* re's filter, wanted at its starts (re_anchored), or for a search
     * that PCRE2 makes at every character (no start optimisation) */
    hm_pattern_filter filter;
    hm_pattern_filter second_filter; /* re_second's, for such a search */
    bool nonspace_runs;      /* the pattern is exactly \S+: its matches can be counted without it */
    bool person_names;       /* the built-in person-name pattern, which names.c can follow in C */
} hm_rule;

/* ---- topic packs ---- */

typedef struct hm_topic_entry {
    /* an event's `date` is when it happened, a person's when they died (the
     * pack's `died`), and an essay's year joined to it is checked against
     * it; `since` is when a body or movement began, which a later year
     * beside it does not contradict */
    char *name, *role, *date, *since;
    char **aliases;
    size_t n_aliases;
} hm_topic_entry;

typedef struct hm_alias_chains hm_alias_chains;

typedef struct hm_topic {
    char *id, *name, *file;
    int period_start, period_end;
    hm_strset keywords;          /* folded */
    hm_topic_entry *people, *events;
    size_t n_people, n_events;
    hm_strset places;            /* exact */
    char **terms;
    size_t n_terms;
    pcre2_code *people_re, *events_re, *terms_re;
    /* one-word aliases of people, for catching misspellings */
    char **name_tokens;
    size_t *name_token_person, n_name_tokens;
    /* Patterns are compiled when an essay first uses the pack
     * (hm_topic_prepare): most runs use one pack of five. */
    pthread_mutex_t jit_lock;
    atomic_bool jit_done;
    /* key dates, in the order given: what an essay on the period might use */
    int *date_years;
    char **date_whats;
    size_t n_dates;
    /* the data above is build-time static data (built.h): not freed */
    bool built;
    /* the people's and the events' aliases chained by first byte (topic.c),
     * made at load: every essay's findings are looked up in them */
    struct hm_alias_chains *people_aliases, *events_aliases;
} hm_topic;

/* ---- rubric ---- */

/* The features the C code measures; the rubric names them and sets every
 * threshold. See features.c for what each one means. */
typedef enum hm_feature_id {
#define HM_FEATURE(id, name) id,
#include "features.def"
#undef HM_FEATURE
    HM_F_COUNT
} hm_feature_id;

/* Where a number stands in the YAML file, so that calibration can write a
 * tuned copy that keeps every comment and line: 0-based line, column in
 * characters, and length. line < 0: not in the file. */
typedef struct hm_yaml_pos {
    int line, column, length;
} hm_yaml_pos;

typedef struct hm_cond {
    hm_feature_id feature;
    double min, max;         /* -HUGE_VAL / HUGE_VAL when open */
    char *gap, *strength;
    hm_yaml_pos min_pos, max_pos;
} hm_cond;

typedef struct hm_level_def {
    int level;
    char *descriptor;
    hm_cond *reqs;
    size_t n_reqs;
} hm_level_def;

typedef struct hm_strand_def {
    char *id, *name;
    double weight;
    hm_yaml_pos weight_pos;
    hm_level_def levels[5];  /* levels[i] is level i+1 */
} hm_strand_def;

typedef struct hm_band {
    int min, max;
    char *label;
} hm_band;

/* A rule of the rubric that fires when all its conditions hold. */
typedef struct hm_check {
    hm_cond *conds;
    size_t n_conds;
    int max_level;           /* caps: the highest level allowed; 0: none */
    char *code, *message;    /* warnings: code and message; advice: message */
} hm_check;

typedef struct hm_rubric {
    char *name, *file;
    int out_of;
    hm_band bands[5];
    hm_strand_def *strands;
    size_t n_strands;
    int max_above_lowest;    /* the overall level may exceed the weakest strand by this */
    double near_miss;        /* best fit: one requirement a level may miss by this share; 1: none */
    double mark_at_level;    /* place in the band (0-1) of a strand that just meets the level */
    int min_words;           /* fewer words: nothing to reward, mark 0 */
    double topic_min_score;  /* topic detection: the least score that picks a pack */
    size_t max_strengths, max_gaps;
    size_t max_gaps_per_strand; /* 0: no limit */
    hm_check *caps, *warnings, *advice;
    size_t n_caps, n_warnings, n_advice;
    /* all of the above is build-time static data (built.h): not freed */
    bool built;
} hm_rubric;

struct hm_config {
    hm_lists lists;
    hm_rule *rules;
    size_t n_rules;
    hm_topic *topics;
    size_t n_topics;
    const hm_topic *fixed_topic; /* --topic given; NULL with `choose` */
    bool choose_topic;
    hm_rubric rubric;
    pcre2_match_context *mctx;
    pcre2_compile_context *cctx;
    size_t max_match_data_pairs;
    bool jit;                /* JIT-compile patterns (not HM_CONFIG_INTERPRET) */
    /* Derived from the above by hm_config_index (phrase.c); NULL: none. */
    struct hm_phrase_index *index;
    /* every rule's `requires` strings, made and freed with the index (rules.c) */
    struct hm_requires_index *requires_index;
};

const char *hm_feature_name(hm_feature_id id);
bool hm_feature_lookup(const char *name, hm_feature_id *id);

/* Loaders, each filling err with file:line:column on failure. */
bool hm_rules_load(hm_config *cfg, const char *data, size_t len, const char *file, hm_error *err);
void hm_rule_free(hm_rule *rule);
/* A pattern's filter (rules.c): NULL until the pattern has been run over
 * enough units (at once with `now`), when none is wanted, or when the
 * pattern has a construct the filter does not model. Thread-safe. */
const struct hm_start_filter *hm_filter_of(const hm_pattern_filter *pf, const pcre2_code *re, bool now);
/* The rules' `requires` strings, folded and each once, for one pass over a
 * text that finds them all (rules.c); built by hm_config_index, with the
 * phrase index, and freed by hm_config_index_free. */
typedef struct hm_requires_index hm_requires_index;
hm_requires_index *hm_requires_index_new(const hm_config *cfg);
void hm_requires_index_free(hm_requires_index *ri);
/* The built-in configuration's index comes made at build time: its image,
 * written by tools/mkpatterns.c with hm_requires_image_write (false: no
 * index), is taken by hm_requires_index_new when the configuration's
 * strings are the image's. hm_requires_index_build never takes it (tests
 * compare the two with hm_requires_index_same). */
extern const unsigned char hm_builtin_requires_image[];
extern const size_t hm_builtin_requires_image_len;
bool hm_requires_image_write(const hm_config *cfg, hm_buf *out);
hm_requires_index *hm_requires_index_build(const hm_config *cfg);
bool hm_requires_index_same(const hm_requires_index *a, const hm_requires_index *b, size_t n_rules);
/* JIT-compiles the patterns of the rules that the phrase index does not
 * serve (call after hm_config_index). A rule of phrases (tokens, list, swap)
 * is loaded without JIT: the index serves it, and its pattern only runs for
 * the odd scope unit the index cannot answer, where the interpreter is
 * cheaper than compiling. So is a rule with `starts`: its anchored pattern
 * (JIT) is tried at the index's start positions, and its own pattern only
 * runs in a text with no start at all; and the person-name rule, whose
 * patterns (its own and anchored) the index's walk in C stands in for. */
void hm_rules_jit(hm_config *cfg);
bool hm_topic_load(hm_config *cfg, hm_topic *topic, const char *data, size_t len,
                   const char *file, hm_error *err);
void hm_topic_free(hm_topic *topic);
/* Compiles the pack's patterns once (thread-safe); false and err on failure. */
bool hm_topic_prepare(const hm_config *cfg, const hm_topic *topic, hm_error *err);
bool hm_rubric_load(hm_rubric *rubric, const char *data, size_t len, const char *file,
                    hm_error *err);
void hm_rubric_free(hm_rubric *rubric);

/* Compiles a pattern with the config's options; on failure err names the
 * file, line and rule and the offset in the pattern. */
pcre2_code *hm_compile(const hm_config *cfg, const char *pattern, uint32_t extra,
                       const char *file, int line, int column, const char *rule, hm_error *err);
/* The same, with Unicode properties only when `ucp`, and JIT-compiled only
 * when `jit` (and HISTMARK_NO_JIT is unset). */
pcre2_code *hm_compile_opts(const hm_config *cfg, const char *pattern, uint32_t extra, bool ucp, bool jit,
                            const char *file, int line, int column, const char *rule, hm_error *err);
bool hm_jit_wanted(const hm_config *cfg);

/* Built-in data files, compiled into the binary (builtin_data.c, made by
 * tools/mkbuiltin.c), each with the snapshot of its YAML tree. */
typedef struct hm_builtin_file {
    const char *name;        /* "rubrics/rules.yaml" */
    const char *data;
    size_t len;
    const unsigned char *snapshot; /* src/snapshot.h; NULL: parse the data */
    size_t snapshot_len;
} hm_builtin_file;
extern const hm_builtin_file hm_builtin_files[];
extern const size_t hm_builtin_file_count;
const hm_builtin_file *hm_builtin_find(const char *name);

/* Whether cfg's lists and topic packs are all the ones made at build time
 * (built.h), every pack in order: then they are the inputs the built-in
 * phrase index image was made from (tools/mkpatterns.c writes both from one
 * configuration). */
bool hm_config_packs_built(const hm_config *cfg);

#endif
