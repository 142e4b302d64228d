/* doc: one document from one case: case file -> rules -> template -> Markdown -> PDF.
 * In: a request (case, level, document, output). Out: a PDF written atomically and a result. */
#ifndef PD_DOC_H
#define PD_DOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "diag.h"
#include "levels.h"
#include "value.h"

/* What `--dump=STAGE` prints instead of writing a PDF: each stage's output in text. */
enum pd_dump {
	PD_DUMP_NONE,
	PD_DUMP_VALUE,  /* the case file's value tree, each node with its line and column */
	PD_DUMP_CASE,   /* the data the templates see (after the rules passed) */
	PD_DUMP_MD,     /* the Markdown the template produced */
	PD_DUMP_LAYOUT, /* pages, lines and runs with their positions */
};
/* The stage named NAME ("value", "case", "md", "layout"), PD_DUMP_NONE for another name. */
enum pd_dump doc_dump_named(const char *name);

struct pd_doc_request {
	const char *case_path;
	const char *level;            /* "fod", "opla-hq", ... */
	const char *document;         /* "letter", "memo" or a type of documents.yaml */
	const char *template_name;    /* --template NAME: the page template; NULL: the level's */
	const char *template_file;    /* a template file to use instead (render --case), or NULL */
	const char *out;              /* a file, "-" (standard output), a directory (ending in '/'
					 (made when missing) or existing), or NULL: cwd */
	const struct pd_value *defaults; /* docket defaults, merged under the case; may be NULL */
	bool check_only;              /* run every check, the layout's too; write nothing */
	bool plan_only;               /* read the case and name its output; nothing more */
	bool untagged;                /* this PDF plain (untagged), whatever the session's form */
	bool with_memo;               /* an escalation letter that goes with its memo (the docket
				       * entry or the packet makes both, or --with-memo): the
				       * templates see has.memo */
	const int *out_dir;           /* out is this directory, opened once: the file is written
				       * at the descriptor (a batch); NULL: out is looked up */
	enum pd_dump dump;            /* print a stage's output on stdout instead of a PDF */
	/* Adds to the data the template sees (the packet's stamp ranges); may be NULL. */
	void (*amend)(struct pd_arena *arena, struct pd_value *ctx, void *arg);
	void *amend_arg;
	const char *parts_dir;        /* packet: also each document and tab, stamped, as a PDF of
				       * its own there (NN-letter.pdf, NN-memo.pdf, NN-tab-C.pdf) */
	/* Called with the output's path as soon as the case names it, before anything is made (a
	 * batch checks it against the names its other entries were planned under); false, after
	 * adding an error: nothing is made. NULL: any name. Not passed on to the scratch
	 * documents of a packet or an e-mail. */
	bool (*name_check)(const char *out_path, struct pd_diags *diags, void *arg);
	void *name_check_arg;
};

/* Filled by doc_make; strings are owned by the result (doc_result_clear). */
struct pd_doc_result {
	char *out_path;
	char *client;
	char *a_number;
	int pages;
	size_t bytes;
	char sha256[65];
	double margin_top, margin_bottom; /* a written PDF's: see pd_pdf_written (out.h) */
	struct pd_loc margin_top_at, margin_bottom_at;
	char *files_read;        /* "PATH\n" for each image the document read, or NULL */
	char *source_text;       /* the case file, quoted by its diagnostics */
	const char *source_name;
	struct pd_diag_store *source_store; /* where source_text is registered */
};

/* A session: what a process keeps from one document to the next, created once and passed
 * down: the data directory, the template search path (a user directory, or NULL, before
 * the project's templates/) and the templates parsed from it, the level table, and the
 * typesetter (fonts, house style, hyphenation, paragraph memo, PDF writer and its
 * compressor). Each is read on first need. doc_session_free frees them in the order they
 * depend on each other. Batch workers inherit their parent's session. */
