/* case_rules: the escalation rules of pdgen-case(5) (R-track ... R-refs), driven by the level table.
 * In: a typed pd_case, a level and a document. Out: located diagnostics with rule ids. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* The rungs a denied request satisfies: its own, and (rungs >= 2 below headquarters) the
 * rung whose deciding roles include the role that decided it. */
static bool request_satisfies(const struct pd_case *c, const struct pd_request *q,
			      const char *track, int rung)
{
	if (!q->lv || !is(q->lv->track, track) || !is(q->outcome, "denied"))
		return false;
	if (q->lv->rung == rung)
		return true;
	if (rung < 2 || !q->by_role)
		return false;
	for (size_t i = 0; i < c->dom->nlevels; i++) {
		const struct pd_level *lv = &c->dom->levels[i];
		if (is(lv->track, track) && lv->rung == rung && !is(lv->office, "hq") &&
		    levels_decides(lv, q->by_role))
			return true;
	}
	return false;
}

/* An AFOD or FOD (a deciding role of a local rung >= 2) recorded as aware of the case
 * without deciding it (aware:): the pointer elevates to them only if they are not. */
const struct pd_value *case_rung_aware(const struct pd_case *c, const char *track, int rung)
{
	const struct pd_value *aw = value_get(c->root, "aware");
	for (size_t i = 0; rung >= 2 && aw && aw->kind == PD_SEQ && i < aw->n; i++) {
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

static bool case_rung_denied_only(const struct pd_case *c, const char *track, int rung)
{
	for (size_t i = 0; i < c->nreq; i++)
		if (request_satisfies(c, &c->req[i], track, rung) &&
		    counts_after_cutoff(c, &c->req[i]))
			return true;
	return false;
}

bool case_rung_denied(const struct pd_case *c, const char *track, int rung)
{
	if (case_rung_aware(c, track, rung))
		return true;
	for (size_t i = 0; i < c->nreq; i++)
		if (request_satisfies(c, &c->req[i], track, rung) &&
		    counts_after_cutoff(c, &c->req[i]))
			return true;
	return false;
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
		if (is(q->outcome, "denied") && q->decided && !counts_after_cutoff(c, q))
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
		if (!is(lv->track, track) || lv->rung != rung || rung < 2 || is(lv->office, "hq"))
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

static void unknown_office(const struct pd_case *c, const char *key, const char *id,
			   const struct pd_level *lv, struct pd_diags *d);

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
	for (size_t i = 0; i < c->dom->nmailboxes; i++)
		if (is(c->dom->mailboxes[i].level, lv->name) && is(c->dom->mailboxes[i].role, "to"))
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

/* R-deliver: an office id the directory lacks, with no contact to address; e-mail with no
 * address; mail, hand or courier with no street address. */
static void rule_deliver(const struct pd_case *c, const struct pd_level *lv, struct pd_diags *d)
{
	struct pd_route r;
	case_route(c, lv, &r);
	if (r.office_id && !r.office && !r.contact) {
		unknown_office(c, r.office_key, r.office_id, lv, d);
		return;
	}
	if (!r.office_id && r.office_key && !r.contact)
		return; /* reported by rule_fields: the office of record is missing */
	const char *who = r.office_id ? r.office_id : lv->name;
	if (is(r.delivery, "email") && !r.email && !r.hq_mailbox)
		diag_add(d, PD_ERROR, delivery_loc(c, lv, &r), "R-deliver",
			 "the %s letter goes by email, but no address is known for it: %s has no PD "
			 "mailbox%s; add case.contacts.%s.email (the officer's or the office's "
			 "address), or set letter.delivery: mail with the street address",
			 lv->name, who, office_lacks(&r, "pd_email"), lv->name);
	else if ((is(r.delivery, "mail") || is(r.delivery, "hand") || is(r.delivery, "courier")) &&
		 !r.address)
		diag_add(d, PD_ERROR, delivery_loc(c, lv, &r), "R-deliver",
			 "the %s letter goes by %s, but no street address is known for %s%s; add "
			 "case.contacts.%s.address (lines ending with city, state and ZIP)%s",
			 lv->name, r.delivery, who, office_lacks(&r, "address"), lv->name,
			 r.email ? ", or set letter.delivery: email" : "");
	else if (is(r.delivery, "fax") && !scalar_of(r.contact, "fax"))
		diag_add(d, PD_ERROR, delivery_loc(c, lv, &r), "R-deliver",
			 "the %s letter goes by fax, but no fax number is known: add "
			 "case.contacts.%s.fax",
			 lv->name, lv->name);
}

/* A review at headquarters names the office of record whose decision it reviews (§6): an
 * office of the directory, or the office named in the local level's contact. */
static void rule_record(const struct pd_case *c, const struct pd_level *lv, struct pd_diags *d)
{
	if (!is(lv->office, "hq"))
		return;
	bool ero = is(lv->track, "ero");
	const char *key = ero ? "case.ero_office" : "case.occ_office";
	const char *id = ero ? c->ero_office : c->occ_office;
	const char *local = ero ? "ero" : "occ";
	const struct pd_value *ct = value_get(value_path(c->root, "case.contacts"), local);
	if (levels_office(c->dom, id) || scalar_of(ct, "office"))
		return;
	diag_add(d, PD_ERROR, case_loc(c, key), "R-deliver",
		 "the %s letter names the office whose decision it reviews: %s %s; give the office "
		 "of record's id (templates/offices.yaml) or case.contacts.%s.office",
		 lv->name, key, id ? "is not in the office directory" : "is missing", local);
}

/* ---- R-track, R-g28, R-bia ---- */

static void rule_track(const struct pd_case *c, const struct pd_level *lv, struct pd_diags *d)
{
	if (!c->track || is(lv->track, c->track))
		return;
	struct pd_buf names = {0};
	for (size_t i = 0; i < c->dom->nlevels; i++)
		if (is(c->dom->levels[i].track, c->track))
			buf_printf(&names, "%s%s", names.len ? ", " : "", c->dom->levels[i].name);
	diag_add(d, PD_ERROR, case_loc(c, "case.track"), "R-track",
		 "level '%s' belongs to the %s track, but case.track is %s (its levels: %s)",
		 lv->name, lv->track, c->track, names.s);
	buf_free(&names);
}

static void rule_g28(const struct pd_case *c, const struct pd_level *lv, struct pd_diags *d)
{
	if (is(lv->track, "ero") && !c->g28)
		diag_add(d, PD_ERROR, case_loc(c, "appearance.g28.on_file"), "R-g28",
			 "ERO accepts a PD request only with a valid Form G-28: set "
			 "appearance.g28.on_file: true (with its date) and enclose it");
	else if (is(lv->track, "occ") && !c->g28 && !c->eoir28 && !c->eoir27)
		diag_add(d, PD_WARNING, case_loc(c, "appearance"), "R-g28",
			 "no appearance form on file (G-28, EOIR-28 or EOIR-27): OCC may not act "
			 "on the request");
}

static void rule_bia(const struct pd_case *c, const struct pd_level *lv, struct pd_diags *d)
{
	if (!is(c->stage, "bia"))
		return;
	if (!is(c->track, "occ")) {
		diag_add(d, PD_ERROR, case_loc(c, "case.stage"), "R-bia",
			 "a case pending before the BIA is on the occ track (set case.track: occ)");
		return;
	}
	if (lv && lv->rung == 1 && !case_str(c->root, "request.new_facts"))
		for (size_t i = 0; i < c->nreq; i++)
			if (is(c->req[i].outcome, "denied") && c->req[i].lv &&
			    is(c->req[i].lv->track, "occ")) {
				diag_add(d, PD_ERROR, case_loc(c, "request"), "R-bia",
					 "a BIA request after the denial of %s rests on new facts or "
					 "circumstances: give request.new_facts",
					 c->req[i].id ? c->req[i].id : "an earlier request");
				break;
			}
	if (lv && lv->rung == 1 && !c->eoir27)
		diag_add(d, PD_WARNING, case_loc(c, "appearance"), "R-bia",
			 "a case before the BIA usually has Form EOIR-27 on file "
			 "(appearance.eoir27.on_file)");
}

/* ---- R-sub, R-chain, R-rereq ---- */

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

static void missing_rung(const struct pd_case *c, const struct pd_level *lv, int rung,
			 struct pd_diags *d)
{
	const struct pd_request *old = rung_old_denial(c, lv->track, rung);
	char *names = rung_names(c, lv->track, rung);
	char *roles = rung_roles(c, lv->track, rung);
	if (old) {
		diag_add(d, PD_ERROR, node_loc(old->decision, "date"), "R-rereq",
			 "the denial at %s is dated %s, before %s: it does not open the way to "
			 "%s; ask again at %s first (a reconsideration request)",
			 old->level, old->decided, c->dom->rereq_before, lv->name, names);
	} else {
		diag_add(d, PD_ERROR, requests_loc(c), "R-chain",
			 "%s (rung %d) needs a recorded denial at rung %d (%s) first: no request "
			 "in this case file was denied at %s%s%s; headquarters returns requests "
			 "that skip a level",
			 lv->name, lv->rung, rung, names, names,
			 roles && *roles ? ", nor by a decision of a " : "", roles ? roles : "");
		explain_rung(c, lv->track, rung, d);
	}
	free(names);
	free(roles);
}

static void rule_sub(const struct pd_case *c, const struct pd_level *lv, struct pd_diags *d)
{
	if (lv->needs_suboffice && !c->occ_suboffice) {
		diag_add(d, PD_ERROR, case_loc(c, "case.occ_suboffice"), "R-sub",
			 "%s is only for a case under an OCC sub-office (case.occ_suboffice is not "
			 "set): use occ",
			 lv->name);
		return;
	}
	if (!c->occ_suboffice || !is(lv->track, "occ") || lv->rung != 1)
		return;
	if (case_rung_denied(c, "occ", 0))
		return;
	diag_add(d, PD_ERROR, case_loc(c, "case.occ_suboffice"), "R-sub",
		 "the case is under the OCC sub-office '%s': the request starts at occ-sub, and "
		 "%s needs a recorded denial at occ-sub first",
		 c->occ_suboffice, lv->name);
	explain_rung(c, "occ", 0, d);
}

static void rule_chain(const struct pd_case *c, const struct pd_level *lv, struct pd_diags *d)
{
	if (lv->rung < 2)
		return;
	int lowest = is(lv->track, "occ") && c->occ_suboffice ? 0 : 1;
	for (int r = lowest; r < lv->rung; r++)
		if (!case_rung_denied(c, lv->track, r))
			missing_rung(c, lv, r, d);
}

static void rule_rereq(const struct pd_case *c, const struct pd_level *lv, struct pd_diags *d)
{
	const struct pd_request *old = case_old_denial(c);
	if (!old || lv->rung > 1)
		return;
	diag_add(d, PD_NOTE, node_loc(old->decision, "date"), "R-rereq",
		 "the denial of %s predates %s: the %s letter asks for reconsideration under %s",
		 old->decided, c->dom->rereq_before, lv->name,
		 c->dom->rereq_regime ? c->dom->rereq_regime : "the current policy");
}

/* ---- R-decided, R-relief ---- */

/* true when q is a decision of the level lv itself: sent to it, or decided by its role. */
static bool decided_at(const struct pd_request *q, const struct pd_level *lv)
{
	if (!is(q->outcome, "denied") && !is(q->outcome, "granted"))
		return false;
	if (is(q->level, lv->name))
		return true;
	if (!q->by_role || !q->lv || !is(q->lv->track, lv->track) || is(lv->office, "hq"))
		return false;
	if (lv->rung <= 1)
		return q->lv->rung == lv->rung && levels_decides(lv, q->by_role);
	char role[16];
	snprintf(role, sizeof role, "%s", q->by_role);
	for (char *p = role; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return is(role, lv->name);
}

/* R-decided: a level that already decided is not asked again, unless the earlier decision
 * predates the policy (a reconsideration, R-rereq) or new facts are given. */
static void rule_decided(const struct pd_case *c, const struct pd_level *lv, struct pd_diags *d)
{
	if (case_str(c->root, "request.new_facts") || (is(c->stage, "bia") && lv->rung == 1))
		return; /* new facts open a fresh decision; at the BIA, R-bia asks for them */
	for (size_t i = 0; i < c->nreq; i++) {
		const struct pd_request *q = &c->req[i];
		if (!decided_at(q, lv) || (lv->rung <= 1 && !counts_after_cutoff(c, q)))
			continue;
		diag_add(d, PD_ERROR, q->decision ? node_loc(q->decision, "outcome") : q->node->loc,
			 "R-decided",
			 "the %s level already decided this request (%s %s on %s): a letter to it "
			 "again is refused; ask the next level (pdgen next), or give "
			 "request.new_facts when new facts or circumstances call for a fresh decision",
			 lv->name, q->id ? q->id : "a request", q->outcome, q->decided ? q->decided : "?");
		return;
	}
}

/* R-relief: each form asked for is one the letter's office can grant (labels.yaml tracks). */
static void rule_relief(const struct pd_case *c, const struct pd_level *lv, struct pd_diags *d)
{
	const struct pd_value *forms = value_path(c->root, "request.forms");
	for (size_t i = 0; forms && forms->kind == PD_SEQ && i < forms->n; i++) {
		const char *code = value_str(forms->items[i]);
		const struct pd_value *e = levels_label_entry(c->dom, "forms", code);
		const struct pd_value *tracks = value_get(e, "tracks");
		bool ok = !e;
		for (size_t j = 0; tracks && tracks->kind == PD_SEQ && j < tracks->n; j++)
			ok = ok || is(value_str(tracks->items[j]), lv->track);
		if (!ok)
			diag_add(d, PD_ERROR, forms->items[i]->loc, "R-relief",
				 "request.forms: %s is granted by %s, not by %s: remove it from "
				 "request.forms for the %s letter (or ask it of the %s track)",
				 code, is(lv->track, "ero") ? "the Office of Chief Counsel" : "ERO",
				 is(lv->track, "ero") ? "ERO" : "the Office of Chief Counsel", lv->name,
				 is(lv->track, "ero") ? "occ" : "ero");
	}
}

/* ---- R-hq, R-package ---- */

static void rule_hq(const struct pd_case *c, const struct pd_level *lv, struct pd_diags *d)
{
	if (lv->rung < 3)
		return;
	if (!case_str(c->root, "escalation.argument"))
		diag_add(d, PD_ERROR, case_loc(c, "escalation.argument"), "R-hq",
			 "%s needs escalation.argument: why the local denial is contrary to DHS "
			 "policy",
			 lv->name);
	if (c->ncomm == 0)
		diag_add(d, PD_ERROR, case_loc(c, "communications"), "R-hq",
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
			diag_add(d, PD_WARNING, case_loc(c, "letter.date"), "R-hq",
				 "the %s mailbox %s was in use from %s to %s; the letter is dated %s: "
				 "verify the current address",
				 lv->name, m->address, m->valid_from ? m->valid_from : "?",
				 m->valid_to ? m->valid_to : "today", c->letter_date);
	}
	if (!any)
		diag_add(d, PD_WARNING, (struct pd_loc){0}, "R-hq",
			 "the level table lists no mailbox for %s", lv->name);
}

static bool written(const char *channel)
{
	return !is(channel, "phone") && !is(channel, "in_person");
}

/* An oral decision (by phone or in person) needs its entry in the communications log, the
 * only record headquarters will see of it (a memo to file: templates/memo-to-file.md). */
static void oral_logged(const struct pd_case *c, struct pd_diags *d)
{
	for (size_t i = 0; i < c->nreq; i++) {
		const struct pd_request *q = &c->req[i];
		const char *ch = q->decision ? value_str(value_get(q->decision, "channel")) : NULL;
		if (!ch || written(ch) || !q->decided)
			continue;
		bool logged = false;
		for (size_t j = 0; j < c->ncomm; j++)
			logged = logged || (is(c->comm[j].date, q->decided) && !written(c->comm[j].channel));
		if (!logged)
			diag_add(d, PD_WARNING, node_loc(q->decision, "channel"), "R-package",
				 "the %s decision on request %s (%s) is not in communications: log the "
				 "call or meeting there (date, direction, channel, from, to, summary) "
				 "and keep a memo to file of it (templates/memo-to-file.md)",
				 ch, q->id ? q->id : "?", q->decided);
	}
}

static void rule_package(const struct pd_case *c, const struct pd_level *lv, struct pd_diags *d)
{
	if (!case_is_escalation(c, lv))
		return;
	size_t n = 0;
	for (size_t i = 0; i < c->nreq; i++)
		if (c->req[i].lv && c->req[i].lv->rung <= 1 && c->req[i].enclosures)
			n += c->req[i].enclosures->n;
	if (n == 0)
		diag_add(d, PD_WARNING, requests_loc(c), "R-package",
			 "the initial request lists no enclosures: an escalation encloses "
			 "everything submitted with it (requests[].enclosures)");
	oral_logged(c, d);
	for (size_t i = 0; i < c->ncomm; i++) {
		const struct pd_comm *m = &c->comm[i];
		if (written(m->channel) && is(m->direction, "received") && !m->enclosure)
			diag_add(d, PD_WARNING, m->node->loc, "R-package",
				 "the %s %s of %s has no copy among the enclosures: add "
				 "enclosure: ID",
				 m->channel ? m->channel : "communication",
				 m->direction ? m->direction : "", m->date ? m->date : "?");
	}
}

/* ---- R-regime ---- */

static void rule_regime(const struct pd_case *c, struct pd_diags *d)
{
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
	char *now = levels_regimes_on(c->dom, c->letter_date, d);
	diag_add(d, PD_ERROR, case_loc(c, "priority.regime"), "R-regime",
		 "%s was in force %s; the letter is dated %s, when %s%s: set priority.regime "
		 "to the policy of that date (or correct letter.date)",
		 c->regime_id, when.len ? when.s : "in no recorded period", c->letter_date,
		 *now ? "the policy in force was " : "no regime of templates/regimes was in force",
		 now);
	free(now);
	buf_free(&when);
}

/* ---- R-emergency, R-dates ---- */

static void rule_emergency(const struct pd_case *c, struct pd_diags *d)
{
	const char *deadline = case_str(c->root, "emergency.deadline");
	if (deadline && c->letter_date && date_valid(deadline) &&
	    strcmp(deadline, c->letter_date) < 0)
		diag_add(d, PD_WARNING, case_loc(c, "emergency.deadline"), "R-emergency",
			 "emergency.deadline %s is before the letter date %s", deadline,
			 c->letter_date);
	const struct pd_value *e = value_get(c->root, "emergency");
	if (e && e->kind == PD_MAP && !case_str(c->root, "emergency.reason"))
		diag_add(d, PD_WARNING, e->loc, "R-emergency",
			 "emergency.reason is missing: say why the request is urgent");
	const char *when = case_str(c->root, "client.removal.scheduled");
	if (when && c->letter_date && date_valid(when) && strcmp(when, c->letter_date) < 0)
		diag_add(d, PD_WARNING, case_loc(c, "client.removal.scheduled"), "R-dates",
			 "client.removal.scheduled %s is before the letter date %s", when,
			 c->letter_date);
}

static void after_letter(const struct pd_case *c, const struct pd_value *map, const char *key,
			 const char *what, struct pd_diags *d)
{
	const struct pd_value *v = value_get(map, key);
	if (!v || !v->str || !date_valid(v->str) || !c->letter_date)
		return;
	if (strcmp(v->str, c->letter_date) > 0)
		diag_add(d, PD_ERROR, v->loc, "R-dates",
			 "%s is dated %s, after the letter date %s", what, v->str, c->letter_date);
}

/* An enclosure dated after the request that enclosed it was sent. */
static void enclosed_later(const struct pd_case *c, const struct pd_request *q, struct pd_diags *d)
{
	for (size_t j = 0; q->sent && q->enclosures && j < q->enclosures->n; j++) {
		const struct pd_value *id = q->enclosures->items[j];
		const struct pd_encl *e = case_enclosure(c, value_str(id));
		if (e && e->date && date_valid(e->date) && date_valid(q->sent) &&
		    strcmp(e->date, q->sent) > 0)
			diag_add(d, PD_ERROR, id->loc, "R-dates",
				 "enclosure %s is dated %s, after request %s that encloses it was sent "
				 "(%s): correct the enclosure's date or the request's enclosures",
				 e->id, e->date, q->id ? q->id : "?", q->sent);
	}
}

static void rule_dates(const struct pd_case *c, struct pd_diags *d)
{
	for (size_t i = 0; i < c->nreq; i++) {
		const struct pd_request *q = &c->req[i];
		if (q->sent && q->decided && date_valid(q->sent) && date_valid(q->decided) &&
		    strcmp(q->decided, q->sent) < 0)
			diag_add(d, PD_ERROR, node_loc(q->decision, "date"), "R-dates",
				 "the decision on request %s (%s) is dated before the request was "
				 "sent (%s)",
				 q->id ? q->id : "?", q->decided, q->sent);
		after_letter(c, q->node, "sent", "a request", d);
		if (q->decision)
			after_letter(c, q->decision, "date", "a decision", d);
	}
	for (size_t i = 0; i < c->ncomm; i++)
		after_letter(c, c->comm[i].node, "date", "a communication", d);
	for (size_t i = 0; i < c->nreq; i++)
		enclosed_later(c, &c->req[i], d);
	const struct pd_value *aw = value_get(c->root, "aware");
	for (size_t i = 0; aw && aw->kind == PD_SEQ && i < aw->n; i++) {
		after_letter(c, aw->items[i], "date", "an awareness", d);
		if (!value_get(aw->items[i], "enclosure"))
			diag_add(d, PD_WARNING, aw->items[i]->loc, "R-chain",
				 "aware[%zu]: give enclosure: the communication that shows the %s knew "
				 "of the case (headquarters asks for it)",
				 i, value_str(value_get(aw->items[i], "role")) ? value_str(value_get(aw->items[i], "role")) : "supervisor");
	}
	const char *hearing = case_str(c->root, "case.next_hearing.date");
	if (hearing && c->letter_date && date_valid(hearing) && strcmp(hearing, c->letter_date) < 0)
		diag_add(d, PD_WARNING, case_loc(c, "case.next_hearing.date"), "R-dates",
			 "the next hearing (%s) is before the letter date %s: update "
			 "case.next_hearing",
			 hearing, c->letter_date);
}

/* ---- R-refs ---- */

static void ref(const struct pd_case *c, const struct pd_value *id, const char *where,
		struct pd_diags *d)
{
	if (!id || id->kind == PD_NULL || case_enclosure(c, id->str))
		return;
	const char **ids = xcalloc(c->nencl + 1, sizeof *ids);
	size_t nids = 0;
	for (size_t i = 0; i < c->nencl; i++)
		if (c->encl[i].id) /* an enclosure without an id is reported elsewhere */
			ids[nids++] = c->encl[i].id;
	const char *near = diag_nearest(id->str, ids, nids);
	diag_add(d, PD_ERROR, id->loc, "R-refs",
		 "%s names enclosure '%s', which is not in enclosures%s%s%s", where, id->str,
		 near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
	free(ids);
}

static void refs_in(const struct pd_case *c, const char *list, const char *key,
		    struct pd_diags *d)
{
	const struct pd_value *seq = value_get(c->root, list);
	if (!seq || seq->kind != PD_SEQ)
		return;
	for (size_t i = 0; i < seq->n; i++) {
		const struct pd_value *ids = value_get(seq->items[i], key);
		char where[64];
		snprintf(where, sizeof where, "%s[%zu].%s", list, i, key);
		if (ids && ids->kind == PD_SEQ)
			for (size_t j = 0; j < ids->n; j++)
				ref(c, ids->items[j], where, d);
		else if (ids && ids->kind != PD_MAP)
			ref(c, ids, where, d);
	}
}

static void rule_refs(const struct pd_case *c, struct pd_diags *d)
{
	refs_in(c, "requests", "enclosures", d);
	refs_in(c, "equities", "exhibits", d);
	refs_in(c, "negatives", "exhibits", d);
	refs_in(c, "communications", "enclosure", d);
	refs_in(c, "aware", "enclosure", d);
	static const char *const forms[] = {"appearance.g28.enclosure", "appearance.eoir28.enclosure",
					    "appearance.eoir27.enclosure", NULL};
	for (size_t i = 0; forms[i]; i++)
		ref(c, value_path(c->root, forms[i]), forms[i], d);
	for (size_t i = 0; i < c->nencl; i++) {
		const char *file = c->encl[i].file;
		if (!file)
			continue;
		char *path = file[0] == '/' ? xstrdup(file) : NULL;
		if (!path) {
			struct pd_buf b = {0};
			buf_printf(&b, "%s/%s", c->dir, file);
			path = buf_take(&b);
		}
		struct stat st;
		const char *why = stat(path, &st) != 0 ? (errno == ENOENT ? "does not exist"
								      : "cannot be read")
				  : !S_ISREG(st.st_mode) ? "is not a file"
				  : access(path, R_OK) != 0 ? "cannot be read"
							    : NULL;
		if (why)
			diag_add(d, PD_ERROR, node_loc(c->encl[i].node, "file"), "R-refs",
				 "enclosure %s: file '%s' %s (paths are relative to the case file)",
				 c->encl[i].id ? c->encl[i].id : "?", file, why);
		free(path);
	}
}

/* ---- what each level and document needs ---- */

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

/* An office id that the directory does not hold: a warning at no level; at a level that
 * needs that office and has no contact, an error (R-deliver). */
static void unknown_office(const struct pd_case *c, const char *key, const char *id,
			   const struct pd_level *lv, struct pd_diags *d)
{
	const char *kind = is(key, "case.ero_office") ? "ero" : is(key, "case.occ_office") ? "occ"
										  : "occ_sub";
	const char *near = nearest_office(c, id, kind);
	const char *sub = is(kind, "occ") ? nearest_office(c, id, "occ_sub") : NULL;
	const struct pd_value *so = levels_office(c->dom, sub);
	if (sub && !is(value_str(value_get(so, "parent")), near))
		sub = NULL;
	char fix[160] = ": give the office in case.contacts";
	if (lv)
		snprintf(fix, sizeof fix, ": the %s letter has no addressee; correct the id or give "
					  "case.contacts.%s (name, title, office, and email or address)",
			 lv->name, lv->name);
	diag_add(d, lv ? PD_ERROR : PD_WARNING, case_loc(c, key), lv ? "R-deliver" : NULL,
		 "%s '%s' is not in the office directory%s%s%s%s%s%s", key, id,
		 near ? " (did you mean '" : "", near ? near : "", near ? "'" : "",
		 sub ? arena_printf(c->dom->arena, ", with case.occ_suboffice: %s", sub) : "",
		 near ? "?)" : "", fix);
}

static void known_office(const struct pd_case *c, const char *key, const char *id,
			 struct pd_diags *d)
{
	if (id && !levels_office(c->dom, id))
		unknown_office(c, key, id, NULL, d);
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
	if (lv->rung <= 1)
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
	if (is(c->stage, "bia") && !level)
		rule_bia(c, NULL, d);
	const struct pd_level *at = level ? levels_find(c->dom, level) : NULL;
	struct pd_route r = {0};
	if (at)
		case_route(c, at, &r);
	static const char *const office_keys[] = {"case.ero_office", "case.occ_office",
						  "case.occ_suboffice"};
	const char *office_ids[] = {c->ero_office, c->occ_office, c->occ_suboffice};
	for (size_t i = 0; i < 3; i++) /* the level's own office is R-deliver's */
		if (!is(r.office_key, office_keys[i]) || is(at->track, c->track) == false)
			known_office(c, office_keys[i], office_ids[i], d);
	rule_emergency(c, d);
	rule_regime(c, d);
	rule_dates(c, d);
	rule_refs(c, d);
	if (!level)
		return d->errors - before;
	const struct pd_level *lv = levels_find(c->dom, level);
	if (!lv) {
		const char *near = diag_nearest(level, c->dom->level_names, c->dom->nlevels);
		diag_add(d, PD_ERROR, (struct pd_loc){0}, NULL, "unknown level '%s'%s%s%s", level,
			 near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
		return d->errors - before;
	}
	if (document && !is(document, "letter") && !is(document, "memo"))
		diag_add(d, PD_ERROR, (struct pd_loc){0}, NULL,
			 "unknown document '%s' (letter or memo)", document);
	if (is(document, "memo") && !case_is_escalation(c, lv))
		diag_add(d, PD_ERROR, (struct pd_loc){0}, "R-memo",
			 "a memo goes with an escalation (rung 2 and up, or occ after the sub-office "
			 "denied); %s is rung %d and no lower level has denied the request",
			 lv->name, lv->rung);
	int track_errors = d->errors;
	rule_track(c, lv, d);
	if (d->errors > track_errors) /* the level is wrong: what it would need is no guide */
		return d->errors - before;
	rule_g28(c, lv, d);
	rule_bia(c, lv, d);
	rule_sub(c, lv, d);
	rule_chain(c, lv, d);
	rule_rereq(c, lv, d);
	rule_decided(c, lv, d);
	rule_relief(c, lv, d);
	rule_hq(c, lv, d);
	rule_package(c, lv, d);
	rule_fields(c, lv, d);
	rule_deliver(c, lv, d);
	rule_record(c, lv, d);
	return d->errors - before;
}

/* ---- pdgen next ---- */

static const struct pd_request *open_request(const struct pd_case *c, int rung)
{
	for (size_t i = 0; i < c->nreq; i++) {
		const struct pd_request *q = &c->req[i];
		if (q->lv && is(q->lv->track, c->track) && q->lv->rung == rung &&
		    (is(q->outcome, "pending") || is(q->outcome, "no_response")))
			return q;
	}
	return NULL;
}

static const struct pd_request *granted(const struct pd_case *c)
{
	for (size_t i = 0; i < c->nreq; i++)
		if (is(c->req[i].outcome, "granted"))
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
		if (q->lv && q->lv->rung == 1 && is(q->outcome, "denied") && q->decided &&
		    (!first || strcmp(q->decided, first) < 0))
			first = q->decided;
	}
	if (!first)
		return false;
	for (size_t i = 0; i < c->nreq; i++)
		if (c->req[i].lv && c->req[i].lv->rung == 1 && c->req[i].sent &&
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

/* A request headquarters (or any level) returned: the rung it skipped comes first. */
static void explain_returned(const struct pd_case *c, int rung, struct pd_buf *why)
{
	for (size_t i = 0; i < c->nreq; i++) {
		const struct pd_request *q = &c->req[i];
		if (is(q->outcome, "returned") && q->lv && q->lv->rung > rung)
			buf_printf(why,
				   "request %s at %s was returned%s%s: a level that skips a rung "
				   "is sent back; complete rung %d, then ask %s again\n",
				   q->id ? q->id : "?", q->level, q->decided ? " on " : "",
				   q->decided ? q->decided : "", rung, q->level);
	}
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
	if (bia_back_to_trial_attorney(c)) {
		struct pd_buf alts = {0};
		const char *lv = rung_choice(c, 1, &alts);
		buf_free(&alts);
		buf_printf(why, "the case is before the BIA and request.new_facts gives new facts: "
				"the request goes back to the trial attorney in charge of the case or "
				"the appeal first (%s), then up the chain again\n", lv);
		next_commands(c, lv, false, why);
		return lv;
	}
	int start = is(c->track, "occ") && c->occ_suboffice ? 0 : 1;
	for (int r = start; r <= 3; r++) {
		const struct pd_value *aw = case_rung_aware(c, c->track, r);
		if (aw && !case_rung_denied_only(c, c->track, r)) {
			buf_printf(why, "rung %d: the %s was already aware of the case (aware:, line %d)\n",
				   r, value_str(value_get(aw, "role")), aw->loc.line);
			continue;
		}
		if (case_rung_denied(c, c->track, r)) {
			buf_printf(why, "rung %d: denied\n", r);
			continue;
		}
		const struct pd_request *q = open_request(c, r);
		if (q) {
			buf_printf(why,
				   "request %s at %s (sent %s) is %s: record the decision before "
				   "going further (silence is not a denial; an oral denial is logged "
				   "as a phone communication and a decision)\n",
				   q->id ? q->id : "?", q->level, q->sent ? q->sent : "?",
				   is(q->outcome, "pending") ? "still pending" : "unanswered");
			return NULL;
		}
		struct pd_buf alts = {0};
		const char *next = rung_choice(c, r, &alts);
		if (!next) {
			buf_free(&alts);
			continue;
		}
		explain_returned(c, r, why);
		const struct pd_request *old = r <= 1 ? case_old_denial(c) : NULL;
		if (old)
			buf_printf(why,
				   "the denial of %s predates %s: ask again at %s as a "
				   "reconsideration request\n",
				   old->decided, c->dom->rereq_before, next);
		else if (r <= 1)
			buf_printf(why, "no request has been decided at rung %d yet: start at %s\n",
				   r, next);
		else
			buf_printf(why, "every lower rung has denied the request (or, at rung 2, knew of it): ask for review at %s\n",
				   next);
		if (alts.len)
			buf_printf(why, "(the same rung: %s)\n", alts.s);
		const struct pd_level *nl = levels_find(c->dom, next);
		bool memo = nl && case_is_escalation(c, nl);
		if (memo)
			buf_puts(why, "send the letter with its memo (pdgen memo)\n");
		next_commands(c, next, memo, why);
		buf_free(&alts);
		return next;
	}
	buf_puts(why, "headquarters has denied the request: the chain of command ends here\n");
	return NULL;
}
