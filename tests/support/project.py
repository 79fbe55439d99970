"""Render the template and run a rendered project's own tools."""

from __future__ import annotations

import functools
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import copier
import pytest
import yaml
from uv import find_uv_bin

TEMPLATE = Path(__file__).resolve().parents[2]


def services_of(root: Path) -> list[str]:
    """The services a rendered project has, the data service first (others depend on it)."""
    found = sorted(path.name for path in (root / "services").iterdir() if path.is_dir())
    return sorted(found, key=lambda name: not name.startswith("db_"))


def render(destination: Path, answers: dict[str, Any] | None = None, **options: Any) -> Path:
    copier.run_copy(
        str(options.pop("template", TEMPLATE)),
        str(destination),
        data=answers or {},
        defaults=True,
        unsafe=True,
        quiet=options.pop("quiet", True),
        vcs_ref=options.pop("vcs_ref", "HEAD"),
        **options,
    )
    return destination


def rendered_files(root: Path) -> set[str]:
    return {
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if path.is_file() and ".git" not in path.parts
    }


def find_python(version: str) -> str | None:
    """A working interpreter for `version` (3.12, ...) from PATH, pyenv, or uv's installs."""
    pyenv_root = os.environ.get("PYENV_ROOT", str(Path.home() / ".pyenv"))
    candidates = [
        shutil.which(f"python{version}"),
        *sorted(glob.glob(f"{pyenv_root}/versions/{version}.*/bin/python{version}")),
    ]
    found = subprocess.run(
        [find_uv_bin(), "python", "find", "--no-python-downloads", version],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    candidates.append(found.stdout.strip() if found.returncode == 0 else None)
    for candidate in filter(None, candidates):
        # A pyenv shim exists even where its version is not selected: ask the interpreter.
        answer = subprocess.run(
            [candidate, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if answer.returncode == 0 and answer.stdout.strip() == version:
            return candidate
    return None


def require_python(version: str) -> str:
    """An interpreter for `version`; without one the test is skipped, and fails under CI."""
    python = find_python(version)
    if python is None:
        missing = f"no Python {version} interpreter on this machine"
        if os.environ.get("CI"):
            pytest.fail(missing)
        pytest.skip(missing)
    return python


def uv_env(python: str, **extra: str) -> dict[str, str]:
    # Nothing of the caller's environments: nox's uv backend sets UV_PROJECT_ENVIRONMENT, which
    # would make `uv sync` in a rendered service install into (and replace) the nox session.
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("VIRTUAL_ENV", "UV_"))
    }
    for name in ("DATABASE_URL", "TEST_DATABASE_URL"):
        env.pop(name, None)
    env.update({"UV_PYTHON": python, "UV_PYTHON_DOWNLOADS": "never", **extra})
    env["PATH"] = f"{uv_only_folder()}{os.pathsep}{env.get('PATH', '')}"
    return env


@functools.cache
def uv_only_folder() -> str:
    """A folder that holds uv itself and nothing else, first on the rendered commands' PATH.

    A version manager's shim named uv (pyenv's) would pick its Python from the rendered
    services' .python-version and may find no uv there.
    """
    folder = Path(tempfile.mkdtemp(prefix="uv-only-"))
    (folder / "uv").symlink_to(find_uv_bin())
    return str(folder)


def run(
    command: list[str], cwd: Path, env: dict[str, str], *, check: bool = True
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if check and result.returncode != 0:
        raise AssertionError(
            f"`{' '.join(command)}` failed in {cwd} with exit code {result.returncode}:\n"
            f"{result.stdout[-6000:]}\n{result.stderr[-4000:]}"
        )
    return result


# A rendered service's own gates, in the order a developer runs them.
LINT_GATES = (
    ["uv", "run", "ruff", "check", "."],
    ["uv", "run", "ruff", "format", "--check", "."],
    ["uv", "run", "mypy", "--strict", "src", "tests"],
    ["uv", "run", "bandit", "-q", "-r", "src"],
)
TEST_GATE = ["uv", "run", "pytest", "-p", "no:cacheprovider", "-q"]


def lock(root: Path, env: dict[str, str], *services: str) -> None:
    """Each service's uv.lock (or the named ones'), made by the project's own `make lock`."""
    run([sys.executable, "tools/lock.py", *services], root, env)


def install(root: Path, env: dict[str, str], *services: str) -> None:
    """`make install`, of every service or the named ones: the lock, then the environment
    exactly as the lock pins it. A project of a release before the locks: `uv sync`, as its
    `make install` did."""
    locked = (root / "tools/lock.py").exists()
    if locked:
        lock(root, env, *services)
    for service in services or services_of(root):
        sync = ["uv", "sync", "--quiet", *(["--locked"] if locked else [])]
        run(sync, root / "services" / service, env)


def run_gates(root: Path, env: dict[str, str], *, tests: bool = True) -> None:
    """make install, then every lint gate (and the tests) in each service of a rendered project."""
    install(root, env)
    for service in services_of(root):
        cwd = root / "services" / service
        for command in (*LINT_GATES, *([TEST_GATE] if tests else [])):
            run(command, cwd, env)


def ruff(service: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    """The template's own ruff (the version the services pin) on a rendered service."""
    command = [str(Path(sys.executable).parent / "ruff"), *arguments, "--no-cache", "."]
    return subprocess.run(command, cwd=service, capture_output=True, text=True, check=False)


def compose_spec_errors(compose_file: Path) -> str:
    """What check-jsonschema finds wrong with a compose file against the compose specification."""
    checker = Path(sys.executable).parent / "check-jsonschema"
    result = subprocess.run(
        [str(checker), "--builtin-schema", "vendor.compose-spec", str(compose_file)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    return "" if result.returncode == 0 else result.stdout + result.stderr


# The compose stacks of a rendered project: their files, in `docker compose -f` order.
COMPOSE_STACKS = {
    "development": ("docker-compose.yml",),
    "development, source mounted": ("docker-compose.yml", "docker-compose.dev.yml"),
    "production": ("docker-compose.prod.yml",),
    "production, CI's images": ("docker-compose.prod.yml", "docker-compose.images.yml"),
}
# What no file of the project can hold: BotFather's token, and where CI pushed the images.
COMPOSE_OUTSIDE_VALUES = {
    "BOT_TOKEN": "123456:outside-the-repository",
    "IMAGE_REGISTRY": "ghcr.io/example/project",
    "IMAGE_TAG": "v1.0.0",
}


def docker_compose() -> str:
    """Docker Compose v2 (the docker-compose package of Debian's stable release), or a skip
    (a failure under CI)."""
    found = shutil.which("docker-compose")
    if found:
        version = subprocess.run([found, "version", "--short"], capture_output=True, text=True)
        if version.stdout.strip().lstrip("v").startswith("2."):
            return found
    missing = "Docker Compose v2 is not installed as docker-compose (.ci/run installs it)"
    if os.environ.get("CI"):
        pytest.fail(f"{missing}: CI must run this check")
    pytest.skip(missing)


def compose_config(root: Path, files: tuple[str, ...]) -> dict[str, Any]:
    """The stack as Docker Compose resolves it (`config`), with .env.example as the .env."""
    return _compose_json(root, files, [], COMPOSE_OUTSIDE_VALUES)


def compose_model(root: Path, *files: str) -> dict[str, Any]:
    """A stack as its files write it, merged by Docker Compose from its pieces (compose/):
    no interpolation, and ports, volumes, networks and environment in the short forms the
    files use, so that tests read `"127.0.0.1:8000:8000"` or `"./gateway/templates:...:ro"`."""
    model = _compose_json(root, files, ["--no-interpolate", "--no-path-resolution"], {})
    for service in model.get("services", {}).values():
        _as_written(service)
    return model


def _compose_json(
    root: Path, files: tuple[str, ...], options: list[str], outside: dict[str, str]
) -> dict[str, Any]:
    """`docker compose config` of the stack's files, as JSON. Only what the stack says (and
    `outside`) is seen: no variable of the machine running the tests."""
    command = [docker_compose(), "--project-directory", str(root), "--env-file",
               str(root / ".env.example")]  # fmt: skip
    for name in files:
        command += ["-f", str(root / name)]
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), **outside}
    result = subprocess.run(
        [*command, "config", *options, "--format", "json"],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, f"docker compose {' '.join(files)}: {result.stderr}"
    config: dict[str, Any] = json.loads(result.stdout)
    return config


def _as_written(service: dict[str, Any]) -> None:
    build = service.get("build")
    if isinstance(build, dict) and build.keys() == {"context", "dockerfile"} == set(build):
        service["build"] = f"./{build['context']}" if build["dockerfile"] == "Dockerfile" else build
    env_files = service.get("env_file")
    if isinstance(env_files, list) and len(env_files) == 1 and env_files[0].get("required"):
        service["env_file"] = env_files[0]["path"]
    environment = service.get("environment")
    if isinstance(environment, list):
        service["environment"] = dict(item.split("=", 1) for item in environment)
    if isinstance(service.get("networks"), dict):
        service["networks"] = list(service["networks"])
    for dependency in (service.get("depends_on") or {}).values():
        if dependency.get("required") is True:
            del dependency["required"]
    service["ports"] = [_port(port) for port in service.get("ports", [])]
    service["volumes"] = [_volume(volume) for volume in service.get("volumes", [])]
    for key in ("ports", "volumes"):
        if not service[key]:
            del service[key]


def _port(port: dict[str, Any] | str) -> str:
    if isinstance(port, str):  # one Compose cannot parse before interpolation
        return port
    published = f"{port['published']}:{port['target']}"
    return f"{port['host_ip']}:{published}" if port.get("host_ip") else published


def _volume(volume: dict[str, Any] | str) -> str:
    if isinstance(volume, str):
        return volume
    source = str(volume["source"])
    if volume["type"] == "bind" and not source.startswith(("/", ".")):
        source = f"./{source}"
    return f"{source}:{volume['target']}" + (":ro" if volume.get("read_only") else "")


def compose_files_of(root: Path, stack_file: str) -> list[Path]:
    """The stack file and the pieces it includes, in merge order."""
    spec = yaml.safe_load((root / stack_file).read_text())
    pieces = [root / path for entry in spec.get("include", []) for path in entry["path"]]
    return [root / stack_file, *pieces]


def compose_text(root: Path, stack_file: str) -> str:
    """Every line a stack's files hold, for tests that look for a comment or a setting."""
    return "\n".join(path.read_text() for path in compose_files_of(root, stack_file))
