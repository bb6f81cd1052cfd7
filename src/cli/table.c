/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * The output of pshm's tables through libsmartcols (see table.h), and the
 * cell formats that stat, ls and who share: modes, users, groups, sizes
 * and times.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pshm.h"
#include "table.h"

bool out_opt(struct outopts *o, int c)
{
	switch (c) {
	case 'o':
		o->list = optarg;
		return true;
	case 'J':
		o->json = true;
		return true;
	case 'r':
		o->raw = true;
		return true;
	case 'n':
		o->noheadings = true;
		return true;
	case 'b':
		o->bytes = true;
		return true;
	case '0':
		o->nul = true;
		return true;
	}
	return false;
}

static void add_col(struct outopts *o, const char *verb, int col)
{
	if (o->ncols == OUT_MAXCOLS)
		usage_error("%s: too many columns (at most %d)", verb,
			    OUT_MAXCOLS);
	o->cols[o->ncols++] = col;
}

/* Add the columns named in LIST, comma-separated. */
static void add_list(struct outopts *o, const char *verb,
		     const struct coldesc *d, size_t nd, const char *list)
{
	const char *p = list, *end;
	size_t len, i;

	while (*p) {
		end = strchr(p, ',');
		len = end ? (size_t)(end - p) : strlen(p);
		for (i = 0; i < nd; i++)
			if (strlen(d[i].name) == len &&
			    !strncasecmp(d[i].name, p, len))
				break;
		if (i == nd)
			usage_error("%s: unknown column: '%.*s'", verb,
				    (int)len, p);
		add_col(o, verb, (int)i);
		p = end ? end + 1 : p + len;
	}
}

void out_columns(struct outopts *o, const char *verb,
		 const struct coldesc *d, size_t nd, const int *defaults)
{
	const char *list = o->list;
	int i;

	o->ncols = 0;
	if (!list || *list == '+')
		for (i = 0; defaults[i] >= 0; i++)
			add_col(o, verb, defaults[i]);
	if (list && *list == '+')
		list++;
	if (list)
		add_list(o, verb, d, nd, list);
	if (!o->ncols)
		usage_error("%s: no columns", verb);
}

bool out_has(const struct outopts *o, int col)
{
	size_t i;

	for (i = 0; i < o->ncols; i++)
		if (o->cols[i] == col)
			return true;
	return false;
}

struct libscols_table *out_table(const struct outopts *o, const char *name,
				 const struct coldesc *d)
{
	struct libscols_table *tb = scols_new_table();
	struct libscols_column *cl;
	size_t i;

	if (!tb)
		return NULL;
	scols_table_set_name(tb, name);
	scols_table_enable_json(tb, o->json);
	scols_table_enable_raw(tb, o->raw);
	scols_table_enable_noheadings(tb, o->noheadings);
	for (i = 0; i < o->ncols; i++) {
		const struct coldesc *c = &d[o->cols[i]];

		cl = scols_table_new_column(tb, c->name, c->whint, c->flags);
		if (!cl || scols_column_set_json_type(cl, c->json)) {
			scols_unref_table(tb);
			return NULL;
		}
	}
	return tb;
}

int out_set(const struct outopts *o, struct libscols_line *ln, int col,
	    const char *data)
{
	size_t i;
	int err = 0;

	/* A column asked for twice is shown twice. */
	for (i = 0; !err && i < o->ncols; i++)
		if (o->cols[i] == col)
			err = scols_line_set_data(ln, i, data);
	return err;
}

int out_print(struct libscols_table *tb)
{
	int err = scols_print_table(tb);

	scols_unref_table(tb);
	if (err) {
		fprintf(stderr, "pshm: cannot print the table: %s\n",
			strerror(-err));
		return 1;
	}
	return 0;
}

void out_help(FILE *f, const char *title, const struct coldesc *d,
	      size_t nd)
{
	size_t i;

	fprintf(f, "\n%s\n", title);
	for (i = 0; i < nd; i++)
		fprintf(f, "  %-8s  %s\n", d[i].name, d[i].help);
}

/* ---- cell formats ---- */

void fmt_mode(mode_t m, char out[11])
{
	static const char rwx[] = "rwxrwxrwx";
	int i;

	out[0] = S_ISREG(m) ? '-' : '?';
	for (i = 0; i < 9; i++)
		out[i + 1] = (m & (0400 >> i)) ? rwx[i] : '-';
	if (m & S_ISUID)
		out[3] = out[3] == 'x' ? 's' : 'S';
	if (m & S_ISGID)
		out[6] = out[6] == 'x' ? 's' : 'S';
	if (m & S_ISVTX)
		out[9] = out[9] == 'x' ? 't' : 'T';
	out[10] = '\0';
}

const char *fmt_user(uid_t uid, char buf[24])
{
	struct passwd *pw = getpwuid(uid);

	if (pw)
		return pw->pw_name;
	snprintf(buf, 24, "%ju", (uintmax_t)uid);
	return buf;
}

const char *fmt_group(gid_t gid, char buf[24])
{
	struct group *gr = getgrgid(gid);

	if (gr)
		return gr->gr_name;
	snprintf(buf, 24, "%ju", (uintmax_t)gid);
	return buf;
}

void fmt_size(uint64_t v, bool bytes, char buf[32])
{
	static const char units[] = "KMGTPE";
	uint64_t whole, tenths;
	unsigned shift = 10;
	int u = 0;

	if (bytes || v < 1024) {
		snprintf(buf, 32, bytes ? "%" PRIu64 : "%" PRIu64 "B", v);
		return;
	}
	while (u < 5 && v >> (shift + 10)) {
		u++;
		shift += 10;
	}
	whole = v >> shift;
	/* The remainder is below 2^60: ten times it fits. */
	tenths = ((v & ((1ULL << shift) - 1)) * 10 + (1ULL << (shift - 1))) >>
		 shift;
	if (tenths == 10) {
		whole++;
		tenths = 0;
	}
	if (whole == 1024 && u < 5) {
		whole = 1;
		u++;
	}
	/* WHOLE is below 1024 but the top unit's, TENTHS below 10. */
	if (tenths)
		snprintf(buf, 32, "%u.%u%c", (unsigned)whole, (unsigned)tenths,
			 units[u]);
	else
		snprintf(buf, 32, "%u%c", (unsigned)whole, units[u]);
}

void fmt_time(time_t t, bool iso, char buf[40])
{
	struct tm tm;

	if (!localtime_r(&t, &tm) ||
	    !strftime(buf, 40, iso ? "%Y-%m-%dT%H:%M:%S%z" : "%Y-%m-%d %H:%M",
		      &tm))
		snprintf(buf, 40, "%jd", (intmax_t)t);
}
