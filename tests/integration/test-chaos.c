/* SPDX-License-Identifier: MIT */
/* Guest sessions while boothd, booth-camera, booth-printer and the broker are killed with SIGKILL
 * at random moments and started again as systemd would (Restart=always, a short RestartSec). Then:
 * every photo the camera announced is kept with the checksum it announced (unless the guest
 * discarded the session), every print boothd recorded reached the printer exactly once, the
 * database is intact, every session ended in a defined state, and each process was back and
 * serving (its availability topic online) within 2 s of its restart.
 *
 * CHAOS_SESSIONS sets the number of sessions (60; 15 under AddressSanitizer, which is slower and
 * runs the same code paths; `make chaos` runs 200), CHAOS_SEED the seed of the random kills
 * (printed, to replay a run). */
#define _GNU_SOURCE 1
#include "digest.h"
#include "env.h"
#include "harness.h"

#include <dirent.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define T(x) "booth/" ENV_BOOTH "/" x
#if defined(__SANITIZE_ADDRESS__)
#define DEFAULT_SESSIONS 15
#else
#define DEFAULT_SESSIONS 60
#endif
#define RESTART_MS  250	 /* RestartSec= of the supervisor (the units say 1 s) */
#define SERVE_MS    2000 /* back and serving within this after a restart (issue 8) */
#define KILL_MIN_MS 1000 /* between two kills */
#define KILL_MAX_MS 5000
#define START_EVERY 100 /* ms between taps while the booth is idle */
#define MAX_PHOTOS  4096
#define MAX_SESSION 4096

enum { SVC_BROKER, SVC_BOOTHD, SVC_CAMERA, SVC_PRINTER, NSVC };

struct service {
	const char *name;  /* the daemon in the build directory, or the broker */
	const char *avail; /* its availability topic's last level */
	pid_t pid;	   /* 0 while down */
	long long died;	   /* ms */
	long long waiting; /* (re)started at this time and not yet seen online; 0 if not */
	bool by_broker;	   /* waiting because the broker restarted, not the process */
	int kills, crashes, restarts;
	long long worst_restart, worst_reconnect; /* ms to serving */
};

struct photo {
	long long session;
	int shot;
	char path[512];
	char sha[65];
};

static struct env env;
static struct service svc[NSVC] = {
	[SVC_BROKER] = { .name = "mosquitto" },
	[SVC_BOOTHD] = { .name = "boothd", .avail = "boothd" },
	[SVC_CAMERA] = { .name = "booth-camera", .avail = "camera" },
	[SVC_PRINTER] = { .name = "booth-printer", .avail = "printer" },
};
static long long broker_up; /* when the broker last opened its port */
static struct photo photos[MAX_PHOTOS];
static int nphotos;
static uint64_t rng;

/* xorshift64*: the same seed gives the same kills (the timing of the daemons still varies). */
static uint32_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (uint32_t)((rng * 2685821657736338717ull) >> 32);
}

static long long max_ll(long long a, long long b)
{
	return a > b ? a : b;
}

/* A 2x6 in strip of two photos at 100 dpi, in a layouts directory of the run's own. */
static int write_layout(void)
{
	char dir[400], path[420];
	FILE *f;

	snprintf(dir, sizeof(dir), "%s/layouts", env.dir);
	snprintf(path, sizeof(path), "%s/chaos.layout", dir);
	if (mkdir(dir, 0755) < 0 || !(f = fopen(path, "w")))
		return -1;
	fputs("[page]\nunit = in\nwidth = 2\nheight = 6\ndpi = 100\nphotos = 2\n\n"
	      "[photo]\nphoto = 1\nx = 0.1\ny = 0.1\nwidth = 1.8\nheight = 1.2\n\n"
	      "[photo]\nphoto = 2\nx = 0.1\ny = 1.4\nwidth = 1.8\nheight = 1.2\n",
	      f);
	if (fclose(f) != 0)
		return -1;
	return env_conf_set(&env, "layouts_dir", dir);
}

/* The supervisor: what systemd does with Restart=always. */

static void start(struct service *s)
{
	long long t0 = env_ms();

	if (s == &svc[SVC_BROKER]) {
		if (env_broker_start(&env) < 0)
			return;
		s->pid = env.broker;
		broker_up = env_ms();
		s->worst_restart = max_ll(s->worst_restart, broker_up - t0);
		/* Every running process has to find the new broker. */
		for (int i = SVC_BOOTHD; i < NSVC; i++) {
			if (svc[i].pid > 0 && !svc[i].waiting) {
				svc[i].waiting = broker_up;
				svc[i].by_broker = true;
			}
		}
	} else {
		s->pid = env_spawn(&env, s->name);
		s->waiting = t0;
		s->by_broker = false;
	}
	s->restarts++;
}

