/* levels_check: every data file under templates/ (levels, offices, labels, each regime) ->
 * located diagnostics for a missing key, a wrong type or a value cut short by a comma.
 * In: a loaded pd_domain. Out: errors and warnings in the caller's pd_diags. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case.h"
#include "levels.h"

enum dkind { D_STR, D_DATE, D_INT, D_BOOL, D_EMAIL, D_STRS, D_STR_OR_STRS, D_MAPS, D_MAP, D_ANY };

struct dfield {
	const char *key;
	enum dkind kind;
	int need; /* 0 optional, 1 required (error), 2 expected (warning) */
	const struct dfield *sub;
};

#define DEND {NULL, D_ANY, 0, NULL}

static const struct dfield d_code_label[] = {
    {"code", D_STR, 1, NULL}, {"label", D_STR, 1, NULL}, DEND};
static const struct dfield d_form[] = {
    {"code", D_STR, 1, NULL}, {"label", D_STR, 1, NULL}, {"tracks", D_STRS, 1, NULL}, DEND};
static const struct dfield d_labels[] = {
    {"agency", D_STR, 1, NULL},	      {"greeting", D_STR, 1, NULL},
    {"emergency", D_STR, 1, NULL},    {"firm_phone", D_STR, 1, NULL},
    {"firm_fax", D_STR, 1, NULL},     {"bar_line", D_STR, 1, NULL},
    {"closing", D_STR, 1, NULL},      {"forms", D_MAPS, 1, d_form},
    {"name_suffixes", D_STRS, 0, NULL}, {"name_particles", D_STRS, 0, NULL},
    {"roles", D_MAPS, 1, d_code_label}, {"outcomes", D_MAPS, 1, d_code_label},
    {"channels", D_MAPS, 1, d_code_label}, {"directions", D_MAPS, 1, d_code_label},
    {"deliveries", D_MAPS, 1, d_code_label}, {"subjects", D_MAPS, 1, d_code_label},
    {"appearance_forms", D_MAPS, 1, d_code_label}, DEND};

static const struct dfield d_rules[] = {{"emergency_days", D_INT, 1, NULL},
					{"reconsideration_before", D_DATE, 1, NULL},
					{"reconsideration_regime", D_STR, 1, NULL},
					DEND};
static const struct dfield d_level[] = {
    {"name", D_STR, 1, NULL},	      {"track", D_STR, 1, NULL},   {"rung", D_INT, 1, NULL},
    {"office", D_STR, 1, NULL},	      {"title", D_STR, 1, NULL},   {"salutation", D_STR, 0, NULL},
    {"greeting", D_STR, 1, NULL},     {"addressee", D_STR, 1, NULL}, {"reviewer", D_STR, 1, NULL},
    {"decided_by", D_STRS, 1, NULL},  {"letter", D_STR, 1, NULL},  {"memo", D_STR, 0, NULL},
    {"needs_suboffice", D_BOOL, 0, NULL}, {"org", D_STR, 0, NULL}, {"address", D_STRS, 0, NULL},
    DEND};
static const struct dfield d_mailbox[] = {
    {"level", D_STR, 1, NULL},	    {"role", D_STR, 1, NULL},	    {"address", D_EMAIL, 1, NULL},
    {"name", D_STR, 1, NULL},	    {"valid_from", D_DATE, 0, NULL}, {"valid_to", D_DATE, 0, NULL},
    {"source", D_STR_OR_STRS, 1, NULL}, DEND};
static const struct dfield d_levels[] = {{"rules", D_MAP, 1, d_rules},
					 {"levels", D_MAPS, 1, d_level},
					 {"mailboxes", D_MAPS, 1, d_mailbox},
					 DEND};

static const struct dfield d_office[] = {
    {"id", D_STR, 1, NULL},	       {"kind", D_STR, 1, NULL},
    {"name", D_STR, 1, NULL},	       {"org", D_STR, 1, NULL},
    {"parent", D_STR, 0, NULL},	       {"aor", D_STR, 0, NULL},
    {"aliases", D_STRS, 0, NULL},      {"address", D_STRS, 0, NULL},
    {"pd_email", D_EMAIL, 0, NULL},    {"email", D_EMAIL, 0, NULL},
    {"phone", D_STR, 0, NULL},	       {"subject_pattern", D_STR, 0, NULL},
    {"attachment_limit_mb", D_INT, 0, NULL}, {"source", D_STR_OR_STRS, 1, NULL},
    {"verified", D_DATE, 1, NULL},     {"unknown", D_STRS, 0, NULL},
    {"verify", D_BOOL, 0, NULL},       {"note", D_STR, 0, NULL},
    DEND};
