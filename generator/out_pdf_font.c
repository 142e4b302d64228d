/* out_pdf_font: the fonts of a PDF, built by pdgen as libharu objects.
 * In: a face, the code points a document prints with it and its other glyphs (ligatures,
 * joining forms). Out: a Type0 font whose embedded program holds only their glyphs, with a
 * ToUnicode map back to the text, deflated once and kept for later documents. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hpdf.h>
#include <hpdf_doc.h>
#include <hpdf_font.h>

#include "out_impl.h"
#include "util.h"

/* A docket of a thousand letters prints some 350 different sets of characters per face;
 * kept with their code points listed (not as 8 KB bitmaps), 1024 programs of Latin faces
 * take 8 MB. Programs of many ideographs are larger (a CJK letter's can pass 1 MB): past
 * PROGRAM_BYTES the least recently used programs are dropped, so that a worker's cache never
 * holds more than that and the current document's programs, whatever it makes. */
#define PROGRAMS_KEPT 1024
#ifndef PROGRAM_BYTES
#define PROGRAM_BYTES (32u << 20)
#endif

/* Numbers as the PDF's text writes them, without printf (made for every new program). */
static void put_decimal(struct pd_buf *b, unsigned v)
{
	char tmp[16], *p = pdf_digits(tmp + sizeof tmp, v);
	buf_put(b, p, (size_t)(tmp + sizeof tmp - p));
}

/* A 16-bit code in four capital hex digits, then the text after. */
static void put_hex4(struct pd_buf *b, unsigned v, const char *after)
{
	static const char digit[] = "0123456789ABCDEF";
	char s[4] = {digit[v >> 12 & 15], digit[v >> 8 & 15], digit[v >> 4 & 15], digit[v & 15]};
	buf_put(b, s, 4);
	buf_puts(b, after);
}

/* What a face embeds for a set of code points, every stream already deflated: a document
 * that prints the same characters with the face as one before it (the same template and a
 * name with no new letter) takes it as it is. */
struct program {
	const struct pd_face *face; /* the key: the face, the code points in order, the variants */
	uint64_t hash;
	uint16_t *cps;
	size_t ncps;
	struct pdf_variant *vars; /* their texts in var_text */
	size_t nvars;
	char *var_text;
	unsigned char *font, *map, *to_unicode; /* deflated */
	char *widths; /* the W entry, written as it is */
	char *unicode_text; /* to_unicode before deflating */
	size_t font_len, map_len, to_unicode_len, unicode_text_len;
	size_t font_raw_len; /* the font program's own length (Length1) */
	char base_font[80];  /* subset tag + PostScript name */
	unsigned long last_use;
};

struct pd_font_cache {
	struct program *kept[PROGRAMS_KEPT];
	unsigned long clock;
	unsigned long document; /* the clock when the current document began */
	size_t bytes;		/* held by the programs kept */
	struct libdeflate_compressor *deflater; /* the writer's */
	unsigned char *map;	/* room for a CIDToGIDMap, all zeros between programs */
	size_t map_cap;
};

struct pd_font_cache *font_cache_new(struct libdeflate_compressor *deflater)
{
	struct pd_font_cache *c = xcalloc(1, sizeof *c);
	c->deflater = deflater;
	return c;
}

static void program_free(struct program *pg)
{
	if (!pg)
		return;
	free(pg->cps);
	free(pg->vars);
	free(pg->var_text);
	free(pg->widths);
	free(pg->font);
	free(pg->map);
	free(pg->to_unicode);
	free(pg->unicode_text);
	free(pg);
}

void font_cache_free(struct pd_font_cache *cache)
{
	if (!cache)
		return;
	for (int i = 0; i < PROGRAMS_KEPT; i++)
		program_free(cache->kept[i]);
	free(cache->map);
	free(cache);
}

unsigned pdf_variant_cid(size_t i)
{
	return i < 31 ? 1 + (unsigned)i : i < 64 ? 0x7F + (unsigned)(i - 31) : 0xD800 + (unsigned)(i - 64);
}

