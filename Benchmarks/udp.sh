#!/usr/bin/env bash
# udp-send and udp-recv on loopback against a minimal C sender/receiver (built here), for
# 64- and 1400-byte datagrams. udp-send runs twice: as it ships (unpaced copies of one payload
# grouped by UDP_SEGMENT) and with --no-gso (each datagram its own trip down the kernel's stack,
# like the C sender's send() loop). Every run is bounded: COUNT datagrams, and each receiver
# stops after 1 s of silence.
#   COUNT=200000   RATES="50000 100000 200000 250000 300000 350000 400000" (paced rates tried for lossless receive)
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${COUNT:-200000}
RATES=${RATES:-"50000 100000 200000 250000 300000 350000 400000"}
OUT=Benchmarks/out
mkdir -p "$OUT"

swift build -c release --product nettool >/dev/null
NETTOOL=$(swift build -c release --show-bin-path)/nettool
PEER=$OUT/udp_peer
cc -O2 -o "$PEER" Benchmarks/support/udp_peer.c

port() { python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
field() { python3 -c "import json,sys; print(json.loads(open(sys.argv[1]).read().splitlines()[-1])[sys.argv[2]])" "$1" "$2"; }

# C receiver on a port; prints "received seconds rate" when done.
c_recv() { "$PEER" recv "$1" "$COUNT" 1000 > "$2" & sleep 0.3; }
# nettool receiver; its JSON summary is the last line of $2.
n_recv() {
    "$NETTOOL" udp-recv --bind 127.0.0.1 --port "$1" --count "$COUNT" --timeout 1s --quiet --json > "$2" 2>/dev/null &
    sleep 0.5
}

printf '%-6s %-44s %14s %14s %8s\n' size run datagrams/s received loss
for size in 64 1400; do
    # Senders at full speed into the C receiver; best of 3 alternating runs each, since a
    # shared machine's noise moves single runs by tens of percent.
    c_send_rate=0; n_send_rate=0; c_got=0; n_got=0; p_send_rate=0; p_got=0
    for _ in 1 2 3; do
        p=$(port); c_recv "$p" "$OUT/r.txt"
        read -r _ _ rate < <("$PEER" send 127.0.0.1 "$p" "$size" "$COUNT"); wait
        read -r got _ _ < "$OUT/r.txt"
        if [ "$rate" -gt "$c_send_rate" ]; then c_send_rate=$rate; c_got=$got; fi

        p=$(port); c_recv "$p" "$OUT/r.txt"
        "$NETTOOL" udp-send 127.0.0.1 "$p" --size "$size" --count "$COUNT" --rate max --json > "$OUT/s.json"; wait
        rate=$(field "$OUT/s.json" datagrams_per_sec); rate=${rate%.*}
        read -r got _ _ < "$OUT/r.txt"
        if [ "$rate" -gt "$n_send_rate" ]; then n_send_rate=$rate; n_got=$got; fi

        p=$(port); c_recv "$p" "$OUT/r.txt"
        "$NETTOOL" udp-send 127.0.0.1 "$p" --size "$size" --count "$COUNT" --rate max --no-gso --json > "$OUT/s.json"; wait
        rate=$(field "$OUT/s.json" datagrams_per_sec); rate=${rate%.*}
        read -r got _ _ < "$OUT/r.txt"
        if [ "$rate" -gt "$p_send_rate" ]; then p_send_rate=$rate; p_got=$got; fi
    done
    printf '%-6s %-44s %14s %14s %8s\n' "$size" "C sender -> C receiver (best of 3)" "$c_send_rate" "$c_got" "$(python3 -c "print(f\"{($COUNT - $c_got) * 100 / $COUNT:.2f}%\")")"
    printf '%-6s %-44s %14s %14s %8s\n' "$size" "nettool udp-send -> C receiver (best of 3)" "$n_send_rate" "$n_got" "$(python3 -c "print(f\"{($COUNT - $n_got) * 100 / $COUNT:.2f}%\")")"
    printf '%-6s %-44s %14s %14s %8s\n' "$size" "nettool udp-send --no-gso -> C (best of 3)" "$p_send_rate" "$p_got" "$(python3 -c "print(f\"{($COUNT - $p_got) * 100 / $COUNT:.2f}%\")")"
    python3 -c "print(f'{\"\":6} sender ratio nettool/C: {$n_send_rate/$c_send_rate:.2f} with GSO, {$p_send_rate/$c_send_rate:.2f} with --no-gso (target >= 0.80)')"

    # nettool to nettool at full speed: grouped sends (GSO) arrive as grouped reads (GRO), so
    # both ends pay per group; the receiver's own rate is over the time datagrams were arriving.
    best_got=0; best_rate=0; best_send=0
    for _ in 1 2 3; do
        p=$(port); n_recv "$p" "$OUT/n.json"
        "$NETTOOL" udp-send 127.0.0.1 "$p" --size "$size" --count "$COUNT" --rate max --json > "$OUT/s.json"; wait
        got=$(field "$OUT/n.json" datagrams)
        if [ "$got" -gt "$best_got" ]; then
            best_got=$got; best_rate=$(field "$OUT/n.json" datagrams_per_sec); best_rate=${best_rate%.*}
            best_send=$(field "$OUT/s.json" datagrams_per_sec); best_send=${best_send%.*}
        fi
    done
    printf '%-6s %-44s %14s %14s %8s\n' "$size" "nettool udp-send -> nettool udp-recv (best of 3)" "$best_send" "$best_got" "$(python3 -c "print(f\"{($COUNT - $best_got) * 100 / $COUNT:.2f}%\")")"
    printf '%-6s %-44s %14s\n' "" "   udp-recv's own rate while they arrived" "$best_rate"

    # Receivers: the highest paced rate each takes without loss.
    best_c=0; best_n=0
    for rate in $RATES; do
        p=$(port); c_recv "$p" "$OUT/r.txt"
        "$PEER" send 127.0.0.1 "$p" "$size" "$COUNT" "$rate" > /dev/null; wait
        read -r got _ _ < "$OUT/r.txt"
        [ "$got" -eq "$COUNT" ] && best_c=$rate
        p=$(port); n_recv "$p" "$OUT/n.json"
        "$PEER" send 127.0.0.1 "$p" "$size" "$COUNT" "$rate" > /dev/null; wait
        got=$(field "$OUT/n.json" datagrams)
        printf '%-6s %-44s %14s %14s %8s\n' "$size" "C sender at $rate/s -> nettool udp-recv" "$rate" "$got" "$(python3 -c "print(f\"{($COUNT - $got) * 100 / $COUNT:.2f}%\")")"
        [ "$got" -eq "$COUNT" ] && best_n=$rate
    done
    python3 -c "print(f'{\"\":6} lossless receive: nettool {$best_n}/s, C {$best_c}/s of the rates tried; ratio {($best_n/$best_c if $best_c else 0):.2f} (target >= 0.80)')"
done
