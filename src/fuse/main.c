/** @file
 * pshmfs: mount a directory whose files are POSIX shared-memory objects.
 * main() parses the command line, opens the shm directory, mounts, and
 * serves requests (loop.c).
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "guard.h"
#include "journal.h"
#include "loop.h"
#include "shmobj.h"
#include "ops.h"
#include "passthrough.h"
#include "pshmfs.h"
#include "shared_ops.h"

static void usage(const char *prog)
{
	printf("usage: %s [options] [source] <mountpoint>\n\n", prog);
	printf("Mount a directory whose files are the POSIX shared-memory objects\n"
	       "of " SHM_DIR ": the file NAME is the object /PREFIXNAME.\n\n");
	opts_help(stdout);
	printf("\n");
	fuse_cmdline_help();
	fuse_lowlevel_help();
}

/* mount -t fuse.pshmfs SOURCE DIR (and fstab) runs "pshmfs SOURCE DIR":
 * with two arguments, the first is the source, shown by mount and df. */
struct nonopts {
	char *args[3];
	int n;
};

static int collect_nonopt(void *data, const char *arg, int key,
			  struct fuse_args *outargs)
{
	struct nonopts *no = data;

	(void)outargs;
	if (key != FUSE_OPT_KEY_NONOPT)
		return 1;
	if (no->n < 3)
		no->args[no->n] = strdup(arg);
	no->n++;
	return 0;
}

/* Take the source out of ARGS and name the file system after it. */
static int take_source(struct fuse_args *args)
{
	struct nonopts no = { .n = 0 };
	char *opt = NULL;
	int ret = 0;

	if (fuse_opt_parse(args, &no, NULL, collect_nonopt) == -1)
		return -1;
	if (no.n > 2) {
		fprintf(stderr, "pshmfs: too many arguments: '%s'\n", no.args[2]);
		ret = -1;
	} else if (no.n == 2) {
		if (asprintf(&opt, "-ofsname=%s", no.args[0]) < 0 ||
		    fuse_opt_add_arg(args, opt))
			ret = -1;
	}
	if (!ret && no.n && fuse_opt_add_arg(args, no.args[no.n - 1]))
		ret = -1;
	for (int i = 0; i < no.n && i < 3; i++)
		free(no.args[i]);
	free(opt);
	return ret;
}

static int note_subtype(void *data, const char *arg, int key,
			struct fuse_args *outargs)
{
	(void)arg;
	(void)outargs;
	if (key == 0)
		*(int *)data = 1;
	return 1;
}

/* Did the user name a subtype? libfuse's nodefault_subtype cannot tell:
 * it is set by fsname= too, which mount -t passes with the source. */
static int has_subtype(struct fuse_args *args)
{
	static const struct fuse_opt subtype_opt[] = {
		FUSE_OPT_KEY("subtype=", 0),
		FUSE_OPT_END
	};
	int found = 0;

	if (fuse_opt_parse(args, &found, subtype_opt, note_subtype) == -1)
		return -1;
	return found;
}

/* In the background, messages go to syslog, as a daemon's do. */
__attribute__((format(printf, 2, 0)))
static void log_syslog(enum fuse_log_level level, const char *fmt, va_list ap)
{
	vsyslog((int)level, fmt, ap);
}

static void log_to_syslog(void)
{
	openlog("pshmfs", LOG_PID, LOG_DAEMON);
	fuse_set_log_func(log_syslog);
}

/* Does directory DIR (a real path) hold PATH (one too), or is it PATH? */
static bool holds(const char *dir, const char *path)
{
	size_t len = strlen(dir);

	return strcmp(dir, "/") == 0 ||
	       (strncmp(path, dir, len) == 0 &&
		(path[len] == '\0' || path[len] == '/'));
}

