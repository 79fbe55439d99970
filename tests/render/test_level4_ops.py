"""Level 4's operations files work with the real tools: actionlint, hadolint, shellcheck, amtool,
promtool, the compose schema; the CI matrix follows the modules; the docs follow the answers."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from extensions.context import resolve_modules
from tests.render.test_level3 import tool
from tests.support.project import compose_model, compose_spec_errors, services_of

pytestmark = pytest.mark.rendered

# Installed with the template's dev dependencies, next to this interpreter.
BIN = Path(sys.executable).parent
# The environment variable through which a service's tests take a real server, per container.
TEST_SERVER_VARIABLES = {
    "postgres": "TEST_DATABASE_URL",
    "redis": "TEST_REDIS_URL",
    "rabbitmq": "TEST_RABBITMQ_URL",
}


@pytest.fixture(scope="module", params=["level4", "modules_level4", "bot_level4"])
def project(request: pytest.FixtureRequest, rendered_preset: Callable[[str], Path]) -> Path:
    return rendered_preset(request.param)


def modules_of(project: Path) -> set[str]:
    """The modules the project has: those answered and those they (or the level) need."""
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    return set(resolve_modules(answers["modules"], answers["maturity_level"])[0])


def workflow(project: Path, name: str) -> dict:
    return yaml.safe_load((project / ".github/workflows" / name).read_text())


def check(command: list[str], cwd: Path | None = None) -> None:
    result = subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, check=False,
        env={"PATH": f"{BIN}:/usr/bin:/bin"},
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_workflows_pass_actionlint_with_shellcheck(project: Path) -> None:
    workflows = sorted(str(path) for path in (project / ".github/workflows").glob("*.yml"))
    assert [Path(path).name for path in workflows] == ["ci.yml", "deploy.yml", "images.yml"]
    # actionlint runs shellcheck on every run: script when it finds it on PATH.
    check([str(BIN / "actionlint"), "-color=false", "-shellcheck", str(BIN / "shellcheck"),
           *workflows])  # fmt: skip


def test_every_dockerfile_passes_hadolint(project: Path) -> None:
    dockerfiles = sorted(project.glob("services/*/Dockerfile"))
    assert len(dockerfiles) == len(services_of(project))
    for dockerfile in dockerfiles:
        check([str(BIN / "hadolint"), "--no-color", str(dockerfile)])


def test_the_deploy_script_passes_shellcheck(project: Path) -> None:
    script = project / "ops/deploy.sh"
    assert script.stat().st_mode & 0o111
    check([str(BIN / "shellcheck"), str(script)])


def test_ci_checks_every_service_against_the_servers_its_tests_use(project: Path) -> None:
    job = workflow(project, "ci.yml")["jobs"]["checks"]
    entries = {entry["service"]: entry for entry in job["strategy"]["matrix"]["include"]}
    modules = modules_of(project)

    assert sorted(entries) == sorted(services_of(project))
    expected = {
        "db_postgres_service": {"postgres"},
        "api_service": {"postgres"} | ({"redis", "rabbitmq"} & modules),
        # The worker forwards events to Redis for the websockets.
        "worker_service": {"rabbitmq"} | ({"redis"} if "websockets" in modules else set()),
        "db_mongo_service": set(),
        "bot_service": {"rabbitmq"} | ({"redis"} & modules),
    }
    # A container per server some service's tests use, and none for a module that is off.
    used = {"postgres"} | ({"redis", "rabbitmq"} & modules)
    assert set(job["services"]) == used
    assert set(job["env"]) == {TEST_SERVER_VARIABLES[name] for name in used}
    for service, entry in entries.items():
        assert set(entry) == {"service", *used}, service
        containers = {name for name in used if entry[name]}
        assert containers == expected[service], service
        sources = project.glob(f"services/{service}/tests/**/*.py")
        tests = "".join(path.read_text() for path in sources)
        for name in containers:
            assert TEST_SERVER_VARIABLES[name] in tests, f"{service} never reads its {name} URL"
    for name in used:
        assert f"matrix.{name} &&" in job["services"][name]["image"]
        assert f"matrix.{name} &&" in job["env"][TEST_SERVER_VARIABLES[name]]

    steps = " ".join(step.get("run", "") for step in job["steps"])
    for gate in ("ruff check", "ruff format --check", "mypy --strict src tests",
                 "bandit -q -r src --severity-level medium", "uv run pytest",
                 "uvx pip-audit==2.10.1"):  # fmt: skip
        assert gate in steps


def test_images_are_built_for_every_service_and_pushed_from_main_only(project: Path) -> None:
    images = workflow(project, "images.yml")["jobs"]["image"]
    assert sorted(images["strategy"]["matrix"]["service"]) == sorted(services_of(project))
    caller = workflow(project, "ci.yml")["jobs"]["images"]
    assert caller["with"]["push"] == (
        "${{ github.event_name == 'push' && github.ref == 'refs/heads/main' }}"
    )


def test_an_image_is_scanned_before_it_is_pushed(project: Path) -> None:
    steps = workflow(project, "images.yml")["jobs"]["image"]["steps"]
    names = [step.get("name") for step in steps]
    build, scan, push = (steps[names.index(name)] for name in ("Build", "Scan the image", "Push"))
    assert names.index("Build") < names.index("Scan the image") < names.index("Push")
    assert build["with"]["load"] is True
    assert "push" not in build["with"]
    assert scan["uses"].startswith("aquasecurity/trivy-action@")
    assert scan["with"]["exit-code"] == "1"
    assert push["if"] == "inputs.push"
    assert push["with"]["push"] is True


def test_every_action_is_pinned_by_commit_with_its_version_beside_it(project: Path) -> None:
    pinned = re.compile(r"^ *(- )?uses: [\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$")
    local = re.compile(r"^ *(- )?uses: \./\.github/workflows/[\w.-]+\.yml$")
    found = 0
    for path in sorted((project / ".github/workflows").glob("*.yml")):
        for line in path.read_text().splitlines():
            if re.match(r"^ *(- )?uses:", line):
                found += 1
                assert pinned.match(line) or local.match(line), f"{path.name}: {line.strip()}"
    assert found >= 8


def test_dependabot_updates_packages_images_and_actions_weekly_in_groups(project: Path) -> None:
    path = project / ".github/dependabot.yml"
    check([str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.dependabot", str(path)])
    updates = {u["package-ecosystem"]: u for u in yaml.safe_load(path.read_text())["updates"]}
    assert set(updates) == {"uv", "docker", "docker-compose", "github-actions"}
    folders = sorted(f"/services/{service}" for service in services_of(project))
    assert sorted(updates["uv"]["directories"]) == folders
    assert sorted(updates["docker"]["directories"]) == folders
    for update in updates.values():
        assert update["schedule"]["interval"] == "weekly"
        # One group per ecosystem: a week's updates come as a few pull requests.
        assert [group["patterns"] for group in update["groups"].values()] == [["*"]]

    # Every compose file that pins an image is one Dependabot's docker-compose updater reads:
    # in a folder it is given, and named as its file fetcher looks for (dependabot-core,
    # docker_compose/file_fetcher.rb, matched anywhere in the name).
    compose = updates["docker-compose"]["directories"]
    pinned = [
        path for path in project.rglob("*.y*ml")
        if ".venv" not in path.parts and re.search(r"(?m)^\s+image: ", path.read_text())
        and path.parent.name != "workflows"
    ]  # fmt: skip
    assert len(pinned) > 10
    for path in pinned:
        relative = path.parent.relative_to(project).as_posix()
        assert ("/" if relative == "." else f"/{relative}") in compose, path
        assert re.search(r"(docker-)?compose(-\w+)?(\.[\w-]+)?\.ya?ml", path.name), path


def test_deploys_wait_for_approval_and_use_the_pushed_images(project: Path) -> None:
    deploy = workflow(project, "deploy.yml")
    # PyYAML reads the key "on" as True.
    assert set(deploy[True]) == {"push", "workflow_dispatch"}
    assert deploy[True]["push"] == {"tags": ["v*"]}
    job = deploy["jobs"]["deploy"]
    assert job["environment"] == "production"
    assert job["needs"] == "images"
    assert "ops/deploy.sh" in job["steps"][-1]["run"]

    prod = compose_model(project, "docker-compose.prod.yml")["services"]
    built = {name for name, service in prod.items() if "build" in service}
    images_file = project / "docker-compose.images.yml"
    assert compose_spec_errors(images_file) == ""
    images = yaml.safe_load(images_file.read_text())["services"]
    assert set(images) == built
    for name, service in images.items():
        built_from = Path(prod[name]["build"]).name
        assert service["image"].startswith("${IMAGE_REGISTRY:?"), name
        assert f"}}/{built_from}:${{IMAGE_TAG:?" in service["image"], name


def test_alertmanager_config_passes_amtool_and_prometheus_sends_to_it(
    project: Path, tmp_path: Path
) -> None:
    amtool = tool("amtool", "prometheus-alertmanager")
    promtool = tool("promtool", "prometheus")
    config = project / "monitoring/alertmanager/alertmanager.yml"
    check([amtool, "check-config", str(config)])

    prometheus = (project / "monitoring/prometheus/prometheus.yml").read_text()
    rules = project / "monitoring/prometheus/alerts.yml"
    (tmp_path / "prometheus.yml").write_text(
        prometheus.replace("/etc/prometheus/alerts.yml", str(rules))
    )
    check([promtool, "check", "config", str(tmp_path / "prometheus.yml")])
    alerting = yaml.safe_load(prometheus)["alerting"]["alertmanagers"]
    assert alerting == [{"static_configs": [{"targets": ["alertmanager:9093"]}]}]

    for compose_file in ("docker-compose.yml", "docker-compose.prod.yml"):
        services = compose_model(project, compose_file)["services"]
        mount = "./monitoring/alertmanager/alertmanager.yml:/etc/alertmanager/alertmanager.yml:ro"
        assert mount in services["alertmanager"]["volumes"], compose_file
    prod = compose_model(project, "docker-compose.prod.yml")["services"]
    assert "ports" not in prod["alertmanager"]


def test_the_documented_receivers_pass_amtool(project: Path, tmp_path: Path) -> None:
    amtool = tool("amtool", "prometheus-alertmanager")
    checklist = (project / "docs/production-checklist.md").read_text()
    snippets = re.findall(r"```yaml\n(receivers:\n.*?)```", checklist, re.DOTALL)
    assert len(snippets) == 3  # Slack, a webhook, e-mail
    config = yaml.safe_load((project / "monitoring/alertmanager/alertmanager.yml").read_text())
    for number, snippet in enumerate(snippets):
        config["receivers"] = yaml.safe_load(snippet)["receivers"]
        path = tmp_path / f"alertmanager-{number}.yml"
        path.write_text(yaml.safe_dump(config))
        check([amtool, "check-config", str(path)])


def test_the_operations_docs_follow_the_answers(project: Path) -> None:
    modules = modules_of(project)
    docs = project / "docs"
    runbooks = {path.name for path in (docs / "runbooks").iterdir()}
    assert runbooks == {"deploy.md", "rollback.md", "restore-from-backup.md", "rotate-secrets.md"}
    adrs = sorted(path.name for path in (docs / "adr").iterdir())
    assert len(adrs) >= 3
    assert all(re.fullmatch(r"\d{4}-[a-z0-9-]+\.md", name) for name in adrs)

    readme = (project / "README.md").read_text()
    linked = [f"docs/runbooks/{name}" for name in runbooks] + [f"docs/adr/{name}" for name in adrs]
    for path in [*linked, "docs/production-checklist.md"]:
        assert f"({path})" in readme, path

    chosen = next(docs.glob("adr/*modules*.md")).read_text()
    for module in ("redis", "rabbitmq", "workers", "mongodb"):
        assert (f"**{module}**" in chosen) == (module in modules), module

    operations = [*docs.glob("runbooks/*.md"), *docs.glob("adr/*.md")]
    text = "\n".join(path.read_text() for path in [*operations, docs / "production-checklist.md"])
    for module, secret in (("rabbitmq", "RABBITMQ_PASSWORD"), ("mongodb", "MONGO_PASSWORD")):
        assert (secret in text) == (module in modules), secret


def test_the_checklist_names_every_secret_production_requires(
    rendered_preset: Callable[[str], Path],
) -> None:
    project = rendered_preset("modules_level4")
    development = project / "compose/development"
    pieces = [
        p for p in (project / "compose").rglob("*.compose.yml") if development not in p.parents
    ]
    required = {
        name
        for path in pieces
        for name in re.findall(r"\$\{([A-Z0-9_]+):\?", path.read_text())
        if re.search(r"(PASSWORD|TOKEN|SECRET_KEY)$", name)
    }
    checklist = (project / "docs/production-checklist.md").read_text()

    assert required
    assert {name for name in required if f"`{name}`" not in checklist} == set()
