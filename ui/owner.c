/* SPDX-License-Identifier: MIT */
/* The owner menu's logic: the way in, the PIN and its back-off, pages, inactivity. */
#include "owner.h"

#include <string.h>

bool owner_corner_tap(struct owner *o, uint64_t now)
{
	if (o->page != OWNER_CLOSED)
		return false;
	if (o->corner_taps == 0 || now - o->first_corner > OWNER_CORNER_MS) {
		o->corner_taps = 0;
		o->first_corner = now;
	}
	if (++o->corner_taps < OWNER_CORNER_TAPS)
		return false;
	owner_open(o, now);
	return true;
}

void owner_open(struct owner *o, uint64_t now)
{
	o->page = OWNER_PIN;
	o->entered[0] = '\0';
	o->note = now < o->locked_until ? OWNER_NOTE_LOCKED : OWNER_NOTE_NONE;
	o->corner_taps = 0;
	o->last_input = now;
}

void owner_close(struct owner *o)
{
	o->page = OWNER_CLOSED;
	/* Typed digits never outlive the pad. */
	memset(o->entered, 0, sizeof(o->entered));
	o->note = OWNER_NOTE_NONE;
	o->corner_taps = 0;
}

void owner_touch(struct owner *o, uint64_t now)
{
	o->last_input = now;
}

void owner_digit(struct owner *o, int d, uint64_t now)
{
	size_t n = strlen(o->entered);

	owner_touch(o, now);
	if (o->page != OWNER_PIN || d < 0 || d > 9 || now < o->locked_until || n >= OWNER_PIN_MAX)
		return;
	o->entered[n] = (char)('0' + d);
	o->entered[n + 1] = '\0';
	o->note = OWNER_NOTE_NONE;
}

void owner_backspace(struct owner *o, uint64_t now)
{
	size_t n = strlen(o->entered);

	owner_touch(o, now);
	if (o->page == OWNER_PIN && n > 0)
		o->entered[n - 1] = '\0';
}

bool owner_submit(struct owner *o, const char *pin, uint64_t now)
{
	bool right;

	owner_touch(o, now);
	if (o->page != OWNER_PIN)
		return false;
	if (now < o->locked_until) {
		o->note = OWNER_NOTE_LOCKED;
		return false;
	}
	if (!o->entered[0])
		return false;
	right = strlen(pin) >= 4 && strcmp(o->entered, pin) == 0;
	memset(o->entered, 0, sizeof(o->entered));
	if (right) {
		o->failures = 0;
		o->note = OWNER_NOTE_NONE;
		o->page = OWNER_MENU;
		return true;
	}
	o->failures++;
	o->note = OWNER_NOTE_WRONG;
	if (o->failures >= OWNER_FREE_TRIES) {
		uint64_t lock = OWNER_LOCK_MS;

		for (int i = OWNER_FREE_TRIES; i < o->failures && lock < OWNER_LOCK_MAX_MS; i++)
			lock *= 2;
		o->locked_until = now + (lock < OWNER_LOCK_MAX_MS ? lock : OWNER_LOCK_MAX_MS);
		o->note = OWNER_NOTE_LOCKED;
	}
	return false;
}

int owner_locked_s(const struct owner *o, uint64_t now)
{
	return now < o->locked_until ? (int)((o->locked_until - now + 999) / 1000) : 0;
}

void owner_show(struct owner *o, enum owner_page p, uint64_t now)
{
	owner_touch(o, now);
	/* Behind the PIN only; "Deleted" is reached by confirming, never directly. */
	if (o->page >= OWNER_MENU && p >= OWNER_MENU && p != OWNER_DELETED)
		o->page = p;
}

bool owner_confirm(struct owner *o, enum owner_page seen, uint64_t now)
{
	owner_touch(o, now);
	if ((seen != OWNER_CONFIRM_LAST && seen != OWNER_CONFIRM_EVENT) || o->page != seen)
		return false;
	o->page = OWNER_DELETED;
	o->deleted_at = now;
	return true;
}

bool owner_tick(struct owner *o, uint64_t now)
{
	if (o->page == OWNER_DELETED && now - o->deleted_at >= OWNER_DELETED_MS) {
		o->page = OWNER_MENU;
		return true;
	}
	if (o->page == OWNER_CLOSED || now - o->last_input < OWNER_IDLE_MS)
		return false;
	owner_close(o);
	return true;
}
