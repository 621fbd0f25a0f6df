/* SPDX-License-Identifier: MIT */
/* The integration-test environment: real broker, real daemons, MQTT test clients. */
#define _GNU_SOURCE 1
#include "env.h"
#include "harness.h"

#include <arpa/inet.h>
#include <cups/cups.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <mosquitto.h>
#include <mqtt_protocol.h>
#include <netinet/in.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <turbojpeg.h>
#include <unistd.h>

long long env_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

long long env_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

long read_file_all(const char *path, char **ret)
{
	FILE *f = fopen(path, "rb");
	long n = -1;
	char *buf;

	*ret = NULL;
	if (!f)
		return -1;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n + 1);
		if (buf && fread(buf, 1, (size_t)n, f) == (size_t)n) {
			buf[n] = '\0';
			*ret = buf;
		} else {
			free(buf);
			n = -1;
		}
	}
	fclose(f);
	return n;
}

static int free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), port = -1;

	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &len) == 0)
		port = ntohs(a.sin_port);
	close(fd);
	return port;
}

static bool port_open(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons((uint16_t)port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool ok;

	if (fd < 0)
		return false;
	ok = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
	close(fd);
	return ok;
}

static int run(char *const argv[])
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		execv(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static pid_t spawn(char *const argv[])
{
	pid_t pid = fork();

	if (pid == 0) {
		execvp(argv[0], argv);
		_exit(127);
	}
	return pid;
}

int env_start(struct env *e, int keepalive)
{
	return env_start_conf(e, keepalive, NULL);
}

/* After a test that ended early (a REQUIRE failed): stop what it left running. */
static void env_cleanup(void *arg)
{
	struct env *e = arg;

	if (e->dir[0]) {
		fprintf(stderr, "stopping what the test left running\n");
		env_stop(e);
	}
}

int env_start_conf(struct env *e, int keepalive, const char *extra)
{
	return env_start_booth(e, keepalive, ENV_BOOTH, extra);
}

int env_start_booth(struct env *e, int keepalive, const char *booth, const char *extra)
{
	char exe[PATH_MAX], setup[PATH_MAX], topics[PATH_MAX + 32], brokerdir[320], port[16];
	char tls_port[16];
	char layouts[PATH_MAX];
	ssize_t n;
	FILE *f;

	memset(e, 0, sizeof(*e));
	test_set_cleanup(env_cleanup, e);
	snprintf(e->booth, sizeof(e->booth), "%s", booth);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return test_fail(__FILE__, __LINE__, "readlink"), -1;
	exe[n] = '\0';
	/* Tests live in BUILD/tests/; the daemons in BUILD/. */
	snprintf(e->bindir, sizeof(e->bindir), "%s", dirname(dirname(exe)));
	snprintf(e->dir, sizeof(e->dir), "/tmp/booth-it-XXXXXX");
	if (!mkdtemp(e->dir))
		return test_fail(__FILE__, __LINE__, "mkdtemp"), -1;
	e->port = free_port();
	e->printer_port = free_port();
	e->tls_port = free_port();
	snprintf(tls_port, sizeof(tls_port), "%d", e->tls_port);
	snprintf(e->printer_dir, sizeof(e->printer_dir), "%s/printer", e->dir);
	snprintf(port, sizeof(port), "%d", e->port);
	snprintf(brokerdir, sizeof(brokerdir), "%s/broker", e->dir);
	snprintf(topics, sizeof(topics), "%s/booth-topics", e->bindir);
	if (!getcwd(layouts, sizeof(layouts) - 16))
		return test_fail(__FILE__, __LINE__, "getcwd"), -1;
	strcat(layouts, "/layouts");
	if (!realpath("mqtt/broker-setup", setup))
		return test_fail(__FILE__, __LINE__, "mqtt/broker-setup not found"), -1;
	{
		char *argv[] = { setup, brokerdir, e->booth, port, topics, tls_port, NULL };

		if (run(argv) != 0)
			return test_fail(__FILE__, __LINE__, "broker-setup failed"), -1;
	}
	snprintf(e->conf, sizeof(e->conf), "%s/booth.conf", e->dir);
	snprintf(e->database, sizeof(e->database), "%s/state/booth.db", e->dir);
	f = fopen(e->conf, "w");
	if (!f)
		return test_fail(__FILE__, __LINE__, "booth.conf"), -1;
	fprintf(f,
		"[general]\nbooth_id = %s\nphoto_dir = %s/photos\nframes_dir = %s/frames\n\n"
		"[mqtt]\nport = %d\n"
		"keepalive = %d\ncredentials_dir = %s/credentials\nreconnect_max = 1\n\n"
		"[boothd]\ndatabase = %s\nlayouts_dir = %s\ncountdown_s = 0\nbetween_s = 0\n"
		"review_s = 60\ndone_s = 1\nerror_s = 1\ncapture_timeout_s = 30\n"
		"compose_timeout_s = 60\n\n"
		"[camera]\nbackend = sim\npreview_socket = %s/preview.sock\npreview_fps = 10\n"
		"still_width = 2304\nstill_height = 1296\nstream_width = 1280\nstream_height = "
		"720\n\n"
		"[telemetry]\ndatabase = %s/state/telemetry.db\n\n"
		"[printer]\ndestination = ipp://localhost:%d/ipp/print\npoll_ms = 200\n%s",
		e->booth, e->dir, e->dir, e->port, keepalive, brokerdir, e->database, layouts,
		e->dir, e->dir, e->printer_port, extra ? extra : "");
	fclose(f);
	return env_broker_start(e);
}

int env_conf_set(struct env *e, const char *key, const char *value)
{
	char *text = NULL, *line, *save = NULL, out[8192];
	size_t n = 0, klen = strlen(key);
	bool found = false;
	FILE *f;

	if (read_file_all(e->conf, &text) < 0)
		return -1;
	out[0] = '\0';
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		bool match = strncmp(line, key, klen) == 0 && strncmp(line + klen, " = ", 3) == 0;

		found = found || match;
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%s%s\n", match ? key : line,
				      match ? " = " : "", match ? value : "");
		if (n >= sizeof(out)) {
			free(text);
			return -1;
		}
	}
	free(text);
	if (!found)
		return -1;
	f = fopen(e->conf, "w");
	if (!f)
		return -1;
	fputs(out, f);
	return fclose(f) == 0 ? 0 : -1;
}

