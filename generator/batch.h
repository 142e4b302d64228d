/* batch: runs the jobs of a docket in worker processes and keeps the manifest.
 * In: a docket's jobs and options. Out: documents, OUT/manifest.jsonl, a summary, an exit code. */
#ifndef PD_BATCH_H
#define PD_BATCH_H

#include <stdbool.h>

#include "docket.h"

struct pd_session;

struct pd_batch_run {
	struct pd_session *session; /* each worker inherits it */
	struct pd_docket *docket; /* read as a stream, twice */
	const char *outdir;
	unsigned workers;
	const char *docket_dir; /* case files must lie under it, unless allow_outside */
	bool quiet, verbose, check_only, force, allow_outside;
	bool stats; /* print speed and memory figures at the end (make bench) */
	bool json;  /* --format=json: diagnostics as JSON lines on stdout */
};

/* Returns 0 when every job succeeded, 1 when any failed (a worker's crash included), 3 on
 * an I/O failure of the batch itself or a locked output directory, 130 when interrupted
 * (the manifest then lists what finished). */
int batch_run(const struct pd_batch_run *run);

#endif
