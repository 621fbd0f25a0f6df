/* SPDX-License-Identifier: MIT */
/* make bench's whole-stack figures (scripts/bench-stack runs it): guest sessions driven through
 * booth-ui's touch input and timed step by step through the real daemons, the simulated camera
 * and the virtual IPP printer; owner commands to the state change they cause over the owners'
 * TLS listener, beside a bare echo through the same broker; and the resident memory of every
 * booth process at idle and during a session. Numbers are printed, never judged; the program
 * fails (exit 1) when the stack does not start or a session does not complete. */
#define _GNU_SOURCE 1
#include "env.h"
#include "loop.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <mosquitto.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define T(x) "booth/" ENV_BOOTH "/" x

/* The booth as it ships (booth.conf.example), but for the simulated hardware and the virtual
 * printer: the daemons' own defaults, written out so that the report can say them. */
#define SHOTS	     4
#define COUNTDOWN_S  3
#define BETWEEN_S    2
#define SCREEN_W     1280
#define SCREEN_H     800
#define STILL_W	     4608
#define STILL_H	     2592
#define PREVIEW_W    1280
#define PREVIEW_H    720
#define PREVIEW_FPS  30
#define POLL_MS	     1000
#define LAYOUT	     "4x6-two-strips"
#define SESSION_MS   120000 /* a session that takes longer has not completed */
#define SAMPLE_MS    20	    /* memory samples during the sampled session */
#define GAP_MS	     100    /* between two owner commands: more than a delayed ACK */
#define SETTLE_MS    1000   /* between two guests */
#define CHILD_MAX    8	    /* booth-compose children of boothd followed at once */
#define WATCH_MAX    4
#define MAX_SESSIONS 100
#define MAX_BUS	     10000

/* The monotonic clock, in milliseconds. */
static double now_ms(void)
{
	return (double)now_usec() / 1e3;
}

/* Print why the bench failed, where make bench shows it. Returns -1. */
static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("bench-stack: FAILED: ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
	return -1;
}

/* --- MQTT clients in one poll loop; every message is stamped when this process reads it --- */

struct msg {
	char *topic;
	char *payload;
	double at;
	struct msg *next;
};

struct watch;

struct client {
	struct mosquitto *m;
	struct watch *w;
	int connack; /* -1 until the CONNACK */
	int suback_mid;
};

struct watch {
	struct client c[WATCH_MAX];
	int n;
	struct msg *head, **tail;
};

static void msg_free(struct msg *m)
{
	if (!m)
		return;
	free(m->topic);
	free(m->payload);
	free(m);
}

static void on_connect(struct mosquitto *m, void *ud, int rc)
{
	struct client *c = ud;

	(void)m;
	c->connack = rc;
}

static void on_subscribe(struct mosquitto *m, void *ud, int mid, int n, const int *granted)
{
	struct client *c = ud;

	(void)m;
	(void)n;
	(void)granted;
	c->suback_mid = mid;
}

static void on_message(struct mosquitto *m, void *ud, const struct mosquitto_message *msg)
{
	struct client *c = ud;
	struct msg *t = calloc(1, sizeof(*t));

	(void)m;
	if (!t)
		return;
	t->at = now_ms();
	t->topic = strdup(msg->topic);
	t->payload = calloc(1, (size_t)msg->payloadlen + 1);
	if (!t->topic || !t->payload) {
		msg_free(t);
		return;
	}
	if (msg->payloadlen > 0)
		memcpy(t->payload, msg->payload, (size_t)msg->payloadlen);
	*c->w->tail = t;
	c->w->tail = &t->next;
}

/* Wait up to TIMEOUT_MS for any client's socket, then read, write and keep each connection
 * alive. Returns 0, or -EIO when a connection was lost. */
static int watch_pump(struct watch *w, int timeout_ms)
{
	struct pollfd p[WATCH_MAX];

	for (int i = 0; i < w->n; i++) {
		p[i].fd = mosquitto_socket(w->c[i].m);
		p[i].events = (short)(POLLIN | (mosquitto_want_write(w->c[i].m) ? POLLOUT : 0));
		p[i].revents = 0;
	}
	if (poll(p, (nfds_t)w->n, timeout_ms < 0 ? 0 : timeout_ms) < 0 && errno != EINTR)
		return -errno;
	for (int i = 0; i < w->n; i++) {
		struct mosquitto *m = w->c[i].m;
		int rc = MOSQ_ERR_SUCCESS;

		if (p[i].fd < 0)
			return -EIO;
		/* Acknowledge what came at once: a delayed ACK from us would hold the broker's next
		 * message to us where it sets no TCP_NODELAY (the floor's comparison) and skew what
		 * we time. */
		setsockopt(p[i].fd, IPPROTO_TCP, TCP_QUICKACK, &(int){ 1 }, sizeof(int));
		if (p[i].revents & (POLLIN | POLLHUP | POLLERR))
			rc = mosquitto_loop_read(m, 1);
		if (rc == MOSQ_ERR_SUCCESS && mosquitto_want_write(m))
			rc = mosquitto_loop_write(m, 1);
		if (rc == MOSQ_ERR_SUCCESS)
			rc = mosquitto_loop_misc(m);
		if (rc != MOSQ_ERR_SUCCESS)
			return -EIO;
	}
	return 0;
}

/* The next message, waiting until UNTIL (monotonic ms); NULL on time-out or a lost
 * connection (*ERR says which: 0 or -EIO). */
static struct msg *watch_next(struct watch *w, double until, int *err)
{
	*err = 0;
	for (;;) {
		struct msg *m = w->head;
		double left;

		if (m) {
			w->head = m->next;
			if (!w->head)
				w->tail = &w->head;
			m->next = NULL;
			return m;
		}
		left = until - now_ms();
		if (left <= 0)
			return NULL;
		*err = watch_pump(w, left > 50 ? 50 : (int)ceil(left));
		if (*err < 0)
			return NULL;
	}
}

/* Drop every message read so far. */
static void watch_drain(struct watch *w)
{
	struct msg *m;
	int err;

	while ((m = watch_next(w, 0, &err)))
		msg_free(m);
}

/* Connect as USER with its generated password (over the owners' TLS listener if TLS) to E's
 * broker and subscribe to the NULL-terminated TOPICS. The bench's clients send at once
 * (TCP_NODELAY), so that what is timed is the booth's. Returns the client, or NULL. */
static struct client *watch_connect(struct watch *w, struct env *e, const char *user, bool tls,
				    const char *const *topics)
{
	struct client *c;
	char pass[256], id[64], ca[340];
	double deadline = now_ms() + 10000;
	int mid, err = 0;

	if (w->n == WATCH_MAX || env_password(e, user, pass, sizeof(pass)) < 0)
		return NULL;
	c = &w->c[w->n];
	c->w = w;
	c->connack = -1;
	snprintf(id, sizeof(id), "bench-%d-%s-%d", (int)getpid(), user, w->n);
	c->m = mosquitto_new(id, true, c);
	if (!c->m)
		return NULL;
	w->n++;
	mosquitto_username_pw_set(c->m, user, pass);
	mosquitto_int_option(c->m, MOSQ_OPT_TCP_NODELAY, 1);
	mosquitto_connect_callback_set(c->m, on_connect);
	mosquitto_subscribe_callback_set(c->m, on_subscribe);
	mosquitto_message_callback_set(c->m, on_message);
	snprintf(ca, sizeof(ca), "%s/broker/tls/ca.crt", e->dir);
	if (tls && mosquitto_tls_set(c->m, ca, NULL, NULL, NULL, NULL) != MOSQ_ERR_SUCCESS)
		return NULL;
	/* TLS by the name in the certificate, as a dashboard connects; processes on loopback. */
	if (mosquitto_connect(c->m, tls ? "localhost" : "127.0.0.1", tls ? e->tls_port : e->port,
			      60) != MOSQ_ERR_SUCCESS)
		return NULL;
	while (c->connack < 0 && now_ms() < deadline && err == 0)
		err = watch_pump(w, 50);
	if (c->connack != 0)
		return NULL;
	for (; *topics; topics++) {
		c->suback_mid = 0;
		if (mosquitto_subscribe(c->m, &mid, *topics, 1) != MOSQ_ERR_SUCCESS)
			return NULL;
		while (c->suback_mid != mid && now_ms() < deadline && err == 0)
			err = watch_pump(w, 50);
		if (c->suback_mid != mid)
			return NULL;
	}
	return c;
}

