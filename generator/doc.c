/* doc: the document stage that joins the others: case -> rules -> template -> Markdown -> PDF.
 * In: a pd_doc_request. Out: a PDF written atomically, a pd_doc_result, diagnostics. */
#include "doc.h"

#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "case.h"
#include "md.h"
#include "stamp.h"
#include "out.h"
#include "tmpl.h"
#include "typeset.h"
#include "util.h"

/* A top-level template: its front matter (a value tree) and its parsed body. */
struct page_template {
	struct page_template *next;
	const char *name;
	const struct pd_value *front_matter;
	const struct pd_tmpl *body;
};

struct pd_session {
	const char *datadir;
	struct pd_search search; /* --templates DIR, then DATADIR/templates */
	struct pd_arena *arena; /* lives from doc_session_new to doc_session_free */
	struct pd_tmpl_set *templates;
	const char *dirs[3]; /* whose files make documents (doc_input_dirs) */
	size_t ndirs;
	const struct pd_domain *domain;
	bool domain_tried;
	struct pd_diags domain_diags;
	struct page_template *pages; /* parsed once; a template with errors is not kept */
	const struct pd_value *schema; /* the names a template may use (case_schema_shape) */
	struct pd_typesetter *ts;
	struct pd_stamp_font *stamp; /* the packet's stamp face, made on first need */
	bool plain; /* --no-tags */
	struct pd_diag_store *store; /* every file name and quoted text of the process */
	struct pd_value_memo *case_memo; /* the case files' sections met (value_memo_load) */
};

/* ------------------------------------------------------------- setup */

void doc_session_plain(struct pd_session *s) { s->plain = true; }

struct pd_session *doc_session_new(const char *datadir, const char *user_templates)
{
	struct pd_session *s = xcalloc(1, sizeof *s);
	s->store = diag_store_new();
	s->domain_diags.store = s->store;
	s->arena = arena_new();
	s->datadir = arena_strdup(s->arena, datadir);
	char *tdir = arena_printf(s->arena, "%s/templates", datadir);
	if (user_templates)
		s->search.dirs[s->search.n++] = arena_strdup(s->arena, user_templates);
	s->search.dirs[s->search.n++] = tdir;
	s->templates = tmpl_set_new(s->search.dirs, s->search.n, s->store);
	s->ts = typesetter_new(datadir, s->store);
	typesetter_use_search(s->ts, &s->search);
	if (user_templates)
		s->dirs[s->ndirs++] = s->search.dirs[0];
	s->dirs[s->ndirs++] = tdir;
	s->dirs[s->ndirs++] = arena_printf(s->arena, "%s/fonts", datadir);
	return s;
}

size_t doc_input_dirs(const struct pd_session *s, const char *dirs[3])
{
	for (size_t i = 0; i < s->ndirs; i++)
		dirs[i] = s->dirs[i];
	return s->ndirs;
}

/* The typesetter goes first (its paragraph memo names its fonts' faces), then the templates,
 * then the arena the parsed page templates and the level table live in, last the names and
 * texts all of them point to. */
void doc_session_free(struct pd_session *s)
{
	if (!s)
		return;
	typesetter_free(s->ts);
	stamp_font_free(s->stamp);
	tmpl_set_free(s->templates);
	diag_clear(&s->domain_diags);
	value_memo_free(s->case_memo);
	arena_free(s->arena);
	diag_store_free(s->store);
	free(s);
}

struct pd_diag_store *doc_diag_store(struct pd_session *s)
{
	return s->store;
}

struct pd_typesetter *doc_typesetter(struct pd_session *s)
{
	return s->ts;
}

const char *doc_datadir(struct pd_session *s)
{
	return s->datadir;
}

const struct pd_stamp_font *doc_stamp_font(struct pd_session *s, struct pd_diags *diags)
{
	if (!s->stamp)
		s->stamp = stamp_font_new(s->datadir, diags);
	return s->stamp;
}

const struct pd_search *doc_search(const struct pd_session *s)
{
	return &s->search;
}

char *doc_resolve(const struct pd_session *s, const char *rel)
{
	return search_find(&s->search, rel);
}

