/* SPDX-License-Identifier: MIT */
/* Unit tests for the layout parser and the layouts shipped in layouts/. */
#include "harness.h"
#include "layout.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

static const char page4[] = "[page]\nwidth = 4\nheight = 6\nphotos = 1\n";

static int parse(const char *text, struct layout *l, char *err, size_t n)
{
	return layout_parse_string("t.layout", text, "/base", l, err, n);
}

static void test_minimal(void)
{
	struct layout l;
	char err[LAYOUT_ERR_MAX] = "";
	struct layout_px px;
	int w = 0, h = 0;

	REQUIRE(parse("# a comment\n; another\n[page]\nwidth = 4\nheight = 6\nphotos = 1\n"
		      "[photo]\nphoto = 1\nx = 0.5\ny = 1\nwidth = 3\nheight = 2.25\n",
		      &l, err, sizeof(err)) == 0);
	CHECK_INT(l.dpi, ==, 300);
	CHECK_INT(l.photos, ==, 1);
	CHECK_INT(l.ncells, ==, 1);
	CHECK_INT(l.ntexts, ==, 0);
	CHECK_INT(l.nimages, ==, 0);
	CHECK_INT(l.background[0] & l.background[1] & l.background[2], ==, 0xff);
	CHECK_INT(layout_page_px(&l, 0, &w, &h), ==, 0);
	CHECK_INT(w, ==, 1200);
	CHECK_INT(h, ==, 1800);
	px = layout_rect_px(&l.cells[0].r, 300);
	CHECK_INT(px.x0, ==, 150);
	CHECK_INT(px.y0, ==, 300);
	CHECK_INT(px.x1, ==, 1050);
	CHECK_INT(px.y1, ==, 975);
	CHECK_INT(layout_page_px(&l, 150, &w, &h), ==, 0);
	CHECK_INT(w, ==, 600);
	CHECK_INT(layout_page_px(&l, 49, &w, &h), ==, -ERANGE);
	CHECK(!layout_has_text(&l, LAYOUT_TEXT_TITLE));
	CHECK(!l.cut);
	CHECK(!l.full_stills);
}

static void test_everything(void)
{
	struct layout l;
	char err[LAYOUT_ERR_MAX] = "";
	int r;

	r = parse("[page]\nunit = mm\nwidth = 152.4\nheight = 101.6\ndpi = 600\n"
		  "background = #FF8000\nphotos = 2\ncut = yes\nstills = full\n"
		  "[photo]\nphoto = 2\nx = 0\ny = 0\nwidth = 76.2\nheight = 101.6\n"
		  "[photo]\nphoto = 1\nx = 76.2\ny = 0\nwidth = 76.2\nheight = 50\n"
		  "[title]\nx = 1\ny = 60\nwidth = 100\nheight = 10\ncolor = #102030\n"
		  "align = right\nfont = Noto Serif\n"
		  "[date]\nx = 1\ny = 80\nwidth = 100\nheight = 10\n"
		  "[overlay]\nfile = frame.png\n"
		  "[logo]\nfile = /abs/logo.png\nx = 100\ny = 90\nwidth = 50\nheight = 10\n",
		  &l, err, sizeof(err));
	REQUIRE(r == 0);
	CHECK_INT(l.dpi, ==, 600);
	CHECK_INT(l.background[0], ==, 0xff);
	CHECK_INT(l.background[1], ==, 0x80);
	CHECK_INT(l.background[2], ==, 0);
	CHECK(l.width > 5.999 && l.width < 6.001);
	CHECK(l.height > 3.999 && l.height < 4.001);
	CHECK_INT(l.ncells, ==, 2);
	CHECK_INT(l.cells[0].photo, ==, 1);
	CHECK_INT(l.cells[1].photo, ==, 0);
	CHECK_INT(layout_rect_px(&l.cells[1].r, 600).x0, ==, 1800);
	CHECK_INT(l.ntexts, ==, 2);
	CHECK_INT(l.texts[0].kind, ==, LAYOUT_TEXT_TITLE);
	CHECK_INT(l.texts[0].align, ==, LAYOUT_ALIGN_RIGHT);
	CHECK_STR(l.texts[0].font, "Noto Serif");
	CHECK_INT(l.texts[0].color[2], ==, 0x30);
	CHECK_INT(l.texts[1].kind, ==, LAYOUT_TEXT_DATE);
	CHECK_INT(l.texts[1].align, ==, LAYOUT_ALIGN_CENTER);
	CHECK_STR(l.texts[1].font, "sans-serif");
	CHECK_INT(l.texts[1].color[0] | l.texts[1].color[1] | l.texts[1].color[2], ==, 0);
	CHECK_INT(l.nimages, ==, 2);
	CHECK_INT(l.images[0].kind, ==, LAYOUT_IMAGE_OVERLAY);
	CHECK_STR(l.images[0].path, "/base/frame.png");
	CHECK(l.images[0].r.w > 5.999 && l.images[0].r.h > 3.999);
	CHECK_INT(l.images[1].kind, ==, LAYOUT_IMAGE_LOGO);
	CHECK_STR(l.images[1].path, "/abs/logo.png");
	CHECK(layout_has_text(&l, LAYOUT_TEXT_DATE));
	CHECK(l.cut);
	CHECK(l.full_stills);
}

