/* SPDX-License-Identifier: MIT */
/* The daemons' shared command line: -n checks the config, --help, usage errors, missing files. */
#include "env.h"
#include "harness.h"

#include <limits.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static char bindir[PATH_MAX];
static char conf[64]; /* a scratch config, per process */

/* Run BINARY with ARGS through the shell; capture stdout+stderr into OUT. Returns the exit code. */
static int run(const char *args, char *out, size_t n)
{
	char cmd[PATH_MAX * 2];
	FILE *p;
	size_t len;
	int status;

	snprintf(cmd, sizeof(cmd), "%s/boothd %s 2>&1", bindir, args);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	len = fread(out, 1, n - 1, p);
	out[len] = '\0';
	status = pclose(p);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void write_conf(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		test_fail(__FILE__, __LINE__, "cannot write %s", path);
		return;
	}
	fputs(text, f);
	fclose(f);
}

static void test_check_ok(void)
{
	char out[1024];

	CHECK_INT(run("-n -f booth.conf.example", out, sizeof(out)), ==, 0);
	CHECK_STR(out, "configuration OK\n");
}

static void test_check_bad(void)
{
	char out[1024], args[128], want[256];

	write_conf(conf, "[general]\nbooth_id = ok\n[mqtt]\nkeepalive = 1\n");
	snprintf(args, sizeof(args), "-n -f %s", conf);
	CHECK_INT(run(args, out, sizeof(out)), ==, 1);
	snprintf(want, sizeof(want), "%s:4: 'keepalive' must be between 5 and 300 (got 1)\n", conf);
	CHECK_STR(out, want);
	write_conf(conf, "[flash]\n");
	snprintf(args, sizeof(args), "--check --config %s", conf);
	CHECK_INT(run(args, out, sizeof(out)), ==, 1);
	snprintf(want, sizeof(want), "%s:1: unknown section [flash]\n", conf);
	CHECK_STR(out, want);
	unlink(conf);
	CHECK_INT(run("-n -f /nonexistent/booth.conf", out, sizeof(out)), ==, 1);
	CHECK_STR(out, "/nonexistent/booth.conf: No such file or directory\n");
}

static void test_usage(void)
{
	char out[2048];

	CHECK_INT(run("--help", out, sizeof(out)), ==, 0);
	CHECK(strstr(out, "Usage: boothd [-f FILE] [-n] [-v] [--help]") == out);
	CHECK_INT(run("--bogus", out, sizeof(out)), ==, 2);
	CHECK(strstr(out, "Try 'boothd --help'.") != NULL);
	CHECK_INT(run("extra", out, sizeof(out)), ==, 2);
	CHECK(strstr(out, "unexpected argument 'extra'") != NULL);
}

/* Without its credentials boothd says so and stops (a start-up error). */
static void test_missing_credentials(void)
{
	char out[1024], args[128];

	write_conf(conf, "[mqtt]\ncredentials_dir = /nonexistent\n");
	snprintf(args, sizeof(args), "-f %s", conf);
	CHECK_INT(run(args, out, sizeof(out)), ==, 1);
	CHECK_STR(out,
		  "<3>Cannot read the broker credentials: /nonexistent/boothd: No such file or "
		  "directory\n");
	unlink(conf);
}

int main(int argc, char **argv)
{
	static const struct test tests[] = {
		{ "check_ok", test_check_ok },
		{ "check_bad", test_check_bad },
		{ "usage", test_usage },
		{ "missing_credentials", test_missing_credentials },
		{ NULL, NULL },
	};
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n < 0)
		return 1;
	exe[n] = '\0';
	*strrchr(exe, '/') = '\0';
	*strrchr(exe, '/') = '\0';
	snprintf(bindir, sizeof(bindir), "%s", exe);
	snprintf(conf, sizeof(conf), "/tmp/booth-cli-%d.conf", (int)getpid());
	return test_main(argc, argv, tests);
}
