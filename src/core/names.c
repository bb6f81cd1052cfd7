/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * Name mapping: mount components to shm object names and back. Every name
 * that comes from the kernel passes names_join() before it reaches the shm
 * directory, so nothing can name an object outside the mount's prefix.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "names.h"

/* POSIX named semaphores live in the same directory as "sem.NAME". */
static const char sem_prefix[] = "sem.";

uint64_t names_hash(const char *name)
{
	uint64_t h = 14695981039346656037ULL;

	while (*name)
		h = (h ^ (unsigned char)*name++) * 1099511628211ULL;
	return h;
}

int names_check_prefix(const char *prefix)
{
	if (strchr(prefix, '/'))
		return EINVAL;
	if (strlen(prefix) >= SHM_NAME_MAX)
		return ENAMETOOLONG;
	return 0;
}

bool names_hidden(const char *name)
{
	return strncmp(name, sem_prefix, sizeof(sem_prefix) - 1) == 0;
}

int names_check_object(const char *name, const char **why)
{
	const char *reason = NULL;
	int err = EINVAL;

	if (name[0] == '\0')
		reason = "empty name";
	else if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		reason = "not an object name";
	else if (strchr(name, '/'))
		reason = "a name holds no '/' after the leading one";
	else if (strlen(name) > SHM_NAME_MAX) {
		reason = "names are at most 255 bytes";
		err = ENAMETOOLONG;
	} else {
		err = 0;
	}
	if (why)
		*why = reason;
	return err;
}

/* A component is an object name (the length is checked on the whole name)
 * without the delimiter. */
static bool comp_valid(const char *comp, char delim)
{
	if (names_check_object(comp, NULL) == EINVAL)
		return false;
	return delim == '\0' || !strchr(comp, delim);
}

int names_join(const char *dir, const char *comp, char delim, char *out)
{
	size_t dlen = strlen(dir), clen = strlen(comp);

	if (!comp_valid(comp, delim))
		return EINVAL;
	if (dlen + clen > SHM_NAME_MAX)
		return ENAMETOOLONG;
	memcpy(out, dir, dlen);
	memcpy(out + dlen, comp, clen + 1);
	if (names_hidden(out))
		return EINVAL;
	return 0;
}

bool names_folds(const char *rest, char delim)
{
	const char *c = rest, *end;
	size_t len;

	if (*rest == '\0')
		return false;
	for (;;) {
		end = delim ? strchr(c, delim) : NULL;
		len = end ? (size_t)(end - c) : strlen(c);
		if (len == 0)
			/* Only a marker's trailing delimiter leaves one. */
			return c != rest && !end;
		if ((len == 1 && c[0] == '.') ||
		    (len == 2 && c[0] == '.' && c[1] == '.'))
			return false;
		if (!end)
			return true;
		c = end + 1;
	}
}
