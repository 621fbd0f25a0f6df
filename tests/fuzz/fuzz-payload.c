/* SPDX-License-Identifier: MIT */
/* libFuzzer target: MQTT payloads through the codec, against every topic's schema. The first
 * byte picks the topic. */
#include "codec.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct topic_def *t;
	size_t n = 0, len;
	json_object *obj = NULL;
	char err[512];

	if (size < 1)
		return 0;
	while (topic_table[n].pattern)
		n++;
	if (n == 0)
		return 0;
	t = &topic_table[data[0] % n];
	if (t->payload != PAYLOAD_JSON || !t->fields)
		return 0;
	if (codec_parse(t, data + 1, size - 1, 16384, &obj, err, sizeof(err)) == 0) {
		/* An accepted payload serializes and passes its own schema again. */
		if (!codec_string(obj, &len) ||
		    codec_check(t->fields, obj, t->kind == TOPIC_REQUEST, err, sizeof(err)) < 0)
			abort();
		json_object_put(obj);
	}
	return 0;
}
