/* SPDX-License-Identifier: MIT */
/* The bus client: libmosquitto's external-loop API on the process's event loop. */
#include "bus.h"
#include "codec.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <mosquitto.h>
#include <mqtt_protocol.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#define BUS_MAX_SUBS	  32
#define BUS_TOPIC_MAX	  256
#define BUS_BACKOFF_MIN	  250u /* ms */
#define BUS_COMMAND_MAX	  64
#define BUS_CORRELATE_MAX 128

struct subscription {
	char topic[BUS_TOPIC_MAX];
	bus_message_fn fn;
	void *userdata;
	const struct topic_def *request; /* a request topic outside request/: its entry */
	const char *command;		 /* and the command name answers are filed under */
};

struct bus {
	struct loop *loop;
	struct mosquitto *mosq;
	char process[33];
	char booth[33];
	char host[256];
	int port;
	int keepalive;
	size_t max_payload;
	unsigned backoff_max; /* ms */
	unsigned backoff;     /* ms, next retry delay */
	char availability[BUS_TOPIC_MAX];
	char request_prefix[BUS_TOPIC_MAX];
	char response_prefix[BUS_TOPIC_MAX];

	struct loop_source *io;
	uint32_t io_events;
	struct loop_source *misc_timer;
	struct loop_source *retry_timer;
	bool connected;
	int last_error; /* to log a repeated failure once */

	bus_connect_fn on_connect;
	void *on_connect_data;
	bus_request_fn on_request;
	void *on_request_data;
	struct subscription subs[BUS_MAX_SUBS];
	unsigned nsubs;
};

struct bus_request {
	struct bus *bus;
	char command[BUS_COMMAND_MAX + 1];
	char response_topic[BUS_TOPIC_MAX];
	unsigned char correlation[BUS_CORRELATE_MAX];
	uint16_t correlation_len;
	json_object *transaction;
};

static void bus_schedule_retry(struct bus *b);

bool bus_connected(const struct bus *b)
{
	return b->connected;
}

const char *bus_booth(const struct bus *b)
{
	return b->booth;
}

static void bus_connection_lost(struct bus *b)
{
	if (b->connected)
		log_warning("Lost the connection to the broker at %s:%d, reconnecting", b->host,
			    b->port);
	b->connected = false;
	b->io = loop_source_remove(b->io);
	b->io_events = 0;
	bus_schedule_retry(b);
}

static int bus_io(struct loop_source *s, int fd, uint32_t revents, void *userdata)
{
	struct bus *b = userdata;
	int rc = MOSQ_ERR_SUCCESS;

	(void)s;
	(void)fd;
	if (revents & (EPOLLIN | EPOLLERR | EPOLLHUP))
		rc = mosquitto_loop_read(b->mosq, 1);
	if (rc == MOSQ_ERR_SUCCESS && (revents & EPOLLOUT))
		rc = mosquitto_loop_write(b->mosq, 1);
	if (rc != MOSQ_ERR_SUCCESS && b->io)
		bus_connection_lost(b);
	return 0;
}

/* Before each wait: ask for EPOLLOUT only while libmosquitto has queued data. */
static void bus_prepare(void *userdata)
{
	struct bus *b = userdata;
	uint32_t want;

	if (!b->io)
		return;
	want = EPOLLIN | (mosquitto_want_write(b->mosq) ? EPOLLOUT : 0);
	if (want != b->io_events && loop_io_set_events(b->io, want) == 0)
		b->io_events = want;
}

static int bus_misc(struct loop_source *s, void *userdata)
{
	struct bus *b = userdata;

	(void)s;
	if (!b->io)
		return 0;
	/* Keepalive: pings the broker, and notices a broker that stopped answering. */
	if (mosquitto_loop_misc(b->mosq) != MOSQ_ERR_SUCCESS || mosquitto_socket(b->mosq) < 0)
		bus_connection_lost(b);
	return 0;
}

