/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * A tiny TAP producer for C unit tests: plan(), ok(), is_int(), is_str(),
 * diag(), skip_all(), done(); or tap_start() ... done_testing(), which
 * prints the plan last. Header-only so each test is one file.
 */
#ifndef PSHMFS_TAP_H
#define PSHMFS_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_n, tap_failed;

static inline void plan(int n)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("1..%d\n", n);
}

__attribute__((format(printf, 1, 2)))
static inline void diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("# ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
}

__attribute__((format(printf, 2, 3)))
static inline int ok(int cond, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("%sok %d - ", cond ? "" : "not ", ++tap_n);
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	if (!cond)
		tap_failed++;
	return cond;
}

#define is_int(got, want, ...)                                              \
	do {                                                                \
		long long g_ = (got), w_ = (want);                          \
		if (!ok(g_ == w_, __VA_ARGS__))                             \
			diag("  got %lld, want %lld", g_, w_);              \
	} while (0)

#define is_str(got, want, ...)                                              \
	do {                                                                \
		const char *g_ = (got), *w_ = (want);                       \
		if (!ok(g_ && w_ ? strcmp(g_, w_) == 0 : g_ == w_,          \
			__VA_ARGS__))                                       \
			diag("  got '%s', want '%s'", g_ ? g_ : "(null)",    \
			     w_ ? w_ : "(null)");                           \
	} while (0)

static inline void skip_all(const char *why)
{
	printf("1..0 # SKIP %s\n", why);
	exit(0);
}

/* For tests whose count comes from tables: line-buffer now, and print
 * the plan at the end with done_testing(). */
static inline void tap_start(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
}

/* Exit status 0 even on failures: the TAP driver counts them. */
static inline int done(void)
{
	return tap_failed ? 1 : 0;
}

static inline int done_testing(void)
{
	printf("1..%d\n", tap_n);
	return done();
}

#endif
