#!/usr/bin/env bash
# TCP echo on loopback, in one go:
#  1. servers: nettool tcp-echo-server, a minimal C epoll server (support/echo_server.c),
#     `socat TCP-LISTEN,fork PIPE` and `ncat --exec cat` (when installed), each driven by the
#     same C load generator (support/echo_load.c) at 1, 64 and 1,000 connections with 64-byte
#     and 16 KiB ping-pong messages: msgs/s, p99 latency, server RSS (process tree) mid-run,
#     and the server's CPU time per echoed message (user + system, live processes only);
#  2. clients: nettool tcp-echo-client --bench and the C load generator against the C server;
#  3. resident memory of nettool's server (and the C server) holding 10,000 idle connections.
# Every run is bounded by DURATION; every server started here is killed at the end.
#   DURATION=3 (seconds per run)  ROUNDS=1 (runs per cell; the median is shown)
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-3}
ROUNDS=${ROUNDS:-1}
OUT=Benchmarks/out
mkdir -p "$OUT"

swift build -c release --product nettool >/dev/null
NETTOOL=$(swift build -c release --show-bin-path)/nettool
cc -O2 -o "$OUT/echo_server" Benchmarks/support/echo_server.c -lpthread
cc -O2 -o "$OUT/echo_load" Benchmarks/support/echo_load.c -lpthread
ulimit -n "$(ulimit -Hn)"

PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do pkill -P "$pid" 2>/dev/null || true; kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done; return 1; }
# Resident KiB of a process and all its descendants (socat and ncat fork per connection).
tree_rss() {
    local total child
    total=$(awk '/^VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0)
    for child in $(pgrep -P "$1" 2>/dev/null || true); do total=$((total + $(tree_rss "$child"))); done
    echo "${total:-0}"
}
div() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.6f", (b > 0 ? a / b : 0) }'; }
# nettool's rate over a peer's as text; "n/a" when the peer managed nothing at all.
ratio() { awk -v a="$1" -v b="${2:-0}" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
# CPU ticks (user + system) used so far by a process and its live descendants.
tree_cpu() {
    local total child
    total=$(awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0)
    for child in $(pgrep -P "$1" 2>/dev/null || true); do total=$((total + $(tree_cpu "$child"))); done
    echo "${total:-0}"
}
TICK=$(getconf CLK_TCK)
median() { sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

start_server() {  # name port → sets SERVER_PID
    case $1 in
        nettool) "$NETTOOL" tcp-echo-server --bind 127.0.0.1 --port "$2" --quiet 2>/dev/null & ;;
        c) "$OUT/echo_server" "$2" & ;;
        socat) socat "TCP-LISTEN:$2,bind=127.0.0.1,reuseaddr,fork,backlog=4096" PIPE & ;;
        ncat) ncat -l 127.0.0.1 "$2" -k -m 5000 --exec /bin/cat & ;;
    esac
    SERVER_PID=$!
    PIDS+=("$SERVER_PID")
    wait_port "$2"
}

SERVERS="nettool c socat"
command -v ncat >/dev/null && SERVERS="$SERVERS ncat" || echo "(ncat not installed: its column is left out; apt-get install ncat)"

