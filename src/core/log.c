/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * Messages of the daemon, with levels, to standard error and syslog.
 *
 * Every message is formatted once into a buffer, then written whole: one
 * write(2) to standard error (lines of several threads do not mix) and one
 * syslog(3) record. A daemon's standard error is /dev/null once it serves,
 * so what must be seen in the background goes to syslog.
 */
#include "config.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "log.h"

static atomic_int max_level = LOG_DEFAULT_LEVEL;
static atomic_uint dest = LOG_TO_STDERR;

static const struct {
	const char *name;
	int level;
} level_names[] = {
	{ "emerg", LOG_EMERG },     { "alert", LOG_ALERT },
	{ "crit", LOG_CRIT },       { "err", LOG_ERR },
	{ "warning", LOG_WARNING }, { "notice", LOG_NOTICE },
	{ "info", LOG_INFO },       { "debug", LOG_DEBUG },
};

int log_parse_level(const char *name, int *level)
{
	for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]);
	     i++) {
		if (strcmp(name, level_names[i].name) == 0) {
			*level = level_names[i].level;
			return 0;
		}
	}
	return EINVAL;
}

void log_set_dest(unsigned to)
{
	if ((to & LOG_TO_SYSLOG) && !(atomic_load(&dest) & LOG_TO_SYSLOG))
		openlog("pshmfs", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	atomic_store(&dest, to);
}

void log_setup(int level, unsigned to)
{
	atomic_store(&max_level, level);
	log_set_dest(to);
}

bool log_wants(int level)
{
	return level <= atomic_load(&max_level);
}

/* One write, so that lines of several threads do not mix. Nothing to do
 * if it fails: there is nowhere else to say it. */
static void put(const char *s, size_t n)
{
	if (write(STDERR_FILENO, s, n) < 0)
		return;
}

/* PREFIX and the message, newline-ended. */
static void to_stderr(const char *prefix, const char *msg)
{
	char line[2048];
	int n;

	n = snprintf(line, sizeof(line), "%s%s\n", prefix, msg);
	if (n < 0)
		return;
	put(line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

static bool to_terminal(unsigned to, int level)
{
	return (to & LOG_TO_STDERR) ||
	       ((to & LOG_TO_STDERR_WARN) && level <= LOG_WARNING);
}

/* MSG without its trailing newlines, one record. */
static void to_syslog(int level, char *msg)
{
	size_t len = strlen(msg);

	while (len && msg[len - 1] == '\n')
		msg[--len] = '\0';
	syslog(level, "%s", msg);
}

void log_vmsg(int level, const char *fmt, va_list ap)
{
	unsigned to = atomic_load(&dest);
	int saved = errno; /* for a caller's %m, and to leave it as it was */
	char msg[1024];
	size_t len;

	if (!log_wants(level))
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	len = strlen(msg);
	while (len && msg[len - 1] == '\n')
		msg[--len] = '\0';
	if (to_terminal(to, level))
		to_stderr(level == LOG_WARNING ? "pshmfs: warning: " : "pshmfs: ",
			  msg);
	if (to & LOG_TO_SYSLOG)
		to_syslog(level, msg);
	errno = saved;
}

void log_msg(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
}

/* libfuse writes some lines in pieces ("fuse: unknown option(s): `",
 * "-o bogus", "'\n"): standard error gets each piece as it comes, syslog
 * one record per line, gathered per thread. */
void log_vraw(int level, const char *fmt, va_list ap)
{
	static _Thread_local char line[1024];
	unsigned to = atomic_load(&dest);
	int saved = errno;
	size_t len = strlen(line);

	if (!log_wants(level))
		return;
	vsnprintf(line + len, sizeof(line) - len, fmt, ap);
	if (to_terminal(to, level))
		put(line + len, strlen(line + len));
	len = strlen(line);
	if (len && (line[len - 1] == '\n' || len == sizeof(line) - 1)) {
		if (to & LOG_TO_SYSLOG)
			to_syslog(level, line);
		line[0] = '\0';
	}
	errno = saved;
}

void log_limited(struct log_limit *l, int level, const char *fmt, ...)
{
	struct timespec now;
	unsigned long missed = 0;
	bool say = false;
	char msg[1024];
	va_list ap;

	if (!log_wants(level))
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	pthread_mutex_lock(&l->lock);
	if (!l->said || now.tv_sec - l->last.tv_sec >= LOG_LIMIT_SECONDS) {
		say = true;
		missed = l->missed;
		l->missed = 0;
		l->last = now;
		l->said = true;
	} else {
		l->missed++;
	}
	pthread_mutex_unlock(&l->lock);
	if (!say)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (missed)
		log_msg(level, "%s (%lu more since the last such message)",
			msg, missed);
	else
		log_msg(level, "%s", msg);
}