static int bus_try_connect(struct loop_source *s, void *userdata)
{
	struct bus *b = userdata;
	int rc, fd, r;

	(void)s;
	rc = mosquitto_connect_bind_v5(b->mosq, b->host, b->port, b->keepalive, NULL, NULL);
	if (rc != MOSQ_ERR_SUCCESS) {
		if (rc != b->last_error)
			log_warning("Cannot connect to the broker at %s:%d: %s (retrying)", b->host,
				    b->port,
				    rc == MOSQ_ERR_ERRNO ? strerror(errno)
							 : mosquitto_strerror(rc));
		b->last_error = rc;
		bus_schedule_retry(b);
		return 0;
	}
	fd = mosquitto_socket(b->mosq);
	/* Children (the composer) must not keep the broker connection open. */
	if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
		log_warning("Cannot mark the broker connection close-on-exec: %m");
	r = loop_add_io(b->loop, fd, EPOLLIN, bus_io, b, &b->io);
	if (r < 0) {
		log_error_errno(r, "Cannot watch the broker connection: %m");
		mosquitto_disconnect(b->mosq);
		bus_schedule_retry(b);
		return 0;
	}
	b->io_events = EPOLLIN;
	/* CONNACK arrives through bus_io() and then on_connect(). */
	return 0;
}

static void bus_schedule_retry(struct bus *b)
{
	unsigned jitter;
	unsigned char rnd = 0;

	random_bytes(&rnd, 1);
	/* +-25% so that a restarted broker is not hit by every process at once. */
	jitter = b->backoff / 2 * rnd / 255;
	loop_timer_set(b->retry_timer, ((uint64_t)b->backoff * 3 / 4 + jitter) * 1000u, 0);
	b->backoff = b->backoff * 2 > b->backoff_max ? b->backoff_max : b->backoff * 2;
}

static int publish_raw(struct bus *b, const char *topic, const void *payload, size_t len, int qos,
		       bool retain, const mosquitto_property *props)
{
	int rc;

	if (!b->connected)
		return -ENOTCONN;
	rc = mosquitto_publish_v5(b->mosq, NULL, topic, (int)len, payload, qos, retain, props);
	if (rc != MOSQ_ERR_SUCCESS) {
		log_debug("Publishing to %s failed: %s", topic, mosquitto_strerror(rc));
		return rc == MOSQ_ERR_NO_CONN ? -ENOTCONN : -EIO;
	}
	return 0;
}

static void on_connect(struct mosquitto *m, void *userdata, int rc, int flags,
		       const mosquitto_property *props)
{
	struct bus *b = userdata;

	(void)m;
	(void)flags;
	(void)props;
	if (rc != 0) {
		if (rc != b->last_error)
			log_error("The broker refused %s: %s (retrying)", b->process,
				  mosquitto_reason_string(rc));
		b->last_error = rc;
		return; /* the broker closes the connection; bus_io() notices */
	}
	log_info("Connected to the broker at %s:%d as %s", b->host, b->port, b->process);
	b->connected = true;
	b->last_error = 0;
	b->backoff = BUS_BACKOFF_MIN;
	for (unsigned i = 0; i < b->nsubs; i++) {
		int src = mosquitto_subscribe_v5(b->mosq, NULL, b->subs[i].topic, 1, 0, NULL);

		if (src != MOSQ_ERR_SUCCESS)
			log_error("Cannot subscribe to %s: %s", b->subs[i].topic,
				  mosquitto_strerror(src));
	}
	publish_raw(b, b->availability, "online", 6, 1, true, NULL);
	if (b->on_connect)
		b->on_connect(b, b->on_connect_data);
}

static void on_disconnect(struct mosquitto *m, void *userdata, int rc,
			  const mosquitto_property *props)
{
	struct bus *b = userdata;

	(void)m;
	(void)rc;
	(void)props;
	b->connected = false;
}

