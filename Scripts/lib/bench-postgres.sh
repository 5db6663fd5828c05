# Sourced by the benchmark scripts: a fresh PostgreSQL database to benchmark in.
#
#   bench_postgres_database WORKDIR NAME DEFAULT_PORT
#
# Uses the server at $SMUGGLEWATCH_TEST_POSTGRES_URL, else starts a throwaway one with
# Scripts/pg-up.sh on the first free port from $PGPORT (or DEFAULT_PORT). Sets `base_url`,
# `pg_url` (a new database NAME on it) and `started_pg` (the data folder to pass to
# Scripts/pg-down.sh, empty when the server was not ours).
bench_postgres_database() {
    local work=$1 name=$2 default_port=$3 first p
    started_pg=""
    base_url="${SMUGGLEWATCH_TEST_POSTGRES_URL:-}"
    if [ -z "$base_url" ]; then
        echo "Starting a throwaway PostgreSQL…" >&2
        first=${PGPORT:-$default_port}
        for p in $(seq "$first" $((first + 20))); do
            (echo > "/dev/tcp/127.0.0.1/$p") 2>/dev/null || { export PGPORT=$p; break; }
        done
        Scripts/pg-up.sh --env-file "$work/pg.env" >/dev/null
        # shellcheck disable=SC1091
        . "$work/pg.env"
        started_pg="$PG_TMP"
        base_url="$SMUGGLEWATCH_TEST_POSTGRES_URL"
    fi
    psql -q "$base_url" -c "DROP DATABASE IF EXISTS $name" -c "CREATE DATABASE $name" >/dev/null 2>&1
    pg_url="${base_url%/*}/$name"
}
