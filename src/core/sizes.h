/** @file
 * Sizes in the syntax of tmpfs's size= option: a number of bytes (decimal,
 * 0x hexadecimal or 0 octal, as the kernel's memparse reads it) with an
 * optional k, m, g, t, p, e suffix (powers of 1024, either case) or N% of
 * RAM.
 */
#ifndef PSHMFS_SIZES_H
#define PSHMFS_SIZES_H

#include <stdint.h>

/* Parse S into *OUT. RAM is the byte count that "%" is taken of (0 refuses
 * "%"). Returns 0, EINVAL for malformed text, ERANGE for an overflow. */
int parse_size(const char *s, uint64_t ram, uint64_t *out);

/* Parse an octal file mode (at most 07777) into *OUT: 0 or EINVAL. */
int parse_mode(const char *s, unsigned *out);

#endif
