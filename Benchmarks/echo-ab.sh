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
TICK=$(getconf CLK_TCK)

SERVER=
cleanup() { [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null || true; }
trap cleanup EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done; return 1; }
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
median() { sort -g | awk '{v[NR] = $1} END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

run() {  # run BINARY: prints "msgs/s cpu-µs-per-message"
    local p c0 c1
    p=$(port)
    "$1" tcp-echo-server --bind 127.0.0.1 --port "$p" --quiet 2>/dev/null & SERVER=$!
    wait_port "$p"
    c0=$(cpu "$SERVER")
    read -r messages _ rate _ errors < <("$OUT/echo_load" bench "$p" "$CONNECTIONS" "$SIZE" 1 "$DURATION")
    c1=$(cpu "$SERVER")
    kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=
    [ "$errors" = 0 ] || echo "   ($errors connections failed or stalled)" >&2
    awk -v r="$rate" -v t=$((c1 - c0)) -v k="$TICK" -v m="$messages" 'BEGIN { printf "%s %.2f\n", r, (m > 0 ? t / k * 1e6 / m : 0) }'
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
