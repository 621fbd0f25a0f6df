/* SPDX-License-Identifier: MIT */
/* The booth's configuration keys and the command line every daemon shares. */
#include "boothconf.h"
#include "config.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* NOLINTNEXTLINE(bugprone-macro-parentheses): S.F names a member path. */
#define FIELD(s, f) offsetof(struct booth_config, s.f), sizeof(((struct booth_config *)0)->s.f)

const struct config_key boothconf_keys[] = {
	{ "general", "booth_id", CONFIG_ID, FIELD(general, booth_id), 1, 32, "booth", NULL },
	{ "general", "photo_dir", CONFIG_PATH, FIELD(general, photo_dir), 1, PATH_MAX - 64,
	  "/var/lib/booth/photos", NULL },
	{ "general", "frames_dir", CONFIG_PATH, FIELD(general, frames_dir), 1, PATH_MAX - 160,
	  "/run/booth-frames", NULL },
	{ "mqtt", "host", CONFIG_STRING, FIELD(mqtt, host), 1, 255, "127.0.0.1", NULL },
	{ "mqtt", "port", CONFIG_INT, FIELD(mqtt, port), 1, 65535, "1883", NULL },
	{ "mqtt", "tls_port", CONFIG_INT, FIELD(mqtt, tls_port), 0, 65535, "8883", NULL },
	{ "mqtt", "keepalive", CONFIG_INT, FIELD(mqtt, keepalive), 5, 300, "10", NULL },
	{ "mqtt", "credentials_dir", CONFIG_PATH, FIELD(mqtt, credentials_dir), 1, PATH_MAX - 64,
	  "/etc/booth/credentials", NULL },
	{ "mqtt", "max_payload", CONFIG_INT, FIELD(mqtt, max_payload), 1024, 262144, "16384",
	  NULL },
	{ "mqtt", "reconnect_max", CONFIG_INT, FIELD(mqtt, reconnect_max), 1, 300, "30", NULL },
	{ "boothd", "database", CONFIG_PATH, FIELD(boothd, database), 1, PATH_MAX - 64,
	  "/var/lib/booth/booth.db", NULL },
	{ "boothd", "layouts_dir", CONFIG_PATH, FIELD(boothd, layouts_dir), 0, PATH_MAX - 64, "",
	  NULL },
	{ "boothd", "layout", CONFIG_ID, FIELD(boothd, layout), 1, 64, "4x6-two-strips", NULL },
	{ "boothd", "title", CONFIG_STRING, FIELD(boothd, title), 0, 80, "", NULL },
	{ "boothd", "shots", CONFIG_INT, FIELD(boothd, shots), 1, 6, "4", NULL },
	{ "boothd", "countdown_s", CONFIG_INT, FIELD(boothd, countdown_s), 0, 10, "3", NULL },
	{ "boothd", "between_s", CONFIG_INT, FIELD(boothd, between_s), 0, 10, "2", NULL },
	{ "boothd", "review_s", CONFIG_INT, FIELD(boothd, review_s), 1, 300, "20", NULL },
	{ "boothd", "done_s", CONFIG_INT, FIELD(boothd, done_s), 1, 60, "4", NULL },
	{ "boothd", "error_s", CONFIG_INT, FIELD(boothd, error_s), 1, 60, "6", NULL },
	{ "boothd", "capture_timeout_s", CONFIG_INT, FIELD(boothd, capture_timeout_s), 1, 60, "10",
	  NULL },
	{ "boothd", "compose_timeout_s", CONFIG_INT, FIELD(boothd, compose_timeout_s), 1, 120, "30",
	  NULL },
	{ "boothd", "print_timeout_s", CONFIG_INT, FIELD(boothd, print_timeout_s), 1, 120, "20",
	  NULL },
	{ "boothd", "copies", CONFIG_INT, FIELD(boothd, copies), 1, 4, "1", NULL },
	{ "boothd", "printing", CONFIG_BOOL, FIELD(boothd, printing), 0, 0, "yes", NULL },
	{ "boothd", "review_prints", CONFIG_BOOL, FIELD(boothd, review_prints), 0, 0, "yes", NULL },
	{ "boothd", "max_retakes", CONFIG_INT, FIELD(boothd, max_retakes), 0, 3, "1", NULL },
	{ "boothd", "max_copies", CONFIG_INT, FIELD(boothd, max_copies), 1, 4, "1", NULL },
	{ "boothd", "print_required", CONFIG_BOOL, FIELD(boothd, print_required), 0, 0, "no",
	  NULL },
	{ "boothd", "retention_days", CONFIG_INT, FIELD(boothd, retention_days), 0, 3650, "30",
	  NULL },
	{ "boothd", "min_free_mb", CONFIG_INT, FIELD(boothd, min_free_mb), 0, 1000000, "200",
	  NULL },
	{ "boothd", "last_strip_image", CONFIG_BOOL, FIELD(boothd, last_strip_image), 0, 0, "no",
	  NULL },
	{ "boothd", "homeassistant", CONFIG_BOOL, FIELD(boothd, homeassistant), 0, 0, "yes", NULL },
	/* [camera]: booth-camera */
	{ "camera", "backend", CONFIG_CHOICE, FIELD(camera, backend), 0, 0, "libcamera",
	  "libcamera|sim" },
	{ "camera", "preview_width", CONFIG_INT, FIELD(camera, preview_width), 160, 4096, "1280",
	  NULL },
	{ "camera", "preview_height", CONFIG_INT, FIELD(camera, preview_height), 120, 4096, "720",
	  NULL },
	{ "camera", "preview_fps", CONFIG_INT, FIELD(camera, preview_fps), 1, 60, "30", NULL },
	{ "camera", "still_width", CONFIG_INT, FIELD(camera, still_width), 160, 16384, "4608",
	  NULL },
	{ "camera", "still_height", CONFIG_INT, FIELD(camera, still_height), 120, 16384, "2592",
	  NULL },
	{ "camera", "stream_width", CONFIG_INT, FIELD(camera, stream_width), 160, 4096, "1920",
	  NULL },
	{ "camera", "stream_height", CONFIG_INT, FIELD(camera, stream_height), 120, 4096, "1080",
	  NULL },
	{ "camera", "jpeg_quality", CONFIG_INT, FIELD(camera, jpeg_quality), 50, 100, "92", NULL },
	{ "camera", "preview_socket", CONFIG_PATH, FIELD(camera, preview_socket), 1, 107,
	  "/run/booth/preview.sock", NULL },
	/* [printer]: booth-printer */
	{ "printer", "destination", CONFIG_STRING, FIELD(printer, destination), 0, 1023, "", NULL },
	{ "printer", "poll_ms", CONFIG_INT, FIELD(printer, poll_ms), 200, 60000, "1000", NULL },
	{ "printer", "timeout_ms", CONFIG_INT, FIELD(printer, timeout_ms), 500, 60000, "5000",
	  NULL },
	{ "printer", "cut", CONFIG_CHOICE, FIELD(printer, cut), 0, 0, "none",
	  "none|finishings|option" },
	/* IPP finishings enums (PWG 5100.1): 3 is none, so 4 up to the vendor range's top. */
	{ "printer", "cut_finishings", CONFIG_INT, FIELD(printer, cut_finishings), 4, INT_MAX, "11",
	  NULL },
	{ "printer", "cut_option", CONFIG_OPTIONS, FIELD(printer, cut_option), 0, 255, "", NULL },
	/* [ui]: booth-ui */
	{ "ui", "backend", CONFIG_CHOICE, FIELD(ui, backend), 0, 0, "drm", "drm|sdl|headless" },
	{ "ui", "width", CONFIG_INT, FIELD(ui, width), 320, 4096, "1280", NULL },
	{ "ui", "height", CONFIG_INT, FIELD(ui, height), 240, 4096, "800", NULL },
	{ "ui", "rotation", CONFIG_CHOICE, FIELD(ui, rotation), 0, 0, "0", "0|90|180|270" },
	{ "ui", "connector", CONFIG_STRING, FIELD(ui, connector), 0, 31, "", NULL },
	{ "ui", "mode", CONFIG_STRING, FIELD(ui, mode), 0, 31, "", NULL },
	{ "ui", "language", CONFIG_CHOICE, FIELD(ui, language), 0, 0, "en", "en|zh" },
	{ "ui", "pin", CONFIG_STRING, FIELD(ui, pin), 4, 8, "2580", NULL },
	{ "ui", "mirror", CONFIG_BOOL, FIELD(ui, mirror), 0, 0, "yes", NULL },
	{ "ui", "preview_plane", CONFIG_BOOL, FIELD(ui, preview_plane), 0, 0, "yes", NULL },
	{ "ui", "test_input", CONFIG_BOOL, FIELD(ui, test_input), 0, 0, "no", NULL },
	{ "ui", "screenshot_dir", CONFIG_PATH, FIELD(ui, screenshot_dir), 1, PATH_MAX - 64,
	  "/var/lib/booth/screens", NULL },
	/* [telemetry]: booth-telemetry */
	{ "telemetry", "database", CONFIG_PATH, FIELD(telemetry, database), 1, PATH_MAX - 64,
	  "/var/lib/booth-telemetry/telemetry.db", NULL },
	{ "telemetry", "fleet_host", CONFIG_STRING, FIELD(telemetry, fleet_host), 0, 255, "",
	  NULL },
	{ "telemetry", "fleet_port", CONFIG_INT, FIELD(telemetry, fleet_port), 1, 65535, "8883",
	  NULL },
	{ "telemetry", "fleet_ca", CONFIG_PATH, FIELD(telemetry, fleet_ca), 1, PATH_MAX - 64,
	  "/etc/booth/fleet-ca.crt", NULL },
	{ "telemetry", "test_interval_s", CONFIG_INT, FIELD(telemetry, test_interval_s), 0, 86400,
	  "0", NULL },
	{ NULL, NULL, CONFIG_STRING, 0, 0, 0, 0, NULL, NULL },
};

