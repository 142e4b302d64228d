/* batch_name: the name of a case's output without loading the case: its events read up to
 * the end of client:, the three fields that name it put in a tree of their own, merged
 * over the docket's defaults and named by the case stage. In: a case file's bytes. Out: a
 * file name ("hernandez-lopez-A012345678-fod-letter.pdf"); the set of the names' digests
 * planned so far. */
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "batch_impl.h"
#include "case.h"

struct scan {
	yaml_parser_t p;
	struct pd_arena *arena;
	bool failed;
	const char *at, *end; /* the bytes not yet given to libyaml */
};

/* libyaml decodes what it is given before it parses: the bytes go in small pieces, so
 * that those after client: are neither decoded nor read. */
static int give(void *data, unsigned char *buffer, size_t size, size_t *got)
{
	struct scan *s = data;
	size_t n = (size_t)(s->end - s->at);
	n = n < size ? n : size;
	n = n < 256 ? n : 256;
	memcpy(buffer, s->at, n);
	s->at += n;
	*got = n;
	return 1;
}

static bool next(struct scan *s, yaml_event_t *ev)
{
	if (s->failed || !yaml_parser_parse(&s->p, ev) || ev->type == YAML_ALIAS_EVENT) {
		if (!s->failed && ev->type == YAML_ALIAS_EVENT)
			yaml_event_delete(ev);
		s->failed = true; /* a case file with an alias is refused by its load */
		return false;
	}
	return true;
}

/* Consumes the node ev starts (ev deleted). */
static bool skip(struct scan *s, yaml_event_t *ev)
{
	int depth = 0;
	for (;;) {
		depth += ev->type == YAML_MAPPING_START_EVENT || ev->type == YAML_SEQUENCE_START_EVENT ? 1
			 : ev->type == YAML_MAPPING_END_EVENT || ev->type == YAML_SEQUENCE_END_EVENT ? -1
			 : 0;
		yaml_event_delete(ev);
		if (depth <= 0)
			return true;
		if (!next(s, ev))
			return false;
	}
}

/* A node standing for the value ev starts: a scalar as the loader makes it (null or text),
 * a container as an empty one of its kind (what it holds names nothing). */
static struct pd_value *leaf(struct scan *s, yaml_event_t *ev)
{
	static const struct pd_loc here = {"", 0, 0};
	if (ev->type != YAML_SCALAR_EVENT) {
		enum pd_vkind kind = ev->type == YAML_MAPPING_START_EVENT ? PD_MAP : PD_SEQ;
		return skip(s, ev) ? value_new(s->arena, kind, here) : NULL;
	}
	const char *text = (const char *)ev->data.scalar.value;
	bool null = ev->data.scalar.plain_implicit &&
		    (!*text || !strcmp(text, "~") || !strcmp(text, "null") ||
		     !strcmp(text, "Null") || !strcmp(text, "NULL"));
	struct pd_value *v = null ? value_new(s->arena, PD_NULL, here)
				  : value_new_str(s->arena, text, here);
	yaml_event_delete(ev);
	return v;
}

/* The map ev starts, with only the keys named in want (each value made by its function). */
typedef struct pd_value *(*make_fn)(struct scan *s, yaml_event_t *ev);
static struct pd_value *map_of(struct scan *s, yaml_event_t *ev, const char *const *want,
			       const make_fn *make, size_t n, const char *stop_after)
{
	if (ev->type != YAML_MAPPING_START_EVENT)
		return leaf(s, ev);
	yaml_event_delete(ev);
	struct pd_value *m = value_new(s->arena, PD_MAP, (struct pd_loc){"", 0, 0});
	for (;;) {
		yaml_event_t k, v;
		if (!next(s, &k))
			return NULL;
		if (k.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&k);
			return m;
		}
		size_t i = n;
		if (k.type == YAML_SCALAR_EVENT)
			for (i = 0; i < n && strcmp((const char *)k.data.scalar.value, want[i]); i++)
				;
		if (!skip(s, &k) || !next(s, &v))
			return NULL;
		if (i == n) {
			if (!skip(s, &v))
				return NULL;
			continue;
		}
		struct pd_value *item = make[i](s, &v);
		if (!item)
			return NULL;
		value_set(s->arena, m, want[i], item);
		if (stop_after && !strcmp(want[i], stop_after))
			return m; /* what names the output is read: the rest is not */
	}
}

