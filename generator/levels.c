/* levels: data files of templates/ -> the level table, HQ mailboxes, office directory, regimes.
 * In: {levels,offices}.yaml and regimes/ID.yaml, each the first on a search path (an overlay,
 * then DATADIR/templates). Out: a pd_domain in the arena. */
#include "levels.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tmpl.h"

static const struct pd_value_opts data_opts = {.cached = true};

static const char *str_at(const struct pd_value *map, const char *key)
{
	return value_str(value_get(map, key));
}

static const struct pd_value *load_data(struct pd_arena *arena, const struct pd_search *search,
					const char *name, struct pd_diags *diags)
{
	char *found = search_find(search, name);
	char *path = found ? arena_strdup(arena, found)
			   : arena_printf(arena, "%s/%s", search->n ? search->dirs[search->n - 1] : ".",
					  name);
	free(found);
	return value_load_file(arena, path, &data_opts, diags);
}

static bool level_from(struct pd_arena *arena, struct pd_level *lv, const struct pd_value *row,
		       struct pd_diags *diags)
{
	lv->node = row;
	lv->name = str_at(row, "name");
	lv->track = str_at(row, "track");
	const char *rung = str_at(row, "rung");
	if (!lv->name || !lv->track || !rung) {
		diag_error(diags, row->loc, "a level needs name, track and rung");
		return false;
	}
	lv->rung = atoi(rung);
	lv->office = str_at(row, "office");
	lv->title = str_at(row, "title");
	lv->salutation = str_at(row, "salutation");
	lv->greeting = str_at(row, "greeting");
	lv->addressee = str_at(row, "addressee");
	lv->letter = str_at(row, "letter");
	lv->memo = str_at(row, "memo");
	lv->needs_suboffice = value_truthy(value_get(row, "needs_suboffice"));
	const struct pd_value *by = value_get(row, "decided_by");
	if (by && by->kind == PD_SEQ) {
		const char **v = arena_alloc(arena, (by->n + 1) * sizeof *v);
		for (size_t i = 0; i < by->n; i++)
			v[i] = value_str(by->items[i]);
		lv->decided_by = v;
		lv->ndecided_by = by->n;
	}
	if (!lv->office)
		lv->office = lv->track;
	return true;
}

static void mailboxes_from(struct pd_arena *arena, struct pd_domain *dom,
			   const struct pd_value *seq)
{
	if (!seq || seq->kind != PD_SEQ)
		return;
	dom->mailboxes = arena_alloc(arena, (seq->n + 1) * sizeof *dom->mailboxes);
	for (size_t i = 0; i < seq->n; i++) {
		const struct pd_value *m = seq->items[i];
		dom->mailboxes[dom->nmailboxes++] = (struct pd_mailbox){
		    str_at(m, "level"),	     str_at(m, "role"),	    str_at(m, "address"),
		    str_at(m, "name"),	     str_at(m, "valid_from"), str_at(m, "valid_to"),
		    str_at(m, "source"), m->loc};
	}
}

static void rules_from(struct pd_domain *dom, const struct pd_value *rules)
{
	const char *days = str_at(rules, "emergency_days");
	dom->emergency_days = days ? atoi(days) : 14;
	dom->rereq_before = str_at(rules, "reconsideration_before");
	dom->rereq_regime = str_at(rules, "reconsideration_regime");
}

static bool doctype_from(struct pd_doctype *dt, const char *name,
			 const struct pd_value *row, struct pd_diags *diags)
{
	static const char *const keys[] = {"template", "subject", "made_as"};
	if (row->kind != PD_MAP) {
		diag_error(diags, row->loc, "document type '%s' must be a map {template, subject, made_as}",
			   name);
		return false;
	}
	for (size_t i = 0; i < row->n; i++) {
		size_t k = 0;
		while (k < 3 && strcmp(row->keys[i], keys[k]))
			k++;
		if (k == 3)
			diag_warn(diags, row->key_locs[i], "unknown key '%s' of document type '%s'%s",
				  row->keys[i], name, diag_did_you_mean(row->keys[i], keys, 3, '\'').text);
	}
	dt->name = name;
	dt->template = str_at(row, "template") ? str_at(row, "template") : name;
	dt->subject = str_at(row, "subject");
	dt->made_as = str_at(row, "made_as") ? str_at(row, "made_as") : "letter";
	bool made_ok = !strcmp(dt->made_as, "letter") || !strcmp(dt->made_as, "memo");
	bool builtin = !strcmp(name, "letter") || !strcmp(name, "memo");
	if (!dt->subject)
		diag_error(diags, row->loc, "document type '%s' needs a subject (its subject line)", name);
	if (!made_ok)
		diag_error(diags, value_get(row, "made_as")->loc,
			   "made_as of '%s' is letter or memo, not '%s'", name, dt->made_as);
	if (builtin)
		diag_error(diags, row->loc, "'%s' is built in: give the type another name", name);
	bool template_ok = tmpl_name_ok(dt->template, strlen(dt->template));
	if (!template_ok)
		diag_error(diags, row->loc,
			   "the template of '%s' is a name in the template directory, not '%s'", name,
			   dt->template);
	return dt->subject && made_ok && !builtin && template_ok;
}

