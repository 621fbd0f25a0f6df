/* SPDX-License-Identifier: MIT */
/* The photo store as booth-camera writes it: collision-free names, atomic writes, checksums. */
#ifndef BOOTH_STORE_H
#define BOOTH_STORE_H

#include <stddef.h>
#include <stdint.h>

/* Write the JPEG DATA (N bytes) of capture ID (SESSION, SHOT) taken at WHEN_MS (wall clock) as
 * PHOTO_DIR/YYYY-MM-DD/sSESSION-SHOT-ID.jpg (local date; ID reduced to [A-Za-z0-9_-], other
 * bytes become '_'; "-2", "-3", ... is added before ".jpg" if the name is taken). The day's
 * directory is created (0770: boothd, in the booth group, deletes photos); the file (0640) goes through write_file_atomic(). On success
 * returns 0 and the path in PATH (of size N_PATH); on failure -errno (-ENOSPC when the store is
 * full) and nothing is left behind. */
int store_photo(const char *photo_dir, int64_t when_ms, long long session, int shot, const char *id,
		const void *data, size_t n, char *path, size_t n_path);

/* Whether capture ID (SESSION, SHOT) is stored already under its first name, taken today or
 * yesterday (NOW_MS, wall clock): returns 1 with its path in PATH, 0, or -errno. */
int store_find(const char *photo_dir, int64_t now_ms, long long session, int shot, const char *id,
	       char *path, size_t n_path);
/* A sentence for a person saying why storing failed with R. */
const char *store_strerror(int r);

#endif
