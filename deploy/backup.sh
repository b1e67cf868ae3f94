#!/bin/sh
# Back up the whole state of Patenbot: registrations, consent records, status steps,
# outbox, handoffs, conversation state and Rasa's conversations all live in the one
# PostgreSQL database. Usage:
#   deploy/backup.sh [BACKUP_FOLDER]        (DATABASE_URL from the environment)
# Writes BACKUP_FOLDER/patenbot-YYYYmmdd-HHMMSS.dump (pg_dump's custom format, mode 0600)
# and removes dumps older than PATENBOT_BACKUP_KEEP_DAYS (14). Prints the file's path.
set -eu
folder=${1:-/var/backups/patenbot}
keep_days=${PATENBOT_BACKUP_KEEP_DAYS:-14}
: "${DATABASE_URL:?DATABASE_URL is not set}"
# SQLAlchemy's URL names the driver (postgresql+psycopg://); libpq wants postgresql://.
url=$(printf '%s' "$DATABASE_URL" | sed 's|^postgresql+[a-z0-9]*://|postgresql://|')
umask 077
mkdir -p "$folder"
file="$folder/patenbot-$(date -u +%Y%m%d-%H%M%S).dump"
pg_dump --format=custom --no-owner --no-privileges --file="$file.partial" "$url"
mv "$file.partial" "$file"
find "$folder" -name 'patenbot-*.dump' -mtime +"$keep_days" -delete
printf '%s\n' "$file"
