/* SPDX-License-Identifier: MIT */
/* booth-ui's SDL2 window backend on SDL's offscreen video driver: frames reach the window, and
 * clicks, touches, keys and the close button injected with SDL_PushEvent arrive as taps at the
 * right canvas point, key names and quit. */
#include "display.h"
#include "harness.h"
#include "sdl.h"

#include <SDL.h>
#include <stdlib.h>

struct seen {
	int taps, px, py, keys, quits;
	char key[16];
};

static void on_tap(int px, int py, void *userdata)
{
	struct seen *s = userdata;

	s->taps++;
	s->px = px;
	s->py = py;
}

static void on_key(const char *name, void *userdata)
{
	struct seen *s = userdata;

	s->keys++;
	snprintf(s->key, sizeof(s->key), "%s", name);
}

static void on_quit(void *userdata)
{
	struct seen *s = userdata;

	s->quits++;
}

static const struct display_input callbacks = { on_tap, on_key, on_quit };

static SDL_Window *the_window(void)
{
	for (Uint32 id = 1; id < 64; id++) {
		SDL_Window *w = SDL_GetWindowFromID(id);

		if (w)
			return w;
	}
	return NULL;
}

static void push_click(int x, int y, Uint32 which)
{
	SDL_Event e = { 0 };

	e.type = SDL_MOUSEBUTTONDOWN;
	e.button.button = SDL_BUTTON_LEFT;
	e.button.state = SDL_PRESSED;
	e.button.which = which;
	e.button.x = x;
	e.button.y = y;
	REQUIRE(SDL_PushEvent(&e) == 1);
}

static void push_key(SDL_Keycode sym, int repeat)
{
	SDL_Event e = { 0 };

	e.type = SDL_KEYDOWN;
	e.key.state = SDL_PRESSED;
	e.key.repeat = (Uint8)repeat;
	e.key.keysym.sym = sym;
	REQUIRE(SDL_PushEvent(&e) == 1);
}

static void test_key_names(void)
{
	CHECK_STR(sdl_key_name(SDLK_RETURN), "enter");
	CHECK_STR(sdl_key_name(SDLK_KP_ENTER), "enter");
	CHECK_STR(sdl_key_name(SDLK_ESCAPE), "escape");
	CHECK_STR(sdl_key_name(SDLK_SPACE), "space");
	CHECK_STR(sdl_key_name(SDLK_0), "0");
	CHECK_STR(sdl_key_name(SDLK_7), "7");
	CHECK_STR(sdl_key_name(SDLK_KP_0), "0");
	CHECK_STR(sdl_key_name(SDLK_KP_9), "9");
	CHECK_STR(sdl_key_name(SDLK_BACKSPACE), "backspace");
	CHECK_STR(sdl_key_name(SDLK_F12), "menu");
	CHECK_STR(sdl_key_name(SDLK_l), "l");
	CHECK(sdl_key_name(SDLK_a) == NULL);
}

static void test_window_to_panel(void)
{
	int px, py;

	sdl_window_to_panel(10, 20, 640, 400, 640, 400, &px, &py);
	CHECK_INT(px, ==, 10);
	CHECK_INT(py, ==, 20);
	/* A window resized to twice the panel: the picture is stretched, so are the clicks. */
	sdl_window_to_panel(100, 300, 1280, 800, 640, 400, &px, &py);
	CHECK_INT(px, ==, 50);
	CHECK_INT(py, ==, 150);
	sdl_window_to_panel(5000, -3, 1280, 800, 640, 400, &px, &py);
	CHECK_INT(px, ==, 639);
	CHECK_INT(py, ==, 0);
}

/* SDL's offscreen driver goes through EGL, whose libraries leak a few allocations at exit that
 * LeakSanitizer reports; the sanitizer build uses the dummy driver (a software window surface,
 * the same code in the backend). */
#ifdef __SANITIZE_ADDRESS__
#define TEST_DRIVER "dummy"
#else
#define TEST_DRIVER "offscreen"
#endif

