/* cmd_typeset: `pdgen typeset DOC.md [-o OUT.pdf]`: a Markdown file with front matter
 * and no case data -> PDF (or its text with --text), for proofing a layout. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "diag.h"
#include "md.h"
#include "typeset.h"
#include "util.h"
#include "value.h"

static char *default_out(const char *in)
{
	size_t n = strlen(in);
	if (n > 3 && !strcmp(in + n - 3, ".md"))
		n -= 3;
	char *out = xmalloc(n + 5);
	memcpy(out, in, n);
	memcpy(out + n, ".pdf", 5);
	return out;
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

/* The document's front matter (the house style goes under it in typeset). */
static const struct pd_value *page_style(struct pd_arena *arena, const char *path,
					 const char *text, size_t fm_end, bool has_fm,
					 struct pd_diags *diags, int *err)
{
	if (!has_fm)
		return NULL;
	/* the opening "---" is a YAML document start: places stay exact */
	const struct pd_value *fm = value_load_mem(arena, path, text, fm_end, NULL, diags);
	if (!fm)
		*err = 1;
	diag_source(diags, path, text, strlen(text)); /* quote the whole file, not the front matter */
	return fm;
}

int cmd_typeset(int argc, char **argv)
{
	const char *in = NULL, *out = NULL, *date = NULL;
	bool text = false;
	long repeat = 1;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-o") && i + 1 < argc)
			out = argv[++i];
		else if (!strcmp(argv[i], "--date") && i + 1 < argc)
			date = argv[++i];
		else if (!strcmp(argv[i], "--repeat") && i + 1 < argc)
			repeat = strtol(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--text"))
			text = true;
		else if (argv[i][0] == '-' && argv[i][1])
			return cmd_usage_error("typeset", "unknown option '%s'", argv[i]);
		else if (!in)
			in = argv[i];
		else
			return cmd_usage_error("typeset", "more than one Markdown file");
	}
	if (!in)
		return cmd_usage_error("typeset", "a Markdown file is required");
	size_t len;
	char *src = file_read(in, &len, 16u << 20);
	if (!src) {
		diag_line(stderr, "pdgen: error: cannot read '%s': %s", in,
			  file_strerror(errno));
		return PD_EXIT_SYSTEM;
	}
	char datadir[PATH_MAX];
	struct pd_diag_store *store = diag_store_new(); /* every name and text it quotes */
	struct pd_typesetter *ts = typesetter_new(cmd_datadir(datadir), store);
	typeset_prefetch(ts);
	struct pd_diags diags = {.store = store};
	const char *name = diag_intern(&diags, in);
	diag_source(&diags, name, src, len);
	size_t fm_off, fm_len, body_off;
	int body_line;
	struct pd_arena *arena = arena_new();
	int fm = md_front_matter(src, len, name, &fm_off, &fm_len, &body_off, &body_line, &diags);
	int err = fm < 0;
	bool has_fm = fm > 0;
	const struct pd_value *style =
	    page_style(arena, name, src, fm_off + fm_len, has_fm, &diags, &err);
	int rc = PD_EXIT_INPUT;
	char *dir = dir_of(in), *outp = out ? xstrdup(out) : default_out(in);
	if (!err) {
		struct pd_typeset_opts o = {0};
		o.source_name = name;
		o.first_line = body_line;
		o.style = style;
		o.base_dir = dir;
		o.date_iso = date;
		if (text) {
			struct pd_buf b = {0};
			rc = typeset_text(ts, src + body_off, len - body_off, &o, &b, &diags);
			if (!rc && b.s)
				fputs(b.s, stdout);
			buf_free(&b);
		} else {
			for (long k = 0; k < (repeat > 0 ? repeat : 1) && rc != 3; k++) {
				diag_clear(&diags);
				rc = typeset_pdf(ts, src + body_off, len - body_off, &o, outp, NULL, &diags);
			}
		}
	}
	typesetter_free(ts); /* also ends the prefetch of hyphenation patterns */
	diag_print(&diags, stderr);
	diag_clear(&diags);
	free(dir);
	free(outp);
	arena_free(arena);
	diag_store_free(store);
	free(src);
	return rc;
}
