/* SPDX-License-Identifier: MIT */
/* Unit tests for the config parser and the booth's config keys. */
#include "boothconf.h"
#include "config.h"
#include "harness.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

static int parse(const char *text, struct booth_config *cfg, char *err, size_t n)
{
	memset(cfg, 0, sizeof(*cfg));
	if (config_defaults(boothconf_keys, cfg, err, n) < 0)
		return -1;
	return config_parse_string(boothconf_keys, cfg, "t.conf", text, err, n);
}

static void test_defaults(void)
{
	struct booth_config cfg;
	char err[CONFIG_ERR_MAX] = "";

	CHECK_INT(parse("", &cfg, err, sizeof(err)), ==, 0);
	CHECK_STR(cfg.general.booth_id, "booth");
	CHECK_STR(cfg.mqtt.host, "127.0.0.1");
	CHECK_INT(cfg.mqtt.port, ==, 1883);
	CHECK_INT(cfg.mqtt.keepalive, ==, 10);
	CHECK_STR(cfg.boothd.database, "/var/lib/booth/booth.db");
}

static void test_values(void)
{
	struct booth_config cfg;
	char err[CONFIG_ERR_MAX] = "";
	int r;

	r = parse("# comment\n; other comment\n\n[general]\nbooth_id = hall-2\n"
		  "[mqtt]\n  port=1999  \nkeepalive = 30\r\n[boothd]\ndatabase = /tmp/x.db\n",
		  &cfg, err, sizeof(err));
	CHECK_MSG(r == 0, "unexpected error: %s", err);
	CHECK_STR(cfg.general.booth_id, "hall-2");
	CHECK_INT(cfg.mqtt.port, ==, 1999);
	CHECK_INT(cfg.mqtt.keepalive, ==, 30);
	CHECK_STR(cfg.boothd.database, "/tmp/x.db");
	CHECK_INT(parse("[camera]\nbackend = sim\n", &cfg, err, sizeof(err)), ==, 0);
	CHECK_STR(cfg.camera.backend, "sim");
	/* No cut unless the owner asks for one. */
	CHECK_STR(cfg.printer.cut, "none");
	CHECK_INT(cfg.printer.cut_finishings, ==, 11);
	CHECK_STR(cfg.printer.cut_option, "");
	r = parse(
		"[printer]\ncut = option\n"
		"cut_option =  PageSize=w288h432-div2   StpNoCutWaste=True \ncut_finishings = 60\n",
		&cfg, err, sizeof(err));
	CHECK_MSG(r == 0, "unexpected error: %s", err);
	CHECK_STR(cfg.printer.cut, "option");
	CHECK_STR(cfg.printer.cut_option, "PageSize=w288h432-div2   StpNoCutWaste=True");
	CHECK_INT(cfg.printer.cut_finishings, ==, 60);
}

/* Each bad input, and the exact message it must produce. */
static void test_errors(void)
{
	static const struct {
		const char *text, *msg;
	} cases[] = {
		{ "[mqtt]\nport = 0\n", "t.conf:2: 'port' must be between 1 and 65535 (got 0)" },
		{ "[mqtt]\nport = 70000\n",
		  "t.conf:2: 'port' must be between 1 and 65535 (got 70000)" },
		{ "[mqtt]\nport = 12ab\n", "t.conf:2: 'port' must be a whole number (got '12ab')" },
		{ "[mqtt]\nport =\n", "t.conf:2: 'port' must be a whole number (got '')" },
		{ "[mqtt]\nport = 99999999999999999999\n",
		  "t.conf:2: 'port' must be between 1 and 65535 (got 99999999999999999999)" },
		{ "[nope]\n", "t.conf:1: unknown section [nope]" },
		{ "[mqtt\n", "t.conf:1: malformed section header '[mqtt'" },
		{ "[mqtt] x\n", "t.conf:1: malformed section header '[mqtt] x'" },
		{ "\n\n[mqtt]\nportt = 1\n", "t.conf:4: unknown key 'portt' in [mqtt]" },
		{ "port = 1\n", "t.conf:1: unknown key 'port' in the top level" },
		{ "[mqtt]\njust words\n", "t.conf:2: expected 'key = value', got 'just words'" },
		{ "[mqtt]\nport = 1\nport = 2\n", "t.conf:3: 'port' is set twice" },
		{ "[general]\nbooth_id = Hall 2\n",
		  "t.conf:2: 'booth_id' may only hold a-z, 0-9, '_' and '-'" },
		{ "[general]\nbooth_id =\n",
		  "t.conf:2: 'booth_id' must be 1 to 32 characters long (got 0)" },
		{ "[general]\nbooth_id = 0123456789012345678901234567890123\n",
		  "t.conf:2: 'booth_id' must be 1 to 32 characters long (got 34)" },
		{ "[boothd]\ndatabase = relative.db\n",
		  "t.conf:2: 'database' must be an absolute path" },
		{ "[camera]\nbackend = webcam\n",
		  "t.conf:2: 'backend' must be one of libcamera|sim (got 'webcam')" },
		{ "[printer]\ncut = yes\n",
		  "t.conf:2: 'cut' must be one of none|finishings|option (got 'yes')" },
		{ "[printer]\ncut_finishings = 3\n",
		  "t.conf:2: 'cut_finishings' must be between 4 and 2147483647 (got 3)" },
		/* Not NAME=VALUE: no value, no name, a quote libcups would read as syntax, a name
		 * not starting with a letter, a control character. */
		{ "[printer]\ncut_option = PageSize\n",
		  "t.conf:2: 'cut_option' must be NAME=VALUE pairs separated by spaces, such as "
		  "PageSize=w288h432-div2 (got 'PageSize')" },
		{ "[printer]\ncut_option = PageSize= Cut=1\n",
		  "t.conf:2: 'cut_option' must be NAME=VALUE pairs separated by spaces, such as "
		  "PageSize=w288h432-div2 (got 'PageSize= Cut=1')" },
		{ "[printer]\ncut_option = =2inch\n",
		  "t.conf:2: 'cut_option' must be NAME=VALUE pairs separated by spaces, such as "
		  "PageSize=w288h432-div2 (got '=2inch')" },
		{ "[printer]\ncut_option = Cut=\"2 inch\"\n",
		  "t.conf:2: 'cut_option' must be NAME=VALUE pairs separated by spaces, such as "
		  "PageSize=w288h432-div2 (got 'Cut=\"2 inch\"')" },
		{ "[printer]\ncut_option = 2Cut=yes\n",
		  "t.conf:2: 'cut_option' must be NAME=VALUE pairs separated by spaces, such as "
		  "PageSize=w288h432-div2 (got '2Cut=yes')" },
		{ "[printer]\ncut_option = Cut=a\tb\n",
		  "t.conf:2: 'cut_option' must be NAME=VALUE pairs separated by spaces, such as "
		  "PageSize=w288h432-div2 (got 'Cut=a\tb')" },
	};
	struct booth_config cfg;
	char err[CONFIG_ERR_MAX];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = '\0';
		CHECK_INT(parse(cases[i].text, &cfg, err, sizeof(err)), ==, -22);
		CHECK_STR(err, cases[i].msg);
	}
}

