/* Document: the essay as paragraphs, sentences and words, with byte spans
 * into the source text. Finds the question line, headings and list items,
 * and undoes hard wrapping (text pasted from a PDF). */
#ifndef HM_DOCUMENT_H
#define HM_DOCUMENT_H

#include "lists.h"
#include "source.h"

typedef struct hm_para {
    hm_para_kind kind;
    unsigned number;          /* 1-based among essay paragraphs, else 0 */
    size_t start, end;        /* trimmed of surrounding white space */
    unsigned line;
    unsigned words;           /* its words are words[first_word, first_word + words) */
    size_t first_word;
    size_t first_sentence, n_sentences;
    bool asks;                /* a line ending in '?' (notes are full of them) */
} hm_para;

typedef struct hm_sentence {
    size_t start, end;
    size_t para;              /* index into paras */
} hm_sentence;

typedef struct hm_word {
    size_t start;
    /* The word's leading run of ASCII letters and digits, [start, ascii_end),
     * and its hm_hash_bytes with case folded (util.h): the phrase pass and
     * the topic keyword lookup take it instead of hashing the word again. */
    uint64_t ascii_hash;
    /* 32 bits (hm_document_build takes no text over 4 GiB): 24 bytes a
     * word, not 32, for the array find_words writes and every stage after
     * it reads. start stays a size_t: measure.c reads it as one. */
    uint32_t end, ascii_end;
} hm_word;

typedef struct hm_document {
    const hm_source *src;
    hm_para *paras;
    size_t n_paras, cap_paras;
    hm_sentence *sents;
    size_t n_sents, cap_sents;
    hm_word *words;
    size_t n_words, cap_words;
    /* The words that open with an ASCII capital or a byte above 0x7F (which
     * may start a capital): indices into words, in order. Names look for a
     * word written with a capital among these, not among all. */
    size_t *capitals;
    size_t n_capitals, cap_capitals;
    size_t question;          /* index of the question paragraph, or SIZE_MAX */
    bool hard_wrapped;
    unsigned wrap_width;      /* code points, when hard wrapped */
} hm_document;

void hm_document_build(hm_document *doc, const hm_source *src, const hm_lists *lists);
void hm_document_free(hm_document *doc);

/* Renumbers essay paragraphs and recounts words after paragraphs have been
 * reclassified (website text found by the rules). */
void hm_document_renumber(hm_document *doc);

/* The paragraph or sentence holding a byte offset, or SIZE_MAX. */
size_t hm_document_para_at(const hm_document *doc, size_t offset);
size_t hm_document_sentence_at(const hm_document *doc, size_t offset);
/* The same answers for offsets that mostly rise (findings in order): *hint,
 * 0 at first, keeps where the last answer was found and the search goes on
 * from there; an offset below it searches afresh. Most offsets are in the
 * hint's span still, or in the next: those tests are inline, the search
 * (..._seek) is not. */
size_t hm_document_para_seek(const hm_document *doc, size_t offset, size_t *hint);
size_t hm_document_sentence_seek(const hm_document *doc, size_t offset, size_t *hint);

/* Their inline half: the span at *hint, or the one after it, when it
 * holds offset; else what `seek` gives. */
#define HM_SPAN_HINTED(arr, n, offset, hint, seek)                                      \
    do {                                                                                \
        size_t h_ = *(hint);                                                            \
        /* start <= offset < end as one unsigned compare: one branch, not two */        \
        if (h_ < (n) && (offset) - (arr)[h_].start < (arr)[h_].end - (arr)[h_].start)   \
            return h_;                                                                  \
        /* or the next: offsets in order go on span by span */                          \
        if (h_ + 1 < (n) && (offset) - (arr)[h_ + 1].start < (arr)[h_ + 1].end - (arr)[h_ + 1].start) \
            return *(hint) = h_ + 1;                                                    \
        return (seek);                                                                  \
    } while (0)

static inline size_t hm_document_para_next(const hm_document *doc, size_t offset, size_t *hint)
{
    HM_SPAN_HINTED(doc->paras, doc->n_paras, offset, hint, hm_document_para_seek(doc, offset, hint));
}

static inline size_t hm_document_sentence_next(const hm_document *doc, size_t offset, size_t *hint)
{
    HM_SPAN_HINTED(doc->sents, doc->n_sents, offset, hint, hm_document_sentence_seek(doc, offset, hint));
}

/* True when a paragraph's text starts with one of the discourse markers. */
bool hm_starts_with_marker(const char *s, size_t len, const hm_list *markers);

#endif
