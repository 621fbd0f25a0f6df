/* SPDX-License-Identifier: MIT */
/* The SDL2 window backend, for running the booth on a desktop: the scanout picture in a window,
 * clicks and touches as taps, keys by the same names as libinput's, the close button as quit. */
#ifndef BOOTH_UI_SDL_H
#define BOOTH_UI_SDL_H

#include <stdint.h>

struct display_backend;

/* The name booth-ui gives SDL keycode SYM (Enter/keypad Enter/Select "enter", Space "space",
 * Escape/AC Back "escape", Backspace "backspace", 0-9 and keypad digits "0".."9", L "l",
 * Menu/F12 "menu"), or NULL for keys the booth does not use; like input_key_name(). */
const char *sdl_key_name(int32_t sym);

/* Map window point (X, Y) of a WIN_W x WIN_H window (the picture is stretched over the whole
 * window) to the PANEL_W x PANEL_H panel, clamped to it. */
void sdl_window_to_panel(int x, int y, int win_w, int win_h, int panel_w, int panel_h, int *px,
			 int *py);

/* The "sdl" backend for display_new(): a window of the panel's size; SDL_VIDEODRIVER chooses
 * where (x11, wayland, kmsdrm; offscreen or dummy for tests). Events are read from the loop every
 * 10 ms (SDL has no descriptor to wait on). open() fails with -EIO when SDL cannot make a
 * window (no display). */
extern const struct display_backend sdl_backend;

#endif
