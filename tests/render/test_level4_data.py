"""Level 4's PostgreSQL replica and backups: valid compose, scripts that pass shellcheck."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.render.test_level3 import tool
from tests.support.postgres import PostgresServer, free_port, postgres_bin_dir, running_postgres
from tests.support.project import compose_model, compose_text

pytestmark = pytest.mark.rendered

SCRIPTS = (
    "app-role.sh", "backup.sh", "pg-tools.sh", "primary-replication.sh", "replica.sh",
    "restore.sh",
)  # fmt: skip


@pytest.fixture(scope="module")
def project(rendered_preset: Callable[[str], Path]) -> Path:
    return rendered_preset("modules_level4")


@pytest.fixture(scope="module")
def prod(project: Path) -> dict[str, Any]:
    compose: dict[str, Any] = compose_model(project, "docker-compose.prod.yml")
    return compose


def test_the_scripts_pass_shellcheck(project: Path) -> None:
    shellcheck = tool("shellcheck", "shellcheck")
    scripts = project / "ops/postgres"
    assert sorted(path.name for path in scripts.iterdir()) == sorted(SCRIPTS)

    result = subprocess.run(
        [shellcheck, "--external-sources", "--severity=style", *SCRIPTS],
        cwd=scripts, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_primary_streams_to_a_replica_the_data_service_reads_from(
    project: Path, prod: dict[str, Any]
) -> None:
    services = prod["services"]
    primary, replica = services["postgres"], services["postgres_replica"]
    text = compose_text(project, "docker-compose.prod.yml")

    assert "wal_level=replica" in primary["command"]
    init = "./ops/postgres/primary-replication.sh:/docker-entrypoint-initdb.d/10-replication.sh:ro"
    assert init in primary["volumes"]
    assert replica["entrypoint"] == ["sh", "/ops/postgres/replica.sh"]
    assert replica["image"] == primary["image"]
    assert replica["environment"]["PRIMARY_HOST"] == "postgres"
    assert replica["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert "postgres_replica_data:/var/lib/postgresql/data" in replica["volumes"]
    assert services["db_postgres_service"]["environment"]["POSTGRES_REPLICA_HOST"] == (
        "postgres_replica"
    )
    for name in (primary, replica):
        password = name["environment"]["POSTGRES_REPLICATION_PASSWORD"]
        assert password.startswith("${POSTGRES_REPLICATION_PASSWORD:?")
    assert "${POSTGRES_REPLICATION_PASSWORD:-" not in text


def test_backups_run_on_a_schedule_into_their_own_volume(prod: dict[str, Any]) -> None:
    backup = prod["services"]["postgres_backup"]
    environment = backup["environment"]

    assert backup["entrypoint"] == ["sh", "/ops/postgres/backup.sh", "--schedule"]
    assert "postgres_backups:/backups" in backup["volumes"]
    assert {"postgres_backups", "postgres_replica_data"} <= set(prod["volumes"])
    assert environment["PGHOST"] == "postgres"
    for secret in ("PGPASSWORD", "PGUSER", "PGDATABASE"):
        assert environment[secret].startswith("${POSTGRES_"), secret
        assert ":?" in environment[secret], secret
    assert environment["BACKUP_INTERVAL_SECONDS"] == "${BACKUP_INTERVAL_SECONDS:-86400}"
    assert environment["BACKUP_RETENTION_DAYS"] == "${BACKUP_RETENTION_DAYS:-7}"
    assert not backup.get("ports")
    assert not prod["services"]["postgres_replica"].get("ports")


def test_make_restore_refuses_without_a_dump_and_backup_uses_the_service(project: Path) -> None:
    refused = subprocess.run(
        ["make", "restore"], cwd=project, capture_output=True, text=True, check=False
    )
    backup = subprocess.run(
        ["make", "-n", "backup"], cwd=project, capture_output=True, text=True, check=True
    )
    restore = subprocess.run(
        ["make", "-n", "restore", "DUMP=/backups/app-20260101T000000Z.dump"],
        cwd=project, capture_output=True, text=True, check=True,
    )  # fmt: skip

    assert refused.returncode != 0
    assert "usage: make restore DUMP=" in refused.stdout
    prod = "docker compose -f docker-compose.prod.yml exec postgres_backup"
    assert f"{prod} sh /ops/postgres/backup.sh" in backup.stdout
    assert '/ops/postgres/restore.sh "/backups/app-20260101T000000Z.dump"' in restore.stdout


def test_the_new_variables_and_the_operations_page_are_documented(project: Path) -> None:
    example = (project / ".env.example").read_text()
    readme = (project / "README.md").read_text()
    page = (project / "docs/operations/postgres.md").read_text()

    for variable in (
        "POSTGRES_REPLICATION_USER=",
        "POSTGRES_REPLICATION_PASSWORD=change-me",
        "BACKUP_INTERVAL_SECONDS=",
        "BACKUP_RETENTION_DAYS=",
    ):
        assert variable in example
    assert "(docs/operations/postgres.md)" in readme
    for subject in ("X-Read-From: primary", "BACKUP_RETENTION_DAYS", "make restore DUMP="):
        assert subject in page


def test_level_3_renders_none_of_it(rendered_preset: Callable[[str], Path]) -> None:
    project = rendered_preset("level3")
    text = compose_text(project, "docker-compose.prod.yml")

    assert not (project / "ops").exists()
    assert not (project / "docs/operations").exists()
    assert "postgres_replica" not in text
    assert "postgres_backup" not in text
    assert "REPLICA" not in text
    assert "backup" not in (project / "Makefile").read_text()


@pytest.fixture
def primary() -> Iterator[PostgresServer]:
    bin_dir = postgres_bin_dir()
    if bin_dir is None:
        missing = "PostgreSQL is not installed (apt-get install postgresql)"
        if os.environ.get("CI"):
            pytest.fail(f"{missing}: CI must run this check")
        pytest.skip(missing)
    with running_postgres(bin_dir) as server:
        yield server


# PostgreSQL runs as the postgres user when the tests run as root: it must read the scripts.
AS_POSTGRES = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


def give_to_postgres(*paths: Path) -> None:
    if AS_POSTGRES:
        for path in paths:
            shutil.chown(path, "postgres", "postgres")


def run_init_script(
    primary: PostgresServer, script: Path, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """An ops/postgres script run as the postgres image runs its init scripts: beside the
    primary, as its user."""
    variables = env | {
        "PGHOST": str(primary.data_dir),
        "PGPORT": str(primary.port),
        "PGDATA": str(primary.data_dir),
    }
    return subprocess.run(
        [*AS_POSTGRES, "env", *(f"{k}={v}" for k, v in variables.items()), "sh", str(script)],
        capture_output=True, text=True, check=False, cwd="/",
    )  # fmt: skip


def test_the_replica_clones_the_primary_and_follows_it(
    project: Path, primary: PostgresServer
) -> None:
    work = Path(tempfile.mkdtemp(prefix="replica-test-"))
    shutil.copytree(project / "ops/postgres", work / "ops")
    (work / "data").mkdir()
    give_to_postgres(work, work / "ops", work / "data", *(work / "ops").iterdir())
    port = free_port()
    env = {
        "PATH": f"{primary.bin_dir}:/usr/bin:/bin",
        "POSTGRES_USER": "postgres",
        "POSTGRES_DB": "postgres",
        "POSTGRES_REPLICATION_PASSWORD": "replication-secret",
        "PRIMARY_HOST": "127.0.0.1",
        "PRIMARY_PORT": str(primary.port),
    }

    def sql(at: int, query: str) -> subprocess.CompletedProcess[str]:
        command = [str(primary.bin_dir / "psql"), "-h", "127.0.0.1", "-p", str(at), "-U",
                   "postgres", "-d", "postgres", "-Atc", query]  # fmt: skip
        return subprocess.run(command, capture_output=True, text=True, check=False)

    grant = run_init_script(primary, work / "ops/primary-replication.sh", env)
    assert grant.returncode == 0, grant.stderr
    assert sql(primary.port, "SELECT rolreplication FROM pg_roles WHERE rolname = 'replicator'")
    replica = subprocess.Popen(
        [*AS_POSTGRES, "env", *(f"{k}={v}" for k, v in env.items()), f"PGDATA={work / 'data'}",
         "sh", str(work / "ops/replica.sh"), "-p", str(port), "-k", str(work),
         "-c", "listen_addresses=127.0.0.1"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd="/",
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while sql(port, "SELECT pg_is_in_recovery()").stdout.strip() != "t":
            assert replica.poll() is None, replica.stdout.read() if replica.stdout else ""
            assert time.monotonic() < deadline, "the replica did not start in 60 s"
            time.sleep(0.5)
        sql(primary.port, "CREATE TABLE probe (n int); INSERT INTO probe VALUES (42)")
        while sql(port, "SELECT n FROM probe").stdout.strip() != "42":
            assert time.monotonic() < deadline, "the row did not reach the replica"
            time.sleep(0.2)
        refused = sql(port, "INSERT INTO probe VALUES (1)")
    finally:
        stop = [str(primary.bin_dir / "pg_ctl"), "-D", str(work / "data"), "-m", "fast", "-w"]
        subprocess.run([*AS_POSTGRES, *stop, "stop"], capture_output=True, check=False, cwd="/")
        try:
            replica.wait(timeout=30)
        except subprocess.TimeoutExpired:
            replica.kill()
            replica.wait()
        shutil.rmtree(work, ignore_errors=True)

    assert "read-only transaction" in refused.stderr


def test_the_data_service_role_reads_and_writes_rows_and_changes_nothing_else(
    project: Path, prod: dict[str, Any], primary: PostgresServer
) -> None:
    work = Path(tempfile.mkdtemp(prefix="app-role-test-"))
    shutil.copy(project / "ops/postgres/app-role.sh", work / "app-role.sh")
    give_to_postgres(work, work / "app-role.sh")

    def sql(user: str, query: str) -> subprocess.CompletedProcess[str]:
        command = [str(primary.bin_dir / "psql"), "-h", "127.0.0.1", "-p", str(primary.port),
                   "-U", user, "-d", "postgres", "-v", "ON_ERROR_STOP=1",
                   "-Atc", query]  # fmt: skip
        return subprocess.run(command, capture_output=True, text=True, check=False)

    try:
        sql("postgres", "CREATE TABLE before_roles (n int)")
        granted = run_init_script(
            primary,
            work / "app-role.sh",
            {
                "PATH": f"{primary.bin_dir}:/usr/bin:/bin",
                "POSTGRES_USER": "postgres",
                "POSTGRES_DB": "postgres",
                "POSTGRES_APP_PASSWORD": "app-secret",
            },
        )
        assert granted.returncode == 0, granted.stderr
        # A migration after the role exists, by the owner (db_migrate).
        sql("postgres", "CREATE TABLE after_roles (id serial PRIMARY KEY, n int)")
        rows = [
            sql("app", query)
            for query in (
                "INSERT INTO before_roles VALUES (1)",
                "INSERT INTO after_roles (n) VALUES (1)",
                "UPDATE after_roles SET n = 2",
                "SELECT n FROM after_roles",
                "DELETE FROM before_roles",
            )
        ]
        refused = [
            sql("app", query)
            for query in (
                "CREATE TABLE planted (n int)",
                "DROP TABLE after_roles",
                "ALTER TABLE before_roles ADD COLUMN m int",
                "CREATE ROLE intruder",
                "CREATE DATABASE other",
            )
        ]
        superuser = sql("postgres", "SELECT rolsuper FROM pg_roles WHERE rolname = 'app'")
    finally:
        shutil.rmtree(work, ignore_errors=True)

    assert [row.returncode for row in rows] == [0] * 5, [row.stderr for row in rows]
    assert rows[3].stdout.strip() == "2"
    assert all(row.returncode != 0 for row in refused), [row.stdout for row in refused]
    assert all("permission denied" in row.stderr or "must be owner" in row.stderr
               for row in refused), [row.stderr for row in refused]  # fmt: skip
    assert superuser.stdout.strip() == "f"
    data_service = prod["services"]["db_postgres_service"]["environment"]
    assert data_service["POSTGRES_USER"] == "${POSTGRES_APP_USER:-app}"
    assert prod["services"]["db_migrate"]["environment"]["POSTGRES_USER"].startswith(
        "${POSTGRES_USER:?"
    )
