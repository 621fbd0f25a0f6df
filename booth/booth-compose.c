/* SPDX-License-Identifier: MIT */
/* booth-compose: compose a print from photos and a layout, for owners, scripts and tests. */
#include "compose.h"
#include "layout.h"
#include "util.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define EXIT_USAGE 2

static const char *prog = "booth-compose";

static void help(void)
{
	printf("Usage: %s -l LAYOUT -o OUT.jpg [OPTION...] PHOTO...\n"
	       "Compose the photos (JPEG files, or raw frame files from booth-camera) into a "
	       "print\n"
	       "laid out by LAYOUT and write it to OUT.jpg.\n"
	       "Fewer photos than the layout takes fill its cells in turn.\n"
	       "\n"
	       "  -l, --layout LAYOUT   a layout name (LAYOUT.layout in the layouts directory)\n"
	       "                        or the path of a .layout file\n"
	       "  -o, --output OUT      the JPEG to write (atomically)\n"
	       "  -t, --title TEXT      the event title, if the layout has a title box\n"
	       "  -d, --date TEXT       the date to print (default: today, YYYY-MM-DD; \"\" for "
	       "none)\n"
	       "  -L, --layouts DIR     where layouts live (default: %s, then ./layouts)\n"
	       "  -q, --quality N       JPEG quality 1..100 (default 90)\n"
	       "  -r, --dpi N           resolution, %d..%d (default: the layout's)\n"
	       "  -T, --test            no photos: fill the cells with a test pattern\n"
	       "  -h, --help            show this help\n"
	       "\n"
	       "Prints nothing on success; on error, one line on stderr and exit status 1\n"
	       "(2 for a usage error).\n",
	       prog, BOOTH_LAYOUT_DIR, LAYOUT_DPI_MIN, LAYOUT_DPI_MAX);
}

static int usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see --help)\n");
	return EXIT_USAGE;
}

static int fail(const char *msg)
{
	fprintf(stderr, "%s: %s\n", prog, msg);
	return EXIT_FAILURE;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "layout", required_argument, NULL, 'l' },
		{ "output", required_argument, NULL, 'o' },
		{ "title", required_argument, NULL, 't' },
		{ "date", required_argument, NULL, 'd' },
		{ "layouts", required_argument, NULL, 'L' },
		{ "quality", required_argument, NULL, 'q' },
		{ "dpi", required_argument, NULL, 'r' },
		{ "test", no_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *layout_name = NULL, *out = NULL, *layouts = NULL, *date = NULL;
	struct compose_opts opts = { 0 };
	char path[PATH_MAX], today[32], err[LAYOUT_ERR_MAX];
	struct layout *l = NULL;
	long long v;
	int c, r, status = EXIT_FAILURE;

	while ((c = getopt_long(argc, argv, "l:o:t:d:L:q:r:Th", options, NULL)) != -1) {
		switch (c) {
		case 'l':
			layout_name = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 't':
			opts.title = optarg;
			break;
		case 'd':
			date = optarg;
			break;
		case 'L':
			layouts = optarg;
			break;
		case 'q':
			if (parse_int_range(optarg, 1, 100, &v) < 0)
				return usage("--quality must be 1 to 100 (got '%s')", optarg);
			opts.quality = (int)v;
			break;
		case 'r':
			if (parse_int_range(optarg, LAYOUT_DPI_MIN, LAYOUT_DPI_MAX, &v) < 0)
				return usage("--dpi must be 50 to 1200 (got '%s')", optarg);
			opts.dpi = (int)v;
			break;
		case 'T':
			opts.test_pattern = true;
			break;
		case 'h':
			help();
			return EXIT_SUCCESS;
		default:
			/* getopt has said what was wrong. */
			return EXIT_USAGE;
		}
	}
	if (!layout_name)
		return usage("%s", "-l LAYOUT is required");
	if (!out)
		return usage("%s", "-o OUT.jpg is required");
	if (optind >= argc && !opts.test_pattern)
		return usage("%s", "no photos given");
	if (optind < argc && opts.test_pattern)
		return usage("%s", "--test takes no photos");

	r = layout_find_default(layout_name, layouts, path, sizeof(path));
	if (r == -EINVAL || r == -ENOENT) {
		fprintf(stderr, "%s: unknown layout '%s' (no %s.layout in %s)\n", prog, layout_name,
			layout_name, layouts ? layouts : BOOTH_LAYOUT_DIR " or ./layouts");
		return EXIT_FAILURE;
	}
	if (r < 0)
		return fail(strerror(-r));
	l = malloc(sizeof(*l));
	if (!l)
		return fail(strerror(ENOMEM));
	r = layout_load(path, l, err, sizeof(err));
	if (r < 0) {
		status = fail(err);
		goto out;
	}
	if (argc - optind > l->photos) {
		fprintf(stderr, "%s: layout '%s' takes %d photo%s, got %d\n", prog, layout_name,
			l->photos, l->photos == 1 ? "" : "s", argc - optind);
		goto out;
	}
	if (!date && layout_has_text(l, LAYOUT_TEXT_DATE)) {
		time_t now = time(NULL);
		struct tm tm;

		if (localtime_r(&now, &tm) && strftime(today, sizeof(today), "%Y-%m-%d", &tm) > 0)
			date = today;
	}
	opts.date = date;
	r = compose_strip(l, (const char *const *)(argv + optind), (size_t)(argc - optind), &opts,
			  out, err, sizeof(err));
	if (r < 0) {
		status = fail(err);
		goto out;
	}
	status = EXIT_SUCCESS;
out:
	free(l);
	return status;
}
