"""The compose stacks are assembled from pieces (compose/, merged in the order of
COMPOSE_PIECES in extensions/context.py). What Docker Compose makes of them is what the
template rendered before the pieces existed, a whole file per stack, for every preset."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from extensions.context import COMPOSE_PIECES, compose_files, feature_flags
from tests.conftest import HEAVIEST_FIRST, PRESETS
from tests.support.project import (
    COMPOSE_STACKS,
    TEMPLATE,
    compose_config,
    compose_spec_errors,
    render,
    rendered_files,
)

pytestmark = pytest.mark.rendered

# The last commit whose stacks were whole files (docker-compose.yml, docker-compose.prod.yml).
WHOLE_FILES = "3db76e493a6c18f0ea7010a327676704c5f37ff1"
# Not part of any stack: production's defaults, which the pieces take with `extends`.
NOT_INCLUDED = {"compose/production/defaults.compose.yml"}


def comparable(config: dict[str, Any], root: Path) -> dict[str, Any]:
    """The stack with what carries no meaning set aside: the `x-` fields (they only hold the
    YAML anchors a file reuses) and the order of a service's volumes and ports (Compose keys
    them by target). The project's folder is written as <root>."""
    text = json.dumps(config, sort_keys=True).replace(str(root), "<root>")
    stack = {key: value for key, value in json.loads(text).items() if not key.startswith("x-")}
    for service in stack.get("services", {}).values():
        for key in ("volumes", "ports"):
            if key in service:
                service[key] = sorted(service[key], key=lambda entry: json.dumps(entry))
    return stack


def with_the_mends(stack: dict[str, Any]) -> dict[str, Any]:
    """The whole files' stack with what the pieces changed on purpose (CHANGELOG):
    in production the worker joins Redis' network only with websockets (before, wherever
    Redis was, with no Redis user of its own), and the bot waits for Redis as it does in
    development."""
    services = stack.get("services", {})
    production = "secrets_check" in services
    worker = services.get("worker_service")
    if production and worker and "REDIS_URL" not in worker.get("environment", {}):
        worker.get("networks", {}).pop("cache", None)
    bot = services.get("bot_service")
    if production and bot and "redis" in services:
        bot["depends_on"]["redis"] = {"condition": "service_started", "required": True}
    return stack


@pytest.fixture(scope="module")
def whole_files_template() -> str:
    found = subprocess.run(
        ["git", "-C", str(TEMPLATE), "cat-file", "-t", WHOLE_FILES],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if found.stdout.strip() != "commit":
        pytest.fail(f"this clone lacks {WHOLE_FILES}: the test needs the full history")
    return WHOLE_FILES


@pytest.mark.parametrize("preset", HEAVIEST_FIRST)
def test_the_pieces_merge_into_the_stacks_the_whole_files_were(
    preset: str,
    rendered_preset: Callable[[str], Path],
    whole_files_template: str,
    tmp_path: Path,
) -> None:
    pieces = rendered_preset(preset)
    whole = render(tmp_path / "whole", PRESETS[preset], vcs_ref=whole_files_template)
    compared = 0
    for stack, files in COMPOSE_STACKS.items():
        # The whole files' release renders every stack its level has; a project deployed to
        # Kubernetes has no stack of CI's images.
        if not all((root / name).is_file() for root in (whole, pieces) for name in files):
            continue
        before = with_the_mends(comparable(compose_config(whole, files), whole))
        after = comparable(compose_config(pieces, files), pieces)
        assert after == before, stack
        compared += 1
    assert compared >= 1


@pytest.mark.parametrize("preset", ["defaults", "level3", "modules_level4"])
def test_a_project_has_the_pieces_its_stacks_include_and_no_other(
    preset: str, rendered_preset: Callable[[str], Path]
) -> None:
    project = rendered_preset(preset)
    answers = PRESETS[preset]
    level = int(str(answers.get("maturity_level", 1)))
    flags = feature_flags(level, list(answers.get("modules", [])))
    stacks = compose_files(flags)
    included = set(stacks["development"])
    if flags["production_stack"]:
        included |= set(stacks["production"]) | NOT_INCLUDED

    assert {name for name in rendered_files(project) if name.startswith("compose/")} == included
    for name in included:
        assert compose_spec_errors(project / name) == "", name


def test_every_piece_of_the_table_is_a_template_file_under_its_flag() -> None:
    folders = {
        "": "compose",
        "development": "compose/development",
        "production": "compose/{% if feat.production_stack %}production{% endif %}",
    }
    for piece, flag, layers in COMPOSE_PIECES:
        name = f"{piece}.compose.yml"
        if flag is not None:
            name = f"{{% if feat.{flag} %}}{name}{{% endif %}}"
        for layer in layers:
            folder = TEMPLATE / "template" / folders[layer]
            found = [path for path in (folder / name, folder / f"{name}.jinja") if path.is_file()]
            assert found, (piece, layer)
