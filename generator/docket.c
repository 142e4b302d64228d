/* docket: batch stage; reads a docket file (title, defaults, cases) as a stream of libyaml
 * events, one case entry at a time. In: a YAML docket path. Out: the header and each job. */
#define _DEFAULT_SOURCE /* getline, fmemopen */
#include "docket.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "util.h"

static const char *const docket_keys[] = {"docket", "defaults", "cases"};
static const char *const entry_keys[] = {"file", "level", "documents"};
#define NKEYS(a) (sizeof(a) / sizeof(a)[0])
#define MAX_DOCUMENTS 64  /* documents of one entry */
#define MAX_UNKNOWN 20    /* unknown keys at the top, warned about once it is a docket */

struct docket_reader {
	FILE *f;
	struct stat st; /* as first read: a docket changed mid-batch is refused */
	yaml_parser_t p;
	bool live, broken; /* broken: libyaml cannot go on (syntax, an alias) */
	int errors;
	struct pd_arena *arena;
	struct pd_diags *diags; /* while docket_open checks; NULL on later passes */
	const struct pd_domain *dom;
	const char *file; /* interned: the places' file */
	const char *dir;  /* the docket's directory, case files are relative to it */
	unsigned shard_k, shard_n;
	size_t case_index, job_index;
	bool in_cases;
	/* the current entry */
	struct pd_buf path;
	const char *level;
	const char *docs[MAX_DOCUMENTS];
	size_t ndocs, next_doc;
	struct pd_loc loc;
	/* names kept for the run: levels and documents (few, each once) */
	const char **names;
	size_t nnames, capnames;
};

static struct pd_loc mark_loc(const struct docket_reader *r, yaml_mark_t m)
{
	return (struct pd_loc){r->file, (int)m.line + 1, (int)m.column + 1};
}