static int bus_send_response(struct bus_request *req, json_object *resp)
{
	struct bus *b = req->bus;
	mosquitto_property *props = NULL;
	const char *s;
	size_t len;
	char err[256];
	int r;

	if (req->transaction)
		json_object_object_add(resp, "transaction", json_object_get(req->transaction));
	for (const struct topic_def *t = topic_table; t->pattern; t++) {
		if (t->kind == TOPIC_RESPONSE &&
		    codec_check(t->fields, resp, 0, err, sizeof(err)) < 0) {
			log_error("Response to '%s' breaks the contract: %s", req->command, err);
			r = -EPROTO;
			goto out;
		}
	}
	if (req->correlation_len > 0)
		mosquitto_property_add_binary(&props, MQTT_PROP_CORRELATION_DATA, req->correlation,
					      req->correlation_len);
	s = codec_string(resp, &len);
	r = publish_raw(b, req->response_topic, s, len, 1, false, props);
out:
	mosquitto_property_free_all(&props);
	json_object_put(resp);
	json_object_put(req->transaction);
	free(req);
	return r;
}

int bus_respond(struct bus_request *req, json_object *data)
{
	json_object *resp = json_object_new_object();

	json_object_object_add(resp, "ok", json_object_new_boolean(1));
	if (data)
		json_object_object_add(resp, "data", data);
	return bus_send_response(req, resp);
}

int bus_respond_error(struct bus_request *req, const char *fmt, ...)
{
	json_object *resp = json_object_new_object();
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_debug("Request '%s' refused: %s", req->command, msg);
	json_object_object_add(resp, "ok", json_object_new_boolean(0));
	json_object_object_add(resp, "error", json_object_new_string(msg));
	return bus_send_response(req, resp);
}

static void known_commands(char *buf, size_t n)
{
	size_t off = 0;

	buf[0] = '\0';
	static const char prefix[] = "booth/{booth}/request/";

	for (const struct topic_def *t = topic_table; t->pattern; t++) {
		const char *cmd = t->pattern + sizeof(prefix) - 1;

		if (t->kind != TOPIC_REQUEST ||
		    strncmp(t->pattern, prefix, sizeof(prefix) - 1) != 0 || strcmp(cmd, "+") == 0)
			continue;
		off += (size_t)snprintf(buf + off, n - off, "%s%s", off ? ", " : "", cmd);
		if (off >= n)
			return;
	}
}

/* A request on COMMAND's topic; T is its entry, or NULL to look COMMAND up below request/. */
static void handle_request(struct bus *b, const struct mosquitto_message *msg,
			   const mosquitto_property *props, const char *command,
			   const struct topic_def *t)
{
	struct bus_request *req;
	char *rt = NULL;
	void *corr = NULL;
	uint16_t corr_len = 0;
	json_object *args = NULL;
	char err[512];
	bool bad_rt = false;
	int r;

	req = calloc(1, sizeof(*req));
	if (!req)
		return;
	req->bus = b;
	if (strscpy(req->command, command, sizeof(req->command)) < 0 || strchr(command, '/'))
		strscpy(req->command, "unknown", sizeof(req->command));
	if (mosquitto_property_read_string(props, MQTT_PROP_RESPONSE_TOPIC, &rt, false)) {
		if (strncmp(rt, b->response_prefix, strlen(b->response_prefix)) != 0 ||
		    strpbrk(rt, "+#") || strscpy(req->response_topic, rt, BUS_TOPIC_MAX) < 0)
			bad_rt = true;
		free(rt);
	}
	if (!req->response_topic[0]) {
		/* The prefix is at most 64 bytes and the command 64: this fits. */
		size_t n = strlen(b->response_prefix);

		memcpy(req->response_topic, b->response_prefix, n);
		strscpy(req->response_topic + n, req->command, BUS_TOPIC_MAX - n);
	}
	if (mosquitto_property_read_binary(props, MQTT_PROP_CORRELATION_DATA, &corr, &corr_len,
					   false)) {
		if (corr_len <= BUS_CORRELATE_MAX) {
			memcpy(req->correlation, corr, corr_len);
			req->correlation_len = corr_len;
		}
		free(corr);
	}

	r = codec_decode(msg->payload, (size_t)msg->payloadlen, b->max_payload, &args, err,
			 sizeof(err));
	if (r < 0) {
		bus_respond_error(req, "%s", err);
		return;
	}
	/* Echo the transaction even when the rest of the request is wrong. */
	if (json_object_object_get_ex(args, "transaction", &req->transaction)) {
		if (json_object_is_type(req->transaction, json_type_int) ||
		    (json_object_is_type(req->transaction, json_type_string) &&
		     json_object_get_string_len(req->transaction) <= 64))
			json_object_get(req->transaction);
		else
			req->transaction = NULL;
	}
	if (bad_rt) {
		bus_respond_error(req, "the response topic must be below %s", b->response_prefix);
		goto out;
	}
	if (!t)
		t = topic_request(req->command);
	if (!t || strcmp(req->command, command) != 0) {
		char known[256];

		known_commands(known, sizeof(known));
		bus_respond_error(req, "unknown command '%.64s' (known: %s)", command, known);
		goto out;
	}
	r = codec_check(t->fields, args, 1, err, sizeof(err));
	if (r < 0) {
		bus_respond_error(req, "%s", err);
		goto out;
	}
	b->on_request(b, req, req->command, args, b->on_request_data);
out:
	json_object_put(args);
}