/* The root is a directory: so must the mountpoint be (FUSE would mount on
 * a file, and every access would fail). A missing one is libfuse's to
 * report. Nor may it be the shm directory or hold it: the daemon's own
 * inotify watch and every object it opens would land on the mount, which
 * no thread serves yet, and every shm user on the machine would hang. */
static int check_mountpoint(const char *path)
{
	char *mnt = realpath(path, NULL), *shm = realpath(SHM_DIR, NULL);
	struct stat st;
	int ret = 0;

	if (stat(path, &st) == 0 && !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "pshmfs: %s: %s\n", path, strerror(ENOTDIR));
		ret = -1;
	} else if (mnt && shm && holds(mnt, shm)) {
		fprintf(stderr, "pshmfs: %s: cannot mount over or above the shm "
			"directory %s\n", path, shm);
		ret = -1;
	}
	free(mnt);
	free(shm);
	return ret;
}

/* Open files each hold a descriptor: allow as many as we may. */
static void raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* A directory rename cut short by a crash: finished (or undone) before
 * the core reads the tree. */
static void recover_renames(const struct pshmfs *fs)
{
	int dirfd = shmdir_open(SHM_DIR), err;

	if (dirfd < 0)
		return; /* core_open() says why */
	err = journal_recover(dirfd, fs->o.prefix, fs->o.delim, stderr);
	if (err < 0)
		fprintf(stderr, "pshmfs: %s: %s\n", SHM_DIR, strerror(-err));
	close(dirfd);
}

static int fs_open(struct pshmfs *fs, const struct fuse_cmdline_opts *c)
{
	const struct core_cfg cfg = {
		.prefix = fs->o.prefix,
		.delim = fs->o.delim,
		.root_mode = fs->o.root_mode,
		.uid = fs->o.uid,
		.gid = fs->o.gid,
		.max_bytes = fs->o.max_bytes,
		.max_objects = fs->o.max_objects,
		.entry_timeout = fs->o.entry_timeout,
	};
	bool caching = fs->o.attr_timeout > 0 || fs->o.entry_timeout > 0;
	int err;

	fs->debug = c->debug;
	recover_renames(fs);
	err = core_open(&fs->core, &cfg, SHM_DIR, caching);
	if (!err)
		err = watch_init(fs);
	if (err) {
		fprintf(stderr, "pshmfs: %s: %s\n", SHM_DIR, strerror(err));
		return -1;
	}
	raise_nofile();
	return 0;
}

/* Without a guard (no root, fusectl not mounted), a daemon killed while a
 * notify waits in the kernel leaves the mount stuck until root aborts it. */
static void start_guard(struct guard *g, const struct fuse_cmdline_opts *c)
{
	int err = guard_start(g, c->mountpoint, !c->foreground);

	if (err && c->debug)
		fuse_log(FUSE_LOG_DEBUG, "pshmfs: no guard: %s\n", strerror(err));
}

/* loop_run's last words, while requests are still answered: lock waits
 * end (issue 16: their threads must be joined), then the inotify thread. */
static void before_stop(void *arg)
{
	locks_stop();
	watch_stop(arg);
}

/* Our loop (loop.c), which stops the inotify thread while requests are
 * still answered; libfuse's own for -s and for -o clone_fd (which needs
 * libfuse's private per-thread channels), with libfuse's signal handlers
 * and no inotify thread. */
static int serve(struct pshmfs *fs, struct fuse_session *se,
		 const struct fuse_cmdline_opts *c)
{
	struct fuse_loop_config *cfg;
	int ret;

	if (c->singlethread)
		return fuse_session_loop(se);
	if (!c->clone_fd)
		return loop_run(se, c->max_threads, fs->o.spin_us, before_stop, fs);
	cfg = fuse_loop_cfg_create();
	if (!cfg)
		return -1;
	fuse_loop_cfg_set_clone_fd(cfg, c->clone_fd);
	fuse_loop_cfg_set_max_threads(cfg, c->max_threads);
	ret = fuse_session_loop_mt(se, cfg);
	fuse_loop_cfg_destroy(cfg);
	return ret;
}

