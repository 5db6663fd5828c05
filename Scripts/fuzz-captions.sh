#!/usr/bin/env bash
# Builds and runs the caption parser fuzzers (libFuzzer + AddressSanitizer) from the Fuzz/ package.
#
#   Scripts/fuzz-captions.sh [seconds-per-target] [target…]
#
# Targets: FuzzWebVTT FuzzSRT FuzzTTML FuzzJSON3 (default: all). Default time: 180 s each.
# FUZZ_CONFIGURATION=release builds optimised fuzzers (several times more executions per second; default debug).
# Seeds come from Fixtures/captions (and ../shared/external when present); the corpus grows under
# .build-fuzz/corpus/<target>, crashes land in .build-fuzz/artifacts/<target>/. Exit status 1 on a crash.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SECONDS_PER_TARGET=${1:-180}
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=(FuzzWebVTT FuzzSRT FuzzTTML FuzzJSON3)
WORK=$ROOT/.build-fuzz
EXTERNAL=$ROOT/../shared/external
mkdir -p "$WORK"

seed() {   # seed <target> <dir>
    local dir=$2
    mkdir -p "$dir"
    case $1 in
        FuzzWebVTT)
            cp Fixtures/captions/*.vtt "$dir/"
            [ -d "$EXTERNAL/wpt-webvtt-file-parsing/vtt" ] && cp "$EXTERNAL"/wpt-webvtt-file-parsing/vtt/*.vtt "$dir/"
            [ -d "$EXTERNAL/wpt-webvtt-cue-text-parsing" ] && cp "$EXTERNAL"/wpt-webvtt-cue-text-parsing/*.vtt "$dir/" ;;
        FuzzSRT)
            cp Fixtures/captions/*.srt "$dir/"
            [ -d "$EXTERNAL/srt-cdown/files" ] && cp "$EXTERNAL"/srt-cdown/files/*.srt "$dir/" ;;
        FuzzTTML)
            cp Fixtures/captions/*.ttml Fixtures/captions/*.xml "$dir/"
            [ -d "$EXTERNAL/ttml-imsc-tests/imsc1/ttml/timing" ] && cp "$EXTERNAL"/ttml-imsc-tests/imsc1/ttml/timing/*.ttml "$dir/" ;;
        FuzzJSON3)
            cp Fixtures/captions/*.json3 "$dir/" ;;
    esac
    true
}

# SwiftPM passes "-sanitize=address" and "-sanitize=fuzzer" as two flags and the Swift driver keeps only the last one
# for the compiler, so Swift code would get neither AddressSanitizer nor usable coverage counters ("no interesting
# inputs … is the code instrumented?"). Passing the combined flag as well fixes both.
FLAGS=(-c "${FUZZ_CONFIGURATION:-debug}" --sanitize=fuzzer --sanitize=address -Xswiftc -sanitize=fuzzer,address)

. Scripts/lib/fuzz-loop.sh
run_fuzz_targets Fuzz

