/* out_pdf_pack: a PDF as libharu writes it (objects, then a cross-reference table) -> the same
 * objects, those that are not streams in one deflated object stream, indexed by a
 * cross-reference stream (PDF 1.5): a tagged PDF's hundreds of small dictionaries (its
 * structure elements) cost a tenth of their bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "out_impl.h"

/* The number after the last "startxref"; 0 if none. */
static size_t last_startxref(const unsigned char *in, size_t len)
{
	for (size_t i = len > 40 ? len - 40 : 0; i + 9 < len; i++)
		if (!memcmp(in + i, "startxref", 9))
			return (size_t)strtoul((const char *)in + i + 10, NULL, 10);
	return 0;
}

/* Offsets of objects 1..n-1 from the table at in + at ("xref\n0 n\n" and 20-byte
 * entries); returns n, or 0 when the table is not libharu's. Sets *trailer to the text of
 * the trailer dictionary's entries and *tlen to its length. */
static size_t read_table(const unsigned char *in, size_t len, size_t at, size_t **offs,
			 const char **trailer, size_t *tlen)
{
	if (at + 8 > len || memcmp(in + at, "xref\n0 ", 7))
		return 0;
	char *end;
	size_t n = (size_t)strtoul((const char *)in + at + 7, &end, 10);
	const unsigned char *e = (const unsigned char *)end + 1;
	if (*end != '\n' || n < 2 || (size_t)(e - in) + 20 * n > len)
		return 0;
	*offs = xmalloc(n * sizeof **offs);
	for (size_t i = 0; i < n; i++)
		(*offs)[i] = (size_t)strtoul((const char *)e + 20 * i, NULL, 10);
	const char *t = (const char *)e + 20 * n;
	const char *open = strstr(t, "<<"), *close = NULL;
	for (const char *p = open; p && (p = strstr(p + 2, ">>"));)
		close = p;
	if (!open || !close) {
		free(*offs);
		return 0;
	}
	*trailer = open + 2;
	*tlen = (size_t)(close - *trailer);
	return n;
}

/* The trailer's entries but /Size, for the cross-reference stream's dictionary. */
static void trailer_entries(struct pd_buf *out, const char *t, size_t len)
{
	const char *end = t + len;
	while (t < end) {
		const char *nl = memchr(t, '\n', (size_t)(end - t));
		const char *e = nl ? nl : end;
		if (e > t && strncmp(t, "/Size", 5))
			buf_put(out, t, (size_t)(e - t)), buf_putc(out, ' ');
		t = e + 1;
	}
}

static void put_field(unsigned char **p, size_t v, int bytes)
{
	for (int k = bytes - 1; k >= 0; k--)
		*(*p)++ = (unsigned char)(v >> (8 * k));
}

/* v in decimal at the end of tmp[32]; returns where it starts. */
static char *decimal(char tmp[32], size_t v)
{
	char *p = tmp + 32;
	do
		*--p = (char)('0' + v % 10);
	while (v /= 10);
	return p;
}

static void put_decimal(struct pd_buf *b, size_t v, char after)
{
	char tmp[33];
	char *p = decimal(tmp, v);
	tmp[32] = after;
	buf_put(b, p, (size_t)(tmp + 33 - p));
}

/* Object i's body (between "i 0 obj\n" and "\nendobj\n"), or -1 when it is not there. */
static int body_of(const unsigned char *in, size_t from, size_t to, size_t i, size_t *b0,
		   size_t *b1)
{
	char tmp[40];
	char *head = decimal(tmp, i);
	memcpy(tmp + 32, " 0 obj\n", 8);
	int h = (int)(tmp + 39 - head); /* without the NUL */
	if (to < from + (size_t)h + 8 || memcmp(in + from, head, (size_t)h) ||
	    memcmp(in + to - 8, "\nendobj\n", 8))
		return -1;
	*b0 = from + (size_t)h;
	*b1 = to - 8;
	return 0;
}

struct packing {
	struct pd_buf heads, bodies; /* of the object stream */
	size_t count;
	unsigned char *types;	     /* per object: 1 in place, 2 in the object stream */
	size_t *where;		     /* offset in the file, or index in the object stream */
};

static void pack_body(struct packing *k, size_t i, const char *body, size_t len)
{
	k->types[i] = 2;
	k->where[i] = k->count++;
	put_decimal(&k->heads, i, ' ');
	put_decimal(&k->heads, k->bodies.len, ' ');
	buf_put(&k->bodies, body, len);
	buf_putc(&k->bodies, '\n');
}

