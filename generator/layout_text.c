/* layout_text: the text rules of the layout stage, one table each. In: inline text (template
 * prose and case values alike). Out: its printed form (curled quotes, dashes) and where a
 * space may not break a line (after "Mr.", between month and day, before "p.m."). */
#include <string.h>

#include "layout_impl.h"

/* ------------------------------------------------------------------ punctuation */

static bool letter_or_digit(uint32_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= 0xC0 && c < 0x2000 && c != 0xD7 && c != 0xF7);
}

/* After these a quote closes: a word, or punctuation that ends one. */
static bool closes_after(uint32_t c)
{
	return letter_or_digit(c) || (c && strchr(".,;:!?)]}%", (int)c) && c < 0x80) ||
	       c == 0x2019 || c == 0x201D;
}

static bool digit(char c) { return c >= '0' && c <= '9'; }

/* The last character of the text set so far in this paragraph ('\0' at its start or after
 * a space). */
static uint32_t last_char(const struct lay *L)
{
	if (!L->ntoks || L->toks[L->ntoks - 1].kind != TK_TEXT)
		return 0;
	const struct tok *t = &L->toks[L->ntoks - 1];
	size_t k = t->len;
	while (k > 0 && ((unsigned char)t->s[k - 1] & 0xC0) == 0x80)
		k--;
	uint32_t cp = 0;
	if (k > 0)
		utf8_decode(t->s + k - 1, t->len - k + 1, &cp);
	return cp;
}

/* The year of four digits at s[at..at+4) (1800 to 2099) that stands alone: neither a
 * letter, a digit nor a hyphen touches it from outside; -1 if none. */
static int lone_year(const char *s, size_t at, size_t n, bool before, bool after)
{
	if (at + 4 > n)
		return -1;
	int y = 0;
	for (size_t k = at; k < at + 4; k++) {
		if (!digit(s[k]))
			return -1;
		y = y * 10 + (s[k] - '0');
	}
	unsigned char l = before && at > 0 ? (unsigned char)s[at - 1] : ' ';
	unsigned char r = after && at + 4 < n ? (unsigned char)s[at + 4] : ' ';
	bool touched = (l < 0x80 && (letter_or_digit(l) || l == '-')) ||
		       (r < 0x80 && (letter_or_digit(r) || r == '-'));
	return y >= 1800 && y <= 2099 && !touched ? y : -1;
}

/* A hyphen between two years, the second not before the first ("1990-2015"): a range, set
 * with an en dash. Not a date (2015-04-06), an A-number or a telephone number. */
static bool year_range_at(const char *s, size_t i, size_t n)
{
	if (i < 4)
		return false;
	int from = lone_year(s, i - 4, n, true, false), to = lone_year(s, i + 1, n, false, true);
	return from >= 0 && to >= from;
}

static bool special_at(const char *s, size_t i, size_t n)
{
	return s[i] == '\'' || s[i] == '"' ||
	       (s[i] == '-' && ((i + 1 < n && s[i + 1] == '-') || year_range_at(s, i, n))) ||
	       (s[i] == '.' && i + 2 < n && s[i + 1] == '.' && s[i + 2] == '.');
}

/* s[0..n) with the rule applied, into out; prev is the character before s. */
static void smart_into(const char *s, size_t n, uint32_t prev, struct pd_buf *out)
{
	for (size_t i = 0; i < n;) {
		char c = s[i];
		const char *put = NULL;
		size_t used = 1;
		if (c == '\'') {
			bool year = i + 2 < n && digit(s[i + 1]) && digit(s[i + 2]) &&
				    (i + 3 == n || !digit(s[i + 3]));
			put = closes_after(prev) || year ? "\xE2\x80\x99" : "\xE2\x80\x98";
		} else if (c == '"') {
			put = closes_after(prev) ? "\xE2\x80\x9D" : "\xE2\x80\x9C";
		} else if (c == '-' && i + 2 < n && s[i + 1] == '-' && s[i + 2] == '-') {
			put = "\xE2\x80\x94", used = 3;
		} else if (c == '-' && i + 1 < n && s[i + 1] == '-') {
			put = "\xE2\x80\x93", used = 2;
		} else if (c == '-' && year_range_at(s, i, n)) {
			put = "\xE2\x80\x93";
		} else if (c == '.' && i + 2 < n && s[i + 1] == '.' && s[i + 2] == '.') {
			put = "\xE2\x80\xA6", used = 3;
		}
		if (put) {
			buf_puts(out, put);
			utf8_decode(put, strlen(put), &prev);
			i += used;
			continue;
		}
		int k = utf8_decode(s + i, n - i, &prev);
		buf_put(out, s + i, (size_t)k);
		i += (size_t)k;
	}
}

