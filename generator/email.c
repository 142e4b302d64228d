/* email: case + level -> the submission e-mail as a draft .eml (GMime): From counsel, To/Cc
 * by level and office, subject and body from templates/email-*.md, the packet attached.
 * In: a pd_doc_request. Out: the message written atomically (same bytes every run). */
#define _XOPEN_SOURCE 700 /* mkdtemp */
#include "email.h"

#include <errno.h>
#include <gmime/gmime.h>
#include <stdio.h>
#include <stdlib.h>
#include <dirent.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "case.h"
#include "md.h"
#include "outfile.h"
#include "packet.h"
#include "util.h"

#define DEFAULT_LIMIT_MB 20

struct email {
	struct pd_session *s;
	const struct pd_doc_request *req;
	struct pd_arena *arena;
	const struct pd_value *ctx, *fm; /* the case's data; the template's front matter */
	const char *subject, *text, *html;
	double limit_mb; /* the office's, else the template's */
	const char *packet_path, *packet_name; /* the packet made for the message */
	const char *parts_dir; /* the office takes the documents separately: they are here */
	struct attachment *att;
	size_t natt;
};

struct attachment {
	const char *name;
	unsigned char *bytes;
	size_t len;
};

static const char *ctx_str(const struct email *e, const char *dotted)
{
	return value_str(value_path(e->ctx, dotted));
}

static struct pd_loc ctx_loc(const struct email *e, const char *dotted)
{
	const struct pd_value *v = value_path(e->ctx, dotted);
	return v ? v->loc : (struct pd_loc){0};
}

/* ------------------------------------------------------------- subject, body, limit */

/* The office's subject pattern where it prescribes one, else the template's; an emergency
 * is marked even where a pattern forgets it. */
static void subject(struct email *e, struct pd_diags *diags)
{
	const struct pd_value *pattern = value_path(e->ctx, "office.subject_pattern");
	e->subject = pattern && pattern->kind == PD_STR
			 ? doc_render_text(e->s, e->arena, pattern->str, pattern->loc, e->ctx, diags)
			 : value_str(value_get(e->fm, "subject"));
	if (!e->subject || !*e->subject) {
		diag_error(diags, (struct pd_loc){0}, "the e-mail template gives no subject: add "
						      "subject: to its front matter");
		e->subject = "";
		return;
	}
	const char *prefix = value_str(value_get(e->fm, "emergency_prefix"));
	if (value_truthy(value_path(e->ctx, "document.is_emergency")) && prefix &&
	    !strstr(e->subject, "EMERGENCY"))
		e->subject = arena_printf(e->arena, "%s%s", prefix, e->subject);
}

static bool positive(const struct pd_value *v)
{
	return v && (v->kind == PD_INT || v->kind == PD_FLOAT) && v->number > 0;
}

static double limit_mb(const struct email *e)
{
	const struct pd_value *office = value_path(e->ctx, "office.attachment_limit_mb");
	const struct pd_value *tmpl = value_get(e->fm, "attachment_limit_mb");
	const struct pd_value *v = positive(office) ? office : tmpl;
	return positive(v) ? v->number : DEFAULT_LIMIT_MB;
}

static int body(struct email *e, struct pd_diags *diags)
{
	const char *name = value_truthy(value_path(e->ctx, "level.is_escalation")) ? "email-escalation"
										    : "email-request";
	struct pd_value *separate = value_new(e->arena, PD_BOOL, (struct pd_loc){0});
	separate->boolean = e->parts_dir != NULL;
	value_set(e->arena, (struct pd_value *)e->ctx, "attachments_separate", separate);
	/* the packet holds every enclosure with a file (it refuses one it cannot hold) */
	const struct pd_value *list = value_get(e->ctx, "enclosure_list");
	struct pd_value *enclosed = value_new(e->arena, PD_BOOL, (struct pd_loc){0});
	for (size_t i = 0; list && list->kind == PD_SEQ && i < list->n; i++)
		enclosed->boolean |= value_str(value_get(list->items[i], "file")) != NULL;
	value_set(e->arena, (struct pd_value *)e->ctx, "enclosures_attached", enclosed);
	struct pd_buf md = {0};
	int rc = doc_render(e->s, name, e->ctx, e->arena, &md, &e->fm, diags);
	struct md_doc *doc = rc ? NULL : md_parse(md.s ? md.s : "", md.len, name, 1, diags);
	if (doc) {
		char *text = md_render_text(doc, 72), *html = md_render_html(doc);
		e->text = arena_strdup(e->arena, text);
		e->html = arena_printf(e->arena, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
						 "</head><body>\n%s</body></html>\n",
				       html);
		free(text);
		free(html);
		md_free(doc);
	}
	buf_free(&md);
	if (!doc)
		return PD_EXIT_INPUT;
	subject(e, diags);
	e->limit_mb = limit_mb(e);
	return diags->errors ? PD_EXIT_INPUT : PD_EXIT_OK;
}

