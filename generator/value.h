/* value: YAML text -> value tree, built with libyaml's event API.
 * In: bytes of a YAML document. Out: a pd_value tree in which every node keeps its place. */
#ifndef PD_VALUE_H
#define PD_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "diag.h"
#include "util.h"

enum pd_vkind { PD_NULL, PD_BOOL, PD_INT, PD_FLOAT, PD_STR, PD_SEQ, PD_MAP };

/* A node. Scalars keep their text in str (len bytes, NUL-terminated); a number keeps the
 * text as written (or the shortest round-trip form with canonical_numbers); a boolean
 * "true"/"false"; null "". Sequences and maps keep n items; maps also keep keys. */
struct pd_value {
	enum pd_vkind kind;
	struct pd_loc loc;
	const char *str;
	size_t len;
	bool boolean;
	double number;
	bool quoted; /* a scalar written in quotes or as a block: always a string */
	size_t n, cap;
	struct pd_value **items;
	const char **keys;
	struct pd_loc *key_locs;
};

#define VALUE_MAX_BYTES (16u << 20) /* the default cap on a YAML file */

struct pd_value_opts {
	bool allow_aliases;     /* expand aliases (with a cap); case files refuse them */
	bool canonical_numbers; /* numbers as shortest round-trip text (1.210 -> 1.21) */
	size_t max_bytes;       /* 0: 16 MiB */
	int max_depth;          /* 0: 64 */
	size_t max_items;       /* per sequence or map; 0: 100000 */
	size_t max_string;      /* bytes per scalar; 0: 1 MiB */
	bool cached; /* value_load_file: the tree kept as an image in the cache directory and read
		      * back while the file's bytes are the same (data files every process reads) */
	struct pd_value_memo *memo; /* value_load_mem: top-level sections already met (the same
				     * attorney: and firm: in every case of a docket) rebuilt
				     * from their images, not parsed; without aliases only */
};

/* Both return the root (an empty map for an empty document) or NULL after adding
 * located errors to diags. Nodes live in the arena; the file name is interned in diags'
 * store (a tree kept longer than the list needs a store that lives as long: the session's)
 * and the text is registered there. The text must stay valid as long as diags may be
 * printed (value_load_file keeps its copy in the arena). */
struct pd_value *value_load_file(struct pd_arena *arena, const char *path,
				 const struct pd_value_opts *opts, struct pd_diags *diags);
struct pd_value *value_load_mem(struct pd_arena *arena, const char *name, const char *text,
				size_t len, const struct pd_value_opts *opts,
				struct pd_diags *diags);

/* The compiled images of value_load_file's cached option (value_cache.c): the tree of
 * text, the bytes of path loaded with opts, read back into arena with file as every
 * node's file, or NULL when no image holds these bytes; and the image written. */
struct pd_value *value_cache_load(struct pd_arena *arena, const char *path, const char *file,
				  const char *text, size_t len, const struct pd_value_opts *opts);
void value_cache_store(const struct pd_value *root, const char *path, const char *text,
		       size_t len, const struct pd_value_opts *opts);

/* The sections a process has met (value_cache.c), bounded in memory; the tree of text made
 * from them, or NULL when text is not made of top-level keys each starting a line (then it
 * is loaded whole, which also says what is wrong with it). */
struct pd_value_memo *value_memo_new(void);
void value_memo_free(struct pd_value_memo *memo);
struct pd_value *value_memo_load(struct pd_value_memo *memo, struct pd_arena *arena,
				 const char *file, const char *text, size_t len,
				 const struct pd_value_opts *opts);

/* Lookup: NULL when absent or when v is not a map/sequence. */
const struct pd_value *value_get(const struct pd_value *map, const char *key);
const struct pd_value *value_path(const struct pd_value *root, const char *dotted);
const char *value_str(const struct pd_value *v); /* scalar text or NULL */
bool value_truthy(const struct pd_value *v);    /* Mustache falsiness: null, false, [] */

/* Builders for derived data; everything lives in the arena. */
struct pd_value *value_new(struct pd_arena *arena, enum pd_vkind kind, struct pd_loc loc);
struct pd_value *value_new_str(struct pd_arena *arena, const char *s, struct pd_loc loc);
struct pd_value *value_new_bool(struct pd_arena *arena, bool on, struct pd_loc loc);
void value_append(struct pd_arena *arena, struct pd_value *seq, struct pd_value *item);
/* A map of its own with the same keys and items (an empty map when map is not one): the
 * keys stay map's, which must live as long. */
struct pd_value *value_copy(struct pd_arena *arena, const struct pd_value *map);
/* Room for cap items in a list or map (a map's keys and their places too) in one block,
 * its n entries kept. */
void value_room(struct pd_arena *arena, struct pd_value *c, size_t cap);
/* Sets key (replacing an existing entry) in a map. */
void value_set(struct pd_arena *arena, struct pd_value *map, const char *key,
	       struct pd_value *item);

/* A new tree: over laid on base, maps merged key by key (over wins; lists and scalars are
 * replaced whole). Nodes are shared, not copied; either side may be NULL. */
struct pd_value *value_merge(struct pd_arena *arena, const struct pd_value *base,
			     const struct pd_value *over);

/* Writes the tree as indented text with places (--dump=value). */
void value_dump(const struct pd_value *v, FILE *f);

#endif
