/* SPDX-License-Identifier: MIT */
/* The strip composer: JPEG decoding with DCT scaling, cover-fit cells, PNG overlays, one encode. */
#include "compose.h"
#include "rawframe.h"
#include "resample.h"
#include "text.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
/* jpeglib.h needs FILE and size_t first. */
#include <jpeglib.h>
#include <jerror.h>

#define PHOTO_PIXELS_MAX  ((size_t)100 * 1000 * 1000) /* a photo's full size */
#define DECODED_BYTES_MAX ((size_t)128 * 1024 * 1024) /* a photo after DCT scaling */
#define PNG_SIDE_MAX	  8192
#define DEFAULT_QUALITY	  90
#define EXIF_ORIENTATION  0x0112

/* libjpeg reports errors through a callback that must not return: we jump back. Warnings (such
 * as "Premature end of JPEG file") mean damaged data, which a print must not show, so they are
 * errors too. */
struct jpeg_err {
	struct jpeg_error_mgr mgr;
	jmp_buf jump;
	char msg[JMSG_LENGTH_MAX];
};

static void jpeg_err_exit(j_common_ptr cinfo)
{
	struct jpeg_err *e = (struct jpeg_err *)(void *)cinfo->err;

	cinfo->err->format_message(cinfo, e->msg);
	longjmp(e->jump, 1);
}

static void jpeg_err_emit(j_common_ptr cinfo, int level)
{
	if (level < 0)
		jpeg_err_exit(cinfo);
}

/* A photo decoded at a DCT-scaled size, seen upright through its EXIF orientation; or a raw
 * frame file mapped as it is. */
struct photo {
	uint8_t *rgb;
	int w, h;  /* as decoded */
	void *map; /* a raw frame file, mapped */
	size_t map_len;
	struct resample_src view;
};

