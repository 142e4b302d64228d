/* tmpl: the template stage: Mustache text -> parsed nodes with places -> rendered text.
 * In: template text, a search path and a pd_value tree. Out: text in a pd_buf, diagnostics. */
#include "tmpl.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------- parsed form */

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
	bool registered; /* text given to diag_source */
	struct pd_arena *arena;
	struct node **kids;
	size_t nkids;
	struct pd_tmpl *next; /* the set's list of templates from tmpl_parse_mem */
};

static void tmpl_free(struct pd_tmpl *t)
{
	if (!t)
		return;
	if (t->registered)
		diag_forget_source(t->file);
	arena_free(t->arena);
	free(t->text);
	free(t);
}

/* ------------------------------------------------------------- tokens */

enum tkind { T_TEXT, T_VAR, T_RAW, T_SECTION, T_INVERTED, T_CLOSE, T_PARTIAL, T_PARENT,
	     T_BLOCK, T_COMMENT, T_DELIM };

struct token {
	enum tkind kind;
	size_t start, end; /* the text, or the whole tag with its delimiters */
	const char *name;  /* trimmed content after the sigil (and after '*') */
	size_t nlen;
	bool dynamic;
	struct pd_loc loc;
	bool removed, standalone, content_bol;
	enum tkind closes; /* T_CLOSE: what it closes */
	size_t indent_start, indent_len;
	int *filters;
	size_t nfilters;
};

struct parser {
	struct pd_tmpl *t;
	struct pd_diags *diags;
	int line0, col0;
	struct token *tk;
	size_t n, cap;
	size_t loc_off; /* place tracking: loc_line/loc_col is the place of loc_off */
	int loc_line, loc_col;
	size_t stack[TMPL_MAX_NEST];
	size_t depth;
	bool failed;
};

static struct pd_loc parser_loc(struct parser *p, size_t off)
{
	const char *s = p->t->text;
	for (; p->loc_off < off; p->loc_off++) {
		unsigned char c = (unsigned char)s[p->loc_off];
		if (c == '\n') {
			p->loc_line++;
			p->loc_col = 1;
		} else if ((c & 0xC0) != 0x80) {
			p->loc_col++;
		}
	}
	int col = p->loc_line == 1 ? p->loc_col + p->col0 - 1 : p->loc_col;
	return (struct pd_loc){p->t->file, p->loc_line + p->line0 - 1, col};
}

static void parse_error(struct parser *p, struct pd_loc loc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void parse_error(struct parser *p, struct pd_loc loc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag_vadd(p->diags, PD_ERROR, loc, NULL, fmt, ap);
	va_end(ap);
	p->failed = true;
}

static struct token *token_add(struct parser *p, enum tkind kind, size_t start, size_t end)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 64;
		p->tk = xrealloc(p->tk, p->cap * sizeof *p->tk);
	}
	struct token *t = &p->tk[p->n++];
	*t = (struct token){.kind = kind, .start = start, .end = end};
	t->loc = parser_loc(p, start);
	return t;
}

/* Text becomes one token per line piece, each ending after its '\n'. */
static void add_text(struct parser *p, size_t from, size_t to)
{
	const char *s = p->t->text;
	while (from < to) {
		const char *nl = memchr(s + from, '\n', to - from);
		size_t end = nl ? (size_t)(nl - s) + 1 : to;
		token_add(p, T_TEXT, from, end);
		from = end;
	}
}

static const char *find(const char *s, size_t len, size_t from, const char *needle, size_t nl)
{
	if (nl == 0 || len < nl)
		return NULL;
	for (size_t i = from; i + nl <= len; i++)
		if (s[i] == needle[0] && !memcmp(s + i, needle, nl))
			return s + i;
	return NULL;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static void trim(const char **s, size_t *len)
{
	while (*len && is_space(**s)) {
		(*s)++;
		(*len)--;
	}
	while (*len && is_space((*s)[*len - 1]))
		(*len)--;
}

static bool has_space(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (is_space(s[i]))
			return true;
	return false;
}

/* "." or dot-separated non-empty parts without blanks or '|'. */
static bool name_valid(const char *s, size_t len)
{
	if (len == 1 && s[0] == '.')
		return true;
	if (!len || s[0] == '.' || s[len - 1] == '.')
		return false;
	for (size_t i = 0; i < len; i++)
		if (is_space(s[i]) || s[i] == '|' || s[i] == '\0' ||
		    (s[i] == '.' && s[i + 1] == '.'))
			return false;
	return true;
}

bool tmpl_name_ok(const char *name, size_t len)
{
	if (!name || !len || len > 200 || name[0] == '.')
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];
		if (c < 0x20 || c == 0x7f || c == '/' || c == '\\' || is_space((char)c))
			return false;
		if (c == '.' && i + 1 < len && name[i + 1] == '.')
			return false;
	}
	return true;
}

static void suggest_formatter(struct pd_buf *b, const char *name, size_t len)
{
	size_t n = tmpl_formatter_count();
	const char *cands[16];
	for (size_t i = 0; i < n && i < 16; i++)
		cands[i] = tmpl_formatter_name((int)i);
	char *key = xstrndup(name, len);
	const char *best = diag_nearest(key, cands, n < 16 ? n : 16);
	free(key);
	if (best) {
		buf_printf(b, " (did you mean \"%s\"?)", best);
		return;
	}
	buf_puts(b, "; formatters:");
	for (size_t i = 0; i < n && i < 16; i++)
		buf_printf(b, " %s", cands[i]);
}

