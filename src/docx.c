/* Word documents: the text of word/document.xml, read with libzip and parsed
 * with libxml2. Paragraphs (w:p) become blank-line separated text, w:tab a
 * tab, w:br and w:cr a line break; deleted text of tracked changes
 * (w:delText) and field codes (w:instrText) are not w:t, so they are left
 * out. Every other file is read as bytes for hm_analyze() to decode. */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <zip.h>

#include "util.h"

#define W_NS "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

/* The XML of a short essay is a few hundred KiB; a bound keeps a zip bomb
 * from filling memory before the text limit can apply. */
#define MAX_XML_BYTES ((zip_uint64_t)256 << 20)

/* libzip and libxml2 are opened on the first .docx, not linked: together
 * with what they pull in (ICU, OpenSSL's libcrypto) they cost every start
 * of histmark some 20 ms of dynamic loading, and most runs read no Word
 * file at all. The headers still give the types. */
static struct docx_api {
    bool ok;
    char error[256];
    zip_t *(*zip_open)(const char *, int, int *);
    void (*zip_discard)(zip_t *);
    void (*zip_error_init_with_code)(zip_error_t *, int);
    const char *(*zip_error_strerror)(zip_error_t *);
    void (*zip_error_fini)(zip_error_t *);
    int (*zip_stat)(zip_t *, const char *, zip_flags_t, zip_stat_t *);
    zip_file_t *(*zip_fopen)(zip_t *, const char *, zip_flags_t);
    const char *(*zip_strerror)(zip_t *);
    zip_int64_t (*zip_fread)(zip_file_t *, void *, zip_uint64_t);
    const char *(*zip_file_strerror)(zip_file_t *);
    int (*zip_fclose)(zip_file_t *);
    void (*xmlInitParser)(void);
    xmlDocPtr (*xmlReadMemory)(const char *, int, const char *, const char *, int);
    xmlNodePtr (*xmlDocGetRootElement)(const xmlDoc *);
    void (*xmlFreeDoc)(xmlDocPtr);
} api;

static pthread_once_t api_once = PTHREAD_ONCE_INIT;

static bool bind(void *lib, const char *name, void *slot)
{
    void *sym = lib ? dlsym(lib, name) : NULL;
    memcpy(slot, &sym, sizeof sym); /* object to function pointer, as POSIX allows */
    if (!sym && !api.error[0])
        snprintf(api.error, sizeof api.error, "reading Word documents needs %s, which is missing (%s)",
                 name[0] == 'z' ? "libzip (Debian: libzip4)" : "libxml2 (Debian: libxml2)", name);
    return sym != NULL;
}

/* Opens the libraries once; libxml2 must also be initialised once, before
 * threads use it. */
static void api_load(void)
{
    void *z = dlopen("libzip.so.4", RTLD_NOW | RTLD_LOCAL);
    void *x = dlopen("libxml2.so.2", RTLD_NOW | RTLD_LOCAL);
    /* Every symbol is looked up, so that the first one missing is named. */
    const struct {
        void *lib;
        const char *name;
        void *slot;
    } symbols[] = {
        {z, "zip_open", &api.zip_open},
        {z, "zip_discard", &api.zip_discard},
        {z, "zip_error_init_with_code", &api.zip_error_init_with_code},
        {z, "zip_error_strerror", &api.zip_error_strerror},
        {z, "zip_error_fini", &api.zip_error_fini},
        {z, "zip_stat", &api.zip_stat},
        {z, "zip_fopen", &api.zip_fopen},
        {z, "zip_strerror", &api.zip_strerror},
        {z, "zip_fread", &api.zip_fread},
        {z, "zip_file_strerror", &api.zip_file_strerror},
        {z, "zip_fclose", &api.zip_fclose},
        {x, "xmlInitParser", &api.xmlInitParser},
        {x, "xmlReadMemory", &api.xmlReadMemory},
        {x, "xmlDocGetRootElement", &api.xmlDocGetRootElement},
        {x, "xmlFreeDoc", &api.xmlFreeDoc},
    };
    bool ok = true;
    for (size_t k = 0; k < sizeof symbols / sizeof *symbols; k++)
        if (!bind(symbols[k].lib, symbols[k].name, symbols[k].slot))
            ok = false;
    if (ok)
        api.xmlInitParser();
    api.ok = ok;
}

static bool is_w(const xmlNode *n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && n->ns && n->ns->href && strcmp((const char *)n->ns->href, W_NS) == 0 &&
           strcmp((const char *)n->name, name) == 0;
}

/* Appends the text under n. Iterative over siblings, recursive over depth,
 * which Word keeps shallow (body, table, row, cell, paragraph, run). */
static void collect(const xmlNode *n, hm_buf *out, unsigned depth)
{
    if (depth > 256)
        return;
    for (; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (is_w(n, "t")) {
            for (const xmlNode *c = n->children; c; c = c->next)
                if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && c->content)
                    hm_buf_puts(out, (const char *)c->content);
        } else if (is_w(n, "tab")) {
            hm_buf_putc(out, '\t');
        } else if (is_w(n, "br") || is_w(n, "cr")) {
            hm_buf_putc(out, '\n');
        } else if (is_w(n, "noBreakHyphen")) {
            hm_buf_putc(out, '-');
        } else if (is_w(n, "p")) {
            size_t before = out->len;
            collect(n->children, out, depth + 1);
            if (out->len > before) {
                hm_buf_puts(out, "\n\n");
            }
        } else if (!is_w(n, "delText") && !is_w(n, "instrText")) {
            collect(n->children, out, depth + 1);
        }
    }
}