int env_broker_start(struct env *e)
{
	char conf[340];
	char *argv[] = { "mosquitto", "-c", conf, NULL };
	long long deadline = env_ms() + 10000;

	snprintf(conf, sizeof(conf), "%s/broker/mosquitto.conf", e->dir);
	e->broker = spawn(argv);
	if (e->broker < 0)
		return test_fail(__FILE__, __LINE__, "fork"), -1;
	while (env_ms() < deadline) {
		if (!env_alive(e->broker)) {
			e->broker = 0;
			return test_fail(__FILE__, __LINE__, "mosquitto exited at start-up"), -1;
		}
		if (port_open(e->port))
			return 0;
		usleep(20000);
	}
	return test_fail(__FILE__, __LINE__, "mosquitto did not open port %d", e->port), -1;
}

int env_conf_append(struct env *e, const char *text)
{
	FILE *f = fopen(e->conf, "a");

	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f) == 0 ? 0 : -1;
}

/* Run the shell command CMD; returns its exit status. */
static int shell(const char *cmd)
{
	int status = system(cmd);

	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int env_fleet_start(struct env *e, int interval_s)
{
	char cmd[4096], conf[400], text[1024];
	char *argv[] = { "mosquitto", "-c", conf, NULL };
	long long deadline = env_ms() + 10000;
	FILE *f;

	snprintf(e->fleet_dir, sizeof(e->fleet_dir), "%s/fleet", e->dir);
	e->fleet_port = free_port();
	e->fleet_plain_port = free_port();
	/* A CA made for this run signs a certificate for localhost. */
	snprintf(cmd, sizeof(cmd),
		 "set -e; mkdir -p '%s'; cd '%s'; "
		 "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
		 "-keyout ca.key -out ca.crt -days 2 -subj '/CN=Test fleet CA' 2>/dev/null; "
		 "openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
		 "-keyout server.key -out server.csr -subj '/CN=localhost' 2>/dev/null; "
		 "printf 'subjectAltName = DNS:localhost, IP:127.0.0.1\n' > server.ext; "
		 "openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial "
		 "-out server.crt -days 2 -extfile server.ext 2>/dev/null",
		 e->fleet_dir, e->fleet_dir);
	if (shell(cmd) != 0)
		return test_fail(__FILE__, __LINE__, "the fleet CA could not be made"), -1;
	snprintf(conf, sizeof(conf), "%s/mosquitto.conf", e->fleet_dir);
	f = fopen(conf, "w");
	if (!f)
		return test_fail(__FILE__, __LINE__, "%s", conf), -1;
	fprintf(f,
		"per_listener_settings false\nallow_anonymous true\npersistence false\n"
		"log_dest file %s/fleet.log\nlog_type all\nconnection_messages true\n"
		"log_timestamp false\n%s",
		e->fleet_dir, getuid() == 0 ? "user root\n" : "");
	fprintf(f, "listener %d 127.0.0.1\ncafile %s/ca.crt\n", e->fleet_port, e->fleet_dir);
	fprintf(f, "certfile %s/server.crt\nkeyfile %s/server.key\ntls_version tlsv1.2\n",
		e->fleet_dir, e->fleet_dir);
	fprintf(f, "listener %d 127.0.0.1\n", e->fleet_plain_port);
	fclose(f);
	e->fleet = spawn(argv);
	if (e->fleet < 0)
		return e->fleet = 0, test_fail(__FILE__, __LINE__, "fork"), -1;
	/* Only the plain listener is probed: every connection to the TLS one is the booth's. */
	while (!port_open(e->fleet_plain_port)) {
		if (!env_alive(e->fleet) || env_ms() > deadline) {
			e->fleet = 0;
			return test_fail(__FILE__, __LINE__, "the fleet broker did not start"), -1;
		}
		usleep(20000);
	}
	snprintf(text, sizeof(text),
		 "\n[telemetry]\nfleet_host = localhost\nfleet_port = %d\nfleet_ca = %s/ca.crt\n"
		 "test_interval_s = %d\n",
		 e->fleet_port, e->fleet_dir, interval_s);
	if (env_conf_append(e, text) < 0)
		return test_fail(__FILE__, __LINE__, "booth.conf"), -1;
	return 0;
}

int env_fleet_connections(struct env *e)
{
	char path[400], line[1024], want[64];
	int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/fleet.log", e->fleet_dir);
	snprintf(want, sizeof(want), " on port %d.", e->fleet_port);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "New connection from") && strstr(line, want))
			n++;
	fclose(f);
	return n;
}

