#!/usr/bin/env bash
# Two nettool builds (A=path B=path, release binaries) downloading the same SIZE_MB file over
# HTTP from one file-server (B's) to disk, against `curl -o FILE && sync FILE` (download fsyncs
# before its rename, so this is curl with the same durability), in one alternating run of
# ROUNDS. Prints each round's seconds and the medians; compare the columns of one run.
#   A=/tmp/nettool-A B=/tmp/nettool-B ROUNDS=5 SIZE_MB=1024
set -euo pipefail
cd "$(dirname "$0")/.."
: "${A:?set A=path to the first nettool binary}" "${B:?set B=path to the second}"
ROUNDS=${ROUNDS:-5}; SIZE_MB=${SIZE_MB:-1024}
OUT=Benchmarks/out/download-ab
mkdir -p "$OUT/root" "$OUT/got"
BYTES=$((SIZE_MB << 20))
[ -s "$OUT/root/big.bin" ] && [ "$(stat -c %s "$OUT/root/big.bin")" = "$BYTES" ] || head -c "$BYTES" /dev/urandom > "$OUT/root/big.bin"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$B" file-server --root "$OUT/root" --bind 127.0.0.1 --port "$PORT" --quiet 2>/dev/null & SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$OUT/got"' EXIT
for _ in $(seq 200); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.05; done
URL="http://127.0.0.1:$PORT/big.bin"
curl -s -o /dev/null "$URL"   # the server computes its Repr-Digest once
t() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N); rm -f "$OUT"/got/*; awk -v s="$s" -v e="$e" 'BEGIN { printf "%.3f", e - s }'; }
curl_sync() { curl -s -o "$OUT/got/c.bin" "$URL" && sync "$OUT/got/c.bin"; }
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); SHA extensions: $(grep -q -w sha_ni /proc/cpuinfo && echo yes || echo no)"
printf '%-6s %10s %10s %14s\n' round A-s B-s curl+sync-s
rows=""
for round in $(seq "$ROUNDS"); do
    a=$(t "$A" download "$URL" -o "$OUT/got/a.bin" --quiet)
    b=$(t "$B" download "$URL" -o "$OUT/got/b.bin" --quiet)
    c=$(t curl_sync)
    printf '%-6s %10s %10s %14s\n' "$round" "$a" "$b" "$c"
    rows+="$a $b $c"$'\n'
done
echo "$rows" | python3 -c '
import statistics, sys
rows = [list(map(float, line.split())) for line in sys.stdin if line.strip()]
a, b, c = (statistics.median(col) for col in zip(*rows))
mb = '"$BYTES"' / 1e6
print(f"median {a:10.3f} {b:10.3f} {c:14.3f}")
print(f"MB/s   {mb / a:10.1f} {mb / b:10.1f} {mb / c:14.1f}")
print(f"of curl+sync: A {c / a:.2f}, B {c / b:.2f}")'
