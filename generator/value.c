/* value: YAML load stage, built on libyaml's event API with caps on size, depth and counts.
 * In: YAML bytes and a file name. Out: a pd_value tree (arena) with 1-based places, or diagnostics. */
#include "value.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>
#include <yaml.h>

#define DEFAULT_MAX_BYTES VALUE_MAX_BYTES
#define DEFAULT_MAX_DEPTH 64
#define DEFAULT_MAX_ITEMS 100000
#define DEFAULT_MAX_STRING (1u << 20)

struct anchor {
	const char *name;
	struct pd_value *node;
	bool complete;
};

struct frame {
	struct pd_value *node;
	const char *key; /* a map's key waiting for its value */
	struct pd_loc key_loc;
	size_t *slots; /* a map's keys by hash (index + 1; 0 is free), so duplicates cost O(1) */
	size_t nslots;
	long anchor; /* index in loader.anchors of this container's anchor, or -1 */
};

struct loader {
	struct pd_arena *arena;
	const char *file;
	const char *text;
	size_t len;
	struct pd_value_opts opts;
	struct pd_diags *diags;
	struct frame *stack; /* open containers */
	struct anchor *anchors; /* malloc'd; only kept when aliases are allowed */
	size_t nanchors, cap_anchors;
	int depth;
	bool failed;
};

static struct pd_loc mark_loc(const struct loader *ld, yaml_mark_t m)
{
	/* libyaml counts a byte order mark as the first column of line 1 */
	bool bom = m.line == 0 && m.column > 0 && ld->len >= 3 &&
		   !memcmp(ld->text, "\xEF\xBB\xBF", 3);
	return (struct pd_loc){ld->file, (int)m.line + 1, (int)m.column + 1 - bom};
}

static void load_error(struct loader *ld, struct pd_loc loc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void load_error(struct loader *ld, struct pd_loc loc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag_vadd(ld->diags, PD_ERROR, loc, NULL, fmt, ap);
	va_end(ap);
	ld->failed = true;
}

/* ------------------------------------------------------------- scalars */

static bool is_null_text(const char *s)
{
	switch (s[0]) {
	case '\0':
		return true;
	case '~':
		return !s[1];
	case 'n': case 'N':
		return !strcmp(s, "null") || !strcmp(s, "Null") || !strcmp(s, "NULL");
	default:
		return false;
	}
}

static int bool_text(const char *s)
{
	if (s[0] == 't' || s[0] == 'T')
		return !strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE") ? 1 : -1;
	if (s[0] == 'f' || s[0] == 'F')
		return !strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "FALSE") ? 0 : -1;
	return -1;
}

static bool is_int_text(const char *s)
{
	if (*s == '-' || *s == '+')
		s++;
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

static bool is_float_text(const char *s)
{
	const char *p = s;
	if (*p == '-' || *p == '+')
		p++;
	if (*p == '.' && (!strcmp(p, ".inf") || !strcmp(p, ".Inf") || !strcmp(p, ".INF")))
		return true;
	if (*p == '.' && p == s && (!strcmp(p, ".nan") || !strcmp(p, ".NaN") || !strcmp(p, ".NAN")))
		return true;
	size_t digits = strspn(p, "0123456789");
	p += digits;
	if (*p == '.') {
		size_t frac = strspn(p + 1, "0123456789");
		digits += frac;
		p += 1 + frac;
	}
	if (!digits)
		return false;
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '-' || *p == '+')
			p++;
		size_t exp = strspn(p, "0123456789");
		if (!exp)
			return false;
		p += exp;
	}
	return *p == '\0';
}

static double parse_number(const char *s)
{
	const char *p = (*s == '-' || *s == '+') ? s + 1 : s;
	if (*p == '.' && (p[1] == 'i' || p[1] == 'I'))
		return *s == '-' ? -INFINITY : INFINITY;
	if (*p == '.' && (p[1] == 'n' || p[1] == 'N'))
		return NAN;
	return strtod(s, NULL);
}

