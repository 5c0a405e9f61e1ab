#!/usr/bin/env python3
"""Runs a command on a pseudo-terminal, as a person at a terminal would:
its output (stdout and stderr, as the terminal shows them) goes to --log,
and the steps are done in order: --expect REGEX waits until the output
holds a match after the previous one, --run CMD runs a shell command (the
terminal is read meanwhile),
--send TEXT types TEXT (\\x03 is Ctrl-C, which the terminal turns into
SIGINT for the foreground process group). Then waits for the command to
end. Exits with the command's status (128+N for a signal N), or 124 when a
step or the end takes longer than --timeout seconds in all, after killing
the command's process group."""
import argparse
import fcntl
import os
import pty
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time


class Step(argparse.Action):
    def __call__(self, parser, ns, value, option):
        ns.steps.append((option.lstrip("-"), value))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--log", required=True)
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("--cols", type=int, default=120)
    for opt in ("--expect", "--run", "--send"):
        ap.add_argument(opt, action=Step, dest="steps")
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    ap.set_defaults(steps=[])
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd[:1] == ["--"] else a.cmd
    deadline = time.monotonic() + a.timeout

    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(cmd[0], cmd)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, a.cols, 0, 0))
    out = bytearray()
    seen = 0
    log = open(a.log, "wb")

    def pump(wait):
        """Reads what the terminal shows within wait seconds; False at EOF."""
        r, _, _ = select.select([fd], [], [], wait)
        if not r:
            return True
        try:
            data = os.read(fd, 65536)
        except OSError:  # EIO: the last process holding the terminal ended
            return False
        if not data:
            return False
        out.extend(data)
        log.write(data)
        log.flush()
        return True

    def give_up(why):
        print(f"pty_drive: {why}", file=sys.stderr)
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            pass
        os.waitpid(pid, 0)
        sys.exit(124)

    alive = True
    for kind, value in a.steps:
        if kind == "expect":
            rx = re.compile(value.encode())
            while not (m := rx.search(out, seen)):
                if time.monotonic() > deadline or not alive:
                    give_up(f"no match for {value!r}")
                alive = pump(0.05) and alive
            seen = m.end()
        elif kind == "run":
            # The terminal is read meanwhile: a full one would block the
            # command's writers, and what they serve.
            cmd_proc = subprocess.Popen(value, shell=True)
            while cmd_proc.poll() is None:
                if time.monotonic() > deadline:
                    cmd_proc.kill()
                    give_up(f"{value!r} did not end")
                alive = pump(0.05) and alive
        else:
            os.write(fd, value.encode().decode("unicode_escape").encode())
    while alive:
        if time.monotonic() > deadline:
            give_up("the command did not end")
        alive = pump(0.05)
    _, status = os.waitpid(pid, 0)
    sys.exit(os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status))


if __name__ == "__main__":
    main()
