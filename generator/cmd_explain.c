/* cmd_explain: `pdgen explain [RULE | --mdoc]`: the escalation rules from the table the
 * checker runs. In: argv. Out: every rule in a line, one rule in full (what it requires,
 * why, how to fix a case), or the RULES list of pdgen-case(5) in mdoc. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case.h"
#include "cmd.h"
#include "diag.h"
#include "util.h"

static const char *severity_name(enum pd_severity sev)
{
	return sev == PD_ERROR ? "error" : sev == PD_WARNING ? "warning" : "note";
}

/* text, wrapped at 78 columns, each line after indent spaces; the first starts at col
 * (the indent already printed when col > 0) */
static void print_wrapped(const char *text, int indent, int col)
{
	for (const char *p = text; *p;) {
		while (*p == ' ')
			p++;
		size_t len = strcspn(p, " ");
		if (!len)
			break;
		if (col && col + 1 + (int)len > 78) {
			putchar('\n');
			col = 0;
		}
		col += col ? printf(" ") : printf("%*s", indent, "");
		col += printf("%.*s", (int)len, p);
		p += len;
	}
	putchar('\n');
}

static void print_rule(const struct pd_rule_info *r)
{
	printf("%s (%s)\n\n", r->id, severity_name(r->severity));
	print_wrapped(r->message, 2, 0);
	printf("\nWhy:\n");
	print_wrapped(r->basis, 2, 0);
	printf("\nFix:\n");
	print_wrapped(r->fix, 2, 0);
}

/* Text lines of mdoc, wrapped: a leading '.' or '\'' would be read as a request. */
static void mdoc_text(const char *s, size_t len)
{
	while (len && *s == ' ')
		s++, len--;
	while (len && s[len - 1] == ' ')
		len--;
	if (!len)
		return;
	if (*s == '.' || *s == '\'')
		fputs("\\&", stdout);
	char *text = xstrndup(s, len);
	print_wrapped(text, 0, 0);
	free(text);
}

/* Prose with `code` spans in mdoc: a sentence a line, spans as .Li (.Pq Li when the span
 * is all the parentheses hold), closing punctuation after a span as its delimiter. */
static void print_mdoc_prose(const char *text)
{
	const char *p = text;
	while (*p) {
		const char *tick = strchr(p, '`');
		size_t len = tick ? (size_t)(tick - p) : strlen(p);
		bool paren = len && p[len - 1] == '(';
		const char *end = tick ? strchr(tick + 1, '`') : NULL;
		paren = paren && end && end[1] == ')';
		for (size_t i = 0, from = 0; i <= len - paren; i++) /* a sentence a line */
			if (i == len - paren || (i + 1 < len && p[i] == '.' && p[i + 1] == ' ')) {
				mdoc_text(p + from, i + (i < len - paren) - from);
				from = i + 1;
			}
		if (!end)
			return;
		printf("%s %.*s", paren ? ".Pq Li" : ".Li", (int)(end - tick - 1), tick + 1);
		p = end + 1 + paren;
		while (*p && strchr(".,;:)", *p))
			printf(" %c", *p++);
		putchar('\n');
	}
}

static void print_mdoc(void)
{
	puts(".Bl -tag -width Ds");
	for (size_t i = 0; i < case_rule_count(); i++) {
		printf(".It Sy %s\n", case_rule(i)->id);
		print_mdoc_prose(case_rule(i)->message);
	}
	puts(".El");
}

int cmd_explain(int argc, char **argv)
{
	if (argc > 2)
		return cmd_usage_error("explain", "one rule at a time");
	if (argc == 2 && !strcmp(argv[1], "--mdoc")) {
		print_mdoc();
		return PD_EXIT_OK;
	}
	if (argc == 2 && argv[1][0] == '-')
		return cmd_usage_error("explain", "unknown option '%s'", argv[1]);
	if (argc == 2) {
		const struct pd_rule_info *r = case_rule_named(argv[1]);
		if (r) {
			print_rule(r);
			return PD_EXIT_OK;
		}
		const char *ids[64];
		size_t n = 0;
		for (; n < case_rule_count() && n < 64; n++)
			ids[n] = case_rule(n)->id;
		return cmd_usage_error("explain", "no rule '%s'%s (pdgen explain lists them)",
				       argv[1], diag_did_you_mean(argv[1], ids, n, '\'').text);
	}
	for (size_t i = 0; i < case_rule_count(); i++) {
		const struct pd_rule_info *r = case_rule(i);
		const char *stop = strstr(r->message, ". "); /* the first sentence */
		char *first = xstrndup(r->message, stop ? (size_t)(stop - r->message + 1)
							: strlen(r->message));
		print_wrapped(first, 22, printf("%-12s %-8s", r->id, severity_name(r->severity)));
		free(first);
	}
	return PD_EXIT_OK;
}
