/* SPDX-License-Identifier: MIT */
/* The config parser: "[section]" headers, "key = value" lines, '#' or ';' comments. */
#include "config.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CONFIG_FILE_MAX ((size_t)256 * 1024)
#define CONFIG_LINE_MAX 1024

static int fail(char *err, size_t errlen, const char *name, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int fail(char *err, size_t errlen, const char *name, unsigned line, const char *fmt, ...)
{
	char reason[CONFIG_ERR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	if (line > 0)
		snprintf(err, errlen, "%s:%u: %s", name, line, reason);
	else
		snprintf(err, errlen, "%s: %s", name, reason);
	return -EINVAL;
}

static bool choice_ok(const char *choices, const char *value)
{
	size_t n = strlen(value);

	for (const char *p = choices; p && *p;) {
		size_t len = strcspn(p, "|");

		if (len == n && strncmp(p, value, n) == 0)
			return true;
		p += len + (p[len] == '|');
	}
	return false;
}

/* Whether S is a list of NAME=VALUE pairs separated by spaces (printer options, as lp -o takes
 * them): NAME of letters, digits, '-', '_' and '.', starting with a letter; VALUE of printable
 * characters other than quotes, backslash and braces (which libcups would read as syntax). */
static bool options_ok(const char *s)
{
	while (*s == ' ')
		s++;
	while (*s) {
		size_t name = 0, value = 0;

		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
			return false;
		for (; *s && *s != '=' && *s != ' '; s++, name++)
			if (!isalnum((unsigned char)*s) && !strchr("-_.", *s))
				return false;
		if (*s++ != '=' || name == 0)
			return false;
		for (; *s && *s != ' '; s++, value++)
			if (*s < 0x21 || *s > 0x7e || strchr("\"'\\{}", *s))
				return false;
		if (value == 0)
			return false;
		while (*s == ' ')
			s++;
	}
	return true;
}

/* Store VALUE for K, or describe why not into WHY. */
static int set_value(const struct config_key *k, void *target, const char *value, char *why,
		     size_t whylen)
{
	char *field = (char *)target + k->offset;
	long long v;
	size_t len;
	bool b;

	switch (k->type) {
	case CONFIG_STRING:
	case CONFIG_ID:
	case CONFIG_PATH:
	case CONFIG_OPTIONS:
		len = strlen(value);
		if (len >= k->size || (long long)len > k->max || (long long)len < k->min) {
			snprintf(why, whylen, "'%s' must be %lld to %lld characters long (got %zu)",
				 k->key, k->min,
				 k->max < (long long)k->size - 1 ? k->max : (long long)k->size - 1,
				 len);
			return -EINVAL;
		}
		if (k->type == CONFIG_ID && !valid_id(value, k->size - 1)) {
			snprintf(why, whylen, "'%s' may only hold a-z, 0-9, '_' and '-'", k->key);
			return -EINVAL;
		}
		if (k->type == CONFIG_OPTIONS && !options_ok(value)) {
			snprintf(why, whylen,
				 "'%s' must be NAME=VALUE pairs separated by spaces, such as "
				 "PageSize=w288h432-div2 (got '%s')",
				 k->key, value);
			return -EINVAL;
		}
		if (k->type == CONFIG_PATH && len > 0 && value[0] != '/') {
			snprintf(why, whylen, "'%s' must be an absolute path", k->key);
			return -EINVAL;
		}
		memcpy(field, value, len + 1);
		return 0;
	case CONFIG_INT:
		switch (parse_int_range(value, k->min, k->max, &v)) {
		case 0:
			*(int *)(void *)field = (int)v;
			return 0;
		case -ERANGE:
			snprintf(why, whylen, "'%s' must be between %lld and %lld (got %s)", k->key,
				 k->min, k->max, value);
			return -EINVAL;
		default:
			snprintf(why, whylen, "'%s' must be a whole number (got '%s')", k->key,
				 value);
			return -EINVAL;
		}
	case CONFIG_CHOICE:
		if (!choice_ok(k->choices, value) || strlen(value) >= k->size) {
			snprintf(why, whylen, "'%s' must be one of %s (got '%s')", k->key,
				 k->choices, value);
			return -EINVAL;
		}
		memcpy(field, value, strlen(value) + 1);
		return 0;
	case CONFIG_BOOL:
		if (parse_bool(value, &b) < 0) {
			snprintf(why, whylen, "'%s' must be yes or no (got '%s')", k->key, value);
			return -EINVAL;
		}
		*(bool *)(void *)field = b;
		return 0;
	}
	snprintf(why, whylen, "'%s' has an unknown type", k->key);
	return -EINVAL;
}

int config_defaults(const struct config_key *table, void *target, char *err, size_t errlen)
{
	char why[CONFIG_ERR_MAX];

	for (const struct config_key *k = table; k->key; k++) {
		if (!k->def)
			continue;
		if (set_value(k, target, k->def, why, sizeof(why)) < 0)
			return fail(err, errlen, "defaults", 0, "[%s] %s", k->section, why);
	}
	return 0;
}

static bool section_known(const struct config_key *table, const char *section)
{
	for (const struct config_key *k = table; k->key; k++)
		if (strcmp(k->section, section) == 0)
			return true;
	return false;
}

int config_parse_string(const struct config_key *table, void *target, const char *name,
			const char *text, char *err, size_t errlen)
{
	char section[64] = "";
	char why[CONFIG_ERR_MAX];
	size_t nkeys = 0;
	uint8_t *seen;
	unsigned lineno = 0;
	const char *p = text;
	int r = 0;

	while (table[nkeys].key)
		nkeys++;
	seen = calloc(nkeys + 1, 1);
	if (!seen)
		return -ENOMEM;

	while (*p) {
		char buf[CONFIG_LINE_MAX + 1];
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char *line, *eq, *key, *value;
		const struct config_key *k;

		lineno++;
		if (len > CONFIG_LINE_MAX) {
			r = fail(err, errlen, name, lineno, "line longer than %d characters",
				 CONFIG_LINE_MAX);
			goto out;
		}
		memcpy(buf, p, len);
		buf[len] = '\0';
		p = nl ? nl + 1 : p + len;
		if (memchr(buf, '\0', len)) {
			r = fail(err, errlen, name, lineno, "line contains a NUL byte");
			goto out;
		}

		line = strstrip(buf);
		if (*line == '\0' || *line == '#' || *line == ';')
			continue;
		if (*line == '[') {
			char *end = strchr(line, ']');

			if (!end || strstrip(end + 1)[0] != '\0') {
				r = fail(err, errlen, name, lineno, "malformed section header '%s'",
					 line);
				goto out;
			}
			*end = '\0';
			line = strstrip(line + 1);
			if (strscpy(section, line, sizeof(section)) < 0 ||
			    !section_known(table, section)) {
				r = fail(err, errlen, name, lineno, "unknown section [%s]", line);
				goto out;
			}
			continue;
		}
		eq = strchr(line, '=');
		if (!eq) {
			r = fail(err, errlen, name, lineno, "expected 'key = value', got '%s'",
				 line);
			goto out;
		}
		*eq = '\0';
		key = strstrip(line);
		value = strstrip(eq + 1);
		for (k = table; k->key; k++)
			if (strcmp(k->section, section) == 0 && strcmp(k->key, key) == 0)
				break;
		if (!k->key) {
			r = fail(err, errlen, name, lineno, "unknown key '%s' in %s%s%s", key,
				 section[0] ? "[" : "", section[0] ? section : "the top level",
				 section[0] ? "]" : "");
			goto out;
		}
		if (seen[k - table]) {
			r = fail(err, errlen, name, lineno, "'%s' is set twice", key);
			goto out;
		}
		seen[k - table] = 1;
		if (set_value(k, target, value, why, sizeof(why)) < 0) {
			r = fail(err, errlen, name, lineno, "%s", why);
			goto out;
		}
	}
out:
	free(seen);
	return r;
}

int config_parse_file(const struct config_key *table, void *target, const char *path, char *err,
		      size_t errlen)
{
	char *text = NULL;
	long n = read_file(path, CONFIG_FILE_MAX, &text);
	int r;

	if (n < 0) {
		if (n == -EFBIG)
			return fail(err, errlen, path, 0, "file larger than %zu bytes",
				    CONFIG_FILE_MAX);
		snprintf(err, errlen, "%s: %s", path, strerror((int)-n));
		return (int)n;
	}
	if ((size_t)n != strlen(text)) {
		free(text);
		return fail(err, errlen, path, 0, "file contains a NUL byte");
	}
	r = config_parse_string(table, target, path, text, err, errlen);
	free(text);
	return r;
}