static unsigned get16(const uint8_t *p, bool le)
{
	return le ? (unsigned)(p[0] | p[1] << 8) : (unsigned)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p, bool le)
{
	return le ? (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
			       (uint32_t)p[3] << 24
		  : (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
			       (uint32_t)p[3];
}

/* The EXIF orientation (1..8) in the APP1 markers libjpeg saved, 1 if there is none. */
static int exif_orientation(j_decompress_ptr cinfo)
{
	for (jpeg_saved_marker_ptr m = cinfo->marker_list; m; m = m->next) {
		const uint8_t *t = m->data + 6;
		uint32_t len, ifd;
		unsigned n;
		bool le;

		if (m->marker != JPEG_APP0 + 1 || m->data_length < 14 ||
		    memcmp(m->data, "Exif\0\0", 6) != 0)
			continue;
		len = m->data_length - 6;
		if (memcmp(t, "II*\0", 4) == 0)
			le = true;
		else if (memcmp(t, "MM\0*", 4) == 0)
			le = false;
		else
			return 1;
		ifd = get32(t + 4, le);
		if (ifd > len - 2)
			return 1;
		n = get16(t + ifd, le);
		for (unsigned i = 0; i < n; i++) {
			const uint8_t *e = t + ifd + 2 + (size_t)12 * i;
			unsigned v;

			if (ifd + 2 + (size_t)12 * (i + 1) > len)
				return 1;
			if (get16(e, le) != EXIF_ORIENTATION)
				continue;
			v = get16(e + 8, le);
			return get16(e + 2, le) == 3 && v >= 1 && v <= 8 ? (int)v : 1;
		}
		return 1;
	}
	return 1;
}

/* Point PH->view at the decoded pixels so that the view is the upright picture. */
static void photo_orient(struct photo *ph, int orientation)
{
	ptrdiff_t px = 3, row = (ptrdiff_t)ph->w * 3;
	ptrdiff_t right = (ptrdiff_t)(ph->w - 1) * px, bottom = (ptrdiff_t)(ph->h - 1) * row;
	static const struct {
		int base;	  /* bit 0: start at the right, bit 1: at the bottom */
		int xstep, ystep; /* +-1: a pixel, +-2: a row */
		bool swap;
	} o[9] = {
		[1] = { 0, 1, 2, false },  [2] = { 1, -1, 2, false }, [3] = { 3, -1, -2, false },
		[4] = { 2, 1, -2, false }, [5] = { 0, 2, 1, true },   [6] = { 2, -2, 1, true },
		[7] = { 3, -2, -1, true }, [8] = { 1, 2, -1, true },
	};
	int i = orientation >= 1 && orientation <= 8 ? orientation : 1;

	ph->view.base = ph->rgb + (o[i].base & 1 ? right : 0) + (o[i].base & 2 ? bottom : 0);
	ph->view.xstep = (o[i].xstep > 0 ? 1 : -1) * (abs(o[i].xstep) == 1 ? px : row);
	ph->view.ystep = (o[i].ystep > 0 ? 1 : -1) * (abs(o[i].ystep) == 1 ? px : row);
	ph->view.w = o[i].swap ? ph->h : ph->w;
	ph->view.h = o[i].swap ? ph->w : ph->h;
	ph->view.channels = 3;
}

/* Our own file source: a close-on-exec descriptor and a buffer much larger than stdio's 4 KiB,
 * because libjpeg-turbo takes its fast Huffman path only while a few KiB of input are buffered. */
#define SOURCE_BUF_SIZE ((size_t)256 * 1024)

struct decode {
	struct jpeg_decompress_struct cinfo;
	struct jpeg_err jerr;
	struct jpeg_source_mgr src;
	int fd;
	bool any; /* read any data at all */
	bool created, started;
	JOCTET buf[SOURCE_BUF_SIZE];
};

static void source_init(j_decompress_ptr cinfo)
{
	(void)cinfo;
}

static boolean source_fill(j_decompress_ptr cinfo)
{
	struct decode *d = (struct decode *)(void *)cinfo;
	ssize_t n;

	do
		n = read(d->fd, d->buf, sizeof(d->buf));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		ERREXIT(cinfo, JERR_FILE_READ);
	if (n == 0) {
		if (!d->any)
			ERREXIT(cinfo, JERR_INPUT_EMPTY);
		/* A truncated file: libjpeg's own answer is a warning and a fake end marker; our
		 * warning handler makes it an error. */
		WARNMS(cinfo, JWRN_JPEG_EOF);
		d->buf[0] = 0xff;
		d->buf[1] = JPEG_EOI;
		n = 2;
	}
	d->any = true;
	d->src.next_input_byte = d->buf;
	d->src.bytes_in_buffer = (size_t)n;
	return TRUE;
}

static void source_skip(j_decompress_ptr cinfo, long n)
{
	struct decode *d = (struct decode *)(void *)cinfo;

	if (n <= 0)
		return;
	while ((size_t)n > d->src.bytes_in_buffer) {
		n -= (long)d->src.bytes_in_buffer;
		source_fill(cinfo);
	}
	d->src.next_input_byte += n;
	d->src.bytes_in_buffer -= (size_t)n;
}

static void source_term(j_decompress_ptr cinfo)
{
	(void)cinfo;
}

/* Decode PATH into PH at the smallest DCT scale (1/8 .. 8/8) at which the upright picture is at
 * least NEED_W x NEED_H for every cell (the cells' sizes come in pairs in NEED, N of them). */
static int photo_decode(struct decode *d, const char *path, const int *need, size_t n,
			struct photo *ph, char *err, size_t errlen)
{
	struct jpeg_decompress_struct *ci = &d->cinfo;
	int orientation;
	size_t bytes;

	d->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (d->fd < 0) {
		int r = -errno;

		snprintf(err, errlen, "%s: %s", path, strerror(-r));
		return r;
	}
	ci->err = jpeg_std_error(&d->jerr.mgr);
	d->jerr.mgr.error_exit = jpeg_err_exit;
	d->jerr.mgr.emit_message = jpeg_err_emit;
	if (setjmp(d->jerr.jump)) {
		snprintf(err, errlen, "%s: %s (%s)", path,
			 d->started ? "corrupt or truncated JPEG" : "not a valid JPEG image",
			 d->jerr.msg);
		return -EINVAL;
	}
	jpeg_create_decompress(ci);
	d->created = true;
	d->src.init_source = source_init;
	d->src.fill_input_buffer = source_fill;
	d->src.skip_input_data = source_skip;
	d->src.resync_to_restart = jpeg_resync_to_restart;
	d->src.term_source = source_term;
	ci->src = &d->src;
	jpeg_save_markers(ci, JPEG_APP0 + 1, 0xffff);
	jpeg_read_header(ci, TRUE);
	if ((size_t)ci->image_width * ci->image_height > PHOTO_PIXELS_MAX) {
		snprintf(err, errlen, "%s: image too large (%ux%u)", path, ci->image_width,
			 ci->image_height);
		return -E2BIG;
	}
	if (ci->jpeg_color_space == JCS_CMYK || ci->jpeg_color_space == JCS_YCCK) {
		snprintf(err, errlen, "%s: CMYK JPEGs are not supported", path);
		return -EINVAL;
	}
	orientation = exif_orientation(ci);
	ci->out_color_space = JCS_RGB;
	ci->dct_method = JDCT_ISLOW;
	ci->scale_denom = 8;
	for (ci->scale_num = 1; ci->scale_num < 8; ci->scale_num++) {
		bool swap = orientation >= 5;
		bool enough = true;

		jpeg_calc_output_dimensions(ci);
		for (size_t i = 0; i < n; i++) {
			unsigned w = swap ? ci->output_height : ci->output_width;
			unsigned h = swap ? ci->output_width : ci->output_height;

			if (w < (unsigned)need[2 * i] || h < (unsigned)need[2 * i + 1])
				enough = false;
		}
		if (enough)
			break;
	}
	d->started = true;
	jpeg_start_decompress(ci);
	bytes = (size_t)ci->output_width * ci->output_height * 3;
	if (bytes > DECODED_BYTES_MAX) {
		snprintf(err, errlen, "%s: image too large (%ux%u)", path, ci->image_width,
			 ci->image_height);
		return -E2BIG;
	}
	ph->w = (int)ci->output_width;
	ph->h = (int)ci->output_height;
	ph->rgb = malloc(bytes);
	if (!ph->rgb) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	while (ci->output_scanline < ci->output_height) {
		JSAMPROW row = ph->rgb + (size_t)ci->output_scanline * ci->output_width * 3;

		jpeg_read_scanlines(ci, &row, 1);
	}
	jpeg_finish_decompress(ci);
	photo_orient(ph, orientation);
	return 0;
}

/* ACC[i] += ROW[i] for N bytes: 16 at a time through the compiler's vector types (SSE2 on
 * x86-64, NEON on the Pi), which -O2 does not do on its own for a loop like this. */
typedef uint8_t u8x16 __attribute__((vector_size(16)));
typedef uint16_t u16x16 __attribute__((vector_size(32)));

static void add_row(uint16_t *acc, const uint8_t *row, size_t n)
{
	size_t i = 0;

	for (; i + 16 <= n; i += 16) {
		u8x16 v;
		u16x16 a;

		memcpy(&v, row + i, sizeof(v));
		memcpy(&a, acc + i, sizeof(a));
		a += __builtin_convertvector(v, u16x16);
		memcpy(acc + i, &a, sizeof(a));
	}
	for (; i < n; i++)
		acc[i] = (uint16_t)(acc[i] + row[i]);
}

/* Average K x K blocks of the W x H RGB picture at SRC (rows of STRIDE bytes) into DST, which
 * holds (W / K) x (H / K) pixels; ACC has room for W * 3 sums. The raw frame's counterpart of
 * libjpeg's DCT scaling: an area average down to a size that still covers every cell, so that
 * the resampler's filter stays short. Rows are summed first (a loop the compiler vectorises),
 * then each block's columns. */
static void box_reduce(const uint8_t *src, size_t stride, int w, int h, int k, uint8_t *dst,
		       uint16_t *acc)
{
	int ow = w / k, oh = h / k;
	size_t n = (size_t)ow * 3 * (size_t)k;
	uint32_t inv = (65536u + (uint32_t)(k * k) / 2) / (uint32_t)(k * k);

	for (int y = 0; y < oh; y++) {
		const uint8_t *row = src + (size_t)y * (size_t)k * stride;
		uint8_t *out = dst + (size_t)y * (size_t)ow * 3;

		memset(acc, 0, n * sizeof(*acc));
		for (int j = 0; j < k; j++, row += stride)
			add_row(acc, row, n);
		for (int x = 0; x < ow; x++) {
			const uint16_t *a = acc + (size_t)x * 3 * (size_t)k;
			uint32_t r = 0, g = 0, b = 0;

			for (size_t i = 0; i < (size_t)k; i++) {
				r += a[3 * i];
				g += a[3 * i + 1];
				b += a[3 * i + 2];
			}
			out[3 * (size_t)x] = (uint8_t)((r * inv + 32768u) >> 16);
			out[3 * (size_t)x + 1] = (uint8_t)((g * inv + 32768u) >> 16);
			out[3 * (size_t)x + 2] = (uint8_t)((b * inv + 32768u) >> 16);
		}
	}
}

/* The largest factor (1..8) by which a W x H picture can shrink and still cover every cell
 * (sizes in pairs in NEED, N of them). */
static int reduce_factor(int w, int h, const int *need, size_t n)
{
	int k = 8;

	for (; k > 1; k--) {
		bool enough = true;

		for (size_t i = 0; i < n; i++)
			if (w / k < need[2 * i] || h / k < need[2 * i + 1])
				enough = false;
		if (enough)
			break;
	}
	return k;
}

/* A raw frame file from the camera (rawframe.h): mapped, no decoding at all; reduced by an area
 * average when it is more than twice the size of its cells. */
static int photo_map_raw(int fd, const char *path, const int *need, size_t n, struct photo *ph,
			 char *err, size_t errlen)
{
	struct rawframe f;
	struct stat st;
	uint16_t *acc;
	int k;

	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size < RAWFRAME_HEADER ||
	    (uint64_t)st.st_size >
		    RAWFRAME_HEADER + (uint64_t)RAWFRAME_SIDE_MAX * (3 * RAWFRAME_SIDE_MAX + 64)) {
		snprintf(err, errlen, "%s: not a valid raw frame", path);
		return -EINVAL;
	}
	ph->map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
	if (ph->map == MAP_FAILED) {
		int r = -errno;

		ph->map = NULL;
		snprintf(err, errlen, "%s: %s", path, strerror(-r));
		return r;
	}
	ph->map_len = (size_t)st.st_size;
	if (rawframe_parse(ph->map, ph->map_len, &f) < 0) {
		snprintf(err, errlen, "%s: not a valid raw frame", path);
		return -EINVAL;
	}
	ph->w = f.width;
	ph->h = f.height;
	ph->view = (struct resample_src){ .base = f.pixels,
					  .xstep = 3,
					  .ystep = (ptrdiff_t)f.stride,
					  .w = f.width,
					  .h = f.height,
					  .channels = 3 };
	k = reduce_factor(f.width, f.height, need, n);
	if (k == 1)
		return 0;
	ph->w = f.width / k;
	ph->h = f.height / k;
	ph->rgb = malloc((size_t)ph->w * (size_t)ph->h * 3);
	acc = malloc((size_t)f.width * 3 * sizeof(*acc));
	if (!ph->rgb || !acc) {
		free(acc);
		snprintf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	box_reduce(f.pixels, f.stride, f.width, f.height, k, ph->rgb, acc);
	free(acc);
	munmap(ph->map, ph->map_len);
	ph->map = NULL;
	photo_orient(ph, 1);
	return 0;
}

static void photo_free(struct photo *ph)
{
	free(ph->rgb);
	ph->rgb = NULL;
	if (ph->map)
		munmap(ph->map, ph->map_len);
	ph->map = NULL;
}

/* Whether PATH starts like a raw frame file: 1 with the open file in *FD, 0, or -errno (ERR
 * says why). */
static int raw_open(const char *path, int *fd, char *err, size_t errlen)
{
	char magic[RAWFRAME_MAGIC_LEN];
	ssize_t n;
	int r;

	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0) {
		r = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-r));
		return r;
	}
	n = pread(*fd, magic, sizeof(magic), 0);
	if (n > 0 && rawframe_is(magic, (size_t)n))
		return 1;
	close(*fd);
	*fd = -1;
	return 0;
}

