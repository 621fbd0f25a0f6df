/* SPDX-License-Identifier: MIT */
/* A tiny test harness: each test program lists its tests; each test prints PASS or FAIL. */
#ifndef BOOTH_HARNESS_H
#define BOOTH_HARNESS_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

struct test {
	const char *name;
	void (*fn)(void);
};

/* Record a failure of the running test (and keep going). */
void test_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Whether the running test has failed so far. */
bool test_failed(void);

/* Run TESTS (ends with a NULL name), or only those named on the command line. Prints
 * "PASS: prog/name" or "FAIL: prog/name" per test. Returns the exit status. */
int test_main(int argc, char **argv, const struct test *tests);

/* Run FN(ARG) after the current test returns, also when a REQUIRE ended it early (NULL: none).
 * The integration tests' environment uses it to stop what the test started. */
void test_set_cleanup(void (*fn)(void *arg), void *arg);

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			test_fail(__FILE__, __LINE__, "%s", #cond);                                \
	} while (0)

#define CHECK_MSG(cond, ...)                                                                       \
	do {                                                                                       \
		if (!(cond))                                                                       \
			test_fail(__FILE__, __LINE__, __VA_ARGS__);                                \
	} while (0)

#define CHECK_INT(a, op, b)                                                                        \
	do {                                                                                       \
		long long a_ = (long long)(a), b_ = (long long)(b);                                \
		if (!(a_ op b_))                                                                   \
			test_fail(__FILE__, __LINE__, "%s %s %s (%lld vs %lld)", #a, #op, #b, a_,  \
				  b_);                                                             \
	} while (0)

#define CHECK_STR(a, b)                                                                            \
	do {                                                                                       \
		const char *a_ = (a), *b_ = (b);                                                   \
		if (!a_ || !b_ || strcmp(a_, b_) != 0)                                             \
			test_fail(__FILE__, __LINE__, "%s == %s (\"%s\" vs \"%s\")", #a, #b,       \
				  a_ ? a_ : "(null)", b_ ? b_ : "(null)");                         \
	} while (0)

/* Fail and leave the test function when COND is false (for preconditions). */
#define REQUIRE(cond)                                                                              \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			test_fail(__FILE__, __LINE__, "required: %s", #cond);                      \
			return;                                                                    \
		}                                                                                  \
	} while (0)

#endif
