/* The language server as an editor sees it: `histmark lsp` runs as a child
 * process and each test speaks JSON-RPC to it over pipes, asserting what
 * comes back: capabilities, diagnostics at the right line and character in
 * UTF-16 and UTF-8, hover, the quick fix for a misspelt name, the code lens,
 * settings, the prescribed errors for bad input, and the exit status.
 * Usage: test_lsp HISTMARK */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <setjmp.h>
#include <cmocka.h>

static const char *histmark;

/* An essay about Stalin with a date after a curly apostrophe (so UTF-8 and
 * UTF-16 columns differ) and a misspelt name. Line 2 (0-based) has "1922"
 * at code point 96; line 4 starts with "Trosky". */
static const char essay[] =
    "How far was Stalin\xE2\x80\x99s rise to power due to his position as General Secretary?\n"
    "\n"
    "Stalin\xE2\x80\x99s rise to power was largely due to his position as General Secretary, which he gained in "
    "1922. The post let him appoint loyal supporters to key jobs in the Communist Party, so by 1924 many "
    "delegates owed their careers to him.\n"
    "\n"
    "Trosky was the most famous Bolshevik after Lenin, because he had led the Red Army in the Civil War. "
    "However, his arrogance meant that the other members of the Politburo feared him more than they feared "
    "Stalin, and this led to his defeat. He was expelled from the party in 1927.\n"
    "\n"
    "On the other hand, Stalin\xE2\x80\x99s skill in exploiting the divisions between Zinoviev, Kamenev and "
    "Bukharin was also significant. He allied with the left against Trotsky and then with the right against "
    "the left, and as a result his rivals were defeated one by one.\n"
    "\n"
    "In conclusion, the position of General Secretary was the most important reason for Stalin\xE2\x80\x99s "
    "rise, because it gave him the votes he needed at the party congresses, although his rivals\xE2\x80\x99 "
    "mistakes also helped him.\n";

#define URI "file:///tmp/histmark-test/essay.txt"

typedef struct server {
    pid_t pid;
    int to, from;
    char *buf;
    size_t len, cap;
    int logs; /* window/logMessage notifications seen */
} server;

