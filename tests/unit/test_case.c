/* test_case: A-number normalisation, email and date syntax, the escalation rules on
 * in-memory cases (the level table comes from the project's templates/), suggestions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "case_impl.h"

static void anumber(void **state)
{
	(void)state;
	char d[10], f[13];
	assert_true(anumber_normalize("A 012-345-678", d));
	assert_string_equal(d, "012345678");
	assert_true(anumber_normalize("A#12345678", d));
	assert_string_equal(d, "012345678");
	assert_true(anumber_normalize("a-208 555 431", d));
	assert_string_equal(d, "208555431");
	assert_true(anumber_normalize("98765432", d));
	anumber_format(d, f);
	assert_string_equal(f, "A098-765-432");
	assert_false(anumber_normalize("A1234567", d));    /* 7 digits */
	assert_false(anumber_normalize("A0123456789", d)); /* 10 digits */
	assert_false(anumber_normalize("A12345678X", d));
	assert_false(anumber_normalize("", d));
	assert_false(anumber_normalize("B12345678", d));
}

static void email(void **state)
{
	(void)state;
	assert_true(case_email_valid("mcastillo@example.com"));
	assert_true(case_email_valid("OPLA-PD-HQ-FLO@ice.dhs.gov"));
	assert_false(case_email_valid("no-at-sign.example.com"));
	assert_false(case_email_valid("a@b"));
	assert_false(case_email_valid("a..b@example.com"));
	assert_false(case_email_valid("a@-example.com"));
	assert_false(case_email_valid("a@@example.com"));
}

static void dates(void **state)
{
	(void)state;
	assert_true(date_valid("2016-02-29"));
	assert_false(date_valid("2015-02-29"));
	assert_false(date_valid("2015-13-01"));
	assert_false(date_valid("2015-1-01"));
	assert_int_equal(date_days("2016-01-04") - date_days("2015-12-30"), 5);
	assert_int_equal(date_days("1970-01-01"), 0);
}

static const char base[] =
    "client: {name: {given: Ana, family: \"Pérez\"}, a_number: \"A 12345678\",\n"
    "  dob: 1985-02-11, country_of_birth: Peru, detention: {status: not_detained}}\n"
    "attorney: {name: Lee, bars: [{state: IL, number: \"1\"}], eoir_id: X, email: l@example.com}\n"
    "firm: {name: Park Law}\n"
    "priority: {regime: johnson-2014, category: none}\n"
    "request: {forms: [decline_nta]}\n"
    "equities: [{factor: family_ties, text: x}]\n"
    "letter: {date: 2015-12-30}\n";

struct run {
	struct pd_arena *arena;
	struct pd_diags diags;
	struct pd_case *c;
};

static void load(struct run *r, const char *extra)
{
	struct pd_buf b = {0};
	buf_puts(&b, base);
	buf_puts(&b, extra);
	r->arena = arena_new();
	r->diags = (struct pd_diags){0};
	struct pd_value *root =
	    value_load_mem(r->arena, "unit.yaml", b.s, b.len, NULL, &r->diags);
	assert_non_null(root);
	const char *dir = getenv("PDGEN_DATADIR");
	r->c = case_from_value(r->arena, root, "unit.yaml", dir ? dir : ".", &r->diags);
	assert_non_null(r->c);
	buf_free(&b);
}

static void done(struct run *r)
{
	diag_clear(&r->diags);
	arena_free(r->arena);
}

static bool has_rule(const struct pd_diags *d, const char *rule, enum pd_severity sev)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].rule && strcmp(d->v[i].rule, rule) == 0 && d->v[i].sev == sev)
			return true;
	return false;
}

static const char ero_ok[] = "case: {track: ero, stage: final_order, ero_office: ero-chicago}\n"
			     "appearance: {g28: {on_file: true}}\n";

