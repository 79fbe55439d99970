"""Rendered projects pass their own gates: lint, types, security scan, tests with coverage.

Slow: each preset is rendered once and every service gets its own environment (uv sync).
With --postgres the services' tests run against a real PostgreSQL on 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from extensions.context import COVERAGE_GATES
from tests.conftest import EXPLORED, HEAVIEST_FIRST, PRESETS
from tests.render import test_kubernetes as kubernetes
from tests.support.postgres import PostgresServer, free_port
from tests.support.project import (
    COMPOSE_STACKS,
    compose_config,
    install,
    render,
    require_python,
    run,
    run_gates,
    services_of,
    uv_env,
)
from tests.support.redis import running_redis
from tests.support.services import LocalMode, S3Server, ServiceProcess

pytestmark = pytest.mark.rendered

# Services whose tests run the migrations on TEST_DATABASE_URL.
DATABASE_SERVICES = ("api_service", "db_postgres_service")
# What the rendered tests' pytest header says when no real server was found.
IN_PROCESS_SUBSTITUTES = ("redis: fakeredis", "rabbitmq: FastStream's in-memory")
# The data service answers only its callers; unconfigured, the API presents this token.
AS_THE_API = {"Authorization": "Bearer development-only-caller-token"}


@dataclass
class Project:
    preset: str
    root: Path
    env: dict[str, str]
    coverage_gate: int

    def service(self, name: str) -> Path:
        return self.root / "services" / name


@pytest.fixture(scope="module", params=[*HEAVIEST_FIRST, *EXPLORED])
def project(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Project:
    answers = PRESETS[request.param] if request.param in PRESETS else EXPLORED[request.param]
    version = str(answers.get("python_version", "3.12"))
    python = require_python(version)
    folder = tmp_path_factory.mktemp(request.param)
    if request.param in EXPLORED:
        # A failure report shows what setup printed: the answers that reproduce it.
        answers_file = folder / "answers.yml"
        answers_file.write_text(yaml.safe_dump(answers, sort_keys=False))
        print(
            f"{request.param}: copier copy --trust --vcs-ref HEAD --defaults "
            f"--data-file {answers_file} . <project>\n{answers_file.read_text()}"
        )
    root = render(folder / "project", answers)
    env = uv_env(python)
    install(root, env)
    gate = COVERAGE_GATES[int(str(answers.get("maturity_level", 1)))]
    return Project(request.param, root, env, gate)


def test_every_compose_stack_resolves_with_the_env_example(project: Project) -> None:
    """Docker Compose itself reads each stack (interpolation, references between services,
    networks and volumes); every image it builds and every file it mounts is in the project,
    but for the folders made on the server, which git ignores."""
    stacks = [
        (name, files)
        for name, files in COMPOSE_STACKS.items()
        if all((project.root / file).is_file() for file in files)
    ]
    assert stacks[0][0] == "development"
    ignored = (project.root / ".gitignore").read_text().splitlines()
    for name, files in stacks:
        services = compose_config(project.root, files)["services"]
        assert "api_service" in services, name
        for service, spec in services.items():
            if "build" in spec:
                build = spec["build"]
                dockerfile = Path(build["context"]) / build.get("dockerfile", "Dockerfile")
                assert dockerfile.is_file(), (name, service, dockerfile)
            for volume in spec.get("volumes", []):
                source = Path(volume.get("source", ""))
                if volume["type"] == "bind" and not source.exists():
                    # Made on the server (certificates, secrets): never committed.
                    folder = f"{source.relative_to(project.root)}/"
                    assert folder in ignored, (name, service, folder)


def test_kubernetes_overlays_build_validate_and_keep_the_architecture(
    project: Project, tmp_path: Path
) -> None:
    """With the Kubernetes target: each overlay builds, every object validates strictly, and
    the NetworkPolicies let through the architecture's connections and no other."""
    if not (project.root / "deploy/kubernetes").is_dir():
        pytest.skip("no Kubernetes target in these answers")
    copy = tmp_path / "project"
    shutil.copytree(project.root / "deploy", copy / "deploy")
    shutil.copy(project.root / ".copier-answers.yml", copy)
    kubernetes.write_secrets(copy, project.root / "tools")
    for environment in kubernetes.ENVIRONMENTS:
        assert kubernetes.invalid_objects(kubernetes.build(copy, environment)) == []
    assert kubernetes.unexpected_edges(kubernetes.build(copy, "production")) == set()


