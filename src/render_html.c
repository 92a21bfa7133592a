/* HTML reports: a page per essay (the text with every finding highlighted
 * by kind, feedback beside the paragraphs it concerns, the strand levels as
 * an inline SVG chart) and a class overview (a mark histogram, a sortable
 * table of essays, shared gaps, copy flags). Each page is one file with its
 * CSS, SVG and script inline, so it works offline, mailed or on a USB stick;
 * it reflows on a phone and prints cleanly. The essay page sees a result
 * only through the public accessors. */
#include <stdlib.h>
#include <string.h>

#include "summary.h"

static void esc(hm_buf *b, const char *s, size_t n)
{
    size_t from = 0;
    for (size_t i = 0; i < n; i++) {
        const char *rep = NULL;
        switch (s[i]) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        case '\0': rep = "\xEF\xBF\xBD"; break; /* U+FFFD: a NUL is not HTML */
        default: break;
        }
        if (rep) {
            hm_buf_put(b, s + from, i - from);
            hm_buf_puts(b, rep);
            from = i + 1;
        }
    }
    hm_buf_put(b, s + from, n - from);
}

static void esc_s(hm_buf *b, const char *s)
{
    if (s)
        esc(b, s, strlen(s));
}

/* Colours chosen to stay distinct for the common colour-vision
 * deficiencies and to keep black text readable on each. */
static const char *const page_css =
    ":root{--ink:#1d1d1f;--muted:#5a5a66;--line:#d8d8e0;--bg:#fff;--card:#f6f6f9;--accent:#2550a0}"
    "*{box-sizing:border-box}"
    "body{margin:0;font:16px/1.55 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:var(--ink);"
    "background:var(--bg)}"
    ".wrap{max-width:72rem;margin:0 auto;padding:1rem 1.25rem 3rem}"
    "h1{font-size:1.45rem;margin:.2rem 0;overflow-wrap:anywhere}h2{font-size:1.1rem;margin:1.2rem 0 .4rem}"
    ".mark{font-size:1.6rem;font-weight:700;margin:.3rem 0;color:var(--accent)}"
    ".meta,.question{color:var(--muted);margin:.2rem 0}.question{font-style:italic}"
    ".back a{color:var(--accent)}"
    ".hist{max-width:40rem}.halves{display:grid;grid-template-columns:1fr 1fr;gap:1.5rem;margin-top:1rem}"
    "td.m{font-weight:700}.gapcol{min-width:13rem;font-size:.85rem}"
    ".top{display:grid;grid-template-columns:minmax(0,22rem) minmax(0,1fr);gap:1.5rem;align-items:start}"
    ".card{background:var(--card);border:1px solid var(--line);border-radius:.6rem;padding:.8rem 1rem}"
    "figure{margin:0}figcaption{color:var(--muted);font-size:.85rem}svg text{font:12px system-ui,sans-serif;"
    "fill:#1d1d1f}"
    "ul.notes{padding-left:1.1rem;margin:.2rem 0}ul.notes li{margin:.25rem 0}"
    ".strength{color:#1f6b35}.gap{color:#7a4b00}.warn{color:#9b1c1c}"
    ".legend{display:flex;flex-wrap:wrap;gap:.35rem .6rem;margin:.6rem 0;font-size:.9rem}"
    ".row{display:grid;grid-template-columns:minmax(0,1fr) 18rem;gap:1.25rem;padding:.5rem 0;"
    "border-top:1px solid var(--line)}"
    ".para{margin:0;overflow-wrap:anywhere}.pn{display:inline-block;min-width:1.8rem;color:var(--muted);"
    "font-size:.8rem;font-weight:700}"
    ".para.question{font-style:italic}.para.heading{font-weight:700}"
    ".para.website{color:var(--muted);text-decoration:line-through}"
    "aside p{margin:0 0 .45rem;font-size:.88rem;padding:.35rem .55rem;border-radius:.4rem;border-left:4px solid}"
    "aside .gap{background:#fff4e0;border-color:#e09a1a}aside .strength{background:#e8f6ec;border-color:#3a9a5b}"
    "aside .struct{background:#eef1fb;border-color:#7d8fd0;color:#2d3a6b}"
    "mark{color:inherit;border-radius:.2rem;padding:0 .1rem}"
    "mark.k-date{background:#cfe3ff}mark.k-figure{background:#c9f0e6}mark.k-person{background:#e7d6ff}"
    "mark.k-event{background:#ffe0b8}mark.k-quotation{background:#ececec;font-style:italic}"
    "mark.k-judgement{background:#d3f5c7}mark.k-counterargument{background:#ffd3d6}"
    "mark.k-causation{background:#fff3a6}mark.k-conclusion{background:#d3f5c7;text-decoration:underline}"
    "mark.k-structure,mark.k-website{background:none;text-decoration:underline dotted}"
    "table{border-collapse:collapse;width:100%;font-size:.92rem}th,td{text-align:left;padding:.35rem .5rem;"
    "border-bottom:1px solid var(--line);vertical-align:top}"
    "th button{font:inherit;font-weight:700;background:none;border:0;padding:0;cursor:pointer;color:inherit}"
    "td.n,th.n{text-align:right}.flag{display:inline-block;font-size:.78rem;background:#ffe3e3;color:#8a1f1f;"
    "border-radius:.3rem;padding:0 .3rem;margin:.05rem}"
    ".scroll{overflow-x:auto}"
    "footer{margin-top:2rem;color:var(--muted);font-size:.8rem}"
    "@media (max-width:760px){.top,.row,.halves{grid-template-columns:1fr}.wrap{padding:.75rem}"
    ".row aside{margin-left:1.8rem}.hide-narrow{display:none}}"
    "@media print{body{font-size:11pt}.wrap{max-width:none;padding:0}.back,.sort-note{display:none}"
    ".row{grid-template-columns:minmax(0,1fr) 14rem;break-inside:avoid}.card{break-inside:avoid}"
    "mark,aside p,.flag{-webkit-print-color-adjust:exact;print-color-adjust:exact}a{color:inherit}}";

