/* tmpl_fmt: the template stage's value formatters ({{x | date}}) and output escaping.
 * In: a pd_value or text. Out: a formatted value in an arena, or escaped text in a pd_buf. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "tmpl.h"

/* ------------------------------------------------------------- escaping */

static void escape_html(const char *s, size_t len, struct pd_buf *out)
{
	size_t from = 0;
	for (size_t i = 0; i < len; i++) {
		const char *rep = NULL;
		switch (s[i]) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		default: continue;
		}
		buf_put(out, s + from, i - from);
		buf_puts(out, rep);
		from = i + 1;
	}
	buf_put(out, s + from, len - from);
}

/* ASCII punctuation that can start or end Markdown structure (emphasis, code, links,
 * autolinks, HTML, entities, headings, lists, tables, block quotes, smart quotes and
 * dashes). A backslash makes each one literal text. */
static const bool markdown_special[256] = {
    ['!'] = 1, ['"'] = 1, ['#'] = 1, ['&'] = 1, ['\''] = 1, ['('] = 1, [')'] = 1, ['*'] = 1,
    ['+'] = 1, ['-'] = 1, ['.'] = 1, [':'] = 1, ['<'] = 1, ['='] = 1, ['>'] = 1, ['@'] = 1,
    ['['] = 1, ['\\'] = 1, [']'] = 1, ['_'] = 1, ['`'] = 1, ['{'] = 1, ['|'] = 1, ['}'] = 1,
    ['~'] = 1,
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Newlines become spaces, so a value stays inside the line (and table cell) it is in. */
static size_t unwrap_markdown(const char *s, size_t len, size_t i, char *c)
{
	if (s[i] == '\r' && i + 1 < len && s[i + 1] == '\n') {
		*c = ' ';
		return 2;
	}
	*c = (s[i] == '\r' || s[i] == '\n') ? ' ' : s[i];
	return 1;
}

/* Blanks and line breaks as character references: they can neither indent a code block
 * nor end a line with a hard break. */
static void blanks_as_references(const char *s, size_t len, size_t from, size_t to,
				 struct pd_buf *out)
{
	for (size_t i = from; i < to;) {
		char c;
		i += unwrap_markdown(s, len, i, &c);
		buf_puts(out, c == '\t' ? "&#9;" : "&#32;");
	}
}

static bool is_line_break(char c)
{
	return c == '\n' || c == '\r';
}

static void escape_markdown(const char *s, size_t len, struct pd_buf *out)
{
	size_t lead = 0, trail = len;
	while (lead < len && (is_blank(s[lead]) || is_line_break(s[lead])))
		lead++;
	while (trail > lead && (is_blank(s[trail - 1]) || is_line_break(s[trail - 1])))
		trail--;
	blanks_as_references(s, len, 0, lead, out);
	for (size_t i = lead; i < trail;) {
		size_t run = i; /* bytes that stay as they are, copied at once */
		while (run < trail && !markdown_special[(unsigned char)s[run]] && !is_line_break(s[run]))
			run++;
		buf_put(out, s + i, run - i);
		if (run == trail)
			break;
		char c;
		i = run + unwrap_markdown(s, len, run, &c);
		if (markdown_special[(unsigned char)c])
			buf_putc(out, '\\');
		buf_putc(out, c);
	}
	blanks_as_references(s, len, trail, len, out);
}

void tmpl_escape(enum pd_escape esc, const char *s, size_t len, struct pd_buf *out)
{
	if (esc == PD_ESC_HTML)
		escape_html(s, len, out);
	else if (esc == PD_ESC_MARKDOWN)
		escape_markdown(s, len, out);
	else
		buf_put(out, s, len);
}

/* ------------------------------------------------------------- formatters */

typedef const struct pd_value *(*fmt_fn)(const struct pd_value *v, struct pd_arena *a,
					  struct pd_buf *why);

static bool scalar(const struct pd_value *v)
{
	return v && (v->kind == PD_STR || v->kind == PD_INT || v->kind == PD_FLOAT ||
		     v->kind == PD_BOOL);
}

static bool parse_date(const struct pd_value *v, int *y, int *m, int *d)
{
	if (!scalar(v) || !date_valid(v->str))
		return false;
	date_fields(v->str, y, m, d);
	return true;
}

/* x (0 to 9999) in decimal at p, width digits at least (zeros before); returns the end. */
static char *put_number(char *p, int x, int width)
{
	char digits[4];
	int n = 0;
	do
		digits[n++] = (char)('0' + x % 10);
	while ((x /= 10) && n < 4);
	while (n < width)
		digits[n++] = '0';
	while (n)
		*p++ = digits[--n];
	return p;
}

static const struct pd_value *formatted(struct pd_arena *a, const struct pd_value *from,
				      const char *s)
{
	return value_new_str(a, s, from->loc);
}

static const struct pd_value *fmt_date(const struct pd_value *v, struct pd_arena *a,
				       struct pd_buf *why)
{
	int y, m, d;
	if (!parse_date(v, &y, &m, &d)) {
		buf_puts(why, "needs a date written YYYY-MM-DD");
		return NULL;
	}
	char text[32], *p = text; /* "September 30, 2015" */
	const char *month = date_month_name(m);
	size_t n = strlen(month);
	memcpy(p, month, n);
	p += n;
	*p++ = ' ';
	p = put_number(p, d, 1);
	*p++ = ',', *p++ = ' ';
	*put_number(p, y, 1) = '\0';
	return formatted(a, v, text);
}

static const struct pd_value *fmt_date_short(const struct pd_value *v, struct pd_arena *a,
					     struct pd_buf *why)
{
	int y, m, d;
	if (!parse_date(v, &y, &m, &d)) {
		buf_puts(why, "needs a date written YYYY-MM-DD");
		return NULL;
	}
	char text[16], *p = put_number(text, m, 2); /* "09/30/2015" */
	*p++ = '/';
	p = put_number(p, d, 2);
	*p++ = '/';
	*put_number(p, y, 4) = '\0';
	return formatted(a, v, text);
}

/* "A 012-345-678", "A#12345678", "012345678" -> "A012-345-678". */
static const struct pd_value *fmt_anumber(const struct pd_value *v, struct pd_arena *a,
					  struct pd_buf *why)
{
	char digits[10], display[13];
	if (!scalar(v) || v->kind == PD_BOOL || !anumber_normalize(v->str, digits)) {
		buf_puts(why, "needs an A-number of 8 or 9 digits (\"A012-345-678\")");
		return NULL;
	}
	anumber_format(digits, display);
	return formatted(a, v, arena_strdup(a, display));
}

static const struct pd_value *fmt_join(const struct pd_value *v, struct pd_arena *a,
				       struct pd_buf *why)
{
	if (scalar(v))
		return v;
	if (!v || v->kind != PD_SEQ) {
		buf_puts(why, "needs a list");
		return NULL;
	}
	size_t total = 0, done = 0;
	for (size_t i = 0; i < v->n; i++) {
		if (v->items[i]->kind == PD_NULL)
			continue;
		if (!scalar(v->items[i])) {
			buf_printf(why, "needs a list of texts, but item %zu is not text", i + 1);
			return NULL;
		}
		total++;
	}
	struct pd_buf b = {0};
	for (size_t i = 0; i < v->n; i++) {
		const struct pd_value *item = v->items[i];
		if (item->kind == PD_NULL)
			continue;
		if (done > 0)
			buf_puts(&b, done + 1 == total ? " and " : ", ");
		buf_put(&b, item->str, item->len);
		done++;
	}
	const struct pd_value *r = formatted(a, v, b.s ? b.s : "");
	buf_free(&b);
	return r;
}

static void words_below_1000(unsigned n, struct pd_buf *b)
{
	static const char *const ones[] = {"zero",    "one",     "two",       "three",
					   "four",    "five",    "six",       "seven",
					   "eight",   "nine",    "ten",       "eleven",
					   "twelve",  "thirteen", "fourteen", "fifteen",
					   "sixteen", "seventeen", "eighteen", "nineteen"};
	static const char *const tens[] = {"",      "",      "twenty",  "thirty", "forty",
					   "fifty", "sixty", "seventy", "eighty", "ninety"};
	if (n >= 100) {
		buf_printf(b, "%s hundred", ones[n / 100]);
		n %= 100;
		if (!n)
			return;
		buf_putc(b, ' ');
	}
	if (n < 20)
		buf_puts(b, ones[n]);
	else if (n % 10)
		buf_printf(b, "%s-%s", tens[n / 10], ones[n % 10]);
	else
		buf_puts(b, tens[n / 10]);
}

static const struct pd_value *fmt_words(const struct pd_value *v, struct pd_arena *a,
					struct pd_buf *why)
{
	char *end = NULL;
	long n = scalar(v) && v->kind != PD_BOOL ? strtol(v->str, &end, 10) : -1;
	if (!end || end == v->str || *end || n < 0 || n > 999999999) {
		buf_puts(why, "needs a whole number from 0 to 999999999");
		return NULL;
	}
	struct pd_buf b = {0};
	static const char *const scale[] = {" million", " thousand", ""};
	static const long unit[] = {1000000, 1000, 1};
	bool any = false;
	for (int i = 0; i < 3; i++) {
		unsigned part = (unsigned)(n / unit[i] % 1000);
		if (!part && (i < 2 || any))
			continue;
		if (any)
			buf_putc(&b, ' ');
		words_below_1000(part, &b);
		buf_puts(&b, scale[i]);
		any = true;
	}
	const struct pd_value *r = formatted(a, v, b.s);
	buf_free(&b);
	return r;
}

static const struct pd_value *change_case(const struct pd_value *v, struct pd_arena *a,
					  struct pd_buf *why, bool up)
{
	if (!scalar(v)) {
		buf_puts(why, "needs a text");
		return NULL;
	}
	struct pd_buf b = {0};
	const utf8proc_uint8_t *s = (const utf8proc_uint8_t *)v->str;
	utf8proc_ssize_t left = (utf8proc_ssize_t)v->len;
	while (left > 0) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t k = utf8proc_iterate(s, left, &cp);
		if (k <= 0) { /* not UTF-8: keep the byte */
			buf_putc(&b, (char)*s);
			s++;
			left--;
			continue;
		}
		utf8proc_uint8_t enc[4];
		cp = up ? utf8proc_toupper(cp) : utf8proc_tolower(cp);
		buf_put(&b, (const char *)enc, (size_t)utf8proc_encode_char(cp, enc));
		s += k;
		left -= k;
	}
	const struct pd_value *r = formatted(a, v, b.s ? b.s : "");
	buf_free(&b);
	return r;
}

