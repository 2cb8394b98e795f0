#!/usr/bin/env bash
# file-server's descriptors, sockets, memory and CPU under the faults a hostile probe found:
#  1. CYCLES clients that connect and close at once (each used to stay in CLOSE_WAIT until
#     --idle-timeout);
#  2. a file truncated to 0 bytes while curl --limit-rate fetches it (sendfile met an early end
#     of file and the event loop spun at 100% CPU, the client hung, SIGTERM was ignored);
#  3. CLIENTS connections held open under `ulimit -n 64` (accept failed with EMFILE and the
#     accept loop spun).
# Prints one line per measurement. Loopback only; everything it starts is killed at the end.
#   NETTOOL=path (default: a release build)  CYCLES=2000  CLIENTS=100
set -euo pipefail
cd "$(dirname "$0")/.."
CYCLES=${CYCLES:-2000}
CLIENTS=${CLIENTS:-100}
OUT=Benchmarks/out/faults
rm -rf "$OUT"; mkdir -p "$OUT/root"
if [ -z "${NETTOOL:-}" ]; then
    swift build -c release --product nettool >/dev/null
    NETTOOL=$(swift build -c release --show-bin-path)/nettool
fi

PIDS=()
cleanup() { { for pid in "${PIDS[@]}"; do kill -9 "$pid" || true; done; wait; } 2>/dev/null; rm -rf "$OUT"; }
trap cleanup EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 200); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done; return 1; }
fds() { ls "/proc/$1/fd" | wc -l; }
rss_mb() { awk '/VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }
# CPU seconds (user + system) the process uses over the next $2 seconds.
cpu_over() { local a b; a=$(awk '{print $14 + $15}' "/proc/$1/stat"); sleep "$2"; b=$(awk '{print $14 + $15}' "/proc/$1/stat"); awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", (b - a) / 100 }'; }
close_wait() { ss -tan state close-wait "( sport = :$1 )" | tail -n +2 | wc -l; }
start_server() {  # start_server PORT [ulimit]: the server's pid in SERVER
    local port=$1 limit=${2:-}
    if [ -n "$limit" ]; then
        ( ulimit -n "$limit"; exec "$NETTOOL" file-server --root "$OUT/root" --bind 127.0.0.1 --port "$port" --quiet 2>"$OUT/server.err" ) &
    else
        "$NETTOOL" file-server --root "$OUT/root" --bind 127.0.0.1 --port "$port" --quiet 2>"$OUT/server.err" &
    fi
    SERVER=$!; PIDS+=("$SERVER"); wait_port "$port"
}
echo small > "$OUT/root/a.txt"
head -c $((64 << 20)) /dev/zero > "$OUT/root/rotated.log"

echo "1. $CYCLES clients connect and close at once"
P=$(port); start_server "$P"
before=$(fds "$SERVER")
python3 - "$P" "$CYCLES" <<'EOF'
import socket, sys
for _ in range(int(sys.argv[2])):
    socket.create_connection(("127.0.0.1", int(sys.argv[1]))).close()
EOF
sleep 1
printf '   descriptors %s before, %s one second after; sockets in CLOSE_WAIT: %s; RSS %s MB\n' \
    "$before" "$(fds "$SERVER")" "$(close_wait "$P")" "$(rss_mb "$SERVER")"
kill "$SERVER"

echo "2. a 64 MiB file truncated to 0 while curl --limit-rate 20M fetches it"
P=$(port); start_server "$P"
started=$(date +%s.%N)
curl -s --limit-rate 20M -o /dev/null "http://127.0.0.1:$P/rotated.log" & CURL=$!; PIDS+=("$CURL")
sleep 1
: > "$OUT/root/rotated.log"
for _ in $(seq 100); do kill -0 "$CURL" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$CURL" 2>/dev/null; then ended="still waiting after 10 s"; else ended=$(awk -v s="$started" -v e="$(date +%s.%N)" 'BEGIN { printf "ended %.1f s after it started", e - s }'); fi
printf '   curl %s; file-server CPU over the next 2 s: %s s; descriptors %s; RSS %s MB\n' \
    "$ended" "$(cpu_over "$SERVER" 2)" "$(fds "$SERVER")" "$(rss_mb "$SERVER")"
kill -TERM "$SERVER"; sleep 3
kill -0 "$SERVER" 2>/dev/null && echo "   SIGTERM: still running after 3 s" || echo "   SIGTERM: stopped"

echo "3. $CLIENTS clients held open with ulimit -n 64 (accept fails with EMFILE)"
P=$(port); start_server "$P" 64
python3 - "$P" "$CLIENTS" "$SERVER" <<'EOF' &
import socket, sys, time
held = [socket.create_connection(("127.0.0.1", int(sys.argv[1]))) for _ in range(int(sys.argv[2]))]
time.sleep(4)
EOF
HOLDER=$!; PIDS+=("$HOLDER")
sleep 1
printf '   file-server CPU over 2 s while out of descriptors: %s s; messages on stderr: %s\n' \
    "$(cpu_over "$SERVER" 2)" "$(grep -c 'accept' "$OUT/server.err" || true)"
wait "$HOLDER" || true
code=$(curl -s -m 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$P/a.txt" || true)
printf '   after the clients left: a new request got %s\n' "$code"