static server start(const char *timeout_ms)
{
    int in[2], out[2];
    assert_int_equal(pipe(in), 0);
    assert_int_equal(pipe(out), 0);
    server s = {0};
    s.pid = fork();
    assert_true(s.pid >= 0);
    if (s.pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        int devnull = open("/dev/null", O_WRONLY);
        if (devnull >= 0 && !getenv("TEST_LSP_VERBOSE"))
            dup2(devnull, 2); /* the server's logs; the test reads them as window/logMessage */
        close(in[0]), close(in[1]), close(out[0]), close(out[1]);
        if (timeout_ms)
            setenv("HISTMARK_LSP_FRAME_TIMEOUT", timeout_ms, 1);
        execl(histmark, histmark, "lsp", (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    s.to = in[1];
    s.from = out[0];
    return s;
}

static void send_raw(server *s, const char *data, size_t n)
{
    while (n) {
        ssize_t k = write(s->to, data, n);
        assert_true(k > 0);
        data += k;
        n -= (size_t)k;
    }
}

static void send_body(server *s, const char *body)
{
    char head[64];
    snprintf(head, sizeof head, "Content-Length: %zu\r\n\r\n", strlen(body));
    send_raw(s, head, strlen(head));
    send_raw(s, body, strlen(body));
}

/* Sends a message built with json_pack; takes the reference. */
static void send_json(server *s, json_t *msg)
{
    assert_non_null(msg);
    char *body = json_dumps(msg, JSON_COMPACT);
    send_body(s, body);
    free(body);
    json_decref(msg);
}

static void request(server *s, int id, const char *method, json_t *params)
{
    send_json(s, json_pack("{s:s,s:i,s:s,s:o}", "jsonrpc", "2.0", "id", id, "method", method, "params", params));
}

static void notify(server *s, const char *method, json_t *params)
{
    send_json(s, json_pack("{s:s,s:s,s:o}", "jsonrpc", "2.0", "method", method, "params", params));
}

/* Reads until the buffer holds n bytes; fails the test after 10 s rather
 * than hang. */
static void fill(server *s, size_t n)
{
    while (s->len < n) {
        struct pollfd p = {s->from, POLLIN, 0};
        int k = poll(&p, 1, 10000);
        if (k <= 0)
            fail_msg("no reply from the server within 10 s");
        if (s->cap - s->len < 65536) {
            s->cap = s->cap * 2 + 65536;
            s->buf = realloc(s->buf, s->cap);
        }
        ssize_t r = read(s->from, s->buf + s->len, s->cap - s->len);
        if (r <= 0)
            fail_msg("the server closed its output");
        s->len += (size_t)r;
    }
}

/* One framed message from the server, checked to be exactly framed. */
static json_t *recv_any(server *s)
{
    const char *end;
    for (;;) {
        end = s->len ? strstr(s->buf, "\r\n\r\n") : NULL;
        if (end && (size_t)(end - s->buf) < s->len)
            break;
        fill(s, s->len + 1);
        s->buf[s->len] = '\0';
    }
    assert_true(strncmp(s->buf, "Content-Length: ", 16) == 0);
    size_t head = (size_t)(end - s->buf) + 4, n = strtoul(s->buf + 16, NULL, 10);
    fill(s, head + n);
    json_error_t je;
    json_t *msg = json_loadb(s->buf + head, n, 0, &je);
    if (!msg)
        fail_msg("the server sent bad JSON: %s", je.text);
    memmove(s->buf, s->buf + head + n, s->len - head - n);
    s->len -= head + n;
    s->buf[s->len] = '\0';
    assert_string_equal(json_string_value(json_object_get(msg, "jsonrpc")), "2.0");
    return msg;
}

/* The next message that is not a log line. */
static json_t *recv_msg(server *s)
{
    for (;;) {
        json_t *m = recv_any(s);
        const char *method = json_string_value(json_object_get(m, "method"));
        if (method && (strcmp(method, "window/logMessage") == 0 || strcmp(method, "window/showMessage") == 0)) {
            s->logs++;
            json_decref(m);
            continue;
        }
        return m;
    }
}

static json_t *recv_reply(server *s, int id)
{
    json_t *m = recv_msg(s);
    assert_true(json_is_integer(json_object_get(m, "id")));
    assert_int_equal(json_integer_value(json_object_get(m, "id")), id);
    return m;
}

static json_t *recv_error(server *s, int code)
{
    json_t *m = recv_msg(s);
    json_t *e = json_object_get(m, "error");
    if (!e)
        fail_msg("wanted error %d, got %s", code, json_dumps(m, JSON_COMPACT));
    assert_int_equal(json_integer_value(json_object_get(e, "code")), code);
    return m;
}

static json_t *recv_diagnostics(server *s)
{
    json_t *m = recv_msg(s);
    assert_string_equal(json_string_value(json_object_get(m, "method")), "textDocument/publishDiagnostics");
    assert_string_equal(json_string_value(json_object_get(json_object_get(m, "params"), "uri")), URI);
    return m;
}

/* Waits for the server to end; its exit status, or fails after 10 s. */
static int finish(server *s)
{
    close(s->to);
    int status = 0;
    for (int i = 0; i < 1000; i++) {
        pid_t r = waitpid(s->pid, &status, WNOHANG);
        if (r == s->pid) {
            close(s->from);
            free(s->buf);
            if (!WIFEXITED(status))
                fail_msg("the server died with signal %d", WTERMSIG(status));
            return WEXITSTATUS(status);
        }
        struct timespec t = {0, 10000000};
        nanosleep(&t, NULL);
    }
    kill(s->pid, SIGKILL);
    waitpid(s->pid, &status, 0);
    fail_msg("the server did not exit");
    return -1;
}

static void initialize(server *s, const char *encodings, json_t *options)
{
    json_t *caps = json_pack("{s:{s:{s:[s]}}}", "textDocument", "hover", "contentFormat", "markdown");
    if (encodings)
        json_object_set_new(caps, "general", json_pack("{s:[s,s]}", "positionEncodings", encodings, "utf-16"));
    json_t *params = json_pack("{s:o,s:o}", "capabilities", caps, "initializationOptions",
                               options ? options : json_object());
    request(s, 1, "initialize", params);
    json_t *m = recv_reply(s, 1);
    json_t *c = json_object_get(json_object_get(m, "result"), "capabilities");
    assert_non_null(c);
    assert_string_equal(json_string_value(json_object_get(c, "positionEncoding")), encodings ? encodings : "utf-16");
    json_t *sync = json_object_get(c, "textDocumentSync");
    assert_true(json_is_true(json_object_get(sync, "openClose")));
    assert_int_equal(json_integer_value(json_object_get(sync, "change")), 1);
    assert_non_null(json_object_get(sync, "save"));
    assert_true(json_is_true(json_object_get(c, "hoverProvider")));
    assert_non_null(json_object_get(c, "codeActionProvider"));
    assert_non_null(json_object_get(c, "codeLensProvider"));
    json_decref(m);
    notify(s, "initialized", json_object());
}

static void open_doc(server *s, const char *text, const char *language)
{
    notify(s, "textDocument/didOpen",
           json_pack("{s:{s:s,s:s,s:i,s:s}}", "textDocument", "uri", URI, "languageId", language, "version", 1,
                     "text", text));
}

/* The first diagnostic with this code, or NULL. */
static json_t *diag_with_code(json_t *publish, const char *code)
{
    size_t i;
    json_t *d;
    json_array_foreach(json_object_get(json_object_get(publish, "params"), "diagnostics"), i, d) {
        if (strcmp(json_string_value(json_object_get(d, "code")), code) == 0)
            return d;
    }
    return NULL;
}

static void assert_range(json_t *range, int l0, int c0, int l1, int c1)
{
    json_t *a = json_object_get(range, "start"), *b = json_object_get(range, "end");
    int got[4] = {(int)json_integer_value(json_object_get(a, "line")),
                  (int)json_integer_value(json_object_get(a, "character")),
                  (int)json_integer_value(json_object_get(b, "line")),
                  (int)json_integer_value(json_object_get(b, "character"))};
    if (got[0] != l0 || got[1] != c0 || got[2] != l1 || got[3] != c1)
        fail_msg("range %d:%d-%d:%d, wanted %d:%d-%d:%d", got[0], got[1], got[2], got[3], l0, c0, l1, c1);
}

/* The test's own UTF-16 position -> byte offset, to apply an edit the way an
 * editor would. */
static size_t utf16_offset(const char *text, int line, int character)
{
    size_t i = 0;
    for (int l = 0; l < line; l++)
        i = (size_t)(strchr(text + i, '\n') - text) + 1;
    for (int u = 0; u < character;) {
        unsigned char c = (unsigned char)text[i];
        size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        u += n == 4 ? 2 : 1;
        i += n;
    }
    return i;
}

static json_t *text_position(int line, int character)
{
    return json_pack("{s:{s:s},s:{s:i,s:i}}", "textDocument", "uri", URI, "position", "line", line, "character",
                     character);
}

static const char *hover_text(json_t *reply)
{
    return json_string_value(json_object_get(json_object_get(json_object_get(reply, "result"), "contents"), "value"));
}

/* initialize, initialized, didOpen, didChange, hover, codeAction, codeLens,
 * didClose, shutdown, exit: the session an editor runs. */
static void test_session(void **state)
{
    (void)state;
    server s = start(NULL);
    initialize(&s, NULL, NULL);
    open_doc(&s, essay, "plaintext");

    json_t *p = recv_diagnostics(&s);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(p, "params"), "version")), 1);
    json_t *d = diag_with_code(p, "date-year");
    assert_non_null(d);
    assert_range(json_object_get(d, "range"), 2, 96, 2, 100); /* "1922", after a 1-unit apostrophe */
    assert_string_equal(json_string_value(json_object_get(d, "source")), "histmark");
    assert_true(json_integer_value(json_object_get(d, "severity")) >= 3);
    d = diag_with_code(p, "person-name");
    assert_non_null(d);
    assert_range(json_object_get(d, "range"), 4, 0, 4, 6);
    assert_int_equal(json_integer_value(json_object_get(d, "severity")), 3);
    assert_non_null(strstr(json_string_value(json_object_get(d, "message")), "Trotsky"));
    d = diag_with_code(p, "very-short"); /* a warning of the essay's */
    assert_non_null(d);
    assert_int_equal(json_integer_value(json_object_get(d, "severity")), 2);
    assert_range(json_object_get(d, "range"), 0, 0, 0, 76);
    json_decref(p);

    /* The student puts an emoji before the name: two UTF-16 units. */
    const char *at = strstr(essay, "Trosky was");
    char *changed = malloc(sizeof essay + 8);
    sprintf(changed, "%.*s\xF0\x9F\x99\x82 %s", (int)(at - essay), essay, at);
    notify(&s, "textDocument/didChange",
           json_pack("{s:{s:s,s:i},s:[{s:s}]}", "textDocument", "uri", URI, "version", 2, "contentChanges", "text",
                     changed));
    p = recv_diagnostics(&s);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(p, "params"), "version")), 2);
    assert_range(json_object_get(diag_with_code(p, "person-name"), "range"), 4, 3, 4, 9);
    assert_range(json_object_get(diag_with_code(p, "date-year"), "range"), 2, 96, 2, 100);
    json_decref(p);

    /* Hover on the name explains it; on line 1 it gives the mark. */
    request(&s, 2, "textDocument/hover", text_position(4, 5));
    json_t *h = recv_reply(&s, 2);
    const char *v = hover_text(h);
    assert_non_null(v);
    assert_non_null(strstr(v, "misspelt"));
    assert_non_null(strstr(v, "Trotsky"));
    assert_non_null(strstr(v, "person"));
    assert_non_null(strstr(v, "knowledge strand")); /* why it matters */
    assert_range(json_object_get(json_object_get(h, "result"), "range"), 4, 3, 4, 9);
    json_decref(h);
    request(&s, 3, "textDocument/hover", text_position(0, 3));
    h = recv_reply(&s, 3);
    v = hover_text(h);
    assert_non_null(v);
    assert_non_null(strstr(v, "/20, Level "));
    json_decref(h);
    /* Out of the document: clamped, no error, nothing to say. */
    request(&s, 4, "textDocument/hover", text_position(5000, 99999));
    h = recv_reply(&s, 4);
    assert_true(json_is_null(json_object_get(h, "result")));
    json_decref(h);
    request(&s, 5, "textDocument/hover", text_position(-3, -7));
    h = recv_reply(&s, 5);
    assert_true(json_is_object(json_object_get(h, "result"))); /* line 0: the mark */
    json_decref(h);

    /* The quick fix replaces exactly "Trosky" with "Trotsky". */
    request(&s, 6, "textDocument/codeAction",
            json_pack("{s:{s:s},s:{s:{s:i,s:i},s:{s:i,s:i}},s:{s:[]}}", "textDocument", "uri", URI, "range", "start",
                      "line", 4, "character", 5, "end", "line", 4, "character", 5, "context", "diagnostics"));
    json_t *a = recv_reply(&s, 6);
    json_t *actions = json_object_get(a, "result");
    assert_int_equal(json_array_size(actions), 1);
    json_t *act = json_array_get(actions, 0);
    assert_string_equal(json_string_value(json_object_get(act, "kind")), "quickfix");
    json_t *edits = json_object_get(json_object_get(json_object_get(act, "edit"), "changes"), URI);
    assert_int_equal(json_array_size(edits), 1);
    json_t *e = json_array_get(edits, 0);
    assert_string_equal(json_string_value(json_object_get(e, "newText")), "Trotsky");
    json_t *r = json_object_get(e, "range");
    assert_range(r, 4, 3, 4, 9);
    size_t from = utf16_offset(changed, 4, 3), to = utf16_offset(changed, 4, 9);
    assert_int_equal(to - from, 6);
    assert_memory_equal(changed + from, "Trosky", 6);
    json_decref(a);
    /* Nothing to fix elsewhere. */
    request(&s, 7, "textDocument/codeAction",
            json_pack("{s:{s:s},s:{s:{s:i,s:i},s:{s:i,s:i}},s:{s:[]}}", "textDocument", "uri", URI, "range", "start",
                      "line", 2, "character", 0, "end", "line", 2, "character", 4, "context", "diagnostics"));
    a = recv_reply(&s, 7);
    assert_int_equal(json_array_size(json_object_get(a, "result")), 0);
    json_decref(a);

    request(&s, 8, "textDocument/codeLens", json_pack("{s:{s:s}}", "textDocument", "uri", URI));
    json_t *l = recv_reply(&s, 8);
    const char *title =
        json_string_value(json_object_get(json_object_get(json_array_get(json_object_get(l, "result"), 0), "command"),
                                          "title"));
    assert_non_null(title);
    assert_non_null(strstr(title, "/20"));
    json_decref(l);

    /* Saving re-publishes; closing clears. */
    notify(&s, "textDocument/didSave", json_pack("{s:{s:s}}", "textDocument", "uri", URI));
    p = recv_diagnostics(&s);
    assert_true(json_array_size(json_object_get(json_object_get(p, "params"), "diagnostics")) > 5);
    json_decref(p);
    notify(&s, "textDocument/didClose", json_pack("{s:{s:s}}", "textDocument", "uri", URI));
    p = recv_diagnostics(&s);
    assert_int_equal(json_array_size(json_object_get(json_object_get(p, "params"), "diagnostics")), 0);
    json_decref(p);

    request(&s, 9, "shutdown", json_null());
    json_t *sd = recv_reply(&s, 9);
    assert_true(json_is_null(json_object_get(sd, "result")));
    json_decref(sd);
    request(&s, 10, "textDocument/hover", text_position(0, 0));
    json_decref(recv_error(&s, -32600)); /* nothing after shutdown */
    notify(&s, "exit", json_null());
    assert_int_equal(finish(&s), 0);
    free(changed);
}

