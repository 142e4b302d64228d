/* levels: the data that ships in templates/ — the level table (two chains of command, HQ
 * mailboxes, rule settings), the office directory and the policy regimes.
 * In: templates/levels.yaml, templates/offices.yaml, templates/regimes/ID.yaml. Out: a
 * pd_domain; everything it holds lives in the arena passed to levels_load. */
#ifndef PD_LEVELS_H
#define PD_LEVELS_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "util.h"
#include "value.h"

/* The rungs the rules name: a sub-office, the first request, a review in the field office.
 * The top rung (headquarters) is the highest the level table gives a track. */
enum pd_rung { PD_RUNG_SUBOFFICE = 0, PD_RUNG_FIRST = 1, PD_RUNG_REVIEW = 2 };

/* One rung of a chain of command (a row of levels.yaml). */
struct pd_level {
	const char *name;       /* CLI name: "fod" */
	const char *track;      /* "ero" | "occ" */
	int rung;               /* 0 (OCC sub-office) .. 3 (headquarters) */
	const char *office;     /* whose office receives it: "ero" | "occ" | "occ_sub" | "hq" */
	const char *title;      /* addressee's title: "Field Office Director" */
	const char *salutation; /* before a surname: "Field Office Director" */
	const char *greeting;   /* without a name: "Dear Field Office Director:" */
	const char *addressee;  /* one line for `pdgen levels` */
	const char *letter;     /* template name for the letter */
	const char *memo;       /* template name for the memo, or NULL */
	bool needs_suboffice;   /* only for cases under an OCC sub-office */
	const char *const *decided_by; /* roles whose denial satisfies this rung */
	size_t ndecided_by;
	const struct pd_value *node; /* the whole row (org, address lines for HQ levels) */
};

/* A fixed mailbox of a level (HQ), valid between two dates (NULL: open end). */
struct pd_mailbox {
	const char *level, *role; /* role: "to" | "cc" */
	const char *address, *name, *valid_from, *valid_to, *source;
	struct pd_loc loc;
};

struct pd_domain {
	struct pd_arena *arena; /* the one levels_load was given: the domain lives in it */
	const char *datadir;
	struct pd_level *levels;
	size_t nlevels;
	struct pd_mailbox *mailboxes;
	size_t nmailboxes;
	int emergency_days;          /* R-emergency window */
	const char *rereq_before;    /* R-rereq cut-off date */
	const char *rereq_regime;    /* the regime a reconsideration cites */
	const struct pd_value *offices_root; /* offices.yaml (as_of, source, offices) */
	const struct pd_value *offices;      /* the sequence of offices */
	const char *const *level_names;      /* for "did you mean" */
	struct pd_regime_cache *regimes;     /* regimes read so far, kept with the domain */
	const struct pd_value *labels;       /* labels.yaml: the wording of codes */
};

/* Loads levels.yaml and offices.yaml under DATADIR/templates. NULL after adding errors. */
struct pd_domain *levels_load(struct pd_arena *arena, const char *datadir,
			      struct pd_diags *diags);
const struct pd_level *levels_find(const struct pd_domain *dom, const char *name);
/* The highest rung of the track in the level table (headquarters), -1 for no such track. */
int levels_top_rung(const struct pd_domain *dom, const char *track);
/* The office with this id, or NULL. */
const struct pd_value *levels_office(const struct pd_domain *dom, const char *id);
/* Loads DATADIR/templates/regimes/ID.yaml once per domain; later calls return the same tree,
 * which lives in the domain's arena (NULL after adding errors at loc). */
const struct pd_value *levels_regime(struct pd_arena *arena, const struct pd_domain *dom,
				     const char *id, struct pd_loc loc, struct pd_diags *diags);
/* The label of CODE in the list GROUP of labels.yaml ("roles", "forms", ...), or NULL. */
const char *levels_label(const struct pd_domain *dom, const char *group, const char *code);
/* The entry of CODE in the list GROUP of labels.yaml, or NULL. */
const struct pd_value *levels_label_entry(const struct pd_domain *dom, const char *group,
					  const char *code);
/* A top-level text of labels.yaml ("agency", "greeting"), or "" when absent. */
const char *levels_text(const struct pd_domain *dom, const char *key);
/* The regime ids of templates/regimes/ in force on DATE (comma-separated, "" if none); the
 * result is malloc'd. */
char *levels_regimes_on(const struct pd_domain *dom, const char *date, struct pd_diags *diags);
/* The ids of the regime files under DATADIR/templates/regimes, sorted; NULL-terminated,
 * malloc'd (free each and the array). */
char **levels_regime_ids(const struct pd_domain *dom);
/* true when the regime tree has a period that holds DATE (YYYY-MM-DD). */
bool levels_regime_in_force(const struct pd_value *regime, const char *date);
/* Checks every data file under DATADIR/templates (levels, offices, labels, every regime):
 * required keys, types, dates, and no value cut short by a comma in a flow map. Returns the
 * number of errors added. */
int levels_validate(struct pd_arena *arena, const struct pd_domain *dom, struct pd_diags *diags);
/* true when role is one of the level's deciding roles. */
bool levels_decides(const struct pd_level *lv, const char *role);
/* true when the mailbox is valid on date (YYYY-MM-DD; NULL date: always). */
bool levels_mailbox_valid(const struct pd_mailbox *m, const char *date);

#endif
