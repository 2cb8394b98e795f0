#!/usr/bin/env python3
"""Writes the committed seed corpus of each fuzz harness (Fuzz/Corpus/HARNESS/): inputs of the
kinds the tests use, so each run starts from the interesting shapes rather than from nothing.
Frames come from Benchmarks/support/gen_arp_ndp.c's generator (ARP, NDP with options, VLAN
tags, malformed ones); the TLS ClientHello from a real `openssl s_client`, when installed.
    python3 Fuzz/make-seeds.py   (from the repository root)"""
import os
import socket
import struct
import subprocess
import tempfile
import threading

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "Corpus")


def seed(harness, name, data):
    folder = os.path.join(ROOT, harness)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def pcap_frames(path):
    """(link type, [frames]) of a classic pcap file."""
    with open(path, "rb") as f:
        data = f.read()
    link = struct.unpack_from("<I", data, 20)[0]
    frames, offset = [], 24
    while offset + 16 <= len(data):
        caplen = struct.unpack_from("<I", data, offset + 8)[0]
        frames.append(data[offset + 16:offset + 16 + caplen])
        offset += 16 + caplen
    return link, frames


def client_hello():
    """The first TLS record openssl s_client sends to a listener that never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]
    got = []

    def accept():
        conn, _ = listener.accept()
        conn.settimeout(3)
        try:
            got.append(conn.recv(65536))
        finally:
            conn.close()

    thread = threading.Thread(target=accept)
    thread.start()
    try:
        subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-servername", "localhost", "-alpn", "http/1.1"],
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=5)
    except (FileNotFoundError, subprocess.TimeoutExpired):
        pass
    thread.join(5)
    listener.close()
    record = got[0] if got else b""
    return record[5:] if len(record) > 5 else None


for i, text in enumerate(["192.0.2.1\n2001:db8::1\n10.0.0.0/8\n", "fe80::1%eth0\n::ffff:192.0.2.1\n2002:c000:0204::1\n",
                          "2001:0:4136:e378:8000:63bf:3fff:fdd2\nff02::1:ff00:1\n224.0.0.251\n", "256.1.1.1\n::1::\n1.2.3.4/33\r\n",
                          "64:ff9b::192.0.2.33\n100.64.0.0/10\n0.0.0.0\n"]):
    seed("fuzz-address-input", f"lines-{i}", text)
for i, text in enumerate(["80", "5353/udp", "1-1024", "http", "ssh/tcp", "65535", "0", "domain/udp"]):
    seed("fuzz-port-query", f"query-{i}", text)

with tempfile.TemporaryDirectory() as work:
    generator = os.path.join(work, "gen")
    subprocess.run(["cc", "-O2", "-o", generator, "Benchmarks/support/gen_arp_ndp.c", "-lpcap"], check=True)
    capture = os.path.join(work, "sample.pcap")
    subprocess.run([generator, "2000", capture], check=True, stdout=subprocess.DEVNULL)
    link, frames = pcap_frames(capture)
    # One of each shape the generator cycles through, plus the malformed ones it plants.
    chosen = frames[:24] + [frames[i] for i in range(999, len(frames), 1000)]
    for i, frame in enumerate(chosen):
        seed("fuzz-frame-decoder", f"frame-{i:02}", bytes([0]) + frame)
        # The same frame behind a Linux cooked (SLL) header: packet type, ARPHRD, address, protocol.
        seed("fuzz-frame-decoder", f"sll-{i:02}", bytes([1]) + struct.pack(">HHH", 0, 1, 6) + frame[6:12] + b"\0\0" + frame[12:])
    small = os.path.join(work, "small.pcap")
    subprocess.run([generator, "12", small], check=True, stdout=subprocess.DEVNULL)
    with open(small, "rb") as f:
        seed("fuzz-pcap-file", "arp-ndp.pcap", f.read())

def checksum(data):
    data += b"\0" * (len(data) % 2)
    total = sum(struct.unpack(f">{len(data) // 2}H", data))
    while total > 0xffff:
        total = (total & 0xffff) + (total >> 16)
    return ~total & 0xffff


def ipv4(src, dst, proto, payload):
    header = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, 0x4000, 64, proto, 0, src, dst)
    return header[:10] + struct.pack(">H", checksum(header)) + header[12:] + payload


def tcp(src, dst, sport, dport, seq, ack, flags, options=b"", payload=b""):
    offset = (20 + len(options)) // 4
    segment = struct.pack(">HHIIHHHH", sport, dport, seq, ack, offset << 12 | flags, 65495, 0, 0) + options + payload
    pseudo = src + dst + struct.pack(">BBH", 0, 6, len(segment))
    return segment[:16] + struct.pack(">H", checksum(pseudo + segment)) + segment[18:]


A, B = bytes([127, 0, 0, 1]), bytes([127, 0, 0, 2])
SYN_OPTIONS = bytes([2, 4, 0xff, 0xd7, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7])
# One whole connection: handshake, data both ways, a retransmission, the four-way close.
FLOW = [(A, B, 40000, 80, 100, 0, 0x002, SYN_OPTIONS, b""), (B, A, 80, 40000, 900, 101, 0x012, SYN_OPTIONS, b""),
        (A, B, 40000, 80, 101, 901, 0x010, b"", b""), (A, B, 40000, 80, 101, 901, 0x018, b"", b"hello"),
        (A, B, 40000, 80, 101, 901, 0x018, b"", b"hello"), (B, A, 80, 40000, 901, 106, 0x010, b"", b""),
        (A, B, 40000, 80, 106, 901, 0x011, b"", b""), (B, A, 80, 40000, 901, 107, 0x011, b"", b""),
        (A, B, 40000, 80, 107, 902, 0x010, b"", b"")]
packets = [ipv4(s, d, 6, tcp(s, d, sp, dp, seq, ack, fl, opt, data)) for s, d, sp, dp, seq, ack, fl, opt, data in FLOW]
seed("fuzz-tcp-flow", "connection", b"".join(struct.pack(">H", len(p)) + p for p in packets))
for i, packet in enumerate(packets[:4]):
    seed("fuzz-frame-decoder", f"rawip-{i}", bytes([3]) + packet)
udp = struct.pack(">HHHH", 40000, 9, 10, 0) + b"hi"
seed("fuzz-frame-decoder", "rawip-icmp-unreachable", bytes([3]) + ipv4(B, A, 1, struct.pack(">BBHI", 3, 3, 0, 0) + ipv4(A, B, 17, udp)))

for i, text in enumerate(["/index.html", "/a/../b/./c", "/%2e%2e/etc/passwd", "http://127.0.0.1:8080/x?y=1",
                          "/.hidden/file", "/dir%2Fname", "*", "/caf%C3%A9"]):
    seed("fuzz-request-path", f"target-{i}", text)
for i, text in enumerate(["bytes=0-99\nbytes 0-99/1000\n\"5f3e-1a2b\"", "bytes=-500\nbytes 500-999/*\nMon, 30 Nov 2026 10:00:00 GMT",
                          "bytes=100-\nbytes */1000\nW/\"x\""]):
    seed("fuzz-range-headers", f"values-{i}", text)
for i, text in enumerate(["http://127.0.0.1:8080/file.bin\n/other/path", "raw://[::1]:9000/notes.txt\nhttps://localhost/x",
                          "https://localhost:8443/dir/\n../up?q=1#f", "127.0.0.1:8080/a%20b.txt\nhttp://[::1]/"]):
    seed("fuzz-download-source", f"source-{i}", text)
seed("fuzz-raw-request", "name", b"\x10notes.txt\n")
seed("fuzz-raw-request", "crlf", b"\x03dir/file.bin\r\n")
seed("fuzz-line-framer", "lines", b"\x05hello\nworld\npartial")
seed("fuzz-hex-payload", "spaced", "de ad be ef")
seed("fuzz-hex-payload", "prefixed", "0xde:0xad-0x00\n0a")
# One datagram per line, as udp-recv --numbered gets them: a run with a loss, a repeat and a
# reordering; totals of 0, a forged total, an unnumbered line, and a total over the limit.
seed("fuzz-numbering", "run", "#1/5 a\n#2/5 b\n#4/5 d\n#3/5 c\n#4/5 d\nplain\n#5/5")
seed("fuzz-numbering", "zero-totals", "#1/0 x\n#0/0\n#5/0\n#1/0")
seed("fuzz-numbering", "conflicting", "#1/3 x\n#2/1000000 x\n#3/3 x\n#12345678/99999999 y")
for i, text in enumerate(["1.5s", "100ms", "2m", "64K", "500M", "1h"]):
    seed("fuzz-units", f"unit-{i}", text)
# Read size, resume selector (0: fresh; 1-3: a saved part of 300-900 bytes, ETag "v1"), response.
for i, (lead, text) in enumerate([
        (b"\x20\x00", b"HTTP/1.1 200 OK\r\nETag: \"v1\"\r\nContent-Length: 5\r\n\r\nhello"),
        (b"\x07\x01", b"HTTP/1.1 206 Partial Content\r\nETag: \"v1\"\r\nContent-Range: bytes 100-299/300\r\nContent-Length: 200\r\n\r\n" + b"x" * 200),
        (b"\x3f\x00", b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-Trailer: 1\r\n\r\n"),
        (b"\x01\x01", b"HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */300\r\nContent-Length: 3\r\n\r\nbad"),
        (b"\x10\x00", b"HTTP/1.1 302 Found\r\nLocation: //other/x\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\n\r\n"),
        (b"\x05\x02", b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end"),
        ]):
    seed("fuzz-download-response", f"response-{i}", lead + text)
hello = client_hello()
if hello:
    seed("fuzz-tls-hello", "client-hello", hello)
else:
    print("openssl not installed: fuzz-tls-hello starts without a ClientHello seed")
