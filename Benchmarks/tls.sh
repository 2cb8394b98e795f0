#!/usr/bin/env bash
# TLS on loopback. (1) A SIZE_MB file over HTTPS, every reader writing to disk: file-server --tls
# -> curl against nginx (TLS) -> curl, and download from nginx against curl from nginx, and
# against `curl && sync FILE` (download fsyncs before its rename; curl does not); and both into
# /dev/shm, memory with no disk behind it, which leaves the network and CPU side alone. All use
# TLS 1.3 with TLS_AES_128_GCM_SHA256 (nginx is told to prefer it; BoringSSL picks it itself on
# AES-NI), so the ciphers are the same. (2) Handshakes per second, both servers with the same
# P-256 certificate and TLS 1.3, driven by the same load: `tcp-echo-client --bench --tls
# --connections 64 --reconnect 1` (64 connections, each replaced after one verified 64-byte
# echo) for SECONDS_EACH against tcp-echo-server --tls and against nginx's stream module as a
# TLS proxy in front of a plain tcp-echo-server (nginx has no echo of its own; the backend
# costs it a loopback connect per handshake). A cross-check without that cost: DRIVERS parallel
# `openssl s_time -new` loops (handshake, close; no data) against tcp-echo-server --tls and
# nginx stream's `return`. Rounds alternate; best of ROUNDS; every server is stopped at the end.
#   SIZE_MB=512  ROUNDS=3  SECONDS_EACH=5  DRIVERS=2
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE_MB=${SIZE_MB:-512}
ROUNDS=${ROUNDS:-3}
SECONDS_EACH=${SECONDS_EACH:-5}
DRIVERS=${DRIVERS:-2}
OUT=Benchmarks/out/tls
SHM=$(mktemp -d /dev/shm/nettool-tls.XXXXXX)
mkdir -p "$OUT/root" "$OUT/got" "$OUT/nginx"
[ -x /usr/sbin/nginx ] && [ -f /usr/lib/nginx/modules/ngx_stream_module.so ] \
    || { echo "nginx with its stream module is missing: apt-get install nginx libnginx-mod-stream" >&2; exit 1; }

swift build -c release --product nettool >/dev/null
NETTOOL=$(swift build -c release --show-bin-path)/nettool
BYTES=$((SIZE_MB << 20))
[ -s "$OUT/root/big.bin" ] && [ "$(stat -c %s "$OUT/root/big.bin")" = "$BYTES" ] || head -c "$BYTES" /dev/urandom > "$OUT/root/big.bin"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$OUT/key.pem" -out "$OUT/cert.pem" -days 2 \
    -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 2>/dev/null

PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; [ -f "$OUT/nginx/nginx.pid" ] && kill "$(cat "$OUT/nginx/nginx.pid")" 2>/dev/null; rm -rf "$OUT/got" "$SHM"; }
trap cleanup EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 200); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done; return 1; }
best() { tr ' ' '\n' | sort -g | tail -1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
# Best of ROUNDS of `$1 PORT` against nettool's port $2 and the peer's $3, alternating: "ours peer".
alternate() {
    local ours="" peer=""
    for _ in $(seq "$ROUNDS"); do ours+="$("$1" "$2") "; peer+="$("$1" "$3") "; done
    echo "$(echo $ours | best) $(echo $peer | best)"
}
# One measure's table: its title and unit, the peer's row, then nettool's row and its ratio.
compare() {
    printf '\n%-48s %10s\n' "$1" "$2"
    printf '%-48s %10s\n' "$3" "$4"
    printf '%-48s %10s   %s of nginx\n' "$5" "$6" "$(ratio "$6" "$4")"
}
timed() { local start end; start=$(date +%s.%N); "$@" >/dev/null 2>&1; end=$(date +%s.%N); awk -v b="$BYTES" -v s="$start" -v e="$end" 'BEGIN { printf "%.1f", b / (e - s) / 1e6 }'; }

NPORT=$(port); GPORT=$(port); EPORT=$(port); SPORT=$(port); PPORT=$(port); BPORT=$(port)
# The same certificate, protocol and cipher for every server: set once per block, inherited.
TLS_SETTINGS="ssl_certificate $PWD/$OUT/cert.pem; ssl_certificate_key $PWD/$OUT/key.pem; ssl_protocols TLSv1.3;
    ssl_conf_command Ciphersuites TLS_AES_128_GCM_SHA256;"
cat > "$OUT/nginx/nginx.conf" <<CONF
load_module /usr/lib/nginx/modules/ngx_stream_module.so;
daemon on;
worker_processes 2;
pid $PWD/$OUT/nginx/nginx.pid;
error_log $PWD/$OUT/nginx/error.log;
events { worker_connections 1024; }
http {
    access_log off;
    sendfile on;
    $TLS_SETTINGS
    server { listen 127.0.0.1:$GPORT ssl; root $PWD/$OUT/root; }
}
stream {
    $TLS_SETTINGS
    server { listen 127.0.0.1:$SPORT ssl; return "x"; }
    server { listen 127.0.0.1:$PPORT ssl; proxy_pass 127.0.0.1:$BPORT; }
}
CONF
nginx -c "$PWD/$OUT/nginx/nginx.conf" -p "$PWD/$OUT/nginx" -e "$PWD/$OUT/nginx/error.log"
"$NETTOOL" file-server --root "$OUT/root" --bind 127.0.0.1 --port "$NPORT" --quiet --tls-cert "$OUT/cert.pem" --tls-key "$OUT/key.pem" 2>/dev/null & PIDS+=($!)
"$NETTOOL" tcp-echo-server --bind 127.0.0.1 --port "$EPORT" --quiet --tls-cert "$OUT/cert.pem" --tls-key "$OUT/key.pem" 2>/dev/null & PIDS+=($!)
"$NETTOOL" tcp-echo-server --bind 127.0.0.1 --port "$BPORT" --quiet 2>/dev/null & PIDS+=($!)
wait_port "$NPORT"; wait_port "$GPORT"; wait_port "$EPORT"; wait_port "$SPORT"; wait_port "$PPORT"; wait_port "$BPORT"
CURL=(curl -s --cacert "$OUT/cert.pem" --tls13-ciphers TLS_AES_128_GCM_SHA256)
"${CURL[@]}" -o /dev/null "https://localhost:$NPORT/big.bin"   # computes the Repr-Digest once

curl_and_sync() { "${CURL[@]}" -o "$1" "$2" && sync "$1"; }
declare -A R
for _ in $(seq "$ROUNDS"); do
    R[nc]+="$(timed "${CURL[@]}" -o "$OUT/got/nc.bin" "https://localhost:$NPORT/big.bin") "
    R[gc]+="$(timed "${CURL[@]}" -o "$OUT/got/gc.bin" "https://localhost:$GPORT/big.bin") "
    R[gd]+="$(timed "$NETTOOL" download "https://localhost:$GPORT/big.bin" -o "$OUT/got/gd.bin" --cacert "$OUT/cert.pem" --quiet) "
    R[gs]+="$(timed curl_and_sync "$OUT/got/gs.bin" "https://localhost:$GPORT/big.bin") "
    R[mc]+="$(timed "${CURL[@]}" -o "$SHM/mc.bin" "https://localhost:$GPORT/big.bin") "
    R[md]+="$(timed "$NETTOOL" download "https://localhost:$GPORT/big.bin" -o "$SHM/md.bin" --cacert "$OUT/cert.pem" --quiet) "
    rm -f "$OUT"/got/* "$SHM"/*
done
nc=$(echo ${R[nc]} | best); gc=$(echo ${R[gc]} | best); gd=$(echo ${R[gd]} | best)
gs=$(echo ${R[gs]} | best); mc=$(echo ${R[mc]} | best); md=$(echo ${R[md]} | best)
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); SHA extensions: $(grep -q -w sha_ni /proc/cpuinfo && echo yes || echo no);" \
     "AES-NI: $(grep -q -w aes /proc/cpuinfo && echo yes || echo no)"
printf '%-48s %10s\n' "HTTPS, ${SIZE_MB} MiB to disk (best of $ROUNDS)" "MB/s"
printf '%-48s %10s\n' "nginx (TLS) -> curl" "$gc"
printf '%-48s %10s\n' "nginx (TLS) -> curl && sync" "$gs"
printf '%-48s %10s   %s of nginx -> curl\n' "file-server --tls -> curl" "$nc" "$(ratio "$nc" "$gc")"
printf '%-48s %10s   %s of curl, %s of curl && sync\n' "nginx (TLS) -> download (fsync, SHA-256)" "$gd" "$(ratio "$gd" "$gc")" "$(ratio "$gd" "$gs")"
printf '%-48s %10s\n' "nginx (TLS) -> curl, into /dev/shm" "$mc"
printf '%-48s %10s   %s of curl into /dev/shm\n' "nginx (TLS) -> download, into /dev/shm" "$md" "$(ratio "$md" "$mc")"

# Handshakes (1): the same 64 reconnecting connections against each server.
reconnecting() {
    "$NETTOOL" tcp-echo-client localhost "$1" --bench --tls --cacert "$OUT/cert.pem" --connections 64 --reconnect 1 \
        --duration "${SECONDS_EACH}s" --json 2>/dev/null \
        | python3 -c 'import json, sys; r = json.load(sys.stdin); print("%.0f" % (r["handshakes_per_sec"] if r["errors"] == 0 else 0))'
}
read -r ours peer <<< "$(alternate reconnecting "$EPORT" "$PPORT")"
compare "TLS 1.3 handshakes/s, P-256 (64 conns, --reconnect 1)" "per s" \
    "nginx stream (TLS proxy -> plain echo)" "$peer" "tcp-echo-server --tls" "$ours"

# Handshakes (2): DRIVERS parallel s_time loops; the sum of their connections per second.
handshakes() {
    local port=$1 total=0
    for i in $(seq "$DRIVERS"); do
        openssl s_time -connect "127.0.0.1:$port" -new -time "$SECONDS_EACH" -CAfile "$OUT/cert.pem" > "$OUT/s_time.$i" 2>&1 &
    done
    wait
    for i in $(seq "$DRIVERS"); do
        total=$(awk -v t="$total" '/connections in [0-9.]+ real seconds/ { split($0, a, " "); print t + a[1] / a[4]; found=1 } END { if (!found) print t }' "$OUT/s_time.$i")
    done
    printf '%.0f' "$total"
}
read -r ours peer <<< "$(alternate handshakes "$EPORT" "$SPORT")"
compare "TLS 1.3 handshakes/s, P-256 ($DRIVERS x openssl s_time -new)" "per s" \
    "nginx stream (TLS, return)" "$peer" "tcp-echo-server --tls" "$ours"
