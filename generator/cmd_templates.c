/* cmd_templates: `pdgen templates [--templates DIR]`: where each template and data file resolves.
 * In: argv (an overlay directory). Out: one line a name on stdout: name, file, where from. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd.h"
#include "doc.h"
#include "util.h"

/* The files a template author may overlay: templates, data and images. */
static bool overlayable(const char *name)
{
	static const char *const ends[] = {".md", ".yaml", ".png", ".jpg", ".jpeg"};
	size_t n = strlen(name);
	if (name[0] == '.')
		return false;
	for (size_t i = 0; i < sizeof ends / sizeof *ends; i++) {
		size_t k = strlen(ends[i]);
		if (n > k && !strcmp(name + n - k, ends[i]))
			return true;
	}
	return false;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds sub/NAME of every overlayable file of dir/sub to names (no duplicates). */
static void collect(const char *dir, const char *sub, char ***names, size_t *n, size_t *cap)
{
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s%s%s", dir, *sub ? "/" : "", sub);
	DIR *d = opendir(path);
	for (struct dirent *e; d && (e = readdir(d));) {
		if (!overlayable(e->d_name))
			continue;
		char rel[PATH_MAX];
		snprintf(rel, sizeof rel, "%s%s%s", sub, *sub ? "/" : "", e->d_name);
		bool seen = false;
		for (size_t i = 0; i < *n && !seen; i++)
			seen = !strcmp((*names)[i], rel);
		if (seen)
			continue;
		if (*n == *cap) {
			*cap = *cap ? *cap * 2 : 64;
			*names = xrealloc(*names, *cap * sizeof **names);
		}
		(*names)[(*n)++] = xstrdup(rel);
	}
	if (d)
		closedir(d);
}

static void print_resolved(struct pd_session *s, const char *rel)
{
	const struct pd_search *search = doc_search(s);
	char *path = doc_resolve(s, rel);
	struct stat st;
	size_t len = strlen(rel), dlen = strlen(search->dirs[0]);
	bool md = len > 3 && !strcmp(rel + len - 3, ".md");
	bool empty = md && path && stat(path, &st) == 0 && st.st_size == 0;
	bool overlay = path && search->n > 1 && !strncmp(path, search->dirs[0], dlen) &&
		       path[dlen] == '/';
	int shown = md ? (int)len - 3 : (int)len;
	printf("%-28.*s %s%s\n", shown, rel, path ? path : "?",
	       empty ? "  (overlay: empty, removed)" : overlay ? "  (overlay)" : "");
	free(path);
}

int cmd_templates(int argc, char **argv)
{
	struct pd_session *s;
	int rc = cmd_overlay_session("templates", argc, argv, &s);
	if (rc)
		return rc;
	const struct pd_search *search = doc_search(s);
	char **names = NULL;
	size_t n = 0, cap = 0;
	for (size_t i = 0; i < search->n; i++) {
		collect(search->dirs[i], "", &names, &n, &cap);
		collect(search->dirs[i], "regimes", &names, &n, &cap);
	}
	if (n)
		qsort(names, n, sizeof *names, by_name);
	for (size_t i = 0; i < n; i++) {
		print_resolved(s, names[i]);
		free(names[i]);
	}
	free(names);
	doc_session_free(s);
	return PD_EXIT_OK;
}
