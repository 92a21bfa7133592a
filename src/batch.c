/* The batch runner. Three passes over the inputs, each on worker threads:
 *
 *  1. (two or more essays) read each essay and give a sample of its
 *     shingle hashes to the copy index, and all of them with its decoded
 *     text to a store for the passages, both on disk (meanwhile the
 *     configuration loads); then find the pairs that share long passages,
 *     keeping for each essay only its best partners (two numbers each),
 *     and the passage of each pair, once for both its essays;
 *  2. read, analyse and render each essay, quoting the passage it shares
 *     with each partner from the store; reports are written strictly in
 *     input order, as soon as the next one is ready, by whichever worker
 *     finds it ready after finishing its own essay;
 *  3. the summary, from a few numbers kept per essay.
 *
 * Workers fill a ring of result slots; a worker may not start essay i until
 * essay i - RING has been written, so however large the batch, at most
 * RING results are held at once. The config is shared read-only. */
#define _POSIX_C_SOURCE 200809L
#include "batch.h"

#include <errno.h>
#include <fcntl.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "copy.h"
#include "summary.h"
#include "util.h"

/* Each essay names at most this many others it shares text with. */
#define MAX_COPY_WARNINGS 3
/* The longest passage quoted, in bytes. */
#define PASSAGE_BYTES 160

/* An essay this one shares text with. */
typedef struct copy_note {
    uint32_t other;
    float share;
    bool self_smaller;       /* the passage is quoted from this essay */
    uint32_t from, words;    /* the passage in the smaller essay's words (0 words:
                              * none), found once for the pair by the copy pass */
} copy_note;

typedef struct slot {
    bool ready;
    bool analysed;           /* a report (or HTML page) was made, perhaps not written */
    hm_summary_entry *entry; /* what the summary needs of the result */
    hm_buf header, report;   /* header: what goes first if this is the first report */
    char *error;
    char *passages[MAX_COPY_WARNINGS]; /* one per copy note, for the summary */
} slot;

/* The configuration, loaded on a thread of its own while the copy pass
 * reads and shingles the essays (which need none of it): the load is a few
 * milliseconds of one core, which a batch would otherwise spend waiting. */
typedef struct config_load {
    const batch_config *from;
    hm_config *cfg;
    hm_error err;
    pthread_t thread;
    bool on_thread;          /* a thread was started, and not yet joined */
    atomic_bool done;        /* set by the thread last: cfg or err is final */
} config_load;

typedef struct batch {
    const hm_config *cfg;    /* NULL until loaded */
    config_load load;
    bool hold_errors;        /* input errors wait in held_errors until the
                              * configuration is known to load */
    hm_buf held_errors;
    const batch_options *o;
    hm_names paths;
    hm_names pages;         /* HTML folder: "essays/NAME.html" of each input */
    size_t n;
    char *stdin_bytes;       /* "-" is read once, for both passes */
    size_t stdin_len;
    char *stdin_error;
    bool html_dir;
    mode_t file_mode;

    /* copy check: essay i's notes are note[note_first[i] .. note_first[i + 1]) */
    hm_copy *copy;
    hm_shingle_store *shingles; /* each essay's shingles, for the passages */
    uint32_t *note_first;
    copy_note *note;
    hm_summary *summary;     /* NULL without --summary or an HTML folder */

    /* workers */
    pthread_mutex_t lock;
    atomic_size_t lanes;     /* the shingle store's lanes taken by the copy pass's threads */
    pthread_cond_t space;
    size_t next, done, written, ring;
    slot *slots;
    hm_buf *spare;           /* report buffers written, kept for the next
                              * reports: one a worker, and one more */
    size_t n_spare, max_spare;
    bool stop;
    bool writing;            /* a worker is writing reports (see analyse_worker) */
    struct sink *sink;       /* where the reports go */
    size_t reported;         /* reports written */
    hm_buf write_name, write_other; /* the writer's scratch names */

    /* progress */
    bool progress;
    struct timespec start, last;
    const char *stage;

    int status;
} batch;

/* ---- small helpers ---- */

static double seconds_since(const struct timespec *t)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

static void progress_clear(batch *b)
{
    if (b->progress)
        fputs("\r\x1b[K", stderr);
}

/* done/total, essays a second and time left, at most ten times a second. */
static void progress_show(batch *b, size_t done, size_t total, bool force)
{
    if (!b->progress || (!force && seconds_since(&b->last) < 0.1))
        return;
    clock_gettime(CLOCK_MONOTONIC, &b->last);
    double t = seconds_since(&b->start), rate = t > 0 ? (double)done / t : 0;
    fprintf(stderr, "\r\x1b[Khistmark: %s %zu/%zu", b->stage, done, total);
    if (done && rate > 0) {
        double left = (double)(total - done) / rate;
        fprintf(stderr, ", %.1f essays/s, %d:%02d left", rate, (int)left / 60, (int)left % 60);
    }
    fflush(stderr);
}

