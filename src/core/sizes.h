/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * Sizes in two syntaxes. The mount options take tmpfs's size= syntax
 * (parse_size): a number of bytes (decimal, 0x hexadecimal or 0 octal, as
 * the kernel's memparse reads it) with an optional k, m, g, t, p, e suffix
 * (powers of 1024, either case) or N% of RAM. pshm's arguments take
 * coreutils' syntax (sizes_parse_coreutils), as truncate -s reads them.
 */
#ifndef PSHMFS_SIZES_H
#define PSHMFS_SIZES_H

#include <stdint.h>

/* Parse S into *OUT. RAM is the byte count that "%" is taken of (0 refuses
 * "%"). Returns 0, EINVAL for malformed text, ERANGE for an overflow. */
int parse_size(const char *s, uint64_t ram, uint64_t *out);

/* Parse S as coreutils 9.1's truncate -s reads an absolute size (gnulib
 * xstrtoimax, base 10, suffixes "EgGkKmMPtTYZ0"): leading white space, then
 * decimal digits ("010" is ten), then at most one suffix: k or K, m or M,
 * g or G, t or T, P, E, Z, Y for powers of 1024, or the same followed by
 * "iB" (1024) or by "B" or "D" (1000). A suffix alone counts one of it
 * ("k" is 1024). No sign, no hexadecimal, no lowercase p or e. The result
 * fits an off_t. Returns 0, EINVAL for malformed text (checked first), or
 * ERANGE past INT64_MAX. */
int sizes_parse_coreutils(const char *s, uint64_t *out);

/* Parse an octal file mode (at most 07777) into *OUT: 0 or EINVAL. */
int parse_mode(const char *s, unsigned *out);

#endif
