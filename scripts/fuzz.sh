#!/usr/bin/env bash
# `make fuzz SECONDS=600`: builds every harness in Fuzz/ with libFuzzer and AddressSanitizer and
# runs each for SECONDS (JOBS at a time), starting from its committed seeds (Fuzz/Corpus/NAME)
# plus what earlier runs found (Fuzz/.work/NAME, not committed). A crash, a leak, an input that
# runs over 10 s or allocates over 512 MB at once (a length field trusted) stops that harness
# and is saved as Fuzz/findings/NAME-crash-…; turn it into a test, fix it, and run again. Linked
# with lld: ld.gold stops with an internal error on these binaries.
# Ends with one line per harness: executions, coverage (cov: edges, ft: features), findings.
#   SECONDS=600 JOBS=$(nproc) HARNESSES="fuzz-units fuzz-hex-payload" (default: all)
set -euo pipefail
# A Swift trap is reported by libFuzzer; the runtime's own backtracer would trip over ASan.
export SWIFT_BACKTRACE=enable=no
cd "$(dirname "$0")/.."
RUN_SECONDS=${FUZZ_SECONDS:-600}
JOBS=${JOBS:-$(nproc)}
ALL=$(ls Fuzz/Harnesses)
HARNESSES=${HARNESSES:-$ALL}

swift build -c release --package-path Fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld -Xswiftc -enable-testing 2>&1 \
    | grep -v "Cannot export local symbol" | tail -3
BIN=$(swift build -c release --package-path Fuzz --show-bin-path)
mkdir -p Fuzz/findings Fuzz/.work Fuzz/.logs

run() {  # NAME: one harness for RUN_SECONDS; its log in Fuzz/.logs/NAME.log
    local name=$1
    mkdir -p "Fuzz/.work/$name"
    # ASan's leak check stays on: a leak is a finding too.
    "$BIN/$name" "Fuzz/.work/$name" "Fuzz/Corpus/$name" -max_total_time="$RUN_SECONDS" -timeout=10 \
        -malloc_limit_mb=512 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="Fuzz/findings/$name-" \
        > "Fuzz/.logs/$name.log" 2>&1 || true
}

running=0
for name in $HARNESSES; do
    run "$name" &
    running=$((running + 1))
    if [ "$running" -ge "$JOBS" ]; then wait -n; running=$((running - 1)); fi
done
wait

printf '%-22s %12s %8s %8s %8s  %s\n' harness executions exec/s cov ft findings
for name in $HARNESSES; do
    log=Fuzz/.logs/$name.log
    runs=$(awk '/stat::number_of_executed_units/ {print $2}' "$log")
    speed=$(awk '/stat::average_exec_per_sec/ {print $2}' "$log")
    line=$(grep -E '^#[0-9]+' "$log" | tail -1)
    cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<< "$line")
    ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<< "$line")
    findings=$(ls Fuzz/findings 2>/dev/null | grep -c "^$name-" || true)
    problem=$(grep -m1 -E 'ERROR: (AddressSanitizer|libFuzzer|LeakSanitizer)|Fatal error|SUMMARY' "$log" || true)
    printf '%-22s %12s %8s %8s %8s  %s\n' "$name" "${runs:-?}" "${speed:-?}" "${cov:-?}" "${ft:-?}" "$findings${problem:+ ($problem)}"
done