static void page_head(hm_buf *b, const char *title)
{
    hm_buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                   "<meta name=\"generator\" content=\"histmark " HM_VERSION_STRING "\">\n<title>");
    esc_s(b, title);
    hm_buf_printf(b, "</title>\n<style>%s</style>\n</head>\n<body>\n<div class=\"wrap\">\n", page_css);
}

static void page_foot(hm_buf *b)
{
    hm_buf_puts(b, "<footer>Marked by histmark " HM_VERSION_STRING
                   ": an automatic estimate against the rubric, for a teacher to check.</footer>\n"
                   "</div>\n</body>\n</html>\n");
}

/* ---- one essay ---- */

static const char *const kind_labels[HM_KIND_COUNT] = {
    "date", "figure", "person", "event or term", "quotation", "judgement",
    "counter-argument", "causation", "conclusion", "structure", "website text"};

static bool inline_kind(hm_kind k)
{
    /* Structure findings span whole sentences or paragraphs: they become
     * notes beside the paragraph instead of highlights. */
    return k != HM_KIND_STRUCTURE && k != HM_KIND_WEBSITE;
}

static void strand_chart(hm_buf *b, const hm_result *r)
{
    size_t n = hm_result_strand_count(r);
    unsigned h = (unsigned)(n * 30 + 26);
    hm_buf_printf(b, "<figure><svg viewBox=\"0 0 400 %u\" width=\"100%%\" role=\"img\" aria-label=\"Strand levels:", h);
    for (size_t i = 0; i < n; i++) {
        const hm_strand *s = hm_result_strand(r, i);
        hm_buf_puts(b, i ? ", " : " ");
        esc_s(b, s->name);
        hm_buf_printf(b, " %d of 5", s->level);
    }
    hm_buf_puts(b, "\" xmlns=\"http://www.w3.org/2000/svg\">\n");
    /* Gridlines at each level, then one bar per strand. */
    for (int l = 0; l <= 5; l++)
        hm_buf_printf(b, "<line x1=\"%d\" y1=\"0\" x2=\"%d\" y2=\"%zu\" stroke=\"#d8d8e0\"/>"
                         "<text x=\"%d\" y=\"%zu\" text-anchor=\"middle\">%d</text>\n",
                      210 + l * 34, 210 + l * 34, n * 30, 210 + l * 34, n * 30 + 16, l);
    for (size_t i = 0; i < n; i++) {
        const hm_strand *s = hm_result_strand(r, i);
        unsigned y = (unsigned)(i * 30);
        static const char *const colours[6] = {"#c44", "#d9822b", "#d9b92b", "#7cae3a", "#3a9a5b", "#2550a0"};
        int lv = s->level < 0 ? 0 : s->level > 5 ? 5 : s->level;
        hm_buf_printf(b, "<text x=\"204\" y=\"%u\" text-anchor=\"end\">", y + 19);
        esc_s(b, s->name);
        hm_buf_printf(b, "</text><rect class=\"bar\" x=\"210\" y=\"%u\" width=\"%d\" height=\"20\" rx=\"3\" "
                         "fill=\"%s\"><title>",
                      y + 5, lv > 0 ? lv * 34 : 2, colours[lv]);
        esc_s(b, s->name);
        hm_buf_printf(b, ": Level %d</title></rect>\n", s->level);
    }
    hm_buf_puts(b, "</svg><figcaption>Each strand's level, out of 5</figcaption></figure>\n");
}

