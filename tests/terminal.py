#!/usr/bin/env python3
"""Run a command on a pseudo-terminal of its own, as a user at a terminal
would, and copy everything it writes there to stdout.

usage: terminal.py [--screen] [--type SECONDS KEYS] COLUMNS COMMAND [ARG...]

The terminal is COLUMNS wide and 24 lines high, TERM=xterm; the exit
status is the command's (128 + N for signal N).  With --screen, what a
terminal shows at the end instead: the output replayed as a terminal
draws it (carriage return, line feed, cursor up, erase below; lines
wrap at COLUMNS), with no limit of lines, trailing blanks dropped.
With --type, KEYS (Python escapes: \\x03 is Ctrl-C) are typed SECONDS
after the start, as many times as --type is given.
"""
import fcntl
import os
import pty
import re
import select
import struct
import sys
import termios
import time


def screen(data, cols):
    lines, row, col = [[]], 0, 0
    for m in re.finditer(r"\x1b\[(\d*)([A-Za-z])|\r|\n|[^\x1b\r\n]", data):
        tok = m.group(0)
        if tok == "\r":
            col = 0
        elif tok == "\n":
            row, col = row + 1, 0
        elif m.group(2) == "A":
            row = max(0, row - int(m.group(1) or 1))
        elif m.group(2) == "J":
            del lines[row + 1:]
            del lines[row][col:]
        elif m.group(2):
            raise SystemExit("terminal.py: no replay of ESC[%s" % tok[2:])
        else:
            if col == cols:
                row, col = row + 1, 0
            while len(lines) <= row:
                lines.append([])
            line = lines[row]
            line.extend(" " * (col + 1 - len(line)))
            line[col] = tok
            col += 1
        while len(lines) <= row:
            lines.append([])
    text = "\n".join("".join(line).rstrip() for line in lines)
    return text.rstrip("\n") + "\n"


def main():
    args, replay, keys = sys.argv[1:], False, []
    while args[0].startswith("--"):
        if args[0] == "--screen":
            replay, args = True, args[1:]
        else:
            when = float(args[1])
            keys.append((when, args[2].encode().decode("unicode_escape")))
            args = args[3:]
    keys.sort()
    cols, argv = int(args[0]), args[1:]
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["TERM"] = "xterm"
        os.execvp(argv[0], argv)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, cols, 0, 0))
    chunks, start = [], time.monotonic()
    while True:
        if keys:
            wait = keys[0][0] - (time.monotonic() - start)
            if wait <= 0 or not select.select([fd], [], [], wait)[0]:
                os.write(fd, keys.pop(0)[1].encode("latin-1"))
                continue
        try:
            data = os.read(fd, 65536)
        except OSError:  # EIO: the terminal's last writer has gone
            break
        if not data:
            break
        chunks.append(data)
    out = b"".join(chunks)
    if replay:
        out = screen(out.decode("utf-8", "replace"), cols).encode()
    sys.stdout.buffer.write(out)
    sys.stdout.buffer.flush()
    _, status = os.waitpid(pid, 0)
    sys.exit(os.WEXITSTATUS(status) if os.WIFEXITED(status)
             else 128 + os.WTERMSIG(status))


main()