static void kill_service(struct service *s)
{
	if (s == &svc[SVC_BROKER])
		env_broker_stop(&env, SIGKILL);
	else
		env_kill_daemon(&env, s->pid, SIGKILL);
	s->pid = 0;
	s->died = env_ms();
	s->waiting = 0;
	s->kills++;
}

static void supervise(void)
{
	for (int i = 0; i < NSVC; i++) {
		struct service *s = &svc[i];

		if (s->pid > 0 && !env_alive(s->pid)) {
			/* Nobody killed it: a crash, which this test must not cause. */
			fprintf(stderr, "%s exited by itself\n", s->name);
			if (i == SVC_BROKER)
				env.broker = 0;
			else
				env_kill_daemon(&env, s->pid, 0);
			s->pid = 0;
			s->died = env_ms();
			s->waiting = 0;
			s->crashes++;
		}
		if (s->pid == 0 && env_ms() >= s->died + RESTART_MS)
			start(s);
	}
}

/* A process said it is online: it serves again. */
static void on_online(const char *who)
{
	long long now = env_ms(), ms;

	for (int i = SVC_BOOTHD; i < NSVC; i++) {
		struct service *s = &svc[i];

		if (strcmp(s->avail, who) != 0 || !s->waiting || s->pid <= 0)
			continue;
		/* A process started while the broker was down could not serve before it was back. */
		ms = now - max_ll(s->waiting, broker_up);
		if (s->by_broker)
			s->worst_reconnect = max_ll(s->worst_reconnect, ms);
		else
			s->worst_restart = max_ll(s->worst_restart, ms);
		if (ms > SERVE_MS)
			fprintf(stderr, "%s took %lld ms to serve again\n", s->name, ms);
		s->waiting = 0;
	}
}

static json_object *get(json_object *o, const char *key)
{
	json_object *v = NULL;

	json_object_object_get_ex(o, key, &v);
	return v;
}

static void on_photo_stored(const char *payload)
{
	json_object *o = json_tokener_parse(payload);
	struct photo *p;

	if (!o || nphotos >= MAX_PHOTOS) {
		json_object_put(o);
		return;
	}
	p = &photos[nphotos++];
	p->session = json_object_get_int64(get(o, "session"));
	p->shot = json_object_get_int(get(o, "shot"));
	snprintf(p->path, sizeof(p->path), "%s", json_object_get_string(get(o, "path")));
	snprintf(p->sha, sizeof(p->sha), "%s", json_object_get_string(get(o, "sha256")));
	json_object_put(o);
}

/* The guest: taps when the booth is idle, prints (or, one time in ten, discards) at review. */
struct guest {
	long long id; /* the session on screen, 0 when idle */
	long long max_id;
	long long last_start;
	unsigned char decided[MAX_SESSION];
	int discards;
};

static void command(struct tclient *ui, const char *action)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "{\"action\":\"%s\"}", action);
	tclient_publish_nowait(ui, T("session/command"), buf);
}

static void on_session_state(struct guest *g, struct tclient *ui, const char *payload)
{
	json_object *o = json_tokener_parse(payload);
	const char *phase;

	if (!o)
		return;
	g->id = json_object_get_int64(get(o, "id"));
	phase = json_object_get_string(get(o, "phase"));
	if (g->id > g->max_id)
		g->max_id = g->id;
	if (phase && strcmp(phase, "review") == 0 && g->id > 0 && g->id < MAX_SESSION &&
	    !g->decided[g->id]) {
		bool discard = rnd() % 10 == 0;

		g->decided[g->id] = 1;
		g->discards += discard;
		command(ui, discard ? "discard" : "print");
	}
	json_object_put(o);
}

