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

/* PREFIX and the message, newline-ended, in one write. */
static void to_stderr(const char *prefix, const char *msg)
{
	char line[2048];
	int n;

	n = snprintf(line, sizeof(line), "%s%s\n", prefix, msg);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	/* Nothing to do if it fails: there is nowhere else to say it. */
	if (write(STDERR_FILENO, line, (size_t)n) < 0)
		return;
}

__attribute__((format(printf, 3, 0)))
static void emit(int level, bool ours, const char *fmt, va_list ap)
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
	if ((to & LOG_TO_STDERR) ||
	    ((to & LOG_TO_STDERR_WARN) && level <= LOG_WARNING)) {
		if (!ours)
			to_stderr("", msg);
		else
			to_stderr(level == LOG_WARNING ? "pshmfs: warning: " :
							 "pshmfs: ",
				  msg);
	}
	if (to & LOG_TO_SYSLOG)
		syslog(level, "%s", msg);
	errno = saved;
}

void log_vmsg(int level, const char *fmt, va_list ap)
{
	emit(level, true, fmt, ap);
}

void log_msg(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(level, true, fmt, ap);
	va_end(ap);
}

void log_vraw(int level, const char *fmt, va_list ap)
{
	emit(level, false, fmt, ap);
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
