#!/usr/bin/env bash
# Start a throwaway PostgreSQL for tests and benchmarks (TOOLCHAIN.md §5).
#
#   eval "$(Scripts/pg-up.sh)"          # exports SMUGGLEWATCH_TEST_POSTGRES_URL and PG_TMP
#   Scripts/pg-up.sh --env-file F       # also writes the exports to F
#   PGPORT=55433 Scripts/pg-up.sh       # another port (default 55432)
#   PG_DURABLE=1 Scripts/pg-up.sh       # crash-safe commits (the outage tests)
#
# initdb runs in a fresh temporary folder as the `postgres` user (root cannot run initdb), with
# trust authentication on 127.0.0.1 only and fsync off: for tests, never for real data.
# Stop it with Scripts/pg-down.sh (reads PG_TMP or the env file); Scripts/pg-ctl.sh stops and
# restarts it in place (the PostgreSQL-outage tests).
set -euo pipefail

env_file=""
while [ $# -gt 0 ]; do
    case "$1" in
        --env-file) env_file="$2"; shift 2 ;;
        -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
        *) echo "Error: unknown option '$1'. Usage: Scripts/pg-up.sh [--env-file FILE]" >&2; exit 2 ;;
    esac
done

. "$(dirname "$0")/lib/pg-common.sh"
PGPORT=${PGPORT:-55432}
if (echo > "/dev/tcp/127.0.0.1/$PGPORT") 2>/dev/null; then
    echo "Error: port $PGPORT on 127.0.0.1 is already in use. Stop the other server (Scripts/pg-down.sh) or set PGPORT." >&2
    exit 1
fi

PG_TMP=$(mktemp -d /tmp/smugglewatch-pg.XXXXXX)
chmod 755 "$PG_TMP"
if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$PG_TMP"; fi
if ! run_as_postgres "$PGBIN/initdb" -D "$PG_TMP/data" -U postgres -A trust -E UTF8 --locale=C --no-sync >"$PG_TMP/initdb.log" 2>&1; then
    echo "Error: initdb failed; see $PG_TMP/initdb.log" >&2
    cat "$PG_TMP/initdb.log" >&2
    exit 1
fi
# Scripts/pg-ctl.sh reads these options to start the same server again after a stop.
# PG_DURABLE=1 keeps fsync and synchronous commits, so a crash (Scripts/pg-ctl.sh crash) loses no
# committed transaction, as on a real server; the default trades that for speed.
fast="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
if [ "${PG_DURABLE:-0}" = 1 ]; then fast=""; fi
echo "-p $PGPORT -k $PG_TMP -c listen_addresses=127.0.0.1 $fast -c max_connections=200" >"$PG_TMP/options"
if ! start_server "$PG_TMP"; then
    echo "Error: PostgreSQL did not start on port $PGPORT; see $PG_TMP/server.log" >&2
    tail -20 "$PG_TMP/server.log" >&2 || true
    exit 1
fi

URL="postgres://postgres@127.0.0.1:$PGPORT/postgres"
exports="export SMUGGLEWATCH_TEST_POSTGRES_URL=$URL
export PG_TMP=$PG_TMP"
if [ -n "$env_file" ]; then printf '%s\n' "$exports" > "$env_file"; fi
printf '%s\n' "$exports"
echo "PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') is up at $URL (data in $PG_TMP). Stop it with: Scripts/pg-down.sh $PG_TMP" >&2
