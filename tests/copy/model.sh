#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/model.sh on the copy path: every mount with -o passthrough=off
# (by default, as root, the mount tests run with passthrough on).
export PSHMFS_TEST_OPTS=passthrough=off
exec bash "${top_srcdir:-.}/tests/model.sh"
