/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * Unit tests of size and mode parsing (src/core/sizes.c).
 */
#include "config.h"

#include <errno.h>

#include "sizes.h"
#include "tap.h"

static uint64_t size_of(const char *s, uint64_t ram, int *err)
{
	uint64_t v = 0;

	*err = parse_size(s, ram, &v);
	return v;
}

static void check(const char *s, uint64_t ram, int want_err, uint64_t want)
{
	int err;
	uint64_t v = size_of(s, ram, &err);

	if (want_err)
		is_int(err, want_err, "size '%s' refused", s);
	else
		ok(err == 0 && v == want, "size '%s' = %llu (got %llu, err %d)",
		   s, (unsigned long long)want, (unsigned long long)v, err);
}

/* What coreutils 9.1's truncate -s does with each, run on Debian 12 (a
 * size, or EINVAL for "Invalid number", ERANGE for "Invalid number: Value
 * too large"). Those marked pshm differ on purpose: truncate takes a
 * leading + or - as a relative size, pshm sizes are absolute. */
static const struct {
	const char *s;
	int err;
	uint64_t v;
} coreutils[] = {
	{ "0", 0, 0 }, { "10", 0, 10 }, { "010", 0, 10 }, { "08", 0, 8 },
	{ "007", 0, 7 }, { "0009", 0, 9 }, { "00", 0, 0 },
	{ "1k", 0, 1024 }, { "1K", 0, 1024 }, { "1KB", 0, 1000 },
	{ "1kB", 0, 1000 }, { "1KD", 0, 1000 }, { "1kD", 0, 1000 },
	{ "1KiB", 0, 1024 }, { "1kiB", 0, 1024 },
	{ "1m", 0, 1048576 }, { "1M", 0, 1048576 }, { "1MB", 0, 1000000 },
	{ "1MD", 0, 1000000 }, { "1MiB", 0, 1048576 }, { "1miB", 0, 1048576 },
	{ "1g", 0, 1ULL << 30 }, { "1G", 0, 1ULL << 30 },
	{ "1GB", 0, 1000000000 }, { "1gB", 0, 1000000000 },
	{ "1GiB", 0, 1ULL << 30 }, { "1giB", 0, 1ULL << 30 },
	{ "1t", 0, 1ULL << 40 }, { "1T", 0, 1ULL << 40 },
	{ "1TB", 0, 1000000000000ULL }, { "1tB", 0, 1000000000000ULL },
	{ "1TiB", 0, 1ULL << 40 }, { "1tiB", 0, 1ULL << 40 },
	{ "1P", 0, 1ULL << 50 }, { "1PB", 0, 1000000000000000ULL },
	{ "1PiB", 0, 1ULL << 50 }, { "1E", 0, 1ULL << 60 },
	{ "1EiB", 0, 1ULL << 60 }, { "1EB", 0, 1000000000000000000ULL },
	{ "9EB", 0, 9000000000000000000ULL }, { "7E", 0, 7ULL << 60 },
	{ "8191P", 0, 8191ULL << 50 }, { "8388607T", 0, 8388607ULL << 40 },
	{ "9223372036854775807", 0, 9223372036854775807ULL },
	{ "k", 0, 1024 }, { "K", 0, 1024 }, { "KB", 0, 1000 },
	{ "KiB", 0, 1024 }, { "m", 0, 1048576 }, { "M", 0, 1048576 },
	{ "MB", 0, 1000000 }, { "P", 0, 1ULL << 50 }, { "E", 0, 1ULL << 60 },
	{ "0k", 0, 0 }, { "0Z", 0, 0 }, { "0Y", 0, 0 }, { "0E", 0, 0 },
	{ " 5", 0, 5 }, { "\t5", 0, 5 }, { " \n5", 0, 5 },
	{ "", EINVAL, 0 }, { " ", EINVAL, 0 }, { "0x10", EINVAL, 0 },
	{ "0X10", EINVAL, 0 }, { "0x", EINVAL, 0 }, { "0xk", EINVAL, 0 },
	{ "1Ki", EINVAL, 0 }, { "1KIB", EINVAL, 0 }, { "1MIB", EINVAL, 0 },
	{ "1p", EINVAL, 0 }, { "1e", EINVAL, 0 }, { "1R", EINVAL, 0 },
	{ "1Q", EINVAL, 0 }, { "1b", EINVAL, 0 }, { "1B", EINVAL, 0 },
	{ "1c", EINVAL, 0 }, { "1w", EINVAL, 0 }, { "1KB2", EINVAL, 0 },
	{ "5k5", EINVAL, 0 }, { "1.5", EINVAL, 0 }, { "1e3", EINVAL, 0 },
	{ "1 k", EINVAL, 0 }, { "5 ", EINVAL, 0 }, { "5\n", EINVAL, 0 },
	{ "1k0", EINVAL, 0 }, { "1kB0", EINVAL, 0 }, { "1KiB0", EINVAL, 0 },
	{ "1Kx", EINVAL, 0 }, { "1x", EINVAL, 0 }, { "1T1", EINVAL, 0 },
	{ "1,000", EINVAL, 0 }, { "1kk", EINVAL, 0 }, { "1iB", EINVAL, 0 },
	{ "1KiBB", EINVAL, 0 }, { "1Kb", EINVAL, 0 }, { "1kb", EINVAL, 0 },
	{ "1mb", EINVAL, 0 }, { "1bB", EINVAL, 0 }, { "B", EINVAL, 0 },
	{ "iB", EINVAL, 0 }, { "1KiD", EINVAL, 0 }, { "1iD", EINVAL, 0 },
	{ "1E0", EINVAL, 0 }, { "1G0", EINVAL, 0 }, { "+", EINVAL, 0 },
	{ "++5", EINVAL, 0 }, { "99999999999999999999x", EINVAL, 0 },
	{ "-5", EINVAL, 0 },	/* pshm: truncate shrinks by 5 */
	{ "+5", EINVAL, 0 },	/* pshm: truncate grows by 5 */
	{ "9223372036854775808", ERANGE, 0 },
	{ "18446744073709551615", ERANGE, 0 },
	{ "99999999999999999999", ERANGE, 0 },
	{ "99999999999999999999k", ERANGE, 0 },
	{ "9223372036854775807k", ERANGE, 0 }, { "8E", ERANGE, 0 },
	{ "10EB", ERANGE, 0 }, { "8192P", ERANGE, 0 },
	{ "8388608T", ERANGE, 0 }, { "1Z", ERANGE, 0 }, { "1Y", ERANGE, 0 },
	{ "1ZB", ERANGE, 0 }, { "Z", ERANGE, 0 }, { "Y", ERANGE, 0 },
};

