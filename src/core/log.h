/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * The daemon's one way to say something: a message with a syslog level
 * (LOG_ERR ... LOG_DEBUG), kept if the level is within -o loglevel=, and
 * written to standard error (in the foreground, and in the background
 * until the daemon serves: errors and warnings only) and to syslog (in the
 * background). libfuse's own messages come here too (main.c installs the
 * adapter). Free of FUSE.
 */
#ifndef PSHMFS_LOG_H
#define PSHMFS_LOG_H

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <syslog.h>
#include <time.h>

/* Where messages go: any of these. */
#define LOG_TO_STDERR 1u /* every kept message */
#define LOG_TO_SYSLOG 2u /* every kept message, facility LOG_DAEMON */
#define LOG_TO_STDERR_WARN 4u /* errors and warnings only (the background,
			       * until the daemon serves) */

/* The default, in the foreground and in the background: errors,
 * warnings and notices (once per mount: the data path, passthrough or
 * copy); info (mount, unmount, limits hit) and debug are asked for. */
#define LOG_DEFAULT_LEVEL LOG_NOTICE

/* "err", "warning", "notice", "info", "debug" (and "emerg", "alert",
 * "crit"), as syslog names them: 0 and *LEVEL set, or EINVAL. */
int log_parse_level(const char *name, int *level);

/* Keep messages up to LEVEL; send them to DEST (LOG_TO_*). Opens syslog
 * (tag "pshmfs", with the pid) when DEST asks for it. */
void log_setup(int level, unsigned dest);

/* The same, the level kept. */
void log_set_dest(unsigned dest);

/* Would a message of LEVEL be kept? */
bool log_wants(int level);

__attribute__((format(printf, 2, 0)))
void log_vmsg(int level, const char *fmt, va_list ap);

/* FMT needs no "pshmfs: " and no newline: standard error gets
 * "pshmfs: MESSAGE\n" ("pshmfs: warning: MESSAGE\n" for a warning),
 * syslog "MESSAGE". */
__attribute__((format(printf, 2, 3)))
void log_msg(int level, const char *fmt, ...);

/* Another library's message, FMT as it wrote it (its own "fuse: " prefix
 * and newline): unchanged on standard error. */
__attribute__((format(printf, 2, 0)))
void log_vraw(int level, const char *fmt, va_list ap);

#define log_err(...) log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARNING, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

/* A message that may repeat at every request (a limit hit): said at most
 * once per LOG_LIMIT_SECONDS, with how many were left unsaid since. */
#define LOG_LIMIT_SECONDS 10
struct log_limit {
	pthread_mutex_t lock;
	struct timespec last;
	bool said;
	unsigned long missed;
};
#define LOG_LIMIT_INIT { PTHREAD_MUTEX_INITIALIZER, { 0, 0 }, false, 0 }

__attribute__((format(printf, 3, 4)))
void log_limited(struct log_limit *l, int level, const char *fmt, ...);

#endif
