/* SPDX-License-Identifier: MIT */
/* The owner's settings: defaults from booth.conf, overridden by what the owner set over MQTT or
 * on the screen (stored in the database), validated all or nothing. */
#ifndef BOOTH_SETTINGS_H
#define BOOTH_SETTINGS_H

#include "boothconf.h"
#include "db.h"

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#define SETTINGS_LAYOUTS_MAX 32

struct booth_settings {
	bool paused;
	bool printing;
	bool print_required;
	bool last_strip_image;
	int copies, max_copies;
	int shots;
	int countdown_s;
	int retention_days;
	char layout[65];
	char pin[9];  /* the on-screen owner menu's PIN */
	bool pin_set; /* set over MQTT (else [ui] pin) */
};

/* The configuration's defaults with the stored overrides on top. A stored value that is no
 * longer valid (a layout that was removed) is ignored with a warning. */
int settings_load(struct db *db, const struct booth_config *cfg, struct booth_settings *ret);

/* Apply ARGS (an object that passed settings/set's schema) to *S: every value is checked
 * against the others and the layouts installed, then all are stored, or none. Returns 0, or
 * -EINVAL with the reason in ERR, or -errno when the database fails. */
int settings_apply(struct db *db, const struct booth_config *cfg, json_object *args,
		   struct booth_settings *s, char *err, size_t errlen);

/* The settings document (booth/{booth}/settings). */
json_object *settings_json(const struct booth_settings *s, const struct booth_config *cfg);

/* The installed layouts' names, sorted, into NAMES. Returns how many. */
int settings_layouts(const struct booth_config *cfg, char (*names)[65], int max);
/* How many photos layout NAME takes, or -errno (-ENOENT: no such layout). */
int settings_layout_photos(const struct booth_config *cfg, const char *name);

#endif