static const struct pd_value *fmt_upper(const struct pd_value *v, struct pd_arena *a,
					struct pd_buf *why)
{
	return change_case(v, a, why, true);
}

static const struct pd_value *fmt_lower(const struct pd_value *v, struct pd_arena *a,
					struct pd_buf *why)
{
	return change_case(v, a, why, false);
}

/* Whether text ends a sentence: its last mark, looking past spaces, closing quotes and
 * brackets and Markdown emphasis, is ".", "!", "?" or an ellipsis. */
static bool ends_sentence(const char *s, size_t n)
{
	static const char *const closers[] = {"\xE2\x80\x9D", "\xE2\x80\x99", "\xC2\xBB", ")", "]",
					      "\"", "'", "*", "_", " ", "\n", "\t"};
	for (size_t i = 0; i < sizeof closers / sizeof closers[0] && n; i++) {
		size_t k = strlen(closers[i]);
		if (n >= k && !memcmp(s + n - k, closers[i], k)) {
			n -= k;
			i = (size_t)-1; /* look again from the first closer */
		}
	}
	return n && (strchr(".!?", s[n - 1]) || (n >= 3 && !memcmp(s + n - 3, "\xE2\x80\xA6", 3)));
}

/* Whether the last line of text is Markdown structure (an image, a list item, a table row,
 * a heading, a quote, a code fence) rather than prose a full stop could end. */
