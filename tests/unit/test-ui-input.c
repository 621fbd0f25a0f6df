/* SPDX-License-Identifier: MIT */
/* booth-ui's input: key codes to names (keyboards and gpio-keys buttons), and the udev seat
 * opening cleanly on a machine with no input devices. */
#include "harness.h"
#include "input.h"
#include "loop.h"

#include <linux/input-event-codes.h>

static int taps, keys;

static void on_tap(int x, int y, void *userdata)
{
	(void)x;
	(void)y;
	(void)userdata;
	taps++;
}

static void on_key(const char *key, void *userdata)
{
	(void)key;
	(void)userdata;
	keys++;
}

static void test_key_names(void)
{
	CHECK_STR(input_key_name(KEY_ENTER), "enter");
	CHECK_STR(input_key_name(KEY_KPENTER), "enter");
	/* gpio-keys buttons are wired as BTN_0 or KEY_OK in most device trees. */
	CHECK_STR(input_key_name(BTN_0), "enter");
	CHECK_STR(input_key_name(KEY_OK), "enter");
	CHECK_STR(input_key_name(BTN_1), "escape");
	CHECK_STR(input_key_name(KEY_ESC), "escape");
	CHECK_STR(input_key_name(KEY_SPACE), "space");
	CHECK_STR(input_key_name(KEY_2), "2");
	CHECK_STR(input_key_name(KEY_L), "l");
	CHECK(input_key_name(KEY_A) == NULL);
	CHECK(input_key_name(KEY_POWER) == NULL);
	/* Digits for the owner's PIN pad, from the top row and the keypad. */
	CHECK_STR(input_key_name(KEY_0), "0");
	CHECK_STR(input_key_name(KEY_9), "9");
	CHECK_STR(input_key_name(KEY_KP0), "0");
	CHECK_STR(input_key_name(KEY_KP7), "7");
	CHECK_STR(input_key_name(KEY_BACKSPACE), "backspace");
	CHECK_STR(input_key_name(KEY_F12), "menu");
	CHECK(input_key_name(KEY_MINUS) == NULL);
}

/* The seat opens whether or not devices exist; with none, nothing is reported. */
static void test_seat(void)
{
	struct loop *l = NULL;
	struct input *in = NULL;

	REQUIRE(loop_new(&l) == 0);
	CHECK_INT(input_new(l, "seat0", 1280, 800, on_tap, on_key, NULL, &in), ==, 0);
	CHECK(in != NULL);
	loop_iterate(l, 50);
	CHECK_INT(taps, ==, 0);
	CHECK_INT(keys, ==, 0);
	input_free(in);
	loop_free(l);
}

int main(int argc, char **argv)
{
	static const struct test tests[] = {
		{ "key_names", test_key_names },
		{ "seat", test_seat },
		{ NULL, NULL },
	};

	return test_main(argc, argv, tests);
}