/* The shortest text that reads back as the same double, as JSON writers print it. */
static char *shortest_number(struct pd_arena *arena, double x)
{
	char tmp[40];
	if (isinf(x))
		return arena_strdup(arena, x > 0 ? ".inf" : "-.inf");
	if (isnan(x))
		return arena_strdup(arena, ".nan");
	if (x == floor(x) && fabs(x) < 1e17) {
		snprintf(tmp, sizeof tmp, "%.0f", x);
		return arena_strdup(arena, tmp);
	}
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(tmp, sizeof tmp, "%.*g", prec, x);
		if (strtod(tmp, NULL) == x)
			break;
	}
	return arena_strdup(arena, tmp);
}

/* Whether a plain scalar can be anything but a string: null, a boolean and a number
 * start with one of a few characters, and the words are short. Most text is neither, and
 * is told so here without comparing it with each spelling. */
static bool may_resolve(const char *s, size_t len)
{
	switch (s[0]) {
	case '\0': case '~': case '+': case '-': case '.':
	case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		return true;
	case 'n': case 'N': case 't': case 'T': case 'f': case 'F':
		return len <= 5;
	default:
		return false;
	}
}

static void resolve_plain(struct loader *ld, struct pd_value *v)
{
	int b;
	if (!may_resolve(v->str, v->len))
		return;
	if (is_null_text(v->str)) {
		v->kind = PD_NULL;
		v->str = "";
		v->len = 0;
	} else if ((b = bool_text(v->str)) >= 0) {
		v->kind = PD_BOOL;
		v->boolean = b;
	} else if (is_int_text(v->str) || is_float_text(v->str)) {
		v->kind = is_int_text(v->str) ? PD_INT : PD_FLOAT;
		v->number = parse_number(v->str);
		if (ld->opts.canonical_numbers) {
			v->str = shortest_number(ld->arena, v->number);
			v->len = strlen(v->str);
		}
	}
}

/* ------------------------------------------------------------- tree building */

struct pd_value *value_new(struct pd_arena *arena, enum pd_vkind kind, struct pd_loc loc)
{
	struct pd_value *v = arena_alloc(arena, sizeof *v);
	v->kind = kind;
	v->loc = loc;
	v->str = "";
	return v;
}

struct pd_value *value_new_str(struct pd_arena *arena, const char *s, struct pd_loc loc)
{
	struct pd_value *v = value_new(arena, PD_STR, loc);
	v->len = strlen(s);
	v->str = arena_strndup(arena, s, v->len);
	v->quoted = true;
	return v;
}

/* A boolean with its spelling ("true", "false"), as a template prints it. */
struct pd_value *value_new_bool(struct pd_arena *arena, bool on, struct pd_loc loc)
{
	struct pd_value *v = value_new(arena, PD_BOOL, loc);
	v->boolean = on;
	v->str = on ? "true" : "false";
	v->len = on ? 4 : 5;
	return v;
}

void value_room(struct pd_arena *arena, struct pd_value *c, size_t cap)
{
	bool map = c->kind == PD_MAP;
	size_t each = sizeof *c->items + (map ? sizeof *c->keys + sizeof *c->key_locs : 0);
	char *block = arena_alloc(arena, cap * each);
	struct pd_value **items = (struct pd_value **)block;
	if (c->n)
		memcpy(items, c->items, c->n * sizeof *items);
	c->items = items;
	if (map) {
		const char **keys = (const char **)(block + cap * sizeof *items);
		struct pd_loc *locs = (struct pd_loc *)(block + cap * (sizeof *items + sizeof *keys));
		if (c->n) {
			memcpy(keys, c->keys, c->n * sizeof *keys);
			memcpy(locs, c->key_locs, c->n * sizeof *locs);
		}
		c->keys = keys;
		c->key_locs = locs;
	}
	c->cap = cap;
}

static void grow(struct pd_arena *arena, struct pd_value *c)
{
	if (c->n >= c->cap)
		value_room(arena, c, c->cap ? c->cap * 2 : 4);
}

void value_append(struct pd_arena *arena, struct pd_value *seq, struct pd_value *item)
{
	grow(arena, seq);
	seq->items[seq->n++] = item;
}