static void watch_free(struct watch *w)
{
	for (int i = 0; i < w->n; i++) {
		mosquitto_disconnect(w->c[i].m);
		mosquitto_destroy(w->c[i].m);
	}
	w->n = 0;
	while (w->head) {
		struct msg *m = w->head;

		w->head = m->next;
		msg_free(m);
	}
	w->tail = &w->head;
}

/* Publish TEXT at QoS 1 (the PUBACK is read by the pump). Returns 0 or -EIO. */
static int publish(struct client *c, const char *topic, const char *text)
{
	return mosquitto_publish(c->m, NULL, topic, (int)strlen(text), text, 1, false) ==
			       MOSQ_ERR_SUCCESS
		       ? 0
		       : -EIO;
}

static int tap(struct client *c, int x, int y)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "{\"x\":%d,\"y\":%d}", x, y);
	return publish(c, T("ui/test_input"), buf);
}

/* --- statistics --- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct stats {
	int n;
	double median, p99, worst;
};

/* Median, 99th percentile (nearest rank) and worst of the N values V, leaving out the NANs
 * (what could not be seen): V is reordered; the result says how many counted. */
static struct stats stats_of(double *v, int n)
{
	struct stats s = { .n = n, .median = NAN, .p99 = NAN, .worst = NAN };
	int rank;

	for (int i = 0; i < n;)
		if (isnan(v[i]))
			v[i] = v[--n];
		else
			i++;
	s.n = n;
	if (n <= 0)
		return s;
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	s.median = (v[(n - 1) / 2] + v[n / 2]) / 2;
	rank = (int)ceil(0.99 * n);
	s.p99 = v[rank > 0 ? rank - 1 : 0];
	s.worst = v[n - 1];
	return s;
}

/* --- resident memory from /proc --- */

struct mem {
	long rss, hwm, pss, uss, shmem; /* KiB; -1: not read */
};

/* The value of FIELD ("VmRSS:") in the /proc file PATH, in KiB, or -1. */
static long proc_kib(const char *path, const char *field)
{
	FILE *f = fopen(path, "re");
	size_t n = strlen(field);
	char line[256];
	long v = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, field, n) == 0) {
			v = strtol(line + n, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

static int mem_read(pid_t pid, struct mem *m)
{
	char status[64], rollup[64];
	long clean, dirty;

	snprintf(status, sizeof(status), "/proc/%d/status", (int)pid);
	snprintf(rollup, sizeof(rollup), "/proc/%d/smaps_rollup", (int)pid);
	m->rss = proc_kib(status, "VmRSS:");
	m->hwm = proc_kib(status, "VmHWM:");
	m->shmem = proc_kib(status, "RssShmem:");
	m->pss = proc_kib(rollup, "Pss:");
	clean = proc_kib(rollup, "Private_Clean:");
	dirty = proc_kib(rollup, "Private_Dirty:");
	m->uss = clean < 0 || dirty < 0 ? -1 : clean + dirty;
	return m->rss < 0 || m->pss < 0 ? -ENOENT : 0;
}

/* Keep in PEAK the larger of each of its values and M's. */
static void mem_max(struct mem *peak, const struct mem *m)
{
	peak->rss = m->rss > peak->rss ? m->rss : peak->rss;
	peak->hwm = m->hwm > peak->hwm ? m->hwm : peak->hwm;
	peak->pss = m->pss > peak->pss ? m->pss : peak->pss;
	peak->uss = m->uss > peak->uss ? m->uss : peak->uss;
	peak->shmem = m->shmem > peak->shmem ? m->shmem : peak->shmem;
}

enum { P_BOOTHD, P_CAMERA, P_UI, P_PRINTER, P_TELEMETRY, P_COMPOSE, P_BROKER, P_COUNT };
#define P_DAEMONS P_COMPOSE /* the five daemons come first */

static const char *const proc_names[P_COUNT] = {
	"boothd",
	"booth-camera",
	"booth-ui",
	"booth-printer",
	"booth-telemetry",
	"booth-compose (boothd's child)",
	"mosquitto (apart)",
};

/* One moment: each process's figures, the booth's sums (daemons and composer, not the
 * broker). */
struct snapshot {
	struct mem p[P_COUNT];
	struct mem total;
};

static const struct mem mem_none = { -1, -1, -1, -1, -1 };

/* --- the stack --- */

struct bench {
	struct env env;
	pid_t pid[P_COUNT]; /* P_COMPOSE unused: found while it runs */
	struct watch guest; /* owner, ui and boothd users on loopback */
	struct client *owner;
	int sessions, iterations;
	pid_t strace; /* tracing daemons */
};

/* The running booth-compose children of boothd, into PIDS (at most CHILD_MAX). */
static int compose_children(pid_t boothd, pid_t pids[CHILD_MAX])
{
	char path[64], buf[256];
	int n = 0, fd;
	ssize_t len;
	char *p, *end;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)boothd, (int)boothd);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[len > 0 ? len : 0] = '\0';
	for (p = buf; n < CHILD_MAX; p = end) {
		long v = strtol(p, &end, 10);

		if (end == p)
			break;
		pids[n++] = (pid_t)v;
	}
	return n;
}

static void snapshot_take(const struct bench *b, struct snapshot *s)
{
	pid_t kids[CHILD_MAX];
	int n = compose_children(b->pid[P_BOOTHD], kids);

	memset(&s->total, 0, sizeof(s->total));
	for (int i = 0; i < P_COUNT; i++) {
		s->p[i] = mem_none;
		if (i != P_COMPOSE && mem_read(b->pid[i], &s->p[i]) < 0)
			s->p[i] = mem_none;
	}
	/* The composer's figures, summed over its copies if a second one ever runs. */
	for (int i = 0; i < n; i++) {
		struct mem m;

		if (mem_read(kids[i], &m) < 0)
			continue;
		if (s->p[P_COMPOSE].rss < 0)
			s->p[P_COMPOSE] = (struct mem){ 0, 0, 0, 0, 0 };
		s->p[P_COMPOSE].rss += m.rss;
		s->p[P_COMPOSE].hwm += m.hwm;
		s->p[P_COMPOSE].pss += m.pss;
		s->p[P_COMPOSE].uss += m.uss;
		s->p[P_COMPOSE].shmem += m.shmem;
	}
	for (int i = 0; i < P_BROKER; i++) {
		if (s->p[i].rss < 0)
			continue;
		s->total.rss += s->p[i].rss;
		s->total.hwm += s->p[i].hwm;
		s->total.pss += s->p[i].pss;
		s->total.uss += s->p[i].uss;
		s->total.shmem += s->p[i].shmem;
	}
}