/* One rule for every straight quote, dash and ellipsis, in template prose and case values
 * alike (values reach the layout escaped, where Markdown's smart punctuation never sees
 * them): a quote after a word or closing punctuation closes (an apostrophe: "D’Souza",
 * "Sofía’s"), else it opens, but for a year's apostrophe ("’90s"); "--" is an en dash,
 * and so is the hyphen of a range of years ("1990–2015"); "---" an em dash, "..." an
 * ellipsis. Returns s itself when nothing changes, else a copy
 * in the arena (*len updated). */
const char *lay_smart_text(struct lay *L, const char *s, size_t *len)
{
	size_t n = *len, i = 0;
	while (i < n && !special_at(s, i, n))
		i++;
	if (i == n)
		return s;
	struct pd_buf b = {0};
	smart_into(s, n, last_char(L), &b);
	*len = b.len;
	const char *out = arena_strndup(L->arena, b.s, b.len);
	buf_free(&b);
	return out;
}

char *layout_smart_text(const char *s)
{
	struct pd_buf b = {0};
	smart_into(s, strlen(s), 0, &b);
	return b.s ? buf_take(&b) : xstrdup("");
}

/* ------------------------------------------------------------------ no-break spaces */

struct word {
	const char *s;
	size_t len;
};
#define W(s) {s, sizeof s - 1}

/* Words a line never ends with: honorifics, abbreviations that a number or name follows. */
static const struct word before_nobreak[] = {
    W("Mr."),  W("Mrs."), W("Ms."),  W("Dr."),  W("Hon."),        W("Judge"),
    W("No."),  W("Nos."), W("p."),   W("pp."),  W("\xC2\xA7"),     W("\xC2\xA7\xC2\xA7"),
    W("Tab"),  W("Tabs"), W("Art."), W("Sec."), W("Vol."),        W("St."),
    W("Fr."),  W("Prof."), {NULL, 0}};
/* Words a line never starts with after a number: "2:30 p.m.", "2 p.", "48 pp.". */
static const struct word after_number[] = {W("a.m."), W("p.m."), W("p."), W("pp."),
					   W("AM"),   W("PM"),   {NULL, 0}};
static const struct word months[] = {
    W("January"), W("February"), W("March"), W("April"),   W("May"),      W("June"),
    W("July"),    W("August"),   W("September"), W("October"), W("November"), W("December"),
    W("Jan."),    W("Feb."),     W("Mar."),  W("Apr."),    W("Jun."),     W("Jul."),
    W("Aug."),    W("Sep."),     W("Sept."), W("Oct."),    W("Nov."),     W("Dec."),
    {NULL, 0}};
#define LONGEST_WORD 9 /* "September": no word longer is in a table */

/* The text of token t without opening brackets and quotes before it and a closing
 * bracket, comma or semicolon after it. */
static void word_of(const struct lay *L, size_t t, const char **s, size_t *len)
{
	const char *p = L->toks[t].s, *e = p + L->toks[t].len;
	while (p < e && strchr("([\"'", *p))
		p++;
	if (e - p >= 3 && (unsigned char)p[0] == 0xE2 && (unsigned char)p[1] == 0x80 &&
	    ((unsigned char)p[2] == 0x9C || (unsigned char)p[2] == 0x98))
		p += 3; /* “ or ‘ */
	while (e > p && strchr(",;)]", e[-1]))
		e--;
	*s = p;
	*len = (size_t)(e - p);
}

static bool in_list(const char *s, size_t len, const struct word *list)
{
	for (; list->s; list++)
		if (list->len == len && !memcmp(list->s, s, len))
			return true;
	return false;
}

/* Whether the space token at t may not break a line, by the tables above. */
bool lay_nobreak_space(const struct lay *L, size_t t)
{
	if (t == 0 || t + 1 >= L->ntoks || L->toks[t - 1].kind != TK_TEXT ||
	    L->toks[t + 1].kind != TK_TEXT)
		return false;
	const struct tok *before = &L->toks[t - 1];
	char end = before->s[before->len - 1];
	if (before->len > LONGEST_WORD + 3 && !digit(end))
		return false; /* most words: too long for a table, and no number */
	const char *a, *b;
	size_t na, nb;
	word_of(L, t - 1, &a, &na);
	word_of(L, t + 1, &b, &nb);
	if (!na || !nb || na > LONGEST_WORD + 1)
		return false;
	if (in_list(a, na, before_nobreak))
		return true;
	if (digit(a[na - 1]) && in_list(b, nb, after_number))
		return true;
	return digit(b[0]) && in_list(a, na, months);
}