/* Each bad layout, and the exact message it must produce. */
static void test_errors(void)
{
	static const struct {
		const char *text, *msg;
	} cases[] = {
		{ "", "t.layout: no [page] section" },
		{ "[page]\nwidth = 4\nheight = 6\nphotos = 1\n", "t.layout: no [photo] cells" },
		{ "width = 4\n", "t.layout:1: 'width' is outside any section (start with [page])" },
		{ "[pages]\n", "t.layout:1: unknown section [pages]" },
		{ "[page\n", "t.layout:1: malformed section header '[page'" },
		{ "[page]\nwidth 4\n", "t.layout:2: expected 'key = value', got 'width 4'" },
		{ "[page]\nwidht = 4\n", "t.layout:2: unknown key 'widht' in [page]" },
		{ "[page]\nfile = x.png\n", "t.layout:2: unknown key 'file' in [page]" },
		{ "[page]\nwidth = 4\nwidth = 5\n", "t.layout:3: 'width' is set twice" },
		{ "[page]\nwidth = -4\n",
		  "t.layout:2: 'width' must be a number such as 4 or 0.25 (got '-4')" },
		{ "[page]\nwidth = 4in\n",
		  "t.layout:2: 'width' must be a number such as 4 or 0.25 (got '4in')" },
		{ "[page]\nwidth = 1.2.3\n",
		  "t.layout:2: 'width' must be a number such as 4 or 0.25 (got '1.2.3')" },
		{ "[page]\nwidth = .\n",
		  "t.layout:2: 'width' must be a number such as 4 or 0.25 (got '.')" },
		{ "[page]\nwidth = 0\n", "t.layout:2: 'width' must be greater than 0" },
		{ "[page]\nunit = cm\n", "t.layout:2: 'unit' must be in or mm (got 'cm')" },
		{ "[page]\ndpi = 49\n", "t.layout:2: 'dpi' must be between 50 and 1200 (got 49)" },
		{ "[page]\ndpi = 300.5\n",
		  "t.layout:2: 'dpi' must be a whole number (got '300.5')" },
		{ "[page]\nphotos = 9\n", "t.layout:2: 'photos' must be between 1 and 8 (got 9)" },
		{ "[page]\ncut = 2in\n", "t.layout:2: 'cut' must be yes or no (got '2in')" },
		{ "[page]\nstills = raw\n",
		  "t.layout:2: 'stills' must be stream or full (got 'raw')" },
		{ "[page]\nwidth = 4\nheight = 6\nphotos = 1\n[photo]\ncut = yes\n",
		  "t.layout:6: unknown key 'cut' in [photo]" },
		{ "[page]\nbackground = white\n",
		  "t.layout:2: 'background' must be a colour #rrggbb (got 'white')" },
		{ "[page]\nbackground = #12345g\n",
		  "t.layout:2: 'background' must be a colour #rrggbb (got '#12345g')" },
		{ "[page]\nwidth = 4\nheight = 6\n[photo]\n",
		  "t.layout:1: [page] needs width, height and photos" },
		{ "[page]\nwidth = 0.5\nheight = 6\nphotos = 1\n[photo]\n",
		  "t.layout:1: the page must be 1 to 40 in on each side (got 0.5 x 6)" },
		{ "[page]\nunit = mm\nwidth = 2000\nheight = 100\nphotos = 1\n[photo]\n",
		  "t.layout:1: the page must be 25.4 to 1016 mm on each side (got 2000 x 100)" },
		{ "[page]\nwidth = 40\nheight = 6\ndpi = 1200\nphotos = 1\n[photo]\n",
		  "t.layout:1: the page is larger than 12000 pixels at 1200 dpi" },
		{ "[photo]\n", "t.layout:1: [photo] must come after [page]" },
		{ "[page]\nwidth = 4\nheight = 6\nphotos = 1\n[page]\n",
		  "t.layout:5: [page] appears twice" },
		{ "[page]\nwidth = 4\nheight = 6\nphotos = 2\n[photo]\nphoto = 3\n",
		  "t.layout:6: 'photo' must be between 1 and 2 (got 3)" },
		{ "[page]\nwidth = 4\nheight = 6\nphotos = 1\n[photo]\nphoto = 1\nx = 0\n",
		  "t.layout:5: [photo] needs x, y, width and height" },
		{ "[page]\nwidth = 4\nheight = 6\nphotos = 1\n[photo]\nx = 0\ny = 0\nwidth = 1\n"
		  "height = 1\n",
		  "t.layout:5: [photo] needs 'photo', the number of the photo it shows" },
		{ "[page]\nwidth = 4\nheight = 6\nphotos = 1\n[photo]\nphoto = 1\nx = 3.5\ny = 0\n"
		  "width = 0.6\nheight = 1\n",
		  "t.layout:5: [photo] ends beyond the page's right edge (x + width = 4.1 in > "
		  "4)" },
		{ "[page]\nwidth = 4\nheight = 6\nphotos = 1\n[photo]\nphoto = 1\nx = 0\ny = 5.5\n"
		  "width = 1\nheight = 1\n",
		  "t.layout:5: [photo] ends beyond the page's bottom edge (y + height = 6.5 in > "
		  "6)" },
		{ "[page]\nwidth = 4\nheight = 6\nphotos = 2\n[photo]\nphoto = 1\nx = 0\ny = 0\n"
		  "width = 1\nheight = 1\n",
		  "t.layout: photo 2 is not placed in any [photo] cell" },
		{ "[page]\nwidth = 4\nheight = 6\nphotos = 1\n[title]\nalign = middle\n",
		  "t.layout:6: 'align' must be left, center or right (got 'middle')" },
		{ "[page]\nwidth = 4\nheight = 6\nphotos = 1\n[date]\nfont = a:b\n",
		  "t.layout:6: 'font' holds a character not allowed in a font family name" },
		{ "[page]\nwidth = 4\nheight = 6\nphotos = 1\n[date]\ncolor = #fff\n",
		  "t.layout:6: 'color' must be a colour #rrggbb (got '#fff')" },
		{ "[page]\nwidth = 4\nheight = 6\nphotos = 1\n[overlay]\nx = 1\n",
		  "t.layout:5: [overlay] needs x, y, width and height" },
		{ "[page]\nwidth = 4\nheight = 6\nphotos = 1\n[logo]\nfile = a.png\n",
		  "t.layout:5: [logo] needs x, y, width and height" },
		{ "[page]\nwidth = 4\nheight = 6\nphotos = 1\n[overlay]\n[photo]\n",
		  "t.layout:5: [overlay] needs 'file'" },
		{ "[page]\nwidth = 4\nheight = 6\nphotos = 1\n[overlay]\nfile =\n",
		  "t.layout:6: 'file' must not be empty" },
	};
	struct layout l;
	char err[LAYOUT_ERR_MAX];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = '\0';
		CHECK_INT(parse(cases[i].text, &l, err, sizeof(err)), ==, -EINVAL);
		CHECK_STR(err, cases[i].msg);
	}
}

