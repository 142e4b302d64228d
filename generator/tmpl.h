/* tmpl: Mustache templates (the spec, inheritance, dynamic names) plus formatters.
 * In: template text and a pd_value tree. Out: rendered text in a pd_buf and located diagnostics. */
#ifndef PD_TMPL_H
#define PD_TMPL_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "util.h"
#include "value.h"

/* Ownership: a template set owns every parsed template it returns (they live until
 * tmpl_set_free); text given to the set is copied. Output goes to the caller's pd_buf. */
struct pd_tmpl_set;
struct pd_tmpl;

enum pd_escape {
	PD_ESC_MARKDOWN, /* {{x}} can never create Markdown structure (letters) */
	PD_ESC_HTML,     /* & " < > as entities (the Mustache spec) */
	PD_ESC_NONE      /* plain text (front-matter strings) */
};

/* Where rendered text came from, for diagnostics found in it later (Markdown, layout):
 * from byte out of the rendered text up to the next entry, template text that starts at
 * loc (copied byte for byte: a later byte is further along its line) or, not verbatim, a
 * value taken from loc (the data's scalar, or the tag when the value has no place). */
struct pd_origin {
	size_t out;
	struct pd_loc loc;
	bool verbatim;
};
struct pd_origins {
	struct pd_origin *v;
	size_t n, cap;
};
void tmpl_origins_free(struct pd_origins *o);
/* The place the byte at off of the rendered text (text, len) came from; {0} if unknown. */
struct pd_loc tmpl_origin(const struct pd_origins *o, const char *text, size_t len, size_t off);

struct pd_tmpl_opts {
	enum pd_escape escape;
	bool lenient; /* follow the spec: unknown names and missing partials render as "" */
	struct pd_origins *origins; /* when not NULL, filled while rendering */
	/* When not NULL (a letter's context): the names the data may have, shaped as the
	 * data (case_schema_shape). A section over a name neither in the data nor here is
	 * an error; {{{x}}} over a field not marked "markdown" here is a warning. */
	const struct pd_value *schema;
};

#define TMPL_MAX_BYTES (4u << 20)    /* one template file */
#define TMPL_MAX_INCLUDE 32          /* partials and parents inside each other */
#define TMPL_MAX_NEST 100            /* sections inside each other in one template */
#define TMPL_MAX_OUTPUT (64u << 20)  /* rendered bytes per evaluation */

/* Search path: partial NAME is NAME.md in the first of dirs that holds it. In-memory
 * templates added with tmpl_set_add_mem come before every directory. The names and texts
 * of its templates go to store (the session's, so that every diagnostic can quote them;
 * NULL: a store of the set's own). */
struct pd_tmpl_set *tmpl_set_new(const char *const *dirs, size_t ndirs,
				  struct pd_diag_store *store);
void tmpl_set_add_mem(struct pd_tmpl_set *set, const char *name, const char *text, size_t len);
void tmpl_set_free(struct pd_tmpl_set *set);

/* True for a name that stays inside the search path: not empty, no '/', '\\', NUL or
 * control character, no "..", not starting with '.'. */
bool tmpl_name_ok(const char *name, size_t len);
/* The file that holds NAME.md on the search path (malloc'd, caller frees), or NULL. */
char *tmpl_set_path(const struct pd_tmpl_set *set, const char *name);

/* Loads and parses NAME.md (or the in-memory NAME) once; later calls return the same
 * template. NULL after adding errors to diags (unknown name, parse errors). */
const struct pd_tmpl *tmpl_get(struct pd_tmpl_set *set, const char *name,
			       struct pd_diags *diags);
/* Parses text as the template NAME (NAME is also the file in diagnostics). first_line is
 * the line of text[0] in that file, so a caller that cut off front matter keeps true
 * places; with first_line 1 the text is registered with diag_source, otherwise the
 * caller registers the whole file. Every call parses: call once and keep the result. */
const struct pd_tmpl *tmpl_parse_mem(struct pd_tmpl_set *set, const char *name, const char *text,
				     size_t len, int first_line, struct pd_diags *diags);

/* Renders t with data appended to out. Returns 0, or 1 after adding errors to diags. */
int tmpl_eval(struct pd_tmpl_set *set, const struct pd_tmpl *t, const struct pd_value *data,
	      const struct pd_tmpl_opts *opts, struct pd_buf *out, struct pd_diags *diags);
/* "NAME\tFILE\n" for every partial and parent read from a file so far, to out. */
void tmpl_set_files(const struct pd_tmpl_set *set, struct pd_buf *out);
/* A partial or parent may open with front matter: it is never rendered. This returns the
 * front matter of the templates included since the last call, merged (an includer's keys
 * win over those of what it includes; at one depth the later wins), in arena, or NULL;
 * and forgets them. */
const struct pd_value *tmpl_front_matter_take(struct pd_tmpl_set *set, struct pd_arena *arena);
/* Parses and renders one short string (a front-matter value) found at place at;
 * partials come from set. Returns 0, or 1 after adding errors to diags. */
int tmpl_render_string(struct pd_tmpl_set *set, const char *text, size_t len, struct pd_loc at,
		       const struct pd_value *data, const struct pd_tmpl_opts *opts,
		       struct pd_buf *out, struct pd_diags *diags);

/* Escaping and formatters (tmpl_fmt.c). */
void tmpl_escape(enum pd_escape esc, const char *s, size_t len, struct pd_buf *out);
/* The formatter named name[0..len), or -1. */
int tmpl_formatter_find(const char *name, size_t len);
const char *tmpl_formatter_name(int id);
size_t tmpl_formatter_count(void);
/* Applies formatter id to v. Returns the result (in arena) or NULL after writing the reason
 * ("needs a date YYYY-MM-DD") to why. */
const struct pd_value *tmpl_format(int id, const struct pd_value *v, struct pd_arena *arena,
				   struct pd_buf *why);

#endif
