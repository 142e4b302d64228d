/* case_model: a case file's value tree -> schema diagnostics and a typed pd_case.
 * In: a YAML case file (or its tree) and the domain data. Out: struct pd_case in the arena. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case_impl.h"

#define CASE_MAX_ITEMS 1000 /* entries in one list or map of a case file */
#define CASE_MAX_INT 100000 /* a whole number (pages) */

enum fkind {
	F_STR,    /* any scalar as text */
	F_MD,     /* Markdown text */
	F_DATE,   /* YYYY-MM-DD */
	F_BOOL,   /* true | false */
	F_INT,    /* whole number >= 0 */
	F_EMAIL,  /* local@domain.tld */
	F_ENUM,   /* one of enumv */
	F_ANUM,   /* an A-number */
	F_LEVEL,  /* a level name of the level table */
	F_MAP,    /* a map with fields sub */
	F_SEQ,    /* a sequence of scalars of kind item (enumv for F_ENUM items) */
	F_SEQMAP, /* a sequence of maps with fields sub */
	F_BYLEVEL, /* a map from level names to maps with fields sub */
	F_ANY      /* anything, unchecked (custom: a firm's own fields) */
};

struct field {
	const char *key;
	enum fkind kind;
	const struct field *sub;
	const char *const *enumv;
	enum fkind item;
};

#define END {NULL, F_STR, NULL, NULL, F_STR}
#define S(k) {k, F_STR, NULL, NULL, F_STR}
#define MD(k) {k, F_MD, NULL, NULL, F_STR}
#define D(k) {k, F_DATE, NULL, NULL, F_STR}
#define B(k) {k, F_BOOL, NULL, NULL, F_STR}
#define I(k) {k, F_INT, NULL, NULL, F_STR}
#define EM(k) {k, F_EMAIL, NULL, NULL, F_STR}
#define E(k, v) {k, F_ENUM, NULL, v, F_STR}
#define M(k, s) {k, F_MAP, s, NULL, F_STR}
#define L(k, kind, v) {k, F_SEQ, NULL, v, kind}
#define LM(k, s) {k, F_SEQMAP, s, NULL, F_STR}

static const char *const tracks[] = {"ero", "occ", NULL};
static const char *const stages[] = {"pre_nta", "proceedings", "bia", "final_order", NULL};
static const char *const detentions[] = {"detained", "not_detained", NULL};
static const char *const outcomes[] = {[PD_PENDING] = "pending",	    [PD_GRANTED] = "granted",
				       [PD_DENIED] = "denied",	    [PD_NO_RESPONSE] = "no_response",
				       [PD_RETURNED] = "returned", NULL};
static const char *const roles[] = {"DO", "SDDO", "AFOD", "DFOD", "FOD",
				    "ACC", "DCC", "CC", "FLO", NULL};
static const char *const directions[] = {"sent", "received", NULL};
static const char *const channels[] = {"email", "phone", "mail", "fax", "in_person", "portal",
				       NULL};
static const char *const hearings[] = {"master", "individual", "bond", NULL};
static const char *const deliveries[] = {"email", "mail", "hand", "fax", "courier", NULL};
static const char *const orders[] = {"western", "family_first", NULL};
const char *const case_forms[] = {"deferred_action",	    "stay_of_removal",
				  "administrative_closure", "dismissal",
				  "termination",	    "decline_nta",
				  "cancel_nta",		    "release",
				  "order_of_supervision",   "bond",
				  "continuance",	    "join_motion_to_reopen",
				  "no_appeal",		    NULL};

static const struct field f_name[] = {S("given"), S("family"), E("order", orders), END};
static const struct field f_detention[] = {E("status", detentions), S("facility"), D("since"),
					   END};
static const struct field f_removal[] = {B("final_order"), D("order_date"), D("scheduled"),
					 END};
static const struct field f_client[] = {M("name", f_name),
					S("native_name"),
					S("honorific"),
					{"a_number", F_ANUM, NULL, NULL, F_STR},
					L("other_a_numbers", F_ANUM, NULL),
					D("dob"),
					S("country_of_birth"),
					L("aliases", F_STR, NULL),
					M("detention", f_detention),
					M("removal", f_removal),
					END};
