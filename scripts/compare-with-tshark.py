#!/usr/bin/env python3
"""Runs `nettool capture -r` over every capture file in a folder (tcpdump's own tests/ folder,
fetched: its files are not ours to commit) and compares each TCP segment with tshark's reading.
Reports, per file: nettool's exit status (a crash or a hang is a failure), and for files whose
TCP segments both tools count alike, how many agree on addresses, ports, flags, relative
seq/ack, window and payload length. Prints the totals last.
    python3 scripts/compare-with-tshark.py NETTOOL FOLDER"""
import json
import os
import subprocess
import sys

FIELDS = ["ip.src", "ipv6.src", "ip.dst", "ipv6.dst", "tcp.srcport", "tcp.dstport", "tcp.flags", "tcp.seq", "tcp.ack",
          "tcp.window_size_value", "tcp.len"]
FLAGS = {0x02: "SYN", 0x01: "FIN", 0x08: "PSH", 0x04: "RST", 0x10: "ACK", 0x20: "URG", 0x40: "ECE", 0x80: "CWR"}


def nettool(binary, path, extra):
    try:
        run = subprocess.run([binary, "capture", "-r", path] + extra, capture_output=True, timeout=60)
    except subprocess.TimeoutExpired:
        return "hang", []
    return run.returncode, run.stdout.decode(errors="replace").splitlines()


def tshark(path):
    # Outer TCP only: not the segment an ICMP error quotes, not what a tunnel carries.
    run = subprocess.run(["tshark", "-n", "-r", path, "-Y", "tcp and not icmp and not icmpv6 and not gre and not ip.proto == 4 "
                          "and not ip.proto == 41 and not udp", "-T", "fields", "-E", "separator=|", "-E", "occurrence=f"]
                         + [x for f in FIELDS for x in ("-e", f)], capture_output=True, timeout=120)
    return [line.split("|") for line in run.stdout.decode(errors="replace").splitlines()]


def agrees(mine, row):
    src, dst = row[0] or row[1], row[2] or row[3]
    flags = int(row[6], 16) if row[6] else -1
    names = {name for bit, name in FLAGS.items() if flags & bit}
    same = (mine.get("src_ip") == src and mine.get("dst_ip") == dst and str(mine.get("src_port")) == row[4]
            and str(mine.get("dst_port")) == row[5] and set(mine.get("flags", [])) - {"AE"} == names
            and str(mine.get("seq")) == row[7] and str(mine.get("window")) == row[9] and str(mine.get("payload_length")) == row[10])
    return same and (not flags & 0x10 or str(mine.get("ack")) == row[8])


def main():
    binary, folder = sys.argv[1], sys.argv[2]
    files = sorted(f for f in os.listdir(folder) if f.endswith((".pcap", ".pcapng", ".cap")))
    totals = dict(files=0, failed=0, compared=0, segments=0, agreeing=0, count_differs=0)
    for name in files:
        path = os.path.join(folder, name)
        totals["files"] += 1
        status, _ = nettool(binary, path, ["--ip", "-v"])
        ladder_status, _ = nettool(binary, path, ["--ladder", "--conversations"])
        # 0, or 1 for a file libpcap cannot read to its end; never a signal, never a hang.
        if status not in (0, 1) or ladder_status not in (0, 1):
            totals["failed"] += 1
            print(f"FAIL {name}: exit {status} (-v), {ladder_status} (--ladder)")
            continue
        status, lines = nettool(binary, path, ["--tcp", "--json"])
        mine = [r for r in (json.loads(l) for l in lines if l.startswith("{")) if r.get("event") == "packet" and r.get("protocol") == "tcp"]
        theirs = tshark(path)
        if not theirs and not mine:
            continue
        if len(mine) != len(theirs):
            totals["count_differs"] += 1
            print(f"count {name}: nettool {len(mine)} TCP segments, tshark {len(theirs)}")
            continue
        totals["compared"] += 1
        # A segment tshark could not size (tcp.len empty) is one it calls malformed: not compared.
        pairs = [(m, r) for m, r in zip(mine, theirs) if r[10] != ""]
        good = sum(agrees(m, r) for m, r in pairs)
        totals["segments"] += len(pairs)
        totals["agreeing"] += good
        if good != len(pairs):
            first = next(i for i, (m, r) in enumerate(pairs) if not agrees(m, r))
            mine, theirs = [m for m, _ in pairs], [r for _, r in pairs]
            print(f"differ {name}: {good}/{len(mine)} agree; first at {first + 1}: {mine[first]} vs {theirs[first]}")
    print(" ".join(f"{k}={v}" for k, v in totals.items()))
    return 1 if totals["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