def test_lint_format_types_and_security_gates_pass(project: Project) -> None:
    run_gates(project.root, project.env, tests=False)


def test_service_tests_pass_above_the_coverage_gate(
    project: Project,
    postgres: PostgresServer | None,
) -> None:
    for service in services_of(project.root):
        env = dict(project.env)
        database = f"{project.preset}_{service}"
        migrates = service in DATABASE_SERVICES
        if postgres is not None and migrates:
            env["TEST_DATABASE_URL"] = postgres.create_database(database)
        result = run(
            ["uv", "run", "pytest", "-p", "no:cacheprovider"], project.service(service), env
        )
        summary = result.stdout.strip().splitlines()[-1]
        assert "failed" not in summary, summary
        if postgres is not None:
            # With the real servers nothing may be skipped (the level 2 PostgreSQL tests, the
            # worker's shutdown tests run), and no in-process substitute stands in for one.
            assert "skipped" not in summary, summary
            for substitute in IN_PROCESS_SUBSTITUTES:
                assert substitute not in result.stdout, f"{service} ran on {substitute}"
        assert f"Required test coverage of {project.coverage_gate}" in result.stdout
        passed = re.search(r"(\d+) passed", summary)
        coverage = re.search(r"Total coverage: ([\d.]+)%", result.stdout)
        assert passed, summary
        assert coverage, result.stdout
        print(f"{project.preset} {service}: {passed[1]} passed, coverage {coverage[1]}%")
        if postgres is not None and migrates:
            # The migrations ran on PostgreSQL, not on a SQLite fallback.
            query = "SELECT tablename FROM pg_tables"
            tables = subprocess.run(
                ["psql", "-h", "127.0.0.1", "-p", str(postgres.port), "-U", "postgres",
                 "-d", database, "-Atc", query],
                capture_output=True, text=True, check=True,
            ).stdout.split()  # fmt: skip
            assert "alembic_version" in tables


# One preset is enough for these two; the others are not rendered for them.
ONLY_DEFAULTS = pytest.mark.parametrize("project", ["defaults"], indirect=True)


@ONLY_DEFAULTS
def test_the_contract_test_catches_a_database_driver_in_the_business_api(project: Project) -> None:
    domain = project.service("api_service") / "src/api_service/domain/errors.py"
    original = domain.read_text()
    domain.write_text(original + "\nimport sqlalchemy  # noqa: E402,F401\n")
    try:
        result = run(
            ["uv", "run", "pytest", "-p", "no:cacheprovider", "--no-cov", "tests/contract"],
            project.service("api_service"),
            project.env,
            check=False,
        )
    finally:
        domain.write_text(original)
    assert result.returncode == 1
    assert "sqlalchemy" in result.stdout


def _request(url: str, body: dict[str, object] | None = None) -> tuple[int, dict[str, object]]:
    data = json.dumps(body).encode() if body is not None else None
    headers = {"content-type": "application/json"} if data else {}
    request = urllib.request.Request(url, data=data, headers=headers)
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.status, json.loads(response.read())


