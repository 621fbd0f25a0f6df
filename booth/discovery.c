/* SPDX-License-Identifier: MIT */
/* Home Assistant MQTT discovery configs, built from one table of entities. */
#include "discovery.h"
#include "log.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

#ifndef BOOTH_VERSION
#define BOOTH_VERSION "0.0.0"
#endif

enum needs {
	ALWAYS,
	PRINTER,    /* a printer is configured */
	STRIP_IMAGE /* the owner enabled last_strip_image */
};

struct entity {
	const char *
		component; /* sensor, binary_sensor, button, switch, select, number, event, image */
	const char *object; /* object id, unique per booth */
	const char *name;
	enum needs needs;
	const char *topic; /* state_topic (command_topic for buttons), below booth/{booth}/ */
	const char *value; /* value_template, or payload_press for buttons */
	const char *icon;
};

/* Two sensors of one of the booth's figures (booth/{booth}/stats): today's median, and today's
 * worst as OBJECT_worst. */
#define FIGURE(object, name, needs, figure, which, icon)                                           \
	{                                                                                          \
		"sensor", object, name, needs, "stats",                                            \
			"{{ value_json.today." figure "." which " }}", icon                        \
	}
#define FIGURES(object, name, needs, figure, icon)                                                 \
	FIGURE(object, name " (median today)", needs, figure, "median", icon),                     \
		FIGURE(object "_worst", name " (worst today)", needs, figure, "worst", icon)

static const struct entity entities[] = {
	{ "sensor", "state", "State", ALWAYS, "state", "{{ value_json.state }}", "mdi:camera" },
	{ "sensor", "event", "Event", ALWAYS, "state",
	  "{{ value_json.event.name if value_json.event else 'none' }}", "mdi:party-popper" },
	{ "sensor", "sessions_today", "Sessions today", ALWAYS, "state",
	  "{{ value_json.sessions_today }}", "mdi:account-group" },
	{ "sensor", "photos_today", "Photos today", ALWAYS, "state",
	  "{{ value_json.photos_today }}", "mdi:image-multiple" },
	{ "sensor", "prints_today", "Prints today", PRINTER, "state",
	  "{{ value_json.prints_today }}", "mdi:printer" },
	{ "sensor", "sessions_event", "Sessions this event", ALWAYS, "state",
	  "{{ value_json.sessions_event }}", "mdi:account-group" },
	{ "sensor", "prints_event", "Prints this event", PRINTER, "state",
	  "{{ value_json.prints_event }}", "mdi:printer" },
	{ "sensor", "prints_left", "Prints left", PRINTER, "state", "{{ value_json.prints_left }}",
	  "mdi:paper-roll" },
	{ "sensor", "printer", "Printer", PRINTER, "state", "{{ value_json.printer }}",
	  "mdi:printer" },
	{ "sensor", "camera", "Camera", ALWAYS, "state", "{{ value_json.camera }}", "mdi:camera" },
	{ "sensor", "storage_free", "Free storage", ALWAYS, "state",
	  "{{ value_json.storage_free_mb }}", "mdi:harddisk" },
	{ "binary_sensor", "printer_problem", "Printer problem", PRINTER, "state",
	  "{{ 'ON' if 'printer' in value_json.problems else 'OFF' }}", NULL },
	{ "binary_sensor", "camera_problem", "Camera problem", ALWAYS, "state",
	  "{{ 'ON' if 'camera' in value_json.problems else 'OFF' }}", NULL },
	{ "binary_sensor", "storage_problem", "Storage problem", ALWAYS, "state",
	  "{{ 'ON' if 'storage' in value_json.problems else 'OFF' }}", NULL },
	{ "button", "pause", "Pause", ALWAYS, "request/pause", "{}", "mdi:pause" },
	{ "button", "resume", "Resume", ALWAYS, "request/resume", "{}", "mdi:play" },
	{ "button", "cancel_queue", "Cancel print queue", PRINTER, "request/print_cancel", "{}",
	  "mdi:printer-off" },
	{ "button", "test_print", "Test print", PRINTER, "request/print_test", "{}",
	  "mdi:printer-check" },
	{ "switch", "printing", "Printing", PRINTER, "settings", "{{ value_json.printing }}",
	  "mdi:printer" },
	{ "select", "layout", "Layout", ALWAYS, "settings", "{{ value_json.layout }}",
	  "mdi:view-grid" },
	{ "number", "countdown", "Countdown", ALWAYS, "settings", "{{ value_json.countdown_s }}",
	  "mdi:timer-outline" },
	{ "number", "copies", "Copies", PRINTER, "settings", "{{ value_json.copies }}",
	  "mdi:content-copy" },
	{ "event", "photo_taken", "Photo taken", ALWAYS, "events/photo_taken",
	  "{\"event_type\": \"photo_taken\", \"session\": {{ value_json.session }}}",
	  "mdi:camera-iris" },
	{ "event", "print_done", "Print done", PRINTER, "events/print_done",
	  "{\"event_type\": \"print_done\"}", "mdi:printer-check" },
	{ "image", "last_strip", "Last strip", STRIP_IMAGE, "strip/last", NULL, "mdi:image" },
	FIGURES("shutter_lag", "Shutter lag", ALWAYS, "trigger_to_frame_ms", "mdi:camera-timer"),
	FIGURES("time_to_strip", "Time to strip", ALWAYS, "capture_to_strip_ms", "mdi:timer-sand"),
	FIGURES("print_start", "Print start", PRINTER, "print_to_accepted_ms", "mdi:printer-clock"),
	FIGURES("print_time", "Print time", PRINTER, "accepted_to_printed_ms", "mdi:printer-clock"),
	FIGURES("preview_fps", "Preview frame rate", ALWAYS, "preview_fps", "mdi:video"),
	FIGURES("preview_dropped", "Dropped preview frames", ALWAYS, "preview_dropped",
		"mdi:video-off"),
};

