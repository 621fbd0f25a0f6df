/* SPDX-License-Identifier: MIT */
/* libFuzzer target: a printer-input-tray value as a printer sends it (printer/tray.c). */
#include "tray.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int n = tray_level((const char *)data, size);

	/* Unknown, or a count of sheets within bounds. */
	if (n < -1 || n > 1000000)
		abort();
	return 0;
}