static const struct field f_bar[] = {S("state"), S("number"), END};
static const struct field f_attorney[] = {S("name"),	 LM("bars", f_bar),
					  B("accredited_rep"), S("organization"),
					  S("eoir_id"),	 EM("email"),
					  S("phone"),		 END};
static const struct field f_firm[] = {S("name"), L("address", F_STR, NULL),
				      S("phone"), S("fax"),
				      EM("email"), S("logo"),
				      S("website"), END};
static const struct field f_form[] = {B("on_file"), D("date"), S("enclosure"), END};
static const struct field f_appearance[] = {M("g28", f_form), M("eoir28", f_form),
					    M("eoir27", f_form), END};
static const struct field f_hearing[] = {D("date"), E("type", hearings), S("judge"), END};
static const struct field f_contact[] = {S("name"),	   S("title"), S("salutation"),
					 EM("email"),	   S("phone"), S("fax"), S("office"),
					 L("address", F_STR, NULL), END};
static const struct field f_case[] = {E("track", tracks),
				      E("stage", stages),
				      S("court"),
				      M("next_hearing", f_hearing),
				      S("ero_office"),
				      S("occ_office"),
				      S("occ_suboffice"),
				      {"contacts", F_BYLEVEL, f_contact, NULL, F_STR},
				      END};
static const struct field f_emergency[] = {MD("reason"), D("deadline"), END};
static const struct field f_priority[] = {S("regime"), S("category"), MD("rationale"), END};
static const struct field f_request[] = {L("forms", F_ENUM, case_forms), MD("narrative"),
					 MD("background"), MD("new_facts"), END};
static const struct field f_aware[] = {E("role", roles), S("by"), D("date"), S("how"),
				       S("enclosure"), END};
static const struct field f_equity[] = {S("factor"), MD("text"), L("exhibits", F_STR, NULL),
					END};
static const struct field f_negative[] = {MD("text"), MD("mitigation"),
					  L("exhibits", F_STR, NULL), END};
static const struct field f_decision[] = {E("outcome", outcomes), D("date"),
					  E("by_role", roles),	   S("by"),
					  S("reason"),		   E("channel", channels),
					  END};
static const struct field f_requests[] = {S("id"),
					  {"level", F_LEVEL, NULL, NULL, F_STR},
					  D("sent"),
					  E("channel", channels),
					  S("to"),
					  L("enclosures", F_STR, NULL),
					  M("decision", f_decision),
					  END};
static const struct field f_enclosure[] = {S("id"), S("title"), S("description"), D("date"), I("pages"),
					   S("file"), END};
static const struct field f_comm[] = {D("date"),	E("direction", directions),
				      E("channel", channels), S("from"),
				      S("to"),		S("summary"),
				      S("enclosure"),	END};
static const struct field f_escalation[] = {MD("argument"), L("policy_points", F_STR, NULL),
					    END};
static const struct field f_letter[] = {D("date"), E("delivery", deliveries),
					S("closing"), L("cc", F_STR, NULL),
					S("salutation"), END};
static const struct field f_root[] = {M("client", f_client),
				      M("attorney", f_attorney),
				      M("firm", f_firm),
				      M("appearance", f_appearance),
				      M("case", f_case),
				      M("emergency", f_emergency),
				      M("priority", f_priority),
				      M("request", f_request),
				      LM("equities", f_equity),
				      LM("negatives", f_negative),
				      LM("requests", f_requests),
				      LM("enclosures", f_enclosure),
				      LM("communications", f_comm),
				      M("escalation", f_escalation),
				      LM("aware", f_aware),
				      M("letter", f_letter),
				      {"custom", F_ANY, NULL, NULL, F_STR},
				      END};

struct checker {
	const struct pd_domain *dom;
	struct pd_diags *d;
	struct pd_buf text; /* the last path_text */
};

/* Where a checked value is: a key under up, or item index of up (key NULL); NULL is the
 * top. Spelled out ("requests[0].decision") only for a message. */
struct field_path {
	const struct field_path *up;
	const char *key;
	size_t index;
};

static void path_put(struct pd_buf *b, const struct field_path *p)
{
	if (!p)
		return;
	path_put(b, p->up);
	if (!p->key) {
		buf_printf(b, "[%zu]", p->index);
		return;
	}
	if (b->len)
		buf_putc(b, '.');
	buf_puts(b, p->key);
}