static void rule_g28_and_track(void **state)
{
	(void)state;
	struct run r;
	load(&r, "case: {track: ero, stage: final_order, ero_office: ero-chicago}\n");
	assert_int_equal(case_check(r.c, "ero", "letter", &r.diags), 1);
	assert_true(has_rule(&r.diags, "R-g28", PD_ERROR));
	done(&r);
	load(&r, ero_ok);
	assert_int_equal(case_check(r.c, "ero", "letter", &r.diags), 0);
	assert_int_equal(case_check(r.c, "occ", "letter", &r.diags), 1); /* R-track alone */
	assert_true(has_rule(&r.diags, "R-track", PD_ERROR));
	done(&r);
}

static void rule_chain(void **state)
{
	(void)state;
	struct run r;
	load(&r, ero_ok);
	assert_true(case_check(r.c, "fod", "letter", &r.diags) > 0);
	assert_true(has_rule(&r.diags, "R-chain", PD_ERROR));
	done(&r);
	/* a denial by the FOD on the first request also satisfies rung 2 */
	load(&r, "case: {track: ero, stage: final_order, ero_office: ero-chicago}\n"
		 "appearance: {g28: {on_file: true}}\n"
		 "requests: [{id: R1, level: ero, sent: 2015-06-01,\n"
		 "  decision: {outcome: denied, date: 2015-07-01, by_role: FOD}}]\n"
		 "communications: [{date: 2015-07-01, direction: received, channel: phone}]\n"
		 "escalation: {argument: x}\n");
	assert_int_equal(case_check(r.c, "ero-hq", "letter", &r.diags), 0);
	struct pd_buf why = {0};
	assert_string_equal(case_next_level(r.c, &why), "ero-hq");
	buf_free(&why);
	done(&r);
	/* an SDDO denial does not */
	load(&r, "case: {track: ero, stage: final_order, ero_office: ero-chicago}\n"
		 "appearance: {g28: {on_file: true}}\n"
		 "requests: [{id: R1, level: ero, sent: 2015-06-01,\n"
		 "  decision: {outcome: denied, date: 2015-07-01, by_role: SDDO}}]\n");
	assert_int_equal(case_check(r.c, "fod", "letter", &r.diags), 0);
	assert_true(case_check(r.c, "ero-hq", "letter", &r.diags) > 0);
	assert_true(has_rule(&r.diags, "R-chain", PD_ERROR));
	assert_true(has_rule(&r.diags, "R-hq", PD_ERROR));
	done(&r);
}

static void rule_sub_and_rereq(void **state)
{
	(void)state;
	struct run r;
	load(&r, "case: {track: occ, stage: proceedings, occ_office: opla-chicago,\n"
		 "  occ_suboffice: opla-chicago-kansas-city, next_hearing: {date: 2016-05-01}}\n"
		 "appearance: {eoir28: {on_file: true}}\n");
	assert_true(case_check(r.c, "occ", "letter", &r.diags) > 0);
	assert_true(has_rule(&r.diags, "R-sub", PD_ERROR));
	assert_int_equal(case_check(r.c, "occ-sub", "letter", &r.diags), 0);
	done(&r);
	load(&r, ero_ok);
	done(&r);
	load(&r, "case: {track: ero, stage: final_order, ero_office: ero-chicago}\n"
		 "appearance: {g28: {on_file: true}}\n"
		 "requests: [{id: R1, level: ero, sent: 2013-05-01,\n"
		 "  decision: {outcome: denied, date: 2013-06-14}}]\n");
	assert_int_equal(case_check(r.c, "ero", "letter", &r.diags), 0);
	assert_true(has_rule(&r.diags, "R-rereq", PD_NOTE));
	assert_string_equal(case_template_name(r.c, "ero", "letter"), "letter-reconsideration");
	assert_true(case_check(r.c, "fod", "letter", &r.diags) > 0);
	assert_true(has_rule(&r.diags, "R-rereq", PD_ERROR));
	done(&r);
}