static void put_gid(unsigned char *map, unsigned cid, unsigned g)
{
	map[2 * cid] = (unsigned char)(g >> 8);
	map[2 * cid + 1] = (unsigned char)g;
}

/* pg's CIDToGIDMap: two bytes per CID (a code point or a variant's) up to the last one
 * used, set in the cache's room of zeros, deflated, and zeroed again. */
static void cid_map(struct pd_font_cache *c, struct program *pg, const uint16_t *new_gid)
{
	size_t n = pg->ncps ? pg->cps[pg->ncps - 1] + 1u : 0;
	if (pg->nvars && pdf_variant_cid(pg->nvars - 1) >= n)
		n = pdf_variant_cid(pg->nvars - 1) + 1;
	if (2 * n + 2 > c->map_cap) {
		c->map = xrealloc(c->map, 2 * n + 2);
		memset(c->map + c->map_cap, 0, 2 * n + 2 - c->map_cap);
		c->map_cap = 2 * n + 2;
	}
	for (size_t i = 0; i < pg->ncps; i++)
		put_gid(c->map, pg->cps[i], new_gid[face_glyph(pg->face, pg->cps[i])]);
	for (size_t i = 0; i < pg->nvars; i++)
		put_gid(c->map, pdf_variant_cid(i), new_gid[pg->vars[i].gid]);
	pg->map = pdf_deflate(c->deflater, c->map, 2 * n, &pg->map_len);
	for (size_t i = 0; i < pg->ncps; i++)
		put_gid(c->map, pg->cps[i], 0);
	for (size_t i = 0; i < pg->nvars; i++)
		put_gid(c->map, pdf_variant_cid(i), 0);
}

/* A variant's text in UTF-16BE hex digits, its characters last first if it is drawn right
 * to left (out_impl.h). */
static void put_utf16(struct pd_buf *b, const struct pdf_variant *v)
{
	uint32_t cps[64];
	size_t n = 0;
	for (size_t at = 0; at < v->len && n < 64; n++)
		at += (size_t)utf8_decode(v->text + at, v->len - at, &cps[n]);
	for (size_t i = 0; i < n; i++) {
		uint32_t cp = cps[v->rtl ? n - 1 - i : i];
		put_hex4(b, cp <= 0xFFFF ? cp : 0xFFFD, "");
	}
}

/* ToUnicode: a code point's CID is itself, so the map is the identity over the 256-code
 * blocks the document uses (the first without the controls, which variants take); a
 * variant's CID maps to the text its glyph shows (UTF-16BE, one character or more). */
