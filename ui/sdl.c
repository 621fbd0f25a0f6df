/* SPDX-License-Identifier: MIT */
/* The SDL2 window backend: a streaming texture of the panel's size, stretched to the window.
 * libSDL2 is loaded with dlopen() when the backend opens: linked, it would bring its audio,
 * X11 and Wayland libraries (about 3 MB resident) into every booth-ui, which on a booth shows
 * on DRM. */
#include "sdl.h"
#include "display.h"
#include "log.h"

#include <SDL.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The SDL functions the backend calls, looked up in the library at open. */
#define SDL_FUNCS(X)                                                                               \
	X(SetHint)                                                                                 \
	X(InitSubSystem)                                                                           \
	X(QuitSubSystem)                                                                           \
	X(GetError)                                                                                \
	X(CreateWindow)                                                                            \
	X(CreateRenderer)                                                                          \
	X(CreateTexture)                                                                           \
	X(DestroyTexture)                                                                          \
	X(DestroyRenderer)                                                                         \
	X(DestroyWindow)                                                                           \
	X(GetWindowSize)                                                                           \
	X(PollEvent)                                                                               \
	X(UpdateTexture)                                                                           \
	X(RenderClear)                                                                             \
	X(RenderCopy)                                                                              \
	X(RenderPresent)

static struct {
	void *lib;
/* NOLINTNEXTLINE(bugprone-macro-parentheses): NAME is a member's name. */
#define SDL_POINTER(name) __typeof__(&SDL_##name) name;
	SDL_FUNCS(SDL_POINTER)
#undef SDL_POINTER
} api;

