/* SPDX-License-Identifier: MIT */
/* Unit tests for the zero-shutter-lag ring (camera/zsl.c): the frame closest to a time, ring
 * bookkeeping, a trigger older than the ring, a trigger in the future. */
#include "harness.h"
#include "zsl.h"

#include <errno.h>

#define IV ((uint64_t)33333) /* 30 fps */

/* Push frames 0..N-1 at T0 + k * IV (sequence k, buffer k % 4). Returns how many were evicted. */
static int fill(struct zsl *z, uint64_t t0, unsigned n)
{
	int evicted = 0;

	for (unsigned k = 0; k < n; k++) {
		struct zsl_frame f = { t0 + (uint64_t)k * IV, k, (int)(k % 4) }, out;
		int r = zsl_push(z, &f, &out);

		CHECK_INT(r, >=, 0);
		if (r == 1) {
			/* The oldest leaves, in order. */
			CHECK_INT(out.sequence, ==, k - z->depth);
			evicted++;
		}
	}
	return evicted;
}

static void test_init(void)
{
	struct zsl z;

	CHECK_INT(zsl_init(&z, 0, IV), ==, -EINVAL);
	CHECK_INT(zsl_init(&z, ZSL_MAX + 1, IV), ==, -EINVAL);
	CHECK_INT(zsl_init(&z, 3, 0), ==, -EINVAL);
	CHECK_INT(zsl_init(&z, ZSL_MAX, IV), ==, 0);
	CHECK_INT(zsl_count(&z), ==, 0);
}

static void test_ring(void)
{
	struct zsl z;
	struct zsl_frame f = { 1000, 1, 0 }, out = { 0, 0, 0 };

	REQUIRE(zsl_init(&z, 3, IV) == 0);
	CHECK_INT(zsl_push(&z, &f, &out), ==, 0);
	/* Not newer than the newest: refused, the ring unchanged. */
	CHECK_INT(zsl_push(&z, &f, &out), ==, -EINVAL);
	f.frame_us = 999;
	CHECK_INT(zsl_push(&z, &f, &out), ==, -EINVAL);
	CHECK_INT(zsl_count(&z), ==, 1);
	CHECK(zsl_pop(&z, &out));
	CHECK_INT(out.frame_us, ==, 1000);
	CHECK(!zsl_pop(&z, &out));
	/* Ten frames through a ring of three: seven evicted, oldest first; the three newest stay. */
	CHECK_INT(fill(&z, 100000, 10), ==, 7);
	CHECK_INT(zsl_count(&z), ==, 3);
	for (unsigned k = 7; k < 10; k++) {
		CHECK(zsl_pop(&z, &out));
		CHECK_INT(out.sequence, ==, k);
		CHECK_INT(out.buffer, ==, k % 4);
	}
	CHECK_INT(zsl_count(&z), ==, 0);
	/* Wrapping around the storage many times keeps the order. */
	REQUIRE(zsl_init(&z, ZSL_MAX, IV) == 0);
	CHECK_INT(fill(&z, 0, 1000), ==, 1000 - ZSL_MAX);
	CHECK(zsl_pop(&z, &out));
	CHECK_INT(out.sequence, ==, 1000 - ZSL_MAX);
}

static void test_closest(void)
{
	const uint64_t t0 = 5000000;
	struct zsl z;
	struct zsl_frame f = { 0, 0, 0 };

	REQUIRE(zsl_init(&z, 4, IV) == 0);
	CHECK_INT(zsl_pick(&z, t0, &f), ==, ZSL_WAIT); /* nothing yet */
	fill(&z, t0, 6);			       /* frames 2..5 kept */
	/* Exactly on a frame. */
	CHECK_INT(zsl_pick(&z, t0 + 3 * IV, &f), ==, ZSL_FOUND);
	CHECK_INT(f.sequence, ==, 3);
	/* Between two frames: the nearer one, either side. */
	CHECK_INT(zsl_pick(&z, t0 + 3 * IV + IV / 3, &f), ==, ZSL_FOUND);
	CHECK_INT(f.sequence, ==, 3);
	CHECK_INT(zsl_pick(&z, t0 + 4 * IV - IV / 3, &f), ==, ZSL_FOUND);
	CHECK_INT(f.sequence, ==, 4);
	CHECK_INT(f.buffer, ==, 0);
	/* Half way: the earlier frame. */
	CHECK_INT(zsl_pick(&z, t0 + 2 * IV + IV / 2, &f), ==, ZSL_FOUND);
	CHECK_INT(f.sequence, ==, 2);
	CHECK_INT(f.frame_us, ==, t0 + 2 * IV);
	/* Picking changes nothing. */
	CHECK_INT(zsl_count(&z), ==, 4);
}

