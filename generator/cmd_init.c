/* cmd_init: `pdgen init [--templates DIR]`: a commented case-file skeleton to start from.
 * In: argv. Out: init-case.yaml (the overlay's, else the shipped one) on stdout. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "doc.h"
#include "util.h"

int cmd_init(int argc, char **argv)
{
	struct pd_session *s;
	int rc = cmd_overlay_session("init", argc, argv, &s);
	if (rc)
		return rc;
	char *path = doc_resolve(s, "init-case.yaml");
	size_t len = 0;
	char *text = path ? file_read(path, &len, 0) : NULL;
	if (!text) {
		diag_line(stderr, "pdgen: error: cannot read %s: %s", path ? path : "init-case.yaml",
			  path ? file_strerror(errno) : "not in the templates");
		rc = PD_EXIT_SYSTEM;
	} else if (fwrite(text, 1, len, stdout) != len || fflush(stdout)) {
		rc = PD_EXIT_SYSTEM;
	}
	free(text);
	free(path);
	doc_session_free(s);
	return rc;
}