static void report_error(batch *b, const char *path, const char *message)
{
    b->status = HM_EXIT_INPUT;
    if (b->hold_errors) {
        hm_buf_printf(&b->held_errors, "histmark: %s: %s\n", path, message);
        return;
    }
    progress_clear(b);
    fprintf(stderr, "histmark: %s: %s\n", path, message);
}

/* ---- the configuration ---- */

static void *load_config(void *arg)
{
    config_load *l = arg;
    l->cfg = l->from->load(l->from->ud, &l->err);
    atomic_store(&l->done, true);
    return NULL;
}

/* Starts loading the configuration on a thread (or loads it here if no
 * thread can be started). */
static void config_start(batch *b)
{
    b->load.on_thread = pthread_create(&b->load.thread, NULL, load_config, &b->load) == 0;
    if (!b->load.on_thread)
        load_config(&b->load);
}

/* Waits for the configuration (loading it here if it was not started):
 * false, with the error reported, when it cannot be loaded. As before the
 * batch loaded it first, a configuration error is then all that is said;
 * otherwise the input errors held meanwhile are said now. */
static bool config_wait(batch *b)
{
    if (b->cfg)
        return true;
    if (b->load.on_thread) {
        pthread_join(b->load.thread, NULL);
        b->load.on_thread = false;
    } else if (!atomic_load(&b->load.done)) {
        load_config(&b->load);
    }
    if (!b->load.cfg) {
        b->load.from->report(&b->load.err);
        return false;
    }
    b->cfg = b->load.cfg;
    b->hold_errors = false;
    if (b->held_errors.len)
        fputs(b->held_errors.data, stderr);
    hm_buf_free(&b->held_errors);
    return true;
}

/* An input's path, its page and the name reports give it, rebuilt in a
 * buffer of the caller's. */
static const char *input_path(const batch *b, size_t i, hm_buf *buf)
{
    return hm_names_get(&b->paths, i, buf);
}

static const char *input_page(const batch *b, size_t i, hm_buf *buf)
{
    return b->pages.n ? hm_names_get(&b->pages, i, buf) : NULL;
}

static void add_input(batch *b, const char *path)
{
    hm_names_add(&b->paths, path, strlen(path));
    b->n++;
}

typedef struct walk_ctx {
    batch *b;
    size_t found;
} walk_ctx;

static int on_walk(const char *path, const char *error, void *ud)
{
    walk_ctx *w = ud;
    if (error)
        report_error(w->b, path, error);
    else {
        add_input(w->b, path);
        w->found++;
    }
    return 0;
}

/* The name reports give an input: "-" may be named by --stdin-filename. */
static const char *display_name(const batch *b, size_t i, hm_buf *buf)
{
    const char *path = input_path(b, i, buf);
    return strcmp(path, "-") == 0 && b->o->stdin_name ? b->o->stdin_name : path;
}

/* Reads an input's bytes; "-" from the copy read at the start. */
static char *input_bytes(batch *b, size_t i, size_t *len, hm_error *e)
{
    hm_buf buf = {0};
    const char *path = input_path(b, i, &buf);
    char *bytes;
    if (strcmp(path, "-") != 0)
        bytes = hm_read_input(path, b->o->max_bytes, len, e);
    else if (b->stdin_error) {
        hm_error_set(e, HM_ERR_INPUT, "-", 0, 0, NULL, "%s", b->stdin_error);
        bytes = NULL;
    } else {
        *len = b->stdin_len;
        bytes = hm_xstrndup(b->stdin_bytes, b->stdin_len);
    }
    hm_buf_free(&buf);
    return bytes;
}

static void read_stdin(batch *b)
{
    hm_buf buf = {0};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, stdin)) > 0) {
        hm_buf_put(&buf, chunk, n);
        if (buf.len > b->o->max_bytes) {
            hm_buf err = {0};
            hm_buf_printf(&err, "too large for an essay (over %zu bytes, see --max-bytes)", b->o->max_bytes);
            b->stdin_error = hm_buf_take(&err);
            hm_buf_free(&buf);
            return;
        }
    }
    if (ferror(stdin)) {
        b->stdin_error = hm_xstrdup("reading standard input failed");
        hm_buf_free(&buf);
        return;
    }
    b->stdin_len = buf.len;
    b->stdin_bytes = hm_buf_take(&buf);
}

/* Writes data to path through a temporary file beside it and a rename, so
 * a reader never sees half a file and a failure leaves the old one. */
