#!/usr/bin/env bash
# ip-classify throughput against Python's ipaddress, and per-process start-up time.
#   LINES=1000000 (input size)   STARTUP_RUNS=200 (start-up samples)
set -euo pipefail
cd "$(dirname "$0")/.."
LINES=${LINES:-1000000}
STARTUP_RUNS=${STARTUP_RUNS:-200}
OUT=Benchmarks/out
mkdir -p "$OUT"

swift build -c release --product nettool >/dev/null
BIN=$(swift build -c release --show-bin-path)/nettool

python3 Benchmarks/support/make_addresses.py "$LINES" > "$OUT/addresses.txt"
echo "input: $LINES mixed lines ($(wc -c < "$OUT/addresses.txt") bytes): IPv4, IPv6, special blocks, prefixes, zones, ~2% invalid"

now() { date +%s.%N; }
best_of() {  # best wall time of 3 runs of "$@" with stdin from the input file
    local best=
    for _ in 1 2 3; do
        local start end
        start=$(now)
        "$@" < "$OUT/addresses.txt" > /dev/null || true
        end=$(now)
        best=$(python3 -c "a=$end-$start; b='$best'; print(a if not b or a < float(b) else b)")
    done
    echo "$best"
}

nettool_s=$(best_of "$BIN" ip-classify --json)
python_s=$(best_of python3 Benchmarks/support/python_classify.py)

# Start-up: one process per address, as a shell loop would call it.
start=$(now)
for _ in $(seq "$STARTUP_RUNS"); do "$BIN" ip-classify 1.2.3.4 > /dev/null; done
end=$(now)

python3 - "$LINES" "$nettool_s" "$python_s" "$start" "$end" "$STARTUP_RUNS" <<'PY'
import sys
lines, n, p, start, end, runs = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]), int(sys.argv[6])
print(f"{'':28}{'seconds':>10}{'addresses/s':>16}")
print(f"{'nettool ip-classify --json':28}{n:>10.3f}{lines / n:>16,.0f}")
print(f"{'python3 ipaddress':28}{p:>10.3f}{lines / p:>16,.0f}")
print(f"ratio: nettool classifies {p / n:.1f}x as many addresses per second (target: >= 10x)")
print(f"start-up: nettool ip-classify 1.2.3.4 takes {(end - start) / runs * 1000:.1f} ms per process (mean of {runs}, shell loop included; "
      "the plain release build: Benchmarks/startup.sh measures the shipped one)")
PY
