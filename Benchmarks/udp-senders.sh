#!/usr/bin/env bash
# udp-recv's memory against a flood of spoofed senders: SENDERS datagrams on loopback, each from
# its own source address (127.1.0.0/16 and up, written with a raw socket, so it needs root), into
# udp-recv with its default --table-limit and with a limit above SENDERS (every sender kept, as
# before the table was bounded). Prints udp-recv's RSS when idle and after the flood, and what its
# summary says. Bounded: SENDERS datagrams at about 50,000/s, and udp-recv stops 5 s after the last.
#   SENDERS=400000   LIMITS="default 800000" (--table-limit values; default: the default and 2 x SENDERS)
#   NETTOOL=path/to/nettool (default: the release build)
set -euo pipefail
cd "$(dirname "$0")/.."
SENDERS=${SENDERS:-400000}
LIMITS=${LIMITS:-"default $((SENDERS * 2))"}
if [ -z "${NETTOOL:-}" ]; then
    swift build -c release --product nettool >/dev/null
    NETTOOL=$(swift build -c release --show-bin-path)/nettool
fi
OUT=Benchmarks/out
mkdir -p "$OUT"
rss() { awk '/^VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }

flood() {  # PORT: one datagram from each of SENDERS spoofed 127.x.y.z sources
    python3 - "$1" "$SENDERS" <<'PY'
import socket, struct, sys, time
port, senders = int(sys.argv[1]), int(sys.argv[2])
raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
payload = b"spoofed"
start = time.monotonic()
for i in range(senders):
    source = bytes([127, 1 + (i >> 16), (i >> 8) & 0xFF, i & 0xFF])
    udp = struct.pack("!HHHH", 1024 + i % 50000, port, 8 + len(payload), 0) + payload
    # The kernel fills in the IPv4 checksum, the total length and the ID (IP_HDRINCL).
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 0, 0, 0, 64, socket.IPPROTO_UDP, 0, source, bytes([127, 0, 0, 1]))
    raw.sendto(ip + udp, ("127.0.0.1", 0))
    if i % 500 == 499:
        time.sleep(max(0, start + (i + 1) / 50000 - time.monotonic()))
PY
}

printf '%-28s %10s %12s  %s\n' run "idle MB" "flooded MB" summary
for limit in $LIMITS; do
    args=(udp-recv --bind 127.0.0.1 --port 0 --timeout 5s --quiet)
    [ "$limit" = default ] || args+=(--table-limit "$limit")
    "$NETTOOL" "${args[@]}" 2> "$OUT/senders.txt" &
    pid=$!
    for _ in $(seq 100); do grep -q "listening on" "$OUT/senders.txt" && break; sleep 0.05; done
    port=$(sed -n 's/.*:\([0-9]*\)\/udp.*/\1/p' "$OUT/senders.txt" | head -1)
    idle=$(rss "$pid")
    flood "$port"
    sleep 0.5
    flooded=$(rss "$pid")
    wait "$pid" || true
    printf '%-28s %10s %12s  %s\n' "--table-limit $limit" "$idle" "$flooded" "$(grep -E '^received' "$OUT/senders.txt" | sed 's/ in [0-9].*datagrams\/s from first to last)//; s/; stopped after the idle timeout//')"
done