/* documents.yaml (optional): {documents: {NAME: {template, subject, made_as}}}. */
static bool doctypes_from(struct pd_arena *arena, struct pd_domain *dom,
			  const struct pd_search *search, struct pd_diags *diags)
{
	char *found = search_find(search, "documents.yaml");
	if (!found)
		return true;
	const struct pd_value *root =
	    value_load_file(arena, arena_strdup(arena, found), &data_opts, diags);
	free(found);
	if (!root)
		return false;
	const struct pd_value *map = value_get(root, "documents");
	if (!map || map->kind == PD_NULL)
		return true;
	if (map->kind != PD_MAP) {
		diag_error(diags, map->loc, "'documents' is a map of document types by name");
		return false;
	}
	dom->doctypes = arena_alloc(arena, (map->n + 1) * sizeof *dom->doctypes);
	bool ok = true;
	for (size_t i = 0; i < map->n; i++)
		ok &= doctype_from(&dom->doctypes[dom->ndoctypes++], map->keys[i],
				   map->items[i], diags);
	return ok;
}

const struct pd_doctype *levels_doctype(const struct pd_domain *dom, const char *name)
{
	for (size_t i = 0; dom && name && i < dom->ndoctypes; i++)
		if (!strcmp(dom->doctypes[i].name, name))
			return &dom->doctypes[i];
	return NULL;
}

bool levels_document_known(const struct pd_domain *dom, const char *name)
{
	return !strcmp(name, "letter") || !strcmp(name, "memo") || !strcmp(name, "packet") ||
	       !strcmp(name, "email") || (dom && levels_doctype(dom, name));
}

struct pd_domain *levels_load(struct pd_arena *arena, const char *datadir,
			      struct pd_diags *diags)
{
	struct pd_search shipped = {{arena_printf(arena, "%s/templates", datadir)}, 1};
	struct pd_domain *dom = levels_load_search(arena, &shipped, diags);
	if (dom)
		dom->datadir = arena_strdup(arena, datadir);
	return dom;
}

struct pd_domain *levels_load_search(struct pd_arena *arena, const struct pd_search *search,
				     struct pd_diags *diags)
{
	const struct pd_value *root = load_data(arena, search, "levels.yaml", diags);
	if (!root)
		return NULL;
	struct pd_domain *dom = arena_alloc(arena, sizeof *dom);
	dom->arena = arena;
	for (size_t i = 0; i < search->n && i < PD_SEARCH_MAX; i++)
		dom->search.dirs[dom->search.n++] = arena_strdup(arena, search->dirs[i]);
	const struct pd_value *rows = value_get(root, "levels");
	if (!rows || rows->kind != PD_SEQ || rows->n == 0) {
		diag_error(diags, root->loc, "levels.yaml has no 'levels' list");
		return NULL;
	}
	dom->levels = arena_alloc(arena, rows->n * sizeof *dom->levels);
	const char **names = arena_alloc(arena, (rows->n + 1) * sizeof *names);
	for (size_t i = 0; i < rows->n; i++) {
		if (!level_from(arena, &dom->levels[dom->nlevels], rows->items[i], diags))
			return NULL;
		names[dom->nlevels] = dom->levels[dom->nlevels].name;
		dom->nlevels++;
	}
	dom->level_names = names;
	mailboxes_from(arena, dom, value_get(root, "mailboxes"));
	rules_from(dom, value_get(root, "rules"));
	dom->offices_root = load_data(arena, search, "offices.yaml", diags);
	if (!dom->offices_root || !doctypes_from(arena, dom, search, diags))
		return NULL;
	dom->offices = value_get(dom->offices_root, "offices");
	dom->labels = load_data(arena, search, "labels.yaml", diags);
	if (!dom->labels)
		return NULL;
	return dom;
}

int levels_top_rung(const struct pd_domain *dom, const char *track)
{
	int top = -1;
	for (size_t i = 0; i < dom->nlevels; i++)
		if (track && !strcmp(dom->levels[i].track, track) && dom->levels[i].rung > top)
			top = dom->levels[i].rung;
	return top;
}

const struct pd_level *levels_find(const struct pd_domain *dom, const char *name)
{
	for (size_t i = 0; name && i < dom->nlevels; i++)
		if (strcmp(dom->levels[i].name, name) == 0)
			return &dom->levels[i];
	return NULL;
}

const struct pd_value *levels_office(const struct pd_domain *dom, const char *id)
{
	if (!id || !dom->offices || dom->offices->kind != PD_SEQ)
		return NULL;
	for (size_t i = 0; i < dom->offices->n; i++) {
		const char *oid = str_at(dom->offices->items[i], "id");
		if (oid && strcmp(oid, id) == 0)
			return dom->offices->items[i];
	}
	return NULL;
}

struct pd_regime_cache {
	struct pd_regime_cache *next;
	const char *id;
	const struct pd_value *tree;
};