static const char *path_text(struct checker *ck, const struct field_path *p)
{
	ck->text.len = 0;
	buf_puts(&ck->text, "");
	path_put(&ck->text, p);
	return ck->text.s;
}

static const char *kind_word(enum fkind k)
{
	switch (k) {
	case F_MAP:
	case F_BYLEVEL:
		return "a map";
	case F_SEQ:
	case F_SEQMAP:
		return "a list";
	case F_BOOL:
		return "true or false";
	case F_DATE:
		return "a date (YYYY-MM-DD)";
	case F_INT:
		return "a whole number";
	default:
		return "text";
	}
}

static void check_value(struct checker *ck, const struct field_path *path, const struct field *f,
			const struct pd_value *v, enum fkind kind, const char *const *enumv);

static bool is_scalar(const struct pd_value *v)
{
	return v->kind != PD_SEQ && v->kind != PD_MAP;
}

static void check_enum(struct checker *ck, const struct field_path *path, const struct pd_value *v,
		       const char *const *enumv)
{
	size_t n = 0;
	while (enumv[n])
		n++;
	for (size_t i = 0; i < n; i++)
		if (strcmp(v->str, enumv[i]) == 0)
			return;
	struct pd_buf all = {0};
	for (size_t i = 0; i < n; i++)
		buf_printf(&all, "%s%s", i ? ", " : "", enumv[i]);
	diag_error(ck->d, v->loc, "%s: '%s' is not one of %s%s", path_text(ck, path), v->str, all.s,
		   diag_did_you_mean(v->str, enumv, n, '\'').text);
	buf_free(&all);
}

/* Text that Markdown would emphasise: "*x*", "**x**" or "_x_" with no blank inside the
 * marks (an underscore inside a word, as in snake_case, is not one). */
static bool has_emphasis(const char *s)
{
	for (const char *p = s; *p; p++) {
		if (*p != '*' && *p != '_')
			continue;
		char mark = *p;
		if (mark == '_' && p > s && isalnum((unsigned char)p[-1]))
			continue;
		const char *open = p;
		while (*open == mark)
			open++;
		if (!*open || isspace((unsigned char)*open))
			continue;
		const char *close = strchr(open, mark);
		if (close && close > open && !isspace((unsigned char)close[-1]) &&
		    (mark == '*' || !isalnum((unsigned char)close[1])))
			return true;
	}
	return false;
}

static void check_scalar(struct checker *ck, const struct field_path *path, const struct pd_value *v,
			 enum fkind kind, const char *const *enumv)
{
	char digits[10];
	switch (kind) {
	case F_BOOL:
		if (v->kind != PD_BOOL)
			diag_error(ck->d, v->loc, "%s: expected true or false, found '%s'", path_text(ck, path),
				   v->str);
		break;
	case F_INT:
		if (v->kind != PD_INT || v->str[0] == '-')
			diag_error(ck->d, v->loc, "%s: expected a whole number, found '%s'", path_text(ck, path),
				   v->str);
		else if (v->number > CASE_MAX_INT)
			diag_error(ck->d, v->loc, "%s: %s is too large (at most %d)", path_text(ck, path), v->str,
				   CASE_MAX_INT);
		break;
	case F_DATE:
		if (!date_valid(v->str))
			diag_error(ck->d, v->loc,
				   "%s: '%s' is not a calendar date written YYYY-MM-DD", path_text(ck, path),
				   v->str);
		break;
	case F_EMAIL:
		if (!case_email_valid(v->str))
			diag_error(ck->d, v->loc, "%s: '%s' is not an email address", path_text(ck, path), v->str);
		break;
	case F_ENUM:
		check_enum(ck, path, v, enumv);
		break;
	case F_LEVEL:
		check_enum(ck, path, v, ck->dom->level_names);
		break;
	case F_STR:
		if (v->kind == PD_STR && has_emphasis(v->str))
			diag_add(ck->d, PD_NOTE, v->loc, NULL,
				 "%s is plain text, so its Markdown emphasis prints as it is "
				 "(its '*' or '_' stay); italics belong in the template", path_text(ck, path));
		break;
	case F_ANUM:
		if (!anumber_normalize(v->str, digits))
			diag_error(ck->d, v->loc,
				   "%s: '%s' is not an A-number (8 or 9 digits, as A012-345-678)",
				   path_text(ck, path), v->str);
		break;
	default:
		break;
	}
}