void env_broker_stop(struct env *e, int sig)
{
	if (e->broker > 0)
		env_kill(e->broker, sig);
	e->broker = 0;
}

/* Run the server script ARGV[0] (its path relative to the tree) and wait until it prints its
 * "ready ..." line. Returns its pid, or -1 after killing and reaping it. */
static pid_t spawn_until_ready(char *const argv[])
{
	char script[PATH_MAX], line[256] = "";
	char *args[8];
	int p[2], n;
	pid_t pid;
	FILE *f;

	if (!realpath(argv[0], script) || pipe2(p, O_CLOEXEC) < 0)
		return -1;
	args[0] = script;
	for (n = 1; n < 7 && argv[n]; n++)
		args[n] = argv[n];
	args[n] = NULL;
	pid = fork();
	if (pid == 0) {
		dup2(p[1], STDOUT_FILENO);
		execv(script, args);
		_exit(127);
	}
	close(p[1]);
	f = fdopen(p[0], "r");
	/* The scripts print "ready ..." once their server answers, or exit. */
	if (pid < 0 || !f || !fgets(line, sizeof(line), f) || strncmp(line, "ready ", 6) != 0) {
		if (f)
			fclose(f);
		else
			close(p[0]);
		if (pid > 0)
			env_kill(pid, SIGTERM);
		return -1;
	}
	fclose(f);
	return pid;
}

int env_printer_start(struct env *e)
{
	return env_printer_start_attrs(e, NULL);
}

