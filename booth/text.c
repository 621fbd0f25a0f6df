/* SPDX-License-Identifier: MIT */
/* Text rendering: UTF-8 checks, font choice (fontconfig), shaping (HarfBuzz), glyphs (FreeType). */
#include "text.h"

#include <errno.h>
#include <fcntl.h>
#include <fontconfig/fontconfig.h>
#include <ft2build.h>
#include FT_FREETYPE_H
#include <harfbuzz/hb-ft.h>
#include <harfbuzz/hb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define TEXT_PX_MIN   4
#define FONT_FILE_MAX ((size_t)64 * 1024 * 1024)

/* Decode one code point at *P and advance. Returns 0, or -EINVAL for invalid UTF-8 (overlong
 * forms, surrogates, beyond U+10FFFF, truncated sequences). */
static int utf8_next(const unsigned char **p, uint32_t *ret)
{
	const unsigned char *s = *p;
	uint32_t cp, min;
	int n;

	if (s[0] < 0x80) {
		cp = s[0];
		n = 0;
		min = 0;
	} else if ((s[0] & 0xe0) == 0xc0) {
		cp = s[0] & 0x1f;
		n = 1;
		min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		cp = s[0] & 0x0f;
		n = 2;
		min = 0x800;
	} else if ((s[0] & 0xf8) == 0xf0) {
		cp = s[0] & 0x07;
		n = 3;
		min = 0x10000;
	} else {
		return -EINVAL;
	}
	for (int i = 1; i <= n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return -EINVAL;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return -EINVAL;
	*p = s + n + 1;
	*ret = cp;
	return 0;
}

int text_validate(const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;

	if (strnlen(s, max + 1) > max)
		return -E2BIG;
	while (*p) {
		uint32_t cp;

		if (utf8_next(&p, &cp) < 0)
			return -EINVAL;
		if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
			return -EINVAL;
	}
	return 0;
}

/* The language whose glyph shapes to prefer for TEXT's CJK characters, if any. */
static const char *cjk_lang(const char *text)
{
	const unsigned char *p = (const unsigned char *)text;
	bool han = false;
	uint32_t cp;

	while (*p && utf8_next(&p, &cp) == 0) {
		if ((cp >= 0x3040 && cp <= 0x30ff) || (cp >= 0x31f0 && cp <= 0x31ff))
			return "ja";
		if ((cp >= 0xac00 && cp <= 0xd7af) || (cp >= 0x1100 && cp <= 0x11ff))
			return "ko";
		if ((cp >= 0x2e80 && cp <= 0x2fdf) || (cp >= 0x3000 && cp <= 0x303f) ||
		    (cp >= 0x3400 && cp <= 0x9fff) || (cp >= 0xf900 && cp <= 0xfaff) ||
		    (cp >= 0xff00 && cp <= 0xffef) || cp >= 0x20000)
			han = true;
	}
	return han ? "zh-cn" : NULL;
}

/* Fontconfig's configuration and font list, loaded once per process: loading it reads every
 * cache file, which costs far more than drawing a line of text. */
static FcConfig *fc_loaded;

static void fc_release(void)
{
	if (fc_loaded)
		FcConfigDestroy(fc_loaded);
	fc_loaded = NULL;
	/* fontconfig's own caches (the default configuration and languages it made on the way). */
	FcFini();
}

static FcConfig *fc_config(void)
{
	if (!fc_loaded) {
		fc_loaded = FcInitLoadConfigAndFonts();
		/* Memory back at exit, so leak checkers see what is really lost. */
		if (fc_loaded)
			atexit(fc_release);
	}
	return fc_loaded;
}

/* Pick FILE and face INDEX of the font for FAMILY that covers every character of TEXT. */
static int find_font(const char *family, const char *text, char *file, size_t filelen, int *index)
{
	const unsigned char *p = (const unsigned char *)text;
	FcConfig *cfg = fc_config();
	FcPattern *pat = FcPatternCreate(), *match = NULL;
	FcCharSet *cs = FcCharSetCreate();
	FcFontSet *sorted = NULL;
	const char *lang = cjk_lang(text);
	FcChar8 *path = NULL;
	FcResult res;
	uint32_t cp;
	int r = -ENOMEM;

	if (!cfg || !pat || !cs)
		goto out;
	while (*p && utf8_next(&p, &cp) == 0)
		if (!FcCharSetAddChar(cs, cp))
			goto out;
	if (!FcPatternAddString(pat, FC_FAMILY, (const FcChar8 *)family) ||
	    !FcPatternAddCharSet(pat, FC_CHARSET, cs) ||
	    !FcPatternAddBool(pat, FC_SCALABLE, FcTrue) ||
	    (lang && !FcPatternAddString(pat, FC_LANG, (const FcChar8 *)lang)))
		goto out;
	if (!FcConfigSubstitute(cfg, pat, FcMatchPattern))
		goto out;
	FcDefaultSubstitute(pat);
	/* The sorted list, best first: take the first font that has every character. */
	sorted = FcFontSort(cfg, pat, FcFalse, NULL, &res);
	r = -ENOENT;
	if (!sorted || sorted->nfont == 0)
		goto out;
	for (int i = 0; i < sorted->nfont; i++) {
		FcCharSet *fcs = NULL;

		if (FcPatternGetCharSet(sorted->fonts[i], FC_CHARSET, 0, &fcs) == FcResultMatch &&
		    FcCharSetIsSubset(cs, fcs)) {
			match = sorted->fonts[i];
			break;
		}
	}
	if (!match)
		match = sorted->fonts[0]; /* missing glyphs show as boxes rather than nothing */
	if (FcPatternGetString(match, FC_FILE, 0, &path) != FcResultMatch)
		goto out;
	if (FcPatternGetInteger(match, FC_INDEX, 0, index) != FcResultMatch)
		*index = 0;
	r = snprintf(file, filelen, "%s", (const char *)path) >= (int)filelen ? -ENAMETOOLONG : 0;
out:
	if (sorted)
		FcFontSetDestroy(sorted);
	if (cs)
		FcCharSetDestroy(cs);
	if (pat)
		FcPatternDestroy(pat);
	return r;
}

struct font {
	void *map;
	size_t len;
	FT_Library lib;
	FT_Face face;
	hb_font_t *hb;
	hb_buffer_t *buf;
};

static void font_close(struct font *f)
{
	if (f->buf)
		hb_buffer_destroy(f->buf);
	if (f->hb)
		hb_font_destroy(f->hb);
	else if (f->face)
		FT_Done_Face(f->face);
	if (f->lib)
		FT_Done_FreeType(f->lib);
	if (f->map)
		munmap(f->map, f->len);
}

/* Open the font file with our own close-on-exec descriptor and map it: pages are read (and
 * counted against memory) only as the glyphs we draw need them. */
static int font_open(struct font *f, const char *file, int index)
{
	struct stat st;
	int fd, r;

	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	if (st.st_size <= 0 || (size_t)st.st_size > FONT_FILE_MAX) {
		close(fd);
		return -EFBIG;
	}
	f->len = (size_t)st.st_size;
	f->map = mmap(NULL, f->len, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (f->map == MAP_FAILED) {
		f->map = NULL;
		return -errno;
	}
	if (FT_Init_FreeType(&f->lib) != 0) {
		f->lib = NULL;
		return -ENOMEM;
	}
	if (FT_New_Memory_Face(f->lib, f->map, (FT_Long)f->len, index, &f->face) != 0 || !f->face) {
		f->face = NULL;
		return -EIO;
	}
	f->hb = hb_ft_font_create_referenced(f->face);
	f->buf = hb_buffer_create();
	if (!f->hb || !hb_buffer_allocation_successful(f->buf))
		return -ENOMEM;
	return 0;
}

/* Fonts stay open between calls (a booth's screen draws the same few strings all day), and
 * fontconfig's answer is remembered per family and text, so it is asked once per string. */
#define FONTS_OPEN 4
#define FOUND_MAX  32
#define FOUND_TEXT 256
#define FOUND_FILE 1024

static struct {
	struct font font;
	char file[FOUND_FILE];
	int index;
	unsigned long used; /* 0: free */
} open_fonts[FONTS_OPEN];

static struct {
	char family[LAYOUT_FONT_MAX];
	char text[FOUND_TEXT];
	char file[FOUND_FILE];
	int index;
} found[FOUND_MAX];
static unsigned found_next;
static unsigned long font_clock;

/* The font for FAMILY that covers TEXT, open; NULL with -errno in *R and a message in ERR. */
static struct font *font_get(const char *family, const char *text, int *r, char *err, size_t errlen)
{
	const char *file = NULL;
	char buf[FOUND_FILE];
	int index = 0, slot = 0;

	for (unsigned i = 0; i < FOUND_MAX; i++)
		if (found[i].file[0] && strcmp(found[i].family, family) == 0 &&
		    strcmp(found[i].text, text) == 0) {
			file = found[i].file;
			index = found[i].index;
			break;
		}
	if (!file) {
		*r = find_font(family, text, buf, sizeof(buf), &index);
		if (*r < 0) {
			snprintf(err, errlen, "no font found for '%s'", family);
			return NULL;
		}
		file = buf;
		if (strlen(text) < FOUND_TEXT && strlen(family) < LAYOUT_FONT_MAX) {
			unsigned k = found_next++ % FOUND_MAX;

			snprintf(found[k].family, sizeof(found[k].family), "%s", family);
			snprintf(found[k].text, sizeof(found[k].text), "%s", text);
			snprintf(found[k].file, sizeof(found[k].file), "%s", file);
			found[k].index = index;
		}
	}
	for (int i = 0; i < FONTS_OPEN; i++) {
		if (open_fonts[i].used && open_fonts[i].index == index &&
		    strcmp(open_fonts[i].file, file) == 0) {
			open_fonts[i].used = ++font_clock;
			return &open_fonts[i].font;
		}
		if (open_fonts[i].used < open_fonts[slot].used)
			slot = i;
	}
	/* Not open: replace the least recently used. */
	font_close(&open_fonts[slot].font);
	memset(&open_fonts[slot], 0, sizeof(open_fonts[slot]));
	*r = font_open(&open_fonts[slot].font, file, index);
	if (*r < 0 || !open_fonts[slot].font.face) {
		*r = *r < 0 ? *r : -EIO;
		snprintf(err, errlen, "%s: cannot load font (%s)", file, strerror(-*r));
		font_close(&open_fonts[slot].font);
		memset(&open_fonts[slot], 0, sizeof(open_fonts[slot]));
		return NULL;
	}
	snprintf(open_fonts[slot].file, sizeof(open_fonts[slot].file), "%s", file);
	open_fonts[slot].index = index;
	open_fonts[slot].used = ++font_clock;
	return &open_fonts[slot].font;
}

/* Shape TEXT at PX pixels; returns its advance width in 26.6 pixels, or -errno. */
static long font_shape(struct font *f, const char *text, int px)
{
	const hb_glyph_position_t *pos;
	unsigned n;
	long width = 0;

	if (FT_Set_Pixel_Sizes(f->face, 0, (FT_UInt)px) != 0)
		return -EIO;
	hb_ft_font_changed(f->hb);
	hb_buffer_clear_contents(f->buf);
	hb_buffer_add_utf8(f->buf, text, -1, 0, -1);
	hb_buffer_guess_segment_properties(f->buf);
	hb_shape(f->hb, f->buf, NULL, 0);
	if (!hb_buffer_allocation_successful(f->buf))
		return -ENOMEM;
	pos = hb_buffer_get_glyph_positions(f->buf, &n);
	for (unsigned i = 0; i < n; i++)
		width += pos[i].x_advance;
	return width;
}

static void blend_glyph(uint8_t *rgb, int w, const struct layout_px *clip, const FT_Bitmap *bm,
			int left, int top, const uint8_t color[3])
{
	for (unsigned row = 0; row < bm->rows; row++) {
		int y = top + (int)row;
		const unsigned char *src = bm->buffer + (ptrdiff_t)row * bm->pitch;

		if (y < clip->y0 || y >= clip->y1)
			continue;
		for (unsigned col = 0; col < bm->width; col++) {
			int x = left + (int)col, a = src[col];
			uint8_t *d;

			if (a == 0 || x < clip->x0 || x >= clip->x1)
				continue;
			d = rgb + ((size_t)y * (size_t)w + (size_t)x) * 3;
			for (int c = 0; c < 3; c++)
				d[c] = (uint8_t)(d[c] + ((color[c] - d[c]) * a +
							 (color[c] >= d[c] ? 127 : -127)) /
								255);
		}
	}
}

int text_draw(uint8_t *rgb, int w, int h, const struct layout_px *box, const struct layout_text *t,
	      const char *text, char *err, size_t errlen)
{
	struct font *fp;
	struct layout_px clip = *box;
	const hb_glyph_info_t *info;
	const hb_glyph_position_t *pos;
	int px, bw, bh, r = 0;
	long width, pen, baseline, line;
	unsigned n;

	if (clip.x0 < 0)
		clip.x0 = 0;
	if (clip.y0 < 0)
		clip.y0 = 0;
	if (clip.x1 > w)
		clip.x1 = w;
	if (clip.y1 > h)
		clip.y1 = h;
	bw = clip.x1 - clip.x0;
	bh = clip.y1 - clip.y0;
	if (!text || !*text || bw < 1 || bh < TEXT_PX_MIN)
		return 0;

	fp = font_get(t->font, text, &r, err, errlen);
	if (!fp)
		return r;
	/* As large as the box is high (ascender to descender), then shrink to fit its width. */
	if (fp->face->units_per_EM > 0 && fp->face->ascender - fp->face->descender > 0)
		px = (int)((long)bh * fp->face->units_per_EM /
			   (fp->face->ascender - fp->face->descender));
	else
		px = bh;
	if (px < TEXT_PX_MIN)
		px = TEXT_PX_MIN;
	width = font_shape(fp, text, px);
	for (int i = 0; i < 16 && width > 0 && width > (long)bw * 64 && px > TEXT_PX_MIN; i++) {
		int smaller = (int)((long long)px * bw * 64 / width);

		px = smaller >= px ? px - 1 : smaller < TEXT_PX_MIN ? TEXT_PX_MIN : smaller;
		width = font_shape(fp, text, px);
	}
	if (width < 0) {
		r = (int)width;
		snprintf(err, errlen, "cannot shape text (%s)", strerror(-r));
		return r;
	}

	switch (t->align) {
	case LAYOUT_ALIGN_LEFT:
		pen = (long)clip.x0 * 64;
		break;
	case LAYOUT_ALIGN_RIGHT:
		pen = (long)clip.x1 * 64 - width;
		break;
	default:
		pen = (long)clip.x0 * 64 + ((long)bw * 64 - width) / 2;
		break;
	}
	line = fp->face->size->metrics.ascender - fp->face->size->metrics.descender;
	baseline =
		(long)clip.y0 * 64 + ((long)bh * 64 - line) / 2 + fp->face->size->metrics.ascender;

	info = hb_buffer_get_glyph_infos(fp->buf, &n);
	pos = hb_buffer_get_glyph_positions(fp->buf, &n);
	for (unsigned i = 0; i < n; i++) {
		FT_GlyphSlot g = fp->face->glyph;

		if (FT_Load_Glyph(fp->face, info[i].codepoint, FT_LOAD_DEFAULT) == 0 &&
		    FT_Render_Glyph(g, FT_RENDER_MODE_NORMAL) == 0 &&
		    g->bitmap.pixel_mode == FT_PIXEL_MODE_GRAY)
			blend_glyph(rgb, w, &clip, &g->bitmap,
				    (int)((pen + pos[i].x_offset + 32) >> 6) + g->bitmap_left,
				    (int)((baseline - pos[i].y_offset + 32) >> 6) - g->bitmap_top,
				    t->color);
		pen += pos[i].x_advance;
	}
	return 0;
}
