/*
 * histmark: marks A-level history essays out of 20 and says why.
 *
 * The pipeline is text -> document -> findings -> features -> score -> report.
 * This header is the whole public surface of the library.
 *
 * Ownership, in one sentence per family:
 *  - An hm_config is made by hm_config_load() and freed by hm_config_free();
 *    once loaded it is never modified, so one config may serve any number of
 *    analyses on any number of threads at the same time.
 *  - An hm_result is made by hm_analyze() and freed by hm_result_free(); every
 *    pointer reached through it (findings, notes, strings) belongs to it and
 *    lives exactly as long as it does.
 *  - An hm_error is the caller's: a plain struct passed last, which may be
 *    NULL; the library fills it only when a call fails.
 *
 * Positions: every span is a byte range [start, end) into the UTF-8 text of
 * the result (hm_result_text()), which is the input after decoding (a BOM is
 * dropped, UTF-16 and Windows-1252 are converted); line endings are kept as
 * they were. `line` and `column` are 1-based, and `column` counts Unicode
 * code points from the start of the line.
 */
#ifndef HISTMARK_H
#define HISTMARK_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(HISTMARK_STATIC)
#define HM_EXPORT
#elif defined(__GNUC__)
#define HM_EXPORT __attribute__((visibility("default")))
#else
#define HM_EXPORT
#endif

#define HM_VERSION_STRING "0.1.0"

/* Exit statuses of the histmark command, also useful to callers. */
enum hm_exit {
    HM_EXIT_OK = 0,     /* every input was analysed */
    HM_EXIT_INPUT = 1,  /* at least one input could not be analysed */
    HM_EXIT_CONFIG = 2  /* usage error, or a rubric/rules/topic file is bad */
};

/* What went wrong in a failed call. The first error wins. */
typedef enum hm_error_code {
    HM_ERR_NONE = 0,
    HM_ERR_IO,          /* a file could not be opened or read */
    HM_ERR_YAML,        /* a YAML file does not parse */
    HM_ERR_SCHEMA,      /* it parses but a key, type or value is wrong */
    HM_ERR_PATTERN,     /* a regular expression does not compile */
    HM_ERR_INPUT,       /* an essay cannot be analysed (binary, too large, ...) */
    HM_ERR_LIMIT,       /* a pattern hit its match or depth limit */
    HM_ERR_NOMEM
} hm_error_code;

typedef struct hm_error {
    hm_error_code code;
    char file[512];     /* the file at fault, "" when none */
    int line, column;   /* 1-based position in that file, 0 when unknown */
    char rule[128];     /* the id of the rule or item at fault, "" when none */
    char message[1024]; /* one human sentence, no trailing newline */
} hm_error;

/* ------------------------------------------------------------------ */
/* Configuration: rules, word lists, rubric and topic packs.           */

typedef struct hm_config hm_config;

#define HM_CONFIG_OPTIONS_VERSION 2

/* hm_config_options.flags */
/* Interpret every pattern instead of JIT-compiling it: a config that will
 * analyse one essay starts sooner (JIT compilation costs more than it saves
 * on one essay); one that analyses many runs faster with JIT (the default). */
#define HM_CONFIG_INTERPRET (1u << 0)

typedef struct hm_config_options {
    int version;              /* HM_CONFIG_OPTIONS_VERSION */
    const char *rubric_path;  /* NULL: the built-in rubrics/a-level-20.yaml */
    const char *rules_path;   /* NULL: the built-in rubrics/rules.yaml */
    const char *lists_path;   /* NULL: the built-in rubrics/lists.yaml */
    /* A topic pack: a path to a YAML file, the id of a built-in pack, "none"
     * for no pack, or NULL to choose the best-fitting built-in pack for each
     * essay (or none when nothing fits). */
    const char *topic;
    unsigned flags;           /* HM_CONFIG_* bits; since version 2 */
} hm_config_options;

/* Loads and compiles everything. Returns NULL and fills err when any file is
 * bad; the message names the file, line, column and rule. */
HM_EXPORT hm_config *hm_config_load(const hm_config_options *opts, hm_error *err);
HM_EXPORT void hm_config_free(hm_config *config);

/* Runs the example texts that every rule carries ("match" and "no-match")
 * and writes one line per failure to the callback. Returns the number of
 * failures, so 0 means every example behaves as its rule says. */
typedef void (*hm_line_fn)(const char *line, void *userdata);
HM_EXPORT size_t hm_config_test_rules(const hm_config *config, size_t *examples_run,
                                      hm_line_fn out, void *userdata);

/* ------------------------------------------------------------------ */
/* Analysis.                                                           */

typedef struct hm_result hm_result;

#define HM_ANALYZE_OPTIONS_VERSION 1

