/* md: Markdown stage, first step of typesetting.
 * In: Markdown bytes (UTF-8). Out: an NFC-normalised cmark-gfm tree plus page markers. */
#include "md.h"

#include <stdlib.h>
#include <string.h>

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>
#include <utf8proc.h>

#include "util.h"

#define MD_MAX_BYTES (4u << 20) /* cmark-gfm tables parse super-linearly */

static size_t line_end(const char *s, size_t len, size_t i)
{
	const char *nl = i < len ? memchr(s + i, '\n', len - i) : NULL;
	return nl ? (size_t)(nl - s) : (i < len ? len : i);
}

static bool is_line(const char *s, size_t n, const char *want)
{
	size_t w = strlen(want);
	while (n > 0 && (s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return n == w && memcmp(s, want, w) == 0;
}

int md_front_matter(const char *text, size_t len, const char *file, size_t *fm_off,
		    size_t *fm_len, size_t *body_off, int *body_line, struct pd_diags *diags)
{
	*fm_off = *fm_len = *body_off = 0;
	*body_line = 1;
	size_t start = 0;
	if (len >= 3 && (unsigned char)text[0] == 0xEF && (unsigned char)text[1] == 0xBB &&
	    (unsigned char)text[2] == 0xBF)
		start = 3; /* byte order mark */
	size_t e = line_end(text, len, start);
	if (!is_line(text + start, e - start, "---"))
		return 0;
	int line = 2;
	for (size_t i = e + 1; i < len; line++) {
		size_t le = line_end(text, len, i);
		if (is_line(text + i, le - i, "---") || is_line(text + i, le - i, "...")) {
			*fm_off = e + 1;
			*fm_len = i - (e + 1);
			*body_off = le < len ? le + 1 : le;
			*body_line = line + 1;
			return 1;
		}
		i = le + 1;
	}
	struct pd_loc loc = {diag_intern(diags, file ? file : "<input>"), 1, 1};
	diag_error(diags, loc,
		   "front matter opened by '---' is never closed: end it with a line '---' or '...'");
	return -1;
}

/* Invalid UTF-8: the place of the first bad byte. */
static void bad_utf8(const char *text, size_t len, const char *file, int first_line,
		     struct pd_diags *diags)
{
	size_t i = 0;
	while (i < len) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t n =
		    utf8proc_iterate((const utf8proc_uint8_t *)text + i, (utf8proc_ssize_t)(len - i), &cp);
		if (n <= 0)
			break;
		i += (size_t)n;
	}
	struct pd_loc loc = diag_loc_at(file, text, len, i);
	loc.line += first_line - 1;
	diag_error(diags, loc, "invalid UTF-8 byte 0x%02X", (unsigned char)text[i < len ? i : 0]);
}

static struct md_mark *add_mark(struct md_doc *doc, enum md_mark_kind kind, int line)
{
	doc->marks = xrealloc(doc->marks, (doc->nmarks + 1) * sizeof *doc->marks);
	struct md_mark *m = &doc->marks[doc->nmarks++];
	memset(m, 0, sizeof *m);
	m->kind = kind;
	m->line = line;
	return m;
}

/* "columns 1 3 2" or "columns 25% 50% 25%" (s has n bytes, no newline): 1 and the widths
 * in m, 0 when s is not a columns marker, -1 when its widths are bad. */
static int parse_columns(const char *s, size_t n, struct md_mark *m)
{
	if (n < 7 || memcmp(s, "columns", 7) || (n > 7 && s[7] != ' ' && s[7] != '\t'))
		return 0;
	char buf[256];
	if (n >= sizeof buf)
		return -1;
	memcpy(buf, s + 7, n - 7);
	buf[n - 7] = '\0';
	m->ncols = 0;
	for (char *p = buf;;) {
		while (*p == ' ' || *p == '\t' || *p == '\r')
			p++;
		if (!*p)
			break;
		char *end;
		double x = strtod(p, &end);
		if (end == p || !(x > 0 && x <= 1000) || m->ncols == MD_MAX_COLUMNS)
			return -1;
		if (*end == '%')
			end++;
		if (*end && *end != ' ' && *end != '\t' && *end != '\r')
			return -1;
		m->widths[m->ncols++] = x;
		p = end;
	}
	return m->ncols > 0 ? 1 : -1;
}

/* The kind of the marker whose text after ":::" is s[j, le); -1 for none, -2 for a
 * columns marker with bad widths (the widths go to cm), -3 for a bad language tag. */
static int marker_kind(const char *s, size_t j, size_t le, struct md_mark *cm)
{
	if (is_line(s + j, le - j, ""))
		return MD_KEEP_END;
	while (j < le && s[j] == ' ')
		j++;
	if (is_line(s + j, le - j, "keep"))
		return MD_KEEP_BEGIN;
	if (is_line(s + j, le - j, "closing")) {
		cm->closing = true;
		return MD_KEEP_BEGIN;
	}
	if (is_line(s + j, le - j, "pagebreak"))
		return MD_PAGEBREAK;
	if (le - j > 5 && !memcmp(s + j, "lang ", 5)) {
		size_t a = j + 5, b = le;
		while (a < b && s[a] == ' ')
			a++;
		while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\r'))
			b--;
		snprintf(cm->lang, sizeof cm->lang, "%.*s", (int)(b - a), s + a);
		return b - a < sizeof cm->lang && lang_tag_valid(cm->lang) ? MD_LANG : -3;
	}
	int cols = parse_columns(s + j, le - j, cm);
	return cols > 0 ? MD_COLUMNS : cols < 0 ? -2 : -1;
}

/* Finds the markers (outside fenced code) and blanks their lines so that they end the
 * paragraph around them and print nothing. */
static int scan_marks(struct md_doc *doc, struct pd_diags *diags)
{
	char *s = doc->text;
	char fence = 0;
	int line = 1, open = 0, open_line = 0;
	for (size_t i = 0; i < doc->len; line++) {
		size_t le = line_end(s, doc->len, i);
		size_t k = i;
		while (k < le && k - i < 3 && s[k] == ' ')
			k++;
		if (le - k >= 3 && (s[k] == '`' || s[k] == '~') && s[k + 1] == s[k] &&
		    s[k + 2] == s[k]) {
			if (!fence)
				fence = s[k];
			else if (fence == s[k])
				fence = 0;
		} else if (!fence && le - k >= 3 && s[k] == ':' && s[k + 1] == ':' && s[k + 2] == ':') {
			size_t j = k;
			while (j < le && s[j] == ':')
				j++;
			struct md_mark cm = {0};
			int kind = marker_kind(s, j, le, &cm);
			if (kind == -2) {
				diag_error(diags, md_loc(doc, line, (int)(k - i) + 1),
					   "bad '::: columns' marker: give each column a relative width "
					   "above 0, as '::: columns 1 3 2' or '::: columns 25%% 50%% 25%%' "
					   "(at most %d columns)",
					   MD_MAX_COLUMNS);
				return -1;
			}
			if (kind == -3) {
				diag_error(diags, md_loc(doc, line, (int)(k - i) + 1),
					   "bad '::: lang' marker: give a language tag such as "
					   "'::: lang es' or '::: lang zh-Hans'");
				return -1;
			}
			if (kind == MD_KEEP_BEGIN) {
				if (open) {
					diag_error(diags, md_loc(doc, line, (int)(k - i) + 1),
						   "'::: keep' or '::: closing' inside another (opened on line %d)",
						   doc->first_line + open_line - 1);
					return -1;
				}
				open = 1;
				open_line = line;
			} else if (kind == MD_KEEP_END) {
				if (!open) {
					diag_error(diags, md_loc(doc, line, (int)(k - i) + 1),
						   "':::' closes no '::: keep' or '::: closing'");
					return -1;
				}
				open = 0;
			}
			if (kind >= 0) {
				struct md_mark *m = add_mark(doc, (enum md_mark_kind)kind, line);
				m->ncols = cm.ncols;
				m->closing = cm.closing;
				memcpy(m->widths, cm.widths, sizeof m->widths);
				memcpy(m->lang, cm.lang, sizeof m->lang);
				memset(s + i, ' ', le - i);
			} else {
				diag_warn(diags, md_loc(doc, line, (int)(k - i) + 1),
					  "unknown marker (known: '::: keep', '::: closing', ':::', '::: pagebreak', "
					  "'::: columns', '::: lang'); printed as text");
			}
		}
		i = le + 1;
	}
	if (open) {
		diag_error(diags, md_loc(doc, open_line, 1), "'::: keep' is never closed by ':::'");
		return -1;
	}
	return 0;
}

/* A line with more than MD_MAX_PIPES '|' is an error at the first one over the limit. */
static int check_pipes(const struct md_doc *doc, struct pd_diags *diags)
{
	const char *s = doc->text;
	int line = 1;
	for (size_t i = 0; i < doc->len; line++) {
		size_t le = line_end(s, doc->len, i), pipes = 0, over = 0;
		for (const char *k = s + i; (k = memchr(k, '|', (size_t)(s + le - k))); k++)
			if (++pipes == MD_MAX_PIPES + 1)
				over = (size_t)(k - s);
		if (pipes > MD_MAX_PIPES) {
			struct pd_loc at = diag_loc_at(doc->file, s + i, le - i, over - i);
			diag_error(diags, md_loc(doc, line, at.col),
				   "a line of %zu '|' is over the limit of %d per line (a page fits "
				   "tables of at most 20 columns)",
				   pipes, MD_MAX_PIPES);
			return -1;
		}
		i = le + 1;
	}
	return 0;
}

static void attach(cmark_parser *p, const char *name)
{
	cmark_syntax_extension *ext = cmark_find_syntax_extension(name);
	if (ext)
		cmark_parser_attach_syntax_extension(p, ext);
}

/* Text in NFC (utf8proc). Only the runs of non-ASCII characters go through utf8proc, each
 * with the character before it, which a combining mark may join: an ASCII character never
 * changes and nothing before it composes across it. Returns 0, or -1 for bad UTF-8. */
static int to_nfc(const char *text, size_t len, struct pd_buf *out)
{
	size_t i = 0;
	while (i < len) {
		size_t j = i;
		while (j < len && (unsigned char)text[j] < 0x80)
			j++;
		if (j == len) {
			buf_put(out, text + i, len - i);
			break;
		}
		size_t start = j > i ? j - 1 : j; /* the base a mark may compose with */
		buf_put(out, text + i, start - i);
		size_t k = j;
		while (k < len && (unsigned char)text[k] >= 0x80)
			k++;
		utf8proc_uint8_t *seg = NULL;
		utf8proc_ssize_t n = utf8proc_map((const utf8proc_uint8_t *)text + start,
						  (utf8proc_ssize_t)(k - start), &seg,
						  UTF8PROC_STABLE | UTF8PROC_COMPOSE);
		if (n < 0)
			return -1;
		buf_put(out, (const char *)seg, (size_t)n);
		free(seg);
		i = k;
	}
	return 0;
}

struct md_doc *md_parse(const char *text, size_t len, const char *file, int first_line,
			struct pd_diags *diags)
{
	file = diag_intern(diags, file ? file : "<input>");
	if (len > MD_MAX_BYTES) {
		struct pd_loc none = {file, 0, 0};
		diag_error(diags, none,
			   "Markdown text of %zu bytes is over the limit of %u", len, MD_MAX_BYTES);
		return NULL;
	}
	struct pd_buf nfc = {0};
	if (to_nfc(text, len, &nfc) < 0) {
		buf_free(&nfc);
		bad_utf8(text, len, file, first_line, diags);
		return NULL;
	}
	struct md_doc *doc = xcalloc(1, sizeof *doc);
	doc->file = file;
	doc->first_line = first_line > 0 ? first_line : 1;
	doc->len = nfc.len;
	doc->text = nfc.s ? buf_take(&nfc) : xstrdup("");
	if (check_pipes(doc, diags) < 0 || scan_marks(doc, diags) < 0) {
		md_free(doc);
		return NULL;
	}
	cmark_gfm_core_extensions_ensure_registered();
	/* no CMARK_OPT_SMART: quotes and dashes are curled by the layout, one rule for prose
	   and the escaped case values it would skip */
	cmark_parser *p = cmark_parser_new(CMARK_OPT_DEFAULT | CMARK_OPT_FOOTNOTES);
	attach(p, "table");
	attach(p, "strikethrough");
	attach(p, "tasklist");
	/* no GFM autolink extension: it finds addresses in text after escapes are gone, so a
	   case value could become a link; links are written <https://...> or [text](url) */
	cmark_parser_feed(p, doc->text, doc->len);
	doc->root = cmark_parser_finish(p);
	cmark_parser_free(p);
	return doc;
}

void md_free(struct md_doc *doc)
{
	if (!doc)
		return;
	if (doc->root)
		cmark_node_free(doc->root);
	free(doc->text);
	free(doc->marks);
	free(doc);
}

struct pd_loc md_loc(const struct md_doc *doc, int line, int col)
{
	struct pd_loc loc = {doc->file, doc->first_line + (line > 0 ? line : 1) - 1, col > 0 ? col : 1};
	return loc;
}
