/* outfile: bytes in memory -> a file written atomically (a temporary file beside it, then
 * rename; signals wait until the file is whole or gone). The caller owns the bytes. */
#ifndef PD_OUTFILE_H
#define PD_OUTFILE_H

#include <stddef.h>

/* Returns 0 and the SHA-256 of the bytes as hex (sha256_hex may be NULL), or -1 with errno
 * set: nothing is left behind and an existing file is untouched. A device or pipe
 * (/dev/stdout) is written in place. */
int outfile_write(const char *path, const void *data, size_t len, char sha256_hex[65]);

#endif
