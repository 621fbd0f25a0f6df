/* SPDX-License-Identifier: MIT */
/* Home Assistant MQTT discovery: the booth as one device with sensors, problem binary sensors,
 * buttons, a printing switch, a layout select, countdown and copies numbers, photo and print
 * events, and (only when the owner enabled it) a last-strip image. */
#ifndef BOOTH_DISCOVERY_H
#define BOOTH_DISCOVERY_H

#include "boothconf.h"
#include "bus.h"
#include "settings.h"

/* Publish (retained) the config of every entity that applies now, and an empty config for every
 * other one, which removes it from Home Assistant. With [boothd] homeassistant = no, every
 * entity is removed. Returns 0 or the first error. */
int discovery_publish(struct bus *b, const struct booth_config *cfg,
		      const struct booth_settings *s);

/* The discovery config of entity number I (0-based) into *ret (NULL when it does not apply now),
 * with its topic in TOPIC (N bytes). Returns 1, or 0 past the last entity. For tests. */
int discovery_entity(const struct booth_config *cfg, const struct booth_settings *s, int i,
		     char *topic, size_t n, json_object **ret);

#endif
