#!/usr/bin/env bash
# Benchmarks/churn.sh [COUNT [NAMES]]: connection churn, one server at a time, as in soak.sh.
# file-server (plain and TLS) and tcp-echo-server (plain and TLS) each take 10 s of warm-up churn,
# then COUNT more connections (default 100,000): a new connection per request, 4 at a time, on
# loopback, at most 30 min per server (HTTP from soak_peers.py churn, echo from tcp-echo-client
# --bench --reconnect 1). Prints each server's RSS idle after the warm-up and idle after the
# churn, and the growth per connection: a leak per connection shows as a steady number of bytes.
# NAMES picks some of file-server, file-server-tls, tcp-echo-server, tcp-echo-tls (default: all).
# NETTOOL (default: the shipped build, else the debug build).
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${1:-100000}
NAMES=${2:-file-server file-server-tls tcp-echo-server tcp-echo-tls}
NETTOOL=${NETTOOL:-$( [ -x .build/dist/release/nettool ] && echo .build/dist/release/nettool || echo .build/debug/nettool )}
NETTOOL=$(realpath "$NETTOOL")
PEERS=$(realpath Benchmarks/support/soak_peers.py)
source Benchmarks/support/lib.sh
WORK=$(mktemp -d /tmp/nettool-churn.XXXXXX)
SERVER=
trap '[ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; rm -rf "$WORK"' EXIT
mkdir "$WORK/files"
echo "a small file, served once per connection" > "$WORK/files/small.txt"
rss() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
fds() { ls "/proc/$1/fd" | wc -l; }

echo "churn: $COUNT connections per server after 10 s to warm up; nettool = $NETTOOL"
# churn PORT PROTOCOL SECONDS [COUNT]: COUNT connections, or as many as SECONDS allow; prints
# "connections C errors E".
churn() {
    case $2 in
    http|https) python3 "$PEERS" churn 127.0.0.1 "$1" "$2" "${4:-1000000}" "$3" 4 ;;
    *)  timeout "$(( $3 + 30 ))" "$NETTOOL" tcp-echo-client 127.0.0.1 "$1" --bench --reconnect 1 --connections 4 --json \
            $( [ -z "${4:-}" ] && echo --duration "${3}s" || echo --messages "$4" ) \
            $( [ "$2" = echo-tls ] && echo --tls --insecure ) 2> /dev/null |
            python3 -c 'import json, sys; r = json.load(sys.stdin); print("connections", r["handshakes"], "errors", r["errors"] + r["failed_connections"])' ;;
    esac
}
run() {  # NAME PROTOCOL COMMAND...
    local port began rss0 rss1 fds0 made errors
    [[ " $NAMES " == *" $1 "* ]] || return 0
    port=$(port)
    "$NETTOOL" "${@:3}" --bind 127.0.0.1 --port "$port" --quiet > "$WORK/server.out" 2>&1 &
    SERVER=$!
    wait_port "$port"
    churn "$port" "$2" 10 > /dev/null
    sleep 1
    rss0=$(rss "$SERVER") fds0=$(fds "$SERVER") began=$(date +%s)
    read -r _ made _ errors < <(churn "$port" "$2" 1800 "$COUNT")
    for _ in $(seq 40); do [ "$(fds "$SERVER")" -le $(( fds0 + 2 )) ] && break; sleep 0.5; done
    sleep 1
    rss1=$(rss "$SERVER")
    kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=
    awk -v name="$1" -v n="$made" -v e="$errors" -v t=$(( $(date +%s) - began )) -v r0="$rss0" -v r1="$rss1" 'BEGIN {
        printf "%-16s %d connections (%s failed) in %d s: RSS idle %d KiB before, %d KiB after: %+d KiB = %.1f B per connection\n",
            name, n, e, t, r0, r1, r1 - r0, (n > 0 ? (r1 - r0) * 1024 / n : 0) }'
}
run file-server http file-server --root "$WORK/files"
run file-server-tls https file-server --root "$WORK/files" --tls-self-signed --tls-cert-out "$WORK/cert.pem"
run tcp-echo-server echo tcp-echo-server
run tcp-echo-tls echo-tls tcp-echo-server --tls-self-signed --tls-cert-out "$WORK/cert.pem"
