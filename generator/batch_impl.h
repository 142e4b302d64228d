/* batch_impl: between the batch driver (batch.c), its manifest journal (batch_manifest.c)
 * and the naming of outputs (batch_name.c). In: jobs and their outcomes, case files' bytes.
 * Out: manifest rows, the previous run's, output names. */
#ifndef PD_BATCH_IMPL_H
#define PD_BATCH_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "docket.h"
#include "util.h"

/* One job's outcome, as a worker reports it and the manifest records it. */
struct record {
	int status; /* exit code of submission_make */
	bool skipped, done;
	int errors, warnings, pages;
	size_t bytes;
	long long mtime_ns; /* of the output as written */
	char sha256[65], inputs[65];
	char name_inputs[65]; /* what the output's name depends on: the case, defaults, level,
			       * document and version; equal, the name is the row's */
	char *out_path, *client, *a_number;
	char *diagnostics; /* as printed on stderr */
	char *first_error; /* the first error's line, for the closing list */
	const char *files; /* "PATH\n" for each image read (in the worker only) */
};
void record_clear(struct record *r);

/* A document made by an earlier run, as its manifest row says. */
struct prev_row {
	const char *case_path, *level, *document;
	const char *output, *client, *a_number;
	const char *files; /* "PATH\n" for each image the document read, or NULL */
	char inputs[65], sha256[65], name_inputs[65];
	size_t bytes;
	int pages;
	long long mtime_ns;
};

/* qsort's order of uint64_t. */
int cmp_u64(const void *a, const void *b);

/* OUT/manifest.jsonl, a row appended (and written through) as each document finishes. */
struct journal;

/* Locks OUT against another batch (refused with a message: returns PD_EXIT_SYSTEM), removes
 * the temporary files of killed runs, reads the previous manifest and rewrites it with the
 * rows of files still there (one row per job and per output, the latest), then opens it
 * for appending. Returns 0. */
int journal_open(const char *outdir, struct journal **out);
/* The row a previous run left for the job (case file, level, document): true with row
 * filled, its strings valid until the next call. The kept rows are indexed by 8 bytes
 * each and read back from the manifest when asked for. */
bool journal_previous(struct journal *j, const struct pd_job *job, struct prev_row *row);
/* A job's row as one JSON line (diagnostics as an array of objects). */
void journal_row(struct pd_buf *out, const struct pd_job *job, const struct record *r,
		 const struct pd_diags *diags);
int journal_fd(const struct journal *j);
/* The output directory's descriptor, opened once by journal_open. */
const int *journal_dir(const struct journal *j);
/* Makes the outputs and the manifest durable (one syncfs of OUT's file system when
 * anything was written, then the manifest's fsync), unlocks and frees. Returns 0 or
 * PD_EXIT_SYSTEM after a message. */
int journal_close(struct journal *j, bool wrote);

/* The name a case's output would get (its client's names and A-number, merged over the
 * docket's defaults, as the case stage names it), read from the case file's bytes with a
 * scan of its events up to the end of client:, not a load; NULL when the scan cannot tell
 * (the document's own load then reports why). Lives in the arena. */
char *batch_output_name(struct pd_arena *arena, const struct pd_domain *dom, const char *bytes,
			size_t len, const struct pd_value *defaults, const char *level,
			const char *document);

/* The digests of the output names planned so far (each a name's 40-bit digest << 24 | its
 * job's index), in 8 bytes a job: a sorted run and the latest few, merged into it as they
 * fill. */
struct name_set {
	uint64_t *v;       /* cap entries: v[0, nsorted) sorted, then the latest */
	size_t nsorted, n, cap;
};
#define NAME_INDEX_BITS 24 /* a job's index in a key (16,777,215 jobs a docket) */
void name_set_init(struct name_set *set, size_t cap);
/* The key of the first name planned with key's digest, or 0 (a key is never 0). */
uint64_t name_set_find(const struct name_set *set, uint64_t key);
void name_set_add(struct name_set *set, uint64_t key);
void name_set_free(struct name_set *set);

#endif
