"""Loopback ports for `make run-local`: refuse to start on a port something else listens on, and
start the API only once the data service listens, so that its first requests find it.

    python3 tools/wait_for_port.py --free NAME=PORT...
    python3 tools/wait_for_port.py PORT PID [SECONDS]

The first exits 1 naming a taken port and how to choose another. The second exits 1 when PID
(the server's process) ends first, or after SECONDS (60) without a listener.
"""

import os
import socket
import sys
import time

# Another run's ports are these plus this: far enough from the defaults to be free, usually.
SHIFT = 100


def listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def wait(port: int, pid: int, seconds: float) -> int:
    deadline = time.monotonic() + seconds
    while not listening(port):
        if not alive(pid):
            print(f"The server for port {port} stopped before it listened.", file=sys.stderr)
            return 1
        if time.monotonic() > deadline:
            print(f"Nothing listens on 127.0.0.1:{port} after {seconds:.0f} s.", file=sys.stderr)
            return 1
        time.sleep(0.2)
    return 0


def free(ports: dict[str, int]) -> int:
    taken = [name for name, port in ports.items() if listening(port)]
    if not taken:
        return 0
    named = " and ".join(f"{name} {ports[name]}" for name in taken)
    shift = SHIFT if max(ports.values()) + SHIFT <= 65535 else -SHIFT
    others = " ".join(
        f"{name}={port + shift if name in taken else port}" for name, port in ports.items()
    )
    print(
        f"Something already listens on 127.0.0.1 at {named} (another make run-local?).\n"
        f"Stop it, or choose other ports: make run-local {others}",
        file=sys.stderr,
    )
    return 1


if __name__ == "__main__":
    if sys.argv[1:2] == ["--free"]:
        pairs = (argument.split("=", 1) for argument in sys.argv[2:])
        sys.exit(free({name: int(port) for name, port in pairs}))
    port, pid, *rest = sys.argv[1:]
    sys.exit(wait(int(port), int(pid), float(rest[0]) if rest else 60))