int env_printer_start_attrs(struct env *e, const char *attrs)
{
	char port[16], file[340];
	char *argv[] = { "scripts/virtual-printer", e->printer_dir,	 port,
			 "booth-test-printer",	    attrs ? file : NULL, NULL };

	snprintf(port, sizeof(port), "%d", e->printer_port);
	snprintf(file, sizeof(file), "%s/printer-attrs.conf", e->dir);
	if (attrs) {
		FILE *f = fopen(file, "w");

		if (!f || fputs(attrs, f) < 0 || fclose(f) != 0)
			return test_fail(__FILE__, __LINE__, "%s", file), -1;
	}
	e->printer = spawn_until_ready(argv);
	if (e->printer < 0) {
		e->printer = 0;
		return test_fail(__FILE__, __LINE__, "the virtual printer did not start"), -1;
	}
	return 0;
}

void env_printer_stop(struct env *e)
{
	if (e->printer > 0)
		env_kill(e->printer, SIGTERM);
	e->printer = 0;
}

int env_printer_received(struct env *e)
{
	char cmd[400], out[32] = "";
	FILE *p;

	snprintf(cmd, sizeof(cmd), "ls '%s/received' 2>/dev/null | grep -c '\\.attrs$'",
		 e->printer_dir);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	if (!fgets(out, sizeof(out), p))
		out[0] = '\0';
	pclose(p);
	return (int)strtol(out, NULL, 10);
}

long long env_db_int(struct env *e, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	long long v = -1;

	if (sqlite3_open_v2(e->database, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			v = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	return v;
}

int env_session_files(struct env *e, int64_t session, char paths[][512], int max)
{
	char cmd[1024];
	FILE *p;
	int n = 0;

	snprintf(cmd, sizeof(cmd),
		 "sqlite3 %s \"SELECT path FROM photos WHERE session_id = %lld UNION ALL "
		 "SELECT path FROM strips WHERE session_id = %lld\"",
		 e->database, (long long)session, (long long)session);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	while (n < max && fgets(paths[n], 512, p)) {
		paths[n][strcspn(paths[n], "\n")] = '\0';
		n++;
	}
	pclose(p);
	return n;
}

int env_small_fs(struct env *e, const char *path, long kib)
{
	static bool unshared;
	char opts[64];

	if (!unshared) {
		/* Private from the start: nothing mounted here propagates to the host. */
		if (unshare(CLONE_NEWNS) < 0 ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
			return -errno;
		unshared = true;
	}
	if (mkdir(path, 0770) < 0 && errno != EEXIST)
		return -errno;
	snprintf(opts, sizeof(opts), "size=%ldk,mode=0770", kib);
	if (mount("booth-small", path, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, opts) < 0)
		return -errno;
	snprintf(e->small_fs, sizeof(e->small_fs), "%s", path);
	return 0;
}

void env_stop(struct env *e)
{
	char cmd[300];

	for (size_t i = 0; i < sizeof(e->daemons) / sizeof(e->daemons[0]); i++)
		if (e->daemons[i] > 0)
			env_kill_daemon(e, e->daemons[i], SIGKILL);
	env_cupsd_stop(e);
	env_printer_stop(e);
	env_broker_stop(e, SIGTERM);
	if (e->small_fs[0])
		umount2(e->small_fs, MNT_DETACH);
	if (e->fleet > 0)
		env_kill(e->fleet, SIGTERM);
	e->fleet = 0;
	if (e->dir[0] && !getenv("KEEP_TEST_DIR")) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", e->dir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", e->dir);
	}
	/* Stopped once: the harness's cleanup after the test finds nothing more to do. */
	memset(e, 0, sizeof(*e));
	test_set_cleanup(NULL, NULL);
}

pid_t env_spawn(struct env *e, const char *name)
{
	char path[PATH_MAX];
	char *argv[] = { path, "-f", e->conf, NULL };

	pid_t pid;

	snprintf(path, sizeof(path), "%s/%s", e->bindir, name);
	pid = spawn(argv);
	for (size_t i = 0; pid > 0 && i < sizeof(e->daemons) / sizeof(e->daemons[0]); i++) {
		if (e->daemons[i] <= 0) {
			e->daemons[i] = pid;
			break;
		}
	}
	return pid;
}

int env_kill_daemon(struct env *e, pid_t pid, int sig)
{
	for (size_t i = 0; i < sizeof(e->daemons) / sizeof(e->daemons[0]); i++)
		if (e->daemons[i] == pid)
			e->daemons[i] = 0;
	return env_kill(pid, sig);
}

int env_kill(pid_t pid, int sig)
{
	int status = -1;

	if (pid <= 0)
		return -1;
	kill(pid, sig);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return status;
}

bool env_alive(pid_t pid)
{
	int status;

	return waitpid(pid, &status, WNOHANG) == 0;
}

int env_password(struct env *e, const char *user, char *buf, size_t n)
{
	char path[400], line[256];
	FILE *f;
	int r = -1;

	snprintf(path, sizeof(path), "%s/broker/credentials/%s", e->dir, user);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "password = %255s", line) == 1) {
			snprintf(buf, n, "%s", line);
			r = 0;
		}
	fclose(f);
	return r;
}

