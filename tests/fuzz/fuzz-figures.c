/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the camera's trigger and frame times (events/photo_stored) as boothd reads
 * them for the booth's figures: anything believed lies within the bounds. */
#include "codec.h"
#include "figures.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_object *obj = NULL;
	int64_t us = 0;
	char err[512];

	if (codec_decode(data, size, 16384, &obj, err, sizeof(err)) < 0)
		return 0;
	if (figures_trigger_to_frame(obj, &us) == 1 &&
	    (us > FIGURES_TTF_MAX_US || us < -FIGURES_TTF_MAX_US))
		abort();
	json_object_put(obj);
	return 0;
}