static int photo_load(const char *path, const int *need, size_t n, struct photo *ph, char *err,
		      size_t errlen)
{
	struct decode *d;
	int fd = -1, r;

	r = raw_open(path, &fd, err, errlen);
	if (r < 0)
		return r;
	if (r > 0) {
		r = photo_map_raw(fd, path, need, n, ph, err, errlen);
		close(fd);
		if (r < 0)
			photo_free(ph);
		return r;
	}
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->fd = -1;
	r = photo_decode(d, path, need, n, ph, err, errlen);
	if (d->created)
		jpeg_destroy_decompress(&d->cinfo);
	if (d->fd >= 0)
		close(d->fd);
	free(d);
	if (r < 0) {
		free(ph->rgb);
		ph->rgb = NULL;
	}
	return r;
}

/* Where resampled rows go: straight into a page rectangle, or blended onto it. */
struct sink {
	const struct compose_page *page;
	int x, y; /* top left on the page */
	int w;
	bool blend; /* rows are premultiplied RGBA */
};

static uint8_t clamp8(float v)
{
	return v <= 0 ? 0 : v >= 255 ? 255 : (uint8_t)lrintf(v);
}

static void sink_row(void *ctx, int y, const float *row)
{
	const struct sink *s = ctx;
	uint8_t *d = s->page->rgb + ((size_t)(s->y + y) * (size_t)s->page->w + (size_t)s->x) * 3;

	if (!s->blend) {
		for (int i = 0; i < s->w * 3; i++)
			d[i] = clamp8(row[i]);
		return;
	}
	for (int i = 0; i < s->w; i++, d += 3, row += 4) {
		float a = row[3] <= 0 ? 0 : row[3] >= 255 ? 1 : row[3] / 255;

		for (int c = 0; c < 3; c++)
			d[c] = clamp8(row[c] + (float)d[c] * (1 - a));
	}
}