/* ------------------------------------------------------------- the message */

static void add_list(GMimeMessage *msg, GMimeAddressType type, const struct pd_value *list)
{
	for (size_t i = 0; list && list->kind == PD_SEQ && i < list->n; i++) {
		const char *addr = value_str(value_get(list->items[i], "address"));
		const char *name = value_str(value_get(list->items[i], "name"));
		if (addr)
			g_mime_message_add_mailbox(msg, type, name ? name : "", addr);
	}
}

/* Date and Message-ID from the case, so that the same case gives the same bytes. */
static void stable_ids(const struct email *e, GMimeMessage *msg)
{
	const char *date = ctx_str(e, "letter.date");
	int y = 2000, m = 1, d = 1;
	if (date)
		sscanf(date, "%d-%d-%d", &y, &m, &d);
	GDateTime *when = g_date_time_new_utc(y, m, d, 9, 0, 0);
	g_mime_message_set_date(msg, when);
	g_date_time_unref(when);
	const char *from = ctx_str(e, "attorney.email");
	const char *at = from ? strrchr(from, '@') : NULL;
	char *key = arena_printf(e->arena, "%s|%s|%s|%s", ctx_str(e, "client.full_name"),
				 ctx_str(e, "client.a_number_digits"), ctx_str(e, "level.name"),
				 date ? date : "");
	char *id = arena_printf(e->arena, "pdgen.%s.%s.%016llx@%s", ctx_str(e, "level.name"),
				date ? date : "undated",
				(unsigned long long)hash_bytes(key, strlen(key)),
				at ? at + 1 : "pdgen.invalid");
	g_mime_message_set_message_id(msg, id);
}

static GMimeObject *text_part(const char *subtype, const char *text)
{
	GMimeTextPart *part = g_mime_text_part_new_with_subtype(subtype);
	g_mime_text_part_set_charset(part, "utf-8");
	GMimeStream *s = g_mime_stream_mem_new_with_buffer(text, strlen(text));
	GMimeDataWrapper *w = g_mime_data_wrapper_new_with_stream(s, GMIME_CONTENT_ENCODING_DEFAULT);
	g_mime_part_set_content((GMimePart *)part, w);
	g_mime_part_set_content_encoding(
	    (GMimePart *)part,
	    g_mime_part_get_best_content_encoding((GMimePart *)part, GMIME_ENCODING_CONSTRAINT_7BIT));
	g_object_unref(w);
	g_object_unref(s);
	return (GMimeObject *)part;
}

static GMimeObject *attachment(const char *name, const unsigned char *bytes, size_t len)
{
	GMimePart *part = g_mime_part_new_with_type("application", "pdf");
	GMimeStream *s = g_mime_stream_mem_new_with_buffer((const char *)bytes, len);
	GMimeDataWrapper *w = g_mime_data_wrapper_new_with_stream(s, GMIME_CONTENT_ENCODING_DEFAULT);
	g_mime_part_set_content(part, w);
	g_mime_part_set_content_encoding(part, GMIME_CONTENT_ENCODING_BASE64);
	g_mime_part_set_filename(part, name);
	g_object_unref(w);
	g_object_unref(s);
	return (GMimeObject *)part;
}

static GMimeMultipart *multipart(const char *subtype, const char *boundary)
{
	GMimeMultipart *mp = g_mime_multipart_new_with_subtype(subtype);
	g_mime_multipart_set_boundary(mp, boundary);
	return mp;
}

