#!/usr/bin/env bash
# Stop or start again, in place, a PostgreSQL made by Scripts/pg-up.sh (its data is kept).
# The outage tests use it to take the server away in the middle of a crawl.
#
#   Scripts/pg-ctl.sh PG_TMP crash     # immediate shutdown: connections are cut, like a server crash
#   Scripts/pg-ctl.sh PG_TMP stop      # clean shutdown
#   Scripts/pg-ctl.sh PG_TMP start     # the same server (port, options) again
set -euo pipefail

dir="${1:-}"
action="${2:-}"
case "$dir" in
    /tmp/smugglewatch-pg.*) ;;
    *) echo "Error: '$dir' is not a folder made by Scripts/pg-up.sh (/tmp/smugglewatch-pg.*). Usage: Scripts/pg-ctl.sh PG_TMP crash|stop|start" >&2; exit 2 ;;
esac
if [ ! -f "$dir/options" ]; then
    echo "Error: $dir/options is missing: the server was started by an older Scripts/pg-up.sh. Start a new one with Scripts/pg-up.sh." >&2
    exit 1
fi
. "$(dirname "$0")/lib/pg-common.sh"
case "$action" in
    crash) run_as_postgres "$PGBIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null ;;
    stop) run_as_postgres "$PGBIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null ;;
    start)
        if ! start_server "$dir"; then
            echo "Error: PostgreSQL did not start again; see $dir/server.log" >&2
            tail -20 "$dir/server.log" >&2 || true
            exit 1
        fi ;;
    *) echo "Error: unknown action '$action'. Usage: Scripts/pg-ctl.sh PG_TMP crash|stop|start" >&2; exit 2 ;;
esac
