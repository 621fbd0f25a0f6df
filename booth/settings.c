/* SPDX-License-Identifier: MIT */
/* The owner's settings, stored as key = value rows in the settings table. */
#include "settings.h"
#include "layout.h"
#include "log.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef BOOTH_LAYOUT_DIR
#define BOOTH_LAYOUT_DIR "/usr/local/share/booth/layouts"
#endif

/* Where layouts are listed from: the configured directory, else booth-compose's default and the
 * source tree's (make run), as layout_find_default() looks. Ends with NULL. */
static void layout_dirs(const struct booth_config *cfg, const char *dirs[3])
{
	if (cfg->boothd.layouts_dir[0]) {
		dirs[0] = cfg->boothd.layouts_dir;
		dirs[1] = NULL;
	} else {
		dirs[0] = BOOTH_LAYOUT_DIR;
		dirs[1] = "layouts";
	}
	dirs[2] = NULL;
}

int settings_layout_photos(const struct booth_config *cfg, const char *name)
{
	char err[256];
	struct layout *l = malloc(sizeof(*l));
	int r;

	if (!l)
		return -ENOMEM;
	r = layout_load_named(name, cfg->boothd.layouts_dir[0] ? cfg->boothd.layouts_dir : NULL, l,
			      err, sizeof(err));
	if (r < 0 && r != -ENOENT)
		log_warning("Layout %s cannot be used: %s", name, err);
	else if (r == 0)
		r = l->photos;
	free(l);
	return r;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

int settings_layouts(const struct booth_config *cfg, char (*names)[65], int max)
{
	const char *dirs[3];
	int n = 0;

	layout_dirs(cfg, dirs);
	for (int i = 0; dirs[i] && n == 0; i++) {
		DIR *d = opendir(dirs[i]);
		struct dirent *e;

		if (!d)
			continue;
		while ((e = readdir(d)) && n < max) {
			size_t len = strlen(e->d_name);

			if (len <= 7 || len - 7 >= 65 ||
			    strcmp(e->d_name + len - 7, ".layout") != 0)
				continue;
			memcpy(names[n], e->d_name, len - 7);
			names[n][len - 7] = '\0';
			n++;
		}
		closedir(d);
	}
	qsort(names, (size_t)n, sizeof(names[0]), name_cmp);
	return n;
}

static bool pin_valid(const char *pin)
{
	size_t n = strlen(pin);

	if (n < 4 || n > 8)
		return false;
	for (const char *p = pin; *p; p++)
		if (*p < '0' || *p > '9')
			return false;
	return true;
}

/* A stored number in [MIN, MAX] into *V; a stored value out of range is ignored. */
static void load_int(struct db *db, const char *key, int min, int max, int *v)
{
	char value[32], *end = NULL;
	long x;

	if (db_setting_get(db, key, value, sizeof(value), NULL) <= 0)
		return;
	x = strtol(value, &end, 10);
	if (end != value && !*end && x >= min && x <= max)
		*v = (int)x;
	else
		log_warning("The stored setting %s is out of range; using %d", key, *v);
}

static void load_bool(struct db *db, const char *key, bool *v)
{
	char value[8];

	if (db_setting_get(db, key, value, sizeof(value), NULL) > 0)
		*v = strcmp(value, "yes") == 0;
}

int settings_load(struct db *db, const struct booth_config *cfg, struct booth_settings *s)
{
	char value[65];
	int photos;

	memset(s, 0, sizeof(*s));
	s->printing = cfg->boothd.printing;
	s->copies = cfg->boothd.copies;
	s->max_copies = cfg->boothd.max_copies > s->copies ? cfg->boothd.max_copies : s->copies;
	s->shots = cfg->boothd.shots;
	s->countdown_s = cfg->boothd.countdown_s;
	s->retention_days = cfg->boothd.retention_days;
	s->print_required = cfg->boothd.print_required;
	s->last_strip_image = cfg->boothd.last_strip_image;
	strscpy(s->layout, cfg->boothd.layout, sizeof(s->layout));
	strscpy(s->pin, cfg->ui.pin, sizeof(s->pin));

	load_bool(db, "paused", &s->paused);
	load_bool(db, "printing", &s->printing);
	load_bool(db, "print_required", &s->print_required);
	load_bool(db, "last_strip_image", &s->last_strip_image);
	load_int(db, "copies", 1, 4, &s->copies);
	load_int(db, "max_copies", 1, 4, &s->max_copies);
	if (s->max_copies < s->copies)
		s->max_copies = s->copies;
	load_int(db, "countdown_s", 0, 10, &s->countdown_s);
	load_int(db, "retention_days", 0, 3650, &s->retention_days);
	if (db_setting_get(db, "layout", value, sizeof(value), NULL) > 0) {
		if (settings_layout_photos(cfg, value) > 0)
			strscpy(s->layout, value, sizeof(s->layout));
		else
			log_warning("The stored layout is not installed; using %s", s->layout);
	}
	load_int(db, "shots", 1, 6, &s->shots);
	photos = settings_layout_photos(cfg, s->layout);
	if (photos > 0 && s->shots > photos)
		s->shots = photos;
	if (db_setting_get(db, "pin", value, sizeof(value), NULL) > 0 && pin_valid(value)) {
		strscpy(s->pin, value, sizeof(s->pin));
		s->pin_set = true;
	}
	return 0;
}

static int get_int(json_object *args, const char *key, int v)
{
	json_object *o;

	return json_object_object_get_ex(args, key, &o) ? json_object_get_int(o) : v;
}

static bool get_bool(json_object *args, const char *key, bool v)
{
	json_object *o;

	return json_object_object_get_ex(args, key, &o) ? json_object_get_boolean(o) : v;
}

static int store(struct db *db, const char *key, const char *value)
{
	int r = db_setting_set(db, key, value, wall_msec());

	if (r < 0)
		log_error_errno(r, "Cannot store the setting %s: %m", key);
	return r;
}

static int store_int(struct db *db, const char *key, int old, int v)
{
	char value[16];

	if (old == v)
		return 0;
	snprintf(value, sizeof(value), "%d", v);
	return store(db, key, value);
}

static int store_bool(struct db *db, const char *key, bool old, bool v)
{
	return old == v ? 0 : store(db, key, v ? "yes" : "no");
}

int settings_apply(struct db *db, const struct booth_config *cfg, json_object *args,
		   struct booth_settings *s, char *err, size_t errlen)
{
	struct booth_settings n = *s;
	json_object *o;
	int photos, r = 0;

	n.paused = get_bool(args, "paused", s->paused);
	n.printing = get_bool(args, "printing", s->printing);
	n.print_required = get_bool(args, "print_required", s->print_required);
	n.last_strip_image = get_bool(args, "last_strip_image", s->last_strip_image);
	n.copies = get_int(args, "copies", s->copies);
	n.max_copies = get_int(args, "max_copies", s->max_copies);
	n.shots = get_int(args, "shots", s->shots);
	n.countdown_s = get_int(args, "countdown_s", s->countdown_s);
	n.retention_days = get_int(args, "retention_days", s->retention_days);
	if (json_object_object_get_ex(args, "layout", &o))
		strscpy(n.layout, json_object_get_string(o), sizeof(n.layout));
	if (json_object_object_get_ex(args, "pin", &o)) {
		if (!pin_valid(json_object_get_string(o))) {
			snprintf(err, errlen, "'pin' must be 4 to 8 digits");
			return -EINVAL;
		}
		strscpy(n.pin, json_object_get_string(o), sizeof(n.pin));
		n.pin_set = true;
	}

	/* A new copies raises max_copies with it unless max_copies is given too. */
	if (!json_object_object_get_ex(args, "max_copies", NULL) && n.max_copies < n.copies)
		n.max_copies = n.copies;
	if (n.max_copies < n.copies) {
		snprintf(err, errlen, "'max_copies' (%d) must be at least 'copies' (%d)",
			 n.max_copies, n.copies);
		return -EINVAL;
	}
	photos = settings_layout_photos(cfg, n.layout);
	if (photos == -ENOENT) {
		char names[SETTINGS_LAYOUTS_MAX][65], list[256] = "";
		int k = settings_layouts(cfg, names, SETTINGS_LAYOUTS_MAX);
		size_t off = 0;

		for (int i = 0; i < k && off < sizeof(list); i++)
			off += (size_t)snprintf(list + off, sizeof(list) - off, "%s%s",
						i ? ", " : "", names[i]);
		snprintf(err, errlen, "there is no layout '%s' (installed: %s)", n.layout, list);
		return -EINVAL;
	}
	if (photos < 0) {
		snprintf(err, errlen, "the layout '%s' cannot be used (see the log)", n.layout);
		return -EINVAL;
	}
	/* A new layout brings its own number of photos unless shots is given too. */
	if (!json_object_object_get_ex(args, "shots", NULL) && strcmp(n.layout, s->layout) != 0)
		n.shots = photos;
	if (n.shots > photos) {
		snprintf(err, errlen, "the layout '%s' takes %d photo%s: 'shots' must be 1 to %d",
			 n.layout, photos, photos == 1 ? "" : "s", photos);
		return -EINVAL;
	}

	r = store_bool(db, "paused", s->paused, n.paused);
	if (r == 0)
		r = store_bool(db, "printing", s->printing, n.printing);
	if (r == 0)
		r = store_bool(db, "print_required", s->print_required, n.print_required);
	if (r == 0)
		r = store_bool(db, "last_strip_image", s->last_strip_image, n.last_strip_image);
	if (r == 0)
		r = store_int(db, "copies", s->copies, n.copies);
	if (r == 0)
		r = store_int(db, "max_copies", s->max_copies, n.max_copies);
	if (r == 0)
		r = store_int(db, "shots", s->shots, n.shots);
	if (r == 0)
		r = store_int(db, "countdown_s", s->countdown_s, n.countdown_s);
	if (r == 0)
		r = store_int(db, "retention_days", s->retention_days, n.retention_days);
	if (r == 0 && strcmp(s->layout, n.layout) != 0)
		r = store(db, "layout", n.layout);
	if (r == 0 && strcmp(s->pin, n.pin) != 0)
		r = store(db, "pin", n.pin);
	if (r < 0) {
		/* What was stored stays stored: read it back, so memory matches the database. */
		settings_load(db, cfg, s);
		snprintf(err, errlen, "could not store the settings: %s", strerror(-r));
		return r;
	}
	*s = n;
	return 0;
}

json_object *settings_json(const struct booth_settings *s, const struct booth_config *cfg)
{
	char names[SETTINGS_LAYOUTS_MAX][65];
	int n = settings_layouts(cfg, names, SETTINGS_LAYOUTS_MAX);
	json_object *o = json_object_new_object(), *a = json_object_new_array();

	json_object_object_add(o, "paused", json_object_new_boolean(s->paused));
	json_object_object_add(o, "printing", json_object_new_boolean(s->printing));
	json_object_object_add(o, "copies", json_object_new_int(s->copies));
	json_object_object_add(o, "max_copies", json_object_new_int(s->max_copies));
	json_object_object_add(o, "layout", json_object_new_string(s->layout));
	json_object_object_add(o, "shots", json_object_new_int(s->shots));
	json_object_object_add(o, "countdown_s", json_object_new_int(s->countdown_s));
	json_object_object_add(o, "retention_days", json_object_new_int(s->retention_days));
	json_object_object_add(o, "print_required", json_object_new_boolean(s->print_required));
	json_object_object_add(o, "last_strip_image", json_object_new_boolean(s->last_strip_image));
	for (int i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_string(names[i]));
	json_object_object_add(o, "layouts", a);
	json_object_object_add(o, "pin_set", json_object_new_boolean(s->pin_set));
	return o;
}
