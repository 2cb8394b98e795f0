#!/usr/bin/env bash
# capture -r on generated TCP traffic (support/gen_tcp.c: 64-segment connections, 500 at a time,
# handshake, data, a retransmission and a duplicate ACK each, the close; 96-byte snapshots):
# stateless JSON (--absolute-seq, on every core), JSON with every connection tracked (relative
# numbers and analysis, one thread), --conversations alone, against tcpdump -nn -r on the same
# file and tshark -T json on a tenth of it. Each row alternates the commands ROUNDS times and
# gives the medians; a run that exits non-zero or prints nothing is FAILED, never a rate.
#   PACKETS=1000000  ROUNDS=3  NETTOOL (default: the shipped build)
set -euo pipefail
cd "$(dirname "$0")/.."
PACKETS=${PACKETS:-1000000}
ROUNDS=${ROUNDS:-3}
OUT=Benchmarks/out
mkdir -p "$OUT"
[ -n "${NETTOOL:-}" ] || { make -s build >/dev/null; NETTOOL=.build/dist/release/nettool; }
source Benchmarks/support/lib.sh
cc -O2 -o "$OUT/gen_tcp" Benchmarks/support/gen_tcp.c -lpcap
FILE="$OUT/tcp-$PACKETS.pcap"
SMALL="$OUT/tcp-$((PACKETS / 10)).pcap"
[ -s "$FILE" ] || "$OUT/gen_tcp" "$PACKETS" "$FILE"
[ -s "$SMALL" ] || "$OUT/gen_tcp" $((PACKETS / 10)) "$SMALL"

# Seconds one command takes, its output counted; "FAILED" when it exits non-zero or prints nothing.
timed() {
    local start end lines
    start=$(date +%s.%N)
    if ! lines=$("$@" 2>/dev/null | wc -l) || [ "$lines" -eq 0 ]; then echo FAILED; return; fi
    end=$(date +%s.%N)
    awk -v s="$start" -v e="$end" 'BEGIN { printf "%.4f", e - s }'
}
rate() {  # PACKETS SECONDS...
    local n=$1; shift
    if printf '%s\n' "$@" | grep -q FAILED; then echo FAILED; return; fi
    awk -v n="$n" -v t="$(printf '%s\n' "$@" | median)" 'BEGIN { printf "%.0f", n / t }'
}

declare -A T
names=(stateless tracked conversations tcpdump small tshark)
for _ in $(seq "$ROUNDS"); do
    T[stateless]+=" $(timed "$NETTOOL" capture -r "$FILE" --tcp --json --absolute-seq)"
    T[tracked]+=" $(timed "$NETTOOL" capture -r "$FILE" --tcp --json)"
    # --quiet prints only the summary and the conversations: counted, so an empty run fails.
    T[conversations]+=" $(timed "$NETTOOL" capture -r "$FILE" --tcp --conversations --quiet)"
    T[tcpdump]+=" $(timed tcpdump -nn -r "$FILE")"
    T[small]+=" $(timed "$NETTOOL" capture -r "$SMALL" --tcp --json)"
    T[tshark]+=" $(timed tshark -n -r "$SMALL" -T json)"
done
printf '%-58s %14s\n' "reader (median of $ROUNDS, $(date +%F), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs))" packets/s
printf '%-58s %14s\n' "nettool capture -r --tcp --json --absolute-seq, $PACKETS" "$(rate "$PACKETS" ${T[stateless]})"
printf '%-58s %14s\n' "nettool capture -r --tcp --json (tracked), $PACKETS" "$(rate "$PACKETS" ${T[tracked]})"
printf '%-58s %14s\n' "nettool capture -r --tcp --conversations --quiet, $PACKETS" "$(rate "$PACKETS" ${T[conversations]})"
printf '%-58s %14s\n' "tcpdump -nn -r, $PACKETS" "$(rate "$PACKETS" ${T[tcpdump]})"
printf '%-58s %14s\n' "nettool capture -r --tcp --json (tracked), $((PACKETS / 10))" "$(rate $((PACKETS / 10)) ${T[small]})"
printf '%-58s %14s\n' "tshark -n -r -T json, $((PACKETS / 10))" "$(rate $((PACKETS / 10)) ${T[tshark]})"
