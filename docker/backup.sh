#!/bin/sh
# Nightly backups of the hub's database (the `backup` service of docker/compose.yaml, on the
# postgres:15 image): a custom-format pg_dump every BACKUP_INTERVAL_HOURS into BACKUP_DIR, written
# under a temporary name and renamed when complete, dumps older than BACKUP_KEEP_DAYS deleted.
# BACKUP_ONCE=1 makes one dump and exits (a cron job, the test). Restore and the restore test:
# docker/README.md, "Backups".
set -eu
PGPASSWORD=$(cat "${PGPASSWORD_FILE:?}")
export PGPASSWORD
dir=${BACKUP_DIR:-/backups}
mkdir -p "$dir"
while :; do
    name="hub-$(date -u +%Y%m%dT%H%M%SZ).dump"
    if pg_dump --format=custom --no-owner --file="$dir/$name.partial"; then
        mv "$dir/$name.partial" "$dir/$name"
        echo "backup: $dir/$name ($(wc -c < "$dir/$name") bytes)"
        status=0
    else
        rm -f "$dir/$name.partial"
        echo "backup: pg_dump failed; next attempt in ${BACKUP_INTERVAL_HOURS:-24} h" >&2
        status=1
    fi
    find "$dir" -name 'hub-*.dump' -mtime "+${BACKUP_KEEP_DAYS:-14}" -print -delete
    if [ "${BACKUP_ONCE:-0}" = "1" ]; then
        exit "$status"
    fi
    sleep "$(( ${BACKUP_INTERVAL_HOURS:-24} * 3600 ))"
done