/* One turn of everything: supervisor, kills, clients, the guest. */
static void step(struct guest *g, struct tclient *watch, struct tclient *ui, long long *next_kill,
		 bool kills, int sessions)
{
	struct tmsg *m;

	supervise();
	if (kills && env_ms() >= *next_kill) {
		struct service *s = &svc[rnd() % NSVC];

		if (s->pid > 0)
			kill_service(s);
		*next_kill = env_ms() + KILL_MIN_MS + rnd() % (KILL_MAX_MS - KILL_MIN_MS);
	}
	if (svc[SVC_BROKER].pid > 0) {
		tclient_reconnect(watch, 500);
		tclient_reconnect(ui, 500);
	}
	tclient_pump(watch, 10);
	tclient_pump(ui, 10);
	while ((m = tclient_wait(watch, "#", 0))) {
		if (strstr(m->topic, "/availability/") && strcmp(m->payload, "online") == 0)
			on_online(strrchr(m->topic, '/') + 1);
		else if (strstr(m->topic, "/events/photo_stored"))
			on_photo_stored(m->payload);
		tmsg_free(m);
	}
	while ((m = tclient_wait(ui, "#", 0))) {
		on_session_state(g, ui, m->payload);
		tmsg_free(m);
	}
	if (g->id == 0 && g->max_id < sessions && env_ms() - g->last_start >= START_EVERY) {
		command(ui, "start");
		g->last_start = env_ms();
	}
}

static long long db_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	long long v = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			v = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	return v;
}

/* Whether the booth has settled: no session running, no print job unfinished. */
static bool settled(void)
{
	sqlite3 *db;
	bool done;

	if (sqlite3_open_v2(env.database, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		sqlite3_close(db);
		return false;
	}
	sqlite3_busy_timeout(db, 1000);
	done = db_int(db, "SELECT count(*) FROM sessions WHERE ended IS NULL") == 0 &&
	       db_int(db, "SELECT count(*) FROM print_jobs WHERE state NOT IN "
			  "('completed', 'failed', 'canceled')") == 0;
	sqlite3_close(db);
	return done;
}

/* Documents the printer received, by job name. */
struct received {
	char name[80];
	int count;
};

static int read_received(struct received *r, int max)
{
	char dir[400];
	struct dirent *de;
	int n = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/received", env.printer_dir);
	d = opendir(dir);
	while (d && (de = readdir(d))) {
		/* job-NNNN-NAME.jpg */
		const char *name = de->d_name;
		size_t len = strlen(name);
		int i;

		if (strncmp(name, "job-", 4) != 0 || len < 14 ||
		    strcmp(name + len - 4, ".jpg") != 0)
			continue;
		name += 9;
		len -= 13;
		for (i = 0; i < n; i++)
			if (strlen(r[i].name) == len && strncmp(r[i].name, name, len) == 0)
				break;
		if (i == n && n < max)
			snprintf(r[n++].name, sizeof(r[0].name), "%.*s", (int)len, name);
		if (i < n)
			r[i].count++;
	}
	if (d)
		closedir(d);
	return n;
}

static void check_database(sqlite3 *db)
{
	sqlite3_stmt *st;

	REQUIRE(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL) == SQLITE_OK);
	CHECK(sqlite3_step(st) == SQLITE_ROW);
	CHECK_STR((const char *)sqlite3_column_text(st, 0), "ok");
	sqlite3_finalize(st);
	/* Every session ended, with an outcome from the contract. */
	REQUIRE(sqlite3_prepare_v2(db,
				   "SELECT id, state, ended, ifnull(outcome, '') FROM sessions "
				   "WHERE ended IS NULL OR outcome IS NULL OR outcome NOT IN "
				   "('printed', 'kept', 'deleted', 'failed', 'cancelled', "
				   "'abandoned')",
				   -1, &st, NULL) == SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW)
		CHECK_MSG(false, "session %lld ended in no defined state (%s, outcome '%s')",
			  (long long)sqlite3_column_int64(st, 0), sqlite3_column_text(st, 1),
			  sqlite3_column_text(st, 3));
	sqlite3_finalize(st);
}

