#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

static void out_of_memory(void)
{
    fputs("histmark: out of memory\n", stderr);
    abort();
}

void *hm_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        out_of_memory();
    return p;
}

void *hm_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        out_of_memory();
    return p;
}

void *hm_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        out_of_memory();
    return q;
}

char *hm_xstrdup(const char *s)
{
    return hm_xstrndup(s, strlen(s));
}

char *hm_xstrndup(const char *s, size_t n)
{
    char *p = hm_xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

/* Doubles the capacity (from 256) until `size` bytes fit. From 256, not
 * 64: texts built in pieces, such as the features' details (one clause
 * alone is 70 bytes), then mostly take one allocation, not a malloc and
 * one or two reallocs. */
static void buf_grow(hm_buf *b, size_t size)
{
    size_t cap = b->cap ? b->cap : 256;
    while (cap < size)
        cap *= 2;
    b->data = hm_xrealloc(b->data, cap);
    b->cap = cap;
}

void hm_buf_reserve(hm_buf *b, size_t n)
{
    if (b->len + n + 1 > b->cap)
        buf_grow(b, b->len + n + 1);
}

void hm_buf_put(hm_buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap)
        buf_grow(b, b->len + n + 1);
    if (n)
        memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void hm_buf_puts(hm_buf *b, const char *s) { hm_buf_put(b, s, strlen(s)); }
void hm_buf_putc(hm_buf *b, char c) { hm_buf_put(b, &c, 1); }

size_t hm_size_digits(char *out, size_t v)
{
    char digits[HM_SIZE_DIGITS];
    size_t at = sizeof digits;
    do {
        digits[--at] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    memcpy(out, digits + at, sizeof digits - at);
    return sizeof digits - at;
}

static void buf_put_size(hm_buf *b, size_t v)
{
    char digits[HM_SIZE_DIGITS];
    hm_buf_put(b, digits, hm_size_digits(digits, v));
}

void hm_buf_put_uint(hm_buf *b, unsigned v) { buf_put_size(b, v); }

/* %s and %.*s (precision below 0: none): glibc writes "(null)" for a null
 * pointer when the precision leaves room for it, else nothing. */
static void buf_put_string(hm_buf *b, const char *s, int precision)
{
    if (!s) {
        s = precision < 0 || precision >= 6 ? "(null)" : "";
        precision = -1;
    }
    hm_buf_put(b, s, precision < 0 ? strlen(s) : strnlen(s, (size_t)precision));
}

/* Writes fmt as glibc's printf does while its conversions are %s, %.*s,
 * %d, %u, %zu or %% without flags or widths (the features' and notes'
 * texts, some six an essay, each ~1,000 instructions in vsnprintf); false
 * at the first other one, with part of the text written. */
static bool buf_put_simple(hm_buf *b, const char *fmt, va_list ap)
{
    for (const char *p = fmt;;) {
        const char *pct = strchr(p, '%');
        hm_buf_put(b, p, pct ? (size_t)(pct - p) : strlen(p));
        if (!pct)
            return true;
        p = pct + 2;
        switch (pct[1]) {
        case '%':
            hm_buf_putc(b, '%');
            break;
        case 's':
            buf_put_string(b, va_arg(ap, const char *), -1);
            break;
        case '.': {
            if (pct[2] != '*' || pct[3] != 's')
                return false;
            int precision = va_arg(ap, int);
            buf_put_string(b, va_arg(ap, const char *), precision);
            p += 2;
            break;
        }
        case 'd': {
            int v = va_arg(ap, int);
            if (v < 0)
                hm_buf_putc(b, '-');
            buf_put_size(b, v < 0 ? 0u - (unsigned)v : (unsigned)v);
            break;
        }
        case 'u':
            buf_put_size(b, va_arg(ap, unsigned));
            break;
        case 'z':
            if (pct[2] != 'u')
                return false;
            buf_put_size(b, va_arg(ap, size_t));
            p++;
            break;
        default:
            return false;
        }
    }
}

void hm_buf_printf(hm_buf *b, const char *fmt, ...)
{
    va_list ap, again;
    va_start(ap, fmt);
    va_copy(again, ap);
    size_t at = b->len;
    bool written = buf_put_simple(b, fmt, ap);
    va_end(ap);
    if (!written) { /* from the start, by vsnprintf */
        b->len = at;
        char small[256];
        va_list ap2;
        va_copy(ap2, again);
        int n = vsnprintf(small, sizeof small, fmt, ap2);
        va_end(ap2);
        if (n >= 0 && (size_t)n < sizeof small) {
            hm_buf_put(b, small, (size_t)n);
        } else if (n >= 0) {
            char *big = hm_xmalloc((size_t)n + 1);
            vsnprintf(big, (size_t)n + 1, fmt, again);
            hm_buf_put(b, big, (size_t)n);
            free(big);
        } else if (b->data) {
            b->data[at] = '\0';
        }
    }
    va_end(again);
}

char *hm_buf_take(hm_buf *b)
{
    char *p = b->data ? b->data : hm_xstrdup("");
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}

void hm_buf_free(hm_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

#define ASCII_FOLD(c) ((c) >= 'A' && (c) <= 'Z' ? (c) | 0x20 : (c))
const unsigned char hm_ascii_fold[256] = HM_BYTE_TABLE(ASCII_FOLD);
#undef ASCII_FOLD

/* ---- string set ---- */

static bool same(const char *a, const char *b, size_t n, bool fold)
{
    /* most strings that hash alike are written alike: one memcmp then */
    if (memcmp(a, b, n) == 0)
        return true;
    if (!fold)
        return false;
    for (size_t i = 0; i < n; i++)
        if (hm_ascii_fold[(unsigned char)a[i]] != hm_ascii_fold[(unsigned char)b[i]])
            return false;
    return true;
}

void hm_strset_init(hm_strset *s, bool fold)
{
    memset(s, 0, sizeof *s);
    s->fold = fold;
}

void hm_strset_init_borrowing(hm_strset *s, bool fold)
{
    hm_strset_init(s, fold);
    s->borrowed = true;
}

static void strset_insert(hm_strset *s, hm_strset_slot slot)
{
    size_t i = (size_t)slot.hash & (s->cap - 1);
    while (s->slots[i].str)
        i = (i + 1) & (s->cap - 1);
    s->slots[i] = slot;
    s->count++;
}

static void strset_resize(hm_strset *s, size_t cap)
{
    size_t old_cap = s->cap;
    hm_strset_slot *old = s->slots;
    s->cap = cap;
    s->slots = hm_xcalloc(s->cap, sizeof *s->slots);
    s->count = 0;
    for (size_t i = 0; i < old_cap; i++)
        if (old[i].str)
            strset_insert(s, old[i]);
    free(old);
}

void hm_strset_reserve(hm_strset *s, size_t n)
{
    size_t cap = s->cap ? s->cap : 64;
    while (n * 2 > cap)
        cap *= 2;
    if (cap != s->cap)
        strset_resize(s, cap);
}

/* The slot holding str, or the empty slot where it would go. */
static size_t strset_probe(const hm_strset *s, const char *str, size_t len, uint64_t h)
{
    size_t i = (size_t)h & (s->cap - 1);
    for (const hm_strset_slot *slot = &s->slots[i]; slot->str; slot = &s->slots[i]) {
        if (slot->hash == h && slot->len == len && same(slot->str, str, len, s->fold))
            break;
        i = (i + 1) & (s->cap - 1);
    }
    return i;
}

void hm_strset_add(hm_strset *s, const char *str, size_t len)
{
    if (!s->cap)
        strset_resize(s, 64);
    len = strnlen(str, len); /* as stored: up to the first NUL */
    uint64_t h = hm_hash_bytes(str, len, s->fold); /* once, for the lookup and the insertion */
    size_t i = strset_probe(s, str, len, h);
    if (s->slots[i].str)
        return;
    if ((s->count + 1) * 2 > s->cap) {
        strset_resize(s, s->cap * 2);
        i = strset_probe(s, str, len, h);
    }
    s->slots[i] = (hm_strset_slot){s->borrowed ? (char *)str : hm_xstrndup(str, len), len, h};
    s->count++;
}

bool hm_strset_has(const hm_strset *s, const char *str, size_t len)
{
    if (!s->cap)
        return false;
    uint64_t h = hm_hash_bytes(str, len, s->fold);
    return s->slots[strset_probe(s, str, len, h)].str != NULL;
}

void hm_strset_free(hm_strset *s)
{
    for (size_t i = 0; !s->borrowed && i < s->cap; i++)
        free(s->slots[i].str);
    free(s->slots);
    memset(s, 0, sizeof *s);
}

/* ---- UTF-8 ---- */

size_t hm_utf8_count(const char *s, size_t n)
{
    size_t c = 0, i = 0;
#if defined(__SSE2__)
    /* Sixteen bytes at a time: a continuation byte is below -64 as a signed
     * byte, and each lane of `cont` counts down one for each (to -255 at
     * most: summed every 255 blocks). */
    while (i + 16 <= n) {
        __m128i cont = _mm_setzero_si128();
        size_t blocks = 0;
        for (; blocks < 255 && i + 16 <= n; blocks++, i += 16) {
            __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
            cont = _mm_add_epi8(cont, _mm_cmplt_epi8(a, _mm_set1_epi8(-64)));
        }
        /* |lane| summed: the negated lanes against zero */
        __m128i sums = _mm_sad_epu8(_mm_sub_epi8(_mm_setzero_si128(), cont), _mm_setzero_si128());
        c += blocks * 16 - (size_t)_mm_cvtsi128_si32(sums) - (size_t)_mm_extract_epi16(sums, 4);
    }
#endif
    for (; i + 8 <= n; i += 8) {
        uint64_t x;
        memcpy(&x, s + i, sizeof x);
        /* bit 7 set and bit 6 clear: a continuation byte */
        uint64_t m = (x & ~(x << 1) & 0x8080808080808080ull) >> 7; /* 0 or 1 a byte */
        c += 8 - (size_t)((m * 0x0101010101010101ull) >> 56);         /* their sum */
    }
    for (; i < n; i++)
        c += ((unsigned char)s[i] & 0xC0) != 0x80;
    return c;
}

uint32_t hm_utf8_next(const char *s, size_t len, size_t *i)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t k = *i;
    uint32_t c = u[k];
    size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    if (k + n > len)
        n = 1;
    if (n == 1) {
        *i = k + 1;
        return c;
    }
    uint32_t cp = c & (0xFF >> (n + 1));
    for (size_t j = 1; j < n; j++)
        cp = (cp << 6) | (u[k + j] & 0x3F);
    *i = k + n;
    return cp;
}

void hm_utf8_put(hm_buf *b, uint32_t cp)
{
    char t[4];
    if (cp < 0x80) {
        t[0] = (char)cp;
        hm_buf_put(b, t, 1);
    } else if (cp < 0x800) {
        t[0] = (char)(0xC0 | (cp >> 6));
        t[1] = (char)(0x80 | (cp & 0x3F));
        hm_buf_put(b, t, 2);
    } else if (cp < 0x10000) {
        t[0] = (char)(0xE0 | (cp >> 12));
        t[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        t[2] = (char)(0x80 | (cp & 0x3F));
        hm_buf_put(b, t, 3);
    } else {
        t[0] = (char)(0xF0 | (cp >> 18));
        t[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        t[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        t[3] = (char)(0x80 | (cp & 0x3F));
        hm_buf_put(b, t, 4);
    }
}

bool hm_is_word_cp(uint32_t cp)
{
    if (cp < 0x80)
        return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9');
    /* Latin-1 punctuation and symbols, general punctuation, and symbols. */
    if (cp <= 0xBF || cp == 0xD7 || cp == 0xF7)
        return false;
    if (cp >= 0x2000 && cp <= 0x2BFF)
        return false;
    if (cp >= 0x3000 && cp <= 0x303F)
        return false;
    if (cp == 0xFEFF || cp == 0xFFFD)
        return false;
    return true;
}

bool hm_is_upper_cp(uint32_t cp)
{
    if (cp < 0x80)
        return cp >= 'A' && cp <= 'Z';
    /* Latin-1 and Latin Extended-A capitals; Cyrillic and Greek capitals. */
    if ((cp >= 0xC0 && cp <= 0xDE && cp != 0xD7))
        return true;
    if (cp >= 0x100 && cp <= 0x17F)
        return (cp & 1) == 0;
    if (cp >= 0x410 && cp <= 0x42F)
        return true;
    if (cp >= 0x391 && cp <= 0x3A9)
        return true;
    return false;
}

void hm_error_set(hm_error *err, hm_error_code code, const char *file, int line,
                  int column, const char *rule, const char *fmt, ...)
{
    if (!err || err->code != HM_ERR_NONE)
        return;
    err->code = code;
    snprintf(err->file, sizeof err->file, "%s", file ? file : "");
    err->line = line;
    err->column = column;
    snprintf(err->rule, sizeof err->rule, "%s", rule ? rule : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
}

char *hm_read_file(const char *path, size_t max_bytes, size_t *len, hm_error *err)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        hm_error_set(err, HM_ERR_IO, path, 0, 0, NULL, "%s", strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        hm_error_set(err, HM_ERR_IO, path, 0, 0, NULL, "%s", strerror(errno));
        close(fd);
        return NULL;
    }
    if (S_ISDIR(st.st_mode)) {
        hm_error_set(err, HM_ERR_IO, path, 0, 0, NULL, "is a directory, not a file");
        close(fd);
        return NULL;
    }
    if (!S_ISREG(st.st_mode)) {
        hm_error_set(err, HM_ERR_IO, path, 0, 0, NULL,
                     "is not a regular file (a device, socket or pipe)");
        close(fd);
        return NULL;
    }
    if (max_bytes && (unsigned long long)st.st_size > max_bytes) {
        hm_error_set(err, HM_ERR_INPUT, path, 0, 0, NULL,
                     "too large for an essay (%lld bytes; the limit is %zu, see --max-bytes)",
                     (long long)st.st_size, max_bytes);
        close(fd);
        return NULL;
    }
    /* O_NONBLOCK stays: it only kept open() from waiting on a FIFO, and a
     * local file's reads ignore it (an EAGAIN below clears it). The text is
     * read straight into a buffer of the file's size; a file that grows
     * while read is followed to its end (or to max_bytes). */
    hm_buf b = {0};
    hm_buf_reserve(&b, (size_t)st.st_size + 1); /* a byte more than fstat said is asked for */
    b.data[0] = '\0'; /* an empty file */
    for (;;) {
        if (b.cap - b.len - 1 == 0)
            hm_buf_reserve(&b, b.cap);
        ssize_t n = read(fd, b.data + b.len, b.cap - b.len - 1);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN && (fcntl(fd, F_GETFL) & O_NONBLOCK)) {
                /* a network or FUSE file system may heed O_NONBLOCK:
                 * blocking reads from here on */
                fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
                continue;
            }
            hm_error_set(err, HM_ERR_IO, path, 0, 0, NULL, "%s", strerror(errno));
            hm_buf_free(&b);
            close(fd);
            return NULL;
        }
        if (n == 0)
            break;
        b.len += (size_t)n;
        b.data[b.len] = '\0';
        /* All fstat said, and less than asked for: the end, without a
         * second read to be told so (a file that grows, or a file system
         * that reads less than it has, is read on to its end) */
        if (b.len == (size_t)st.st_size && b.len < b.cap - 1)
            break;
        if (max_bytes && b.len > max_bytes) {
            hm_error_set(err, HM_ERR_INPUT, path, 0, 0, NULL,
                         "too large for an essay (over %zu bytes, see --max-bytes)", max_bytes);
            hm_buf_free(&b);
            close(fd);
            return NULL;
        }
    }
    close(fd);
    *len = b.len;
    return hm_buf_take(&b);
}
