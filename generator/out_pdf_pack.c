/* out_pdf_pack: a finished libharu document -> the PDF file, written straight from its
 * objects with libharu's spelling: the streams in place, every other object in one deflated
 * object stream with pdgen's own objects, indexed by a cross-reference stream (PDF 1.5): a
 * tagged PDF's hundreds of small dictionaries (its structure elements) cost a tenth of their
 * bytes. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hpdf.h>
#include <hpdf_doc.h>
#include <hpdf_objects.h>
#include <hpdf_streams.h>
#include <hpdf_utils.h>

/* Walks libharu's private structures (the cross-reference entries, dictionaries' lists and
 * streams) and writes its objects as its HPDF_Xref_WriteToStream does: libharu 2.3.0 (Debian
 * 12) only; any other version must be read against its sources before it is built. */
#if HPDF_VERSION_ID != 20300
#error "out_pdf_pack.c writes objects as libharu 2.3.0 does: check it against this version"
#endif

#include "out_impl.h"

static void put_field(unsigned char **p, size_t v, int bytes)
{
	for (int k = bytes - 1; k >= 0; k--)
		*(*p)++ = (unsigned char)(v >> (8 * k));
}

/* v in decimal at the end of tmp[32]; returns where it starts. */
static char *decimal(char tmp[32], size_t v)
{
	return pdf_digits(tmp + 32, v);
}

static inline void put_char(struct pd_buf *b, char c)
{
	buf_put(b, &c, 1);
}

static void put_decimal(struct pd_buf *b, size_t v, char after)
{
	char tmp[33];
	char *p = decimal(tmp, v);
	tmp[32] = after;
	buf_put(b, p, (size_t)(tmp + 33 - p));
}

/* ---- objects as libharu writes them ---- */

static const char hex_digit[] = "0123456789ABCDEF";

struct writer {
	struct pd_buf *to; /* where the object being written goes */
	HPDF_Stream hs;	   /* appends to *to: for what libharu writes itself (strings, write_fn) */
};

static HPDF_STATUS to_buf(HPDF_Stream s, const HPDF_BYTE *p, HPDF_UINT size)
{
	struct writer *w = s->attr;
	buf_put(w->to, (const char *)p, size);
	return HPDF_OK;
}

/* HPDF_IToA: an integer, the least one taken as one more. */
static void put_int(struct pd_buf *b, HPDF_INT32 v)
{
	if (v < 0)
		put_char(b, '-');
	char tmp[33];
	char *p = decimal(tmp, v < 0 ? (size_t)-(long long)(v < -2147483647 ? -2147483647 : v)
				     : (size_t)v);
	buf_put(b, p, (size_t)(tmp + 32 - p));
}

/* s up to its NUL (at most limit bytes), each byte HPDF_NEEDS_ESCAPE names as #XX in a
 * name (HPDF_Stream_WriteEscapeName), as \ooo in a literal string (WriteEscapeText). */
static void put_escaped(struct pd_buf *b, const char *s, size_t limit, bool name)
{
	size_t i = 0, from = 0;
	for (unsigned char c; i < limit && (c = (unsigned char)s[i]); i++) {
		if ((unsigned)((c | 0x20) - 'a') < 26u || !HPDF_NEEDS_ESCAPE(c))
			continue;
		char e[4] = {'#', hex_digit[c >> 4], hex_digit[c & 15]};
		if (!name)
			e[0] = '\\', e[1] = (char)('0' + (c >> 6)), e[2] = (char)('0' + ((c >> 3) & 7)),
			e[3] = (char)('0' + (c & 7));
		buf_put(b, s + from, i - from);
		buf_put(b, e, name ? 3 : 4);
		from = i + 1;
	}
	buf_put(b, s + from, i - from);
}

static void put_name(struct pd_buf *b, const char *s)
{
	put_char(b, '/');
	put_escaped(b, s, HPDF_LIMIT_MAX_NAME_LEN, true);
}

/* HPDF_Stream_WriteBinary (no encryption): upper-case hexadecimal. */
static void put_hex(struct pd_buf *b, const HPDF_BYTE *p, HPDF_UINT len)
{
	char tmp[64];
	for (HPDF_UINT i = 0; i < len;) {
		size_t n = 0;
		for (; i < len && n < sizeof tmp; i++, n += 2)
			tmp[n] = hex_digit[p[i] >> 4], tmp[n + 1] = hex_digit[p[i] & 15];
		buf_put(b, tmp, n);
	}
}