/* strcmp's equality, inline: keys are short and most differ in their first bytes. */
static inline bool same_key(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

static long map_index(const struct pd_value *map, const char *key)
{
	for (size_t i = 0; i < map->n; i++) /* the first byte turns most keys away */
		if (map->keys[i] && map->keys[i][0] == key[0] && same_key(map->keys[i], key))
			return (long)i;
	return -1;
}

void value_set(struct pd_arena *arena, struct pd_value *map, const char *key,
	       struct pd_value *item)
{
	long i = map_index(map, key);
	if (i >= 0) {
		map->items[i] = item;
		return;
	}
	grow(arena, map);
	map->keys[map->n] = arena_strdup(arena, key);
	map->key_locs[map->n] = item->loc;
	map->items[map->n++] = item;
}

struct pd_value *value_copy(struct pd_arena *arena, const struct pd_value *map)
{
	struct pd_value *m = value_new(arena, PD_MAP, map->loc);
	if (map->kind != PD_MAP || !map->n)
		return m;
	m->items = map->items; /* copied by value_room */
	m->keys = map->keys;
	m->key_locs = map->key_locs;
	m->n = map->n;
	value_room(arena, m, map->n);
	return m;
}

static size_t key_hash(const char *s)
{
	size_t h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* Puts key index i of the frame's map into its hash table, growing it at half full. */
static void frame_index(struct frame *f, size_t i)
{
	const struct pd_value *map = f->node;
	if (2 * map->n >= f->nslots) {
		free(f->slots);
		f->nslots = f->nslots ? 2 * f->nslots : 64;
		f->slots = xcalloc(f->nslots, sizeof *f->slots);
		for (size_t j = 0; j < map->n; j++)
			if (j != i)
				frame_index(f, j);
	}
	size_t s = key_hash(map->keys[i]) & (f->nslots - 1);
	while (f->slots[s])
		s = (s + 1) & (f->nslots - 1);
	f->slots[s] = i + 1;
}

static long frame_find(const struct frame *f, const char *key)
{
	if (!f->nslots)
		return -1;
	size_t s = key_hash(key) & (f->nslots - 1);
	for (; f->slots[s]; s = (s + 1) & (f->nslots - 1))
		if (!strcmp(f->node->keys[f->slots[s] - 1], key))
			return (long)(f->slots[s] - 1);
	return -1;
}

/* Adds a finished node to the open container on top of the stack. A map's frame holds
 * the key until its value arrives. */
static void add_child(struct loader *ld, struct frame *top, struct pd_value *child)
{
	struct pd_value *parent = top->node;
	size_t limit = ld->opts.max_items;
	if (parent->n >= limit)
		return load_error(ld, child->loc, "more than %zu entries in one %s", limit,
				  parent->kind == PD_SEQ ? "list" : "mapping");
	if (parent->kind == PD_SEQ)
		return value_append(ld->arena, parent, child);
	if (top->key) {
		grow(ld->arena, parent);
		parent->keys[parent->n] = top->key;
		parent->key_locs[parent->n] = top->key_loc;
		parent->items[parent->n++] = child;
		frame_index(top, parent->n - 1);
		top->key = NULL;
		return;
	}
	if (child->kind == PD_SEQ || child->kind == PD_MAP)
		return load_error(ld, child->loc, "a key must be a plain value, not a %s",
				  child->kind == PD_SEQ ? "list" : "mapping");
	long prev = frame_find(top, child->str);
	if (prev >= 0) {
		struct pd_loc first = parent->key_locs[prev];
		return load_error(ld, child->loc, "duplicate key '%s' (first defined at %s:%d:%d)",
				  child->str, first.file, first.line, first.col);
	}
	top->key = child->str;
	top->key_loc = child->loc;
}

static void attach(struct loader *ld, struct pd_value *node, struct pd_value **root)
{
	if (ld->depth == 0)
		*root = node;
	else
		add_child(ld, &ld->stack[ld->depth - 1], node);
}

/* Returns the anchor's index, or -1 (no anchor, or aliases refused: nothing to keep). */
static long remember_anchor(struct loader *ld, const yaml_char_t *anchor, struct pd_value *node)
{
	if (!anchor || !ld->opts.allow_aliases)
		return -1;
	if (ld->nanchors == ld->cap_anchors) {
		ld->cap_anchors = ld->cap_anchors ? 2 * ld->cap_anchors : 16;
		ld->anchors = xrealloc(ld->anchors, ld->cap_anchors * sizeof *ld->anchors);
	}
	ld->anchors[ld->nanchors] = (struct anchor){arena_strdup(ld->arena, (const char *)anchor),
						    node, node->kind != PD_SEQ && node->kind != PD_MAP};
	return (long)ld->nanchors++;
}

/* Closes the container on top of the stack. */
static void close_frame(struct loader *ld)
{
	struct frame *f = &ld->stack[--ld->depth];
	if (f->anchor >= 0)
		ld->anchors[f->anchor].complete = true;
	free(f->slots);
}

static struct pd_value *alias_target(struct loader *ld, yaml_event_t *ev)
{
	struct pd_loc loc = mark_loc(ld, ev->start_mark);
	const char *name = (const char *)ev->data.alias.anchor;
	if (!ld->opts.allow_aliases) {
		load_error(ld, loc, "aliases (*%s) are not allowed in this file: write the value out",
			   name);
		return NULL;
	}
	for (size_t i = ld->nanchors; i-- > 0;)
		if (strcmp(ld->anchors[i].name, name) == 0) {
			if (!ld->anchors[i].complete) {
				load_error(ld, loc, "alias *%s refers to a node that contains it",
					   name);
				return NULL;
			}
			return ld->anchors[i].node;
		}
	load_error(ld, loc, "unknown anchor '%s'", name);
	return NULL;
}

/* The first control character other than tab and line breaks in s, or -1. */
static int control_char(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F)
			return c;
		if (c == 0xC2 && i + 1 < len && (unsigned char)s[i + 1] >= 0x80 &&
		    (unsigned char)s[i + 1] <= 0x9F)
			return (unsigned char)s[i + 1];
	}
	return -1;
}