int main(int argc, char *argv[])
{
	struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
	struct fuse_cmdline_opts c = { 0 };
	struct fuse_session *se = NULL;
	struct pshmfs fs = { .core.dirfd = -1, .watch_stop_fd = -1 };
	struct guard guard = { 0 };
	int ret = 1, err;

	if (guard_called(argc, argv))
		return guard_main(argc, argv);

	/* issue 16: pshmfs ... -o remount,... hands the options over. */
	ret = remount_main(argc, argv);
	if (ret >= 0)
		return ret;
	ret = 1;
	if (take_source(&args) || fuse_parse_cmdline(&args, &c) != 0)
		goto out_args;
	if (c.show_help) {
		usage(argv[0]);
		ret = 0;
		goto out_args;
	}
	if (c.show_version) {
		printf("pshmfs %s\nlibfuse %s\n", PACKAGE_VERSION,
		       fuse_pkgversion());
		fflush(stdout);
		fuse_lowlevel_version();
		ret = 0;
		goto out_args;
	}
	if (!c.mountpoint) {
		fprintf(stderr, "pshmfs: no mountpoint\n"
			"usage: %s [options] [source] <mountpoint>\n", argv[0]);
		goto out_args;
	}
	if (opts_parse(&args, &fs.o) == -1 || check_mountpoint(c.mountpoint) ||
	    passthrough_check(&fs.o))
		goto out_opts;
	/* libfuse's loops (-s, clone_fd) stop answering before we could stop
	 * the inotify thread, which may then wait in the kernel for ever:
	 * they run without the caches it keeps coherent. */
	if (c.singlethread || c.clone_fd)
		fs.o.attr_timeout = fs.o.entry_timeout = 0;
	/* Permission checks are the kernel's, on the objects' own modes. */
	if (fuse_opt_add_arg(&args, "-odefault_permissions") ||
	    (has_subtype(&args) == 0 &&
	     fuse_opt_add_arg(&args, "-osubtype=pshmfs")) ||
	    fs_open(&fs, &c))
		goto out_fs;
	se = fuse_session_new(&args, &pshmfs_ops, sizeof(pshmfs_ops), &fs);
	if (!se)
		goto out_fs;
	if (fuse_set_signal_handlers(se) != 0)
		goto out_session;
	if (fuse_session_mount(se, c.mountpoint) != 0)
		goto out_signals;
	fs.mountpoint = c.mountpoint;
	fs.se = se;
	if (passthrough_start(se))
		goto out_unmount;
	fuse_daemonize(c.foreground);
	if (!c.foreground)
		log_to_syslog();
	passthrough_announce();
	/* After fuse_daemonize, before any thread: see guard.h. */
	start_guard(&guard, &c);
	/* After fuse_daemonize: a thread would not survive its fork. */
	err = watch_start(&fs);
	if (err) {
		fuse_log(FUSE_LOG_ERR, "pshmfs: inotify: %s\n", strerror(err));
		goto out_unmount;
	}
	err = remount_listen(&fs); /* issue 16: mount -o remount */
	if (err)
		fuse_log(FUSE_LOG_NOTICE, "pshmfs: no remount channel: %s\n",
			 strerror(err));
	ret = serve(&fs, se, &c) ? 1 : 0;
	remount_stop(&fs);
	watch_stop(&fs); /* if serve() has not: no thread */
out_unmount:
	guard_stop(&guard); /* it goes first: the unmount is ours */
	fuse_session_unmount(se);
out_signals:
	fuse_remove_signal_handlers(se);
out_session:
	fuse_session_destroy(se);
out_fs:
	watch_stop(&fs); /* the queue, if the thread never ran */
	core_close(&fs.core);
out_opts:
	opts_free(&fs.o);
out_args:
	free(c.mountpoint);
	fuse_opt_free_args(&args);
	return ret;
}