/* Fill pixel rectangle R with the middle of the upright photo, scaled to cover it. */
static int fill_cell(const struct compose_page *page, const struct photo *ph,
		     const struct layout_px *r)
{
	int cw = r->x1 - r->x0, ch = r->y1 - r->y0;
	double s = fmax((double)cw / ph->view.w, (double)ch / ph->view.h);
	double sw = fmin(cw / s, ph->view.w), sh = fmin(ch / s, ph->view.h);
	struct sink sink = { .page = page, .x = r->x0, .y = r->y0, .w = cw };
	double sx = (ph->view.w - sw) / 2, sy = (ph->view.h - sh) / 2;

	/* The picture is the cell's size already (a raw frame reduced to it): a copy is what the
	 * filter would compute. */
	if (s == 1 && sx == floor(sx) && sy == floor(sy)) {
		for (int y = 0; y < ch; y++) {
			const uint8_t *p = ph->view.base + ((ptrdiff_t)sy + y) * ph->view.ystep +
					   (ptrdiff_t)sx * ph->view.xstep;
			uint8_t *d = page->rgb +
				     ((size_t)(r->y0 + y) * (size_t)page->w + (size_t)r->x0) * 3;

			for (size_t x = 0; x < (size_t)cw; x++, p += ph->view.xstep)
				memcpy(d + 3 * x, p, 3);
		}
		return 0;
	}
	return resample(&ph->view, sx, sy, sw, sh, cw, ch, sink_row, &sink);
}