/* The test client. */

#define TCLIENT_MAX_SUBS 8

struct tclient {
	struct mosquitto *m;
	char *subs[TCLIENT_MAX_SUBS]; /* subscribed again by tclient_reconnect() */
	int nsubs;
	bool connected;
	int connack;
	int puback_mid, puback_rc;
	int suback_mid, suback_rc;
	struct tmsg *head, **tail;
};

void tmsg_free(struct tmsg *m)
{
	if (!m)
		return;
	free(m->topic);
	free(m->payload);
	free(m->correlation);
	free(m);
}

static void on_connect(struct mosquitto *m, void *ud, int rc, int flags,
		       const mosquitto_property *p)
{
	struct tclient *c = ud;

	(void)m;
	(void)flags;
	(void)p;
	c->connack = rc;
	c->connected = rc == 0;
}

static void on_disconnect(struct mosquitto *m, void *ud, int rc, const mosquitto_property *p)
{
	struct tclient *c = ud;

	(void)m;
	(void)rc;
	(void)p;
	c->connected = false;
}

static void on_publish(struct mosquitto *m, void *ud, int mid, int rc, const mosquitto_property *p)
{
	struct tclient *c = ud;

	(void)m;
	(void)p;
	c->puback_mid = mid;
	c->puback_rc = rc;
}

static void on_subscribe(struct mosquitto *m, void *ud, int mid, int n, const int *granted,
			 const mosquitto_property *p)
{
	struct tclient *c = ud;

	(void)m;
	(void)p;
	c->suback_mid = mid;
	c->suback_rc = n > 0 ? granted[0] : -1;
}

static void on_message(struct mosquitto *m, void *ud, const struct mosquitto_message *msg,
		       const mosquitto_property *p)
{
	struct tclient *c = ud;
	struct tmsg *t = calloc(1, sizeof(*t));
	void *corr = NULL;
	uint16_t corr_len = 0;

	(void)m;
	if (!t)
		return;
	t->topic = strdup(msg->topic);
	t->payload = calloc(1, (size_t)msg->payloadlen + 1);
	if (t->payload && msg->payloadlen > 0) /* an empty payload has no buffer */
		memcpy(t->payload, msg->payload, (size_t)msg->payloadlen);
	t->len = msg->payloadlen;
	t->retain = msg->retain;
	if (mosquitto_property_read_binary(p, MQTT_PROP_CORRELATION_DATA, &corr, &corr_len,
					   false)) {
		t->correlation = calloc(1, corr_len + 1u);
		if (t->correlation)
			memcpy(t->correlation, corr, corr_len);
		t->correlation_len = corr_len;
		free(corr);
	}
	*c->tail = t;
	c->tail = &t->next;
}

void tclient_pump(struct tclient *c, int ms)
{
	long long end = env_ms() + ms;

	do {
		if (mosquitto_loop(c->m, 20, 1) != MOSQ_ERR_SUCCESS) {
			c->connected = false;
			usleep(20000);
		}
	} while (env_ms() < end);
}

bool tclient_connected(struct tclient *c)
{
	return c->connected;
}

bool tclient_reconnect(struct tclient *c, int timeout_ms)
{
	long long deadline = env_ms() + timeout_ms;
	int n = c->nsubs, mid;

	if (c->connected)
		return true;
	c->connack = -1;
	if (mosquitto_reconnect(c->m) != MOSQ_ERR_SUCCESS)
		return false;
	while (c->connack < 0 && env_ms() < deadline)
		if (mosquitto_loop(c->m, 20, 1) != MOSQ_ERR_SUCCESS)
			return false;
	if (!c->connected)
		return false;
	/* A clean session: subscribe again, without waiting for the answers. */
	for (int i = 0; i < n; i++)
		mosquitto_subscribe(c->m, &mid, c->subs[i], 1);
	return true;
}