static struct pd_value *scalar_node(struct loader *ld, yaml_event_t *ev)
{
	struct pd_loc loc = mark_loc(ld, ev->start_mark);
	size_t len = ev->data.scalar.length;
	if (len > ld->opts.max_string) {
		load_error(ld, loc, "value too long (%zu bytes; the limit is %zu)", len,
			   ld->opts.max_string);
		return NULL;
	}
	struct pd_value *v = value_new(ld->arena, PD_STR, loc);
	v->str = arena_strndup(ld->arena, (const char *)ev->data.scalar.value, len);
	v->len = len;
	const char *tag = (const char *)ev->data.scalar.tag;
	v->quoted = !ev->data.scalar.plain_implicit || (tag && strcmp(tag, YAML_STR_TAG) == 0);
	if (memchr(v->str, '\0', len)) {
		load_error(ld, loc, "value contains a NUL character");
		return NULL;
	}
	int ctl = control_char(v->str, len);
	if (ctl >= 0) {
		load_error(ld, loc, "value contains the control character U+%04X (an escape such "
			   "as \\e or \\x07 in double quotes?): documents cannot show it", ctl);
		return NULL;
	}
	if (!v->quoted)
		resolve_plain(ld, v);
	return v;
}

static struct pd_value *open_container(struct loader *ld, yaml_event_t *ev, enum pd_vkind kind)
{
	struct pd_loc loc = mark_loc(ld, ev->start_mark);
	if (ld->depth >= ld->opts.max_depth) {
		load_error(ld, loc, "nesting deeper than %d levels", ld->opts.max_depth);
		return NULL;
	}
	return value_new(ld->arena, kind, loc);
}

/* Handles one event; returns false when loading must stop. */
static bool handle_event(struct loader *ld, yaml_event_t *ev, struct pd_value **root, int *docs)
{
	struct pd_value *node = NULL;
	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT:
		if (++*docs > 1) {
			load_error(ld, mark_loc(ld, ev->start_mark),
				   "more than one YAML document in this file");
			return false;
		}
		return true;
	case YAML_SCALAR_EVENT:
		node = scalar_node(ld, ev);
		if (node)
			remember_anchor(ld, ev->data.scalar.anchor, node);
		break;
	case YAML_ALIAS_EVENT:
		node = alias_target(ld, ev);
		break;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT: {
		bool seq = ev->type == YAML_SEQUENCE_START_EVENT;
		node = open_container(ld, ev, seq ? PD_SEQ : PD_MAP);
		if (!node)
			return false;
		long anchor = remember_anchor(ld, seq ? ev->data.sequence_start.anchor
						      : ev->data.mapping_start.anchor,
					      node);
		attach(ld, node, root);
		ld->stack[ld->depth++] = (struct frame){node, NULL, {0}, NULL, 0, anchor};
		return !ld->failed;
	}
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		close_frame(ld);
		return true;
	default:
		return true;
	}
	if (!node)
		return false;
	attach(ld, node, root);
	return !ld->failed;
}