static struct pd_value *name_node(struct scan *s, yaml_event_t *ev)
{
	static const char *const keys[] = {"given", "family"};
	static const make_fn make[] = {leaf, leaf};
	return map_of(s, ev, keys, make, 2, NULL);
}

static struct pd_value *client_node(struct scan *s, yaml_event_t *ev)
{
	static const char *const keys[] = {"name", "a_number"};
	static const make_fn make[] = {name_node, leaf};
	return map_of(s, ev, keys, make, 2, NULL);
}

static struct pd_value *root_node(struct scan *s, yaml_event_t *ev)
{
	static const char *const keys[] = {"client"};
	static const make_fn make[] = {client_node};
	return map_of(s, ev, keys, make, 1, "client");
}

char *batch_output_name(struct pd_arena *arena, const struct pd_domain *dom, const char *bytes,
			size_t len, const struct pd_value *defaults, const char *level,
			const char *document)
{
	struct scan s = {.arena = arena, .at = bytes, .end = bytes + len};
	yaml_parser_initialize(&s.p);
	yaml_parser_set_input(&s.p, give, &s);
	yaml_parser_set_encoding(&s.p, YAML_UTF8_ENCODING);
	yaml_event_t ev;
	struct pd_value *root = NULL;
	while (!root && next(&s, &ev)) {
		bool start = ev.type == YAML_STREAM_START_EVENT || ev.type == YAML_DOCUMENT_START_EVENT;
		if (start)
			yaml_event_delete(&ev);
		else if (ev.type == YAML_MAPPING_START_EVENT)
			root = root_node(&s, &ev);
		else {
			yaml_event_delete(&ev);
			break; /* not a mapping: the load says so */
		}
	}
	yaml_parser_delete(&s.p);
	if (!root || root->kind != PD_MAP)
		return NULL;
	struct pd_diags ignored = {0}; /* what the scan's tree lacks: the document reports it */
	struct pd_case *c = case_from_value_domain(arena, value_merge(arena, defaults, root), "",
						   dom, &ignored);
	char *name = c ? case_output_name(arena, c, level, document) : NULL;
	diag_clear(&ignored);
	return name;
}

/* ------------------------------------------------------------- planned names */

#define NAME_RECENT 512 /* keys kept unsorted before they are merged into the sorted run */

void name_set_init(struct name_set *set, size_t cap)
{
	*set = (struct name_set){xmalloc((cap ? cap : 1) * sizeof *set->v), 0, 0, cap ? cap : 1};
}

void name_set_free(struct name_set *set)
{
	free(set->v);
	*set = (struct name_set){0};
}

uint64_t name_set_find(const struct name_set *set, uint64_t key)
{
	uint64_t digest = key >> NAME_INDEX_BITS, found = 0;
	size_t lo = 0, hi = set->nsorted; /* the first sorted key of the digest */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (set->v[mid] >> NAME_INDEX_BITS < digest)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < set->nsorted && set->v[lo] >> NAME_INDEX_BITS == digest)
		return set->v[lo]; /* the latest ones come after it in the docket */
	for (size_t i = set->nsorted; i < set->n && !found; i++)
		if (set->v[i] >> NAME_INDEX_BITS == digest)
			found = set->v[i]; /* added in the docket's order: the first is the first */
	return found;
}

/* The latest keys sorted and merged into the sorted run, from its end. */
static void merge_recent(struct name_set *set)
{
	uint64_t recent[NAME_RECENT];
	size_t nr = set->n - set->nsorted, i = set->nsorted, k = set->n;
	memcpy(recent, set->v + set->nsorted, nr * sizeof *recent);
	qsort(recent, nr, sizeof *recent, cmp_u64);
	while (nr > 0) {
		if (i > 0 && set->v[i - 1] > recent[nr - 1])
			set->v[--k] = set->v[--i];
		else
			set->v[--k] = recent[--nr];
	}
	set->nsorted = set->n;
}

void name_set_add(struct name_set *set, uint64_t key)
{
	if (set->n == set->cap) { /* more than the docket counted: it changed meanwhile */
		set->cap *= 2;
		set->v = xrealloc(set->v, set->cap * sizeof *set->v);
	}
	set->v[set->n++] = key;
	if (set->n - set->nsorted == NAME_RECENT)
		merge_recent(set);
}