typedef struct hm_analyze_options {
    int version;             /* HM_ANALYZE_OPTIONS_VERSION */
    const char *name;        /* shown as the file in reports; NULL: "-" */
    const char *question;    /* overrides the essay's own question line */
    size_t max_bytes;        /* refuse larger inputs; 0: the default (4 MiB) */
} hm_analyze_options;

#define HM_DEFAULT_MAX_BYTES ((size_t)4 << 20)
/* The most hm_analyze reads, whatever max_bytes says (1 GiB). */
#define HM_MAX_TEXT_BYTES ((size_t)1 << 30)

/* Decodes, tokenizes, finds, measures and scores one essay. `bytes` need not
 * be NUL-terminated. Returns NULL and fills err when the input cannot be
 * analysed at all (binary data, too large); an empty or odd essay still gets
 * a result, with warnings. */
HM_EXPORT hm_result *hm_analyze(const hm_config *config, const char *bytes, size_t len,
                                const hm_analyze_options *opts, hm_error *err);
HM_EXPORT void hm_result_free(hm_result *result);

/* The kinds of finding. Names, as used in JSON and YAML, by hm_kind_name(). */
typedef enum hm_kind {
    HM_KIND_DATE,
    HM_KIND_FIGURE,
    HM_KIND_PERSON,
    HM_KIND_EVENT,
    HM_KIND_QUOTATION,
    HM_KIND_JUDGEMENT,
    HM_KIND_COUNTERARGUMENT,
    HM_KIND_CAUSATION,
    HM_KIND_CONCLUSION,
    HM_KIND_STRUCTURE,   /* findings of occurrence and conditional rules */
    HM_KIND_WEBSITE,     /* text copied from an essay website */
    HM_KIND_COUNT
} hm_kind;

HM_EXPORT const char *hm_kind_name(hm_kind kind);
/* 1 for the evidence kinds: date, figure, person, event, quotation. */
HM_EXPORT int hm_kind_is_evidence(hm_kind kind);

/* One match of one rule. */
typedef struct hm_finding {
    const char *rule;        /* the rule's id */
    hm_kind kind;
    const char *tag;         /* the rule's optional tag ("extent", ...), or NULL */
    size_t start, end;       /* byte span in hm_result_text() */
    unsigned line, column;   /* of start */
    unsigned paragraph;      /* 1-based essay paragraph, 0 outside them */
    const char *message;     /* the rule's message */
    const char *suggestion;  /* a correction (a misspelt name), or NULL */
    const char *canonical;   /* the topic pack's name for a person or event, or NULL */
} hm_finding;

/* A strength or a gap: a sentence of feedback and where it points. */
typedef struct hm_note {
    const char *strand;      /* the strand's id, or NULL for essay-wide notes */
    const char *text;
    unsigned paragraph;      /* 0 when it points at no paragraph */
    size_t start, end;       /* the words it points at; start == end: none */
    unsigned line, column;   /* of start, 0 when none */
    const char *feature;     /* the rubric feature it comes from ("words", ...):
                                the key for grouping gaps across essays */
} hm_note;

typedef struct hm_strand {
    const char *id;
    const char *name;
    int level;               /* 0..5 */
    double security;         /* 0..1: how far towards the next level */
    const char *descriptor;  /* the rubric's words for this level */
    size_t n_strengths, n_gaps;
    const hm_note *strengths;
    const hm_note *gaps;
} hm_strand;

typedef struct hm_warning {
    const char *code;        /* "not-an-essay", "website-text", ... */
    const char *message;
} hm_warning;

typedef enum hm_para_kind {
    HM_PARA_BODY,
    HM_PARA_QUESTION,
    HM_PARA_HEADING,
    HM_PARA_LIST_ITEM,
    HM_PARA_WEBSITE          /* kept out of the score */
} hm_para_kind;

typedef struct hm_paragraph {
    hm_para_kind kind;
    unsigned number;         /* 1-based among essay paragraphs (body and
                                list items), 0 for the others */
    size_t start, end;
    unsigned line;
    unsigned words;
} hm_paragraph;

HM_EXPORT const char *hm_result_name(const hm_result *r);
HM_EXPORT const char *hm_result_text(const hm_result *r, size_t *len);
HM_EXPORT const char *hm_result_question(const hm_result *r);   /* NULL: none found */
HM_EXPORT const char *hm_result_topic(const hm_result *r);      /* pack id, or NULL */
HM_EXPORT const char *hm_result_topic_name(const hm_result *r); /* NULL when no pack */
HM_EXPORT const char *hm_result_topic_reason(const hm_result *r);
HM_EXPORT unsigned hm_result_words(const hm_result *r);
HM_EXPORT unsigned hm_result_essay_paragraphs(const hm_result *r);
HM_EXPORT int hm_result_mark(const hm_result *r);
HM_EXPORT int hm_result_out_of(const hm_result *r);
HM_EXPORT int hm_result_level(const hm_result *r);
/* The band of marks for a level: "13-16". */
HM_EXPORT const char *hm_result_band(const hm_result *r);

