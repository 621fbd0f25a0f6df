/* SPDX-License-Identifier: MIT */
/* Print layouts: the page, its photo cells, text boxes and images, parsed from a .layout file. */
#ifndef BOOTH_LAYOUT_H
#define BOOTH_LAYOUT_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LAYOUT_PHOTOS_MAX 8  /* photos one layout takes */
#define LAYOUT_CELLS_MAX  16 /* photo cells on one page (a photo may fill several) */
#define LAYOUT_TEXTS_MAX  8  /* [title] and [date] boxes */
#define LAYOUT_IMAGES_MAX 4  /* [overlay] and [logo] images */
#define LAYOUT_FONT_MAX	  64 /* fontconfig family name */
#define LAYOUT_DPI_MIN	  50
#define LAYOUT_DPI_MAX	  1200
#define LAYOUT_PX_MAX	  12000 /* largest page side in pixels, at any dpi */
#define LAYOUT_ERR_MAX	  (PATH_MAX + 256)

/* The installed layouts (the Makefile sets it from PREFIX). */
#ifndef BOOTH_LAYOUT_DIR
#define BOOTH_LAYOUT_DIR "/usr/local/share/booth/layouts"
#endif

enum layout_align {
	LAYOUT_ALIGN_LEFT,
	LAYOUT_ALIGN_CENTER,
	LAYOUT_ALIGN_RIGHT,
};

/* A rectangle in inches from the page's top left corner. */
struct layout_rect {
	double x, y, w, h;
};

/* A pixel rectangle: [x0, x1) x [y0, y1). */
struct layout_px {
	int x0, y0, x1, y1;
};

struct layout_cell {
	struct layout_rect r;
	int photo; /* 0-based index into the photos the layout takes */
};

enum layout_text_kind {
	LAYOUT_TEXT_TITLE, /* [title]: the event title */
	LAYOUT_TEXT_DATE,  /* [date]: the date */
};

struct layout_text {
	enum layout_text_kind kind;
	struct layout_rect r;
	uint8_t color[3];
	enum layout_align align;
	char font[LAYOUT_FONT_MAX]; /* fontconfig family, e.g. "sans-serif" */
};

enum layout_image_kind {
	LAYOUT_IMAGE_OVERLAY, /* [overlay]: stretched over its box (by default the page) */
	LAYOUT_IMAGE_LOGO,    /* [logo]: fitted inside its box, centred */
};

struct layout_image {
	enum layout_image_kind kind;
	struct layout_rect r;
	char path[PATH_MAX]; /* absolute, or relative to the working directory */
};

struct layout {
	double width, height; /* inches */
	int dpi;
	uint8_t background[3];
	int photos; /* how many photos the layout takes */
	bool cut;   /* [page] cut = yes: the page holds strips for a printer that cuts them */
	/* [page] stills = full: full-resolution stills (a mode switch, shutter lag) instead of
	 * frames of the camera's capture stream (stream, the default) */
	bool full_stills;
	size_t ncells, ntexts, nimages;
	struct layout_cell cells[LAYOUT_CELLS_MAX];
	struct layout_text texts[LAYOUT_TEXTS_MAX];    /* in the order of the file */
	struct layout_image images[LAYOUT_IMAGES_MAX]; /* drawn in this order, under the text */
};

/* Parse layout TEXT into *RET. NAME is used in messages ("NAME:LINE: reason" in ERR); image
 * paths in the text are taken relative to BASEDIR (NULL: as written). Every value is range
 * checked; unknown sections and keys, duplicates, missing keys, cells outside the page and photos
 * never placed are errors. Returns 0, or -EINVAL (ERR says why); *RET is untouched on failure. */
int layout_parse_string(const char *name, const char *text, const char *basedir, struct layout *ret,
			char *err, size_t errlen);

/* Read PATH (at most 64 KiB) and parse it like layout_parse_string(), with image paths relative
 * to PATH's directory. Returns 0, -EINVAL, or -errno if unreadable (ERR says why). */
int layout_load(const char *path, struct layout *ret, char *err, size_t errlen);

/* Find the file of layout NAME: NAME itself if it contains a '/' or ends in ".layout",
 * otherwise DIR/NAME.layout for the first DIR of the NULL-terminated DIRS holding it. Writes the
 * path into PATH (size N). Returns 0, -ENOENT if no directory holds it, -EINVAL if NAME is not a
 * valid layout name, -ENAMETOOLONG. */
int layout_find(const char *name, const char *const *dirs, char *path, size_t n);

/* Find layout NAME like layout_find(), in DIR (booth.conf's layouts_dir) or, when DIR is NULL,
 * in the installed layouts (BOOTH_LAYOUT_DIR) and then ./layouts: where booth-compose looks. */
int layout_find_default(const char *name, const char *dir, char *path, size_t n);

/* layout_find_default() and layout_load(): -ENOENT when there is no such layout, else as
 * layout_load(), with the reason in ERR. */
int layout_load_named(const char *name, const char *dir, struct layout *ret, char *err,
		      size_t errlen);

/* Whether layout NAME (in DIR, as layout_load_named()) asks for full-resolution stills. A layout
 * that cannot be read asks for none (the composer reports it). */
bool layout_full_stills(const char *name, const char *dir);

/* Whether L has a text box of KIND. */
bool layout_has_text(const struct layout *l, enum layout_text_kind kind);

/* The page size in pixels at DPI (0: the layout's own). Returns 0, or -ERANGE if a side would
 * be larger than LAYOUT_PX_MAX or DPI is out of range. */
int layout_page_px(const struct layout *l, int dpi, int *w, int *h);

/* R in pixels at DPI, rounded so that rectangles sharing an edge share a pixel edge. */
struct layout_px layout_rect_px(const struct layout_rect *r, int dpi);

#endif