/* Load libSDL2 once (it stays loaded: SDL keeps global state). Returns 0 or -ENOENT. */
static int sdl_load(void)
{
	void *lib, *sym;

	if (api.lib)
		return 0;
	lib = dlopen("libSDL2-2.0.so.0", RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		log_error("Cannot load SDL2: %s", dlerror());
		return -ENOENT;
	}
#define SDL_LOOKUP(name)                                                                           \
	sym = dlsym(lib, "SDL_" #name);                                                            \
	if (!sym) {                                                                                \
		log_error("SDL2 has no SDL_" #name);                                               \
		dlclose(lib);                                                                      \
		return -ENOENT;                                                                    \
	}                                                                                          \
	memcpy(&api.name, &sym, sizeof(sym));
	SDL_FUNCS(SDL_LOOKUP)
#undef SDL_LOOKUP
	api.lib = lib;
	return 0;
}

/* SDL exposes no descriptor for its event queue: it is read this often from a loop timer. */
#define SDL_PUMP_USEC 10000

struct sdl {
	SDL_Window *window;
	SDL_Renderer *renderer;
	SDL_Texture *texture;
	struct loop_source *pump;
};

const char *sdl_key_name(int32_t sym)
{
	static const char *const digits[] = { "0", "1", "2", "3", "4", "5", "6", "7", "8", "9" };

	if (sym >= SDLK_0 && sym <= SDLK_9)
		return digits[sym - SDLK_0];
	if (sym >= SDLK_KP_1 && sym <= SDLK_KP_9)
		return digits[sym - SDLK_KP_1 + 1];
	switch (sym) {
	case SDLK_RETURN:
	case SDLK_RETURN2:
	case SDLK_KP_ENTER:
	case SDLK_SELECT:
		return "enter";
	case SDLK_SPACE:
		return "space";
	case SDLK_ESCAPE:
	case SDLK_AC_BACK:
		return "escape";
	case SDLK_BACKSPACE:
		return "backspace";
	case SDLK_KP_0:
		return "0";
	case SDLK_l:
		return "l";
	case SDLK_MENU:
	case SDLK_F12:
		return "menu";
	default:
		return NULL;
	}
}

void sdl_window_to_panel(int x, int y, int win_w, int win_h, int panel_w, int panel_h, int *px,
			 int *py)
{
	long sx = win_w > 0 ? (long)x * panel_w / win_w : x;
	long sy = win_h > 0 ? (long)y * panel_h / win_h : y;

	*px = (int)(sx < 0 ? 0 : sx >= panel_w ? panel_w - 1 : sx);
	*py = (int)(sy < 0 ? 0 : sy >= panel_h ? panel_h - 1 : sy);
}

static void tap_window(struct display *d, int x, int y)
{
	struct sdl *s = d->priv;
	int w = 0, h = 0, px, py;

	api.GetWindowSize(s->window, &w, &h);
	sdl_window_to_panel(x, y, w, h, d->phys_w, d->phys_h, &px, &py);
	d->input->tap(px, py, d->input_data);
}

static void handle(struct display *d, const SDL_Event *ev)
{
	switch (ev->type) {
	case SDL_QUIT:
		d->input->quit(d->input_data);
		break;
	case SDL_WINDOWEVENT:
		if (ev->window.event == SDL_WINDOWEVENT_CLOSE)
			d->input->quit(d->input_data);
		break;
	case SDL_MOUSEBUTTONDOWN:
		/* Touches come as SDL_FINGERDOWN; their synthesized clicks would tap twice. */
		if (ev->button.button == SDL_BUTTON_LEFT && ev->button.which != SDL_TOUCH_MOUSEID)
			tap_window(d, ev->button.x, ev->button.y);
		break;
	case SDL_FINGERDOWN: {
		int px = (int)(ev->tfinger.x * (float)d->phys_w);
		int py = (int)(ev->tfinger.y * (float)d->phys_h);

		d->input->tap(px >= d->phys_w ? d->phys_w - 1
			      : px < 0	      ? 0
					      : px,
			      py >= d->phys_h ? d->phys_h - 1
			      : py < 0	      ? 0
					      : py,
			      d->input_data);
		break;
	}
	case SDL_KEYDOWN: {
		const char *name = sdl_key_name(ev->key.keysym.sym);

		if (name && !ev->key.repeat)
			d->input->key(name, d->input_data);
		break;
	}
	default:
		break;
	}
}

static void sdl_dispatch(struct display *d)
{
	SDL_Event ev;

	while (api.PollEvent(&ev))
		if (d->input)
			handle(d, &ev);
}

static int on_pump(struct loop_source *src, void *userdata)
{
	(void)src;
	sdl_dispatch(userdata);
	return 0;
}

static void sdl_close(struct display *d)
{
	struct sdl *s = d->priv;

	if (!s)
		return;
	s->pump = loop_source_remove(s->pump);
	if (s->texture)
		api.DestroyTexture(s->texture);
	if (s->renderer)
		api.DestroyRenderer(s->renderer);
	if (s->window)
		api.DestroyWindow(s->window);
	api.QuitSubSystem(SDL_INIT_VIDEO);
	free(s);
	d->priv = NULL;
}

static int sdl_open(struct display *d, struct loop *l)
{
	struct sdl *s = calloc(1, sizeof(*s));
	int r = 0;

	if (!s)
		return -ENOMEM;
	r = sdl_load();
	if (r < 0) {
		free(s);
		return r;
	}
	d->priv = s;
	api.SetHint(SDL_HINT_TOUCH_MOUSE_EVENTS, "0");
	/* A booth's screen stays on. */
	api.SetHint(SDL_HINT_VIDEO_ALLOW_SCREENSAVER, "0");
	if (api.InitSubSystem(SDL_INIT_VIDEO) < 0) {
		log_error("SDL cannot start its video: %s", api.GetError());
		free(s);
		d->priv = NULL;
		return -EIO;
	}
	s->window =
		api.CreateWindow("Photo booth", SDL_WINDOWPOS_UNDEFINED, SDL_WINDOWPOS_UNDEFINED,
				 d->phys_w, d->phys_h, SDL_WINDOW_RESIZABLE);
	if (s->window)
		s->renderer = api.CreateRenderer(s->window, -1, 0);
	if (s->renderer)
		s->texture = api.CreateTexture(s->renderer, SDL_PIXELFORMAT_XRGB8888,
					       SDL_TEXTUREACCESS_STREAMING, d->phys_w, d->phys_h);
	if (!s->texture) {
		log_error("SDL cannot make a %dx%d window: %s", d->phys_w, d->phys_h,
			  api.GetError());
		r = -EIO;
	}
	if (r == 0 && l)
		r = loop_add_timer(l, SDL_PUMP_USEC, SDL_PUMP_USEC, on_pump, d, &s->pump);
	if (r < 0)
		sdl_close(d);
	return r;
}

static int sdl_present(struct display *d)
{
	struct sdl *s = d->priv;

	if (api.UpdateTexture(s->texture, NULL, d->scanout, d->phys_w * 4) < 0 ||
	    api.RenderClear(s->renderer) < 0 ||
	    api.RenderCopy(s->renderer, s->texture, NULL, NULL) < 0)
		return -EIO;
	api.RenderPresent(s->renderer);
	return 0;
}

const struct display_backend sdl_backend = {
	.name = "sdl",
	.open = sdl_open,
	.close = sdl_close,
	.present = sdl_present,
	.dispatch = sdl_dispatch,
};
