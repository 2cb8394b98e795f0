#!/usr/bin/env bash
# A/B of two tcp-echo-server builds in one alternating run, driven by the C load generator
# (support/echo_load.c): for each round, A then B (then B then A in the next round, so neither
# side always runs first), at CONNECTIONS connections with SIZE-byte ping-pong messages for
# DURATION seconds. Prints each run's msgs/s and the server's CPU µs per echoed message, then
# the medians and B/A. Loopback only; every server started here is killed.
#   A=path/to/nettool B=path/to/nettool  ROUNDS=5 DURATION=3 CONNECTIONS=64 SIZE=64
set -euo pipefail
cd "$(dirname "$0")/.."
: "${A:?A=path to the first nettool}" "${B:?B=path to the second nettool}"
ROUNDS=${ROUNDS:-5}
DURATION=${DURATION:-3}
CONNECTIONS=${CONNECTIONS:-64}
SIZE=${SIZE:-64}
OUT=Benchmarks/out
mkdir -p "$OUT"
cc -O2 -o "$OUT/echo_load" Benchmarks/support/echo_load.c -lpthread
ulimit -n "$(ulimit -Hn)"
source Benchmarks/support/lib.sh
guard_server

run() {  # run BINARY: prints "msgs/s cpu-µs-per-message"
    local p
    p=$(port)
    "$1" tcp-echo-server --bind 127.0.0.1 --port "$p" --quiet 2>/dev/null & SERVER=$!
    load_server "$1" "$p" "$CONNECTIONS"
}

declare -a RA CA RB CB
printf '%-6s %-4s %12s %14s\n' round side msgs/s "cpu µs/msg"
for round in $(seq "$ROUNDS"); do
    order="A B"; [ $((round % 2)) = 0 ] && order="B A"
    for side in $order; do
        binary=$A; [ "$side" = B ] && binary=$B
        read -r rate per <<< "$(run "$binary")"
        printf '%-6s %-4s %12s %14s\n' "$round" "$side" "$rate" "$per"
        if [ "$side" = A ]; then RA+=("$rate"); CA+=("$per"); else RB+=("$rate"); CB+=("$per"); fi
    done
done
ma=$(printf '%s\n' "${RA[@]}" | median); mb=$(printf '%s\n' "${RB[@]}" | median)
ca=$(printf '%s\n' "${CA[@]}" | median); cb=$(printf '%s\n' "${CB[@]}" | median)
printf 'median  A %s msgs/s, %s µs/msg;  B %s msgs/s, %s µs/msg;  B/A msgs/s %.3f\n' "$ma" "$ca" "$mb" "$cb" \
    "$(awk -v a="$ma" -v b="$mb" 'BEGIN { print (a > 0 ? b / a : 0) }')"
