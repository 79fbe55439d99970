"""`make run-local` refuses a port something else listens on, naming it and how to move."""

from __future__ import annotations

import shutil
import socket
import subprocess
from pathlib import Path

import pytest

from tests.support.project import render


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render(tmp_path_factory.mktemp("ports") / "project")


def test_a_taken_port_is_named_with_the_ports_to_use_instead(project: Path) -> None:
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    with socket.socket() as taken, socket.socket() as free:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        free.bind(("127.0.0.1", 0))  # bound, not listening: nothing answers there
        api_port, data_port = taken.getsockname()[1], free.getsockname()[1]
        result = subprocess.run(
            ["make", "--no-print-directory", "run-local",
             f"API_PORT={api_port}", f"DATA_SERVICE_PORT={data_port}"],
            cwd=project, capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip

    assert result.returncode != 0
    shift = 100 if max(api_port, data_port) + 100 <= 65535 else -100
    assert result.stderr.splitlines()[:2] == [
        f"Something already listens on 127.0.0.1 at API_PORT {api_port} (another make run-local?).",
        f"Stop it, or choose other ports: make run-local API_PORT={api_port + shift} "
        f"DATA_SERVICE_PORT={data_port}",
    ]
    assert not (project / "services" / "db_postgres_service" / ".venv").exists()
