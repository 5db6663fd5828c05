#!/usr/bin/env bash
# Builds and runs the fetcher adapter fuzzers (libFuzzer + AddressSanitizer) from the Fuzz/Fetchers package.
#
#   Scripts/fuzz-fetchers.sh [seconds-per-target] [target…]
#
# Targets: FuzzFeed FuzzHTMLPage FuzzTelegram (default: all). Default time: 180 s each.
# Seeds come from Fixtures/http (and ../shared/external feedparser / extruct when present); the corpus grows under
# .build-fuzz/corpus/<target>, crashes land in .build-fuzz/artifacts/<target>/. Exit status 1 on a crash.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SECONDS_PER_TARGET=${1:-180}
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=(FuzzFeed FuzzHTMLPage FuzzTelegram)
WORK=$ROOT/.build-fuzz-fetchers
EXTERNAL=$ROOT/../shared/external
mkdir -p "$WORK"

seed() {   # seed <target> <dir>
    local dir=$2
    mkdir -p "$dir"
    case $1 in
        FuzzFeed)
            cp Fixtures/http/feeds/* "$dir/"
            if [ -d "$EXTERNAL/feedparser/tests" ]; then
                find "$EXTERNAL/feedparser/tests/wellformed/rss" "$EXTERNAL/feedparser/tests/wellformed/atom10" \
                     "$EXTERNAL/feedparser/tests/illformed" -name '*.xml' | head -300 | xargs -I{} cp {} "$dir/" || true  # head closes the pipe early
            fi ;;
        FuzzHTMLPage)
            cp Fixtures/http/pages/* "$dir/"
            [ -d "$EXTERNAL/extruct-jsonld-opengraph/samples" ] && find "$EXTERNAL/extruct-jsonld-opengraph/samples" -name '*.html' -size -200k -exec cp {} "$dir/" \; ;;
        FuzzTelegram)
            cp Fixtures/http/telegram/s/* "$dir/" ;;
    esac
    true
}

# SwiftPM passes "-sanitize=address" and "-sanitize=fuzzer" as two flags and the Swift driver keeps only the last one
# for the compiler, so Swift code would get neither AddressSanitizer nor usable coverage counters ("no interesting
# inputs … is the code instrumented?"). Passing the combined flag as well fixes both.
FLAGS=(--sanitize=fuzzer --sanitize=address -Xswiftc -sanitize=fuzzer,address)

. Scripts/lib/fuzz-loop.sh
run_fuzz_targets Fuzz/Fetchers

