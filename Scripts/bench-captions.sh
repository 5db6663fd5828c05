#!/usr/bin/env bash
# Caption parsing throughput (bytes → [Cue]) for WebVTT and SRT on generated input, one core, release build.
#
#   Scripts/bench-captions.sh [megabytes] [repetitions]     (defaults: 32 MB, 5 repetitions; best run reported)
#
# Builds Benchmarks/ (a separate package, so the main package stays lean) in release mode and pins the run to CPU 0
# with taskset when available. Target: ≥ 50 MB/s each.
set -euo pipefail
cd "$(dirname "$0")/../Benchmarks"
swift build -c release --product BenchCaptions 2>&1 | grep -E "error|warning: unre|Build of" || true
BIN=$(swift build -c release --product BenchCaptions --show-bin-path)/BenchCaptions
if command -v taskset >/dev/null; then
    exec taskset -c 0 "$BIN" "$@"
else
    exec "$BIN" "$@"
fi
