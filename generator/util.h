/* util: memory (allocation that never returns NULL), arenas and growable buffers.
 * In: sizes and bytes. Out: memory owned by the caller or by the arena it came from. */
#ifndef PD_UTIL_H
#define PD_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define PD_EXIT_OK 0
#define PD_EXIT_INPUT 1  /* input, template or rule error */
#define PD_EXIT_USAGE 2
#define PD_EXIT_SYSTEM 3 /* system or I/O failure, out of memory */

/* Allocation failure prints one message and exits with PD_EXIT_SYSTEM. */
void *xmalloc(size_t size);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *ptr, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t len);

/* An arena owns everything allocated from it until arena_reset/arena_free. */
struct pd_arena;
struct pd_arena *arena_new(void);
void *arena_alloc(struct pd_arena *arena, size_t size); /* zeroed, 16-byte aligned */
char *arena_strndup(struct pd_arena *arena, const char *s, size_t len);
char *arena_strdup(struct pd_arena *arena, const char *s);
char *arena_printf(struct pd_arena *arena, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void arena_reset(struct pd_arena *arena);
void arena_free(struct pd_arena *arena);
size_t arena_used(const struct pd_arena *arena);

/* A growable, always NUL-terminated byte buffer; the caller owns s (buf_free). */
struct pd_buf {
	char *s;
	size_t len, cap;
};
/* Grows b to hold need bytes (the caller's NUL included). */
void buf_grow_to(struct pd_buf *b, size_t need);
/* buf_put, buf_puts and buf_putc are inline: the room is most often there, and a copy of
 * a size known where it is called is a few moves, not a call to memcpy. */
inline void buf_put(struct pd_buf *b, const char *s, size_t len)
{
	if (b->len + len + 1 > b->cap)
		buf_grow_to(b, b->len + len + 1);
	if (len)
		memcpy(b->s + b->len, s, len);
	b->len += len;
	b->s[b->len] = '\0';
}
inline void buf_puts(struct pd_buf *b, const char *s)
{
	buf_put(b, s, strlen(s));
}
inline void buf_putc(struct pd_buf *b, char c)
{
	if (b->len + 2 > b->cap)
		buf_grow_to(b, b->len + 2);
	b->s[b->len++] = c;
	b->s[b->len] = '\0';
}
void buf_printf(struct pd_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(struct pd_buf *b, const char *fmt, va_list ap);
void buf_clear(struct pd_buf *b);
void buf_free(struct pd_buf *b);
char *buf_take(struct pd_buf *b); /* hands s to the caller and empties b */

/* The code point at s (at most len bytes, len >= 1) into *cp; returns its length in bytes.
 * A byte that starts no sequence reads as U+FFFD, one byte long. */
int utf8_decode_long(const char *s, size_t len, uint32_t *cp); /* a sequence of 2 to 4 */
static inline int utf8_decode(const char *s, size_t len, uint32_t *cp)
{
	if ((unsigned char)s[0] < 0x80) { /* ASCII, most of the text: no call */
		*cp = (unsigned char)s[0];
		return 1;
	}
	return utf8_decode_long(s, len, cp);
}
/* The number of code points utf8_decode reads in s[0, len). */
size_t utf8_count(const char *s, size_t len);

/* A 64-bit hash of n bytes (not cryptographic: hash tables, cache keys, subset tags). */
uint64_t hash_bytes(const void *p, size_t n);

/* n bytes as 2n lowercase hex digits and a NUL. */
void hex_encode(const unsigned char *bytes, size_t n, char *hex);

/* s as a JSON string (quotes included) appended to b: quotes, backslashes, C0 and C1
 * controls and DEL escaped; a byte that is not UTF-8 becomes U+FFFD. NULL is "". */
void buf_json_string(struct pd_buf *b, const char *s);

/* Where templates and data files are found, first directory first: a user's overlay
 * (--templates DIR), then the shipped DATADIR/templates. The strings are not owned. */
#define PD_SEARCH_MAX 4
struct pd_search {
	const char *dirs[PD_SEARCH_MAX];
	size_t n;
};
/* The one resolver of the overlay: DIR/rel for the first directory of s that holds rel
 * (malloc'd; the caller frees), or NULL when none does. */
char *search_find(const struct pd_search *s, const char *rel);

/* Makes dir and the directories above it that are missing (mkdir -p). 0, or -1 with
 * errno set when one cannot be made or dir is not a directory. */
int dir_make(const char *dir);
/* <cache directory>/name (PDGEN_CACHE_DIR, else $XDG_CACHE_HOME/pdgen, else
 * ~/.cache/pdgen), malloc'd; the directory made first when create; NULL when there is
 * none or it cannot be made. */
char *cache_file(const char *name, bool create);

/* Reads a whole regular file (NUL-terminated). Returns NULL with errno set on failure:
 * EISDIR, PD_ENOTREG (a FIFO, device or socket: never opened for reading in a way that
 * blocks), EFBIG (over max_len, unless 0), or open's. */
#define PD_ENOTREG 0x7E57
const char *file_strerror(int err); /* strerror that knows PD_ENOTREG */
/* file_read's name for standard input (a pipe or terminal is read to its end): the
 * command line's "-" (doc_input_path). */
#define PD_STDIN "<stdin>"
char *file_read(const char *path, size_t *len, size_t max_len);
/* Writes all len bytes to fd, again after a signal. Returns 0, or -1 with errno set (EIO
 * when the descriptor takes nothing). */
int fd_write_all(int fd, const void *data, size_t len);

/* Dates written YYYY-MM-DD: true for a real calendar date (years 0001 to 9999); the days
 * since 1970-01-01 of a valid date; the English name of month m (1..12, "" otherwise). */
bool date_valid(const char *s);
/* The year, month and day of a date date_valid accepts (YYYY-MM-DD). */
void date_fields(const char *s, int *y, int *m, int *d);
long date_days(const char *s);
const char *date_month_name(int m);

/* A-number: digits of s (blanks, dashes, a leading "A", "A-" or "A#" allowed) left-padded
 * to nine; false when s holds other characters or not 8 or 9 digits. out: 10 bytes.
 * anumber_format: "A012-345-678" from nine digits; out: 13 bytes. */
bool anumber_normalize(const char *s, char out[10]);
void anumber_format(const char digits[10], char out[13]);

/* Whether s looks like a BCP 47 language tag: a primary language of 2 or 3 letters or
 * digits, then subtags of 1 to 8 after hyphens ("en-US", "es", "zh-Hans"). */
bool lang_tag_valid(const char *s);

#endif
