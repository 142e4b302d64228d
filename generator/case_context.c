/* case_context: a checked pd_case -> the value tree the letter and memo templates see.
 * In: the case, a level and a document. Out: the case tree plus derived fields, in the arena. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <utf8proc.h>

#include "case_impl.h"

struct ctx {
	struct pd_arena *a;
	const struct pd_case *c;
	const struct pd_level *lv;
	struct pd_loc at; /* place given to derived values: the case file's top */
};

/* A level at its track's top rung: headquarters. */
static bool at_top(const struct ctx *x, const struct pd_level *lv)
{
	return lv->rung >= levels_top_rung(x->c->dom, lv->track);
}

static bool is(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

/* ---- builders ---- */

static struct pd_value *s(struct ctx *x, const char *str)
{
	return value_new_str(x->a, str ? str : "", x->at);
}

static struct pd_value *b(struct ctx *x, bool on)
{
	return value_new_bool(x->a, on, x->at);
}

static struct pd_value *nil(struct ctx *x)
{
	return value_new(x->a, PD_NULL, x->at);
}

static struct pd_value *n(struct ctx *x, long num)
{
	struct pd_value *v = value_new(x->a, PD_INT, x->at);
	v->str = arena_printf(x->a, "%ld", num);
	v->len = strlen(v->str);
	v->number = (double)num;
	return v;
}

static struct pd_value *map(struct ctx *x)
{
	return value_new(x->a, PD_MAP, x->at);
}

static struct pd_value *seq(struct ctx *x)
{
	return value_new(x->a, PD_SEQ, x->at);
}

/* A shallow copy of a map (an empty map when src is not one). */
static struct pd_value *clone(struct ctx *x, const struct pd_value *src)
{
	return src && src->kind == PD_MAP ? value_copy(x->a, src) : map(x);
}

static void set(struct ctx *x, struct pd_value *m, const char *key, struct pd_value *v)
{
	value_set(x->a, m, key, v ? v : nil(x));
}

static void sets(struct ctx *x, struct pd_value *m, const char *key, const char *str)
{
	set(x, m, key, str ? s(x, str) : nil(x));
}

/* Sets a derived text, placed where it comes from in the case file (src) when there is
 * such a place: problems later found in the text point there. */
static void sets_from(struct ctx *x, struct pd_value *m, const char *key, const char *str,
		      const struct pd_value *src)
{
	struct pd_value *v = str ? s(x, str) : nil(x);
	if (src && src->loc.file)
		v->loc = src->loc;
	set(x, m, key, v);
}

/* Sets key only when the map lacks it (so templates can test optional fields). */
static void dflt(struct ctx *x, struct pd_value *m, const char *key)
{
	if (!value_get(m, key))
		set(x, m, key, nil(x));
}

static const char *str_of(const struct pd_value *m, const char *key)
{
	const struct pd_value *v = value_get(m, key);
	return v && v->kind != PD_NULL && v->kind != PD_SEQ && v->kind != PD_MAP && *v->str
		   ? v->str
		   : NULL;
}

/* ---- labels (templates/labels.yaml) ---- */

static const char *label(struct ctx *x, const char *group, const char *code)
{
	const char *l = levels_label(x->c->dom, group, code);
	return l ? l : code;
}

static const char *long_date(struct pd_arena *a, const char *d)
{
	if (!d || !date_valid(d))
		return d ? d : "";
	return arena_printf(a, "%s %d, %d", date_month_name(atoi(d + 5)), atoi(d + 8), atoi(d));
}

/* Tab names: A..Z, AA, AB, ... */
static const char *tab_name(struct pd_arena *a, size_t i)
{
	char buf[8];
	if (i < 26) {
		buf[0] = (char)('A' + i);
		buf[1] = '\0';
	} else {
		buf[0] = (char)('A' + (i / 26 - 1) % 26);
		buf[1] = (char)('A' + i % 26);
		buf[2] = '\0';
	}
	return arena_strdup(a, buf);
}

/* ---- client, attorney, level ---- */

/* Whether the word s[0..n) (a trailing comma aside) is in the labels' list `key`. */
static bool word_listed(const struct ctx *x, const char *key, const char *s, size_t n)
{
	if (n && s[n - 1] == ',')
		n--;
	const struct pd_value *list = value_get(x->c->dom->labels, key);
	for (size_t i = 0; n && list && list->kind == PD_SEQ && i < list->n; i++) {
		const char *w = list->items[i]->str;
		if (w && strlen(w) == n && strncasecmp(w, s, n) == 0)
			return true;
	}
	return false;
}

/* The family name of "Thomas de la Cruz, Jr." for a salutation: "de la Cruz" (labels.yaml
 * lists the suffixes dropped and the particles kept). */
static const char *surname(struct ctx *x, const char *name)
{
	const char *w[16];
	size_t len[16], n = 0;
	for (const char *p = name; *p;) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		if (n == 16) { /* keep the last 16 words */
			memmove(w, w + 1, 15 * sizeof *w);
			memmove(len, len + 1, 15 * sizeof *len);
			n--;
		}
		w[n] = p;
		while (*p && *p != ' ')
			p++;
		len[n] = (size_t)(p - w[n]);
		n++;
	}
	while (n > 1 && word_listed(x, "name_suffixes", w[n - 1], len[n - 1]))
		n--;
	if (!n)
		return name;
	size_t first = n - 1;
	while (first > 1 && word_listed(x, "name_particles", w[first - 1], len[first - 1]))
		first--;
	size_t end = (size_t)(w[n - 1] + len[n - 1] - w[first]);
	if (end && w[first][end - 1] == ',')
		end--;
	return arena_strndup(x->a, w[first], end);
}

