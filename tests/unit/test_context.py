"""Derived values of extensions/context.py, as plain functions."""

import re

import pytest

from extensions import context


def test_every_level_has_a_name_and_a_coverage_gate() -> None:
    assert set(context.LEVEL_NAMES) == set(context.COVERAGE_GATES) == {1, 2, 3, 4}
    gates = [context.COVERAGE_GATES[level] for level in (1, 2, 3, 4)]
    assert gates == sorted(gates)
    assert context.COVERAGE_GATES[1] == 60


def test_levels_are_cumulative() -> None:
    for level in (1, 2, 3, 4):
        flags = context.feature_flags(level, [])
        for feature, lowest in context.LEVEL_FEATURES.items():
            assert flags[feature] is (level >= lowest)


def test_module_dependencies_are_added_and_reported() -> None:
    assert context.resolve_modules(["workers"], 1) == (["workers", "rabbitmq"], ["rabbitmq"])
    enabled, added = context.resolve_modules(["websockets"], 1)
    assert set(enabled) == {"websockets", "redis", "rabbitmq", "workers"}
    assert set(added) == {"redis", "rabbitmq", "workers"}
    assert context.resolve_modules([], 4) == (["redis"], ["redis"])
    assert context.resolve_modules(["redis"], 4) == (["redis"], [])


def test_websockets_reports_the_modules_it_added() -> None:
    built = context.build_context({"maturity_level": 4, "modules": ["websockets"]})
    assert built["enabled_modules"] == ["workers", "rabbitmq", "redis", "websockets"]
    assert built["added_modules"] == ["workers", "rabbitmq", "redis"]
    assert built["feat"]["websockets"] is True


def test_enabled_modules_keep_a_stable_order() -> None:
    enabled, _ = context.resolve_modules(["s3", "mongodb", "bot"], 1)
    assert enabled == ["bot", "mongodb", "rabbitmq", "s3"]


def test_build_context_derives_the_level_values() -> None:
    built = context.build_context({"maturity_level": 1, "modules": []})
    assert built["coverage_gate"] == 60
    assert built["level_name"] == "PoC"
    assert built["feat"]["logging"] is False


def test_only_what_exists_is_accepted() -> None:
    assert context.level_error(1) == ""
    assert context.level_error(2) == ""
    assert context.level_error(3) == ""
    assert context.level_error(4) == ""
    assert "does not exist" in context.level_error(7)
    assert "not a number" in context.level_error("high")
    assert context.modules_error([]) == ""
    assert context.modules_error(["bot"]) == ""
    assert context.modules_error(["redis"]) == ""
    assert context.modules_error(["websockets"]) == ""
    assert "Unknown module" in context.modules_error(["kafka"])
    assert context.modules_error(["s3", "bot"]) == ""


@pytest.mark.parametrize(
    ("version", "expected"), [("3.12", ">=3.12,<3.13"), ("3.13", ">=3.13,<3.14")]
)
def test_requires_python_holds_the_answered_minor_version_only(version: str, expected: str) -> None:
    assert context.python_requires(version) == expected
    assert context.build_context({"python_version": version})["python_requires"] == expected


def test_the_hubs_hold_what_the_flags_turn_on_in_the_tables_order() -> None:
    level_1 = context.hubs(context.feature_flags(1, []))
    assert level_1["api_service"]["modules"] == ["data_client"]
    assert level_1["worker_service"]["modules"] == []
    assert [name for name, _ in level_1["api_service"]["fields"]] == ["core", "data"]

    every = context.hubs(context.feature_flags(4, list(context.ALL_MODULES)))
    api = every["api_service"]["modules"]
    # What wraps the client to the data service comes first; logs wrap every answer.
    assert api.index("circuit_breaker") < api.index("data_client") < api.index("logs")
    assert api == [module for _, _, module in context.WIRING["api_service"]]
    imports = every["api_service"]["module_imports"]
    assert imports == sorted(imports)
    assert ("api_service.api.routes", "attachments") in imports
    settings = every["api_service"]["settings_imports"]
    assert ("http", "CorsSettings") in settings
    assert settings == sorted(settings)


def test_projects_update_with_the_copier_the_template_is_tested_with() -> None:
    from tests.support.project import TEMPLATE

    dev = (TEMPLATE / "pyproject.toml").read_text()
    readme = (TEMPLATE / "README.md").read_text()
    for package in ("copier", "copier-template-extensions"):
        pinned = re.search(rf'"{package}==([^"]+)"', dev)
        assert pinned, package
        assert f"{package}=={pinned[1]}" in context.COPIER_COMMAND
        assert f"{package}=={pinned[1]}" in readme


@pytest.mark.parametrize(
    ("deployment", "level", "modules", "refusal"),
    [
        ("compose", 1, [], ""),
        ("compose", 4, ["s3"], ""),
        ("kubernetes", 4, [], ""),
        ("kubernetes", 4, ["redis"], ""),
        ("kubernetes", 3, [], "Kubernetes manifests come with maturity level 4;"),
        ("kubernetes", 4, ["workers"], "do not cover the module(s) workers, rabbitmq yet;"),
        ("swarm", 4, [], 'Deployment "swarm" does not exist;'),
    ],
)
def test_the_kubernetes_target_is_refused_where_its_manifests_fall_short(
    deployment: str, level: int, modules: list[str], refusal: str
) -> None:
    error = context.deployment_error(deployment, level, modules)
    assert refusal in error if refusal else error == ""


def test_the_kubernetes_flag_needs_level_4_and_the_answer() -> None:
    assert context.build_context({"maturity_level": 4, "deployment": "kubernetes"})["feat"][
        "kubernetes"
    ]
    assert not context.build_context({"maturity_level": 4})["feat"]["kubernetes"]
    assert not context.build_context({"maturity_level": 3, "deployment": "kubernetes"})["feat"][
        "kubernetes"
    ]