static struct tclient *connect_client(struct env *e, const char *user, const char *password,
				      bool v5, bool tls, int port, int *rc)
{
	static int serial;
	struct tclient *c = calloc(1, sizeof(*c));
	char pass[256], id[64];
	long long deadline = env_ms() + 5000;

	if (!c)
		return NULL;
	c->tail = &c->head;
	c->connack = -1;
	if (!password && user) {
		if (env_password(e, user, pass, sizeof(pass)) < 0) {
			free(c);
			return NULL;
		}
		password = pass;
	}
	mosquitto_lib_init();
	snprintf(id, sizeof(id), "test-%d-%d", (int)getpid(), ++serial);
	c->m = mosquitto_new(id, true, c);
	mosquitto_int_option(c->m, MOSQ_OPT_PROTOCOL_VERSION,
			     v5 ? MQTT_PROTOCOL_V5 : MQTT_PROTOCOL_V311);
	if (user)
		mosquitto_username_pw_set(c->m, user, password);
	mosquitto_connect_v5_callback_set(c->m, on_connect);
	mosquitto_disconnect_v5_callback_set(c->m, on_disconnect);
	mosquitto_publish_v5_callback_set(c->m, on_publish);
	mosquitto_subscribe_v5_callback_set(c->m, on_subscribe);
	mosquitto_message_v5_callback_set(c->m, on_message);
	if (tls) {
		char ca[340];

		snprintf(ca, sizeof(ca), "%s/broker/tls/ca.crt", e->dir);
		if (mosquitto_tls_set(c->m, ca, NULL, NULL, NULL, NULL) != MOSQ_ERR_SUCCESS)
			goto fail;
	}
	/* TLS: by name, as the certificate says; the processes' listener: loopback only. */
	if (mosquitto_connect(c->m, tls ? "localhost" : "127.0.0.1",
			      port  ? port
			      : tls ? e->tls_port
				    : e->port,
			      30) != MOSQ_ERR_SUCCESS)
		goto fail;
	while (c->connack < 0 && env_ms() < deadline)
		if (mosquitto_loop(c->m, 50, 1) != MOSQ_ERR_SUCCESS)
			break;
	if (rc)
		*rc = c->connack;
	if (!c->connected)
		goto fail;
	return c;
fail:
	tclient_free(c);
	return NULL;
}

struct tclient *tclient_new(struct env *e, const char *user, const char *password, bool v5, int *rc)
{
	return connect_client(e, user, password, v5, false, 0, rc);
}

struct tclient *tclient_new_fleet(struct env *e)
{
	return connect_client(e, NULL, NULL, true, false, e->fleet_plain_port, NULL);
}

struct tclient *tclient_new_tls(struct env *e, const char *user, const char *password, bool v5,
				int *rc)
{
	return connect_client(e, user, password, v5, true, 0, rc);
}

void tclient_free(struct tclient *c)
{
	if (!c)
		return;
	if (c->connected)
		mosquitto_disconnect(c->m);
	mosquitto_destroy(c->m);
	for (int i = 0; i < c->nsubs; i++)
		free(c->subs[i]);
	while (c->head) {
		struct tmsg *t = c->head;

		c->head = t->next;
		tmsg_free(t);
	}
	free(c);
}

int tclient_subscribe(struct tclient *c, const char *topic)
{
	long long deadline = env_ms() + 5000;
	int mid;

	c->suback_mid = 0;
	if (mosquitto_subscribe(c->m, &mid, topic, 1) != MOSQ_ERR_SUCCESS)
		return -1;
	if (c->nsubs < TCLIENT_MAX_SUBS)
		c->subs[c->nsubs++] = strdup(topic);
	while (c->suback_mid != mid && env_ms() < deadline)
		if (mosquitto_loop(c->m, 50, 1) != MOSQ_ERR_SUCCESS)
			return -1;
	return c->suback_mid == mid ? c->suback_rc : -1;
}

