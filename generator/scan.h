/* scan: an enclosure's JPEG or PNG bytes -> 8-bit gray or RGB pixels for one packet page.
 * A small interface over the image decoder (guarded: caps on sides and decoded size, never
 * aborts); the pixels live in the caller's arena. */
#ifndef PD_SCAN_H
#define PD_SCAN_H

#include <stddef.h>

#include "util.h"

struct pd_scan {
	int width, height;
	int comps; /* 1 gray, 3 RGB */
	const unsigned char *data;
};

/* "PNG", "JPEG" or NULL from the first bytes. */
const char *scan_kind(const unsigned char *bytes, size_t len);
/* Returns 0, or -1 with a reason (no file name, no period) in why. */
int scan_decode(const unsigned char *bytes, size_t len, struct pd_arena *arena,
		struct pd_scan *out, char *why, size_t why_len);

#endif