static void note_item(hm_buf *b, const hm_note *n, const char *cls)
{
    hm_buf_printf(b, "<li class=\"%s\">", cls);
    esc_s(b, n->text);
    if (n->paragraph)
        hm_buf_printf(b, " <a href=\"#p%u\">[paragraph %u]</a>", n->paragraph, n->paragraph);
    hm_buf_puts(b, "</li>\n");
}

typedef struct span {
    size_t start, end, index;
} span;

static int by_start(const void *x, const void *y)
{
    const span *a = x, *b = y;
    if (a->start != b->start)
        return a->start < b->start ? -1 : 1;
    if (a->end != b->end)
        return a->end > b->end ? -1 : 1; /* the outer one opens first */
    return a->index < b->index ? -1 : a->index > b->index;
}

/* The text of [from, to) with the findings inside it as nested <mark>s;
 * a finding that crosses another's edge is left out rather than break the
 * nesting. */
static void highlighted(hm_buf *b, const hm_result *r, const char *text, size_t from, size_t to, const span *spans,
                        size_t n_spans)
{
    size_t stack[32], depth = 0, pos = from;
    for (size_t i = 0; i <= n_spans; i++) {
        bool last = i == n_spans;
        size_t s = last ? to : spans[i].start < from ? from : spans[i].start;
        size_t e = last ? to : spans[i].end > to ? to : spans[i].end;
        if (!last && (spans[i].end <= from || spans[i].start >= to || e <= s))
            continue;
        while (depth && stack[depth - 1] <= s) {
            esc(b, text + pos, stack[depth - 1] - pos);
            pos = stack[--depth];
            hm_buf_puts(b, "</mark>");
        }
        if (last)
            break;
        if ((depth && e > stack[depth - 1]) || depth == sizeof stack / sizeof *stack || s < pos)
            continue;
        const hm_finding *f = hm_result_finding(r, spans[i].index);
        esc(b, text + pos, s - pos);
        pos = s;
        hm_buf_printf(b, "<mark class=\"k-%s\" title=\"", hm_kind_name(f->kind));
        esc_s(b, kind_labels[f->kind]);
        hm_buf_puts(b, ": ");
        esc_s(b, f->message);
        if (f->suggestion) {
            hm_buf_puts(b, " (did you mean ");
            esc_s(b, f->suggestion);
            hm_buf_puts(b, "?)");
        } else if (f->canonical) {
            hm_buf_puts(b, " (");
            esc_s(b, f->canonical);
            hm_buf_puts(b, ")");
        }
        hm_buf_puts(b, "\">");
        stack[depth++] = e;
    }
    esc(b, text + pos, to - pos);
}

static void quote_words(hm_buf *b, const char *text, size_t start, size_t end)
{
    size_t n = end - start;
    if (n > 60) {
        n = 60;
        while (n && ((unsigned char)text[start + n] & 0xC0) == 0x80)
            n--;
    }
    hm_buf_puts(b, " &ldquo;");
    esc(b, text + start, n);
    hm_buf_puts(b, n < end - start ? "&hellip;&rdquo;" : "&rdquo;");
}

