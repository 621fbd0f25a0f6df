/* SPDX-License-Identifier: MIT */
/* The layout file parser: [page], repeated [photo] cells, [title], [date], [overlay], [logo]. */
#include "layout.h"
#include "util.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LAYOUT_FILE_MAX ((size_t)64 * 1024)
#define LAYOUT_LINE_MAX 1024
#define PAGE_MIN_IN	1.0
#define PAGE_MAX_IN	40.0
#define MM_PER_IN	25.4
#define EPSILON		1e-9

enum section {
	SECT_NONE,
	SECT_PAGE,
	SECT_PHOTO,
	SECT_TITLE,
	SECT_DATE,
	SECT_OVERLAY,
	SECT_LOGO,
};

static const char *const section_names[] = {
	[SECT_NONE] = "",	[SECT_PAGE] = "page", [SECT_PHOTO] = "photo",
	[SECT_TITLE] = "title", [SECT_DATE] = "date", [SECT_OVERLAY] = "overlay",
	[SECT_LOGO] = "logo",
};

/* Keys, as bits of the "seen" mask of the current section. */
enum key {
	KEY_WIDTH,
	KEY_HEIGHT,
	KEY_UNIT,
	KEY_DPI,
	KEY_BACKGROUND,
	KEY_PHOTOS,
	KEY_PHOTO,
	KEY_X,
	KEY_Y,
	KEY_COLOR,
	KEY_ALIGN,
	KEY_FONT,
	KEY_FILE,
	KEY_CUT,
	KEY_STILLS,
};

static const char *const key_names[] = {
	[KEY_WIDTH] = "width",
	[KEY_HEIGHT] = "height",
	[KEY_UNIT] = "unit",
	[KEY_DPI] = "dpi",
	[KEY_BACKGROUND] = "background",
	[KEY_PHOTOS] = "photos",
	[KEY_PHOTO] = "photo",
	[KEY_X] = "x",
	[KEY_Y] = "y",
	[KEY_COLOR] = "color",
	[KEY_ALIGN] = "align",
	[KEY_FONT] = "font",
	[KEY_FILE] = "file",
	[KEY_CUT] = "cut",
	[KEY_STILLS] = "stills",
};

#define BIT(k)	 (1u << (k))
#define GEOMETRY (BIT(KEY_X) | BIT(KEY_Y) | BIT(KEY_WIDTH) | BIT(KEY_HEIGHT))

/* Which keys each section allows. */
static const unsigned section_keys[] = {
	[SECT_NONE] = 0,
	[SECT_PAGE] = BIT(KEY_WIDTH) | BIT(KEY_HEIGHT) | BIT(KEY_UNIT) | BIT(KEY_DPI) |
		      BIT(KEY_BACKGROUND) | BIT(KEY_PHOTOS) | BIT(KEY_CUT) | BIT(KEY_STILLS),
	[SECT_PHOTO] = GEOMETRY | BIT(KEY_PHOTO),
	[SECT_TITLE] = GEOMETRY | BIT(KEY_COLOR) | BIT(KEY_ALIGN) | BIT(KEY_FONT),
	[SECT_DATE] = GEOMETRY | BIT(KEY_COLOR) | BIT(KEY_ALIGN) | BIT(KEY_FONT),
	[SECT_OVERLAY] = GEOMETRY | BIT(KEY_FILE),
	[SECT_LOGO] = GEOMETRY | BIT(KEY_FILE),
};

struct parser {
	const char *name, *basedir;
	char *err;
	size_t errlen;
	struct layout l;
	enum section sect;
	unsigned sect_line; /* line of the current section's header */
	unsigned seen;	    /* keys set in the current section */
	unsigned sections;  /* sections seen (bits of enum section) */
	double unit;	    /* inches per page unit */
	bool page_done;
	struct layout_rect rect; /* geometry of the current section, in page units */
};