static struct pd_value *client(struct ctx *x)
{
	const struct pd_case *c = x->c;
	struct pd_value *m = clone(x, value_get(c->root, "client"));
	const struct pd_value *name = value_path(c->root, "client.name");
	sets_from(x, m, "full_name", c->full_name, name);
	const char *hon = str_of(m, "honorific");
	const char *last = c->family ? c->family : c->given;
	sets_from(x, m, "short_name",
		  hon && last ? arena_printf(x->a, "%s %s", hon, last) : c->full_name, name);
	char fmt[13] = "";
	if (c->anum[0])
		anumber_format(c->anum, fmt);
	sets_from(x, m, "a_number_display", c->anum[0] ? fmt : NULL,
		  value_path(c->root, "client.a_number"));
	sets(x, m, "a_number_digits", c->anum[0] ? c->anum : NULL);
	struct pd_value *all = seq(x);
	if (c->anum[0])
		value_append(x->a, all, s(x, fmt));
	const struct pd_value *other = value_get(m, "other_a_numbers");
	for (size_t i = 0; other && other->kind == PD_SEQ && i < other->n; i++) {
		char d[10], f[13];
		if (other->items[i]->str && anumber_normalize(other->items[i]->str, d)) {
			anumber_format(d, f);
			value_append(x->a, all, s(x, f));
		}
	}
	set(x, m, "a_numbers_display", all);
	set(x, m, "has_other_a_numbers", b(x, all->n > 1));
	set(x, m, "detained", b(x, c->detained));
	sets(x, m, "facility", case_str(c->root, "client.detention.facility"));
	sets(x, m, "removal_scheduled", case_str(c->root, "client.removal.scheduled"));
	set(x, m, "final_order", b(x, value_truthy(value_path(c->root, "client.removal.final_order"))));
	dflt(x, m, "native_name");
	dflt(x, m, "dob");
	dflt(x, m, "country_of_birth");
	return m;
}

static struct pd_value *attorney(struct ctx *x)
{
	struct pd_value *m = clone(x, value_get(x->c->root, "attorney"));
	const struct pd_value *bars = value_get(m, "bars");
	struct pd_value *lines = seq(x);
	for (size_t i = 0; bars && bars->kind == PD_SEQ && i < bars->n; i++) {
		const char *st = str_of(bars->items[i], "state"), *num = str_of(bars->items[i], "number");
		if (st || num)
			value_append(x->a, lines,
				     s(x, arena_printf(x->a, "%s%s%s", st ? st : "",
						       levels_text(x->c->dom, "bar_line"),
						       num ? num : "")));
	}
	set(x, m, "bar_lines", lines);
	set(x, m, "is_rep", b(x, value_truthy(value_get(m, "accredited_rep"))));
	dflt(x, m, "organization");
	dflt(x, m, "eoir_id");
	dflt(x, m, "email");
	dflt(x, m, "phone");
	return m;
}

static struct pd_value *level(struct ctx *x)
{
	const struct pd_level *lv = x->lv;
	struct pd_value *m = map(x);
	sets(x, m, "name", lv->name);
	sets(x, m, "track", lv->track);
	set(x, m, "rung", n(x, lv->rung));
	sets(x, m, "title", lv->title);
	sets(x, m, "reviewer", str_of(lv->node, "reviewer") ? str_of(lv->node, "reviewer") : lv->title);
	set(x, m, "is_ero", b(x, is(lv->track, "ero")));
	set(x, m, "is_occ", b(x, is(lv->track, "occ")));
	bool esc = case_is_escalation(x->c, lv);
	set(x, m, "is_first", b(x, !esc));
	set(x, m, "is_escalation", b(x, esc));
	set(x, m, "is_local_review", b(x, lv->rung == PD_RUNG_REVIEW));
	set(x, m, "is_suboffice_review", b(x, esc && lv->rung == PD_RUNG_FIRST));
	set(x, m, "is_hq", b(x, at_top(x, lv)));
	set(x, m, "is_suboffice", b(x, lv->needs_suboffice));
	set(x, m, "has_memo", b(x, lv->memo != NULL));
	return m;
}

/* ---- addressee and routing ---- */

static void append_lines(struct ctx *x, struct pd_value *lines, const struct pd_value *list)
{
	for (size_t i = 0; list && list->kind == PD_SEQ && i < list->n; i++)
		if (list->items[i]->kind != PD_NULL && list->items[i]->kind != PD_MAP)
			value_append(x->a, lines, s(x, list->items[i]->str));
}

/* Lines for a block with hard breaks: [{text, more}], more false on the last line. */
static struct pd_value *break_lines(struct ctx *x, const struct pd_value *strings)
{
	struct pd_value *out = seq(x);
	for (size_t i = 0; i < strings->n; i++) {
		struct pd_value *m = map(x);
		set(x, m, "text", strings->items[i]);
		set(x, m, "more", b(x, i + 1 < strings->n));
		value_append(x->a, out, m);
	}
	return out;
}

/* What follows "Dear" (templates/base-letter.md prints "Dear ...:"): a salutation given as
 * a whole line ("Dear Officer O'Brien:") or as its words ("Officer O'Brien") is the same. */
static const char *salute_words(struct ctx *x, const char *sal)
{
	if (!sal)
		return NULL;
	if (strncmp(sal, "Dear ", 5) == 0)
		sal += 5;
	size_t len = strlen(sal);
	while (len && (sal[len - 1] == ':' || sal[len - 1] == ',' || sal[len - 1] == ' '))
		len--;
	return len ? arena_strndup(x->a, sal, len) : NULL;
}

