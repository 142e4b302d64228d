/* out_impl: between the PDF writer (out_pdf.c) and the fonts it embeds (out_pdf_font.c).
 * In: a face and the code points a document prints with it. Out: a libharu font object. */
#ifndef PD_OUT_IMPL_H
#define PD_OUT_IMPL_H

#include <stdbool.h>

#include <hpdf.h>

#include "font.h"
#include "image.h"

struct libdeflate_compressor;

/* The font programs made for earlier documents, kept for the next ones; deflated with the
 * writer's compressor. */
struct pd_font_cache;
struct pd_font_cache *font_cache_new(struct libdeflate_compressor *deflater);
void font_cache_free(struct pd_font_cache *cache);

/* The PDF font of face in pdf (Type0 over a CIDFontType2, Identity-H, CIDs = code points),
 * embedding the subset of the code points marked in used (a bit per code point of the
 * Basic Multilingual Plane). NULL on failure (out of memory, a font the subsetter refuses). */
HPDF_Font pdf_font_new(HPDF_Doc pdf, struct pd_font_cache *cache, const struct pd_face *face,
		       const unsigned char *used);

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
 * descriptor, never through a symbolic link): atomically (a temporary file beside it, renamed),
 * in place for a device or a descriptor's name, through a symbolic link to its file; the
 * bytes go straight from libharu to the file, counted and hashed on the way; a new file gets
 * the permissions mode (0666 less the umask). Returns 0; -1 with errno set (I/O: nothing
 * left behind, an existing file untouched); -2 when libharu failed. */
int pdf_save(HPDF_Doc pdf, const int *dir, const char *path, unsigned mode, size_t *bytes,
	     char sha256_hex[65]);

#endif