void doc_note_shipped(const struct pd_session *s, struct pd_diags *diags)
{
	if (s->search.n < 2)
		return;
	struct pd_buf files = {0};
	tmpl_set_files(s->templates, &files);
	const char *shipped = s->search.dirs[s->search.n - 1];
	size_t n = strlen(shipped);
	for (char *line = files.s; line && *line;) {
		char *tab = strchr(line, '\t'), *end = strchr(line, '\n');
		*tab = *end = '\0';
		if (!strncmp(tab + 1, shipped, n) && tab[1 + n] == '/')
			diag_add(diags, PD_NOTE, ((struct pd_loc){0}), NULL,
				 "partial '%s' is the shipped %s (none in %s)", line, tab + 1,
				 s->search.dirs[0]);
		line = end + 1;
	}
	buf_free(&files);
}

/* The level table, office directory and regimes, read once per process. Their own errors
 * (a broken levels.yaml) are kept and added to every document's diagnostics. */
const struct pd_domain *doc_domain(struct pd_session *s)
{
	if (!s->domain_tried) {
		s->domain_tried = true;
		s->domain = levels_load_search(s->arena, &s->search, &s->domain_diags);
	}
	return s->domain;
}

/* Without a readable level table every name passes here: doc_make then reports why. */
bool doc_level_known(struct pd_session *s, const char *level)
{
	const struct pd_domain *dom = doc_domain(s);
	return !dom || levels_find(dom, level);
}

void doc_level_names(struct pd_session *s, struct pd_buf *out)
{
	const struct pd_domain *dom = doc_domain(s);
	for (size_t i = 0; dom && i < dom->nlevels; i++)
		buf_printf(out, "%s%s", i ? ", " : "", dom->levels[i].name);
}

/* ------------------------------------------------------------- templates */

/* The page template NAME from the search path, or with file not NULL the template in that
 * file (pdgen render --case). */
static const struct page_template *page_template_load(struct pd_session *s, const char *name,
						      const char *given, struct pd_diags *diags)
{
	if (given)
		name = given;
	for (const struct page_template *pt = s->pages; pt; pt = pt->next)
		if (!strcmp(pt->name, name))
			return pt;
	char *path = given ? xstrdup(given) : tmpl_set_path(s->templates, name);
	if (!path) {
		diag_error(diags, ((struct pd_loc){0}), "no template '%s.md' on the search path", name);
		return NULL;
	}
	size_t len;
	char *raw = file_read(path, &len, TMPL_MAX_BYTES);
	const char *file = diag_store_intern(s->store, path);
	free(path);
	if (!raw) {
		diag_error(diags, ((struct pd_loc){file, 0, 0}), "cannot read: %s", file_strerror(errno));
		return NULL;
	}
	char *text = arena_strndup(s->arena, raw, len);
	free(raw);
	diag_store_source(s->store, file, text, len);
	struct page_template pt = {NULL, arena_strdup(s->arena, name), NULL, NULL};
	size_t fm_off = 0, fm_len = 0, body_off = 0;
	int body_line = 1;
	int fm = md_front_matter(text, len, file, &fm_off, &fm_len, &body_off, &body_line, diags);
	if (fm < 0)
		return NULL;
	if (fm) {
		/* from the opening "---" (a YAML document start) to the closing one, so that
		   the places are those of the file */
		pt.front_matter = value_load_mem(s->arena, file, text, fm_off + fm_len, NULL,
						 diags);
		diag_store_source(s->store, file, text, len);
		if (!pt.front_matter)
			return NULL;
	}
	pt.body = tmpl_parse_mem(s->templates, file, text + body_off, len - body_off,
				 body_line, diags);
	if (!pt.body)
		return NULL;
	struct page_template *kept = arena_alloc(s->arena, sizeof *kept);
	*kept = pt;
	kept->next = s->pages;
	s->pages = kept;
	return kept;
}

/* A copy of the front matter in which every text holding "{{" is rendered as plain text. */
static struct pd_value *expand(struct pd_session *s, struct pd_arena *arena,
			       const struct pd_value *v, const struct pd_value *data,
			       struct pd_diags *diags)
{
	if (v->kind == PD_SEQ || v->kind == PD_MAP) {
		struct pd_value *copy = value_new(arena, v->kind, v->loc);
		for (size_t i = 0; i < v->n; i++) {
			struct pd_value *item = expand(s, arena, v->items[i], data, diags);
			if (v->kind == PD_MAP)
				value_set(arena, copy, v->keys[i], item);
			else
				value_append(arena, copy, item);
		}
		return copy;
	}
	if (v->kind != PD_STR || !strstr(v->str, "{{"))
		return (struct pd_value *)v;
	struct pd_buf out = {0};
	struct pd_tmpl_opts opts = {PD_ESC_NONE, false, NULL, NULL};
	tmpl_render_string(s->templates, v->str, v->len, v->loc, data, &opts, &out, diags);
	struct pd_value *copy = value_new_str(arena, out.s ? out.s : "", v->loc);
	buf_free(&out);
	return copy;
}

