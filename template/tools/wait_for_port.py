"""Wait until a server listens on a loopback port; `make run-local` starts the API only then,
so that its first requests do not find the data service still starting.

    python3 tools/wait_for_port.py PORT PID [SECONDS]

Exits 1 when PID (the server's process) ends first, or after SECONDS (60) without a listener.
"""

import os
import socket
import sys
import time


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


def main(port: int, pid: int, seconds: float) -> int:
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


if __name__ == "__main__":
    port, pid, *rest = sys.argv[1:]
    sys.exit(main(int(port), int(pid), float(rest[0]) if rest else 60))
