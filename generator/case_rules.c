/* case_rules: the escalation rules of pdgen-case(5) (R-track ... R-refs), driven by the level table.
 * In: a typed pd_case, a level and a document. Out: located diagnostics with rule ids. */
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

bool case_rung_denied(const struct pd_case *c, const char *track, int rung)
{
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

static void rule_package(const struct pd_case *c, const struct pd_level *lv, struct pd_diags *d)
{
	if (lv->rung < 2)
		return;
	size_t n = 0;
	for (size_t i = 0; i < c->nreq; i++)
		if (c->req[i].lv && c->req[i].lv->rung <= 1 && c->req[i].enclosures)
			n += c->req[i].enclosures->n;
	if (n == 0)
		diag_add(d, PD_WARNING, requests_loc(c), "R-package",
			 "the initial request lists no enclosures: an escalation encloses "
			 "everything submitted with it (requests[].enclosures)");
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

/* An office id that the directory does not hold: a warning with the nearest id. */
static void known_office(const struct pd_case *c, const char *key, const char *id,
			 struct pd_diags *d)
{
	if (!id || levels_office(c->dom, id))
		return;
	const struct pd_value *offs = c->dom->offices;
	const char **ids = xcalloc(offs && offs->kind == PD_SEQ ? offs->n + 1 : 1, sizeof *ids);
	size_t n = 0;
	for (size_t i = 0; offs && offs->kind == PD_SEQ && i < offs->n; i++)
		ids[n++] = value_str(value_get(offs->items[i], "id"));
	const char *near = diag_nearest(id, ids, n);
	diag_warn(d, case_loc(c, key),
		  "%s '%s' is not in the office directory%s%s%s: give the office in case.contacts",
		  key, id, near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
	free(ids);
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
	known_office(c, "case.ero_office", c->ero_office, d);
	known_office(c, "case.occ_office", c->occ_office, d);
	known_office(c, "case.occ_suboffice", c->occ_suboffice, d);
	rule_emergency(c, d);
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
	if (document && !is(document, "letter") && !is(document, "memo") &&
	    !is(document, "packet") && !is(document, "email"))
		diag_add(d, PD_ERROR, (struct pd_loc){0}, NULL,
			 "unknown document '%s' (letter, memo, packet or email)", document);
	if (is(document, "memo") && lv->rung < 2)
		diag_add(d, PD_ERROR, (struct pd_loc){0}, "R-memo",
			 "a memo goes with an escalation (rung 2 and up); %s is rung %d and nothing "
			 "has been denied yet",
			 lv->name, lv->rung);
	rule_track(c, lv, d);
	rule_g28(c, lv, d);
	rule_bia(c, lv, d);
	rule_sub(c, lv, d);
	rule_chain(c, lv, d);
	rule_rereq(c, lv, d);
	rule_hq(c, lv, d);
	rule_package(c, lv, d);
	rule_fields(c, lv, d);
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
	int start = is(c->track, "occ") && c->occ_suboffice ? 0 : 1;
	for (int r = start; r <= 3; r++) {
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
			buf_printf(why, "every lower rung has denied the request: ask for review at %s\n",
				   next);
		if (alts.len)
			buf_printf(why, "(the same rung: %s)\n", alts.s);
		if (r >= 2)
			buf_puts(why, "send the letter with its memo (pdgen memo)\n");
		buf_free(&alts);
		return next;
	}
	buf_puts(why, "headquarters has denied the request: the chain of command ends here\n");
	return NULL;
}
