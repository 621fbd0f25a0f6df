/* SPDX-License-Identifier: MIT */
/* Unit tests for reading printer-input-tray values (printer/tray.c). */
#include "harness.h"
#include "tray.h"

#include <string.h>

static int level(const char *s)
{
	return tray_level(s, strlen(s));
}

static void test_levels(void)
{
	CHECK_INT(level("type=sheetFeedAutoRemovableTray;mediafeed=0;maxcapacity=250;level=120;"
			"status=0;name=main;"),
		  ==, 120);
	CHECK_INT(level("maxcapacity=36;level=0"), ==, 0);
	/* Unknown: no level, a capacity of one sheet (manual feed) or unknown, garbage. */
	CHECK_INT(level("type=sheetFeedManual;maxcapacity=1;level=1;"), ==, -1);
	CHECK_INT(level("maxcapacity=-2;level=-2;"), ==, -1);
	CHECK_INT(level("maxcapacity=250;level=abc;"), ==, -1);
	CHECK_INT(level("maxcapacity=250;"), ==, -1);
	CHECK_INT(level("xlevel=5;maxcapacity=250;"), ==, -1);
	CHECK_INT(level(""), ==, -1);
	CHECK_INT(tray_level("maxcapacity=250;level=120", 20), ==, -1); /* cut short */
}

int main(int argc, char **argv)
{
	static const struct test tests[] = {
		{ "levels", test_levels },
		{ NULL, NULL },
	};

	return test_main(argc, argv, tests);
}