/* Every announced photo is kept as announced, unless the guest discarded its session. */
static void check_photos(sqlite3 *db)
{
	sqlite3_stmt *st, *row;
	int kept = 0, discarded = 0;

	REQUIRE(sqlite3_prepare_v2(db, "SELECT ifnull(outcome, '') FROM sessions WHERE id = ?", -1,
				   &st, NULL) == SQLITE_OK);
	REQUIRE(sqlite3_prepare_v2(db,
				   "SELECT sha256 FROM photos WHERE path = ? AND session_id = ? "
				   "AND shot = ?",
				   -1, &row, NULL) == SQLITE_OK);
	for (int i = 0; i < nphotos; i++) {
		const struct photo *p = &photos[i];
		const char *outcome;
		char sha[65] = "";
		struct stat sb;

		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, p->session);
		if (sqlite3_step(st) != SQLITE_ROW) {
			CHECK_MSG(false, "session %lld of an announced photo has no row",
				  p->session);
			continue;
		}
		outcome = (const char *)sqlite3_column_text(st, 0);
		sqlite3_reset(row);
		sqlite3_bind_text(row, 1, p->path, -1, SQLITE_STATIC);
		sqlite3_bind_int64(row, 2, p->session);
		sqlite3_bind_int(row, 3, p->shot);
		if (strcmp(outcome, "deleted") == 0) {
			discarded++;
			CHECK_MSG(sqlite3_step(row) != SQLITE_ROW,
				  "session %lld was discarded, but its shot %d is recorded",
				  p->session, p->shot);
			CHECK_MSG(stat(p->path, &sb) < 0,
				  "session %lld was discarded, but its shot %d is still stored",
				  p->session, p->shot);
			continue;
		}
		kept++;
		if (sqlite3_step(row) != SQLITE_ROW) {
			CHECK_MSG(false,
				  "session %lld (%s) shot %d was announced but is not recorded",
				  p->session, outcome, p->shot);
			continue;
		}
		CHECK_STR((const char *)sqlite3_column_text(row, 0), p->sha);
		CHECK_MSG(sha256_file(p->path, sha) == 0 && strcmp(sha, p->sha) == 0,
			  "session %lld shot %d: the file is missing or changed", p->session,
			  p->shot);
	}
	sqlite3_finalize(st);
	sqlite3_finalize(row);
	printf("# %d photos announced: %d kept, %d discarded by the guest\n", nphotos, kept,
	       discarded);
}

/* Every print boothd recorded reached the printer exactly once, and nothing else did. */
static void check_prints(sqlite3 *db)
{
	static struct received got[2 * MAX_SESSION];
	int n = read_received(got, 2 * MAX_SESSION), jobs = 0;
	sqlite3_stmt *st;

	REQUIRE(sqlite3_prepare_v2(db, "SELECT job_key, state FROM print_jobs", -1, &st, NULL) ==
		SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *key = (const char *)sqlite3_column_text(st, 0);
		const char *state = (const char *)sqlite3_column_text(st, 1);
		char name[80];
		int count = 0;

		jobs++;
		snprintf(name, sizeof(name), "booth-%s", key);
		for (int i = 0; i < n; i++) {
			if (strcmp(got[i].name, name) == 0) {
				count = got[i].count;
				got[i].count = -count; /* seen */
			}
		}
		CHECK_MSG(count == 1, "print %s (%s) reached the printer %d times", key, state,
			  count);
		CHECK_MSG(strcmp(state, "completed") == 0, "print %s ended %s", key, state);
	}
	sqlite3_finalize(st);
	for (int i = 0; i < n; i++)
		CHECK_MSG(got[i].count <= 0, "the printer got %s, which boothd never asked for",
			  got[i].name);
	printf("# %d prints requested, %d documents received\n", jobs, env_printer_received(&env));
	/* A session that says it printed has its print. */
	CHECK_INT(db_int(db, "SELECT count(*) FROM sessions s WHERE outcome = 'printed' AND NOT "
			     "EXISTS (SELECT 1 FROM print_jobs p WHERE p.session_id = s.id)"),
		  ==, 0);
}

