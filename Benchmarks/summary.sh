#!/usr/bin/env bash
# `make bench`: every row of the speed goals in one run and one table: nettool's figure, its
# peer's, the ratio (above 1 is nettool ahead; for times it is peer time / nettool time) and the
# goal. Each row alternates nettool and its peer ROUNDS times and shows the medians, because
# loopback on 2 shared cores moves by tens of percent between runs. All traffic is on loopback;
# every run is bounded by DURATION or by its input; every process started here is stopped.
# The binary measured is the shipped one (`make build`). The detailed scripts beside this one
# (tcp-echo.sh, capture.sh, ip-classify.sh, download-ab.sh, ...) break each row down further.
#   ROUNDS=3  DURATION=3 (seconds per echo run)  DOWNLOAD_MB=1024  PIPE_MB=64  PACKETS=1000000
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-3}
DOWNLOAD_MB=${DOWNLOAD_MB:-1024}
PIPE_MB=${PIPE_MB:-64}
PACKETS=${PACKETS:-1000000}
LINES=${LINES:-1000000}
OUT=Benchmarks/out/summary
mkdir -p "$OUT"
for tool in perf nc curl tcpdump python3 cc; do
    command -v "$tool" >/dev/null || { echo "needs $tool (bash scripts/ensure-deps.sh; perf: apt-get install linux-perf)" >&2; exit 1; }
done

make -s build >/dev/null
NETTOOL=$OUT/nettool
strip -o "$NETTOOL" .build/dist/release/nettool
cc -O2 -o "$OUT/echo_server" Benchmarks/support/echo_server.c -lpthread
cc -O2 -o "$OUT/echo_load" Benchmarks/support/echo_load.c -lpthread
cc -O2 -o "$OUT/gen_arp_ndp" Benchmarks/support/gen_arp_ndp.c -lpcap
cc -O2 -o "$OUT/gen_tcp" Benchmarks/support/gen_tcp.c -lpcap
swift build -c release --package-path Benchmarks/support/nio-echo >/dev/null
NIOECHO=$(swift build -c release --package-path Benchmarks/support/nio-echo --show-bin-path)/nio-echo
ulimit -n "$(ulimit -Hn)"

PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$OUT/got"
}
trap cleanup EXIT

source Benchmarks/support/lib.sh
seconds() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N); awk -v s="$s" -v e="$e" 'BEGIN { printf "%.4f", e - s }'; }

start_server() {  # KIND PORT → SERVER
    case $1 in
        nettool) "$NETTOOL" tcp-echo-server --bind 127.0.0.1 --port "$2" --quiet 2>/dev/null & ;;
        c) "$OUT/echo_server" "$2" & ;;
        asyncio) python3 Benchmarks/support/asyncio_echo.py "$2" & ;;
        nio) "$NIOECHO" "$2" & ;;
    esac
    SERVER=$!
    PIDS+=("$SERVER")
    wait_port "$2"
}
stop_server() { kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; }

