/* docket: batch stage; reads a docket file (title, defaults, cases) into jobs.
 * In: a YAML docket path. Out: struct pd_docket with one job per case and document. */
#include "docket.h"

#include <string.h>

#include "util.h"

static const char *const docket_keys[] = {"docket", "defaults", "cases"};
static const char *const entry_keys[] = {"file", "level", "documents"};
#define NKEYS(a) (sizeof(a) / sizeof(a)[0])

static void warn_unknown_keys(const struct pd_value *map, const char *const *known, size_t n,
			      struct pd_diags *diags)
{
	for (size_t i = 0; i < map->n; i++) {
		bool found = false;
		for (size_t k = 0; k < n && !found; k++)
			found = strcmp(map->keys[i], known[k]) == 0;
		if (found)
			continue;
		diag_warn(diags, map->key_locs[i], "unknown key '%s'%s", map->keys[i],
			  diag_did_you_mean(map->keys[i], known, n, '\'').text);
	}
}

static const char *required_text(const struct pd_value *entry, const char *key,
				 struct pd_diags *diags)
{
	const struct pd_value *v = value_get(entry, key);
	if (!v) {
		diag_error(diags, entry->loc, "this case has no '%s'", key);
		return NULL;
	}
	if (v->kind != PD_STR || !v->len) {
		diag_error(diags, v->loc, "'%s' must be a text", key);
		return NULL;
	}
	return v->str;
}

static const char *resolve(struct pd_arena *arena, const char *docket_path, const char *file)
{
	const char *slash = strrchr(docket_path, '/');
	if (file[0] == '/' || !slash)
		return file;
	return arena_printf(arena, "%.*s/%s", (int)(slash - docket_path), docket_path, file);
}

static void add_job(struct pd_arena *arena, struct pd_docket *d, size_t *cap, struct pd_job job)
{
	if (d->njobs == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		struct pd_job *jobs = arena_alloc(arena, *cap * sizeof *jobs);
		if (d->njobs)
			memcpy(jobs, d->jobs, d->njobs * sizeof *jobs);
		d->jobs = jobs;
	}
	d->jobs[d->njobs++] = job;
}

static void load_entry(struct pd_arena *arena, const char *path, const struct pd_value *entry,
		       const struct pd_domain *dom, struct pd_docket *d, size_t *cap,
		       struct pd_diags *diags)
{
	if (entry->kind != PD_MAP) {
		diag_error(diags, entry->loc, "a case entry must be a mapping {file, level, documents}");
		return;
	}
	warn_unknown_keys(entry, entry_keys, NKEYS(entry_keys), diags);
	const char *file = required_text(entry, "file", diags);
	const char *level = required_text(entry, "level", diags);
	if (level && dom && !levels_find(dom, level))
		diag_error(diags, value_get(entry, "level")->loc, "unknown level '%s'", level);
	const struct pd_value *docs = value_get(entry, "documents");
	if (docs && (docs->kind != PD_SEQ || !docs->n)) {
		diag_error(diags, docs->loc, "'documents' must be a list such as [letter, memo]");
		return;
	}
	if (!file || !level)
		return;
	struct pd_job job = {d->ncases, resolve(arena, path, file), level, "letter", entry->loc};
	if (!docs) {
		add_job(arena, d, cap, job);
		return;
	}
	for (size_t i = 0; i < docs->n; i++) {
		const struct pd_value *doc = docs->items[i];
		if (doc->kind != PD_STR || (dom && !levels_document_known(dom, doc->str))) {
			diag_error(diags, doc->loc,
				   "unknown document '%s' (letter, memo, packet, email or a type of documents.yaml)",
				   doc->str);
			continue;
		}
		job.document = doc->str;
		add_job(arena, d, cap, job);
	}
}

int docket_load(struct pd_arena *arena, const char *path, const struct pd_domain *dom,
		struct pd_docket *d, struct pd_diags *diags)
{
	*d = (struct pd_docket){0};
	struct pd_value_opts opts = {0};
	const struct pd_value *root = value_load_file(arena, path, &opts, diags);
	return root ? docket_from_value(arena, path, root, dom, d, diags) : 1;
}

/* A map with one of the docket's keys at its top? */
static bool has_docket_key(const struct pd_value *root)
{
	for (size_t i = 0; root->kind == PD_MAP && i < root->n; i++)
		for (size_t k = 0; k < NKEYS(docket_keys); k++)
			if (!strcmp(root->keys[i], docket_keys[k]))
				return true;
	return false;
}

int docket_from_value(struct pd_arena *arena, const char *path, const struct pd_value *root,
		      const struct pd_domain *dom, struct pd_docket *d, struct pd_diags *diags)
{
	*d = (struct pd_docket){0};
	int before = diags->errors;
	if (!has_docket_key(root)) { /* a file named by mistake: its lines stay unquoted */
		diag_error(diags, ((struct pd_loc){root->loc.file, 0, 0}),
			   "not a docket: a docket is YAML with 'cases:' (and 'docket:', "
			   "'defaults:') at its top (its lines are not shown)");
		return 1;
	}
	warn_unknown_keys(root, docket_keys, NKEYS(docket_keys), diags);
	d->title = value_str(value_get(root, "docket"));
	d->defaults = value_get(root, "defaults");
	if (d->defaults && d->defaults->kind != PD_MAP) {
		diag_error(diags, d->defaults->loc, "'defaults' must be a mapping of case fields");
		d->defaults = NULL;
	}
	const struct pd_value *cases = value_get(root, "cases");
	if (!cases || cases->kind != PD_SEQ) {
		diag_error(diags, cases ? cases->loc : root->loc, "a docket needs a list 'cases'");
		return 1;
	}
	size_t cap = 0;
	for (size_t i = 0; i < cases->n; i++, d->ncases++)
		load_entry(arena, path, cases->items[i], dom, d, &cap, diags);
	return diags->errors > before;
}

void docket_shard(struct pd_docket *d, unsigned k, unsigned n)
{
	size_t kept = 0;
	for (size_t i = 0; i < d->njobs; i++)
		if (d->jobs[i].case_index % n == k - 1)
			d->jobs[kept++] = d->jobs[i];
	d->njobs = kept;
}