/* Start the broker, the virtual printer and the five daemons as make run does. */
static int stack_start(struct bench *b)
{
	static const char *const daemons[P_DAEMONS] = { "boothd", "booth-camera", "booth-ui",
							"booth-printer", "booth-telemetry" };
	static const struct {
		const char *key;
		int value;
	} conf[] = {
		{ "countdown_s", COUNTDOWN_S },
		{ "between_s", BETWEEN_S },
		{ "review_s", 20 },
		{ "done_s", 4 },
		{ "capture_timeout_s", 10 },
		{ "compose_timeout_s", 30 },
		{ "preview_fps", PREVIEW_FPS },
		{ "still_width", STILL_W },
		{ "still_height", STILL_H },
		{ "poll_ms", POLL_MS },
	};
	char extra[512], v[16];

	snprintf(extra, sizeof(extra),
		 "[boothd]\nlayout = %s\nshots = %d\n"
		 "[camera]\npreview_width = %d\npreview_height = %d\n"
		 "[ui]\nbackend = headless\nwidth = %d\nheight = %d\ntest_input = yes\n",
		 LAYOUT, SHOTS, PREVIEW_W, PREVIEW_H, SCREEN_W, SCREEN_H);
	if (env_start_conf(&b->env, 10, extra) < 0)
		return fail("the broker did not start");
	for (size_t i = 0; i < sizeof(conf) / sizeof(conf[0]); i++) {
		snprintf(v, sizeof(v), "%d", conf[i].value);
		if (env_conf_set(&b->env, conf[i].key, v) < 0)
			return fail("cannot set %s in booth.conf", conf[i].key);
	}
	if (env_printer_start(&b->env) < 0)
		return fail("the virtual printer did not start");
	b->pid[P_BROKER] = b->env.broker;
	for (int i = 0; i < P_DAEMONS; i++) {
		b->pid[i] = env_spawn(&b->env, daemons[i]);
		if (b->pid[i] <= 0)
			return fail("cannot start %s", daemons[i]);
	}
	return 0;
}

/* Whether every daemon still runs. */
static int stack_alive(const struct bench *b)
{
	for (int i = 0; i < P_DAEMONS; i++)
		if (b->pid[i] > 0 && !env_alive(b->pid[i]))
			return fail("%s exited (see the log)", proc_names[i]);
	return 0;
}

/* Wait until the booth is idle with the camera and the printer ready and the attract screen
 * has stayed up for a second. */
static int stack_ready(struct bench *b)
{
	static const char *const owner_topics[] = {
		T("state"),
		T("ui/state"),
		T("events/print_job"),
		T("events/session_ended"),
		T("events/strip_ready"),
		NULL,
	};
	static const char *const ui_topics[] = { T("session/state"), NULL };
	static const char *const boothd_topics[] = { T("events/photo_stored"), T("session/command"),
						     NULL };
	double deadline = now_ms() + 60000, attract = 0;
	bool idle = false;
	int err;

	b->guest.tail = &b->guest.head;
	b->owner = watch_connect(&b->guest, &b->env, "owner", false, owner_topics);
	if (!b->owner || !watch_connect(&b->guest, &b->env, "ui", false, ui_topics) ||
	    !watch_connect(&b->guest, &b->env, "boothd", false, boothd_topics))
		return fail("cannot connect to the broker as owner, ui and boothd");
	while (!idle || !attract || now_ms() - attract < 1000) {
		struct msg *m =
			watch_next(&b->guest, idle && attract ? attract + 1000 : deadline, &err);
		json_object *o;

		if (!m) {
			if (err < 0 || now_ms() >= deadline)
				return fail("the booth did not become ready within 60 s "
					    "(idle state with camera and printer: %s, attract "
					    "screen: %s)",
					    idle ? "yes" : "no", attract ? "yes" : "no");
			continue;
		}
		o = json_tokener_parse(m->payload);
		if (strcmp(m->topic, T("state")) == 0)
			idle = strcmp(env_json_str(o, "state"), "idle") == 0 &&
			       strcmp(env_json_str(o, "camera"), "ok") == 0 &&
			       strcmp(env_json_str(o, "printer"), "idle") == 0;
		else if (strcmp(m->topic, T("ui/state")) == 0)
			attract = strcmp(env_json_str(o, "screen"), "attract") == 0 ? m->at : 0;
		json_object_put(o);
		msg_free(m);
	}
	return stack_alive(b);
}

/* --- part 1: guest sessions --- */

/* When each step of one session was seen (monotonic ms; 0: not yet): when the bus brought the
 * message here, and for the messages a daemon may hold back (_w) when the daemon wrote it
 * (traced). */
struct timeline {
	int64_t id;
	double tap, countdown_bus, review_bus, press, attract;
	double countdown[SHOTS + 1], trigger[SHOTS + 1], stored[SHOTS + 1];
	double compose, strip, accepted, printed, printer_done, ended;
	double command, command_w, start_w, countdown_w, review_w, trigger_w[SHOTS + 1],
		stored_w[SHOTS + 1], compose_w, strip_w;
	int held; /* print_job "held" reports */
	char job[65];
};

/* The step a session waits for, to say where it stopped. */
static const char *waiting_for(const struct timeline *t)
{
	if (!t->countdown_bus)
		return "the countdown on the screen after the tap";
	for (int k = 1; k <= SHOTS; k++)
		if (!t->stored[k])
			return t->trigger[k] ? "a photo to be stored" : "the countdown to end";
	if (!t->review_bus)
		return "the strip on the review screen";
	if (!t->accepted)
		return "the printer to accept the job";
	if (!t->printed)
		return "the print to complete";
	if (!t->ended)
		return "the session to end";
	return "the attract screen after the session";
}

/* When the virtual printer wrote its copy of the job (its print command), on the monotonic
 * clock; 0 if it is not found. */
static double printer_finished(struct env *e, const char *job)
{
	char dir[400], name[80], path[700];
	struct timespec real;
	double when = 0;
	struct dirent *d;
	struct stat st;
	DIR *dp;

	snprintf(dir, sizeof(dir), "%s/received", e->printer_dir);
	snprintf(name, sizeof(name), "booth-%s.", job);
	dp = opendir(dir);
	if (!dp)
		return 0;
	while ((d = readdir(dp)))
		if (strstr(d->d_name, name) && !strstr(d->d_name, ".attrs")) {
			snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
			if (stat(path, &st) == 0) {
				clock_gettime(CLOCK_REALTIME, &real);
				/* The file's time on the wall clock, moved to the monotonic one. */
				when = now_ms() -
				       ((double)(real.tv_sec - st.st_mtim.tv_sec) * 1e3 +
					(double)(real.tv_nsec - st.st_mtim.tv_nsec) / 1e6);
			}
			break;
		}
	closedir(dp);
	return when;
}

