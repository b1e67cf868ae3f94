#!/bin/sh
# Restore a dump written by deploy/backup.sh into an EMPTY database. Usage:
#   deploy/restore.sh DUMP_FILE TARGET_DATABASE_URL
# Stop Patenbot first (systemctl stop patenbot). To replace the production database,
# create a new empty one, restore into it, check it (docs/operations.md), and point
# DATABASE_URL at it; never restore over a database that is in use.
set -eu
dump=${1:?usage: restore.sh DUMP_FILE TARGET_DATABASE_URL}
target=${2:?usage: restore.sh DUMP_FILE TARGET_DATABASE_URL}
url=$(printf '%s' "$target" | sed 's|^postgresql+[a-z0-9]*://|postgresql://|')
pg_restore --exit-on-error --no-owner --no-privileges --single-transaction --dbname="$url" "$dump"