int boothconf_load(const char *path, struct booth_config *cfg, char *err, size_t errlen)
{
	int r;

	memset(cfg, 0, sizeof(*cfg));
	r = config_defaults(boothconf_keys, cfg, err, errlen);
	if (r < 0)
		return r;
	r = config_parse_file(boothconf_keys, cfg, path, err, errlen);
	if (r < 0)
		return r;
	if (strcmp(cfg->printer.cut, "option") == 0 && !cfg->printer.cut_option[0]) {
		snprintf(err, errlen,
			 "%s: [printer] cut = option needs cut_option, the driver's option for "
			 "the cut (such as PageSize=w288h432-div2)",
			 path);
		return -EINVAL;
	}
	return 0;
}

/* NOLINTNEXTLINE(bugprone-macro-parentheses) */
#define CRED_FIELD(f)                                                                              \
	offsetof(struct booth_credentials, f), sizeof(((struct booth_credentials *)0)->f)

static const struct config_key credential_keys[] = {
	{ "", "username", CONFIG_ID, CRED_FIELD(username), 1, 32, NULL, NULL },
	{ "", "password", CONFIG_STRING, CRED_FIELD(password), 16, 128, NULL, NULL },
	{ NULL, NULL, CONFIG_STRING, 0, 0, 0, 0, NULL, NULL },
};

