/* out_pdf_meta: what makes a PDF archival (PDF/A-2b) and names its standards. In: the
 * document's Info dictionary as set, its language, an ICC profile. Out: the catalog's
 * metadata (XMP), output intent, language and viewer preferences. */
#include <stdio.h>
#include <string.h>

#include <hpdf.h>
#include <hpdf_doc.h>
#include <hpdf_objects.h>
#include <hpdf_streams.h>

#include "out_impl.h"
#include "util.h"

static void xml_text(struct pd_buf *b, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '&')
			buf_puts(b, "&amp;");
		else if (*s == '<')
			buf_puts(b, "&lt;");
		else if (*s == '>')
			buf_puts(b, "&gt;");
		else if (*s == '"')
			buf_puts(b, "&quot;");
		else
			buf_putc(b, *s);
	}
}

static void xmp_attr(struct pd_buf *b, const char *name, const char *value)
{
	if (!value || !*value)
		return;
	buf_printf(b, " %s=\"", name);
	xml_text(b, value);
	buf_putc(b, '"');
}

/* An rdf:Alt (language alternatives) or rdf:Seq of one item, when value is not empty. */
static void xmp_item(struct pd_buf *b, const char *name, const char *value, bool alt)
{
	if (!value || !*value)
		return;
	buf_printf(b, "<%s><rdf:%s><rdf:li%s>", name, alt ? "Alt" : "Seq",
		   alt ? " xml:lang=\"x-default\"" : "");
	xml_text(b, value);
	buf_printf(b, "</rdf:li></rdf:%s></%s>", alt ? "Alt" : "Seq", name);
}

/* An Info date as libharu writes it (D:YYYYMMDDHHmmSS, then Z, or +HH'mm' or -HH'mm') in
 * the form of XMP (YYYY-MM-DDTHH:mm:SS, then Z or +HH:mm); "" when it is not one. */
static void xmp_date(const char *pdf_date, char out[32])
{
	out[0] = '\0';
	const char *d = pdf_date;
	if (!d || strncmp(d, "D:", 2) || strlen(d) < 16)
		return;
	for (int i = 2; i < 16; i++)
		if (d[i] < '0' || d[i] > '9')
			return;
	snprintf(out, 32, "%.4s-%.2s-%.2sT%.2s:%.2s:%.2s", d + 2, d + 6, d + 8, d + 10, d + 12,
		 d + 14);
	if (d[16] == '+' || d[16] == '-')
		snprintf(out + 19, 13, "%c%.2s:%.2s", d[16], d + 17, d + 20);
	else
		strcpy(out + 19, "Z");
}

/* The XMP packet: the Info dictionary's entries as its XMP properties, the PDF/A and
 * PDF/UA identification, and the schema of pdfuaid (not one PDF/A-2 predefines). */
static void xmp(HPDF_Doc pdf, struct pd_buf *b)
{
	char created[32], modified[32];
	xmp_date(HPDF_GetInfoAttr(pdf, HPDF_INFO_CREATION_DATE), created);
	xmp_date(HPDF_GetInfoAttr(pdf, HPDF_INFO_MOD_DATE), modified);
	buf_puts(b, "<?xpacket begin=\"\xEF\xBB\xBF\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>"
		    "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF "
		    "xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">"
		    "<rdf:Description rdf:about=\"\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" "
		    "xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\" xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\" "
		    "xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\" "
		    "xmlns:pdfuaid=\"http://www.aiim.org/pdfua/ns/id/\" "
		    "xmlns:pdfaExtension=\"http://www.aiim.org/pdfa/ns/extension/\" "
		    "xmlns:pdfaSchema=\"http://www.aiim.org/pdfa/ns/schema#\" "
		    "xmlns:pdfaProperty=\"http://www.aiim.org/pdfa/ns/property#\" "
		    "pdfaid:part=\"2\" pdfaid:conformance=\"B\" pdfuaid:part=\"1\"");
	xmp_attr(b, "xmp:CreatorTool", HPDF_GetInfoAttr(pdf, HPDF_INFO_CREATOR));
	xmp_attr(b, "xmp:CreateDate", created);
	xmp_attr(b, "xmp:ModifyDate", modified);
	xmp_attr(b, "pdf:Producer", HPDF_GetInfoAttr(pdf, HPDF_INFO_PRODUCER));
	buf_putc(b, '>');
	xmp_item(b, "dc:title", HPDF_GetInfoAttr(pdf, HPDF_INFO_TITLE), true);
	xmp_item(b, "dc:creator", HPDF_GetInfoAttr(pdf, HPDF_INFO_AUTHOR), false);
	xmp_item(b, "dc:description", HPDF_GetInfoAttr(pdf, HPDF_INFO_SUBJECT), true);
	buf_puts(b, "<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType=\"Resource\">"
		    "<pdfaSchema:schema>PDF/UA identification</pdfaSchema:schema>"
		    "<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/"
		    "</pdfaSchema:namespaceURI><pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>"
		    "<pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType=\"Resource\">"
		    "<pdfaProperty:name>part</pdfaProperty:name>"
		    "<pdfaProperty:valueType>Integer</pdfaProperty:valueType>"
		    "<pdfaProperty:category>internal</pdfaProperty:category>"
		    "<pdfaProperty:description>Part of ISO 14289</pdfaProperty:description>"
		    "</rdf:li></rdf:Seq></pdfaSchema:property></rdf:li></rdf:Bag>"
		    "</pdfaExtension:schemas></rdf:Description></rdf:RDF></x:xmpmeta>"
		    "<?xpacket end=\"r\"?>");
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
