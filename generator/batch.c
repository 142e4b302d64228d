/* batch: worker processes for a docket; each worker makes its share of the jobs and sends
 * back one record per job. In: jobs. Out: files, manifest.jsonl, progress, summary. */
#include "batch.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "doc.h"
#include "submit.h"
#include "util.h"

/* One job's outcome, as the worker reports it and the manifest records it. */
struct record {
	int status; /* exit code of submission_make */
	bool skipped, done;
	int errors, warnings, pages;
	size_t bytes;
	char sha256[65];
	char *out_path, *client, *a_number, *diagnostics;
};

static volatile sig_atomic_t interrupted;

static void on_interrupt(int sig)
{
	(void)sig;
	interrupted = 1;
}

static void catch_interrupts(void)
{
	struct sigaction sa = {0};
	sa.sa_handler = on_interrupt;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* ------------------------------------------------------------- wire format */

/* A record travels as "idx status skipped errors warnings pages bytes sha\n" and then four
 * length-prefixed strings: "len\n" bytes. */
static void put_string(struct pd_buf *b, const char *s)
{
	s = s ? s : "";
	buf_printf(b, "%zu\n", strlen(s));
	buf_puts(b, s);
}

static void write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			_exit(PD_EXIT_SYSTEM);
		p += w;
		n -= (size_t)w;
	}
}

static void send_record(int fd, size_t idx, const struct record *r)
{
	struct pd_buf b = {0};
	buf_printf(&b, "%zu %d %d %d %d %d %zu %s\n", idx, r->status, r->skipped, r->errors,
		   r->warnings, r->pages, r->bytes, r->sha256[0] ? r->sha256 : "-");
	put_string(&b, r->out_path);
	put_string(&b, r->client);
	put_string(&b, r->a_number);
	put_string(&b, r->diagnostics);
	write_all(fd, b.s, b.len);
	buf_free(&b);
}

/* Parses one whole record at the start of data; returns its length or 0 if incomplete. */
static size_t take_string(const char *p, const char *end, char **out)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	if (!nl)
		return 0;
	size_t len = strtoul(p, NULL, 10);
	if ((size_t)(end - nl - 1) < len)
		return 0;
	*out = xstrndup(nl + 1, len);
	return (size_t)(nl + 1 - p) + len;
}

static size_t parse_record(const char *data, size_t len, size_t *idx, struct record *r)
{
	const char *p = data, *end = data + len;
	const char *nl = memchr(p, '\n', len);
	if (!nl)
		return 0;
	int skipped;
	struct record tmp = {0};
	if (sscanf(p, "%zu %d %d %d %d %d %zu %64s", idx, &tmp.status, &skipped, &tmp.errors,
		   &tmp.warnings, &tmp.pages, &tmp.bytes, tmp.sha256) != 8)
		return 0;
	tmp.skipped = skipped;
	if (!strcmp(tmp.sha256, "-"))
		tmp.sha256[0] = '\0';
	p = nl + 1;
	char **fields[] = {&tmp.out_path, &tmp.client, &tmp.a_number, &tmp.diagnostics};
	for (size_t i = 0; i < 4; i++) {
		size_t n = take_string(p, end, fields[i]);
		if (!n) {
			for (size_t k = 0; k < i; k++)
				free(*fields[k]);
			return 0;
		}
		p += n;
	}
	tmp.done = true;
	*r = tmp;
	return (size_t)(p - data);
}

/* ------------------------------------------------------------- workers */

static void make_one(const struct pd_batch_run *run, const struct pd_job *job, struct record *r)
{
	struct pd_doc_request req = {
	    .case_path = job->case_path,
	    .level = job->level,
	    .document = job->document,
	    .out = run->outdir,
	    .defaults = run->docket->defaults,
	    .check_only = run->check_only,
	    .skip_if_newer = !run->force,
	    .inputs_mtime = run->inputs_mtime,
	};
	struct pd_doc_result res = {0};
	struct pd_diags diags = {0};
	r->status = submission_make(run->session, &req, &res, &diags);
	r->skipped = res.skipped;
	r->errors = diags.errors;
	r->warnings = diags.warnings;
	r->pages = res.pages;
	r->bytes = res.bytes;
	memcpy(r->sha256, res.sha256, sizeof r->sha256);
	r->out_path = res.out_path ? xstrdup(res.out_path) : NULL;
	r->client = res.client ? xstrdup(res.client) : NULL;
	r->a_number = res.a_number ? xstrdup(res.a_number) : NULL;
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	if (mem) {
		diag_print(&diags, mem);
		fclose(mem);
	}
	r->diagnostics = text;
	diag_clear(&diags);
	doc_result_clear(&res);
}

static void record_clear(struct record *r)
{
	free(r->out_path);
	free(r->client);
	free(r->a_number);
	free(r->diagnostics);
	*r = (struct record){0};
}

