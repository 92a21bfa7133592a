/* Text in: turns the bytes of a file into UTF-8 text and answers
 * "which line and column is this byte offset?". */
#ifndef HM_SOURCE_H
#define HM_SOURCE_H

#include "util.h"

typedef enum hm_encoding {
    HM_ENC_UTF8,
    HM_ENC_UTF8_BOM,
    HM_ENC_UTF16LE,
    HM_ENC_UTF16BE,
    HM_ENC_CP1252
} hm_encoding;

/* The text is followed by this many NUL bytes (the first its terminator):
 * a 16-byte load from any offset up to len stays inside it. */
#define HM_SOURCE_PAD 16

typedef struct hm_source {
    char *text;          /* UTF-8, then HM_SOURCE_PAD NULs; line endings as given */
    size_t len;
    hm_encoding encoding;
    bool utf16_guessed;  /* UTF-16 without a byte order mark */
    size_t *line_starts; /* byte offset of each line's first byte */
    size_t n_lines;
    /* offset of each UTF-8 continuation byte (10xxxxxx), in order, and
     * SIZE_MAX after them (not counted): a stretch of text has as many
     * code points as bytes, less these */
    size_t *continuations;
    size_t n_continuations;
} hm_source;

/* Returns false and fills err (naming `name`) when the bytes are not text. */
bool hm_source_init(hm_source *src, const char *bytes, size_t len, const char *name,
                    hm_error *err);
void hm_source_free(hm_source *src);

/* Code points in text[from, to) (to past the text counts to its end),
 * from the continuation bytes listed: one column each. */
size_t hm_source_code_points(const hm_source *src, size_t from, size_t to);

/* 1-based line and column (in code points) of a byte offset. */
void hm_source_position(const hm_source *src, size_t offset, unsigned *line, unsigned *column);

/* Positions for offsets visited in increasing order, in linear time
 * overall (a 1 MB line with thousands of findings stays fast). */
typedef struct hm_source_cursor {
    const hm_source *src;
    size_t line_index, offset;
    size_t conts_before;   /* continuation bytes before offset, or fewer */
    unsigned line, column;
} hm_source_cursor;

void hm_source_cursor_init(hm_source_cursor *c, const hm_source *src);
/* Moves to `offset`; going backwards restarts from that offset's line. */
void hm_source_cursor_move(hm_source_cursor *c, size_t offset);

#endif
