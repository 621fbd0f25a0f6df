/* SPDX-License-Identifier: MIT */
/* The frames directory: raw frame files from booth-camera to the composer. */
#define _GNU_SOURCE
#include "frames.h"

#include "rawframe.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define ROWS_PER_WRITE 16

/* Whether NAME is a frame file's ("s" SESSION "-" SHOT "-" ... ".rgb"); its session and shot. */
static bool frame_name(const char *name, long long *session, int *shot)
{
	size_t len = strlen(name);
	char *end;

	if (name[0] != 's' || len < 5 || strcmp(name + len - 4, ".rgb") != 0)
		return false;
	errno = 0;
	*session = strtoll(name + 1, &end, 10);
	if (errno || end == name + 1 || *end != '-' || *session < 1)
		return false;
	*shot = (int)strtol(end + 1, &end, 10);
	return *end == '-' && *shot >= 1;
}

/* Delete the oldest files beyond FRAMES_MAX - 1 and those older than FRAMES_MAX_AGE_S. */
static void prune(const char *dir)
{
	struct {
		char name[NAME_MAX + 1];
		time_t mtime;
	} files[FRAMES_MAX * 2];
	size_t n = 0;
	time_t now = time(NULL);
	struct dirent *de;
	DIR *d = opendir(dir);
	int dfd;

	if (!d)
		return;
	dfd = dirfd(d);
	while ((de = readdir(d))) {
		struct stat st;
		long long session;
		int shot;

		if (!frame_name(de->d_name, &session, &shot) ||
		    fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (now - st.st_mtime > FRAMES_MAX_AGE_S || n == ARRAY_SIZE(files)) {
			unlinkat(dfd, de->d_name, 0);
			continue;
		}
		strscpy(files[n].name, de->d_name, sizeof(files[n].name));
		files[n++].mtime = st.st_mtime;
	}
	while (n >= FRAMES_MAX) {
		size_t oldest = 0;

		for (size_t i = 1; i < n; i++)
			if (files[i].mtime < files[oldest].mtime)
				oldest = i;
		unlinkat(dfd, files[oldest].name, 0);
		files[oldest] = files[--n];
	}
	closedir(d);
}

static int write_all(int fd, const void *buf, size_t n)
{
	const uint8_t *p = buf;

	while (n > 0) {
		ssize_t k = write(fd, p, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -errno;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

/* The header and rows of RGB made from the XRGB picture. */
static int write_frame(int fd, const uint8_t *xrgb, int w, int h, size_t stride, uint64_t frame_us)
{
	size_t row = (size_t)w * 3;
	uint8_t head[RAWFRAME_HEADER], *buf;
	int r = rawframe_header(head, w, h, row, frame_us);

	if (r < 0)
		return r;
	r = write_all(fd, head, sizeof(head));
	buf = malloc(row * ROWS_PER_WRITE);
	if (!buf)
		return -ENOMEM;
	for (int y = 0; r == 0 && y < h; y += ROWS_PER_WRITE) {
		int rows = h - y < ROWS_PER_WRITE ? h - y : ROWS_PER_WRITE;

		for (int j = 0; j < rows; j++) {
			const uint8_t *s = xrgb + (size_t)(y + j) * stride;
			uint8_t *d = buf + (size_t)j * row;

			for (int x = 0; x < w; x++, s += 4, d += 3) {
				d[0] = s[2];
				d[1] = s[1];
				d[2] = s[0];
			}
		}
		r = write_all(fd, buf, row * (size_t)rows);
	}
	free(buf);
	return r;
}

int frames_write(const char *dir, long long session, int shot, const char *id, const uint8_t *xrgb,
		 int w, int h, size_t stride, uint64_t frame_us, char *path, size_t n)
{
	char safe[65], tmp[PATH_MAX];
	int fd, k, r;

	r = mkdir_p(dir, 0770);
	if (r < 0)
		return r;
	prune(dir);
	sanitize_name(id, safe, sizeof(safe));
	k = snprintf(path, n, "%s/s%lld-%d-%s.rgb", dir, session, shot, safe);
	if (k < 0 || (size_t)k >= n ||
	    snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0640);
	if (fd < 0)
		return -errno;
	r = write_frame(fd, xrgb, w, h, stride, frame_us);
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0)
		unlink(tmp);
	return r;
}

int frames_remove(const char *dir, long long session)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		long long s;
		int shot;

		/* Half-written files too: a writer that died leaves one. */
		if (session == 0 && len > 8 && strcmp(de->d_name + len - 8, ".rgb.tmp") == 0 &&
		    unlinkat(dirfd(d), de->d_name, 0) == 0)
			n++;
		if (!frame_name(de->d_name, &s, &shot) || (session != 0 && s != session))
			continue;
		if (unlinkat(dirfd(d), de->d_name, 0) == 0)
			n++;
	}
	closedir(d);
	return n;
}

bool frames_path_ok(const char *dir, const char *path, long long session, int shot)
{
	size_t n = strlen(dir);
	const char *name = path + n + 1;
	long long s;
	int k;

	return strncmp(path, dir, n) == 0 && path[n] == '/' && !strchr(name, '/') &&
	       frame_name(name, &s, &k) && s == session && k == shot;
}
