/* case_impl: the typed case shared by case_model.c, case_rules.c and case_context.c.
 * In: nothing (declarations only). Out: struct pd_case; it lives in the arena of case_load. */
#ifndef PD_CASE_IMPL_H
#define PD_CASE_IMPL_H

#include "case.h"

/* A decision's outcome, in the order of the schema's names (case_model.c `outcomes`). */
enum pd_outcome { PD_PENDING, PD_GRANTED, PD_DENIED, PD_NO_RESPONSE, PD_RETURNED };

struct pd_request {
	const struct pd_value *node;
	const char *id, *level, *sent, *channel, *to;
	const struct pd_level *lv; /* NULL when level is unknown */
	const struct pd_value *enclosures;
	const struct pd_value *decision;
	const char *outcome, *decided, *by_role, *by, *reason;
	enum pd_outcome state; /* outcome's value (pending when it is missing or unknown) */
};

struct pd_comm {
	const struct pd_value *node;
	const char *date, *direction, *channel, *from, *to, *summary, *enclosure;
};

struct pd_encl {
	const struct pd_value *node;
	const char *id, *title, *date, *file;
	long pages;
};

struct pd_case {
	const char *path, *dir; /* the case file and its directory (enclosure files) */
	struct pd_value *root;
	const struct pd_domain *dom;
	const struct pd_value *regime; /* the regime file of priority.regime, or NULL */
	const char *regime_id;

	char anum[10]; /* nine digits or "" */
	const char *given, *family, *full_name;
	const char *track, *stage, *letter_date;
	const char *ero_office, *occ_office, *occ_suboffice;
	bool g28, eoir28, eoir27;
	bool detained;

	struct pd_request *req;
	size_t nreq;
	struct pd_comm *comm;
	size_t ncomm;
	struct pd_encl *encl;
	size_t nencl;
};

/* Helpers shared by the case_*.c files. */
const char *case_str(const struct pd_value *root, const char *dotted);
struct pd_loc case_loc(const struct pd_case *c, const char *dotted); /* the node, else its
								       nearest parent */
const struct pd_encl *case_enclosure(const struct pd_case *c, const char *id);
/* true when some request denied at rung `rung` of the track (by level, or by a deciding
 * role of that rung for rungs >= 2). */
bool case_rung_denied(const struct pd_case *c, const char *track, int rung);
/* The aware: entry that satisfies a rung (an AFOD/FOD aware of the case), or NULL. */
const struct pd_value *case_rung_aware(const struct pd_case *c, const char *track, int rung);
/* The request whose denial is before the reconsideration cut-off, or NULL. */
const struct pd_request *case_old_denial(const struct pd_case *c);
/* true when the document is an emergency (R-emergency). */
bool case_is_emergency(const struct pd_case *c);
/* Where a document for a level goes (R-deliver; the context prints the same). */
struct pd_route {
	const struct pd_value *office;  /* the directory entry of the office of record, or NULL */
	const char *office_key;         /* "case.ero_office" ... or NULL (headquarters) */
	const char *office_id;          /* its value in the case file */
	const struct pd_value *contact; /* case.contacts.LEVEL, or NULL */
	const char *delivery;           /* letter.delivery, else email when an address is known */
	const char *email;              /* contact's, else the office's PD mailbox */
	bool hq_mailbox;                /* the level table gives the address (headquarters) */
	const struct pd_value *address; /* street address lines: contact's, office's or level's */
};
void case_route(const struct pd_case *c, const struct pd_level *lv, struct pd_route *r);
/* true when the document at lv reviews a denial: rung >= 2, or occ after the sub-office
 * denied (R-sub: that step is an escalation). */
bool case_is_escalation(const struct pd_case *c, const struct pd_level *lv);

#endif