static bool write_atomic(const char *path, const char *data, size_t len, mode_t mode, hm_buf *why)
{
    size_t n = strlen(path);
    char *tmp = hm_xmalloc(n + 16);
    snprintf(tmp, n + 16, "%s.tmp.XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        hm_buf_printf(why, "cannot write %s: %s", path, strerror(errno));
        free(tmp);
        return false;
    }
    bool ok = fchmod(fd, mode) == 0;
    size_t off = 0;
    while (ok && off < len) {
        ssize_t w = write(fd, data + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        ok = w > 0;
        off += w > 0 ? (size_t)w : 0;
    }
    ok = ok && fsync(fd) == 0;
    int saved = errno;
    if (close(fd) != 0 && ok)
        ok = false, saved = errno;
    if (ok && rename(tmp, path) != 0)
        ok = false, saved = errno;
    if (!ok) {
        hm_buf_printf(why, "cannot write %s: %s", path, strerror(saved));
        unlink(tmp);
    }
    free(tmp);
    return ok;
}

/* mkdir -p */
static bool make_dirs(const char *path, hm_buf *why)
{
    char *p = hm_xstrdup(path);
    bool ok = true;
    for (char *s = p + 1; ok; s++) {
        bool end = *s == '\0';
        if (*s == '/' || end) {
            *s = '\0';
            struct stat st;
            if (mkdir(p, 0777) != 0 && !(errno == EEXIST && stat(p, &st) == 0 && S_ISDIR(st.st_mode))) {
                hm_buf_printf(why, "cannot create the folder %s: %s", p,
                              errno == EEXIST ? "a file of that name is in the way" : strerror(errno));
                ok = false;
            }
            if (end)
                break;
            *s = '/';
        }
    }
    free(p);
    return ok;
}

/* essays/NAME.html from the path below the folder walked (or the file's
 * own name), in characters safe in a URL and on every file system; a
 * clash (case-insensitive, for Windows and macOS) gets a number. */
static void name_pages(batch *b, const size_t *root_len)
{
    hm_strset used;
    hm_strset_init(&used, true);
    hm_buf path = {0};
    for (size_t i = 0; i < b->n; i++) {
        const char *rel = input_path(b, i, &path) + root_len[i];
        while (*rel == '/')
            rel++;
        if (strcmp(path.data, "-") == 0)
            rel = "stdin";
        hm_buf name = {0};
        const char *dot = strrchr(rel, '.');
        const char *slash = strrchr(rel, '/');
        size_t n = dot && dot > rel && (!slash || dot > slash) ? (size_t)(dot - rel) : strlen(rel);
        for (size_t k = 0; k < n && name.len < 100; k++) {
            char c = rel[k];
            bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                        c == '_' || (c == '.' && name.len);
            hm_buf_putc(&name, safe ? c : '-');
        }
        if (!name.len)
            hm_buf_puts(&name, "essay");
        hm_buf page = {0};
        hm_buf_printf(&page, "essays/%s.html", name.data);
        for (unsigned k = 2; hm_strset_has(&used, page.data, page.len); k++) {
            page.len = 0;
            hm_buf_printf(&page, "essays/%s-%u.html", name.data, k);
        }
        hm_strset_add(&used, page.data, page.len);
        hm_names_add(&b->pages, page.data, page.len);
        hm_buf_free(&page);
        hm_buf_free(&name);
    }
    hm_buf_free(&path);
    hm_strset_free(&used);
}

static unsigned online_cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (unsigned)n : 1;
}

/* ---- pass 1: shingles, then pairs ---- */

/* The next essay of a pass for a worker to take; false when none is left. */
static bool take_essay(batch *b, size_t *i)
{
    pthread_mutex_lock(&b->lock);
    *i = b->next++;
    pthread_mutex_unlock(&b->lock);
    return *i < b->n;
}

/* The copy pass's progress line, from the worker that read an essay (with
 * b->lock held). No line while the configuration may still fail: its error
 * would be all that is said. */
static void copy_progress(batch *b)
{
    if (!b->cfg && atomic_load(&b->load.done) && b->load.cfg)
        config_wait(b);
    if (b->cfg)
        progress_show(b, b->done, b->n, false);
}

static void *shingle_worker(void *arg)
{
    batch *b = arg;
    size_t lane = atomic_fetch_add(&b->lanes, 1); /* the store's lane this thread puts to */
    for (size_t i; take_essay(b, &i);) {
        hm_error e = {0};
        size_t len = 0;
        char *bytes = input_bytes(b, i, &len, &e);
        /* An unreadable essay is reported once, by pass 2. */
        hm_copy_text *t = NULL;
        hm_shingles *s = bytes ? hm_shingles_make_text(bytes, len, &t) : NULL;
        free(bytes);
        if (t)
            hm_shingle_store_put(b->shingles, lane, i, t); /* to a file, for the passages */
        hm_copy_set_lane(b->copy, lane, i, s); /* to the index's files: nothing is held */
        pthread_mutex_lock(&b->lock);
        b->done++;
        if (b->progress)
            copy_progress(b);
        pthread_mutex_unlock(&b->lock);
        hm_copy_text_free(t);
    }
    return NULL;
}

static void start_workers(batch *b, pthread_t *t, unsigned jobs, void *(*fn)(void *))
{
    for (unsigned k = 0; k < jobs; k++)
        if (pthread_create(&t[k], NULL, fn, b) != 0) {
            fprintf(stderr, "histmark: cannot start a thread: %s\n", strerror(errno));
            abort();
        }
}

/* Runs fn on `jobs` threads, this one among them (a thread started per job
 * would leave this one waiting: one more thread's start, stack and wake-ups
 * a pass), and returns when all have finished. */