static void test_stale(void)
{
	const uint64_t t0 = 5000000;
	struct zsl z;
	struct zsl_frame f = { 0, 0, 0 };

	REQUIRE(zsl_init(&z, 3, IV) == 0);
	fill(&z, t0, 10); /* frames 7..9 kept */
	/* Within half an interval before the oldest: still the closest there ever was. */
	CHECK_INT(zsl_pick(&z, t0 + 7 * IV - IV / 4, &f), ==, ZSL_FOUND);
	CHECK_INT(f.sequence, ==, 7);
	/* Older than the ring: its oldest frame, and the caller is told. */
	CHECK_INT(zsl_pick(&z, t0 + 2 * IV, &f), ==, ZSL_STALE);
	CHECK_INT(f.sequence, ==, 7);
	CHECK_INT(zsl_pick(&z, 0, &f), ==, ZSL_STALE);
	CHECK_INT(f.sequence, ==, 7);
}

static void test_future(void)
{
	const uint64_t t0 = 5000000;
	struct zsl z;
	struct zsl_frame f = { 0, 0, 0 }, out;

	REQUIRE(zsl_init(&z, 3, IV) == 0);
	fill(&z, t0, 3); /* frames 0..2, newest at t0 + 2 IV */
	/* Up to half an interval after the newest frame: the newest is the closest. */
	CHECK_INT(zsl_pick(&z, t0 + 2 * IV + IV / 2, &f), ==, ZSL_FOUND);
	CHECK_INT(f.sequence, ==, 2);
	/* Later: the next frame will be closer; wait for it. */
	CHECK_INT(zsl_pick(&z, t0 + 2 * IV + IV / 2 + 1, &f), ==, ZSL_WAIT);
	CHECK_INT(zsl_pick(&z, t0 + 10 * IV, &f), ==, ZSL_WAIT);
	/* It came (a little late, as frames do): now it is the one. */
	f = (struct zsl_frame){ t0 + 3 * IV + 500, 3, 3 };
	CHECK_INT(zsl_push(&z, &f, &out), ==, 1);
	CHECK_INT(zsl_pick(&z, t0 + 2 * IV + IV / 2 + 1000, &f), ==, ZSL_FOUND);
	CHECK_INT(f.sequence, ==, 3);
	/* A trigger far ahead keeps waiting, frame after frame, until frames reach it. */
	for (unsigned k = 4; k < 10; k++) {
		CHECK_INT(zsl_pick(&z, t0 + 9 * IV, &f), ==, ZSL_WAIT);
		f = (struct zsl_frame){ t0 + k * IV, k, -1 };
		zsl_push(&z, &f, &out);
	}
	CHECK_INT(zsl_pick(&z, t0 + 9 * IV, &f), ==, ZSL_FOUND);
	CHECK_INT(f.sequence, ==, 9);
	CHECK_INT(f.buffer, ==, -1);
}

/* A frame dropped by the sensor leaves a gap: the choice is still the nearest frame there is. */
static void test_gap(void)
{
	const uint64_t t0 = 1000000;
	struct zsl z;
	struct zsl_frame f = { t0, 0, 0 }, out;

	REQUIRE(zsl_init(&z, 4, IV) == 0);
	zsl_push(&z, &f, &out);
	f = (struct zsl_frame){ t0 + 3 * IV, 3, 1 };
	zsl_push(&z, &f, &out);
	CHECK_INT(zsl_pick(&z, t0 + IV, &f), ==, ZSL_FOUND);
	CHECK_INT(f.sequence, ==, 0);
	CHECK_INT(zsl_pick(&z, t0 + 2 * IV, &f), ==, ZSL_FOUND);
	CHECK_INT(f.sequence, ==, 3);
}

int main(int argc, char **argv)
{
	static const struct test tests[] = {
		{ "init", test_init },	 { "ring", test_ring },	    { "closest", test_closest },
		{ "stale", test_stale }, { "future", test_future }, { "gap", test_gap },
		{ NULL, NULL },
	};

	return test_main(argc, argv, tests);
}
