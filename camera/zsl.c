/* SPDX-License-Identifier: MIT */
/* Zero shutter lag: the ring of recent capture-stream frames and the choice among them. */
#include "zsl.h"

#include <errno.h>
#include <string.h>

int zsl_init(struct zsl *z, unsigned depth, uint64_t interval_us)
{
	if (depth < 1 || depth > ZSL_MAX || interval_us == 0)
		return -EINVAL;
	memset(z, 0, sizeof(*z));
	z->depth = depth;
	z->interval_us = interval_us;
	return 0;
}

static const struct zsl_frame *at(const struct zsl *z, unsigned i)
{
	return &z->frames[(z->head + i) % ZSL_MAX];
}

unsigned zsl_count(const struct zsl *z)
{
	return z->len;
}

bool zsl_pop(struct zsl *z, struct zsl_frame *ret)
{
	if (z->len == 0)
		return false;
	*ret = z->frames[z->head];
	z->head = (z->head + 1) % ZSL_MAX;
	z->len--;
	return true;
}

int zsl_push(struct zsl *z, const struct zsl_frame *f, struct zsl_frame *evicted)
{
	int r = 0;

	if (z->len > 0 && f->frame_us <= at(z, z->len - 1)->frame_us)
		return -EINVAL;
	if (z->len == z->depth) {
		zsl_pop(z, evicted);
		r = 1;
	}
	z->frames[(z->head + z->len) % ZSL_MAX] = *f;
	z->len++;
	return r;
}

static uint64_t distance(uint64_t a, uint64_t b)
{
	return a > b ? a - b : b - a;
}

enum zsl_result zsl_pick(const struct zsl *z, uint64_t trigger_us, struct zsl_frame *ret)
{
	const struct zsl_frame *best = NULL;
	uint64_t next;

	if (z->len == 0)
		return ZSL_WAIT;
	for (unsigned i = 0; i < z->len; i++) {
		const struct zsl_frame *f = at(z, i);

		if (!best ||
		    distance(f->frame_us, trigger_us) < distance(best->frame_us, trigger_us))
			best = f;
	}
	next = at(z, z->len - 1)->frame_us + z->interval_us;
	if (distance(next, trigger_us) < distance(best->frame_us, trigger_us))
		return ZSL_WAIT;
	*ret = *best;
	/* Older than the ring by more than half an interval: frames closer to it are gone. */
	if (best == at(z, 0) && trigger_us + z->interval_us / 2 < best->frame_us)
		return ZSL_STALE;
	return ZSL_FOUND;
}