int hm_render_html(const hm_result *r, unsigned flags, hm_write_fn write, void *ud)
{
    hm_buf b = {0};
    size_t len;
    const char *text = hm_result_text(r, &len);
    hm_buf title = {0};
    hm_buf_printf(&title, "%s: %d/%d", hm_result_name(r), hm_result_mark(r), hm_result_out_of(r));
    page_head(&b, title.data);
    hm_buf_free(&title);

    hm_buf_puts(&b, "<header>\n");
    if (flags & HM_RENDER_HTML_INDEX_LINK)
        hm_buf_puts(&b, "<p class=\"back\"><a href=\"../index.html\">&larr; All essays</a></p>\n");
    hm_buf_puts(&b, "<h1>");
    esc_s(&b, hm_result_name(r));
    hm_buf_puts(&b, "</h1>\n<p class=\"mark\" id=\"mark\">");
    if (hm_result_level(r) > 0)
        hm_buf_printf(&b, "Mark: %d/%d, Level %d (%s marks)", hm_result_mark(r), hm_result_out_of(r),
                      hm_result_level(r), hm_result_band(r));
    else
        hm_buf_printf(&b, "Mark: 0/%d (nothing that can be rewarded yet)", hm_result_out_of(r));
    hm_buf_puts(&b, "</p>\n<p class=\"question\">");
    if (hm_result_question(r)) {
        hm_buf_puts(&b, "Question: ");
        esc_s(&b, hm_result_question(r));
    } else {
        hm_buf_puts(&b, "No question found (put it on the first line, or use --question)");
    }
    hm_buf_printf(&b, "</p>\n<p class=\"meta\">%u words in %u paragraph%s", hm_result_words(r),
                  hm_result_essay_paragraphs(r), hm_result_essay_paragraphs(r) == 1 ? "" : "s");
    if (hm_result_topic(r)) {
        hm_buf_puts(&b, " &middot; Topic: ");
        esc_s(&b, hm_result_topic_name(r));
    }
    hm_buf_puts(&b, "</p>\n</header>\n");

    /* The chart and the feedback lists. */
    hm_buf_puts(&b, "<section class=\"top\">\n<div class=\"card\">\n<h2>Strands</h2>\n");
    strand_chart(&b, r);
    hm_buf_puts(&b, "</div>\n<div class=\"card\">\n");
    if (hm_result_strength_count(r)) {
        hm_buf_puts(&b, "<h2>What earned marks</h2>\n<ul class=\"notes\">\n");
        for (size_t i = 0; i < hm_result_strength_count(r); i++)
            note_item(&b, hm_result_strength(r, i), "strength");
        hm_buf_puts(&b, "</ul>\n");
    }
    if (hm_result_gap_count(r)) {
        hm_buf_puts(&b, "<h2>What would raise the mark</h2>\n<ul class=\"notes\">\n");
        for (size_t i = 0; i < hm_result_gap_count(r); i++)
            note_item(&b, hm_result_gap(r, i), "gap");
        hm_buf_puts(&b, "</ul>\n");
    }
    if (hm_result_warning_count(r)) {
        hm_buf_puts(&b, "<h2>Warnings</h2>\n<ul class=\"notes\">\n");
        for (size_t i = 0; i < hm_result_warning_count(r); i++) {
            const hm_warning *w = hm_result_warning(r, i);
            hm_buf_puts(&b, "<li class=\"warn\"><strong>");
            esc_s(&b, w->code);
            hm_buf_puts(&b, "</strong>: ");
            esc_s(&b, w->message);
            hm_buf_puts(&b, "</li>\n");
        }
        hm_buf_puts(&b, "</ul>\n");
    }
    hm_buf_puts(&b, "</div>\n</section>\n");

    /* The legend: only the kinds that are highlighted. */
    hm_buf_puts(&b, "<h2>The essay</h2>\n<div class=\"legend\" aria-label=\"Key to the highlights\">");
    for (int k = 0; k < HM_KIND_COUNT; k++)
        if (inline_kind((hm_kind)k)) {
            hm_buf_printf(&b, "<mark class=\"k-%s\">", hm_kind_name((hm_kind)k));
            esc_s(&b, kind_labels[k]);
            hm_buf_puts(&b, "</mark>");
        }
    hm_buf_puts(&b, "</div>\n<main>\n");

    size_t nf = hm_result_finding_count(r), n_spans = 0;
    span *spans = hm_xcalloc(nf + 1, sizeof *spans);
    for (size_t i = 0; i < nf; i++) {
        const hm_finding *f = hm_result_finding(r, i);
        if (inline_kind(f->kind) && f->end > f->start && f->end <= len)
            spans[n_spans++] = (span){f->start, f->end, i};
    }
    qsort(spans, n_spans, sizeof *spans, by_start);

    for (size_t p = 0; p < hm_result_paragraph_count(r); p++) {
        const hm_paragraph *para = hm_result_paragraph(r, p);
        if (para->end <= para->start || para->end > len)
            continue;
        static const char *const cls[] = {"body", "question", "heading", "item", "website"};
        hm_buf_printf(&b, "<div class=\"row\"><p class=\"para %s\"", cls[para->kind <= HM_PARA_WEBSITE ? para->kind : 0]);
        if (para->number)
            hm_buf_printf(&b, " id=\"p%u\"><span class=\"pn\">%u</span>", para->number, para->number);
        else
            hm_buf_puts(&b, ">");
        size_t first = 0; /* spans are sorted: skip those that end before */
        while (first < n_spans && spans[first].end <= para->start)
            first++;
        highlighted(&b, r, text, para->start, para->end, spans + first, n_spans - first);
        hm_buf_puts(&b, "</p><aside>");
        if (para->kind == HM_PARA_WEBSITE)
            hm_buf_puts(&b, "<p class=\"struct\">Text from an essay website: kept out of the mark.</p>");
        if (para->number) {
            for (size_t i = 0; i < hm_result_gap_count(r); i++) {
                const hm_note *n = hm_result_gap(r, i);
                if (n->paragraph != para->number)
                    continue;
                hm_buf_puts(&b, "<p class=\"gap\">");
                esc_s(&b, n->text);
                hm_buf_puts(&b, "</p>");
            }
            for (size_t i = 0; i < hm_result_strength_count(r); i++) {
                const hm_note *n = hm_result_strength(r, i);
                if (n->paragraph != para->number)
                    continue;
                hm_buf_puts(&b, "<p class=\"strength\">");
                esc_s(&b, n->text);
                hm_buf_puts(&b, "</p>");
            }
            for (size_t i = 0; i < nf; i++) {
                const hm_finding *f = hm_result_finding(r, i);
                if (f->kind != HM_KIND_STRUCTURE || f->start < para->start || f->start >= para->end)
                    continue;
                hm_buf_puts(&b, "<p class=\"struct\">");
                esc_s(&b, f->message);
                if (f->end > f->start && f->end <= len)
                    quote_words(&b, text, f->start, f->end);
                hm_buf_puts(&b, "</p>");
            }
        }
        hm_buf_puts(&b, "</aside></div>\n");
    }
    free(spans);
    hm_buf_puts(&b, "</main>\n");
    page_foot(&b);
    int rc = write(b.data, b.len, ud);
    hm_buf_free(&b);
    return rc;
}