struct pd_session;
struct pd_session *doc_session_new(const char *datadir, const char *user_templates);
void doc_session_free(struct pd_session *s);
/* Every PDF of the session in the plain form (--no-tags): untagged, no PDF/A claim. */
void doc_session_plain(struct pd_session *s);
struct pd_typesetter *doc_typesetter(struct pd_session *s);
/* Where the session finds templates and data files (levels.yaml, offices.yaml, style.yaml,
 * regimes/, images): the --templates overlay, then the shipped templates/. doc_resolve is
 * the one resolver (malloc'd path of the file a run uses for rel, or NULL): whatever
 * digests or watches a run's inputs asks it. */
const struct pd_search *doc_search(const struct pd_session *s);
char *doc_resolve(const struct pd_session *s, const char *rel);
/* With an overlay: a note for each partial or parent the documents so far took from the
 * shipped templates (pdgen letter -v). */
void doc_note_shipped(const struct pd_session *s, struct pd_diags *diags);
/* The store of every file name and quoted text of the session: a list of diagnostics given
 * to doc_make has it or none (doc_make then gives it). */
struct pd_diag_store *doc_diag_store(struct pd_session *s);
/* The level table, office directory and regimes (NULL when they cannot be read: doc_make
 * then reports why). */
const struct pd_domain *doc_domain(struct pd_session *s);

/* Returns an exit code: 0, 1 (input/template/rule error: nothing written), 3 (I/O).
 * Diagnostics are added to diags, not printed. */
int doc_make(struct pd_session *s, const struct pd_doc_request *req, struct pd_doc_result *res,
	     struct pd_diags *diags);
void doc_result_clear(struct pd_doc_result *res);

/* For the packet and the e-mail (pdgen-submit.so). The data directory of the session. */
const char *doc_datadir(struct pd_session *s);
/* The stamp face (stamp.h), made on first need and kept with the session; NULL after an
 * error. */
const struct pd_stamp_font *doc_stamp_font(struct pd_session *s, struct pd_diags *diags);
/* Loads the case of req (with its defaults), runs the rules of req->document at req->level
 * and returns the data its templates see, in arena; NULL when an error was added. */
struct pd_value *doc_context(struct pd_session *s, const struct pd_doc_request *req,
			     struct pd_arena *arena, struct pd_doc_result *res,
			     struct pd_diags *diags);
/* Renders the template NAME (on the search path) with ctx: its body to md, its front matter
 * with every "{{...}}" rendered to *front_matter (NULL when it has none; in arena).
 * Returns 0, or 1 after adding errors. */
int doc_render(struct pd_session *s, const char *name, const struct pd_value *ctx,
	       struct pd_arena *arena, struct pd_buf *md, const struct pd_value **front_matter,
	       struct pd_diags *diags);
/* Renders a short Mustache text of a data file (a stamp or subject pattern, found at `at`)
 * with data, without escaping; partials come from the template search path. In arena;
 * errors are added to diags. */
const char *doc_render_text(struct pd_session *s, struct pd_arena *arena, const char *pattern,
			    struct pd_loc at, const struct pd_value *data, struct pd_diags *diags);
/* The directory holding the case file (enclosure files resolve against it); in arena. */
const char *doc_case_dir(struct pd_arena *arena, const char *case_path);

/* Checks a level name against the level table. */
bool doc_level_known(struct pd_session *s, const char *level);
/* The level names in the table's order, comma separated (for usage messages). */
void doc_level_names(struct pd_session *s, struct pd_buf *out);

/* The file to read for an input named on the command line: "-" is standard input. */
const char *doc_input_path(const char *path);

/* Parses every page template a document at these levels may use (each level's letter and
 * memo, the reconsideration and BIA letters), so that a broken one is reported once,
 * before any document is made. Returns the number of errors added. */
int doc_check_templates(struct pd_session *s, const char *const *levels, size_t n,
			struct pd_diags *diags);

/* The directories whose files make documents: the user's templates (if any), the
 * project's templates (with its data files) and fonts. Returns how many (at most 3). */
size_t doc_input_dirs(const struct pd_session *s, const char *dirs[3]);

#endif
