/* out_pdf_font: the fonts of a PDF, built by pdgen as libharu objects.
 * In: a face and the code points a document prints with it. Out: a Type0 font whose
 * embedded program holds only their glyphs, deflated once and kept for later documents. */
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
 * kept with their code points listed (not as 8 KB bitmaps), 1024 programs take 8 MB. */
#define PROGRAMS_KEPT 1024

static bool is_used(const unsigned char *used, unsigned cp)
{
	return cp < 65536 && (used[cp >> 3] & (1u << (cp & 7)));
}

/* The next code point used from cp on, 65536 if none (skips 64 or 8 at a time). */
static unsigned next_used(const unsigned char *used, unsigned cp)
{
	while (cp < 65536) {
		uint64_t word;
		if ((cp & 63) == 0 && (memcpy(&word, used + (cp >> 3), 8), word == 0))
			cp += 64;
		else if (!(used[cp >> 3] >> (cp & 7)))
			cp = (cp | 7) + 1;
		else if (is_used(used, cp))
			return cp;
		else
			cp++;
	}
	return 65536;
}

/* What a face embeds for a set of code points, every stream already deflated: a document
 * that prints the same characters with the face as one before it (the same template and a
 * name with no new letter) takes it as it is. */
struct program {
	const struct pd_face *face; /* the key: the face, the code points in order */
	uint64_t hash;
	uint16_t *cps;
	size_t ncps;
	unsigned char *font, *map, *to_unicode; /* deflated */
	char *widths; /* the W entry, written as it is */
	size_t font_len, map_len, to_unicode_len;
	size_t font_raw_len; /* the font program's own length (Length1) */
	char base_font[80];  /* subset tag + PostScript name */
	unsigned long last_use;
};

struct pd_font_cache {
	struct program *kept[PROGRAMS_KEPT];
	unsigned long clock;
	struct libdeflate_compressor *deflater; /* the writer's */
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
	free(pg->widths);
	free(pg->font);
	free(pg->map);
	free(pg->to_unicode);
	free(pg);
}

void font_cache_free(struct pd_font_cache *cache)
{
	if (!cache)
		return;
	for (int i = 0; i < PROGRAMS_KEPT; i++)
		program_free(cache->kept[i]);
	free(cache);
}

static unsigned last_used(const unsigned char *used)
{
	unsigned n = 0;
	for (unsigned cp = next_used(used, 0); cp < 65536; cp = next_used(used, cp + 1))
		n = cp + 1;
	return n;
}

/* CIDToGIDMap: two bytes per CID (= code point) up to the last one used. */
static unsigned char *cid_map(struct libdeflate_compressor *z, const struct pd_face *face,
			      const unsigned char *used, const uint16_t *new_gid, size_t *zlen)
{
	unsigned n = last_used(used);
	unsigned char *map = xcalloc(2 * (size_t)n + 2, 1);
	for (unsigned cp = next_used(used, 0); cp < n; cp = next_used(used, cp + 1)) {
		unsigned g = new_gid[face_glyph(face, cp)];
		map[2 * cp] = (unsigned char)(g >> 8);
		map[2 * cp + 1] = (unsigned char)g;
	}
	unsigned char *out = pdf_deflate(z, map, 2 * (size_t)n, zlen);
	free(map);
	return out;
}

/* ToUnicode: CIDs are code points, so the map is the identity over the 256-code blocks
 * the document uses. */
static unsigned char *to_unicode(struct libdeflate_compressor *z, const unsigned char *used,
				 size_t *zlen)
{
	struct pd_buf b = {0};
	buf_puts(&b, "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
		     "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
		     "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
		     "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n");
	unsigned blocks[256], n = 0;
	for (unsigned cp = next_used(used, 0); cp < 65536; cp = next_used(used, (cp | 0xFF) + 1))
		blocks[n++] = cp >> 8;
	for (unsigned i = 0; i < n; i += 100) {
		unsigned k = n - i < 100 ? n - i : 100;
		buf_printf(&b, "%u beginbfrange\n", k);
		for (unsigned j = i; j < i + k; j++)
			buf_printf(&b, "<%02X00> <%02XFF> <%02X00>\n", blocks[j], blocks[j], blocks[j]);
		buf_puts(&b, "endbfrange\n");
	}
	buf_puts(&b, "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
	unsigned char *out = pdf_deflate(z, b.s, b.len, zlen);
	buf_free(&b);
	return out;
}

/* The code points marked in used, in order, and their hash. */
static uint16_t *list_used(const unsigned char *used, size_t *n, uint64_t *hash)
{
	*n = 0;
	for (unsigned cp = next_used(used, 0); cp < 65536; cp = next_used(used, cp + 1))
		++*n;
	uint16_t *cps = xmalloc((*n ? *n : 1) * sizeof *cps);
	size_t k = 0;
	for (unsigned cp = next_used(used, 0); cp < 65536; cp = next_used(used, cp + 1))
		cps[k++] = (uint16_t)cp;
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

/* W: the advance of every CID used, runs of consecutive CIDs sharing an array; made once
 * as text, where libharu would make an object of every number for every document. */
static char *widths(const struct program *pg)
{
	struct pd_buf b = {0};
	buf_puts(&b, "/W [");
	for (size_t i = 0; i < pg->ncps; i++) {
		unsigned cp = pg->cps[i];
		bool run_goes_on = i > 0 && cp == pg->cps[i - 1] + 1u;
		if (!run_goes_on)
			buf_printf(&b, "%s%u [", i ? "] " : "", cp);
		buf_printf(&b, "%s%d", run_goes_on ? " " : "", face_advance(pg->face, cp));
	}
	buf_puts(&b, pg->ncps ? "]]\012" : "]\012");
	return buf_take(&b);
}

static struct program *program_make(struct libdeflate_compressor *z, const struct pd_face *face,
				    const unsigned char *used, struct program *key)
{
	struct pd_font_program fp;
	if (face_subset(face, used, &fp) < 0)
		return NULL;
	struct program *pg = xcalloc(1, sizeof *pg);
	*pg = *key;
	key->cps = NULL;
	pg->font_raw_len = fp.len;
	pg->font = pdf_deflate(z, fp.data, fp.len, &pg->font_len);
	pg->map = cid_map(z, face, used, fp.new_gid, &pg->map_len);
	pg->to_unicode = to_unicode(z, used, &pg->to_unicode_len);
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
	return a->face == b->face && a->hash == b->hash && a->ncps == b->ncps &&
	       !memcmp(a->cps, b->cps, a->ncps * sizeof *a->cps);
}

static const struct program *program_for(struct pd_font_cache *c, const struct pd_face *face,
					 const unsigned char *used)
{
	struct program key = {.face = face};
	key.cps = list_used(used, &key.ncps, &key.hash);
	int slot = 0;
	for (int i = 0; i < PROGRAMS_KEPT; i++) {
		struct program *pg = c->kept[i];
		if (pg && same_key(pg, &key)) {
			free(key.cps);
			pg->last_use = ++c->clock;
			return pg;
		}
		if (c->kept[slot] && (!pg || pg->last_use < c->kept[slot]->last_use))
			slot = i;
	}
	struct program *pg = program_make(c->deflater, face, used, &key);
	free(key.cps);
	if (!pg)
		return NULL;
	program_free(c->kept[slot]);
	c->kept[slot] = pg;
	pg->last_use = ++c->clock;
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
		       const unsigned char *used)
{
	const struct program *pg = program_for(cache, face, used);
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