/* A client that offers UTF-8 gets it, and columns count bytes. */
static void test_utf8(void **state)
{
    (void)state;
    server s = start(NULL);
    initialize(&s, "utf-8", NULL);
    open_doc(&s, essay, "markdown");
    json_t *p = recv_diagnostics(&s);
    assert_range(json_object_get(diag_with_code(p, "date-year"), "range"), 2, 98, 2, 102);
    json_decref(p);
    request(&s, 2, "textDocument/hover", text_position(2, 100));
    json_t *h = recv_reply(&s, 2);
    assert_non_null(strstr(hover_text(h), "1922"));
    json_decref(h);
    request(&s, 3, "shutdown", json_null());
    json_decref(recv_reply(&s, 3));
    notify(&s, "exit", json_null());
    assert_int_equal(finish(&s), 0);
}

/* Settings: which kinds to show, the topic, a bad rubric, and which
 * documents are analysed at all. */
static void test_settings(void **state)
{
    (void)state;
    server s = start(NULL);
    initialize(&s, NULL, json_pack("{s:[s]}", "kinds", "person"));
    open_doc(&s, essay, "plaintext");
    json_t *p = recv_diagnostics(&s);
    json_t *diags = json_object_get(json_object_get(p, "params"), "diagnostics");
    assert_true(json_array_size(diags) > 0);
    size_t i;
    json_t *d;
    json_array_foreach(diags, i, d) {
        const char *code = json_string_value(json_object_get(d, "code"));
        assert_true(strcmp(code, "topic-person") == 0 || strcmp(code, "person-name") == 0);
    }
    json_decref(p);

    /* Without a topic pack, no misspelt names: the config was rebuilt. */
    notify(&s, "workspace/didChangeConfiguration",
           json_pack("{s:{s:{s:s,s:[s,s]}}}", "settings", "histmark", "topic", "none", "kinds", "gaps", "person"));
    p = recv_diagnostics(&s);
    diags = json_object_get(json_object_get(p, "params"), "diagnostics");
    json_array_foreach(diags, i, d) {
        const char *code = json_string_value(json_object_get(d, "code"));
        assert_true(strncmp(code, "gap", 3) == 0 || strcmp(code, "person-name") == 0);
        assert_null(strstr(json_string_value(json_object_get(d, "message")), "Trotsky"));
    }
    assert_non_null(diag_with_code(p, "gap-knowledge"));
    json_decref(p);

    /* A rubric that does not load is reported, and marking goes on. */
    int logs = s.logs;
    notify(&s, "workspace/didChangeConfiguration",
           json_pack("{s:{s:s}}", "settings", "rubric", "/nonexistent/rubric.yaml"));
    p = recv_diagnostics(&s);
    assert_true(s.logs > logs);
    assert_non_null(diag_with_code(p, "gap-knowledge"));
    json_decref(p);

    /* A C file is not an essay. */
    notify(&s, "textDocument/didOpen",
           json_pack("{s:{s:s,s:s,s:i,s:s}}", "textDocument", "uri", "file:///tmp/x.c", "languageId", "c", "version",
                     1, "text", "int main(void) { return 0; }\n"));
    p = recv_msg(&s);
    assert_int_equal(json_array_size(json_object_get(json_object_get(p, "params"), "diagnostics")), 0);
    json_decref(p);
    request(&s, 2, "textDocument/hover",
            json_pack("{s:{s:s},s:{s:i,s:i}}", "textDocument", "uri", "file:///tmp/x.c", "position", "line", 0,
                      "character", 0));
    p = recv_reply(&s, 2);
    assert_true(json_is_null(json_object_get(p, "result")));
    json_decref(p);
    request(&s, 3, "shutdown", json_null());
    json_decref(recv_reply(&s, 3));
    notify(&s, "exit", json_null());
    assert_int_equal(finish(&s), 0);
}

