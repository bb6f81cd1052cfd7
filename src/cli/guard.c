/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * The SIGBUS guard of pshm's copies into mappings. Another process may
 * shrink an object while "pshm write" stores into a mapping of it; the
 * store past the new end raises SIGBUS. The handler jumps back out of the
 * copy, which then fails with EIO, instead of the command dying. Only pshm
 * stores into mappings (the daemon writes with pwrite), so the guard is
 * pshm's own.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <string.h>

#include "pshm.h"

/* Where a guarded copy jumps when another process shrank the object.
 * volatile: memcpy does not read it, so the store before the copy would
 * otherwise be dead to the compiler, and dropped. */
static sigjmp_buf *volatile copy_jump;

static void on_sigbus(int sig, siginfo_t *si, void *ctx)
{
	(void)si;
	(void)ctx;
	if (copy_jump)
		siglongjmp(*copy_jump, 1);
	/* Not ours: die as we would have without the handler. */
	signal(sig, SIG_DFL);
	raise(sig);
}

int guard_init(void)
{
	struct sigaction sa = { .sa_sigaction = on_sigbus };

	/* SA_NODEFER: we leave the handler by siglongjmp without restoring
	 * the signal mask, so SIGBUS must not stay blocked. */
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	return sigaction(SIGBUS, &sa, NULL) ? errno : 0;
}

int guard_copy_in(void *dst, const void *src, size_t n)
{
	sigjmp_buf jb;

	if (sigsetjmp(jb, 0)) {
		copy_jump = NULL;
		return EIO;
	}
	copy_jump = &jb;
	memcpy(dst, src, n);
	copy_jump = NULL;
	return 0;
}