static void test_limits(void)
{
	struct layout l, before;
	char err[LAYOUT_ERR_MAX] = "", *text = malloc(8192), *p;

	REQUIRE(text);
	p = text + sprintf(text, "%s", page4);
	for (int i = 0; i < LAYOUT_CELLS_MAX + 1; i++)
		p += sprintf(p, "[photo]\nphoto = 1\nx = 0\ny = 0\nwidth = 1\nheight = 1\n");
	CHECK_INT(parse(text, &l, err, sizeof(err)), ==, -EINVAL);
	CHECK_STR(err, "t.layout:101: more than 16 [photo] cells");

	p = text +
	    sprintf(text, "%s[photo]\nphoto = 1\nx = 0\ny = 0\nwidth = 1\nheight = 1\n", page4);
	for (int i = 0; i < LAYOUT_TEXTS_MAX + 1; i++)
		p += sprintf(p, "[title]\nx = 0\ny = 0\nwidth = 1\nheight = 1\n");
	CHECK_INT(parse(text, &l, err, sizeof(err)), ==, -EINVAL);
	CHECK_STR(err, "t.layout:51: more than 8 [title] and [date] boxes");

	memset(text, 'a', 2000);
	text[2000] = '\0';
	CHECK_INT(parse(text, &l, err, sizeof(err)), ==, -EINVAL);
	CHECK_STR(err, "t.layout:1: line longer than 1024 characters");

	/* *ret is untouched on failure. */
	memset(&before, 0x5a, sizeof(before));
	l = before;
	CHECK_INT(parse("[page]\nwidth = 4\n", &l, err, sizeof(err)), ==, -EINVAL);
	CHECK_INT(l.dpi, ==, before.dpi);
	CHECK_INT(l.ncells, ==, before.ncells);
	CHECK_INT(l.photos, ==, before.photos);
	free(text);
}

