/* SPDX-License-Identifier: MIT */
/* The bus client every process uses: libmosquitto on the external-loop API, driven by the
 * process's event loop. Availability with a last will, reconnect with backoff and resubscribe,
 * publishing checked against the topic table, and request/response for commands. */
#ifndef BOOTH_BUS_H
#define BOOTH_BUS_H

#include "boothconf.h"
#include "loop.h"
#include "topics.h"

#include <json-c/json.h>
#include <stdbool.h>

struct bus;
struct bus_request;

/* Called after every successful (re)connection, after resubscribing: republish retained state. */
typedef void (*bus_connect_fn)(struct bus *b, void *userdata);
/* Called for a message on a subscribed topic. PAYLOAD is not NUL-terminated. */
typedef void (*bus_message_fn)(struct bus *b, const char *topic, const void *payload, size_t len,
			       void *userdata);
/* Called for a valid request: ARGS (borrowed) passed T's schema. The handler must answer REQ
 * exactly once with bus_respond() or bus_respond_error(), now or later. */
typedef void (*bus_request_fn)(struct bus *b, struct bus_request *req, const char *command,
			       json_object *args, void *userdata);

/* Create the client of PROCESS (its MQTT user name, as in topic_users) with CRED, and start
 * connecting. Returns 0 and *ret, or -errno. The connection is made in the background: the
 * broker being down is not an error. */
int bus_new(struct loop *l, const struct booth_config *cfg, const char *process,
	    const struct booth_credentials *cred, struct bus **ret);

/* Say "offline" on the availability topic, disconnect cleanly, free. Accepts NULL, returns NULL. */
struct bus *bus_free(struct bus *b);

void bus_set_connect_handler(struct bus *b, bus_connect_fn fn, void *userdata);

/* Answer requests to booth/{booth}/request/+ with FN (boothd). */
int bus_serve_requests(struct bus *b, bus_request_fn fn, void *userdata);
/* Also answer requests on the request entry PATTERN (outside request/, such as
 * booth/{booth}/settings/set) with the same handler, as COMMAND (a static string; answers go to
 * response/COMMAND). Call after bus_serve_requests(). */
int bus_serve_request_topic(struct bus *b, const char *pattern, const char *command);

/* Subscribe to the topic-table entry PATTERN (may hold wildcards), now and after every
 * reconnect. */
int bus_subscribe(struct bus *b, const char *pattern, bus_message_fn fn, void *userdata);

/* Publish OBJ (borrowed) on the table entry PATTERN with the table's QoS and retain flag.
 * Returns -EPROTO (and logs) if OBJ does not match the entry's schema, -ENOTCONN when
 * disconnected, 0 on success. */
int bus_publish(struct bus *b, const char *pattern, json_object *obj);
/* The same on TOPIC, which must match the wildcard entry PATTERN (NULL: PATTERN itself). A NULL
 * OBJ publishes an empty payload, which clears a retained topic. */
int bus_publish_to(struct bus *b, const char *pattern, const char *topic, json_object *obj);
/* Publish LEN bytes on the PAYLOAD_BINARY entry PATTERN. */
int bus_publish_bytes(struct bus *b, const char *pattern, const void *data, size_t len);

/* Answer REQ with {"ok":true,"data":DATA}; consumes DATA (may be NULL) and REQ. */
int bus_respond(struct bus_request *req, json_object *data);
/* Answer REQ with {"ok":false,"error":"..."}; consumes REQ. */
int bus_respond_error(struct bus_request *req, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

bool bus_connected(const struct bus *b);
/* The booth id (from the config). */
const char *bus_booth(const struct bus *b);

#endif
