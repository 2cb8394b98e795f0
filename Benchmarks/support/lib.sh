# Helpers the echo benchmarks share; sourced, not run.
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 200); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done; return 1; }
# CPU ticks (user + system) a process has used so far.
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
median() { sort -g | awk '{v[NR] = $1} END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
TICK=$(getconf CLK_TCK)
# The server a run starts goes in SERVER; it is killed when the script ends, however it ends.
guard_server() {
    SERVER=
    trap '[ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null || true' EXIT
}
# load_server NAME PORT CONNECTIONS: drives the echo server SERVER, listening on PORT, with the C
# load generator (OUT/echo_load; SIZE-byte ping-pong for DURATION s), then stops it. Prints
# "msgs/s server-cpu-µs-per-message".
load_server() {
    local c0 c1 messages rate errors
    wait_port "$2"
    c0=$(cpu "$SERVER")
    read -r messages _ rate _ errors < <("$OUT/echo_load" bench "$2" "$3" "$SIZE" 1 "$DURATION")
    c1=$(cpu "$SERVER")
    kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=
    [ "$errors" = 0 ] || echo "   ($1: $errors connections failed or stalled)" >&2
    awk -v r="$rate" -v t=$((c1 - c0)) -v k="$TICK" -v m="$messages" 'BEGIN { printf "%s %.2f\n", r, (m > 0 ? t / k * 1e6 / m : 0) }'
}