static const char *greeting(struct ctx *x, const struct pd_value *ct, const char *name)
{
	const char *over = salute_words(x, case_str(x->c->root, "letter.salutation"));
	if (over)
		return over;
	const char *sal = salute_words(x, str_of(ct, "salutation"));
	if (sal)
		return sal;
	if (name && x->lv->salutation)
		return arena_printf(x->a, "%s %s", x->lv->salutation, surname(x, name));
	const char *g = salute_words(x, x->lv->greeting);
	return g ? g : salute_words(x, levels_text(x->c->dom, "greeting"));
}

static struct pd_value *addressee(struct ctx *x, const struct pd_route *r)
{
	const struct pd_value *ct = r->contact, *office = r->office;
	const struct pd_level *lv = x->lv;
	struct pd_value *m = map(x), *lines = seq(x);
	const char *name = str_of(ct, "name");
	const char *title = str_of(ct, "title") ? str_of(ct, "title") : lv->title;
	const char *office_name = str_of(ct, "office") ? str_of(ct, "office") : str_of(office, "name");
	const char *org = office ? str_of(office, "org") : str_of(lv->node, "org");
	if (name)
		value_append(x->a, lines, s(x, name));
	if (title)
		value_append(x->a, lines, s(x, title));
	if (office_name)
		value_append(x->a, lines, s(x, office_name));
	if (org)
		value_append(x->a, lines, s(x, org));
	value_append(x->a, lines, s(x, levels_text(x->c->dom, "agency")));
	append_lines(x, lines, r->address);
	sets(x, m, "name", name);
	sets(x, m, "title", title);
	sets(x, m, "office", office_name);
	sets(x, m, "org", org);
	set(x, m, "lines", lines);
	if (r->email && !r->hq_mailbox)
		value_append(x->a, lines, s(x, r->email));
	set(x, m, "block", break_lines(x, lines));
	sets(x, m, "email", r->email);
	sets(x, m, "salute", greeting(x, ct, name));
	return m;
}

static struct pd_value *routing(struct ctx *x, const struct pd_route *r, struct pd_value **cc_out)
{
	const struct pd_case *c = x->c;
	struct pd_value *m = map(x), *to = seq(x), *cc = seq(x);
	struct pd_value *to_named = seq(x), *cc_named = seq(x);
	bool fixed = false;
	for (size_t i = 0; i < c->dom->nmailboxes; i++) {
		const struct pd_mailbox *mb = &c->dom->mailboxes[i];
		if (!is(mb->level, x->lv->name) || !levels_mailbox_valid(mb, c->letter_date))
			continue;
		fixed = true;
		bool is_to = is(mb->role, "to");
		value_append(x->a, is_to ? to : cc, s(x, mb->address));
		struct pd_value *e = map(x);
		sets(x, e, "address", mb->address);
		sets(x, e, "name", mb->name);
		value_append(x->a, is_to ? to_named : cc_named, e);
	}
	if (!fixed && r->email) {
		value_append(x->a, to, s(x, r->email));
		struct pd_value *e = map(x);
		sets(x, e, "address", r->email);
		sets(x, e, "name", NULL);
		value_append(x->a, to_named, e);
	}
	const char *delivery = r->delivery;
	struct pd_buf line = {0};
	buf_puts(&line, label(x, "deliveries", delivery));
	if (is(delivery, "email"))
		for (size_t i = 0; i < to->n; i++)
			buf_printf(&line, "%s%s", i ? ", " : ": ", to->items[i]->str);
	struct pd_buf ccline = {0};
	for (size_t i = 0; i < cc->n; i++)
		buf_printf(&ccline, "%s%s", i ? ", " : "", cc->items[i]->str);
	set(x, m, "to", to);
	set(x, m, "cc", cc);
	set(x, m, "to_named", to_named);
	set(x, m, "cc_named", cc_named);
	sets(x, m, "delivery", delivery);
	sets(x, m, "delivery_line", arena_strdup(x->a, line.s));
	sets(x, m, "cc_line", ccline.len ? arena_strdup(x->a, ccline.s) : NULL);
	set(x, m, "is_email", b(x, is(delivery, "email")));
	buf_free(&line);
	buf_free(&ccline);
	*cc_out = cc;
	return m;
}

/* The "cc:" notation: routing copies, then letter.cc. */
static struct pd_value *cc_list(struct ctx *x, const struct pd_value *routing_cc)
{
	struct pd_value *list = seq(x);
	for (size_t i = 0; i < routing_cc->n; i++)
		value_append(x->a, list, routing_cc->items[i]);
	append_lines(x, list, value_path(x->c->root, "letter.cc"));
	return list;
}

/* ---- request, priority, equities ---- */

static struct pd_value *request(struct ctx *x)
{
	struct pd_value *m = clone(x, value_get(x->c->root, "request"));
	const struct pd_value *forms = value_get(m, "forms");
	struct pd_value *labels = seq(x);
	for (size_t i = 0; forms && forms->kind == PD_SEQ && i < forms->n; i++)
		value_append(x->a, labels, s(x, label(x, "forms", forms->items[i]->str)));
	set(x, m, "form_labels", labels);
	dflt(x, m, "narrative");
	dflt(x, m, "background");
	return m;
}