static void test_find(void)
{
	char dir[] = "/tmp/booth-test-layout-XXXXXX", file[64], path[PATH_MAX];
	const char *dirs[] = { "/nonexistent", dir, NULL };
	FILE *f;

	REQUIRE(mkdtemp(dir));
	snprintf(file, sizeof(file), "%s/2x6-strip.layout", dir);
	f = fopen(file, "we");
	REQUIRE(f);
	fclose(f);
	CHECK_INT(layout_find("2x6-strip", dirs, path, sizeof(path)), ==, 0);
	CHECK_STR(path, file);
	CHECK_INT(layout_find("nope", dirs, path, sizeof(path)), ==, -ENOENT);
	CHECK_INT(layout_find("2x6-strip", dirs + 2, path, sizeof(path)), ==, -ENOENT);
	CHECK_INT(layout_find("../etc/passwd", dirs, path, sizeof(path)), ==, 0);
	CHECK_STR(path, "../etc/passwd");
	CHECK_INT(layout_find("Bad Name", dirs, path, sizeof(path)), ==, -EINVAL);
	CHECK_INT(layout_find("x.layout", dirs, path, sizeof(path)), ==, 0);
	CHECK_STR(path, "x.layout");
	unlink(file);
	rmdir(dir);
}

/* Only the layout of two strips on one page asks the printer to cut it; booth-compose and boothd
 * find the shipped layouts in ./layouts when no directory is configured. */
static void test_shipped_cut(void)
{
	static const struct {
		const char *name;
		bool cut;
	} shipped[] = {
		{ "4x6-two-strips", true },
		{ "2x6-strip", false },
		{ "4x6-grid", false },
		{ "4x6-single", false },
	};
	char err[LAYOUT_ERR_MAX], path[PATH_MAX];
	struct layout *l = malloc(sizeof(*l));

	REQUIRE(l);
	for (size_t i = 0; i < sizeof(shipped) / sizeof(shipped[0]); i++) {
		CHECK_INT(layout_find_default(shipped[i].name, "layouts", path, sizeof(path)), ==,
			  0);
		CHECK_INT(layout_load(path, l, err, sizeof(err)), ==, 0);
		CHECK_MSG(l->cut == shipped[i].cut, "%s: cut = %d", shipped[i].name, l->cut);
		/* Every shipped layout takes its photos from the stream. */
		CHECK(!l->full_stills);
		CHECK(!layout_full_stills(shipped[i].name, "layouts"));
		/* Without a directory: the installed layouts, else ./layouts. */
		if (access(BOOTH_LAYOUT_DIR, F_OK) < 0) {
			char want[128];

			snprintf(want, sizeof(want), "layouts/%s.layout", shipped[i].name);
			CHECK_INT(layout_find_default(shipped[i].name, NULL, path, sizeof(path)),
				  ==, 0);
			CHECK_STR(path, want);
		}
	}
	CHECK_INT(layout_find_default("nope", "layouts", path, sizeof(path)), ==, -ENOENT);
	free(l);
}

static void test_load_errors(void)
{
	struct layout l;
	char err[LAYOUT_ERR_MAX] = "";
	char path[] = "/tmp/booth-test-layout-XXXXXX";
	int fd = mkstemp(path);

	REQUIRE(fd >= 0);
	CHECK(write(fd, "[page]\nwidth\0 = 4\n", 18) == 18);
	close(fd);
	CHECK_INT(layout_load(path, &l, err, sizeof(err)), ==, -EINVAL);
	CHECK(strstr(err, "contains a NUL byte") != NULL);
	unlink(path);
	CHECK_INT(layout_load(path, &l, err, sizeof(err)), ==, -ENOENT);
	CHECK(strstr(err, "No such file or directory") != NULL);
}

int main(int argc, char **argv)
{
	static const struct test tests[] = {
		{ "minimal", test_minimal },
		{ "everything", test_everything },
		{ "errors", test_errors },
		{ "limits", test_limits },
		{ "find", test_find },
		{ "load_errors", test_load_errors },
		{ "shipped_cut", test_shipped_cut },
		{ NULL, NULL },
	};

	return test_main(argc, argv, tests);
}
