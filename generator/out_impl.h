/* out_impl: between the PDF writer (out_pdf.c) and the fonts it embeds (out_pdf_font.c).
 * In: a face and the code points a document prints with it. Out: a libharu font object. */
#ifndef PD_OUT_IMPL_H
#define PD_OUT_IMPL_H

#include <stdbool.h>
#include <string.h>

#include <hpdf.h>

#include "font.h"
#include "image.h"
#include "layout.h"
#include "util.h"

struct libdeflate_compressor;
struct pdf_objects;

/* The font programs made for earlier documents, kept for the next ones; deflated with the
 * writer's compressor. */
struct pd_font_cache;
struct pd_font_cache *font_cache_new(struct libdeflate_compressor *deflater);
void font_cache_free(struct pd_font_cache *cache);
/* A new document begins: the programs it takes from here on are kept until it is saved. */
void font_cache_begin(struct pd_font_cache *cache);

/* The glyphs a face prints in a document for text other than their own character (a
 * ligature, a joining form), in first-use order: each its glyph id, the text it shows
 * (UTF-8, in the run's text) and whether it is drawn in a run set right to left. The i-th
 * is given CID pdf_variant_cid(i): a code no text uses (C0 and C1 controls, then
 * surrogates); at most PDF_VARIANTS_MAX. Text extraction (poppler's, as others) reverses
 * the characters of right-to-left text it finds in visual order: a ligature drawn right to
 * left (lam-alef) maps to its characters last first, so that they come out as written. */
struct pdf_variant {
	unsigned gid;
	const char *text;
	size_t len;
	bool rtl;
};
struct pdf_variants {
	struct pdf_variant *v;
	size_t n, cap;
	int ascii_adv[128]; /* the face's advance of each ASCII code */
};
#define PDF_VARIANTS_MAX (64 + 2048)
unsigned pdf_variant_cid(size_t i);

/* The PDF font of face in pdf (Type0 over a CIDFontType2, Identity-H, CIDs = code points
 * and the variants' CIDs), embedding the subset of the code points marked in used (a bit
 * per code point of the Basic Multilingual Plane) and of the variants' glyphs, its
 * ToUnicode map giving each CID its text. NULL on failure (out of memory, a font the
 * subsetter refuses). */
HPDF_Font pdf_font_new(HPDF_Doc pdf, struct pd_font_cache *cache, const struct pd_face *face,
		       const unsigned char *used, const struct pdf_variants *vars);

/* out_pdf_glyphs.c: begin empties vars for a document's face (its array kept for reuse,
 * freed by the caller); add adds the variants run r (of that face) prints, the runs taken
 * in the document's order. put_cids writes a run's characters to b as the CIDs of its font
 * (a literal string's bytes, escaped), in the order drawn (a run set right to left from its
 * last character), with vars those of its face, and returns the run's advance in
 * thousandths of the font size. */
void pdf_variants_begin(struct pdf_variants *vars, const struct pd_face *face);
void pdf_variants_add(struct pdf_variants *vars, const struct pd_run *r);
long pdf_put_cids(struct pd_buf *b, const struct pd_run *r, const struct pdf_variants *vars);

/* Appends a string literal to b (its length known where it is written). */
#define PDF_PUT_LIT(b, lit) buf_put((b), "" lit, sizeof(lit) - 1)

/* The decimal digits of u written to end at end (two at a time); returns where they start. */
static inline char *pdf_digits(char *end, unsigned long u)
{
	static const char pairs[] = "00010203040506070809101112131415161718192021222324252627282930"
				    "31323334353637383940414243444546474849505152535455565758596061"
				    "62636465666768697071727374757677787980818283848586878889909192"
				    "93949596979899";
	char *p = end;
	for (; u >= 100; u /= 100)
		p -= 2, memcpy(p, pairs + 2 * (u % 100), 2);
	if (u >= 10)
		p -= 2, memcpy(p, pairs + 2 * u, 2);
	else
		*--p = (char)('0' + u);
	return p;
}

/* out_pdf_stream.c: libdeflate's compressor at the level the PDFs use (NULL: out of memory),
 * one per writer; data in zlib format, deflated by it (malloc'd), NULL on failure. */
struct libdeflate_compressor *pdf_deflater_new(void);
void pdf_deflater_free(struct libdeflate_compressor *c);
unsigned char *pdf_deflate(struct libdeflate_compressor *c, const void *data, size_t len,
			   size_t *zlen);

/* Makes z the content of a stream dictionary: libharu writes the bytes as they are, with
 * /Filter /FlateDecode. With give, the stream owns z and frees it (even on failure);
 * otherwise z must last until the document is saved. Returns 0, or -1 (out of memory). */