static bool has(const char *s, const char *part)
{
	return s && strstr(s, part);
}

/* The first backslash from offset on that starts no YAML escape (libyaml points elsewhere). */
static struct pd_loc bad_escape(const struct loader *ld, size_t from, struct pd_loc fallback)
{
	for (size_t i = from; i + 1 < ld->len; i++)
		if (ld->text[i] == '\\') {
			if (!strchr("0abt\tnvfre \"/\\N_LPxuU\n", ld->text[i + 1]))
				return diag_loc_at(ld->file, ld->text, ld->len, i);
			i++;
		}
	return fallback;
}

/* libyaml's wording for the mistakes people make most, said in the user's terms; false when
 * the error is none of them. */
static bool syntax_hint(struct loader *ld, const yaml_parser_t *p, struct pd_loc loc,
			const char *problem)
{
	struct pd_loc start = mark_loc(ld, p->context_mark);
	size_t at = p->problem_mark.index;
	if (has(problem, "cannot start any token") && at < ld->len && ld->text[at] == '\t')
		load_error(ld, loc, "YAML syntax: a tab here: YAML indents with spaces only");
	else if (has(problem, "end of stream") && has(p->context, "quoted scalar"))
		load_error(ld, start, "YAML syntax: this quoted value is never closed (no matching %c)",
			   ld->text[p->context_mark.index]);
	else if (has(problem, "or ']'") || has(problem, "or '}'"))
		load_error(ld, loc, "YAML syntax: expected ',' or '%c' in the %s opened at line %d, column %d "
			   "(a missing comma, or a missing '%c')", has(problem, "']'") ? ']' : '}',
			   has(problem, "']'") ? "list [" : "mapping {", start.line, start.col,
			   has(problem, "']'") ? ']' : '}');
	else if (has(problem, "unknown escape"))
		load_error(ld, bad_escape(ld, p->context_mark.index, loc),
			   "YAML syntax: unknown escape: in double quotes a backslash starts an escape "
			   "(\\n, \\\\, \\\"); write text with backslashes in single quotes");
	else if (has(problem, "did not find expected key") && has(p->context, "block mapping"))
		load_error(ld, loc, "YAML syntax: this line is indented differently from the keys of the "
			   "mapping at line %d (check the spaces before it)", start.line);
	else if (has(problem, "mapping values are not allowed"))
		load_error(ld, loc, "YAML syntax: a ':' here cannot start a mapping: put the value in quotes "
			   "if it contains ': ', or check the indentation");
	else
		return false;
	return true;
}

static void parser_error(struct loader *ld, yaml_parser_t *p)
{
	struct pd_loc loc;
	const char *problem = p->problem ? p->problem : "invalid YAML";
	if (p->error == YAML_READER_ERROR)
		loc = diag_loc_at(ld->file, ld->text, ld->len, p->problem_offset);
	else
		loc = mark_loc(ld, p->problem_mark);
	if (p->error == YAML_READER_ERROR && strstr(problem, "UTF-8"))
		load_error(ld, loc, "invalid UTF-8 (%s)", problem);
	else if (p->error == YAML_READER_ERROR)
		load_error(ld, loc, "%s (byte 0x%02X)", problem, (unsigned)p->problem_value & 0xFF);
	else if (!syntax_hint(ld, p, loc, problem))
		load_error(ld, loc, "YAML syntax: %s%s%s (line %zu)", problem,
			   p->context ? " " : "", p->context ? p->context : "",
			   (p->context ? p->context_mark : p->problem_mark).line + 1);
}

