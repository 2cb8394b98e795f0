#!/usr/bin/env python3
"""A misbehaving HTTP/1.1 server for nettool's download tests, on 127.0.0.1 only.

Usage: hostile_http.py MODE [SEED]. Prints "port N" once listening, then one "request ..." line
per request. Serves at most 60 connections and stops after 60 seconds, whatever happens.
Modes (the file is BODY, 300,000 bytes, ETag "v1", unless said otherwise):
  cut          the first answer stops after 100,000 bytes with a clean FIN; requests with Range
               get the rest (206)
  range-early  cut, then a 206 that starts 1,000 bytes before the asked start; then whole 200s
  range-late   the same, 1,000 bytes after
  ignore-range cut, then a 200 with the whole file in answer to the Range
  etag-change  cut; the resume gets a 206 of the asked range but of a new version (ETag "v2",
               BODY2), and every later request the whole of BODY2
  random-cut   the first 20 answers each stop at a random point (seeded by SEED), alternately
               with a FIN and a reset; 206 for Range; then whole answers
  slow         the whole file in 64 pieces, 5 ms apart (for killing the client mid-body)
  http09       answers with a bare body, no status line (HTTP/0.9)
  cl-and-chunked  both Content-Length and Transfer-Encoding: chunked
  cr-location  a redirect whose Location holds a bare CR
  redirect-loop  every request is redirected to itself
  redirect-file  a redirect to file:/etc/passwd
  redirect-ftp   a redirect to ftp://127.0.0.1/f.bin
  redirect-scheme-relative  a redirect to //127.0.0.1:PORT/other.bin (this same server), which
               then serves BODY
  big-header   a 200 whose head carries a 1 MB header line
  endless-head header lines, without end (at most 60 s)
  bad-chunk    chunked, with a chunk size of "zz"
  huge-chunk   chunked, with a chunk size of 2^72 - 1 in hex
  hostile-text a 200 whose reason phrase, a header and the ETag hold C1 controls (obs-text)
  hostile-status  a 404 whose reason phrase holds C1 controls
  hostile-redirect  a redirect to a path holding a C1 control; that path then gets "hello"
  excess       Content-Length: 10, then 20 bytes
  excess-response  Content-Length: 10, then a whole second response with a body of its own
  status999    HTTP/1.1 999 with an empty reason
  endless      200 with no length, bytes until the client goes away (at most 60 s)
"""
import random
import socket
import struct
import sys
import time

BODY = bytes((i * 7 + (i >> 9)) & 0xFF for i in range(300_000))
BODY2 = bytes((i * 13 + 5) & 0xFF for i in range(300_000))


def read_head(conn):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            return None
        data += chunk
    return data.split(b"\r\n\r\n")[0].decode("latin-1")


