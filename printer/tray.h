/* SPDX-License-Identifier: MIT */
/* What a printer says about its paper trays: parsing one printer-input-tray value, which comes
 * from the printer and may be malformed (fuzzed by tests/fuzz/fuzz-tray.c). */
#ifndef BOOTH_TRAY_H
#define BOOTH_TRAY_H

#include <stddef.h>

/* The sheets left in one printer-input-tray value of LEN bytes
 * ("type=sheetFeedAutoRemovableTray;mediafeed=0;...;maxcapacity=250;level=120;..."), or -1 when
 * the tray does not say (no level or capacity, a capacity of at most one sheet, garbage). */
int tray_level(const char *text, size_t len);

#endif