/* HPDF_String_Write of a text string in libharu's UTF-8 encoder: UTF-16BE in hexadecimal
 * after a byte order mark, each sequence decoded as that encoder does (a stray byte skipped,
 * a sequence cut short at the end dropped, a code point beyond U+FFFF a space). */
static void put_utf8_string(struct pd_buf *b, const HPDF_BYTE *s, HPDF_UINT len)
{
	buf_put(b, "<FEFF", 5);
	HPDF_BYTE u[4];
	unsigned at = 0, last = 0;
	for (HPDF_UINT i = 0; i < len; i++) {
		HPDF_BYTE c = s[i];
		unsigned v;
		if (at == 0) {
			u[0] = c;
			last = (c & 0xf8) == 0xf0 ? 3 : (c & 0xf0) == 0xe0 ? 2 : (c & 0xe0) == 0xc0;
			at = c & 0x80 && last;
			if (c & 0x80)
				continue;
			v = c;
		} else {
			u[at] = c;
			if (at++ < last)
				continue;
			at = 0;
			v = last == 3	? ((u[0] & 7u) << 18) + ((unsigned)u[1] << 12) +
					      ((u[2] & 0x3fu) << 6) + (u[3] & 0x3fu)
			    : last == 2 ? ((u[0] & 0xfu) << 12) + ((u[1] & 0x3fu) << 6) + (u[2] & 0x3fu)
					: ((u[0] & 0x1fu) << 6) + (u[1] & 0x3fu);
		}
		if (v > 0xffff)
			v = ' ';
		char h[4] = {hex_digit[v >> 12], hex_digit[(v >> 8) & 15], hex_digit[(v >> 4) & 15],
			     hex_digit[v & 15]};
		buf_put(b, h, 4);
	}
	put_char(b, '>');
}

/* HPDF_String_Write (no encryption): a literal string, or text in the UTF-8 encoder (in
 * any other encoder, libharu's own writing). */
static HPDF_STATUS put_string(struct writer *w, HPDF_String t)
{
	if (!t->encoder) {
		put_char(w->to, '(');
		put_escaped(w->to, t->value ? (const char *)t->value : "", HPDF_LIMIT_MAX_STRING_LEN,
			    false);
		put_char(w->to, ')');
	} else if (!strcmp(t->encoder->name, "UTF-8")) {
		put_utf8_string(w->to, t->value, t->len);
	} else {
		return HPDF_Obj_WriteValue(t, w->hs, NULL);
	}
	return HPDF_OK;
}

static HPDF_STATUS put_value(struct writer *w, void *obj);

static HPDF_STATUS put_array(struct writer *w, HPDF_Array a)
{
	buf_put(w->to, "[ ", 2);
	for (HPDF_UINT i = 0; i < a->list->count; i++) {
		HPDF_STATUS st = put_value(w, a->list->obj[i]);
		if (st != HPDF_OK)
			return st;
		put_char(w->to, ' ');
	}
	put_char(w->to, ']');
	return HPDF_OK;
}

/* The entries of a dictionary but its hidden ones, a line each. */
static HPDF_STATUS put_entries(struct writer *w, HPDF_Dict d, const char *skip, char sep)
{
	for (HPDF_UINT i = 0; i < d->list->count; i++) {
		HPDF_DictElement e = d->list->obj[i];
		if (!e->value)
			return HPDF_SetError(d->error, HPDF_INVALID_OBJECT, 0);
		if ((((HPDF_Obj_Header *)e->value)->obj_id & HPDF_OTYPE_HIDDEN) ||
		    (skip && !strcmp(e->key, skip)))
			continue;
		put_name(w->to, e->key);
		put_char(w->to, ' ');
		HPDF_STATUS st = put_value(w, e->value);
		if (st != HPDF_OK)
			return st;
		put_char(w->to, sep);
	}
	return HPDF_OK;
}

