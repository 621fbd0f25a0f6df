/* SPDX-License-Identifier: MIT */
/* The frames directory: raw frame files (rawframe.h) that booth-camera writes for the composer,
 * named after their session and shot, and deleted by boothd once composed. They hold guests'
 * faces: they live in RAM, are never kept longer than a session, and are never left behind. */
#ifndef BOOTH_FRAMES_H
#define BOOTH_FRAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FRAMES_MAX	 12  /* files the directory holds at most; the oldest go first */
#define FRAMES_MAX_AGE_S 600 /* a file older than this is deleted when the next is written */

/* Write W x H pixels of XRGB8888 (bytes B G R X, rows of STRIDE bytes) exposed at FRAME_US as
 * the raw frame of capture ID (SESSION, SHOT): DIR/sSESSION-SHOT-ID.rgb (ID reduced like the
 * photo store's names), through a temporary name and a rename, mode 0640, so a reader never
 * sees half a frame. DIR is created (0770) if missing; files beyond FRAMES_MAX or older than
 * FRAMES_MAX_AGE_S are deleted first. Returns 0 and the path in PATH (size N), or -errno. */
int frames_write(const char *dir, long long session, int shot, const char *id, const uint8_t *xrgb,
		 int w, int h, size_t stride, uint64_t frame_us, char *path, size_t n);

/* Delete SESSION's frame files in DIR, or every frame file when SESSION is 0. Returns how many
 * were deleted, or -errno (a missing DIR is 0). */
int frames_remove(const char *dir, long long session);

/* Whether PATH is a frame file directly inside DIR, of SESSION and SHOT (by its name). */
bool frames_path_ok(const char *dir, const char *path, long long session, int shot);

#endif