/* ---- the class overview ---- */

static void histogram(hm_buf *b, const hm_summary *s)
{
    int out_of = s->out_of > 0 ? s->out_of : 20;
    size_t *count = hm_xcalloc((size_t)out_of + 1, sizeof *count), most = 1;
    for (size_t i = 0; i < s->n_rows; i++)
        if (s->rows[i].mark >= 0 && s->rows[i].mark <= out_of)
            most = ++count[s->rows[i].mark] > most ? count[s->rows[i].mark] : most;
    const unsigned w = 24, top = 14, plot = 140, left = 30;
    unsigned width = left + (unsigned)(out_of + 1) * w + 10;
    hm_buf_printf(b, "<figure><svg id=\"histogram\" viewBox=\"0 0 %u %u\" width=\"100%%\" role=\"img\" "
                     "aria-label=\"Number of essays at each mark\" xmlns=\"http://www.w3.org/2000/svg\">\n",
                  width, top + plot + 40);
    hm_buf_printf(b, "<line x1=\"%u\" y1=\"%u\" x2=\"%u\" y2=\"%u\" stroke=\"#5a5a66\"/>\n", left, top + plot,
                  width - 10, top + plot);
    for (int m = 0; m <= out_of; m++) {
        unsigned x = left + (unsigned)m * w;
        unsigned hgt = (unsigned)(count[m] * plot / most);
        if (count[m]) {
            hm_buf_printf(b, "<rect class=\"bar\" x=\"%u\" y=\"%u\" width=\"%u\" height=\"%u\" fill=\"#2550a0\">"
                             "<title>%zu essay%s at mark %d</title></rect>",
                          x + 2, top + plot - hgt, w - 4, hgt, count[m], count[m] == 1 ? "" : "s", m);
            hm_buf_printf(b, "<text x=\"%u\" y=\"%u\" text-anchor=\"middle\">%zu</text>", x + w / 2,
                          top + plot - hgt - 3, count[m]);
        }
        hm_buf_printf(b, "<text x=\"%u\" y=\"%u\" text-anchor=\"middle\">%d</text>\n", x + w / 2, top + plot + 15, m);
    }
    hm_buf_printf(b, "<text x=\"%u\" y=\"%u\" text-anchor=\"middle\">Mark</text>\n", width / 2, top + plot + 34);
    hm_buf_puts(b, "</svg><figcaption>Number of essays at each mark</figcaption></figure>\n");
    free(count);
}

