/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * Name mapping between the mount and the flat shm namespace, free of FUSE.
 *
 * A directory of the mount is known by the object-name prefix of its
 * children: the root's is the mount's prefix P. A child's object name is that
 * prefix followed by the component. Object names carry no leading '/': they
 * are names inside the shm directory, exactly what shm_open("/" NAME) opens.
 */
#ifndef PSHMFS_NAMES_H
#define PSHMFS_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest object name: the shm directory is a tmpfs, NAME_MAX bytes. */
#define SHM_NAME_MAX 255

/* Is PREFIX usable as a mount's prefix? 0 or an errno value. */
int names_check_prefix(const char *prefix);

/* Object name of component COMP under directory prefix DIR into OUT (at
 * least SHM_NAME_MAX + 1 bytes). 0, EINVAL for a component that cannot be a
 * name (empty, ".", "..", holding '/' or DELIM, a semaphore's "sem."), or
 * ENAMETOOLONG past SHM_NAME_MAX bytes. DELIM '\0' means a flat namespace. */
int names_join(const char *dir, const char *comp, char delim, char *out);

/* Can NAME (an object name, without the leading '/') be given to
 * shm_open()? 0; EINVAL for an empty name, "." or "..", or one holding '/';
 * ENAMETOOLONG past SHM_NAME_MAX bytes. *WHY (when WHY is not NULL) gets a
 * short reason for the user, or NULL. Semaphores' "sem." names pass: they
 * are names shm_open() takes. */
int names_check_object(const char *name, const char **why);

/* A 64-bit FNV-1a hash of NAME: for hash tables and directories' ids. */
uint64_t names_hash(const char *name);

/* Is the object name NAME something we never show (semaphores)? */
bool names_hidden(const char *name);

/* Does REST, an object name with the prefix taken off, fold into a valid
 * path: components split at DELIM, none empty, ".", or "..", except that a
 * directory's marker ends with DELIM ("a:b:" is the marker of a/b)? */
bool names_folds(const char *rest, char delim);

#endif