const struct pd_value *levels_regime(struct pd_arena *arena, const struct pd_domain *dom,
				     const char *id, struct pd_loc loc, struct pd_diags *diags)
{
	(void)arena; /* a regime lives with its domain, which batch keeps for every case */
	for (const struct pd_regime_cache *r = dom->regimes; r; r = r->next)
		if (strcmp(r->id, id) == 0)
			return r->tree;
	arena = dom->arena;
	for (const char *p = id; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-')) {
			diag_error(diags, loc, "policy regime '%s' is not a valid regime id", id);
			return NULL;
		}
	char *rel = arena_printf(arena, "regimes/%s.yaml", id);
	char *found = search_find(&dom->search, rel);
	char *path = found ? arena_strdup(arena, found) : NULL;
	free(found);
	if (!path) {
		diag_error(diags, loc, "unknown policy regime '%s' (no file regimes/%s.yaml)", id, id);
		return NULL;
	}
	const struct pd_value *tree = value_load_file(arena, path, &data_opts, diags);
	if (!tree)
		return NULL;
	struct pd_regime_cache *r = arena_alloc(arena, sizeof *r);
	*r = (struct pd_regime_cache){dom->regimes, arena_strdup(arena, id), tree};
	((struct pd_domain *)dom)->regimes = r;
	return tree;
}

bool levels_decides(const struct pd_level *lv, const char *role)
{
	for (size_t i = 0; role && i < lv->ndecided_by; i++)
		if (lv->decided_by[i] && strcmp(lv->decided_by[i], role) == 0)
			return true;
	return false;
}

bool levels_mailbox_valid(const struct pd_mailbox *m, const char *date)
{
	if (!date)
		return true;
	if (m->valid_from && strcmp(date, m->valid_from) < 0)
		return false;
	if (m->valid_to && strcmp(date, m->valid_to) > 0)
		return false;
	return true;
}

const struct pd_value *levels_label_entry(const struct pd_domain *dom, const char *group,
					  const char *code)
{
	const struct pd_value *list = value_get(dom->labels, group);
	for (size_t i = 0; code && list && list->kind == PD_SEQ && i < list->n; i++) {
		const char *c = str_at(list->items[i], "code");
		if (c && strcmp(c, code) == 0)
			return list->items[i];
	}
	return NULL;
}

const char *levels_label(const struct pd_domain *dom, const char *group, const char *code)
{
	return str_at(levels_label_entry(dom, group, code), "label");
}

const char *levels_text(const struct pd_domain *dom, const char *key)
{
	const char *s = str_at(dom->labels, key);
	return s ? s : "";
}

bool levels_regime_in_force(const struct pd_value *regime, const char *date)
{
	const struct pd_value *periods = value_get(regime, "periods");
	for (size_t i = 0; date && periods && periods->kind == PD_SEQ && i < periods->n; i++) {
		const char *from = str_at(periods->items[i], "from");
		const char *to = str_at(periods->items[i], "to");
		if ((!from || strcmp(date, from) >= 0) && (!to || strcmp(date, to) < 0))
			return true;
	}
	return false;
}

static int by_text(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds the id of each DIR/regimes/ID.yaml to ids (k of them so far) unless it is there. */
static char **add_regime_ids(const char *dir, char **ids, size_t *k)
{
	struct dirent **names = NULL;
	int n = scandir(dir, &names, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		size_t len = strlen(names[i]->d_name);
		bool yaml = len > 5 && strcmp(names[i]->d_name + len - 5, ".yaml") == 0, seen = false;
		for (size_t j = 0; yaml && j < *k && !seen; j++)
			seen = strlen(ids[j]) == len - 5 && !strncmp(ids[j], names[i]->d_name, len - 5);
		if (yaml && !seen) {
			ids = xrealloc(ids, (*k + 2) * sizeof *ids);
			ids[(*k)++] = xstrndup(names[i]->d_name, len - 5);
			ids[*k] = NULL;
		}
		free(names[i]);
	}
	free(names);
	return ids;
}

char **levels_regime_ids(const struct pd_domain *dom)
{
	char **ids = xcalloc(1, sizeof *ids);
	size_t k = 0;
	for (size_t i = 0; i < dom->search.n; i++)
		ids = add_regime_ids(arena_printf(dom->arena, "%s/regimes", dom->search.dirs[i]), ids, &k);
	qsort(ids, k, sizeof *ids, by_text);
	return ids;
}

char *levels_regimes_on(const struct pd_domain *dom, const char *date, struct pd_diags *diags)
{
	char **ids = levels_regime_ids(dom);
	struct pd_buf b = {0};
	for (size_t i = 0; ids[i]; i++) {
		const struct pd_value *r =
		    levels_regime(dom->arena, dom, ids[i], (struct pd_loc){0}, diags);
		if (r && levels_regime_in_force(r, date))
			buf_printf(&b, "%s%s", b.len ? ", " : "", ids[i]);
		free(ids[i]);
	}
	free(ids);
	return b.s ? buf_take(&b) : xstrdup("");
}