/* A libharu memory stream's bytes: its blocks in order, each full but the last. */
static void put_blocks(struct pd_buf *b, HPDF_MemStreamAttr m)
{
	for (HPDF_UINT i = 0; i < m->buf->count; i++)
		buf_put(b, m->buf->obj[i], i + 1 < m->buf->count ? m->buf_siz : m->w_pos);
}

/* A stream's bytes after its dictionary; its indirect /Length set to their count. */
static HPDF_STATUS put_stream(struct writer *w, HPDF_Dict d, const unsigned char *z,
			      size_t len)
{
	HPDF_Number length = HPDF_Dict_GetItem(d, "Length", HPDF_OCLASS_NUMBER);
	if (!length)
		return HPDF_SetError(d->error, HPDF_DICT_STREAM_LENGTH_NOT_FOUND, 0);
	if (!(length->header.obj_id & HPDF_OTYPE_INDIRECT))
		return HPDF_SetError(d->error, HPDF_DICT_ITEM_UNEXPECTED_TYPE, 0);
	buf_put(w->to, "\nstream\r\n", 9);
	size_t at = w->to->len;
	HPDF_STATUS st = HPDF_OK;
	if (z)
		buf_put(w->to, (const char *)z, len);
	else if (d->stream->type == HPDF_STREAM_MEMORY)
		put_blocks(w->to, d->stream->attr);
	else
		st = HPDF_Stream_WriteToStream(d->stream, w->hs, d->filter, NULL);
	length->value = (HPDF_INT32)(w->to->len - at);
	buf_put(w->to, "\nendstream", 10);
	return st;
}

/* HPDF_Dict_Write; a stream libharu deflates itself is left to it. */
static HPDF_STATUS put_dict(struct writer *w, HPDF_Dict d)
{
	if (d->stream && d->filter != HPDF_STREAM_FILTER_NONE)
		return HPDF_Obj_WriteValue(d, w->hs, NULL);
	buf_put(w->to, "<<\n", 3);
	HPDF_STATUS st = d->before_write_fn ? d->before_write_fn(d) : HPDF_OK;
	if (st != HPDF_OK)
		return st;
	size_t len = 0;
	const unsigned char *z = d->stream ? pdf_deflated_bytes(d, &len) : NULL;
	if (d->stream)
		HPDF_Dict_RemoveElement(d, "Filter");
	if ((st = put_entries(w, d, NULL, '\n')) != HPDF_OK)
		return st;
	if (z)
		buf_put(w->to, "/Filter /FlateDecode\n", 21);
	else if (d->write_fn && (st = d->write_fn(d, w->hs)) != HPDF_OK)
		return st;
	buf_put(w->to, ">>", 2);
	if (d->stream && (st = put_stream(w, d, z, len)) != HPDF_OK)
		return st;
	return d->after_write_fn ? d->after_write_fn(d) : HPDF_OK;
}

/* HPDF_Obj_WriteValue: an object's value (a string as libharu writes it). */
static HPDF_STATUS put_direct(struct writer *w, void *obj)
{
	switch (((HPDF_Obj_Header *)obj)->obj_class & HPDF_OCLASS_ANY) {
	case HPDF_OCLASS_NAME:
		put_name(w->to, ((HPDF_Name)obj)->value);
		return HPDF_OK;
	case HPDF_OCLASS_NUMBER:
		put_int(w->to, ((HPDF_Number)obj)->value);
		return HPDF_OK;
	case HPDF_OCLASS_REAL: {
		char tmp[HPDF_REAL_LEN + 1];
		char *e = HPDF_FToA(tmp, ((HPDF_Real)obj)->value, tmp + HPDF_REAL_LEN);
		buf_put(w->to, tmp, (size_t)(e - tmp));
		return HPDF_OK;
	}
	case HPDF_OCLASS_BINARY: {
		HPDF_Binary b = obj;
		put_char(w->to, '<');
		put_hex(w->to, b->value, b->len);
		put_char(w->to, '>');
		return HPDF_OK;
	}
	case HPDF_OCLASS_STRING:
		return put_string(w, obj);
	case HPDF_OCLASS_ARRAY:
		return put_array(w, obj);
	case HPDF_OCLASS_DICT:
		return put_dict(w, obj);
	case HPDF_OCLASS_BOOLEAN:
		if (((HPDF_Boolean)obj)->value)
			buf_put(w->to, "true", 4);
		else
			buf_put(w->to, "false", 5);
		return HPDF_OK;
	case HPDF_OCLASS_NULL:
		buf_put(w->to, "null", 4);
		return HPDF_OK;
	default:
		return HPDF_Obj_WriteValue(obj, w->hs, NULL);
	}
}