int boothconf_credentials(const struct booth_config *cfg, const char *user,
			  struct booth_credentials *ret, char *err, size_t errlen)
{
	const char *dir = getenv("CREDENTIALS_DIRECTORY");
	struct booth_credentials c = { { 0 }, { 0 } };
	char path[PATH_MAX];
	int r;

	if (!dir || !*dir)
		dir = cfg->mqtt.credentials_dir;
	if (snprintf(path, sizeof(path), "%s/%s", dir, user) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	r = config_parse_file(credential_keys, &c, path, err, errlen);
	if (r < 0)
		return r;
	if (!c.username[0] || !c.password[0]) {
		snprintf(err, errlen, "%s: needs both 'username' and 'password'", path);
		return -EINVAL;
	}
	*ret = c;
	return 0;
}

static void usage(const char *name, const char *summary)
{
	printf("Usage: %s [-f FILE] [-n] [-v] [--help]\n"
	       "%s\n\n"
	       "  -f, --config FILE  read FILE instead of %s\n"
	       "  -n, --check        check the configuration, print \"configuration OK\" and exit\n"
	       "  -v, --verbose      log debug messages\n"
	       "  -h, --help         show this help\n",
	       name, summary, BOOTHCONF_DEFAULT_PATH);
}

int boothconf_main(int argc, char **argv, const char *name, const char *summary,
		   struct booth_config *cfg)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'f' },
		{ "check", no_argument, NULL, 'n' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = BOOTHCONF_DEFAULT_PATH;
	char err[CONFIG_ERR_MAX + 64];
	bool check = false;
	int c, r;

	optind = 1;
	while ((c = getopt_long(argc, argv, "f:nvh", opts, NULL)) >= 0) {
		switch (c) {
		case 'f':
			path = optarg;
			break;
		case 'n':
			check = true;
			break;
		case 'v':
			log_set_max_level(LOG_DEBUG);
			break;
		case 'h':
			usage(name, summary);
			return 1;
		default:
			fprintf(stderr, "Try '%s --help'.\n", name);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", name, argv[optind]);
		return -EINVAL;
	}
	r = boothconf_load(path, cfg, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "%s\n", err);
		return r == -EINVAL ? -EBADMSG : r;
	}
	if (check) {
		printf("configuration OK\n");
		return 1;
	}
	return 0;
}