/* Act on message M of the session T; returns 0, or -1 when the session failed. */
static int session_message(struct bench *b, struct timeline *t, const struct msg *m)
{
	json_object *o = json_tokener_parse(m->payload);
	const char *topic = m->topic;
	int r = 0;

	if (!o)
		return 0;
	if (strcmp(topic, T("ui/state")) == 0) {
		const char *screen = env_json_str(o, "screen");

		if (strcmp(screen, "countdown") == 0 && !t->countdown_bus)
			t->countdown_bus = m->at;
		else if (strcmp(screen, "review") == 0 && !t->review_bus) {
			/* The guest presses Print as soon as the strip shows. */
			t->review_bus = m->at;
			t->press = now_ms();
			r = tap(b->owner, SCREEN_W * 3 / 4, SCREEN_H * 29 / 100);
		} else if (strcmp(screen, "failed") == 0)
			r = fail("session %lld: the screen says it failed", (long long)t->id);
		else if (strcmp(screen, "attract") == 0 && t->review_bus)
			t->attract = m->at;
	} else if (strcmp(topic, T("session/state")) == 0) {
		const char *phase = env_json_str(o, "phase");
		int shot = json_object_get_int(env_json_get(o, "shot"));
		bool in = shot >= 1 && shot <= SHOTS;

		if (!t->id && env_json_get(o, "id") && strcmp(phase, "idle") != 0)
			t->id = json_object_get_int64(env_json_get(o, "id"));
		if (strcmp(phase, "countdown") == 0 && in && !t->countdown[shot])
			t->countdown[shot] = m->at;
		else if (strcmp(phase, "capture") == 0 && in && !t->trigger[shot])
			t->trigger[shot] = m->at;
		else if (strcmp(phase, "compose") == 0 && !t->compose)
			t->compose = m->at;
		else if (strcmp(phase, "error") == 0)
			r = fail("session %lld failed: %s", (long long)t->id,
				 env_json_str(o, "error"));
	} else if (strcmp(topic, T("events/photo_stored")) == 0) {
		int shot = json_object_get_int(env_json_get(o, "shot"));

		if (json_object_get_int64(env_json_get(o, "session")) == t->id && shot >= 1 &&
		    shot <= SHOTS && !t->stored[shot])
			t->stored[shot] = m->at;
	} else if (strcmp(topic, T("session/command")) == 0) {
		if (strcmp(env_json_str(o, "action"), "start") == 0 && !t->command)
			t->command = m->at;
	} else if (strcmp(topic, T("events/strip_ready")) == 0) {
		if (json_object_get_int64(env_json_get(o, "session")) == t->id && !t->strip)
			t->strip = m->at;
	} else if (strcmp(topic, T("events/print_job")) == 0) {
		const char *job = env_json_str(o, "job"), *state = env_json_str(o, "state");
		char prefix[32];

		snprintf(prefix, sizeof(prefix), "s%lld-", (long long)t->id);
		if (t->id && strncmp(job, prefix, strlen(prefix)) == 0) {
			if (strcmp(state, "held") == 0)
				t->held++;
			else if (strcmp(state, "failed") == 0 || strcmp(state, "canceled") == 0)
				r = fail("session %lld: the print %s", (long long)t->id, state);
			else if (!t->accepted) {
				t->accepted = m->at;
				snprintf(t->job, sizeof(t->job), "%s", job);
			}
			if (strcmp(state, "completed") == 0 && !t->printed) {
				t->printed = m->at;
				t->printer_done = printer_finished(&b->env, job);
			}
		}
	} else if (strcmp(topic, T("events/session_ended")) == 0) {
		const char *outcome = env_json_str(o, "outcome");

		if (json_object_get_int64(env_json_get(o, "session")) == t->id) {
			t->ended = m->at;
			if (strcmp(outcome, "printed") != 0)
				r = fail("session %lld ended %s, not printed", (long long)t->id,
					 outcome);
		}
	}
	json_object_put(o);
	return r;
}

/* One guest: a tap on the attract screen, the countdowns and shots, Print at review, until the
 * print is done and the attract screen is back. With PEAK, the memory of every process is
 * sampled all along: PEAK gets each one's largest figures and the largest sums. */
static int run_session(struct bench *b, int n, struct timeline *t, struct snapshot *peak)
{
	double deadline, next_sample = 0;
	struct snapshot s;
	int err;

	memset(t, 0, sizeof(*t));
	watch_drain(&b->guest);
	t->tap = now_ms();
	if (tap(b->owner, SCREEN_W / 2, SCREEN_H / 2) < 0)
		return fail("cannot tap");
	deadline = t->tap + SESSION_MS;
	while (!t->printed || !t->ended || !t->attract) {
		struct msg *m;

		if (peak && now_ms() >= next_sample) {
			snapshot_take(b, &s);
			for (int i = 0; i < P_COUNT; i++)
				mem_max(&peak->p[i], &s.p[i]);
			mem_max(&peak->total, &s.total);
			next_sample = now_ms() + SAMPLE_MS;
		}
		m = watch_next(&b->guest, peak && next_sample < deadline ? next_sample : deadline,
			       &err);
		if (!m) {
			if (err < 0)
				return fail("lost the connection to the broker");
			if (now_ms() >= deadline) {
				stack_alive(b);
				return fail("session %d did not complete within %d s: it was "
					    "waiting for %s",
					    n, SESSION_MS / 1000, waiting_for(t));
			}
			continue;
		}
		err = session_message(b, t, m);
		msg_free(m);
		if (err < 0)
			return -1;
	}
	return 0;
}

/* --- when the daemons said what they did --- */

/* The daemons say what they did on the bus right after doing it (booth-ui presents a screen,
 * then writes ui/state), but the bus may bring that message late (before the booth set
 * TCP_NODELAY, a message written right after another one waited in the daemon's socket for the
 * broker's delayed ACK). So the daemons are traced while they are timed (strace, their writes
 * only), and the time a daemon wrote a message is when it happened. */

/* Trace the N processes PIDS into PATH; returns strace's pid once it follows them all, or -1. */
static pid_t trace_start(const char *path, const pid_t *pids, int n)
{
	char args[4][16], status[64];
	char *argv[24] = {
		"strace", "-qq",	 "-ttt", "-s",	      "512", "-e", "trace=write,sendto",
		"-e",	  "signal=none", "-o",	 (char *)path
	};
	double deadline = now_ms() + 5000;
	int argc = 11, attached = 0;
	pid_t strace;

	for (int i = 0; i < n && i < 4; i++) {
		snprintf(args[i], sizeof(args[i]), "%d", (int)pids[i]);
		argv[argc++] = "-p";
		argv[argc++] = args[i];
	}
	argv[argc] = NULL;
	strace = fork();
	if (strace == 0) {
		execvp(argv[0], argv);
		_exit(127);
	}
	while (strace > 0 && attached < n && now_ms() < deadline) {
		attached = 0;
		for (int i = 0; i < n; i++) {
			snprintf(status, sizeof(status), "/proc/%d/status", (int)pids[i]);
			attached += proc_kib(status, "TracerPid:") == strace;
		}
		if (attached < n && !env_alive(strace))
			break;
		usleep(10000);
	}
	if (attached == n)
		return strace;
	if (strace > 0)
		env_kill(strace, SIGTERM);
	return -1;
}

/* Stop tracing (strace writes out what it holds and detaches). */
static void trace_stop(pid_t *strace)
{
	if (*strace > 0)
		env_kill(*strace, SIGTERM);
	*strace = 0;
}

/* The time of the traced LINE ("[PID ]SECONDS.MICROSECONDS write(FD, "...", N) = N") on the
 * monotonic clock, given OFF, the monotonic clock minus the wall clock. */
static double trace_time(const char *line, double off)
{
	char *end;

	strtol(line, &end, 10);
	return strtod(*end == ' ' ? end : line, NULL) * 1e3 + off;
}

static double trace_offset(void)
{
	struct timespec mono, real;

	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_REALTIME, &real);
	return (double)(mono.tv_sec - real.tv_sec) * 1e3 +
	       (double)(mono.tv_nsec - real.tv_nsec) / 1e6;
}

/* Whether the traced LINE writes on TOPIC (after booth/b1/) and holds MEMBER (NULL: any), a
 * piece of JSON as strace quotes it (quotes escaped). */
static bool trace_has(const char *line, const char *topic, const char *member)
{
	char t[80];

	snprintf(t, sizeof(t), T("%s"), topic);
	return strstr(line, t) && (!member || strstr(line, member));
}

