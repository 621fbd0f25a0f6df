/* SPDX-License-Identifier: MIT */
/* The integration-test environment: a real Mosquitto on a free loopback port with generated
 * credentials and the real ACL, the real daemons, and MQTT test clients. */
#ifndef BOOTH_TEST_ENV_H
#define BOOTH_TEST_ENV_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define ENV_BOOTH "b1"

struct env {
	char dir[256];	  /* everything of this run lives here */
	char bindir[256]; /* the build directory holding the daemons */
	char conf[320];	  /* booth.conf */
	char database[320];
	int port;
	int tls_port; /* the owners' TLS listener; its CA is broker/tls/ca.crt */
	pid_t broker;
	int printer_port;      /* the virtual printer's, in booth.conf's [printer] destination */
	pid_t printer;	       /* scripts/virtual-printer, once started */
	char printer_dir[320]; /* its spool; received documents in received/ */
	pid_t daemons[16];     /* started with env_spawn(), killed by env_stop() */
	int cupsd_port;	       /* the private cupsd's, once started */
	pid_t cupsd;
	char small_fs[320];   /* a tmpfs mounted by env_small_fs(), unmounted by env_stop() */
	char booth[33];	      /* the booth id (ENV_BOOTH unless env_start_booth() said) */
	int fleet_port;	      /* the test fleet broker's TLS listener, once started */
	int fleet_plain_port; /* its plain loopback listener, for the test's recorder */
	pid_t fleet;
	char fleet_dir[320]; /* its CA (ca.crt) and log (fleet.log) */
};

/* Make a directory, credentials, broker config and booth.conf (KEEPALIVE seconds), and start
 * the broker. Returns 0 or -1 (and the test fails). */
int env_start(struct env *e, int keepalive);
/* The same, with EXTRA (config lines, may be NULL) appended to booth.conf. A section may be
 * opened again there ("[boothd]\ncopies = 2\n"), but a key may not be set twice. */
int env_start_conf(struct env *e, int keepalive, const char *extra);
/* Set KEY (a key that appears once in booth.conf) to VALUE, for daemons started after. Returns 0
 * or -1. */
int env_conf_set(struct env *e, const char *key, const char *value);
/* Mount a tmpfs of KIB kilobytes on PATH (made if missing), seen only by this test and the
 * daemons it starts after: the first call moves the test into a mount namespace of its own
 * (needs root; no loop device). For tests of a full disk. Returns 0 or -errno. */
int env_small_fs(struct env *e, const char *path, long kib);
/* The same for booth BOOTH instead of ENV_BOOTH. */
int env_start_booth(struct env *e, int keepalive, const char *booth, const char *extra);
/* Stop everything started, remove the directory. */
void env_stop(struct env *e);

int env_broker_start(struct env *e);

/* Start the virtual IPP printer (ippeveprinter with private D-Bus and Avahi) on printer_port
 * and wait until it answers. Returns 0 or -1 (and the test fails). */
int env_printer_start(struct env *e);
/* The same, for a printer with the attributes ATTRS besides the usual ones (ippeveprinter's -a
 * format, such as "ATTR enum finishings-supported 3,11\n"; NULL: none). */
int env_printer_start_attrs(struct env *e, const char *attrs);
/* Stop it (SIGTERM, reaped). */
void env_printer_stop(struct env *e);
/* How many documents the printer received so far. */
int env_printer_received(struct env *e);
/* The first column of the first row SQL gives on boothd's database (read-only), or -1. */
long long env_db_int(struct env *e, const char *sql);
/* The paths of SESSION's photos and strips, as boothd's database names them (sqlite3), into
 * PATHS (at most MAX). Returns how many, or -1. */
int env_session_files(struct env *e, int64_t session, char paths[][512], int max);
/* Write TEXT to the virtual printer's control file NAME ("fault": abort jobs raising that state
 * reason; "delay": seconds each job takes; "hold": jobs stay processing while it exists), or
 * remove it when TEXT is NULL. */
int env_printer_control(struct env *e, const char *name, const char *text);
/* Set the sheets in the virtual printer's main tray through its /media web form (0 raises
 * media-empty). Returns 0 or -1. */
int env_printer_media(struct env *e, int sheets);
/* Start a private cupsd (scripts/private-cupsd) with a queue named "booth" pointing at the
 * virtual printer, and point libcups at it (CUPS_SERVER, inherited by daemons started after).
 * Returns 0 or -1 (and the test fails). */
int env_cupsd_start(struct env *e);
/* Stop it (SIGTERM, reaped). env_stop() does this too. */
void env_cupsd_stop(struct env *e);
/* Start a test fleet broker: a second Mosquitto on loopback with a TLS listener (certificate
 * for localhost from a CA made now) that takes anonymous clients, and a plain listener for the
 * test's recorder; it logs every connection (connection_messages) and every message to
 * fleet.log. Points booth.conf's [telemetry] at it, reporting every INTERVAL_S seconds
 * (test_interval_s). Returns 0 or -1 (and the test fails). */