static void worker(const struct pd_batch_run *run, unsigned w, unsigned nworkers, int fd)
{
	const struct pd_docket *d = run->docket;
	for (size_t i = w; i < d->njobs && !interrupted; i += nworkers) {
		struct record r = {0};
		make_one(run, &d->jobs[i], &r);
		send_record(fd, i, &r);
		record_clear(&r);
	}
	close(fd);
	doc_session_free(run->session);
	_exit(0);
}

/* ------------------------------------------------------------- manifest */

static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", f);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

static const char *status_name(const struct record *r)
{
	if (!r->done)
		return "not-run";
	if (r->status)
		return "failed";
	return r->skipped ? "up-to-date" : "made";
}

static void manifest_line(FILE *f, const struct pd_job *job, const struct record *r)
{
	fputs("{\"case\":", f);
	json_string(f, job->case_path);
	fputs(",\"client\":", f);
	json_string(f, r->client);
	fputs(",\"a_number\":", f);
	json_string(f, r->a_number);
	fputs(",\"level\":", f);
	json_string(f, job->level);
	fputs(",\"document\":", f);
	json_string(f, job->document);
	fputs(",\"output\":", f);
	json_string(f, r->status ? NULL : r->out_path);
	fprintf(f, ",\"pages\":%d,\"bytes\":%zu,\"sha256\":", r->pages, r->bytes);
	json_string(f, r->sha256);
	fprintf(f, ",\"status\":\"%s\",\"errors\":%d,\"warnings\":%d,\"diagnostics\":",
		status_name(r), r->errors, r->warnings);
	json_string(f, r->diagnostics);
	fputs("}\n", f);
}

static int write_manifest(const struct pd_batch_run *run, const struct record *records)
{
	struct pd_buf path = {0}, tmp = {0};
	buf_printf(&path, "%s/manifest.jsonl", run->outdir);
	buf_printf(&tmp, "%s.tmp.%ld", path.s, (long)getpid());
	FILE *f = fopen(tmp.s, "w");
	int rc = 0;
	if (f) {
		for (size_t i = 0; i < run->docket->njobs; i++)
			if (records[i].done)
				manifest_line(f, &run->docket->jobs[i], &records[i]);
		rc = ferror(f) | fclose(f);
	}
	if (!f || rc || rename(tmp.s, path.s)) {
		fprintf(stderr, "%s: error: cannot write the manifest: %s\n", path.s, strerror(errno));
		unlink(tmp.s);
		rc = PD_EXIT_SYSTEM;
	}
	buf_free(&path);
	buf_free(&tmp);
	return rc;
}

/* ------------------------------------------------------------- progress */