static void run_workers(batch *b, unsigned jobs, void *(*fn)(void *))
{
    pthread_t *t = hm_xcalloc(jobs, sizeof *t);
    start_workers(b, t, jobs - 1, fn);
    fn(b);
    for (unsigned k = 0; k + 1 < jobs; k++)
        pthread_join(t[k], NULL);
    free(t);
}

/* Each essay's notes: the pairs come best first, and every pair the index
 * keeps is among the MAX_COPY_WARNINGS best of one of its essays. */
static void make_notes(batch *b, const hm_copy_pair *pairs, size_t n_pairs)
{
    if (!n_pairs)
        return; /* no notes: nothing kept an essay */
    uint32_t *count = hm_xcalloc(b->n + 1, sizeof *count);
    for (size_t p = 0; p < n_pairs; p++) {
        count[pairs[p].a] += count[pairs[p].a] < MAX_COPY_WARNINGS;
        count[pairs[p].b] += count[pairs[p].b] < MAX_COPY_WARNINGS;
    }
    b->note_first = hm_xcalloc(b->n + 1, sizeof *b->note_first);
    for (size_t i = 0; i < b->n; i++)
        b->note_first[i + 1] = b->note_first[i] + count[i];
    b->note = hm_xmalloc((b->note_first[b->n] + 1) * sizeof *b->note);
    memset(count, 0, (b->n + 1) * sizeof *count);
    for (size_t p = 0; p < n_pairs; p++) {
        const hm_copy_pair *pr = &pairs[p];
        size_t ends[2] = {pr->a, pr->b};
        for (int k = 0; k < 2; k++) {
            size_t self = ends[k];
            if (count[self] < MAX_COPY_WARNINGS)
                b->note[b->note_first[self] + count[self]++] =
                    (copy_note){(uint32_t)ends[1 - k], (float)pr->share, pr->from_essay == self, 0, 0};
        }
    }
    free(count);
}

static size_t notes_of(const batch *b, size_t i, const copy_note **notes)
{
    if (!b->note_first)
        return 0;
    *notes = &b->note[b->note_first[i]];
    return b->note_first[i + 1] - b->note_first[i];
}

/* A pair goes to the summary from the first of its essays that notes it. */
static bool lists_pair(const batch *b, size_t i, size_t other)
{
    if (i < other)
        return true;
    const copy_note *notes;
    size_t n = notes_of(b, other, &notes);
    for (size_t k = 0; k < n; k++)
        if (notes[k].other == i)
            return false;
    return true;
}

/* The passage of each noted pair, found once for both its essays: by the
 * first of them that notes it (as the summary lists it), written to its
 * note and its partner's. The pairs of an essay are taken together, so that
 * the larger essay's set of shingles is made once for them all. */
static void *passage_worker(void *arg)
{
    batch *b = arg;
    for (size_t i; take_essay(b, &i);) {
        copy_note *notes = &b->note[b->note_first[i]];
        size_t n = b->note_first[i + 1] - b->note_first[i];
        hm_copy_text *self = NULL;
        for (size_t k = 0; k < n; k++) {
            size_t j = notes[k].other;
            if (!lists_pair(b, i, j))
                continue;
            if (!self)
                self = hm_copy_text_stored(b->shingles, i);
            hm_copy_text *other = hm_copy_text_stored(b->shingles, j);
            size_t from, words;
            bool found = notes[k].self_smaller ? hm_copy_text_shared_run(self, other, &from, &words)
                                               : hm_copy_text_shared_run(other, self, &from, &words);
            hm_copy_text_free(other);
            /* a run past 2^32 words (a 32 GB essay) is not quoted */
            if (!found || from > UINT32_MAX || words > UINT32_MAX)
                from = words = 0;
            notes[k].from = (uint32_t)from;
            notes[k].words = (uint32_t)words;
            copy_note *twin = &b->note[b->note_first[j]];
            for (size_t t = 0; t < b->note_first[j + 1] - b->note_first[j]; t++)
                if (twin[t].other == i) {
                    twin[t].from = (uint32_t)from;
                    twin[t].words = (uint32_t)words;
                }
        }
        hm_copy_text_free(self);
    }
    return NULL;
}

static void copy_pass(batch *b, unsigned jobs)
{
    b->copy = hm_copy_new_lanes(b->n, jobs);
    b->shingles = hm_shingle_store_new(b->n, jobs);
    b->next = b->done = 0;
    b->stage = "reading for the copy check";
    clock_gettime(CLOCK_MONOTONIC, &b->start);
    run_workers(b, jobs, shingle_worker);

    const hm_copy_pair *pairs;
    size_t n_pairs = hm_copy_find_last(b->copy, b->o->copy_threshold, MAX_COPY_WARNINGS, jobs, &pairs);
    make_notes(b, pairs, n_pairs);
    hm_copy_free(b->copy);
    b->copy = NULL;
    if (b->note_first) {
        b->next = 0;
        run_workers(b, jobs, passage_worker);
    }
}

