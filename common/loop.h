/* SPDX-License-Identifier: MIT */
/* The one event loop of each process: epoll over fds, timerfd timers, signalfd signals. */
#ifndef BOOTH_LOOP_H
#define BOOTH_LOOP_H

#include <stdint.h>

struct loop;
struct loop_source;

/* Called when FD is ready; REVENTS is the epoll event mask. Return < 0 to log and carry on. */
typedef int (*loop_io_fn)(struct loop_source *s, int fd, uint32_t revents, void *userdata);
/* Called when a timer expires. */
typedef int (*loop_timer_fn)(struct loop_source *s, void *userdata);
/* Called when signal SIGNO arrives. */
typedef int (*loop_signal_fn)(struct loop_source *s, int signo, void *userdata);
/* Called before each wait for events. */
typedef void (*loop_prepare_fn)(void *userdata);

/* Create a loop. Returns 0 and stores it in *ret, or -errno. */
int loop_new(struct loop **ret);
/* Free the loop and every source still attached (their fds are closed only if the loop opened
 * them: timers and signals). Accepts NULL, returns NULL. */
struct loop *loop_free(struct loop *l);

/* Watch FD (borrowed: the caller closes it after removing the source) for EVENTS (EPOLLIN...).
 * The source belongs to the loop; *ret (may be NULL) lets the caller change or remove it. */
int loop_add_io(struct loop *l, int fd, uint32_t events, loop_io_fn fn, void *userdata,
		struct loop_source **ret);
/* Change the events an io source waits for. */
int loop_io_set_events(struct loop_source *s, uint32_t events);

/* A timer that first fires after USEC microseconds (0 = disarmed) and then every INTERVAL_USEC
 * (0 = once). */
int loop_add_timer(struct loop *l, uint64_t usec, uint64_t interval_usec, loop_timer_fn fn,
		   void *userdata, struct loop_source **ret);
/* Re-arm (or with USEC 0 disarm) a timer. */
int loop_timer_set(struct loop_source *s, uint64_t usec, uint64_t interval_usec);

/* Deliver SIGNO through the loop (the signal is blocked for the process). */
int loop_add_signal(struct loop *l, int signo, loop_signal_fn fn, void *userdata,
		    struct loop_source **ret);

/* Stop the loop (loop_run() returns 0) on SIGTERM or SIGINT: how every daemon ends. */
int loop_add_stop_signals(struct loop *l);

/* Call FN before every wait (used by the MQTT client to ask for EPOLLOUT when it has data). */
int loop_add_prepare(struct loop *l, loop_prepare_fn fn, void *userdata);
/* Remove the prepare hook added with FN and USERDATA. */
void loop_remove_prepare(struct loop *l, loop_prepare_fn fn, void *userdata);

/* Detach and free a source; safe from inside its own callback. Accepts NULL, returns NULL. */
struct loop_source *loop_source_remove(struct loop_source *s);

/* Run one iteration, waiting at most TIMEOUT_MS (-1 = forever). Returns the number of sources
 * dispatched, or -errno. */
int loop_iterate(struct loop *l, int timeout_ms);
/* Run until loop_quit(). Returns the code passed to loop_quit(). Under systemd it says READY=1
 * when it starts, pings the watchdog (WatchdogSec=) from the loop at half the interval, and says
 * STOPPING=1 when it ends. */
int loop_run(struct loop *l);
void loop_quit(struct loop *l, int code);

/* CLOCK_MONOTONIC in microseconds. */
uint64_t now_usec(void);

#endif