static const struct dfield d_offices[] = {{"as_of", D_DATE, 1, NULL},
					  {"source", D_STR_OR_STRS, 1, NULL},
					  {"offices", D_MAPS, 1, d_office},
					  DEND};

static const struct dfield d_period[] = {{"from", D_DATE, 1, NULL}, {"to", D_DATE, 0, NULL}, DEND};
static const struct dfield d_category[] = {{"code", D_STR, 1, NULL},
					   {"priority", D_INT, 1, NULL},
					   {"label", D_STR, 1, NULL},
					   {"text", D_STR, 1, NULL},
					   DEND};
static const struct dfield d_regime[] = {
    {"id", D_STR, 1, NULL},	       {"title", D_STR, 1, NULL},
    {"issuer", D_STR, 1, NULL},	       {"signed", D_DATE, 0, NULL},
    {"effective", D_DATE, 1, NULL},    {"ended", D_DATE, 0, NULL},
    {"periods", D_MAPS, 1, d_period},  {"source", D_STR_OR_STRS, 1, NULL},
    {"short", D_STR, 1, NULL},	       {"citation", D_STR, 1, NULL},
    {"partial", D_STR, 1, NULL},       {"categories", D_MAPS, 1, d_category},
    {"exceptions", D_ANY, 0, NULL},    {"factors", D_MAPS, 1, d_code_label},
    DEND};

static bool scalar(const struct pd_value *v)
{
	return v->kind != PD_SEQ && v->kind != PD_MAP && v->kind != PD_NULL;
}

static bool strings(const struct pd_value *v)
{
	if (v->kind != PD_SEQ)
		return false;
	for (size_t i = 0; i < v->n; i++)
		if (!scalar(v->items[i]))
			return false;
	return true;
}

static void check_map(const char *what, const struct pd_value *map, const struct dfield *spec,
		      struct pd_diags *d);

static char *item_name(const char *what, const char *key, size_t i)
{
	struct pd_buf b = {0};
	buf_printf(&b, "%s %s[%zu]", what, key, i);
	return buf_take(&b);
}

static void check_field(const char *what, const struct dfield *f, const struct pd_value *v,
			struct pd_diags *d)
{
	bool ok;
	switch (f->kind) {
	case D_STR: ok = scalar(v); break;
	case D_DATE: ok = scalar(v) && date_valid(v->str); break;
	case D_INT: ok = v->kind == PD_INT; break;
	case D_BOOL: ok = v->kind == PD_BOOL; break;
	case D_EMAIL: ok = scalar(v) && case_email_valid(v->str); break;
	case D_STRS: ok = strings(v); break;
	case D_STR_OR_STRS: ok = scalar(v) || (strings(v) && v->n > 0); break;
	case D_MAPS: ok = v->kind == PD_SEQ; break;
	case D_MAP: ok = v->kind == PD_MAP; break;
	default: ok = true;
	}
	if (!ok) {
		static const char *const words[] = {"text", "a date (YYYY-MM-DD)", "a whole number",
						    "true or false", "an email address",
						    "a list of texts", "a text or a list of texts",
						    "a list of maps", "a map", "anything"};
		diag_error(d, v->loc, "%s: %s must be %s", what, f->key, words[f->kind]);
		return;
	}
	if (f->kind == D_MAP)
		check_map(what, v, f->sub, d);
	for (size_t i = 0; f->kind == D_MAPS && i < v->n; i++) {
		char *item = item_name(what, f->key, i);
		if (v->items[i]->kind != PD_MAP)
			diag_error(d, v->items[i]->loc, "%s must be a map", item);
		else
			check_map(item, v->items[i], f->sub, d);
		free(item);
	}
}

