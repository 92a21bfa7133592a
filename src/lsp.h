/* The language server (`histmark lsp`): LSP 3.17 over stdio. The entry point
 * for main(), and the diagnostics-building path on its own so the latency
 * benchmark (bench/lsp_latency.c) times exactly what the server runs. */
#ifndef HM_LSP_H
#define HM_LSP_H

#include <jansson.h>
#include <stddef.h>

#include "histmark.h"

/* The largest message body the server reads; larger frames are refused
 * (logged and skipped) and the server goes on serving. */
#define HM_LSP_MAX_CONTENT_LENGTH ((size_t)16 << 20)

/* How positions count characters, as negotiated in initialize. */
typedef enum hm_lsp_encoding { HM_LSP_UTF16, HM_LSP_UTF8 } hm_lsp_encoding;

/* What the diagnostics show: gaps, warnings, strengths, and findings of
 * each hm_kind. */
#define HM_LSP_SHOW_GAPS 1u
#define HM_LSP_SHOW_WARNINGS 2u
#define HM_LSP_SHOW_STRENGTHS 4u
#define HM_LSP_SHOW_KIND(k) (1u << (8 + (unsigned)(k)))
#define HM_LSP_SHOW_FINDINGS (((1u << HM_KIND_COUNT) - 1) << 8)
#define HM_LSP_SHOW_DEFAULT (HM_LSP_SHOW_GAPS | HM_LSP_SHOW_WARNINGS | HM_LSP_SHOW_FINDINGS)

/* The Diagnostic[] array for a result of analysing `text` (the document as
 * the client holds it), with ranges in the given encoding. */
json_t *hm_lsp_diagnostics(const hm_result *r, const char *text, size_t len, hm_lsp_encoding enc,
                           unsigned show);

/* `histmark lsp [--stdio]`: serves stdin/stdout until exit or end of input.
 * Returns 0 after shutdown then exit, 1 otherwise, 2 on a usage error. */
int hm_lsp_main(int argc, char **argv);

#endif