/* ---- pass 2: analyse, render, write in order ---- */

static int write_buf(const char *data, size_t len, void *ud)
{
    hm_buf_put(ud, data, len);
    return 0;
}

/* The passage an essay shares with a partner: the longest shared stretch
 * (the copy pass found it), quoted from the smaller essay of the two as
 * the shingle store keeps its text. */
static char *shared_passage(batch *b, size_t i, const copy_note *cn)
{
    char *passage = cn->words ? hm_shingle_store_quote(b->shingles, cn->self_smaller ? i : cn->other, cn->from,
                                                       cn->words, PASSAGE_BYTES)
                              : NULL;
    return passage ? passage : hm_xstrdup("");
}

/* The warning each essay gets for each essay it shares text with. */
static void add_copy_warnings(batch *b, size_t i, hm_result *r, char *const *passages)
{
    const copy_note *notes;
    size_t n = notes_of(b, i, &notes);
    hm_buf name = {0};
    for (size_t k = 0; k < n; k++) {
        hm_buf msg = {0};
        hm_buf_printf(&msg, "%.0f%% of the shorter essay's text is also in %s, such as \"%s\"",
                      notes[k].share * 100, display_name(b, notes[k].other, &name), passages[k]);
        hm_result_add_warning(r, "possible-copy", msg.data);
        hm_buf_free(&msg);
    }
    hm_buf_free(&name);
}

static void analyse_one(batch *b, size_t i, slot *out)
{
    const batch_options *o = b->o;
    hm_error e = {0};
    size_t len = 0;
    /* The bytes the copy pass read, when the shingle store holds them;
     * else the file is read again. */
    char *bytes = NULL;
    const char *held = hm_shingle_store_bytes(b->shingles, i, &len, &bytes);
    if (!held)
        bytes = input_bytes(b, i, &len, &e);
    hm_result *r = NULL;
    if (held || bytes) {
        hm_buf name = {0};
        hm_analyze_options ao = {HM_ANALYZE_OPTIONS_VERSION, display_name(b, i, &name), o->question, o->max_bytes};
        r = hm_analyze(b->cfg, held ? held : bytes, len, &ao, &e);
        hm_buf_free(&name);
    }
    if (r) {
        const copy_note *notes;
        size_t n = notes_of(b, i, &notes);
        for (size_t k = 0; k < n; k++)
            out->passages[k] = shared_passage(b, i, &notes[k]);
    }
    free(bytes);
    if (!r) {
        out->error = hm_xstrdup(e.message[0] ? e.message : "cannot be analysed");
        return;
    }
    add_copy_warnings(b, i, r, out->passages);
    if (b->html_dir) {
        /* Pages are written by the workers, in parallel, each atomically. */
        hm_buf page = {0}, path = {0}, why = {0}, name = {0};
        hm_render_html(r, HM_RENDER_HTML_INDEX_LINK, write_buf, &page);
        hm_buf_printf(&path, "%s/%s", o->output, input_page(b, i, &name));
        hm_buf_free(&name);
        if (!write_atomic(path.data, page.data, page.len, b->file_mode, &why))
            out->error = hm_buf_take(&why);
        hm_buf_free(&page);
        hm_buf_free(&path);
        hm_buf_free(&why);
    } else {
        if (o->header)
            o->header(r, write_buf, &out->header);
        if (o->render_buf)
            o->render_buf(r, &out->report); /* into the slot, not copied there */
        else
            o->render(r, o->render_flags, write_buf, &out->report);
    }
    out->analysed = true;
    /* The slot holds the report's text and what the summary needs while
     * it waits its turn, not the result. */
    if (b->summary)
        out->entry = hm_summary_entry_make(r);
    hm_result_free(r);
}

static void slot_free(slot *s)
{
    hm_summary_entry_free(s->entry);
    hm_buf_free(&s->header);
    hm_buf_free(&s->report);
    free(s->error);
    for (int k = 0; k < MAX_COPY_WARNINGS; k++)
        free(s->passages[k]);
}

typedef struct sink {
    FILE *f;
    const char *path;   /* -o, or NULL for stdout */
    char *tmp;          /* NULL when path is written directly */
    bool failed;
} sink;

/* Opens stdout, or a temporary file beside `path` that sink_close renames.
 * A path that is a device, pipe or socket (-o /dev/null, -o /dev/stdout) is
 * written directly: a rename would put a plain file in its place. */