/* {{name | f1 | f2}}: splits the filters off and checks them. */
static bool var_filters(struct parser *p, struct token *t)
{
	const char *s = t->name, *bar = memchr(s, '|', t->nlen);
	if (!bar)
		return true;
	size_t all = t->nlen;
	t->nlen = (size_t)(bar - s);
	trim(&t->name, &t->nlen);
	size_t nf = 0;
	for (size_t i = 0; i < all; i++)
		nf += s[i] == '|';
	t->filters = xcalloc(nf, sizeof *t->filters);
	const char *end = s + all;
	for (const char *q = bar; q < end;) {
		const char *f = q + 1, *next = memchr(f, '|', (size_t)(end - f));
		if (!next)
			next = end;
		size_t flen = (size_t)(next - f);
		trim(&f, &flen);
		int id = tmpl_formatter_find(f, flen);
		if (id < 0) {
			struct pd_buf b = {0};
			buf_printf(&b, "unknown formatter \"%.*s\"", (int)flen, f);
			suggest_formatter(&b, f, flen);
			parse_error(p, parser_loc(p, (size_t)(f - p->t->text)), "%s", b.s);
			buf_free(&b);
			return false;
		}
		t->filters[t->nfilters++] = id;
		q = next;
	}
	return true;
}

static bool tag_name(struct parser *p, struct token *t)
{
	const char *what = t->kind == T_CLOSE ? "closing tag" : "tag";
	if (t->kind == T_PARTIAL || t->kind == T_PARENT || t->kind == T_CLOSE) {
		if (t->nlen && t->name[0] == '*') {
			t->dynamic = true;
			t->name++;
			t->nlen--;
			trim(&t->name, &t->nlen);
		}
	}
	if (t->kind == T_VAR || t->kind == T_RAW) {
		if (!var_filters(p, t))
			return false;
	} else if (memchr(t->name, '|', t->nlen)) {
		parse_error(p, t->loc, "formatters (\"| name\") work only in {{x}}, {{{x}}} and {{&x}}");
		return false;
	}
	bool ok;
	if ((t->kind == T_PARTIAL || t->kind == T_PARENT) && !t->dynamic)
		ok = tmpl_name_ok(t->name, t->nlen);
	else if (t->kind == T_PARTIAL || t->kind == T_PARENT || t->kind == T_BLOCK ||
		 t->kind == T_CLOSE)
		ok = t->nlen && !has_space(t->name, t->nlen);
	else
		ok = name_valid(t->name, t->nlen);
	if (!ok) {
		if (t->kind == T_PARTIAL || t->kind == T_PARENT)
			parse_error(p, t->loc,
				    "bad template name \"%.*s\": a name is a file in the template "
				    "directory, without '/', '\\', \"..\" or blanks",
				    (int)t->nlen, t->name);
		else if (!t->nlen)
			parse_error(p, t->loc, "empty %s", what);
		else
			parse_error(p, t->loc, "bad name \"%.*s\" in %s", (int)t->nlen, t->name,
				    what);
	}
	return ok;
}

static const char *sigil(enum tkind k)
{
	switch (k) {
	case T_SECTION: return "#";
	case T_INVERTED: return "^";
	case T_PARENT: return "<";
	case T_BLOCK: return "$";
	default: return "";
	}
}

static bool nest(struct parser *p, struct token *t)
{
	size_t idx = (size_t)(t - p->tk);
	if (t->kind == T_SECTION || t->kind == T_INVERTED || t->kind == T_PARENT ||
	    t->kind == T_BLOCK) {
		if (p->depth == TMPL_MAX_NEST) {
			parse_error(p, t->loc, "sections nested more than %d deep", TMPL_MAX_NEST);
			return false;
		}
		p->stack[p->depth++] = idx;
		return true;
	}
	if (t->kind != T_CLOSE)
		return true;
	if (!p->depth) {
		parse_error(p, t->loc, "closing tag {{/%.*s}} without an opening tag",
			    (int)t->nlen, t->name);
		return false;
	}
	struct token *open = &p->tk[p->stack[p->depth - 1]];
	if (open->nlen != t->nlen || memcmp(open->name, t->name, t->nlen) ||
	    open->dynamic != t->dynamic) {
		parse_error(p, t->loc, "closing tag {{/%s%.*s}} does not match {{%s%s%.*s}} opened at line %d",
			    t->dynamic ? "*" : "", (int)t->nlen, t->name, sigil(open->kind),
			    open->dynamic ? "*" : "", (int)open->nlen, open->name, open->loc.line);
		return false;
	}
	t->closes = open->kind;
	p->depth--;
	return true;
}

/* {{=<% %>=}}: two delimiters without blanks or '='. */
static bool set_delims(struct parser *p, struct token *t, const char **ot, size_t *ol,
		       const char **ct, size_t *cl)
{
	const char *s = t->name;
	size_t len = t->nlen, a = 0;
	while (a < len && !is_space(s[a]))
		a++;
	size_t b = a;
	while (b < len && is_space(s[b]))
		b++;
	const char *second = s + b;
	size_t blen = len - b;
	if (!a || !blen || has_space(second, blen) || memchr(s, '=', a) ||
	    memchr(second, '=', blen) || a > 32 || blen > 32) {
		parse_error(p, t->loc,
			    "bad delimiter change \"%.*s\": write {{=OPEN CLOSE=}}, two delimiters "
			    "without blanks or '='",
			    (int)len, s);
		return false;
	}
	*ot = s;
	*ol = a;
	*ct = second;
	*cl = blen;
	return true;
}

static enum tkind kind_of(char c, size_t *skip)
{
	*skip = 1;
	switch (c) {
	case '{': return T_RAW;
	case '&': return T_RAW;
	case '=': return T_DELIM;
	case '!': return T_COMMENT;
	case '#': return T_SECTION;
	case '^': return T_INVERTED;
	case '/': return T_CLOSE;
	case '>': return T_PARTIAL;
	case '<': return T_PARENT;
	case '$': return T_BLOCK;
	default: *skip = 0; return T_VAR;
	}
}

