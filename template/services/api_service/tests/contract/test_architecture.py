"""Architecture contracts of pyproject.toml [tool.importlinter]: no database driver in the
business API, dependencies pointing inwards, a framework-free domain."""

from pathlib import Path

from importlinter.cli import lint_imports

PYPROJECT = Path(__file__).parents[2] / "pyproject.toml"


def test_the_architecture_contracts_hold() -> None:
    assert lint_imports(config_filename=str(PYPROJECT), no_cache=True) == 0
