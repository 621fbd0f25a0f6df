/* SPDX-License-Identifier: MIT */
/* libFuzzer target: what booth-telemetry parses from outside. The first byte picks: a health
 * document (booth/{booth}/health, as booth-telemetry reads it off the bus, then counted), or a
 * report checked against the report schema. */
#include "codec.h"
#include "report.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct report_counts counts;
	static struct report_base base;
	const struct topic_def *t = topic_lookup("b1", "booth/b1/health");
	json_object *o = NULL;
	char err[512];

	if (size < 1 || !t)
		return 0;
	if (data[0] & 1) {
		if (codec_parse(t, data + 1, size - 1, 4096, &o, err, sizeof(err)) == 0) {
			report_add_health(&counts, &base, o, true);
			json_object_put(o);
		}
		return 0;
	}
	if (report_validate((const char *)data + 1, size - 1, err, sizeof(err)) == 0) {
		/* A valid report is exactly the schema: every field there, nothing else. */
		if (codec_decode(data + 1, size - 1, 4096, &o, err, sizeof(err)) < 0 ||
		    codec_check(report_fields, o, 0, err, sizeof(err)) < 0)
			abort();
		json_object_put(o);
	}
	return 0;
}
