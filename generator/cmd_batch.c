/* cmd_batch: `pdgen batch DOCKET`: every case and document of a docket, in worker processes.
 * In: a docket file and options. Out: PDFs, OUT/manifest.jsonl, a summary; exit 1 if any failed. */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "batch.h"
#include "cmd.h"
#include "diag.h"
#include "doc.h"
#include "docket.h"
#include "typeset.h"
#include "util.h"

struct batch_opts {
	const char *docket, *outdir, *templates;
	unsigned jobs, shard_k, shard_n;
	bool quiet, verbose, force, check, stats, allow_outside, no_tags, json;
};

static int parse_shard(const char *s, struct batch_opts *o)
{
	unsigned k, n;
	char extra;
	if (sscanf(s, "%u/%u%c", &k, &n, &extra) != 2 || n == 0 || k == 0 || k > n)
		return cmd_usage_error("batch", "--shard wants K/N with 1 <= K <= N, not '%s'", s);
	o->shard_k = k;
	o->shard_n = n;
	return 0;
}

static int parse_jobs(const char *s, struct batch_opts *o)
{
	char *end;
	long j = strtol(s, &end, 10);
	if (*end || j < 1 || j > 256)
		return cmd_usage_error("batch", "-j wants a number of workers from 1 to 256");
	o->jobs = (unsigned)j;
	return 0;
}

static int parse_args(int argc, char **argv, struct batch_opts *o)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool has_arg = i + 1 < argc;
		int rc = 0;
		if (!strcmp(a, "-o") && has_arg)
			o->outdir = argv[++i];
		else if (!strcmp(a, "-j") && has_arg)
			rc = parse_jobs(argv[++i], o);
		else if (!strncmp(a, "-j", 2) && a[2])
			rc = parse_jobs(a + 2, o);
		else if (!strcmp(a, "--shard") && has_arg)
			rc = parse_shard(argv[++i], o);
		else if (!strcmp(a, "--templates") && has_arg)
			o->templates = argv[++i];
		else if (!strcmp(a, "--quiet") || !strcmp(a, "-q"))
			o->quiet = true;
		else if (!strcmp(a, "--verbose") || !strcmp(a, "-v"))
			o->verbose = true;
		else if (!strcmp(a, "--force"))
			o->force = true;
		else if (!strcmp(a, "--stats"))
			o->stats = true;
		else if (!strncmp(a, "--format=", 9)) {
			if (cmd_format(a + 9, &o->json))
				return cmd_usage_error("batch", "--format is text or json, not '%s'", a + 9);
		}
		else if (!strcmp(a, "--check"))
			o->check = true;
		else if (!strcmp(a, "--no-tags"))
			o->no_tags = true;
		else if (!strcmp(a, "--allow-outside"))
			o->allow_outside = true;
		else if (a[0] == '-')
			return cmd_usage_error("batch", "unknown option '%s'", a);
		else if (!o->docket)
			o->docket = a;
		else
			return cmd_usage_error("batch", "one docket at a time");
		if (rc)
			return rc;
	}
	if (!o->docket)
		return cmd_usage_error("batch", "a docket file is required");
	return 0;
}

/* The docket's directory: case paths are confined to its tree. */
static char *docket_dir(const char *docket)
{
	const char *slash = strrchr(docket, '/');
	return slash == docket ? xstrdup("/") : slash ? xstrndup(docket, (size_t)(slash - docket))
						     : xstrdup(".");
}

/* The page templates of every level in the docket, parsed once: a broken one is one
 * report, and no document is made. */
static int check_templates(struct pd_session *s, const struct pd_docket *d, bool json)
{
	struct pd_diags diags = {.store = doc_diag_store(s)};
	int errors = doc_check_templates(s, d->levels, d->nlevels, &diags);
	cmd_diag_print(&diags, json);
	if (errors)
		fprintf(stderr, "pdgen: error: the templates have %d error%s: no document was made\n",
			errors, errors == 1 ? "" : "s");
	diag_clear(&diags);
	return errors ? PD_EXIT_INPUT : 0;
}

int cmd_batch(int argc, char **argv)
{
	struct batch_opts o = {.outdir = "out", .shard_k = 1, .shard_n = 1};
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	o.jobs = cores > 0 ? (unsigned)cores : 1;
	int rc = parse_args(argc, argv, &o);
	if (rc)
		return rc;
	char datadir[PATH_MAX];
	struct pd_session *session = doc_session_new(cmd_datadir(datadir), o.templates);
	if (o.no_tags)
		doc_session_plain(session);
	struct pd_arena *arena = arena_new();
	struct pd_diags diags = {.store = doc_diag_store(session)}; /* the jobs' places */
	struct pd_docket docket;
	rc = docket_open(arena, o.docket, doc_domain(session), o.shard_k, o.shard_n, &docket, &diags)
		 ? PD_EXIT_INPUT : 0;
	cmd_diag_print(&diags, o.json);
	diag_clear(&diags);
	if (!rc && !o.check && dir_make(o.outdir)) {
		diag_line(stderr, "%s: error: cannot create the output directory: %s", o.outdir,
			strerror(errno));
		rc = PD_EXIT_SYSTEM;
	}
	if (rc || (rc = check_templates(session, &docket, o.json))) {
		docket_close(&docket);
		arena_free(arena);
		doc_session_free(session);
		return rc;
	}
	typeset_preload(doc_typesetter(session));
	char *dir = docket_dir(o.docket);
	struct pd_batch_run run = {
	    .session = session,
	    .docket = &docket,
	    .outdir = o.outdir,
	    .workers = o.jobs,
	    .quiet = o.quiet,
	    .verbose = o.verbose,
	    .check_only = o.check,
	    .force = o.force,
	    .stats = o.stats,
	    .docket_dir = dir,
	    .allow_outside = o.allow_outside,
	    .json = o.json,
	};
	rc = batch_run(&run);
	docket_close(&docket);
	free(dir);
	arena_free(arena);
	doc_session_free(session);
	return rc;
}