static int fail(struct parser *p, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct parser *p, unsigned line, const char *fmt, ...)
{
	char reason[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	if (line > 0)
		snprintf(p->err, p->errlen, "%s:%u: %s", p->name, line, reason);
	else
		snprintf(p->err, p->errlen, "%s: %s", p->name, reason);
	return -EINVAL;
}

/* A non-negative decimal number: digits, optionally '.' and more digits. */
static int parse_number(const char *s, double *ret)
{
	double v = 0, scale = 1;
	bool digits = false, dot = false;

	if (strlen(s) > 12)
		return -EINVAL;
	for (; *s; s++) {
		if (*s == '.' && !dot) {
			dot = true;
		} else if (*s >= '0' && *s <= '9') {
			digits = true;
			if (dot) {
				scale /= 10;
				v += (*s - '0') * scale;
			} else {
				v = v * 10 + (*s - '0');
			}
		} else {
			return -EINVAL;
		}
	}
	if (!digits)
		return -EINVAL;
	*ret = v;
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int parse_color(const char *s, uint8_t rgb[3])
{
	if (strlen(s) != 7 || s[0] != '#')
		return -EINVAL;
	for (int i = 0; i < 3; i++) {
		int hi = hexval(s[1 + 2 * i]), lo = hexval(s[2 + 2 * i]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		rgb[i] = (uint8_t)(hi * 16 + lo);
	}
	return 0;
}

/* The text box or image the current section describes (the next free one). */
static struct layout_text *section_text(struct parser *p)
{
	return &p->l.texts[p->l.ntexts];
}

static struct layout_image *section_image(struct parser *p)
{
	return &p->l.images[p->l.nimages];
}

static int set_key(struct parser *p, unsigned line, enum key k, const char *value)
{
	const char *key = key_names[k];
	long long v;
	double d;
	int r;

	switch (k) {
	case KEY_WIDTH:
	case KEY_HEIGHT:
	case KEY_X:
	case KEY_Y:
		if (parse_number(value, &d) < 0)
			return fail(p, line, "'%s' must be a number such as 4 or 0.25 (got '%s')",
				    key, value);
		if (k == KEY_X)
			p->rect.x = d;
		else if (k == KEY_Y)
			p->rect.y = d;
		else if (k == KEY_WIDTH)
			p->rect.w = d;
		else
			p->rect.h = d;
		if ((k == KEY_WIDTH || k == KEY_HEIGHT) && d <= 0)
			return fail(p, line, "'%s' must be greater than 0", key);
		return 0;
	case KEY_UNIT:
		if (strcmp(value, "in") == 0)
			p->unit = 1;
		else if (strcmp(value, "mm") == 0)
			p->unit = 1 / MM_PER_IN;
		else
			return fail(p, line, "'unit' must be in or mm (got '%s')", value);
		return 0;
	case KEY_DPI:
	case KEY_PHOTOS:
	case KEY_PHOTO: {
		long long max = k == KEY_DPI	  ? LAYOUT_DPI_MAX
				: k == KEY_PHOTOS ? LAYOUT_PHOTOS_MAX
						  : p->l.photos;
		long long min = k == KEY_DPI ? LAYOUT_DPI_MIN : 1;

		r = parse_int_range(value, min, max, &v);
		if (r == -ERANGE)
			return fail(p, line, "'%s' must be between %lld and %lld (got %s)", key,
				    min, max, value);
		if (r < 0)
			return fail(p, line, "'%s' must be a whole number (got '%s')", key, value);
		if (k == KEY_DPI)
			p->l.dpi = (int)v;
		else if (k == KEY_PHOTOS)
			p->l.photos = (int)v;
		else
			p->l.cells[p->l.ncells].photo = (int)v - 1;
		return 0;
	}
	case KEY_BACKGROUND:
	case KEY_COLOR:
		if (parse_color(value, k == KEY_COLOR ? section_text(p)->color : p->l.background) <
		    0)
			return fail(p, line, "'%s' must be a colour #rrggbb (got '%s')", key,
				    value);
		return 0;
	case KEY_ALIGN: {
		static const char *const aligns[] = { "left", "center", "right" };

		for (size_t i = 0; i < ARRAY_SIZE(aligns); i++)
			if (strcmp(value, aligns[i]) == 0) {
				section_text(p)->align = (enum layout_align)i;
				return 0;
			}
		return fail(p, line, "'align' must be left, center or right (got '%s')", value);
	}
	case KEY_FONT:
		for (const char *c = value; *c; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7f || *c == ':' || *c == ',')
				return fail(p, line,
					    "'font' holds a character not allowed in a "
					    "font family name");
		if (!*value || strscpy(section_text(p)->font, value, LAYOUT_FONT_MAX) < 0)
			return fail(p, line, "'font' must be 1 to %d characters long",
				    LAYOUT_FONT_MAX - 1);
		return 0;
	case KEY_CUT:
		if (parse_bool(value, &p->l.cut) < 0)
			return fail(p, line, "'cut' must be yes or no (got '%s')", value);
		return 0;
	case KEY_STILLS:
		if (strcmp(value, "stream") != 0 && strcmp(value, "full") != 0)
			return fail(p, line, "'stills' must be stream or full (got '%s')", value);
		p->l.full_stills = strcmp(value, "full") == 0;
		return 0;
	case KEY_FILE: {
		struct layout_image *img = section_image(p);
		int n;

		if (!*value)
			return fail(p, line, "'file' must not be empty");
		if (value[0] == '/' || !p->basedir || !*p->basedir)
			n = snprintf(img->path, sizeof(img->path), "%s", value);
		else
			n = snprintf(img->path, sizeof(img->path), "%s/%s", p->basedir, value);
		if (n < 0 || (size_t)n >= sizeof(img->path))
			return fail(p, line, "'file' is too long");
		return 0;
	}
	}
	return fail(p, line, "unknown key '%s'", key);
}

static const char *unit_name(const struct parser *p)
{
	return p->unit == 1 ? "in" : "mm";
}

/* Check the section that just ended (at LINE, 0 at the end of the text). */
static int end_section(struct parser *p)
{
	const char *s = section_names[p->sect];
	struct layout_rect in;
	unsigned line = p->sect_line;
	double pw, ph;

	switch (p->sect) {
	case SECT_NONE:
		return 0;
	case SECT_PAGE:
		if (!(p->seen & BIT(KEY_WIDTH)) || !(p->seen & BIT(KEY_HEIGHT)) ||
		    !(p->seen & BIT(KEY_PHOTOS)))
			return fail(p, line, "[page] needs width, height and photos");
		p->l.width = p->rect.w * p->unit;
		p->l.height = p->rect.h * p->unit;
		if (p->l.width < PAGE_MIN_IN - EPSILON || p->l.width > PAGE_MAX_IN + EPSILON ||
		    p->l.height < PAGE_MIN_IN - EPSILON || p->l.height > PAGE_MAX_IN + EPSILON)
			return fail(p, line,
				    "the page must be %g to %g %s on each side (got %g x %g)",
				    PAGE_MIN_IN / p->unit, PAGE_MAX_IN / p->unit, unit_name(p),
				    p->rect.w, p->rect.h);
		if (layout_page_px(&p->l, 0, NULL, NULL) < 0)
			return fail(p, line, "the page is larger than %d pixels at %d dpi",
				    LAYOUT_PX_MAX, p->l.dpi);
		p->page_done = true;
		return 0;
	default:
		break;
	}

	if ((p->seen & GEOMETRY) != GEOMETRY) {
		if (p->sect != SECT_OVERLAY || (p->seen & GEOMETRY) != 0)
			return fail(p, line, "[%s] needs x, y, width and height", s);
		/* An overlay without geometry covers the whole page. */
		p->rect = (struct layout_rect){ 0, 0, p->l.width / p->unit, p->l.height / p->unit };
	}
	pw = p->l.width / p->unit;
	ph = p->l.height / p->unit;
	if (p->rect.x + p->rect.w > pw + EPSILON)
		return fail(p, line,
			    "[%s] ends beyond the page's right edge (x + width = %g %s > %g)", s,
			    p->rect.x + p->rect.w, unit_name(p), pw);
	if (p->rect.y + p->rect.h > ph + EPSILON)
		return fail(p, line,
			    "[%s] ends beyond the page's bottom edge (y + height = %g %s > %g)", s,
			    p->rect.y + p->rect.h, unit_name(p), ph);
	in = (struct layout_rect){ p->rect.x * p->unit, p->rect.y * p->unit, p->rect.w * p->unit,
				   p->rect.h * p->unit };

	switch (p->sect) {
	case SECT_PHOTO:
		if (!(p->seen & BIT(KEY_PHOTO)))
			return fail(p, line,
				    "[photo] needs 'photo', the number of the photo it shows");
		p->l.cells[p->l.ncells++].r = in;
		return 0;
	case SECT_TITLE:
	case SECT_DATE:
		section_text(p)->r = in;
		section_text(p)->kind =
			p->sect == SECT_TITLE ? LAYOUT_TEXT_TITLE : LAYOUT_TEXT_DATE;
		p->l.ntexts++;
		return 0;
	case SECT_OVERLAY:
	case SECT_LOGO:
		if (!(p->seen & BIT(KEY_FILE)))
			return fail(p, line, "[%s] needs 'file'", s);
		section_image(p)->r = in;
		section_image(p)->kind =
			p->sect == SECT_OVERLAY ? LAYOUT_IMAGE_OVERLAY : LAYOUT_IMAGE_LOGO;
		p->l.nimages++;
		return 0;
	default:
		return 0;
	}
}

static int begin_section(struct parser *p, unsigned line, const char *name)
{
	enum section sect = SECT_NONE;

	for (size_t i = 1; i < ARRAY_SIZE(section_names); i++)
		if (strcmp(name, section_names[i]) == 0)
			sect = (enum section)i;
	if (sect == SECT_NONE)
		return fail(p, line, "unknown section [%s]", name);
	if (sect == SECT_PAGE && (p->sections & BIT(sect)))
		return fail(p, line, "[%s] appears twice", name);
	if (sect != SECT_PAGE && !p->page_done)
		return fail(p, line, "[%s] must come after [page]", name);
	if (sect == SECT_PHOTO && p->l.ncells >= LAYOUT_CELLS_MAX)
		return fail(p, line, "more than %d [photo] cells", LAYOUT_CELLS_MAX);
	if ((sect == SECT_TITLE || sect == SECT_DATE) && p->l.ntexts >= LAYOUT_TEXTS_MAX)
		return fail(p, line, "more than %d [title] and [date] boxes", LAYOUT_TEXTS_MAX);
	if ((sect == SECT_OVERLAY || sect == SECT_LOGO) && p->l.nimages >= LAYOUT_IMAGES_MAX)
		return fail(p, line, "more than %d [overlay] and [logo] images", LAYOUT_IMAGES_MAX);
	p->sections |= BIT(sect);
	p->sect = sect;
	p->sect_line = line;
	p->seen = 0;
	p->rect = (struct layout_rect){ 0, 0, 0, 0 };
	if (sect == SECT_TITLE || sect == SECT_DATE) {
		struct layout_text *t = section_text(p);

		t->align = LAYOUT_ALIGN_CENTER;
		strscpy(t->font, "sans-serif", sizeof(t->font));
	}
	return 0;
}

static int parse_line(struct parser *p, unsigned line, char *text)
{
	char *eq, *key, *value;
	size_t k;

	text = strstrip(text);
	if (*text == '\0' || *text == '#' || *text == ';')
		return 0;
	if (*text == '[') {
		char *end = strchr(text, ']');
		int r;

		if (!end || strstrip(end + 1)[0] != '\0')
			return fail(p, line, "malformed section header '%s'", text);
		*end = '\0';
		r = end_section(p);
		if (r < 0)
			return r;
		return begin_section(p, line, strstrip(text + 1));
	}
	eq = strchr(text, '=');
	if (!eq)
		return fail(p, line, "expected 'key = value', got '%s'", text);
	*eq = '\0';
	key = strstrip(text);
	value = strstrip(eq + 1);
	if (p->sect == SECT_NONE)
		return fail(p, line, "'%s' is outside any section (start with [page])", key);
	for (k = 0; k < ARRAY_SIZE(key_names); k++)
		if (strcmp(key, key_names[k]) == 0 && (section_keys[p->sect] & BIT(k)))
			break;
	if (k == ARRAY_SIZE(key_names))
		return fail(p, line, "unknown key '%s' in [%s]", key, section_names[p->sect]);
	if (p->seen & BIT(k))
		return fail(p, line, "'%s' is set twice", key);
	p->seen |= BIT(k);
	return set_key(p, line, (enum key)k, value);
}

int layout_parse_string(const char *name, const char *text, const char *basedir, struct layout *ret,
			char *err, size_t errlen)
{
	struct parser *p;
	const char *s = text;
	unsigned lineno = 0;
	int r = 0;

	/* The parser holds a whole layout with its paths: keep it off the stack. */
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->name = name;
	p->basedir = basedir;
	p->err = err;
	p->errlen = errlen;
	p->l.dpi = 300;
	p->unit = 1;
	memset(p->l.background, 0xff, sizeof(p->l.background));

	while (*s) {
		char buf[LAYOUT_LINE_MAX + 1];
		const char *nl = strchr(s, '\n');
		size_t len = nl ? (size_t)(nl - s) : strlen(s);

		lineno++;
		if (len > LAYOUT_LINE_MAX) {
			r = fail(p, lineno, "line longer than %d characters", LAYOUT_LINE_MAX);
			goto out;
		}
		memcpy(buf, s, len);
		buf[len] = '\0';
		s = nl ? nl + 1 : s + len;
		r = parse_line(p, lineno, buf);
		if (r < 0)
			goto out;
	}
	r = end_section(p);
	if (r < 0)
		goto out;
	if (!p->page_done) {
		r = fail(p, 0, "no [page] section");
		goto out;
	}
	if (p->l.ncells == 0) {
		r = fail(p, 0, "no [photo] cells");
		goto out;
	}
	for (int i = 0; i < p->l.photos; i++) {
		bool placed = false;

		for (size_t c = 0; c < p->l.ncells; c++)
			placed |= p->l.cells[c].photo == i;
		if (!placed) {
			r = fail(p, 0, "photo %d is not placed in any [photo] cell", i + 1);
			goto out;
		}
	}
	*ret = p->l;
out:
	free(p);
	return r;
}

int layout_load(const char *path, struct layout *ret, char *err, size_t errlen)
{
	char dir[PATH_MAX];
	char *text = NULL, *slash;
	long n;
	int r;

	n = read_file(path, LAYOUT_FILE_MAX, &text);
	if (n < 0) {
		if (n == -EFBIG)
			snprintf(err, errlen, "%s: larger than %zu bytes", path, LAYOUT_FILE_MAX);
		else
			snprintf(err, errlen, "%s: %s", path, strerror((int)-n));
		return n == -EFBIG ? -EINVAL : (int)n;
	}
	if ((size_t)n != strlen(text)) {
		free(text);
		snprintf(err, errlen, "%s: contains a NUL byte", path);
		return -EINVAL;
	}
	if (strscpy(dir, path, sizeof(dir)) < 0) {
		free(text);
		snprintf(err, errlen, "%s: %s", path, strerror(ENAMETOOLONG));
		return -ENAMETOOLONG;
	}
	slash = strrchr(dir, '/');
	if (slash == dir)
		dir[1] = '\0';
	else if (slash)
		*slash = '\0';
	else
		dir[0] = '\0';
	r = layout_parse_string(path, text, dir, ret, err, errlen);
	free(text);
	return r;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

int layout_find(const char *name, const char *const *dirs, char *path, size_t n)
{
	if (strchr(name, '/') || ends_with(name, ".layout"))
		return strscpy(path, name, n);
	if (!valid_id(name, 64))
		return -EINVAL;
	for (; dirs && *dirs; dirs++) {
		int k = snprintf(path, n, "%s/%s.layout", *dirs, name);
		FILE *f;

		if (k < 0 || (size_t)k >= n)
			return -ENAMETOOLONG;
		f = fopen(path, "re");
		if (f) {
			fclose(f);
			return 0;
		}
	}
	return -ENOENT;
}

int layout_find_default(const char *name, const char *dir, char *path, size_t n)
{
	const char *const dirs[] = { dir, dir ? NULL : BOOTH_LAYOUT_DIR, dir ? NULL : "layouts",
				     NULL };

	return layout_find(name, dir ? dirs : dirs + 1, path, n);
}

int layout_load_named(const char *name, const char *dir, struct layout *ret, char *err,
		      size_t errlen)
{
	char path[PATH_MAX];
	int r = layout_find_default(name, dir, path, sizeof(path));

	if (r < 0) {
		snprintf(err, errlen, "%s", r == -ENOENT ? "no such layout" : strerror(-r));
		return r;
	}
	return layout_load(path, ret, err, errlen);
}

bool layout_has_text(const struct layout *l, enum layout_text_kind kind)
{
	for (size_t i = 0; i < l->ntexts; i++)
		if (l->texts[i].kind == kind)
			return true;
	return false;
}

int layout_page_px(const struct layout *l, int dpi, int *w, int *h)
{
	long pw, ph;

	if (dpi == 0)
		dpi = l->dpi;
	if (dpi < LAYOUT_DPI_MIN || dpi > LAYOUT_DPI_MAX)
		return -ERANGE;
	pw = lround(l->width * dpi);
	ph = lround(l->height * dpi);
	if (pw < 1 || ph < 1 || pw > LAYOUT_PX_MAX || ph > LAYOUT_PX_MAX)
		return -ERANGE;
	if (w)
		*w = (int)pw;
	if (h)
		*h = (int)ph;
	return 0;
}

struct layout_px layout_rect_px(const struct layout_rect *r, int dpi)
{
	return (struct layout_px){
		.x0 = (int)lround(r->x * dpi),
		.y0 = (int)lround(r->y * dpi),
		.x1 = (int)lround((r->x + r->w) * dpi),
		.y1 = (int)lround((r->y + r->h) * dpi),
	};
}

bool layout_full_stills(const char *name, const char *dir)
{
	char err[LAYOUT_ERR_MAX];
	struct layout *l = calloc(1, sizeof(*l));
	bool full;

	if (!l)
		return false;
	full = layout_load_named(name, dir, l, err, sizeof(err)) == 0 && l->full_stills;
	free(l);
	return full;
}
