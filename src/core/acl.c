/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * What a new file inherits from its directory's default POSIX ACL: the
 * rules of the kernel's posix_acl_create_masq(), on the xattr form.
 */
#include "config.h"

#include <endian.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "acl.h"

#define ACL_VERSION 2
/* Tags, as in <linux/posix_acl.h>. */
#define TAG_USER_OBJ 0x01
#define TAG_USER 0x02
#define TAG_GROUP_OBJ 0x04
#define TAG_GROUP 0x08
#define TAG_MASK 0x10
#define TAG_OTHER 0x20

struct acl_entry {
	uint16_t tag, perm;
	uint32_t id;
};

/* Keep PERM within what the mode's 3 bits at SHIFT allow, and the mode's
 * bits within what PERM allows. */
static uint16_t masq(uint16_t perm, mode_t *mode, int shift)
{
	perm &= (*mode >> shift) & 7;
	*mode &= (mode_t)(perm << shift) | ~(mode_t)(7 << shift);
	return perm;
}

int acl_inherit(const void *dacl, size_t len, mode_t *mode, void *out,
		bool *extended)
{
	const size_t hdr = sizeof(uint32_t), esz = sizeof(struct acl_entry);
	struct acl_entry *e, *group_obj = NULL, *mask = NULL;
	uint32_t version;
	char *p = out;

	if (len < hdr || (len - hdr) % esz)
		return EINVAL;
	memcpy(&version, dacl, hdr);
	if (le32toh(version) != ACL_VERSION)
		return EINVAL;
	memcpy(out, dacl, len);
	*extended = false;
	for (size_t off = hdr; off < len; off += esz) {
		e = (struct acl_entry *)(void *)(p + off);
		switch (le16toh(e->tag)) {
		case TAG_USER_OBJ:
			e->perm = htole16(masq(le16toh(e->perm), mode, 6));
			break;
		case TAG_OTHER:
			e->perm = htole16(masq(le16toh(e->perm), mode, 0));
			break;
		case TAG_GROUP_OBJ:
			group_obj = e;
			break;
		case TAG_MASK:
			mask = e;
			*extended = true;
			break;
		case TAG_USER:
		case TAG_GROUP:
			*extended = true;
			break;
		default:
			return EINVAL;
		}
	}
	e = mask ? mask : group_obj;
	if (!e)
		return EINVAL;
	e->perm = htole16(masq(le16toh(e->perm), mode, 3));
	return 0;
}