static GMimeMessage *message(const struct email *e)
{
	GMimeMessage *msg = g_mime_message_new(TRUE);
	g_mime_message_add_mailbox(msg, GMIME_ADDRESS_TYPE_FROM, ctx_str(e, "attorney.name"),
				   ctx_str(e, "attorney.email"));
	add_list(msg, GMIME_ADDRESS_TYPE_TO, value_path(e->ctx, "routing.to_named"));
	add_list(msg, GMIME_ADDRESS_TYPE_CC, value_path(e->ctx, "routing.cc_named"));
	g_mime_message_set_subject(msg, e->subject, "utf-8");
	stable_ids(e, msg);
	g_mime_object_set_header((GMimeObject *)msg, "X-Unsent", "1", NULL);
	if (value_truthy(value_path(e->ctx, "document.is_emergency"))) {
		g_mime_object_set_header((GMimeObject *)msg, "Importance", "high", NULL);
		g_mime_object_set_header((GMimeObject *)msg, "X-Priority", "1", NULL);
	}
	char tag[17];
	snprintf(tag, sizeof tag, "%016llx",
		 (unsigned long long)hash_bytes(e->subject, strlen(e->subject)));
	GMimeMultipart *alt = multipart("alternative", arena_printf(e->arena, "=-alt-%s", tag));
	GMimeObject *plain = text_part("plain", e->text), *html = text_part("html", e->html);
	g_mime_multipart_add(alt, plain);
	g_mime_multipart_add(alt, html);
	g_object_unref(plain);
	g_object_unref(html);
	GMimeMultipart *mixed = multipart("mixed", arena_printf(e->arena, "=-mixed-%s", tag));
	g_mime_multipart_add(mixed, (GMimeObject *)alt);
	g_object_unref(alt);
	for (size_t i = 0; i < e->natt; i++) {
		GMimeObject *att = attachment(e->att[i].name, e->att[i].bytes, e->att[i].len);
		g_mime_multipart_add(mixed, att);
		g_object_unref(att);
	}
	g_mime_message_set_mime_part(msg, (GMimeObject *)mixed);
	g_object_unref(mixed);
	return msg;
}

/* ------------------------------------------------------------- the command */

static int addresses(const struct email *e, struct pd_diags *diags)
{
	if (!ctx_str(e, "attorney.email"))
		diag_error(diags, ctx_loc(e, "attorney"),
			   "attorney.email is missing: the e-mail goes from counsel");
	const struct pd_value *to = value_path(e->ctx, "routing.to_named");
	if (!to || to->kind != PD_SEQ || !to->n)
		diag_add(diags, PD_ERROR, ctx_loc(e, "case"),
			 case_rule_named("deliver") ? case_rule_named("deliver")->id : NULL,
			 "no e-mail address for %s: give case.contacts.%s.email (or the office's "
			 "PD mailbox in the office directory)",
			 ctx_str(e, "level.name"), ctx_str(e, "level.name"));
	const char *delivery = ctx_str(e, "routing.delivery");
	if (to && to->kind == PD_SEQ && to->n && delivery && strcmp(delivery, "email"))
		diag_error(diags, ctx_loc(e, "letter.delivery"),
			   "letter.delivery is %s: the letter this e-mail carries would say so; set "
			   "letter.delivery: email",
			   delivery);
	return diags->errors ? PD_EXIT_INPUT : PD_EXIT_OK;
}

/* The packet, made into a scratch directory (with each document and tab beside it when the
 * office takes them separately); its diagnostics are the submission's. */
static int make_packet(struct email *e, const char *dir, struct pd_doc_result *pres,
		       struct pd_diags *diags)
{
	struct pd_doc_request sub = *e->req;
	sub.document = "packet";
	sub.out = arena_printf(e->arena, "%s/", dir);
	sub.out_dir = NULL; /* a scratch file, not the batch's directory */
	sub.name_check = NULL;
	const char *form = value_str(value_path(e->ctx, "office.attachments"));
	if (form && !strcmp(form, "separate")) {
		e->parts_dir = arena_printf(e->arena, "%s/parts", dir);
		if (mkdir(e->parts_dir, 0700) != 0) {
			diag_error(diags, (struct pd_loc){0}, "cannot make %s: %s", e->parts_dir,
				   strerror(errno));
			e->parts_dir = NULL;
			return PD_EXIT_SYSTEM;
		}
		sub.parts_dir = e->parts_dir;
	}
	int rc = packet_make(e->s, &sub, pres, diags);
	if (!rc && pres->out_path) {
		e->packet_path = arena_strdup(e->arena, pres->out_path);
		const char *slash = strrchr(e->packet_path, '/');
		e->packet_name = slash ? slash + 1 : e->packet_path;
	}
	return rc;
}

static bool add_attachment(struct email *e, const char *path, const char *name)
{
	struct attachment a = {name, NULL, 0};
	if (!(a.bytes = (unsigned char *)file_read(path, &a.len, 0)))
		return false;
	e->att = xrealloc(e->att, (e->natt + 1) * sizeof *e->att);
	e->att[e->natt++] = a;
	return true;
}

static int pdf_name(const struct dirent *d)
{
	size_t n = strlen(d->d_name);
	return n > 4 && !strcmp(d->d_name + n - 4, ".pdf");
}