/* Bad input gets the prescribed answer and the server keeps serving. */
static void test_bad_input(void **state)
{
    (void)state;
    server s = start("300");

    /* Before initialize: requests get -32002, notifications nothing. */
    request(&s, 1, "textDocument/hover", text_position(0, 0));
    json_decref(recv_error(&s, -32002));
    open_doc(&s, essay, "plaintext");
    initialize(&s, NULL, NULL); /* its reply is the next message: nothing was published */
    open_doc(&s, essay, "plaintext");
    json_decref(recv_diagnostics(&s));

    send_body(&s, "{\"jsonrpc\": \"2.0\", \"id\": 5, \"method\": ");
    json_t *m = recv_error(&s, -32700);
    assert_true(json_is_null(json_object_get(m, "id")));
    json_decref(m);
    send_body(&s, "\xff\xfe not JSON");
    json_decref(recv_error(&s, -32700));
    send_body(&s, "[1, 2, 3]");
    m = recv_error(&s, -32600);
    assert_true(json_is_null(json_object_get(m, "id")));
    json_decref(m);
    send_body(&s, "42");
    json_decref(recv_error(&s, -32600));
    send_body(&s, "{\"jsonrpc\": \"2.0\", \"id\": 7}");
    m = recv_error(&s, -32600);
    assert_int_equal(json_integer_value(json_object_get(m, "id")), 7);
    json_decref(m);
    send_body(&s, "{\"id\": 8, \"method\": \"shutdown\"}"); /* no "jsonrpc" */
    json_decref(recv_error(&s, -32600));

    request(&s, 9, "textDocument/definition", text_position(0, 0));
    m = recv_error(&s, -32601);
    assert_int_equal(json_integer_value(json_object_get(m, "id")), 9);
    json_decref(m);
    notify(&s, "$/cancelRequest", json_pack("{s:i}", "id", 3)); /* ignored silently */
    notify(&s, "no/such/notification", json_object());

    /* Frames: each refused with a log, and the next request is answered. */
    int logs = s.logs;
    const char *bad_frames[] = {
        "Content-Length: abc\r\n\r\n{}",
        "Content-Length: 99999999999999999999999\r\n\r\n{}",
        "Content-Length: 16777217\r\n\r\n{}",
        "Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{}",
        "Hello there\r\n\r\n",
    };
    int id = 20;
    for (size_t i = 0; i < sizeof bad_frames / sizeof *bad_frames; i++) {
        send_raw(&s, bad_frames[i], strlen(bad_frames[i]));
        request(&s, id, "textDocument/codeLens", json_pack("{s:{s:s}}", "textDocument", "uri", URI));
        json_decref(recv_reply(&s, id++));
        assert_int_equal(s.logs, logs + (int)i + 1);
    }

    /* A body shorter than its Content-Length, then a whole message: the
     * short one is a parse error, the whole one is still answered. */
    const char *short_frame = "Content-Length: 120\r\n\r\n{\"jsonrpc\": \"2.0\", \"id\": 30,";
    send_raw(&s, short_frame, strlen(short_frame));
    request(&s, 31, "textDocument/codeLens", json_pack("{s:{s:s}}", "textDocument", "uri", URI));
    json_decref(recv_error(&s, -32700));
    json_decref(recv_reply(&s, 31));
    /* A frame cut off with nothing after it: dropped after the timeout. */
    logs = s.logs;
    const char *cut = "Content-Length: 500\r\n\r\n{\"jsonrpc\": \"2.0\", ";
    send_raw(&s, cut, strlen(cut));
    struct timespec t = {0, 600000000};
    nanosleep(&t, NULL);
    request(&s, 32, "textDocument/hover", text_position(4, 2));
    m = recv_reply(&s, 32);
    assert_true(s.logs > logs);
    assert_non_null(strstr(hover_text(m), "Trotsky"));
    json_decref(m);
    /* A header cut off mid-line likewise. */
    send_raw(&s, "Content-Len", 11);
    nanosleep(&t, NULL);
    request(&s, 33, "textDocument/codeLens", json_pack("{s:{s:s}}", "textDocument", "uri", URI));
    json_decref(recv_reply(&s, 33));

    /* exit without shutdown: status 1. */
    notify(&s, "exit", json_null());
    assert_int_equal(finish(&s), 1);

    /* End of input without exit: status 1, no hang. */
    s = start(NULL);
    initialize(&s, NULL, NULL);
    assert_int_equal(finish(&s), 1);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs("usage: test_lsp HISTMARK\n", stderr);
        return 2;
    }
    histmark = argv[1];
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_session),
        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_settings),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
