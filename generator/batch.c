/* batch: a docket's jobs made by worker processes that pull them from the parent. The
 * parent streams the docket once, keeping 8 bytes a job: it fingerprints each job as the
 * stream reaches it (an unchanged one is up to date), names its output, refuses an entry
 * that would write an earlier entry's file, and hands the rest to the workers while they
 * make the ones before; a worker that dies costs the job in its hands only. In: a docket.
 * Out: files, the manifest, a summary. */
#define _DEFAULT_SOURCE /* realpath, SIGWINCH, TIOCGWINSZ */
#include "batch.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "batch_impl.h"
#include "doc.h"
#include "fingerprint.h"
#include "submit.h"
#include "util.h"
#include "value.h"

#define DEPTH 2       /* jobs sent ahead to a worker: one in hand, one waiting */
#define RECYCLE 2000  /* jobs a worker makes before another takes its place (or
		       * PDGEN_WORKER_JOBS): what it keeps from one document to the next (memos,
		       * font programs, the names of the files it read) never grows with the docket */
#define MAX_LISTED 20 /* failed cases named in the summary */

static volatile sig_atomic_t interrupted, resized;

static void on_signal(int sig)
{
	if (sig == SIGWINCH)
		resized = 1;
	else
		interrupted = 1;
}

static void catch_signals(void)
{
	struct sigaction sa = {0};
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_flags = SA_RESTART; /* a resized terminal interrupts no read */
	sigaction(SIGWINCH, &sa, NULL);
	signal(SIGPIPE, SIG_IGN); /* a dead worker's pipe: found by its end of file */
}

/* A job in a worker's hands: a copy, since the docket's stream has moved on, and the key
 * of the name its output was planned under (0: the plan could not name it). */
struct flight {
	struct pd_job job;
	char *case_path;
	uint64_t name_key;
};

struct worker {
	pid_t pid; /* 0: none */
	int cmd, rec; /* jobs out (-1 once it has had its share), records in */
	size_t given;
	struct pd_buf data;
	struct flight inflight[DEPTH];
	unsigned ninflight;
};

#define PRINTED_KEPT 256

struct tally {
	size_t done, made, failed, skipped, bytes;
	int warnings;
	double start, shown_at;
	int cols; /* the terminal's width, 0 without a progress bar */
	bool bar_shown;
	struct pd_buf failures; /* the first MAX_LISTED, a line each */
	/* The diagnostics printed lately, by case: a case's letter, memo and packet report the
	 * same warning once (the manifest keeps each document's). A ring of their digests. */
	uint64_t printed[PRINTED_KEPT];
	unsigned nprinted;
};

/* Two entries that may write one file: their output names' digests are equal. */
struct suspect {
	size_t second, first;
};

struct batch {
	const struct pd_batch_run *run;
	struct pd_docket *docket;
	struct journal *journal;
	char setup_fp[65], defaults_fp[65];
	const char *docket_dir; /* real path: cases must lie under it */
	struct name_set names;  /* the names planned so far, the first of each digest */
	struct suspect *suspects; /* entries held back: their name's digest is an earlier's */
	size_t nsuspects;
	struct pd_arena *scratch; /* a plan's, emptied after each */
	struct flight *again;   /* jobs a lost worker held, handed out first */
	size_t nagain;
	struct flight next;     /* the next job of the stream, when has_next */
	bool has_next, stream_done;
	struct worker *w;
	unsigned nw;            /* started as jobs come, no more than -j */
	bool no_more_workers;   /* one could not be started */
	unsigned restarts;
	size_t recycle; /* jobs a worker is given */
	struct tally t;
	int rc;
};

#define INDEX_BITS NAME_INDEX_BITS

/* The name's digest and the job's index + 1 (never 0). */
static uint64_t name_key(const char *name, size_t idx)
{
	const char *base = strrchr(name, '/');
	base = base ? base + 1 : name;
	return hash_bytes(base, strlen(base)) >> INDEX_BITS << INDEX_BITS | (idx + 1);
}

static size_t key_index(uint64_t key)
{
	return (size_t)(key & ~(~(uint64_t)0 << INDEX_BITS)) - 1;
}

static struct flight flight_of(const struct pd_job *job, uint64_t name_key)
{
	struct flight f = {*job, xstrdup(job->case_path), name_key};
	f.job.case_path = f.case_path;
	return f;
}

/* ------------------------------------------------------------- records */

void record_clear(struct record *r)
{
	free(r->out_path);
	free(r->client);
	free(r->a_number);
	free(r->diagnostics);
	free(r->first_error);
	*r = (struct record){0};
}

/* Ends each diagnostic in a record's text: a control character diag_print never prints
 * (it escapes them), so the parent can tell one diagnostic's lines from the next. */
#define DIAG_END '\x1e'

/* The diagnostics as diag_print (or with json diag_print_json) shows them, each ended by
 * DIAG_END, and the first error's first line. */
