/* The histmark command: options, inputs, and where the report goes. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "histmark.h"
#include "util.h"

/* The report formats. A format renders one essay at a time; `separator`
 * goes between two essays' reports. */
typedef int (*render_fn)(const hm_result *r, unsigned flags, hm_write_fn write, void *ud);
typedef struct format {
    const char *name;
    render_fn render;
    const char *separator;
} format;

static const format formats[] = {
    {"text", hm_render_text, "\n"},
    {"json", hm_render_json, ""},
};

typedef struct options {
    const format *fmt;
    const char *output;
    const char *question;
    const char *test_rules;
    bool test_rules_mode;
    int color; /* -1 auto, 0 never, 1 always */
    size_t max_bytes;
    hm_config_options config;
} options;

static void usage(FILE *f)
{
    fputs("Usage: histmark [OPTIONS] FILE... | -\n"
          "Marks an A-level history essay out of 20 and says what earned the marks\n"
          "and what is missing, paragraph by paragraph. '-' reads standard input.\n"
          "\n"
          "Output:\n"
          "  -f, --format FORMAT    text (default) or json (one object per essay per line)\n"
          "  -o, --output FILE      write the report to FILE (replaced only when complete)\n"
          "      --color WHEN       auto (default), always or never; NO_COLOR is honoured\n"
          "\n"
          "Marking:\n"
          "      --question TEXT    the question, when the essay does not start with it\n"
          "      --topic ID|FILE    a topic pack: a built-in id (russia-1917-53, ...), a YAML\n"
          "                         file, or none; by default the best-fitting pack is chosen\n"
          "      --rubric FILE      a rubric YAML file instead of the built-in a-level-20.yaml\n"
          "      --rules FILE       a rules YAML file instead of the built-in rules.yaml\n"
          "      --lists FILE       a word-lists YAML file instead of the built-in lists.yaml\n"
          "      --max-bytes N      refuse inputs larger than N bytes (default 4194304)\n"
          "\n"
          "Rules:\n"
          "      --test-rules[=FILE]  run every rule's match/no-match examples and report\n"
          "                         the ones that fail (the built-in rules, or FILE)\n"
          "\n"
          "  -h, --help             show this help\n"
          "  -V, --version          show the version\n"
          "\n"
          "Exit status: 0 every input was analysed; 1 an input could not be analysed (the\n"
          "others still were) or the report could not be written; 2 a usage error or a bad\n"
          "rubric, rules or topic file.\n",
          f);
}

static int write_buf(const char *data, size_t len, void *ud)
{
    hm_buf_put(ud, data, len);
    return 0;
}

static void print_config_error(const hm_error *e)
{
    if (e->line)
        fprintf(stderr, "histmark: %s:%d:%d: %s\n", e->file, e->line, e->column, e->message);
    else
        fprintf(stderr, "histmark: %s: %s\n", e->file[0] ? e->file : "config", e->message);
}

static void print_line(const char *line, void *ud)
{
    (void)ud;
    fprintf(stdout, "%s\n", line);
}

/* Writes the report to a temporary file beside the target and renames it
 * into place, so a failure never leaves half a report or clobbers an old
 * one. */
static bool write_output(const char *path, const hm_buf *b)
{
    if (!path) {
        if (b->len && fwrite(b->data, 1, b->len, stdout) != b->len) {
            fprintf(stderr, "histmark: writing the report failed: %s\n", strerror(errno));
            return false;
        }
        return true;
    }
    size_t n = strlen(path);
    char *tmp = hm_xmalloc(n + 16);
    snprintf(tmp, n + 16, "%s.tmp.XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        fprintf(stderr, "histmark: %s: cannot write the report: %s\n", path, strerror(errno));
        free(tmp);
        return false;
    }
    FILE *f = fdopen(fd, "w");
    bool ok = f && (b->len == 0 || fwrite(b->data, 1, b->len, f) == b->len);
    ok = ok && fflush(f) == 0 && fsync(fd) == 0;
    int saved = errno;
    if (f ? fclose(f) != 0 : close(fd) != 0)
        ok = false, saved = saved ? saved : errno;
    if (ok && rename(tmp, path) != 0)
        ok = false, saved = errno;
    if (!ok) {
        fprintf(stderr, "histmark: %s: writing the report failed: %s\n", path, strerror(saved));
        unlink(tmp);
    }
    free(tmp);
    return ok;
}

