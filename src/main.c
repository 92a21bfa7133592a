/* The histmark command: options, inputs, and where the report goes. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "batch.h"
#include "histmark.h"
#include "lsp.h"
#include "summary.h"
#include "util.h"
#include "yamlcache.h"

/* The report formats. A format renders one essay at a time; `separator`
 * goes between two essays' reports; `header`, when set, is written once
 * before the first (CSV's column names). */
typedef int (*render_fn)(const hm_result *r, unsigned flags, hm_write_fn write, void *ud);
typedef struct format {
    const char *name;
    render_fn render;
    const char *separator;
    batch_header_fn header;
    batch_render_buf_fn render_buf; /* render appending to a buffer (no copy), or NULL */
} format;

static const format formats[] = {
    {"text", hm_render_text, "\n", NULL, NULL},
    {"json", hm_render_json, "", NULL, hm_render_json_buf},
    {"gcc", hm_render_gcc, "", NULL, NULL},
    {"csv", hm_render_csv, "", hm_render_csv_header, NULL},
    {"html", hm_render_html, "", NULL, NULL},
};

typedef struct options {
    const format *fmt;
    const char *output;
    const char *question;
    const char *stdin_name; /* --stdin-filename */
    const char *test_rules;
    bool test_rules_mode;
    int color; /* -1 auto, 0 never, 1 always */
    size_t max_bytes;
    unsigned jobs;         /* -j; 0: the number of online cores */
    bool quiet, summary;
    double copy_threshold; /* --copy-threshold; 0: no copy check */
    hm_config_options config;
} options;

static void usage(FILE *f)
{
    fputs("Usage: histmark [OPTIONS] FILE... | DIR... | -\n"
          "Marks an A-level history essay out of 20 and says what earned the marks\n"
          "and what is missing, paragraph by paragraph. '-' reads standard input; a\n"
          "folder is searched for .txt, .md and .docx files (hidden ones skipped).\n"
          "\n"
          "Output:\n"
          "  -f, --format FORMAT    text (default), json (one object per essay per line),\n"
          "                         gcc (FILE:LINE:COLUMN: severity: message, for editors),\n"
          "                         csv (a row per essay, for a spreadsheet), html (a web page;\n"
          "                         for several essays, -o DIR gets an overview and a page each)\n"
          "  -o, --output FILE      write the report to FILE (replaced only when complete)\n"
          "      --color WHEN       auto (default), always or never; NO_COLOR is honoured\n"
          "      --summary          after the essays, a class overview: marks, levels, common\n"
          "                         gaps, essays that need a look, possible copying\n"
          "\n"
          "Batches:\n"
          "  -j, --jobs N           analyse N essays at a time (default: one per core);\n"
          "                         reports keep the input order\n"
          "  -q, --quiet            no progress line on a terminal\n"
          "      --copy-threshold X flag pairs of essays sharing at least X (0-1, default\n"
          "                         0.10) of the shorter one's text; 0 turns the check off\n"
          "\n"
          "Marking:\n"
          "      --question TEXT    the question, when the essay does not start with it\n"
          "      --stdin-filename NAME  the name reports give the text read from '-'\n"
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
          "Calibration:\n"
          "  histmark calibrate [--rubric FILE] [--fit OUT.yaml] MARKS.tsv\n"
          "                         agreement with a teacher's marks; --fit writes a tuned rubric\n"
          "\n"
          "Editors:\n"
          "  histmark lsp           a language server (LSP 3.17) on standard input and output;\n"
          "                         see editors/README.md\n"
          "\n"
          "Exit status: 0 every input was analysed; 1 an input could not be analysed (the\n"
          "others still were) or the report could not be written; 2 a usage error or a bad\n"
          "rubric, rules or topic file.\n",
          f);
}

static void print_config_error(const hm_error *e)
{
    if (e->line)
        fprintf(stderr, "histmark: %s:%d:%d: %s\n", e->file, e->line, e->column, e->message);
    else
        fprintf(stderr, "histmark: %s: %s\n", e->file[0] ? e->file : "config", e->message);
}

/* The batch's configuration loader (batch_config). */
static hm_config *load_config(void *ud, hm_error *err)
{
    return hm_config_load(ud, err);
}

