/* SPDX-License-Identifier: MIT */
/* Many guest sessions in a row against the real broker, camera (simulated), composer, printer
 * process and virtual printer: every session ends printed, and no process grows in memory or
 * file descriptors after the first sessions (10, or 50 from 200 sessions on). SOAK_SESSIONS sets
 * the count (default 30; `make soak` runs 1000). The figures are printed. */
#include "env.h"
#include "harness.h"

#include <dirent.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#define T(x) "booth/" ENV_BOOTH "/" x
/* AddressSanitizer holds freed memory in quarantine (256 MB by default): resident memory says
 * nothing about leaks there, and LeakSanitizer checks them at exit instead. */
#if defined(__SANITIZE_ADDRESS__)
#define CHECK_RSS 0
#else
#define CHECK_RSS 1
#endif
/* Sessions before the figures are taken (caches and the database settle): 10, or 50 in a long
 * soak. */
#define WARMUP_SHORT 10
#define WARMUP_LONG  50

static struct env env;

struct usage {
	long rss_kb;
	int fds;
};

static struct usage usage_of(pid_t pid)
{
	struct usage u = { -1, -1 };
	char path[64], line[256];
	struct dirent *de;
	FILE *f;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (strncmp(line, "VmRSS:", 6) == 0)
			u.rss_kb = strtol(line + 6, NULL, 10);
	if (f)
		fclose(f);
	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	d = opendir(path);
	if (d) {
		u.fds = 0;
		while ((de = readdir(d)))
			if (de->d_name[0] != '.')
				u.fds++;
		closedir(d);
	}
	return u;
}

/* Wait for session/state whose payload holds WANT. */
static bool wait_state(struct tclient *ui, const char *want, long long deadline)
{
	while (env_ms() < deadline) {
		struct tmsg *s = tclient_wait(ui, T("session/state"), 200);
		bool found = s && strstr(s->payload, want);

		tmsg_free(s);
		if (found)
			return true;
	}
	return false;
}

/* Run one session to its end: start, print at review, back to idle. Returns true when it ended
 * printed. */
static bool one_session(struct tclient *ui, struct tclient *owner)
{
	long long deadline = env_ms() + 60000;
	bool printed = false;

	if (tclient_publish(ui, T("session/command"), "{\"action\":\"start\"}", 18, NULL, NULL) !=
		    0 ||
	    !wait_state(ui, "\"phase\":\"review\"", deadline) ||
	    tclient_publish(ui, T("session/command"), "{\"action\":\"print\"}", 18, NULL, NULL) !=
		    0)
		return false;
	while (env_ms() < deadline) {
		struct tmsg *m = tclient_wait(owner, T("events/session_ended"), 200);

		if (m) {
			printed = strstr(m->payload, "\"outcome\":\"printed\"") != NULL;
			tmsg_free(m);
			break;
		}
	}
	/* Back to idle before the next guest. */
	wait_state(ui, "\"phase\":\"idle\"", deadline);
	return printed;
}

static void test_sessions(void)
{
	static const char *const names[] = { "boothd", "booth-camera", "booth-printer" };
	const char *env_n = getenv("SOAK_SESSIONS");
	int n = env_n ? (int)strtol(env_n, NULL, 10) : 30, printed = 0;
	struct usage start[3], end[3];
	struct tclient *ui, *owner;
	int warmup = WARMUP_SHORT;
	pid_t pids[3];
	long long t0;

	if (n < warmup + 10)
		n = warmup + 10;
	if (n >= 4 * WARMUP_LONG)
		warmup = WARMUP_LONG;
	REQUIRE(env_start_conf(&env, 5, "[boothd]\nlayout = 2x6-strip\n") == 0);
	REQUIRE(env_printer_start(&env) == 0);
	ui = tclient_new(&env, "ui", NULL, true, NULL);
	owner = tclient_new(&env, "owner", NULL, true, NULL);
	REQUIRE(ui && owner);
	tclient_subscribe(ui, T("session/state"));
	tclient_subscribe(owner, T("events/session_ended"));
	tclient_subscribe(owner, T("state"));
	for (int i = 0; i < 3; i++)
		pids[i] = env_spawn(&env, names[i]);
	{
		long long deadline = env_ms() + 15000;
		bool idle = false;

		while (!idle && env_ms() < deadline) {
			struct tmsg *m = tclient_wait(owner, T("state"), 200);

			idle = m && strstr(m->payload, "\"state\":\"idle\"");
			tmsg_free(m);
		}
		REQUIRE(idle);
	}
	t0 = env_ms();
	for (int s = 1; s <= n; s++) {
		if (one_session(ui, owner))
			printed++;
		if (s == warmup)
			for (int i = 0; i < 3; i++)
				start[i] = usage_of(pids[i]);
	}
	for (int i = 0; i < 3; i++)
		end[i] = usage_of(pids[i]);
	fprintf(stderr, "%d sessions in %lld s, %d printed\n", n, (env_ms() - t0) / 1000, printed);
	printf("# %d sessions, %d printed, %lld ms each\n", n, printed, (env_ms() - t0) / n);
	CHECK_INT(printed, ==, n);
	for (int i = 0; i < 3; i++) {
		printf("# %s: RSS %ld kB after %d sessions, %ld kB after %d (%+ld kB); fds %d -> "
		       "%d\n",
		       names[i], start[i].rss_kb, warmup, end[i].rss_kb, n,
		       end[i].rss_kb - start[i].rss_kb, start[i].fds, end[i].fds);
		CHECK(env_alive(pids[i]));
		CHECK_MSG(!CHECK_RSS || end[i].rss_kb - start[i].rss_kb < 1024, "%s grew by %ld kB",
			  names[i], end[i].rss_kb - start[i].rss_kb);
		/* Measured at all (a process that is gone has no /proc entry), and no more. */
		CHECK_MSG(start[i].fds > 0 && end[i].fds > 0, "%s: no descriptor count", names[i]);
		CHECK_MSG(end[i].fds <= start[i].fds, "%s: %d fds, was %d", names[i], end[i].fds,
			  start[i].fds);
	}
	CHECK_INT(env_printer_received(&env), ==, n);
	tclient_free(ui);
	tclient_free(owner);
	for (int i = 0; i < 3; i++)
		env_kill_daemon(&env, pids[i], SIGTERM);
	env_stop(&env);
}

int main(int argc, char **argv)
{
	static const struct test tests[] = {
		{ "sessions", test_sessions },
		{ NULL, NULL },
	};

	signal(SIGPIPE, SIG_IGN);
	return test_main(argc, argv, tests);
}