/* names[0..*n) gains name unless it holds it. */
static void add_name(const char **names, size_t *n, const char *name)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp(names[i], name))
			return;
	names[(*n)++] = name;
}

int doc_check_templates(struct pd_session *s, const char *const *levels, size_t n,
			struct pd_diags *diags)
{
	const struct pd_domain *dom = doc_domain(s);
	const char **names = xcalloc(2 * n + 4 + (dom ? dom->ndoctypes : 0), sizeof *names);
	size_t k = 0;
	add_name(names, &k, "letter-reconsideration");
	add_name(names, &k, "letter-bia");
	for (size_t i = 0; dom && i < n; i++) {
		const struct pd_level *lv = levels_find(dom, levels[i]);
		add_name(names, &k, lv && lv->letter ? lv->letter : "letter-request");
		add_name(names, &k, lv && lv->memo ? lv->memo : "memo");
	}
	for (size_t i = 0; dom && i < dom->ndoctypes; i++)
		add_name(names, &k, dom->doctypes[i].template);
	int before = diags->errors;
	for (size_t i = 0; i < k; i++)
		page_template_load(s, names[i], NULL, diags);
	free(names);
	return diags->errors - before;
}

/* ------------------------------------------------------------- results */

void doc_result_clear(struct pd_doc_result *res)
{
	diag_store_forget(res->source_store, res->source_name);
	free(res->source_text);
	free(res->files_read);
	free(res->out_path);
	free(res->client);
	free(res->a_number);
	*res = (struct pd_doc_result){0};
}

/* ------------------------------------------------------------- the document */

static bool is_directory(const char *path)
{
	struct stat st;
	size_t len = strlen(path);
	return (len && path[len - 1] == '/') || (stat(path, &st) == 0 && S_ISDIR(st.st_mode));
}

const char *doc_input_path(const char *path)
{
	return strcmp(path, "-") ? path : PD_STDIN;
}

static char *output_path(struct pd_arena *arena, const struct pd_doc_request *req,
			 const struct pd_case *c)
{
	char *name = case_output_name(arena, c, req->level, req->document);
	if (!req->out)
		return name;
	if (!strcmp(req->out, "-"))
		return arena_strdup(arena, "/dev/stdout");
	if (!req->out_dir && !is_directory(req->out))
		return arena_strdup(arena, req->out);
	size_t len = strlen(req->out);
	return arena_printf(arena, "%s%s%s", req->out, req->out[len - 1] == '/' ? "" : "/", name);
}

/* -o DIR/ names a directory, made (with those above it) when it is missing. */
static bool out_directory_ready(const char *out, struct pd_diags *diags)
{
	size_t len = out ? strlen(out) : 0;
	if (!len || out[len - 1] != '/' || dir_make(out) == 0)
		return true;
	diag_error(diags, ((struct pd_loc){diag_intern(diags, out), 0, 0}), "cannot make the directory: %s",
		   strerror(errno));
	return false;
}

/* The case's text is kept by the result, not the arena: its diagnostics quote it after
 * doc_make returns (doc_result_clear lets it go). */
static struct pd_case *load_case(struct pd_session *s, struct pd_arena *arena,
				 const struct pd_doc_request *req, struct pd_doc_result *res,
				 struct pd_diags *diags)
{
	if (!s->case_memo)
		s->case_memo = value_memo_new();
	struct pd_value_opts opts = {.memo = s->case_memo};
	size_t len;
	const char *path = doc_input_path(req->case_path);
	res->source_text = file_read(path, &len, VALUE_MAX_BYTES);
	if (!res->source_text) {
		struct pd_loc loc = {diag_intern(diags, path), 0, 0};
		if (errno == EFBIG)
			diag_error(diags, loc, "file too large (the limit is %u bytes)", VALUE_MAX_BYTES);
		else
			diag_error(diags, loc, "cannot read: %s", file_strerror(errno));
		return NULL;
	}
	res->source_name = diag_intern(diags, path);
	res->source_store = diags->store;
	struct pd_value *root =
	    value_load_mem(arena, path, res->source_text, len, &opts, diags);
	if (!root)
		return NULL;
	if (req->defaults)
		root = value_merge(arena, req->defaults, root);
	if (req->dump == PD_DUMP_VALUE)
		value_dump(root, stdout);
	const struct pd_domain *dom = doc_domain(s);
	if (!dom) {
		diag_copy(diags, &s->domain_diags);
		return NULL;
	}
	return case_from_value_domain(arena, root, path, dom, diags);
}

