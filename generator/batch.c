/* batch: a docket's jobs made by worker processes that pull them from the parent. The
 * parent first fingerprints every job's inputs (an unchanged one is up to date), has the
 * rest named and refuses two that would write one file, then has them made; a worker that
 * dies costs the job in its hands only. In: jobs. Out: files, the manifest, a summary. */
#define _DEFAULT_SOURCE /* realpath, SIGWINCH, TIOCGWINSZ */
#include "batch.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
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

struct worker {
	pid_t pid; /* 0: none */
	int cmd, rec; /* jobs out, records in */
	struct pd_buf data;
	size_t inflight[DEPTH];
	unsigned ninflight;
};

struct tally {
	size_t done, made, failed, skipped, bytes;
	int warnings;
	double start;
	int cols; /* the terminal's width, 0 without a progress bar */
	bool bar_shown;
	struct pd_buf failures; /* the first MAX_LISTED, a line each */
};

struct batch {
	const struct pd_batch_run *run;
	struct journal *journal;
	char setup_fp[65], defaults_fp[65];
	const char *docket_dir; /* real path: cases must lie under it */
	char **out_paths;       /* per job, once named */
	char (*inputs)[65];     /* per job */
	char (*names)[65];      /* per job: the fingerprint of what names its output */
	struct record *records; /* per job: the outcome */
	size_t *queue, qhead, qlen, qcap;
	char phase; /* 'P' (name the output) or 'M' (make it) */
	struct worker *w;
	unsigned nw;
	unsigned restarts;
	struct tally t;
	int rc;
};

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

/* The diagnostics as diag_print (or with json diag_print_json) shows them, and the first
 * error's first line. */