/* The folder all the essays share ("/home/t/class/"): names are shown
 * without it, so the table shows what tells essays apart. */
static size_t common_folder(const hm_summary *s, hm_buf *first)
{
    if (!s->n_rows)
        return 0;
    hm_summary_file(s, 0, first);
    size_t n = first->len;
    hm_buf file = {0};
    for (size_t i = 1; i < s->n_rows; i++) {
        hm_summary_file(s, i, &file);
        size_t k = 0;
        while (k < n && first->data[k] == file.data[k])
            k++;
        n = k;
    }
    hm_buf_free(&file);
    while (n && first->data[n - 1] != '/')
        n--;
    return n;
}

/* What the overview shows of the essays' names: without the folder they
 * all share (`first` is the first essay's name). */
typedef struct names_cut {
    hm_buf first;
    size_t cut;
    hm_buf file, page;       /* scratch */
} names_cut;

/* A file's name without the shared folder. */
static const char *shown(const names_cut *nc, const char *file)
{
    size_t cut = nc->cut;
    return cut && strlen(file) > cut && strncmp(file, nc->first.data, cut) == 0 ? file + cut : file;
}

static void essay_link(hm_buf *b, const hm_summary *s, size_t row, names_cut *nc)
{
    const char *file = hm_summary_file(s, row, &nc->file), *page = hm_summary_page(s, row, &nc->page);
    if (page) {
        hm_buf_puts(b, "<a href=\"");
        esc_s(b, page);
        hm_buf_puts(b, "\" title=\"");
        esc_s(b, file);
        hm_buf_puts(b, "\">");
        esc_s(b, shown(nc, file));
        hm_buf_puts(b, "</a>");
    } else {
        esc_s(b, shown(nc, file));
    }
}

static int link_list(hm_buf *b, const hm_summary *s, const uint32_t *rows, size_t n, names_cut *nc,
                     hm_write_fn write, void *ud)
{
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (i)
            hm_buf_puts(b, ", ");
        essay_link(b, s, rows[i], nc);
        rc = hm_flush_some(b, write, ud);
    }
    return rc;
}

/* Sorting by a column: numbers compare as numbers, ties keep batch order.
 * On load the table is sorted by mark, highest first. */
static const char *const table_js =
    "(function(){var t=document.getElementById('essays');if(!t)return;var body=t.tBodies[0];"
    "var heads=t.tHead.rows[0].cells;"
    "function val(row,c){return row.cells[c].getAttribute('data-v')||row.cells[c].textContent;}"
    "function sortBy(c,dir){var rows=Array.prototype.slice.call(body.rows);"
    "rows.sort(function(x,y){var a=val(x,c),z=val(y,c),d=parseFloat(a)-parseFloat(z);"
    "if(isNaN(d))d=a<z?-1:a>z?1:0;return dir*d||x.getAttribute('data-i')-y.getAttribute('data-i');});"
    "rows.forEach(function(r){body.appendChild(r);});"
    "for(var i=0;i<heads.length;i++)heads[i].removeAttribute('aria-sort');"
    "heads[c].setAttribute('aria-sort',dir>0?'ascending':'descending');}"
    "Array.prototype.forEach.call(heads,function(h,c){var dir=h.classList.contains('n')?1:-1;"
    "var btn=h.querySelector('button');if(btn)btn.addEventListener('click',function(){dir=-dir;sortBy(c,dir);});});"
    "var markCol=+t.getAttribute('data-mark-col');sortBy(markCol,-1);"
    "var n=document.getElementById('count');if(n)n.textContent=body.rows.length+' essay'+"
    "(body.rows.length==1?'':'s')+', highest mark first';})();";