static void print_line(const char *line, void *ud)
{
    (void)ud;
    fprintf(stdout, "%s\n", line);
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

int hm_calibrate_main(int argc, char **argv); /* calibrate.c */

int main(int argc, char **argv)
{
    /* Snapshots of the user's YAML files (yamlcache.h; HISTMARK_NO_CACHE=1: off). */
    hm_yaml_cache_enable(true);
    if (argc > 1 && strcmp(argv[1], "calibrate") == 0)
        return hm_calibrate_main(argc - 1, argv + 1);
    if (argc > 1 && strcmp(argv[1], "lsp") == 0)
        return hm_lsp_main(argc - 1, argv + 1);
    options o = {0};
    o.fmt = &formats[0];
    o.color = -1;
    o.config.version = HM_CONFIG_OPTIONS_VERSION;
    o.copy_threshold = 0.10;
    enum { OPT_SUMMARY = 320, OPT_COPY_THRESHOLD };
    enum { OPT_RUBRIC = 256, OPT_RULES, OPT_LISTS, OPT_TOPIC, OPT_QUESTION, OPT_TEST_RULES, OPT_COLOR, OPT_MAX, OPT_STDIN_NAME };
    static const struct option longopts[] = {
        {"format", required_argument, NULL, 'f'},   {"output", required_argument, NULL, 'o'},
        {"rubric", required_argument, NULL, OPT_RUBRIC}, {"rules", required_argument, NULL, OPT_RULES},
        {"lists", required_argument, NULL, OPT_LISTS},   {"topic", required_argument, NULL, OPT_TOPIC},
        {"question", required_argument, NULL, OPT_QUESTION},
        {"test-rules", optional_argument, NULL, OPT_TEST_RULES},
        {"color", required_argument, NULL, OPT_COLOR},   {"colour", required_argument, NULL, OPT_COLOR},
        {"max-bytes", required_argument, NULL, OPT_MAX}, {"help", no_argument, NULL, 'h'},
        {"stdin-filename", required_argument, NULL, OPT_STDIN_NAME},
        {"jobs", required_argument, NULL, 'j'},          {"quiet", no_argument, NULL, 'q'},
        {"summary", no_argument, NULL, OPT_SUMMARY},     {"copy-threshold", required_argument, NULL, OPT_COPY_THRESHOLD},
        {"version", no_argument, NULL, 'V'},             {NULL, 0, NULL, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "f:o:hVj:q", longopts, NULL)) != -1) {
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
        case OPT_STDIN_NAME: o.stdin_name = optarg; break;
        case 'q': o.quiet = true; break;
        case OPT_SUMMARY: o.summary = true; break;
        case 'j': {
            char *end;
            errno = 0;
            unsigned long v = strtoul(optarg, &end, 10);
            if (errno || *end || v == 0 || v > 1024 || optarg[0] == '-') {
                fprintf(stderr, "histmark: -j takes a number of jobs from 1 to 1024, not '%s'\n", optarg);
                return HM_EXIT_CONFIG;
            }
            o.jobs = (unsigned)v;
            break;
        }
        case OPT_COPY_THRESHOLD: {
            char *end;
            errno = 0;
            double v = strtod(optarg, &end);
            if (errno || *end || end == optarg || !(v >= 0 && v <= 1)) {
                fprintf(stderr, "histmark: --copy-threshold takes a share from 0 to 1 (0: no check), not '%s'\n",
                        optarg);
                return HM_EXIT_CONFIG;
            }
            o.copy_threshold = v;
            break;
        }
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
    if (o.summary && strcmp(o.fmt->name, "csv") == 0) {
        fputs("histmark: --summary does not fit in CSV; use it with text, json or html\n", stderr);
        return HM_EXIT_CONFIG;
    }

    /* One essay (a file or standard input, not a folder): compiling the
     * patterns to machine code would cost more than it saves. */
    struct stat one;
    if (optind + 1 == argc && (strcmp(argv[optind], "-") == 0 ||
                               (stat(argv[optind], &one) == 0 && !S_ISDIR(one.st_mode))))
        o.config.flags |= HM_CONFIG_INTERPRET;
    bool color = o.color == 1 || (o.color == -1 && !o.output && isatty(STDOUT_FILENO) && !getenv("NO_COLOR"));
    if (o.color == 1 && getenv("NO_COLOR") && *getenv("NO_COLOR"))
        color = false;
    size_t max = o.max_bytes ? o.max_bytes : HM_DEFAULT_MAX_BYTES;

    /* Files, folders and "-", on worker threads, reports in input order. */
    batch_options bo = {o.fmt->name, o.fmt->render, o.fmt->header, o.fmt->separator, o.output,
                        color ? HM_RENDER_COLOR : 0, o.question, o.stdin_name, max, o.jobs, o.quiet,
                        o.summary, o.copy_threshold, o.fmt->render_buf};
    batch_config bc = {load_config, print_config_error, &o.config};
    return batch_run(&bc, &bo, argv + optind, argc - optind);
}
