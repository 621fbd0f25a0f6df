/* SPDX-License-Identifier: MIT */
/* One report to the fleet broker: its own short-lived MQTT v5 connection over TLS (the server
 * verified against the configured CA and by name), a random client id each time, clean start,
 * no credentials, no will; one QoS 1 message, never retained, on REPORT_TOPIC; then
 * disconnect. Driven by the process's event loop. */
#ifndef BOOTH_FLEET_H
#define BOOTH_FLEET_H

#include "boothconf.h"
#include "loop.h"

#include <stddef.h>

struct fleet;

/* Called once when the report was acknowledged by the broker (0) or could not be sent
 * (-errno). The fleet object may be freed from here. */
typedef void (*fleet_done_fn)(struct fleet *f, int result, void *userdata);

/* Start sending LEN bytes of PAYLOAD (copied) to CFG's fleet broker. Returns 0 and *ret, or
 * -errno when it cannot even start (FN is then not called). */
int fleet_send(struct loop *l, const struct booth_config *cfg, const char *payload, size_t len,
	       fleet_done_fn fn, void *userdata, struct fleet **ret);

/* Close the connection at once; a report not yet published is never published. FN is not
 * called. Accepts NULL, returns NULL. */
struct fleet *fleet_free(struct fleet *f);

#endif
