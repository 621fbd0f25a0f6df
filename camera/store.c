/* SPDX-License-Identifier: MIT */
/* The photo store as booth-camera writes it. */
#include "store.h"

#include "util.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

int store_photo(const char *photo_dir, int64_t when_ms, long long session, int shot, const char *id,
		const void *data, size_t n, char *path, size_t n_path)
{
	char dir[PATH_MAX], safe[65], candidate[PATH_MAX];
	time_t secs = (time_t)(when_ms / 1000);
	struct stat st;
	struct tm tm;
	int k, r;

	if (!localtime_r(&secs, &tm))
		return -EINVAL;
	k = snprintf(dir, sizeof(dir), "%s/%04d-%02d-%02d", photo_dir, tm.tm_year + 1900,
		     tm.tm_mon + 1, tm.tm_mday);
	if (k < 0 || (size_t)k >= sizeof(dir))
		return -ENAMETOOLONG;
	r = mkdir_p(dir, 0770); /* the booth group (boothd) deletes photos here */
	if (r < 0)
		return r;
	sanitize_name(id, safe, sizeof(safe));
	for (int attempt = 1; attempt <= 100; attempt++) {
		if (attempt == 1)
			k = snprintf(candidate, sizeof(candidate), "%s/s%lld-%d-%s.jpg", dir,
				     session, shot, safe);
		else
			k = snprintf(candidate, sizeof(candidate), "%s/s%lld-%d-%s-%d.jpg", dir,
				     session, shot, safe, attempt);
		if (k < 0 || (size_t)k >= sizeof(candidate) || (size_t)k >= n_path)
			return -ENAMETOOLONG;
		if (lstat(candidate, &st) < 0 && errno == ENOENT) {
			r = write_file_atomic(candidate, data, n, 0640);
			if (r < 0)
				return r;
			strscpy(path, candidate, n_path);
			return 0;
		}
	}
	return -EEXIST;
}

int store_find(const char *photo_dir, int64_t now_ms, long long session, int shot, const char *id,
	       char *path, size_t n_path)
{
	char safe[65];
	struct stat st;

	sanitize_name(id, safe, sizeof(safe));
	/* The day it was taken: today, or yesterday for a session that spans midnight. */
	for (int day = 0; day < 2; day++) {
		time_t secs = (time_t)(now_ms / 1000) - (time_t)day * 86400;
		struct tm tm;
		int k;

		if (!localtime_r(&secs, &tm))
			return -EINVAL;
		k = snprintf(path, n_path, "%s/%04d-%02d-%02d/s%lld-%d-%s.jpg", photo_dir,
			     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, session, shot, safe);
		if (k < 0 || (size_t)k >= n_path)
			return -ENAMETOOLONG;
		if (lstat(path, &st) == 0 && S_ISREG(st.st_mode))
			return 1;
	}
	return 0;
}

const char *store_strerror(int r)
{
	switch (r) {
	case -ENOSPC:
	case -EDQUOT:
		return "the photo store is full";
	case -EROFS:
		return "the photo store is read-only";
	case -EACCES:
	case -EPERM:
		return "the photo store is not writable";
	case -ENAMETOOLONG:
		return "the photo's path is too long";
	case -EEXIST:
		return "no free file name for the photo";
	case -EIO:
		return "the photo store reported an input/output error";
	default:
		return "the photo could not be written to the photo store";
	}
}
