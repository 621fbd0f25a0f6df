/* SPDX-License-Identifier: MIT */
/* Unit tests for the event loop: io, timers, signals, removal from callbacks. */
#include "harness.h"
#include "loop.h"

#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/epoll.h>
#include <unistd.h>

struct counter {
	int n;
	struct loop *loop;
	int quit_at;
};

static int count_timer(struct loop_source *s, void *userdata)
{
	struct counter *c = userdata;

	(void)s;
	if (++c->n == c->quit_at)
		loop_quit(c->loop, 7);
	return 0;
}

static void test_timer_interval(void)
{
	struct loop *l;
	struct counter c = { 0, NULL, 3 };
	uint64_t start;

	REQUIRE(loop_new(&l) == 0);
	c.loop = l;
	REQUIRE(loop_add_timer(l, 10000, 10000, count_timer, &c, NULL) == 0);
	start = now_usec();
	CHECK_INT(loop_run(l), ==, 7);
	CHECK_INT(c.n, ==, 3);
	/* Three expirations of 10 ms cannot happen in less than 30 ms. */
	CHECK_INT(now_usec() - start, >=, 30000);
	loop_free(l);
}

static int read_pipe(struct loop_source *s, int fd, uint32_t revents, void *userdata)
{
	struct counter *c = userdata;
	char buf[16];

	CHECK(revents & EPOLLIN);
	CHECK_INT(read(fd, buf, sizeof(buf)), ==, 3);
	c->n++;
	/* Removing the source from its own callback must be safe. */
	loop_source_remove(s);
	loop_quit(c->loop, 0);
	return 0;
}

static void test_io_and_remove(void)
{
	struct loop *l;
	struct counter c = { 0, NULL, 0 };
	int p[2];

	REQUIRE(pipe(p) == 0);
	REQUIRE(loop_new(&l) == 0);
	c.loop = l;
	REQUIRE(loop_add_io(l, p[0], EPOLLIN, read_pipe, &c, NULL) == 0);
	CHECK_INT(write(p[1], "abc", 3), ==, 3);
	CHECK_INT(loop_run(l), ==, 0);
	CHECK_INT(c.n, ==, 1);
	/* The source is gone: more data wakes nothing. */
	CHECK_INT(write(p[1], "abc", 3), ==, 3);
	CHECK_INT(loop_iterate(l, 50), ==, 0);
	CHECK_INT(c.n, ==, 1);
	loop_free(l);
	close(p[0]);
	close(p[1]);
}

/* An fd closed after its source was removed, while another holder (a child that inherited it)
 * keeps the file open: epoll may still report it. The loop must ignore the report, not touch the
 * freed source. */
static void test_closed_fd_still_held(void)
{
	struct loop *l;
	struct counter c = { 0, NULL, 0 };
	struct loop_source *src = NULL;
	int p[2], held;

	REQUIRE(pipe(p) == 0);
	REQUIRE(loop_new(&l) == 0);
	c.loop = l;
	held = dup(p[0]);
	REQUIRE(held >= 0);
	REQUIRE(loop_add_io(l, p[0], EPOLLIN, read_pipe, &c, &src) == 0);
	/* Closed first (as libmosquitto closes its socket), removed after: the removal cannot
	 * reach epoll any more, and the dup keeps the registration alive. */
	close(p[0]);
	loop_source_remove(src);
	CHECK_INT(loop_iterate(l, 0), ==, 0); /* the removed source is freed here */
	CHECK_INT(write(p[1], "abc", 3), ==, 3);
	CHECK_INT(loop_iterate(l, 50), ==, 0);
	CHECK_INT(c.n, ==, 0);
	loop_free(l);
	close(held);
	close(p[1]);
}

static int got_signal(struct loop_source *s, int signo, void *userdata)
{
	struct counter *c = userdata;

	(void)s;
	c->n = signo;
	loop_quit(c->loop, 0);
	return 0;
}

static void test_signal(void)
{
	struct loop *l;
	struct counter c = { 0, NULL, 0 };

	REQUIRE(loop_new(&l) == 0);
	c.loop = l;
	REQUIRE(loop_add_signal(l, SIGUSR1, got_signal, &c, NULL) == 0);
	kill(getpid(), SIGUSR1);
	CHECK_INT(loop_run(l), ==, 0);
	CHECK_INT(c.n, ==, SIGUSR1);
	loop_free(l);
}

/* SIGTERM ends loop_run() with 0, as every daemon stops. */
static void test_stop_signals(void)
{
	struct loop *l;

	REQUIRE(loop_new(&l) == 0);
	REQUIRE(loop_add_stop_signals(l) == 0);
	kill(getpid(), SIGTERM);
	CHECK_INT(loop_run(l), ==, 0);
	loop_free(l);
}

