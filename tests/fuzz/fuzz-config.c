/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the config parser on arbitrary text (booth.conf and credential files). */
#include "boothconf.h"
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct booth_config cfg;
	char err[CONFIG_ERR_MAX];
	char *text = malloc(size + 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	memset(&cfg, 0, sizeof(cfg));
	if (config_defaults(boothconf_keys, &cfg, err, sizeof(err)) == 0 &&
	    config_parse_string(boothconf_keys, &cfg, "fuzz", text, err, sizeof(err)) == 0) {
		/* Whatever was accepted is within its limits. */
		if (cfg.mqtt.port < 1 || cfg.mqtt.port > 65535 || !cfg.general.booth_id[0])
			abort();
	}
	free(text);
	return 0;
}