@ONLY_DEFAULTS
def test_local_mode_serves_the_resource_without_docker(project: Project) -> None:
    # Entered as soon as the API itself answers: its first request already finds the data
    # service, which make run-local starts and waits for before the API.
    with LocalMode(project.root, project.env, "/openapi.json", seconds=60) as stack:
        base = f"{stack.url}/api/v1/items"
        status, created = _request(base, {"name": "made in local mode", "quantity": 2})
        assert status == 201
        status, fetched = _request(f"{base}/{created['id']}")
        assert (status, fetched) == (200, created)
        status, page = _request(base)
        assert page["total"] == 1
    database = project.service("db_postgres_service") / "data/local.db"
    assert database.exists(), stack.output


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


def _wait_for(url: str, status: int, seconds: float) -> float:
    started = time.monotonic()
    while _status(url) != status:
        assert time.monotonic() - started < seconds, f"{url} did not answer {status} in {seconds} s"
        time.sleep(0.2)
    return time.monotonic() - started


def test_outages_are_survived_without_restarting_anything(
    project: Project, postgres: PostgresServer | None
) -> None:
    """200 concurrent creates make 200 rows; a stopped data service is a quick 503 and the API
    recovers when it is back; a restarted PostgreSQL is reconnected to."""
    if project.preset != "defaults":
        pytest.skip("one preset is enough")
    if postgres is None:
        pytest.skip("needs --postgres")
    import asyncio

    import httpx

    data_port, api_port = free_port(), free_port()
    env = project.env | {
        "DATABASE_URL": postgres.create_database("faults"),
        "DATA_SERVICE_URL": f"http://127.0.0.1:{data_port}",
        "LOG_LEVEL": "WARNING",
    }
    run(["uv", "run", "alembic", "upgrade", "heads"], project.service("db_postgres_service"), env)
    data = ServiceProcess("db_postgres_service.main:create_app",
                          project.service("db_postgres_service"), data_port, env)  # fmt: skip
    api = ServiceProcess("api_service.main:create_app",
                         project.service("api_service"), api_port, env)  # fmt: skip
    items = f"http://127.0.0.1:{api_port}/api/v1/items"

    async def create_200() -> list[int]:
        limits = httpx.Limits(max_connections=50)
        async with httpx.AsyncClient(limits=limits, timeout=30) as client:
            answers = await asyncio.gather(
                *(client.post(items, json={"name": f"row {n}"}) for n in range(200))
            )
        return [answer.status_code for answer in answers]

    try:
        data.start()
        api.start()
        statuses = asyncio.run(create_200())
        total = httpx.get(
            f"http://127.0.0.1:{data_port}/v1/items", params={"limit": 1}, headers=AS_THE_API
        ).json()

        data.stop()
        started = time.monotonic()
        outage = _status(items)
        outage_s = time.monotonic() - started
        data.start()
        back_after_s = _wait_for(items, 200, 15)

        postgres.restart()
        reconnected_after_s = _wait_for(items, 200, 15)
    finally:
        api.stop()
        data.stop()

    assert statuses == [201] * 200
    assert total["total"] == 200
    assert (outage, outage_s < 2) == (503, True)
    print(
        f"\nfaults: 503 in {outage_s:.2f} s; the API answered again {back_after_s:.1f} s after "
        f"the data service was back, {reconnected_after_s:.1f} s after PostgreSQL restarted"
    )


# Level 1, the highest level and every field type: both services' whole OpenAPI, on PostgreSQL.
FUZZED_PRESETS = ("defaults", "catalog", "level4")
# Every check schemathesis has, as configured there (a `--checks` option would override it).
FUZZ_CONFIG = Path(__file__).with_name("schemathesis.toml")
# A fixed seed keeps a CI run reproducible; FUZZ_SEED=random explores new cases.
FUZZ_SEED = os.environ.get("FUZZ_SEED", "20261126")


def _sign_in_as_admin(project: Project, env: dict[str, str], api_url: str) -> str:
    import httpx

    email, password = "fuzz-admin@example.com", "a-long-password-of-the-fuzz-run"
    run(["uv", "run", "--no-sync", "python", "-m", "api_service.create_admin", email],
        project.service("api_service"), env | {"ADMIN_PASSWORD": password})  # fmt: skip
    answer = httpx.post(f"{api_url}/api/v1/auth/token",
                        data={"username": email, "password": password})  # fmt: skip
    assert answer.status_code == 200, answer.text
    return str(answer.json()["access_token"])