/* The packet, or each of its parts named after it ("...-opla-hq-02-memo.pdf"). */
static bool read_attachments(struct email *e)
{
	if (!e->parts_dir)
		return add_attachment(e, e->packet_path, e->packet_name);
	const char *end = strstr(e->packet_name, "packet.pdf");
	int stem = end ? (int)(end - e->packet_name) : 0;
	struct dirent **names = NULL;
	int n = scandir(e->parts_dir, &names, pdf_name, alphasort);
	bool ok = n > 0;
	for (int i = 0; i < n; i++) {
		const char *path = arena_printf(e->arena, "%s/%s", e->parts_dir, names[i]->d_name);
		const char *name = arena_printf(e->arena, "%.*s%s", stem, e->packet_name,
						names[i]->d_name);
		ok = ok && add_attachment(e, path, name);
		free(names[i]);
	}
	free(names);
	return ok;
}

static void remove_parts(const struct email *e)
{
	struct dirent **names = NULL;
	int n = e->parts_dir ? scandir(e->parts_dir, &names, pdf_name, alphasort) : 0;
	for (int i = 0; i < n; i++) {
		unlink(arena_printf(e->arena, "%s/%s", e->parts_dir, names[i]->d_name));
		free(names[i]);
	}
	free(names);
	if (e->parts_dir)
		rmdir(e->parts_dir);
}

static int write_message(struct email *e, struct pd_doc_result *res, struct pd_diags *diags)
{
	if (!read_attachments(e)) {
		diag_error(diags, (struct pd_loc){0}, "cannot read the packet back: %s", strerror(errno));
		return PD_EXIT_SYSTEM;
	}
	GMimeMessage *msg = message(e);
	GMimeFormatOptions *fo = g_mime_format_options_new();
	g_mime_format_options_set_newline_format(fo, GMIME_NEWLINE_FORMAT_DOS);
	g_mime_format_options_set_param_encoding_method(fo, GMIME_PARAM_ENCODING_METHOD_RFC2231);
	GMimeStream *out = g_mime_stream_mem_new();
	g_mime_object_write_to_stream((GMimeObject *)msg, fo, out);
	GByteArray *bytes = g_mime_stream_mem_get_byte_array((GMimeStreamMem *)out);
	int rc = PD_EXIT_OK;
	if (outfile_write(res->out_path, bytes->data, bytes->len, res->sha256) != 0) {
		diag_error(diags, (struct pd_loc){0}, "cannot write '%s': %s", res->out_path,
			   strerror(errno));
		rc = PD_EXIT_SYSTEM;
	}
	res->bytes = bytes->len;
	if (rc == 0 && (double)bytes->len > e->limit_mb * (1 << 20))
		diag_warn(diags, (struct pd_loc){0},
			  "the message is %.2f MB, over the office's attachment limit of %g MB: "
			  "send the enclosures in parts or by another channel",
			  (double)bytes->len / (1 << 20), e->limit_mb);
	g_object_unref(out);
	g_mime_format_options_free(fo);
	g_object_unref(msg);
	return rc;
}

int email_make(struct pd_session *s, const struct pd_doc_request *req,
	       struct pd_doc_result *res, struct pd_diags *diags)
{
	g_mime_init(); /* counted: once in effect */
	struct email e = {.s = s, .req = req, .arena = arena_new()};
	const char *base = getenv("TMPDIR");
	char *dir = arena_printf(e.arena, "%s/pdgen-email-XXXXXX", base && *base ? base : "/tmp");
	struct pd_doc_result pres = {0};
	int rc = PD_EXIT_SYSTEM;
	if (!mkdtemp(dir)) {
		diag_error(diags, (struct pd_loc){0}, "cannot make a scratch directory: %s",
			   strerror(errno));
		dir = NULL;
		goto done;
	}
	/* the packet reports the case's diagnostics */
	struct pd_diags again = {.store = doc_diag_store(s)};
	e.ctx = doc_context(s, req, e.arena, res, &again);
	if (again.errors)
		diag_copy(diags, &again);
	diag_clear(&again);
	rc = PD_EXIT_INPUT;
	if (!e.ctx || (rc = make_packet(&e, dir, &pres, diags)))
		goto done;
	rc = PD_EXIT_INPUT;
	if (addresses(&e, diags) || body(&e, diags))
		goto done;
	rc = req->check_only ? PD_EXIT_OK : write_message(&e, res, diags);
done:
	if (e.packet_path)
		unlink(e.packet_path);
	remove_parts(&e);
	free(res->files_read);
	res->files_read = pres.files_read; /* the packet's inputs are the message's */
	pres.files_read = NULL;
	if (dir)
		rmdir(dir);
	for (size_t i = 0; i < e.natt; i++)
		free(e.att[i].bytes);
	free(e.att);
	doc_result_clear(&pres);
	arena_free(e.arena);
	return rc;
}
