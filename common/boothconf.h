/* SPDX-License-Identifier: MIT */
/* The booth's configuration: every key of /etc/booth/booth.conf, its default and its limits,
 * and the command line every daemon shares (-f FILE, -n, -v, --help). */
#ifndef BOOTH_BOOTHCONF_H
#define BOOTH_BOOTHCONF_H

#include "config.h"

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#define BOOTHCONF_DEFAULT_PATH "/etc/booth/booth.conf"

struct booth_config {
	struct {
		char booth_id[33];
		char photo_dir[PATH_MAX]; /* the photo store: booth-camera writes, boothd owns */
		/* Raw frames (in RAM) from booth-camera to the composer, deleted once composed. */
		char frames_dir[PATH_MAX];
	} general;
	struct {
		char host[256];
		int port;
		int tls_port; /* owners' TLS listener (made by firstboot); 0: none */
		int keepalive;
		char credentials_dir[PATH_MAX];
		int max_payload;
		int reconnect_max;
	} mqtt;
	struct {
		char database[PATH_MAX];
		char layouts_dir[PATH_MAX]; /* empty: booth-compose's built-in directory */
		char layout[65];
		char title[81];
		int shots;
		int countdown_s, between_s, review_s, done_s, error_s;
		int capture_timeout_s, compose_timeout_s, print_timeout_s;
		int copies;
		bool printing;
		bool review_prints;
		int max_retakes;
		int max_copies;	       /* the most copies a guest may choose */
		bool print_required;   /* no sessions while printing is impossible */
		int retention_days;    /* 0: keep photos until deleted */
		int min_free_mb;       /* below this free space, no new sessions */
		bool last_strip_image; /* publish each strip on strip/last */
		bool homeassistant;    /* publish Home Assistant discovery */
	} boothd;
	struct {
		char backend[16]; /* "libcamera" or "sim" */
		int preview_width, preview_height, preview_fps;
		int still_width, still_height;	 /* full-resolution stills ([page] stills = full) */
		int stream_width, stream_height; /* the reduced-size capture stream */
		int jpeg_quality;
		char preview_socket[108];
	} camera;
	struct {
		/* An IPP URI (ipp://host:port/ipp/print) or a CUPS queue name; empty: none. */
		char destination[1024];
		int poll_ms;	/* how often printer and job state are read */
		int timeout_ms; /* for each IPP exchange */
		/* How to ask the printer to cut a page whose layout wants it ([page] cut = yes):
		 * "none", "finishings" (IPP finishings = cut_finishings) or "option" (the job
		 * options in cut_option, "NAME=VALUE ...", for a CUPS driver). */
		char cut[16];
		int cut_finishings;
		char cut_option[256];
	} printer;
	struct {
		char backend[16];   /* "drm", "sdl" or "headless" */
		int width, height;  /* the screen (headless, sdl; drm: preferred mode) */
		char rotation[4];   /* "0", "90", "180", "270": clockwise, for portrait screens */
		char connector[32]; /* drm: "HDMI-A-1", "DSI-1", ...; "" = the best connected */
		char mode[32];	    /* drm: "WxH", "WxH@HZ", "preferred"; "" = width x height */
		char language[8];   /* "en" or "zh": the attract screen's default */
		char pin[9];	    /* the owner menu's PIN, 4-8 digits */
		bool mirror;	    /* show the live preview mirrored, as a mirror would */
		bool preview_plane; /* drm: put the preview on a hardware plane where one takes it */
		bool test_input;    /* obey booth/{booth}/ui/test_input (tests only) */
		char screenshot_dir[PATH_MAX]; /* where test screenshots are written */
	} ui;
	struct {
		char database[PATH_MAX]; /* booth-telemetry's own SQLite file */
		char fleet_host[256];	 /* the fleet broker; empty: telemetry is impossible */
		int fleet_port;		 /* its TLS port */
		char fleet_ca[PATH_MAX]; /* the CA that signed the fleet broker's certificate */
		int test_interval_s;	 /* tests only: report every N s, not daily; 0: off */
	} telemetry;
};

/* The credentials a process uses on the broker. */
struct booth_credentials {
	char username[33];
	char password[129];
};

/* The key table (for tests and fuzzing). */
extern const struct config_key boothconf_keys[];

/* Defaults, then PATH. On failure writes the reason ("FILE:LINE: why") into ERR. */
int boothconf_load(const char *path, struct booth_config *cfg, char *err, size_t errlen);

/* Read USER's credentials from $CREDENTIALS_DIRECTORY/USER (systemd) if set, otherwise from
 * CFG's credentials_dir/USER. */
int boothconf_credentials(const struct booth_config *cfg, const char *user,
			  struct booth_credentials *ret, char *err, size_t errlen);

/* Parse the shared command line, load the config and set up logging for daemon NAME.
 * Returns 1 when the process should exit successfully (--help, -n), 0 to run, or a negative
 * errno after printing the reason (exit status 1 then; 2 for usage errors, returned as
 * -EINVAL). */
int boothconf_main(int argc, char **argv, const char *name, const char *summary,
		   struct booth_config *cfg);

#endif
