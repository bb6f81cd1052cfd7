/** @file
 * Size and mode parsing, shared by pshmfs options and pshm arguments.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

#include "sizes.h"

static int suffix_shift(char c)
{
	switch (tolower((unsigned char)c)) {
	case 'k': return 10;
	case 'm': return 20;
	case 'g': return 30;
	case 't': return 40;
	case 'p': return 50;
	case 'e': return 60;
	default: return -1;
	}
}

int parse_size(const char *s, uint64_t ram, uint64_t *out)
{
	unsigned long long n;
	char *end;
	int shift;

	if (!isdigit((unsigned char)s[0]))
		return EINVAL;
	/* Base 0, as the kernel's memparse: 0x100000, 010k (octal). */
	errno = 0;
	n = strtoull(s, &end, 0);
	if (errno)
		return ERANGE;
	if (*end == '\0') {
		*out = n;
		return 0;
	}
	if (end[1] != '\0')
		return EINVAL;
	if (*end == '%') {
		/* As tmpfs: a share of RAM, more than 100% allowed. */
		if (!ram)
			return EINVAL;
		if (n > UINT64_MAX / ram)
			return ERANGE;
		*out = ram * n / 100;
		return 0;
	}
	shift = suffix_shift(*end);
	if (shift < 0)
		return EINVAL;
	if (n > (UINT64_MAX >> shift))
		return ERANGE;
	*out = (uint64_t)n << shift;
	return 0;
}

int parse_mode(const char *s, unsigned *out)
{
	unsigned long m;
	char *end;

	if (*s < '0' || *s > '7')
		return EINVAL;
	m = strtoul(s, &end, 8);
	if (*end != '\0' || m > 07777)
		return EINVAL;
	*out = (unsigned)m;
	return 0;
}