static void unknown_key(struct checker *ck, const struct field_path *at,
			const struct field *fields, const struct pd_value *map, size_t i)
{
	size_t nf = 0;
	while (fields[nf].key)
		nf++;
	const char **names = xcalloc(nf + 1, sizeof *names);
	for (size_t j = 0; j < nf; j++)
		names[j] = fields[j].key;
	diag_warn(ck->d, map->key_locs[i], "unknown key '%s'%s", path_text(ck, at),
		  diag_did_you_mean(map->keys[i], names, nf, '\'').text);
	free(names);
}

static void check_map(struct checker *ck, const struct field_path *path, const struct field *fields,
		      const struct pd_value *map)
{
	for (size_t i = 0; i < map->n; i++) {
		const char *key = map->keys[i];
		struct field_path at = {path, key, 0};
		const struct field *f = fields;
		while (f->key && strcmp(f->key, key) != 0)
			f++;
		if (!f->key)
			unknown_key(ck, &at, fields, map, i);
		else
			check_value(ck, &at, f, map->items[i], f->kind, f->enumv);
	}
}

static void check_bylevel(struct checker *ck, const struct field_path *path, const struct field *f,
			  const struct pd_value *map)
{
	for (size_t i = 0; i < map->n; i++) {
		struct field_path at = {path, map->keys[i], 0};
		if (!levels_find(ck->dom, map->keys[i])) {
			diag_warn(ck->d, map->key_locs[i], "unknown level '%s' in %s%s", map->keys[i],
				  path_text(ck, path),
				  diag_did_you_mean(map->keys[i], ck->dom->level_names,
						    ck->dom->nlevels, '\'').text);
		}
		struct field item = {map->keys[i], F_MAP, f, NULL, F_STR};
		check_value(ck, &at, &item, map->items[i], F_MAP, NULL);
	}
}

static void check_value(struct checker *ck, const struct field_path *path, const struct field *f,
			const struct pd_value *v, enum fkind kind, const char *const *enumv)
{
	if (v->kind == PD_NULL || kind == F_ANY)
		return;
	bool want_map = kind == F_MAP || kind == F_BYLEVEL;
	bool want_seq = kind == F_SEQ || kind == F_SEQMAP;
	if ((want_map && v->kind != PD_MAP) || (want_seq && v->kind != PD_SEQ) ||
	    (!want_map && !want_seq && !is_scalar(v))) {
		diag_error(ck->d, v->loc, "%s: expected %s", path_text(ck, path), kind_word(kind));
		return;
	}
	if (kind == F_MAP) {
		check_map(ck, path, f->sub, v);
	} else if (kind == F_BYLEVEL) {
		check_bylevel(ck, path, f->sub, v);
	} else if (kind == F_SEQMAP || kind == F_SEQ) {
		for (size_t i = 0; i < v->n; i++) {
			struct field_path at = {path, NULL, i};
			check_value(ck, &at, f, v->items[i], kind == F_SEQ ? f->item : F_MAP,
				    enumv);
		}
	} else {
		check_scalar(ck, path, v, kind, enumv);
	}
}

/* ---- the names a template may use ---- */

static struct pd_value *shape_of(struct pd_arena *arena, const struct field *f, enum fkind kind);

static struct pd_value *shape_map(struct pd_arena *arena, const struct field *fields)
{
	struct pd_value *m = value_new(arena, PD_MAP, (struct pd_loc){0});
	for (const struct field *f = fields; f->key; f++)
		value_set(arena, m, f->key, shape_of(arena, f, f->kind));
	return m;
}

static struct pd_value *shape_of(struct pd_arena *arena, const struct field *f, enum fkind kind)
{
	struct pd_loc none = {0};
	switch (kind) {
	case F_MAP:
		return shape_map(arena, f->sub);
	case F_BYLEVEL: {
		struct pd_value *m = value_new(arena, PD_MAP, none);
		value_set(arena, m, "*", shape_map(arena, f->sub));
		return m;
	}
	case F_SEQ:
	case F_SEQMAP: {
		struct pd_value *l = value_new(arena, PD_SEQ, none);
		value_append(arena, l, shape_of(arena, f, kind == F_SEQ ? f->item : F_MAP));
		return l;
	}
	case F_ANY:
		return value_new(arena, PD_NULL, none);
	default:
		return value_new_str(arena, kind == F_MD ? "markdown" : "text", none);
	}
}