static void describe_diags(const struct pd_diags *diags, struct record *r, bool json)
{
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	if (mem) {
		if (json)
			diag_print_json(diags, mem);
		else
			diag_print(diags, mem);
		fclose(mem);
	}
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

/* Names (plan) or makes one job; a made or failed one's row goes to the manifest here,
 * right after its file was renamed into place. */
static void make_one(const struct batch *B, size_t idx, bool plan, struct record *r)
{
	const struct pd_batch_run *run = B->run;
	const struct pd_job *job = &run->docket->jobs[idx];
	struct pd_doc_request req = {
	    .case_path = job->case_path,
	    .level = job->level,
	    .document = job->document,
	    .out = run->outdir,
	    .defaults = run->docket->defaults,
	    .check_only = run->check_only,
	    .plan_only = plan,
	    .out_dir = journal_dir(B->journal),
	};
	struct pd_doc_result res = {0};
	struct pd_diags diags = {0};
	r->status = submission_make(run->session, &req, &res, &diags);
	r->pages = res.pages;
	r->bytes = res.bytes;
	memcpy(r->sha256, res.sha256, sizeof r->sha256);
	r->out_path = res.out_path ? xstrdup(res.out_path) : NULL;
	r->client = res.client ? xstrdup(res.client) : NULL;
	r->a_number = res.a_number ? xstrdup(res.a_number) : NULL;
	describe_diags(&diags, r, run->json);
	fp_files(r->inputs, res.files_read, r->inputs); /* its images are inputs too */
	r->files = res.files_read;
	if ((!plan || r->status) && journal_fd(B->journal) >= 0) {
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

/* Takes "P idx inputs names" or "M idx inputs names" lines (the fingerprints, or "-")
 * until the pipe closes or Ctrl-C. */
static void worker_main(struct batch *B, int cmd, int rec)
{
	signal(SIGWINCH, SIG_IGN);
	FILE *in = fdopen(cmd, "r");
	char line[160];
	while (in && !interrupted && fgets(line, sizeof line, in)) {
		char kind, inputs[65], names[65];
		size_t idx;
		if (sscanf(line, "%c %zu %64s %64s", &kind, &idx, inputs, names) != 4 ||
		    idx >= B->run->docket->njobs)
			break;
		struct record r = {0};
		snprintf(r.inputs, sizeof r.inputs, "%s", strcmp(inputs, "-") ? inputs : "");
		snprintf(r.name_inputs, sizeof r.name_inputs, "%s", strcmp(names, "-") ? names : "");
		make_one(B, idx, kind == 'P', &r);
		send_record(rec, idx, &r);
		record_clear(&r);
	}
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

/* A job's final outcome: counted, its diagnostics printed, the bar redrawn. */
static void account(struct batch *B, size_t idx)
{
	const struct pd_batch_run *run = B->run;
	struct record *r = &B->records[idx];
	struct tally *t = &B->t;
	r->done = true;
	t->done++;
	t->warnings += r->warnings;
	if (r->status)
		t->failed++, note_failure(t, &run->docket->jobs[idx], r);
	else if (r->skipped)
		t->skipped++;
	else
		t->made++;
	t->bytes += r->status ? 0 : r->bytes;
	if (r->diagnostics && *r->diagnostics && !run->quiet) {
		clear_bar(t);
		fputs(r->diagnostics, run->json ? stdout : stderr); /* escaped by diag_print */
	}
	free(r->diagnostics); /* printed once: not kept for the whole docket */
	r->diagnostics = NULL;
	if (run->verbose && !r->status) {
		clear_bar(t);
		diag_line(stderr, "%s %s", r->skipped ? "up to date:" : "made:", r->out_path);
	}
	if (t->cols)
		show_progress(t, run->docket->njobs);
	struct record kept = {.status = r->status, .skipped = r->skipped, .done = true};
	record_clear(r); /* the outcome is counted and listed: only its status is kept */
	*r = kept;
}

/* A job that fails in the parent: an error at its docket entry, a manifest row. */
static void fail_job(struct batch *B, size_t idx, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void fail_job(struct batch *B, size_t idx, const char *fmt, ...)
{
	const struct pd_job *job = &B->run->docket->jobs[idx];
	struct pd_diags diags = {.store = doc_diag_store(B->run->session)};
	va_list ap;
	va_start(ap, fmt);
	diag_vadd(&diags, PD_ERROR, job->loc, NULL, fmt, ap);
	va_end(ap);
	struct record *r = &B->records[idx];
	char *out = r->out_path, *client = r->client, *anum = r->a_number;
	*r = (struct record){.status = PD_EXIT_INPUT, .out_path = out, .client = client,
			     .a_number = anum};
	memcpy(r->inputs, B->inputs[idx], sizeof r->inputs);
	memcpy(r->name_inputs, B->names[idx], sizeof r->name_inputs);
	describe_diags(&diags, r, B->run->json);
	if (journal_fd(B->journal) >= 0) {
		struct pd_buf row = {0};
		journal_row(&row, job, r, &diags);
		fd_write_all(journal_fd(B->journal), row.s, row.len);
		buf_free(&row);
	}
	diag_clear(&diags);
	account(B, idx);
}

/* ------------------------------------------------------------- the queue */

static void enqueue(struct batch *B, size_t idx)
{
	if (B->qlen == B->qcap) {
		B->qcap = B->qcap ? 2 * B->qcap : 256;
		B->queue = xrealloc(B->queue, B->qcap * sizeof *B->queue);
	}
	B->queue[B->qlen++] = idx;
}

static bool busy(const struct batch *B)
{
	for (unsigned i = 0; i < B->nw; i++)
		if (B->w[i].ninflight)
			return true;
	return false;
}

static void dispatch(struct batch *B)
{
	for (unsigned i = 0; i < B->nw && !interrupted; i++) {
		struct worker *w = &B->w[i];
		while (w->pid > 0 && w->ninflight < DEPTH && B->qhead < B->qlen) {
			size_t idx = B->queue[B->qhead++];
			char line[160];
			int n = snprintf(line, sizeof line, "%c %zu %s %s\n", B->phase, idx,
					 B->inputs[idx][0] ? B->inputs[idx] : "-",
					 B->names[idx][0] ? B->names[idx] : "-");
			w->inflight[w->ninflight++] = idx;
			fd_write_all(w->cmd, line, (size_t)n); /* a dead worker: found by poll */
		}
	}
}

/* A record from a worker: the output's name (plan) or the job's outcome (make). */
static void take_record(struct batch *B, struct worker *w, size_t idx, struct record *r)
{
	if (w->ninflight && w->inflight[0] == idx) {
		memmove(w->inflight, w->inflight + 1, --w->ninflight * sizeof *w->inflight);
	}
	struct record *slot = &B->records[idx];
	memcpy(r->inputs, B->inputs[idx], sizeof r->inputs);
	memcpy(r->name_inputs, B->names[idx], sizeof r->name_inputs);
	if (B->phase == 'P' && !r->status) {
		free(B->out_paths[idx]);
		B->out_paths[idx] = r->out_path;
		r->out_path = NULL;
		record_clear(slot);
		*slot = *r;
		slot->done = false;
		return;
	}
	record_clear(slot);
	*slot = *r;
	account(B, idx);
}

static void drain(struct batch *B, struct worker *w)
{
	size_t used = 0, n, idx;
	struct record r;
	while ((n = parse_record(w->data.s + used, w->data.len - used, &idx, &r)) > 0) {
		used += n;
		if (idx < B->run->docket->njobs && !B->records[idx].done)
			take_record(B, w, idx, &r);
		else
			record_clear(&r);
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
	close(w->cmd);
	int st = 0;
	pid_t got;
	while ((got = waitpid(w->pid, &st, 0)) < 0 && errno == EINTR)
		;
	char how[96];
	if (got < 0)
		snprintf(how, sizeof how, "lost (waitpid: %s)", strerror(errno));
	else
		how_it_ended(st, how, sizeof how);
	buf_free(&w->data);
	unsigned n = w->ninflight;
	size_t held[DEPTH];
	memcpy(held, w->inflight, sizeof held);
	*w = (struct worker){0};
	if (n && !interrupted)
		fail_job(B, held[0], "the worker process making this document %s; the other "
			 "documents go on", how);
	for (unsigned k = 1; k < n && !interrupted; k++)
		enqueue(B, held[k]);
	bool more = B->qhead < B->qlen && !interrupted;
	if (more && (++B->restarts > 2 * B->nw + B->run->docket->njobs || start_worker(B, w))) {
		diag_line(stderr, "pdgen: error: cannot start a worker process: %s", strerror(errno));
		B->rc = PD_EXIT_SYSTEM;
		B->qhead = B->qlen; /* the rest is not run */
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
		bool work = (B->qhead < B->qlen && !interrupted) || busy(B);
		if (!live || (!closing && !work))
			break;
		if (poll(pfd, B->nw, -1) < 0) {
			if (errno == EINTR)
				continue;
			diag_line(stderr, "pdgen: error: waiting for the workers: %s", strerror(errno));
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

static void run_phase(struct batch *B, char phase)
{
	B->phase = phase;
	pump(B, false);
	B->qhead = B->qlen = 0;
}

/* Closes the job pipes: each worker ends; waits for all. */
static void stop_workers(struct batch *B)
{
	for (unsigned i = 0; i < B->nw; i++)
		if (B->w[i].pid > 0) {
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

static void take_previous(struct batch *B, size_t idx, const struct prev_row *p)
{
	struct record *r = &B->records[idx];
	*r = (struct record){.skipped = true, .pages = p->pages, .bytes = p->bytes,
			     .out_path = xstrdup(p->output)};
	r->client = p->client ? xstrdup(p->client) : NULL;
	r->a_number = p->a_number ? xstrdup(p->a_number) : NULL;
	memcpy(r->sha256, p->sha256, sizeof r->sha256);
	memcpy(r->inputs, p->inputs, sizeof r->inputs);
	B->out_paths[idx] = xstrdup(p->output);
	account(B, idx);
}

/* The name of a previous output, in this run's output directory. */
static char *in_outdir(const struct batch *B, const char *output)
{
	const char *name = strrchr(output, '/');
	const char *dir = B->run->outdir;
	size_t n = strlen(dir);
	struct pd_buf b = {0};
	buf_printf(&b, "%s%s%s", dir, n && dir[n - 1] == '/' ? "" : "/", name ? name + 1 : output);
	return buf_take(&b);
}

/* Reads each case (a regular file inside the docket's tree) for its fingerprint: a job
 * whose inputs match the previous run's row, with its output intact, is up to date; the
 * others are queued to be named. */
static void fingerprint_jobs(struct batch *B)
{
	const struct pd_batch_run *run = B->run;
	for (size_t i = 0; i < run->docket->njobs && !interrupted; i++) {
		const struct pd_job *job = &run->docket->jobs[i];
		if (!run->allow_outside && outside(B, job->case_path)) {
			fail_job(B, i, "case file '%s' is outside the docket's directory %s (give "
				 "--allow-outside to read it)", job->case_path, B->docket_dir);
			continue;
		}
		size_t len;
		char *bytes = file_read(job->case_path, &len, VALUE_MAX_BYTES);
		if (!bytes) {
			fail_job(B, i, "cannot read case file '%s': %s", job->case_path,
				 errno == EFBIG ? "over 16 MB" : file_strerror(errno));
			continue;
		}
		char case_fp[65];
		fp_bytes(bytes, len, case_fp);
		free(bytes);
		fp_job(B->setup_fp, B->defaults_fp, job->level, job->document, case_fp,
		       B->inputs[i]);
		fp_job("pdgen " PD_VERSION, B->defaults_fp, job->level, job->document, case_fp,
		       B->names[i]);
		const struct prev_row *p =
		    run->force || !B->journal
			? NULL
			: journal_previous(B->journal, job->case_path, job->level, job->document);
		char with_files[65];
		if (p)
			fp_files(B->inputs[i], p->files, with_files);
		if (p && !strcmp(p->inputs, with_files) && intact(B, p))
			take_previous(B, i, p);
		else if (p && p->output && !strcmp(p->name_inputs, B->names[i]))
			B->out_paths[i] = in_outdir(B, p->output); /* named as before: no plan */
		else
			enqueue(B, i);
	}
}

/* Two jobs that would write one file: the later entry fails, naming the first. */
static void refuse_collisions(struct batch *B)
{
	const struct pd_docket *d = B->run->docket;
	struct map first = {0};
	for (size_t i = 0; i < d->njobs; i++) {
		if (!B->out_paths[i] || (B->records[i].done && B->records[i].status))
			continue;
		size_t *at = map_at(&first, B->out_paths[i], true);
		if (!*at) {
			*at = i + 1;
			continue;
		}
		const struct pd_job *a = &d->jobs[*at - 1];
		if (B->records[i].done) { /* up to date before: made again by the first */
			B->records[i].done = false;
			B->t.done--, B->t.skipped--;
		}
		fail_job(B, i, "this entry would write %s, as the entry at line %d does (%s): "
			 "change the client's name or A-number in one case, or drop one entry",
			 B->out_paths[i], a->loc.line, a->case_path);
	}
	map_free(&first);
	for (size_t i = 0; i < d->njobs; i++)
		if (B->out_paths[i] && !B->records[i].done)
			enqueue(B, i);
}

/* ------------------------------------------------------------- the run */

static void summary(struct batch *B)
{
	const struct pd_batch_run *run = B->run;
	struct tally *t = &B->t;
	if (run->quiet && !t->failed)
		return;
	size_t not_run = run->docket->njobs - t->done;
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
	printf("size: %.1f KB per letter\n", (double)t->bytes / 1024 / (double)made);
}

/* The digests every job shares: inputs (templates, data, fonts, version) and options. */
static void shared_fingerprints(struct batch *B)
{
	const char *dirs[3];
	size_t n = doc_input_dirs(B->run->session, dirs);
	fp_setup(dirs, n, B->run->check_only ? "check" : "pdf", B->setup_fp);
	fp_value(B->run->docket->defaults, B->defaults_fp);
}

static void batch_free(struct batch *B)
{
	size_t njobs = B->run->docket->njobs;
	for (size_t i = 0; i < njobs; i++) {
		record_clear(&B->records[i]);
		free(B->out_paths[i]);
	}
	free(B->records);
	free(B->out_paths);
	free(B->inputs);
	free(B->names);
	free(B->queue);
	free(B->w);
	buf_free(&B->t.failures);
	free((char *)B->docket_dir);
}

int batch_run(const struct pd_batch_run *run)
{
	size_t njobs = run->docket->njobs;
	struct batch B = {.run = run, .t.start = now()};
	B.records = xcalloc(njobs + 1, sizeof *B.records);
	B.out_paths = xcalloc(njobs + 1, sizeof *B.out_paths);
	B.inputs = xcalloc(njobs + 1, sizeof *B.inputs);
	B.names = xcalloc(njobs + 1, sizeof *B.names);
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
	fingerprint_jobs(&B);
	size_t pending = njobs - B.t.done; /* to name, or named as before and to make */
	B.nw = run->workers ? run->workers : 1;
	if (B.nw > pending) /* no more workers than jobs */
		B.nw = pending ? (unsigned)pending : 1;
	B.w = xcalloc(B.nw, sizeof *B.w);
	for (unsigned i = 0; i < B.nw && pending; i++)
		if (start_worker(&B, &B.w[i]) && i == 0) {
			diag_line(stderr, "pdgen: error: cannot start a worker: %s", strerror(errno));
			B.rc = PD_EXIT_SYSTEM;
		}
	run_phase(&B, 'P');
	refuse_collisions(&B);
	run_phase(&B, 'M');
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
