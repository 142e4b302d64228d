/* case_rules: the escalation rules of pdgen-case(5) (R-track ... R-refs), driven by the level table.
 * In: a typed pd_case, a level and a document. Out: located diagnostics with rule ids. */
#include <assert.h>
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

static void rule_package(const struct check *k)
{
	const struct pd_case *c = k->c;
	if (k->lv->rung < PD_RUNG_REVIEW)
		return;
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
	if (is(k->document, "memo") && k->lv->rung < PD_RUNG_REVIEW)
		report(k, PD_ERROR, (struct pd_loc){0},
		       "a memo goes with an escalation (rung 2 and up); %s is rung %d and nothing "
		       "has been denied yet",
		       k->lv->name, k->lv->rung);
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
      "ERO rung 2; one decided by a DCC or CC also counts for OCC rung 2.",
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
      "has no copy among the enclosures. For `pdgen packet` and `pdgen email`: such an "
      "enclosure without a `file` is an error, any other a warning (it is left out), and a "
      "file whose page count differs from `pages` a warning.",
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
      "EOIR-27 is on file.",
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
      "without a reason.",
      "Requests should be brought to the relevant office \"clearly noting if it is an "
      "emergency.\" (practice pointer, introduction)",
      "Give `emergency.reason`, and a deadline on or after the letter date."},
     false, rule_emergency},
    {{"R-dates", PD_ERROR,
      "A decision dated before its request, or a request, decision or communication dated "
      "after the letter date, is an error; a next hearing or a scheduled removal before the "
      "letter date is a warning.",
      "A letter recounts a history that has happened: a decision follows its request and "
      "nothing it reports is later than the letter (DOMAIN section 1, R-dates).",
      "Correct the date the diagnostic points at, or `letter.date`."},
     false, rule_dates},
    {{"R-refs", PD_ERROR,
      "Every enclosure id used in requests, equities, negatives and communications must "
      "exist, and every enclosure `file` must exist (errors).",
      "An escalation encloses what it cites: a reviewer must find each tab the letter names "
      "(DOMAIN section 1, R-refs).",
      "Add the enclosure to `enclosures` or correct the id; give `file` relative to the case "
      "file."},
     false, rule_refs},
    {{"R-memo", PD_ERROR, "A memo is only for rungs 2 and 3 (error).",
      "The cover memo sums up an escalation: its procedural history and its index of prior "
      "materials (DOMAIN section 2); before a denial there is nothing to sum up.",
      "Make the letter alone at rungs 0 and 1; the memo goes with a letter to rung 2 or 3."},
     true, rule_memo},
    /* R-deliver, R-regime, R-decided, R-relief: add their rows here */
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
	diag_warn(d, case_loc(c, key),
		  "%s '%s' is not in the office directory%s: give the office in case.contacts",
		  key, id, diag_did_you_mean(id, ids, n, '\'').text);
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
	if (lv->rung < PD_RUNG_REVIEW)
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
	known_office(c, "case.ero_office", c->ero_office, d);
	known_office(c, "case.occ_office", c->occ_office, d);
	known_office(c, "case.occ_suboffice", c->occ_suboffice, d);
	const struct pd_level *lv = level ? levels_find(c->dom, level) : NULL;
	if (level && !lv)
		diag_error(d, (struct pd_loc){0}, "unknown level '%s'%s", level,
			   diag_did_you_mean(level, c->dom->level_names, c->dom->nlevels, '\'').text);
	if (lv && document && !is(document, "letter") && !is(document, "memo") &&
	    !is(document, "packet") && !is(document, "email"))
		diag_error(d, (struct pd_loc){0}, "unknown document '%s' (letter, memo, packet or email)",
			   document);
	struct check k = {c, lv, document, NULL, d};
	for (size_t i = 0; i < nrules; i++) {
		k.rule = &rules[i];
		if (lv || !rules[i].needs_level)
			rules[i].check(&k);
	}
	if (lv)
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
	int start = is(c->track, "occ") && c->occ_suboffice ? PD_RUNG_SUBOFFICE : PD_RUNG_FIRST;
	for (int r = start; r <= levels_top_rung(c->dom, c->track); r++) {
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
				   q->state == PD_PENDING ? "still pending" : "unanswered");
			return NULL;
		}
		struct pd_buf alts = {0};
		const char *next = rung_choice(c, r, &alts);
		if (!next) {
			buf_free(&alts);
			continue;
		}
		const struct pd_request *old = r < PD_RUNG_REVIEW ? case_old_denial(c) : NULL;
		if (old)
			buf_printf(why,
				   "the denial of %s predates %s: ask again at %s as a "
				   "reconsideration request\n",
				   old->decided, c->dom->rereq_before, next);
		else if (r < PD_RUNG_REVIEW)
			buf_printf(why, "no request has been decided at rung %d yet: start at %s\n",
				   r, next);
		else
			buf_printf(why, "every lower rung has denied the request: ask for review at %s\n",
				   next);
		if (alts.len)
			buf_printf(why, "(the same rung: %s)\n", alts.s);
		if (r >= PD_RUNG_REVIEW)
			buf_puts(why, "send the letter with its memo (pdgen memo)\n");
		buf_free(&alts);
		return next;
	}
	buf_puts(why, "headquarters has denied the request: the chain of command ends here\n");
	return NULL;
}
