"""Before `make update`: the template commit this project was rendered from must still exist.

    python3 tools/template_commit.py

A project rendered from a template checkout with uncommitted changes records a temporary
commit that Copier made of them and did not keep; an update from it fails deep inside Copier
("Unknown revision"). This says so in a sentence first. Only a template on this machine (a
folder) can be asked; for one on a server Copier itself checks.
"""

import re
import subprocess
import sys
from pathlib import Path

ANSWERS = Path(".copier-answers.yml")


def recorded(name: str, text: str) -> str:
    found = re.search(rf"(?m)^{name}: ['\"]?([^'\"\n]*)['\"]?$", text)
    return found[1].strip() if found else ""


def problem(answers_text: str, project: Path) -> str:
    commit, source = recorded("_commit", answers_text), recorded("_src_path", answers_text)
    folder = Path(source).expanduser()
    if not folder.is_absolute():
        folder = project / folder
    if not commit or not source or "://" in source or not (folder / ".git").exists():
        return ""
    # A tag (the usual _commit) or a commit id, either way resolved to the commit it names.
    check = ["git", "-C", str(folder), "rev-parse", "--verify", "--quiet", commit + "^{commit}"]
    if subprocess.run(check, capture_output=True, check=False).returncode == 0:
        return ""
    return (
        f"This project was rendered from template commit {commit}, which the template at "
        f"{folder} does not have: it was a temporary commit of uncommitted template changes "
        "(Copier warned: DirtyLocalWarning), and Copier cannot update from it. Set _commit in "
        ".copier-answers.yml to the template commit those changes became, or render the "
        "project again from a committed template."
    )


def main() -> int:
    if not ANSWERS.is_file():
        return 0
    message = problem(ANSWERS.read_text(), Path.cwd())
    if message:
        print(message, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
