/* case_rules: the escalation rules of pdgen-case(5) (R-track ... R-refs), driven by the level table.
 * In: a typed pd_case, a level and a document. Out: located diagnostics with rule ids. */
#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "case_impl.h"

static bool is(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

static struct pd_loc node_loc(const struct pd_value *map, const char *key)
{
	const struct pd_value *v = value_get(map, key);
	return v ? v->loc : map->loc;
}

static bool counts_after_cutoff(const struct pd_case *c, const struct pd_request *q)
{
	return !c->dom->rereq_before || !q->decided || strcmp(q->decided, c->dom->rereq_before) >= 0;
}

/* The rungs a denied request satisfies: its own, and (review rungs below headquarters) the
 * rung whose deciding roles include the role that decided it. */
static bool request_satisfies(const struct pd_case *c, const struct pd_request *q,
			      const char *track, int rung)
{
	if (!q->lv || !is(q->lv->track, track) || q->state != PD_DENIED)
		return false;
	if (q->lv->rung == rung)
		return true;
	if (rung < PD_RUNG_REVIEW || !q->by_role)
		return false;
	for (size_t i = 0; i < c->dom->nlevels; i++) {
		const struct pd_level *lv = &c->dom->levels[i];
		if (is(lv->track, track) && lv->rung == rung && !is(lv->office, "hq") &&
		    levels_decides(lv, q->by_role))
			return true;
	}
	return false;
}

/* An AFOD or FOD (a deciding role of a local review rung) recorded as aware of the case
 * without deciding it (aware:): the pointer elevates to them only if they are not. */
const struct pd_value *case_rung_aware(const struct pd_case *c, const char *track, int rung)
{
	const struct pd_value *aw = value_get(c->root, "aware");
	for (size_t i = 0; rung >= PD_RUNG_REVIEW && aw && aw->kind == PD_SEQ && i < aw->n; i++) {
		const char *role = value_str(value_get(aw->items[i], "role"));
		for (size_t j = 0; role && j < c->dom->nlevels; j++) {
			const struct pd_level *lv = &c->dom->levels[j];
			if (is(lv->track, track) && lv->rung == rung && !is(lv->office, "hq") &&
			    levels_decides(lv, role))
				return aw->items[i];
		}
	}
	return NULL;
}

static bool rung_denied_only(const struct pd_case *c, const char *track, int rung)
{
	for (size_t i = 0; i < c->nreq; i++)
		if (request_satisfies(c, &c->req[i], track, rung) &&
		    counts_after_cutoff(c, &c->req[i]))
			return true;
	return false;
}

bool case_rung_denied(const struct pd_case *c, const char *track, int rung)
{
	return case_rung_aware(c, track, rung) || rung_denied_only(c, track, rung);
}

static const struct pd_request *rung_old_denial(const struct pd_case *c, const char *track,
						int rung)
{
	for (size_t i = 0; i < c->nreq; i++)
		if (request_satisfies(c, &c->req[i], track, rung) &&
		    !counts_after_cutoff(c, &c->req[i]))
			return &c->req[i];
	return NULL;
}

const struct pd_request *case_old_denial(const struct pd_case *c)
{
	for (size_t i = 0; i < c->nreq; i++) {
		const struct pd_request *q = &c->req[i];
		if (q->state == PD_DENIED && q->decided && !counts_after_cutoff(c, q))
			return q;
	}
	return NULL;
}

bool case_is_emergency(const struct pd_case *c)
{
	const struct pd_value *e = value_get(c->root, "emergency");
	if (e && e->kind != PD_NULL)
		return true;
	const char *when = case_str(c->root, "client.removal.scheduled");
	if (!when || !date_valid(when) || !c->letter_date)
		return false;
	long days = date_days(when) - date_days(c->letter_date);
	return days >= 0 && days <= c->dom->emergency_days;
}

/* Names of the levels at a rung of a track: "dcc or cc". */
static char *rung_names(const struct pd_case *c, const char *track, int rung)
{
	struct pd_buf b = {0};
	for (size_t i = 0; i < c->dom->nlevels; i++) {
		const struct pd_level *lv = &c->dom->levels[i];
		if (is(lv->track, track) && lv->rung == rung)
			buf_printf(&b, "%s%s", b.len ? " or " : "", lv->name);
	}
	return buf_take(&b);
}

static char *rung_roles(const struct pd_case *c, const char *track, int rung)
{
	struct pd_buf b = {0};
	for (size_t i = 0; i < c->dom->nlevels; i++) {
		const struct pd_level *lv = &c->dom->levels[i];
		if (!is(lv->track, track) || lv->rung != rung || rung < PD_RUNG_REVIEW ||
		    is(lv->office, "hq"))
			continue;
		for (size_t j = 0; j < lv->ndecided_by; j++) {
			bool seen = false;
			for (size_t k = 0; k < i; k++) {
				const struct pd_level *o = &c->dom->levels[k];
				if (is(o->track, track) && o->rung == rung &&
				    levels_decides(o, lv->decided_by[j]))
					seen = true;
			}
			for (size_t k = 0; k < j; k++)
				seen = seen || is(lv->decided_by[k], lv->decided_by[j]);
			if (!seen)
				buf_printf(&b, "%s%s", b.len ? " or " : "", lv->decided_by[j]);
		}
	}
	return buf_take(&b);
}

/* ---- routing: where a document goes (R-deliver) ---- */


static const char *scalar_of(const struct pd_value *m, const char *key)
{
	const char *v = value_str(value_get(m, key));
	return v && *v ? v : NULL;
}

static bool has_lines(const struct pd_value *v)
{
	return v && v->kind == PD_SEQ && v->n > 0;
}

void case_route(const struct pd_case *c, const struct pd_level *lv, struct pd_route *r)
{
	*r = (struct pd_route){0};
	if (is(lv->office, "ero"))
		r->office_key = "case.ero_office", r->office_id = c->ero_office;
	else if (is(lv->office, "occ"))
		r->office_key = "case.occ_office", r->office_id = c->occ_office;
	else if (is(lv->office, "occ_sub"))
		r->office_key = "case.occ_suboffice", r->office_id = c->occ_suboffice;
	r->office = levels_office(c->dom, r->office_id);
	const struct pd_value *ct = value_get(value_path(c->root, "case.contacts"), lv->name);
	r->contact = ct && ct->kind == PD_MAP ? ct : NULL;
	/* an office's general mailbox is not a place to file PD requests: only its PD mailbox */
	r->email = scalar_of(r->contact, "email");
	if (!r->email)
		r->email = scalar_of(r->office, "pd_email");
	for (size_t i = 0; i < c->dom->nmailboxes; i++) /* a mailbox out of use reaches no one */
		if (is(c->dom->mailboxes[i].level, lv->name) && is(c->dom->mailboxes[i].role, "to") &&
		    levels_mailbox_valid(&c->dom->mailboxes[i], c->letter_date))
			r->hq_mailbox = true;
	r->address = value_get(r->contact, "address");
	if (!has_lines(r->address))
		r->address = r->office ? value_get(r->office, "address")
				       : is(lv->office, "hq") ? value_get(lv->node, "address") : NULL;
	if (!has_lines(r->address))
		r->address = NULL;
	r->delivery = case_str(c->root, "letter.delivery");
	if (!r->delivery)
		r->delivery = r->email || r->hq_mailbox ? "email" : "mail";
}

bool case_is_escalation(const struct pd_case *c, const struct pd_level *lv)
{
	return lv->rung >= 2 || (lv->rung == 1 && is(lv->track, "occ") && c->occ_suboffice &&
				 case_rung_denied(c, "occ", 0));
}

/* Whether the directory says a field of the office is not published. */
static bool marked_unknown(const struct pd_value *office, const char *field)
{
	const struct pd_value *u = value_get(office, "unknown");
	for (size_t i = 0; u && u->kind == PD_SEQ && i < u->n; i++)
		if (is(value_str(u->items[i]), field))
			return true;
	return false;
}

/* The directory's word on a field the office lacks, for a message. */
static const char *office_lacks(const struct pd_route *r, const char *field)
{
	if (!r->office)
		return "";
	return marked_unknown(r->office, field) ? " (the office directory records that it is not "
						  "published)"
						: " (the office directory does not give it)";
}

/* Where the fix goes: the delivery chosen, else the level's contact, else the office id. */
static struct pd_loc delivery_loc(const struct pd_case *c, const struct pd_level *lv,
				  const struct pd_route *r)
{
	char contact[64];
	snprintf(contact, sizeof contact, "case.contacts.%s", lv->name);
	return value_path(c->root, "letter.delivery") ? case_loc(c, "letter.delivery")
	       : value_path(c->root, contact)	      ? case_loc(c, contact)
	       : r->office_key			      ? case_loc(c, r->office_key)
							      : case_loc(c, "letter");
}

/* ---- the rules, each a function of one run of the checker ---- */

struct rule;
/* One run of the rules: the case, the level (NULL when none is given), the document
 * (NULL: any) and the rule being run, whose id and severity its findings carry. */
struct check {
	const struct pd_case *c;
	const struct pd_level *lv;
	const char *document;
	const struct rule *rule;
	struct pd_diags *d;
};

struct rule {
	struct pd_rule_info info;
	bool needs_level; /* run only when a level is given */
	void (*check)(const struct check *k);
};

/* A finding of the rule being run: its id, at most its severity. */
__attribute__((format(printf, 4, 5))) static void report(const struct check *k,
							  enum pd_severity sev,
							  struct pd_loc loc, const char *fmt, ...)
{
	assert(sev <= k->rule->info.severity);
	va_list ap;
	va_start(ap, fmt);
	diag_vadd(k->d, sev, loc, k->rule->info.id, fmt, ap);
	va_end(ap);
}

static void rule_track(const struct check *k)
{
	const struct pd_case *c = k->c;
	const struct pd_level *lv = k->lv;
	if (!c->track || is(lv->track, c->track))
		return;
	struct pd_buf names = {0};
	for (size_t i = 0; i < c->dom->nlevels; i++)
		if (is(c->dom->levels[i].track, c->track))
			buf_printf(&names, "%s%s", names.len ? ", " : "", c->dom->levels[i].name);
	report(k, PD_ERROR, case_loc(c, "case.track"),
	       "level '%s' belongs to the %s track, but case.track is %s (its levels: %s)",
	       lv->name, lv->track, c->track, names.s);
	buf_free(&names);
}

static void rule_g28(const struct check *k)
{
	const struct pd_case *c = k->c;
	if (is(k->lv->track, "ero") && !c->g28)
		report(k, PD_ERROR, case_loc(c, "appearance.g28.on_file"),
		       "ERO accepts a PD request only with a valid Form G-28: set "
		       "appearance.g28.on_file: true (with its date) and enclose it");
	else if (is(k->lv->track, "occ") && !c->g28 && !c->eoir28 && !c->eoir27)
		report(k, PD_WARNING, case_loc(c, "appearance"),
		       "no appearance form on file (G-28, EOIR-28 or EOIR-27): OCC may not act "
		       "on the request");
}

static void rule_bia(const struct check *k)
{
	const struct pd_case *c = k->c;
	if (!is(c->stage, "bia"))
		return;
	if (!is(c->track, "occ")) {
		report(k, PD_ERROR, case_loc(c, "case.stage"),
		       "a case pending before the BIA is on the occ track (set case.track: occ)");
		return;
	}
	if (k->lv && k->lv->rung == PD_RUNG_FIRST && !case_str(c->root, "request.new_facts"))
		for (size_t i = 0; i < c->nreq; i++)
			if (c->req[i].state == PD_DENIED && c->req[i].lv &&
			    is(c->req[i].lv->track, "occ")) {
				report(k, PD_ERROR, case_loc(c, "request"),
				       "a BIA request after the denial of %s rests on new facts or "
				       "circumstances: give request.new_facts",
				       c->req[i].id ? c->req[i].id : "an earlier request");
				break;
			}
	if (k->lv && k->lv->rung == PD_RUNG_FIRST && !c->eoir27)
		report(k, PD_WARNING, case_loc(c, "appearance"),
		       "a case before the BIA usually has Form EOIR-27 on file "
		       "(appearance.eoir27.on_file)");
}

static struct pd_loc requests_loc(const struct pd_case *c)
{
	const struct pd_value *r = value_get(c->root, "requests");
	if (r)
		for (size_t i = 0; i < c->root->n; i++)
			if (c->root->items[i] == r)
				return c->root->key_locs[i];
	return c->root->loc;
}

static void explain_rung(const struct pd_case *c, const char *track, int rung, struct pd_diags *d)
{
	for (size_t i = 0; i < c->nreq; i++) {
		const struct pd_request *q = &c->req[i];
		if (q->lv && is(q->lv->track, track) && q->lv->rung == rung)
			diag_context(d, "  request %s at %s (line %d): %s", q->id ? q->id : "?",
				     q->level, q->node->loc.line, q->outcome);
	}
}

static void rule_sub(const struct check *k)
{
	const struct pd_case *c = k->c;
	const struct pd_level *lv = k->lv;
	if (lv->needs_suboffice && !c->occ_suboffice) {
		report(k, PD_ERROR, case_loc(c, "case.occ_suboffice"),
		       "%s is only for a case under an OCC sub-office (case.occ_suboffice is not "
		       "set): use occ",
		       lv->name);
		return;
	}
	if (!c->occ_suboffice || !is(lv->track, "occ") || lv->rung != PD_RUNG_FIRST)
		return;
	if (case_rung_denied(c, "occ", PD_RUNG_SUBOFFICE))
		return;
	report(k, PD_ERROR, case_loc(c, "case.occ_suboffice"),
	       "the case is under the OCC sub-office '%s': the request starts at occ-sub, and "
	       "%s needs a recorded denial at occ-sub first",
	       c->occ_suboffice, lv->name);
	explain_rung(c, "occ", PD_RUNG_SUBOFFICE, k->d);
}

/* The first rung of the level's chain for this case: the sub-office's when it has one. */
static int lowest_rung(const struct pd_case *c, const struct pd_level *lv)
{
	return is(lv->track, "occ") && c->occ_suboffice ? PD_RUNG_SUBOFFICE : PD_RUNG_FIRST;
}

static void rule_chain(const struct check *k)
{
	const struct pd_case *c = k->c;
	const struct pd_level *lv = k->lv;
	for (int r = lowest_rung(c, lv); lv->rung >= PD_RUNG_REVIEW && r < lv->rung; r++) {
		const struct pd_value *aw = case_rung_aware(c, lv->track, r);
		if (aw && !rung_denied_only(c, lv->track, r) && !value_get(aw, "enclosure"))
			report(k, PD_WARNING, aw->loc,
			       "the %s's awareness stands for rung %d: give its enclosure, the "
			       "communication that shows it (headquarters asks for copies)",
			       value_str(value_get(aw, "role")), r);
		if (case_rung_denied(c, lv->track, r) || rung_old_denial(c, lv->track, r))
			continue; /* an old denial is R-rereq's */
		char *names = rung_names(c, lv->track, r);
		char *roles = rung_roles(c, lv->track, r);
		report(k, PD_ERROR, requests_loc(c),
		       "%s (rung %d) needs a recorded denial at rung %d (%s) first: no request "
		       "in this case file was denied at %s%s%s; headquarters returns requests "
		       "that skip a level",
		       lv->name, lv->rung, r, names, names,
		       roles && *roles ? ", nor by a decision of a " : "", roles ? roles : "");
		explain_rung(c, lv->track, r, k->d);
		free(names);
		free(roles);
	}
}

static void rule_rereq(const struct check *k)
{
	const struct pd_case *c = k->c;
	const struct pd_level *lv = k->lv;
	for (int r = lowest_rung(c, lv); lv->rung >= PD_RUNG_REVIEW && r < lv->rung; r++) {
		const struct pd_request *old = rung_old_denial(c, lv->track, r);
		if (!old || case_rung_denied(c, lv->track, r))
			continue;
		char *names = rung_names(c, lv->track, r);
		report(k, PD_ERROR, node_loc(old->decision, "date"),
		       "the denial at %s is dated %s, before %s: it does not open the way to "
		       "%s; ask again at %s first (a reconsideration request)",
		       old->level, old->decided, c->dom->rereq_before, lv->name, names);
		free(names);
	}
	const struct pd_request *old = case_old_denial(c);
	if (!old || lv->rung >= PD_RUNG_REVIEW)
		return;
	report(k, PD_NOTE, node_loc(old->decision, "date"),
	       "the denial of %s predates %s: the %s letter asks for reconsideration under %s",
	       old->decided, c->dom->rereq_before, lv->name,
	       c->dom->rereq_regime ? c->dom->rereq_regime : "the current policy");
}

static void rule_hq(const struct check *k)
{
	const struct pd_case *c = k->c;
	const struct pd_level *lv = k->lv;
	if (lv->rung < levels_top_rung(c->dom, lv->track))
		return;
	if (!case_str(c->root, "escalation.argument"))
		report(k, PD_ERROR, case_loc(c, "escalation.argument"),
		       "%s needs escalation.argument: why the local denial is contrary to DHS "
		       "policy",
		       lv->name);
	if (c->ncomm == 0)
		report(k, PD_ERROR, case_loc(c, "communications"),
		       "%s needs the communications with the local office (communications is "
		       "empty): headquarters asks for copies of them",
		       lv->name);
	bool any = false;
	for (size_t i = 0; i < c->dom->nmailboxes; i++) {
		const struct pd_mailbox *m = &c->dom->mailboxes[i];
		if (!is(m->level, lv->name))
			continue;
		any = true;
		if (!levels_mailbox_valid(m, c->letter_date))
			report(k, PD_WARNING, case_loc(c, "letter.date"),
			       "the %s mailbox %s was in use from %s to %s; the letter is dated %s: "
			       "verify the current address",
			       lv->name, m->address, m->valid_from ? m->valid_from : "?",
			       m->valid_to ? m->valid_to : "today", c->letter_date);
	}
	if (!any)
		report(k, PD_WARNING, (struct pd_loc){0}, "the level table lists no mailbox for %s",
		       lv->name);
}

static bool written(const char *channel)
{
	return !is(channel, "phone") && !is(channel, "in_person");
}

/* An oral decision (by phone or in person) needs its entry in the communications log, the
 * only record headquarters will see of it (a memo to file: the document type memo-to-file). */
static void oral_logged(const struct check *k)
{
	const struct pd_case *c = k->c;
	for (size_t i = 0; i < c->nreq; i++) {
		const struct pd_request *q = &c->req[i];
		const char *ch = q->decision ? value_str(value_get(q->decision, "channel")) : NULL;
		if (!ch || written(ch) || !q->decided)
			continue;
		bool logged = false;
		for (size_t j = 0; j < c->ncomm; j++)
			logged = logged || (is(c->comm[j].date, q->decided) && !written(c->comm[j].channel));
		if (!logged)
			report(k, PD_WARNING, node_loc(q->decision, "channel"),
			       "the %s decision on request %s (%s) is not in communications: log the "
			       "call or meeting there (date, direction, channel, from, to, summary) "
			       "and keep a memo to file of it (--template memo-to-file)",
			       ch, q->id ? q->id : "?", q->decided);
	}
}

static void rule_package(const struct check *k)
{
	const struct pd_case *c = k->c;
	if (!case_is_escalation(c, k->lv))
		return;
	oral_logged(k);
	size_t n = 0;
	for (size_t i = 0; i < c->nreq; i++)
		if (c->req[i].lv && c->req[i].lv->rung < PD_RUNG_REVIEW && c->req[i].enclosures)
			n += c->req[i].enclosures->n;
	if (n == 0)
		report(k, PD_WARNING, requests_loc(c),
		       "the initial request lists no enclosures: an escalation encloses "
		       "everything submitted with it (requests[].enclosures)");
	for (size_t i = 0; i < c->ncomm; i++) {
		const struct pd_comm *m = &c->comm[i];
		if (written(m->channel) && is(m->direction, "received") && !m->enclosure)
			report(k, PD_WARNING, m->node->loc,
			       "the %s %s of %s has no copy among the enclosures: add "
			       "enclosure: ID",
			       m->channel ? m->channel : "communication",
			       m->direction ? m->direction : "", m->date ? m->date : "?");
	}
}

/* An emergency request sent by first-class mail takes days to arrive, and may arrive after
 * the removal it asks to stop. */
static void emergency_by_mail(const struct check *k)
{
	struct pd_route r;
	case_route(k->c, k->lv, &r);
	if (is(r.delivery, "mail"))
		report(k, PD_WARNING, delivery_loc(k->c, k->lv, &r),
		       "an emergency request goes by first-class mail and may arrive too late: send "
		       "it by email (case.contacts.%s.email), or set letter.delivery: hand or courier",
		       k->lv->name);
}

static void rule_emergency(const struct check *k)
{
	const struct pd_case *c = k->c;
	const char *deadline = case_str(c->root, "emergency.deadline");
	if (deadline && c->letter_date && date_valid(deadline) &&
	    strcmp(deadline, c->letter_date) < 0)
		report(k, PD_WARNING, case_loc(c, "emergency.deadline"),
		       "emergency.deadline %s is before the letter date %s", deadline,
		       c->letter_date);
	const struct pd_value *e = value_get(c->root, "emergency");
	if (e && e->kind == PD_MAP && !case_str(c->root, "emergency.reason"))
		report(k, PD_WARNING, e->loc,
		       "emergency.reason is missing: say why the request is urgent");
	if (k->lv && case_is_emergency(c))
		emergency_by_mail(k);
}

static void after_letter(const struct check *k, const struct pd_value *map, const char *key,
			 const char *what)
{
	const struct pd_value *v = value_get(map, key);
	const char *letter = k->c->letter_date;
	if (!v || !v->str || !date_valid(v->str) || !letter)
		return;
	if (strcmp(v->str, letter) > 0)
		report(k, PD_ERROR, v->loc, "%s is dated %s, after the letter date %s", what,
		       v->str, letter);
}

/* A date of the case that lies before the letter's: a warning at it. */
static void before_letter(const struct check *k, const char *dotted, const char *fmt)
{
	const char *when = case_str(k->c->root, dotted);
	const char *letter = k->c->letter_date;
	if (when && letter && date_valid(when) && strcmp(when, letter) < 0)
		diag_add(k->d, PD_WARNING, case_loc(k->c, dotted), k->rule->info.id, fmt, when,
			 letter);
}

/* An enclosure dated after the request that enclosed it was sent. */
static void enclosed_later(const struct check *k, const struct pd_request *q)
{
	for (size_t j = 0; q->sent && q->enclosures && j < q->enclosures->n; j++) {
		const struct pd_value *id = q->enclosures->items[j];
		const struct pd_encl *e = case_enclosure(k->c, value_str(id));
		if (e && e->date && date_valid(e->date) && date_valid(q->sent) &&
		    strcmp(e->date, q->sent) > 0)
			report(k, PD_ERROR, id->loc,
			       "enclosure %s is dated %s, after request %s that encloses it was sent "
			       "(%s): correct the enclosure's date or the request's enclosures",
			       e->id, e->date, q->id ? q->id : "?", q->sent);
	}
}

static void rule_dates(const struct check *k)
{
	const struct pd_case *c = k->c;
	before_letter(k, "client.removal.scheduled",
		      "client.removal.scheduled %s is before the letter date %s");
	for (size_t i = 0; i < c->nreq; i++) {
		const struct pd_request *q = &c->req[i];
		if (q->sent && q->decided && date_valid(q->sent) && date_valid(q->decided) &&
		    strcmp(q->decided, q->sent) < 0)
			report(k, PD_ERROR, node_loc(q->decision, "date"),
			       "the decision on request %s (%s) is dated before the request was "
			       "sent (%s)",
			       q->id ? q->id : "?", q->decided, q->sent);
		after_letter(k, q->node, "sent", "a request");
		if (q->decision)
			after_letter(k, q->decision, "date", "a decision");
	}
	for (size_t i = 0; i < c->ncomm; i++)
		after_letter(k, c->comm[i].node, "date", "a communication");
	for (size_t i = 0; i < c->nreq; i++)
		enclosed_later(k, &c->req[i]);
	const struct pd_value *aw = value_get(c->root, "aware");
	for (size_t i = 0; aw && aw->kind == PD_SEQ && i < aw->n; i++)
		after_letter(k, aw->items[i], "date", "an awareness");
	before_letter(k, "case.next_hearing.date",
		      "the next hearing (%s) is before the letter date %s: update "
		      "case.next_hearing");
}

static void ref(const struct check *k, const struct pd_value *id, const char *where)
{
	const struct pd_case *c = k->c;
	if (!id || id->kind == PD_NULL || case_enclosure(c, id->str))
		return;
	const char **ids = xcalloc(c->nencl + 1, sizeof *ids);
	size_t nids = 0;
	for (size_t i = 0; i < c->nencl; i++)
		if (c->encl[i].id) /* an enclosure without an id is reported elsewhere */
			ids[nids++] = c->encl[i].id;
	report(k, PD_ERROR, id->loc, "%s names enclosure '%s', which is not in enclosures%s",
	       where, id->str, diag_did_you_mean(id->str, ids, nids, '\'').text);
	free(ids);
}

static void refs_in(const struct check *k, const char *list, const char *key)
{
	const struct pd_value *seq = value_get(k->c->root, list);
	if (!seq || seq->kind != PD_SEQ)
		return;
	for (size_t i = 0; i < seq->n; i++) {
		const struct pd_value *ids = value_get(seq->items[i], key);
		char where[64];
		snprintf(where, sizeof where, "%s[%zu].%s", list, i, key);
		if (ids && ids->kind == PD_SEQ)
			for (size_t j = 0; j < ids->n; j++)
				ref(k, ids->items[j], where);
		else if (ids && ids->kind != PD_MAP)
			ref(k, ids, where);
	}
}

/* Why an enclosure's file cannot be enclosed, or NULL when it can. */
static const char *file_problem(const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return errno == ENOENT ? "does not exist" : "cannot be read";
	if (!S_ISREG(st.st_mode))
		return "is not a file";
	return access(path, R_OK) != 0 ? "cannot be read" : NULL;
}

static void rule_refs(const struct check *k)
{
	const struct pd_case *c = k->c;
	refs_in(k, "requests", "enclosures");
	refs_in(k, "equities", "exhibits");
	refs_in(k, "negatives", "exhibits");
	refs_in(k, "communications", "enclosure");
	refs_in(k, "aware", "enclosure");
	static const char *const forms[] = {"appearance.g28.enclosure", "appearance.eoir28.enclosure",
					    "appearance.eoir27.enclosure", NULL};
	for (size_t i = 0; forms[i]; i++)
		ref(k, value_path(c->root, forms[i]), forms[i]);
	for (size_t i = 0; i < c->nencl; i++) {
		const char *file = c->encl[i].file;
		if (!file)
			continue;
		struct pd_buf path = {0};
		buf_printf(&path, "%s%s%s", file[0] == '/' ? "" : c->dir, file[0] == '/' ? "" : "/",
			   file);
		const char *why = file_problem(path.s);
		if (why)
			report(k, PD_ERROR, node_loc(c->encl[i].node, "file"),
			       "enclosure %s: file '%s' %s (paths are relative to the case file)",
			       c->encl[i].id ? c->encl[i].id : "?", file, why);
		buf_free(&path);
	}
}

static void rule_memo(const struct check *k)
{
	if (is(k->document, "memo") && !case_is_escalation(k->c, k->lv))
		report(k, PD_ERROR, (struct pd_loc){0},
		       "a memo goes with an escalation (rung 2 and up, or occ after the sub-office "
		       "denied); %s is rung %d and no lower level has denied the request",
		       k->lv->name, k->lv->rung);
}

/* The office a mistyped or unlisted id most likely means. An alias ("Las Vegas, NV") whose
 * city is named in the id wins: the office that serves that city; else the id nearest by
 * spelling among offices of the same kind prefix (a typo), never a city by edit distance. */
static const char *nearest_office(const struct pd_case *c, const char *id, const char *want_kind)
{
	const struct pd_value *offs = c->dom->offices;
	size_t n = offs && offs->kind == PD_SEQ ? offs->n : 0;
	struct pd_buf want = {0};
	for (const char *p = id; *p; p++) /* "ero-las-vegas" -> "ero las vegas" */
		buf_putc(&want, *p == '-' || *p == '_' ? ' ' : (char)tolower((unsigned char)*p));
	for (size_t i = 0; i < n; i++) {
		const struct pd_value *o = offs->items[i];
		const struct pd_value *al = value_get(o, "aliases");
		if (!is(value_str(value_get(o, "kind")), want_kind))
			continue;
		for (size_t j = 0; al && al->kind == PD_SEQ && j < al->n; j++) {
			const char *a = value_str(al->items[j]);
			struct pd_buf city = {0};
			for (const char *p = a ? a : ""; *p && *p != ','; p++)
				buf_putc(&city, *p == '-' ? ' ' : (char)tolower((unsigned char)*p));
			bool hit = city.len > 2 && strstr(want.s, city.s);
			buf_free(&city);
			if (hit) {
				buf_free(&want);
				return value_str(value_get(o, "id"));
			}
		}
	}
	buf_free(&want);
	const char **ids = xcalloc(n + 1, sizeof *ids);
	for (size_t i = 0; i < n; i++)
		ids[i] = value_str(value_get(offs->items[i], "id"));
	const char *near = diag_nearest(id, ids, n);
	/* one or two letters off only: "ero-dalas", not "ero-las-vegas" -> "ero-dallas" */
	if (near && diag_distance(id, near) > 2)
		near = NULL;
	free(ids);
	return near;
}

/* " (did you mean 'ero-salt-lake-city'?)" for an office id the directory lacks, or "". */
static const char *office_hint(const struct pd_case *c, const char *key, const char *id)
{
	const char *kind = is(key, "case.ero_office") ? "ero" : is(key, "case.occ_office") ? "occ"
										  : "occ_sub";
	const char *near = nearest_office(c, id, kind);
	const char *sub = is(kind, "occ") ? nearest_office(c, id, "occ_sub") : NULL;
	if (sub && !is(value_str(value_get(levels_office(c->dom, sub), "parent")), near))
		sub = NULL;
	if (!near)
		return "";
	return arena_printf(c->dom->arena, " (did you mean '%s'%s%s?)", near,
			    sub ? ", with case.occ_suboffice: " : "", sub ? sub : "");
}

/* ---- R-deliver, R-regime, R-decided, R-relief ---- */

/* A headquarters letter names the office of record whose decision it reviews (DOMAIN 6):
 * an office of the directory, or the office named in the local level's contact. */
static void deliver_record(const struct check *k)
{
	const struct pd_case *c = k->c;
	bool ero = is(k->lv->track, "ero");
	const char *key = ero ? "case.ero_office" : "case.occ_office";
	const char *id = ero ? c->ero_office : c->occ_office;
	const char *local = ero ? "ero" : "occ";
	const struct pd_value *ct = value_get(value_path(c->root, "case.contacts"), local);
	if (levels_office(c->dom, id) || scalar_of(ct, "office"))
		return;
	report(k, PD_ERROR, case_loc(c, key),
	       "the %s letter names the office whose decision it reviews: %s %s; give the office "
	       "of record's id (templates/offices.yaml) or case.contacts.%s.office",
	       k->lv->name, key, id ? "is not in the office directory" : "is missing", local);
}

/* Whether text has a letter of the Latin script (Basic Latin to Latin Extended-B, Latin
 * Extended Additional). */
static bool has_latin_letter(const char *text)
{
	for (size_t at = 0, n = strlen(text); at < n;) {
		uint32_t cp;
		at += (size_t)utf8_decode(text + at, n - at, &cp);
		if ((cp | 0x20) - 'a' < 26 || (cp >= 0xC0 && cp <= 0x24F && cp != 0xD7 && cp != 0xF7) ||
		    (cp >= 0x1E00 && cp <= 0x1EFF))
			return true;
	}
	return false;
}

/* The salutation greets the contact by name ("Dear Deputy Chief Counsel ...:"): a name with no
 * Latin letter would print in its own script inside an English sentence. */
static void salute_in_latin(const struct check *k, const struct pd_route *r)
{
	const char *name = scalar_of(r->contact, "name");
	if (!name || !k->lv->salutation || has_latin_letter(name) ||
	    scalar_of(r->contact, "salutation") || case_str(k->c->root, "letter.salutation"))
		return;
	report(k, PD_WARNING, node_loc(r->contact, "name"),
	       "the %s letter's salutation would greet '%s', a name with no Latin letter; add "
	       "case.contacts.%s.salutation with the greeting as it should print ('%s' and the "
	       "name in Latin letters)",
	       k->lv->name, name, k->lv->name, k->lv->salutation);
}

/* R-deliver: an office id the directory lacks, with no contact to address; e-mail with no
 * address; mail, hand or courier with no street address; fax with no number. */
static void rule_deliver(const struct check *k)
{
	const struct pd_case *c = k->c;
	const struct pd_level *lv = k->lv;
	struct pd_route r;
	case_route(c, lv, &r);
	if (is(lv->office, "hq"))
		deliver_record(k);
	if (r.office_id && !r.office && !r.contact) {
		report(k, PD_ERROR, case_loc(c, r.office_key),
		       "%s '%s' is not in the office directory%s: the %s letter has no addressee; "
		       "correct the id or give case.contacts.%s (name, title, office, and email or "
		       "address)",
		       r.office_key, r.office_id, office_hint(c, r.office_key, r.office_id), lv->name,
		       lv->name);
		return;
	}
	if (!r.office_id && r.office_key && !r.contact)
		return; /* the office of record is missing: rule_fields says so */
	salute_in_latin(k, &r);
	const char *who = r.office_id ? r.office_id : lv->name;
	if (is(r.delivery, "email") && !r.email && !r.hq_mailbox && is(lv->office, "hq"))
		report(k, PD_ERROR, delivery_loc(c, lv, &r),
		       "the %s letter goes by email, but the level table has no mailbox of %s in use "
		       "on %s: add case.contacts.%s.email (the address in use), or set "
		       "letter.delivery: mail",
		       lv->name, lv->name, c->letter_date ? c->letter_date : "the letter date",
		       lv->name);
	else if (is(r.delivery, "email") && !r.email && !r.hq_mailbox)
		report(k, PD_ERROR, delivery_loc(c, lv, &r),
		       "the %s letter goes by email, but no address is known for it: %s has no PD "
		       "mailbox%s; add case.contacts.%s.email (the officer's or the office's "
		       "address), or set letter.delivery: mail with the street address",
		       lv->name, who, office_lacks(&r, "pd_email"), lv->name);
	else if ((is(r.delivery, "mail") || is(r.delivery, "hand") || is(r.delivery, "courier")) &&
		 !r.address)
		report(k, PD_ERROR, delivery_loc(c, lv, &r),
		       "the %s letter goes by %s, but no street address is known for %s%s; add "
		       "case.contacts.%s.address (lines ending with city, state and ZIP)%s",
		       lv->name, r.delivery, who, office_lacks(&r, "address"), lv->name,
		       r.email ? ", or set letter.delivery: email" : "");
	else if (is(r.delivery, "fax") && !scalar_of(r.contact, "fax"))
		report(k, PD_ERROR, delivery_loc(c, lv, &r),
		       "the %s letter goes by fax, but no fax number is known: add "
		       "case.contacts.%s.fax",
		       lv->name, lv->name);
}

static void rule_regime(const struct check *k)
{
	const struct pd_case *c = k->c;
	if (!c->regime || !c->letter_date || levels_regime_in_force(c->regime, c->letter_date))
		return;
	const struct pd_value *per = value_get(c->regime, "periods");
	struct pd_buf when = {0};
	for (size_t i = 0; per && per->kind == PD_SEQ && i < per->n; i++) {
		const char *from = value_str(value_get(per->items[i], "from"));
		const char *to = value_str(value_get(per->items[i], "to"));
		buf_printf(&when, "%sfrom %s%s%s", i ? " and " : "", from ? from : "?",
			   to ? " to " : " on", to ? to : "");
	}
	char *now = levels_regimes_on(c->dom, c->letter_date, k->d);
	report(k, PD_ERROR, case_loc(c, "priority.regime"),
	       "%s was in force %s; the letter is dated %s, when %s%s: set priority.regime "
	       "to the policy of that date (or correct letter.date)",
	       c->regime_id, when.len ? when.s : "in no recorded period", c->letter_date,
	       *now ? "the policy in force was " : "no regime of templates/regimes was in force",
	       now);
	free(now);
	buf_free(&when);
}

/* true when q is a decision of the level lv itself: sent to it, or decided by its role. */
static bool decided_at(const struct pd_request *q, const struct pd_level *lv)
{
	if (q->state != PD_DENIED && q->state != PD_GRANTED)
		return false;
	if (is(q->level, lv->name))
		return true;
	if (!q->by_role || !q->lv || !is(q->lv->track, lv->track) || is(lv->office, "hq"))
		return false;
	if (lv->rung < PD_RUNG_REVIEW)
		return q->lv->rung == lv->rung && levels_decides(lv, q->by_role);
	return strcasecmp(q->by_role, lv->name) == 0; /* FOD decided: the fod level did */
}

/* R-decided: a level that already decided is not asked again, unless the earlier decision
 * predates the policy (a reconsideration, R-rereq) or new facts are given. */
static void rule_decided(const struct check *k)
{
	const struct pd_case *c = k->c;
	const struct pd_level *lv = k->lv;
	if (case_str(c->root, "request.new_facts") ||
	    (is(c->stage, "bia") && lv->rung == PD_RUNG_FIRST))
		return; /* new facts open a fresh decision; at the BIA, R-bia asks for them */
	for (size_t i = 0; i < c->nreq; i++) {
		const struct pd_request *q = &c->req[i];
		if (!decided_at(q, lv) || (lv->rung < PD_RUNG_REVIEW && !counts_after_cutoff(c, q)))
			continue;
		report(k, PD_ERROR, q->decision ? node_loc(q->decision, "outcome") : q->node->loc,
		       "the %s level already decided this request (%s %s on %s): a letter to it "
		       "again is refused; ask the next level (pdgen next), or give "
		       "request.new_facts when new facts or circumstances call for a fresh decision",
		       lv->name, q->id ? q->id : "a request", q->outcome, q->decided ? q->decided : "?");
		return;
	}
}

/* R-relief: each form asked for is one the letter's office can grant (labels.yaml tracks). */
static void rule_relief(const struct check *k)
{
	const struct pd_case *c = k->c;
	const struct pd_level *lv = k->lv;
	const struct pd_value *forms = value_path(c->root, "request.forms");
	bool ero = is(lv->track, "ero");
	for (size_t i = 0; forms && forms->kind == PD_SEQ && i < forms->n; i++) {
		const char *code = value_str(forms->items[i]);
		const struct pd_value *e = levels_label_entry(c->dom, "forms", code);
		const struct pd_value *tracks = value_get(e, "tracks");
		bool ok = !e;
		for (size_t j = 0; tracks && tracks->kind == PD_SEQ && j < tracks->n; j++)
			ok = ok || is(value_str(tracks->items[j]), lv->track);
		if (!ok)
			report(k, PD_ERROR, forms->items[i]->loc,
			       "request.forms: %s is granted by %s, not by %s: remove it from "
			       "request.forms for the %s letter (or ask it of the %s track)",
			       code, ero ? "the Office of Chief Counsel" : "ERO",
			       ero ? "ERO" : "the Office of Chief Counsel", lv->name, ero ? "occ" : "ero");
	}
}

/* ---- the rule table ---- */

/* Every rule of pdgen-case(5), in the order they run and are listed. A row gives the id
 * its diagnostics carry, the most severe of them, what the rule requires (message), why
 * (basis: the practice pointer's words, or a section of the domain contract), how to fix
 * a case that breaks it, and the function that checks it. `pdgen explain`, the RULES list
 * of pdgen-case(5) (tests/t_rules.sh compares them) and the checker all read this table.
 * In message and fix, `code` is a field or value (pdgen-case(5) prints it as such).
 *
 * To add a rule: write its check function above (report() gives its findings the row's
 * id), add its row below where it should run, add an example to pdgen-case(5)'s EXAMPLES,
 * then `make regress-update` and paste `pdgen explain --mdoc` over the man page's list. */
static const struct rule rules[] = {
    {{"R-track", PD_ERROR, "The level must belong to the case's track (error).",
      "Two chains of command: a case sits either with ERO (track `ero`) or with the Office of "
      "Chief Counsel in removal proceedings (track `occ`), and each has its own levels "
      "(DOMAIN section 1).",
      "Give a level of the case's track (`pdgen levels` lists them), or correct "
      "`case.track`."},
     true, rule_track},
    {{"R-g28", PD_ERROR,
      "Every ero-track document needs `appearance.g28.on_file: true` (error). On the occ "
      "track, a warning when none of G-28, EOIR-28 and EOIR-27 is on file.",
      "\"ICE ERO requires that attorneys submit PD requests with a valid Form G-28.\" "
      "(practice pointer, section 1)",
      "File the Form G-28, set `appearance.g28.on_file: true` with its date, and list it "
      "among the enclosures."},
     true, rule_g28},
    {{"R-sub", PD_ERROR,
      "A case with `case.occ_suboffice` starts at `occ-sub`; `occ` then needs a denial at "
      "`occ-sub` (error). `occ-sub` on a case without a sub-office is an error.",
      "\"For those cases pending under an ICE OCC sub-office, the initial PD request must "
      "first be submitted to the ICE OCC sub-office. If the ICE OCC sub-office denies the PD "
      "request, the request should then be escalated to the ICE OCC office with "
      "jurisdiction over the case.\" (practice pointer, section 2)",
      "Send the first request to the sub-office (`--level occ-sub`) and record its decision "
      "under `requests`; or, when the case is not under a sub-office, remove "
      "`case.occ_suboffice` and use `occ`."},
     true, rule_sub},
    {{"R-chain", PD_ERROR,
      "A level at rung 2 or 3 needs a recorded denial at every lower rung of its track, "
      "including rung 0 for a sub-office case (error, at the `requests` key of the case "
      "file, naming the missing levels). A denial decided by an AFOD or FOD also counts for "
      "ERO rung 2, as does an AFOD or FOD recorded under `aware` (a warning when its "
      "`enclosure`, the communication that shows it, is missing); one decided by a DCC or "
      "CC also counts for OCC rung 2.",
      "\"ICE headquarters will not review escalated PD requests that have not been reviewed "
      "by each level of the chain of command; it will send them back to the local office "
      "for review prior to considering them.\" (practice pointer, section 2)",
      "Record the denial of each lower rung under `requests` (its level, the date it was "
      "sent, and `decision: {outcome: denied, date: ...}`), or address the letter to the "
      "lowest rung not yet asked (`pdgen next` names it)."},
     true, rule_chain},
    {{"R-hq", PD_ERROR,
      "Rung 3 needs `escalation.argument` and at least one communication with the local "
      "office (errors), and warns when a headquarters mailbox was not in use on the letter "
      "date.",
      "\"If the local ICE ERO office denies the request for PD and you believe that the "
      "denial was contrary to DHS policy, counsel may seek a review of the decision.\" The "
      "request \"should include all materials that were submitted with the initial PD "
      "request and copies of communications with the local\" office. (practice pointer, "
      "sections 1 and 2)",
      "Write `escalation.argument` (why the denial is contrary to DHS policy) and log the "
      "exchanges with the local office under `communications`."},
     true, rule_hq},
    {{"R-package", PD_ERROR,
      "Rungs 2 and 3 enclose everything submitted with the earlier requests and copies of "
      "the communications with the local office; pdgen builds these lists itself. "
      "Warnings: the first request lists no enclosures; a written communication received "
      "has no copy among the enclosures; a decision given by phone or in person has no "
      "entry of that day in `communications` (`pdgen letter CASE.yaml --level LEVEL "
      "--template memo-to-file` makes a memo to file of the log). The occ step after a sub-office denial is an escalation too. For "
      "`pdgen packet` and `pdgen email`: such an enclosure without a `file` is an error, any "
      "other a warning (it is left out), and a file whose page count differs from `pages` a "
      "warning.",
      "\"This request should include all materials that were submitted with the initial PD "
      "request and copies of communications with the local ICE ERO office.\" (practice "
      "pointer, section 1)",
      "List what the first request enclosed (`requests[].enclosures`), give each written "
      "communication received an `enclosure` naming its copy, and each enclosure the "
      "`file` that holds it (PDF, JPEG or PNG) with its true `pages`."},
     true, rule_package},
    {{"R-rereq", PD_ERROR,
      "A denial dated before 2014-11-20 (the date is `rules.reconsideration_before` in the "
      "level table) makes a rung 1 letter a reconsideration request (a note). Such a denial "
      "does not count for R-chain (error at the denial's date).",
      "\"If a previous request for PD was denied prior to the November 20, 2014 Priorities "
      "Memo and counsel believes the client merits a favorable exercise of discretion under "
      "the Priorities Memo, ICE encourages attorneys to bring requests to the attention of "
      "the relevant ICE office.\" (practice pointer, introduction)",
      "Ask the local office again (a rung 1 letter, which pdgen makes a reconsideration "
      "request) and record its new decision before escalating."},
     true, rule_rereq},
    {{"R-bia", PD_ERROR,
      "`case.stage: bia` belongs to the occ track (error); rung 1 then goes to the trial "
      "attorney in charge of the case or the appeal, with the BIA letter; a warning when no "
      "EOIR-27 is on file. After a denial, the BIA request needs `request.new_facts` "
      "(error); the letter names the earlier denial and states the new facts, and `pdgen "
      "next` sends the case back to the trial attorney first.",
      "\"If new facts or circumstances warrant a review of a previously denied request for "
      "prosecutorial discretion for a case pending before the BIA, attorneys should contact "
      "the trial attorney initially in charge of the case or the appeal and escalate the "
      "request accordingly.\" (practice pointer, introduction)",
      "Set `case.track: occ` for a case before the BIA, and `appearance.eoir27.on_file` "
      "once Form EOIR-27 is filed."},
     false, rule_bia},
    {{"R-emergency", PD_WARNING,
      "An `emergency` block, or a removal scheduled within 14 days of the letter date "
      "(`rules.emergency_days`), marks the document EMERGENCY in the subject, the RE block "
      "and the first line. Warnings: a deadline before the letter date, an emergency "
      "without a reason, an emergency sent by first-class mail.",
      "Requests should be brought to the relevant office \"clearly noting if it is an "
      "emergency.\" (practice pointer, introduction)",
      "Give `emergency.reason`, and a deadline on or after the letter date; send an "
      "emergency by email, hand or courier."},
     false, rule_emergency},
    {{"R-dates", PD_ERROR,
      "A decision dated before its request, a request, decision, communication or awareness "
      "dated after the letter date, or an enclosure dated after the request that enclosed "
      "it, is an error; a next hearing or a scheduled removal before the letter date is a "
      "warning.",
      "A letter recounts a history that has happened: a decision follows its request and "
      "nothing it reports is later than the letter (DOMAIN section 1, R-dates).",
      "Correct the date the diagnostic points at, or `letter.date`."},
     false, rule_dates},
    {{"R-refs", PD_ERROR,
      "Every enclosure id used in requests, equities, negatives, communications, `aware` "
      "and `appearance` must exist, and every enclosure `file` must exist (errors).",
      "An escalation encloses what it cites: a reviewer must find each tab the letter names "
      "(DOMAIN section 1, R-refs).",
      "Add the enclosure to `enclosures` or correct the id; give `file` relative to the case "
      "file."},
     false, rule_refs},
    {{"R-memo", PD_ERROR,
      "A memo is only for an escalation: rungs 2 and 3, and `occ` after the sub-office "
      "denied (error).",
      "The cover memo sums up an escalation: its procedural history and its index of prior "
      "materials (DOMAIN section 2); before a denial there is nothing to sum up.",
      "Make the letter alone at rungs 0 and 1; the memo goes with a letter to rung 2 or 3."},
     true, rule_memo},
    {{"R-deliver", PD_ERROR,
      "A document must reach someone (errors, at the field to add): an office id outside "
      "the directory needs `case.contacts.LEVEL`; e-mail needs an address for the level (the "
      "contact's, or the office's PD mailbox: an office's general mailbox is not one); mail, "
      "hand delivery and courier need a street address (the contact's or the office's); fax "
      "needs `case.contacts.LEVEL.fax`; a headquarters mailbox counts only on the dates the "
      "level table gives it. Headquarters letters name the office of record, so "
      "its id must be in the directory (or `case.contacts.ero.office`, "
      "`case.contacts.occ.office` give its name). A contact whose name has no Latin letter "
      "is a warning when the salutation would greet them by it: give "
      "`case.contacts.LEVEL.salutation`.",
      "\"Attorneys should first request PD from the local ICE ERO field office responsible "
      "for handling the client's case.\" \"Many local ICE OCC offices have set up a specific "
      "e-mail box for PD requests.\" (practice pointer, sections 1 and 2); an office's "
      "facts come from a citable source or are unknown (DOMAIN section 4).",
      "Give the officer's or the office's address in `case.contacts.LEVEL` (`email`, or "
      "`address` lines ending with city, state and ZIP), correct the office id, or choose "
      "`letter.delivery` for what is known."},
     true, rule_deliver},
    {{"R-regime", PD_ERROR,
      "The regime of `priority.regime` must be in force on the letter date (error, naming "
      "the regime that was).",
      "The letter argues under \"the policy in force\"; each regime of "
      "`templates/regimes/` gives the periods it was in force (DOMAIN section 4).",
      "Set `priority.regime` to the regime the error names (and a category of it), or "
      "correct `letter.date`."},
     false, rule_regime},
    {{"R-decided", PD_ERROR,
      "A letter to a level that already decided the request (sent to it, or decided by its "
      "role) is refused, unless the decision predates the policy (R-rereq) or "
      "`request.new_facts` is given.",
      "\"An erroneous PD denial must be elevated\"; a previously denied request is reviewed "
      "again when \"new facts or circumstances warrant a review\". (practice pointer, "
      "introduction and section 1)",
      "Address the next level (`pdgen next`), or give `request.new_facts`."},
     true, rule_decided},
    {{"R-relief", PD_ERROR,
      "Each of `request.forms` must be one the track's office can grant (error at the form; "
      "`templates/labels.yaml` gives each form's tracks).",
      "Administrative closure, dismissal, termination, continuances, joining a motion and "
      "not appealing are the Office of Chief Counsel's tools in court; stays, deferred "
      "action, release and orders of supervision are ERO's (DOMAIN section 1).",
      "Ask the office of the case's track for what it can grant, or ask the other track "
      "for the rest."},
     true, rule_relief},
};

static const size_t nrules = sizeof rules / sizeof rules[0];

size_t case_rule_count(void)
{
	return nrules;
}

const struct pd_rule_info *case_rule(size_t i)
{
	return i < nrules ? &rules[i].info : NULL;
}

const struct pd_rule_info *case_rule_named(const char *id)
{
	const char *bare = strncasecmp(id, "R-", 2) ? id : id + 2; /* the id without its R- */
	for (size_t i = 0; i < nrules; i++)
		if (!strcasecmp(rules[i].info.id + 2, bare))
			return &rules[i].info;
	return NULL;
}

/* ---- what each level and document needs (schema per level, no rule id) ---- */

static void need(const struct pd_case *c, const char *dotted, enum pd_severity sev,
		 const char *why, struct pd_diags *d)
{
	const struct pd_value *v = value_path(c->root, dotted);
	if (v && v->kind != PD_NULL && !(v->kind == PD_SEQ && v->n == 0))
		return;
	diag_add(d, sev, case_loc(c, dotted), NULL, "%s is missing: %s", dotted, why);
}

static void need_office(const struct pd_case *c, const struct pd_level *lv, const char *key,
			const char *id, struct pd_diags *d)
{
	char contact[64];
	snprintf(contact, sizeof contact, "case.contacts.%s", lv->name);
	if (!id && !value_path(c->root, contact))
		diag_error(d, case_loc(c, key),
			   "%s is missing: the %s letter goes to the office of record "
			   "(or give %s)",
			   key, lv->name, contact);
}

/* An office id that the directory does not hold: a warning with the office meant (at a
 * level that needs the office, R-deliver's error says it instead). */
static void known_office(const struct pd_case *c, const char *key, const char *id,
			 struct pd_diags *d)
{
	if (id && !levels_office(c->dom, id))
		diag_warn(d, case_loc(c, key),
			  "%s '%s' is not in the office directory%s: give the office in "
			  "case.contacts",
			  key, id, office_hint(c, key, id));
}

static void rule_fields(const struct pd_case *c, const struct pd_level *lv, struct pd_diags *d)
{
	if (is(lv->office, "ero"))
		need_office(c, lv, "case.ero_office", c->ero_office, d);
	else if (is(lv->office, "occ"))
		need_office(c, lv, "case.occ_office", c->occ_office, d);
	else if (is(lv->office, "occ_sub") && c->occ_suboffice)
		need_office(c, lv, "case.occ_suboffice", c->occ_suboffice, d);
	need(c, "request.forms", PD_ERROR, "what the client asks ICE to do", d);
	need(c, "priority", PD_ERROR, "the priority analysis (regime and category)", d);
	need(c, "attorney.email", PD_WARNING, "the signature block gives it", d);
	if (lv->rung < PD_RUNG_REVIEW)
		need(c, "equities", PD_WARNING, "a request should set out the positive equities", d);
	const struct pd_value *eq = value_get(c->root, "equities");
	for (size_t i = 0; eq && eq->kind == PD_SEQ && i < eq->n; i++) {
		const struct pd_value *ex = value_get(eq->items[i], "exhibits");
		if (eq->items[i]->kind == PD_MAP && !(ex && ex->kind == PD_SEQ && ex->n > 0))
			diag_warn(d, eq->items[i]->loc,
				  "equities[%zu] cites no exhibit: ICE weighs the equities it can see "
				  "proven; enclose the evidence and list it in exhibits",
				  i);
	}
	if (case_is_escalation(c, lv) && lv->rung < levels_top_rung(c->dom, lv->track))
		need(c, "escalation.argument", PD_WARNING, /* at the top, R-hq's error */
		     "a review says why the denial is contrary to policy", d);
	const struct pd_value *cats = c->regime ? value_get(c->regime, "categories") : NULL;
	if (cats && cats->kind == PD_SEQ && cats->n > 0)
		need(c, "priority.category", PD_WARNING,
		     "the letter states no priority (none, or the category ICE may rely on)", d);
	if (is(lv->track, "occ"))
		need(c, "attorney.eoir_id", PD_WARNING, "OCC expects counsel's EOIR ID", d);
	if (is(c->stage, "proceedings"))
		need(c, "case.next_hearing", PD_WARNING, "the RE block gives the next hearing", d);
}

int case_check(const struct pd_case *c, const char *level, const char *document,
	       struct pd_diags *d)
{
	int before = d->errors;
	const struct pd_level *lv = level ? levels_find(c->dom, level) : NULL;
	struct pd_route r = {0};
	if (lv && is(lv->track, c->track))
		case_route(c, lv, &r);
	static const char *const office_keys[] = {"case.ero_office", "case.occ_office",
						  "case.occ_suboffice"};
	const char *office_ids[] = {c->ero_office, c->occ_office, c->occ_suboffice};
	for (size_t i = 0; i < 3; i++) /* the level's own office is R-deliver's */
		if (!is(r.office_key, office_keys[i]))
			known_office(c, office_keys[i], office_ids[i], d);
	if (level && !lv)
		diag_error(d, (struct pd_loc){0}, "unknown level '%s'%s", level,
			   diag_did_you_mean(level, c->dom->level_names, c->dom->nlevels, '\'').text);
	if (lv && document && !is(document, "letter") && !is(document, "memo") &&
	    !is(document, "packet") && !is(document, "email"))
		diag_error(d, (struct pd_loc){0}, "unknown document '%s' (letter, memo, packet or email)",
			   document);
	struct check k = {c, lv, document, NULL, d};
	bool wrong_track = false; /* what a level of the other track would need is no guide */
	for (size_t i = 0; i < nrules; i++) {
		k.rule = &rules[i];
		int errors = d->errors;
		if ((lv && !wrong_track) || !rules[i].needs_level)
			rules[i].check(&k);
		wrong_track = wrong_track || (rules[i].check == rule_track && d->errors > errors);
	}
	if (lv && !wrong_track)
		rule_fields(c, lv, d);
	return d->errors - before;
}

/* ---- pdgen next ---- */

static const struct pd_request *open_request(const struct pd_case *c, int rung)
{
	for (size_t i = 0; i < c->nreq; i++) {
		const struct pd_request *q = &c->req[i];
		if (q->lv && is(q->lv->track, c->track) && q->lv->rung == rung &&
		    (q->state == PD_PENDING || q->state == PD_NO_RESPONSE))
			return q;
	}
	return NULL;
}

static const struct pd_request *granted(const struct pd_case *c)
{
	for (size_t i = 0; i < c->nreq; i++)
		if (c->req[i].state == PD_GRANTED)
			return &c->req[i];
	return NULL;
}

/* The levels of a rung as "fod (or afod)", skipping sub-office levels when there is none. */
static const char *rung_choice(const struct pd_case *c, int rung, struct pd_buf *alts)
{
	const char *first = NULL;
	for (size_t i = 0; i < c->dom->nlevels; i++) {
		const struct pd_level *lv = &c->dom->levels[i];
		if (!is(lv->track, c->track) || lv->rung != rung ||
		    (lv->needs_suboffice && !c->occ_suboffice))
			continue;
		if (!first)
			first = lv->name;
		else
			buf_printf(alts, "%s%s", alts->len ? ", " : "", lv->name);
	}
	return first;
}

/* A BIA case with new facts whose trial attorney has not yet seen them: every rung-1
 * request was sent before the first rung-1 denial (R-bia). */
static bool bia_back_to_trial_attorney(const struct pd_case *c)
{
	if (!is(c->stage, "bia") || !is(c->track, "occ") || !case_str(c->root, "request.new_facts"))
		return false;
	const char *first = NULL;
	for (size_t i = 0; i < c->nreq; i++) {
		const struct pd_request *q = &c->req[i];
		if (q->lv && q->lv->rung == PD_RUNG_FIRST && q->state == PD_DENIED && q->decided &&
		    (!first || strcmp(q->decided, first) < 0))
			first = q->decided;
	}
	if (!first)
		return false;
	for (size_t i = 0; i < c->nreq; i++)
		if (c->req[i].lv && c->req[i].lv->rung == PD_RUNG_FIRST && c->req[i].sent &&
		    strcmp(c->req[i].sent, first) > 0)
			return false;
	return true;
}

static void next_commands(const struct pd_case *c, const char *level, bool memo,
			  struct pd_buf *why)
{
	buf_printf(why, "run: pdgen letter %s --level %s\n", c->path, level);
	if (memo)
		buf_printf(why, "run: pdgen memo %s --level %s\n", c->path, level);
}

/* A request a higher level returned: the rung it skipped comes first. */
static void explain_returned(const struct pd_case *c, int rung, struct pd_buf *why)
{
	for (size_t i = 0; i < c->nreq; i++) {
		const struct pd_request *q = &c->req[i];
		if (q->state == PD_RETURNED && q->lv && q->lv->rung > rung)
			buf_printf(why,
				   "request %s at %s was returned%s%s: a level that skips a rung "
				   "is sent back; complete rung %d, then ask %s again\n",
				   q->id ? q->id : "?", q->level, q->decided ? " on " : "",
				   q->decided ? q->decided : "", rung, q->level);
	}
}

/* Why rung r is passed: denied, or (rung 2) a supervisor knew of the case. */
static bool rung_passed(const struct pd_case *c, int r, struct pd_buf *why)
{
	if (rung_denied_only(c, c->track, r)) {
		buf_printf(why, "rung %d: denied\n", r);
		return true;
	}
	const struct pd_value *aw = case_rung_aware(c, c->track, r);
	if (aw)
		buf_printf(why, "rung %d: the %s was already aware of the case (aware:, line %d)\n",
			   r, value_str(value_get(aw, "role")), aw->loc.line);
	return aw != NULL;
}

/* true when a rung below r is passed by a supervisor's awareness, not by a denial. */
static bool lower_rung_aware(const struct pd_case *c, int r)
{
	for (int k = PD_RUNG_REVIEW; k < r; k++)
		if (!rung_denied_only(c, c->track, k) && case_rung_aware(c, c->track, k))
			return true;
	return false;
}

/* The reasons for asking rung r at level next, and the commands that make its documents. */
static void explain_next(const struct pd_case *c, int r, const char *next, const char *alts,
			 struct pd_buf *why)
{
	explain_returned(c, r, why);
	const struct pd_request *old = r < PD_RUNG_REVIEW ? case_old_denial(c) : NULL;
	if (old)
		buf_printf(why,
			   "the denial of %s predates %s: ask again at %s as a "
			   "reconsideration request\n",
			   old->decided, c->dom->rereq_before, next);
	else if (r == PD_RUNG_FIRST && c->occ_suboffice && is(c->track, "occ"))
		buf_printf(why, "the sub-office denied: escalate to the OCC office with "
				"jurisdiction (%s)\n", next);
	else if (r < PD_RUNG_REVIEW)
		buf_printf(why, "no request has been decided at rung %d yet: start at %s\n", r,
			   next);
	else
		buf_printf(why, "every lower rung has %s: ask for review at %s\n",
			   lower_rung_aware(c, r) ? "denied the request or knew of it"
						  : "denied the request",
			   next);
	if (*alts)
		buf_printf(why, "(the same rung: %s)\n", alts);
	const struct pd_level *nl = levels_find(c->dom, next);
	bool memo = nl && case_is_escalation(c, nl);
	if (memo)
		buf_puts(why, "send the letter with its memo (pdgen memo)\n");
	next_commands(c, next, memo, why);
}

const char *case_next_level(const struct pd_case *c, struct pd_buf *why)
{
	if (!c->track) {
		buf_puts(why, "case.track is not set (ero or occ)\n");
		return NULL;
	}
	const struct pd_request *g = granted(c);
	if (g) {
		buf_printf(why, "request %s at %s was granted on %s: nothing to escalate\n",
			   g->id ? g->id : "?", g->level, g->decided ? g->decided : "?");
		return NULL;
	}
	struct pd_buf alts = {0};
	if (bia_back_to_trial_attorney(c)) {
		const char *lv = rung_choice(c, PD_RUNG_FIRST, &alts);
		buf_free(&alts);
		buf_printf(why, "the case is before the BIA and request.new_facts gives new facts: "
				"the request goes back to the trial attorney in charge of the case or "
				"the appeal first (%s), then up the chain again\n", lv);
		next_commands(c, lv, false, why);
		return lv;
	}
	int start = is(c->track, "occ") && c->occ_suboffice ? PD_RUNG_SUBOFFICE : PD_RUNG_FIRST;
	for (int r = start; r <= levels_top_rung(c->dom, c->track); r++) {
		if (rung_passed(c, r, why))
			continue;
		const struct pd_request *q = open_request(c, r);
		if (q) {
			buf_printf(why,
				   "request %s at %s (sent %s) is %s: record the decision before "
				   "going further (silence is not a denial; an oral denial is logged "
				   "as a phone communication and a decision)\n",
				   q->id ? q->id : "?", q->level, q->sent ? q->sent : "?",
				   q->state == PD_PENDING ? "still pending" : "unanswered");
			return NULL;
		}
		const char *next = rung_choice(c, r, &alts);
		if (next)
			explain_next(c, r, next, alts.s ? alts.s : "", why);
		buf_free(&alts);
		if (next)
			return next;
	}
	buf_puts(why, "headquarters has denied the request: the chain of command ends here\n");
	return NULL;
}
