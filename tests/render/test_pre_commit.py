"""The rendered pre-commit configuration: valid, the same service checks as `make lint`, and its
hooks pass on a fresh render (locked as `make install` locks it) and stop a commit that breaks a
check."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from tests.support.project import lock, render, require_python, services_of, uv_env

pytestmark = pytest.mark.rendered

PRE_COMMIT = str(Path(sys.executable).parent / "pre-commit")
# A key of the shape detect-secrets knows, in a file a deployment reads.
LEAKED = "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY1\n"


@pytest.mark.parametrize("preset", ["defaults", "modules_level4"])
def test_the_configuration_is_valid_and_lints_every_service_as_make_does(
    preset: str, rendered_preset: Callable[[str], Path]
) -> None:
    project = rendered_preset(preset)
    config = project / ".pre-commit-config.yaml"
    subprocess.run([PRE_COMMIT, "validate-config", str(config)], check=True, capture_output=True)

    hooks = {hook["id"]: hook for hook in yaml.safe_load(config.read_text())["repos"][0]["hooks"]}
    makefile = (project / "Makefile").read_text()
    listed = re.search(r"^SERVICES := (.+)$", makefile, re.MULTILINE)
    assert listed is not None
    assert sorted(listed[1].split()) == sorted(services_of(project))
    for service in services_of(project):
        hook = hooks[f"lint-{service.replace('_', '-')}"]
        assert hook["entry"] == f"make --no-print-directory lint-service SERVICE={service}"
        assert hook["files"] == f"^services/{service}/"
    # `make lint` is `lint-service` in each service.
    assert "$(MAKE) --no-print-directory lint-service SERVICE=$$s" in makefile
    assert {"uv-lock", "detect-secrets", "check-yaml", "check-toml"} <= set(hooks)
    assert hooks["uv-lock"]["entry"] == "python3 tools/lock.py --check"


def test_the_hooks_pass_on_a_fresh_render_and_stop_a_broken_commit(tmp_path: Path) -> None:
    project = render(tmp_path / "project", {})
    env = uv_env(require_python("3.12"), PRE_COMMIT_HOME=str(tmp_path / "pre-commit"))
    lock(project, env)
    for command in (["git", "init", "-q"], ["git", "add", "-A"]):
        subprocess.run(command, cwd=project, check=True)

    def pre_commit(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [PRE_COMMIT, "run", *args], cwd=project, env=env, capture_output=True, text=True
        )

    passed = pre_commit("--all-files")
    assert passed.returncode == 0, passed.stdout + passed.stderr

    module = project / "services/api_service/src/api_service/__init__.py"
    module.write_text(module.read_text() + "import os\n")
    (project / "docs/leaked.md").write_text(LEAKED)
    (project / "docs/broken.yml").write_text("key: [unclosed\n")
    pyproject = project / "services/api_service/pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace("dependencies = [", 'dependencies = ["six",', 1)
    )
    subprocess.run(["git", "add", "-A"], cwd=project, check=True)

    stopped = pre_commit("--all-files")
    assert stopped.returncode == 1
    failed = {line.split("...")[0] for line in stopped.stdout.splitlines() if "Failed" in line}
    assert failed == {
        "each service's uv.lock exists and matches its pyproject.toml (make lock)",
        "api_service: ruff, ruff format, mypy --strict, bandit",
        "no secret in a committed file",
        "YAML files parse",
    }
