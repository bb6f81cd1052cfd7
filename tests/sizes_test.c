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

int main(void)
{
	unsigned m = 0;

	plan(22);
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
	return done();
}