static void on_message(struct mosquitto *m, void *userdata, const struct mosquitto_message *msg,
		       const mosquitto_property *props)
{
	struct bus *b = userdata;
	bool match = false;

	(void)m;
	if (b->on_request && b->request_prefix[0] &&
	    strncmp(msg->topic, b->request_prefix, strlen(b->request_prefix)) == 0) {
		handle_request(b, msg, props, msg->topic + strlen(b->request_prefix), NULL);
		return;
	}
	for (unsigned i = 0; i < b->nsubs; i++) {
		if (b->subs[i].request && b->on_request &&
		    strcmp(b->subs[i].topic, msg->topic) == 0) {
			handle_request(b, msg, props, b->subs[i].command, b->subs[i].request);
			return;
		}
		if (mosquitto_topic_matches_sub(b->subs[i].topic, msg->topic, &match) ==
			    MOSQ_ERR_SUCCESS &&
		    match && b->subs[i].fn)
			b->subs[i].fn(b, msg->topic, msg->payload, (size_t)msg->payloadlen,
				      b->subs[i].userdata);
	}
}

static int bus_add_subscription(struct bus *b, const char *pattern, bus_message_fn fn,
				void *userdata)
{
	struct subscription *s;

	if (b->nsubs >= BUS_MAX_SUBS)
		return -ENOSPC;
	s = &b->subs[b->nsubs];
	if (topic_expand(pattern, b->booth, s->topic, sizeof(s->topic)) < 0)
		return -ENAMETOOLONG;
	s->fn = fn;
	s->userdata = userdata;
	s->request = NULL;
	s->command = NULL;
	b->nsubs++;
	if (b->connected &&
	    mosquitto_subscribe_v5(b->mosq, NULL, s->topic, 1, 0, NULL) != MOSQ_ERR_SUCCESS)
		return -EIO;
	return 0;
}

int bus_subscribe(struct bus *b, const char *pattern, bus_message_fn fn, void *userdata)
{
	return bus_add_subscription(b, pattern, fn, userdata);
}

int bus_serve_requests(struct bus *b, bus_request_fn fn, void *userdata)
{
	b->on_request = fn;
	b->on_request_data = userdata;
	return bus_add_subscription(b, "booth/{booth}/request/+", NULL, NULL);
}

