/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * Unit tests of the daemon's messages (src/core/log.c): level names, what
 * standard error gets at each level and destination, and the rate limit.
 * Standard error is a pipe the test reads back.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <unistd.h>

#include "log.h"
#include "tap.h"

static int rd; /* the read end of what was standard error */

/* Everything written to standard error since the last call. */
static const char *said(void)
{
	static char buf[4096];
	ssize_t n = read(rd, buf, sizeof(buf) - 1);

	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static void levels(void)
{
	static const char *const names[] = { "emerg", "alert", "crit",
					     "err", "warning", "notice",
					     "info", "debug" };
	int level;

	for (int i = 0; i < 8; i++)
		ok(log_parse_level(names[i], &level) == 0 && level == i,
		   "loglevel=%s is syslog's level %d", names[i], i);
	level = -1;
	is_int(log_parse_level("warn", &level), EINVAL, "loglevel=warn: EINVAL");
	is_int(log_parse_level("", &level), EINVAL, "loglevel= (empty): EINVAL");
	is_int(log_parse_level("INFO", &level), EINVAL, "loglevel=INFO: EINVAL");
	is_int(level, -1, "a refused name leaves the level alone");
}

static void to_stderr(void)
{
	log_setup(LOG_INFO, LOG_TO_STDERR);
	log_info("mounted %s", "/mnt/x");
	is_str(said(), "pshmfs: mounted /mnt/x\n", "info at info: 'pshmfs: MESSAGE'");
	log_warn("few %d", 8);
	is_str(said(), "pshmfs: warning: few 8\n", "a warning: 'pshmfs: warning: MESSAGE'");
	log_err("x\n\n");
	is_str(said(), "pshmfs: x\n", "trailing newlines: one");
	log_debug("trace");
	is_str(said(), "", "debug at info: nothing");
	ok(log_wants(LOG_INFO) && !log_wants(LOG_DEBUG), "log_wants: info, not debug");
	log_setup(LOG_ERR, LOG_TO_STDERR);
	log_warn("w");
	is_str(said(), "", "a warning at loglevel=err: nothing");
	log_setup(LOG_DEBUG, LOG_TO_STDERR_WARN);
	log_info("i");
	log_warn("w");
	log_err("e");
	is_str(said(), "pshmfs: warning: w\npshmfs: e\n",
	       "errors and warnings only (a daemon before it serves)");
	log_setup(LOG_DEBUG, LOG_TO_STDERR);
	errno = EBADF;
	log_debug("%m");
	is_str(said(), "pshmfs: Bad file descriptor\n", "%%m is the caller's errno");
	is_int(errno, EBADF, "errno is left as it was");
}

__attribute__((format(printf, 2, 3)))
static void raw_msg(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vraw(level, fmt, ap);
	va_end(ap);
}

/* libfuse's messages, through log_vraw: as libfuse wrote them. */
static void raw(void)
{
	log_setup(LOG_WARNING, LOG_TO_STDERR);
	raw_msg(LOG_ERR, "fuse: bad mount point `%s'\n", "/x");
	is_str(said(), "fuse: bad mount point `/x'\n", "libfuse's message: unchanged");
	raw_msg(LOG_NOTICE, "fuse: %s\n", "n");
	is_str(said(), "", "libfuse's notice at warning: nothing");
	raw_msg(LOG_ERR, "fuse: unknown option(s): `");
	raw_msg(LOG_ERR, "-o %s", "bogus");
	raw_msg(LOG_ERR, "'\n");
	is_str(said(), "fuse: unknown option(s): `-o bogus'\n",
	       "a line libfuse writes in pieces: one line, unchanged");
}

static void limited(void)
{
	struct log_limit l = LOG_LIMIT_INIT;

	log_setup(LOG_INFO, LOG_TO_STDERR);
	log_limited(&l, LOG_INFO, "full %d", 1);
	is_str(said(), "pshmfs: full 1\n", "a limited message: the first is said");
	log_limited(&l, LOG_INFO, "full %d", 2);
	log_limited(&l, LOG_INFO, "full %d", 3);
	is_str(said(), "", "the next ones within the interval are not");
	l.last.tv_sec -= LOG_LIMIT_SECONDS;
	log_limited(&l, LOG_INFO, "full %d", 4);
	is_str(said(), "pshmfs: full 4 (2 more since the last such message)\n",
	       "after the interval: said, with the count of those not said");
	log_limited(&l, LOG_INFO, "full %d", 5);
	is_str(said(), "", "and the interval starts again");
	log_setup(LOG_WARNING, LOG_TO_STDERR);
	log_limited(&l, LOG_INFO, "full %d", 6);
	l.last.tv_sec -= LOG_LIMIT_SECONDS;
	log_setup(LOG_INFO, LOG_TO_STDERR);
	log_limited(&l, LOG_INFO, "full %d", 7);
	is_str(said(), "pshmfs: full 7 (1 more since the last such message)\n",
	       "5 is counted as unsaid, 6 (below the level) is not");
}

int main(void)
{
	int p[2];

	plan(29);
	if (pipe2(p, O_NONBLOCK) || dup2(p[1], STDERR_FILENO) < 0) {
		printf("Bail out! pipe: %s\n", strerror(errno));
		return 1;
	}
	rd = p[0];
	levels();
	to_stderr();
	raw();
	limited();
	return done();
}
