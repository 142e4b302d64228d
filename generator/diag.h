/* diag: the one place that collects and prints diagnostics (errors, warnings, notes).
 * In: located messages from every stage. Out: "FILE:LINE:COL: error: msg" with source and caret. */
#ifndef PD_DIAG_H
#define PD_DIAG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum pd_severity { PD_NOTE, PD_WARNING, PD_ERROR };

/* A place in an input file: 1-based line and column (column counts characters).
 * file points to a string that lives as long as the process (see diag_intern). */
struct pd_loc {
	const char *file;
	int line, col;
};

struct pd_diag {
	enum pd_severity sev;
	struct pd_loc loc;
	char *rule; /* "R-chain" or NULL; printed as "[R-chain] " before the message */
	char *msg;
	char *context; /* extra lines printed after the caret ("in partial ..."), or NULL */
};

/* Where diagnostics find the file names they point to and the texts they quote: interned
 * names (each kept until the store is freed) and the sources registered. A session keeps
 * one for the process and gives it to its lists. */
struct pd_diag_store;
struct pd_diag_store *diag_store_new(void);
void diag_store_free(struct pd_diag_store *st);
/* A copy of name that lives as long as the store: use it for pd_loc.file. */
const char *diag_store_intern(struct pd_diag_store *st, const char *name);
/* Remembers the text of an input so that diag_print can quote its lines; the text must
 * stay valid until the store is freed or diag_store_forget is called. */
void diag_store_source(struct pd_diag_store *st, const char *file, const char *text, size_t len);
void diag_store_forget(struct pd_diag_store *st, const char *file);

/* The list owns its messages (diag_clear frees them). store is the store of the names and
 * sources its diagnostics use; a list without one makes its own on first need, which
 * diag_clear frees (with the names interned in it). diag_clear keeps a store it was given. */
struct pd_diags {
	struct pd_diag *v;
	size_t n, cap;
	int errors, warnings;
	struct pd_diag_store *store;
	bool own_store;
};

void diag_add(struct pd_diags *d, enum pd_severity sev, struct pd_loc loc, const char *rule,
	      const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void diag_vadd(struct pd_diags *d, enum pd_severity sev, struct pd_loc loc, const char *rule,
	       const char *fmt, va_list ap);
void diag_error(struct pd_diags *d, struct pd_loc loc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void diag_warn(struct pd_diags *d, struct pd_loc loc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Appends a line of context to the last diagnostic. */
void diag_context(struct pd_diags *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Adds a copy of every diagnostic of src (with its context) to the end of dst: the
 * diagnostics of something read once (the house style, the level table, a template) are
 * repeated for every document that uses it. */
void diag_copy(struct pd_diags *dst, const struct pd_diags *src);
void diag_copy_one(struct pd_diags *dst, const struct pd_diag *g);
void diag_print(const struct pd_diags *d, FILE *f);
/* --format=json: one object a line, {"file", "line", "column", "severity", "rule" (or
 * null), "message"}; diag_json_array appends them to b as one JSON array. */
void diag_print_json(const struct pd_diags *d, FILE *f);
struct pd_buf;
void diag_json_array(struct pd_buf *b, const struct pd_diags *d);
/* Prints s and a newline with C0 and C1 control characters, DEL and bytes that are not
 * UTF-8 escaped (\x1B, \u0085): text from input never reaches a terminal raw. */
void diag_put_text(const char *s, FILE *f);
/* The same for a formatted line (no newline in fmt: one is added). */
void diag_line(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void diag_clear(struct pd_diags *d);

/* diag_store_intern and diag_store_source on the list's store. */
const char *diag_intern(struct pd_diags *d, const char *name);
void diag_source(struct pd_diags *d, const char *file, const char *text, size_t len);

/* Converts a byte offset into 1-based line and column (columns count UTF-8 characters). */
struct pd_loc diag_loc_at(const char *file, const char *text, size_t len, size_t offset);

/* Edit distance (a swap of neighbouring letters counts one), for "did you mean". */
size_t diag_distance(const char *a, const char *b);
/* The candidate nearest to name (NULL when none is close enough: within len / 3 + 2
 * edits, or 1 edit for a name of 1 or 2 bytes). */
const char *diag_nearest(const char *name, const char *const *candidates, size_t n);
/* " (did you mean 'NEAREST'?)", NEAREST in the quote given, or "" when no candidate is
 * near: the one way a message suggests a name. Use .text within the message's call. */
struct pd_suggestion {
	char text[160];
};
struct pd_suggestion diag_did_you_mean(const char *name, const char *const *candidates,
				       size_t n, char quote);

#endif
