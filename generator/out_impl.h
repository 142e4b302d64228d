/* out_impl: between the PDF writer (out_pdf.c) and the fonts it embeds (out_pdf_font.c).
 * In: a face and the code points a document prints with it. Out: a libharu font object. */
#ifndef PD_OUT_IMPL_H
#define PD_OUT_IMPL_H

#include <hpdf.h>

#include "font.h"

/* The font programs made for earlier documents, kept for the next ones. */
struct pd_font_cache;
struct pd_font_cache *font_cache_new(void);
void font_cache_free(struct pd_font_cache *cache);

/* The PDF font of face in pdf (Type0 over a CIDFontType2, Identity-H, CIDs = code points),
 * embedding the subset of the code points marked in used (a bit per code point of the
 * Basic Multilingual Plane). NULL on failure (out of memory, a font the subsetter refuses). */
HPDF_Font pdf_font_new(HPDF_Doc pdf, struct pd_font_cache *cache, const struct pd_face *face,
		       const unsigned char *used);

/* data in zlib format, deflated by libdeflate (malloc'd), NULL on failure. */
unsigned char *pdf_deflate(const void *data, size_t len, size_t *zlen);

/* Fills an empty stream dictionary with bytes pdgen deflated itself: libharu writes them as
 * they are, with /Filter /FlateDecode. Returns 0, or -1 (out of memory). */
int pdf_set_deflated(HPDF_Dict stream, const unsigned char *z, size_t len);

#endif