static bool ends_in_block(const char *s, size_t n)
{
	size_t i = n;
	while (i && s[i - 1] != '\n')
		i--;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	static const char *const marks[] = {"![", "|", "#", ">", "- ", "* ", "+ ", "```", "~~~"};
	for (size_t k = 0; k < sizeof marks / sizeof marks[0]; k++)
		if (!strncmp(s + i, marks[k], strlen(marks[k])))
			return true;
	size_t d = i;
	while (d < n && s[d] >= '0' && s[d] <= '9')
		d++;
	return d > i && d + 1 < n && (s[d] == '.' || s[d] == ')') && s[d + 1] == ' ';
}

/* "Final order" -> "Final order."; a text that already ends a sentence, or ends in a
 * Markdown block, is kept. */
static const struct pd_value *fmt_sentence(const struct pd_value *v, struct pd_arena *a,
					   struct pd_buf *why)
{
	if (!scalar(v)) {
		buf_puts(why, "needs a text");
		return NULL;
	}
	size_t n = v->len;
	while (n && strchr(" \t\n", v->str[n - 1]))
		n--;
	if (!n || ends_sentence(v->str, n) || ends_in_block(v->str, n))
		return v;
	return formatted(a, v, arena_printf(a, "%.*s.", (int)n, v->str));
}

static const struct pd_value *fmt_count(const struct pd_value *v, struct pd_arena *a,
					struct pd_buf *why)
{
	size_t n = 0;
	if (v && (v->kind == PD_SEQ || v->kind == PD_MAP))
		n = v->n;
	else if (v && v->kind != PD_NULL) {
		buf_puts(why, "needs a list");
		return NULL;
	}
	struct pd_value *r = value_new(a, PD_INT, v ? v->loc : (struct pd_loc){0});
	r->str = arena_printf(a, "%zu", n);
	r->len = strlen(r->str);
	r->number = (double)n;
	return r;
}

static const struct {
	const char *name;
	fmt_fn fn;
} formatters[] = {
    {"date", fmt_date},   {"date_short", fmt_date_short}, {"anumber", fmt_anumber},
    {"join", fmt_join},   {"words", fmt_words},           {"upper", fmt_upper},
    {"lower", fmt_lower}, {"count", fmt_count},           {"sentence", fmt_sentence},
};

size_t tmpl_formatter_count(void)
{
	return sizeof formatters / sizeof formatters[0];
}

const char *tmpl_formatter_name(int id)
{
	return id >= 0 && (size_t)id < tmpl_formatter_count() ? formatters[id].name : NULL;
}

int tmpl_formatter_find(const char *name, size_t len)
{
	for (size_t i = 0; i < tmpl_formatter_count(); i++)
		if (strlen(formatters[i].name) == len && !memcmp(formatters[i].name, name, len))
			return (int)i;
	return -1;
}

const struct pd_value *tmpl_format(int id, const struct pd_value *v, struct pd_arena *arena,
				   struct pd_buf *why)
{
	if (id < 0 || (size_t)id >= tmpl_formatter_count()) {
		buf_puts(why, "unknown formatter");
		return NULL;
	}
	return formatters[id].fn(v, arena, why);
}
