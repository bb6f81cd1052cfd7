/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * Unit tests of the name mapping (src/core/names.c), without a mount.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "names.h"
#include "tap.h"

static int join(const char *dir, const char *comp, char delim, char *out)
{
	out[0] = '\0';
	return names_join(dir, comp, delim, out);
}

static void test_join(void)
{
	char out[SHM_NAME_MAX + 1], big[400];

	is_int(join("app.", "x", '\0', out), 0, "join: plain name");
	is_str(out, "app.x", "join: prefix then component");
	is_int(join("", "x", '\0', out), 0, "join: empty prefix");
	is_str(out, "x", "join: empty prefix gives the component");
	is_int(join("p", "", '\0', out), EINVAL, "join: empty component");
	is_int(join("p", ".", '\0', out), EINVAL, "join: '.'");
	is_int(join("p", "..", '\0', out), EINVAL, "join: '..'");
	is_int(join("p", "a/b", '\0', out), EINVAL, "join: slash");
	is_int(join("p", "a:b", ':', out), EINVAL, "join: delimiter");
	is_int(join("p", "a:b", '\0', out), 0, "join: ':' is plain when flat");
	is_int(join("", "sem.x", '\0', out), EINVAL, "join: semaphore name");
	is_int(join("se", "m.x", '\0', out), EINVAL,
	       "join: prefix and component make a semaphore name");
	is_int(join("p", "...", '\0', out), 0, "join: '...' is a name");

	memset(big, 'a', sizeof(big));
	big[SHM_NAME_MAX - 2] = '\0';
	is_int(join("pp", big, '\0', out), 0, "join: 255 bytes with prefix");
	is_int((int)strlen(out), SHM_NAME_MAX, "join: all 255 bytes kept");
	big[SHM_NAME_MAX - 2] = 'a';
	big[SHM_NAME_MAX - 1] = '\0';
	is_int(join("pp", big, '\0', out), ENAMETOOLONG,
	       "join: 256 bytes with prefix");
}

static void test_folds(void)
{
	ok(names_folds("x", ':'), "folds: a file");
	ok(names_folds("a:b:c", ':'), "folds: a file two levels down");
	ok(names_folds("a:", ':'), "folds: a directory's marker");
	ok(names_folds("a:b:", ':'), "folds: a marker one level down");
	ok(!names_folds("", ':'), "folds: not the prefix itself");
	ok(!names_folds(":a", ':'), "folds: not an empty first component");
	ok(!names_folds("a::b", ':'), "folds: not an empty middle component");
	ok(!names_folds("a::", ':'), "folds: not an empty component before a marker's");
	ok(!names_folds("a:..:b", ':'), "folds: not '..'");
	ok(!names_folds(".:b", ':'), "folds: not '.'");
	ok(names_folds("a:b", '\0'), "folds: flat, ':' is a plain byte");
	ok(!names_folds("..", '\0'), "folds: flat, not '..'");
}

static void test_prefix(void)
{
	char big[300];

	is_int(names_check_prefix(""), 0, "prefix: empty");
	is_int(names_check_prefix("app."), 0, "prefix: plain");
	is_int(names_check_prefix("a/b"), EINVAL, "prefix: slash");
	memset(big, 'p', sizeof(big));
	big[SHM_NAME_MAX] = '\0';
	is_int(names_check_prefix(big), ENAMETOOLONG, "prefix: too long");
}

static void test_object(void)
{
	char big[SHM_NAME_MAX + 2];
	const char *why = "unset";

	is_int(names_check_object("buf", &why), 0, "object: plain name");
	ok(why == NULL, "object: no reason when valid");
	is_int(names_check_object("sem.x", NULL), 0,
	       "object: a semaphore's name is a name shm_open takes");
	is_int(names_check_object("a:b", NULL), 0, "object: ':' is plain");
	is_int(names_check_object("", &why), EINVAL, "object: empty");
	is_str(why, "empty name", "object: empty: the reason");
	is_int(names_check_object("..", &why), EINVAL, "object: '..'");
	is_str(why, "not an object name", "object: '..': the reason");
	is_int(names_check_object(".", NULL), EINVAL, "object: '.'");
	is_int(names_check_object("a/b", &why), EINVAL, "object: slash");
	is_str(why, "a name holds no '/' after the leading one",
	       "object: slash: the reason");
	memset(big, 'a', sizeof(big));
	big[SHM_NAME_MAX] = '\0';
	is_int(names_check_object(big, NULL), 0, "object: 255 bytes");
	big[SHM_NAME_MAX] = 'a';
	big[SHM_NAME_MAX + 1] = '\0';
	is_int(names_check_object(big, &why), ENAMETOOLONG, "object: 256 bytes");
	is_str(why, "names are at most 255 bytes", "object: 256 bytes: the reason");
	big[3] = '/';
	is_int(names_check_object(big, NULL), EINVAL,
	       "object: 256 bytes holding '/': EINVAL first");
}

static void test_hash(void)
{
	ok(names_hash("") == 14695981039346656037ULL, "hash: FNV-1a offset basis for \"\"");
	ok(names_hash("a") == 0xaf63dc4c8601ec8cULL, "hash: FNV-1a of \"a\"");
	ok(names_hash("a:b:") != names_hash("a:b"), "hash: the delimiter counts");
}

int main(void)
{
	plan(50);
	test_join();
	test_folds();
	test_prefix();
	test_object();
	test_hash();
	return done();
}