static bool tokenize(struct parser *p)
{
	const char *s = p->t->text;
	size_t len = p->t->len, pos = 0;
	const char *ot = "{{", *ct = "}}";
	size_t ol = 2, cl = 2;
	while (pos < len) {
		const char *o = find(s, len, pos, ot, ol);
		size_t ts = o ? (size_t)(o - s) : len;
		add_text(p, pos, ts);
		if (!o)
			break;
		size_t cs = ts + ol, skip;
		enum tkind kind = kind_of(cs < len ? s[cs] : '\0', &skip);
		char needle[40];
		size_t nl = 0;
		if (cs < len && (s[cs] == '{' || s[cs] == '='))
			needle[nl++] = s[cs] == '{' ? '}' : '=';
		memcpy(needle + nl, ct, cl);
		nl += cl;
		const char *e = find(s, len, cs + skip, needle, nl);
		struct token *t = token_add(p, kind, ts, e ? (size_t)(e - s) + nl : len);
		if (!e) {
			parse_error(p, t->loc, "tag is never closed (no \"%.*s\" after it)", (int)nl,
				    needle);
			return false;
		}
		t->name = s + cs + skip;
		t->nlen = (size_t)(e - t->name);
		trim(&t->name, &t->nlen);
		pos = t->end;
		if (kind == T_COMMENT)
			continue;
		if (kind == T_DELIM) {
			if (!set_delims(p, t, &ot, &ol, &ct, &cl))
				return false;
			continue;
		}
		if (!tag_name(p, t) || !nest(p, t))
			return false;
	}
	if (p->depth) {
		struct token *open = &p->tk[p->stack[p->depth - 1]];
		parse_error(p, open->loc, "{{%s%s%.*s}} is never closed (no {{/%s%.*s}})",
			    sigil(open->kind), open->dynamic ? "*" : "", (int)open->nlen, open->name,
			    open->dynamic ? "*" : "", (int)open->nlen, open->name);
		return false;
	}
	return true;
}

/* ------------------------------------------------------------- standalone lines */

static bool standalone_kind(enum tkind k)
{
	return k != T_TEXT && k != T_VAR && k != T_RAW;
}

/* Spaces and tabs, then optionally "\n" or "\r\n" at the very end. */
static bool blank_text(const char *s, size_t len)
{
	if (len && s[len - 1] == '\n') {
		len--;
		if (len && s[len - 1] == '\r')
			len--;
	}
	for (size_t i = 0; i < len; i++)
		if (!is_blank(s[i]))
			return false;
	return true;
}

static size_t blank_run(const char *s, size_t from, size_t to)
{
	size_t i = from;
	while (i < to && is_blank(s[i]))
		i++;
	return i - from;
}

/* A line holding only blanks and tags that print nothing themselves is removed. Several
 * tags may share such a line when one of them opens or closes a parent ({{<p}}{{$b}}). */
static void mark_line(struct parser *p, size_t i, size_t j)
{
	const char *s = p->t->text;
	size_t tags = 0;
	bool parent = false;
	for (size_t k = i; k < j; k++) {
		struct token *t = &p->tk[k];
		if (t->kind == T_TEXT) {
			if (!blank_text(s + t->start, t->end - t->start))
				return;
			if (k + 1 < j && s[t->end - 1] == '\n')
				return;
		} else if (!standalone_kind(t->kind)) {
			return;
		} else {
			tags++;
			parent |= t->kind == T_PARENT || (t->kind == T_CLOSE && t->closes == T_PARENT);
		}
	}
	if (!tags || (tags > 1 && !parent))
		return;
	size_t line_start = p->tk[i].start;
	size_t indent = p->tk[i].kind == T_TEXT ? p->tk[i].end - p->tk[i].start : 0;
	size_t line_end = p->tk[j - 1].end;
	for (size_t k = i; k < j; k++) {
		struct token *t = &p->tk[k];
		if (t->kind == T_TEXT) {
			t->removed = true;
			continue;
		}
		t->standalone = true;
		t->indent_start = line_start;
		t->indent_len = indent;
		if (t->kind == T_BLOCK) { /* the indentation of its first content line */
			t->content_bol = true;
			t->indent_start = line_end;
			t->indent_len = blank_run(s, line_end, p->t->len);
		}
	}
}

static void mark_standalone(struct parser *p)
{
	const char *s = p->t->text;
	for (size_t i = 0; i < p->n;) {
		size_t j = i;
		while (j < p->n) {
			struct token *t = &p->tk[j++];
			if (t->kind == T_TEXT && s[t->end - 1] == '\n')
				break;
		}
		/* a block that is not standalone is indented like its line */
		for (size_t k = i; k < j; k++)
			if (p->tk[k].kind == T_BLOCK) {
				p->tk[k].indent_start = p->tk[i].start;
				p->tk[k].indent_len = blank_run(s, p->tk[i].start, p->tk[k].start);
			}
		mark_line(p, i, j);
		i = j;
	}
}

/* ------------------------------------------------------------- tree */

struct kids {
	struct node **v;
	size_t n, cap;
};

static void kids_add(struct kids *k, struct node *n)
{
	if (k->n == k->cap) {
		k->cap = k->cap ? k->cap * 2 : 8;
		k->v = xrealloc(k->v, k->cap * sizeof *k->v);
	}
	k->v[k->n++] = n;
}