int bus_set_request_handler(struct bus *b, const char *response_prefix, bus_request_fn fn,
			    void *userdata)
{
	if (topic_expand(response_prefix, b->booth, b->response_prefix,
			 sizeof(b->response_prefix)) < 0 ||
	    strlen(b->response_prefix) > 64)
		return -ENAMETOOLONG;
	/* Nothing arrives below request/ for this process: only its own request topics. */
	b->request_prefix[0] = '\0';
	b->on_request = fn;
	b->on_request_data = userdata;
	return 0;
}

int bus_serve_request_topic(struct bus *b, const char *pattern, const char *command)
{
	const struct topic_def *t = NULL;
	int r;

	for (const struct topic_def *d = topic_table; d->pattern && !t; d++)
		if (d->kind == TOPIC_REQUEST && strcmp(d->pattern, pattern) == 0)
			t = d;
	if (!t || strpbrk(pattern, "+#") || strlen(command) > BUS_COMMAND_MAX)
		return -EINVAL;
	r = bus_add_subscription(b, pattern, NULL, NULL);
	if (r < 0)
		return r;
	b->subs[b->nsubs - 1].request = t;
	b->subs[b->nsubs - 1].command = command;
	return 0;
}

void bus_set_connect_handler(struct bus *b, bus_connect_fn fn, void *userdata)
{
	b->on_connect = fn;
	b->on_connect_data = userdata;
}

/* The table entry PATTERN if this process may publish KIND on it, or NULL (logged). */
static const struct topic_def *publishable(struct bus *b, const char *pattern,
					   enum payload_kind kind)
{
	for (const struct topic_def *t = topic_table; t->pattern; t++) {
		if (strcmp(t->pattern, pattern) != 0)
			continue;
		if (strcmp(t->publisher, b->process) != 0 || t->payload != kind) {
			log_error("%s may not publish this payload on %s", b->process, pattern);
			return NULL;
		}
		return t;
	}
	log_error("%s is not in the topic table", pattern);
	return NULL;
}

int bus_publish_to(struct bus *b, const char *pattern, const char *topic, json_object *obj)
{
	const struct topic_def *t = publishable(b, pattern, PAYLOAD_JSON);
	char expanded[BUS_TOPIC_MAX];
	char err[512];
	const char *s = "";
	bool match = false;
	size_t len = 0;

	if (!t)
		return -EPROTO;
	if (topic_expand(pattern, b->booth, expanded, sizeof(expanded)) < 0)
		return -ENAMETOOLONG;
	if (!topic)
		topic = expanded;
	else if (mosquitto_topic_matches_sub(expanded, topic, &match) != MOSQ_ERR_SUCCESS || !match)
		return log_error_errno(EPROTO, "%s is not a topic of %s", topic, pattern);
	if (obj) {
		if (codec_check(t->fields, obj, 0, err, sizeof(err)) < 0)
			return log_error_errno(EPROTO, "Payload for %s breaks the contract: %s",
					       pattern, err);
		s = codec_string(obj, &len);
	} else if (!t->retain) {
		return log_error_errno(EPROTO, "An empty payload only clears a retained topic");
	}
	return publish_raw(b, topic, s, len, t->qos, t->retain, NULL);
}

int bus_publish(struct bus *b, const char *pattern, json_object *obj)
{
	if (!obj)
		return -EINVAL;
	return bus_publish_to(b, pattern, NULL, obj);
}

int bus_publish_bytes(struct bus *b, const char *pattern, const void *data, size_t len)
{
	const struct topic_def *t = publishable(b, pattern, PAYLOAD_BINARY);
	char topic[BUS_TOPIC_MAX];

	if (!t)
		return -EPROTO;
	if (len > INT32_MAX / 2)
		return -EMSGSIZE;
	if (topic_expand(pattern, b->booth, topic, sizeof(topic)) < 0)
		return -ENAMETOOLONG;
	return publish_raw(b, topic, data, len, t->qos, t->retain, NULL);
}

