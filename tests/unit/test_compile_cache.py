"""The compile cache must not change what a template string renders to, yield tags included."""

from __future__ import annotations

from pathlib import Path

import copier
from copier._jinja_ext import YieldExtension, get_yield_context
from jinja2 import Environment

from extensions.compile_cache import CompiledStringCache
from tests.support.project import TEMPLATE


def make_environment() -> Environment:
    return Environment(extensions=[YieldExtension, CompiledStringCache])


def test_one_compilation_per_distinct_string() -> None:
    environment = make_environment()
    first = environment.from_string("{{ name }}.py")
    assert environment.from_string("{{ name }}.py") is first
    assert environment.from_string("{{ other }}.py") is not first
    assert first.render(name="a") == "a.py"
    assert first.render(name="b") == "b.py"


def test_yield_state_is_reset_before_every_render() -> None:
    environment = make_environment()
    source = "{% yield item from items %}{{ item }}{% endyield %}"
    environment.from_string(source).render(items=[1, 2])
    assert get_yield_context(environment).yield_name == "item"

    plain = environment.from_string("plain.py")
    assert get_yield_context(environment).yield_name is None
    assert plain.render() == "plain.py"
    # Rendering the cached yield template again must not see the earlier state.
    environment.from_string(source).render(items=[3])
    assert get_yield_context(environment).yield_iterable == [3]


def test_explicit_globals_bypass_the_cache() -> None:
    environment = make_environment()
    shared = environment.from_string("{{ greeting }}")
    own = environment.from_string("{{ greeting }}", globals={"greeting": "hi"})
    assert own is not shared
    assert own.render() == "hi"


def test_copier_renders_the_paths_through_the_cache(tmp_path: Path) -> None:
    """The cache only pays off while Copier renders each part of each path with
    `environment.from_string`; a Copier that stops doing so leaves the path parts out."""
    worker = copier.run_copy(
        str(TEMPLATE), str(tmp_path / "project"), data={"maturity_level": 4},
        defaults=True, unsafe=True, quiet=True, vcs_ref="HEAD",
    )  # fmt: skip
    compiled = worker.jinja_env.compiled_template_strings

    assert "{% if feat.redis %}redis.compose.yml{% endif %}" in compiled
    assert "{{ project_slug }}" in compiled