static void names(void **state)
{
	(void)state;
	struct run r;
	load(&r, ero_ok);
	assert_string_equal(case_output_name(r.arena, r.c, "ero", "letter"),
			    "perez-A012345678-ero-letter.pdf");
	assert_string_equal(case_template_name(r.c, "fod", "memo"), "memo");
	assert_string_equal(case_template_name(r.c, "fod", "letter"), "letter-review");
	assert_string_equal(case_header_text(r.arena, r.c),
			    "Ana Pérez \xC2\xB7 A012-345-678 \xC2\xB7 December 30, 2015");
	struct pd_value *ctx = case_context(r.arena, r.c, "ero", "letter");
	assert_non_null(ctx);
	assert_string_equal(value_str(value_path(ctx, "client.a_number_display")), "A012-345-678");
	assert_string_equal(value_str(value_path(ctx, "addressee.salute")), "Deportation Officer");
	done(&r);
}

static void emergency_window(void **state)
{
	(void)state;
	struct run r;
	load(&r, ero_ok);
	struct pd_value *ctx = case_context(r.arena, r.c, "ero", "letter");
	assert_false(value_truthy(value_path(ctx, "document.is_emergency")));
	done(&r);
	/* removal 14 days after the letter date: an emergency; an unknown key warns */
	load(&r, "case: {track: ero, stage: final_order, ero_ofice: ero-chicago}\n"
		 "appearance: {g28: {on_file: true}}\n");
	assert_int_equal(r.diags.warnings, 1);
	assert_non_null(strstr(r.diags.v[0].msg, "did you mean 'ero_office'"));
	done(&r);
	for (int days = 14; days <= 15; days++) {
		char text[600];
		int len = snprintf(text, sizeof text,
				   "client: {name: {given: A}, a_number: \"12345678\",\n"
				   "  removal: {scheduled: 2016-01-%02d}}\n"
				   "case: {track: ero, stage: final_order, ero_office: ero-chicago}\n"
				   "letter: {date: 2015-12-30}\n",
				   days - 1);
		struct pd_arena *a = arena_new();
		struct pd_diags d = {0};
		struct pd_value *root = value_load_mem(a, "e.yaml", text, (size_t)len, NULL, &d);
		const char *dir = getenv("PDGEN_DATADIR");
		struct pd_case *c = case_from_value(a, root, "e.yaml", dir ? dir : ".", &d);
		struct pd_value *cx = case_context(a, c, "ero", "letter");
		assert_int_equal(value_truthy(value_path(cx, "document.is_emergency")), days == 14);
		diag_clear(&d);
		arena_free(a);
	}
}

/* "Did you mean": a name of one or two letters takes only a candidate one edit away. */
static void suggestions(void **state)
{
	(void)state;
	static const char *const keys[] = {"date", "delivery", "closing", "cc", "salutation"};
	static const char *const levels[] = {"ero", "fod", "afod", "occ", "dcc", "cc"};
	assert_null(diag_nearest("zz", keys, 5));
	assert_null(diag_nearest("x", levels, 6));
	assert_null(diag_nearest("ab", (const char *const[]){"abcd"}, 1));
	assert_string_equal(diag_nearest("c", keys, 5), "cc");
	assert_string_equal(diag_nearest("fd", levels, 6), "fod");
	assert_string_equal(diag_nearest("dat", keys, 5), "date");
	assert_string_equal(diag_nearest("delivry", keys, 5), "delivery");
	assert_string_equal(diag_nearest("salutaton", keys, 5), "salutation");
	/* two neighbouring letters swapped are one edit */
	assert_string_equal(diag_nearest("fdo", levels, 6), "fod");
	assert_string_equal(diag_nearest("clsoing", keys, 5), "closing");
	assert_int_equal(diag_distance("fdo", "fod"), 1);
	assert_int_equal(diag_distance("ab", "ba"), 1);
	assert_int_equal(diag_distance("kitten", "sitting"), 3);
	assert_int_equal(diag_distance("", "abc"), 3);
}

