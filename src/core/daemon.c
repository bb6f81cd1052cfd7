/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * The background daemon and its parent: a pipe carries one byte, "ready",
 * from the daemon to the parent, which waits for it and exits 0; when the
 * pipe closes without it, the daemon has ended, and the parent exits with
 * the daemon's status (1 if that was 0 or a signal). The daemon's own
 * message has already said why, on the standard error it still shared.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon.h"
#include "log.h"

static atomic_int ready_fd = -1;
/* The mount served before daemon_detach() (passthrough.c answers the
 * kernel's INIT itself, before the fork): the child says so at once. */
static atomic_bool served;
/* /dev/null, opened before the fork: once the daemon serves there may be
 * no descriptor left to open it, and a standard error left open would
 * keep whoever reads it (a $(...) in a script) waiting for ever. */
static int null_fd = -1;

/* The parent: wait for the byte or for the daemon's end. A signal that
 * would end the command (^C) ends the wait; the daemon goes on. */
_Noreturn static void wait_for_daemon(pid_t pid, int fd)
{
	static const int sigs[] = { SIGHUP, SIGINT, SIGTERM };
	char c;
	ssize_t n;
	int st;

	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		signal(sigs[i], SIG_DFL);
	do
		n = read(fd, &c, 1);
	while (n < 0 && errno == EINTR);
	if (n == 1)
		_exit(0);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (WIFSIGNALED(st))
		log_err("the daemon was killed by signal %d (%s)",
			WTERMSIG(st), strsignal(WTERMSIG(st)));
	_exit(WIFEXITED(st) && WEXITSTATUS(st) ? WEXITSTATUS(st) : 1);
}

int daemon_detach(void)
{
	int p[2] = { -1, -1 }, err;
	pid_t pid;

	null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null_fd < 0 || pipe2(p, O_CLOEXEC) < 0)
		goto out_err;
	pid = fork();
	if (pid < 0)
		goto out_err;
	if (pid > 0) {
		close(p[1]);
		wait_for_daemon(pid, p[0]);
	}
	close(p[0]);
	setsid();
	if (chdir("/") < 0)
		log_warn("cannot change directory to /: %s", strerror(errno));
	log_set_dest(LOG_TO_SYSLOG | LOG_TO_STDERR_WARN);
	atomic_store(&ready_fd, p[1]);
	if (atomic_load(&served))
		daemon_ready();
	return 0;

out_err:
	err = errno;
	if (null_fd >= 0)
		close(null_fd);
	if (p[0] >= 0) {
		close(p[0]);
		close(p[1]);
	}
	null_fd = -1;
	return -err;
}

/* Standard input, output and error on /dev/null. */
static void let_go_of_terminal(void)
{
	dup2(null_fd, STDIN_FILENO);
	dup2(null_fd, STDOUT_FILENO);
	dup2(null_fd, STDERR_FILENO);
	close(null_fd);
}

void daemon_forked(void)
{
	int fd = atomic_exchange(&ready_fd, -1);

	if (fd < 0)
		return;
	close(fd);
	log_set_dest(LOG_TO_SYSLOG);
	let_go_of_terminal();
}

void daemon_ready(void)
{
	static const char c = 'r';
	int fd;

	atomic_store(&served, true);
	fd = atomic_exchange(&ready_fd, -1);
	if (fd < 0)
		return;
	log_set_dest(LOG_TO_SYSLOG);
	let_go_of_terminal();
	while (write(fd, &c, 1) < 0 && errno == EINTR)
		;
	close(fd);
}
