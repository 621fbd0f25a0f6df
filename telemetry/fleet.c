/* SPDX-License-Identifier: MIT */
/* One report to the fleet broker over its own TLS connection. */
#include "fleet.h"
#include "log.h"
#include "report.h"
#include "util.h"

#include <errno.h>
#include <mosquitto.h>
#include <mqtt_protocol.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#define FLEET_TIMEOUT_US (60 * 1000000ull)

struct fleet {
	struct loop *loop;
	struct mosquitto *mosq;
	struct loop_source *io, *tick, *deadline, *finish;
	uint32_t io_events;
	char *payload;
	size_t len;
	int mid;
	bool published;
	int result; /* 1 while running */
	fleet_done_fn fn;
	void *userdata;
};

/* Report RESULT from the loop, never from inside a libmosquitto callback. */
static void fleet_end(struct fleet *f, int result)
{
	if (f->result != 1)
		return;
	f->result = result;
	loop_timer_set(f->finish, 1, 0);
}

static int on_finish(struct loop_source *s, void *userdata)
{
	struct fleet *f = userdata;

	(void)s;
	if (f->result == 0)
		mosquitto_disconnect_v5(f->mosq, MQTT_RC_NORMAL_DISCONNECTION, NULL);
	f->io = loop_source_remove(f->io);
	f->fn(f, f->result, f->userdata);
	return 0;
}

static int on_io(struct loop_source *s, int fd, uint32_t revents, void *userdata)
{
	struct fleet *f = userdata;
	int rc = MOSQ_ERR_SUCCESS;

	(void)s;
	(void)fd;
	if (revents & (EPOLLIN | EPOLLERR | EPOLLHUP))
		rc = mosquitto_loop_read(f->mosq, 1);
	if (rc == MOSQ_ERR_SUCCESS && (revents & EPOLLOUT))
		rc = mosquitto_loop_write(f->mosq, 1);
	if (rc != MOSQ_ERR_SUCCESS) {
		log_warning("The fleet broker closed the connection: %s",
			    rc == MOSQ_ERR_ERRNO ? strerror(errno) : mosquitto_strerror(rc));
		fleet_end(f, -ECONNRESET);
	}
	return 0;
}

static void on_prepare(void *userdata)
{
	struct fleet *f = userdata;
	uint32_t want;

	if (!f->io)
		return;
	want = EPOLLIN | (mosquitto_want_write(f->mosq) ? EPOLLOUT : 0);
	if (want != f->io_events && loop_io_set_events(f->io, want) == 0)
		f->io_events = want;
}

static int on_tick(struct loop_source *s, void *userdata)
{
	struct fleet *f = userdata;

	(void)s;
	if (f->io && mosquitto_loop_misc(f->mosq) != MOSQ_ERR_SUCCESS)
		fleet_end(f, -ECONNRESET);
	return 0;
}

static int on_deadline(struct loop_source *s, void *userdata)
{
	(void)s;
	log_warning("The fleet broker did not take the report in time");
	fleet_end(userdata, -ETIMEDOUT);
	return 0;
}

static void on_connect(struct mosquitto *m, void *userdata, int rc, int flags,
		       const mosquitto_property *props)
{
	struct fleet *f = userdata;
	int prc;

	(void)flags;
	(void)props;
	if (rc != 0) {
		log_warning("The fleet broker refused the connection: %s",
			    mosquitto_reason_string(rc));
		fleet_end(f, -ECONNREFUSED);
		return;
	}
	/* QoS 1, never retained: the broker keeps nothing once it has passed the report on. */
	prc = mosquitto_publish_v5(m, &f->mid, REPORT_TOPIC, (int)f->len, f->payload, 1, false,
				   NULL);
	if (prc != MOSQ_ERR_SUCCESS) {
		log_warning("Could not send the report: %s", mosquitto_strerror(prc));
		fleet_end(f, -EIO);
		return;
	}
	f->published = true;
}

static void on_publish(struct mosquitto *m, void *userdata, int mid, int rc,
		       const mosquitto_property *props)
{
	struct fleet *f = userdata;

	(void)m;
	(void)props;
	if (mid != f->mid)
		return;
	if (rc >= 0x80)
		log_warning("The fleet broker did not accept the report: %s",
			    mosquitto_reason_string(rc));
	fleet_end(f, rc >= 0x80 ? -EPERM : 0);
}

