/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * pshm: the POSIX shared-memory API on the command line, with no mount.
 *
 * This file holds what every verb shares: the usage and help, messages in
 * the coreutils form, the checks of names, sizes and modes, option parsing,
 * and the table of verbs that main() dispatches on. The verbs themselves
 * are in verbs.c (by name) and ls.c (listings). See pshm.h.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "pshm.h"
#include "sizes.h"

static const char usage_text[] =
	"Usage: pshm create [-x] [-m MODE] [-s SIZE] NAME...\n"
	"       pshm write NAME [TEXT]\n"
	"       pshm read NAME\n"
	"       pshm unlink NAME...\n"
	"       pshm stat NAME...\n"
	"       pshm truncate SIZE NAME...\n"
	"       pshm chmod MODE NAME...\n"
	"       pshm ls [-o COLS] [-J] [-r] [-n] [-b] [-0] [PREFIX]\n"
	"       pshm who [-o COLS] [-J] [-r] [-n] NAME...\n"
	"       pshm --help | --version\n";

static const char help_text[] =
	"\n"
	"Create, fill, read, inspect and remove POSIX shared-memory objects\n"
	"through shm_open(3), with no mount. NAME may be given with or\n"
	"without its leading '/'. Verbs that take several names go on past\n"
	"a failure and exit 1 if any failed.\n"
	"\n"
	"  create    open each NAME read-write, creating it if it does not exist\n"
	"    -x        fail if NAME exists (O_EXCL)\n"
	"    -m MODE   exact octal mode of a new object (default 0600)\n"
	"    -s SIZE   set the size, whether created or not\n"
	"  write     replace the contents of NAME with TEXT or standard input\n"
	"  read      copy the whole object to standard output\n"
	"  unlink    remove each NAME (shm_unlink)\n"
	"  stat      print size, blocks, mode, owner, group and times\n"
	"  truncate  set the size of each NAME to SIZE (also: truncate NAME SIZE)\n"
	"  chmod     set the mode of each NAME to the octal MODE\n"
	"  ls        list the objects, or those whose names begin with PREFIX,\n"
	"            and those unlinked but still mapped or open\n"
	"    -o, --output COLS   columns, comma-separated; +COLS adds to the default\n"
	"    -J, --json          JSON output (sizes in bytes)\n"
	"    -r, --raw           raw output: no alignment, unsafe bytes as \\xHH\n"
	"    -n, --noheadings    no header line\n"
	"    -b, --bytes         sizes in bytes, not K, M, G, ...\n"
	"    -0, --null          names only, each ended by a NUL byte\n"
	"  who       the processes that map each NAME or hold it open\n"
	"    -o, -J, -r, -n      as for ls\n";

static const char help_tail[] =
	"\n"
	"SIZE reads as coreutils' truncate -s reads it: decimal bytes, with an\n"
	"optional K, M, G, T, P or E (powers of 1024, also KiB, MiB, ...) or KB,\n"
	"MB, GB, ... (powers of 1000). MODE is octal, at most 7777.\n"
	"\n"
	"Exit status: 0 on success, 1 on failure, 2 on a usage error.\n";

static void usage(FILE *f)
{
	fputs(usage_text, f);
}

static void help(void)
{
	usage(stdout);
	fputs(help_text, stdout);
	ls_help_columns(stdout);
	fputs(help_tail, stdout);
}

void usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("pshm: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	usage(stderr);
	exit(EXIT_USAGE);
}

int fail_name(const char *name, int err, const char *why)
{
	fprintf(stderr, "pshm: /%s: %s%s%s%s\n", name, strerror(err),
		why ? " (" : "", why ? why : "", why ? ")" : "");
	return 1;
}

int fail(const struct shmname *n, int err)
{
	return fail_name(n->path + 1, err, NULL);
}

const char *bare_name(const char *arg)
{
	return arg[0] == '/' ? arg + 1 : arg;
}

int name_get(const char *arg, struct shmname *n)
{
	const char *name = bare_name(arg), *why;
	int err = names_check_object(name, &why);

	if (err)
		return fail_name(name, err, why);
	n->path[0] = '/';
	strcpy(n->path + 1, name);
	return 0;
}

int size_get(const char *arg, off_t *out)
{
	uint64_t v;
	int err = sizes_parse_coreutils(arg, &v);

	if (err == EINVAL) {
		fprintf(stderr, "pshm: invalid size: '%s'\n", arg);
		return 1;
	}
	if (err) {
		/* As coreutils: "Value too large for defined data type". */
		fprintf(stderr, "pshm: invalid size: '%s': %s\n", arg,
			strerror(EOVERFLOW));
		return 1;
	}
	*out = (off_t)v;
	return 0;
}

