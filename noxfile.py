"""Sessions of the template repository: `uvx nox` runs them all, in this order."""

from __future__ import annotations

import os
import re
import secrets
from datetime import UTC, datetime
from pathlib import Path

import nox

nox.options.default_venv_backend = "uv"
nox.options.sessions = ["lint", "tests", "rendered", "update", "integration", "explore"]
nox.options.error_on_missing_interpreters = True

DEV = ["--group", "dev"]
# The rendered sessions spread presets over the cores, a preset's tests on one worker;
# -rP shows what passing tests printed (coverage, fuzzing and fault figures).
SPREAD = ["-n", "auto", "--dist", "loadgroup", "-raP"]
# The tests of tests/generated that every preset goes through, on one render of it.
EVERY_GATE = "lint_format_types or service_tests or outages or fuzzing"


def _pytest(session: nox.Session, *args: str) -> None:
    code = session.run("pytest", *args, *session.posargs, success_codes=[0, 5])
    # Exit code 5: nothing was collected. A session that tests nothing must not pass quietly.
    if code == 5:
        session.error(f"pytest collected no tests for: pytest {' '.join(args)}")


def _install(session: nox.Session) -> None:
    session.run_install(
        "uv", "sync", "--frozen", *DEV,
        env={"UV_PROJECT_ENVIRONMENT": session.virtualenv.location},
    )  # fmt: skip


@nox.session
def lint(session: nox.Session) -> None:
    """ruff on the template's own Python (extensions, tests, noxfile)."""
    _install(session)
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def tests(session: nox.Session) -> None:
    """Template tests: extensions, every question's validator, what a render produces."""
    _install(session)
    _pytest(session, "-m", "not rendered")


@nox.session
def rendered(session: nox.Session) -> None:
    """Rendered configuration through real tools, the local mode and the architecture contract.

    nginx, promtool, actionlint, shellcheck and servers for ACLs and roles; determinism across
    Python versions. The presets' own gates run in `integration`, which renders them once."""
    _install(session)
    skipped = ["-k", f"not ({EVERY_GATE})", "--ignore=tests/update"]
    _pytest(session, "-m", "rendered", *skipped, *SPREAD)


@nox.session
def update(session: nox.Session) -> None:
    """`copier update` scenarios on committed projects: levels, modules, resources, releases."""
    _install(session)
    _pytest(session, "tests/update", "-m", "rendered", *SPREAD)


@nox.session
def integration(session: nox.Session) -> None:
    """Every preset's gates and service tests on real servers, outages and schemathesis.

    ruff, format, mypy, bandit and the service tests with their coverage gate, against
    PostgreSQL, Redis and RabbitMQ started on loopback (SQLite and in-process substitutes where
    they are missing, which CI does not allow); the outage test; schemathesis on the running
    services."""
    _install(session)
    real_servers = ["-k", EVERY_GATE, "--postgres"]
    _pytest(session, "-m", "rendered", *real_servers, *SPREAD)


@nox.session
def explore(session: nox.Session) -> None:
    """Generated answer sets (any level, modules and resources) through every gate.

    The gates of the integration session, on EXPLORE_COUNT sets (2) from EXPLORE_SEED (fixed;
    `random` draws one)."""
    _install(session)
    seed = os.environ.get("EXPLORE_SEED", "20261205")
    if seed == "random":
        seed = str(secrets.randbelow(10**6))
    count = os.environ.get("EXPLORE_COUNT", "2")
    session.log(f"exploring {count} answer sets of seed {seed} (EXPLORE_SEED={seed} repeats them)")
    env = {"EXPLORE_SEED": seed, "EXPLORE_COUNT": count}
    every_gate = ["-k", "explore_", "--postgres", "tests/generated"]
    code = session.run(
        "pytest", "-m", "rendered", *every_gate, *SPREAD, *session.posargs,
        env=env, success_codes=[0, 5],
    )  # fmt: skip
    if code == 5:
        session.error("pytest collected no tests: EXPLORE_COUNT is 0?")


@nox.session(default=False)
def pins(session: nox.Session) -> None:
    """Move the rendered locks' cutoff to now and prove every module still locks and installs.

    LOCK_CUTOFF in extensions/context.py; every module's services on both Pythons. Run it after
    raising a pin."""
    _install(session)
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:00Z")
    context = Path("extensions/context.py")
    text, found = re.subn(
        r'^LOCK_CUTOFF = "[^"]*"$', f'LOCK_CUTOFF = "{now}"', context.read_text(), flags=re.M
    )
    if found != 1:
        session.error("extensions/context.py has no LOCK_CUTOFF line to move")
    context.write_text(text)
    session.log(f"LOCK_CUTOFF is now {now}: commit extensions/context.py once the tests pass")
    _pytest(session, "-m", "rendered", "tests/render/test_locks.py", *SPREAD)


@nox.session(default=False)
def bench(session: nox.Session) -> None:
    """Figures, not tests: render, update, what each level adds, and the request path.

    Render time and memory (level 1 defaults, level 4 with every module), `copier update` from
    level 1 to 4, and the request path against its floor: the data service, the API at level 1
    and at level 4 (wrk, redis-server; `nox -s bench -- --load httpx` without wrk)."""
    _install(session)
    session.run("python", "bench/render.py", "--runs", "3")
    every_module = 'modules=["bot","mongodb","rabbitmq","redis","s3","websockets","workers"]'
    session.run(
        "python", "bench/render.py", "--runs", "3",
        "--data", "maturity_level=4", "--data", every_module,
    )  # fmt: skip
    session.run("python", "bench/update.py", "--runs", "3")
    session.run("python", "bench/levels.py")
    session.run("python", "bench/request_path.py", *session.posargs)
