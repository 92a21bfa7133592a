/* libFuzzer harness: a pattern's start filter never refuses a position
 * where the pattern matches. The input is a flags byte, a pattern, a NUL,
 * then a text; the flags' bit 0 asks for a caseless pattern, bit 1 for one
 * without PCRE2_UCP (a rule's `unicode: false`). A refused position with
 * an anchored match aborts. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "startfilter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    bool caseless = data[0] & 1, ucp = !(data[0] & 2);
    const char *in = (const char *)data + 1;
    size_t n = size - 1;
    const char *nul = memchr(in, '\0', n);
    if (!nul || nul == in)
        return 0;
    const char *pattern = in, *text = nul + 1;
    size_t text_len = n - (size_t)(text - in);
    uint32_t options = PCRE2_UTF | (ucp ? PCRE2_UCP : 0) | (caseless ? PCRE2_CASELESS : 0);
    int code;
    PCRE2_SIZE at;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, options, &code, &at, NULL);
    if (!re)
        return 0;
    hm_start_filter *f = hm_start_filter_new(pattern, caseless, ucp);
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
    pcre2_match_context *mctx = pcre2_match_context_create(NULL);
    pcre2_set_match_limit(mctx, 10000);
    pcre2_set_depth_limit(mctx, 1000);
    /* histmark matches valid UTF-8 only (the source is decoded first) */
    int first = pcre2_match(re, (PCRE2_SPTR)text, text_len, 0, 0, md, mctx);
    bool valid = !(first <= PCRE2_ERROR_UTF8_ERR1 && first >= PCRE2_ERROR_UTF8_ERR21);
    for (size_t i = 0; f && valid && i <= text_len; i++) {
        if (hm_start_filter_passes(f, text, i, text_len))
            continue;
        int rc = pcre2_match(re, (PCRE2_SPTR)text, text_len, i, PCRE2_ANCHORED, md, mctx);
        if (rc >= 0)
            abort(); /* the filter refused a position where a match begins */
    }
    /* the search for the next place it lets through, 16 bytes at a time
     * where it can, finds the first such character start */
    for (size_t i = 0; f && valid && i <= text_len; i++) {
        size_t want = i;
        while (want < text_len && (((unsigned char)text[want] & 0xC0) == 0x80 ||
                                   !hm_start_filter_passes(f, text, want, text_len)))
            want++;
        if (hm_start_filter_next(text, f, i, text_len, SIZE_MAX) != (want < text_len ? want : SIZE_MAX))
            abort();
    }
    pcre2_match_context_free(mctx);
    pcre2_match_data_free(md);
    hm_start_filter_free(f);
    pcre2_code_free(re);
    return 0;
}