/* Read the trace PATH into the sessions' _w times: each session's first write of each kind. */
static void trace_sessions(const char *path, struct timeline *t, int n)
{
	FILE *f = fopen(path, "re");
	char line[8192], shot[SHOTS + 1][32];
	double off = trace_offset();

	if (!f)
		return;
	for (int k = 1; k <= SHOTS; k++)
		snprintf(shot[k], sizeof(shot[k]), "\\\"shot\\\":%d,", k);
	while (fgets(line, sizeof(line), f)) {
		double at = trace_time(line, off);
		struct timeline *s;
		int i = n - 1;

		while (i >= 0 && t[i].tap > at)
			i--;
		if (i < 0 || at <= 0)
			continue;
		s = &t[i];
		if (!s->countdown_w && trace_has(line, "ui/state", "screen\\\":\\\"countdown\\\""))
			s->countdown_w = at;
		else if (!s->review_w && trace_has(line, "ui/state", "screen\\\":\\\"review\\\""))
			s->review_w = at;
		else if (!s->command_w && trace_has(line, "session/command", "start"))
			s->command_w = at;
		else if (!s->start_w &&
			 trace_has(line, "session/state", "phase\\\":\\\"countdown") &&
			 strstr(line, shot[1]))
			s->start_w = at;
		else if (!s->compose_w && trace_has(line, "session/state", "phase\\\":\\\"compose"))
			s->compose_w = at;
		else if (!s->strip_w && trace_has(line, "events/strip_ready", NULL))
			s->strip_w = at;
		for (int k = 1; k <= SHOTS; k++) {
			if (!s->trigger_w[k] &&
			    trace_has(line, "session/state", "phase\\\":\\\"capture") &&
			    strstr(line, shot[k]))
				s->trigger_w[k] = at;
			if (!s->stored_w[k] && trace_has(line, "events/photo_stored", shot[k]))
				s->stored_w[k] = at;
		}
	}
	fclose(f);
}

/* For each of the N commands sent at SENT[i], how long until the trace PATH shows a write on
 * TOPIC holding MEMBER (before the next command), into OUT (NAN: none). */
static void trace_answers(const char *path, const double *sent, int n, const char *topic,
			  const char *member, double *out)
{
	FILE *f = fopen(path, "re");
	char line[8192];
	double off = trace_offset();
	int i = 0;

	for (int j = 0; j < n; j++)
		out[j] = NAN;
	if (!f)
		return;
	while (i < n && fgets(line, sizeof(line), f)) {
		double at = trace_time(line, off);

		while (i < n && i + 1 < n && at >= sent[i + 1])
			i++;
		if (at >= sent[i] && isnan(out[i]) && trace_has(line, topic, member))
			out[i] = at - sent[i];
	}
	fclose(f);
}

/* When things happened: the daemon's own write where it was traced, else when the bus brought
 * the message. */
static double when(double written, double bus)
{
	return written ? written : bus;
}
static double shown_countdown(const struct timeline *t)
{
	return when(t->countdown_w, t->countdown_bus);
}
static double shown_review(const struct timeline *t)
{
	return when(t->review_w, t->review_bus);
}
static double trigger(const struct timeline *t, int k)
{
	return when(t->trigger_w[k], t->trigger[k]);
}
static double stored(const struct timeline *t, int k)
{
	return when(t->stored_w[k], t->stored[k]);
}

/* The figures of one row of the session table, from one session (NAN: not seen). */
typedef double (*step_fn)(const struct timeline *t, int shot);

static double step_tap(const struct timeline *t, int k)
{
	(void)k;
	return shown_countdown(t) - t->tap;
}
static double step_tap_command(const struct timeline *t, int k)
{
	(void)k;
	return t->command_w ? t->command_w - t->tap : NAN;
}
static double step_tap_start(const struct timeline *t, int k)
{
	(void)k;
	return t->start_w ? t->start_w - t->tap : NAN;
}
static double step_shot(const struct timeline *t, int k)
{
	return stored(t, k) - trigger(t, k);
}
static double step_last_screen(const struct timeline *t, int k)
{
	(void)k;
	return shown_review(t) - stored(t, SHOTS);
}
static double step_to_compose(const struct timeline *t, int k)
{
	(void)k;
	return when(t->compose_w, t->compose) - stored(t, SHOTS);
}
static double step_composing(const struct timeline *t, int k)
{
	(void)k;
	return when(t->strip_w, t->strip) - when(t->compose_w, t->compose);
}
static double step_strip_screen(const struct timeline *t, int k)
{
	(void)k;
	return shown_review(t) - when(t->strip_w, t->strip);
}
static double step_trigger_screen(const struct timeline *t, int k)
{
	(void)k;
	return shown_review(t) - trigger(t, SHOTS);
}
static double step_press(const struct timeline *t, int k)
{
	(void)k;
	return t->accepted - t->press;
}
static double step_printed(const struct timeline *t, int k)
{
	(void)k;
	return t->printed - t->accepted;
}
static double step_printer(const struct timeline *t, int k)
{
	(void)k;
	return t->printer_done ? t->printer_done - t->press : NAN;
}
static double step_total(const struct timeline *t, int k)
{
	(void)k;
	return t->printed - t->tap;
}
static double step_review(const struct timeline *t, int k)
{
	(void)k;
	return t->press - shown_review(t);
}
static double step_net(const struct timeline *t, int k)
{
	return step_total(t, k) - (COUNTDOWN_S + (SHOTS - 1) * BETWEEN_S) * 1e3 - step_review(t, k);
}
/* What the rows above leave out of the net time: from the tap to the first trigger and from
 * each stored photo to the next trigger, beyond the configured countdowns (the countdown's
 * start, the timers' overrun). The rows then add up to the net time, session by session. */
static double step_rest(const struct timeline *t, int k)
{
	double sum = trigger(t, 1) - t->tap - COUNTDOWN_S * 1e3;

	(void)k;
	for (int i = 1; i < SHOTS; i++)
		sum += trigger(t, i + 1) - stored(t, i) - BETWEEN_S * 1e3;
	return sum;
}
/* How long a message waited in its daemon's socket: the bus brought it (BUS, a time of struct
 * timeline by its offset) this much after the daemon wrote it (WRITTEN); for every shot if
 * PER_SHOT. */
struct held {
	const char *label;
	size_t bus, written;
	bool per_shot;
};

#define HELD(label, bus, written, per_shot)                                                        \
	{                                                                                          \
		label, offsetof(struct timeline, bus), offsetof(struct timeline, written),         \
			per_shot                                                                   \
	}

static const struct held held_rows[] = {
	HELD("  booth-ui's session/command start", command, command_w, false),
	HELD("  boothd's session/state countdown (first)", countdown[1], start_w, false),
	HELD("  booth-ui's ui/state countdown", countdown_bus, countdown_w, false),
	HELD("  boothd's session/state capture (every shot)", trigger, trigger_w, true),
	HELD("  booth-camera's photo_stored (every shot)", stored, stored_w, true),
	HELD("  boothd's session/state compose", compose, compose_w, false),
	HELD("  booth-ui's ui/state review", review_bus, review_w, false),
};

/* The time at OFFSET in T, the K-th of an array there. */
static double time_at(const struct timeline *t, size_t offset, int k)
{
	return ((const double *)(const void *)((const char *)t + offset))[k];
}

/* Print one row: LABEL, then the median and worst of the M values V. */
static void row_values(const char *label, double *v, int m)
{
	struct stats s = stats_of(v, m);

	printf("%-58s %9.1f %9.1f", label, s.median, s.worst);
	if (s.n != m) /* what could not be seen is left out, and the count says so */
		printf("   (%d of %d seen)", s.n, m);
	putchar('\n');
}

