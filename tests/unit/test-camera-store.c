/* SPDX-License-Identifier: MIT */
/* Unit tests for the photo store as booth-camera writes it: names, collisions, atomic writes,
 * checksums. */
#include "harness.h"
#include "digest.h"
#include "store.h"
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static void test_sha256(void)
{
	char hex[65];

	CHECK_INT(sha256_hex("abc", 3, hex), ==, 0);
	CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	CHECK_INT(sha256_hex("", 0, hex), ==, 0);
	CHECK_STR(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void test_photo_names(void)
{
	char dir[] = "/tmp/booth-store-XXXXXX", path[PATH_MAX], want[PATH_MAX], day[16], cmd[64];
	const char data[] = "not really a jpeg";
	time_t now = time(NULL);
	int64_t when = (int64_t)now * 1000;
	struct stat st;
	struct tm tm;
	char *back = NULL;

	REQUIRE(mkdtemp(dir));
	localtime_r(&now, &tm);
	strftime(day, sizeof(day), "%Y-%m-%d", &tm);
	CHECK_INT(store_photo(dir, when, 12, 3, "12-3", data, sizeof(data), path, sizeof(path)), ==,
		  0);
	snprintf(want, sizeof(want), "%s/%s/s12-3-12-3.jpg", dir, day);
	CHECK_STR(path, want);
	CHECK_INT(read_file(path, 1024, &back), ==, sizeof(data));
	CHECK(back && memcmp(back, data, sizeof(data)) == 0);
	free(back);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0640);
	snprintf(want, sizeof(want), "%s/%s", dir, day);
	CHECK(stat(want, &st) == 0 && (st.st_mode & 0777) == 0750);
	/* Taken again: a new name, the first file untouched. */
	CHECK_INT(store_photo(dir, when, 12, 3, "12-3", "x", 1, path, sizeof(path)), ==, 0);
	snprintf(want, sizeof(want), "%s/%s/s12-3-12-3-2.jpg", dir, day);
	CHECK_STR(path, want);
	/* Ids cannot leave the directory or make odd names. */
	CHECK_INT(store_photo(dir, when, 1, 1, "../../../etc/passwd x", "x", 1, path, sizeof(path)),
		  ==, 0);
	snprintf(want, sizeof(want), "%s/%s/s1-1-_________etc_passwd_x.jpg", dir, day);
	CHECK_STR(path, want);
	/* A path that does not fit is refused, and nothing is written. */
	CHECK_INT(store_photo(dir, when, 1, 1, "a", "x", 1, path, 20), ==, -ENAMETOOLONG);
	/* A store that cannot be created is an error, not a crash. */
	CHECK_INT(store_photo("/proc/booth-nope", when, 1, 1, "a", "x", 1, path, sizeof(path)), <,
		  0);
	CHECK_STR(store_strerror(-ENOSPC), "the photo store is full");
	CHECK(strlen(store_strerror(-EBADF)) > 10);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	CHECK(system(cmd) == 0);
}

int main(int argc, char **argv)
{
	static const struct test tests[] = {
		{ "sha256", test_sha256 },
		{ "photo_names", test_photo_names },
		{ NULL, NULL },
	};

	return test_main(argc, argv, tests);
}