struct pd_value *case_schema_shape(struct pd_arena *arena)
{
	return shape_map(arena, f_root);
}

/* ---- emails ---- */

static bool email_local_char(char ch)
{
	return isalnum((unsigned char)ch) || strchr(".!#$%&'*+/=?^_`{|}~-", ch);
}

bool case_email_valid(const char *s)
{
	const char *at = strchr(s, '@');
	if (!at || at == s || strchr(at + 1, '@'))
		return false;
	for (const char *p = s; p < at; p++)
		if (!email_local_char(*p) || (*p == '.' && (p == s || p[1] == '.' || p + 1 == at)))
			return false;
	const char *dom = at + 1;
	size_t label = 0, labels = 0;
	for (const char *p = dom;; p++) {
		if (*p == '.' || *p == '\0') {
			if (label == 0 || p[-1] == '-')
				return false;
			labels++;
			label = 0;
			if (!*p)
				break;
		} else if (isalnum((unsigned char)*p) || (*p == '-' && label > 0)) {
			label++;
		} else {
			return false;
		}
	}
	return labels >= 2;
}

/* ---- typing ---- */

const char *case_str(const struct pd_value *root, const char *dotted)
{
	const struct pd_value *v = value_path(root, dotted);
	if (!v || v->kind == PD_NULL || !is_scalar(v))
		return NULL;
	return v->str && *v->str ? v->str : NULL;
}

/* dotted into buf of size bytes, cut as snprintf cuts it (without printf's cost). */
static void path_copy(char *buf, size_t size, const char *dotted)
{
	size_t n = strnlen(dotted, size - 1);
	memcpy(buf, dotted, n);
	buf[n] = '\0';
}

struct pd_loc case_loc(const struct pd_case *c, const char *dotted)
{
	char buf[256];
	path_copy(buf, sizeof buf, dotted);
	for (;;) {
		const struct pd_value *v = value_path(c->root, buf);
		if (v)
			return v->loc;
		char *dot = strrchr(buf, '.');
		if (!dot)
			return c->root->loc;
		*dot = '\0';
	}
}

static const char *field_of(const struct pd_value *map, const char *key)
{
	const struct pd_value *v = value_get(map, key);
	if (!v || v->kind == PD_NULL || !is_scalar(v) || !v->str[0])
		return NULL;
	return v->str;
}

static bool seq_ok(const struct pd_value *v)
{
	return v && v->kind == PD_SEQ;
}

static void type_requests(struct pd_arena *arena, struct pd_case *c)
{
	const struct pd_value *seq = value_get(c->root, "requests");
	if (!seq_ok(seq))
		return;
	c->req = arena_alloc(arena, (seq->n + 1) * sizeof *c->req);
	for (size_t i = 0; i < seq->n; i++) {
		const struct pd_value *r = seq->items[i];
		if (r->kind != PD_MAP)
			continue;
		struct pd_request *q = &c->req[c->nreq++];
		q->node = r;
		q->id = field_of(r, "id");
		q->level = field_of(r, "level");
		q->lv = levels_find(c->dom, q->level);
		q->sent = field_of(r, "sent");
		q->channel = field_of(r, "channel");
		q->to = field_of(r, "to");
		q->enclosures = value_get(r, "enclosures");
		if (!seq_ok(q->enclosures))
			q->enclosures = NULL;
		q->decision = value_get(r, "decision");
		if (q->decision && q->decision->kind == PD_MAP) {
			q->outcome = field_of(q->decision, "outcome");
			q->decided = field_of(q->decision, "date");
			q->by_role = field_of(q->decision, "by_role");
			q->by = field_of(q->decision, "by");
			q->reason = field_of(q->decision, "reason");
		} else {
			q->decision = NULL;
		}
		if (!q->outcome)
			q->outcome = outcomes[PD_PENDING];
		for (int k = 0; outcomes[k]; k++)
			if (!strcmp(q->outcome, outcomes[k]))
				q->state = (enum pd_outcome)k;
	}
}