int env_fleet_start(struct env *e, int interval_s);
/* Connections that reached the fleet broker's TLS listener so far (from its log). */
int env_fleet_connections(struct env *e);
/* Append TEXT to booth.conf (for daemons started after). Returns 0 or -1. */
int env_conf_append(struct env *e, const char *text);
/* Stop the broker with SIG and reap it. */
void env_broker_stop(struct env *e, int sig);

/* Start daemon NAME from the build directory with -f booth.conf. */
pid_t env_spawn(struct env *e, const char *name);
/* Send SIG to PID and reap it; returns the wait status. */
int env_kill(pid_t pid, int sig);
/* The same for a daemon started with env_spawn(). */
int env_kill_daemon(struct env *e, pid_t pid, int sig);
/* Whether PID is still running (not a zombie). Reaps it if it exited. */
bool env_alive(pid_t pid);

/* The password of MQTT USER, from the generated credentials. */
int env_password(struct env *e, const char *user, char *buf, size_t n);

/* Read all of PATH into a new buffer (*ret, caller frees). Returns its length or -1. */
long read_file_all(const char *path, char **ret);

/* Milliseconds on the monotonic clock. */
long long env_ms(void);
/* Microseconds on the monotonic clock (CLOCK_MONOTONIC: the clock of trigger_us, frame_us). */
long long env_us(void);

/* O's member KEY (borrowed), or NULL. */
json_object *env_json_get(json_object *o, const char *key);
/* O's member KEY as a string; "" when missing or null. */
const char *env_json_str(json_object *o, const char *key);
/* Write a real WIDTHxHEIGHT JPEG to PATH. Returns its size, or -1. */
long env_make_jpeg(const char *path, int width, int height);

/* An MQTT client for tests (libmosquitto, blocking calls with timeouts). */
struct tmsg {
	char *topic;
	char *payload;
	int len;
	bool retain;
	char *correlation;
	int correlation_len;
	struct tmsg *next;
};

struct tclient;

/* Connect as USER (with its generated password, or PASSWORD if not NULL) using MQTT v5 if V5
 * else v3.1.1. Returns NULL if the connection was refused or timed out; *RC (may be NULL) gets
 * the CONNACK reason. */
struct tclient *tclient_new(struct env *e, const char *user, const char *password, bool v5,
			    int *rc);
/* The same over TLS on the owners' listener, trusting the generated CA; a NULL USER connects
 * without credentials. */
struct tclient *tclient_new_tls(struct env *e, const char *user, const char *password, bool v5,
				int *rc);
/* An anonymous MQTT v5 client on the test fleet broker's plain listener. */
struct tclient *tclient_new_fleet(struct env *e);
void tclient_free(struct tclient *c);
/* Subscribe; returns the granted QoS or reason code from SUBACK (0x87 = not authorized), or -1. */
int tclient_subscribe(struct tclient *c, const char *topic);
/* Publish at QoS 1 and wait for PUBACK; returns its reason code (0 = success, 135 = not
 * authorized under v5), or -1. RESPONSE_TOPIC/CORRELATION set v5 properties if not NULL. */
int tclient_publish(struct tclient *c, const char *topic, const void *payload, int len,
		    const char *response_topic, const char *correlation);
/* Publish without waiting for the PUBACK. */
int tclient_publish_nowait(struct tclient *c, const char *topic, const char *payload);
/* Wait up to TIMEOUT_MS for a message on a topic matching FILTER; caller frees with
 * tmsg_free(). NULL on timeout. */
struct tmsg *tclient_wait(struct tclient *c, const char *filter, int timeout_ms);
/* Whether a message on a topic matching FILTER arrives within TIMEOUT_MS (it is dropped). */
bool tclient_got(struct tclient *c, const char *filter, int timeout_ms);
/* Wait for a message whose payload equals TEXT. */
bool tclient_wait_text(struct tclient *c, const char *filter, const char *text, int timeout_ms);
/* Run the network loop for MS milliseconds, queueing messages. */
void tclient_pump(struct tclient *c, int ms);
/* Whether the connection is up (reconnects are up to the test). */
bool tclient_connected(struct tclient *c);
/* If the connection is down, connect again (waiting up to TIMEOUT_MS for the broker's answer)
 * and subscribe again to every topic subscribed so far. Returns whether it is up. */
bool tclient_reconnect(struct tclient *c, int timeout_ms);
void tmsg_free(struct tmsg *m);

/* Wait for booth/b1/session/state with PHASE (C subscribed to it); returns it parsed, or NULL
 * after TIMEOUT_MS. */
json_object *tclient_wait_phase(struct tclient *c, const char *phase, int timeout_ms);
/* Wait for booth/b1/state saying STATE ("idle", "attention", ...). */
bool tclient_wait_booth_state(struct tclient *c, const char *state, int timeout_ms);

/* Publish PAYLOAD to booth/b1/request/COMMAND as an owner over v3.1.1 and wait for the answer on
 * booth/b1/response/COMMAND (C must be subscribed to it). Returns the parsed response or NULL. */
json_object *tclient_request(struct tclient *c, const char *command, const char *payload,
			     int timeout_ms);

#endif