HM_EXPORT size_t hm_result_paragraph_count(const hm_result *r);
HM_EXPORT const hm_paragraph *hm_result_paragraph(const hm_result *r, size_t i);
HM_EXPORT size_t hm_result_finding_count(const hm_result *r);
HM_EXPORT const hm_finding *hm_result_finding(const hm_result *r, size_t i);
HM_EXPORT size_t hm_result_strand_count(const hm_result *r);
HM_EXPORT const hm_strand *hm_result_strand(const hm_result *r, size_t i);
HM_EXPORT size_t hm_result_strength_count(const hm_result *r);
HM_EXPORT const hm_note *hm_result_strength(const hm_result *r, size_t i);
HM_EXPORT size_t hm_result_gap_count(const hm_result *r);
HM_EXPORT const hm_note *hm_result_gap(const hm_result *r, size_t i);
HM_EXPORT size_t hm_result_warning_count(const hm_result *r);
HM_EXPORT const hm_warning *hm_result_warning(const hm_result *r, size_t i);

/* ------------------------------------------------------------------ */
/* Reports. Renderers see a result only through the accessors above and
 * write through a sink, so one renderer serves a FILE, a buffer or a server. */

typedef int (*hm_write_fn)(const char *data, size_t len, void *userdata);

#define HM_RENDER_COLOR 1u  /* ANSI colour in the text report */

/* Each returns 0 on success, or the first non-zero value the sink returned. */
HM_EXPORT int hm_render_text(const hm_result *r, unsigned flags, hm_write_fn write, void *userdata);
/* One JSON object on one line, then "\n". */
HM_EXPORT int hm_render_json(const hm_result *r, unsigned flags, hm_write_fn write, void *userdata);
/* Compiler-style lines for editors, sorted by position:
 * "FILE:LINE:COLUMN: warning|note: message [rule-id]" (COLUMN in code
 * points); gaps and warnings are warnings, the mark, strengths and findings
 * are notes. */
HM_EXPORT int hm_render_gcc(const hm_result *r, unsigned flags, hm_write_fn write, void *userdata);

/* ------------------------------------------------------------------ */
/* Batches: folders, Word documents, spreadsheets, web pages, copying.  */

/* Reads one essay file of any supported kind: a Word document (.docx) as the
 * UTF-8 text of its paragraphs, separated by blank lines (tabs and line
 * breaks kept); any other file as its bytes, which hm_analyze() decodes.
 * Returns a buffer the caller frees with free(), or NULL with err naming the
 * file ("not a Word document", "too large", ...). Thread-safe. */
HM_EXPORT char *hm_read_input(const char *path, size_t max_bytes, size_t *len, hm_error *err);

/* 1 for the names a folder walk reads: *.txt, *.md, *.docx (any case). */
HM_EXPORT int hm_is_essay_name(const char *name);

/* Walks a folder depth-first in byte order of names, calling `fn` with each
 * essay file (by hm_is_essay_name) and, with a message in `error`, each
 * folder or file that cannot be read. Hidden names (".x") and Word's lock
 * files ("~$x") are skipped; a folder reached twice (a symlink loop) is
 * walked once. A non-zero return from fn stops the walk and is returned. */
typedef int (*hm_walk_fn)(const char *path, const char *error, void *userdata);
HM_EXPORT int hm_walk(const char *root, hm_walk_fn fn, void *userdata);

/* Adds a warning to a result (the batch's copy check adds "possible-copy").
 * hm_warning pointers taken before the call are no longer valid after it. */
HM_EXPORT void hm_result_add_warning(hm_result *r, const char *code, const char *message);
/* The value of a rubric feature by name; 0 when unknown or not measurable. */
HM_EXPORT int hm_result_feature(const hm_result *r, const char *name, double *value);

/* CSV: one row per essay (file, words, mark, level, each strand's level, the
 * main gap, warning codes), RFC 4180 quoting, CRLF line ends. The header
 * (with a UTF-8 byte order mark, for Excel) is written once, before the
 * first row; its strand columns are those of `first`. */
HM_EXPORT int hm_render_csv_header(const hm_result *first, hm_write_fn write, void *userdata);
HM_EXPORT int hm_render_csv(const hm_result *r, unsigned flags, hm_write_fn write, void *userdata);

/* HTML: one self-contained page (inline CSS and SVG, no external assets). */
#define HM_RENDER_HTML_INDEX_LINK 2u  /* link back to ../index.html */
HM_EXPORT int hm_render_html(const hm_result *r, unsigned flags, hm_write_fn write, void *userdata);