static void test_long_line(void)
{
	struct booth_config cfg;
	char err[CONFIG_ERR_MAX];
	char *text = malloc(3000);

	REQUIRE(text);
	memset(text, 'a', 2999);
	text[2999] = '\0';
	CHECK_INT(parse(text, &cfg, err, sizeof(err)), ==, -22);
	CHECK_STR(err, "t.conf:1: line longer than 1024 characters");
	free(text);
}

static void test_file(void)
{
	char path[] = "/tmp/booth-test-config-XXXXXX";
	struct booth_config cfg;
	char err[CONFIG_ERR_MAX + 64];
	int fd = mkstemp(path);
	static const char text[] = "[mqtt]\nport = 2000\n";

	REQUIRE(fd >= 0);
	CHECK(write(fd, text, sizeof(text) - 1) == (ssize_t)sizeof(text) - 1);
	close(fd);
	CHECK_INT(boothconf_load(path, &cfg, err, sizeof(err)), ==, 0);
	CHECK_INT(cfg.mqtt.port, ==, 2000);
	unlink(path);
	CHECK_INT(boothconf_load(path, &cfg, err, sizeof(err)), ==, -2);
	CHECK(strstr(err, "No such file") != NULL);
}

/* cut = option without the option to send is refused when the file is loaded. */
static void test_cut_needs_option(void)
{
	static const char bad[] = "[printer]\ncut = option\n";
	static const char good[] = "[printer]\ncut = option\ncut_option = PageSize=w288h432-div2\n";
	char path[] = "/tmp/booth-test-config-XXXXXX";
	char err[CONFIG_ERR_MAX + 64], want[CONFIG_ERR_MAX + 64];
	struct booth_config cfg;
	int fd = mkstemp(path);

	REQUIRE(fd >= 0);
	CHECK(write(fd, bad, sizeof(bad) - 1) == (ssize_t)sizeof(bad) - 1);
	close(fd);
	CHECK_INT(boothconf_load(path, &cfg, err, sizeof(err)), ==, -22);
	snprintf(want, sizeof(want),
		 "%s: [printer] cut = option needs cut_option, the driver's option for the cut "
		 "(such as PageSize=w288h432-div2)",
		 path);
	CHECK_STR(err, want);
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	REQUIRE(fd >= 0);
	CHECK(write(fd, good, sizeof(good) - 1) == (ssize_t)sizeof(good) - 1);
	close(fd);
	CHECK_INT(boothconf_load(path, &cfg, err, sizeof(err)), ==, 0);
	unlink(path);
}

int main(int argc, char **argv)
{
	static const struct test tests[] = {
		{ "defaults", test_defaults },
		{ "values", test_values },
		{ "errors", test_errors },
		{ "long_line", test_long_line },
		{ "file", test_file },
		{ "cut_needs_option", test_cut_needs_option },
		{ NULL, NULL },
	};

	return test_main(argc, argv, tests);
}