struct tally {
	size_t done, made, failed, skipped, bytes;
	int warnings;
	double start;
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void show_progress(const struct tally *t, size_t total)
{
	double elapsed = now() - t->start;
	double rate = elapsed > 0 ? (double)t->done / elapsed : 0;
	double left = rate > 0 ? (double)(total - t->done) / rate : 0;
	int width = 30, filled = total ? (int)((double)width * (double)t->done / (double)total) : 0;
	fprintf(stderr, "\r[%.*s%*s] %zu/%zu  %.0f/s  %d:%02d left ", filled,
		"==============================", width - filled, "", t->done, total, rate,
		(int)left / 60, (int)left % 60);
	if (t->done == total)
		fputc('\n', stderr);
}

static void account(const struct pd_batch_run *run, const struct record *r, struct tally *t)
{
	t->done++;
	t->warnings += r->warnings;
	if (r->status)
		t->failed++;
	else if (r->skipped)
		t->skipped++;
	else
		t->made++;
	t->bytes += r->status ? 0 : r->bytes;
	bool progress = !run->quiet && !run->verbose && isatty(2);
	if (r->diagnostics && *r->diagnostics && !run->quiet) {
		if (progress)
			fputs("\r\033[K", stderr);
		fputs(r->diagnostics, stderr);
	}
	if (run->verbose && !r->status)
		fprintf(stderr, "%s %s\n", r->skipped ? "up to date:" : "made:", r->out_path);
	if (progress)
		show_progress(t, run->docket->njobs);
}

/* ------------------------------------------------------------- driver */

struct pipe_in {
	int fd;
	struct pd_buf data;
};

static void drain(const struct pd_batch_run *run, struct pipe_in *in, struct record *records,
		  struct tally *t)
{
	size_t used = 0, n, idx;
	struct record r;
	while ((n = parse_record(in->data.s + used, in->data.len - used, &idx, &r)) > 0) {
		used += n;
		if (idx < run->docket->njobs && !records[idx].done) {
			records[idx] = r;
			account(run, &records[idx], t);
		} else {
			record_clear(&r);
		}
	}
	memmove(in->data.s, in->data.s + used, in->data.len - used);
	in->data.len -= used;
}

/* Reads the workers' records until every worker has closed its pipe. An interrupt is passed
 * on to the workers (a terminal sends it to all; kill(1) to the parent only): each finishes
 * the document in hand and stops. */
static int collect(const struct pd_batch_run *run, struct pipe_in *ins, const pid_t *pids,
		   unsigned n, struct record *records, struct tally *t)
{
	unsigned open_fds = n;
	bool passed_on = false;
	struct pollfd *pfd = xcalloc(n, sizeof *pfd);
	while (open_fds) {
		if (interrupted && !passed_on) {
			for (unsigned i = 0; i < n; i++)
				kill(pids[i], SIGINT);
			passed_on = true;
		}
		for (unsigned i = 0; i < n; i++)
			pfd[i] = (struct pollfd){ins[i].fd, POLLIN, 0};
		if (poll(pfd, n, -1) < 0 && errno != EINTR)
			break;
		for (unsigned i = 0; i < n; i++) {
			if (ins[i].fd < 0 || !(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			char chunk[65536];
			ssize_t got = read(ins[i].fd, chunk, sizeof chunk);
			if (got < 0 && errno == EINTR)
				continue;
			if (got <= 0) {
				close(ins[i].fd);
				ins[i].fd = -1;
				open_fds--;
				continue;
			}
			buf_put(&ins[i].data, chunk, (size_t)got);
			drain(run, &ins[i], records, t);
		}
	}
	free(pfd);
	return 0;
}

static unsigned start_workers(const struct pd_batch_run *run, struct pipe_in *ins, pid_t *pids)
{
	unsigned n = run->workers;
	if (n > run->docket->njobs)
		n = run->docket->njobs ? (unsigned)run->docket->njobs : 1;
	fflush(NULL);
	for (unsigned w = 0; w < n; w++) {
		int fds[2];
		if (pipe(fds) != 0) {
			perror("pdgen: error: pipe");
			exit(PD_EXIT_SYSTEM);
		}
		pid_t pid = fork();
		if (pid < 0) {
			perror("pdgen: error: fork");
			exit(PD_EXIT_SYSTEM);
		}
		if (pid == 0) {
			close(fds[0]);
			for (unsigned k = 0; k < w; k++)
				close(ins[k].fd);
			free(ins); /* the parent's tables: this process never returns to them */
			free(pids);
			worker(run, w, n, fds[1]);
		}
		close(fds[1]);
		ins[w] = (struct pipe_in){fds[0], {0}};
		pids[w] = pid;
	}
	return n;
}

static int wait_workers(const pid_t *pids, unsigned n)
{
	int rc = 0;
	for (unsigned w = 0; w < n; w++) {
		int st;
		while (waitpid(pids[w], &st, 0) < 0 && errno == EINTR)
			;
		if (!WIFEXITED(st) || WEXITSTATUS(st)) {
			fprintf(stderr, "pdgen: error: a worker process %s\n",
				WIFSIGNALED(st) ? "was killed by a signal" : "failed");
			rc = PD_EXIT_SYSTEM;
		}
	}
	return rc;
}

static void summary(const struct pd_batch_run *run, const struct tally *t)
{
	if (run->quiet && !t->failed)
		return;
	size_t not_run = run->docket->njobs - t->done;
	fprintf(stderr, "pdgen: %zu %s, %zu failed, %zu up to date, %d warning%s",
		t->made, run->check_only ? "checked" : "made",
		t->failed, t->skipped, t->warnings, t->warnings == 1 ? "" : "s");
	if (not_run)
		fprintf(stderr, ", %zu not run (interrupted)", not_run);
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
	printf("size: %.1f KB per letter\n", (double)t->bytes / 1024 / (double)made);
}

int batch_run(const struct pd_batch_run *run)
{
	size_t njobs = run->docket->njobs;
	struct pipe_in *ins = xcalloc(run->workers, sizeof *ins);
	pid_t *pids = xcalloc(run->workers, sizeof *pids);
	struct tally t = {.start = now()};
	interrupted = 0;
	catch_interrupts();
	unsigned n = start_workers(run, ins, pids);
	/* after the fork: the workers never return, and would leak it (valgrind) */
	struct record *records = xcalloc(njobs ? njobs : 1, sizeof *records);
	collect(run, ins, pids, n, records, &t);
	int rc = wait_workers(pids, n);
	if (!run->check_only && write_manifest(run, records))
		rc = PD_EXIT_SYSTEM;
	summary(run, &t);
	if (run->stats)
		print_stats(&t);
	if (!rc && t.failed)
		rc = PD_EXIT_INPUT;
	if (interrupted)
		rc = 130;
	for (size_t i = 0; i < njobs; i++)
		record_clear(&records[i]);
	for (unsigned w = 0; w < n; w++)
		buf_free(&ins[w].data);
	free(records);
	free(ins);
	free(pids);
	return rc;
}