static void type_comms(struct pd_arena *arena, struct pd_case *c)
{
	const struct pd_value *seq = value_get(c->root, "communications");
	if (!seq_ok(seq))
		return;
	c->comm = arena_alloc(arena, (seq->n + 1) * sizeof *c->comm);
	for (size_t i = 0; i < seq->n; i++) {
		const struct pd_value *m = seq->items[i];
		if (m->kind != PD_MAP)
			continue;
		c->comm[c->ncomm++] = (struct pd_comm){
		    m,		       field_of(m, "date"), field_of(m, "direction"),
		    field_of(m, "channel"), field_of(m, "from"), field_of(m, "to"),
		    field_of(m, "summary"), field_of(m, "enclosure")};
	}
}

static void type_enclosures(struct pd_arena *arena, struct pd_case *c)
{
	const struct pd_value *seq = value_get(c->root, "enclosures");
	if (!seq_ok(seq))
		return;
	c->encl = arena_alloc(arena, (seq->n + 1) * sizeof *c->encl);
	for (size_t i = 0; i < seq->n; i++) {
		const struct pd_value *m = seq->items[i];
		if (m->kind != PD_MAP)
			continue;
		const char *pages = field_of(m, "pages");
		c->encl[c->nencl++] =
		    (struct pd_encl){m, field_of(m, "id"), field_of(m, "title"),
				     field_of(m, "date"), field_of(m, "file"), pages ? atol(pages) : 0};
	}
}

static const char *join_name(struct pd_arena *arena, const struct pd_case *c)
{
	const char *order = case_str(c->root, "client.name.order");
	if (c->given && c->family) {
		if (order && strcmp(order, "family_first") == 0)
			return arena_printf(arena, "%s %s", c->family, c->given);
		return arena_printf(arena, "%s %s", c->given, c->family);
	}
	return c->given ? c->given : c->family;
}

static void type_basics(struct pd_arena *arena, struct pd_case *c)
{
	const char *a = case_str(c->root, "client.a_number");
	if (!a || !anumber_normalize(a, c->anum))
		c->anum[0] = '\0';
	c->given = case_str(c->root, "client.name.given");
	c->family = case_str(c->root, "client.name.family");
	c->full_name = join_name(arena, c);
	c->track = case_str(c->root, "case.track");
	c->stage = case_str(c->root, "case.stage");
	c->letter_date = case_str(c->root, "letter.date");
	if (c->letter_date && !date_valid(c->letter_date))
		c->letter_date = NULL;
	c->ero_office = case_str(c->root, "case.ero_office");
	c->occ_office = case_str(c->root, "case.occ_office");
	c->occ_suboffice = case_str(c->root, "case.occ_suboffice");
	c->g28 = value_truthy(value_path(c->root, "appearance.g28.on_file"));
	c->eoir28 = value_truthy(value_path(c->root, "appearance.eoir28.on_file"));
	c->eoir27 = value_truthy(value_path(c->root, "appearance.eoir27.on_file"));
	const char *det = case_str(c->root, "client.detention.status");
	c->detained = det && strcmp(det, "detained") == 0;
}

/* True when a container on the way to dotted is there but is no map: that was reported as
 * a wrong type already, so what is missing inside it is not reported again. */
static bool under_scalar(const struct pd_value *root, const char *dotted)
{
	char path[128];
	path_copy(path, sizeof path, dotted);
	for (char *dot = strrchr(path, '.'); dot; dot = strrchr(path, '.')) {
		*dot = '\0';
		const struct pd_value *v = value_path(root, path);
		if (v && v->kind != PD_MAP && v->kind != PD_NULL)
			return true;
	}
	return false;
}

