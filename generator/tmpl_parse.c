/* tmpl_parse: the template stage's parser: Mustache text -> nodes with places.
 * In: template text. Out: a struct pd_tmpl (tmpl_impl.h), or located errors. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "tmpl_impl.h"

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

/* Templates are UTF-8 text: the first bad byte or NUL is an error at its place. */
static bool text_ok(struct parser *p)
{
	const utf8proc_uint8_t *s = (const utf8proc_uint8_t *)p->t->text;
	size_t off = 0;
	while (off < p->t->len) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t n = utf8proc_iterate(s + off, (utf8proc_ssize_t)(p->t->len - off), &cp);
		if (n < 0 || cp == 0) {
			if (n < 0)
				parse_error(p, parser_loc(p, off),
					    "invalid UTF-8 (byte 0x%02X): save the template as UTF-8",
					    s[off]);
			else
				parse_error(p, parser_loc(p, off), "NUL byte in the template");
			return false;
		}
		off += (size_t)n;
	}
	return true;
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

bool tmpl_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

bool tmpl_is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static void trim(const char **s, size_t *len)
{
	while (*len && tmpl_is_space(**s)) {
		(*s)++;
		(*len)--;
	}
	while (*len && tmpl_is_space((*s)[*len - 1]))
		(*len)--;
}

static bool has_space(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (tmpl_is_space(s[i]))
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
		if (tmpl_is_space(s[i]) || s[i] == '|' || s[i] == '\0' ||
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
		if (c < 0x20 || c == 0x7f || c == '/' || c == '\\' || tmpl_is_space((char)c))
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
	struct pd_suggestion near = diag_did_you_mean(key, cands, n < 16 ? n : 16, '"');
	free(key);
	if (near.text[0]) {
		buf_puts(b, near.text);
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
	while (a < len && !tmpl_is_space(s[a]))
		a++;
	size_t b = a;
	while (b < len && tmpl_is_space(s[b]))
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
		if (!tmpl_is_blank(s[i]))
			return false;
	return true;
}

static size_t blank_run(const char *s, size_t from, size_t to)
{
	size_t i = from;
	while (i < to && tmpl_is_blank(s[i]))
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

struct pd_tmpl *tmpl_parse(const char *file, const char *text, size_t len, int line0, int col0,
			     struct pd_diags *diags)
{
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
	if (text_ok(&p) && tokenize(&p)) {
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