int bus_new(struct loop *l, const struct booth_config *cfg, const char *process,
	    const struct booth_credentials *cred, struct bus **ret)
{
	char pattern[BUS_TOPIC_MAX];
	char client_id[80];
	struct bus *b;
	int r = -ENOMEM;

	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->loop = l;
	strscpy(b->process, process, sizeof(b->process));
	strscpy(b->booth, cfg->general.booth_id, sizeof(b->booth));
	strscpy(b->host, cfg->mqtt.host, sizeof(b->host));
	b->port = cfg->mqtt.port;
	b->keepalive = cfg->mqtt.keepalive;
	b->max_payload = (size_t)cfg->mqtt.max_payload;
	b->backoff_max = (unsigned)cfg->mqtt.reconnect_max * 1000u;
	b->backoff = BUS_BACKOFF_MIN;
	snprintf(pattern, sizeof(pattern), "booth/{booth}/availability/%s", process);
	if (topic_expand(pattern, b->booth, b->availability, sizeof(b->availability)) < 0 ||
	    topic_expand("booth/{booth}/request/", b->booth, b->request_prefix,
			 sizeof(b->request_prefix)) < 0 ||
	    topic_expand("booth/{booth}/response/", b->booth, b->response_prefix,
			 sizeof(b->response_prefix)) < 0) {
		r = -ENAMETOOLONG;
		goto fail;
	}

	mosquitto_lib_init();
	snprintf(client_id, sizeof(client_id), "%s-%s", process, b->booth);
	b->mosq = mosquitto_new(client_id, true, b);
	if (!b->mosq)
		goto fail;
	mosquitto_int_option(b->mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5);
	/* Small messages go out at once: with Nagle's algorithm a publish right after another
	 * one (an acknowledgement, then an event) waits for the peer's delayed ACK, about 40 ms. */
	mosquitto_int_option(b->mosq, MOSQ_OPT_TCP_NODELAY, 1);
	if (mosquitto_username_pw_set(b->mosq, cred->username, cred->password) !=
		    MOSQ_ERR_SUCCESS ||
	    mosquitto_will_set_v5(b->mosq, b->availability, 7, "offline", 1, true, NULL) !=
		    MOSQ_ERR_SUCCESS) {
		r = -EINVAL;
		goto fail;
	}
	mosquitto_connect_v5_callback_set(b->mosq, on_connect);
	mosquitto_disconnect_v5_callback_set(b->mosq, on_disconnect);
	mosquitto_message_v5_callback_set(b->mosq, on_message);

	r = loop_add_timer(l, 0, 0, bus_try_connect, b, &b->retry_timer);
	if (r < 0)
		goto fail;
	r = loop_add_timer(l, 1000000, 1000000, bus_misc, b, &b->misc_timer);
	if (r < 0)
		goto fail;
	r = loop_add_prepare(l, bus_prepare, b);
	if (r < 0)
		goto fail;
	/* Connect on the first loop iteration, so that handlers can be set first. */
	r = loop_timer_set(b->retry_timer, 1, 0);
	if (r < 0)
		goto fail;
	*ret = b;
	return 0;
fail:
	bus_free(b);
	return r;
}

struct bus *bus_free(struct bus *b)
{
	if (!b)
		return NULL;
	if (b->connected) {
		/* QoS 0 is not held back behind unacknowledged messages; the will says it too. */
		publish_raw(b, b->availability, "offline", 7, 0, true, NULL);
		mosquitto_disconnect_v5(b->mosq, MQTT_RC_DISCONNECT_WITH_WILL_MSG, NULL);
		/* Flush what is still queued; the socket is non-blocking, so this is bounded. */
		for (int i = 0; i < 10 && mosquitto_want_write(b->mosq); i++)
			mosquitto_loop_write(b->mosq, 1);
	}
	loop_remove_prepare(b->loop, bus_prepare, b);
	loop_source_remove(b->io);
	loop_source_remove(b->misc_timer);
	loop_source_remove(b->retry_timer);
	if (b->mosq)
		mosquitto_destroy(b->mosq);
	free(b);
	return NULL;
}