static char *read_docx(const char *path, size_t max_bytes, size_t *len, hm_error *err)
{
    pthread_once(&api_once, api_load);
    if (!api.ok) {
        hm_error_set(err, HM_ERR_INPUT, path, 0, 0, NULL, "%s", api.error);
        return NULL;
    }
    int zerr = 0;
    zip_t *z = api.zip_open(path, ZIP_RDONLY, &zerr);
    if (!z) {
        if (zerr == ZIP_ER_NOZIP || zerr == ZIP_ER_INCONS)
            hm_error_set(err, HM_ERR_INPUT, path, 0, 0, NULL, "not a Word document (.docx): it is not a zip file");
        else {
            zip_error_t ze;
            api.zip_error_init_with_code(&ze, zerr);
            hm_error_set(err, HM_ERR_IO, path, 0, 0, NULL, "%s", api.zip_error_strerror(&ze));
            api.zip_error_fini(&ze);
        }
        return NULL;
    }
    char *text = NULL;
    zip_stat_t st;
    zip_file_t *zf = NULL;
    char *xml = NULL;
    if (api.zip_stat(z, "word/document.xml", 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE)) {
        hm_error_set(err, HM_ERR_INPUT, path, 0, 0, NULL,
                     "not a Word document (.docx): the zip file has no word/document.xml");
        goto out;
    }
    if (st.size > MAX_XML_BYTES) {
        hm_error_set(err, HM_ERR_INPUT, path, 0, 0, NULL, "too large for an essay (the Word document's text is %llu bytes)",
                     (unsigned long long)st.size);
        goto out;
    }
    zf = api.zip_fopen(z, "word/document.xml", 0);
    if (!zf) {
        hm_error_set(err, HM_ERR_INPUT, path, 0, 0, NULL, "the Word document is damaged: %s", api.zip_strerror(z));
        goto out;
    }
    xml = hm_xmalloc((size_t)st.size + 1);
    zip_int64_t got = 0;
    while ((zip_uint64_t)got < st.size) {
        zip_int64_t n = api.zip_fread(zf, xml + got, st.size - (zip_uint64_t)got);
        if (n <= 0)
            break;
        got += n;
    }
    if ((zip_uint64_t)got != st.size) {
        hm_error_set(err, HM_ERR_INPUT, path, 0, 0, NULL, "the Word document is damaged: %s",
                     api.zip_file_strerror(zf));
        goto out;
    }
    /* No network, no external entities, no DTD loading. */
    xmlDoc *doc = api.xmlReadMemory(xml, (int)got, "document.xml", NULL,
                                XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!doc) {
        hm_error_set(err, HM_ERR_INPUT, path, 0, 0, NULL,
                     "the Word document is damaged: word/document.xml is not well-formed XML");
        goto out;
    }
    hm_buf b = {0};
    collect(api.xmlDocGetRootElement(doc), &b, 0);
    api.xmlFreeDoc(doc);
    while (b.len && b.data[b.len - 1] == '\n')
        b.len--;
    if (b.len)
        hm_buf_putc(&b, '\n');
    if (max_bytes && b.len > max_bytes) {
        hm_error_set(err, HM_ERR_INPUT, path, 0, 0, NULL,
                     "too large for an essay (%zu bytes of text; the limit is %zu, see --max-bytes)", b.len, max_bytes);
        hm_buf_free(&b);
        goto out;
    }
    *len = b.len;
    text = hm_buf_take(&b);
out:
    free(xml);
    if (zf)
        api.zip_fclose(zf);
    api.zip_discard(z);
    return text;
}

static bool has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

int hm_is_essay_name(const char *name)
{
    return has_suffix(name, ".txt") || has_suffix(name, ".md") || has_suffix(name, ".docx");
}

char *hm_read_input(const char *path, size_t max_bytes, size_t *len, hm_error *err)
{
    *len = 0;
    if (has_suffix(path, ".docx")) {
        /* Missing, unreadable, a folder or a device: say so as for text
         * files, in the system's words, before libzip says it its way. */
        int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        struct stat st;
        if (fd < 0 || fstat(fd, &st) != 0) {
            hm_error_set(err, HM_ERR_IO, path, 0, 0, NULL, "%s", strerror(errno));
            if (fd >= 0)
                close(fd);
            return NULL;
        }
        close(fd);
        if (!S_ISREG(st.st_mode)) {
            hm_error_set(err, HM_ERR_IO, path, 0, 0, NULL, "%s",
                         S_ISDIR(st.st_mode) ? "is a directory, not a file"
                                             : "is not a regular file (a device, socket or pipe)");
            return NULL;
        }
        return read_docx(path, max_bytes, len, err);
    }
    return hm_read_file(path, max_bytes, len, err);
}
