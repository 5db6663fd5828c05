#!/usr/bin/env bash
# First command of the README: install what is missing, build, and run the main job — the
# scheduled crawl — once over the bundled demo sources with the bundled default model, then print
# the review queue.
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/install-system-packages.sh
swift build --product smugglewatch
bin=.build/debug/smugglewatch
db=${SMUGGLEWATCH_DB:-.smugglewatch/smugglewatch.sqlite}
echo
echo "== crawl the demo sources once (Fixtures/demo/sources.toml, all offline) into $db:"
echo "   fetch, classify with Models/default, store predictions, queue flagged / unsure / sampled posts"
# --all: crawl every source even when a previous setup run made them not due yet.
"$bin" crawl --once --all --sources Fixtures/demo/sources.toml --db "$db"
echo
echo "== the queue, highest priority first"
"$bin" queue list --db "$db"
echo
echo "next: '$bin queue stats', '$bin label ID --set guidance', '$bin crawl --every 15m' (docs/crawl.md)"
