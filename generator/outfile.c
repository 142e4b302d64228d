/* outfile: a whole output in memory -> a file, atomically.
 * In: a path and bytes. Out: the file, its SHA-256; errno on failure. */
#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <nettle/sha2.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

static int write_in_place(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_TRUNC);
	if (fd < 0)
		return -1;
	int rc = fd_write_all(fd, data, len), saved = errno;
	if (close(fd) != 0 && rc == 0)
		rc = -1, saved = errno;
	errno = saved;
	return rc;
}

static int write_renamed(const char *path, const void *data, size_t len)
{
	mode_t mask = umask(0);
	umask(mask);
	sigset_t stop, old;
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGHUP);
	sigprocmask(SIG_BLOCK, &stop, &old);
	size_t n = strlen(path);
	char *tmp = xmalloc(n + 16);
	memcpy(tmp, path, n);
	memcpy(tmp + n, ".tmp-XXXXXX", 12);
	int fd = mkstemp(tmp), rc = -1, saved = errno;
	if (fd >= 0) {
		fchmod(fd, 0666 & ~mask);
		rc = fd_write_all(fd, data, len);
		saved = errno;
		if (close(fd) != 0 && rc == 0)
			rc = -1, saved = errno;
		if (rc == 0 && rename(tmp, path) != 0)
			rc = -1, saved = errno;
		if (rc != 0)
			unlink(tmp);
	}
	free(tmp);
	sigprocmask(SIG_SETMASK, &old, NULL);
	errno = saved;
	return rc;
}

int outfile_write(const char *path, const void *data, size_t len, char sha256_hex[65])
{
	struct stat st;
	bool device = stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode);
	int rc = device ? write_in_place(path, data, len) : write_renamed(path, data, len);
	if (rc == 0 && sha256_hex) {
		struct sha256_ctx ctx;
		unsigned char digest[SHA256_DIGEST_SIZE];
		sha256_init(&ctx);
		sha256_update(&ctx, len, data);
		sha256_digest(&ctx, sizeof digest, digest);
		hex_encode(digest, sizeof digest, sha256_hex);
	}
	return rc;
}
