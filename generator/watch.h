/* watch: a document's inputs watched with inotify -> a callback at each change, until Ctrl-C.
 * In: files and directories. Out: the callback run again after each change; exit 0 on SIGINT. */
#ifndef PD_WATCH_H
#define PD_WATCH_H

#include <stddef.h>

struct watch_inputs {
	const char *const *files; /* each watched in its directory, with the files beside it
				     (images a case names); NULL entries are skipped */
	size_t nfiles;
	const char *const *dirs; /* every file in them and in their regimes/; NULL or missing
				    ones are skipped */
	size_t ndirs;
};

/* Runs make(ctx) now and again after every change to a watched file (a burst of changes,
 * as an editor's save, is one), until SIGINT or SIGTERM: then returns 0. PDFs, hidden
 * files, editors' backups and NAME.tmp-* files (outputs being written) never count.
 * Returns 3 when inotify cannot be set up. */
int watch_loop(const struct watch_inputs *in, int (*make)(void *ctx), void *ctx);

#endif
