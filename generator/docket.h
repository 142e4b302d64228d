/* docket: a docket file read as a stream, one case entry at a time (title, defaults, then
 * the entries of cases:), so that a batch of any size holds one entry. In: the docket's
 * path. Out: its header (defaults, counts, levels) and its entries, located. */
#ifndef PD_DOCKET_H
#define PD_DOCKET_H

#include <stdio.h>
#include <stddef.h>

#include "diag.h"
#include "levels.h"
#include "value.h"

/* One job: a case entry's document. Its strings are valid until the next docket_next. */
struct pd_job {
	size_t index;          /* 0-based among the jobs of the run (after --shard) */
	size_t case_index;     /* 0-based position in cases: */
	const char *case_path; /* resolved relative to the docket's directory */
	const char *level;
	const char *document; /* "letter", "memo", ... */
	struct pd_loc loc;    /* the case entry in the docket */
	bool with_memo;       /* a letter whose entry makes the memo too */
};

struct docket_reader;

/* The header stays for the run (in the arena); the reader walks the entries. */
struct pd_docket {
	const char *path;
	const char *title;
	const struct pd_value *defaults; /* NULL when none */
	size_t ncases, njobs;            /* njobs: after the shard */
	const char **levels;             /* the distinct levels of the jobs */
	size_t nlevels;
	struct docket_reader *r;
};

/* Reads the whole docket once as a stream: checks every entry (every error, located, not
 * just the first), counts the jobs of shard K of N (1/1: all) and loads the defaults.
 * Levels and documents are checked against dom's table (NULL: any name passes). Returns 0
 * ready for docket_next, or 1 after adding errors (then docket_close). */
int docket_open(struct pd_arena *arena, const char *path, const struct pd_domain *dom,
		unsigned shard_k, unsigned shard_n, struct pd_docket *d, struct pd_diags *diags);
/* The same from a stream already open (a memory buffer: the fuzz target); f is closed
 * by docket_close. */
int docket_open_stream(struct pd_arena *arena, const char *path, FILE *f,
		       const struct pd_domain *dom, unsigned shard_k, unsigned shard_n,
		       struct pd_docket *d, struct pd_diags *diags);
/* Back to the first job; refused (1, with an error) when the file changed since it was
 * checked. */
int docket_rewind(struct pd_docket *d, struct pd_diags *diags);
/* The next job of the shard in docket order: 1, or 0 at the end. */
int docket_next(struct pd_docket *d, struct pd_job *job);
void docket_close(struct pd_docket *d);

#endif