/* Print one row: LABEL, then the median and worst of FN over the N sessions T (with shot K;
 * every shot if K < 0). */
static void row(const char *label, step_fn fn, const struct timeline *t, int n, int k)
{
	double v[MAX_SESSIONS * SHOTS];
	int m = 0;

	for (int i = 0; i < n; i++) {
		if (k < 0)
			for (int j = 1; j <= SHOTS; j++)
				v[m++] = fn(&t[i], j);
		else
			v[m++] = fn(&t[i], k);
	}
	row_values(label, v, m);
}

/* Print the row of H over the N sessions T. */
static void row_held(const struct held *h, const struct timeline *t, int n)
{
	double v[MAX_SESSIONS * SHOTS];
	int m = 0;

	for (int i = 0; i < n; i++)
		for (int k = h->per_shot ? 1 : 0; k <= (h->per_shot ? SHOTS : 0); k++) {
			double w = time_at(&t[i], h->written, k);

			v[m++] = w ? time_at(&t[i], h->bus, k) - w : NAN;
		}
	row_values(h->label, v, m);
}

static void print_sessions(const struct timeline *t, int n, bool traced)
{
	char label[80];
	int held = 0;

	for (int i = 0; i < n; i++)
		held += t[i].held;
	printf("\nWhole stack: %d guest sessions through booth-ui's touch input, in the simulator "
	       "with the virtual printer\n",
	       n);
	printf("(layout %s, %d shots, countdown %d s then %d s between shots, stills %dx%d, "
	       "preview %dx%d@%d,\n screen %dx%d headless, printer polled every %d ms; "
	       "after one untimed session)\n",
	       LAYOUT, SHOTS, COUNTDOWN_S, BETWEEN_S, STILL_W, STILL_H, PREVIEW_W, PREVIEW_H,
	       PREVIEW_FPS, SCREEN_W, SCREEN_H, POLL_MS);
	printf("%-58s %9s %9s\n", "step", "median ms", "worst ms");
	row("tap -> countdown on screen", step_tap, t, n, 0);
	row("  tap -> booth-ui asks boothd to start a session", step_tap_command, t, n, 0);
	row("  tap -> boothd counts down (a session recorded)", step_tap_start, t, n, 0);
	for (int k = 1; k <= SHOTS; k++) {
		snprintf(label, sizeof(label), "shot %d: trigger (countdown end) -> photo stored",
			 k);
		row(label, step_shot, t, n, k);
	}
	row("every shot: trigger -> photo stored", step_shot, t, n, -1);
	row("last photo stored -> strip on screen (review)", step_last_screen, t, n, 0);
	row("  stored -> composing starts", step_to_compose, t, n, 0);
	row("  composing -> strip ready", step_composing, t, n, 0);
	row("  strip ready -> review on screen", step_strip_screen, t, n, 0);
	row("last trigger -> strip on screen (target < 300 ms)", step_trigger_screen, t, n, 0);
	row("print press -> job accepted by the printer", step_press, t, n, 0);
	row("job accepted -> printed (booth-printer saw it done)", step_printed, t, n, 0);
	row("  (print press -> the printer wrote its copy)", step_printer, t, n, 0);
	row("end to end: tap -> printed", step_total, t, n, 0);
	snprintf(label, sizeof(label), "  minus countdowns (%d ms) and the review wait",
		 (COUNTDOWN_S + (SHOTS - 1) * BETWEEN_S) * 1000);
	row(label, step_net, t, n, 0);
	row("  of which none of the rows above (countdown starts)", step_rest, t, n, 0);
	row("  (the review wait: review on screen -> print press)", step_review, t, n, 0);
	if (traced) {
		printf("held in the daemon's socket (written -> here):\n");
		for (size_t i = 0; i < sizeof(held_rows) / sizeof(held_rows[0]); i++)
			row_held(&held_rows[i], t, n);
	} else {
		printf("(the daemons could not be traced: every time is when the bus brought the "
		       "message)\n");
	}
	if (held)
		printf("(the printer held jobs %d times: it was busy)\n", held);
}

/* --- part 3: memory --- */

static void print_mb(long kib)
{
	if (kib < 0)
		printf(" %6s", "-");
	else
		printf(" %6.1f", (double)kib / 1024);
}

/* One row of the memory table: LABEL, then idle, in-session and after figures and VmHWM. */
static void mem_row(const char *label, const struct mem *idle, const struct mem *session,
		    const struct mem *after, long hwm)
{
	printf("%-31s", label);
	print_mb(idle->rss);
	print_mb(idle->pss);
	print_mb(idle->uss);
	printf("  ");
	print_mb(session->rss);
	print_mb(session->pss);
	print_mb(session->uss);
	printf("  ");
	print_mb(after->rss);
	print_mb(after->pss);
	print_mb(hwm);
	putchar('\n');
}

static void print_memory(const struct snapshot *idle, const struct snapshot *session,
			 const struct snapshot *after, int n)
{
	printf("\nResident memory of the booth's processes, MB (VmRSS and VmHWM from "
	       "/proc/PID/status; PSS and\nUSS = Private_Clean + Private_Dirty from "
	       "/proc/PID/smaps_rollup)\n");
	printf("%-31s %20s  %20s  %13s %6s\n", "", "idle, before", "in a session (peak)",
	       "idle, after", "VmHWM");
	printf("%-31s %6s %6s %6s   %6s %6s %6s   %6s %6s\n", "process", "RSS", "PSS", "USS", "RSS",
	       "PSS", "USS", "RSS", "PSS");
	for (int i = 0; i < P_BROKER; i++)
		mem_row(proc_names[i], &idle->p[i], &session->p[i], &after->p[i],
			i == P_COMPOSE ? session->p[i].hwm : after->p[i].hwm);
	mem_row("booth total (5 + composer)", &idle->total, &session->total, &after->total,
		after->total.hwm);
	mem_row(proc_names[P_BROKER], &idle->p[P_BROKER], &session->p[P_BROKER],
		&after->p[P_BROKER], after->p[P_BROKER].hwm);
	printf("in a session: sampled every %d ms through one whole session (the first): each "
	       "process's peak,\nand the totals' peak at one moment. idle, after: %d more "
	       "sessions later. VmHWM: each process's\npeak since it started (the composer's: "
	       "as sampled); their sum is not at one moment.\n",
	       SAMPLE_MS, n);
	printf("RSS counts every shared page in each process that maps it (the libraries once per "
	       "process, the\npreview buffers booth-camera shares with booth-ui twice: %.1f MB "
	       "in a session); PSS divides\neach shared page among the processes that map it.\n",
	       (double)(session->p[P_CAMERA].shmem + session->p[P_UI].shmem) / 1024);
	printf("target: the booth's processes together < 60 MB, the broker excluded: compared "
	       "with the PSS total\n(in a session: %.1f MB PSS; RSS total %.1f MB).\n",
	       (double)session->total.pss / 1024, (double)session->total.rss / 1024);
}

/* --- part 2: owner commands --- */

/* Publish PAYLOAD on TOPIC and wait for a message on WANT_TOPIC whose member KEY is VALUE (a
 * JSON literal). Returns the milliseconds in between, or -1. A refusal on the command's
 * response topic fails the bench. */
