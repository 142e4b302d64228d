/* docket: a docket file -> the list of jobs (case, level, document) of a batch.
 * In: the docket's value tree. Out: jobs in the arena, defaults, located diagnostics. */
#ifndef PD_DOCKET_H
#define PD_DOCKET_H

#include <stddef.h>

#include "diag.h"
#include "levels.h"
#include "value.h"

struct pd_job {
	size_t case_index; /* 0-based position in cases: */
	const char *case_path; /* resolved relative to the docket's directory */
	const char *level;
	const char *document; /* "letter" or "memo" */
	struct pd_loc loc;    /* the case entry in the docket */
};

/* Everything lives in the arena. */
struct pd_docket {
	const char *title;
	const struct pd_value *defaults; /* NULL when none */
	struct pd_job *jobs;
	size_t njobs, ncases;
};

/* Returns 0, or 1 after adding located errors (every error, not just the first). */
/* Levels are checked against dom's table (NULL: any name passes; the documents then say
 * why they cannot be made). */
int docket_load(struct pd_arena *arena, const char *path, const struct pd_domain *dom,
		struct pd_docket *docket, struct pd_diags *diags);
/* The same from a docket already read (root), its case files relative to path's directory. */
int docket_from_value(struct pd_arena *arena, const char *path, const struct pd_value *root,
		      const struct pd_domain *dom, struct pd_docket *docket,
		      struct pd_diags *diags);

/* Keeps the jobs of the cases whose index i satisfies i % n == k - 1 (1 <= k <= n). */
void docket_shard(struct pd_docket *docket, unsigned k, unsigned n);

#endif