int hm_summary_render_html(const hm_summary *s, hm_write_fn write, void *ud)
{
    hm_buf b = {0};
    names_cut nc = {{0}, 0, {0}, {0}};
    nc.cut = common_folder(s, &nc.first);
    int rc = 0;
    page_head(&b, "Class overview");
    hm_buf_printf(&b, "<header>\n<h1>Class overview</h1>\n<p class=\"meta\">%zu essay%s marked", s->n_rows,
                  s->n_rows == 1 ? "" : "s");
    if (s->n_failures)
        hm_buf_printf(&b, ", %zu could not be read", s->n_failures);
    if (s->n_rows) {
        double sum = 0;
        for (size_t i = 0; i < s->n_rows; i++)
            sum += s->rows[i].mark;
        hm_buf_printf(&b, " &middot; mean mark %.1f/%d", sum / (double)s->n_rows, s->out_of);
    }
    hm_buf_puts(&b, "</p>\n</header>\n");

    hm_buf_puts(&b, "<div class=\"card\">\n<h2>Marks</h2>\n<div class=\"hist\">");
    histogram(&b, s);
    hm_buf_puts(&b, "</div>");
    size_t levels[6] = {0};
    for (size_t i = 0; i < s->n_rows; i++)
        levels[s->rows[i].level >= 0 && s->rows[i].level <= 5 ? s->rows[i].level : 0]++;
    hm_buf_puts(&b, "<p class=\"meta\">");
    for (int l = 5; l >= 1; l--)
        hm_buf_printf(&b, "Level %d: %zu%s", l, levels[l], l > 1 ? " &middot; " : "");
    if (levels[0])
        hm_buf_printf(&b, " &middot; no mark: %zu", levels[0]);
    hm_buf_puts(&b, "</p>\n</div>\n<section class=\"halves\">\n<div class=\"card\">\n");

    const hm_gap_group **g = hm_summary_sorted_gaps(s);
    uint32_t *rows = hm_xcalloc(s->n_rows + 1, sizeof *rows);
    hm_buf_puts(&b, "<h2>Most common gaps</h2>\n");
    if (!s->n_gaps)
        hm_buf_puts(&b, "<p>None.</p>\n");
    hm_buf_puts(&b, "<ul class=\"notes\" id=\"gaps\">\n");
    for (size_t i = 0; i < s->n_gaps && i < 8; i++) {
        hm_buf_printf(&b, "<li><strong>%zu essay%s</strong>: ", g[i]->n_rows, g[i]->n_rows == 1 ? "" : "s");
        esc_s(&b, g[i]->label);
        if (g[i]->strands) {
            hm_buf_puts(&b, " <span class=\"meta\">(");
            esc_s(&b, g[i]->strands);
            hm_buf_puts(&b, ")</span>");
        }
        hm_buf_puts(&b, "<br><small>");
        if (rc == 0)
            rc = link_list(&b, s, rows, hm_gap_rows(s, g[i], rows), &nc, write, ud);
        hm_buf_puts(&b, "</small></li>\n");
    }
    hm_buf_puts(&b, "</ul>\n</div>\n<div class=\"card\">\n");
    free(g);

    bool any = false;
    for (unsigned k = 0; k < HM_LOOK_COUNT; k++) {
        size_t n = hm_summary_rows_with(s, k, rows);
        if (!n)
            continue;
        if (!any)
            hm_buf_puts(&b, "<h2>Essays that need a look</h2>\n<ul class=\"notes\">\n");
        any = true;
        hm_buf_puts(&b, "<li><strong>");
        esc_s(&b, hm_look_label(1u << k));
        hm_buf_puts(&b, "</strong>: ");
        if (rc == 0)
            rc = link_list(&b, s, rows, n, &nc, write, ud);
        hm_buf_puts(&b, "</li>\n");
    }
    free(rows);
    if (any)
        hm_buf_puts(&b, "</ul>\n");
    else
        hm_buf_puts(&b, "<h2>Essays that need a look</h2>\n<p>None stands out.</p>\n");
    hm_buf_puts(&b, "</div>\n</section>\n");

    if (s->n_copies) {
        hm_buf_puts(&b, "<h2>Possible copying</h2>\n<div class=\"scroll\"><table id=\"copies\">\n"
                        "<thead><tr><th>Essays</th><th class=\"n\">Shared</th><th>A passage they share</th></tr>"
                        "</thead>\n<tbody>\n");
        for (size_t i = 0; i < s->n_copies; i++) {
            hm_buf_puts(&b, "<tr><td>");
            esc_s(&b, shown(&nc, s->copies[i].a));
            hm_buf_puts(&b, " and ");
            esc_s(&b, shown(&nc, s->copies[i].b));
            hm_buf_printf(&b, "</td><td class=\"n\">%.0f%%</td><td>&ldquo;", s->copies[i].share * 100);
            esc_s(&b, s->copies[i].passage);
            hm_buf_puts(&b, "&rdquo;</td></tr>\n");
        }
        hm_buf_puts(&b, "</tbody></table></div>\n");
        if (s->all_copies > s->n_copies)
            hm_buf_printf(&b, "<p class=\"meta\">And %zu more pairs with smaller shares.</p>\n",
                          s->all_copies - s->n_copies);
    }

    size_t mark_col = 2;
    hm_buf_printf(&b, "<h2>Essays</h2>\n<p class=\"meta sort-note\" id=\"count\">%zu essays in folder order</p>\n"
                      "<div class=\"scroll\"><table id=\"essays\" data-mark-col=\"%zu\">\n<thead><tr>"
                      "<th><button type=\"button\">Essay</button></th>"
                      "<th class=\"n\"><button type=\"button\">Words</button></th>"
                      "<th class=\"n\"><button type=\"button\">Mark</button></th>"
                      "<th class=\"n\"><button type=\"button\">Level</button></th>",
                  s->n_rows, mark_col);
    for (size_t i = 0; i < s->n_strands; i++) {
        hm_buf_puts(&b, "<th class=\"n hide-narrow\"><button type=\"button\">");
        esc_s(&b, s->strand_names[i]);
        hm_buf_puts(&b, "</button></th>");
    }
    hm_buf_puts(&b, "<th class=\"hide-narrow gapcol\">Main gap</th><th>Flags</th></tr></thead>\n<tbody>\n");
    hm_buf gap = {0};
    for (size_t i = 0; i < s->n_rows && rc == 0; i++) {
        const hm_summary_row *row = &s->rows[i];
        hm_buf_printf(&b, "<tr data-i=\"%zu\"><td data-v=\"", i);
        esc_s(&b, hm_summary_file(s, i, &nc.file));
        hm_buf_puts(&b, "\">");
        essay_link(&b, s, i, &nc);
        hm_buf_printf(&b, "</td><td class=\"n\" data-v=\"%u\">%u</td><td class=\"n m\" data-v=\"%d\">%d</td>"
                          "<td class=\"n\" data-v=\"%d\">%d</td>",
                      row->words, row->words, row->mark, row->mark, row->level, row->level);
        for (size_t k = 0; k < s->n_strands; k++)
            hm_buf_printf(&b, "<td class=\"n hide-narrow\" data-v=\"%d\">%d</td>", hm_summary_strand_level(s, i, k),
                          hm_summary_strand_level(s, i, k));
        hm_buf_puts(&b, "<td class=\"hide-narrow gapcol\">");
        esc_s(&b, hm_summary_main_gap(s, i, &gap));
        hm_buf_puts(&b, "</td><td>");
        for (unsigned k = 0; k < HM_LOOK_COUNT; k++)
            if (row->flags & (1u << k)) {
                hm_buf_puts(&b, "<span class=\"flag\">");
                esc_s(&b, hm_look_label(1u << k));
                hm_buf_puts(&b, "</span>");
            }
        hm_buf_puts(&b, "</td></tr>\n");
        rc = hm_flush_some(&b, write, ud);
    }
    hm_buf_free(&gap);
    hm_buf_puts(&b, "</tbody></table></div>\n");
    if (s->n_failures) {
        hm_buf_puts(&b, "<h2>Could not be read</h2>\n<ul class=\"notes\">\n");
        for (size_t i = 0; i < s->n_failures; i++) {
            hm_buf_puts(&b, "<li>");
            esc_s(&b, s->failures[i].file);
            hm_buf_puts(&b, ": ");
            esc_s(&b, s->failures[i].message);
            hm_buf_puts(&b, "</li>\n");
        }
        hm_buf_puts(&b, "</ul>\n");
    }
    hm_buf_printf(&b, "<script>%s</script>\n", table_js);
    page_foot(&b);
    if (rc == 0)
        rc = write(b.data, b.len, ud);
    hm_buf_free(&b);
    hm_buf_free(&nc.first);
    hm_buf_free(&nc.file);
    hm_buf_free(&nc.page);
    return rc;
}