static void add_str(json_object *o, const char *key, const char *value)
{
	json_object_object_add(o, key, json_object_new_string(value));
}

static bool applies(const struct entity *e, const struct booth_config *cfg,
		    const struct booth_settings *s)
{
	if (!cfg->boothd.homeassistant)
		return false;
	switch (e->needs) {
	case PRINTER:
		return cfg->printer.destination[0] != '\0';
	case STRIP_IMAGE:
		return s->last_strip_image;
	case ALWAYS:
		break;
	}
	return true;
}

/* What every entity of the booth carries: names, ids, the device, availability. */
static json_object *common(const struct entity *e, const char *booth)
{
	json_object *o = json_object_new_object(), *dev = json_object_new_object();
	json_object *ids = json_object_new_array(), *avail = json_object_new_array();
	json_object *a = json_object_new_object(), *origin = json_object_new_object();
	char buf[160];

	add_str(o, "name", e->name);
	snprintf(buf, sizeof(buf), "photobooth_%s_%s", booth, e->object);
	add_str(o, "unique_id", buf);
	snprintf(buf, sizeof(buf), "photobooth_%s", booth);
	json_object_array_add(ids, json_object_new_string(buf));
	json_object_object_add(dev, "identifiers", ids);
	snprintf(buf, sizeof(buf), "Photo booth %s", booth);
	add_str(dev, "name", buf);
	add_str(dev, "manufacturer", "Photo booth");
	add_str(dev, "model", "Photo booth appliance");
	add_str(dev, "sw_version", BOOTH_VERSION);
	json_object_object_add(o, "device", dev);
	add_str(origin, "name", "boothd");
	add_str(origin, "sw_version", BOOTH_VERSION);
	json_object_object_add(o, "origin", origin);
	snprintf(buf, sizeof(buf), "booth/%s/availability/boothd", booth);
	add_str(a, "topic", buf);
	json_object_array_add(avail, a);
	json_object_object_add(o, "availability", avail);
	json_object_object_add(o, "qos", json_object_new_int(1));
	if (e->icon)
		add_str(o, "icon", e->icon);
	return o;
}

/* The settings/set topic and a command template setting KEY to the value, as a number or a
 * string. */
static void settings_command(json_object *o, const char *booth, const char *key, bool number)
{
	char buf[160];

	snprintf(buf, sizeof(buf), "booth/%s/settings/set", booth);
	add_str(o, "command_topic", buf);
	snprintf(buf, sizeof(buf),
		 number ? "{\"%s\": {{ value | int }}}" : "{\"%s\": {{ value | tojson }}}", key);
	add_str(o, "command_template", buf);
}

