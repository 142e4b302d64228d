/* doc: one document from one case: case file -> rules -> template -> Markdown -> PDF.
 * In: a request (case, level, document, output). Out: a PDF written atomically and a result. */
#ifndef PD_DOC_H
#define PD_DOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "diag.h"
#include "value.h"

struct pd_doc_request {
	const char *case_path;
	const char *level;            /* "fod", "opla-hq", ... */
	const char *document;         /* "letter" or "memo" */
	const char *out;              /* a file, a directory (ending in '/' or existing), or NULL: cwd */
	const struct pd_value *defaults; /* docket defaults, merged under the case; may be NULL */
	bool check_only;              /* run every check, the layout's too; write nothing */
	bool skip_if_newer;           /* leave an output newer than all its inputs alone */
	long long inputs_mtime;       /* newest docket time in ns, for skip_if_newer */
	const char *dump;             /* "md": print the generated Markdown instead of a PDF */
	const char *template_name;    /* NULL: the case's own template for document and level */
	/* Adds to the data the template sees (the packet's stamp ranges); may be NULL. */
	void (*amend)(struct pd_arena *arena, struct pd_value *ctx, void *arg);
	void *amend_arg;
	const char *parts_dir;        /* packet: also each document and tab, stamped, as a PDF of
				       * its own there (NN-letter.pdf, NN-memo.pdf, NN-tab-C.pdf) */
};

/* Filled by doc_make; strings are owned by the result (doc_result_clear). */
struct pd_doc_result {
	char *out_path;
	char *client;
	char *a_number;
	int pages;
	size_t bytes;
	char sha256[65];
	bool skipped; /* up to date, not rebuilt */
	char *source_text;       /* the case file, quoted by its diagnostics */
	const char *source_name;
};

/* Template search path: a user directory (or NULL) before the project's templates/. Set once
 * per process; parsed templates and prepared fonts are kept for every later document. */
void doc_setup(const char *datadir, const char *user_templates);
void doc_shutdown(void);
/* The data directory of doc_setup (templates/, fonts/). */
const char *doc_datadir(void);

/* Returns an exit code: 0, 1 (input/template/rule error: nothing written), 3 (I/O).
 * Diagnostics are added to diags, not printed. */
int doc_make(const struct pd_doc_request *req, struct pd_doc_result *res, struct pd_diags *diags);
void doc_result_clear(struct pd_doc_result *res);

/* Loads the case of req (with its defaults), runs the rules of req->document at req->level
 * and returns the data its templates see, in arena; NULL when an error was added. */
struct pd_value *doc_context(const struct pd_doc_request *req, struct pd_arena *arena,
			     struct pd_doc_result *res, struct pd_diags *diags);
/* Renders the template NAME (on the search path) with ctx: its body to md, its front matter
 * with every "{{...}}" rendered to *front_matter (NULL when it has none; in arena).
 * Returns 0, or 1 after adding errors. */
int doc_render(const char *name, const struct pd_value *ctx, struct pd_arena *arena,
	       struct pd_buf *md, const struct pd_value **front_matter, struct pd_diags *diags);
/* Renders a short Mustache text of a data file (a stamp or subject pattern, found at `at`)
 * with data, without escaping; partials come from the template search path. In arena;
 * errors are added to diags. */
const char *doc_render_text(struct pd_arena *arena, const char *pattern, struct pd_loc at,
			    const struct pd_value *data, struct pd_diags *diags);
/* The directory holding the case file (enclosure files resolve against it); in arena. */
const char *doc_case_dir(struct pd_arena *arena, const char *case_path);

/* Checks a level name against the level table. */
bool doc_level_known(const char *level);
/* The level names in the table's order, comma separated (for usage messages). */
void doc_level_names(struct pd_buf *out);

/* A file's modification time in nanoseconds, -1 when it cannot be read. */
long long doc_mtime(const char *path);

/* SHA-256 of a file as 64 hex digits; false when it cannot be read. */
bool doc_sha256_file(const char *path, char hex[65], size_t *bytes);

#endif
