#!/usr/bin/env bash
# Start-up time of `nettool --version` and `nettool ip-classify 1.2.3.4`: mean of RUNS starts
# each (perf stat -r), for the binary users run (make build's, stripped as make install does)
# and, to compare, the plain `swift build -c release` one, alternating ROUNDS times.
#   RUNS=100 ROUNDS=3
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-100}; ROUNDS=${ROUNDS:-3}
command -v perf >/dev/null || { echo "needs perf (apt-get install linux-perf)" >&2; exit 1; }
make build >/dev/null
swift build -c release --product nettool >/dev/null
OUT=Benchmarks/out
mkdir -p "$OUT"
strip -o "$OUT/nettool-shipped" .build/dist/release/nettool
DYNAMIC=$(swift build -c release --show-bin-path)/nettool
ms() { perf stat -r "$RUNS" "$@" 2>&1 >/dev/null | awk '/seconds time elapsed/ { printf "%.1f", $1 * 1000 }'; }
printf '%-44s %12s %24s\n' binary "--version ms" "ip-classify 1.2.3.4 ms"
for _ in $(seq "$ROUNDS"); do
    for binary in "$OUT/nettool-shipped" "$DYNAMIC"; do
        printf '%-44s %12s %24s\n' "$binary" "$(ms "$binary" --version)" "$(ms "$binary" ip-classify 1.2.3.4)"
    done
done
echo "shared libraries of the shipped binary: $(ldd "$OUT/nettool-shipped" | awk '{print $1}' | tr '\n' ' ')"
