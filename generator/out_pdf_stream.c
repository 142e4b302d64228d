/* out_pdf_stream: bytes into and out of libharu without its memory streams (which copy a
 * byte at a time). In: streams pdgen deflated, a finished document. Out: the PDF file. */
#define _XOPEN_SOURCE 700 /* realpath */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hpdf.h>
#include <hpdf_doc.h>
#include <hpdf_objects.h>
#include <hpdf_streams.h>

/* This file reaches into libharu's private structures (a stream's attr and callbacks, a
 * dictionary's stream, the document's output): written for libharu 2.3.0 (Debian 12). Any
 * other version must be read against these headers before it is built. */
#if HPDF_VERSION_ID != 20300
#error "out_pdf_stream.c was written for libharu 2.3.0: check its use of private headers"
#endif
#include <libdeflate.h>
#include <nettle/sha2.h>

#include "image.h"
#include "out_impl.h"
#include "util.h"

/* libdeflate (whole buffers, no stream state) at its fastest level: 3% smaller than zlib's
 * fastest, in half the time; its level 4 saves 1% more bytes for 63% more instructions. */
struct libdeflate_compressor *pdf_deflater_new(void)
{
	return libdeflate_alloc_compressor(1);
}

void pdf_deflater_free(struct libdeflate_compressor *c)
{
	libdeflate_free_compressor(c);
}

unsigned char *pdf_deflate(struct libdeflate_compressor *c, const void *data, size_t len,
			   size_t *zlen)
{
	if (!c)
		return NULL;
	size_t cap = libdeflate_zlib_compress_bound(c, len);
	unsigned char *z = xmalloc(cap);
	*zlen = libdeflate_zlib_compress(c, data, len, z, cap);
	if (*zlen == 0) {
		free(z);
		return NULL;
	}
	return z;
}

/* ---- streams read from pdgen's own bytes ---- */

struct bytes_in {
	const unsigned char *data;
	size_t len, at;
	bool owned; /* freed with the stream */
};

static HPDF_STATUS bytes_read(HPDF_Stream s, HPDF_BYTE *buf, HPDF_UINT *size)
{
	struct bytes_in *in = s->attr;
	size_t n = in->len - in->at < *size ? in->len - in->at : *size;
	memcpy(buf, in->data + in->at, n);
	in->at += n;
	*size = (HPDF_UINT)n;
	return in->at == in->len ? HPDF_STREAM_EOF : HPDF_OK;
}

static HPDF_STATUS bytes_seek(HPDF_Stream s, HPDF_INT pos, HPDF_WhenceMode mode)
{
	struct bytes_in *in = s->attr;
	long base = mode == HPDF_SEEK_SET ? 0 : mode == HPDF_SEEK_CUR ? (long)in->at : (long)in->len;
	if (base + pos < 0 || base + pos > (long)in->len)
		return HPDF_SetError(s->error, HPDF_STREAM_EOF, 0);
	in->at = (size_t)(base + pos);
	return HPDF_OK;
}

static HPDF_INT32 bytes_tell(HPDF_Stream s)
{
	return (HPDF_INT32)((struct bytes_in *)s->attr)->at;
}

static HPDF_UINT32 bytes_size(HPDF_Stream s)
{
	return (HPDF_UINT32)((struct bytes_in *)s->attr)->len;
}

static void bytes_free(HPDF_Stream s)
{
	struct bytes_in *in = s->attr;
	if (in->owned)
		free((void *)in->data);
	free(in);
}

/* A stream pdgen deflated itself: libharu writes its bytes as they are, and this filter. */
static HPDF_STATUS flate_filter(HPDF_Dict dict, HPDF_Stream stream)
{
	(void)dict;
	return HPDF_Stream_WriteStr(stream, "/Filter /FlateDecode\012");
}

int pdf_set_deflated(HPDF_Dict stream, const unsigned char *z, size_t len, bool give)
{
	struct bytes_in *in = xmalloc(sizeof *in);
	*in = (struct bytes_in){z, len, 0, give};
	HPDF_Stream s = stream ? HPDF_CallbackReader_New(stream->mmgr, bytes_read, bytes_seek,
							 bytes_tell, bytes_size, in)
			       : NULL;
	if (!s) {
		if (give)
			free((void *)z);
		free(in);
		return -1;
	}
	s->free_fn = bytes_free;
	HPDF_Stream_Free(stream->stream);
	stream->stream = s;
	stream->filter = HPDF_STREAM_FILTER_NONE;
	stream->write_fn = flate_filter;
	return 0;
}

const unsigned char *pdf_deflated_bytes(HPDF_Dict stream, size_t *len)
{
	HPDF_Stream s = stream->stream;
	if (!s || s->read_fn != bytes_read || stream->write_fn != flate_filter)
		return NULL;
	const struct bytes_in *in = s->attr;
	*len = in->len;
	return in->data;
}

