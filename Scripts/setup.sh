#!/usr/bin/env bash
# First command of the README: install what is missing, build, and run the main job on the
# bundled demo data with the bundled default model.
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/install-system-packages.sh
swift build --product smugglewatch
bin=.build/debug/smugglewatch
db=${SMUGGLEWATCH_DB:-.smugglewatch/smugglewatch.sqlite}
echo
echo "== import the bundled demo posts into the review queue ($db): store, classify with Models/default, route"
"$bin" import --queue --db "$db" Fixtures/demo/posts.jsonl
echo
echo "== the queue, highest priority first"
"$bin" queue list --db "$db"
echo
echo "next: '$bin queue stats', '$bin label ID --set guidance', '$bin classify --explain FILE'"
