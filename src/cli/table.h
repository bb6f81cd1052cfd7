/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * pshm's tables (ls and who) through libsmartcols, the library behind
 * lsipc, lsblk and findmnt: the columns a verb offers, the output options
 * they share (-o, -J, -r, -n, -b), and the cell formats.
 */
#ifndef PSHM_TABLE_H
#define PSHM_TABLE_H

#include <libsmartcols.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

/* A column a verb offers. */
struct coldesc {
	const char *name; /* as -o takes it and the header shows it */
	const char *help; /* for --help */
	double whint; /* libsmartcols' width hint */
	int flags; /* SCOLS_FL_* */
	int json; /* SCOLS_JSON_*: how JSON writes it */
};

#define OUT_MAXCOLS 32

/* The output options of ls and who, and the columns chosen. */
struct outopts {
	bool json, raw, noheadings, bytes, nul;
	const char *list; /* -o, or NULL for the default */
	int cols[OUT_MAXCOLS]; /* indexes into the verb's coldesc array */
	size_t ncols;
};

/* The getopt letters and long options of the output options ls and who
 * share. */
#define OUT_OPTS "o:Jrn"
#define OUT_LONGOPTS                                        \
	{ "output", required_argument, NULL, 'o' },         \
	{ "json", no_argument, NULL, 'J' },                 \
	{ "raw", no_argument, NULL, 'r' },                  \
	{ "noheadings", no_argument, NULL, 'n' }

/* Take option C (from next_opt) into O: false when C is none of them. */
bool out_opt(struct outopts *o, int c);

/* Resolve O->list (comma-separated names, any case; "+LIST" adds to the
 * default) against the ND columns D, or take the DEFAULTS (-1 ended).
 * An unknown name is a usage error of VERB. */
void out_columns(struct outopts *o, const char *verb,
		 const struct coldesc *d, size_t nd, const int *defaults);

/* Is column COL among those chosen? */
bool out_has(const struct outopts *o, int col);

/* A table named NAME (JSON's top key) with the chosen columns of D, set up
 * for O; NULL when out of memory. */
struct libscols_table *out_table(const struct outopts *o, const char *name,
				 const struct coldesc *d);

/* Set the cells of column COL (an index into D) of LN, if that column was
 * chosen: the data is copied. 0 or -errno. */
int out_set(const struct outopts *o, struct libscols_line *ln, int col,
	    const char *data);

/* Print TB to standard output and free it: 0, or 1 after a message. */
int out_print(struct libscols_table *tb);

/* List the ND columns of D under TITLE, for --help. */
void out_help(FILE *f, const char *title, const struct coldesc *d,
	      size_t nd);

/* V bytes as a number (BYTES) or as lsblk shows sizes: "0B", "4K",
 * "1.5G", "1T" (powers of 1024, one decimal when it is not 0). */
void fmt_size(uint64_t v, bool bytes, char buf[32]);

/* A time in the table ("2026-12-01 10:05") or, for JSON and raw, ISO 8601
 * ("2026-12-01T10:05:33+0000"). */
void fmt_time(time_t t, bool iso, char buf[40]);

#endif