/* ---- the file, written as libharu makes it ---- */

struct sink {
	struct libdeflate_compressor *pack; /* pack the file with it (pdf_pack); NULL: as is */
	const struct pdf_objects *own;	    /* objects pdgen wrote, packed with the rest */
	int fd, err; /* err: the errno of a failed write */
	size_t bytes, held;
	struct sha256_ctx sha;
	unsigned char buf[65536];
};

static int sink_flush(struct sink *k)
{
	if (!k->err && fd_write_all(k->fd, k->buf, k->held) < 0)
		k->err = errno;
	k->held = 0;
	return k->err ? -1 : 0;
}

static int sink_put(struct sink *k, const unsigned char *p, size_t size)
{
	sha256_update(&k->sha, size, p);
	k->bytes += size;
	while (size) {
		if (k->held == sizeof k->buf && sink_flush(k) < 0)
			return -1;
		size_t n = sizeof k->buf - k->held < size ? sizeof k->buf - k->held : size;
		memcpy(k->buf + k->held, p, n);
		k->held += n, p += n, size -= n;
	}
	return 0;
}

static HPDF_STATUS sink_write(HPDF_Stream s, const HPDF_BYTE *p, HPDF_UINT size)
{
	struct sink *k = s->attr;
	if (sink_put(k, p, size) < 0)
		return HPDF_SetError(s->error, HPDF_FILE_IO_ERROR, (HPDF_STATUS)k->err);
	return HPDF_OK;
}

/* The document packed (pdf_pack) into the sink; HPDF_OK or libharu's error. */
static HPDF_STATUS sink_packed(HPDF_Doc pdf, struct sink *k)
{
	struct pd_buf packed = {0};
	packed.s = xmalloc(packed.cap = 64 * 1024); /* a letter's size: grown when larger */
	packed.s[0] = '\0';
	HPDF_STATUS st = pdf_pack(pdf, k->pack, k->own, &packed);
	if (st == HPDF_OK) { /* straight to the file, hashed on the way */
		sha256_update(&k->sha, packed.len, (const unsigned char *)packed.s);
		k->bytes += packed.len;
		if (fd_write_all(k->fd, packed.s, packed.len) < 0)
			k->err = errno;
	}
	buf_free(&packed);
	return st;
}

/* libharu's own writing, straight into the sink. */
static HPDF_STATUS sink_saved(HPDF_Doc pdf, struct sink *k)
{
	HPDF_Stream out = HPDF_CallbackWriter_New(pdf->mmgr, sink_write, k);
	if (!out)
		return HPDF_FAILD_TO_ALLOC_MEM;
	HPDF_Stream_Free(pdf->stream);
	pdf->stream = out;
	HPDF_STATUS st = HPDF_SaveToStream(pdf);
	HPDF_Stream_Free(pdf->stream);
	pdf->stream = NULL;
	return st;
}

/* The document into fd, packed or as libharu writes it. Returns 0, -1 with errno set (I/O), or
 * -2 (libharu failed). */
static int emit(HPDF_Doc pdf, int fd, struct sink *k)
{
	k->fd = fd;
	k->err = 0;
	k->bytes = k->held = 0;
	sha256_init(&k->sha);
	HPDF_STATUS st = k->pack ? sink_packed(pdf, k) : sink_saved(pdf, k);
	if (k->err || (st == HPDF_OK && sink_flush(k) < 0))
		return errno = k->err, -1;
	return st == HPDF_OK ? 0 : -2;
}

/* A device, a pipe, a name of an open descriptor (/dev/stdout, /dev/fd/N, /proc/...) is
 * written in place: a temporary file beside it and a rename would replace the node, or a
 * file the shell has open. A plain directory such as /dev/shm is written like any other. */
static bool write_in_place(const char *target)
{
	static const char *const descriptors[] = {"/dev/stdout", "/dev/stderr", "/dev/stdin",
						  "/dev/fd/", "/proc/"};
	for (size_t i = 0; i < sizeof descriptors / sizeof *descriptors; i++)
		if (!strncmp(target, descriptors[i], strlen(descriptors[i])))
			return true;
	struct stat st;
	return stat(target, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode);
}

