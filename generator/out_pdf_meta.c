/* out_pdf_meta: what makes a PDF archival (PDF/A-2b) and names its standards. In: the
 * document's Info dictionary as set, its language, an ICC profile. Out: the catalog's
 * metadata (XMP), output intent, language and viewer preferences. */
#include <hpdf.h>
#include <hpdf_doc.h>
#include <hpdf_objects.h>
#include <hpdf_streams.h>

#include "out_impl.h"
#include "util.h"
#include "xmp.h"

/* The XMP packet: the Info dictionary's entries, PDF/A-2b and PDF/UA-1 declared. */
static void xmp(HPDF_Doc pdf, struct pd_buf *b)
{
	struct pd_xmp x = {HPDF_GetInfoAttr(pdf, HPDF_INFO_TITLE), HPDF_GetInfoAttr(pdf, HPDF_INFO_AUTHOR),
			   HPDF_GetInfoAttr(pdf, HPDF_INFO_SUBJECT), HPDF_GetInfoAttr(pdf, HPDF_INFO_CREATOR),
			   HPDF_GetInfoAttr(pdf, HPDF_INFO_PRODUCER),
			   HPDF_GetInfoAttr(pdf, HPDF_INFO_CREATION_DATE),
			   HPDF_GetInfoAttr(pdf, HPDF_INFO_MOD_DATE), PD_CLAIM_PDFA | PD_CLAIM_PDFUA};
	xmp_packet(b, &x);
}

/* The metadata stream, not compressed (PDF/A). */
static HPDF_STATUS metadata(HPDF_Doc pdf, const struct pd_buf *x)
{
	HPDF_Dict s = HPDF_DictStream_New(pdf->mmgr, pdf->xref);
	if (!s)
		return HPDF_FAILD_TO_ALLOC_MEM;
	s->filter = HPDF_STREAM_FILTER_NONE;
	HPDF_STATUS st = HPDF_Dict_AddName(s, "Type", "Metadata");
	st |= HPDF_Dict_AddName(s, "Subtype", "XML");
	st |= HPDF_Stream_Write(s->stream, (const HPDF_BYTE *)x->s, (HPDF_UINT)x->len);
	return st | HPDF_Dict_Add(pdf->catalog, "Metadata", s);
}

/* sRGB as the output intent of PDF/A, its profile given deflated. */
static HPDF_STATUS output_intent(HPDF_Doc pdf, const struct pdf_profile *icc)
{
	HPDF_Dict s = HPDF_DictStream_New(pdf->mmgr, pdf->xref);
	if (!s || pdf_set_deflated(s, icc->z, icc->zlen, false) < 0)
		return HPDF_FAILD_TO_ALLOC_MEM;
	HPDF_STATUS st = HPDF_Dict_AddNumber(s, "N", 3);
	HPDF_Dict oi = HPDF_Dict_New(pdf->mmgr);
	HPDF_Array all = HPDF_Array_New(pdf->mmgr);
	if (!oi || !all)
		return HPDF_FAILD_TO_ALLOC_MEM;
	st |= HPDF_Dict_AddName(oi, "Type", "OutputIntent");
	st |= HPDF_Dict_AddName(oi, "S", "GTS_PDFA1");
	st |= HPDF_Dict_Add(oi, "OutputConditionIdentifier",
			    HPDF_String_New(pdf->mmgr, "sRGB IEC61966-2.1", NULL));
	st |= HPDF_Dict_Add(oi, "DestOutputProfile", s);
	st |= HPDF_Array_Add(all, oi);
	return st | HPDF_Dict_Add(pdf->catalog, "OutputIntents", all);
}

int pdf_archival(HPDF_Doc pdf, const char *lang, const struct pdf_profile *icc)
{
	pdf->pdf_version = HPDF_VER_17;
	HPDF_STATUS st = HPDF_Dict_Add(pdf->catalog, "Lang",
				       HPDF_String_New(pdf->mmgr, lang ? lang : "en-US", NULL));
	HPDF_Dict prefs = HPDF_Dict_New(pdf->mmgr);
	if (!prefs)
		return -1;
	st |= HPDF_Dict_Add(prefs, "DisplayDocTitle", HPDF_Boolean_New(pdf->mmgr, HPDF_TRUE));
	st |= HPDF_Dict_Add(pdf->catalog, "ViewerPreferences", prefs);
	struct pd_buf x = {0};
	xmp(pdf, &x);
	st |= metadata(pdf, &x);
	buf_free(&x);
	st |= output_intent(pdf, icc);
	return st == HPDF_OK ? 0 : -1;
}