static void test_chaos(void)
{
	const char *env_n = getenv("CHAOS_SESSIONS"), *env_seed = getenv("CHAOS_SEED");
	int sessions = env_n ? (int)strtol(env_n, NULL, 10) : DEFAULT_SESSIONS;
	static struct guest g;
	struct tclient *watch, *ui;
	long long t0, next_kill, deadline;
	sqlite3 *db;
	int kills = 0;

	rng = env_seed ? strtoull(env_seed, NULL, 10) : (uint64_t)time(NULL) ^ (uint64_t)getpid();
	if (!rng)
		rng = 1;
	printf("# seed %llu (CHAOS_SEED=%llu replays the kills), %d sessions\n",
	       (unsigned long long)rng, (unsigned long long)rng, sessions);
	fprintf(stderr, "seed %llu\n", (unsigned long long)rng);
	if (sessions < 1 || sessions >= MAX_SESSION)
		sessions = DEFAULT_SESSIONS;
	REQUIRE(env_start_conf(&env, 5, "[boothd]\nlayout = chaos\nshots = 2\n") == 0);
	/* Short sessions: two small photos on a small strip, a review that prints by itself after
	 * 1 s, and timeouts that end a session soon when a process it waits for was killed. */
	REQUIRE(write_layout() == 0);
	REQUIRE(env_conf_set(&env, "review_s", "1") == 0 &&
		env_conf_set(&env, "capture_timeout_s", "3") == 0 &&
		env_conf_set(&env, "compose_timeout_s", "10") == 0 &&
		env_conf_set(&env, "still_width", "640") == 0 &&
		env_conf_set(&env, "still_height", "360") == 0 &&
		env_conf_set(&env, "preview_fps", "2") == 0);
	REQUIRE(env_printer_start(&env) == 0);
	svc[SVC_BROKER].pid = env.broker;
	broker_up = env_ms();
	/* Only boothd may read photo_stored: the test listens with its credentials. */
	watch = tclient_new(&env, "boothd", NULL, true, NULL);
	ui = tclient_new(&env, "ui", NULL, true, NULL);
	REQUIRE(watch && ui);
	tclient_subscribe(watch, T("events/photo_stored"));
	tclient_subscribe(watch, T("availability/+"));
	tclient_subscribe(ui, T("session/state"));
	for (int i = SVC_BOOTHD; i < NSVC; i++)
		start(&svc[i]);

	t0 = env_ms();
	next_kill = t0 + KILL_MIN_MS;
	deadline = t0 + 60000 + (long long)sessions * 5000;
	while ((g.max_id < sessions || g.id != 0) && env_ms() < deadline)
		step(&g, watch, ui, &next_kill, true, sessions);
	CHECK_MSG(g.max_id >= sessions, "only %lld sessions in %lld s", g.max_id,
		  (env_ms() - t0) / 1000);
	/* No more kills: everything comes back, the last prints go out. */
	deadline = env_ms() + 60000;
	while (env_ms() < deadline) {
		bool up = true;

		for (int k = 0; k < 25; k++)
			step(&g, watch, ui, &next_kill, false, sessions);
		for (int i = 0; i < NSVC; i++)
			up = up && svc[i].pid > 0 && !svc[i].waiting;
		if (up && g.id == 0 && settled())
			break;
	}
	CHECK_MSG(env_ms() < deadline, "the booth did not settle after the kills");
	tclient_pump(watch, 1500); /* late documents at the printer */

	printf("# %lld sessions in %lld s\n", g.max_id, (env_ms() - t0) / 1000);
	for (int i = 0; i < NSVC; i++) {
		struct service *s = &svc[i];

		kills += s->kills;
		printf("# %s: killed %d times, crashed %d, worst restart to serving %lld ms",
		       s->name, s->kills, s->crashes, s->worst_restart);
		if (i != SVC_BROKER)
			printf(", after a broker restart %lld ms", s->worst_reconnect);
		printf("\n");
		CHECK_MSG(s->crashes == 0, "%s exited %d times without being killed", s->name,
			  s->crashes);
		CHECK_MSG(s->worst_restart <= SERVE_MS && s->worst_reconnect <= SERVE_MS,
			  "%s took %lld ms (%lld after a broker restart) to serve again", s->name,
			  s->worst_restart, s->worst_reconnect);
	}
	CHECK_INT(kills, >=, sessions / 10);

	REQUIRE(sqlite3_open_v2(env.database, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	check_database(db);
	check_photos(db);
	check_prints(db);
	printf("# outcomes:");
	{
		sqlite3_stmt *st;

		if (sqlite3_prepare_v2(db,
				       "SELECT outcome, count(*) FROM sessions GROUP BY outcome "
				       "ORDER BY outcome",
				       -1, &st, NULL) == SQLITE_OK) {
			while (sqlite3_step(st) == SQLITE_ROW)
				printf(" %s %d", sqlite3_column_text(st, 0),
				       sqlite3_column_int(st, 1));
			sqlite3_finalize(st);
		}
	}
	printf("\n");
	sqlite3_close(db);
	tclient_free(watch);
	tclient_free(ui);
	for (int i = SVC_BOOTHD; i < NSVC; i++)
		if (svc[i].pid > 0)
			env_kill_daemon(&env, svc[i].pid, SIGTERM);
	env_stop(&env);
}

int main(int argc, char **argv)
{
	static const struct test tests[] = {
		{ "sessions_under_kills", test_chaos },
		{ NULL, NULL },
	};

	signal(SIGPIPE, SIG_IGN);
	return test_main(argc, argv, tests);
}
