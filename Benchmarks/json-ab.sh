#!/usr/bin/env bash
# Two nettool builds (A=path B=path, release binaries) on the JSON writers' hot paths, in one
# alternating run of ROUNDS: ip-classify --json on LINES addresses, capture -r --json on PACKETS
# frames, port-classify --json on ports 1-2000. Prints each round's wall times and the means;
# compare the two columns of one run, never runs from different times.
#   A=/tmp/nettool-A B=/tmp/nettool-B ROUNDS=5 LINES=1000000 PACKETS=1000000
set -euo pipefail
cd "$(dirname "$0")/.."
: "${A:?set A=path to the first nettool binary}" "${B:?set B=path to the second}"
ROUNDS=${ROUNDS:-5}; LINES=${LINES:-1000000}; PACKETS=${PACKETS:-1000000}
OUT=Benchmarks/out
mkdir -p "$OUT"
[ -s "$OUT/addresses.txt" ] || python3 Benchmarks/support/make_addresses.py "$LINES" > "$OUT/addresses.txt"
cc -O2 -o "$OUT/gen_arp_ndp" Benchmarks/support/gen_arp_ndp.c -lpcap
[ -s "$OUT/arp-ndp-$PACKETS.pcap" ] || "$OUT/gen_arp_ndp" "$PACKETS" "$OUT/arp-ndp-$PACKETS.pcap" >/dev/null
t() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s.%N); awk -v s="$s" -v e="$e" 'BEGIN { printf "%.3f", e - s }'; }
printf '%-6s %-2s %12s %12s %12s\n' round side ip-json-s capture-json-s port-json-s
results=""
for round in $(seq "$ROUNDS"); do
    for side in A B; do
        bin=${!side}
        ip=$(t sh -c "'$bin' ip-classify --json < '$OUT/addresses.txt'")
        cap=$(t "$bin" capture -r "$OUT/arp-ndp-$PACKETS.pcap" --json)
        port=$(t "$bin" port-classify --json 1-2000)
        printf '%-6s %-2s %12s %12s %12s\n' "$round" "$side" "$ip" "$cap" "$port"
        results+="$side $ip $cap $port"$'\n'
    done
done
echo "$results" | awk 'NF == 4 { n[$1]++; ip[$1] += $2; cap[$1] += $3; port[$1] += $4 }
    END { for (s in n) printf "mean %s %12.3f %12.3f %12.3f\n", s, ip[s] / n[s], cap[s] / n[s], port[s] / n[s] }' | sort