/* A key the spec does not know is an error: in a flow map it is most often the rest of a
 * value that an unquoted comma cut ("label: Victim, witness or plaintiff"). */
static void check_map(const char *what, const struct pd_value *map, const struct dfield *spec,
		      struct pd_diags *d)
{
	for (size_t i = 0; i < map->n; i++) {
		const struct dfield *f = spec;
		while (f->key && strcmp(f->key, map->keys[i]) != 0)
			f++;
		if (!f->key)
			diag_error(d, map->key_locs[i],
				   "%s: unknown key '%s'%s", what, map->keys[i],
				   map->items[i]->kind == PD_NULL
				       ? " (a comma in an unquoted value of a flow map ends the "
					 "value: quote it)"
				       : "");
		else if (map->items[i]->kind == PD_NULL)
			diag_error(d, map->items[i]->loc, "%s: %s has no value", what, f->key);
		else
			check_field(what, f, map->items[i], d);
	}
	for (const struct dfield *f = spec; f->key; f++)
		if (f->need && !value_get(map, f->key))
			diag_add(d, f->need == 1 ? PD_ERROR : PD_WARNING, map->loc, NULL,
				 "%s: %s is missing", what, f->key);
}

static const char *str_of(const struct pd_value *m, const char *key)
{
	return value_str(value_get(m, key));
}