/* Fields every document needs, whatever the level. */
static void require_basics(const struct pd_case *c, struct pd_diags *d)
{
	static const char *const need[] = {"client.name",    "case.track",	  "case.stage",
					   "attorney.name",  "firm.name",	  "letter.date",
					   "client.country_of_birth", "client.dob", NULL};
	for (size_t i = 0; need[i]; i++) {
		const struct pd_value *v = value_path(c->root, need[i]);
		if ((v && v->kind != PD_NULL) || under_scalar(c->root, need[i]))
			continue;
		bool soft = strcmp(need[i], "client.dob") == 0 ||
			    strcmp(need[i], "client.country_of_birth") == 0;
		diag_add(d, soft ? PD_WARNING : PD_ERROR, case_loc(c, need[i]), NULL,
			 "%s is missing", need[i]);
	}
	const struct pd_value *name = value_path(c->root, "client.name");
	if (name && name->kind == PD_MAP && !c->given && !c->family)
		diag_error(d, case_loc(c, "client.name"),
			   "client.name needs a given or a family name (or both)");
	if (!case_str(c->root, "client.a_number") && !under_scalar(c->root, "client.a_number")) {
		bool pre = c->stage && strcmp(c->stage, "pre_nta") == 0;
		diag_add(d, pre ? PD_WARNING : PD_ERROR, case_loc(c, "client.a_number"), NULL,
			 "client.a_number is missing");
	}
	const char *det = case_str(c->root, "client.detention.status");
	if (c->detained && !case_str(c->root, "client.detention.facility"))
		diag_warn(d, case_loc(c, "client.detention"),
			  "client.detention.facility is missing for a detained client");
	if (!det && !under_scalar(c->root, "client.detention.status"))
		diag_warn(d, case_loc(c, "client.detention"),
			  "client.detention.status is missing (detained or not_detained)");
	if (value_get(c->root, "attorney") && !value_path(c->root, "attorney.bars") &&
	    !value_truthy(value_path(c->root, "attorney.accredited_rep")))
		diag_warn(d, case_loc(c, "attorney"),
			  "attorney.bars is missing (or set accredited_rep: true and organization)");
}

static void check_ids(const struct pd_case *c, struct pd_diags *d)
{
	for (size_t i = 0; i < c->nencl; i++) {
		if (!c->encl[i].id) {
			diag_error(d, c->encl[i].node->loc, "an enclosure needs an id");
			continue;
		}
		if (!c->encl[i].title)
			diag_error(d, c->encl[i].node->loc, "enclosure %s needs a title",
				   c->encl[i].id);
		for (size_t j = 0; j < i; j++)
			if (c->encl[j].id && strcmp(c->encl[j].id, c->encl[i].id) == 0)
				diag_error(d, value_get(c->encl[i].node, "id")->loc,
					   "enclosure id %s is used twice", c->encl[i].id);
	}
	for (size_t i = 0; i < c->nreq; i++) {
		const struct pd_request *q = &c->req[i];
		if (!q->level)
			diag_error(d, q->node->loc, "requests[%zu] needs a level", i);
		if (!q->sent)
			diag_error(d, q->node->loc, "requests[%zu] needs the date it was sent (sent)",
				   i);
		if (q->decision && !q->decided && q->state != PD_PENDING &&
		    q->state != PD_NO_RESPONSE)
			diag_error(d, q->decision->loc, "requests[%zu].decision needs a date", i);
	}
	for (size_t i = 0; i < c->ncomm; i++)
		if (!c->comm[i].date || !c->comm[i].direction)
			diag_error(d, c->comm[i].node->loc,
				   "communications[%zu] needs a date and a direction", i);
}

static void load_regime(struct pd_arena *arena, struct pd_case *c, struct pd_diags *d)
{
	const struct pd_value *node = value_path(c->root, "priority.regime");
	c->regime_id = case_str(c->root, "priority.regime");
	if (!c->regime_id) {
		if (value_get(c->root, "priority"))
			diag_error(d, case_loc(c, "priority"),
				   "priority.regime is missing (for example johnson-2014)");
		return;
	}
	c->regime = levels_regime(arena, c->dom, c->regime_id, node->loc, d);
	if (!c->regime)
		return;
	const struct pd_value *cats = value_get(c->regime, "categories");
	const char *cat = case_str(c->root, "priority.category");
	if (cat && seq_ok(cats) && cats->n == 0) {
		diag_error(d, value_path(c->root, "priority.category")->loc,
			   "priority.category '%s': %s sets no categories (its letters argue the "
			   "equities case by case): leave priority.category out",
			   cat, c->regime_id);
		return;
	}
	if (cat && seq_ok(cats)) {
		const char **codes = arena_alloc(arena, (cats->n + 1) * sizeof *codes);
		for (size_t i = 0; i < cats->n; i++) {
			codes[i] = field_of(cats->items[i], "code");
			if (codes[i] && strcmp(codes[i], cat) == 0)
				return;
		}
		diag_error(d, value_path(c->root, "priority.category")->loc,
			   "priority.category '%s' is not a category of %s%s", cat, c->regime_id,
			   diag_did_you_mean(cat, codes, cats->n, '\'').text);
	}
}