/* Where a letter goes (R-deliver) and what a review is (the sub-office step, awareness). */
static void routing_and_review(void **state)
{
	(void)state;
	struct run r;
	load(&r, ero_ok);
	struct pd_route route;
	case_route(r.c, levels_find(case_domain(r.c), "ero"), &route);
	assert_non_null(route.office);
	assert_null(route.email); /* the directory publishes no PD mailbox for it */
	assert_string_equal(route.delivery, "mail");
	assert_non_null(route.address);
	assert_int_equal(case_check(r.c, "ero", "letter", &r.diags), 0);
	done(&r);
	load(&r, "case: {track: ero, stage: final_order, ero_office: ero-nowhere}\n"
		 "appearance: {g28: {on_file: true}}\n");
	assert_true(case_check(r.c, "ero", "letter", &r.diags) > 0);
	assert_true(has_rule(&r.diags, "R-deliver", PD_ERROR));
	done(&r);
	load(&r, "case: {track: ero, stage: final_order, ero_office: ero-chicago}\n"
		 "appearance: {g28: {on_file: true}}\n"
		 "requests: [{id: R1, level: ero, sent: 2015-06-01,\n"
		 "  decision: {outcome: denied, date: 2015-07-01, by_role: SDDO}}]\n");
	assert_true(case_check(r.c, "ero", "letter", &r.diags) > 0);
	assert_true(has_rule(&r.diags, "R-decided", PD_ERROR));
	done(&r);
	/* the FOD copied on the denial: rung 2 is passed without a decision of its own */
	load(&r, "case: {track: ero, stage: final_order, ero_office: ero-chicago}\n"
		 "appearance: {g28: {on_file: true}}\n"
		 "requests: [{id: R1, level: ero, sent: 2015-06-01, enclosures: [E1],\n"
		 "  decision: {outcome: denied, date: 2015-07-01, by_role: SDDO}}]\n"
		 "aware: [{role: FOD, date: 2015-07-01, enclosure: E1}]\n"
		 "enclosures: [{id: E1, title: Denial}]\n"
		 "communications: [{date: 2015-07-01, direction: received, channel: email,\n"
		 "  enclosure: E1}]\n"
		 "escalation: {argument: x}\n");
	assert_non_null(case_rung_aware(r.c, "ero", 2));
	assert_int_equal(case_check(r.c, "ero-hq", "letter", &r.diags), 0);
	struct pd_buf why = {0};
	assert_string_equal(case_next_level(r.c, &why), "ero-hq");
	buf_free(&why);
	done(&r);
	load(&r, "case: {track: occ, stage: proceedings, occ_office: opla-chicago,\n"
		 "  occ_suboffice: opla-chicago-kansas-city, next_hearing: {date: 2016-05-01}}\n"
		 "appearance: {eoir28: {on_file: true}}\n"
		 "requests: [{id: R1, level: occ-sub, sent: 2015-06-01,\n"
		 "  decision: {outcome: denied, date: 2015-07-01, by_role: ACC}}]\n");
	assert_true(case_is_escalation(r.c, levels_find(case_domain(r.c), "occ")));
	assert_false(case_is_escalation(r.c, levels_find(case_domain(r.c), "occ-sub")));
	assert_string_equal(case_template_name(r.c, "occ", "letter"), "letter-review");
	done(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(anumber),		  cmocka_unit_test(email),
	    cmocka_unit_test(dates),		  cmocka_unit_test(rule_g28_and_track),
	    cmocka_unit_test(rule_chain),	  cmocka_unit_test(rule_sub_and_rereq),
	    cmocka_unit_test(names),		  cmocka_unit_test(emergency_window),
	    cmocka_unit_test(suggestions),	  cmocka_unit_test(routing_and_review),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
