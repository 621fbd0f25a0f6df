/* SPDX-License-Identifier: MIT */
/* A "key = value" config parser with a section per process, driven by a table of keys. */
#ifndef BOOTH_CONFIG_H
#define BOOTH_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

enum config_type {
	CONFIG_STRING,	/* char[size]; min/max bound the length */
	CONFIG_ID,	/* like STRING, restricted to [a-z0-9_-] */
	CONFIG_PATH,	/* like STRING, must be absolute */
	CONFIG_INT,	/* int; min/max bound the value */
	CONFIG_BOOL,	/* bool */
	CONFIG_CHOICE,	/* char[size]; one of choices ("a|b|c") */
	CONFIG_OPTIONS, /* like STRING: NAME=VALUE pairs separated by spaces, as lp -o takes them */
};

/* One key of the table; the table ends with an entry whose key is NULL. */
struct config_key {
	const char *section; /* "" for keys before any [section] */
	const char *key;
	enum config_type type;
	size_t offset; /* into the target struct */
	size_t size;   /* of the target field */
	long long min, max;
	const char *def;     /* default value, parsed like a value from the file */
	const char *choices; /* CONFIG_CHOICE: the allowed values, "a|b|c" */
};

/* Longest error message config_parse_*() produce. */
#define CONFIG_ERR_MAX 512

/* Set every key in TABLE to its default. Returns 0, or -EINVAL if a default is invalid (a
 * programmer error, described in ERR). */
int config_defaults(const struct config_key *table, void *target, char *err, size_t errlen);

/* Parse TEXT (NAME is used in messages) into TARGET. On error, returns -EINVAL and writes
 * "NAME:LINE: reason" into ERR; TARGET may then be partly updated. Unknown sections and keys,
 * missing '=', out-of-range values and duplicate keys are errors. */
int config_parse_string(const struct config_key *table, void *target, const char *name,
			const char *text, char *err, size_t errlen);

/* Read PATH (at most 256 KiB) and parse it as config_parse_string(). -errno if unreadable. */
int config_parse_file(const struct config_key *table, void *target, const char *path, char *err,
		      size_t errlen);

#endif