static void copy_cell(const struct compose_page *page, const struct layout_px *from,
		      const struct layout_px *to)
{
	size_t row = (size_t)(to->x1 - to->x0) * 3;

	for (int y = 0; y < to->y1 - to->y0; y++)
		memcpy(page->rgb + ((size_t)(to->y0 + y) * (size_t)page->w + (size_t)to->x0) * 3,
		       page->rgb +
			       ((size_t)(from->y0 + y) * (size_t)page->w + (size_t)from->x0) * 3,
		       row);
}

static bool px_empty(const struct layout_px *r)
{
	return r->x1 <= r->x0 || r->y1 <= r->y0;
}

/* Photo I into every cell that shows it. */
/* A test pattern for cell P of photo I: colour bars over a grey ramp, no person in sight. */
static void fill_test(const struct compose_page *page, const struct layout_px *p, int i)
{
	static const uint8_t bars[7][3] = { { 192, 192, 192 }, { 192, 192, 0 }, { 0, 192, 192 },
					    { 0, 192, 0 },     { 192, 0, 192 }, { 192, 0, 0 },
					    { 0, 0, 192 } };
	int w = p->x1 - p->x0, h = p->y1 - p->y0;

	for (int y = 0; y < h; y++) {
		uint8_t *row =
			page->rgb + ((size_t)(p->y0 + y) * (size_t)page->w + (size_t)p->x0) * 3;

		for (size_t x = 0; x < (size_t)w; x++) {
			uint8_t *px = row + 3 * x;

			if (y < h * 2 / 3) {
				memcpy(px, bars[((int)x * 7 / w + i) % 7], 3);
			} else {
				uint8_t v = (uint8_t)((int)x * 255 / (w > 1 ? w - 1 : 1));

				px[0] = px[1] = px[2] = v;
			}
		}
	}
}

