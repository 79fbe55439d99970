"""What the request-path bench reads of the processes it starts: CPU time of a process tree, the
machine's load before a measurement, and a sink for the spans of a traced service."""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, CPU seconds of the process and of its children it has reaped)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name is in parentheses and may hold spaces: the fields follow the last ")".
    fields = text.rsplit(")", 1)[1].split()
    parent = int(fields[1])
    utime, stime, cutime, cstime = (int(value) for value in fields[11:15])
    return parent, (utime + stime + cutime + cstime) / TICKS


def tree_cpu_seconds(root: int) -> float:
    """CPU seconds used by `root` and every process under it, exited ones included (their time
    is in their parent's once reaped)."""
    stats = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))) is not None:
            stats[int(entry.name)] = stat
    children: dict[int, list[int]] = {}
    for pid, (parent, _) in stats.items():
        children.setdefault(parent, []).append(pid)
    total, pending = 0.0, [root]
    while pending:
        pid = pending.pop()
        if pid in stats:
            total += stats[pid][1]
        pending.extend(children.get(pid, []))
    return total


def pid_listening_on(port: int) -> int:
    """The pid of the process that owns the listening TCP socket on `port` (IPv4 loopback)."""
    wanted = f":{port:04X}"
    inode = None
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[1].endswith(wanted) and fields[3] == "0A":  # 0A: LISTEN
            inode = fields[9]
            break
    if inode is None:
        raise RuntimeError(f"nothing listens on port {port}")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            descriptors = list((entry / "fd").iterdir())
        except OSError:
            continue
        for descriptor in descriptors:
            try:
                if os.readlink(descriptor) == f"socket:[{inode}]":
                    return int(entry.name)
            except OSError:
                continue
    raise RuntimeError(f"no process owns the socket on port {port}")


def wait_for_quiet(max_load: float, seconds: float = 180) -> float:
    """Wait until the 1-minute load average is under `max_load` (at most `seconds`); return it."""
    deadline = time.monotonic() + seconds
    while (load := os.getloadavg()[0]) >= max_load and time.monotonic() < deadline:
        time.sleep(2)
    return load


class _Accept(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        return


@contextmanager
def span_sink(port: int) -> Iterator[str]:
    """An OTLP/HTTP endpoint on loopback that accepts every export and keeps nothing, so a
    traced service exports as it would to a collector; its CPU is the bench's, not the
    service's. Yields the endpoint URL."""
    server = ThreadingHTTPServer(("127.0.0.1", port), _Accept)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        server.server_close()


def uvicorn_of(root: int) -> int:
    """The uvicorn process under `root` (`uv run` starts it as a child)."""
    pending = [root]
    while pending:
        pid = pending.pop()
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if any(part.endswith(b"uvicorn") for part in command[:2]):
            return pid
        # Any of a process's threads may have started a child (uv's do).
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(OSError):
                pending.extend(int(child) for child in (task / "children").read_text().split())
    raise RuntimeError(f"no uvicorn under process {root}")
