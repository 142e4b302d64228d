/* Unit tests of the rule table (case_rules.c), the one "did you mean" of diag.c and the
 * shared helpers of util.c (dates, A-numbers).
 * In: the table compiled in. Out: cmocka results. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "case.h"
#include "diag.h"
#include "util.h"

static void rows_are_complete(void **state)
{
	(void)state;
	size_t n = case_rule_count();
	assert_true(n >= 12);
	assert_null(case_rule(n));
	for (size_t i = 0; i < n; i++) {
		const struct pd_rule_info *r = case_rule(i);
		assert_int_equal(strncmp(r->id, "R-", 2), 0);
		assert_true(strlen(r->message) > 20 && strlen(r->basis) > 20 && strlen(r->fix) > 10);
		assert_ptr_equal(case_rule_named(r->id), r);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(case_rule(j)->id, r->id);
	}
}

static void named(void **state)
{
	(void)state;
	assert_string_equal(case_rule_named("chain")->id, "R-chain");
	assert_string_equal(case_rule_named("r-G28")->id, "R-g28");
	assert_null(case_rule_named("R-"));
	assert_null(case_rule_named("nothing"));
	assert_int_equal(case_rule_named("R-emergency")->severity, PD_WARNING);
}

static void did_you_mean(void **state)
{
	(void)state;
	const char *const names[] = {"fod", "afod", NULL, "ero-hq"};
	assert_string_equal(diag_did_you_mean("fdo", names, 4, '\'').text, " (did you mean 'fod'?)");
	assert_string_equal(diag_did_you_mean("ero_hq", names, 4, '"').text,
			    " (did you mean \"ero-hq\"?)");
	assert_string_equal(diag_did_you_mean("zzzzzz", names, 4, '\'').text, "");
	assert_string_equal(diag_did_you_mean("x", names, 0, '\'').text, "");
}

/* The helpers every stage shares: one calendar, one A-number rule, one month table. */
static void helpers(void **state)
{
	(void)state;
	assert_true(date_valid("1899-12-31")); /* a date, whatever the year */
	assert_true(date_valid("2016-02-29"));
	assert_false(date_valid("2015-02-29"));
	assert_false(date_valid("0000-01-01"));
	assert_false(date_valid(NULL));
	assert_string_equal(date_month_name(2), "February");
	assert_string_equal(date_month_name(13), "");
	char d[10], f[13];
	assert_true(anumber_normalize("  A-012 345 678", d)); /* leading blanks, "A-" */
	anumber_format(d, f);
	assert_string_equal(f, "A012-345-678");
	assert_true(anumber_normalize("A#98765432", d));
	assert_string_equal(d, "098765432");
	assert_false(anumber_normalize("A12-34", d));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(rows_are_complete),
	    cmocka_unit_test(named),
	    cmocka_unit_test(did_you_mean),
	    cmocka_unit_test(helpers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
