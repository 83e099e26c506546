/*
 * lex.h — the Rego scanner: turns source bytes into tokens, one at a time.
 *
 * It reproduces the behaviour of OPA's scanner (v1/ast/internal/scanner)
 * token for token, because the parser's error messages and locations are
 * defined in terms of it: whitespace is returned as one token per character
 * (the parser decides where a newline ends an expression), comments are
 * tokens, positions are OPA's (1-based line; column counted in code points,
 * the newline character itself sits at column 0 of the next line, and the
 * end-of-file token sits on the last character), and scanner errors ride on
 * the token that was being scanned when the bad byte was read.
 *
 * Ownership: the lexer borrows the source; tokens are offsets into it.  The
 * lexer is a small plain struct: copying it saves the scan position (the
 * parser backtracks this way).  No allocation, no globals.
 */
#ifndef RAMPART_REGO_LEX_H
#define RAMPART_REGO_LEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Token kinds, in OPA's order; rego_tok_name gives OPA's spelling, which is
 * what error messages print ("unexpected eq token"). */
typedef enum {
    REGO_TOK_ILLEGAL = 0,
    REGO_TOK_EOF,
    REGO_TOK_WS,
    REGO_TOK_IDENT,
    REGO_TOK_COMMENT,
    /* keywords of every version */
    REGO_TOK_PACKAGE,
    REGO_TOK_IMPORT,
    REGO_TOK_AS,
    REGO_TOK_DEFAULT,
    REGO_TOK_ELSE,
    REGO_TOK_NOT,
    REGO_TOK_SOME,
    REGO_TOK_WITH,
    REGO_TOK_NULL,
    REGO_TOK_TRUE,
    REGO_TOK_FALSE,
    /* literals and punctuation */
    REGO_TOK_NUMBER,
    REGO_TOK_STRING,
    /* Template strings (OPA 1.12): the text of `$"...` or `$`...` up to and
     * including the `{` that opens an expression (PART) or the closing
     * quote (END).  After the expression's `}`, the parser asks for the
     * next piece with rego_lex_scan_template; that token starts right after
     * the `}`. */
    REGO_TOK_TEMPLATE_PART,
    REGO_TOK_TEMPLATE_END,
    REGO_TOK_RAW_TEMPLATE_PART,
    REGO_TOK_RAW_TEMPLATE_END,
    REGO_TOK_LBRACK,
    REGO_TOK_RBRACK,
    REGO_TOK_LBRACE,
    REGO_TOK_RBRACE,
    REGO_TOK_LPAREN,
    REGO_TOK_RPAREN,
    REGO_TOK_COMMA,
    REGO_TOK_COLON,
    /* operators */
    REGO_TOK_ADD,
    REGO_TOK_SUB,
    REGO_TOK_MUL,
    REGO_TOK_QUO,
    REGO_TOK_REM,
    REGO_TOK_AND,
    REGO_TOK_OR,
    REGO_TOK_UNIFY,
    REGO_TOK_EQUAL,
    REGO_TOK_ASSIGN,
    REGO_TOK_IN,
    REGO_TOK_NEQ,
    REGO_TOK_GT,
    REGO_TOK_LT,
    REGO_TOK_GTE,
    REGO_TOK_LTE,
    REGO_TOK_DOT,
    REGO_TOK_SEMICOLON,
    /* "future" keywords: keywords only when enabled (v1, or v0 imports) */
    REGO_TOK_EVERY,
    REGO_TOK_CONTAINS,
    REGO_TOK_IF,
} rego_tok_kind;

/* Bits of rego_lexer.kw: which future keywords the scanner recognises. */
enum {
    REGO_KW_IN = 1u << 0,
    REGO_KW_EVERY = 1u << 1,
    REGO_KW_CONTAINS = 1u << 2,
    REGO_KW_IF = 1u << 3,
    REGO_KW_ALL = 0xFu,
};

typedef struct {
    uint8_t kind;      /* rego_tok_kind */
    uint32_t off, end; /* the token's bytes: src[off, end) */
    uint32_t line, col;/* OPA's position of the token (see the file comment) */
    const char *err;   /* first scanner error met while scanning it, or NULL */
} rego_token;

typedef struct {
    const char *src;
    uint32_t n;
    uint32_t pos;      /* offset of the current character (n at the end) */
    int32_t curr;      /* current code point; -1 at the end */
    uint8_t width;     /* bytes of the current character */
    uint8_t kw;        /* REGO_KW_* bits */
    uint32_t line, col;/* position of the current character */
    const char *err;   /* pending error for the token being scanned */
} rego_lexer;

/* Starts scanning src[0..n) (n < 4 GiB; callers enforce REGO_SOURCE_MAX_BYTES).
 * A leading byte-order mark is skipped. */
void rego_lex_init(rego_lexer *lx, const char *src, size_t n, unsigned kw);

/* Scans the next token (whitespace and comments included) into *t. */
void rego_lex_scan(rego_lexer *lx, rego_token *t);

/* Scans the next piece of a template string whose expression just ended
 * with `}` (raw: the backquoted form): a TEMPLATE_PART or TEMPLATE_END token
 * (RAW_* when raw), positioned at the character after the `}`. */
void rego_lex_scan_template(rego_lexer *lx, rego_token *t, bool raw);

/* The keyword token for s[0..n) under the enabled future keywords, or
 * REGO_TOK_IDENT. */
rego_tok_kind rego_lex_keyword(const char *s, size_t n, unsigned kw);

/* OPA's name for a token kind: "ident", "eof", "[", "eq", "in", ... */
const char *rego_tok_name(rego_tok_kind k);

/* True for keyword tokens (OPA says "unexpected else keyword" for these and
 * "unexpected } token" for the rest). */
bool rego_tok_is_keyword(rego_tok_kind k);

#endif
