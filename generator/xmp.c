/* xmp: a PDF's Info entries and declared standards -> its XMP metadata packet (the text of
 * the catalog's /Metadata stream). In: a pd_xmp. Out: bytes appended to the caller's buffer. */
#include "xmp.h"

#include <stdio.h>
#include <string.h>

/* s with & < > " as entities; the runs between them copied whole. */
static void xml_text(struct pd_buf *b, const char *s)
{
	while (s && *s) {
		size_t plain = strcspn(s, "&<>\"");
		buf_put(b, s, plain);
		s += plain;
		if (*s)
			buf_puts(b, *s == '&' ? "&amp;" : *s == '<' ? "&lt;" : *s == '>' ? "&gt;" : "&quot;");
		s += *s != '\0';
	}
}

static void xmp_attr(struct pd_buf *b, const char *name, const char *value)
{
	if (!value || !*value)
		return;
	buf_putc(b, ' ');
	buf_puts(b, name);
	buf_put(b, "=\"", 2);
	xml_text(b, value);
	buf_putc(b, '"');
}

/* An rdf:Alt (language alternatives) or rdf:Seq of one item, when value is not empty. */
static void xmp_item(struct pd_buf *b, const char *name, const char *value, bool alt)
{
	if (!value || !*value)
		return;
	buf_putc(b, '<');
	buf_puts(b, name);
	buf_puts(b, alt ? "><rdf:Alt><rdf:li xml:lang=\"x-default\">" : "><rdf:Seq><rdf:li>");
	xml_text(b, value);
	buf_puts(b, alt ? "</rdf:li></rdf:Alt></" : "</rdf:li></rdf:Seq></");
	buf_puts(b, name);
	buf_putc(b, '>');
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
	/* where each pair of digits goes: YYYY-MM-DDTHH:mm:SS */
	static const unsigned char at[7] = {0, 2, 5, 8, 11, 14, 17};
	memcpy(out, "YYYY-MM-DDTHH:mm:SSZ", 21);
	for (int i = 0; i < 7; i++)
		memcpy(out + at[i], d + 2 + 2 * i, 2);
	if (d[16] == '+' || d[16] == '-') /* +HH'mm' */
		snprintf(out + 19, 13, "%c%.2s:%.2s", d[16], d + 17, d + 20);
}

/* The PDF/A and PDF/UA identification declared, and the schema of pdfuaid (not one PDF/A-2
 * predefines) where PDF/UA is declared in a PDF/A. */
void xmp_packet(struct pd_buf *b, const struct pd_xmp *x)
{
	char created[32], modified[32];
	xmp_date(x->created, created);
	xmp_date(x->modified, modified);
	buf_puts(b, "<?xpacket begin=\"\xEF\xBB\xBF\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>"
		    "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF "
		    "xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">"
		    "<rdf:Description rdf:about=\"\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" "
		    "xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\" xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\" "
		    "xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\" "
		    "xmlns:pdfuaid=\"http://www.aiim.org/pdfua/ns/id/\" "
		    "xmlns:pdfaExtension=\"http://www.aiim.org/pdfa/ns/extension/\" "
		    "xmlns:pdfaSchema=\"http://www.aiim.org/pdfa/ns/schema#\" "
		    "xmlns:pdfaProperty=\"http://www.aiim.org/pdfa/ns/property#\"");
	if (x->claims & PD_CLAIM_PDFA)
		buf_puts(b, " pdfaid:part=\"2\" pdfaid:conformance=\"B\"");
	if (x->claims & PD_CLAIM_PDFUA)
		buf_puts(b, " pdfuaid:part=\"1\"");
	xmp_attr(b, "xmp:CreatorTool", x->creator);
	xmp_attr(b, "xmp:CreateDate", created);
	xmp_attr(b, "xmp:ModifyDate", modified);
	xmp_attr(b, "pdf:Producer", x->producer);
	buf_putc(b, '>');
	xmp_item(b, "dc:title", x->title, true);
	xmp_item(b, "dc:creator", x->author, false);
	xmp_item(b, "dc:description", x->subject, true);
	if ((x->claims & PD_CLAIM_PDFA) && (x->claims & PD_CLAIM_PDFUA))
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
		    "</pdfaExtension:schemas>");
	buf_puts(b, "</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end=\"r\"?>");
}