int tclient_publish(struct tclient *c, const char *topic, const void *payload, int len,
		    const char *response_topic, const char *correlation)
{
	long long deadline = env_ms() + 5000;
	mosquitto_property *props = NULL;
	int mid, rc;

	if (response_topic)
		mosquitto_property_add_string(&props, MQTT_PROP_RESPONSE_TOPIC, response_topic);
	if (correlation)
		mosquitto_property_add_binary(&props, MQTT_PROP_CORRELATION_DATA, correlation,
					      (uint16_t)strlen(correlation));
	c->puback_mid = 0;
	rc = mosquitto_publish_v5(c->m, &mid, topic, len, payload, 1, false, props);
	mosquitto_property_free_all(&props);
	if (rc != MOSQ_ERR_SUCCESS)
		return -1;
	while (c->puback_mid != mid && env_ms() < deadline)
		if (mosquitto_loop(c->m, 50, 1) != MOSQ_ERR_SUCCESS)
			return -1;
	if (c->puback_mid != mid)
		return -1;
	/* "No matching subscribers" is a success code. */
	return c->puback_rc == MQTT_RC_NO_MATCHING_SUBSCRIBERS ? 0 : c->puback_rc;
}

int tclient_publish_nowait(struct tclient *c, const char *topic, const char *payload)
{
	return mosquitto_publish(c->m, NULL, topic, (int)strlen(payload), payload, 1, false) ==
			       MOSQ_ERR_SUCCESS
		       ? 0
		       : -1;
}

static struct tmsg *take(struct tclient *c, const char *filter, const char *text)
{
	for (struct tmsg **p = &c->head; *p; p = &(*p)->next) {
		bool match = false;

		mosquitto_topic_matches_sub(filter, (*p)->topic, &match);
		if (match && (!text || strcmp((*p)->payload, text) == 0)) {
			struct tmsg *t = *p;

			*p = t->next;
			if (!*p)
				c->tail = p;
			t->next = NULL;
			return t;
		}
	}
	return NULL;
}

static struct tmsg *wait_for(struct tclient *c, const char *filter, const char *text,
			     int timeout_ms)
{
	long long deadline = env_ms() + timeout_ms;
	struct tmsg *t;

	while (!(t = take(c, filter, text)) && env_ms() < deadline)
		tclient_pump(c, 20);
	return t;
}

struct tmsg *tclient_wait(struct tclient *c, const char *filter, int timeout_ms)
{
	return wait_for(c, filter, NULL, timeout_ms);
}

bool tclient_got(struct tclient *c, const char *filter, int timeout_ms)
{
	struct tmsg *t = wait_for(c, filter, NULL, timeout_ms);

	tmsg_free(t);
	return t != NULL;
}

bool tclient_wait_text(struct tclient *c, const char *filter, const char *text, int timeout_ms)
{
	struct tmsg *t = wait_for(c, filter, text, timeout_ms);

	tmsg_free(t);
	return t != NULL;
}

json_object *tclient_wait_phase(struct tclient *c, const char *phase, int timeout_ms)
{
	long long deadline = env_ms() + timeout_ms;

	while (env_ms() < deadline) {
		struct tmsg *m = tclient_wait(c, "booth/" ENV_BOOTH "/session/state", 100);
		json_object *o, *v = NULL;

		if (!m)
			continue;
		o = json_tokener_parse(m->payload);
		tmsg_free(m);
		if (o && json_object_object_get_ex(o, "phase", &v) &&
		    strcmp(json_object_get_string(v), phase) == 0)
			return o;
		json_object_put(o);
	}
	return NULL;
}

bool tclient_wait_booth_state(struct tclient *c, const char *state, int timeout_ms)
{
	char want[64];
	long long deadline = env_ms() + timeout_ms;

	snprintf(want, sizeof(want), "\"state\":\"%s\"", state);
	while (env_ms() < deadline) {
		struct tmsg *m = tclient_wait(c, "booth/" ENV_BOOTH "/state", 100);
		bool found = m && strstr(m->payload, want);

		tmsg_free(m);
		if (found)
			return true;
	}
	return false;
}

