# Shared by Scripts/pg-up.sh and Scripts/pg-ctl.sh (sourced).

PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ]; then
    echo "Error: PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin. Install them: apt-get install -y postgresql" >&2
    exit 1
fi

# initdb and the server refuse to run as root.
run_as_postgres() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Starts the server in folder $1 with the options saved in $1/options. Descriptors this script
# inherited (beyond stdin, stdout and stderr) are closed first: the server runs on after the
# script ends, and a caller waiting for a pipe or socket to close (Foundation's Process does)
# would otherwise wait until the server stops.
start_server() {
    local dir=$1 fd
    for fd in $(ls /proc/$$/fd); do
        if [ "$fd" -gt 2 ] && [ "$fd" != 255 ]; then eval "exec $fd>&-" 2>/dev/null || true; fi
    done
    run_as_postgres "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 -o "$(cat "$dir/options")" start </dev/null >/dev/null
}
