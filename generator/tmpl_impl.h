/* tmpl_impl: the parsed form of templates, shared by tmpl_parse.c and tmpl.c.
 * In: nothing (declarations only). Out: nodes that live in their template's arena. */
#ifndef PD_TMPL_IMPL_H
#define PD_TMPL_IMPL_H

#include "tmpl.h"

enum nkind { N_TEXT, N_VAR, N_SECTION, N_INVERTED, N_PARTIAL, N_PARENT, N_BLOCK };

struct node {
	enum nkind kind;
	const char *s; /* the text, or the tag's name */
	size_t len;
	struct pd_loc loc;
	bool bol;         /* begins a source line (never true for a standalone tag) */
	bool standalone;  /* the tag had its line to itself, which is removed */
	bool raw;         /* {{{x}}} or {{&x}}: no escaping */
	bool dynamic;     /* {{>*x}}: the name comes from the data */
	bool content_bol; /* block: its content starts at the beginning of a line */
	const char *indent; /* partial, parent: the tag's indentation; block: see block_indent */
	size_t indent_len;
	int *filters;
	size_t nfilters;
	struct node **kids;
	size_t nkids;
};

struct pd_tmpl {
	const char *file; /* interned; the place in diagnostics */
	char *text;
	size_t len;
	struct pd_diag_store *registered; /* the store its text was given to, or NULL */
	struct pd_arena *arena;
	struct node **kids;
	size_t nkids;
	struct pd_tmpl *next; /* the set's list of templates from tmpl_parse_mem */
};

/* Parses text (copied) as the template file (a name that lives as long as the template:
 * interned by the caller); line0/col0 place text[0]. NULL after adding errors to diags. The caller frees the result with tmpl_free. */
struct pd_tmpl *tmpl_parse(const char *file, const char *text, size_t len, int line0, int col0,
			   struct pd_diags *diags);
void tmpl_free(struct pd_tmpl *t);
bool tmpl_is_space(char c);
bool tmpl_is_blank(char c); /* space or tab */

#endif
