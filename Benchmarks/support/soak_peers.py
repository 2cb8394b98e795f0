#!/usr/bin/env python3
"""Load for Benchmarks/soak.sh; every mode stops by itself after SECONDS.

  slow-readers HOST PORT N SECONDS   N echo connections that send 64 KiB at once, then write and
                                     read 4 KiB a second each: the echo backs up in the server
  ranges HOST PORT PATH SIZE N SECONDS  N threads asking for random 1 MiB ranges of PATH (SIZE
                                     bytes, byte i = i % 251) on keep-alive connections, checking
                                     every byte; prints "requests R errors E"
  churn HOST PORT PROTOCOL COUNT SECONDS THREADS  connection churn: a new connection per request,
                                     COUNT of them at most, over THREADS threads; PROTOCOL http or
                                     https (unverified): GET /small.txt, read to the end of its
                                     Content-Length, close. Prints "connections C errors E"
  arp-flood DEVICE N SECONDS         ARP replies from N spoofed senders (198.18.0.0/15 addresses,
                                     locally administered MACs), in a loop, on DEVICE (a veth in a
                                     namespace soak.sh made); prints "frames F"
"""
import http.client
import random
import selectors
import socket
import ssl
import struct
import sys
import threading
import time


def slow_readers(host, port, count, seconds):
    deadline = time.time() + seconds
    selector = selectors.DefaultSelector()
    chunk = b"s" * 4096
    sockets = []
    for _ in range(count):
        conn = socket.create_connection((host, port))
        conn.setblocking(False)
        try:
            conn.send(b"f" * 65536)
        except BlockingIOError:
            pass
        sockets.append(conn)
    while time.time() < deadline:
        tick = time.time()
        for conn in sockets:
            try:
                conn.recv(4096)
            except (BlockingIOError, ConnectionError):
                pass
            try:
                conn.send(chunk)
            except (BlockingIOError, ConnectionError):
                pass
        time.sleep(max(0.0, 1.0 - (time.time() - tick)))
    for conn in sockets:
        conn.close()


def ranges(host, port, path, size, count, seconds):
    deadline = time.time() + seconds
    totals = {"requests": 0, "errors": 0}
    lock = threading.Lock()

    def worker(seed):
        rng = random.Random(seed)
        conn = http.client.HTTPConnection(host, port, timeout=10)
        while time.time() < deadline:
            start = rng.randrange(0, size - (1 << 20))
            end = start + (1 << 20) - 1
            ok = False
            try:
                conn.request("GET", path, headers={"Range": "bytes=%d-%d" % (start, end)})
                response = conn.getresponse()
                body = response.read()
                ok = response.status == 206 and len(body) == end - start + 1 \
                    and all(body[i] == (start + i) % 251 for i in range(0, len(body), 4099))
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=10)
            with lock:
                totals["requests"] += 1
                totals["errors"] += 0 if ok else 1
        conn.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print("requests", totals["requests"], "errors", totals["errors"])


def churn(host, port, protocol, count, seconds, threads):
    deadline = time.time() + seconds
    totals = {"connections": 0, "errors": 0}
    lock = threading.Lock()
    tls = None
    if protocol == "https":
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        tls.check_hostname = False
        tls.verify_mode = ssl.CERT_NONE
    request = b"GET /small.txt HTTP/1.1\r\nHost: soak\r\nConnection: close\r\n\r\n"

    def answered(conn):
        received = b""
        while True:
            if b"\r\n\r\n" in received:
                head, body = received.split(b"\r\n\r\n", 1)
                length = [int(l.split(b":")[1]) for l in head.lower().split(b"\r\n") if l.startswith(b"content-length:")]
                if length and len(body) >= length[0]:
                    return head.startswith(b"HTTP/1.1 200 ")
            chunk = conn.recv(65536)
            if not chunk:
                return False
            received += chunk

    def worker():
        while time.time() < deadline:
            with lock:
                if totals["connections"] >= count:
                    return
                totals["connections"] += 1
            ok = False
            try:
                with socket.create_connection((host, port), timeout=10) as raw:
                    conn = tls.wrap_socket(raw) if tls else raw
                    conn.sendall(request)
                    ok = answered(conn)
                    conn.close()
            except (OSError, ValueError):
                pass
            if not ok:
                with lock:
                    totals["errors"] += 1

    workers = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    print("connections", totals["connections"], "errors", totals["errors"])


def arp_flood(device, count, seconds):
    deadline = time.time() + seconds
    raw = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    raw.bind((device, 0))
    frames = []
    for i in range(count):
        mac = bytes([0x02, 0x5e, 0x10, (i >> 16) & 0xFF, (i >> 8) & 0xFF, i & 0xFF])
        ip = bytes([198, 18 + (i >> 16), (i >> 8) & 0xFF, i & 0xFF])
        arp = struct.pack(">HHBBH", 1, 0x0800, 6, 4, 2) + mac + ip + b"\xff" * 6 + bytes([198, 18, 0, 1])
        frames.append(b"\xff" * 6 + mac + b"\x08\x06" + arp + b"\x00" * 18)
    sent = 0
    while time.time() < deadline:
        for frame in frames:
            raw.send(frame)
            sent += 1
            if sent % 1024 == 0 and time.time() >= deadline:
                break
    print("frames", sent)


mode = sys.argv[1]
if mode == "slow-readers":
    slow_readers(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]))
elif mode == "ranges":
    ranges(sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5]), int(sys.argv[6]), float(sys.argv[7]))
elif mode == "churn":
    churn(sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5]), float(sys.argv[6]), int(sys.argv[7]))
elif mode == "arp-flood":
    arp_flood(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))
else:
    sys.exit("unknown mode " + mode)
