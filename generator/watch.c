/* watch: a document's inputs watched with inotify -> a callback at each change, until Ctrl-C.
 * In: files and directories (struct watch_inputs). Out: make() run after each change. */
#define _GNU_SOURCE /* ppoll */
#include "watch.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "util.h"

#define WATCH_MASK (IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_ATTRIB)
#define WATCH_SETTLE_MS 30 /* an editor's save is a burst: quiet this long ends it */

static volatile sig_atomic_t stop_asked;

static void on_stop(int sig)
{
	(void)sig;
	stop_asked = 1;
}

/* A name whose change is no input's: an output (a PDF, NAME.tmp-XXXXXX being written),
 * a hidden file, an editor's backup or swap file. */
static bool ignored(const char *name)
{
	size_t n = strlen(name);
	return !n || name[0] == '.' || name[n - 1] == '~' || strstr(name, ".tmp-") ||
	       (n > 4 && (!strcmp(name + n - 4, ".pdf") || !strcmp(name + n - 4, ".swp")));
}

static int add_dir(int fd, const char *dir)
{
	if (!dir || !*dir)
		return 0;
	if (inotify_add_watch(fd, dir, WATCH_MASK) < 0)
		return errno == ENOENT || errno == ENOTDIR ? 0 : -1;
	char sub[PATH_MAX];
	snprintf(sub, sizeof sub, "%s/regimes", dir);
	if (inotify_add_watch(fd, sub, WATCH_MASK) < 0 && errno != ENOENT && errno != ENOTDIR)
		return -1;
	return 0;
}

static int add_inputs(int fd, const struct watch_inputs *in)
{
	for (size_t i = 0; i < in->ndirs; i++)
		if (add_dir(fd, in->dirs[i]))
			return -1;
	for (size_t i = 0; i < in->nfiles; i++) {
		const char *f = in->files[i];
		if (!f)
			continue;
		const char *slash = strrchr(f, '/');
		char dir[PATH_MAX];
		snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - f) : 1, slash ? f : ".");
		if (add_dir(fd, *dir ? dir : "/"))
			return -1;
	}
	return 0;
}

/* Reads the events waiting on fd: true when one is a change of an input. */
static bool read_changes(int fd)
{
	char events[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
	bool changed = false;
	ssize_t n = read(fd, events, sizeof events);
	for (char *p = events; n > 0 && p < events + n;) {
		const struct inotify_event *e = (const struct inotify_event *)p;
		if ((e->mask & IN_Q_OVERFLOW) || (e->len && !ignored(e->name)))
			changed = true;
		p += sizeof *e + e->len;
	}
	return changed;
}

/* Waits for fd with SIGINT and SIGTERM let through only while waiting: > 0 ready, 0 timed
 * out, < 0 stopped. */
static int wait_for(int fd, int timeout_ms, const sigset_t *waiting)
{
	struct pollfd p = {fd, POLLIN, 0};
	struct timespec ts = {timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000L};
	int r = ppoll(&p, 1, timeout_ms < 0 ? NULL : &ts, waiting);
	if (stop_asked)
		return -1;
	return r < 0 && errno != EINTR ? -1 : r < 0 ? 0 : r;
}

int watch_loop(const struct watch_inputs *in, int (*make)(void *ctx), void *ctx)
{
	int fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (fd < 0 || add_inputs(fd, in)) {
		fprintf(stderr, "pdgen: error: cannot watch the inputs: %s\n", strerror(errno));
		if (fd >= 0)
			close(fd);
		return PD_EXIT_SYSTEM;
	}
	sigset_t blocked, waiting;
	sigemptyset(&blocked);
	sigaddset(&blocked, SIGINT);
	sigaddset(&blocked, SIGTERM);
	sigprocmask(SIG_BLOCK, &blocked, &waiting);
	struct sigaction sa = {.sa_handler = on_stop};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	fprintf(stderr, "pdgen: watching the case, its templates, data and fonts (Ctrl-C stops)\n");
	make(ctx);
	for (int r; (r = wait_for(fd, -1, &waiting)) >= 0;) {
		if (!r || !read_changes(fd))
			continue;
		while ((r = wait_for(fd, WATCH_SETTLE_MS, &waiting)) > 0)
			read_changes(fd);
		if (r < 0)
			break;
		make(ctx);
	}
	close(fd);
	return PD_EXIT_OK;
}
