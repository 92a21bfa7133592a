/* The command's batch runner: expands folders, checks the batch for copied
 * passages, analyses essays on worker threads and writes their reports in
 * input order, then the class summary. Part of the command, not the
 * library: it owns stdout, stderr and the progress line. */
#ifndef HM_BATCH_H
#define HM_BATCH_H

#include <stdbool.h>

#include "histmark.h"

typedef int (*batch_render_fn)(const hm_result *r, unsigned flags, hm_write_fn write, void *ud);
struct hm_buf;
typedef void (*batch_render_buf_fn)(const hm_result *r, struct hm_buf *out);
typedef int (*batch_header_fn)(const hm_result *first, hm_write_fn write, void *ud);

typedef struct batch_options {
    const char *format;         /* the format's name: html, json and csv have extra steps */
    batch_render_fn render;
    batch_header_fn header;     /* written once before the first report, or NULL */
    const char *separator;      /* between two reports */
    const char *output;         /* -o: a file, or a folder for HTML; NULL: stdout */
    unsigned render_flags;      /* HM_RENDER_COLOR */
    const char *question;
    const char *stdin_name;     /* the name reports give "-", or NULL */
    size_t max_bytes;
    unsigned jobs;              /* 0: the number of online cores */
    bool quiet;                 /* no progress line */
    bool summary;
    double copy_threshold;      /* 0: no copy check */
    batch_render_buf_fn render_buf; /* render's report (its flags ignored) appended to a
                                 * buffer, or NULL */
} batch_options;

/* Where the batch gets its configuration: `load` may run on a thread of
 * the batch's, while the essays are read for the copy check; `report` says
 * why it failed, on the batch's own thread. The batch frees it. */
typedef struct batch_config {
    hm_config *(*load)(void *ud, hm_error *err);
    void (*report)(const hm_error *err);
    void *ud;
} batch_config;

/* Marks every input (files, folders, "-") and returns the exit status
 * (HM_EXIT_CONFIG, having said only that, when the configuration cannot
 * be loaded). */
int batch_run(const batch_config *config, const batch_options *o, char *const *inputs, int n_inputs);

#endif
