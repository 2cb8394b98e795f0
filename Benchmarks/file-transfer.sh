#!/usr/bin/env bash
# File transfer on loopback with a SIZE_MB file (default 1024): download from file-server,
# curl from file-server, download and curl from `python3 -m http.server`, and a C sendfile
# server with a C reader (support/sendfile_pair.c) as the limit. Every reader writes to disk
# and the downloads fsync. Then 8 parallel downloads from one file-server (fairness) and the
# peak RSS of file-server and download (/usr/bin/time, Debian package "time"). Best of ROUNDS
# runs each; every server is killed at the end. Last, file-server under faults
# (Benchmarks/file-server-faults.sh): connect-and-close floods, a file truncated mid-transfer,
# running out of descriptors.
#   SIZE_MB=1024  ROUNDS=2
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE_MB=${SIZE_MB:-1024}
ROUNDS=${ROUNDS:-2}
OUT=Benchmarks/out
mkdir -p "$OUT/root" "$OUT/got"

swift build -c release --product nettool >/dev/null
NETTOOL=$(swift build -c release --show-bin-path)/nettool
cc -O2 -o "$OUT/sendfile_pair" Benchmarks/support/sendfile_pair.c
[ -s "$OUT/root/big.bin" ] && [ "$(stat -c %s "$OUT/root/big.bin")" = $((SIZE_MB << 20)) ] \
    || head -c $((SIZE_MB << 20)) /dev/urandom > "$OUT/root/big.bin"
BYTES=$((SIZE_MB << 20))

PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$OUT/got"; }
trap cleanup EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 200); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done; return 1; }
best() { sort -g | tail -1; }
# MB/s of one command that fetches the file (wall time, the process start included).
timed() { local start end; start=$(date +%s.%N); "$@" >/dev/null 2>&1; end=$(date +%s.%N); awk -v b="$BYTES" -v s="$start" -v e="$end" 'BEGIN { printf "%.1f", b / (e - s) / 1e6 }'; }

NPORT=$(port); "$NETTOOL" file-server --root "$OUT/root" --bind 127.0.0.1 --port "$NPORT" --quiet 2>/dev/null & PIDS+=($!); NPID=$!
PPORT=$(port); python3 -m http.server "$PPORT" --bind 127.0.0.1 --directory "$OUT/root" >/dev/null 2>&1 & PIDS+=($!)
CPORT=$(port); "$OUT/sendfile_pair" serve "$CPORT" "$OUT/root/big.bin" & PIDS+=($!)
wait_port "$NPORT"; wait_port "$PPORT"; wait_port "$CPORT"
# The first request of a file version computes its Repr-Digest; do it before timing.
curl -s -o /dev/null "http://127.0.0.1:$NPORT/big.bin"

declare -A R
for _ in $(seq "$ROUNDS"); do
    R[c]+="$("$OUT/sendfile_pair" fetch "$CPORT" "$OUT/got/c.bin" | awk '{print $3}') "
    R[nn]+="$(timed "$NETTOOL" download "http://127.0.0.1:$NPORT/big.bin" -o "$OUT/got/nn.bin" --quiet) "
    R[cn]+="$(timed curl -s -o "$OUT/got/cn.bin" "http://127.0.0.1:$NPORT/big.bin") "
    R[np]+="$(timed "$NETTOOL" download "http://127.0.0.1:$PPORT/big.bin" -o "$OUT/got/np.bin" --quiet) "
    R[cp]+="$(timed curl -s -o "$OUT/got/cp.bin" "http://127.0.0.1:$PPORT/big.bin") "
    rm -f "$OUT"/got/*
done
c=$(echo ${R[c]} | tr ' ' '\n' | best)
printf '%-44s %10s %8s\n' "pair (${SIZE_MB} MiB, best of $ROUNDS)" MB/s "vs C"
for key in c nn cn np cp; do
    case $key in
        c) name="C sendfile server -> C reader" ;; nn) name="file-server -> download" ;;
        cn) name="file-server -> curl" ;; np) name="python3 http.server -> download" ;; cp) name="python3 http.server -> curl" ;;
    esac
    v=$(echo ${R[$key]} | tr ' ' '\n' | best)
    printf '%-44s %10s %8.2f\n' "$name" "$v" "$(awk -v a="$v" -v b="$c" 'BEGIN { print a / b }')"
done

echo
# download hashes every byte with SHA-256 (the C reader does not): the hashing speed alone.
start=$(date +%s.%N); sha256sum "$OUT/root/big.bin" >/dev/null; end=$(date +%s.%N)
printf '%-44s %10.1f\n' "sha256sum of the file (from page cache)" "$(awk -v b="$BYTES" -v s="$start" -v e="$end" 'BEGIN { print b / (e - s) / 1e6 }')"
command -v openssl >/dev/null && printf '%-44s %10.1f\n' "openssl speed sha256 (1 MiB blocks)" \
    "$(openssl speed -seconds 2 -bytes 1048576 sha256 2>/dev/null | awk '/^sha256/ {sub("k", "", $2); print $2 * 1000 / 1e6}')"

echo
echo "8 parallel downloads from one file-server:"
DOWNLOADS=()
for i in $(seq 8); do
    ( /usr/bin/time -f "%e %M" "$NETTOOL" download "http://127.0.0.1:$NPORT/big.bin" -o "$OUT/got/p$i.bin" --quiet 2> "$OUT/got/p$i.time" ) &
    DOWNLOADS+=($!)
done
peak=0
while kill -0 "${DOWNLOADS[@]}" 2>/dev/null; do
    rss=$(awk '/VmRSS/ {print $2}' "/proc/$NPID/status"); [ "$rss" -gt "$peak" ] && peak=$rss; sleep 0.2
done
wait "${DOWNLOADS[@]}"
for i in $(seq 8); do
    read -r seconds kib < "$OUT/got/p$i.time"
    printf '  download %d: %6.1f MB/s, peak RSS %5.1f MB\n' "$i" "$(awk -v b="$BYTES" -v s="$seconds" 'BEGIN { print b / s / 1e6 }')" \
        "$(awk -v k="$kib" 'BEGIN { print k / 1024 }')"
done
printf '  file-server RSS during the run: at most %.1f MB\n' "$(awk -v k="$peak" 'BEGIN { print k / 1024 }')"

echo
echo "file-server under the faults a hostile probe found (descriptors, CLOSE_WAIT, CPU, memory):"
NETTOOL="$NETTOOL" bash Benchmarks/file-server-faults.sh
