#!/usr/bin/env bash
# Second command of the README: every test, with the real parts they need.
#  - a python with scikit-learn (parity tests), made once in .venv-sklearn
#  - a throwaway PostgreSQL (store tests), started here and stopped on exit
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/install-system-packages.sh
. Scripts/lib/sklearn-venv.sh
if [ -x Scripts/pg-up.sh ]; then
  pg_env=$(mktemp)
  # The first free port from 55432 up, so a server someone left running does not block us.
  for port in $(seq "${PGPORT:-55432}" $(( ${PGPORT:-55432} + 20 ))); do
    (echo > "/dev/tcp/127.0.0.1/$port") 2>/dev/null || { export PGPORT=$port; break; }
  done
  Scripts/pg-up.sh > "$pg_env"
  . "$pg_env"
  trap 'Scripts/pg-down.sh >/dev/null 2>&1 || true; rm -f "$pg_env"' EXIT
fi
swift build --build-tests
swift test "$@"