static int place_photo(const struct layout *l, int dpi, const struct compose_page *page, int i,
		       const char *path, char *err, size_t errlen)
{
	struct layout_px px[LAYOUT_CELLS_MAX];
	int need[2 * LAYOUT_CELLS_MAX];
	struct photo ph = { 0 };
	size_t n = 0;
	int r;

	for (size_t c = 0; c < l->ncells; c++) {
		struct layout_px p = layout_rect_px(&l->cells[c].r, dpi);

		if (l->cells[c].photo != i || px_empty(&p))
			continue;
		px[n] = p;
		need[2 * n] = p.x1 - p.x0;
		need[2 * n + 1] = p.y1 - p.y0;
		n++;
	}
	if (n == 0)
		return 0;
	if (!path) {
		for (size_t c = 0; c < n; c++)
			fill_test(page, &px[c], i);
		return 0;
	}
	r = photo_load(path, need, n, &ph, err, errlen);
	if (r < 0)
		return r;
	for (size_t c = 0; c < n && r >= 0; c++) {
		size_t same = 0;

		/* A cell the size of one already filled gets a copy (the two-strip print). */
		while (same < c &&
		       (need[2 * same] != need[2 * c] || need[2 * same + 1] != need[2 * c + 1]))
			same++;
		if (same < c)
			copy_cell(page, &px[same], &px[c]);
		else
			r = fill_cell(page, &ph, &px[c]);
	}
	photo_free(&ph);
	if (r < 0)
		snprintf(err, errlen, "%s: cannot scale (%s)", path, strerror(-r));
	return r;
}

/* A PNG with alpha, scaled into rectangle R: stretched to fill it (an overlay frame) or fitted
 * inside it and centred (a logo). */
static int place_png(const struct compose_page *page, const struct layout_image *img,
		     const struct layout_px *r, bool fit, char *err, size_t errlen)
{
	png_image png = { .version = PNG_IMAGE_VERSION };
	uint8_t *buf = NULL;
	FILE *f = fopen(img->path, "rbe");
	struct layout_px dst = *r;
	struct resample_src src;
	struct sink sink;
	int res = -EINVAL;

	if (!f) {
		res = -errno;
		snprintf(err, errlen, "%s: %s", img->path, strerror(-res));
		return res;
	}
	if (!png_image_begin_read_from_stdio(&png, f)) {
		snprintf(err, errlen, "%s: not a valid PNG image (%s)", img->path, png.message);
		goto out;
	}
	if (png.width > PNG_SIDE_MAX || png.height > PNG_SIDE_MAX) {
		snprintf(err, errlen, "%s: image too large (%ux%u)", img->path, png.width,
			 png.height);
		res = -E2BIG;
		goto out;
	}
	png.format = PNG_FORMAT_RGBA;
	buf = malloc((size_t)png.width * png.height * 4);
	if (!buf) {
		res = -ENOMEM;
		goto out;
	}
	if (!png_image_finish_read(&png, NULL, buf, 0, NULL)) {
		snprintf(err, errlen, "%s: corrupt PNG image (%s)", img->path, png.message);
		goto out;
	}
	/* Premultiplied alpha, so that transparent pixels lend no colour to their neighbours. */
	for (size_t i = 0; i < (size_t)png.width * png.height; i++) {
		uint8_t *p = buf + 4 * i;

		for (int c = 0; c < 3; c++)
			p[c] = (uint8_t)((p[c] * p[3] + 127) / 255);
	}
	if (fit) {
		int bw = r->x1 - r->x0, bh = r->y1 - r->y0;
		double s = fmin((double)bw / png.width, (double)bh / png.height);
		int w = (int)lround(png.width * s), h = (int)lround(png.height * s);

		dst.x0 = r->x0 + (bw - w) / 2;
		dst.y0 = r->y0 + (bh - h) / 2;
		dst.x1 = dst.x0 + w;
		dst.y1 = dst.y0 + h;
	}
	res = 0;
	if (px_empty(&dst))
		goto out;
	src = (struct resample_src){ .base = buf,
				     .xstep = 4,
				     .ystep = (ptrdiff_t)png.width * 4,
				     .w = (int)png.width,
				     .h = (int)png.height,
				     .channels = 4 };
	sink = (struct sink){
		.page = page, .x = dst.x0, .y = dst.y0, .w = dst.x1 - dst.x0, .blend = true
	};
	res = resample(&src, 0, 0, png.width, png.height, sink.w, dst.y1 - dst.y0, sink_row, &sink);
	if (res < 0)
		snprintf(err, errlen, "%s: cannot scale (%s)", img->path, strerror(-res));
out:
	png_image_free(&png);
	free(buf);
	fclose(f);
	return res;
}