/* HPDF_Obj_Write: nothing for a hidden object, "N G R" for an indirect one. */
static HPDF_STATUS put_value(struct writer *w, void *obj)
{
	HPDF_Obj_Header *h = obj;
	if (h->obj_id & HPDF_OTYPE_HIDDEN)
		return HPDF_OK;
	if (h->obj_class != HPDF_OCLASS_PROXY)
		return put_direct(w, obj);
	h = ((HPDF_Proxy)obj)->obj;
	put_decimal(w->to, h->obj_id & 0x00FFFFFF, ' ');
	put_decimal(w->to, h->gen_no, ' ');
	put_char(w->to, 'R');
	return HPDF_OK;
}

/* ---- the packed file ---- */

struct packing {
	struct pd_buf heads, bodies; /* of the object stream */
	size_t count;
	unsigned char *types;	     /* per object: 1 in place, 2 in the object stream */
	size_t *where;		     /* offset in the file, or index in the object stream */
};

/* Object i goes next in the object stream: its body follows in k->bodies, then a newline. */
static void begin_body(struct packing *k, size_t i)
{
	k->types[i] = 2;
	k->where[i] = k->count++;
	put_decimal(&k->heads, i, ' ');
	put_decimal(&k->heads, k->bodies.len, ' ');
}

static void pack_body(struct packing *k, size_t i, const char *body, size_t len)
{
	begin_body(k, i);
	buf_put(&k->bodies, body, len);
	buf_putc(&k->bodies, '\n');
}

/* Object i of libharu's: a stream in place in out, any other in the object stream. */
static HPDF_STATUS pack_object(struct writer *w, struct packing *k, size_t i, void *obj,
			       struct pd_buf *out)
{
	HPDF_Obj_Header *h = obj;
	if ((h->obj_class & HPDF_OCLASS_ANY) != HPDF_OCLASS_DICT || !((HPDF_Dict)obj)->stream) {
		begin_body(k, i);
		w->to = &k->bodies;
		HPDF_STATUS st = put_direct(w, obj);
		buf_putc(&k->bodies, '\n');
		return st;
	}
	k->types[i] = 1;
	k->where[i] = out->len;
	w->to = out;
	put_decimal(out, i, ' ');
	buf_put(out, "0 obj\n", 6);
	HPDF_STATUS st = put_direct(w, obj);
	buf_put(out, "\nendobj\n", 8);
	return st;
}

/* The header, then objects 1..n-1 of libharu's (own's stand-in replaced by own's root) and
 * own's objects n, n + 1, ... */
static HPDF_STATUS pack_objects(HPDF_Doc pdf, struct writer *w, const struct pdf_objects *own,
				struct packing *k, struct pd_buf *out)
{
	char head[] = "%PDF-1.2\n%\267\276\255\252\n";
	head[7] = (char)('2' + pdf->pdf_version);
	buf_put(out, head, sizeof head - 1);
	HPDF_List entries = pdf->xref->entries;
	for (size_t i = 1; i < entries->count; i++) {
		HPDF_XrefEntry e = entries->obj[i];
		HPDF_STATUS st = HPDF_OK;
		if (e->gen_no)
			return HPDF_INVALID_OBJECT;
		if (own && i == own->stand_in)
			pack_body(k, i, own->root.s, own->root.len);
		else
			st = pack_object(w, k, i, e->obj, out);
		if (st != HPDF_OK)
			return st;
	}
	for (size_t j = 0; own && j < own->n; j++) {
		size_t from = j ? own->ends[j - 1] : 0;
		pack_body(k, entries->count + j, own->bodies.s + from, own->ends[j] - from);
	}
	return HPDF_OK;
}