/* A new file "target.tmp-XXXXXX" in dir (mkstemp's names, made at a descriptor). */
static int temp_at(int dir, const char *target, char *tmp, size_t size)
{
	static const char alnum[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	for (int tries = 0; tries < 100; tries++) { /* a name taken: another (O_EXCL) */
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		unsigned long v[3] = {(unsigned long)getpid(), (unsigned long)tries,
				      (unsigned long)ts.tv_nsec};
		uint64_t h = hash_bytes(v, sizeof v);
		char suffix[7];
		for (int i = 0; i < 6; i++, h /= 62)
			suffix[i] = alnum[h % 62];
		suffix[6] = '\0';
		snprintf(tmp, size, "%s.tmp-%s", target, suffix);
		int fd = openat(dir, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd >= 0 || errno != EEXIST)
			return fd;
	}
	return -1;
}

/* Writes to a temporary file beside target (in dir), then renames it; Ctrl-C or a kill
 * meanwhile waits until the file is whole or gone. Returns as emit does. */
static int write_atomic(HPDF_Doc pdf, int dir, const char *target, unsigned mode,
			struct sink *k)
{
	sigset_t stop, old;
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &stop, &old);
	size_t size = strlen(target) + 16;
	char *tmp = xmalloc(size);
	int fd = temp_at(dir, target, tmp, size), rc = -1;
	if (fd >= 0) {
		fchmod(fd, (mode_t)mode);
		rc = emit(pdf, fd, k);
		int saved = errno;
		if (close(fd) != 0 && rc == 0)
			rc = -1, saved = errno;
		if (rc == 0 && renameat(dir, tmp, dir, target) != 0)
			rc = -1, saved = errno;
		if (rc != 0)
			unlinkat(dir, tmp, 0);
		errno = saved;
	}
	int saved = errno;
	free(tmp);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	errno = saved;
	return rc;
}

static int write_device(HPDF_Doc pdf, const char *path, struct sink *k)
{
	int fd = open(path, O_WRONLY | O_TRUNC);
	if (fd < 0)
		return -1;
	int rc = emit(pdf, fd, k), saved = errno;
	if (close(fd) != 0 && rc == 0)
		rc = -1, saved = errno;
	errno = saved;
	return rc;
}

int pdf_set_id(HPDF_Doc pdf, const unsigned char id[16])
{
	HPDF_Array arr = HPDF_Array_New(pdf->mmgr);
	if (!arr || HPDF_Dict_Add(pdf->trailer, "ID", arr) != HPDF_OK)
		return -1;
	for (int i = 0; i < 2; i++) {
		HPDF_Binary half = HPDF_Binary_New(pdf->mmgr, (HPDF_BYTE *)id, 16);
		if (!half || HPDF_Array_Add(arr, half) != HPDF_OK)
			return -1;
	}
	return 0;
}

int pdf_save(HPDF_Doc pdf, const int *dir, const char *path, unsigned mode, size_t *bytes,
	     char sha256_hex[65], struct libdeflate_compressor *pack, const struct pdf_objects *own)
{
	struct stat st;
	char *real = !dir && lstat(path, &st) == 0 && S_ISLNK(st.st_mode) ? realpath(path, NULL)
									 : NULL;
	const char *target = real ? real : path;
	const char *last = strrchr(path, '/');
	struct sink *k = xmalloc(sizeof *k);
	k->pack = pack;
	k->own = own;
	int rc = dir ? write_atomic(pdf, *dir, last ? last + 1 : path, mode, k)
	       : write_in_place(path) || write_in_place(target)
		   ? write_device(pdf, path, k)
		   : write_atomic(pdf, AT_FDCWD, target, mode, k);
	int saved = errno;
	if (rc == 0) {
		unsigned char digest[SHA256_DIGEST_SIZE];
		sha256_digest(&k->sha, sizeof digest, digest);
		hex_encode(digest, sizeof digest, sha256_hex);
		*bytes = k->bytes;
	}
	free(k);
	free(real);
	errno = saved;
	return rc;
}

/* ---- images: pixels pdgen decoded itself (image.c), never libharu's loaders ---- */

HPDF_Image pdf_image_new(HPDF_Doc pdf, struct libdeflate_compressor *c,
			 const struct pd_pixels *px)
{
	HPDF_Dict img = HPDF_DictStream_New(pdf->mmgr, pdf->xref);
	if (!img)
		return NULL;
	img->header.obj_class |= HPDF_OSUBCLASS_XOBJECT;
	HPDF_STATUS rc = HPDF_Dict_AddName(img, "Type", "XObject");
	rc += HPDF_Dict_AddName(img, "Subtype", "Image");
	rc += HPDF_Dict_AddNumber(img, "Width", px->width);
	rc += HPDF_Dict_AddNumber(img, "Height", px->height);
	rc += HPDF_Dict_AddName(img, "ColorSpace", px->comps == 1 ? "DeviceGray" : "DeviceRGB");
	rc += HPDF_Dict_AddNumber(img, "BitsPerComponent", 8);
	size_t zlen;
	unsigned char *z = rc == HPDF_OK ? pdf_deflate(c, px->data, px->len, &zlen) : NULL;
	if (!z || pdf_set_deflated(img, z, zlen, true) < 0)
		return NULL;
	return img;
}