ROWS=()
# row NAME UNIT NETTOOL PEER-NAME PEER RATIO GOAL MET
row() { ROWS+=("$1|$2|$3|$4|$5|$6|$7|$8"); printf '  %s: nettool %s, %s %s, ratio %s\n' "$1" "$3" "$4" "$5" "$6" >&2; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
atleast() { awk -v a="$1" -v b="$2" 'BEGIN { print (a != "n/a" && a + 0 >= b) ? "yes" : "no" }'; }
atmost() { awk -v a="$1" -v b="$2" 'BEGIN { print (a + 0 <= b) ? "yes" : "no" }'; }
thousands() { awk -v v="$1" 'BEGIN { s = sprintf("%.0f", v); out = ""; while (length(s) > 3) { out = "," substr(s, length(s) - 2) out; s = substr(s, 1, length(s) - 3) } print s out }'; }

# One echo server under the C load generator: msgs/s.
serve_rate() {  # KIND CONNS SIZE PIPELINE
    local p rate errors
    p=$(port); start_server "$1" "$p"
    read -r _ _ rate _ errors < <("$OUT/echo_load" bench "$p" "$2" "$3" "$4" "$DURATION")
    stop_server
    [ "$errors" = 0 ] || echo "   ($1: $errors connections failed or stalled)" >&2
    echo "$rate"
}
server_row() {  # NAME PEER CONNS SIZE PIPELINE GOAL [SUBJECT]: SUBJECT (nettool) against PEER
    local subject=${7:-nettool} n=() c=() nm cm r
    for round in $(seq "$ROUNDS"); do
        if [ $((round % 2)) = 1 ]; then n+=("$(serve_rate "$subject" "$3" "$4" "$5")"); c+=("$(serve_rate "$2" "$3" "$4" "$5")")
        else c+=("$(serve_rate "$2" "$3" "$4" "$5")"); n+=("$(serve_rate "$subject" "$3" "$4" "$5")"); fi
    done
    nm=$(printf '%s\n' "${n[@]}" | median); cm=$(printf '%s\n' "${c[@]}" | median); r=$(ratio "$nm" "$cm")
    if [ "$subject" = nettool ]; then row "$1" msgs/s "$nm" "$2 server" "$cm" "$r" "≥ $6" "$(atleast "$r" "$6")"
    else row "$1" msgs/s "$nm" "$2 server" "$cm" "$r" "(the floor)" "-"; fi
}

client_row() {  # NAME CONNS SIZE GOAL
    local p n=() c=() nm cm r
    p=$(port); start_server c "$p"
    for round in $(seq "$ROUNDS"); do
        for side in $([ $((round % 2)) = 1 ] && echo "n c" || echo "c n"); do
            if [ "$side" = n ]; then
                n+=("$("$NETTOOL" tcp-echo-client 127.0.0.1 "$p" --bench --connections "$2" --size "$3" \
                    --duration "${DURATION}s" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["msgs_per_sec"])')")
            else
                c+=("$("$OUT/echo_load" bench "$p" "$2" "$3" 1 "$DURATION" | awk '{print $3}')")
            fi
        done
    done
    stop_server
    nm=$(printf '%s\n' "${n[@]}" | median); cm=$(printf '%s\n' "${c[@]}" | median); r=$(ratio "$nm" "$cm")
    row "$1" msgs/s "$nm" "C load generator" "$cm" "$r" "≥ $4" "$(atleast "$r" "$4")"
}

echo "nettool speed summary, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), SHA extensions: $(grep -q -w sha_ni /proc/cpuinfo && echo yes || echo no)"
echo "measuring (medians of $ROUNDS alternating runs) ..." >&2

server_row "tcp-echo-server 64 conns × 64 B" c 64 64 1 0.85
server_row "tcp-echo-server 1,000 conns × 64 B" c 1000 64 1 0.85
server_row "minimal SwiftNIO echo handler, 64 conns × 64 B (in nettool's column)" c 64 64 1 - nio
server_row "minimal SwiftNIO echo handler, 1,000 conns × 64 B (in nettool's column)" c 1000 64 1 - nio
server_row "tcp-echo-server 4 conns × 64 KiB, 4 in flight" c 4 65536 4 0.90
server_row "tcp-echo-server 4 conns × 64 KiB, 4 in flight" asyncio 4 65536 4 1.0
server_row "tcp-echo-server 50 conns × 64 B" asyncio 50 64 1 1.0
client_row "tcp-echo-client --bench 64 conns × 64 B" 64 64 0.80
client_row "tcp-echo-client --bench 1,000 conns × 64 B" 1000 64 0.80

# Pipe: PIPE_MB of lines through the C echo server and back, nettool vs `nc -N`.
[ -s "$OUT/lines-$PIPE_MB.txt" ] || python3 -c "
import sys
line = b'the quick brown fox jumps over the lazy dog 0123456789\n'
sys.stdout.buffer.write(line * ($PIPE_MB * 1048576 // len(line)))" > "$OUT/lines-$PIPE_MB.txt"
p=$(port); start_server c "$p"
pipe_once() {  # nettool|nc → seconds; the echo must come back whole
    local t
    if [ "$1" = nettool ]; then t=$(seconds sh -c "'$NETTOOL' tcp-echo-client 127.0.0.1 $p < '$OUT/lines-$PIPE_MB.txt' > '$OUT/pipe.out'")
    else t=$(seconds sh -c "nc -N 127.0.0.1 $p < '$OUT/lines-$PIPE_MB.txt' > '$OUT/pipe.out'"); fi
    cmp -s "$OUT/pipe.out" "$OUT/lines-$PIPE_MB.txt" || echo "   ($1: the echo differs from the input)" >&2
    echo "$t"
}
n=(); c=()
for round in $(seq "$ROUNDS"); do n+=("$(pipe_once nettool)"); c+=("$(pipe_once nc)"); done
stop_server
nm=$(printf '%s\n' "${n[@]}" | median); cm=$(printf '%s\n' "${c[@]}" | median); r=$(ratio "$cm" "$nm")
row "tcp-echo-client as a pipe, $PIPE_MB MiB of lines" MB/s "$(awk -v t="$nm" -v m="$PIPE_MB" 'BEGIN { printf "%.0f", m * 1.048576 / t }')" \
    "nc -N" "$(awk -v t="$cm" -v m="$PIPE_MB" 'BEGIN { printf "%.0f", m * 1.048576 / t }')" "$r" "≥ 2" "$(atleast "$r" 2)"

# Decoding: capture -r on a generated file of mixed ARP/NDP frames, vs tcpdump -nn -r.
FILE="$OUT/arp-ndp-$PACKETS.pcap"
[ -s "$FILE" ] || "$OUT/gen_arp_ndp" "$PACKETS" "$FILE"
decode_row() {  # NAME GOAL-PER-SECOND NETTOOL-ARGS...
    local name=$1 goal=$2 n=() c=() nm cm
    shift 2
    for _ in $(seq "$ROUNDS"); do n+=("$(seconds "$NETTOOL" "$@")"); c+=("$(seconds tcpdump -nn -r "$FILE")"); done
    nm=$(printf '%s\n' "${n[@]}" | median); cm=$(printf '%s\n' "${c[@]}" | median)
    nm=$(awk -v t="$nm" -v p="$PACKETS" 'BEGIN { printf "%.0f", p / t }'); cm=$(awk -v t="$cm" -v p="$PACKETS" 'BEGIN { printf "%.0f", p / t }')
    row "$name" packets/s "$nm" "tcpdump -nn -r" "$cm" "$(ratio "$nm" "$cm")" "≥ $(thousands "$goal")/s" "$(atleast "$nm" "$goal")"
}
decode_row "capture -r --json, $(thousands "$PACKETS") ARP/NDP frames" 1000000 capture -r "$FILE" --json
decode_row "capture -r (text), $(thousands "$PACKETS") ARP/NDP frames" 1500000 capture -r "$FILE"

# TCP: capture -r on a generated file of TCP segments (Benchmarks/support/gen_tcp.c), stateless
# (--absolute-seq: no tracking, every core) and with every connection tracked (--conversations),
# vs tcpdump -nn -r on the same file; and --json against tshark -T json, both on a tenth of it.
TCPFILE="$OUT/tcp-$PACKETS.pcap"
TCPSMALL="$OUT/tcp-$((PACKETS / 10)).pcap"
[ -s "$TCPFILE" ] || "$OUT/gen_tcp" "$PACKETS" "$TCPFILE"
[ -s "$TCPSMALL" ] || "$OUT/gen_tcp" $((PACKETS / 10)) "$TCPSMALL"
tcp_row() {  # NAME GOAL FILE COUNT PEER-NAME PEER-COMMAND NETTOOL-ARGS...
    local name=$1 goal=$2 file=$3 count=$4 peer=$5 command=$6 n=() c=() nm cm
    shift 6
    for _ in $(seq "$ROUNDS"); do n+=("$(seconds "$NETTOOL" "$@")"); c+=("$(seconds sh -c "$command")"); done
    nm=$(printf '%s\n' "${n[@]}" | median); cm=$(printf '%s\n' "${c[@]}" | median)
    nm=$(awk -v t="$nm" -v p="$count" 'BEGIN { printf "%.0f", p / t }'); cm=$(awk -v t="$cm" -v p="$count" 'BEGIN { printf "%.0f", p / t }')
    row "$name" packets/s "$nm" "$peer" "$cm" "$(ratio "$nm" "$cm")" "≥ $(thousands "$goal")/s" "$(atleast "$nm" "$goal")"
}
tcp_row "capture -r --json --absolute-seq, $(thousands "$PACKETS") TCP segments" 1000000 "$TCPFILE" "$PACKETS" \
    "tcpdump -nn -r" "tcpdump -nn -r '$TCPFILE'" capture -r "$TCPFILE" --tcp --json --absolute-seq
tcp_row "capture -r --conversations, $(thousands "$PACKETS") TCP segments" 500000 "$TCPFILE" "$PACKETS" \
    "tcpdump -nn -r" "tcpdump -nn -r '$TCPFILE'" capture -r "$TCPFILE" --tcp --conversations --quiet
if command -v tshark >/dev/null 2>&1; then
    tcp_row "capture -r --json, $(thousands $((PACKETS / 10))) TCP segments" 1000000 "$TCPSMALL" $((PACKETS / 10)) \
        "tshark -T json" "tshark -n -r '$TCPSMALL' -T json" capture -r "$TCPSMALL" --tcp --json
fi

# Classifying: ip-classify --json on mixed lines, vs Python's ipaddress.
ADDRESSES="$OUT/addresses-$LINES.txt"
[ -s "$ADDRESSES" ] || python3 Benchmarks/support/make_addresses.py "$LINES" > "$ADDRESSES"
n=(); c=()
for _ in $(seq "$ROUNDS"); do
    n+=("$(seconds sh -c "'$NETTOOL' ip-classify --json < '$ADDRESSES'")")
    c+=("$(seconds sh -c "python3 Benchmarks/support/python_classify.py < '$ADDRESSES'")")
done
nm=$(printf '%s\n' "${n[@]}" | median); cm=$(printf '%s\n' "${c[@]}" | median)
nm=$(awk -v t="$nm" -v p="$LINES" 'BEGIN { printf "%.0f", p / t }'); cm=$(awk -v t="$cm" -v p="$LINES" 'BEGIN { printf "%.0f", p / t }')
row "ip-classify --json, $(thousands "$LINES") mixed lines" addresses/s "$nm" "python3 ipaddress" "$cm" "$(ratio "$nm" "$cm")" "≥ 2,000,000/s" "$(atleast "$nm" 2000000)"

# Start-up: perf stat over 100 runs each, vs tcpdump --version.
ms() { perf stat -r 100 "$@" 2>&1 >/dev/null | awk '/seconds time elapsed/ { printf "%.2f", $1 * 1000 }'; }
startup_row() {  # NAME ARGS...
    local name=$1 n=() c=() nm cm
    shift
    for _ in $(seq "$ROUNDS"); do n+=("$(ms "$NETTOOL" "$@")"); c+=("$(ms tcpdump --version)"); done
    nm=$(printf '%s\n' "${n[@]}" | median); cm=$(printf '%s\n' "${c[@]}" | median)
    row "$name" ms "$nm" "tcpdump --version" "$cm" "$(ratio "$cm" "$nm")" "≤ 5 ms" "$(atmost "$nm" 5)"
}
startup_row "start-up, nettool --version" --version
startup_row "start-up, nettool ip-classify 1.2.3.4" ip-classify 1.2.3.4

# Download: DOWNLOAD_MB from file-server to disk, SHA-256 checked and fsynced, vs curl && sync.
mkdir -p "$OUT/root" "$OUT/got"
BYTES=$((DOWNLOAD_MB << 20))
[ -s "$OUT/root/big.bin" ] && [ "$(stat -c %s "$OUT/root/big.bin")" = "$BYTES" ] || head -c "$BYTES" /dev/urandom > "$OUT/root/big.bin"
p=$(port)
"$NETTOOL" file-server --root "$OUT/root" --bind 127.0.0.1 --port "$p" --quiet 2>/dev/null & SERVER=$!
PIDS+=("$SERVER")
wait_port "$p"
URL="http://127.0.0.1:$p/big.bin"
curl -s -o /dev/null "$URL"   # the server computes its Repr-Digest once
n=(); c=()
for _ in $(seq "$ROUNDS"); do
    n+=("$(seconds "$NETTOOL" download "$URL" -o "$OUT/got/n.bin" --quiet)"); rm -f "$OUT"/got/*
    c+=("$(seconds sh -c "curl -s -o '$OUT/got/c.bin' '$URL' && sync '$OUT/got/c.bin'")"); rm -f "$OUT"/got/*
done
stop_server
nm=$(printf '%s\n' "${n[@]}" | median); cm=$(printf '%s\n' "${c[@]}" | median); r=$(ratio "$cm" "$nm")
row "download $DOWNLOAD_MB MiB over HTTP to disk, SHA-256 checked" MB/s "$(awk -v t="$nm" -v b="$BYTES" 'BEGIN { printf "%.0f", b / 1e6 / t }')" \
    "curl -o && sync" "$(awk -v t="$cm" -v b="$BYTES" 'BEGIN { printf "%.0f", b / 1e6 / t }')" "$r" "≥ 0.8" "$(atleast "$r" 0.8)"

echo
echo '| row | unit | nettool | peer | peer figure | ratio | goal | met |'
echo '|---|---|--:|---|--:|--:|---|---|'
for entry in "${ROWS[@]}"; do
    IFS='|' read -r name unit nfig pname pfig r goal met <<< "$entry"
    [ "$unit" = ms ] || { nfig=$(thousands "$nfig"); pfig=$(thousands "$pfig"); }
    printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$name" "$unit" "$nfig" "$pname" "$pfig" "$r" "$goal" "$met"
done