static struct pd_value *load(struct loader *ld)
{
	yaml_parser_t parser;
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser, (const unsigned char *)ld->text, ld->len);
	yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);
	struct pd_value *root = NULL;
	int docs = 0;
	bool done = false;
	ld->stack = xmalloc(((size_t)ld->opts.max_depth + 1) * sizeof *ld->stack);
	while (!done) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&parser, &ev)) {
			parser_error(ld, &parser);
			break;
		}
		done = ev.type == YAML_STREAM_END_EVENT;
		bool go_on = handle_event(ld, &ev, &root, &docs);
		yaml_event_delete(&ev);
		if (!go_on)
			break;
	}
	while (ld->depth > 0)
		close_frame(ld);
	free(ld->stack);
	free(ld->anchors);
	yaml_parser_delete(&parser);
	if (ld->failed)
		return NULL;
	return root ? root : value_new(ld->arena, PD_MAP, (struct pd_loc){ld->file, 1, 1});
}

/* Eight bytes of ASCII with no NUL among them. */
static bool ascii_word(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
	return !(w & highs) && !((w - ones) & ~w & highs);
}

/* libyaml reports bad bytes by offset only and after the fact: check first, and point at
 * the first byte of the bad sequence. */
static bool text_is_clean(struct loader *ld)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)ld->text;
	size_t off = 0;
	while (off < ld->len) {
		uint64_t w;
		if (off + 8 <= ld->len && (memcpy(&w, p + off, 8), ascii_word(w))) {
			off += 8;
			continue;
		}
		if (p[off] - 1u < 0x7Fu) { /* ASCII other than NUL: clean, no decoding */
			off++;
			continue;
		}
		utf8proc_int32_t cp;
		utf8proc_ssize_t n = utf8proc_iterate(p + off, (utf8proc_ssize_t)(ld->len - off), &cp);
		if (n < 0 || cp == 0) {
			struct pd_loc loc = diag_loc_at(ld->file, ld->text, ld->len, off);
			if (n < 0)
				load_error(ld, loc, "invalid UTF-8 (byte 0x%02X): save the file as UTF-8",
					   p[off]);
			else
				load_error(ld, loc, "NUL byte in the file");
			return false;
		}
		off += (size_t)n;
	}
	return true;
}

static void fill_defaults(struct pd_value_opts *o)
{
	if (!o->max_bytes)
		o->max_bytes = DEFAULT_MAX_BYTES;
	if (!o->max_depth)
		o->max_depth = DEFAULT_MAX_DEPTH;
	if (!o->max_items)
		o->max_items = DEFAULT_MAX_ITEMS;
	if (!o->max_string)
		o->max_string = DEFAULT_MAX_STRING;
}

struct pd_value *value_load_mem(struct pd_arena *arena, const char *name, const char *text,
				size_t len, const struct pd_value_opts *opts,
				struct pd_diags *diags)
{
	struct loader ld = {.arena = arena, .file = diag_intern(diags, name), .text = text, .len = len,
			    .diags = diags};
	if (opts)
		ld.opts = *opts;
	fill_defaults(&ld.opts);
	diag_source(diags, ld.file, text, len);
	if (len > ld.opts.max_bytes) {
		diag_error(diags, ((struct pd_loc){ld.file, 0, 0}),
			   "file too large (%zu bytes; the limit is %zu)", len, ld.opts.max_bytes);
		return NULL;
	}
	if (!text_is_clean(&ld))
		return NULL;
	struct pd_value *root = NULL;
	if (ld.opts.memo && !ld.opts.allow_aliases)
		root = value_memo_load(ld.opts.memo, arena, ld.file, text, len, &ld.opts);
	return root ? root : load(&ld);
}

struct pd_value *value_load_file(struct pd_arena *arena, const char *path,
				 const struct pd_value_opts *opts, struct pd_diags *diags)
{
	struct pd_value_opts o = opts ? *opts : (struct pd_value_opts){0};
	fill_defaults(&o);
	size_t len;
	char *text = file_read(path, &len, o.max_bytes);
	if (!text) {
		struct pd_loc loc = {diag_intern(diags, path), 0, 0};
		if (errno == EFBIG)
			diag_error(diags, loc, "file too large (the limit is %zu bytes)", o.max_bytes);
		else
			diag_error(diags, loc, "cannot read: %s", file_strerror(errno));
		return NULL;
	}
	char *copy = arena_strndup(arena, text, len);
	free(text);
	if (!o.cached)
		return value_load_mem(arena, path, copy, len, &o, diags);
	const char *file = diag_intern(diags, path);
	struct pd_value *root = value_cache_load(arena, path, file, copy, len, &o);
	if (root) { /* as value_load_mem leaves it: the text registered for the messages */
		diag_source(diags, file, copy, len);
		return root;
	}
	root = value_load_mem(arena, path, copy, len, &o, diags);
	if (root)
		value_cache_store(root, path, copy, len, &o);
	return root;
}