static bool sink_open(batch *b, sink *k, const char *path)
{
    memset(k, 0, sizeof *k);
    k->f = stdout;
    if (!path) {
        /* Reports are some 30 KB: through stdio's 4 KB buffer each took two
         * write(2)s; with 64 KB (a pipe's capacity) one write(2) carries
         * about two reports. One report has none to share a write with (and
         * a cold start would fault in the buffer); a terminal keeps its line
         * buffering. setvbuf is valid only before stdout's first output,
         * so once a process. */
        static char out_buf[64 * 1024];
        static bool out_buf_set;
        if (!out_buf_set && b->n > 1 && !isatty(STDOUT_FILENO)) {
            out_buf_set = true;
            setvbuf(stdout, out_buf, _IOFBF, sizeof out_buf);
        }
        return true;
    }
    k->path = path;
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
        k->f = fopen(path, "w");
        if (!k->f) {
            fprintf(stderr, "histmark: %s: cannot write the report: %s\n", path, strerror(errno));
            return false;
        }
        return true;
    }
    size_t n = strlen(k->path);
    k->tmp = hm_xmalloc(n + 16);
    snprintf(k->tmp, n + 16, "%s.tmp.XXXXXX", k->path);
    int fd = mkstemp(k->tmp);
    if (fd >= 0)
        fchmod(fd, b->file_mode);
    k->f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!k->f) {
        fprintf(stderr, "histmark: %s: cannot write %s: %s\n", k->path, b->html_dir ? "the overview" : "the report",
                strerror(errno));
        if (fd >= 0) {
            close(fd);
            unlink(k->tmp);
        }
        free(k->tmp);
        k->tmp = NULL;
        return false;
    }
    return true;
}

static void sink_write(batch *b, sink *k, const char *data, size_t len)
{
    if (k->failed || !len)
        return;
    if (fwrite(data, 1, len, k->f) != len) {
        progress_clear(b);
        fprintf(stderr, "histmark: %s%swriting the report failed: %s\n", k->path ? k->path : "",
                k->path ? ": " : "", strerror(errno));
        k->failed = true;
        b->status = HM_EXIT_INPUT;
    }
}

typedef struct sink_ctx {
    batch *b;
    sink *k;
} sink_ctx;

static int to_sink(const char *data, size_t len, void *ud)
{
    sink_ctx *sc = ud;
    sink_write(sc->b, sc->k, data, len);
    return sc->k->failed ? -1 : 0;
}

/* Stdout is flushed; a file is synced and renamed into place, or removed. */
static void sink_close(batch *b, sink *k)
{
    if (!k->path) {
        if (!k->failed && (fflush(stdout) != 0 || ferror(stdout))) {
            fprintf(stderr, "histmark: writing the report failed: %s\n", strerror(errno));
            b->status = HM_EXIT_INPUT;
        }
        return;
    }
    bool ok = !k->failed && fflush(k->f) == 0 && (!k->tmp || fsync(fileno(k->f)) == 0);
    int saved = errno;
    if (fclose(k->f) != 0 && ok)
        ok = false, saved = errno;
    if (ok && k->tmp && rename(k->tmp, k->path) != 0)
        ok = false, saved = errno;
    if (!ok) {
        if (!k->failed)
            fprintf(stderr, "histmark: %s: writing the report failed: %s\n", k->path, strerror(saved));
        if (k->tmp)
            unlink(k->tmp);
        b->status = HM_EXIT_INPUT;
    }
    free(k->tmp);
}

/* Writes essay i's report (its slot, taken from the ring), its errors and
 * its summary entry. One worker at a time does this, in input order (see
 * analyse_worker), so the sink, the summary and the progress line need no
 * lock of their own. */
static void write_one(batch *b, size_t i, slot *s)
{
    const batch_options *o = b->o;
    sink *k = b->sink;
    hm_buf *name = &b->write_name, *other = &b->write_other;
    if (s->error) {
        report_error(b, input_path(b, i, name), s->error);
        if (b->summary && !s->analysed)
            hm_summary_add_failure(b->summary, name->data, s->error);
    }
    if (s->analysed && !k->failed) {
        if (!b->html_dir) {
            progress_clear(b);
            if (b->reported == 0)
                sink_write(b, k, s->header.data, s->header.len);
            else
                sink_write(b, k, o->separator, strlen(o->separator));
            sink_write(b, k, s->report.data, s->report.len);
            /* Keep a terminal current; a file or pipe is flushed by stdio. */
            if (b->progress)
                fflush(k->f);
        }
        b->reported++;
        if (b->summary) {
            hm_summary_add_entry(b->summary, s->entry, input_page(b, i, name));
            s->entry = NULL;
            const copy_note *notes;
            size_t n = notes_of(b, i, &notes);
            for (size_t c = 0; c < n; c++) {
                size_t j = notes[c].other;
                if (!lists_pair(b, i, j))
                    continue;
                const char *self_name = display_name(b, i, name), *other_name = display_name(b, j, other);
                hm_summary_add_copy(b->summary, i < j ? self_name : other_name, i < j ? other_name : self_name,
                                    notes[c].share, s->passages[c]);
            }
        }
    }
    progress_show(b, i + 1, b->n, i + 1 == b->n);
}

/* A written report's buffer goes back to the workers, emptied (with
 * b->lock held): a report is some 30 KB, and one made afresh was
 * allocated, faulted in page by page as it was written, and freed. */
static void keep_report_buffer(batch *b, hm_buf *report)
{
    if (b->n_spare < b->max_spare && report->data) {
        report->len = 0;
        report->data[0] = '\0';
        b->spare[b->n_spare++] = *report;
        *report = (hm_buf){0};
    }
}

