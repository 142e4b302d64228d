/* submit: a document request -> doc_make (letter, memo) or the loadable module's packet_make
 * and email_make. In: a pd_doc_request. Out: what the maker returns; the module stays loaded. */
#include "submit.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

#define SUBMIT_MODULE "pdgen-submit.so"

/* The module's libraries (libqpdf, GMime) resolve their symbols in their own dependencies
 * first, not through every library of pdgen: a tenth of a packet's time went to the lookups.
 * (What the module takes from pdgen must have names none of those libraries defines.) The
 * sanitizers' runtime refuses RTLD_DEEPBIND. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define MODULE_BIND 0
#else
#define MODULE_BIND RTLD_DEEPBIND
#endif

typedef int (*pd_make_fn)(struct pd_session *, const struct pd_doc_request *,
			  struct pd_doc_result *, struct pd_diags *);

/* Beside the running binary (the build tree, a copy), else where `make install` puts it. */
static void *module_open(struct pd_buf *why)
{
	char exe[PATH_MAX], path[PATH_MAX + 32];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	char *slash = n > 0 ? (exe[n] = '\0', strrchr(exe, '/')) : NULL;
	if (slash) {
		*slash = '\0';
		snprintf(path, sizeof path, "%s/" SUBMIT_MODULE, exe);
		if (access(path, R_OK) == 0)
			goto found;
	}
	snprintf(path, sizeof path, "%s/" SUBMIT_MODULE, PD_LIBDIR);
found:;
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL | MODULE_BIND);
	if (!h)
		buf_printf(why, "%s", dlerror());
	return h;
}

/* dlopen keeps the module loaded for the process: opening it again (never closed) finds it
 * in place, so no handle is kept here. */
static pd_make_fn module_fn(const char *name, struct pd_diags *diags)
{
	struct pd_buf why = {0};
	void *module = module_open(&why);
	pd_make_fn fn = NULL;
	if (module) {
		void *sym = dlsym(module, name);
		memcpy(&fn, &sym, sizeof fn); /* ISO C has no cast from void * to a function */
		if (!fn)
			buf_printf(&why, "%s has no %s", SUBMIT_MODULE, name);
	}
	if (!fn)
		diag_error(diags, (struct pd_loc){0}, "packet and email need " SUBMIT_MODULE ": %s",
			   why.s ? why.s : "not found");
	buf_free(&why);
	return fn;
}

int submission_make(struct pd_session *s, const struct pd_doc_request *req,
		    struct pd_doc_result *res, struct pd_diags *diags)
{
	const char *name = req->document ? req->document : "";
	if ((strcmp(name, "packet") && strcmp(name, "email")) || req->plan_only)
		return doc_make(s, req, res, diags); /* a plan only names the output */
	if (!diags->store) /* the lists packet and e-mail make share the session's store */
		diags->store = doc_diag_store(s);
	if (req->dump != PD_DUMP_NONE) {
		diag_error(diags, (struct pd_loc){0}, "--dump shows the stages of a letter or a memo; "
						      "make those to see the packet's");
		return PD_EXIT_USAGE;
	}
	pd_make_fn make = module_fn(!strcmp(name, "packet") ? "packet_make" : "email_make", diags);
	return make ? make(s, req, res, diags) : PD_EXIT_SYSTEM;
}
