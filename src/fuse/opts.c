/** @file
 * pshmfs's mount options: parsed with fuse_opt, checked, documented.
 */
#include "config.h"

#define FUSE_USE_VERSION 314
#include <fuse_opt.h>

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include "names.h"
#include "opts.h"
#include "sizes.h"

#define OPTION(t, p) { t, offsetof(struct pshmfs_opts, p), 1 }

static const struct fuse_opt opt_table[] = {
	OPTION("prefix=%s", prefix),
	OPTION("--prefix=%s", prefix),
	OPTION("delim=%s", delim_s),
	OPTION("mode=%s", mode),
	OPTION("uid=%u", uid),
	OPTION("uid=", uid_set),
	OPTION("gid=%u", gid),
	OPTION("gid=", gid_set),
	OPTION("direct_io", direct_io),
	OPTION("--direct-io", direct_io),
	OPTION("passthrough=%s", passthrough_s),
	OPTION("attr_timeout=%lf", attr_timeout),
	OPTION("entry_timeout=%lf", entry_timeout),
	OPTION("size=%s", size),
	OPTION("nr_inodes=%s", nr_inodes),
	OPTION("spin=%s", spin),
	FUSE_OPT_END
};

void opts_help(FILE *f)
{
	fprintf(f,
		"pshmfs options:\n"
		"    -o prefix=P            objects whose names begin with /P (default: all)\n"
		"    -o delim=C             the byte that folds names into directories,\n"
		"                           a:b is the file b in a (default: ':');\n"
		"                           delim= for a flat namespace\n"
		"    -o mode=M              the root directory's mode, octal (default: 1777)\n"
		"    -o uid=N               the root directory's owner (default: who mounts)\n"
		"    -o gid=N               the root directory's group (default: who mounts)\n"
		"    -o direct_io           every read and write goes to the object\n"
		"    -o passthrough=auto|on|off\n"
		"                           the kernel reads, writes and maps open\n"
		"                           files' objects itself (default: auto,\n"
		"                           where it can; on: refuse to mount if not)\n"
		"    -o attr_timeout=S      cache attributes for S seconds, dropped at\n"
		"                           once when another program changes them\n"
		"                           (default: 1; 0: ask the object every time)\n"
		"    -o entry_timeout=S     cache names for S seconds, the same way\n"
		"                           (default: 1)\n"
		"    -o size=N[k|m|g|t|%%]   the mount's own capacity in allocated bytes,\n"
		"                           as tmpfs's size= (default: 0, the tmpfs's)\n"
		"    -o nr_inodes=N[k|m|g]  the most objects under the prefix (default: 0,\n"
		"                           no limit of our own)\n"
		"    -o spin=US             how long the waiting thread polls for the\n"
		"                           next request before it sleeps, in\n"
		"                           microseconds, 0 to %d (default: %d)\n",
		SPIN_MAX_US, SPIN_DEFAULT_US);
}

static int parse_passthrough(const char *s, int *mode)
{
	static const char *const names[] = { [PASSTHROUGH_AUTO] = "auto",
					     [PASSTHROUGH_ON] = "on",
					     [PASSTHROUGH_OFF] = "off" };

	for (int i = 0; i < 3; i++)
		if (strcmp(s, names[i]) == 0) {
			*mode = i;
			return 0;
		}
	return -1;
}

/* What "size=N%" is a share of, as for tmpfs. */
static uint64_t ram_bytes(void)
{
	struct sysinfo si;

	if (sysinfo(&si))
		return 0;
	return (uint64_t)si.totalram * si.mem_unit;
}

/* A whole number of microseconds, 0 to SPIN_MAX_US. */
static int parse_spin(const char *s, long *us)
{
	char *end;

	errno = 0;
	*us = strtol(s, &end, 10);
	return errno || end == s || *end || *us < 0 || *us > SPIN_MAX_US;
}

static int fail(const char *what, const char *value, int err)
{
	fprintf(stderr, "pshmfs: bad %s '%s': %s\n", what, value, strerror(err));
	return -1;
}

int opts_parse(struct fuse_args *args, struct pshmfs_opts *o)
{
	int err;

	memset(o, 0, sizeof(*o));
	o->attr_timeout = DEFAULT_CACHE_TIMEOUT;
	o->spin_us = SPIN_DEFAULT_US;
	o->entry_timeout = DEFAULT_CACHE_TIMEOUT;
	if (fuse_opt_parse(args, o, opt_table, NULL) == -1)
		return -1;
	if (!o->prefix && !(o->prefix = strdup("")))
		return -1;
	err = names_check_prefix(o->prefix);
	if (err)
		return fail("prefix", o->prefix, err);
	if (!o->delim_s)
		o->delim = ':';
	else if (strlen(o->delim_s) > 1 || o->delim_s[0] == '/')
		return fail("delim", o->delim_s, EINVAL);
	else
		o->delim = o->delim_s[0];
	o->root_mode = 01777;
	if (o->mode && parse_mode(o->mode, &o->root_mode))
		return fail("mode", o->mode, EINVAL);
	if (!o->uid_set)
		o->uid = getuid();
	if (!o->gid_set)
		o->gid = getgid();
	if (o->size && parse_size(o->size, ram_bytes(), &o->max_bytes))
		return fail("size", o->size, EINVAL);
	if (o->nr_inodes && parse_size(o->nr_inodes, 0, &o->max_objects))
		return fail("nr_inodes", o->nr_inodes, EINVAL);
	if (o->passthrough_s &&
	    parse_passthrough(o->passthrough_s, &o->passthrough))
		return fail("passthrough", o->passthrough_s, EINVAL);
	if (o->spin && parse_spin(o->spin, &o->spin_us))
		return fail("spin", o->spin, EINVAL);
	if (o->attr_timeout < 0 || o->entry_timeout < 0) {
		fprintf(stderr, "pshmfs: bad %s: negative: %s\n",
			o->attr_timeout < 0 ? "attr_timeout" : "entry_timeout",
			strerror(EINVAL));
		return -1;
	}
	return 0;
}

void opts_free(struct pshmfs_opts *o)
{
	free(o->prefix);
	free(o->delim_s);
	free(o->mode);
	free(o->size);
	free(o->nr_inodes);
	free(o->spin);
	free(o->passthrough_s);
}