static void describe_diags(const struct pd_diags *diags, struct record *r, bool json)
{
	char *text = NULL;
	size_t len = 0;
	FILE *mem = diags->n ? open_memstream(&text, &len) : NULL; /* none: nothing to print */
	for (size_t i = 0; mem && i < diags->n; i++) {
		struct pd_diags one = *diags;
		one.v = &diags->v[i];
		one.n = 1;
		if (json)
			diag_print_json(&one, mem);
		else
			diag_print(&one, mem);
		fputc(DIAG_END, mem);
	}
	if (mem)
		fclose(mem);
	r->diagnostics = text;
	for (size_t i = 0; i < diags->n && !r->first_error; i++)
		if (diags->v[i].sev == PD_ERROR)
			r->first_error = xstrdup(diags->v[i].msg);
	r->errors = diags->errors;
	r->warnings = diags->warnings;
}

/* A record travels as "idx status errors warnings pages bytes sha\n" and then five
 * length-prefixed strings: "len\n" bytes. */
static void put_string(struct pd_buf *b, const char *s)
{
	s = s ? s : "";
	buf_printf(b, "%zu\n", strlen(s));
	buf_puts(b, s);
}

static void send_record(int fd, size_t idx, const struct record *r)
{
	struct pd_buf b = {0};
	buf_printf(&b, "%zu %d %d %d %d %zu %s\n", idx, r->status, r->errors, r->warnings,
		   r->pages, r->bytes, r->sha256[0] ? r->sha256 : "-");
	const char *strings[] = {r->out_path, r->client, r->a_number, r->diagnostics,
				 r->first_error};
	for (size_t i = 0; i < 5; i++)
		put_string(&b, strings[i]);
	if (fd_write_all(fd, b.s, b.len) < 0)
		_exit(PD_EXIT_SYSTEM);
	buf_free(&b);
}

static size_t take_string(const char *p, const char *end, char **out)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	if (!nl)
		return 0;
	size_t len = strtoul(p, NULL, 10);
	if ((size_t)(end - nl - 1) < len)
		return 0;
	*out = len ? xstrndup(nl + 1, len) : NULL;
	return (size_t)(nl + 1 - p) + len;
}

/* Parses one whole record at the start of data; returns its length or 0 if incomplete. */
static size_t parse_record(const char *data, size_t len, size_t *idx, struct record *r)
{
	const char *nl = memchr(data, '\n', len), *p, *end = data + len;
	struct record tmp = {0};
	if (!nl || sscanf(data, "%zu %d %d %d %d %zu %64s", idx, &tmp.status, &tmp.errors,
			  &tmp.warnings, &tmp.pages, &tmp.bytes, tmp.sha256) != 7)
		return 0;
	if (!strcmp(tmp.sha256, "-"))
		tmp.sha256[0] = '\0';
	p = nl + 1;
	char **fields[] = {&tmp.out_path, &tmp.client, &tmp.a_number, &tmp.diagnostics,
			   &tmp.first_error};
	for (size_t i = 0; i < 5; i++) {
		size_t n = take_string(p, end, fields[i]);
		if (!n) {
			record_clear(&tmp);
			return 0;
		}
		p += n;
	}
	tmp.done = true;
	*r = tmp;
	return (size_t)(p - data);
}

/* ------------------------------------------------------------- workers */