int mode_get(const char *arg, mode_t *out)
{
	unsigned m;

	if (parse_mode(arg, &m)) {
		fprintf(stderr, "pshm: invalid mode: '%s'\n", arg);
		return 1;
	}
	*out = (mode_t)m;
	return 0;
}

static const struct option help_only[] = {
	HELP_OPTION,
	{ NULL, 0, NULL, 0 },
};

/* The usage error for the option getopt refused: MISSING, its argument
 * is missing; otherwise it is unknown, or takes no argument. */
__attribute__((noreturn))
static void bad_option(char **argv, bool missing)
{
	const char *arg = argv[optind - 1];
	bool lng = !strncmp(arg, "--", 2);

	if (missing && lng)
		usage_error("%s: option '%s' requires an argument", argv[0],
			    arg);
	if (missing)
		usage_error("%s: option requires an argument -- '%c'", argv[0],
			    optopt);
	if (lng && optopt && strchr(arg, '='))
		usage_error("%s: option '%.*s' doesn't allow an argument",
			    argv[0], (int)strcspn(arg, "="), arg);
	if (lng && !optopt)
		usage_error("%s: unrecognized option '%s'", argv[0], arg);
	usage_error("%s: invalid option -- '%c'", argv[0], optopt);
}

int next_opt(int argc, char **argv, const char *opts,
	     const struct option *longopts)
{
	char spec[32] = "+:";
	int c;

	/* "+" first in OPTS: options only before the operands (write's TEXT
	 * may begin with '-'). Otherwise as coreutils: options anywhere,
	 * "--" before a NAME that begins with '-'. */
	if (*opts == '+')
		opts++;
	else
		memmove(spec, spec + 1, sizeof(spec) - 1);
	strncat(spec, opts, sizeof(spec) - strlen(spec) - 1);
	opterr = 0;
	c = getopt_long(argc, argv, spec, longopts ? longopts : help_only,
			NULL);
	if (c == 'h') {
		help();
		exit(fflush(stdout) ? EXIT_FAILURE : EXIT_SUCCESS);
	}
	if (c == ':' || c == '?')
		bad_option(argv, c == ':');
	return c;
}

void operands(int argc, char **argv, const char *opts, int min, int max)
{
	while (next_opt(argc, argv, opts, NULL) != -1)
		;
	operand_count(argc, argv, min, max);
}

void operand_count(int argc, char **argv, int min, int max)
{
	int n = argc - optind;

	if (n < min)
		usage_error("%s: missing operand", argv[0]);
	if (max >= 0 && n > max)
		usage_error("%s: extra operand '%s'", argv[0],
			    argv[optind + max]);
}

static const struct verb {
	const char *name;
	int (*run)(int argc, char **argv);
} verbs[] = {
	{ "create", verb_create },
	{ "write", verb_write },
	{ "read", verb_read },
	{ "unlink", verb_unlink },
	{ "stat", verb_stat },
	{ "truncate", verb_truncate },
	{ "chmod", verb_chmod },
	{ "ls", verb_ls },
	{ "who", verb_who },
};

static const struct verb *find_verb(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (!strcmp(verbs[i].name, name))
			return &verbs[i];
	return NULL;
}

/* Flush standard output; a failure there is a failure of the command. */
static int close_stdout(int status)
{
	if (fflush(stdout) == EOF || ferror(stdout)) {
		fprintf(stderr, "pshm: write error: %s\n", strerror(errno));
		return EXIT_FAILURE;
	}
	return status;
}

int main(int argc, char **argv)
{
	const struct verb *v;
	int err;

	if (argc < 2)
		usage_error("missing verb");
	if (!strcmp(argv[1], "--help")) {
		help();
		return close_stdout(EXIT_SUCCESS);
	}
	if (!strcmp(argv[1], "--version")) {
		puts("pshm (" PACKAGE_NAME ") " PACKAGE_VERSION);
		return close_stdout(EXIT_SUCCESS);
	}
	v = find_verb(argv[1]);
	if (!v)
		usage_error("unknown verb '%s'", argv[1]);
	err = guard_init();
	if (err) {
		fprintf(stderr, "pshm: %s\n", strerror(err));
		return EXIT_FAILURE;
	}
	return close_stdout(v->run(argc - 1, argv + 1));
}
