#!/usr/bin/env bash
# Stop a PostgreSQL started by Scripts/pg-up.sh and delete its temporary folder.
#
#   Scripts/pg-down.sh [PG_TMP | --env-file FILE]    (default: $PG_TMP)
set -euo pipefail

dir="${PG_TMP:-}"
case "${1:-}" in
    --env-file) dir=$(sed -n 's/^export PG_TMP=//p' "$2") ;;
    "") ;;
    *) dir="$1" ;;
esac
if [ -z "$dir" ]; then
    echo "Error: no server folder given. Usage: Scripts/pg-down.sh PG_TMP (the folder Scripts/pg-up.sh printed) or --env-file FILE" >&2
    exit 2
fi
case "$dir" in
    /tmp/smugglewatch-pg.*) ;;
    *) echo "Error: '$dir' is not a folder made by Scripts/pg-up.sh (/tmp/smugglewatch-pg.*); refusing to delete it." >&2; exit 2 ;;
esac
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
if [ -f "$dir/data/postmaster.pid" ]; then
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$PGBIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    else
        "$PGBIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    fi
fi
rm -rf "$dir"
echo "Stopped PostgreSQL and removed $dir." >&2
