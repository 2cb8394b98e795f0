#!/usr/bin/env bash
# How fast TLS connections end (issue 24, item 3). One sequential client sends REQUESTS HTTPS
# requests with `Connection: close` to file-server --tls-self-signed, one connection each, and
# closes as curl does once the answer and the server's close_notify are in. Reported: the time
# for all of them, how many of the server's sockets then sit in CLOSE_WAIT (waiting for the
# server to close), and the same run with the server under `ulimit -n 64`. NETTOOL picks the
# binary (default: the debug build), so an older one can be measured the same way.
#   REQUESTS=200  NETTOOL=.build/debug/nettool
set -euo pipefail
cd "$(dirname "$0")/.."
REQUESTS=${REQUESTS:-200}
NETTOOL=${NETTOOL:-.build/debug/nettool}
WORK=$(mktemp -d)
SERVER=
stop() { [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null; SERVER=; }
trap 'stop; rm -rf "$WORK"' EXIT
echo hello > "$WORK/a.txt"

run() {  # $1: open-file limit for the server
    (ulimit -n "$1"; exec "$NETTOOL" file-server --root "$WORK" --bind 127.0.0.1 --port 0 --tls-self-signed \
        --tls-cert-out "$WORK/cert.pem" --json >"$WORK/out" 2>"$WORK/err") &
    SERVER=$!
    for _ in $(seq 50); do grep -q '"port"' "$WORK/out" 2>/dev/null && break; sleep 0.1; done
    local port
    port=$(grep -o '"port":[0-9]*' "$WORK/out" | head -1 | cut -d: -f2)
    python3 - "$port" "$REQUESTS" "$WORK/cert.pem" "$1" <<'EOF'
import socket, ssl, subprocess, sys, time
port, count, pem, limit = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
context = ssl.create_default_context(cafile=pem)
start = time.monotonic()
for _ in range(count):
    with context.wrap_socket(socket.create_connection(("127.0.0.1", port)), server_hostname="localhost") as s:
        s.sendall(b"GET /a.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        while s.recv(65536):
            pass
elapsed = time.monotonic() - start
sockets = subprocess.run(["ss", "-Htan"], capture_output=True, text=True).stdout.splitlines()
waiting = sum(1 for line in sockets if line.startswith("CLOSE-WAIT") and f":{port} " in line)
print(f"ulimit -n {limit}: {count} requests in {elapsed:.2f} s, {waiting} server sockets in CLOSE_WAIT right after")
EOF
    stop
}

run 1024
run 64
