"""Architecture contracts of pyproject.toml [tool.importlinter]: no database driver in the
business API, dependencies pointing inwards, a framework-free domain."""

import subprocess
import sys
from pathlib import Path

PYPROJECT = Path(__file__).parents[2] / "pyproject.toml"
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def test_the_architecture_contracts_hold() -> None:
    # A process of its own: import-linter reconfigures logging, which would silence the tests'.
    result = subprocess.run(
        [str(LINT_IMPORTS), "--config", str(PYPROJECT), "--no-cache"],
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