/* Copy detection across a batch. Each essay is reduced to a sample of the
 * hashes of its 8-word shingles (normalised lower-case words): one in four,
 * chosen by the hash, so a passage two essays share is sampled alike in
 * both; the texts are not kept. hm_copy_set() writes the sample to an
 * unlinked temporary file (memory when none can be made), so a batch of any
 * size keeps a few numbers an essay in memory. hm_copy_find() indexes
 * shingle -> essays, ignores shingles shared by too many essays (the
 * question, set phrases), counts shared samples per pair, and reports pairs
 * whose containment (shared / samples of the smaller essay, an estimate of
 * shared / shingles) reaches the threshold. */
#define HM_SHINGLE_WORDS 8
typedef struct hm_shingles hm_shingles;
/* Decodes like hm_analyze(); NULL only when the bytes are not text.
 * Thread-safe. */
HM_EXPORT hm_shingles *hm_shingles_make(const char *bytes, size_t len);
HM_EXPORT void hm_shingles_free(hm_shingles *s);

typedef struct hm_copy hm_copy;
typedef struct hm_copy_pair {
    size_t a, b;          /* essay indices, a < b */
    double share;         /* estimated shared text / text of the smaller essay */
    size_t shared;        /* distinct shared samples */
    size_t from;          /* unused (0): the index keeps samples, not runs; */
    size_t words;         /* hm_copy_shared_passage() finds the passage */
    size_t from_essay;    /* a or b: the smaller essay */
} hm_copy_pair;

HM_EXPORT hm_copy *hm_copy_new(size_t n_essays);
/* Gives essay `i` its shingles (taken over; NULL: nothing to compare). Each
 * essay once: a second call for `i` is ignored. Not thread-safe: callers on
 * several threads take a lock. */
HM_EXPORT void hm_copy_set(hm_copy *c, size_t i, hm_shingles *s);
/* Finds the pairs at or above `threshold` (0..1), best first; the array
 * belongs to c. A shingle held by more than max(5, min(essays / 20, 50))
 * essays is ignored. With max_per_essay > 0, a pair is kept only when it is
 * among the max_per_essay best of one of its two essays (so a folder of
 * near-identical essays stays readable, and memory stays bounded). May be
 * called again, with another threshold. */
HM_EXPORT size_t hm_copy_find(hm_copy *c, double threshold, size_t max_per_essay, const hm_copy_pair **pairs);
HM_EXPORT void hm_copy_free(hm_copy *c);
/* The text of `words` words from word `from` of an essay's bytes (decoded as
 * hm_analyze() does), white space collapsed, cut to about max_bytes with
 * "...". The caller frees it. NULL when the range is not there. */
HM_EXPORT char *hm_copy_passage(const char *bytes, size_t len, size_t from, size_t words, size_t max_bytes);
/* The longest passage of an essay whose shingles are also in `other`, but
 * for single changed words (both decoded as hm_analyze() does), as
 * hm_copy_passage() gives it; its
 * first word and length in words go to *from and *words when not NULL.
 * NULL when they share no shingle. The caller frees it. Thread-safe. */
HM_EXPORT char *hm_copy_shared_passage(const char *bytes, size_t len, const char *other, size_t other_len,
                                       size_t max_bytes, size_t *from, size_t *words);

/* A class overview: the mark distribution, the count at each level, the
 * gaps most common across the class (grouped by the feature they come
 * from) with the essays that share each, essays that need a look, and
 * possible copying. */
typedef struct hm_summary hm_summary;
HM_EXPORT hm_summary *hm_summary_new(void);
/* Adds an essay; `page` is its own HTML page relative to the overview, or NULL. */
HM_EXPORT void hm_summary_add(hm_summary *s, const hm_result *r, const char *page);
/* Counts an input that could not be read or analysed. */
HM_EXPORT void hm_summary_add_failure(hm_summary *s, const char *file, const char *message);
HM_EXPORT void hm_summary_add_copy(hm_summary *s, const char *file_a, const char *file_b, double share,
                                   const char *passage);
HM_EXPORT int hm_summary_render_text(const hm_summary *s, unsigned flags, hm_write_fn write, void *userdata);
/* One JSON object {"summary": {...}} on one line. */
HM_EXPORT int hm_summary_render_json(const hm_summary *s, hm_write_fn write, void *userdata);
/* The overview page: mark histogram, a sortable table of essays linking
 * their pages, common gaps, copy flags. Self-contained. */
HM_EXPORT int hm_summary_render_html(const hm_summary *s, hm_write_fn write, void *userdata);
HM_EXPORT void hm_summary_free(hm_summary *s);

#ifdef __cplusplus
}
#endif

#endif