static int put_stream_object(struct libdeflate_compressor *z, struct pd_buf *out, size_t i,
			     const char *dict, const void *data, size_t len)
{
	size_t zlen;
	unsigned char *zd = pdf_deflate(z, data, len, &zlen);
	if (!zd)
		return -1;
	buf_printf(out, "%zu 0 obj\n<<\n%s/Filter /FlateDecode\n/Length %zu\n>>\nstream\r\n", i,
		   dict, zlen);
	buf_put(out, (const char *)zd, zlen);
	buf_puts(out, "\nendstream\nendobj\n");
	free(zd);
	return 0;
}

/* Objects n (the object stream) and n + 1 (the cross-reference stream, with the trailer's
 * entries), then the end. */
static int finish(struct libdeflate_compressor *z, struct packing *k, size_t n,
		  const struct pd_buf *trailer, struct pd_buf *out)
{
	k->types[n] = 1;
	k->where[n] = out->len;
	char dict[96];
	snprintf(dict, sizeof dict, "/Type /ObjStm\n/N %zu\n/First %zu\n", k->count, k->heads.len);
	buf_put(&k->heads, k->bodies.s, k->bodies.len);
	if (put_stream_object(z, out, n, dict, k->heads.s, k->heads.len) < 0)
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
	buf_printf(&d, "/Type /XRef\n/Size %zu\n/W [1 4 2]\n%s\n", n + 2, trailer->s);
	int rc = put_stream_object(z, out, n + 1, d.s, rows, 7 * (n + 2));
	buf_printf(out, "startxref\n%zu\n%%%%EOF\n", xref_at);
	buf_free(&d);
	free(rows);
	return rc;
}

/* The trailer's entries but /Size, for the cross-reference stream's dictionary, with the
 * catalog and the Info dictionary (as libharu's PrepareTrailer adds them). */
static HPDF_STATUS trailer_entries(HPDF_Doc pdf, struct writer *w, struct pd_buf *t)
{
	if (HPDF_Dict_Add(pdf->trailer, "Root", pdf->catalog) != HPDF_OK ||
	    HPDF_Dict_Add(pdf->trailer, "Info", pdf->info) != HPDF_OK)
		return HPDF_INVALID_OBJECT;
	buf_put(t, "", 0);
	w->to = t;
	return put_entries(w, pdf->xref->trailer, "Size", ' ');
}

static HPDF_STATUS pack_doc(HPDF_Doc pdf, struct writer *w, struct libdeflate_compressor *z,
			    const struct pdf_objects *own, struct pd_buf *out)
{
	size_t n = pdf->xref->entries->count, m = own ? own->n : 0;
	struct packing k = {0};
	k.types = xcalloc(n + m + 2, 1);
	k.where = xcalloc(n + m + 2, sizeof *k.where);
	struct pd_buf trailer = {0};
	HPDF_STATUS st = trailer_entries(pdf, w, &trailer);
	if (st == HPDF_OK)
		st = pack_objects(pdf, w, own, &k, out);
	if (st == HPDF_OK && out->len >= 1u << 31)
		st = HPDF_INVALID_OBJECT; /* the table's 4-byte offsets */
	if (st == HPDF_OK && finish(z, &k, n + m, &trailer, out) < 0)
		st = HPDF_FAILD_TO_ALLOC_MEM;
	buf_free(&trailer);
	buf_free(&k.heads);
	buf_free(&k.bodies);
	free(k.types);
	free(k.where);
	return st;
}

int pdf_pack(HPDF_Doc pdf, struct libdeflate_compressor *z, const struct pdf_objects *own,
	     struct pd_buf *out)
{
	HPDF_Xref x = pdf->xref;
	size_t n = x->entries->count;
	if (pdf->encrypt_on || x->prev || x->start_offset || pdf->pdf_version > HPDF_VER_17 ||
	    HPDF_Error_GetCode(&pdf->error) != HPDF_NOERROR || n < 2 ||
	    (own && (own->first != n || own->stand_in >= n)))
		return HPDF_INVALID_DOCUMENT;
	struct writer w = {out, HPDF_CallbackWriter_New(pdf->mmgr, to_buf, &w)};
	if (!w.hs)
		return HPDF_FAILD_TO_ALLOC_MEM;
	HPDF_STATUS st = pack_doc(pdf, &w, z, own, out);
	HPDF_Stream_Free(w.hs);
	return st;
}