static int run_test_rules(const options *o)
{
    hm_config_options co = o->config;
    if (o->test_rules)
        co.rules_path = o->test_rules;
    hm_error err = {0};
    hm_config *cfg = hm_config_load(&co, &err);
    if (!cfg) {
        print_config_error(&err);
        return HM_EXIT_CONFIG;
    }
    size_t run = 0;
    size_t failed = hm_config_test_rules(cfg, &run, print_line, NULL);
    printf("%zu passed, %zu failed\n", run - failed, failed);
    hm_config_free(cfg);
    return failed ? HM_EXIT_INPUT : HM_EXIT_OK;
}

static char *read_stdin(size_t max, size_t *len, hm_error *err)
{
    hm_buf b = {0};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, stdin)) > 0) {
        hm_buf_put(&b, chunk, n);
        if (b.len > max) {
            hm_error_set(err, HM_ERR_INPUT, "-", 0, 0, NULL,
                         "too large for an essay (over %zu bytes, see --max-bytes)", max);
            hm_buf_free(&b);
            return NULL;
        }
    }
    if (ferror(stdin)) {
        hm_error_set(err, HM_ERR_IO, "-", 0, 0, NULL, "reading standard input failed");
        hm_buf_free(&b);
        return NULL;
    }
    *len = b.len;
    return hm_buf_take(&b);
}