static void describe(struct pd_doc_result *res, const struct pd_value *ctx)
{
	const char *client = value_str(value_path(ctx, "client.full_name"));
	const char *anum = value_str(value_path(ctx, "client.a_number_display"));
	res->client = client ? xstrdup(client) : NULL;
	res->a_number = anum ? xstrdup(anum) : NULL;
}

static int render_markdown(struct pd_session *s, const struct page_template *pt,
			   const struct pd_value *ctx, struct pd_buf *md, struct pd_origins *origins,
			   struct pd_diags *diags)
{
	if (!s->schema)
		s->schema = case_schema_shape(s->arena);
	struct pd_tmpl_opts opts = {PD_ESC_MARKDOWN, false, origins, s->schema};
	tmpl_front_matter_take(s->templates, NULL); /* forget what an earlier one met */
	return tmpl_eval(s->templates, pt->body, ctx, &opts, md, diags);
}

/* The byte offset of line and column (characters, from 1) in text. */
static size_t offset_of(const char *text, size_t len, int line, int col)
{
	size_t off = 0;
	for (int l = 1; l < line && off < len; off++)
		if (text[off] == '\n')
			l++;
	for (int c = 1; c < col && off < len && text[off] != '\n'; c++)
		do
			off++;
		while (off < len && ((unsigned char)text[off] & 0xC0) == 0x80);
	return off;
}

/* Problems found in the rendered Markdown (Markdown and layout name it after its template)
 * move to where that text came from: a line of a template or partial, or a value of the
 * case file. */
static void place_in_sources(const char *rendered, const struct pd_buf *md,
			     const struct pd_origins *origins, struct pd_diags *diags, size_t from)
{
	for (size_t i = from; i < diags->n; i++) {
		struct pd_diag *g = &diags->v[i];
		if (!g->loc.file || strcmp(g->loc.file, rendered) || g->loc.line < 1)
			continue;
		size_t off = offset_of(md->s, md->len, g->loc.line, g->loc.col);
		struct pd_loc at = tmpl_origin(origins, md->s, md->len, off);
		if (at.file)
			g->loc = at;
	}
}

/* The directory of a file's path ("." for a bare name), in arena: images named in a case
 * (logo, signature) resolve beside the case file. */
const char *doc_case_dir(struct pd_arena *arena, const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? arena_strndup(arena, path, (size_t)(slash - path)) : ".";
}

/* What a letter's images resolve against: the rendered Markdown and where each part of
 * it came from, the case file, and the search path. */
struct image_place {
	struct pd_session *s;
	struct pd_arena *arena;
	const struct pd_buf *md;
	const struct pd_origins *origins;
	const char *rendered, *case_file;
};

static bool exists_in(struct pd_arena *arena, const char *dir, const char *url)
{
	struct stat st;
	return stat(arena_printf(arena, "%s/%s", dir, url), &st) == 0;
}

/* An image named in the case (a value: firm.logo) is beside the case file; one named in a
 * template is beside that template, else on the search path (overlay, then shipped). */
static const char *image_dir(void *ctx, const char *url, struct pd_loc at)
{
	struct image_place *p = ctx;
	if (!at.file || strcmp(at.file, p->rendered) || at.line < 1)
		return NULL;
	size_t off = offset_of(p->md->s, p->md->len, at.line, at.col);
	const char *dest = strstr(p->md->s + off, "](");
	if (strncmp(p->md->s + off, url, strlen(url)) && dest) /* at the image, not its url */
		off = (size_t)(dest - p->md->s) + 2 + (dest[2] == '<');
	struct pd_loc from = tmpl_origin(p->origins, p->md->s, p->md->len, off);
	if (!from.file || !strcmp(from.file, p->case_file))
		return NULL;
	const char *dir = doc_case_dir(p->arena, from.file);
	if (exists_in(p->arena, dir, url))
		return dir;
	for (size_t i = 0; i < p->s->search.n; i++)
		if (exists_in(p->arena, p->s->search.dirs[i], url))
			return p->s->search.dirs[i];
	return dir;
}