/* Moves the list into the arena; a parent keeps only its blocks. */
static void kids_close(struct pd_arena *a, struct node *owner, struct kids *k, struct node ***out,
		       size_t *nout)
{
	size_t n = 0;
	struct node **v = arena_alloc(a, (k->n ? k->n : 1) * sizeof *v);
	for (size_t i = 0; i < k->n; i++)
		if (!owner || owner->kind != N_PARENT || k->v[i]->kind == N_BLOCK)
			v[n++] = k->v[i];
	*out = v;
	*nout = n;
	free(k->v);
	*k = (struct kids){0};
}

static enum nkind node_kind(enum tkind k)
{
	switch (k) {
	case T_SECTION: return N_SECTION;
	case T_INVERTED: return N_INVERTED;
	case T_PARTIAL: return N_PARTIAL;
	case T_PARENT: return N_PARENT;
	case T_BLOCK: return N_BLOCK;
	case T_TEXT: return N_TEXT;
	default: return N_VAR;
	}
}

static struct node *node_of(struct parser *p, const struct token *t)
{
	const char *s = p->t->text;
	struct node *n = arena_alloc(p->t->arena, sizeof *n);
	n->kind = node_kind(t->kind);
	n->loc = t->loc;
	n->standalone = t->standalone;
	n->bol = !t->standalone && (t->start == 0 || s[t->start - 1] == '\n');
	n->raw = t->kind == T_RAW;
	n->dynamic = t->dynamic;
	n->content_bol = t->content_bol;
	n->indent = s + t->indent_start;
	n->indent_len = t->indent_len;
	if (t->kind == T_TEXT) {
		n->s = s + t->start;
		n->len = t->end - t->start;
	} else {
		n->s = t->name;
		n->len = t->nlen;
	}
	if (t->nfilters) {
		n->filters = arena_alloc(p->t->arena, t->nfilters * sizeof *n->filters);
		memcpy(n->filters, t->filters, t->nfilters * sizeof *n->filters);
		n->nfilters = t->nfilters;
	}
	return n;
}

static void build_tree(struct parser *p)
{
	struct node *open[TMPL_MAX_NEST + 1];
	struct kids kids[TMPL_MAX_NEST + 1];
	size_t depth = 0;
	open[0] = NULL;
	kids[0] = (struct kids){0};
	for (size_t i = 0; i < p->n; i++) {
		const struct token *t = &p->tk[i];
		if (t->removed || t->kind == T_COMMENT || t->kind == T_DELIM ||
		    (t->kind == T_TEXT && t->start == t->end))
			continue;
		if (t->kind == T_CLOSE) {
			struct node *o = open[depth];
			kids_close(p->t->arena, o, &kids[depth], &o->kids, &o->nkids);
			depth--;
			continue;
		}
		struct node *n = node_of(p, t);
		kids_add(&kids[depth], n);
		if (t->kind == T_SECTION || t->kind == T_INVERTED || t->kind == T_PARENT ||
		    t->kind == T_BLOCK) {
			depth++;
			open[depth] = n;
			kids[depth] = (struct kids){0};
		}
	}
	kids_close(p->t->arena, NULL, &kids[0], &p->t->kids, &p->t->nkids);
}

static struct pd_tmpl *parse(const char *file, const char *text, size_t len, int line0, int col0,
			     struct pd_diags *diags)
{
	file = diag_intern(file);
	if (len > TMPL_MAX_BYTES) {
		diag_error(diags, ((struct pd_loc){file, 0, 0}),
			   "template is larger than %u bytes", TMPL_MAX_BYTES);
		return NULL;
	}
	struct pd_tmpl *t = xcalloc(1, sizeof *t);
	t->file = file;
	t->text = xmalloc(len + 1);
	memcpy(t->text, text, len);
	t->text[len] = '\0';
	t->len = len;
	t->arena = arena_new();
	struct parser p = {.t = t, .diags = diags, .line0 = line0 < 1 ? 1 : line0,
			   .col0 = col0 < 1 ? 1 : col0, .loc_line = 1, .loc_col = 1};
	if (tokenize(&p)) {
		mark_standalone(&p);
		build_tree(&p);
	}
	for (size_t i = 0; i < p.n; i++)
		free(p.tk[i].filters);
	free(p.tk);
	if (p.failed) {
		tmpl_free(t);
		return NULL;
	}
	return t;
}

/* ------------------------------------------------------------- the set */

struct mem {
	struct mem *next;
	char *name, *text;
	size_t len;
};

struct entry {
	struct entry *next;
	char *name;
	struct pd_tmpl *t;
	bool missing;
	struct pd_diags errs; /* parse errors, given again at every use */
};

struct kept { /* the text of a template that failed to parse, for the carets */
	struct kept *next;
	const char *file;
	char *text;
};

struct pd_tmpl_set {
	char **dirs;
	size_t ndirs;
	struct mem *mems;
	struct entry *cache;
	struct pd_tmpl *owned;
	struct kept *kept;
};

static void keep_source(struct pd_tmpl_set *set, const char *file, char *text, size_t len)
{
	struct kept *k = xmalloc(sizeof *k);
	*k = (struct kept){set->kept, diag_intern(file), text};
	set->kept = k;
	diag_source(k->file, text, len);
}

struct pd_tmpl_set *tmpl_set_new(const char *const *dirs, size_t ndirs)
{
	struct pd_tmpl_set *set = xcalloc(1, sizeof *set);
	set->dirs = xcalloc(ndirs ? ndirs : 1, sizeof *set->dirs);
	for (size_t i = 0; i < ndirs; i++)
		if (dirs[i])
			set->dirs[set->ndirs++] = xstrdup(dirs[i]);
	return set;
}

