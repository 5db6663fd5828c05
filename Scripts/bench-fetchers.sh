#!/usr/bin/env bash
# Fetcher benchmarks, release build of Benchmarks/Fetchers (a separate package, so the main package stays lean).
#
#   Scripts/bench-fetchers.sh [parse-megabytes] [fetch-pages]      (defaults: 32 MB per parser, 5000 pages)
#
# 1. Parsing on one core (pinned to CPU 0 with taskset when available): RSS, Atom/YouTube, HTML page, Telegram
#    preview → posts, in MB/s. Target ≥ 20 MB/s. BENCH_RAW=1 adds libxml2 alone (tree, and events to a no-op handler);
#    BENCH_ONLY=<name prefix> runs one case.
# 2. Fetching small pages from the local test server (Tests/Support/test_http_server.py) with 16 connections, in
#    pages/s (target ≥ 500), then 4× as many pages to show peak memory does not grow with the number of URLs.
set -euo pipefail
HERE="$(cd "$(dirname "$0")/.." && pwd)"
cd "$HERE/Benchmarks/Fetchers"
swift build -c release --product BenchFetchers 2>&1 | grep -E "error|Build of|Compiling BenchFetchers" || true
BIN=$(swift build -c release --product BenchFetchers --show-bin-path)/BenchFetchers
MB=${1:-32}
PAGES=${2:-5000}
PIN=""
command -v taskset >/dev/null && PIN="taskset -c 0"
$PIN "$BIN" parse "$MB" 3

PORTFILE=$(mktemp)
python3 "$HERE/Tests/Support/test_http_server.py" --no-stdin-watch >"$PORTFILE" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -f "$PORTFILE"' EXIT
for _ in $(seq 50); do grep -q PORT "$PORTFILE" && break; sleep 0.1; done
PORT=$(awk '/PORT/ {print $2}' "$PORTFILE")
"$BIN" fetch "http://127.0.0.1:$PORT" "$PAGES" 16
"$BIN" fetch "http://127.0.0.1:$PORT" $((PAGES * 4)) 16
