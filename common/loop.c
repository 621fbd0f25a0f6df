/* SPDX-License-Identifier: MIT */
/* The event loop: epoll, timerfd, signalfd, prepare hooks. No threads. */
#include "loop.h"

#include "util.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

enum source_type { SOURCE_IO, SOURCE_TIMER, SOURCE_SIGNAL };

struct loop_source {
	struct loop *loop;
	uint64_t id; /* what epoll hands back: never reused, unlike a freed pointer */
	enum source_type type;
	int fd;
	int signo;
	bool dead;
	union {
		loop_io_fn io;
		loop_timer_fn timer;
		loop_signal_fn signal;
	} fn;
	void *userdata;
	struct loop_source *next;
};

struct prepare {
	loop_prepare_fn fn;
	void *userdata;
	struct prepare *next;
};

struct loop {
	int epfd;
	bool quit;
	int exit_code;
	struct loop_source *sources;
	struct prepare *prepares;
	sigset_t blocked;
	struct loop_source *watchdog;
	uint64_t next_id;
};

#define MAX_EVENTS 16

uint64_t now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

int loop_new(struct loop **ret)
{
	struct loop *l = calloc(1, sizeof(*l));

	if (!l)
		return -ENOMEM;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0) {
		free(l);
		return -errno;
	}
	sigemptyset(&l->blocked);
	*ret = l;
	return 0;
}

static void source_destroy(struct loop_source *s)
{
	if (s->type != SOURCE_IO && s->fd >= 0)
		close(s->fd);
	free(s);
}

/* Free sources removed during dispatch; they cannot be freed while an epoll batch may still
 * point at them. */
static void loop_reap(struct loop *l)
{
	struct loop_source **p = &l->sources;

	while (*p) {
		struct loop_source *s = *p;

		if (s->dead) {
			*p = s->next;
			source_destroy(s);
		} else {
			p = &s->next;
		}
	}
}

struct loop *loop_free(struct loop *l)
{
	if (!l)
		return NULL;
	while (l->sources) {
		struct loop_source *s = l->sources;

		l->sources = s->next;
		source_destroy(s);
	}
	while (l->prepares) {
		struct prepare *p = l->prepares;

		l->prepares = p->next;
		free(p);
	}
	if (l->epfd >= 0)
		close(l->epfd);
	sigprocmask(SIG_UNBLOCK, &l->blocked, NULL);
	free(l);
	return NULL;
}

/* Create a source watching FD. Returns it, or NULL with -errno in *ERROR. */
static struct loop_source *loop_attach(struct loop *l, enum source_type type, int fd,
				       uint32_t events, void *userdata, int *error)
{
	struct loop_source *s = calloc(1, sizeof(*s));
	struct epoll_event ev = { .events = events };

	if (!s) {
		*error = -ENOMEM;
		return NULL;
	}
	s->loop = l;
	s->type = type;
	s->fd = fd;
	s->signo = -1;
	s->userdata = userdata;
	s->id = ++l->next_id;
	ev.data.u64 = s->id;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		*error = -errno;
		free(s);
		return NULL;
	}
	s->next = l->sources;
	l->sources = s;
	return s;
}

int loop_add_io(struct loop *l, int fd, uint32_t events, loop_io_fn fn, void *userdata,
		struct loop_source **ret)
{
	int r = 0;
	struct loop_source *s = loop_attach(l, SOURCE_IO, fd, events, userdata, &r);

	if (!s)
		return r;
	s->fn.io = fn;
	if (ret)
		*ret = s;
	return 0;
}

int loop_io_set_events(struct loop_source *s, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.u64 = s->id };

	if (s->type != SOURCE_IO || s->dead)
		return -EINVAL;
	return epoll_ctl(s->loop->epfd, EPOLL_CTL_MOD, s->fd, &ev) < 0 ? -errno : 0;
}

int loop_timer_set(struct loop_source *s, uint64_t usec, uint64_t interval_usec)
{
	struct itimerspec its = {
		.it_value = { .tv_sec = (time_t)(usec / 1000000u),
			      .tv_nsec = (long)(usec % 1000000u) * 1000 },
		.it_interval = { .tv_sec = (time_t)(interval_usec / 1000000u),
				 .tv_nsec = (long)(interval_usec % 1000000u) * 1000 },
	};

	if (s->type != SOURCE_TIMER)
		return -EINVAL;
	return timerfd_settime(s->fd, 0, &its, NULL) < 0 ? -errno : 0;
}

int loop_add_timer(struct loop *l, uint64_t usec, uint64_t interval_usec, loop_timer_fn fn,
		   void *userdata, struct loop_source **ret)
{
	struct loop_source *s;
	int fd, r = 0;

	fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	s = loop_attach(l, SOURCE_TIMER, fd, EPOLLIN, userdata, &r);
	if (!s) {
		close(fd);
		return r;
	}
	s->fn.timer = fn;
	r = loop_timer_set(s, usec, interval_usec);
	if (r < 0) {
		loop_source_remove(s);
		return r;
	}
	if (ret)
		*ret = s;
	return 0;
}

int loop_add_signal(struct loop *l, int signo, loop_signal_fn fn, void *userdata,
		    struct loop_source **ret)
{
	struct loop_source *s;
	sigset_t mask;
	int fd, r = 0;

	sigemptyset(&mask);
	sigaddset(&mask, signo);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
		return -errno;
	sigaddset(&l->blocked, signo);
	fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	s = loop_attach(l, SOURCE_SIGNAL, fd, EPOLLIN, userdata, &r);
	if (!s) {
		close(fd);
		return r;
	}
	s->fn.signal = fn;
	s->signo = signo;
	if (ret)
		*ret = s;
	return 0;
}

