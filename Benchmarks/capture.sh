#!/usr/bin/env bash
# Decoding speed of `nettool capture -r` on a generated pcap of PACKETS mixed ARP/NDP frames
# (support/gen_arp_ndp.c: requests, replies, probes, announcements, RS, RA with options, NS,
# DAD, NA, Redirect; 1 in 5 VLAN-tagged; 1 in 1000 malformed), against tcpdump -nn -r,
# tcpdump -nn -v -r, tshark (text and -T json, when installed, on TSHARK_PACKETS of them) and a
# C loop that only calls pcap_next_ex (the limit). Everything writes to /dev/null. Best of
# ROUNDS wall times; peak RSS of nettool on the whole file and on a tenth of it (flat memory).
#   PACKETS=1000000  ROUNDS=3  TSHARK_PACKETS=100000
set -euo pipefail
cd "$(dirname "$0")/.."
PACKETS=${PACKETS:-1000000}
ROUNDS=${ROUNDS:-3}
TSHARK_PACKETS=${TSHARK_PACKETS:-100000}
OUT=Benchmarks/out
mkdir -p "$OUT"

swift build -c release --product nettool >/dev/null
NETTOOL=$(swift build -c release --show-bin-path)/nettool
cc -O2 -o "$OUT/gen_arp_ndp" Benchmarks/support/gen_arp_ndp.c -lpcap
cc -O2 -o "$OUT/next_ex_loop" Benchmarks/support/next_ex_loop.c -lpcap
FILE="$OUT/arp-ndp-$PACKETS.pcap"
TENTH="$OUT/arp-ndp-$((PACKETS / 10)).pcap"
[ -s "$FILE" ] || "$OUT/gen_arp_ndp" "$PACKETS" "$FILE"
[ -s "$TENTH" ] || "$OUT/gen_arp_ndp" $((PACKETS / 10)) "$TENTH"
SMALL="$OUT/arp-ndp-$TSHARK_PACKETS.pcap"
[ -s "$SMALL" ] || "$OUT/gen_arp_ndp" "$TSHARK_PACKETS" "$SMALL"

# Best (shortest) wall time in seconds of ROUNDS runs of a command, output to /dev/null.
best_time() {
    local best="" start end t
    for _ in $(seq "$ROUNDS"); do
        start=$(date +%s.%N); "$@" >/dev/null 2>&1; end=$(date +%s.%N)
        t=$(awk -v s="$start" -v e="$end" 'BEGIN { print e - s }')
        best=$(awk -v a="$best" -v b="$t" 'BEGIN { print (a == "" || b < a) ? b : a }')
    done
    echo "$best"
}

declare -A T N
row() { T[$1]=$(best_time "${@:3}"); N[$1]=$2; }
row limit "$PACKETS" "$OUT/next_ex_loop" "$FILE"
row text "$PACKETS" "$NETTOOL" capture -r "$FILE"
row json "$PACKETS" "$NETTOOL" capture -r "$FILE" --json
row table "$PACKETS" "$NETTOOL" capture -r "$FILE" --table --quiet
row verbose "$PACKETS" "$NETTOOL" capture -r "$FILE" -v
row tcpdump "$PACKETS" tcpdump -nn -r "$FILE"
row tcpdumpv "$PACKETS" tcpdump -nn -v -r "$FILE"
keys="limit text json table verbose tcpdump tcpdumpv"
if command -v tshark >/dev/null 2>&1; then
    ROUNDS=1 row tshark "$TSHARK_PACKETS" tshark -n -r "$SMALL"
    ROUNDS=1 row tsharkjson "$TSHARK_PACKETS" tshark -n -r "$SMALL" -T json
    keys="$keys tshark tsharkjson"
fi

rate() { awk -v n="${N[$1]}" -v t="${T[$1]}" 'BEGIN { printf "%.0f", n / t }'; }
printf '%-46s %12s %10s %10s %10s\n' "reader (best of $ROUNDS, to /dev/null)" packets/s seconds "vs limit" "vs tcpdump"
for key in $keys; do
    case $key in
        limit) name="C pcap_next_ex loop (the limit)" ;; text) name="nettool capture -r" ;;
        json) name="nettool capture -r --json" ;; table) name="nettool capture -r --table --quiet" ;;
        verbose) name="nettool capture -r -v" ;; tcpdump) name="tcpdump -nn -r" ;; tcpdumpv) name="tcpdump -nn -v -r" ;;
        tshark) name="tshark -n -r (${TSHARK_PACKETS} packets, 1 run)" ;; tsharkjson) name="tshark -n -r -T json (${TSHARK_PACKETS}, 1 run)" ;;
    esac
    r=$(rate "$key")
    printf '%-46s %12s %10.3f %10.2f %10.2f\n' "$name" "$r" "${T[$key]}" \
        "$(awk -v a="$r" -v b="$(rate limit)" 'BEGIN { print a / b }')" "$(awk -v a="$r" -v b="$(rate tcpdump)" 'BEGIN { print a / b }')"
done
if [ -n "${T[tsharkjson]:-}" ]; then
    echo "nettool --json vs tshark -T json: $(awk -v a="$(rate json)" -v b="$(rate tsharkjson)" 'BEGIN { printf "%.1f", a / b }')x"
fi

echo
echo "peak RSS of nettool capture -r --json --table (flat memory: the table holds one row per address)"
for f in "$TENTH" "$FILE"; do
    n=$(basename "$f" .pcap | sed 's/arp-ndp-//')
    rss=$(/usr/bin/time -f %M "$NETTOOL" capture -r "$f" --json --table 2>&1 >/dev/null | tail -1)
    printf '  %9s packets: %6.1f MB\n' "$n" "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')"
done