static void test_disarm(void)
{
	struct loop *l;
	struct loop_source *t;
	struct counter c = { 0, NULL, 0 };

	REQUIRE(loop_new(&l) == 0);
	REQUIRE(loop_add_timer(l, 5000, 0, count_timer, &c, &t) == 0);
	CHECK_INT(loop_timer_set(t, 0, 0), ==, 0);
	CHECK_INT(loop_iterate(l, 30), ==, 0);
	CHECK_INT(c.n, ==, 0);
	CHECK_INT(loop_timer_set(t, 1000, 0), ==, 0);
	CHECK_INT(loop_iterate(l, 1000), ==, 1);
	CHECK_INT(c.n, ==, 1);
	loop_free(l);
}

static int prepared;
static void on_prepare(void *userdata)
{
	(void)userdata;
	prepared++;
}

static void test_prepare(void)
{
	struct loop *l;

	REQUIRE(loop_new(&l) == 0);
	REQUIRE(loop_add_prepare(l, on_prepare, NULL) == 0);
	loop_iterate(l, 0);
	loop_iterate(l, 0);
	CHECK_INT(prepared, ==, 2);
	loop_remove_prepare(l, on_prepare, NULL);
	loop_iterate(l, 0);
	CHECK_INT(prepared, ==, 2);
	loop_free(l);
}

static int quit_timer(struct loop_source *s, void *userdata)
{
	(void)s;
	loop_quit(userdata, 0);
	return 0;
}

/* Run a loop for MS milliseconds with systemd's variables set (NOTIFY_SOCKET = SOCKET,
 * WATCHDOG_USEC = 100 ms, WATCHDOG_PID = PID), then unset them. Returns loop_run()'s result. */
static int run_notified(const char *socket, const char *pid, int ms)
{
	struct loop *l;
	int r = -1;

	setenv("NOTIFY_SOCKET", socket, 1);
	setenv("WATCHDOG_USEC", "100000", 1);
	setenv("WATCHDOG_PID", pid, 1);
	if (loop_new(&l) == 0) {
		if (loop_add_timer(l, (uint64_t)ms * 1000, 0, quit_timer, l, NULL) == 0)
			r = loop_run(l);
		loop_free(l);
	}
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
	return r;
}

/* Under systemd (NOTIFY_SOCKET), loop_run() says READY, pings the watchdog and says STOPPING. */
static void test_sd_notify(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char buf[256], pid[32];
	int fd, ready = 0, pings = 0, stopping = 0, order_ok = 1;
	ssize_t n;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "/tmp/booth-notify-%d", (int)getpid());
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	REQUIRE(fd >= 0);
	unlink(sa.sun_path);
	REQUIRE(bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	CHECK_INT(run_notified(sa.sun_path, pid, 280), ==, 0);
	while ((n = recv(fd, buf, sizeof(buf) - 1, 0)) > 0) {
		buf[n] = '\0';
		if (strcmp(buf, "READY=1") == 0) {
			order_ok &= pings + stopping == 0;
			ready++;
		} else if (strcmp(buf, "WATCHDOG=1") == 0) {
			pings++;
		} else if (strcmp(buf, "STOPPING=1") == 0) {
			stopping++;
		}
	}
	CHECK(order_ok);
	CHECK_INT(ready, ==, 1);
	/* Every 50 ms for 280 ms. */
	CHECK_INT(pings, >=, 3);
	CHECK_INT(stopping, ==, 1);
	close(fd);
	unlink(sa.sun_path);
}

/* The notifications also reach an abstract socket ("@name"); a watchdog meant for another
 * process (WATCHDOG_PID) is not pinged. */
static void test_sd_notify_abstract(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char buf[256], name[64];
	int fd, ready = 0, pings = 0, stopping = 0;
	socklen_t len;
	ssize_t n;

	n = snprintf(name, sizeof(name), "@booth-notify-%d", (int)getpid());
	memcpy(sa.sun_path + 1, name + 1, (size_t)n - 1);
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + (size_t)n);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	REQUIRE(fd >= 0);
	REQUIRE(bind(fd, (struct sockaddr *)&sa, len) == 0);
	CHECK_INT(run_notified(name, "1", 180), ==, 0);
	while ((n = recv(fd, buf, sizeof(buf) - 1, 0)) > 0) {
		buf[n] = '\0';
		ready += strcmp(buf, "READY=1") == 0;
		pings += strcmp(buf, "WATCHDOG=1") == 0;
		stopping += strcmp(buf, "STOPPING=1") == 0;
	}
	CHECK_INT(ready, ==, 1);
	CHECK_INT(pings, ==, 0);
	CHECK_INT(stopping, ==, 1);
	close(fd);
}

int main(int argc, char **argv)
{
	static const struct test tests[] = {
		{ "timer_interval", test_timer_interval },
		{ "io_and_remove", test_io_and_remove },
		{ "signal", test_signal },
		{ "disarm", test_disarm },
		{ "stop_signals", test_stop_signals },
		{ "prepare", test_prepare },
		{ "sd_notify", test_sd_notify },
		{ "sd_notify_abstract", test_sd_notify_abstract },
		{ "closed_fd_still_held", test_closed_fd_still_held },
		{ NULL, NULL },
	};

	return test_main(argc, argv, tests);
}