/* ------------------------------------------------------------- lookup */

const struct pd_value *value_get(const struct pd_value *map, const char *key)
{
	if (!map || map->kind != PD_MAP)
		return NULL;
	long i = map_index(map, key);
	return i >= 0 ? map->items[i] : NULL;
}

/* The item of map whose key is the n bytes at key, or NULL. */
static const struct pd_value *item_n(const struct pd_value *map, const char *key, size_t n)
{
	for (size_t i = 0; i < map->n; i++) {
		const char *k = map->keys[i];
		size_t j = 0;
		if (!k || (n && k[0] != key[0]))
			continue;
		while (j < n && k[j] == key[j])
			j++;
		if (j == n && !k[n])
			return map->items[i];
	}
	return NULL;
}

const struct pd_value *value_path(const struct pd_value *root, const char *dotted)
{
	const struct pd_value *v = root;
	char part[256];
	while (v && *dotted) {
		size_t n = 0;
		while (dotted[n] && dotted[n] != '.')
			n++;
		if (n >= sizeof part)
			return NULL;
		if (v->kind == PD_SEQ) {
			memcpy(part, dotted, n);
			part[n] = '\0';
			char *end;
			unsigned long idx = strtoul(part, &end, 10);
			v = (*end || end == part || idx >= v->n) ? NULL : v->items[idx];
		} else {
			v = v->kind == PD_MAP ? item_n(v, dotted, n) : NULL;
		}
		dotted += n;
		if (*dotted == '.')
			dotted++;
	}
	return v;
}

const char *value_str(const struct pd_value *v)
{
	if (!v || v->kind == PD_SEQ || v->kind == PD_MAP || v->kind == PD_NULL)
		return NULL;
	return v->str;
}

bool value_truthy(const struct pd_value *v)
{
	if (!v || v->kind == PD_NULL)
		return false;
	if (v->kind == PD_BOOL)
		return v->boolean;
	if (v->kind == PD_SEQ)
		return v->n > 0;
	return true;
}

struct pd_value *value_merge(struct pd_arena *arena, const struct pd_value *base,
			     const struct pd_value *over)
{
	if (!base || !over || base->kind != PD_MAP || over->kind != PD_MAP)
		return (struct pd_value *)(over ? over : base);
	struct pd_value *m = value_new(arena, PD_MAP, over->loc);
	for (size_t i = 0; i < base->n; i++)
		value_set(arena, m, base->keys[i], base->items[i]);
	for (size_t i = 0; i < over->n; i++) {
		struct pd_value *item = value_merge(arena, value_get(base, over->keys[i]),
						    over->items[i]);
		value_set(arena, m, over->keys[i], item);
		m->key_locs[map_index(m, over->keys[i])] = over->key_locs[i];
	}
	return m;
}

/* ------------------------------------------------------------- dump */

static const char *kind_name(enum pd_vkind k)
{
	static const char *const names[] = {"null", "bool", "int", "float", "str", "seq", "map"};
	return names[k];
}

static void dump_text(const char *s, FILE *f)
{
	fputc('"', f);
	for (; s && *s; s++) {
		if (*s == '\n')
			fputs("\\n", f);
		else if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static void dump(const struct pd_value *v, int indent, const char *key, FILE *f)
{
	fprintf(f, "%*s", indent * 2, "");
	if (key)
		fprintf(f, "%s: ", key);
	fprintf(f, "%s %d:%d", kind_name(v->kind), v->loc.line, v->loc.col);
	if (v->kind != PD_SEQ && v->kind != PD_MAP && v->kind != PD_NULL) {
		fputc(' ', f);
		dump_text(v->str, f);
	}
	fputc('\n', f);
	for (size_t i = 0; (v->kind == PD_SEQ || v->kind == PD_MAP) && i < v->n; i++)
		dump(v->items[i], indent + 1, v->kind == PD_MAP ? v->keys[i] : NULL, f);
}

void value_dump(const struct pd_value *v, FILE *f)
{
	dump(v, 0, NULL, f);
}