echo "== servers, driven by the C load generator: ${DURATION}s per run, median of $ROUNDS =="
printf '%-8s %6s %6s %12s %10s %10s %12s\n' server conns size msgs/s p99_us rss_MB cpu_us/msg
declare -A RATE
for size in 64 16384; do
    for conns in 1 64 1000; do
        for server in $SERVERS; do
            rates=(); p99s=(); cpus=(); rss=0
            for _ in $(seq "$ROUNDS"); do
                p=$(port); start_server "$server" "$p"
                cpu0=$(tree_cpu "$SERVER_PID")
                "$OUT/echo_load" bench "$p" "$conns" "$size" 1 "$DURATION" > "$OUT/load.txt" &
                load=$!
                sleep "$(div "$DURATION" 2)"
                rss=$(tree_rss "$SERVER_PID")
                wait "$load"
                cpu1=$(tree_cpu "$SERVER_PID")
                read -r messages _ rate p99 errors < "$OUT/load.txt"
                cpus+=("$(awk -v t=$((cpu1 - cpu0)) -v k="$TICK" -v m="$messages" 'BEGIN { if (m > 0 && t > 0) printf "%.2f", t / k * 1e6 / m; else print "n/a" }')")
                [ "$errors" = 0 ] || echo "   ($server: $errors connections failed or stalled)"
                rates+=("$rate"); p99s+=("$p99")
                pkill -P "$SERVER_PID" 2>/dev/null || true; kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true
            done
            rate=$(printf '%s\n' "${rates[@]}" | median); p99=$(printf '%s\n' "${p99s[@]}" | median)
            cpu=$(printf '%s\n' "${cpus[@]}" | median)
            [ "$server" = socat ] || [ "$server" = ncat ] && cpu="n/a"  # their per-connection children are gone by then
            RATE[$server,$conns,$size]=$rate
            printf '%-8s %6s %6s %12.0f %10s %10.1f %12s\n' "$server" "$conns" "$size" "$rate" "$p99" "$(div "$rss" 1024)" "$cpu"
        done
    done
done
echo
echo "ratios of msgs/s (target: nettool/C >= 0.85 at 64 and 1000 connections; nettool faster than socat and ncat):"
printf '%6s %6s %10s %14s %14s\n' conns size nettool/C nettool/socat nettool/ncat
for size in 64 16384; do
    for conns in 1 64 1000; do
        n=${RATE[nettool,$conns,$size]}
        printf '%6s %6s %10s %14s %14s\n' "$conns" "$size" "$(ratio "$n" "${RATE[c,$conns,$size]}")" \
            "$(ratio "$n" "${RATE[socat,$conns,$size]}")" "$(ratio "$n" "${RATE[ncat,$conns,$size]:-}")"
    done
done

echo
echo "== clients against the C server (target: nettool --bench >= 0.80 of the C load generator) =="
printf '%6s %6s %14s %14s %8s\n' conns size nettool_msgs/s C_msgs/s ratio
p=$(port); start_server c "$p"
for size in 64 16384; do
    for conns in 1 64 1000; do
        n=(); c=()
        for _ in $(seq "$ROUNDS"); do
            n+=("$("$NETTOOL" tcp-echo-client 127.0.0.1 "$p" --bench --connections "$conns" --size "$size" \
                --duration "${DURATION}s" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["msgs_per_sec"])')")
            c+=("$("$OUT/echo_load" bench "$p" "$conns" "$size" 1 "$DURATION" | awk '{print $3}')")
        done
        nm=$(printf '%s\n' "${n[@]}" | median); cm=$(printf '%s\n' "${c[@]}" | median)
        printf '%6s %6s %14.0f %14.0f %8.2f\n' "$conns" "$size" "$nm" "$cm" "$(div "$nm" "$cm")"
    done
done
kill "$SERVER_PID"

echo
echo "== 10,000 idle connections (target: nettool server RSS < 200 MB) =="
for server in nettool c; do
    p=$(port); start_server "$server" "$p"
    "$OUT/echo_load" idle "$p" 10000 20 > /dev/null &
    idle=$!
    # Measure once all 10,000 are established (or after 15 s), then let the loader go.
    for _ in $(seq 150); do
        [ "$(ss -Htn state established "( sport = :$p )" | wc -l)" -ge 10000 ] && break
        sleep 0.1
    done
    sleep 1
    printf '%-8s %8.1f MB with %s connections established\n' "$server" "$(div "$(tree_rss "$SERVER_PID")" 1024)" \
        "$(ss -Htn state established "( sport = :$p )" | wc -l)"
    kill "$idle"; wait "$idle" 2>/dev/null || true
    kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true
done