/* Lays the Markdown out and writes the PDF to out; with out NULL only lays it out, for
 * the problems that only the layout finds (a character no font has, a missing image). */
static int typeset(struct pd_session *s, struct pd_arena *arena, const struct page_template *pt,
		   const struct pd_case *c, const struct pd_doc_request *req,
		   const struct pd_value *ctx, struct image_place *places, const char *out,
		   struct pd_doc_result *res, struct pd_diags *diags)
{
	const struct pd_buf *md = places->md;
	const struct pd_value *merged =
	    value_merge(arena, tmpl_front_matter_take(s->templates, arena), pt->front_matter);
	const struct pd_value *fm = merged ? expand(s, arena, merged, ctx, diags) : NULL;
	const struct pd_value *lh = value_get(fm, "letterhead");
	if (lh && value_truthy(lh))
		diag_error(diags, lh->loc, "a letter's letterhead is the partial letterhead.md (it "
					   "prints firm.logo): take 'letterhead' out of the front matter");
	if (diags->errors)
		return PD_EXIT_INPUT;
	struct pd_typeset_opts opts = {
	    .source_name = pt->name,
	    .first_line = 1,
	    .base_dir = doc_case_dir(arena, req->case_path),
	    .image_dirs = {image_dir, places},
	    .style = fm,
	    .title = value_str(value_path(ctx, "document.title")),
	    .author = value_str(value_path(ctx, "attorney.name")),
	    .subject = value_str(value_path(ctx, "document.subject")),
	    .date_iso = value_str(value_path(ctx, "letter.date")),
	    .header_left = case_header_text(arena, c),
	    .no_tags = s->plain || req->untagged,
	    .own_letterhead = true,
	    .out_dir = req->out_dir,
	};
	if (out) {
		struct pd_pdf_written written = {0};
		struct pd_buf files = {0};
		opts.files_read = &files;
		int rc = typeset_pdf(s->ts, md->s, md->len, &opts, out, &written, diags);
		res->files_read = files.s;
		res->pages = written.pages;
		res->bytes = written.bytes;
		res->margin_top = written.margin_top, res->margin_top_at = written.margin_top_at;
		res->margin_bottom = written.margin_bottom, res->margin_bottom_at = written.margin_bottom_at;
		memcpy(res->sha256, written.sha256, sizeof res->sha256);
		return rc;
	}
	struct pd_buf pages = {0}; /* a check: laid out, written nowhere; or the layout dumped */
	int rc;
	if (req->dump == PD_DUMP_LAYOUT) {
		rc = typeset_layout_dump(s->ts, md->s, md->len, &opts, &pages, diags);
		fwrite(pages.s, 1, pages.len, stdout);
	} else {
		rc = typeset_page_count(s->ts, md->s, md->len, &opts, &res->pages, diags);
	}
	buf_free(&pages);
	return rc;
}

enum pd_dump doc_dump_named(const char *name)
{
	static const char *const names[] = {"", "value", "case", "md", "layout"};
	for (size_t i = 1; i < sizeof names / sizeof *names; i++)
		if (!strcmp(name, names[i]))
			return (enum pd_dump)i;
	return PD_DUMP_NONE;
}

/* Whether the request lets the document be made under out (its name_check). */
static bool name_allowed(const struct pd_doc_request *req, const char *out, struct pd_diags *diags)
{
	return !req->name_check || req->check_only || req->name_check(out, diags, req->name_check_arg);
}

/* has.memo: the escalation memo goes with this document. */
static void mark_memo(struct pd_arena *arena, struct pd_value *ctx, const struct pd_doc_request *req)
{
	struct pd_value *has = (struct pd_value *)value_get(ctx, "has");
	if (!has || has->kind != PD_MAP)
		return;
	value_set(arena, has, "memo", value_new_bool(arena, req->with_memo, (struct pd_loc){0}));
}

struct pd_value *doc_context(struct pd_session *s, const struct pd_doc_request *req,
			     struct pd_arena *arena, struct pd_doc_result *res,
			     struct pd_diags *diags)
{
	if (!diags->store) /* as doc_make: the diagnostics name files of the session's store */
		diags->store = s->store;
	assert(diags->store == s->store);
	struct pd_case *c = load_case(s, arena, req, res, diags);
	if (!c || (case_check(c, req->level, req->document, diags), diags->errors))
		return NULL;
	if (!res->out_path)
		res->out_path = xstrdup(output_path(arena, req, c));
	if (!name_allowed(req, res->out_path, diags))
		return NULL;
	struct pd_value *ctx = case_context(arena, c, req->level, req->document);
	mark_memo(arena, ctx, req);
	if (!res->client)
		describe(res, ctx);
	return ctx;
}

