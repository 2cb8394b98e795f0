#!/usr/bin/env bash
# How close tcp-echo-server is to SwiftNIO's own floor: nettool's server, the smallest NIO echo
# server (support/nio-echo: one handler that writes back what it reads and flushes, the same
# socket options) and the C epoll server, driven by the same C load generator in one
# alternating run (the order rotates each round), medians of ROUNDS. Prints msgs/s and the
# server's CPU µs per echoed message, then nettool/NIO and NIO/C. Loopback only; every server
# started here is killed.
#   ROUNDS=5 DURATION=3 CONNECTIONS="64 1000" SIZE=64
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-5}
DURATION=${DURATION:-3}
CONNECTIONS=${CONNECTIONS:-64 1000}
SIZE=${SIZE:-64}
OUT=Benchmarks/out
mkdir -p "$OUT"
swift build -c release --product nettool >/dev/null
NETTOOL=$(swift build -c release --show-bin-path)/nettool
swift build -c release --package-path Benchmarks/support/nio-echo >/dev/null
NIOECHO=$(swift build -c release --package-path Benchmarks/support/nio-echo --show-bin-path)/nio-echo
cc -O2 -o "$OUT/echo_server" Benchmarks/support/echo_server.c -lpthread
cc -O2 -o "$OUT/echo_load" Benchmarks/support/echo_load.c -lpthread
ulimit -n "$(ulimit -Hn)"
source Benchmarks/support/lib.sh
guard_server

run() {  # run KIND CONNECTIONS: prints "msgs/s cpu-µs-per-message"
    local p
    p=$(port)
    case $1 in
        nettool) "$NETTOOL" tcp-echo-server --bind 127.0.0.1 --port "$p" --quiet 2>/dev/null & ;;
        nio) "$NIOECHO" "$p" & ;;
        c) "$OUT/echo_server" "$p" & ;;
    esac
    SERVER=$!
    load_server "$1" "$p" "$2"
}

for conns in $CONNECTIONS; do
    declare -A RATES=() CPUS=()
    printf '== %s connections x %s B, %ss per run ==\n%-6s %-8s %12s %14s\n' "$conns" "$SIZE" "$DURATION" round server msgs/s "cpu µs/msg"
    for round in $(seq "$ROUNDS"); do
        case $((round % 3)) in 1) order="nettool nio c" ;; 2) order="nio c nettool" ;; 0) order="c nettool nio" ;; esac
        for kind in $order; do
            read -r rate per <<< "$(run "$kind" "$conns")"
            printf '%-6s %-8s %12s %14s\n' "$round" "$kind" "$rate" "$per"
            RATES[$kind]+="$rate "; CPUS[$kind]+="$per "
        done
    done
    for kind in nettool nio c; do
        printf 'median %-8s %12s msgs/s %8s µs/msg\n' "$kind" "$(tr ' ' '\n' <<< "${RATES[$kind]}" | grep . | median)" \
            "$(tr ' ' '\n' <<< "${CPUS[$kind]}" | grep . | median)"
    done
    n=$(tr ' ' '\n' <<< "${RATES[nettool]}" | grep . | median); f=$(tr ' ' '\n' <<< "${RATES[nio]}" | grep . | median)
    c=$(tr ' ' '\n' <<< "${RATES[c]}" | grep . | median)
    awk -v n="$n" -v f="$f" -v c="$c" 'BEGIN { printf "nettool/NIO floor %.2f   NIO floor/C %.2f   nettool/C %.2f\n\n", n / f, f / c, n / c }'
done
