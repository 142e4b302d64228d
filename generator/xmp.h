/* xmp: the XMP metadata packet of a PDF: its Info entries as XMP properties and the
 * standards it declares (PDF/A-2b, PDF/UA-1). The caller owns the buffer it passes. */
#ifndef PD_XMP_H
#define PD_XMP_H

#include <stdbool.h>

#include "util.h"

/* What a PDF declares: PDF/A-2b, PDF/UA-1 (either, both or none). */
enum { PD_CLAIM_PDFA = 1, PD_CLAIM_PDFUA = 2 };

struct pd_xmp {
	const char *title, *author, *subject, *creator, *producer;
	const char *created, *modified; /* Info dates, D:YYYYMMDDHHmmSS[Z|+HH'mm'] or NULL */
	unsigned claims;                /* PD_CLAIM_* */
};

/* Appends the whole packet (<?xpacket ... end="r"?>) to b. */
void xmp_packet(struct pd_buf *b, const struct pd_xmp *x);

#endif
