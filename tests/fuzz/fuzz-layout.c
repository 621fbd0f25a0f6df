/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the layout parser on arbitrary text (layout files owners write). */
#include "layout.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[LAYOUT_ERR_MAX];
	struct layout *l = malloc(sizeof(*l));
	char *text = malloc(size + 1);

	if (!text || !l)
		goto out;
	memcpy(text, data, size);
	text[size] = '\0';
	if (layout_parse_string("fuzz", text, "/base", l, err, sizeof(err)) == 0) {
		int w, h;

		/* Whatever was accepted is within its limits: a page of sane pixels, every cell
		 * on it and showing one of the photos, every photo shown. */
		if (layout_page_px(l, 0, &w, &h) < 0 || l->photos < 1 ||
		    l->photos > LAYOUT_PHOTOS_MAX || l->ncells < 1 ||
		    l->ncells > LAYOUT_CELLS_MAX || l->ntexts > LAYOUT_TEXTS_MAX ||
		    l->nimages > LAYOUT_IMAGES_MAX)
			abort();
		for (size_t i = 0; i < l->ncells; i++) {
			struct layout_px p = layout_rect_px(&l->cells[i].r, l->dpi);

			if (l->cells[i].photo < 0 || l->cells[i].photo >= l->photos || p.x0 < 0 ||
			    p.y0 < 0 || p.x1 > w || p.y1 > h || p.x1 < p.x0 || p.y1 < p.y0)
				abort();
		}
	} else if (!memchr(err, '\0', sizeof(err)) || strncmp(err, "fuzz", 4) != 0) {
		abort();
	}
out:
	free(text);
	free(l);
	return 0;
}