/* The modification time of a file written in the output directory. */
static long long mtime_ns(const struct batch *B, const char *path)
{
	struct stat st;
	const char *name = strrchr(path, '/');
	if (fstatat(*journal_dir(B->journal), name ? name + 1 : path, &st, AT_SYMLINK_NOFOLLOW))
		return 0;
	return (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
}

/* The document as its inputs' fingerprint knows it: a letter made with its memo says so. */
static const char *fp_document(const struct pd_job *job)
{
	return job->with_memo ? "letter+memo" : job->document;
}

/* The job's two fingerprints (its inputs, what names its output) from the case file's
 * bytes as the document read them (read again when it kept none). */
static void job_fingerprints(const struct batch *B, const struct pd_job *job, const char *text,
			     struct record *r)
{
	size_t len = text ? strlen(text) : 0;
	char *bytes = text ? NULL : file_read(job->case_path, &len, VALUE_MAX_BYTES);
	char case_fp[65];
	fp_bytes(text ? text : bytes ? bytes : "", len, case_fp);
	free(bytes);
	fp_job(B->setup_fp, B->defaults_fp, job->level, fp_document(job), case_fp, r->inputs);
	fp_job("pdgen " PD_VERSION, B->defaults_fp, job->level, job->document, case_fp,
	       r->name_inputs);
}

struct name_guard {
	const struct pd_job *job;
	uint64_t key; /* of the name the job was planned under, 0 for none */
};

/* A document the case now names otherwise than when the names were checked against each
 * other before the batch began (its case changed meanwhile): refused before it is made, so
 * that it cannot take another entry's file. */
static bool check_name(const char *out_path, struct pd_diags *diags, void *arg)
{
	const struct name_guard *g = arg;
	if (g->key && name_key(out_path, g->job->index) == g->key)
		return true;
	diag_error(diags, g->job->loc, "%s is not the name this entry was checked under against "
		   "the others' (was the case file changed while the batch ran?): run the batch "
		   "again", out_path);
	return false;
}

/* Makes one job; its row goes to the manifest here, right after its file was renamed into
 * place. */
static void make_one(const struct batch *B, const struct pd_job *job, uint64_t name_key,
		     struct record *r)
{
	const struct pd_batch_run *run = B->run;
	struct pd_doc_request req = {
	    .case_path = job->case_path,
	    .level = job->level,
	    .document = job->document,
	    .with_memo = job->with_memo,
	    .out = run->outdir,
	    .defaults = B->docket->defaults,
	    .check_only = run->check_only,
	    .out_dir = journal_dir(B->journal),
	    .name_check = check_name,
	    .name_check_arg = &(struct name_guard){job, name_key},
	};
	struct pd_doc_result res = {0};
	struct pd_diags diags = {0};
	r->status = submission_make(run->session, &req, &res, &diags);
	for (size_t i = 0; i < diags.n; i++) /* an error of the document asked for: its entry's */
		if (!diags.v[i].loc.file)
			diags.v[i].loc = job->loc;
	r->status = r->status ? r->status : diags.errors ? PD_EXIT_INPUT : 0;
	r->pages = res.pages;
	r->bytes = res.bytes;
	memcpy(r->sha256, res.sha256, sizeof r->sha256);
	r->out_path = res.out_path ? xstrdup(res.out_path) : NULL;
	r->client = res.client ? xstrdup(res.client) : NULL;
	r->a_number = res.a_number ? xstrdup(res.a_number) : NULL;
	describe_diags(&diags, r, run->json);
	job_fingerprints(B, job, res.source_text, r);
	fp_files(r->inputs, res.files_read, r->inputs); /* its images are inputs too */
	r->files = res.files_read;
	if (journal_fd(B->journal) >= 0) {
		struct pd_buf row = {0};
		r->mtime_ns = r->status ? 0 : mtime_ns(B, r->out_path);
		journal_row(&row, job, r, &diags);
		fd_write_all(journal_fd(B->journal), row.s, row.len);
		buf_free(&row);
	}
	diag_clear(&diags);
	doc_result_clear(&res);
	r->files = NULL;
}

/* A job as it travels to a worker: "idx case_index line col with_memo name_key\n", then
 * the case file, level and document as length-prefixed strings. */
static void send_job(int fd, const struct flight *f)
{
	const struct pd_job *job = &f->job;
	struct pd_buf b = {0};
	buf_printf(&b, "%zu %zu %d %d %d %llx\n", job->index, job->case_index, job->loc.line,
		   job->loc.col, job->with_memo, (unsigned long long)f->name_key);
	put_string(&b, job->case_path);
	put_string(&b, job->level);
	put_string(&b, job->document);
	fd_write_all(fd, b.s, b.len); /* a dead worker: found by poll */
	buf_free(&b);
}

static char *read_string(FILE *in)
{
	char line[32];
	size_t len;
	if (!fgets(line, sizeof line, in) || sscanf(line, "%zu", &len) != 1 || len > 1u << 20)
		return NULL;
	char *s = xmalloc(len + 1);
	if (fread(s, 1, len, in) != len) {
		free(s);
		return NULL;
	}
	s[len] = '\0';
	return s;
}

static bool receive_job(FILE *in, struct pd_job *job, uint64_t *name_key, char *strings[3])
{
	char line[128];
	unsigned long long key;
	int with_memo;
	if (!fgets(line, sizeof line, in) ||
	    sscanf(line, "%zu %zu %d %d %d %llx", &job->index, &job->case_index, &job->loc.line,
		   &job->loc.col, &with_memo, &key) != 6)
		return false;
	job->with_memo = with_memo;
	*name_key = key;
	for (size_t i = 0; i < 3; i++)
		strings[i] = read_string(in);
	job->case_path = strings[0];
	job->level = strings[1];
	job->document = strings[2];
	return strings[0] && strings[1] && strings[2];
}

/* Takes jobs until the pipe closes or Ctrl-C. */
static void worker_main(struct batch *B, int cmd, int rec)
{
	signal(SIGWINCH, SIG_IGN);
	FILE *in = fdopen(cmd, "r");
	char *strings[3] = {0};
	struct pd_job job = {.loc.file = diag_intern(&(struct pd_diags){
					.store = doc_diag_store(B->run->session)}, B->docket->path)};
	uint64_t name_key;
	while (in && !interrupted && receive_job(in, &job, &name_key, strings)) {
		struct record r = {0};
		make_one(B, &job, name_key, &r);
		send_record(rec, job.index, &r);
		record_clear(&r);
		for (size_t i = 0; i < 3; i++)
			free(strings[i]), strings[i] = NULL;
	}
	for (size_t i = 0; i < 3; i++)
		free(strings[i]);
	doc_session_free(B->run->session);
	_exit(0);
}

static int start_worker(struct batch *B, struct worker *w)
{
	int cmd[2], rec[2];
	if (pipe(cmd) != 0)
		return -1;
	if (pipe(rec) != 0) {
		close(cmd[0]);
		close(cmd[1]);
		return -1;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		for (unsigned k = 0; k < B->nw; k++)
			if (B->w[k].pid > 0) {
				close(B->w[k].cmd);
				close(B->w[k].rec);
			}
		close(cmd[1]);
		close(rec[0]);
		worker_main(B, cmd[0], rec[1]);
	}
	close(cmd[0]);
	close(rec[1]);
	if (pid < 0) {
		close(cmd[1]);
		close(rec[0]);
		return -1;
	}
	*w = (struct worker){.pid = pid, .cmd = cmd[1], .rec = rec[0]};
	return 0;
}

/* ------------------------------------------------------------- progress */

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int terminal_width(void)
{
	struct winsize ws;
	return ioctl(2, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 ? ws.ws_col : 80;
}

/* "[====    ] 120/4000  850/s  0:04 left", cut to the terminal's width (resized with it). */
static void show_progress(struct tally *t, size_t total)
{
	if (resized) {
		resized = 0;
		t->cols = terminal_width();
	}
	double elapsed = now() - t->start;
	double rate = elapsed > 0 ? (double)t->done / elapsed : 0;
	double left = rate > 0 ? (double)(total - t->done) / rate : 0;
	char tail[96];
	int tlen = snprintf(tail, sizeof tail, " %zu/%zu  %.0f/s  %d:%02d left", t->done, total,
			    rate, (int)left / 60, (int)left % 60);
	int width = t->cols - 1 - tlen - 2; /* the last column left empty: no wrap */
	if (width > 40)
		width = 40;
	struct pd_buf line = {0};
	buf_puts(&line, "\r\033[K");
	if (width >= 5) {
		int filled = total ? (int)((double)width * (double)t->done / (double)total) : 0;
		buf_putc(&line, '[');
		for (int i = 0; i < width; i++)
			buf_putc(&line, i < filled ? '=' : ' ');
		buf_putc(&line, ']');
		buf_puts(&line, tail);
	} else {
		buf_put(&line, tail + 1, (size_t)(t->cols > 2 && tlen > t->cols - 2 ? t->cols - 2
									   : tlen - 1));
	}
	fputs(line.s, stderr);
	buf_free(&line);
	t->bar_shown = true;
}

/* Clears the bar's line, so that what follows starts on its own line. */
static void clear_bar(struct tally *t)
{
	if (t->bar_shown)
		fputs("\r\033[K", stderr);
	t->bar_shown = false;
}

static void note_failure(struct tally *t, const struct pd_job *job, const struct record *r)
{
	if (t->failed > MAX_LISTED)
		return;
	struct pd_buf line = {0};
	buf_printf(&line, "  %s (%s %s): %s", job->case_path, job->level, job->document,
		   r->first_error ? r->first_error : "failed");
	buf_put(&t->failures, line.s, line.len);
	buf_putc(&t->failures, '\n');
	buf_free(&line);
}

static bool printed_before(struct tally *t, uint64_t digest)
{
	for (unsigned i = 0; i < PRINTED_KEPT && i < t->nprinted; i++)
		if (t->printed[i] == digest)
			return true;
	t->printed[t->nprinted++ % PRINTED_KEPT] = digest;
	return false;
}

/* A job's diagnostics (describe_diags's text), each printed unless the same case printed
 * it already. */
static void print_diagnostics(struct tally *t, size_t case_index, const char *text, FILE *out)
{
	while (*text) {
		const char *end = strchr(text, DIAG_END);
		size_t len = end ? (size_t)(end - text) : strlen(text);
		uint64_t digest = hash_bytes(text, len) ^ (case_index + 1) * 0x9E3779B97F4A7C15u;
		if (!printed_before(t, digest))
			fwrite(text, 1, len, out);
		text += len + (end != NULL);
	}
}

/* A job's final outcome: counted, its diagnostics printed, the bar redrawn; r cleared. */
static void account(struct batch *B, const struct pd_job *job, struct record *r)
{
	const struct pd_batch_run *run = B->run;
	struct tally *t = &B->t;
	t->done++;
	t->warnings += r->warnings;
	if (r->status)
		t->failed++, note_failure(t, job, r);
	else if (r->skipped)
		t->skipped++;
	else
		t->made++, t->bytes += r->bytes;
	if (r->diagnostics && *r->diagnostics && !run->quiet) {
		clear_bar(t);
		print_diagnostics(t, job->case_index, r->diagnostics, /* escaped by diag_print */
				  run->json ? stdout : stderr);
	}
	if (run->verbose && !r->status) {
		clear_bar(t);
		diag_line(stderr, "%s %s", r->skipped ? "up to date:" : "made:", r->out_path);
	}
	double at = t->cols ? now() : 0;
	if (t->cols && (at - t->shown_at >= 0.1 || t->done == B->docket->njobs)) {
		show_progress(t, B->docket->njobs); /* ten times a second at most */
		t->shown_at = at;
	}
	record_clear(r);
}

/* A job that fails in the parent: an error at its docket entry, a manifest row. */
static void fail_job(struct batch *B, const struct pd_job *job, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void fail_job(struct batch *B, const struct pd_job *job, const char *fmt, ...)
{
	struct pd_diags diags = {.store = doc_diag_store(B->run->session)};
	va_list ap;
	va_start(ap, fmt);
	diag_vadd(&diags, PD_ERROR, job->loc, NULL, fmt, ap);
	va_end(ap);
	struct record r = {.status = PD_EXIT_INPUT};
	describe_diags(&diags, &r, B->run->json);
	if (journal_fd(B->journal) >= 0) {
		struct pd_buf row = {0};
		journal_row(&row, job, &r, &diags);
		fd_write_all(journal_fd(B->journal), row.s, row.len);
		buf_free(&row);
	}
	diag_clear(&diags);
	account(B, job, &r);
}

/* ------------------------------------------------------------- the queue */

static bool plan_one(struct batch *B, const struct pd_job *job, uint64_t *name_key);
static void resolve_suspects(struct batch *B);

/* The next job to make: one a lost worker held (or held back and cleared), else the
 * docket's next one to make, planned as the stream reaches it. */
static bool next_job(struct batch *B, struct flight *f)
{
	struct pd_job job;
	uint64_t key;
	while (!B->nagain && !B->stream_done && !interrupted) {
		if (!docket_next(B->docket, &job)) {
			B->stream_done = true;
			resolve_suspects(B); /* the entries held back: made, or refused */
		} else if (plan_one(B, &job, &key)) {
			*f = flight_of(&job, key);
			return true;
		}
	}
	if (!B->nagain)
		return false;
	*f = B->again[--B->nagain];
	return true;
}

static bool more_jobs(struct batch *B)
{
	if (!B->has_next && !interrupted)
		B->has_next = next_job(B, &B->next);
	return B->has_next && !interrupted;
}

/* No job is handed out any more: the rest is counted as not run. */
static void stop_handing_out(struct batch *B)
{
	B->stream_done = true;
	while (B->nagain)
		free(B->again[--B->nagain].case_path);
	if (B->has_next)
		free(B->next.case_path);
	B->has_next = false;
}

static bool busy(const struct batch *B)
{
	for (unsigned i = 0; i < B->nw; i++)
		if (B->w[i].ninflight)
			return true;
	return false;
}

/* The worker to give a job to: the one with fewest in hand, or a new one while there are
 * fewer than -j and every worker has one. NULL when none can take it. */
static struct worker *taker(struct batch *B)
{
	struct worker *best = NULL, *unused = NULL;
	unsigned live = 0;
	for (unsigned i = 0; i < B->nw; i++) {
		struct worker *w = &B->w[i];
		live += w->pid > 0;
		if (w->pid > 0 && w->cmd >= 0 && w->ninflight < DEPTH &&
		    (!best || w->ninflight < best->ninflight))
			best = w;
		else if (!w->pid && !unused)
			unused = w;
	}
	if (!unused || B->no_more_workers || (best && !best->ninflight))
		return best;
	if (start_worker(B, unused) == 0)
		return unused;
	B->no_more_workers = true;
	if (!live) {
		diag_line(stderr, "pdgen: error: cannot start a worker: %s", strerror(errno));
		B->rc = PD_EXIT_SYSTEM;
		stop_handing_out(B);
	}
	return best;
}

static void dispatch(struct batch *B)
{
	struct worker *w;
	while (more_jobs(B) && (w = taker(B))) {
		w->inflight[w->ninflight++] = B->next;
		B->has_next = false;
		send_job(w->cmd, &B->next);
		if (++w->given == B->recycle) { /* it ends after these: another takes its place */
			close(w->cmd);
			w->cmd = -1;
		}
	}
}

/* A record from a worker: the job's outcome. */
static void take_record(struct batch *B, struct worker *w, size_t idx, struct record *r)
{
	unsigned k = 0;
	while (k < w->ninflight && w->inflight[k].job.index != idx)
		k++;
	if (k == w->ninflight) { /* not a job of this worker's: ignored */
		record_clear(r);
		return;
	}
	struct flight f = w->inflight[k];
	memmove(w->inflight + k, w->inflight + k + 1, (--w->ninflight - k) * sizeof *w->inflight);
	account(B, &f.job, r);
	free(f.case_path);
}

static void drain(struct batch *B, struct worker *w)
{
	size_t used = 0, n, idx;
	struct record r;
	while ((n = parse_record(w->data.s + used, w->data.len - used, &idx, &r)) > 0) {
		used += n;
		take_record(B, w, idx, &r);
	}
	memmove(w->data.s, w->data.s + used, w->data.len - used);
	w->data.len -= used;
}

static const char *how_it_ended(int st, char *buf, size_t len)
{
	if (WIFSIGNALED(st))
		snprintf(buf, len, "was killed by signal %d (%s)", WTERMSIG(st),
			 strsignal(WTERMSIG(st)));
	else if (WIFEXITED(st) && WEXITSTATUS(st))
		snprintf(buf, len, "exited with status %d", WEXITSTATUS(st));
	else
		snprintf(buf, len, "stopped");
	return buf;
}

/* A worker's pipe closed: it is reaped; the job in its hands fails, naming how it ended,
 * the one waiting goes back to the queue, and a new worker takes its place. */
static void worker_lost(struct batch *B, struct worker *w)
{
	close(w->rec);
	if (w->cmd >= 0)
		close(w->cmd);
	int st = 0;
	pid_t got;
	while ((got = waitpid(w->pid, &st, 0)) < 0 && errno == EINTR)
		;
	char how[96];
	if (got < 0)
		snprintf(how, sizeof how, "was lost (waitpid: %s)", strerror(errno));
	else
		how_it_ended(st, how, sizeof how);
	buf_free(&w->data);
	unsigned n = w->ninflight;
	struct flight held[DEPTH];
	memcpy(held, w->inflight, sizeof held);
	*w = (struct worker){0};
	if (n && !interrupted)
		fail_job(B, &held[0].job, "the worker process making this document %s; the other "
			 "documents go on", how);
	if (n)
		free(held[0].case_path);
	for (unsigned k = n; k-- > 1;) { /* handed out again first, in their order */
		if (interrupted) {
			free(held[k].case_path);
			continue;
		}
		B->again = xrealloc(B->again, (B->nagain + 1) * sizeof *B->again);
		B->again[B->nagain++] = held[k];
	}
	if (more_jobs(B) && (++B->restarts > 2 * B->nw + B->docket->njobs || start_worker(B, w))) {
		diag_line(stderr, "pdgen: error: cannot start a worker process: %s", strerror(errno));
		B->rc = PD_EXIT_SYSTEM;
		stop_handing_out(B); /* the rest is not run */
	}
}

/* Reads records until the queue is empty and no worker holds a job (with closing, until
 * every worker has gone). An interrupt is passed on to the workers (a terminal sends it
 * to all; kill(1) to the parent only): each finishes the document in hand and stops. */
static void pump(struct batch *B, bool closing)
{
	struct pollfd *pfd = xcalloc(B->nw, sizeof *pfd);
	bool passed_on = false;
	for (;;) {
		if (interrupted && !passed_on) {
			for (unsigned i = 0; i < B->nw; i++)
				if (B->w[i].pid > 0)
					kill(B->w[i].pid, SIGINT);
			passed_on = true;
		}
		dispatch(B);
		unsigned live = 0;
		for (unsigned i = 0; i < B->nw; i++) {
			pfd[i] = (struct pollfd){B->w[i].pid > 0 ? B->w[i].rec : -1, POLLIN, 0};
			live += B->w[i].pid > 0;
		}
		bool work = more_jobs(B) || busy(B);
		if (!live || (!closing && !work))
			break;
		if (poll(pfd, B->nw, -1) < 0) {
			if (errno == EINTR)
				continue;
			diag_line(stderr, "pdgen: error: waiting for the workers: %s", strerror(errno));
			stop_handing_out(B);
			for (unsigned i = 0; i < B->nw; i++)
				if (B->w[i].pid > 0)
					kill(B->w[i].pid, SIGKILL), worker_lost(B, &B->w[i]);
			B->rc = PD_EXIT_SYSTEM;
			break;
		}
		for (unsigned i = 0; i < B->nw; i++) {
			struct worker *w = &B->w[i];
			if (w->pid <= 0 || !(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			char chunk[65536];
			ssize_t got = read(w->rec, chunk, sizeof chunk);
			if (got < 0 && errno == EINTR)
				continue;
			if (got <= 0) {
				worker_lost(B, w);
				continue;
			}
			buf_put(&w->data, chunk, (size_t)got);
			drain(B, w);
		}
	}
	free(pfd);
}

/* Closes the job pipes: each worker ends; waits for all. */
static void stop_workers(struct batch *B)
{
	for (unsigned i = 0; i < B->nw; i++)
		if (B->w[i].pid > 0 && B->w[i].cmd >= 0) {
			close(B->w[i].cmd);
			B->w[i].cmd = -1;
		}
	pump(B, true);
}

/* ------------------------------------------------------------- the plan */

/* Outside the docket's directory tree (its real path, symbolic links followed)? */
static bool outside(const struct batch *B, const char *case_path)
{
	char *real = realpath(case_path, NULL);
	size_t n = strlen(B->docket_dir);
	bool out = real && (strncmp(real, B->docket_dir, n) || (real[n] != '/' && n > 1));
	free(real);
	return out;
}

/* The output a previous run made is there as it left it (size and time). */
static bool intact(const struct batch *B, const struct prev_row *p)
{
	struct stat st;
	const char *name = p->output ? strrchr(p->output, '/') : NULL;
	return name && fstatat(*journal_dir(B->journal), name + 1, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	       S_ISREG(st.st_mode) &&
	       (size_t)st.st_size == p->bytes &&
	       (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec == p->mtime_ns;
}

/* What the plan found for a job. */
struct plan {
	bool up_to_date;
	char *name; /* its output's name (malloc'd), or NULL when the scan cannot tell */
	struct prev_row prev; /* with up_to_date: the row that says so */
};

/* Names a job's output: from its previous row when that row's fingerprint of what names it
 * is the job's (and says whether the document is up to date), else from a scan of the
 * case file's bytes. Returns 0, or an errno reading the case. */
static int plan_job(struct batch *B, const struct pd_job *job, struct pd_arena *scratch,
		    struct plan *p)
{
	*p = (struct plan){0};
	size_t len;
	char *bytes = file_read(job->case_path, &len, VALUE_MAX_BYTES);
	if (!bytes)
		return errno ? errno : EIO;
	char case_fp[65], inputs[65], names[65], with_files[65];
	fp_bytes(bytes, len, case_fp);
	fp_job(B->setup_fp, B->defaults_fp, job->level, fp_document(job), case_fp, inputs);
	fp_job("pdgen " PD_VERSION, B->defaults_fp, job->level, job->document, case_fp, names);
	struct prev_row *row = &p->prev;
	bool found = !B->run->force && journal_previous(B->journal, job, row);
	if (found)
		fp_files(inputs, row->files, with_files);
	if (found && !strcmp(row->inputs, with_files) && intact(B, row))
		p->up_to_date = true;
	if (found && row->output && !strcmp(row->name_inputs, names))
		p->name = xstrdup(row->output);
	else {
		const char *name = batch_output_name(scratch, doc_domain(B->run->session), bytes, len,
						     B->docket->defaults, job->level, job->document);
		p->name = name ? xstrdup(name) : NULL;
		arena_reset(scratch);
	}
	free(bytes);
	return 0;
}

static void take_previous(struct batch *B, const struct pd_job *job, const struct prev_row *p)
{
	struct record r = {.skipped = true, .pages = p->pages, .bytes = p->bytes,
			   .out_path = xstrdup(p->output)};
	account(B, job, &r);
}

/* A job as the stream reaches it: its case (a regular file inside the docket's tree)
 * fingerprinted and its output named. True for one to make, with its name's key; an
 * up-to-date or refused one is settled here, and one whose name's digest an earlier
 * entry's has is held back, to be compared once the docket is read. */
static bool plan_one(struct batch *B, const struct pd_job *job, uint64_t *name_key_out)
{
	if (!B->run->allow_outside && outside(B, job->case_path)) {
		fail_job(B, job, "case file '%s' is outside the docket's directory %s (give "
			 "--allow-outside to read it)", job->case_path, B->docket_dir);
		return false;
	}
	struct plan p;
	int err = plan_job(B, job, B->scratch, &p);
	if (err) {
		fail_job(B, job, "cannot read case file '%s': %s", job->case_path,
			 err == EFBIG ? "over 16 MB" : file_strerror(err));
		return false;
	}
	uint64_t key = p.name ? name_key(p.name, job->index) : 0;
	uint64_t first = key ? name_set_find(&B->names, key) : 0;
	free(p.name);
	if (first) {
		B->suspects = xrealloc(B->suspects, (B->nsuspects + 1) * sizeof *B->suspects);
		B->suspects[B->nsuspects++] = (struct suspect){job->index, key_index(first)};
		return false;
	}
	if (key)
		name_set_add(&B->names, key);
	if (p.up_to_date)
		take_previous(B, job, &p.prev);
	*name_key_out = key;
	return !p.up_to_date;
}

/* The jobs of the suspects, found again in the docket: each one's copy and name. */
struct involved {
	size_t n, *index;
	struct flight *job;
	char **name;
};

static size_t involved_at(const struct involved *v, size_t idx)
{
	size_t lo = 0, hi = v->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v->index[mid] < idx)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	return x < y ? -1 : x > y;
}

/* Names the jobs of the suspects again (a pass over the docket, reading their cases only). */
static void name_involved(struct batch *B, const struct suspect *s, size_t ns, struct involved *v)
{
	v->index = xmalloc(2 * ns * sizeof *v->index);
	for (size_t i = 0; i < ns; i++)
		v->index[v->n++] = s[i].second, v->index[v->n++] = s[i].first;
	qsort(v->index, v->n, sizeof *v->index, cmp_size);
	size_t u = 0;
	for (size_t i = 0; i < v->n; i++)
		if (!u || v->index[u - 1] != v->index[i])
			v->index[u++] = v->index[i];
	v->n = u;
	v->job = xcalloc(u, sizeof *v->job);
	v->name = xcalloc(u, sizeof *v->name);
	struct pd_job job;
	while (docket_next(B->docket, &job)) {
		size_t k = involved_at(v, job.index);
		if (k == v->n || v->index[k] != job.index)
			continue;
		struct plan p;
		v->job[k] = flight_of(&job, 0);
		v->name[k] = plan_job(B, &job, B->scratch, &p) ? NULL : p.name;
	}
}

/* The entries held back (their name's digest an earlier entry's), once the docket is read:
 * with the earlier entry's very name, one is refused at its line, naming that entry; else
 * (alike digests, other names) it is made. Read again in a pass over the docket. */
static void resolve_suspects(struct batch *B)
{
	struct suspect *s = B->suspects;
	size_t ns = B->nsuspects;
	B->suspects = NULL, B->nsuspects = 0;
	struct pd_diags diags = {.store = doc_diag_store(B->run->session)};
	if (ns && docket_rewind(B->docket, &diags)) { /* the docket changed meanwhile */
		diag_print(&diags, stderr);
		B->rc = PD_EXIT_INPUT;
	}
	diag_clear(&diags);
	struct involved v = {0};
	if (ns && !B->rc)
		name_involved(B, s, ns, &v);
	for (size_t i = ns; v.n && i-- > 0;) { /* from the last: handed out in the docket's order */
		size_t ka = involved_at(&v, s[i].first), kb = involved_at(&v, s[i].second);
		const struct flight *a = &v.job[ka], *b = &v.job[kb];
		if (!b->case_path)
			continue; /* not found again: counted as not run */
		if (!a->case_path || !v.name[ka] || !v.name[kb] || strcmp(v.name[ka], v.name[kb])) {
			B->again = xrealloc(B->again, (B->nagain + 1) * sizeof *B->again);
			B->again[B->nagain++] = flight_of(&b->job, v.name[kb] ? name_key(v.name[kb],
								   b->job.index) : 0);
			continue;
		}
		const char *base = strrchr(v.name[kb], '/'), *dir = B->run->outdir;
		size_t n = strlen(dir);
		fail_job(B, &b->job, "this entry would write %s%s%s, as the entry at line %d does "
			 "(%s): change the client's name or A-number in one case, or drop one entry",
			 dir, n && dir[n - 1] == '/' ? "" : "/", base ? base + 1 : v.name[kb],
			 a->job.loc.line, a->case_path);
	}
	for (size_t k = 0; k < v.n; k++)
		free(v.job[k].case_path), free(v.name[k]);
	free(v.job);
	free(v.name);
	free(v.index);
	free(s);
}

/* ------------------------------------------------------------- the run */

static void summary(struct batch *B)
{
	const struct pd_batch_run *run = B->run;
	struct tally *t = &B->t;
	if (run->quiet && !t->failed)
		return;
	size_t not_run = B->docket->njobs - t->done;
	fprintf(stderr, "pdgen: %zu %s, %zu failed, %zu up to date, %d warning%s", t->made,
		run->check_only ? "checked" : "made", t->failed, t->skipped, t->warnings,
		t->warnings == 1 ? "" : "s");
	if (not_run)
		fprintf(stderr, ", %zu not run%s", not_run, interrupted ? " (interrupted)" : "");
	fputc('\n', stderr);
	if (!t->failed)
		return;
	fputs("failed:\n", stderr);
	if (t->failures.len)
		t->failures.s[t->failures.len - 1] = '\0'; /* diag_put_text ends the line */
	diag_put_text(t->failures.s ? t->failures.s : "", stderr);
	if (t->failed > MAX_LISTED)
		fprintf(stderr, "  ... and %zu more", t->failed - MAX_LISTED);
	if (!run->check_only)
		diag_line(stderr, "%severy document's row is in %s/manifest.jsonl",
			  t->failed > MAX_LISTED ? "; " : "  ", run->outdir);
	else if (t->failed > MAX_LISTED)
		fputc('\n', stderr);
}

static void print_stats(const struct tally *t)
{
	double wall = now() - t->start;
	struct rusage ru;
	getrusage(RUSAGE_CHILDREN, &ru);
	size_t made = t->made ? t->made : 1;
	printf("letters: %zu in %.2f s: %.1f letters/s, %.2f ms per letter (wall)\n", t->made, wall,
	       (double)t->made / wall, wall * 1000 / (double)made);
	printf("peak memory per worker: %.1f MB\n", (double)ru.ru_maxrss / 1024);
	getrusage(RUSAGE_SELF, &ru);
	printf("peak memory of the parent: %.1f MB\n", (double)ru.ru_maxrss / 1024);
	printf("size: %.1f KB per letter made\n", (double)t->bytes / 1024 / (double)made);
}

/* The digests every job shares: inputs (templates, data, fonts, version) and options. */
static void shared_fingerprints(struct batch *B)
{
	const char *dirs[3];
	size_t n = doc_input_dirs(B->run->session, dirs);
	fp_setup(dirs, n, B->run->check_only ? "check" : "pdf", B->setup_fp);
	fp_value(B->docket->defaults, B->defaults_fp);
}

static void batch_free(struct batch *B)
{
	stop_handing_out(B);
	free(B->again);
	free(B->suspects);
	name_set_free(&B->names);
	arena_free(B->scratch);
	free(B->w);
	buf_free(&B->t.failures);
	free((char *)B->docket_dir);
}

int batch_run(const struct pd_batch_run *run)
{
	struct pd_docket *d = run->docket;
	if (d->njobs >= (size_t)1 << INDEX_BITS) {
		diag_line(stderr, "%s: error: %zu documents: a docket can have up to %zu; split it "
			  "with --shard", d->path, d->njobs, ((size_t)1 << INDEX_BITS) - 1);
		return PD_EXIT_INPUT;
	}
	const char *share = getenv("PDGEN_WORKER_JOBS");
	struct batch B = {.run = run, .docket = d, .t.start = now(),
			  .recycle = share && atol(share) > 0 ? (size_t)atol(share) : RECYCLE};
	name_set_init(&B.names, d->njobs + 1);
	B.scratch = arena_new();
	B.nw = run->workers ? run->workers : 1; /* started as jobs come (taker) */
	B.w = xcalloc(B.nw, sizeof *B.w);
	char *dir = realpath(run->docket_dir, NULL);
	B.docket_dir = dir ? dir : xstrdup(run->docket_dir);
	interrupted = resized = 0;
	catch_signals();
	if (!run->quiet && !run->verbose && isatty(2))
		B.t.cols = terminal_width();
	if (!run->check_only && (B.rc = journal_open(run->outdir, &B.journal))) {
		batch_free(&B);
		return B.rc;
	}
	shared_fingerprints(&B);
	if (!interrupted)
		pump(&B, false); /* the docket planned as it streams, while the workers make it */
	B.stream_done = true; /* nothing more is read from the docket */
	stop_workers(&B);
	clear_bar(&B.t);
	int rc = journal_close(B.journal, B.t.made > 0);
	summary(&B);
	if (run->stats)
		print_stats(&B.t);
	rc = B.rc ? B.rc : rc ? rc : B.t.failed ? PD_EXIT_INPUT : 0;
	if (interrupted)
		rc = 130;
	batch_free(&B);
	return rc;
}