static double command(struct watch *w, struct client *c, const char *topic, const char *payload,
		      const char *want_topic, const char *key, const char *value, double *sent)
{
	double t0 = now_ms(), deadline = t0 + 10000;
	int err;

	if (sent)
		*sent = t0;
	if (publish(c, topic, payload) < 0)
		return fail("cannot publish on %s", topic);
	for (;;) {
		struct msg *m = watch_next(w, deadline, &err);
		json_object *o;
		bool match;

		if (!m)
			return fail("no answer to %s within 10 s", topic);
		o = json_tokener_parse(m->payload);
		match = strcmp(m->topic, want_topic) == 0 && o &&
			strcmp(json_object_to_json_string(env_json_get(o, key)), value) == 0;
		if (strncmp(m->topic, T("response/"), strlen(T("response/"))) == 0 && o &&
		    !json_object_get_boolean(env_json_get(o, "ok"))) {
			fail("%s was refused: %s", topic, env_json_str(o, "error"));
			match = false;
			t0 = -1;
		}
		json_object_put(o);
		if (match || t0 < 0) {
			double ms = match ? m->at - t0 : -1;

			msg_free(m);
			return ms;
		}
		msg_free(m);
	}
}

/* Pump W for MS milliseconds, dropping what comes. */
static void idle_for(struct watch *w, int ms)
{
	double until = now_ms() + ms;
	struct msg *m;
	int err;

	while ((m = watch_next(w, until, &err)) || (err == 0 && now_ms() < until))
		msg_free(m);
}

/* The echo: a client on the processes' loopback listener, logged in as boothd with MQTT v5 as
 * the booth's processes are (mqtt/bus.c), that answers every request/bench_echo on
 * response/bench_echo with the same bytes. Runs until SIGTERM. */
static void echo_on_message(struct mosquitto *m, void *ud, const struct mosquitto_message *msg)
{
	(void)ud;
	mosquitto_publish(m, NULL, T("response/bench_echo"), msg->payloadlen, msg->payload, 1,
			  false);
}

static void echo_on_subscribe(struct mosquitto *m, void *ud, int mid, int n, const int *granted)
{
	int *ready = ud;

	(void)m;
	(void)mid;
	(void)n;
	(void)granted;
	if (write(*ready, "r", 1) != 1)
		_exit(1);
}

static void echo_on_connect(struct mosquitto *m, void *ud, int rc)
{
	(void)ud;
	if (rc != 0 || mosquitto_subscribe(m, NULL, T("request/bench_echo"), 1) != 0)
		_exit(1);
}

/* Start the echo on E's broker as a child process, with TCP_NODELAY if NODELAY (the booth's
 * processes do not set it); returns its pid once it is subscribed, or -1. */