static void report(struct docket_reader *r, enum pd_severity sev, struct pd_loc loc,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void report(struct docket_reader *r, enum pd_severity sev, struct pd_loc loc,
		   const char *fmt, ...)
{
	r->errors += sev == PD_ERROR;
	if (!r->diags)
		return;
	va_list ap;
	va_start(ap, fmt);
	diag_vadd(r->diags, sev, loc, NULL, fmt, ap);
	va_end(ap);
}

/* The loader's own words for a file libyaml cannot read (syntax, UTF-8): it reads the
 * file whole, once, on this error path only. */
static void syntax_error(struct docket_reader *r)
{
	if (r->diags) {
		int before = r->diags->errors;
		struct pd_value_opts opts = {0};
		value_load_file(r->arena, r->file, &opts, r->diags);
		if (r->diags->errors == before)
			report(r, PD_ERROR, mark_loc(r, r->p.problem_mark), "YAML syntax: %s",
			       r->p.problem ? r->p.problem : "invalid YAML");
	}
	r->errors++;
	r->broken = true;
}

static bool next_event(struct docket_reader *r, yaml_event_t *ev)
{
	if (r->broken || !yaml_parser_parse(&r->p, ev)) {
		if (!r->broken)
			syntax_error(r);
		*ev = (yaml_event_t){.type = YAML_NO_EVENT};
		return false;
	}
	if (ev->type == YAML_ALIAS_EVENT) {
		report(r, PD_ERROR, mark_loc(r, ev->start_mark),
		       "aliases (*%s) are not allowed in this file: write the value out",
		       (const char *)ev->data.alias.anchor);
		yaml_event_delete(ev);
		*ev = (yaml_event_t){.type = YAML_NO_EVENT};
		r->broken = true;
		return false;
	}
	return true;
}

/* The next item of a container: 1 with ev, 0 at the container's end (an event of type
 * end, consumed), -1 when libyaml cannot go on. */
static int next_item(struct docket_reader *r, yaml_event_t *ev, yaml_event_type_t end)
{
	if (!next_event(r, ev))
		return -1;
	if (ev->type != end)
		return 1;
	yaml_event_delete(ev);
	return 0;
}

static bool is_start(const yaml_event_t *ev)
{
	return ev->type == YAML_MAPPING_START_EVENT || ev->type == YAML_SEQUENCE_START_EVENT;
}

/* Consumes the rest of the node that ev starts (ev is deleted); its end mark in *end. */
static bool skip_node(struct docket_reader *r, yaml_event_t *ev, yaml_mark_t *end)
{
	int depth = is_start(ev);
	if (end)
		*end = ev->end_mark;
	yaml_event_delete(ev);
	while (depth > 0) {
		yaml_event_t e;
		if (!next_event(r, &e))
			return false;
		depth += is_start(&e) ? 1
			 : e.type == YAML_MAPPING_END_EVENT || e.type == YAML_SEQUENCE_END_EVENT ? -1
			 : 0;
		if (end)
			*end = e.end_mark;
		yaml_event_delete(&e);
	}
	return true;
}

/* A scalar's text, or NULL for null, an empty text or a container. */
static const char *scalar_text(const yaml_event_t *ev)
{
	if (ev->type != YAML_SCALAR_EVENT || !ev->data.scalar.length)
		return NULL;
	const char *s = (const char *)ev->data.scalar.value;
	if (memchr(s, '\0', ev->data.scalar.length))
		return NULL;
	bool plain = ev->data.scalar.plain_implicit;
	if (plain && (!strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") ||
		      !strcmp(s, "NULL")))
		return NULL;
	return s;
}

/* A level or document name kept for the run (each distinct name once). */
static const char *keep_name(struct docket_reader *r, const char *s)
{
	for (size_t i = 0; i < r->nnames; i++)
		if (!strcmp(r->names[i], s))
			return r->names[i];
	if (r->nnames == r->capnames) {
		r->capnames = r->capnames ? 2 * r->capnames : 16;
		r->names = xrealloc(r->names, r->capnames * sizeof *r->names);
	}
	return r->names[r->nnames++] = arena_strdup(r->arena, s);
}

static void warn_unknown(struct docket_reader *r, const char *key, struct pd_loc at,
			 const char *const *known, size_t n)
{
	report(r, PD_WARNING, at, "unknown key '%s'%s", key,
	       diag_did_you_mean(key, known, n, '\'').text);
}

/* ------------------------------------------------------------- one entry */

static void entry_file(struct docket_reader *r, const yaml_event_t *ev)
{
	const char *file = scalar_text(ev);
	if (!file) {
		report(r, PD_ERROR, mark_loc(r, ev->start_mark), "'file' must be a text");
		return;
	}
	buf_clear(&r->path);
	if (file[0] == '/' || !r->dir)
		buf_puts(&r->path, file);
	else
		buf_printf(&r->path, "%s/%s", r->dir, file);
}

static void entry_level(struct docket_reader *r, const yaml_event_t *ev)
{
	const char *level = scalar_text(ev);
	if (!level)
		report(r, PD_ERROR, mark_loc(r, ev->start_mark), "'level' must be a text");
	else if (r->dom && !levels_find(r->dom, level))
		report(r, PD_ERROR, mark_loc(r, ev->start_mark), "unknown level '%s'", level);
	else
		r->level = keep_name(r, level);
}

static bool entry_documents(struct docket_reader *r, yaml_event_t *ev)
{
	if (ev->type != YAML_SEQUENCE_START_EVENT) {
		report(r, PD_ERROR, mark_loc(r, ev->start_mark),
		       "'documents' must be a list such as [letter, memo]");
		return skip_node(r, ev, NULL);
	}
	struct pd_loc at = mark_loc(r, ev->start_mark);
	yaml_event_delete(ev);
	size_t n = 0;
	r->ndocs = 0;
	yaml_event_t e;
	int more;
	while ((more = next_item(r, &e, YAML_SEQUENCE_END_EVENT)) > 0) {
		const char *doc = scalar_text(&e);
		n++;
		if (!doc || (r->dom && !levels_document_known(r->dom, doc)))
			report(r, PD_ERROR, mark_loc(r, e.start_mark),
			       "unknown document '%s' (letter, memo, packet, email or a type of "
			       "documents.yaml)", doc ? doc : "");
		else if (r->ndocs == MAX_DOCUMENTS)
			report(r, PD_ERROR, mark_loc(r, e.start_mark), "more than %d documents",
			       MAX_DOCUMENTS);
		else
			r->docs[r->ndocs++] = keep_name(r, doc);
		if (!skip_node(r, &e, NULL))
			return false;
	}
	if (more < 0)
		return false;
	if (!n)
		report(r, PD_ERROR, at, "'documents' must be a list such as [letter, memo]");
	return true;
}

/* One key of an entry and its value. */
static bool entry_key(struct docket_reader *r, const char *key, struct pd_loc key_loc,
		      unsigned *seen)
{
	size_t k = 0;
	while (k < NKEYS(entry_keys) && strcmp(key, entry_keys[k]))
		k++;
	yaml_event_t v;
	if (!next_event(r, &v))
		return false;
	bool again = k < NKEYS(entry_keys) && (*seen & 1u << k);
	*seen |= k < NKEYS(entry_keys) ? 1u << k : 0;
	if (again)
		report(r, PD_ERROR, key_loc, "duplicate key '%s'", key);
	else if (k == 0)
		entry_file(r, &v);
	else if (k == 1)
		entry_level(r, &v);
	else if (k == 2)
		return entry_documents(r, &v);
	else
		warn_unknown(r, key, key_loc, entry_keys, NKEYS(entry_keys));
	return skip_node(r, &v, NULL);
}

/* Reads the entry that ev starts; true when it gives jobs (r->ndocs of them). */
static bool read_entry(struct docket_reader *r, yaml_event_t *ev)
{
	r->loc = mark_loc(r, ev->start_mark);
	r->level = NULL;
	r->ndocs = 0;
	r->next_doc = 0;
	buf_clear(&r->path);
	int before = r->errors;
	if (ev->type != YAML_MAPPING_START_EVENT) {
		report(r, PD_ERROR, r->loc, "a case entry must be a mapping {file, level, documents}");
		skip_node(r, ev, NULL);
	} else {
		yaml_event_delete(ev);
		unsigned seen = 0;
		yaml_event_t k;
		int more;
		while ((more = next_item(r, &k, YAML_MAPPING_END_EVENT)) > 0) {
			const char *key = k.type == YAML_SCALAR_EVENT ? (const char *)k.data.scalar.value : "";
			char *copy = xstrdup(key);
			struct pd_loc at = mark_loc(r, k.start_mark);
			bool go_on = skip_node(r, &k, NULL) && entry_key(r, copy, at, &seen);
			free(copy);
			if (!go_on)
				return false;
		}
		if (more < 0)
			return false;
		for (size_t i = 0; i < 2; i++)
			if (!(seen & 1u << i))
				report(r, PD_ERROR, r->loc, "this case has no '%s'", entry_keys[i]);
	}
	bool ok = r->errors == before && r->path.len && r->level;
	if (ok && !r->ndocs) /* no documents: the letter */
		r->docs[r->ndocs++] = keep_name(r, "letter");
	return ok;
}

static bool in_shard(const struct docket_reader *r, size_t case_index)
{
	return case_index % r->shard_n == r->shard_k - 1;
}

/* ------------------------------------------------------------- the top */

struct top {
	bool seen[NKEYS(docket_keys)];
	struct pd_loc first[NKEYS(docket_keys)];
	yaml_mark_t defaults_start, defaults_end;
	bool defaults_map;
	char *unknown[MAX_UNKNOWN];
	struct pd_loc unknown_at[MAX_UNKNOWN];
	size_t nunknown;
};

/* Every entry of cases: checked and counted, its levels kept. */
static bool check_cases(struct docket_reader *r, struct pd_docket *d)
{
	for (;; r->case_index++) {
		yaml_event_t ev;
		int more = next_item(r, &ev, YAML_SEQUENCE_END_EVENT);
		if (more <= 0) {
			d->ncases = r->case_index;
			return more == 0;
		}
		bool ok = read_entry(r, &ev);
		if (!ok || !in_shard(r, r->case_index))
			continue;
		d->njobs += r->ndocs;
		size_t k = 0;
		while (k < d->nlevels && d->levels[k] != r->level)
			k++;
		if (k == d->nlevels) {
			d->levels = xrealloc(d->levels, (d->nlevels + 1) * sizeof *d->levels);
			d->levels[d->nlevels++] = r->level;
		}
	}
}

/* One key at the top and its value (ev: the key, deleted here). */
static bool top_key(struct docket_reader *r, struct pd_docket *d, struct top *t, yaml_event_t *ev)
{
	const char *key = ev->type == YAML_SCALAR_EVENT ? (const char *)ev->data.scalar.value : "";
	struct pd_loc at = mark_loc(r, ev->start_mark);
	size_t k = 0;
	while (k < NKEYS(docket_keys) && strcmp(key, docket_keys[k]))
		k++;
	char *copy = k == NKEYS(docket_keys) && t->nunknown < MAX_UNKNOWN ? xstrdup(key) : NULL;
	yaml_event_t v;
	if (!skip_node(r, ev, NULL)) {
		free(copy);
		return false;
	}
	if (!next_event(r, &v)) {
		free(copy);
		return false;
	}
	if (k < NKEYS(docket_keys) && t->seen[k]) {
		report(r, PD_ERROR, at, "duplicate key '%s' (first defined at %s:%d:%d)",
		       docket_keys[k], r->file, t->first[k].line, t->first[k].col);
		return skip_node(r, &v, NULL);
	}
	if (k < NKEYS(docket_keys))
		t->seen[k] = true, t->first[k] = at;
	if (copy) {
		t->unknown[t->nunknown] = copy;
		t->unknown_at[t->nunknown++] = at;
	}
	if (k == 0 && scalar_text(&v))
		d->title = arena_strdup(r->arena, scalar_text(&v));
	if (k == 1) {
		t->defaults_start = v.start_mark;
		t->defaults_map = v.type == YAML_MAPPING_START_EVENT;
		if (!t->defaults_map)
			report(r, PD_ERROR, mark_loc(r, v.start_mark),
			       "'defaults' must be a mapping of case fields");
		return skip_node(r, &v, &t->defaults_end);
	}
	if (k == 2 && v.type == YAML_SEQUENCE_START_EVENT) {
		yaml_event_delete(&v);
		return check_cases(r, d);
	}
	if (k == 2)
		report(r, PD_ERROR, mark_loc(r, v.start_mark), "a docket needs a list 'cases'");
	return skip_node(r, &v, NULL);
}

static void restart_parser(struct docket_reader *r)
{
	if (r->live)
		yaml_parser_delete(&r->p);
	rewind(r->f);
	yaml_parser_initialize(&r->p);
	yaml_parser_set_input_file(&r->p, r->f);
	yaml_parser_set_encoding(&r->p, YAML_UTF8_ENCODING);
	r->live = true;
	r->broken = false;
}

/* Up to the root mapping's first event; false (with "not a docket") for another root. */
static bool enter_root(struct docket_reader *r, yaml_event_t *root)
{
	for (;;) {
		if (!next_event(r, root))
			return false;
		if (root->type != YAML_STREAM_START_EVENT && root->type != YAML_DOCUMENT_START_EVENT)
			return true;
		yaml_event_delete(root);
	}
}

static void not_a_docket(struct docket_reader *r)
{
	report(r, PD_ERROR, ((struct pd_loc){r->file, 0, 0}),
	       "not a docket: a docket is YAML with 'cases:' (and 'docket:', "
	       "'defaults:') at its top (its lines are not shown)");
}

/* The whole file once: the top's keys, every entry checked. */
static void check_all(struct docket_reader *r, struct pd_docket *d, struct top *t)
{
	yaml_event_t ev;
	if (!enter_root(r, &ev))
		return;
	if (ev.type != YAML_MAPPING_START_EVENT) {
		yaml_event_delete(&ev);
		not_a_docket(r);
		return;
	}
	struct pd_loc root = mark_loc(r, ev.start_mark);
	yaml_event_delete(&ev);
	int more;
	while ((more = next_item(r, &ev, YAML_MAPPING_END_EVENT)) > 0)
		if (!top_key(r, d, t, &ev))
			return;
	if (more < 0 || !next_event(r, &ev)) /* the end of the document, then of the stream or a second one */
		return;
	yaml_event_delete(&ev);
	if (next_event(r, &ev) && ev.type == YAML_DOCUMENT_START_EVENT)
		report(r, PD_ERROR, mark_loc(r, ev.start_mark),
		       "more than one YAML document in this file");
	yaml_event_delete(&ev);
	if (!t->seen[0] && !t->seen[1] && !t->seen[2]) {
		not_a_docket(r); /* a file named by mistake: its keys are not echoed */
		return;
	}
	for (size_t i = 0; i < t->nunknown; i++)
		warn_unknown(r, t->unknown[i], t->unknown_at[i], docket_keys, NKEYS(docket_keys));
	if (!t->seen[2])
		report(r, PD_ERROR, root, "a docket needs a list 'cases'");
}

/* ------------------------------------------------------------- defaults */

/* Skips n characters of UTF-8 text; returns the bytes skipped. */
static size_t chars(const char *s, size_t len, size_t n)
{
	size_t i = 0;
	for (; n && i < len; n--)
		while (++i < len && ((unsigned char)s[i] & 0xC0) == 0x80)
			;
	return i;
}

#define QUOTED_MAX 65536 /* the docket's first lines, kept for diagnostics to quote */

/* The docket's whole lines in its first QUOTED_MAX bytes: what diagnostics quote (a line
 * after them is not quoted), in place of what a load registered. */
static void keep_quoted_lines(struct docket_reader *r)
{
	char *text = arena_alloc(r->arena, QUOTED_MAX + 1);
	rewind(r->f);
	size_t n = fread(text, 1, QUOTED_MAX, r->f);
	if (n == QUOTED_MAX) /* the last line whole */
		while (n > 0 && text[n - 1] != '\n')
			n--;
	text[n] = '\0';
	diag_source(r->diags, r->file, text, n);
}

/* The defaults' text where it stands in the file (earlier lines empty, the key's place
 * blank), so that the loader's places are the docket's; loaded as a case file is. */
static void load_defaults(struct docket_reader *r, struct pd_docket *d, const struct top *t)
{
	size_t l0 = t->defaults_start.line, c0 = t->defaults_start.column;
	size_t l1 = t->defaults_end.line, c1 = t->defaults_end.column;
	struct pd_buf text = {0};
	char *line = NULL;
	size_t cap = 0;
	rewind(r->f);
	for (size_t ln = 0; ln <= l1; ln++) {
		ssize_t n = getline(&line, &cap, r->f);
		if (n < 0)
			break;
		size_t from = ln == l0 ? chars(line, (size_t)n, c0) : 0;
		size_t to = ln == l1 ? chars(line, (size_t)n, c1) : (size_t)n;
		if (ln < l0) {
			buf_putc(&text, '\n');
			continue;
		}
		for (size_t i = 0; i < from; i++)
			buf_putc(&text, ' ');
		if (to > from)
			buf_put(&text, line + from, to - from);
	}
	free(line);
	struct pd_value_opts opts = {0};
	const char *kept = arena_strndup(r->arena, text.s ? text.s : "", text.len);
	d->defaults = value_load_mem(r->arena, r->file, kept, text.len, &opts, r->diags);
	r->errors += !d->defaults;
	buf_free(&text);
}

/* ------------------------------------------------------------- the reader */

int docket_open_stream(struct pd_arena *arena, const char *path, FILE *f,
		       const struct pd_domain *dom, unsigned shard_k, unsigned shard_n,
		       struct pd_docket *d, struct pd_diags *diags)
{
	*d = (struct pd_docket){.path = path};
	struct docket_reader *r = d->r = xcalloc(1, sizeof *r);
	*r = (struct docket_reader){.f = f, .arena = arena, .diags = diags, .dom = dom,
				    .shard_k = shard_k ? shard_k : 1, .shard_n = shard_n ? shard_n : 1};
	r->file = diag_intern(diags, path);
	const char *slash = strrchr(path, '/');
	if (slash)
		r->dir = arena_strndup(arena, path, (size_t)(slash - path));
	fstat(fileno(f), &r->st);
	restart_parser(r);
	struct top t = {0};
	check_all(r, d, &t);
	for (size_t i = 0; i < t.nunknown; i++)
		free(t.unknown[i]);
	if (!r->errors && t.seen[1] && t.defaults_map)
		load_defaults(r, d, &t);
	keep_quoted_lines(r);
	r->diags = NULL; /* every entry was checked: the passes report nothing */
	if (r->errors || docket_rewind(d, diags))
		return 1;
	return 0;
}

int docket_open(struct pd_arena *arena, const char *path, const struct pd_domain *dom,
		unsigned shard_k, unsigned shard_n, struct pd_docket *d, struct pd_diags *diags)
{
	*d = (struct pd_docket){.path = path};
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	int err = fd < 0 ? errno : fstat(fd, &st) ? errno : S_ISDIR(st.st_mode) ? EISDIR
							 : !S_ISREG(st.st_mode) ? PD_ENOTREG : 0;
	FILE *f = err ? NULL : fdopen(fd, "r");
	if (!f) {
		if (fd >= 0)
			close(fd);
		diag_error(diags, ((struct pd_loc){diag_intern(diags, path), 0, 0}), "cannot read: %s",
			   file_strerror(err ? err : errno));
		return 1;
	}
	return docket_open_stream(arena, path, f, dom, shard_k, shard_n, d, diags);
}

/* Skips the top's keys up to the list of cases, leaving the parser at its first entry. */
static bool find_cases(struct docket_reader *r)
{
	yaml_event_t ev;
	if (!enter_root(r, &ev) || ev.type != YAML_MAPPING_START_EVENT)
		return yaml_event_delete(&ev), false;
	yaml_event_delete(&ev);
	while (next_event(r, &ev) && ev.type == YAML_SCALAR_EVENT) {
		bool cases = !strcmp((const char *)ev.data.scalar.value, "cases");
		yaml_event_delete(&ev);
		if (!next_event(r, &ev))
			return false;
		if (cases && ev.type == YAML_SEQUENCE_START_EVENT)
			return yaml_event_delete(&ev), true;
		if (!skip_node(r, &ev, NULL))
			return false;
	}
	yaml_event_delete(&ev);
	return false;
}

int docket_rewind(struct pd_docket *d, struct pd_diags *diags)
{
	struct docket_reader *r = d->r;
	struct stat now;
	int fd = fileno(r->f); /* -1: a stream in memory, which cannot change */
	bool same = fd < 0 || (fstat(fd, &now) == 0 && now.st_size == r->st.st_size &&
		    now.st_mtim.tv_sec == r->st.st_mtim.tv_sec &&
		    now.st_mtim.tv_nsec == r->st.st_mtim.tv_nsec);
	restart_parser(r);
	r->case_index = r->job_index = 0;
	r->ndocs = r->next_doc = 0;
	r->in_cases = same && find_cases(r);
	if (r->in_cases)
		return 0;
	diag_error(diags, ((struct pd_loc){r->file, 0, 0}),
		   "the docket changed while the batch ran: run it again");
	return 1;
}

int docket_next(struct pd_docket *d, struct pd_job *job)
{
	struct docket_reader *r = d->r;
	while (r->next_doc >= r->ndocs) {
		yaml_event_t ev;
		if (!r->in_cases || !next_event(r, &ev) || ev.type == YAML_SEQUENCE_END_EVENT) {
			if (r->in_cases)
				yaml_event_delete(&ev);
			r->in_cases = false;
			return 0;
		}
		bool take = read_entry(r, &ev) && in_shard(r, r->case_index);
		r->case_index++;
		if (!take)
			r->ndocs = 0;
	}
	*job = (struct pd_job){r->job_index++, r->case_index - 1, r->path.s, r->level,
			       r->docs[r->next_doc++], r->loc, false};
	for (size_t i = 0; i < r->ndocs && !strcmp(job->document, "letter"); i++)
		job->with_memo |= !strcmp(r->docs[i], "memo");
	return 1;
}

void docket_close(struct pd_docket *d)
{
	struct docket_reader *r = d->r;
	if (!r)
		return;
	if (r->live)
		yaml_parser_delete(&r->p);
	if (r->f)
		fclose(r->f);
	buf_free(&r->path);
	free(r->names);
	free(d->levels);
	free(r);
	d->r = NULL;
	d->levels = NULL;
}