int main(int argc, char **argv)
{
    options o = {0};
    o.fmt = &formats[0];
    o.color = -1;
    o.config.version = HM_CONFIG_OPTIONS_VERSION;
    enum { OPT_RUBRIC = 256, OPT_RULES, OPT_LISTS, OPT_TOPIC, OPT_QUESTION, OPT_TEST_RULES, OPT_COLOR, OPT_MAX };
    static const struct option longopts[] = {
        {"format", required_argument, NULL, 'f'},   {"output", required_argument, NULL, 'o'},
        {"rubric", required_argument, NULL, OPT_RUBRIC}, {"rules", required_argument, NULL, OPT_RULES},
        {"lists", required_argument, NULL, OPT_LISTS},   {"topic", required_argument, NULL, OPT_TOPIC},
        {"question", required_argument, NULL, OPT_QUESTION},
        {"test-rules", optional_argument, NULL, OPT_TEST_RULES},
        {"color", required_argument, NULL, OPT_COLOR},   {"colour", required_argument, NULL, OPT_COLOR},
        {"max-bytes", required_argument, NULL, OPT_MAX}, {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},             {NULL, 0, NULL, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "f:o:hV", longopts, NULL)) != -1) {
        switch (c) {
        case 'f':
            o.fmt = NULL;
            for (size_t i = 0; i < sizeof formats / sizeof *formats; i++)
                if (strcmp(optarg, formats[i].name) == 0)
                    o.fmt = &formats[i];
            if (!o.fmt) {
                fprintf(stderr, "histmark: unknown format '%s' (", optarg);
                for (size_t i = 0; i < sizeof formats / sizeof *formats; i++)
                    fprintf(stderr, "%s%s", i ? ", " : "", formats[i].name);
                fputs(")\n", stderr);
                return HM_EXIT_CONFIG;
            }
            break;
        case 'o': o.output = optarg; break;
        case OPT_RUBRIC: o.config.rubric_path = optarg; break;
        case OPT_RULES: o.config.rules_path = optarg; break;
        case OPT_LISTS: o.config.lists_path = optarg; break;
        case OPT_TOPIC: o.config.topic = optarg; break;
        case OPT_QUESTION: o.question = optarg; break;
        case OPT_TEST_RULES:
            o.test_rules_mode = true;
            o.test_rules = optarg;
            break;
        case OPT_COLOR:
            if (strcmp(optarg, "auto") == 0)
                o.color = -1;
            else if (strcmp(optarg, "always") == 0)
                o.color = 1;
            else if (strcmp(optarg, "never") == 0)
                o.color = 0;
            else {
                fprintf(stderr, "histmark: --color takes auto, always or never, not '%s'\n", optarg);
                return HM_EXIT_CONFIG;
            }
            break;
        case OPT_MAX: {
            char *end;
            errno = 0;
            unsigned long long v = strtoull(optarg, &end, 10);
            if (errno || *end || v == 0 || optarg[0] == '-') {
                fprintf(stderr, "histmark: --max-bytes takes a positive number of bytes, not '%s'\n", optarg);
                return HM_EXIT_CONFIG;
            }
            o.max_bytes = (size_t)v;
            break;
        }
        case 'h': usage(stdout); return HM_EXIT_OK;
        case 'V': printf("histmark %s\n", HM_VERSION_STRING); return HM_EXIT_OK;
        default:
            fputs("Try 'histmark --help' for more information.\n", stderr);
            return HM_EXIT_CONFIG;
        }
    }
    if (o.test_rules_mode) {
        /* `--test-rules FILE` as well as `--test-rules=FILE` */
        if (!o.test_rules && optind < argc)
            o.test_rules = argv[optind++];
        return run_test_rules(&o);
    }
    if (optind >= argc) {
        fputs("histmark: no essay given (name a file, or - for standard input)\n"
              "Try 'histmark --help' for more information.\n", stderr);
        return HM_EXIT_CONFIG;
    }

    hm_error err = {0};
    hm_config *cfg = hm_config_load(&o.config, &err);
    if (!cfg) {
        print_config_error(&err);
        return HM_EXIT_CONFIG;
    }
    bool color = o.color == 1 || (o.color == -1 && !o.output && isatty(STDOUT_FILENO) && !getenv("NO_COLOR"));
    if (o.color == 1 && getenv("NO_COLOR") && *getenv("NO_COLOR"))
        color = false;
    size_t max = o.max_bytes ? o.max_bytes : HM_DEFAULT_MAX_BYTES;

    int status = HM_EXIT_OK;
    size_t reported = 0;
    hm_buf report = {0};
    for (int i = optind; i < argc; i++) {
        const char *path = argv[i];
        hm_error e = {0};
        size_t len = 0;
        char *bytes = strcmp(path, "-") == 0 ? read_stdin(max, &len, &e) : hm_read_file(path, max, &len, &e);
        hm_result *r = NULL;
        if (bytes) {
            hm_analyze_options ao = {HM_ANALYZE_OPTIONS_VERSION, path, o.question, max};
            r = hm_analyze(cfg, bytes, len, &ao, &e);
        }
        free(bytes);
        if (!r) {
            fprintf(stderr, "histmark: %s: %s\n", path, e.message);
            status = HM_EXIT_INPUT;
            continue;
        }
        if (reported++)
            hm_buf_puts(&report, o.fmt->separator);
        o.fmt->render(r, color ? HM_RENDER_COLOR : 0, write_buf, &report);
        hm_result_free(r);
        /* Stream to stdout as we go; a file gets everything at the end. */
        if (!o.output) {
            if (!write_output(NULL, &report)) {
                status = HM_EXIT_INPUT;
                break;
            }
            report.len = 0;
        }
    }
    if (o.output && !write_output(o.output, &report))
        status = HM_EXIT_INPUT;
    hm_buf_free(&report);
    hm_config_free(cfg);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "histmark: writing the report failed: %s\n", strerror(errno));
        status = HM_EXIT_INPUT;
    }
    return status;
}
