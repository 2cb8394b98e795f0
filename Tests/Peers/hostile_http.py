#!/usr/bin/env python3
"""A misbehaving HTTP/1.1 server for nettool's download tests, on 127.0.0.1 only.

Usage: hostile_http.py MODE. Prints "port N" once listening, then one "request ..." line per
request. Serves at most 20 connections and stops after 20 seconds, whatever happens.
Modes:
  cut          300,000 bytes (ETag "v1"); the first answer stops after 100,000 bytes with a clean
               FIN; later requests with Range get the rest (206)
  http09       answers with a bare body, no status line (HTTP/0.9)
  cl-and-chunked  both Content-Length and Transfer-Encoding: chunked
  cr-location  a redirect whose Location holds a bare CR
  excess       Content-Length: 10, then 20 bytes
  excess-response  Content-Length: 10, then a whole second response with a body of its own
  status999    HTTP/1.1 999 with an empty reason
  endless      200 with no length, bytes until the client goes away (at most 20 s)
"""
import socket
import sys
import time

BODY = bytes((i * 7 + (i >> 9)) & 0xFF for i in range(300_000))


def read_head(conn):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            return None
        data += chunk
    return data.split(b"\r\n\r\n")[0].decode("latin-1")


def answer(mode, conn, head):
    lines = head.split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, v in (l.split(":", 1) for l in lines[1:] if ":" in l)}
    if mode == "cut":
        if "range" in headers:
            start = int(headers["range"].split("=")[1].split("-")[0])
            rest = BODY[start:]
            conn.sendall(b"HTTP/1.1 206 Partial Content\r\nETag: \"v1\"\r\nContent-Length: %d\r\n"
                         b"Content-Range: bytes %d-%d/%d\r\nConnection: close\r\n\r\n" % (len(rest), start, len(BODY) - 1, len(BODY)) + rest)
        else:
            conn.sendall(b"HTTP/1.1 200 OK\r\nETag: \"v1\"\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % len(BODY) + BODY[:100_000])
    elif mode == "http09":
        conn.sendall(b"just the bytes, no status line\n")
    elif mode == "cl-and-chunked":
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
    elif mode == "cr-location":
        conn.sendall(b"HTTP/1.1 302 Found\r\nLocation: /a\rb\r\nContent-Length: 0\r\n\r\n")
    elif mode == "excess":
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n" + b"x" * 20)
    elif mode == "excess-response":
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n" + b"x" * 10
                     + b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nEVIL!\n")
    elif mode == "status999":
        conn.sendall(b"HTTP/1.1 999 \r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    elif mode == "endless":
        conn.sendall(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n")
        chunk = b"z" * 65536
        deadline = time.time() + 20
        while time.time() < deadline:
            conn.sendall(chunk)


def main():
    mode = sys.argv[1]
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(20)
    print("port", server.getsockname()[1], flush=True)
    stop = time.time() + 20
    for _ in range(20):
        if time.time() > stop:
            break
        try:
            conn, _ = server.accept()
        except OSError:
            break
        conn.settimeout(20)
        try:
            head = read_head(conn)
            if head is None:
                continue
            print("request", head.split("\r\n")[0], "|", " ".join(l for l in head.split("\r\n")[1:] if l.lower().startswith("range")), flush=True)
            answer(mode, conn, head)
        except OSError:
            pass
        finally:
            conn.close()


main()
