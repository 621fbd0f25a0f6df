/* SPDX-License-Identifier: MIT */
/* printer-input-tray values, after PWG 5100.13: semicolon-separated KEY=VALUE pairs. */
#include "tray.h"

#include <stdlib.h>
#include <string.h>

/* The value of KEY= in TEXT (NUL-terminated), as a non-negative number, or -1. */
static long field(const char *text, const char *key)
{
	size_t n = strlen(key);
	const char *p = text;

	while (p && *p) {
		if (strncmp(p, key, n) == 0 && p[n] == '=') {
			char *end = NULL;
			long v = strtol(p + n + 1, &end, 10);

			if (end == p + n + 1 || (*end && *end != ';') || v < 0)
				return -1;
			return v;
		}
		p = strchr(p, ';');
		if (p)
			p++;
	}
	return -1;
}

int tray_level(const char *text, size_t len)
{
	char buf[512];
	long level, capacity;

	if (!text || len == 0)
		return -1;
	if (len >= sizeof(buf))
		len = sizeof(buf) - 1;
	memcpy(buf, text, len);
	buf[len] = '\0';
	level = field(buf, "level");
	capacity = field(buf, "maxcapacity");
	/* A one-sheet manual feed or a tray of unknown capacity says nothing about paper. */
	if (level < 0 || capacity <= 1)
		return -1;
	return level > 1000000 ? 1000000 : (int)level;
}