void tmpl_set_add_mem(struct pd_tmpl_set *set, const char *name, const char *text, size_t len)
{
	struct mem *m = xcalloc(1, sizeof *m);
	m->name = xstrdup(name);
	m->text = xstrndup(text, len);
	m->len = len;
	m->next = set->mems;
	set->mems = m;
}

void tmpl_set_free(struct pd_tmpl_set *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->ndirs; i++)
		free(set->dirs[i]);
	free(set->dirs);
	while (set->mems) {
		struct mem *m = set->mems;
		set->mems = m->next;
		free(m->name);
		free(m->text);
		free(m);
	}
	while (set->cache) {
		struct entry *e = set->cache;
		set->cache = e->next;
		tmpl_free(e->t);
		diag_clear(&e->errs);
		free(e->name);
		free(e);
	}
	while (set->owned) {
		struct pd_tmpl *t = set->owned;
		set->owned = t->next;
		tmpl_free(t);
	}
	while (set->kept) {
		struct kept *k = set->kept;
		set->kept = k->next;
		diag_forget_source(k->file);
		free(k->text);
		free(k);
	}
	free(set);
}

char *tmpl_set_path(const struct pd_tmpl_set *set, const char *name)
{
	if (!tmpl_name_ok(name, strlen(name)))
		return NULL;
	for (size_t i = 0; i < set->ndirs; i++) {
		struct pd_buf path = {0};
		buf_printf(&path, "%s/%s.md", set->dirs[i], name);
		FILE *f = fopen(path.s, "rb");
		if (f) {
			fclose(f);
			return buf_take(&path);
		}
		buf_free(&path);
	}
	return NULL;
}

static struct pd_tmpl *load_registered(struct pd_tmpl_set *set, const char *file, char *text,
				       size_t len, struct pd_diags *errs)
{
	struct pd_tmpl *t = parse(file, text, len, 1, 1, errs);
	if (t) {
		diag_source(t->file, t->text, t->len);
		t->registered = true;
	} else {
		keep_source(set, file, text, len);
		return NULL;
	}
	free(text);
	return t;
}

static struct entry *set_load(struct pd_tmpl_set *set, const char *name)
{
	for (struct entry *e = set->cache; e; e = e->next)
		if (!strcmp(e->name, name))
			return e;
	struct entry *e = xcalloc(1, sizeof *e);
	e->name = xstrdup(name);
	e->next = set->cache;
	set->cache = e;
	for (struct mem *m = set->mems; m; m = m->next)
		if (!strcmp(m->name, name)) {
			e->t = load_registered(set, name, xstrndup(m->text, m->len), m->len, &e->errs);
			return e;
		}
	for (size_t i = 0; i < set->ndirs; i++) {
		struct pd_buf path = {0};
		buf_printf(&path, "%s/%s.md", set->dirs[i], name);
		size_t len = 0;
		char *text = file_read(path.s, &len, TMPL_MAX_BYTES);
		if (!text && errno == ENOENT) {
			buf_free(&path);
			continue;
		}
		if (!text)
			diag_error(&e->errs, ((struct pd_loc){diag_intern(path.s), 0, 0}),
				   "cannot read template: %s",
				   errno == EFBIG ? "larger than the template limit" : strerror(errno));
		else
			e->t = load_registered(set, path.s, text, len, &e->errs);
		buf_free(&path);
		return e;
	}
	e->missing = true;
	return e;
}

static void search_path_text(const struct pd_tmpl_set *set, struct pd_buf *b)
{
	if (!set->ndirs)
		buf_puts(b, "no template directory");
	for (size_t i = 0; i < set->ndirs; i++)
		buf_printf(b, "%s%s", i ? ", " : "", set->dirs[i]);
}

static void copy_diags(struct pd_diags *dst, const struct pd_diags *src)
{
	for (size_t i = 0; i < src->n; i++) {
		const struct pd_diag *g = &src->v[i];
		diag_add(dst, g->sev, g->loc, g->rule, "%s", g->msg);
		if (g->context)
			diag_context(dst, "%s", g->context);
	}
}

const struct pd_tmpl *tmpl_get(struct pd_tmpl_set *set, const char *name, struct pd_diags *diags)
{
	if (!tmpl_name_ok(name, strlen(name))) {
		diag_error(diags, ((struct pd_loc){0}), "bad template name \"%s\"", name);
		return NULL;
	}
	struct entry *e = set_load(set, name);
	if (e->missing) {
		struct pd_buf b = {0};
		search_path_text(set, &b);
		diag_error(diags, ((struct pd_loc){0}), "no template \"%s\" (looked for %s.md in %s)",
			   name, name, b.s);
		buf_free(&b);
	}
	copy_diags(diags, &e->errs);
	return e->t;
}

const struct pd_tmpl *tmpl_parse_mem(struct pd_tmpl_set *set, const char *name, const char *text,
				     size_t len, int first_line, struct pd_diags *diags)
{
	struct pd_tmpl *t = parse(name, text, len, first_line, 1, diags);
	if (!t) {
		if (first_line <= 1)
			keep_source(set, name, xstrndup(text, len), len);
		return NULL;
	}
	if (first_line <= 1) {
		diag_source(t->file, t->text, t->len);
		t->registered = true;
	}
	t->next = set->owned;
	set->owned = t;
	return t;
}

/* ------------------------------------------------------------- evaluation */

/* Indentation in force while rendering one template or block: every source line start
 * gets add (the first line first_add), after strip is taken off its leading blanks. */
struct frame {
	const char *first_add, *add, *strip;
	size_t first_len, add_len, strip_len;
	bool first;
};

struct ovr { /* block arguments of the parents being rendered; the outermost wins */
	const struct node *block;
	const struct ovr *next;
};

struct site {
	const char *kind, *name;
	struct pd_loc loc;
};