json_object *tclient_request(struct tclient *c, const char *command, const char *payload,
			     int timeout_ms)
{
	char topic[128], resp[128];
	struct tmsg *t;
	json_object *o;

	snprintf(topic, sizeof(topic), "booth/" ENV_BOOTH "/request/%s", command);
	snprintf(resp, sizeof(resp), "booth/" ENV_BOOTH "/response/%s", command);
	/* Drop answers to earlier requests, so this one is not mistaken for them. */
	while ((t = take(c, resp, NULL)))
		tmsg_free(t);
	if (tclient_publish(c, topic, payload, (int)strlen(payload), NULL, NULL) != 0)
		return NULL;
	t = tclient_wait(c, resp, timeout_ms);
	if (!t)
		return NULL;
	o = json_tokener_parse(t->payload);
	tmsg_free(t);
	return o;
}

int env_printer_control(struct env *e, const char *name, const char *text)
{
	char path[400];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", e->printer_dir, name);
	if (!text)
		return unlink(path) < 0 && errno != ENOENT ? -1 : 0;
	f = fopen(path, "w");
	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f) == 0 ? 0 : -1;
}

int env_printer_media(struct env *e, int sheets)
{
	char uri[256];
	http_t *http;
	http_status_t st;

	http = httpConnect2("localhost", e->printer_port, NULL, AF_UNSPEC,
			    HTTP_ENCRYPTION_IF_REQUESTED, 1, 5000, NULL);
	if (!http)
		return -1;
	snprintf(uri, sizeof(uri),
		 "/media?size1=na_letter_8.5x11in&type1=stationery&level1=%d"
		 "&size3=na_number-10_4.125x9.5in&type3=envelope&level3=25",
		 sheets);
	httpClearFields(http);
	if (httpGet(http, uri) == 0) {
		while ((st = httpUpdate(http)) == HTTP_STATUS_CONTINUE)
			;
		httpFlush(http);
	} else {
		st = HTTP_STATUS_ERROR;
	}
	httpClose(http);
	return st == HTTP_STATUS_OK ? 0 : -1;
}

int env_cupsd_start(struct env *e)
{
	char port[16], uri[128], dir[340], server[64];
	char *argv[] = { "scripts/private-cupsd", dir, port, uri, "booth", NULL };

	e->cupsd_port = free_port();
	snprintf(port, sizeof(port), "%d", e->cupsd_port);
	snprintf(uri, sizeof(uri), "ipp://localhost:%d/ipp/print", e->printer_port);
	snprintf(dir, sizeof(dir), "%s/cupsd", e->dir);
	e->cupsd = spawn_until_ready(argv);
	if (e->cupsd < 0) {
		e->cupsd = 0;
		return test_fail(__FILE__, __LINE__, "the private cupsd did not start"), -1;
	}
	snprintf(server, sizeof(server), "127.0.0.1:%d", e->cupsd_port);
	setenv("CUPS_SERVER", server, 1);
	return 0;
}

void env_cupsd_stop(struct env *e)
{
	if (e->cupsd > 0)
		env_kill(e->cupsd, SIGTERM);
	e->cupsd = 0;
	unsetenv("CUPS_SERVER");
}

json_object *env_json_get(json_object *o, const char *key)
{
	json_object *v = NULL;

	json_object_object_get_ex(o, key, &v);
	return v;
}

const char *env_json_str(json_object *o, const char *key)
{
	const char *s = json_object_get_string(env_json_get(o, key));

	return s ? s : "";
}

long env_make_jpeg(const char *path, int width, int height)
{
	unsigned char *px = malloc((size_t)width * (size_t)height * 3), *jpeg = NULL;
	unsigned long size = 0;
	tjhandle tj = tjInitCompress();
	FILE *f;

	for (size_t i = 0; px && i < (size_t)width * (size_t)height * 3; i++)
		px[i] = (unsigned char)(i * 7);
	if (!px || !tj ||
	    tjCompress2(tj, px, width, 0, height, TJPF_RGB, &jpeg, &size, TJSAMP_420, 90, 0) < 0)
		size = 0;
	f = fopen(path, "wb");
	if (!f || fwrite(jpeg, 1, size, f) != size)
		size = 0;
	if (f && fclose(f) != 0)
		size = 0;
	tjFree(jpeg);
	if (tj)
		tjDestroy(tj);
	free(px);
	return size > 0 ? (long)size : -1;
}