static void specific(json_object *o, const struct entity *e, const char *booth,
		     const struct booth_config *cfg)
{
	char topic[160];
	char names[SETTINGS_LAYOUTS_MAX][65];

	snprintf(topic, sizeof(topic), "booth/%s/%s", booth, e->topic);
	if (strcmp(e->component, "button") == 0) {
		add_str(o, "command_topic", topic);
		add_str(o, "payload_press", e->value);
		return;
	}
	if (strcmp(e->component, "image") == 0) {
		add_str(o, "image_topic", topic);
		add_str(o, "content_type", "image/jpeg");
		return;
	}
	add_str(o, "state_topic", topic);
	add_str(o, "value_template", e->value);
	if (strcmp(e->component, "binary_sensor") == 0) {
		add_str(o, "device_class", "problem");
	} else if (strcmp(e->component, "switch") == 0) {
		char buf[160];

		snprintf(buf, sizeof(buf), "booth/%s/settings/set", booth);
		add_str(o, "command_topic", buf);
		add_str(o, "payload_on", "{\"printing\": true}");
		add_str(o, "payload_off", "{\"printing\": false}");
		add_str(o, "state_on", "True");
		add_str(o, "state_off", "False");
	} else if (strcmp(e->component, "select") == 0) {
		json_object *opts = json_object_new_array();
		int n = settings_layouts(cfg, names, SETTINGS_LAYOUTS_MAX);

		for (int i = 0; i < n; i++)
			json_object_array_add(opts, json_object_new_string(names[i]));
		json_object_object_add(o, "options", opts);
		settings_command(o, booth, "layout", false);
	} else if (strcmp(e->component, "number") == 0) {
		bool countdown = strcmp(e->object, "countdown") == 0;

		settings_command(o, booth, countdown ? "countdown_s" : "copies", true);
		json_object_object_add(o, "min", json_object_new_int(countdown ? 0 : 1));
		json_object_object_add(o, "max", json_object_new_int(countdown ? 10 : 4));
		json_object_object_add(o, "step", json_object_new_int(1));
		add_str(o, "mode", "box");
		if (countdown)
			add_str(o, "unit_of_measurement", "s");
	} else if (strcmp(e->component, "event") == 0) {
		json_object *types = json_object_new_array();

		json_object_array_add(types, json_object_new_string(e->object));
		json_object_object_add(o, "event_types", types);
	} else if (strcmp(e->topic, "stats") == 0) {
		/* The booth's figures: times in ms, a frame rate, a count of frames. */
		bool fps = strncmp(e->object, "preview_fps", 11) == 0;
		bool dropped = strncmp(e->object, "preview_dropped", 15) == 0;

		add_str(o, "unit_of_measurement", fps ? "fps" : dropped ? "frames" : "ms");
		if (!fps && !dropped)
			add_str(o, "device_class", "duration");
		add_str(o, "state_class", "measurement");
	} else if (strcmp(e->object, "storage_free") == 0) {
		add_str(o, "unit_of_measurement", "MiB");
		add_str(o, "device_class", "data_size");
		add_str(o, "state_class", "measurement");
	} else if (strstr(e->object, "_today") || strstr(e->object, "_event")) {
		add_str(o, "state_class", "total_increasing");
	}
}

int discovery_entity(const struct booth_config *cfg, const struct booth_settings *s, int i,
		     char *topic, size_t n, json_object **ret)
{
	const struct entity *e;
	const char *booth = cfg->general.booth_id;

	if (i < 0 || (size_t)i >= ARRAY_SIZE(entities))
		return 0;
	e = &entities[i];
	snprintf(topic, n, "homeassistant/%s/photobooth_%s/%s/config", e->component, booth,
		 e->object);
	*ret = NULL;
	if (applies(e, cfg, s)) {
		*ret = common(e, booth);
		specific(*ret, e, booth, cfg);
	}
	return 1;
}

int discovery_publish(struct bus *b, const struct booth_config *cfg, const struct booth_settings *s)
{
	static const char pattern[] = "homeassistant/+/photobooth_{booth}/+/config";
	char topic[256];
	json_object *o;
	int r = 0;

	for (int i = 0; discovery_entity(cfg, s, i, topic, sizeof(topic), &o) > 0; i++) {
		int k = bus_publish_to(b, pattern, topic, o);

		if (k < 0 && r == 0)
			r = k;
		json_object_put(o);
	}
	return r;
}
