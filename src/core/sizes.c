/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * Size and mode parsing, shared by pshmfs options and pshm arguments.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

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

/* The power of the coreutils suffix C (k: 1, M: 2, ...), or -1. */
static int coreutils_power(char c)
{
	static const char powers[] = "KMGTPEZY";
	const char *p;

	/* truncate takes these in lower case too; P, E, Z, Y only upper. */
	if (c == 'k' || c == 'm' || c == 'g' || c == 't')
		c = (char)toupper((unsigned char)c);
	p = c ? strchr(powers, c) : NULL;
	return p ? (int)(p - powers) + 1 : -1;
}

/* Multiply *N by BASE POWER times; false past INT64_MAX. */
static bool scale(uint64_t *n, unsigned base, int power)
{
	while (power-- > 0) {
		if (*n > (uint64_t)INT64_MAX / base)
			return false;
		*n *= base;
	}
	return true;
}

int sizes_parse_coreutils(const char *s, uint64_t *out)
{
	const unsigned char *p = (const unsigned char *)s;
	bool fits = true;
	uint64_t n = 1;
	unsigned base = 1024;
	int power = 0;

	while (isspace(*p))
		p++;
	if (isdigit(*p)) {
		for (n = 0; isdigit(*p); p++) {
			if (n > ((uint64_t)INT64_MAX - (*p - '0')) / 10)
				fits = false;
			else
				n = n * 10 + (*p - '0');
		}
	} else if (!*p) {
		return EINVAL;
	}
	if (*p) {
		power = coreutils_power((char)*p++);
		if (power < 0)
			return EINVAL;
		if (p[0] == 'i' && p[1] == 'B') {
			p += 2;
		} else if (p[0] == 'B' || p[0] == 'D') {
			base = 1000;
			p++;
		}
		if (*p)
			return EINVAL;
	}
	if (!fits || !scale(&n, base, power))
		return ERANGE;
	*out = n;
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
