/* The class overview's data, shared by its text, JSON and HTML renderers.
 * It keeps a few numbers per essay, never the results themselves: about 30
 * bytes an essay in memory, the longer strings in a temporary file. */
#ifndef HM_SUMMARY_H
#define HM_SUMMARY_H

#include <jansson.h>
#include <stdio.h>

#include "util.h"

/* Why an essay needs a look; bits of hm_summary_row.flags. */
enum {
    HM_LOOK_VERY_SHORT = 1u << 0,
    HM_LOOK_QUOTATION = 1u << 1,
    HM_LOOK_OFF_QUESTION = 1u << 2,
    HM_LOOK_NOTES = 1u << 3,
    HM_LOOK_WEBSITE = 1u << 4,
    HM_LOOK_COPY = 1u << 5,
    HM_LOOK_COUNT = 6
};

/* Strings kept front-coded: each as the length it shares with the one
 * before (a varint) and the rest, every HM_NAMES_RESTART-th in full. A
 * folder's paths differ in their last few bytes, so 10,000 of them take
 * about 100 KB instead of an allocation and a pointer each. */
#define HM_NAMES_RESTART 16

typedef struct hm_names {
    hm_buf data;
    size_t *restart;         /* where every HM_NAMES_RESTART-th entry starts */
    size_t n, cap_restart;
    hm_buf last;             /* the latest entry, to find the shared length */
} hm_names;

void hm_names_add(hm_names *l, const char *s, size_t len);
/* Entry i, rebuilt in `out` (valid until out changes). */
const char *hm_names_get(const hm_names *l, size_t i, hm_buf *out);
void hm_names_free(hm_names *l);

/* Strings written to an unlinked temporary file (memory when none can be
 * made), read back by the offset hm_spool_add() gives. */
typedef struct hm_spool {
    int fd;                  /* the file's descriptor + 1; 0: none yet */
    bool in_memory;          /* no file could be made or written: in mem */
    hm_buf mem;
    uint64_t len;
} hm_spool;

uint64_t hm_spool_add(hm_spool *sp, const char *s, size_t len);
const char *hm_spool_get(const hm_spool *sp, uint64_t at, hm_buf *out);
void hm_spool_free(hm_spool *sp);

/* A temporary file already unlinked, in $TMPDIR or /tmp; -1 when none can
 * be made. It may be one given back before, emptied. */
int hm_temp_fd(void);
/* Gives back a file from hm_temp_fd(): kept for it to hand out again
 * between hm_temp_fds_keep() and hm_temp_fds_close() (a batch), else
 * closed, so that a library caller holds no file it has finished with. */
void hm_temp_fd_done(int fd);
void hm_temp_fds_keep(void);
/* Closes the files kept, and keeps no more. */
void hm_temp_fds_close(void);
/* pwrite()/pread() of all `len` bytes at offset `at`; false on an error or
 * a short file. */
bool hm_pwrite_all(int fd, const void *data, size_t len, uint64_t at);
bool hm_pread_all(int fd, void *data, size_t len, uint64_t at);

#define HM_NO_GAP UINT64_MAX

/* The first HM_GAP_BITS gap groups are a bit of each row; any after them
 * keep a list of their rows. */
#define HM_GAP_BITS 64

typedef struct hm_summary_row {
    uint32_t words;
    int16_t mark;
    int8_t level;
    uint8_t flags;
    uint64_t main_gap;       /* the first gap's text in the spool, or HM_NO_GAP */
    uint64_t gaps;           /* bit k: the essay has a gap of group k */
} hm_summary_row;

typedef struct hm_gap_group {
    char *feature, *label, *strands; /* strands: names, comma separated */
    size_t index;            /* in hm_summary.gaps */
    size_t n_rows;           /* essays that have the gap */
    uint32_t first_row;
    uint32_t *rows;          /* only past HM_GAP_BITS groups */
    size_t cap_rows;
} hm_gap_group;

typedef struct hm_copy_flag {
    char *a, *b, *passage;
    double share;
} hm_copy_flag;

/* The summary lists this many pairs, the largest shares; it counts the rest. */
#define HM_SUMMARY_COPIES 100

typedef struct hm_failure {
    char *file, *message;
} hm_failure;

struct hm_summary {
    int out_of;
    char **strand_names;     /* from the first essay */
    size_t n_strands;
    hm_summary_row *rows;
    size_t n_rows, cap_rows;
    int8_t *strand_levels;   /* n_strands a row */
    hm_names files, pages;   /* one a row; pages only with an HTML overview */
    hm_spool text;           /* main gaps */
    hm_gap_group *gaps;
    size_t n_gaps, cap_gaps;
    hm_copy_flag *copies;    /* the best HM_SUMMARY_COPIES, best first */
    size_t n_copies, all_copies;
    hm_failure *failures;
    size_t n_failures, cap_failures;
};

/* What the summary takes from a result, so that a worker thread can make
 * it and free the result; hm_summary_add_entry() takes it over. */
typedef struct hm_summary_entry hm_summary_entry;
hm_summary_entry *hm_summary_entry_make(const hm_result *r);
void hm_summary_add_entry(hm_summary *s, hm_summary_entry *e, const char *page);
void hm_summary_entry_free(hm_summary_entry *e);
/* The class overview's plain words for a rubric feature's gap; NULL: none. */
const char *hm_summary_feature_label(const char *feature);

/* A row's file, page (NULL when none) and main gap (NULL when none), in a
 * buffer of the caller's; the level of its strand k. */
const char *hm_summary_file(const hm_summary *s, size_t row, hm_buf *buf);
const char *hm_summary_page(const hm_summary *s, size_t row, hm_buf *buf);
const char *hm_summary_main_gap(const hm_summary *s, size_t row, hm_buf *buf);
int hm_summary_strand_level(const hm_summary *s, size_t row, size_t k);

/* Output in pieces: a renderer appends to `b` and calls this after each
 * row; it writes and empties b once it holds more than a few KB. */
int hm_flush_some(hm_buf *b, hm_write_fn write, void *ud);

/* What each flag is called in reports. */
const char *hm_look_label(unsigned bit);

/* Fills `rows` (room for every row) with the rows flagged with look `k`;
 * returns how many. */
size_t hm_summary_rows_with(const hm_summary *s, unsigned k, uint32_t *rows);

/* hm_render_json()'s report appended to b (NUL-terminated, as an hm_buf
 * is): the batch renders into the slot that holds it, with no copy. */
void hm_render_json_buf(const hm_result *r, hm_buf *b);
/* Writes a JSON value on one line, then "\n" (render_json.c). */
int hm_json_write_line(json_t *o, hm_write_fn write, void *ud);
/* Fills `rows` (room for every row) with the rows in gap group g, in
 * batch order; returns how many. */
size_t hm_gap_rows(const hm_summary *s, const hm_gap_group *g, uint32_t *rows);
/* Gap groups, most shared first (ties in order of first appearance);
 * the array is the caller's to free. */
const hm_gap_group **hm_summary_sorted_gaps(const hm_summary *s);

#endif
