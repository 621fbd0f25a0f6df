/* SPDX-License-Identifier: MIT */
/* Input through libinput on the udev seat: touch screens, mice, keyboards and gpio-keys push
 * buttons (which arrive as keys), turned into taps at canvas coordinates and key names. */
#ifndef BOOTH_UI_INPUT_H
#define BOOTH_UI_INPUT_H

#include "loop.h"

struct input;

/* A tap (touch down, or a left click) at panel coordinates (X, Y). */
typedef void (*input_tap_fn)(int x, int y, void *userdata);
/* A key pressed: its name as screen_key() takes it. */
typedef void (*input_key_fn)(const char *key, void *userdata);

/* The name booth-ui gives Linux key code CODE (KEY_ENTER, KEY_KPENTER, KEY_OK, KEY_SELECT and
 * BTN_0/KEY_PLAY, what gpio-keys buttons are usually wired as, are "enter"; KEY_SPACE "space";
 * KEY_ESC, KEY_BACK, BTN_1 "escape"; KEY_0..KEY_9 and the keypad's digits "0".."9";
 * KEY_BACKSPACE "backspace"; KEY_MENU and KEY_F12 "menu" (the owner menu); KEY_L "l"), or NULL for
 * keys the booth does not use. */
const char *input_key_name(unsigned int code);

/* Open the udev seat SEAT ("seat0") for a panel of PANEL_W x PANEL_H and watch it on L. Devices
 * come and go with udev; none at all is not an error. Returns 0 and *ret, or -errno (-EIO: udev
 * or libinput could not start). */
int input_new(struct loop *l, const char *seat, int panel_w, int panel_h, input_tap_fn tap,
	      input_key_fn key, void *userdata, struct input **ret);
/* Close every device and free. Accepts NULL, returns NULL. */
struct input *input_free(struct input *in);

#endif