static pid_t echo_start(struct env *e, bool nodelay)
{
	char pass[256], id[64], c;
	struct pollfd p;
	int fds[2];
	pid_t pid;

	if (env_password(e, "boothd", pass, sizeof(pass)) < 0 || pipe2(fds, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		struct mosquitto *m;

		close(fds[0]);
		snprintf(id, sizeof(id), "bench-echo-%d", (int)getpid());
		m = mosquitto_new(id, true, &fds[1]);
		if (!m)
			_exit(1);
		mosquitto_int_option(m, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5);
		mosquitto_int_option(m, MOSQ_OPT_TCP_NODELAY, nodelay);
		mosquitto_username_pw_set(m, "boothd", pass);
		mosquitto_connect_callback_set(m, echo_on_connect);
		mosquitto_subscribe_callback_set(m, echo_on_subscribe);
		mosquitto_message_callback_set(m, echo_on_message);
		if (mosquitto_connect(m, "127.0.0.1", e->port, 60) != MOSQ_ERR_SUCCESS)
			_exit(1);
		mosquitto_loop_forever(m, -1, 1);
		_exit(0);
	}
	close(fds[1]);
	p = (struct pollfd){ .fd = fds[0], .events = POLLIN };
	if (pid > 0 && (poll(&p, 1, 10000) != 1 || read(fds[0], &c, 1) != 1)) {
		env_kill(pid, SIGTERM);
		pid = -1;
	}
	close(fds[0]);
	return pid;
}

/* Time N round trips of the owner client C (on W) through an echo on E's broker into V. */
static int echo_series(struct env *e, struct watch *w, struct client *c, bool nodelay, double *v,
		       int n)
{
	char payload[64], want[16];
	pid_t echo = echo_start(e, nodelay);
	int r = 0;

	if (echo < 0)
		return fail("the echo client did not start");
	idle_for(w, 200);
	for (int i = 0; i < n && r == 0; i++) {
		snprintf(payload, sizeof(payload), "{\"ok\":true,\"transaction\":%d}", i);
		snprintf(want, sizeof(want), "%d", i);
		v[i] = command(w, c, T("request/bench_echo"), payload, T("response/bench_echo"),
			       "transaction", want, NULL);
		if (v[i] < 0)
			r = -1;
		idle_for(w, GAP_MS);
	}
	env_kill(echo, SIGTERM);
	return r;
}

/* A second broker made like the booth's (its own credentials, ACL and TLS listener), but with
 * set_tcp_nodelay: the floor of a round trip through Mosquitto here. Returns 0 or -1. */
static int floor_broker_start(struct env *e)
{
	char path[400];
	FILE *f;

	if (env_start_conf(e, 10, NULL) < 0)
		return -1;
	env_broker_stop(e, SIGTERM);
	snprintf(path, sizeof(path), "%s/broker/mosquitto.conf", e->dir);
	f = fopen(path, "ae");
	if (!f || fputs("set_tcp_nodelay true\n", f) < 0 || fclose(f) != 0)
		return -1;
	return env_broker_start(e);
}

enum {
	BUS_PAUSE,
	BUS_PAUSE_W,
	BUS_RESUME,
	BUS_RESUME_W,
	BUS_SETTINGS,
	BUS_SETTINGS_W,
	BUS_ECHO,
	BUS_ECHO_NODELAY,
	BUS_FLOOR,
	BUS_COUNT
};

static void print_bus(double *v[BUS_COUNT], int n, bool traced)
{
	static const char *const labels[BUS_COUNT] = {
		"request/pause -> state \"paused\"",
		"  request sent -> boothd wrote the state",
		"request/resume -> state \"idle\"",
		"  request sent -> boothd wrote the state",
		"settings/set countdown_s -> settings document",
		"  request sent -> boothd wrote the settings",
		"bare, the echo without TCP_NODELAY (Nagle)",
		"bare: request -> echo (as boothd) -> response",
		"bare, TCP_NODELAY in the echo and the broker (floor)",
	};
	struct stats s[BUS_COUNT];

	for (int i = 0; i < BUS_COUNT; i++)
		s[i] = stats_of(v[i], n);
	printf("\nOwner command -> the state change it causes, over the owners' TLS listener "
	       "(MQTT 3.1.1, QoS 1),\n%d of each, %d ms apart; beside bare round trips of the "
	       "same shape through the same broker\n",
	       n, GAP_MS);
	printf("%-52s %7s %7s %7s %7s %7s %7s\n", "", "median", "p99", "worst", "median", "p99",
	       "median");
	printf("%-52s %7s %7s %7s %7s %7s %7s\n", "", "ms", "ms", "ms", "/ bare", "/ bare",
	       "/ floor");
	for (int i = 0; i < BUS_COUNT; i++) {
		if (s[i].n == 0)
			continue;
		printf("%-52s %7.2f %7.2f %7.2f %7.2f %7.2f %7.1f", labels[i], s[i].median,
		       s[i].p99, s[i].worst, s[i].median / s[BUS_ECHO_NODELAY].median,
		       s[i].p99 / s[BUS_ECHO_NODELAY].p99, s[i].median / s[BUS_FLOOR].median);
		if (s[i].n != n)
			printf("  (%d of %d seen)", s[i].n, n);
		putchar('\n');
	}
	if (!traced)
		printf("(boothd could not be traced: no figures for its own share)\n");
	printf("bare: the same owner client, listener, ACL and topic shape, boothd stopped and "
	       "replaced by a client\n(libmosquitto, MQTT v5, logged in as boothd, TCP_NODELAY as "
	       "the booth's processes) that publishes each\nrequest back on response/: the booth's "
	       "path without the booth's work; without TCP_NODELAY: what\nNagle's algorithm cost "
	       "before the booth turned it off. floor: the same through a second broker made\nthe "
	       "same way (set_tcp_nodelay true, as the booth's). \"boothd wrote\": when boothd "
	       "wrote the answer to its\nsocket (traced).\n");
}

/* Time N owner commands of each kind over the TLS listener (boothd traced), then the same round
 * trip through bare echoes (boothd stopped first). */
static int bus_latency(struct bench *b)
{
	static const char *const topics[] = { T("state"), T("settings"), T("response/#"), NULL };
	struct watch w = { .tail = &w.head }, wf = { .tail = &wf.head };
	struct env floor_env;
	struct client *c;
	double *v[BUS_COUNT], *sent[3];
	int n = b->iterations, r = -1;
	char payload[64], want[16], trace[400], member[3][32];
	bool traced;

	memset(&floor_env, 0, sizeof(floor_env));
	for (int i = 0; i < BUS_COUNT; i++)
		v[i] = calloc((size_t)n, sizeof(double));
	for (int i = 0; i < 3; i++)
		sent[i] = calloc((size_t)n, sizeof(double));
	c = watch_connect(&w, &b->env, "owner", true, topics);
	if (!c) {
		fail("cannot connect to the owners' TLS listener as owner");
		goto out;
	}
	for (int i = 0; i < BUS_COUNT; i++)
		if (!v[i] || (i < 3 && !sent[i]))
			goto out;
	idle_for(&w, 500); /* the retained documents */
	snprintf(trace, sizeof(trace), "%s/bus.strace", b->env.dir);
	b->strace = trace_start(trace, &b->pid[P_BOOTHD], 1);
	traced = b->strace > 0;
	for (int i = 0; i < n; i++) {
		v[BUS_PAUSE][i] = command(&w, c, T("request/pause"), "{}", T("state"), "state",
					  "\"paused\"", &sent[0][i]);
		idle_for(&w, GAP_MS);
		v[BUS_RESUME][i] = command(&w, c, T("request/resume"), "{}", T("state"), "state",
					   "\"idle\"", &sent[1][i]);
		idle_for(&w, GAP_MS);
		/* A dashboard's number entity: the countdown, 4 s and back. */
		snprintf(payload, sizeof(payload), "{\"countdown_s\":%d}", i % 2 ? COUNTDOWN_S : 4);
		snprintf(want, sizeof(want), "%d", i % 2 ? COUNTDOWN_S : 4);
		v[BUS_SETTINGS][i] = command(&w, c, T("settings/set"), payload, T("settings"),
					     "countdown_s", want, &sent[2][i]);
		idle_for(&w, GAP_MS);
		if (v[BUS_PAUSE][i] < 0 || v[BUS_RESUME][i] < 0 || v[BUS_SETTINGS][i] < 0)
			goto out;
	}
	trace_stop(&b->strace);
	/* The same pieces of JSON as strace quotes them. */
	snprintf(member[0], sizeof(member[0]), "\\\"state\\\":\\\"paused\\\"");
	snprintf(member[1], sizeof(member[1]), "\\\"state\\\":\\\"idle\\\"");
	snprintf(member[2], sizeof(member[2]), "\\\"countdown_s\\\":");
	trace_answers(trace, sent[0], n, "state", member[0], v[BUS_PAUSE_W]);
	trace_answers(trace, sent[1], n, "state", member[1], v[BUS_RESUME_W]);
	trace_answers(trace, sent[2], n, "settings", member[2], v[BUS_SETTINGS_W]);

	env_kill_daemon(&b->env, b->pid[P_BOOTHD], SIGTERM);
	b->pid[P_BOOTHD] = 0;
	if (echo_series(&b->env, &w, c, false, v[BUS_ECHO], n) < 0 ||
	    echo_series(&b->env, &w, c, true, v[BUS_ECHO_NODELAY], n) < 0)
		goto out;
	if (floor_broker_start(&floor_env) < 0) {
		fail("the second broker did not start");
		goto out;
	}
	c = watch_connect(&wf, &floor_env, "owner", true, topics);
	if (!c) {
		fail("cannot connect to the second broker's TLS listener");
		goto out;
	}
	if (echo_series(&floor_env, &wf, c, true, v[BUS_FLOOR], n) < 0)
		goto out;
	print_bus(v, n, traced);
	r = 0;
out:
	trace_stop(&b->strace);
	watch_free(&wf);
	watch_free(&w);
	if (floor_env.dir[0])
		env_stop(&floor_env);
	for (int i = 0; i < BUS_COUNT; i++)
		free(v[i]);
	for (int i = 0; i < 3; i++)
		free(sent[i]);
	return r;
}

static int env_int(const char *name, int def, int min, int max)
{
	const char *s = getenv(name);
	long v = s && *s ? strtol(s, NULL, 10) : def;

	return v < min ? min : v > max ? max : (int)v;
}

int main(void)
{
	struct bench *b = calloc(1, sizeof(*b));
	struct timeline *t = NULL, warm;
	struct snapshot idle, session, after;
	char trace[400];
	bool traced;
	int r = 1;

	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	mosquitto_lib_init();
	if (!b)
		return 1;
	b->sessions = env_int("SESSIONS", 10, 1, MAX_SESSIONS);
	b->iterations = env_int("BUS_ITERATIONS", 200, 10, MAX_BUS);
	t = calloc((size_t)b->sessions, sizeof(*t));
	if (!t || stack_start(b) < 0 || stack_ready(b) < 0)
		goto out;

	snapshot_take(b, &idle);
	/* The first guest after start-up is sampled for memory (sampling would disturb the
	 * timings), and warms the caches for the timed ones. */
	for (int i = 0; i < P_COUNT; i++)
		session.p[i] = mem_none;
	session.total = mem_none;
	if (run_session(b, 0, &warm, &session) < 0)
		goto out;
	idle_for(&b->guest, SETTLE_MS);
	{
		const pid_t traced_pids[] = { b->pid[P_BOOTHD], b->pid[P_CAMERA], b->pid[P_UI] };

		snprintf(trace, sizeof(trace), "%s/sessions.strace", b->env.dir);
		b->strace = trace_start(trace, traced_pids, 3);
		traced = b->strace > 0;
		if (!traced)
			fprintf(stderr, "bench-stack: cannot trace the daemons (strace)\n");
	}
	for (int i = 0; i < b->sessions; i++) {
		if (run_session(b, i + 1, &t[i], NULL) < 0)
			goto out;
		idle_for(&b->guest, SETTLE_MS);
	}
	trace_stop(&b->strace);
	if (traced)
		trace_sessions(trace, t, b->sessions);
	if (stack_alive(b) < 0)
		goto out;
	print_sessions(t, b->sessions, traced);
	idle_for(&b->guest, 2000);
	snapshot_take(b, &after);
	print_memory(&idle, &session, &after, b->sessions);
	if (bus_latency(b) < 0 || stack_alive(b) < 0)
		goto out;
	r = 0;
out:
	trace_stop(&b->strace);
	watch_free(&b->guest);
	env_stop(&b->env);
	free(t);
	free(b);
	mosquitto_lib_cleanup();
	return r;
}
