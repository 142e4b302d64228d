/* image: untrusted PNG and JPEG bytes -> 8-bit gray or RGB pixels, or a reason to refuse.
 * In: a file's bytes and caps. Out: pixels in the caller's arena (alpha laid over white). */
#ifndef PD_IMAGE_H
#define PD_IMAGE_H

#include <stddef.h>

#include "util.h"

/* Caps checked from the header, before a pixel is decoded. */
#define PD_IMAGE_MAX_SIDE 12000              /* pixels, either side */
#define PD_IMAGE_MAX_BYTES ((size_t)64 << 20) /* decoded bytes of one image */
#define PD_IMAGE_MAX_FILE ((size_t)32 << 20)  /* bytes of the file */

struct pd_pixels {
	int width, height;
	int comps; /* 1: DeviceGray, 3: DeviceRGB; 8 bits each */
	const unsigned char *data; /* width * height * comps bytes, rows top to bottom */
	size_t len;
};

/* The format the first bytes announce: "PNG", "JPEG" or NULL. */
const char *image_kind(const unsigned char *bytes, size_t len);

/* Decodes a whole PNG or JPEG held in memory. Returns 0 and fills px, or -1 with a sentence
 * (no file name, no trailing period) in why: damaged data, an unsupported kind, a size over
 * the caps. Never aborts, never prints. */
int image_decode(const unsigned char *bytes, size_t len, struct pd_arena *arena,
		 struct pd_pixels *px, char *why, size_t why_len);

#endif