static void check_factors(const struct pd_case *c, struct pd_diags *d)
{
	const struct pd_value *factors = c->regime ? value_get(c->regime, "factors") : NULL;
	const struct pd_value *eq = value_get(c->root, "equities");
	if (!seq_ok(factors) || !seq_ok(eq))
		return;
	const char **codes = xcalloc(factors->n + 1, sizeof *codes);
	for (size_t i = 0; i < factors->n; i++)
		codes[i] = field_of(factors->items[i], "code");
	for (size_t i = 0; i < eq->n; i++) {
		const struct pd_value *f = value_get(eq->items[i], "factor");
		if (!f || !is_scalar(f) || f->kind == PD_NULL)
			continue;
		size_t j = 0;
		while (j < factors->n && !(codes[j] && strcmp(codes[j], f->str) == 0))
			j++;
		if (j < factors->n)
			continue;
		diag_warn(d, f->loc, "equities[%zu].factor '%s' is not a factor of %s%s", i,
			  f->str, c->regime_id,
			  diag_did_you_mean(f->str, codes, factors->n, '\'').text);
	}
	free(codes);
}

struct pd_case *case_from_value(struct pd_arena *arena, struct pd_value *root, const char *path,
				const char *datadir, struct pd_diags *diags)
{
	const struct pd_domain *dom = levels_load(arena, datadir, diags);
	return dom ? case_from_value_domain(arena, root, path, dom, diags) : NULL;
}

/* Does the map hold one top-level case field (or the 'cases' of a docket)? */
static bool has_case_field(const struct pd_value *root)
{
	for (size_t i = 0; i < root->n; i++) {
		if (!strcmp(root->keys[i], "cases"))
			return true;
		for (const struct field *f = f_root; f->key; f++)
			if (!strcmp(f->key, root->keys[i]))
				return true;
	}
	return false;
}

struct pd_case *case_from_value_domain(struct pd_arena *arena, struct pd_value *root,
				       const char *path, const struct pd_domain *dom,
				       struct pd_diags *diags)
{
	if (root->kind != PD_MAP || !has_case_field(root)) {
		/* a file named by mistake (or by a hostile docket): its lines stay unquoted */
		diag_error(diags, ((struct pd_loc){diag_intern(diags, path), 0, 0}),
			   "not a case file: a case file is YAML with 'client:', 'case:' and the "
			   "other case fields at its top (its lines are not shown)");
		return NULL;
	}
	size_t k = 0;
	while (k < root->n && strcmp(root->keys[k], "cases") != 0)
		k++;
	if (k < root->n && !value_get(root, "client")) {
		diag_error(diags, root->key_locs[k],
			   "this is a docket (a list of cases), not a case file: make its letters "
			   "with 'pdgen batch %s', check it with 'pdgen batch --check %s'",
			   path, path);
		return NULL;
	}
	struct pd_case *c = arena_alloc(arena, sizeof *c);
	c->path = diag_intern(diags, path);
	const char *slash = strrchr(path, '/');
	c->dir = slash ? arena_strndup(arena, path, (size_t)(slash - path)) : ".";
	c->root = root;
	c->dom = dom;
	struct checker ck = {dom, diags, {0}};
	check_map(&ck, NULL, f_root, root);
	buf_free(&ck.text);
	type_basics(arena, c);
	type_requests(arena, c);
	type_comms(arena, c);
	type_enclosures(arena, c);
	require_basics(c, diags);
	check_ids(c, diags);
	load_regime(arena, c, diags);
	check_factors(c, diags);
	return c;
}

struct pd_case *case_load(struct pd_arena *arena, const char *path, const char *datadir,
			  struct pd_diags *diags)
{
	struct pd_value_opts opts = {0};
	opts.allow_aliases = false;
	opts.max_items = CASE_MAX_ITEMS;
	struct pd_value *root = value_load_file(arena, path, &opts, diags);
	if (!root)
		return NULL;
	return case_from_value(arena, root, path, datadir, diags);
}

const struct pd_domain *case_domain(const struct pd_case *c)
{
	return c->dom;
}

const struct pd_encl *case_enclosure(const struct pd_case *c, const char *id)
{
	for (size_t i = 0; id && i < c->nencl; i++)
		if (c->encl[i].id && strcmp(c->encl[i].id, id) == 0)
			return &c->encl[i];
	return NULL;
}