static int pack_objects(const unsigned char *in, const size_t *offs, size_t n, size_t xref_at,
			const struct pdf_objects *own, struct packing *k, struct pd_buf *out)
{
	buf_put(out, (const char *)in, offs[1]); /* the header */
	for (size_t i = 1; i < n; i++) {
		size_t to = i + 1 < n ? offs[i + 1] : xref_at, b0, b1;
		if (offs[i] > to || body_of(in, offs[i], to, i, &b0, &b1) < 0)
			return -1;
		if (b1 - b0 >= 9 && !memcmp(in + b1 - 9, "endstream", 9)) {
			k->types[i] = 1;
			k->where[i] = out->len;
			buf_put(out, (const char *)in + offs[i], to - offs[i]);
		} else if (own && i == own->stand_in) {
			pack_body(k, i, own->root.s, own->root.len);
		} else {
			pack_body(k, i, (const char *)in + b0, b1 - b0);
		}
	}
	for (size_t j = 0; own && j < own->n; j++) {
		size_t from = j ? own->ends[j - 1] : 0;
		pack_body(k, n + j, own->bodies.s + from, own->ends[j] - from);
	}
	return 0;
}

static int put_stream(struct libdeflate_compressor *z, struct pd_buf *out, const char *dict,
		      const void *data, size_t len)
{
	size_t zlen;
	unsigned char *zd = pdf_deflate(z, data, len, &zlen);
	if (!zd)
		return -1;
	buf_printf(out, "<<\n%s/Filter /FlateDecode\n/Length %zu\n>>\nstream\r\n", dict, zlen);
	buf_put(out, (const char *)zd, zlen);
	buf_puts(out, "\nendstream\nendobj\n");
	free(zd);
	return 0;
}

/* Objects n (the object stream) and n + 1 (the cross-reference stream), then the end. */
static int finish(struct libdeflate_compressor *z, struct packing *k, size_t n,
		  const char *trailer, size_t tlen, struct pd_buf *out)
{
	k->types[n] = 1;
	k->where[n] = out->len;
	buf_printf(out, "%zu 0 obj\n", n);
	char dict[96];
	snprintf(dict, sizeof dict, "/Type /ObjStm\n/N %zu\n/First %zu\n", k->count, k->heads.len);
	buf_put(&k->heads, k->bodies.s, k->bodies.len);
	if (put_stream(z, out, dict, k->heads.s, k->heads.len) < 0)
		return -1;
	size_t xref_at = out->len;
	k->types[n + 1] = 1;
	k->where[n + 1] = xref_at;
	unsigned char *rows = xcalloc(n + 2, 7), *p = rows;
	for (size_t i = 0; i < n + 2; i++) {
		put_field(&p, k->types[i], 1);
		put_field(&p, k->types[i] == 2 ? n : k->where[i], 4);
		put_field(&p, k->types[i] == 2 ? k->where[i] : i ? 0 : 0xFFFF, 2);
	}
	struct pd_buf d = {0};
	buf_printf(&d, "/Type /XRef\n/Size %zu\n/W [1 4 2]\n", n + 2);
	trailer_entries(&d, trailer, tlen);
	buf_putc(&d, '\n');
	buf_printf(out, "%zu 0 obj\n", n + 1);
	int rc = put_stream(z, out, d.s, rows, 7 * (n + 2));
	buf_printf(out, "startxref\n%zu\n%%%%EOF\n", xref_at);
	buf_free(&d);
	free(rows);
	return rc;
}

int pdf_pack(const struct pd_buf *file, struct libdeflate_compressor *z,
	     const struct pdf_objects *own, struct pd_buf *out)
{
	const unsigned char *in = (const unsigned char *)file->s; /* NUL-terminated */
	size_t len = file->len;
	if (!in)
		return -1;
	size_t *offs = NULL, tlen = 0, at = last_startxref(in, len);
	const char *trailer = NULL;
	size_t n = read_table(in, len, at, &offs, &trailer, &tlen);
	size_t m = own ? own->n : 0;
	if (!n || offs[1] > at || at >= 1u << 31 || (own && (own->first != n || own->stand_in >= n)))
		return free(offs), -1;
	struct packing k = {0};
	k.types = xcalloc(n + m + 2, 1);
	k.where = xcalloc(n + m + 2, sizeof *k.where);
	int rc = pack_objects(in, offs, n, at, own, &k, out);
	if (!rc)
		rc = finish(z, &k, n + m, trailer, tlen, out);
	buf_free(&k.heads);
	buf_free(&k.bodies);
	free(k.types);
	free(k.where);
	free(offs);
	return rc;
}