static int stop_on_signal(struct loop_source *s, int signo, void *userdata)
{
	(void)s;
	(void)signo;
	loop_quit(userdata, 0);
	return 0;
}

int loop_add_stop_signals(struct loop *l)
{
	int r = loop_add_signal(l, SIGTERM, stop_on_signal, l, NULL);

	return r < 0 ? r : loop_add_signal(l, SIGINT, stop_on_signal, l, NULL);
}

int loop_add_prepare(struct loop *l, loop_prepare_fn fn, void *userdata)
{
	struct prepare *p = calloc(1, sizeof(*p));

	if (!p)
		return -ENOMEM;
	p->fn = fn;
	p->userdata = userdata;
	p->next = l->prepares;
	l->prepares = p;
	return 0;
}

void loop_remove_prepare(struct loop *l, loop_prepare_fn fn, void *userdata)
{
	for (struct prepare **p = &l->prepares; *p; p = &(*p)->next) {
		if ((*p)->fn == fn && (*p)->userdata == userdata) {
			struct prepare *dead = *p;

			*p = dead->next;
			free(dead);
			return;
		}
	}
}

struct loop_source *loop_source_remove(struct loop_source *s)
{
	if (!s || s->dead)
		return NULL;
	epoll_ctl(s->loop->epfd, EPOLL_CTL_DEL, s->fd, NULL);
	s->dead = true;
	return NULL;
}

static int source_dispatch(struct loop_source *s, uint32_t revents)
{
	switch (s->type) {
	case SOURCE_IO:
		return s->fn.io(s, s->fd, revents, s->userdata);
	case SOURCE_TIMER: {
		uint64_t expirations;

		if (read(s->fd, &expirations, sizeof(expirations)) != sizeof(expirations))
			return errno == EAGAIN ? 0 : -errno;
		return s->fn.timer(s, s->userdata);
	}
	case SOURCE_SIGNAL: {
		struct signalfd_siginfo si;

		if (read(s->fd, &si, sizeof(si)) != sizeof(si))
			return errno == EAGAIN ? 0 : -errno;
		return s->fn.signal(s, (int)si.ssi_signo, s->userdata);
	}
	}
	return -EINVAL;
}

static struct loop_source *loop_find(struct loop *l, uint64_t id)
{
	for (struct loop_source *s = l->sources; s; s = s->next)
		if (s->id == id)
			return s;
	return NULL;
}

int loop_iterate(struct loop *l, int timeout_ms)
{
	struct epoll_event events[MAX_EVENTS];
	int n, i, dispatched = 0;

	for (struct prepare *p = l->prepares; p; p = p->next)
		p->fn(p->userdata);
	n = epoll_wait(l->epfd, events, MAX_EVENTS, timeout_ms);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	for (i = 0; i < n; i++) {
		struct loop_source *s = loop_find(l, events[i].data.u64);

		/* Gone: removed in this batch, or an fd closed while another process still held it
		 * (a child spawned meanwhile), whose registration outlived the source. */
		if (!s || s->dead)
			continue;
		source_dispatch(s, events[i].events);
		dispatched++;
	}
	loop_reap(l);
	return dispatched;
}

/* systemd's notification protocol (sd_notify(3)): STATE as one datagram to the socket in
 * $NOTIFY_SOCKET (a path, or '@' for the abstract namespace); nothing outside systemd. Done here
 * rather than through libsystemd, whose compression and crypto libraries cost every process
 * about 1 MB resident for this one sendto(). */
static void notify(const char *state)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t n;
	int fd;

	if (!path || (path[0] != '/' && path[0] != '@'))
		return;
	n = strlen(path);
	if (n >= sizeof(sa.sun_path))
		return;
	memcpy(sa.sun_path, path, n);
	if (path[0] == '@')
		sa.sun_path[0] = '\0';
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	(void)sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&sa,
		     (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n));
	close(fd);
}

/* The watchdog interval systemd asks for ($WATCHDOG_USEC, for this process if $WATCHDOG_PID
 * says so), or 0: none. */
static uint64_t watchdog_usec(void)
{
	const char *usec = getenv("WATCHDOG_USEC"), *pid = getenv("WATCHDOG_PID");
	long long v, p;

	if (!usec || parse_int_range(usec, 1, INT64_MAX, &v) < 0)
		return 0;
	if (pid && (parse_int_range(pid, 1, INT32_MAX, &p) < 0 || p != (long long)getpid()))
		return 0;
	return (uint64_t)v;
}

static int watchdog_ping(struct loop_source *s, void *userdata)
{
	(void)s;
	(void)userdata;
	notify("WATCHDOG=1");
	return 0;
}

int loop_run(struct loop *l)
{
	uint64_t usec = watchdog_usec();
	int r = 0;

	l->quit = false;
	/* The pings come from the loop itself: a loop that stops turning stops them, and systemd
	 * restarts the process. Outside systemd both do nothing. */
	if (!l->watchdog && usec >= 2)
		loop_add_timer(l, usec / 2, usec / 2, watchdog_ping, l, &l->watchdog);
	notify("READY=1");
	while (!l->quit) {
		r = loop_iterate(l, -1);
		if (r < 0)
			break;
	}
	notify("STOPPING=1");
	return r < 0 ? r : l->exit_code;
}

void loop_quit(struct loop *l, int code)
{
	l->quit = true;
	l->exit_code = code;
}
