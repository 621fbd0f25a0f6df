/* SPDX-License-Identifier: MIT */
/* booth-topics: prints the topic table's users, topics, or the broker ACL generated from it. */
#include "topics.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[] = {
	[TOPIC_AVAILABILITY] = "availability", [TOPIC_STATE] = "state", [TOPIC_REQUEST] = "request",
	[TOPIC_RESPONSE] = "response",	       [TOPIC_EVENT] = "event", [TOPIC_COMMAND] = "command",
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: booth-topics users | list | acl BOOTH_ID\n"
		   "  users         the MQTT users, one per line\n"
		   "  list          every topic: pattern, kind, publisher, retain, qos\n"
		   "  acl BOOTH_ID  the Mosquitto ACL for booth BOOTH_ID\n");
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "users") == 0) {
		for (const char *const *u = topic_users; *u; u++)
			printf("%s\n", *u);
		return EXIT_SUCCESS;
	}
	if (argc == 2 && strcmp(argv[1], "list") == 0) {
		for (const struct topic_def *t = topic_table; t->pattern; t++)
			printf("%s %s %s %s %d\n", t->pattern, kind_names[t->kind], t->publisher,
			       t->retain ? "retained" : "not-retained", t->qos);
		return EXIT_SUCCESS;
	}
	if (argc == 3 && strcmp(argv[1], "acl") == 0) {
		if (!valid_id(argv[2], 32)) {
			fprintf(stderr,
				"booth-topics: '%s' is not a valid booth id "
				"(1-32 of a-z, 0-9, '_', '-')\n",
				argv[2]);
			return EXIT_FAILURE;
		}
		return topic_write_acl(argv[2], stdout) < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
	}
	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return EXIT_SUCCESS;
	}
	usage(stderr);
	return 2;
}
