#!/usr/bin/env python3
"""Runs a command on a pseudo-terminal, as a person's terminal would, and copies every byte it
wrote there (stdout and stderr both) to this process's stdout, unchanged. Output processing is
off (no \\n -> \\r\\n), so what comes out is exactly what the program wrote.

Usage: in_pty.py SECONDS COMMAND [ARG...]. The command is killed after SECONDS; the exit line
"exit N" goes to stderr.
"""
import os
import pty
import select
import signal
import sys
import termios
import time

seconds = float(sys.argv[1])
pid, fd = pty.fork()
if pid == 0:
    attributes = termios.tcgetattr(0)
    attributes[1] &= ~termios.OPOST
    termios.tcsetattr(0, termios.TCSANOW, attributes)
    os.execvp(sys.argv[2], sys.argv[2:])
deadline = time.time() + seconds
output = bytearray()
status = None
while True:
    remaining = deadline - time.time()
    if remaining <= 0:
        os.kill(pid, signal.SIGKILL)
        break
    ready, _, _ = select.select([fd], [], [], min(remaining, 0.1))
    if ready:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
done, status = os.waitpid(pid, 0)
sys.stdout.buffer.write(output)
sys.stdout.flush()
print("exit", os.waitstatus_to_exitcode(status), file=sys.stderr)
