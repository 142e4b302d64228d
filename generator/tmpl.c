/* tmpl: the template stage: the template set (search path, cache) and evaluation.
 * In: parsed templates (tmpl_parse.c) and a pd_value tree. Out: text in a pd_buf, diagnostics. */
#include "tmpl_impl.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "md.h"

void tmpl_free(struct pd_tmpl *t)
{
	if (!t)
		return;
	diag_store_forget(t->registered, t->file);
	arena_free(t->arena);
	free(t->text);
	free(t);
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
	const struct pd_value *front_matter; /* in the set's arena, or NULL */
	const char *path; /* the file it was read from (interned), or NULL */
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
	struct pd_arena *arena; /* front matter of included templates */
	struct used {           /* front matter met by the last evaluation, and how deep */
		const struct pd_value *fm;
		int depth;
	} *used;
	size_t nused, capused;
	struct pd_diag_store *store; /* the names and texts its diagnostics use */
	bool own_store;
};

static void keep_source(struct pd_tmpl_set *set, const char *file, char *text, size_t len)
{
	struct kept *k = xmalloc(sizeof *k);
	*k = (struct kept){set->kept, diag_store_intern(set->store, file), text};
	set->kept = k;
	diag_store_source(set->store, k->file, text, len);
}

struct pd_tmpl_set *tmpl_set_new(const char *const *dirs, size_t ndirs,
				  struct pd_diag_store *store)
{
	struct pd_tmpl_set *set = xcalloc(1, sizeof *set);
	set->arena = arena_new();
	set->own_store = !store;
	set->store = store ? store : diag_store_new();
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
		diag_store_forget(set->store, k->file);
		free(k->text);
		free(k);
	}
	free(set->used);
	arena_free(set->arena);
	if (set->own_store)
		diag_store_free(set->store);
	free(set);
}

char *tmpl_set_path(const struct pd_tmpl_set *set, const char *name)
{
	if (!tmpl_name_ok(name, strlen(name)))
		return NULL;
	for (size_t i = 0; i < set->ndirs; i++) {
		struct pd_buf path = {0};
		buf_printf(&path, "%s/%s.md", set->dirs[i], name);
		struct stat st;
		if (stat(path.s, &st) == 0) /* a FIFO is found here and refused by file_read */
			return buf_take(&path);
		buf_free(&path);
	}
	return NULL;
}

/* A partial's or parent's front matter ("---" lines at its top) is read into e, never
 * rendered; its body is parsed at its true lines. The file's text is kept for carets. */
static struct pd_tmpl *load_with_front_matter(struct pd_tmpl_set *set, struct entry *e,
					      const char *file, char *text, size_t len)
{
	size_t fm_off, fm_len, body_off;
	int body_line;
	const char *name = diag_store_intern(set->store, file);
	if (md_front_matter(text, len, name, &fm_off, &fm_len, &body_off, &body_line, &e->errs) < 0) {
		keep_source(set, name, text, len);
		return NULL;
	}
	keep_source(set, name, text, len);
	e->front_matter = value_load_mem(set->arena, name, text, fm_off + fm_len, NULL, &e->errs);
	diag_store_source(set->store, name, text, len);
	if (!e->front_matter)
		return NULL;
	return tmpl_parse(name, text + body_off, len - body_off, body_line, 1, &e->errs);
}