static void to_unicode_text(struct pd_buf *out, const struct program *pg)
{
	struct pd_buf b = {0};
	buf_puts(&b, "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
		     "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
		     "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
		     "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n");
	unsigned ranges[258][2], n = 0;
	for (size_t i = 0; i < pg->ncps; i++) {
		unsigned cp = pg->cps[i];
		if (i && (cp >> 8) == (pg->cps[i - 1] >> 8u))
			continue; /* the block is listed */
		bool first = cp < 0x100;
		ranges[n][0] = first ? 0x20 : cp & 0xFF00;
		ranges[n++][1] = first ? 0x7E : cp | 0xFF;
		if (first)
			ranges[n][0] = 0xA0, ranges[n++][1] = 0xFF;
	}
	for (unsigned i = 0; i < n; i += 100) {
		unsigned k = n - i < 100 ? n - i : 100;
		put_decimal(&b, k);
		buf_puts(&b, " beginbfrange\n");
		for (unsigned j = i; j < i + k; j++) {
			buf_putc(&b, '<');
			put_hex4(&b, ranges[j][0], "> <");
			put_hex4(&b, ranges[j][1], "> <");
			put_hex4(&b, ranges[j][0], ">\n");
		}
		buf_puts(&b, "endbfrange\n");
	}
	for (size_t i = 0; i < pg->nvars; i += 100) {
		size_t k = pg->nvars - i < 100 ? pg->nvars - i : 100;
		put_decimal(&b, (unsigned)k);
		buf_puts(&b, " beginbfchar\n");
		for (size_t j = i; j < i + k; j++) {
			buf_putc(&b, '<');
			put_hex4(&b, pdf_variant_cid(j), "> <");
			put_utf16(&b, &pg->vars[j]);
			buf_puts(&b, ">\n");
		}
		buf_puts(&b, "endbfchar\n");
	}
	buf_puts(&b, "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
	*out = b;
}

/* The code points marked in used, in order, and their hash. */
static uint16_t *list_used(const unsigned char *used, size_t *n, uint64_t *hash)
{
	uint16_t *cps = NULL;
	size_t cap = 0;
	*n = 0;
	for (unsigned byte = 0; byte < PD_CP_SET_BYTES; byte += 8) {
		uint64_t word, four[4];
		if (byte % 32 == 0) { /* 256 code points at a time while none is used, as most */
			memcpy(four, used + byte, 32);
			if ((four[0] | four[1] | four[2] | four[3]) == 0) {
				byte += 24;
				continue;
			}
		}
		/* code points byte * 8 on, lowest first (a little-endian load) */
		memcpy(&word, used + byte, 8);
		for (; word; word &= word - 1) {
			if (*n == cap)
				cps = xrealloc(cps, (cap = cap ? 2 * cap : 128) * sizeof *cps);
			cps[(*n)++] = (uint16_t)(byte << 3 | (unsigned)__builtin_ctzll(word));
		}
	}
	if (!cps)
		cps = xmalloc(sizeof *cps);
	*hash = hash_bytes(cps, *n * sizeof *cps);
	return cps;
}

/* The subset tag of a font name: six capitals drawn from the code points, so that the
 * same subset always has the same name. */
static void subset_tag(uint64_t h, char tag[7])
{
	for (int i = 0; i < 6; i++, h /= 26)
		tag[i] = (char)('A' + h % 26);
	tag[6] = 0;
}

struct cid_width {
	unsigned cid;
	int w;
};

static int by_cid(const void *a, const void *b)
{
	unsigned x = ((const struct cid_width *)a)->cid, y = ((const struct cid_width *)b)->cid;
	return x < y ? -1 : x > y;
}

/* W: the advance of every CID used (code points and variants, in order), runs of
 * consecutive CIDs sharing an array; made once as text, where libharu would make an object
 * of every number for every document. */
static char *widths(const struct program *pg)
{
	size_t n = pg->ncps + pg->nvars;
	struct cid_width *cw = xmalloc((n ? n : 1) * sizeof *cw);
	for (size_t i = 0; i < pg->nvars; i++)
		cw[i] = (struct cid_width){pdf_variant_cid(i), face_glyph_advance(pg->face, pg->vars[i].gid)};
	for (size_t i = 0; i < pg->ncps; i++)
		cw[pg->nvars + i] = (struct cid_width){pg->cps[i], face_advance(pg->face, pg->cps[i])};
	if (pg->nvars)
		qsort(cw, n, sizeof *cw, by_cid);
	struct pd_buf b = {0};
	buf_puts(&b, "/W [");
	for (size_t i = 0; i < n; i++) {
		bool run_goes_on = i > 0 && cw[i].cid == cw[i - 1].cid + 1u;
		if (!run_goes_on) {
			buf_puts(&b, i ? "] " : "");
			put_decimal(&b, cw[i].cid);
			buf_puts(&b, " [");
		} else {
			buf_putc(&b, ' ');
		}
		put_decimal(&b, (unsigned)cw[i].w);
	}
	buf_puts(&b, n ? "]]\012" : "]\012");
	free(cw);
	return buf_take(&b);
}

/* pg's ToUnicode. Its text depends only on the blocks and the variants, whatever the face,
 * and so is the same for most programs: deflated once, the bytes copied for the next. */
static void to_unicode(const struct pd_font_cache *c, struct program *pg)
{
	struct pd_buf b;
	to_unicode_text(&b, pg);
	pg->unicode_text_len = b.len;
	pg->unicode_text = buf_take(&b);
	for (int i = 0; i < PROGRAMS_KEPT; i++) {
		const struct program *twin = c->kept[i];
		if (twin && twin->unicode_text_len == pg->unicode_text_len &&
		    memcmp(twin->unicode_text, pg->unicode_text, pg->unicode_text_len) == 0) {
			pg->to_unicode = xmalloc(twin->to_unicode_len);
			memcpy(pg->to_unicode, twin->to_unicode, twin->to_unicode_len);
			pg->to_unicode_len = twin->to_unicode_len;
			return;
		}
	}
	pg->to_unicode = pdf_deflate(c->deflater, pg->unicode_text, pg->unicode_text_len,
				     &pg->to_unicode_len);
}

static struct program *program_make(struct pd_font_cache *c, const struct pd_face *face,
				    const unsigned char *used, struct program *key)
{
	struct libdeflate_compressor *z = c->deflater;
	struct pd_font_program fp;
	unsigned *gids = xmalloc((key->nvars + 1) * sizeof *gids);
	for (size_t i = 0; i < key->nvars; i++)
		gids[i] = key->vars[i].gid;
	int rc = face_subset(face, used, gids, key->nvars, &fp);
	free(gids);
	if (rc < 0)
		return NULL;
	struct program *pg = xcalloc(1, sizeof *pg);
	*pg = *key;
	key->cps = NULL;
	key->vars = NULL;
	key->var_text = NULL;
	pg->font_raw_len = fp.len;
	pg->font = pdf_deflate(z, fp.data, fp.len, &pg->font_len);
	cid_map(c, pg, fp.new_gid);
	to_unicode(c, pg);
	pg->widths = widths(pg);
	char tag[7];
	subset_tag(pg->hash, tag);
	snprintf(pg->base_font, sizeof pg->base_font, "%s+%s", tag, fp.ps_name);
	font_program_clear(&fp);
	if (!pg->font || !pg->map || !pg->to_unicode) {
		program_free(pg);
		return NULL;
	}
	return pg;
}

/* The program of a face for the code points in used: one kept from an earlier document, or
 * a new one in the place of the least recently used (never one the current document uses:
 * its streams are read from here when the document is saved). */
static bool same_key(const struct program *a, const struct program *b)
{
	if (a->face != b->face || a->hash != b->hash || a->ncps != b->ncps ||
	    a->nvars != b->nvars || memcmp(a->cps, b->cps, a->ncps * sizeof *a->cps))
		return false;
	for (size_t i = 0; i < a->nvars; i++)
		if (a->vars[i].gid != b->vars[i].gid || a->vars[i].len != b->vars[i].len ||
		    a->vars[i].rtl != b->vars[i].rtl ||
		    memcmp(a->vars[i].text, b->vars[i].text, a->vars[i].len))
			return false;
	return true;
}

/* The key's own copy of the variants (their texts live in the document's runs). */
static void copy_variants(struct program *key, const struct pdf_variants *vars)
{
	size_t bytes = 0;
	for (size_t i = 0; i < vars->n; i++)
		bytes += vars->v[i].len;
	key->nvars = vars->n;
	key->vars = xmalloc((vars->n + 1) * sizeof *key->vars);
	key->var_text = xmalloc(bytes + 1);
	char *p = key->var_text;
	for (size_t i = 0; i < vars->n; i++) {
		key->vars[i] = vars->v[i];
		memcpy(p, vars->v[i].text, vars->v[i].len);
		key->vars[i].text = p;
		p += vars->v[i].len;
		key->hash = (key->hash ^ vars->v[i].gid ^ (uint64_t)vars->v[i].rtl << 20) * 1099511628211u ^
			    hash_bytes(vars->v[i].text, vars->v[i].len);
	}
}

void font_cache_begin(struct pd_font_cache *cache) { cache->document = cache->clock; }

static size_t program_bytes(const struct program *pg)
{
	size_t n = sizeof *pg + pg->ncps * sizeof *pg->cps + pg->nvars * sizeof *pg->vars;
	for (size_t i = 0; i < pg->nvars; i++)
		n += pg->vars[i].len;
	return n + pg->font_len + pg->map_len + pg->to_unicode_len + pg->unicode_text_len +
	       strlen(pg->widths) + 2;
}

static void drop(struct pd_font_cache *c, int i)
{
	c->bytes -= program_bytes(c->kept[i]);
	program_free(c->kept[i]);
	c->kept[i] = NULL;
}

/* The least recently used program the current document does not use, -1 if none. */
static int least_recent(const struct pd_font_cache *c)
{
	int lru = -1;
	for (int i = 0; i < PROGRAMS_KEPT; i++)
		if (c->kept[i] && c->kept[i]->last_use <= c->document &&
		    (lru < 0 || c->kept[i]->last_use < c->kept[lru]->last_use))
			lru = i;
	return lru;
}

/* pg kept in slot (a free one, or the least recently used one's), then programs dropped
 * from the least recently used on while the cache holds more than PROGRAM_BYTES; never one
 * the current document uses: its streams are read from here when it is saved. */
static void keep(struct pd_font_cache *c, int slot, struct program *pg)
{
	if (c->kept[slot])
		drop(c, slot);
	c->kept[slot] = pg;
	pg->last_use = ++c->clock;
	c->bytes += program_bytes(pg);
	for (int lru; c->bytes > PROGRAM_BYTES && (lru = least_recent(c)) >= 0;)
		drop(c, lru);
}

static const struct program *program_for(struct pd_font_cache *c, const struct pd_face *face,
					 const unsigned char *used, const struct pdf_variants *vars)
{
	struct program key = {.face = face};
	key.cps = list_used(used, &key.ncps, &key.hash);
	if (vars && vars->n)
		copy_variants(&key, vars);
	int slot = -1;
	for (int i = 0; i < PROGRAMS_KEPT; i++) {
		struct program *pg = c->kept[i];
		if (pg && same_key(pg, &key)) {
			free(key.cps);
			free(key.vars);
			free(key.var_text);
			pg->last_use = ++c->clock;
			return pg;
		}
		if (!pg && slot < 0)
			slot = i;
	}
	if (slot < 0)
		slot = least_recent(c);
	struct program *pg = slot >= 0 ? program_make(c, face, used, &key) : NULL;
	free(key.cps);
	free(key.vars);
	free(key.var_text);
	if (!pg)
		return NULL;
	keep(c, slot, pg);
	return pg;
}

static HPDF_Dict deflated_stream(HPDF_Doc pdf, const unsigned char *z, size_t len)
{
	HPDF_Dict s = HPDF_DictStream_New(pdf->mmgr, pdf->xref);
	return pdf_set_deflated(s, z, len, false) == 0 ? s : NULL; /* z: kept in the cache */
}

/* A dictionary that is its own object in the file (referenced from others). */
static HPDF_Dict indirect_dict(HPDF_Doc pdf)
{
	HPDF_Dict d = HPDF_Dict_New(pdf->mmgr);
	return d && HPDF_Xref_Add(pdf->xref, d) == HPDF_OK ? d : NULL;
}

static HPDF_Dict descriptor(HPDF_Doc pdf, const struct program *pg)
{
	const struct pd_face_info *in = face_info(pg->face);
	HPDF_Dict d = indirect_dict(pdf), file = deflated_stream(pdf, pg->font, pg->font_len);
	if (!d || !file)
		return NULL;
	HPDF_Box box = {(HPDF_REAL)in->bbox[0], (HPDF_REAL)in->bbox[1], (HPDF_REAL)in->bbox[2],
			(HPDF_REAL)in->bbox[3]};
	HPDF_STATUS st = HPDF_Dict_AddNumber(file, "Length1", (HPDF_INT32)pg->font_raw_len);
	st |= HPDF_Dict_AddName(d, "Type", "FontDescriptor");
	st |= HPDF_Dict_AddName(d, "FontName", pg->base_font);
	st |= HPDF_Dict_AddNumber(d, "Flags", (HPDF_INT32)in->flags);
	st |= HPDF_Dict_Add(d, "FontBBox", HPDF_Box_Array_New(pdf->mmgr, box));
	st |= HPDF_Dict_AddNumber(d, "ItalicAngle", in->italic_angle);
	st |= HPDF_Dict_AddNumber(d, "Ascent", face_ascent(pg->face));
	st |= HPDF_Dict_AddNumber(d, "Descent", -face_descent(pg->face));
	st |= HPDF_Dict_AddNumber(d, "CapHeight", in->cap_height);
	st |= HPDF_Dict_AddNumber(d, "StemV", in->stem_v);
	st |= HPDF_Dict_Add(d, "FontFile2", file);
	return st == HPDF_OK ? d : NULL;
}

/* libharu writes this inside the CIDFont's dictionary: the program's W entry. */
static HPDF_STATUS write_widths(HPDF_Dict dict, HPDF_Stream stream)
{
	return HPDF_Stream_WriteStr(stream, dict->attr);
}

static HPDF_Dict cid_font(HPDF_Doc pdf, const struct program *pg)
{
	HPDF_Dict f = indirect_dict(pdf), info = HPDF_Dict_New(pdf->mmgr);
	HPDF_Dict map = deflated_stream(pdf, pg->map, pg->map_len), desc = descriptor(pdf, pg);
	if (!f || !info || !map || !desc)
		return NULL;
	f->attr = pg->widths; /* kept in the cache, like the streams */
	f->write_fn = write_widths;
	HPDF_STATUS st = HPDF_Dict_AddName(f, "Type", "Font");
	st |= HPDF_Dict_AddName(f, "Subtype", "CIDFontType2");
	st |= HPDF_Dict_AddName(f, "BaseFont", pg->base_font);
	st |= HPDF_Dict_Add(info, "Registry", HPDF_String_New(pdf->mmgr, "Adobe", NULL));
	st |= HPDF_Dict_Add(info, "Ordering", HPDF_String_New(pdf->mmgr, "Identity", NULL));
	st |= HPDF_Dict_AddNumber(info, "Supplement", 0);
	st |= HPDF_Dict_Add(f, "CIDSystemInfo", info);
	st |= HPDF_Dict_AddNumber(f, "DW", 1000);
	st |= HPDF_Dict_Add(f, "CIDToGIDMap", map);
	st |= HPDF_Dict_Add(f, "FontDescriptor", desc);
	return st == HPDF_OK ? f : NULL;
}

static void free_font_attr(HPDF_Dict font) { HPDF_FreeMem(font->mmgr, font->attr); }

/* The font as libharu keeps it. pdgen writes the text of its pages itself, so libharu never
 * measures or encodes with it: no width callbacks, no encoder. */
HPDF_Font pdf_font_new(HPDF_Doc pdf, struct pd_font_cache *cache, const struct pd_face *face,
		       const unsigned char *used, const struct pdf_variants *vars)
{
	const struct program *pg = program_for(cache, face, used, vars);
	HPDF_Dict font = pg ? indirect_dict(pdf) : NULL;
	HPDF_FontAttr a = font ? HPDF_GetMem(pdf->mmgr, sizeof *a) : NULL;
	if (!a)
		return NULL;
	memset(a, 0, sizeof *a);
	font->header.obj_class |= HPDF_OSUBCLASS_FONT;
	font->attr = a;
	font->free_fn = free_font_attr;
	a->type = HPDF_FONT_TYPE0_TT;
	a->writing_mode = HPDF_WMODE_HORIZONTAL;
	a->xref = pdf->xref;
	a->descendant_font = cid_font(pdf, pg);
	HPDF_Array descendants = HPDF_Array_New(pdf->mmgr);
	HPDF_Dict unicode = deflated_stream(pdf, pg->to_unicode, pg->to_unicode_len);
	if (!a->descendant_font || !descendants || !unicode)
		return NULL;
	HPDF_STATUS st = HPDF_Dict_AddName(font, "Type", "Font");
	st |= HPDF_Dict_AddName(font, "Subtype", "Type0");
	st |= HPDF_Dict_AddName(font, "BaseFont", pg->base_font);
	st |= HPDF_Dict_AddName(font, "Encoding", "Identity-H");
	st |= HPDF_Array_Add(descendants, a->descendant_font);
	st |= HPDF_Dict_Add(font, "DescendantFonts", descendants);
	st |= HPDF_Dict_Add(font, "ToUnicode", unicode);
	return st == HPDF_OK ? font : NULL;
}