/* Takes essays in input order and analyses them. The worker whose essay
 * is the next to be written writes it, and every one after it that is
 * ready, while the others go on analysing: no thread waits to write, so
 * -j N keeps N cores busy, and a report is never handed to a thread that
 * must first be woken (at -j 2 that was a context switch an essay, taken
 * from a worker's core). */
static void *analyse_worker(void *arg)
{
    batch *b = arg;
    pthread_mutex_lock(&b->lock);
    for (;;) {
        while (!b->stop && b->next < b->n && b->next >= b->written + b->ring)
            pthread_cond_wait(&b->space, &b->lock);
        if (b->stop || b->next >= b->n)
            break;
        size_t i = b->next++;
        slot s = {0};
        if (b->n_spare)
            s.report = b->spare[--b->n_spare];
        pthread_mutex_unlock(&b->lock);

        analyse_one(b, i, &s);

        pthread_mutex_lock(&b->lock);
        s.ready = true;
        b->slots[i % b->ring] = s;
        if (b->writing)
            continue; /* the worker writing will come to it */
        b->writing = true;
        while (!b->stop && b->slots[b->written % b->ring].ready) {
            size_t w = b->written;
            slot out = b->slots[w % b->ring];
            b->slots[w % b->ring] = (slot){0};
            pthread_mutex_unlock(&b->lock);

            write_one(b, w, &out);

            hm_buf report = out.report;
            out.report = (hm_buf){0};
            slot_free(&out);
            pthread_mutex_lock(&b->lock);
            keep_report_buffer(b, &report);
            hm_buf_free(&report); /* when there was no room for it */
            b->written = w + 1;
            /* After a write error the workers stop taking essays. */
            if (b->sink->failed)
                b->stop = true;
            pthread_cond_broadcast(&b->space);
        }
        b->writing = false;
    }
    pthread_mutex_unlock(&b->lock);
    return NULL;
}

static void analyse_pass(batch *b, unsigned jobs, sink *k)
{
    b->ring = (size_t)jobs * 4;
    b->slots = hm_xcalloc(b->ring, sizeof *b->slots);
    b->max_spare = (size_t)jobs + 1;
    b->spare = hm_xcalloc(b->max_spare, sizeof *b->spare);
    b->next = b->done = b->written = b->reported = 0;
    b->sink = k;
    b->stage = "marking";
    clock_gettime(CLOCK_MONOTONIC, &b->start);
    run_workers(b, jobs, analyse_worker);

    /* After a write error, what was analysed but not written is freed. */
    for (size_t j = 0; j < b->ring; j++)
        slot_free(&b->slots[j]);
    free(b->slots);
    b->slots = NULL;
    for (size_t j = 0; j < b->n_spare; j++)
        hm_buf_free(&b->spare[j]);
    free(b->spare);
    b->spare = NULL;
    b->n_spare = 0;
    hm_buf_free(&b->write_name);
    hm_buf_free(&b->write_other);
    b->sink = NULL;
}

/* ---- the whole batch ---- */

static void batch_free(batch *b)
{
    if (b->load.on_thread)
        pthread_join(b->load.thread, NULL);
    hm_config_free(b->load.cfg);
    hm_buf_free(&b->held_errors);
    hm_names_free(&b->paths);
    hm_names_free(&b->pages);
    free(b->stdin_bytes);
    free(b->stdin_error);
    hm_copy_free(b->copy);
    hm_shingle_store_free(b->shingles);
    free(b->note_first);
    free(b->note);
    hm_summary_free(b->summary);
    hm_temp_fds_close(); /* the files the spills above gave back */
    pthread_mutex_destroy(&b->lock);
    pthread_cond_destroy(&b->space);
}