int doc_render(struct pd_session *s, const char *name, const struct pd_value *ctx,
	       struct pd_arena *arena, struct pd_buf *md, const struct pd_value **front_matter,
	       struct pd_diags *diags)
{
	const struct page_template *pt = page_template_load(s, name, NULL, diags);
	if (!pt || render_markdown(s, pt, ctx, md, NULL, diags))
		return 1;
	*front_matter = pt->front_matter ? expand(s, arena, pt->front_matter, ctx, diags) : NULL;
	return diags->errors ? 1 : 0;
}

const char *doc_render_text(struct pd_session *s, struct pd_arena *arena, const char *pattern,
			    struct pd_loc at, const struct pd_value *data, struct pd_diags *diags)
{
	struct pd_buf out = {0};
	struct pd_tmpl_opts opts = {PD_ESC_NONE, false, NULL, NULL};
	tmpl_render_string(s->templates, pattern, strlen(pattern), at, data, &opts, &out, diags);
	const char *r = arena_strdup(arena, out.s ? out.s : "");
	buf_free(&out);
	return r;
}

int doc_make(struct pd_session *s, const struct pd_doc_request *req, struct pd_doc_result *res,
	     struct pd_diags *diags)
{
	if (!diags->store) /* what the document's diagnostics name lives in the session */
		diags->store = s->store;
	assert(diags->store == s->store);
	struct pd_arena *arena = arena_new();
	int rc = PD_EXIT_INPUT;
	struct pd_buf md = {0};
	struct pd_origins origins = {0};
	struct pd_case *c = load_case(s, arena, req, res, diags);
	if (req->dump == PD_DUMP_VALUE && c) {
		rc = PD_EXIT_OK;
		goto done;
	}
	const struct pd_doctype *type = c ? levels_doctype(case_domain(c), req->document) : NULL;
	const char *made_as = type ? type->made_as : req->document;
	if (c && !type && !levels_document_known(case_domain(c), made_as)) {
		diag_error(diags, ((struct pd_loc){0}),
			   "unknown document '%s' (letter, memo, packet, email or a type of "
			   "documents.yaml)", made_as);
		goto done;
	}
	if (!c || (!req->plan_only && /* every rule, even after a bad field */
		   (case_check(c, req->level, made_as, diags), diags->errors)))
		goto done;
	char *out = output_path(arena, req, c);
	res->out_path = xstrdup(out);
	if (!req->plan_only && !name_allowed(req, out, diags))
		goto done;
	if (req->plan_only) { /* the name is all a plan needs */
		rc = PD_EXIT_OK;
		goto done;
	}
	struct pd_value *ctx = case_context(arena, c, req->level, made_as);
	mark_memo(arena, ctx, req);
	if (type)
		case_context_retitle(arena, c, ctx, type->name, type->subject);
	if (req->amend)
		req->amend(arena, ctx, req->amend_arg);
	describe(res, ctx);
	if (req->dump == PD_DUMP_CASE) {
		value_dump(ctx, stdout);
		rc = PD_EXIT_OK;
		goto done;
	}
	const char *page = req->template_name ? req->template_name
			   : type		  ? type->template
						  : case_template_name(c, req->level, made_as);
	const struct page_template *pt = page_template_load(s, page, req->template_file, diags);
	if (!pt || render_markdown(s, pt, ctx, &md, &origins, diags))
		goto done;
	if (req->dump == PD_DUMP_MD) {
		fwrite(md.s, 1, md.len, stdout);
		rc = PD_EXIT_OK;
		goto done;
	}
	bool writes = !req->check_only && !req->dump;
	if (writes && !out_directory_ready(req->out, diags)) {
		rc = PD_EXIT_SYSTEM;
		goto done;
	}
	size_t before = diags->n;
	struct image_place places = {s, arena, &md, &origins, pt->name, res->source_name};
	rc = typeset(s, arena, pt, c, req, ctx, &places, writes ? out : NULL, res, diags);
	place_in_sources(pt->name, &md, &origins, diags, before);
done:
	tmpl_origins_free(&origins);
	buf_free(&md);
	arena_free(arena);
	return rc;
}
