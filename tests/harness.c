/* SPDX-License-Identifier: MIT */
/* The tiny test harness. */
#include "harness.h"

#include <libgen.h>
#include <stdarg.h>
#include <stdlib.h>

static bool failed;
static void (*cleanup_fn)(void *arg);
static void *cleanup_arg;
static const char *prog;

void test_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	failed = true;
	fprintf(stderr, "  %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

bool test_failed(void)
{
	return failed;
}

static bool wanted(int argc, char **argv, const char *name)
{
	if (argc < 2)
		return true;
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return true;
	return false;
}

void test_set_cleanup(void (*fn)(void *arg), void *arg)
{
	cleanup_fn = fn;
	cleanup_arg = arg;
}

int test_main(int argc, char **argv, const struct test *tests)
{
	int nfail = 0;

	prog = basename(argv[0]);
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (const struct test *t = tests; t->name; t++) {
		if (!wanted(argc, argv, t->name))
			continue;
		failed = false;
		fprintf(stderr, "-- %s/%s\n", prog, t->name);
		t->fn();
		if (cleanup_fn) {
			void (*fn)(void *arg) = cleanup_fn;

			cleanup_fn = NULL;
			fn(cleanup_arg);
		}
		printf("%s: %s/%s\n", failed ? "FAIL" : "PASS", prog, t->name);
		fflush(stdout);
		if (failed)
			nfail++;
	}
	return nfail ? EXIT_FAILURE : EXIT_SUCCESS;
}