static int check_text(const char *what, const char *s, char *err, size_t errlen)
{
	int r;

	if (!s)
		return 0;
	r = text_validate(s, COMPOSE_TEXT_MAX);
	if (r == -E2BIG)
		snprintf(err, errlen, "the %s is longer than %d bytes", what, COMPOSE_TEXT_MAX);
	else if (r < 0)
		snprintf(err, errlen, "the %s is not valid UTF-8 text", what);
	return r < 0 ? -EINVAL : 0;
}

int compose_render(const struct layout *l, const char *const *paths, size_t n,
		   const struct compose_opts *opts, struct compose_page *ret, char *err,
		   size_t errlen)
{
	static const struct compose_opts no_opts = { 0 };
	struct compose_page page = { 0 };
	int dpi, r;

	if (!opts)
		opts = &no_opts;
	dpi = opts->dpi ? opts->dpi : l->dpi;
	if (n > (size_t)l->photos || (n == 0 && !opts->test_pattern)) {
		snprintf(err, errlen, "the layout takes %s%d photo%s, got %zu",
			 l->photos > 1 ? "at most " : "", l->photos, l->photos == 1 ? "" : "s", n);
		return -EINVAL;
	}
	r = check_text("title", opts->title, err, errlen);
	if (r < 0)
		return r;
	r = check_text("date", opts->date, err, errlen);
	if (r < 0)
		return r;
	if (layout_page_px(l, dpi, &page.w, &page.h) < 0) {
		snprintf(err, errlen, "the page does not fit %d pixels per side at %d dpi",
			 LAYOUT_PX_MAX, dpi);
		return -ERANGE;
	}
	page.rgb = malloc((size_t)page.w * (size_t)page.h * 3);
	if (!page.rgb) {
		snprintf(err, errlen, "out of memory for a %dx%d page", page.w, page.h);
		return -ENOMEM;
	}
	for (size_t i = 0; i < (size_t)page.w; i++)
		memcpy(page.rgb + 3 * i, l->background, 3);
	for (size_t y = 1; y < (size_t)page.h; y++)
		memcpy(page.rgb + y * (size_t)page.w * 3, page.rgb, (size_t)page.w * 3);

	/* One photo at a time: only one decoded photo is ever in memory. */
	/* Fewer photos than the layout takes fill its cells in turn; none draw a test pattern. */
	for (int i = 0; i < l->photos; i++) {
		r = place_photo(l, dpi, &page, i, n ? paths[(size_t)i % n] : NULL, err, errlen);
		if (r < 0)
			goto fail;
	}
	for (size_t i = 0; i < l->nimages; i++) {
		struct layout_px p = layout_rect_px(&l->images[i].r, dpi);

		r = place_png(&page, &l->images[i], &p, l->images[i].kind == LAYOUT_IMAGE_LOGO, err,
			      errlen);
		if (r < 0)
			goto fail;
	}
	for (size_t i = 0; i < l->ntexts; i++) {
		const struct layout_text *t = &l->texts[i];
		const char *s = t->kind == LAYOUT_TEXT_TITLE ? opts->title : opts->date;
		struct layout_px p = layout_rect_px(&t->r, dpi);

		if (!s || !*s)
			continue;
		r = text_draw(page.rgb, page.w, page.h, &p, t, s, err, errlen);
		if (r < 0)
			goto fail;
	}
	*ret = page;
	return 0;
fail:
	free(page.rgb);
	return r;
}

/* Our own growing memory destination, so that every buffer is ours to free after an error. */
struct encode {
	struct jpeg_compress_struct cinfo;
	struct jpeg_err jerr;
	struct jpeg_destination_mgr dest;
	unsigned char *buf;
	size_t size, len;
	bool created;
};