def whole(conn, body=BODY, etag="v1"):
    conn.sendall(b"HTTP/1.1 200 OK\r\nETag: \"%s\"\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % (etag.encode(), len(body)) + body)


def partial(conn, start, asked=None, body=BODY, etag="v1"):
    """A 206 from `start`, labelled as starting at `asked` when that differs."""
    label = start if asked is None else asked
    rest = body[start:]
    conn.sendall(b"HTTP/1.1 206 Partial Content\r\nETag: \"%s\"\r\nContent-Length: %d\r\n"
                 b"Content-Range: bytes %d-%d/%d\r\nConnection: close\r\n\r\n"
                 % (etag.encode(), len(rest), label, label + len(rest) - 1, len(body)) + rest)


# The modes that answer every request with the same bytes.
CANNED = {
    "http09": b"just the bytes, no status line\n",
    "cl-and-chunked": b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    "cr-location": b"HTTP/1.1 302 Found\r\nLocation: /a\rb\r\nContent-Length: 0\r\n\r\n",
    "redirect-file": b"HTTP/1.1 302 Found\r\nLocation: file:/etc/passwd\r\nContent-Length: 0\r\n\r\n",
    "redirect-ftp": b"HTTP/1.1 301 Moved\r\nLocation: ftp://127.0.0.1/f.bin\r\nContent-Length: 0\r\n\r\n",
    "big-header": b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * 1_000_000 + b"\r\nContent-Length: 5\r\n\r\nhello",
    "bad-chunk": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\nworld\r\n0\r\n\r\n",
    "huge-chunk": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\nhello\r\n0\r\n\r\n",
    "hostile-text": b"HTTP/1.1 200 O\xc2\x9b2JK\r\nX-Evil: a\xc2\x9b31mb\x9bc\r\nETag: \"v\x9b1\"\r\nContent-Length: 5\r\n\r\nhello",
    "hostile-status": b"HTTP/1.1 404 N\xc2\x9bo\x9b\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    "excess": b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n" + b"x" * 20,
    "status999": b"HTTP/1.1 999 \r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
}


def head_for(start):
    """The head of BODY's answer: 206 from `start`, or 200 for the whole when no range was asked."""
    if start is None:
        return b"HTTP/1.1 200 OK\r\nETag: \"v1\"\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % len(BODY)
    return (b"HTTP/1.1 206 Partial Content\r\nETag: \"v1\"\r\nContent-Length: %d\r\nContent-Range: bytes %d-%d/%d\r\n"
            b"Connection: close\r\n\r\n" % (len(BODY) - start, start, len(BODY) - 1, len(BODY)))


def cut_first(conn, count):
    conn.sendall(b"HTTP/1.1 200 OK\r\nETag: \"v1\"\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % len(BODY) + BODY[:count])


def reset(conn):
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


class Server:
    def __init__(self, mode, seed):
        self.mode = mode
        self.served = 0
        self.random = random.Random(seed)
        self.port = 0

    def answer(self, conn, head):
        mode, number = self.mode, self.served
        lines = head.split("\r\n")
        headers = {k.strip().lower(): v.strip() for k, v in (l.split(":", 1) for l in lines[1:] if ":" in l)}
        start = int(headers["range"].split("=")[1].split("-")[0]) if "range" in headers else None
        if mode in CANNED:
            conn.sendall(CANNED[mode])
        elif mode == "redirect-loop":
            conn.sendall(b"HTTP/1.1 302 Found\r\nLocation: %s\r\nContent-Length: 0\r\n\r\n" % lines[0].split(" ")[1].encode())
        elif mode == "cut":
            partial(conn, start) if start is not None else cut_first(conn, 100_000)
        elif mode in ("range-early", "range-late"):
            if number == 0:
                cut_first(conn, 100_000)
            elif start is not None:
                shift = -1000 if mode == "range-early" else 1000
                partial(conn, start + shift, asked=start + shift)
            else:
                whole(conn)
        elif mode == "ignore-range":
            cut_first(conn, 100_000) if number == 0 else whole(conn)
        elif mode == "etag-change":
            if number == 0:
                cut_first(conn, 100_000)
            elif start is not None:
                partial(conn, start, body=BODY2, etag="v2")
            else:
                whole(conn, BODY2, "v2")
        elif mode == "random-cut":
            if number >= 20:
                partial(conn, start) if start is not None else whole(conn)
                return
            response = head_for(start) + BODY[start or 0:]
            point = self.random.randrange(1, len(response))
            print("cut", number, "at", point, "of", len(response), "with", "reset" if number % 2 else "fin", flush=True)
            conn.sendall(response[:point])
            if number % 2:
                time.sleep(0.01)
                reset(conn)
        elif mode == "slow":
            conn.sendall(head_for(start))
            piece = len(BODY) // 64 + 1
            for offset in range(start or 0, len(BODY), piece):
                conn.sendall(BODY[offset:offset + piece])
                time.sleep(0.005)
        elif mode == "redirect-scheme-relative":
            if lines[0].split(" ")[1] == "/other.bin":
                whole(conn)
            else:
                conn.sendall(b"HTTP/1.1 302 Found\r\nLocation: //127.0.0.1:%d/other.bin\r\nContent-Length: 0\r\n\r\n" % self.port)
        elif mode == "endless-head":
            conn.sendall(b"HTTP/1.1 200 OK\r\n")
            deadline = time.time() + 60
            line = b"X-More: " + b"b" * 1000 + b"\r\n"
            while time.time() < deadline:
                conn.sendall(line * 64)
        elif mode == "hostile-redirect":
            if number == 0:
                conn.sendall(b"HTTP/1.1 302 Found\r\nLocation: /x\xc2\x9by\r\nContent-Length: 0\r\n\r\n")
            else:
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello")
        elif mode == "excess-response":
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n" + b"x" * 10
                         + b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nEVIL!\n")
        elif mode == "endless":
            conn.sendall(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n")
            chunk = b"z" * 65536
            deadline = time.time() + 60
            while time.time() < deadline:
                conn.sendall(chunk)


def main():
    server = Server(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 1)
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(60)
    server.port = listener.getsockname()[1]
    print("port", server.port, flush=True)
    stop = time.time() + 60
    while server.served < 60 and time.time() < stop:
        try:
            conn, _ = listener.accept()
        except OSError:
            break
        conn.settimeout(60)
        try:
            head = read_head(conn)
            if head is None:
                continue
            print("request", head.split("\r\n")[0], "|", " ".join(l for l in head.split("\r\n")[1:] if l.lower().startswith("range")), flush=True)
            server.answer(conn, head)
        except OSError:
            pass
        finally:
            server.served += 1
            conn.close()


main()
