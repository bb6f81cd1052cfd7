/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * The other names of a node's object (hard links): a short list of names.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "links.h"

int links_add(struct nodelinks **l, const char *name)
{
	char *copy;

	if (!*l && !(*l = calloc(1, sizeof(**l))))
		return ENOMEM;
	for (unsigned i = 0; i < (*l)->n; i++)
		if (strcmp((*l)->name[i], name) == 0)
			return 0;
	copy = strdup(name);
	if (!copy)
		return ENOMEM;
	if ((*l)->n == LINKS_MAX) {
		/* Full: the oldest name is the likeliest to be stale. */
		free((*l)->name[0]);
		memmove(&(*l)->name[0], &(*l)->name[1],
			(LINKS_MAX - 1) * sizeof((*l)->name[0]));
		(*l)->n--;
	}
	(*l)->name[(*l)->n++] = copy;
	return 0;
}

/* Remove entry I of L, freeing it unless KEEP; returns it if kept. */
static char *drop(struct nodelinks *l, unsigned i, bool keep)
{
	char *name = l->name[i];

	memmove(&l->name[i], &l->name[i + 1], (l->n - i - 1) * sizeof(l->name[0]));
	l->n--;
	if (keep)
		return name;
	free(name);
	return NULL;
}

bool links_del(struct nodelinks *l, const char *name)
{
	for (unsigned i = 0; l && i < l->n; i++)
		if (strcmp(l->name[i], name) == 0) {
			drop(l, i, false);
			return true;
		}
	return false;
}

char *links_take(struct nodelinks *l, bool (*valid)(void *arg, const char *),
		 void *arg)
{
	while (l && l->n) {
		if (valid(arg, l->name[0]))
			return drop(l, 0, true);
		drop(l, 0, false);
	}
	return NULL;
}

int links_rename_prefix(struct nodelinks *l, const char *from, size_t flen,
			const char *to)
{
	size_t tlen = to ? strlen(to) : 0;
	int err = 0;

	for (unsigned i = 0; l && i < l->n;) {
		char *old = l->name[i], *name;
		size_t rest = strlen(old) - flen;

		if (strncmp(old, from, flen) != 0) {
			i++;
			continue;
		}
		if (!to) {
			drop(l, i, false);
			continue;
		}
		name = malloc(tlen + rest + 1);
		if (!name) {
			/* Better no name than a wrong one. */
			drop(l, i, false);
			err = ENOMEM;
			continue;
		}
		memcpy(name, to, tlen);
		memcpy(name + tlen, old + flen, rest + 1);
		free(old);
		l->name[i++] = name;
	}
	return err;
}

void links_free(struct nodelinks *l)
{
	for (unsigned i = 0; l && i < l->n; i++)
		free(l->name[i]);
	free(l);
}