static void dest_init(j_compress_ptr cinfo)
{
	struct encode *e = (struct encode *)(void *)cinfo;

	e->size = (size_t)256 * 1024;
	e->buf = malloc(e->size);
	if (!e->buf)
		ERREXIT1(cinfo, JERR_OUT_OF_MEMORY, 0);
	e->dest.next_output_byte = e->buf;
	e->dest.free_in_buffer = e->size;
}

static boolean dest_grow(j_compress_ptr cinfo)
{
	struct encode *e = (struct encode *)(void *)cinfo;
	unsigned char *bigger = realloc(e->buf, 2 * e->size);

	if (!bigger)
		ERREXIT1(cinfo, JERR_OUT_OF_MEMORY, 1);
	e->buf = bigger;
	e->dest.next_output_byte = e->buf + e->size;
	e->dest.free_in_buffer = e->size;
	e->size *= 2;
	return TRUE;
}

static void dest_term(j_compress_ptr cinfo)
{
	struct encode *e = (struct encode *)(void *)cinfo;

	e->len = e->size - e->dest.free_in_buffer;
}

static int page_encode(struct encode *e, const struct compose_page *page, int quality, int dpi)
{
	struct jpeg_compress_struct *ci = &e->cinfo;

	ci->err = jpeg_std_error(&e->jerr.mgr);
	e->jerr.mgr.error_exit = jpeg_err_exit;
	e->jerr.mgr.emit_message = jpeg_err_emit;
	if (setjmp(e->jerr.jump))
		return -EIO;
	jpeg_create_compress(ci);
	e->created = true;
	e->dest.init_destination = dest_init;
	e->dest.empty_output_buffer = dest_grow;
	e->dest.term_destination = dest_term;
	ci->dest = &e->dest;
	ci->image_width = (JDIMENSION)page->w;
	ci->image_height = (JDIMENSION)page->h;
	ci->input_components = 3;
	ci->in_color_space = JCS_RGB;
	jpeg_set_defaults(ci);
	jpeg_set_quality(ci, quality, TRUE);
	/* Full-resolution colour (4:4:4): titles on a print stay crisp. */
	for (int i = 0; i < ci->num_components; i++)
		ci->comp_info[i].h_samp_factor = ci->comp_info[i].v_samp_factor = 1;
	ci->density_unit = 1; /* dots per inch */
	ci->X_density = ci->Y_density = (UINT16)dpi;
	jpeg_start_compress(ci, TRUE);
	while (ci->next_scanline < ci->image_height) {
		JSAMPROW row = page->rgb + (size_t)ci->next_scanline * (size_t)page->w * 3;

		jpeg_write_scanlines(ci, &row, 1);
	}
	jpeg_finish_compress(ci);
	return 0;
}

int compose_encode(const struct compose_page *page, int quality, int dpi, uint8_t **ret,
		   size_t *len)
{
	struct encode *e;
	int r;

	if (quality < 1 || quality > 100 || dpi < 1 || dpi > 65535)
		return -EINVAL;
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	r = page_encode(e, page, quality, dpi);
	if (e->created)
		jpeg_destroy_compress(&e->cinfo);
	if (r == 0) {
		*ret = e->buf;
		*len = e->len;
	} else {
		free(e->buf);
	}
	free(e);
	return r;
}

int compose_strip(const struct layout *l, const char *const *paths, size_t n,
		  const struct compose_opts *opts, const char *out, char *err, size_t errlen)
{
	struct compose_page page;
	uint8_t *jpeg = NULL;
	size_t len = 0;
	int quality = opts && opts->quality ? opts->quality : DEFAULT_QUALITY;
	int dpi = opts && opts->dpi ? opts->dpi : l->dpi;
	int r;

	r = compose_render(l, paths, n, opts, &page, err, errlen);
	if (r < 0)
		return r;
	r = compose_encode(&page, quality, dpi, &jpeg, &len);
	free(page.rgb);
	if (r < 0) {
		snprintf(err, errlen, "cannot encode the JPEG (%s)", strerror(-r));
		return r;
	}
	r = write_file_atomic(out, jpeg, len, 0644);
	free(jpeg);
	if (r < 0)
		snprintf(err, errlen, "%s: %s", out, strerror(-r));
	return r;
}