static bool is(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

/* Offices: kinds, parents, unique ids, and a field marked unknown that is also given. */
static void check_offices(const struct pd_domain *dom, struct pd_diags *d)
{
	const struct pd_value *offs = dom->offices;
	for (size_t i = 0; offs && offs->kind == PD_SEQ && i < offs->n; i++) {
		const struct pd_value *o = offs->items[i];
		const char *id = str_of(o, "id"), *kind = str_of(o, "kind");
		if (kind && !is(kind, "ero") && !is(kind, "occ") && !is(kind, "occ_sub"))
			diag_error(d, value_get(o, "kind")->loc,
				   "office %s: kind '%s' is not ero, occ or occ_sub", id ? id : "?",
				   kind);
		const char *parent = str_of(o, "parent");
		const struct pd_value *p = levels_office(dom, parent);
		if (is(kind, "occ_sub") && (!p || !is(str_of(p, "kind"), "occ")))
			diag_error(d, o->loc, "office %s: a sub-office needs parent: the id of an occ office",
				   id ? id : "?");
		for (size_t j = 0; id && j < i; j++)
			if (is(str_of(offs->items[j], "id"), id))
				diag_error(d, value_get(o, "id")->loc, "office id %s is used twice", id);
		const struct pd_value *unk = value_get(o, "unknown");
		for (size_t j = 0; unk && unk->kind == PD_SEQ && j < unk->n; j++)
			if (value_str(unk->items[j]) && value_get(o, value_str(unk->items[j])))
				diag_error(d, unk->items[j]->loc,
					   "office %s: %s is marked unknown and also given", id ? id : "?",
					   value_str(unk->items[j]));
	}
}

/* Labels: every request form code of the case schema has a label. */
extern const char *const case_forms[];

static void check_labels(const struct pd_domain *dom, struct pd_diags *d)
{
	for (size_t i = 0; case_forms[i]; i++)
		if (!levels_label(dom, "forms", case_forms[i]))
			diag_error(d, dom->labels->loc, "labels.yaml: forms has no entry for %s",
				   case_forms[i]);
}

static bool template_exists(const struct pd_domain *dom, const char *name)
{
	char *path = arena_printf(dom->arena, "%s/templates/%s.md", dom->datadir, name);
	FILE *f = fopen(path, "r");
	if (f)
		fclose(f);
	return f != NULL;
}

/* A priority's text ends the templates' "..., which covers a person TEXT": it begins with
 * "who", a participle or an adjective, never an article ("a current threat" would read "a
 * person a current threat"). The category outside the priorities is a clause of its own. */
static void check_category_texts(const char *what, const struct pd_value *cats, struct pd_diags *d)
{
	static const char *const articles[] = {"a ", "an ", "the ", "A ", "An ", "The "};
	for (size_t i = 0; cats && cats->kind == PD_SEQ && i < cats->n; i++) {
		const struct pd_value *c = cats->items[i];
		const char *text = str_of(c, "text"), *code = str_of(c, "code");
		for (size_t k = 0; text && code && !is(code, "none") && k < sizeof articles / sizeof *articles; k++)
			if (!strncmp(text, articles[k], strlen(articles[k])))
				diag_error(d, value_get(c, "text")->loc,
					   "%s: category %s: text follows \"which covers a person\" in the "
					   "letters, so it cannot begin with '%.*s': begin it with \"who is\", "
					   "a participle or an adjective",
					   what, code, (int)strlen(articles[k]) - 1, articles[k]);
	}
}

static void check_regime(const struct pd_domain *dom, const char *id, const struct pd_value *r,
			 struct pd_diags *d)
{
	char *what = arena_printf(dom->arena, "regimes/%s.yaml", id);
	check_map(what, r, d_regime, d);
	if (str_of(r, "id") && !is(str_of(r, "id"), id))
		diag_error(d, value_get(r, "id")->loc, "%s: id '%s' differs from the file name", what,
			   str_of(r, "id"));
	const struct pd_value *per = value_get(r, "periods");
	const char *last = NULL;
	for (size_t i = 0; per && per->kind == PD_SEQ && i < per->n; i++) {
		const char *from = str_of(per->items[i], "from"), *to = str_of(per->items[i], "to");
		if ((from && to && strcmp(to, from) <= 0) || (last && from && strcmp(from, last) < 0))
			diag_error(d, per->items[i]->loc,
				   "%s: periods must follow one another, each ending after it starts",
				   what);
		last = to ? to : "9999-12-31";
	}
	check_category_texts(what, value_get(r, "categories"), d);
	const char *partial = str_of(r, "partial");
	if (partial && !template_exists(dom, partial))
		diag_error(d, value_get(r, "partial")->loc, "%s: no template %s.md", what, partial);
}

/* Levels: their templates exist, their deciding roles have labels, the reconsideration
 * regime is a regime file. */
static void check_levels(struct pd_arena *arena, const struct pd_domain *dom,
			 const struct pd_value *root, struct pd_diags *d)
{
	for (size_t i = 0; i < dom->nlevels; i++) {
		const struct pd_level *lv = &dom->levels[i];
		const char *names[] = {lv->letter, lv->memo};
		static const char *const keys[] = {"letter", "memo"};
		for (size_t k = 0; k < 2; k++)
			if (names[k] && !template_exists(dom, names[k]))
				diag_error(d, value_get(lv->node, keys[k])->loc,
					   "levels.yaml: level %s: no template %s.md", lv->name, names[k]);
		for (size_t j = 0; j < lv->ndecided_by; j++)
			if (!levels_label(dom, "roles", lv->decided_by[j]))
				diag_error(d, value_get(lv->node, "decided_by")->loc,
					   "levels.yaml: level %s: role %s has no label in labels.yaml",
					   lv->name, lv->decided_by[j] ? lv->decided_by[j] : "?");
	}
	const struct pd_value *rr = value_path(root, "rules.reconsideration_regime");
	if (rr && value_str(rr) && !levels_regime(arena, dom, value_str(rr), rr->loc, d))
		diag_error(d, rr->loc, "levels.yaml: rules.reconsideration_regime names no regime");
}

int levels_validate(struct pd_arena *arena, const struct pd_domain *dom, struct pd_diags *d)
{
	int before = d->errors;
	const struct pd_value *lv = value_load_file(
	    arena, arena_printf(arena, "%s/templates/levels.yaml", dom->datadir), &(struct pd_value_opts){0}, d);
	if (lv) {
		check_map("levels.yaml", lv, d_levels, d);
		check_levels(arena, dom, lv, d);
	}
	check_map("offices.yaml", dom->offices_root, d_offices, d);
	check_offices(dom, d);
	check_map("labels.yaml", dom->labels, d_labels, d);
	check_labels(dom, d);
	char **ids = levels_regime_ids(dom);
	for (size_t i = 0; ids[i]; i++) {
		const struct pd_value *r = levels_regime(arena, dom, ids[i], (struct pd_loc){0}, d);
		if (r)
			check_regime(dom, ids[i], r, d);
		free(ids[i]);
	}
	free(ids);
	return d->errors - before;
}