def _fuzz(openapi_url: str, *options: str) -> str:
    schemathesis = Path(sys.executable).parent / "schemathesis"
    if FUZZ_SEED != "random":
        options = ("--seed", FUZZ_SEED, *options)
    result = subprocess.run(
        [str(schemathesis), "--config-file", str(FUZZ_CONFIG), "run", openapi_url,
         "--max-examples", "25",
         "--request-timeout", "10", *options],
        capture_output=True, text=True, timeout=900, env=os.environ | {"NO_COLOR": "1"},
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    summary = [line for line in result.stdout.splitlines() if "generated" in line]
    return summary[-1].strip() if summary else ""


def test_fuzzing_finds_no_server_error_or_schema_break(
    project: Project, postgres: PostgresServer | None
) -> None:
    """schemathesis, every check, against the running data service and business API: no 5xx,
    no answer the OpenAPI does not describe, nothing invalid accepted or valid refused."""
    if project.preset not in FUZZED_PRESETS and project.preset not in EXPLORED:
        pytest.skip("level 1 and the highest level are fuzzed")
    if postgres is None:
        pytest.skip("needs --postgres")
    signs_in = (project.service("api_service") / "src/api_service/create_admin.py").exists()
    data_port, api_port = free_port(), free_port()
    env = project.env | {
        "DATABASE_URL": postgres.create_database(f"fuzz_{project.preset}"),
        "DATA_SERVICE_URL": f"http://127.0.0.1:{data_port}",
        "LOG_LEVEL": "ERROR",
        "RATE_LIMIT_REQUESTS": "1000000",
    }
    stores_files = (project.service("api_service") / "tests/s3_server.py").exists()
    with contextlib.ExitStack() as stack:
        if stores_files:
            s3 = stack.enter_context(S3Server(project.service("api_service"), free_port(), env))
            env |= {"S3_ENDPOINT_URL": s3.url, "S3_BUCKET": "fuzz-files",
                    "S3_ACCESS_KEY": "fuzz-access", "S3_SECRET_KEY": "fuzz-secret"}  # fmt: skip
        if signs_in:
            env |= {"REDIS_URL": stack.enter_context(running_redis()),
                    "JWT_SECRET_KEY": "signing-key-of-the-fuzz-run-0123456789abcdef"}  # fmt: skip
        run(["uv", "run", "alembic", "upgrade", "heads"], project.service("db_postgres_service"),
            env)  # fmt: skip
        data = stack.enter_context(ServiceProcess(
            "db_postgres_service.main:create_app", project.service("db_postgres_service"),
            data_port, env))  # fmt: skip
        api = stack.enter_context(ServiceProcess(
            "api_service.main:create_app", project.service("api_service"), api_port,
            env))  # fmt: skip
        api_options: list[str] = []
        if signs_in:
            token = _sign_in_as_admin(project, env, api.url)
            # Signing out, or changing the run's own account (role, status), would end the
            # session the rest of the run uses; test_auth.py covers those routes.
            api_options = ["-H", f"Authorization: Bearer {token}",
                           "--exclude-path", "/api/v1/auth/logout",
                           "--exclude-path", "/api/v1/auth/logout-everywhere",
                           "--exclude-path", "/api/v1/users/{account_id}"]  # fmt: skip
        caller = ["-H", f"Authorization: {AS_THE_API['Authorization']}"]
        data_summary = _fuzz(f"{data.url}/openapi.json", *caller)
        api_summary = _fuzz(f"{api.url}/openapi.json", *api_options)
    print(f"\nfuzz {project.preset}: data service {data_summary}; API {api_summary}")
