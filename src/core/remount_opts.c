/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * The options of mount -o remount (remount_opts.h).
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "remount_opts.h"
#include "sizes.h"

/* What mount(8) (from the mount's current options) and mount.fuse3 add,
 * and what FUSE itself keeps: not ours to change. */
static const char *const passed_over[] = {
	"rw", "remount", "relatime", "noatime", "strictatime", "nodiratime",
	"atime", "diratime", "lazytime", "nolazytime", "dev", "nodev", "suid",
	"nosuid", "exec", "noexec", "sync", "async", "default_permissions",
	"allow_other", "allow_root", "auto", "noauto", "nofail", "_netdev",
	"user", "nouser", "users", "defaults", "owner", "group", NULL
};
static const char *const passed_over_values[] = {
	"user_id=", "group_id=", "max_read=", "blksize=", "fsname=",
	"subtype=", "rootmode=", "x-", NULL
};
/* pshmfs's own options that only a new mount can set. */
static const char *const fixed[] = {
	"prefix=", "delim=", "direct_io", "attr_timeout=", "entry_timeout=",
	"spin=", "passthrough=", NULL
};

static bool in(const char *const *list, const char *opt, bool prefix)
{
	for (; *list; list++)
		if (prefix ? strncmp(opt, *list, strlen(*list)) == 0
			   : strcmp(opt, *list) == 0)
			return true;
	return false;
}

static int refuse(char *msg, size_t len, const char *opt, const char *why)
{
	snprintf(msg, len, "%s: %s", opt, why);
	return EINVAL;
}

static int parse_id(const char *s, unsigned *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || v > 0xfffffffeUL)
		return EINVAL;
	*out = (unsigned)v;
	return 0;
}

/* One option OPT into L. */
static int parse_one(const char *opt, uint64_t ram, struct limits *l,
		     char *msg, size_t len)
{
	int err = 0;

	if (!*opt || in(passed_over, opt, false) ||
	    in(passed_over_values, opt, true))
		return 0;
	if (strcmp(opt, "ro") == 0)
		return refuse(msg, len, opt, "a mount cannot be made read-only "
				       "live; unmount and mount with -o ro");
	if (in(fixed, opt, true))
		return refuse(msg, len, opt, "only a new mount can set this");
	if (strncmp(opt, "size=", 5) == 0)
		err = parse_size(opt + 5, ram, &l->max_bytes);
	else if (strncmp(opt, "nr_inodes=", 10) == 0)
		err = parse_size(opt + 10, 0, &l->max_objects);
	else if (strncmp(opt, "mode=", 5) == 0)
		err = parse_mode(opt + 5, &l->mode);
	else if (strncmp(opt, "uid=", 4) == 0)
		err = parse_id(opt + 4, &l->uid);
	else if (strncmp(opt, "gid=", 4) == 0)
		err = parse_id(opt + 4, &l->gid);
	else
		return refuse(msg, len, opt, "unknown option");
	return err ? refuse(msg, len, opt, "bad value") : 0;
}

int remount_parse(const char *opts, uint64_t ram, struct limits *l, char *msg,
		  size_t len)
{
	char *copy = strdup(opts), *save = NULL, *opt;
	int err = copy ? 0 : ENOMEM;

	if (!copy)
		snprintf(msg, len, "%s", strerror(ENOMEM));
	for (opt = copy ? strtok_r(copy, ",", &save) : NULL; opt && !err;
	     opt = strtok_r(NULL, ",", &save))
		err = parse_one(opt, ram, l, msg, len);
	free(copy);
	return err;
}

int remount_check(const struct limits *l, uint64_t bytes, uint64_t objects,
		  char *msg, size_t len)
{
	if (l->max_bytes && bytes > l->max_bytes) {
		snprintf(msg, len, "size=%llu: too small for current use "
			 "(%llu bytes)", (unsigned long long)l->max_bytes,
			 (unsigned long long)bytes);
		return EINVAL;
	}
	if (l->max_objects && objects > l->max_objects) {
		snprintf(msg, len, "nr_inodes=%llu: too few for current use "
			 "(%llu objects)", (unsigned long long)l->max_objects,
			 (unsigned long long)objects);
		return EINVAL;
	}
	return 0;
}