#define N_COREUTILS (int)(sizeof(coreutils) / sizeof(coreutils[0]))

/* S with tabs and newlines shown as \t and \n: one TAP line each. */
static const char *shown(const char *s)
{
	static char buf[64];
	size_t n = 0;

	for (; *s && n < sizeof(buf) - 3; s++) {
		if (*s == '\t' || *s == '\n') {
			buf[n++] = '\\';
			buf[n++] = *s == '\t' ? 't' : 'n';
		} else {
			buf[n++] = *s;
		}
	}
	buf[n] = '\0';
	return buf;
}

static void check_coreutils(void)
{
	uint64_t v;
	int i, err;

	for (i = 0; i < N_COREUTILS; i++) {
		v = 12345;
		err = sizes_parse_coreutils(coreutils[i].s, &v);
		if (coreutils[i].err)
			ok(err == coreutils[i].err && v == 12345,
			   "coreutils size '%s' refused: %s (got %d)",
			   shown(coreutils[i].s),
			   coreutils[i].err == ERANGE ? "ERANGE" : "EINVAL",
			   err);
		else
			ok(err == 0 && v == coreutils[i].v,
			   "coreutils size '%s' = %llu (got %llu, err %d)",
			   shown(coreutils[i].s), (unsigned long long)coreutils[i].v,
			   (unsigned long long)v, err);
	}
}

int main(void)
{
	unsigned m = 0;

	plan(22 + N_COREUTILS);
	check("0", 0, 0, 0);
	check("4096", 0, 0, 4096);
	check("64k", 0, 0, 64 << 10);
	check("64K", 0, 0, 64 << 10);
	check("8m", 0, 0, 8 << 20);
	check("2g", 0, 0, 2ULL << 30);
	check("1t", 0, 0, 1ULL << 40);
	check("1p", 0, 0, 1ULL << 50);
	check("0x100000", 0, 0, 1 << 20);
	check("010k", 0, 0, 8 << 10);
	check("50%", 1000, 0, 500);
	check("150%", 1000, 0, 1500);
	check("50%", 0, EINVAL, 0);
	check("", 0, EINVAL, 0);
	check("m", 0, EINVAL, 0);
	check("-1", 0, EINVAL, 0);
	check("12q", 0, EINVAL, 0);
	check("12kk", 0, EINVAL, 0);
	check("99999999999999999999", 0, ERANGE, 0);
	check("99999999999t", 0, ERANGE, 0);
	is_int(parse_mode("1777", &m) == 0 && m == 01777, 1, "mode 1777");
	is_int(parse_mode("8", &m), EINVAL, "mode 8 refused");
	check_coreutils();
	return done();
}
