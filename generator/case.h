/* case: a case file's value tree -> a typed, validated case; the escalation rules of
 * pdgen-case(5); the data the letter and memo templates see.
 * In: a case file (YAML) and the data directory. Out: a pd_case and everything derived from
 * it, all in the caller's arena; diagnostics in the caller's pd_diags. */
#ifndef PD_CASE_H
#define PD_CASE_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "levels.h"
#include "util.h"
#include "value.h"

struct pd_case;

/* Loads PATH (aliases refused), checks it against the schema (types, enumerations, dates,
 * A-number, email syntax, unknown keys) and types it. The level table and office directory
 * come from DATADIR/templates. NULL on fatal errors (unreadable file, bad YAML, bad data);
 * schema errors are added to diags and a case is still returned (diags->errors > 0). */
struct pd_case *case_load(struct pd_arena *arena, const char *path, const char *datadir,
			  struct pd_diags *diags);
/* The same for a tree already loaded (a docket entry merged with its defaults). */
struct pd_case *case_from_value(struct pd_arena *arena, struct pd_value *root, const char *path,
				const char *datadir, struct pd_diags *diags);
/* The same with the domain data already loaded (batch: once per worker). */
struct pd_case *case_from_value_domain(struct pd_arena *arena, struct pd_value *root,
				       const char *path, const struct pd_domain *dom,
				       struct pd_diags *diags);

/* Runs the rules for LEVEL (NULL: schema and level-free rules only) and DOCUMENT
 * ("letter" | "memo" | NULL). Adds every finding to diags; returns the number of errors. */
int case_check(const struct pd_case *c, const char *level, const char *document,
	       struct pd_diags *diags);

/* The escalation rules, one row each of the table case_check runs (case_rules.c). */
struct pd_rule_info {
	const char *id;            /* "R-chain": its diagnostics carry it */
	enum pd_severity severity; /* the most severe of its diagnostics */
	const char *message;       /* what it requires (pdgen-case(5)'s RULES list) */
	const char *basis;         /* why: the practice pointer's words or a DOMAIN section */
	const char *fix;           /* how to mend a case that breaks it */
};
size_t case_rule_count(void);
const struct pd_rule_info *case_rule(size_t i); /* NULL past the last */
/* The rule of this id ("R-chain", "r-chain" or "chain"), or NULL. */
const struct pd_rule_info *case_rule_named(const char *id);

/* The data the templates see: the case tree plus derived fields (see pdgen-case(5),
 * "TEMPLATE DATA"). Call after case_check found no errors. Lives in the arena. */
struct pd_value *case_context(struct pd_arena *arena, const struct pd_case *c, const char *level,
			      const char *document);

/* A document of a named type (documents.yaml): the context's document.name becomes name
 * and its subject subj (marked as an emergency's subject is). */
void case_context_retitle(struct pd_arena *arena, const struct pd_case *c, struct pd_value *ctx,
			  const char *name, const char *subj);

/* Every name of the schema as a tree the shape of a case file's: a map per map, a list of
 * one item per list, "*" for any key (contacts by level), the text "markdown" for a
 * Markdown field and "text" for another scalar, null below which anything goes (custom).
 * Templates check names against it and the context (tmpl.h, pd_tmpl_opts.schema). */
struct pd_value *case_schema_shape(struct pd_arena *arena);

/* "letter-request", "letter-review", "letter-reconsideration", "letter-bia" or "memo". */
const char *case_template_name(const struct pd_case *c, const char *level, const char *document);
/* "hernandez-lopez-A012345678-fod-letter.pdf" (lives in the arena). */
char *case_output_name(struct pd_arena *arena, const struct pd_case *c, const char *level,
		       const char *document);
/* Continuation header "José Luis Hernández-López · A012-345-678 · December 30, 2015". */
const char *case_header_text(struct pd_arena *arena, const struct pd_case *c);

/* The next level for the case and why, from its request history (for `pdgen next`).
 * Returns the level name, or NULL when there is none (granted, pending, top reached);
 * why receives one or more lines of explanation. */
const char *case_next_level(const struct pd_case *c, struct pd_buf *why);

/* The domain data the case was loaded with. */
const struct pd_domain *case_domain(const struct pd_case *c);

/* Simple email syntax: local@domain.tld. */
bool case_email_valid(const char *s);

#endif