/* Offscreen window, rotated 90°: a picture goes up, a click lands on the right canvas point. */
static void test_offscreen(void)
{
	static const uint8_t red[3] = { 255, 0, 0 };
	struct seen seen = { 0 };
	struct display *d = NULL;
	struct canvas *c = NULL;
	struct loop *l = NULL;
	SDL_Renderer *rend;
	SDL_Window *w;
	uint32_t px = 0;
	int x, y, r;

	setenv("SDL_VIDEODRIVER", TEST_DRIVER, 1);
	REQUIRE(loop_new(&l) == 0);
	r = display_new("sdl", l, 320, 200, 90, &d);
	REQUIRE(r == 0);
	CHECK_INT(d->width, ==, 200);
	CHECK_INT(d->height, ==, 320);
	display_set_input(d, &callbacks, &seen);

	/* The canvas's top left is the panel's top right (the panel turned clockwise). */
	REQUIRE(canvas_new(200, 320, &c) == 0);
	canvas_fill(c, &(struct layout_px){ 0, 0, 4, 4 }, red);
	CHECK_INT(display_present(d, c), ==, 0);
	CHECK_INT(d->frames, ==, 1);
	w = the_window();
	REQUIRE(w);
	rend = SDL_GetRenderer(w);
	REQUIRE(rend);
	CHECK_INT(SDL_RenderReadPixels(rend, &(SDL_Rect){ 318, 1, 1, 1 }, SDL_PIXELFORMAT_XRGB8888,
				       &px, 4),
		  ==, 0);
	CHECK_INT(px & 0xffffff, ==, 0xff0000);
	CHECK_INT(SDL_RenderReadPixels(rend, &(SDL_Rect){ 10, 100, 1, 1 }, SDL_PIXELFORMAT_XRGB8888,
				       &px, 4),
		  ==, 0);
	CHECK_INT(px & 0xffffff, ==, 0);

	/* A click at window (300, 10) is panel (300, 10), canvas (10, 19). */
	push_click(300, 10, 0);
	/* The loop reads SDL's queue from its timer; iterate until it has (bounded, not timed). */
	for (int i = 0; i < 1000 && seen.taps == 0; i++)
		loop_iterate(l, 100);
	CHECK_INT(seen.taps, ==, 1);
	display_to_canvas(d, seen.px, seen.py, &x, &y);
	CHECK_INT(x, ==, 10);
	CHECK_INT(y, ==, 19);

	/* A touch is one tap, at its normalized position; SDL's synthesized click is ignored. */
	{
		SDL_Event e = { 0 };

		e.type = SDL_FINGERDOWN;
		e.tfinger.x = 0.5f;
		e.tfinger.y = 0.25f;
		REQUIRE(SDL_PushEvent(&e) == 1);
	}
	push_click(1, 1, SDL_TOUCH_MOUSEID);
	display_dispatch(d);
	CHECK_INT(seen.taps, ==, 2);
	CHECK_INT(seen.px, ==, 160);
	CHECK_INT(seen.py, ==, 50);

	/* Keys by name; auto-repeat does not press twice; other keys are ignored. */
	push_key(SDLK_RETURN, 0);
	push_key(SDLK_RETURN, 1);
	push_key(SDLK_a, 0);
	display_dispatch(d);
	CHECK_INT(seen.keys, ==, 1);
	CHECK_STR(seen.key, "enter");

	/* Closing the window asks booth-ui to stop. */
	{
		SDL_Event e = { 0 };

		e.type = SDL_WINDOWEVENT;
		e.window.event = SDL_WINDOWEVENT_CLOSE;
		e.window.windowID = SDL_GetWindowID(w);
		REQUIRE(SDL_PushEvent(&e) == 1);
	}
	display_dispatch(d);
	CHECK_INT(seen.quits, ==, 1);
	CHECK_INT(seen.taps, ==, 2);

	canvas_free(c);
	display_free(d);
	loop_free(l);
}

/* Opening and closing twice works (SDL's video is started and stopped with the backend). */
static void test_reopen(void)
{
	struct display *d = NULL;

	setenv("SDL_VIDEODRIVER", "dummy", 1);
	for (int i = 0; i < 2; i++) {
		CHECK_INT(display_new("sdl", NULL, 64, 48, 0, &d), ==, 0);
		d = display_free(d);
	}
}

int main(int argc, char **argv)
{
	static const struct test tests[] = {
		{ "key_names", test_key_names },
		{ "window_to_panel", test_window_to_panel },
		{ "offscreen", test_offscreen },
		{ "reopen", test_reopen },
		{ NULL, NULL },
	};

	return test_main(argc, argv, tests);
}