static const struct pd_value *find_code(const struct pd_value *list, const char *code)
{
	for (size_t i = 0; code && list && list->kind == PD_SEQ && i < list->n; i++)
		if (is(str_of(list->items[i], "code"), code))
			return list->items[i];
	return NULL;
}

static struct pd_value *priority(struct ctx *x, struct pd_value **regime_out)
{
	const struct pd_case *c = x->c;
	struct pd_value *m = clone(x, value_get(c->root, "priority"));
	struct pd_value *regime = clone(x, c->regime);
	const struct pd_value *cats = value_get(c->regime, "categories");
	bool by_case = c->regime && !(cats && cats->kind == PD_SEQ && cats->n > 0);
	const char *partial = str_of(c->regime, "partial");
	if (!partial)
		partial = !c->regime || by_case ? "priority-case-by-case"
						: arena_printf(x->a, "priority-%s", c->regime_id);
	sets(x, regime, "partial", partial);
	set(x, m, "case_by_case", b(x, by_case));
	*regime_out = regime;
	const struct pd_value *cat = find_code(value_get(c->regime, "categories"),
					       case_str(c->root, "priority.category"));
	set(x, m, "info", cat ? clone(x, cat) : nil(x));
	const char *tier = cat ? str_of(cat, "priority") : NULL;
	bool none = !by_case && cat && (!tier || is(tier, "0"));
	bool prio = !by_case && cat && tier && !is(tier, "0");
	set(x, m, "is_none", b(x, none));
	set(x, m, "is_priority", b(x, prio));
	set(x, m, "unstated", b(x, !none && !prio)); /* no category to state: equities only */
	for (int t = 1; t <= 3; t++)
		set(x, m, arena_printf(x->a, "is_%d", t), b(x, tier && atoi(tier) == t));
	const struct pd_value *exc = value_get(c->regime, "exceptions");
	sets(x, m, "exception", tier ? str_of(exc, tier) : NULL);
	dflt(x, m, "rationale");
	return m;
}

static const char *tabs_text(struct ctx *x, const struct pd_value *ids, const struct pd_value *tabs)
{
	struct pd_buf t = {0};
	for (size_t i = 0; ids && ids->kind == PD_SEQ && i < ids->n; i++) {
		const char *tab = str_of(tabs, ids->items[i]->str);
		buf_printf(&t, "%s%s", t.len ? ", " : "", tab ? tab : ids->items[i]->str);
	}
	const char *r = t.len ? arena_printf(x->a, "Tab%s %s", strchr(t.s, ',') ? "s" : "", t.s)
			      : NULL;
	buf_free(&t);
	return r;
}

static struct pd_value *with_exhibits(struct ctx *x, const char *list, const struct pd_value *tabs,
				      bool equity)
{
	const struct pd_value *src = value_get(x->c->root, list);
	struct pd_value *out = seq(x);
	const struct pd_value *factors = value_get(x->c->regime, "factors");
	for (size_t i = 0; src && src->kind == PD_SEQ && i < src->n; i++) {
		struct pd_value *m = clone(x, src->items[i]);
		sets(x, m, "exhibits_text", tabs_text(x, value_get(m, "exhibits"), tabs));
		if (equity) {
			const struct pd_value *f = find_code(factors, str_of(m, "factor"));
			sets(x, m, "factor_label", f ? str_of(f, "label") : str_of(m, "factor"));
			dflt(x, m, "factor");
		} else {
			dflt(x, m, "mitigation");
		}
		dflt(x, m, "text");
		value_append(x->a, out, m);
	}
	return out;
}

/* ---- history, materials, communications ---- */

