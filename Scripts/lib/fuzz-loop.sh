# Sourced by the fuzz scripts: builds and runs each libFuzzer target of one package for a while.
# Uses: TARGETS (array), FLAGS (array), WORK, SECONDS_PER_TARGET, and a `seed TARGET DIR` function.
# run_fuzz_targets PACKAGE_DIR  -> prints one line per target; returns 1 when any target crashed.
run_fuzz_targets() {
    local package=$1 status=0 target binary corpus artifacts start result ran execs
    for target in "${TARGETS[@]}"; do
        echo "== $target: build"
        (cd "$package" && swift build --product "$target" "${FLAGS[@]}" 2>&1 \
            | grep -vE "Cannot export local symbol" | tail -3)
        binary=$(cd "$package" && swift build --product "$target" "${FLAGS[@]}" --show-bin-path)/$target
        corpus=$WORK/corpus/$target
        artifacts=$WORK/artifacts/$target/
        seed "$target" "$corpus"
        mkdir -p "$artifacts"
        echo "== $target: run ${SECONDS_PER_TARGET}s"
        start=$(date +%s)
        if "$binary" "$corpus" -max_total_time="$SECONDS_PER_TARGET" -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
            -artifact_prefix="$artifacts" -print_final_stats=1 >"$WORK/$target.log" 2>&1; then
            result="no crash"
        else
            result="CRASH (see $WORK/$target.log and $artifacts)"
            status=1
        fi
        ran=$(( $(date +%s) - start ))
        execs=$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$WORK/$target.log" | grep -Eo '[0-9]+$' || echo "?")
        echo "== $target: ${ran}s, ${execs} executions, $result"
    done
    return $status
}