/* A client id that says nothing and differs every time: "r" and 22 random hex digits. */
static int random_client_id(char *buf, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char rnd[11];
	int r = random_bytes(rnd, sizeof(rnd));

	if (r < 0 || n < 2 * sizeof(rnd) + 2)
		return r < 0 ? r : -ENAMETOOLONG;
	buf[0] = 'r';
	for (size_t i = 0; i < sizeof(rnd); i++) {
		buf[1 + 2 * i] = hex[rnd[i] >> 4];
		buf[2 + 2 * i] = hex[rnd[i] & 15];
	}
	buf[1 + 2 * sizeof(rnd)] = '\0';
	return 0;
}

int fleet_send(struct loop *l, const struct booth_config *cfg, const char *payload, size_t len,
	       fleet_done_fn fn, void *userdata, struct fleet **ret)
{
	char id[32];
	struct fleet *f;
	int r, rc;

	if (!cfg->telemetry.fleet_host[0])
		return -EDESTADDRREQ;
	r = random_client_id(id, sizeof(id));
	if (r < 0)
		return r;
	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->loop = l;
	f->fn = fn;
	f->userdata = userdata;
	f->result = 1;
	f->len = len;
	f->payload = malloc(len ? len : 1);
	r = -ENOMEM;
	if (!f->payload)
		goto fail;
	memcpy(f->payload, payload, len);
	mosquitto_lib_init();
	/* Clean start; no credentials and no will are ever set on this handle. */
	f->mosq = mosquitto_new(id, true, f);
	if (!f->mosq)
		goto fail;
	mosquitto_int_option(f->mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5);
	r = -EINVAL;
	if (mosquitto_tls_set(f->mosq, cfg->telemetry.fleet_ca, NULL, NULL, NULL, NULL) !=
		    MOSQ_ERR_SUCCESS ||
	    mosquitto_tls_opts_set(f->mosq, 1, "tlsv1.2", NULL) != MOSQ_ERR_SUCCESS ||
	    mosquitto_tls_insecure_set(f->mosq, false) != MOSQ_ERR_SUCCESS) {
		log_error("The fleet broker's CA %s cannot be used", cfg->telemetry.fleet_ca);
		goto fail;
	}
	mosquitto_connect_v5_callback_set(f->mosq, on_connect);
	mosquitto_publish_v5_callback_set(f->mosq, on_publish);
	r = loop_add_timer(l, 0, 0, on_finish, f, &f->finish);
	if (r == 0)
		r = loop_add_timer(l, 1000000, 1000000, on_tick, f, &f->tick);
	if (r == 0)
		r = loop_add_timer(l, FLEET_TIMEOUT_US, 0, on_deadline, f, &f->deadline);
	if (r == 0)
		r = loop_add_prepare(l, on_prepare, f);
	if (r < 0)
		goto fail;
	rc = mosquitto_connect_bind_async(f->mosq, cfg->telemetry.fleet_host,
					  cfg->telemetry.fleet_port, 30, NULL);
	if (rc != MOSQ_ERR_SUCCESS) {
		log_warning("Cannot reach the fleet broker: %s",
			    rc == MOSQ_ERR_ERRNO ? strerror(errno) : mosquitto_strerror(rc));
		r = -EHOSTUNREACH;
		goto fail;
	}
	r = loop_add_io(l, mosquitto_socket(f->mosq), EPOLLIN | EPOLLOUT, on_io, f, &f->io);
	if (r < 0)
		goto fail;
	f->io_events = EPOLLIN | EPOLLOUT;
	*ret = f;
	return 0;
fail:
	fleet_free(f);
	return r;
}

struct fleet *fleet_free(struct fleet *f)
{
	if (!f)
		return NULL;
	loop_remove_prepare(f->loop, on_prepare, f);
	loop_source_remove(f->io);
	loop_source_remove(f->tick);
	loop_source_remove(f->deadline);
	loop_source_remove(f->finish);
	if (f->mosq)
		mosquitto_destroy(f->mosq);
	free(f->payload);
	free(f);
	return NULL;
}