static const struct pd_request **sorted_requests(const struct pd_case *c)
{
	const struct pd_request **v = xcalloc(c->nreq + 1, sizeof *v);
	for (size_t i = 0; i < c->nreq; i++)
		v[i] = &c->req[i];
	for (size_t i = 1; i < c->nreq; i++) /* stable insertion sort by date sent */
		for (size_t j = i; j > 0; j--) {
			const char *a = v[j - 1]->sent ? v[j - 1]->sent : "";
			const char *bb = v[j]->sent ? v[j]->sent : "";
			if (strcmp(a, bb) <= 0)
				break;
			const struct pd_request *t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return v;
}

/* The office of the case that a level reaches (NULL for headquarters or an unknown id). */
static const struct pd_value *level_office(struct ctx *x, const struct pd_level *lv)
{
	struct pd_route r;
	case_route(x->c, lv, &r);
	return r.office;
}

/* "Assistant Chief Counsel (Office of the Chief Counsel, Kansas City Sub-Office)": the
 * level's title and whose office it is, so that two levels with one title differ. */
static const char *level_title(struct ctx *x, const struct pd_level *lv)
{
	const struct pd_value *office = level_office(x, lv);
	const char *where = office ? str_of(office, "name") : str_of(lv->node, "org");
	return where ? arena_printf(x->a, "%s (%s)", lv->title, where) : lv->title;
}

static struct pd_value *history_row(struct ctx *x, const struct pd_request *q)
{
	struct pd_value *m = map(x);
	sets(x, m, "id", q->id);
	sets(x, m, "level", q->level);
	sets(x, m, "level_title", q->lv ? level_title(x, q->lv) : q->level);
	sets(x, m, "sent", q->sent);
	sets(x, m, "to", q->to);
	sets(x, m, "channel", label(x, "channels", q->channel));
	sets(x, m, "outcome", q->outcome);
	sets(x, m, "outcome_label", label(x, "outcomes", q->outcome));
	set(x, m, "is_denied", b(x, q->state == PD_DENIED));
	sets(x, m, "decided", q->decided);
	sets(x, m, "by_role", q->by_role);
	sets(x, m, "by_role_label", q->by_role ? label(x, "roles", q->by_role) : NULL);
	sets(x, m, "by", q->by);
	sets(x, m, "reason", q->reason);
	const struct pd_value *dch = q->decision ? value_get(q->decision, "channel") : NULL;
	set(x, m, "oral", b(x, dch && (is(dch->str, "phone") || is(dch->str, "in_person"))));
	return m;
}

struct materials {
	struct pd_value *list;  /* every enclosure, in tab order */
	struct pd_value *prior; /* those submitted with earlier requests */
	struct pd_value *tabs;  /* id -> tab */
};

static struct pd_value *encl_row(struct ctx *x, const struct pd_encl *e, size_t index)
{
	struct pd_value *m = clone(x, e->node);
	sets(x, m, "tab", tab_name(x->a, index));
	dflt(x, m, "date");
	dflt(x, m, "pages");
	dflt(x, m, "file");
	return m;
}

static bool listed(const struct pd_value *tabs, const char *id)
{
	return value_get(tabs, id) != NULL;
}

static void add_encl(struct ctx *x, struct materials *mt, const char *id)
{
	const struct pd_encl *e = case_enclosure(x->c, id);
	if (!e || listed(mt->tabs, id))
		return;
	struct pd_value *row = encl_row(x, e, mt->list->n);
	value_append(x->a, mt->list, row);
	set(x, mt->tabs, id, value_get(row, "tab") ? (struct pd_value *)value_get(row, "tab") : NULL);
}

static void materials(struct ctx *x, const struct pd_request **reqs, const struct pd_value *comms,
		      struct materials *mt)
{
	const struct pd_case *c = x->c;
	mt->list = seq(x);
	mt->prior = seq(x);
	mt->tabs = map(x);
	bool esc = case_is_escalation(c, x->lv);
	if (esc) {
		for (size_t i = 0; i < c->nreq; i++) {
			const struct pd_request *q = reqs[i];
			for (size_t j = 0; q->enclosures && j < q->enclosures->n; j++) {
				const char *id = q->enclosures->items[j]->str;
				if (listed(mt->tabs, id) || !case_enclosure(c, id))
					continue;
				add_encl(x, mt, id);
				struct pd_value *row = clone(x, mt->list->items[mt->list->n - 1]);
				sets(x, row, "first_request", q->id);
				sets(x, row, "first_level", q->level);
				sets(x, row, "first_level_title", q->lv ? q->lv->title : q->level);
				sets(x, row, "first_sent", q->sent);
				value_append(x->a, mt->prior, row);
			}
		}
		for (size_t i = 0; i < comms->n; i++)
			if (str_of(comms->items[i], "enclosure"))
				add_encl(x, mt, str_of(comms->items[i], "enclosure"));
	}
	for (size_t i = 0; i < c->nencl; i++)
		if (c->encl[i].id)
			add_encl(x, mt, c->encl[i].id);
}

static struct pd_value *communications(struct ctx *x)
{
	const struct pd_case *c = x->c;
	const struct pd_comm **v = xcalloc(c->ncomm + 1, sizeof *v);
	for (size_t i = 0; i < c->ncomm; i++)
		v[i] = &c->comm[i];
	for (size_t i = 1; i < c->ncomm; i++)
		for (size_t j = i; j > 0; j--) {
			const char *a = v[j - 1]->date ? v[j - 1]->date : "";
			const char *bb = v[j]->date ? v[j]->date : "";
			if (strcmp(a, bb) <= 0)
				break;
			const struct pd_comm *t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	struct pd_value *out = seq(x);
	for (size_t i = 0; i < c->ncomm; i++) {
		struct pd_value *m = clone(x, v[i]->node);
		sets(x, m, "direction_label", is(v[i]->direction, "sent") ? "Sent" : "Received");
		sets(x, m, "channel_label", label(x, "channels", v[i]->channel));
		dflt(x, m, "from");
		dflt(x, m, "to");
		dflt(x, m, "summary");
		dflt(x, m, "enclosure");
		value_append(x->a, out, m);
	}
	free(v);
	return out;
}

static void fill_copy_tabs(struct ctx *x, struct pd_value *comms, const struct pd_value *tabs)
{
	for (size_t i = 0; i < comms->n; i++) {
		const char *id = str_of(comms->items[i], "enclosure");
		sets(x, comms->items[i], "copy_tab", id ? str_of(tabs, id) : NULL);
	}
}

static long total_pages(const struct pd_value *list)
{
	long total = 0;
	for (size_t i = 0; i < list->n; i++) {
		const char *p = str_of(list->items[i], "pages");
		total += p ? atol(p) : 0;
	}
	return total;
}

/* ---- document kind, subject, emergency ---- */

static const char *document_kind(const struct pd_case *c, const struct pd_level *lv, const char *document)
{
	if (is(document, "memo"))
		return "memo";
	if (case_is_escalation(c, lv))
		return "review";
	if (case_old_denial(c))
		return "reconsideration";
	if (is(c->stage, "bia") && is(lv->track, "occ"))
		return "bia";
	return "request";
}

static const char *subject_line(struct pd_arena *a, const struct pd_domain *dom,
				const char *subj, bool emergency)
{
	return emergency ? arena_printf(a, "%s%s", levels_text(dom, "emergency"), subj) : subj;
}

void case_context_retitle(struct pd_arena *arena, const struct pd_case *c, struct pd_value *ctx,
			  const char *name, const char *subj)
{
	struct pd_value *doc = (struct pd_value *)value_get(ctx, "document");
	struct pd_loc at = doc->loc;
	bool emergency = value_truthy(value_get(doc, "is_emergency"));
	value_set(arena, doc, "name", value_new_str(arena, name, at));
	value_set(arena, doc, "subject",
		  value_new_str(arena, subject_line(arena, c->dom, subj, emergency), at));
}

static struct pd_value *document(struct ctx *x, const char *document_name)
{
	const struct pd_case *c = x->c;
	const char *kind = document_kind(c, x->lv, document_name);
	struct pd_value *m = map(x);
	sets(x, m, "name", document_name ? document_name : "letter");
	sets(x, m, "kind", kind);
	set(x, m, "is_request", b(x, is(kind, "request")));
	set(x, m, "is_review", b(x, is(kind, "review")));
	set(x, m, "is_reconsideration", b(x, is(kind, "reconsideration")));
	set(x, m, "is_bia", b(x, is(kind, "bia")));
	set(x, m, "is_memo", b(x, is(kind, "memo")));
	bool emergency = case_is_emergency(c);
	set(x, m, "is_emergency", b(x, emergency));
	sets(x, m, "subject", subject_line(x->a, c->dom, label(x, "subjects", kind), emergency));
	const struct pd_request *old = case_old_denial(c);
	set(x, m, "old_denial", old ? history_row(x, old) : nil(x));
	struct pd_value *olds = seq(x); /* every denial before the policy, by date */
	const struct pd_request **reqs = sorted_requests(c);
	for (size_t i = 0; i < c->nreq; i++)
		if (is(reqs[i]->outcome, "denied") && reqs[i]->decided && c->dom->rereq_before &&
		    strcmp(reqs[i]->decided, c->dom->rereq_before) < 0)
			value_append(x->a, olds, history_row(x, reqs[i]));
	free(reqs);
	set(x, m, "old_denials", olds);
	sets(x, m, "policy_cutoff", c->dom->rereq_before);
	return m;
}

static struct pd_value *emergency(struct ctx *x)
{
	const struct pd_case *c = x->c;
	struct pd_value *m = clone(x, value_get(c->root, "emergency"));
	bool on = case_is_emergency(c);
	set(x, m, "flag", b(x, on));
	dflt(x, m, "reason");
	dflt(x, m, "deadline");
	const char *when = case_str(c->root, "client.removal.scheduled");
	long days = when && c->letter_date && date_valid(when)
			? date_days(when) - date_days(c->letter_date)
			: -1;
	set(x, m, "removal_days", days >= 0 ? n(x, days) : nil(x));
	return on ? m : nil(x);
}

static struct pd_value *last_denial(struct ctx *x, const struct pd_request **reqs)
{
	for (size_t i = x->c->nreq; i-- > 0;)
		if (reqs[i]->state == PD_DENIED && reqs[i]->lv && reqs[i]->lv->rung < x->lv->rung)
			return history_row(x, reqs[i]);
	return nil(x);
}

/* ---- appearance, office of record, awareness ---- */

/* The appearance form the letter speaks of: G-28 before ERO; before OCC the EOIR form of
 * the forum (EOIR-27 at the BIA), else a G-28. form: its label; enclosed: its enclosure id is
 * given (tab: where); date: when it was filed. */
static struct pd_value *appearance(struct ctx *x)
{
	const struct pd_case *c = x->c;
	const char *key = is(x->lv->track, "ero") || c->g28 ? "g28" : NULL;
	if (is(x->lv->track, "occ")) {
		if (is(c->stage, "bia") && c->eoir27)
			key = "eoir27";
		else if (c->eoir28)
			key = "eoir28";
		else if (c->eoir27)
			key = "eoir27";
	}
	struct pd_value *m = map(x);
	bool on = key && value_truthy(value_path(c->root, arena_printf(x->a, "appearance.%s.on_file", key)));
	if (!on)
		return nil(x);
	const struct pd_value *f = value_path(c->root, arena_printf(x->a, "appearance.%s", key));
	sets(x, m, "form", label(x, "appearance_forms", key));
	sets(x, m, "date", str_of(f, "date"));
	const char *encl = str_of(f, "enclosure");
	set(x, m, "enclosed", b(x, encl && case_enclosure(c, encl)));
	sets(x, m, "enclosure", encl);
	return m;
}

static const char *office_name(struct ctx *x, const char *id, const char *level)
{
	const struct pd_value *o = levels_office(x->c->dom, id);
	if (o)
		return str_of(o, "name");
	const struct pd_value *ct = value_get(value_path(x->c->root, "case.contacts"), level);
	return str_of(ct, "office"); /* never the bare id: it is no name */
}

/* The office of record of the case's track (and its sub-office), for the letters that
 * review a decision: headquarters must know whose denial it is. */
static struct pd_value *record(struct ctx *x)
{
	const struct pd_case *c = x->c;
	struct pd_value *m = map(x);
	bool ero = is(x->lv->track, "ero");
	sets(x, m, "office", ero ? office_name(x, c->ero_office, "ero")
				 : office_name(x, c->occ_office, "occ"));
	sets(x, m, "suboffice", ero ? NULL : office_name(x, c->occ_suboffice, "occ-sub"));
	sets(x, m, "ero_office", office_name(x, c->ero_office, "ero"));
	sets(x, m, "occ_office", office_name(x, c->occ_office, "occ"));
	return m;
}

/* aware: supervisors who knew of the case without deciding it, with their labels and tabs. */
static struct pd_value *aware_list(struct ctx *x, const struct pd_value *tabs)
{
	const struct pd_value *src = value_get(x->c->root, "aware");
	struct pd_value *out = seq(x);
	for (size_t i = 0; src && src->kind == PD_SEQ && i < src->n; i++) {
		struct pd_value *m = clone(x, src->items[i]);
		sets(x, m, "role_label", label(x, "roles", str_of(m, "role")));
		const char *e = str_of(m, "enclosure");
		sets(x, m, "tab", e ? str_of(tabs, e) : NULL);
		dflt(x, m, "by");
		dflt(x, m, "date");
		dflt(x, m, "how");
		value_append(x->a, out, m);
	}
	return out;
}

/* The latest denial on the case's track at any level (a BIA request names it). */
static struct pd_value *prior_denial(struct ctx *x, const struct pd_request **reqs)
{
	const struct pd_request *best = NULL;
	for (size_t i = 0; i < x->c->nreq; i++)
		if (is(reqs[i]->outcome, "denied") && reqs[i]->decided && reqs[i]->lv &&
		    is(reqs[i]->lv->track, x->lv->track) &&
		    (!best || strcmp(reqs[i]->decided, best->decided) > 0))
			best = reqs[i];
	return best ? history_row(x, best) : nil(x);
}

/* ---- the whole context ---- */

static void misc(struct ctx *x, struct pd_value *root)
{
	const struct pd_case *c = x->c;
	struct pd_value *letter = clone(x, value_get(c->root, "letter"));
	if (!str_of(letter, "closing"))
		sets(x, letter, "closing", levels_text(c->dom, "closing"));
	dflt(x, letter, "cc");
	set(x, root, "letter", letter);
	struct pd_value *esc = clone(x, value_get(c->root, "escalation"));
	dflt(x, esc, "argument");
	dflt(x, esc, "policy_points");
	set(x, root, "escalation", esc);
	struct pd_value *cs = clone(x, value_get(c->root, "case"));
	struct pd_value *hearing = clone(x, value_get(cs, "next_hearing"));
	dflt(x, hearing, "date");
	dflt(x, hearing, "type");
	set(x, cs, "next_hearing", value_get(cs, "next_hearing") &&
				       value_get(cs, "next_hearing")->kind == PD_MAP
				   ? hearing
				   : nil(x));
	dflt(x, cs, "court");
	set(x, root, "case", cs);
	struct pd_value *firm = clone(x, value_get(c->root, "firm"));
	struct pd_value *lines = seq(x);
	append_lines(x, lines, value_get(firm, "address"));
	struct pd_buf contact = {0};
	if (str_of(firm, "phone"))
		buf_printf(&contact, "%s%s", levels_text(c->dom, "firm_phone"), str_of(firm, "phone"));
	if (str_of(firm, "fax"))
		buf_printf(&contact, "%s%s%s", contact.len ? " \xC2\xB7 " : "",
			   levels_text(c->dom, "firm_fax"), str_of(firm, "fax"));
	if (str_of(firm, "email"))
		buf_printf(&contact, "%s%s", contact.len ? " \xC2\xB7 " : "", str_of(firm, "email"));
	if (contact.len)
		value_append(x->a, lines, s(x, contact.s));
	buf_free(&contact);
	set(x, firm, "lines", break_lines(x, lines));
	dflt(x, firm, "address");
	dflt(x, firm, "phone");
	dflt(x, firm, "email");
	dflt(x, firm, "fax");
	set(x, root, "firm", firm);
	struct pd_value *dir = map(x);
	sets(x, dir, "as_of", str_of(c->dom->offices_root, "as_of"));
	sets(x, dir, "source", str_of(c->dom->offices_root, "source"));
	set(x, root, "directory", dir);
	set(x, root, "appearance_doc", appearance(x));
	sets(x, root, "appearance_form", str_of(value_get(root, "appearance_doc"), "form"));
	sets(x, root, "header_text", case_header_text(x->a, c));
}

struct pd_value *case_context(struct pd_arena *arena, const struct pd_case *c, const char *lvname,
			      const char *document_name)
{
	const struct pd_level *lv = levels_find(c->dom, lvname);
	if (!lv)
		return NULL;
	struct ctx x = {arena, c, lv, {c->path, 1, 1}};
	struct pd_value *root = clone(&x, c->root);
	set(&x, root, "client", client(&x));
	set(&x, root, "attorney", attorney(&x));
	set(&x, root, "level", level(&x));
	set(&x, root, "document", document(&x, document_name));
	struct pd_route route;
	case_route(c, lv, &route);
	set(&x, root, "office", route.office ? clone(&x, route.office) : nil(&x));
	set(&x, root, "addressee", addressee(&x, &route));
	struct pd_value *rcc;
	set(&x, root, "routing", routing(&x, &route, &rcc));
	set(&x, root, "cc_list", cc_list(&x, rcc));
	set(&x, root, "request", request(&x));
	struct pd_value *regime;
	set(&x, root, "priority", priority(&x, &regime));
	set(&x, root, "regime", regime);
	set(&x, root, "emergency", emergency(&x));
	set(&x, root, "packet", nil(&x)); /* the stamp ranges, set by pdgen packet */
	const struct pd_request **reqs = sorted_requests(c);
	struct pd_value *hist = seq(&x);
	for (size_t i = 0; i < c->nreq; i++)
		value_append(arena, hist, history_row(&x, reqs[i]));
	set(&x, root, "history", hist);
	set(&x, root, "last_denial", last_denial(&x, reqs));
	set(&x, root, "prior_denial", prior_denial(&x, reqs));
	struct pd_value *comms = communications(&x);
	struct materials mt;
	materials(&x, reqs, comms, &mt);
	fill_copy_tabs(&x, comms, mt.tabs);
	set(&x, root, "communications", comms);
	set(&x, root, "enclosure_list", mt.list);
	set(&x, root, "prior_materials", mt.prior);
	set(&x, root, "aware", aware_list(&x, mt.tabs));
	set(&x, root, "record", record(&x));
	set(&x, root, "total_pages", n(&x, total_pages(mt.list)));
	set(&x, root, "equities", with_exhibits(&x, "equities", mt.tabs, true));
	set(&x, root, "negatives", with_exhibits(&x, "negatives", mt.tabs, false));
	misc(&x, root);
	struct pd_value *ap = (struct pd_value *)value_get(root, "appearance_doc");
	if (ap && ap->kind == PD_MAP && str_of(ap, "enclosure"))
		sets(&x, ap, "tab", str_of(mt.tabs, str_of(ap, "enclosure")));
	struct pd_value *has = map(&x);
	static const char *const lists[] = {"equities", "negatives", "history", "communications",
					    "prior_materials", "enclosure_list", "cc_list", "aware",
					    NULL};
	for (size_t i = 0; lists[i]; i++) {
		const struct pd_value *l = value_get(root, lists[i]);
		set(&x, has, lists[i], b(&x, l && l->kind == PD_SEQ && l->n > 0));
	}
	set(&x, root, "has", has);
	free(reqs);
	return root;
}

/* ---- names ---- */

const char *case_template_name(const struct pd_case *c, const char *lvname, const char *document_name)
{
	const struct pd_level *lv = levels_find(c->dom, lvname);
	if (!lv)
		return NULL;
	if (is(document_name, "memo"))
		return lv->memo ? lv->memo : "memo";
	const char *kind = document_kind(c, lv, document_name);
	if (is(kind, "reconsideration"))
		return "letter-reconsideration";
	if (is(kind, "bia"))
		return "letter-bia";
	if (is(kind, "review"))
		return "letter-review";
	return lv->letter ? lv->letter : "letter-request";
}

/* Lowercase ASCII letters and digits of s, other runs folded to one '-'. */
static void ascii_slug(const char *s, struct pd_buf *out)
{
	utf8proc_uint8_t *folded = NULL;
	const char *p = s;
	while (*p && (unsigned char)*p < 0x80)
		p++;
	if (*p) { /* not all ASCII: accents stripped, case folded */
		utf8proc_ssize_t len = utf8proc_map((const utf8proc_uint8_t *)s, 0, &folded,
						    UTF8PROC_NULLTERM | UTF8PROC_STABLE |
							UTF8PROC_DECOMPOSE | UTF8PROC_STRIPMARK |
							UTF8PROC_CASEFOLD);
		p = len >= 0 ? (const char *)folded : "";
	} else {
		p = s;
	}
	bool dash = false;
	for (; *p; p++) {
		unsigned char ch = (unsigned char)*p;
		if (ch < 0x80 && isalnum(ch)) {
			if (dash && out->len)
				buf_putc(out, '-');
			buf_putc(out, (char)tolower(ch));
			dash = false;
		} else if (ch < 0x80 || (ch & 0xC0) == 0xC0) {
			dash = true;
		}
	}
	free(folded);
}

/* The longest name part of an output file: with the A-number, level, document and a
 * temporary file's suffix the name stays well under 255 bytes. */
#define SLUG_MAX 120

char *case_output_name(struct pd_arena *arena, const struct pd_case *c, const char *lvname,
		       const char *document_name)
{
	struct pd_buf b = {0};
	ascii_slug(c->family ? c->family : c->given ? c->given : "", &b);
	if (!b.len)
		buf_puts(&b, "client");
	if (b.len > SLUG_MAX) { /* a file name has 255 bytes: the rest named by its hash */
		uint64_t h = hash_bytes(b.s, b.len);
		b.len = SLUG_MAX - 9;
		buf_printf(&b, "-%08x", (unsigned)(h ^ h >> 32));
	}
	if (c->anum[0])
		buf_printf(&b, "-A%s", c->anum);
	buf_printf(&b, "-%s-%s.%s", lvname, document_name ? document_name : "letter",
		   document_name && !strcmp(document_name, "email") ? "eml" : "pdf");
	char *r = arena_strdup(arena, b.s);
	buf_free(&b);
	return r;
}

/* Whether s has no character from U+0300 on (UTF-8 lead byte 0xCC and up): the combining
 * marks start there, and text without them is its own NFC. */
static bool below_marks(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0xCC)
			return false;
	return true;
}

const char *case_header_text(struct pd_arena *arena, const struct pd_case *c)
{
	char fmt[13] = "";
	if (c->anum[0])
		anumber_format(c->anum, fmt);
	struct pd_buf b = {0};
	utf8proc_uint8_t *nfc = c->full_name && !below_marks(c->full_name)
				    ? utf8proc_NFC((const utf8proc_uint8_t *)c->full_name)
				    : NULL; /* NFD input: the header as the body prints it */
	buf_puts(&b, nfc ? (const char *)nfc : c->full_name ? c->full_name : "");
	free(nfc);
	if (fmt[0])
		buf_printf(&b, " \xC2\xB7 %s", fmt);
	if (c->letter_date)
		buf_printf(&b, " \xC2\xB7 %s", long_date(arena, c->letter_date));
	const char *r = arena_strdup(arena, b.s);
	buf_free(&b);
	return r;
}
