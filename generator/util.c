/* util: allocation wrappers, arenas and buffers used by every stage.
 * In: sizes, bytes, file paths. Out: memory that is never NULL (failure exits with 3). */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

static void no_memory(size_t size)
{
	fprintf(stderr, "pdgen: error: out of memory (%zu bytes)\n", size);
	exit(PD_EXIT_SYSTEM);
}

void *xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);
	if (!p)
		no_memory(size);
	return p;
}

void *xcalloc(size_t count, size_t size)
{
	void *p = calloc(count ? count : 1, size ? size : 1);
	if (!p)
		no_memory(count * size);
	return p;
}

void *xrealloc(void *ptr, size_t size)
{
	void *p = realloc(ptr, size ? size : 1);
	if (!p)
		no_memory(size);
	return p;
}

char *xstrndup(const char *s, size_t len)
{
	char *p = xmalloc(len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

/* ------------------------------------------------------------------ arena */

struct arena_block {
	struct arena_block *next;
	size_t size, used;
	_Alignas(16) unsigned char data[];
};

struct pd_arena {
	struct arena_block *head;
	size_t total;
};

#define ARENA_BLOCK 65536

static struct arena_block *block_new(size_t size)
{
	struct arena_block *b = xmalloc(sizeof *b + size);
	b->next = NULL;
	b->size = size;
	b->used = 0;
	return b;
}

struct pd_arena *arena_new(void)
{
	struct pd_arena *a = xcalloc(1, sizeof *a);
	a->head = block_new(ARENA_BLOCK);
	return a;
}

/* size bytes of the arena, 16-byte aligned, not cleared. */
static void *arena_take(struct pd_arena *a, size_t size)
{
	size = (size + 15) & ~(size_t)15;
	struct arena_block *b = a->head;
	if (b->size - b->used < size) {
		size_t want = size > ARENA_BLOCK / 4 ? size : ARENA_BLOCK;
		struct arena_block *nb = block_new(want);
		if (want == size && b->size - b->used > 0) {
			/* keep the current block for small allocations */
			nb->next = b->next;
			b->next = nb;
			b = nb;
		} else {
			nb->next = b;
			a->head = b = nb;
		}
	}
	void *p = b->data + b->used;
	b->used += size;
	a->total += size;
	return p;
}

void *arena_alloc(struct pd_arena *a, size_t size)
{
	return memset(arena_take(a, size), 0, size);
}

char *arena_strndup(struct pd_arena *a, const char *s, size_t len)
{
	char *p = arena_take(a, len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *arena_strdup(struct pd_arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

static bool fast_format(const char *fmt);
static void buf_fast_vprintf(struct pd_buf *b, const char *fmt, va_list ap);

char *arena_printf(struct pd_arena *a, const char *fmt, ...)
{
	char small[256]; /* most results fit: formatted once, then copied */
	va_list ap;
	if (fast_format(fmt)) { /* texts and integers: as buf_printf writes them */
		struct pd_buf b = {0};
		va_start(ap, fmt);
		buf_fast_vprintf(&b, fmt, ap);
		va_end(ap);
		char *p = arena_strndup(a, b.s, b.len);
		buf_free(&b);
		return p;
	}
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return arena_strndup(a, "", 0);
	if ((size_t)n < sizeof small)
		return arena_strndup(a, small, (size_t)n);
	char *p = arena_take(a, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void arena_reset(struct pd_arena *a)
{
	struct arena_block *b = a->head, *keep = NULL;
	while (b) {
		struct arena_block *next = b->next;
		if (!keep && b->size == ARENA_BLOCK)
			keep = b;
		else
			free(b);
		b = next;
	}
	if (!keep)
		keep = block_new(ARENA_BLOCK);
	keep->next = NULL;
	keep->used = 0;
	a->head = keep;
	a->total = 0;
}

void arena_free(struct pd_arena *a)
{
	if (!a)
		return;
	struct arena_block *b = a->head;
	while (b) {
		struct arena_block *next = b->next;
		free(b);
		b = next;
	}
	free(a);
}

size_t arena_used(const struct pd_arena *a)
{
	return a->total;
}

/* ----------------------------------------------------------------- buffer */

void buf_grow_to(struct pd_buf *b, size_t need)
{
	size_t cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap *= 2;
	b->s = xrealloc(b->s, cap);
	b->cap = cap;
}

/* Room for extra more bytes and the NUL. */
static inline void buf_grow(struct pd_buf *b, size_t extra)
{
	if (b->len + extra + 1 > b->cap)
		buf_grow_to(b, b->len + extra + 1);
}

/* The functions of the inline definitions in util.h, for whatever takes their address. */
extern inline void buf_put(struct pd_buf *b, const char *s, size_t len);
extern inline void buf_puts(struct pd_buf *b, const char *s);
extern inline void buf_putc(struct pd_buf *b, char c);

/* A conversion of a format: %s, %c, %% or an integer (d i u x X, of length l, ll or z
 * (z: u x X only)) with the 0 flag and a width (integers only, up to 32). */
struct conv {
	char kind;  /* the conversion's letter */
	char size;  /* 0, 'l', 'L' (ll) or 'z' */
	bool zero;  /* pad with zeros */
	int width;
	const char *end; /* after the conversion */
};

/* The conversion at p (after its '%'); false for one only vsnprintf writes. */
static bool conv_read(const char *p, struct conv *c)
{
	*c = (struct conv){0};
	if ((c->zero = *p == '0'))
		p++;
	while (*p >= '0' && *p <= '9' && c->width <= 32)
		c->width = c->width * 10 + (*p++ - '0');
	if (*p == 'l')
		c->size = p[1] == 'l' ? (p += 2, 'L') : (p++, 'l');
	else if (*p == 'z')
		c->size = *p++;
	c->kind = *p;
	c->end = p + 1;
	bool plain = !c->zero && !c->width && !c->size;
	switch (c->kind) {
	case 's': case 'c': case '%': return plain;
	case 'd': case 'i': return c->size != 'z' && c->width <= 32;
	case 'u': case 'x': case 'X': return c->width <= 32;
	default: return false;
	}
}

/* Whether every conversion of fmt is one buf_fast_vprintf writes. */
static bool fast_format(const char *fmt)
{
	struct conv c;
	for (const char *p = fmt; (p = strchr(p, '%')); p = c.end)
		if (!conv_read(p + 1, &c))
			return false;
	return true;
}

/* An integer conversion of c, its value taken from ap, as printf writes it. */
static void put_integer(struct pd_buf *b, const struct conv *c, va_list *ap)
{
	unsigned long long u;
	bool neg = false;
	if (c->kind == 'd' || c->kind == 'i') {
		long long v = c->size == 'L' ? va_arg(*ap, long long)
			      : c->size == 'l' ? va_arg(*ap, long) : va_arg(*ap, int);
		neg = v < 0;
		u = neg ? 0ull - (unsigned long long)v : (unsigned long long)v;
	} else {
		u = c->size == 'L' ? va_arg(*ap, unsigned long long)
		    : c->size == 'l' ? va_arg(*ap, unsigned long)
		    : c->size == 'z' ? va_arg(*ap, size_t) : va_arg(*ap, unsigned);
	}
	const char *digits = c->kind == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
	unsigned base = c->kind == 'x' || c->kind == 'X' ? 16 : 10;
	char text[64], *end = text + sizeof text, *p = end;
	do
		*--p = digits[u % base];
	while ((u /= base));
	int len = (int)(end - p) + neg;
	if (!c->zero)
		for (; len < c->width; len++)
			buf_putc(b, ' ');
	if (neg)
		buf_putc(b, '-');
	for (; len < c->width; len++)
		buf_putc(b, '0');
	buf_put(b, p, (size_t)(end - p));
}

/* fmt written as vsnprintf would, for the formats fast_format accepts. */
static void buf_fast_vprintf(struct pd_buf *b, const char *fmt, va_list ap)
{
	va_list args;
	va_copy(args, ap);
	for (const char *p = fmt;;) {
		const char *pct = strchr(p, '%');
		buf_put(b, p, pct ? (size_t)(pct - p) : strlen(p));
		if (!pct)
			break;
		struct conv c;
		conv_read(pct + 1, &c);
		if (c.kind == '%')
			buf_putc(b, '%');
		else if (c.kind == 'c')
			buf_putc(b, (char)(unsigned char)va_arg(args, int));
		else if (c.kind == 's') {
			const char *str = va_arg(args, const char *);
			buf_puts(b, str ? str : "(null)");
		} else
			put_integer(b, &c, &args);
		p = c.end;
	}
	va_end(args);
}

/* Formats straight into the free space (at least 64 bytes of it); a longer result is
 * formatted again once the buffer has grown to take it. The most common formats (texts
 * and integers) are written here, not by vsnprintf, which costs ten times as much. */
void buf_vprintf(struct pd_buf *b, const char *fmt, va_list ap)
{
	if (fast_format(fmt)) {
		buf_fast_vprintf(b, fmt, ap);
		return;
	}
	buf_grow(b, 64);
	size_t room = b->cap - b->len;
	va_list copy;
	va_copy(copy, ap);
	int n = vsnprintf(b->s + b->len, room, fmt, copy);
	va_end(copy);
	if (n < 0) {
		b->s[b->len] = '\0';
		return;
	}
	if ((size_t)n >= room) {
		buf_grow(b, (size_t)n);
		vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	}
	b->len += (size_t)n;
}

void buf_printf(struct pd_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

void buf_clear(struct pd_buf *b)
{
	b->len = 0;
	if (b->s)
		b->s[0] = '\0';
}

void buf_free(struct pd_buf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
}

char *buf_take(struct pd_buf *b)
{
	char *s = b->s ? b->s : xstrdup("");
	b->s = NULL;
	b->len = b->cap = 0;
	return s;
}

/* ------------------------------------------------------------------- files */

const char *file_strerror(int err)
{
	return err == PD_ENOTREG ? "not a regular file (a FIFO, device or socket is never read)"
				 : strerror(err);
}

/* Opened without blocking (a FIFO would wait for a writer for ever), then refused unless
 * it is a regular file. */
/* Reads fd to its end (max_len bytes at most, unless 0) and closes it; size, when known
 * (a regular file's), sizes the buffer so that the bytes are read into it once. */
static char *fd_read_all(int fd, size_t *len, size_t max_len, size_t size)
{
	struct pd_buf b = {0};
	int err = 0;
	if (max_len && size > max_len)
		err = EFBIG;
	else
		buf_grow(&b, size ? size + 1 : 65536); /* + 1: the read that finds the end */
	while (!err) {
		if (b.len + 1 == b.cap)
			buf_grow(&b, 65536);
		ssize_t n = read(fd, b.s + b.len, b.cap - b.len - 1);
		if (n == 0)
			break;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || (max_len && b.len + (size_t)n > max_len))
			err = n < 0 ? EIO : EFBIG;
		else
			b.len += (size_t)n;
	}
	close(fd);
	if (err) {
		buf_free(&b);
		errno = err;
		return NULL;
	}
	b.s[b.len] = '\0';
	if (len)
		*len = b.len;
	return buf_take(&b);
}

int fd_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

char *file_read(const char *path, size_t *len, size_t max_len)
{
	if (!strcmp(path, PD_STDIN))
		return fd_read_all(dup(STDIN_FILENO), len, max_len, 0);
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		int err = S_ISDIR(st.st_mode) ? EISDIR : PD_ENOTREG;
		close(fd);
		errno = err;
		return NULL;
	}
	return fd_read_all(fd, len, max_len, (size_t)st.st_size);
}

int utf8_decode_long(const char *s, size_t len, uint32_t *cp)
{
	const unsigned char *p = (const unsigned char *)s;
	if ((p[0] & 0xE0) == 0xC0 && len >= 2) {
		*cp = (uint32_t)(p[0] & 0x1F) << 6 | (p[1] & 0x3F);
		return 2;
	}
	if ((p[0] & 0xF0) == 0xE0 && len >= 3) {
		*cp = (uint32_t)(p[0] & 0x0F) << 12 | (uint32_t)(p[1] & 0x3F) << 6 | (p[2] & 0x3F);
		return 3;
	}
	if ((p[0] & 0xF8) == 0xF0 && len >= 4) {
		*cp = (uint32_t)(p[0] & 0x07) << 18 | (uint32_t)(p[1] & 0x3F) << 12 |
		      (uint32_t)(p[2] & 0x3F) << 6 | (p[3] & 0x3F);
		return 4;
	}
	*cp = 0xFFFD;
	return 1;
}

size_t utf8_count(const char *s, size_t len)
{
	size_t n = 0;
	uint32_t cp;
	for (size_t at = 0; at < len; n++)
		at += (size_t)utf8_decode(s + at, len - at, &cp);
	return n;
}

void hex_encode(const unsigned char *bytes, size_t n, char *hex)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		hex[2 * i] = digits[bytes[i] >> 4];
		hex[2 * i + 1] = digits[bytes[i] & 15];
	}
	hex[2 * n] = '\0';
}

uint64_t hash_bytes(const void *p, size_t n)
{
	const unsigned char *b = p;
	uint64_t h = 14695981039346656037ull, w;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) { /* eight bytes at a time */
		memcpy(&w, b + i, 8);
		h = (h ^ w) * 0x9E3779B97F4A7C15ull;
		h ^= h >> 29;
	}
	for (; i < n; i++)
		h = (h ^ b[i]) * 1099511628211ull;
	return h;
}

/* ------------------------------------------------------------- dates */

/* The number the n digits at s write. */
static int digits_value(const char *s, int n)
{
	int x = 0;
	while (n-- > 0)
		x = x * 10 + (*s++ - '0');
	return x;
}

void date_fields(const char *s, int *y, int *m, int *d)
{
	*y = digits_value(s, 4);
	*m = digits_value(s + 5, 2);
	*d = digits_value(s + 8, 2);
}

bool date_valid(const char *s)
{
	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	int y, m, d;
	date_fields(s, &y, &m, &d);
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (y < 1 || m < 1 || m > 12 || d < 1)
		return false;
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return d <= mdays[m - 1] + (m == 2 && leap);
}

long date_days(const char *s)
{
	long y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;
	long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

const char *date_month_name(int m)
{
	static const char *const names[] = {"January", "February", "March",	 "April",
					    "May",	   "June",     "July",	 "August",
					    "September", "October",  "November", "December"};
	return m >= 1 && m <= 12 ? names[m - 1] : "";
}

/* ------------------------------------------------------------- A-numbers */

bool anumber_normalize(const char *s, char out[10])
{
	char d[16];
	size_t n = 0;
	out[0] = '\0';
	while (*s == ' ')
		s++;
	if (*s == 'A' || *s == 'a') {
		s++;
		while (*s == ' ' || *s == '#' || *s == '-')
			s++;
	}
	for (; *s; s++) {
		if (*s >= '0' && *s <= '9') {
			if (n == sizeof d - 1)
				return false;
			d[n++] = *s;
		} else if (*s != ' ' && *s != '-') {
			return false;
		}
	}
	if (n < 8 || n > 9)
		return false;
	size_t pad = 9 - n;
	memset(out, '0', pad);
	memcpy(out + pad, d, n);
	out[9] = '\0';
	return true;
}

void anumber_format(const char digits[10], char out[13])
{
	snprintf(out, 13, "A%.3s-%.3s-%.3s", digits, digits + 3, digits + 6);
}

bool lang_tag_valid(const char *s)
{
	if (!s)
		return false;
	size_t part = 0, first = 0;
	for (const char *p = s;; p++) {
		bool alnum = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			     (*p >= '0' && *p <= '9');
		if (alnum) {
			part++;
			continue;
		}
		if (part == 0 || part > 8 || (*p && *p != '-'))
			return false;
		if (!first)
			first = part;
		if (!*p)
			break;
		part = 0;
	}
	return first >= 2 && first <= 3;
}

int dir_make(const char *dir)
{
	char path[PATH_MAX];
	if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0777) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(path, 0777) && errno != EEXIST)
		return -1;
	struct stat st;
	if (stat(path, &st) != 0)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	return 0;
}

char *search_find(const struct pd_search *s, const char *rel)
{
	for (size_t i = 0; i < s->n; i++) {
		struct pd_buf path = {0};
		buf_printf(&path, "%s/%s", s->dirs[i], rel);
		if (access(path.s, F_OK) == 0)
			return buf_take(&path);
		buf_free(&path);
	}
	return NULL;
}

void buf_json_string(struct pd_buf *b, const char *s)
{
	buf_putc(b, '"');
	size_t len = s ? strlen(s) : 0;
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		int n = utf8_decode(s + i, len - i, &cp);
		if (cp == '"' || cp == '\\')
			buf_printf(b, "\\%c", (char)cp);
		else if (cp == '\n')
			buf_puts(b, "\\n");
		else if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || (cp == 0xFFFD && n == 1))
			buf_printf(b, "\\u%04x", cp == 0xFFFD ? 0xFFFDu : (unsigned)cp);
		else
			buf_put(b, s + i, (size_t)n);
		i += (size_t)n;
	}
	buf_putc(b, '"');
}

char *cache_file(const char *name, bool create)
{
	const char *env = getenv("PDGEN_CACHE_DIR"), *xdg = getenv("XDG_CACHE_HOME"),
		   *home = getenv("HOME");
	struct pd_buf dir = {0};
	if (env && *env)
		buf_puts(&dir, env);
	else if (xdg && *xdg)
		buf_printf(&dir, "%s/pdgen", xdg);
	else if (home && *home)
		buf_printf(&dir, "%s/.cache/pdgen", home);
	else
		return NULL;
	if (create && dir_make(dir.s) != 0) {
		buf_free(&dir);
		return NULL;
	}
	buf_printf(&dir, "/%s", name);
	return buf_take(&dir);
}