int batch_run(const batch_config *config, const batch_options *o, char *const *args, int n_args)
{
#ifdef __GLIBC__
    /* glibc raises its mmap threshold each time a large block is freed, so
     * later large buffers (index slices, reports) come from the heap and
     * stay there as holes: resident memory then creeps up with the batch
     * (10,000 essays: +12% over 1,000; with this, +4%). A fixed threshold
     * gives each large buffer back when it is freed. */
    mallopt(M_MMAP_THRESHOLD, 128 * 1024);
#endif
    batch b = {0};
    hm_temp_fds_keep(); /* the copy check's spills reuse their files (batch_free closes them) */
    b.load.from = config;
    b.hold_errors = true;
    b.o = o;
    pthread_mutex_init(&b.lock, NULL);
    pthread_cond_init(&b.space, NULL);
    mode_t mask = umask(0);
    umask(mask);
    b.file_mode = 0666 & ~mask;
    bool is_html = strcmp(o->format, "html") == 0, is_json = strcmp(o->format, "json") == 0;

    /* With a copy pass to run first (two or more inputs, or a folder), and
     * no folder of pages to make (which a configuration error must find not
     * made), the configuration loads on its own thread from here, while the
     * inputs are listed and shingled; else here, before they are listed (a
     * cold start's heap is then laid out as it was before the batch listed
     * its inputs first: one essay took two more brk calls and 24 more page
     * faults). An input error found meanwhile waits for it either way. */
    struct stat only;
    bool copy_check = o->copy_threshold > 0 && !is_html;
    if (copy_check && (n_args >= 2 || (n_args == 1 && strcmp(args[0], "-") != 0 && stat(args[0], &only) == 0 &&
                                       S_ISDIR(only.st_mode)))) {
        config_start(&b);
    } else if (!config_wait(&b)) {
        batch_free(&b);
        return HM_EXIT_CONFIG;
    }

    /* Folders become their essays, in walk order, where they stand among
     * the arguments. */
    bool any_dir = false, any_stdin = false;
    size_t *root_len = NULL, cap_root = 0, n_root = 0;
    for (int a = 0; a < n_args; a++) {
        struct stat st;
        size_t before = b.n;
        bool dir = strcmp(args[a], "-") != 0 && stat(args[a], &st) == 0 && S_ISDIR(st.st_mode);
        if (dir) {
            any_dir = true;
            walk_ctx w = {&b, 0};
            hm_walk(args[a], on_walk, &w);
            if (!w.found)
                report_error(&b, args[a], "no essays found in this folder (.txt, .md or .docx)");
        } else {
            any_stdin |= strcmp(args[a], "-") == 0;
            add_input(&b, args[a]);
        }
        /* A walked essay's page is named from its path inside the folder,
         * a file named directly from its base name. */
        for (size_t i = before; i < b.n; i++) {
            const char *base = strrchr(args[a], '/');
            HM_GROW(root_len, n_root, cap_root);
            root_len[n_root++] = dir ? strlen(args[a]) : base ? (size_t)(base - args[a] + 1) : 0;
        }
    }
    /* Without a copy pass (an empty folder may leave one essay), the
     * configuration started above is waited for now. */
    if (!(b.n >= 2 && copy_check) && !config_wait(&b)) {
        free(root_len);
        batch_free(&b);
        return HM_EXIT_CONFIG;
    }
    bool several = any_dir || b.n > 1;
    struct stat ost;
    b.html_dir = is_html && o->output && (several || (stat(o->output, &ost) == 0 && S_ISDIR(ost.st_mode)));
    if (is_html && several && !o->output) {
        fputs("histmark: --format html with several essays or a folder writes a folder of pages: "
              "name it with -o DIR\n", stderr);
        free(root_len);
        batch_free(&b);
        return HM_EXIT_CONFIG;
    }
    if (b.html_dir) {
        hm_buf why = {0}, essays = {0};
        hm_buf_printf(&essays, "%s/essays", o->output);
        bool ok = make_dirs(essays.data, &why);
        hm_buf_free(&essays);
        if (!ok) {
            fprintf(stderr, "histmark: %s: %s\n", o->output, why.data);
            hm_buf_free(&why);
            free(root_len);
            batch_free(&b);
            return HM_EXIT_INPUT;
        }
        name_pages(&b, root_len);
    }
    free(root_len);
    if (o->summary || b.html_dir)
        b.summary = hm_summary_new();
    if (any_stdin)
        read_stdin(&b);

    unsigned jobs = o->jobs ? o->jobs : online_cores();
    if (jobs > b.n)
        jobs = b.n ? (unsigned)b.n : 1;
    b.progress = !o->quiet && isatty(STDERR_FILENO);
    clock_gettime(CLOCK_MONOTONIC, &b.last);

    if (b.n >= 2 && o->copy_threshold > 0)
        copy_pass(&b, jobs);
    if (!config_wait(&b)) {
        batch_free(&b);
        return HM_EXIT_CONFIG;
    }
    sink k;
    if (!sink_open(&b, &k, b.html_dir ? NULL : o->output)) {
        batch_free(&b);
        return HM_EXIT_INPUT;
    }
    if (b.n)
        analyse_pass(&b, jobs, &k);
    progress_clear(&b);

    /* The summary is written as it is rendered: for a large class it is
     * megabytes. */
    if (b.summary && !k.failed) {
        sink_ctx sc = {&b, &k};
        if (b.html_dir) {
            hm_buf path = {0};
            hm_buf_printf(&path, "%s/index.html", o->output);
            sink index;
            if (sink_open(&b, &index, path.data)) {
                sink_ctx ic = {&b, &index};
                hm_summary_render_html(b.summary, to_sink, &ic);
                int before = b.status;
                b.status = 0;
                sink_close(&b, &index);
                if (b.status == 0 && !o->quiet)
                    printf("%s\n", path.data);
                b.status = b.status ? b.status : before;
            } else {
                b.status = HM_EXIT_INPUT;
            }
            hm_buf_free(&path);
        } else if (is_json) {
            hm_summary_render_json(b.summary, to_sink, &sc);
        } else {
            sink_write(&b, &k, "\n", 1);
            hm_summary_render_text(b.summary, o->render_flags, to_sink, &sc);
        }
    }
    sink_close(&b, &k);
    int status = b.status;
    batch_free(&b);
    return status;
}