#define TMPL_MAX_BLOCKS 64
#define TMPL_MAX_WORK 50000000L

struct ev {
	struct pd_tmpl_set *set;
	const struct pd_tmpl_opts *opts;
	struct pd_buf *out;
	struct pd_diags *diags;
	struct pd_arena *arena;
	const struct pd_value **stack;
	size_t depth, cap;
	struct site chain[TMPL_MAX_INCLUDE + 1];
	int nchain, nblocks;
	long work;
	int errors;
	bool stop;
};

static void render(struct ev *ev, struct node *const *kids, size_t n, struct frame *f,
		   const struct ovr *o);

static void add_chain(struct ev *ev)
{
	for (int i = ev->nchain - 1; i >= 0; i--) {
		const struct site *s = &ev->chain[i];
		diag_context(ev->diags, "in %s \"%s\" included at %s:%d:%d", s->kind, s->name,
			     s->loc.file ? s->loc.file : "?", s->loc.line, s->loc.col);
	}
}

static void ev_error(struct ev *ev, struct pd_loc loc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void ev_error(struct ev *ev, struct pd_loc loc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag_vadd(ev->diags, PD_ERROR, loc, NULL, fmt, ap);
	va_end(ap);
	add_chain(ev);
	ev->errors++;
}

static void put(struct ev *ev, const char *s, size_t len)
{
	if (ev->stop || !len)
		return;
	if (ev->out->len + len > TMPL_MAX_OUTPUT) {
		ev_error(ev, ((struct pd_loc){0}), "rendered text would be longer than %u bytes",
			 TMPL_MAX_OUTPUT);
		ev->stop = true;
		return;
	}
	buf_put(ev->out, s, len);
}

static void put_escaped(struct ev *ev, enum pd_escape esc, const char *s, size_t len)
{
	struct pd_buf b = {0};
	tmpl_escape(esc, s, len, &b);
	put(ev, b.s, b.len);
	buf_free(&b);
}

static void emit_indent(struct ev *ev, struct frame *f)
{
	if (f->first)
		put(ev, f->first_add, f->first_len);
	else
		put(ev, f->add, f->add_len);
	f->first = false;
}

/* The leading blanks of s that strip also has. */
static size_t common_blanks(const char *s, size_t len, const char *strip, size_t strip_len)
{
	size_t k = 0;
	while (k < len && k < strip_len && s[k] == strip[k] && is_blank(s[k]))
		k++;
	return k;
}

static const char *cat(struct ev *ev, const char *a, size_t alen, const char *b, size_t blen,
		       size_t *len)
{
	char *s = arena_alloc(ev->arena, alen + blen + 1);
	memcpy(s, a, alen);
	memcpy(s + alen, b, blen);
	*len = alen + blen;
	return s;
}

/* --- names */

static const struct pd_value *child(const struct pd_value *v, const char *k, size_t kl)
{
	if (!v)
		return NULL;
	if (v->kind == PD_MAP) {
		for (size_t i = 0; i < v->n; i++)
			if (!strncmp(v->keys[i], k, kl) && v->keys[i][kl] == '\0')
				return v->items[i];
	} else if (v->kind == PD_SEQ && kl && kl < 10) {
		size_t idx = 0;
		for (size_t i = 0; i < kl; i++) {
			if (k[i] < '0' || k[i] > '9')
				return NULL;
			idx = idx * 10 + (size_t)(k[i] - '0');
		}
		return idx < v->n ? v->items[idx] : NULL;
	}
	return NULL;
}

static const struct pd_value *resolve(struct ev *ev, const char *name, size_t len)
{
	if (!ev->depth)
		return NULL;
	if (len == 1 && name[0] == '.')
		return ev->stack[ev->depth - 1];
	const char *dot = memchr(name, '.', len);
	size_t first = dot ? (size_t)(dot - name) : len;
	const struct pd_value *v = NULL;
	for (size_t i = ev->depth; i-- > 0 && !v;)
		if (ev->stack[i] && ev->stack[i]->kind == PD_MAP)
			v = child(ev->stack[i], name, first);
	for (size_t pos = first; v && pos < len;) {
		const char *part = name + pos + 1;
		const char *next = memchr(part, '.', (size_t)(name + len - part));
		size_t plen = next ? (size_t)(next - part) : (size_t)(name + len - part);
		v = child(v, part, plen);
		pos = (size_t)(part - name) + plen;
	}
	return v;
}

struct cands {
	const char **v;
	size_t n, cap;
};

static void collect_paths(struct ev *ev, struct cands *c, const struct pd_value *v,
			  const char *prefix, int depth)
{
	if (!v || v->kind != PD_MAP || depth > 6)
		return;
	for (size_t i = 0; i < v->n && c->n < 5000; i++) {
		const char *path = prefix ? arena_printf(ev->arena, "%s.%s", prefix, v->keys[i])
					  : v->keys[i];
		if (c->n == c->cap) {
			c->cap = c->cap ? c->cap * 2 : 64;
			c->v = xrealloc(c->v, c->cap * sizeof *c->v);
		}
		c->v[c->n++] = path;
		collect_paths(ev, c, v->items[i], path, depth + 1);
	}
}

static void unknown_name(struct ev *ev, const struct node *n)
{
	struct cands c = {0};
	for (size_t i = ev->depth; i-- > 0;)
		collect_paths(ev, &c, ev->stack[i], NULL, 0);
	char *name = xstrndup(n->s, n->len);
	const char *best = diag_nearest(name, c.v, c.n);
	if (best)
		ev_error(ev, n->loc, "unknown field \"%s\" (did you mean \"%s\"?)", name, best);
	else
		ev_error(ev, n->loc, "unknown field \"%s\"", name);
	free(name);
	free(c.v);
}

/* --- interpolation */

static const struct pd_value *apply_filters(struct ev *ev, const struct node *n,
					    const struct pd_value *v)
{
	for (size_t i = 0; v && i < n->nfilters; i++) {
		struct pd_buf why = {0};
		const struct pd_value *r = tmpl_format(n->filters[i], v, ev->arena, &why);
		if (!r) {
			bool text = v->kind != PD_SEQ && v->kind != PD_MAP;
			int shown = text ? (int)(v->len > 60 ? 60 : v->len) : 0;
			diag_add(ev->diags, PD_ERROR, n->loc, NULL,
				 "formatter \"%s\" %s, but \"%.*s\" is %s%.*s%s",
				 tmpl_formatter_name(n->filters[i]), why.s, (int)n->len, n->s,
				 text ? "\"" : v->kind == PD_SEQ ? "a list" : "a map", shown,
				 text ? v->str : "", text ? "\"" : "");
			if (v->loc.file)
				diag_context(ev->diags, "the value is at %s:%d:%d", v->loc.file,
					     v->loc.line, v->loc.col);
			add_chain(ev);
			ev->errors++;
		}
		buf_free(&why);
		v = r;
	}
	return v;
}

static void interpolate(struct ev *ev, const struct node *n)
{
	const struct pd_value *v = resolve(ev, n->s, n->len);
	if (!v) {
		if (!ev->opts->lenient)
			unknown_name(ev, n);
		return;
	}
	v = apply_filters(ev, n, v);
	if (!v || v->kind == PD_NULL)
		return;
	if (v->kind == PD_SEQ || v->kind == PD_MAP) {
		if (!ev->opts->lenient)
			ev_error(ev, n->loc,
				 "\"%.*s\" is a %s, not a text: use a section {{#%.*s}}...{{/%.*s}}%s",
				 (int)n->len, n->s, v->kind == PD_SEQ ? "list" : "map", (int)n->len,
				 n->s, (int)n->len, n->s,
				 v->kind == PD_SEQ ? " or the formatter \"| join\"" : "");
		return;
	}
	put_escaped(ev, n->raw ? PD_ESC_NONE : ev->opts->escape, v->str, v->len);
}

/* --- sections */

static void push(struct ev *ev, const struct pd_value *v)
{
	if (ev->depth == ev->cap) {
		ev->cap = ev->cap ? ev->cap * 2 : 16;
		ev->stack = xrealloc(ev->stack, ev->cap * sizeof *ev->stack);
	}
	ev->stack[ev->depth++] = v;
}

/* Counts work (nodes and section items) so that no input can make rendering endless. */
static bool step(struct ev *ev, const struct node *n)
{
	if (++ev->work <= TMPL_MAX_WORK)
		return true;
	ev_error(ev, n->loc, "the template does too much work (more than %ld steps)", TMPL_MAX_WORK);
	ev->stop = true;
	return false;
}

static void section(struct ev *ev, const struct node *n, struct frame *f, const struct ovr *o)
{
	const struct pd_value *v = resolve(ev, n->s, n->len);
	if (n->kind == N_INVERTED) {
		if (!value_truthy(v))
			render(ev, n->kids, n->nkids, f, o);
		return;
	}
	if (!value_truthy(v))
		return;
	if (v->kind == PD_SEQ) {
		for (size_t i = 0; i < v->n && !ev->stop && step(ev, n); i++) {
			push(ev, v->items[i]);
			render(ev, n->kids, n->nkids, f, o);
			ev->depth--;
		}
		return;
	}
	push(ev, v);
	render(ev, n->kids, n->nkids, f, o);
	ev->depth--;
}

/* --- partials, parents and blocks */

/* The name of a partial: its own, or (dynamic) a text from the data. */
static const char *include_name(struct ev *ev, const struct node *n, char *buf, size_t size)
{
	if (!n->dynamic) {
		snprintf(buf, size, "%.*s", (int)n->len, n->s);
		return buf;
	}
	const struct pd_value *v = resolve(ev, n->s, n->len);
	if (!v || v->kind == PD_SEQ || v->kind == PD_MAP || v->kind == PD_NULL) {
		if (!ev->opts->lenient)
			ev_error(ev, n->loc, "the partial name \"%.*s\" %s", (int)n->len, n->s,
				 v ? "is not a text" : "is not in the data");
		return NULL;
	}
	if (!tmpl_name_ok(v->str, v->len)) {
		ev_error(ev, n->loc,
			 "bad template name \"%.*s\" from \"%.*s\": a name is a file in the "
			 "template directory, without '/', '\\', \"..\" or blanks",
			 (int)(v->len > 80 ? 80 : v->len), v->str, (int)n->len, n->s);
		return NULL;
	}
	snprintf(buf, size, "%.*s", (int)v->len, v->str);
	return buf;
}

static const struct pd_tmpl *include_load(struct ev *ev, const struct node *n, const char *name,
					  const char *kind)
{
	if (ev->nchain >= TMPL_MAX_INCLUDE) {
		ev_error(ev, n->loc, "%ss nested more than %d deep (is \"%s\" including itself?)",
			 kind, TMPL_MAX_INCLUDE, name);
		ev->stop = true;
		return NULL;
	}
	struct entry *e = set_load(ev->set, name);
	if (e->missing) {
		if (!ev->opts->lenient) {
			struct pd_buf b = {0};
			search_path_text(ev->set, &b);
			ev_error(ev, n->loc, "no %s \"%s\" (looked for %s.md in %s)", kind, name, name,
				 b.s);
			buf_free(&b);
		}
		return NULL;
	}
	if (!e->t) {
		for (size_t i = 0; i < e->errs.n; i++) {
			const struct pd_diag *g = &e->errs.v[i];
			diag_add(ev->diags, g->sev, g->loc, g->rule, "%s", g->msg);
			diag_context(ev->diags, "in %s \"%s\" included at %s:%d:%d", kind, name,
				     n->loc.file, n->loc.line, n->loc.col);
			add_chain(ev);
			ev->errors++;
		}
		return NULL;
	}
	return e->t;
}

static void include(struct ev *ev, const struct node *n, struct frame *f, const struct ovr *o)
{
	const char *kind = n->kind == N_PARENT ? "parent" : "partial";
	char buf[256];
	const char *name = include_name(ev, n, buf, sizeof buf);
	const struct pd_tmpl *t = name ? include_load(ev, n, name, kind) : NULL;
	struct frame nf = {"", "", "", 0, 0, 0, true};
	if (n->standalone) {
		size_t k = common_blanks(n->indent, n->indent_len, f->strip, f->strip_len);
		const char *cur = f->first ? f->first_add : f->add;
		size_t curlen = f->first ? f->first_len : f->add_len;
		f->first = false;
		nf.first_add = cat(ev, cur, curlen, n->indent + k, n->indent_len - k, &nf.first_len);
		nf.add = cat(ev, f->add, f->add_len, n->indent + k, n->indent_len - k, &nf.add_len);
	}
	if (!t)
		return;
	const struct ovr *list = o;
	if (n->kind == N_PARENT)
		for (size_t i = 0; i < n->nkids; i++) {
			struct ovr *a = arena_alloc(ev->arena, sizeof *a);
			*a = (struct ovr){n->kids[i], list};
			list = a;
		}
	ev->chain[ev->nchain++] = (struct site){kind, arena_strdup(ev->arena, name), n->loc};
	render(ev, t->kids, t->nkids, &nf, list);
	ev->nchain--;
}

static const struct node *find_override(const struct ovr *o, const struct node *block)
{
	const struct node *found = NULL;
	for (; o; o = o->next)
		if (o->block->len == block->len && !memcmp(o->block->s, block->s, block->len))
			found = o->block;
	return found;
}

/* A block renders its argument, re-indented from where it was written to where it goes. */
static void block(struct ev *ev, const struct node *n, struct frame *f, const struct ovr *o)
{
	const struct node *arg = find_override(o, n);
	if (!arg) {
		render(ev, n->kids, n->nkids, f, o);
		return;
	}
	if (ev->nblocks >= TMPL_MAX_BLOCKS) {
		ev_error(ev, n->loc, "blocks nested more than %d deep", TMPL_MAX_BLOCKS);
		ev->stop = true;
		return;
	}
	size_t k = common_blanks(n->indent, n->indent_len, f->strip, f->strip_len);
	struct frame nf = {"", "", arg->indent, 0, 0, arg->indent_len, arg->content_bol};
	if (n->standalone) {
		const char *cur = f->first ? f->first_add : f->add;
		size_t curlen = f->first ? f->first_len : f->add_len;
		f->first = false;
		nf.first_add = cat(ev, cur, curlen, n->indent + k, n->indent_len - k, &nf.first_len);
	}
	nf.add = cat(ev, f->add, f->add_len, n->indent + k, n->indent_len - k, &nf.add_len);
	ev->nblocks++;
	render(ev, arg->kids, arg->nkids, &nf, o);
	ev->nblocks--;
}

static void render(struct ev *ev, struct node *const *kids, size_t n, struct frame *f,
		   const struct ovr *o)
{
	for (size_t i = 0; i < n && !ev->stop; i++) {
		const struct node *k = kids[i];
		if (!step(ev, k))
			return;
		const char *s = k->s;
		size_t len = k->len;
		if (k->bol && k->kind == N_TEXT) {
			emit_indent(ev, f);
			size_t cut = common_blanks(s, len, f->strip, f->strip_len);
			s += cut;
			len -= cut;
		} else if (k->bol) {
			emit_indent(ev, f);
		}
		switch (k->kind) {
		case N_TEXT: put(ev, s, len); break;
		case N_VAR: interpolate(ev, k); break;
		case N_SECTION:
		case N_INVERTED: section(ev, k, f, o); break;
		case N_PARTIAL:
		case N_PARENT: include(ev, k, f, o); break;
		case N_BLOCK: block(ev, k, f, o); break;
		}
	}
}

int tmpl_eval(struct pd_tmpl_set *set, const struct pd_tmpl *t, const struct pd_value *data,
	      const struct pd_tmpl_opts *opts, struct pd_buf *out, struct pd_diags *diags)
{
	static const struct pd_tmpl_opts defaults = {PD_ESC_MARKDOWN, false};
	if (!t)
		return 1;
	struct ev ev = {.set = set, .opts = opts ? opts : &defaults, .out = out, .diags = diags};
	ev.arena = arena_new();
	if (data)
		push(&ev, data);
	struct frame top = {"", "", "", 0, 0, 0, true};
	render(&ev, t->kids, t->nkids, &top, NULL);
	free(ev.stack);
	arena_free(ev.arena);
	if (!out->s)
		buf_put(out, "", 0);
	return ev.errors ? 1 : 0;
}

int tmpl_render_string(struct pd_tmpl_set *set, const char *text, size_t len, struct pd_loc at,
		       const struct pd_value *data, const struct pd_tmpl_opts *opts,
		       struct pd_buf *out, struct pd_diags *diags)
{
	struct pd_tmpl *t = parse(at.file ? at.file : "string", text, len, at.line, at.col, diags);
	if (!t)
		return 1;
	int rc = tmpl_eval(set, t, data, opts, out, diags);
	tmpl_free(t);
	return rc;
}