static struct pd_tmpl *load_registered(struct pd_tmpl_set *set, struct entry *e,
				       const char *file, char *text, size_t len)
{
	struct pd_diags *errs = &e->errs;
	if (len >= 3 && !memcmp(text, "---", 3))
		return load_with_front_matter(set, e, file, text, len);
	struct pd_tmpl *t = tmpl_parse(diag_store_intern(set->store, file), text, len, 1, 1, errs);
	if (t) {
		diag_store_source(set->store, t->file, t->text, t->len);
		t->registered = set->store;
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
	e->errs.store = set->store;
	e->name = xstrdup(name);
	e->next = set->cache;
	set->cache = e;
	for (struct mem *m = set->mems; m; m = m->next)
		if (!strcmp(m->name, name)) {
			e->t = load_registered(set, e, name, xstrndup(m->text, m->len), m->len);
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
			diag_error(&e->errs, ((struct pd_loc){diag_intern(&e->errs, path.s), 0, 0}),
				   "cannot read template: %s",
				   errno == EFBIG ? "larger than the template limit" : file_strerror(errno));
		else
			e->t = load_registered(set, e, path.s, text, len);
		e->path = diag_store_intern(set->store, path.s);
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
	diag_copy(diags, &e->errs);
	return e->t;
}

const struct pd_tmpl *tmpl_parse_mem(struct pd_tmpl_set *set, const char *name, const char *text,
				     size_t len, int first_line, struct pd_diags *diags)
{
	name = diag_store_intern(set->store, name);
	struct pd_tmpl *t = tmpl_parse(name, text, len, first_line, 1, diags);
	if (!t) {
		if (first_line <= 1)
			keep_source(set, name, xstrndup(text, len), len);
		return NULL;
	}
	if (first_line <= 1) {
		diag_store_source(set->store, t->file, t->text, t->len);
		t->registered = set->store;
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
	const struct pd_value **shapes; /* each frame's place in opts->schema, or NULL */
	size_t depth, cap;
	struct site chain[TMPL_MAX_INCLUDE + 1];
	int nchain, nblocks;
	long work;
	int errors;
	bool stop;
	struct pd_loc at; /* the node being rendered, for errors that arise while writing */
	struct pd_buf escaped; /* a value as escaped, before it is put (kept for the next) */
};

static void render(struct ev *ev, struct node *const *kids, size_t n, struct frame *f,
		   const struct ovr *o);

static bool same_site(const struct site *a, const struct site *b)
{
	return a->kind == b->kind && !strcmp(a->name, b->name) && a->loc.file == b->loc.file &&
	       a->loc.line == b->loc.line && a->loc.col == b->loc.col;
}

/* One context line per include site, innermost first; a template that includes itself
 * says so once, and a long cycle shows its ends. */
static void add_chain(struct ev *ev)
{
	int lines = 0, shown = 0;
	for (int pass = 0; pass < 2; pass++) {
		int k = 0;
		for (int i = ev->nchain - 1; i >= 0; i--, k++) {
			const struct site *s = &ev->chain[i];
			int same = 0;
			while (i > 0 && same_site(&ev->chain[i - 1], s)) {
				i--;
				same++;
			}
			if (!pass) {
				lines++;
				continue;
			}
			if (lines > 8 && k >= 4 && k < lines - 3) {
				if (!shown++)
					diag_context(ev->diags, "(%d more include sites)", lines - 7);
				continue;
			}
			diag_context(ev->diags, "in %s \"%s\" included at %s:%d:%d", s->kind,
				     s->name, s->loc.file ? s->loc.file : "?", s->loc.line,
				     s->loc.col);
			if (same)
				diag_context(ev->diags, "(and %d more times from the same place)", same);
		}
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
		ev_error(ev, ev->at, "rendered text would be longer than %u bytes",
			 TMPL_MAX_OUTPUT);
		ev->stop = true;
		return;
	}
	buf_put(ev->out, s, len);
}

static void note_origin(struct ev *ev, struct pd_loc loc, bool verbatim)
{
	struct pd_origins *o = ev->opts->origins;
	if (!o || ev->stop || !loc.file)
		return;
	if (o->n && o->v[o->n - 1].out == ev->out->len)
		o->n--; /* nothing came of the last one */
	if (o->n == o->cap) {
		o->cap = o->cap ? 2 * o->cap : 64;
		o->v = xrealloc(o->v, o->cap * sizeof *o->v);
	}
	o->v[o->n++] = (struct pd_origin){ev->out->len, loc, verbatim};
}

static void put_escaped(struct ev *ev, enum pd_escape esc, const char *s, size_t len)
{
	if (esc == PD_ESC_NONE) {
		put(ev, s, len);
		return;
	}
	buf_clear(&ev->escaped);
	tmpl_escape(esc, s, len, &ev->escaped);
	put(ev, ev->escaped.s, ev->escaped.len);
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
	while (k < len && k < strip_len && s[k] == strip[k] && tmpl_is_blank(s[k]))
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
		for (size_t i = 0; i < v->n; i++) { /* the first byte turns most keys away */
			const char *key = v->keys[i];
			if ((!kl || key[0] == k[0]) && !strncmp(key, k, kl) && key[kl] == '\0')
				return v->items[i];
		}
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

/* The value of name and, when shape is not NULL, its place in the schema (NULL when the
 * schema does not have it) and whether the name is one the data may have: found, below a
 * value that is null (an absent field or one the context left empty), an item of a list
 * that has fewer, or in the schema. */
struct lookup {
	const struct pd_value *v, *shape;
	bool known;
};

static const struct pd_value *shape_child(const struct pd_value *sh, const char *k, size_t kl)
{
	if (!sh || sh->kind == PD_NULL)
		return sh; /* NULL: not in the schema; null: anything goes below */
	if (sh->kind == PD_SEQ)
		return kl && k[0] >= '0' && k[0] <= '9' && sh->n ? sh->items[0] : NULL;
	const struct pd_value *c = child(sh, k, kl);
	return c ? c : child(sh, "*", 1);
}

/* Walks name's parts after the first (at pos) below v and its shape sh. */
static struct lookup walk(const char *name, size_t len, size_t pos, const struct pd_value *v,
			  const struct pd_value *sh)
{
	bool under_null = false;
	while (pos < len) {
		const char *part = name + pos + 1;
		const char *next = memchr(part, '.', (size_t)(name + len - part));
		size_t plen = next ? (size_t)(next - part) : (size_t)(name + len - part);
		if (v && (v->kind == PD_NULL || (v->kind == PD_SEQ && plen && part[0] >= '0' &&
						 part[0] <= '9')))
			under_null = true; /* an empty field, or an item past a list's end */
		v = child(v, part, plen);
		sh = shape_child(sh, part, plen);
		pos = (size_t)(part - name) + plen;
	}
	return (struct lookup){v, sh, v || under_null || sh};
}

static struct lookup lookup(struct ev *ev, const char *name, size_t len)
{
	struct lookup none = {NULL, NULL, false};
	if (!ev->depth)
		return none;
	if (len == 1 && name[0] == '.')
		return (struct lookup){ev->stack[ev->depth - 1], ev->shapes[ev->depth - 1], true};
	const char *dot = memchr(name, '.', len);
	size_t first = dot ? (size_t)(dot - name) : len;
	for (size_t i = ev->depth; i-- > 0;) {
		const struct pd_value *v = ev->stack[i] && ev->stack[i]->kind == PD_MAP
					       ? child(ev->stack[i], name, first)
					       : NULL;
		if (v) {
			struct lookup r = walk(name, len, first, v, shape_child(ev->shapes[i], name, first));
			if (r.v || r.known)
				return r;
			break;
		}
	}
	for (size_t i = ev->depth; i-- > 0;) { /* not in the data: in the schema? */
		const struct pd_value *sh = shape_child(ev->shapes[i], name, first);
		if (sh && walk(name, len, first, NULL, sh).shape)
			return (struct lookup){NULL, NULL, true};
	}
	return none;
}

static const struct pd_value *resolve(struct ev *ev, const char *name, size_t len)
{
	return lookup(ev, name, len).v;
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
		if (!strcmp(v->keys[i], "*"))
			continue;
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
	for (size_t i = ev->depth; i-- > 0;) {
		collect_paths(ev, &c, ev->stack[i], NULL, 0);
		collect_paths(ev, &c, ev->shapes[i], NULL, 0);
	}
	char *name = xstrndup(n->s, n->len);
	ev_error(ev, n->loc, "unknown field \"%s\"%s%s", name,
		 n->kind == N_VAR ? "" : " (a section over a name the data cannot have is always false)",
		 diag_did_you_mean(name, c.v, c.n, '"').text);
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

/* {{{x}}} lets x's own Markdown through: only a field the schema calls Markdown should. */
static void check_raw(struct ev *ev, const struct node *n, const struct lookup *at)
{
	if (!n->raw || !ev->opts->schema || ev->opts->lenient || n->nfilters ||
	    (at->shape && (at->shape->kind == PD_NULL || !strcmp(at->shape->str, "markdown"))))
		return;
	diag_add(ev->diags, PD_WARNING, n->loc, NULL,
		 "\"%.*s\" is plain text, not Markdown, but {{{%.*s}}} leaves it unescaped: a '*', "
		 "'[' or '#' in it would become formatting or a link; write {{%.*s}}",
		 (int)n->len, n->s, (int)n->len, n->s, (int)n->len, n->s);
	add_chain(ev);
}

static void interpolate(struct ev *ev, const struct node *n)
{
	struct lookup at = lookup(ev, n->s, n->len);
	const struct pd_value *v = at.v;
	check_raw(ev, n, &at);
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
	note_origin(ev, v->loc.file ? v->loc : n->loc, false);
	put_escaped(ev, n->raw ? PD_ESC_NONE : ev->opts->escape, v->str, v->len);
}

/* --- sections */

static void push(struct ev *ev, const struct pd_value *v, const struct pd_value *shape)
{
	if (ev->depth == ev->cap) {
		ev->cap = ev->cap ? ev->cap * 2 : 16;
		ev->stack = xrealloc(ev->stack, ev->cap * sizeof *ev->stack);
		ev->shapes = xrealloc(ev->shapes, ev->cap * sizeof *ev->shapes);
	}
	ev->shapes[ev->depth] = shape;
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
	struct lookup at = lookup(ev, n->s, n->len);
	const struct pd_value *v = at.v;
	if (!at.known && ev->opts->schema && !ev->opts->lenient) {
		unknown_name(ev, n);
		return;
	}
	if (n->kind == N_INVERTED) {
		if (!value_truthy(v))
			render(ev, n->kids, n->nkids, f, o);
		return;
	}
	if (!value_truthy(v))
		return;
	if (v->kind == PD_SEQ) {
		for (size_t i = 0; i < v->n && !ev->stop && step(ev, n); i++) {
			push(ev, v->items[i], shape_child(at.shape, "0", 1));
			render(ev, n->kids, n->nkids, f, o);
			ev->depth--;
		}
		return;
	}
	push(ev, v, at.shape);
	render(ev, n->kids, n->nkids, f, o);
	ev->depth--;
}

/* --- partials, parents and blocks */

/* s[0..len) into buf of size bytes, cut to fit, as snprintf's "%.*s" would. */
static const char *name_copy(char *buf, size_t size, const char *s, size_t len)
{
	len = strnlen(s, len < size ? len : size - 1);
	memcpy(buf, s, len);
	buf[len] = '\0';
	return buf;
}

/* The name of a partial: its own, or (dynamic) a text from the data. */
static const char *include_name(struct ev *ev, const struct node *n, char *buf, size_t size)
{
	if (!n->dynamic)
		return name_copy(buf, size, n->s, n->len);
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
	return name_copy(buf, size, v->str, v->len);
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
			diag_copy_one(ev->diags, &e->errs.v[i]);
			diag_context(ev->diags, "in %s \"%s\" included at %s:%d:%d", kind, name,
				     n->loc.file, n->loc.line, n->loc.col);
			add_chain(ev);
			ev->errors++;
		}
		return NULL;
	}
	if (e->front_matter) {
		struct pd_tmpl_set *set = ev->set;
		if (set->nused == set->capused) {
			set->capused = set->capused ? set->capused * 2 : 8;
			set->used = xrealloc(set->used, set->capused * sizeof *set->used);
		}
		set->used[set->nused++] = (struct used){e->front_matter, ev->nchain + 1};
	}
	return e->t;
}

void tmpl_set_files(const struct pd_tmpl_set *set, struct pd_buf *out)
{
	for (const struct entry *e = set->cache; e; e = e->next)
		if (e->path)
			buf_printf(out, "%s\t%s\n", e->name, e->path);
}

const struct pd_value *tmpl_front_matter_take(struct pd_tmpl_set *set, struct pd_arena *arena)
{
	int deepest = 0;
	for (size_t i = 0; arena && i < set->nused; i++)
		deepest = set->used[i].depth > deepest ? set->used[i].depth : deepest;
	const struct pd_value *merged = NULL;
	for (int depth = deepest; depth > 0; depth--)
		for (size_t i = 0; i < set->nused; i++)
			if (set->used[i].depth == depth)
				merged = value_merge(arena, merged, set->used[i].fm);
	set->nused = 0;
	return merged;
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
		ev->at = k->loc;
		const char *s = k->s;
		size_t len = k->len;
		size_t cut = 0;
		if (k->bol && k->kind == N_TEXT) {
			emit_indent(ev, f);
			cut = common_blanks(s, len, f->strip, f->strip_len);
			s += cut;
			len -= cut;
		} else if (k->bol) {
			emit_indent(ev, f);
		}
		switch (k->kind) {
		case N_TEXT:
			note_origin(ev, (struct pd_loc){k->loc.file, k->loc.line, k->loc.col + (int)cut},
				    true);
			put(ev, s, len);
			break;
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
	static const struct pd_tmpl_opts defaults = {PD_ESC_MARKDOWN, false, NULL, NULL};
	if (!t)
		return 1;
	struct ev ev = {.set = set, .opts = opts ? opts : &defaults, .out = out, .diags = diags};
	ev.arena = arena_new();
	if (data)
		push(&ev, data, ev.opts->schema);
	struct frame top = {"", "", "", 0, 0, 0, true};
	render(&ev, t->kids, t->nkids, &top, NULL);
	free(ev.stack);
	free(ev.shapes);
	buf_free(&ev.escaped);
	arena_free(ev.arena);
	if (!out->s)
		buf_put(out, "", 0);
	return ev.errors ? 1 : 0;
}

int tmpl_render_string(struct pd_tmpl_set *set, const char *text, size_t len, struct pd_loc at,
		       const struct pd_value *data, const struct pd_tmpl_opts *opts,
		       struct pd_buf *out, struct pd_diags *diags)
{
	struct pd_tmpl *t = tmpl_parse(at.file ? at.file : "string", text, len, at.line, at.col, diags);
	if (!t)
		return 1;
	int rc = tmpl_eval(set, t, data, opts, out, diags);
	tmpl_free(t);
	return rc;
}

/* --------------------------------------------------------------- origins */

void tmpl_origins_free(struct pd_origins *o)
{
	free(o->v);
	*o = (struct pd_origins){0};
}

struct pd_loc tmpl_origin(const struct pd_origins *o, const char *text, size_t len, size_t off)
{
	size_t lo = 0, hi = o->n; /* the last entry at or before off */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (o->v[mid].out <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo || off > len)
		return (struct pd_loc){0};
	const struct pd_origin *e = &o->v[lo - 1];
	if (!e->verbatim)
		return e->loc;
	struct pd_loc in = diag_loc_at(e->loc.file, text + e->out, len - e->out, off - e->out);
	return (struct pd_loc){e->loc.file, e->loc.line + in.line - 1,
			       in.line == 1 ? e->loc.col + in.col - 1 : in.col};
}