int pdf_set_deflated(HPDF_Dict stream, const unsigned char *z, size_t len, bool give);

/* An image XObject of decoded pixels, deflated by pdgen; NULL on failure. */
HPDF_Image pdf_image_new(HPDF_Doc pdf, struct libdeflate_compressor *c,
			 const struct pd_pixels *px);

/* Sets the trailer's /ID (both halves) to the 16 bytes of id. Returns 0, or -1 out of
 * memory. */
int pdf_set_id(HPDF_Doc pdf, const unsigned char id[16]);

/* Writes the finished document to path (with dir, to path's last part in that directory
 * descriptor, never through a symbolic link; with pack, packed by pdf_pack with own's
 * objects): atomically (a temporary file beside it, renamed),
 * in place for a device or a descriptor's name, through a symbolic link to its file; the
 * bytes go straight from libharu to the file, counted and hashed on the way; a new file gets
 * the permissions mode (0666 less the umask). Returns 0; -1 with errno set (I/O: nothing
 * left behind, an existing file untouched); -2 when libharu failed. */
int pdf_save(HPDF_Doc pdf, const int *dir, const char *path, unsigned mode, size_t *bytes,
	     char sha256_hex[65], struct libdeflate_compressor *pack, const struct pdf_objects *own);

/* The bytes pdf_set_deflated gave a stream dictionary (its dictionary's entries are then
 * followed by "/Filter /FlateDecode\n"); NULL for any other stream. */
const unsigned char *pdf_deflated_bytes(HPDF_Dict stream, size_t *len);

/* out_pdf_pack.c: the finished document written as libharu would, every object but the
 * streams moved into one object stream deflated by z, with own's objects (may be NULL), and
 * a cross-reference stream (PDF 1.5), appended to out. Returns HPDF_OK, or libharu's error
 * (HPDF_INVALID_DOCUMENT when own's numbers do not follow libharu's). */
int pdf_pack(HPDF_Doc pdf, struct libdeflate_compressor *z, const struct pdf_objects *own,
	     struct pd_buf *out);

/* Objects pdgen writes itself: the text of stand_in's body (a libharu object that stands
 * in the catalog for it) and of n objects numbered first, first + 1, ... (libharu's count
 * when the document is saved), the i-th ending at ends[i] in bodies. */
struct pdf_objects {
	unsigned stand_in, first;
	struct pd_buf root, bodies;
	size_t *ends, n;
};
void pdf_objects_free(struct pdf_objects *o);

/* out_pdf_tags.c: the structure tree of a tagged PDF, made as the pages are drawn. new puts
 * /MarkInfo and a stand-in for the tree in the catalog; page starts a page's marked content
 * (its /StructParents); mark ends the marked content open in b and begins elem's (an MCID
 * of the page) or an artifact's, unless elem's is open; close ends it; link ties a link
 * annotation to its element; end puts the elements that hold no content in their places,
 * writes the tree into out (when not NULL; once the document has all its objects) and
 * frees t. With t NULL (an untagged PDF) mark and close do nothing. */
struct pdf_tags;
struct pdf_tags *pdf_tags_new(HPDF_Doc pdf, const struct pd_layout *lay);
void pdf_tags_page(struct pdf_tags *t, HPDF_Page page);
void pdf_tags_mark(struct pdf_tags *t, struct pd_buf *b, int elem);
void pdf_tags_close(struct pdf_tags *t, struct pd_buf *b);
void pdf_tags_link(struct pdf_tags *t, HPDF_Annotation a, int elem);
int pdf_tags_end(struct pdf_tags *t, struct pdf_objects *out);

/* out_pdf_outline.c: the document outline of lay's entries, each going to the top of its
 * heading on pages[entry's page] (all open, levels 1 to 3): its objects added to pdf, their
 * text kept until the document is saved (then pdf_outline_free). NULL on failure. */
struct pdf_outline;
struct pdf_outline *pdf_outline_new(HPDF_Doc pdf, const struct pd_layout *lay,
				    const HPDF_Page *pages);
void pdf_outline_free(struct pdf_outline *o);

/* out_pdf_meta.c: an ICC profile, deflated; NULL z when it could not be read. */
struct pdf_profile {
	unsigned char *z;
	size_t zlen;
};
/* Version 1.7; the catalog's /Lang, /ViewerPreferences /DisplayDocTitle, XMP metadata
 * matching the Info dictionary as already set, with the PDF/A-2b and PDF/UA-1
 * identification, and the sRGB output intent. Returns 0, or -1 (out of memory). */
int pdf_archival(HPDF_Doc pdf, const char *lang, const struct pdf_profile *icc);

#endif
