"""Give .env a new random secret in place of every change-me (made from .env.example if missing).

    make env
    python3 tools/env_secrets.py FILE EXAMPLE    # another pair (make k8s-secrets)

Values already changed are kept, so it is safe to run again. Variables .env.example has and
.env lacks (a template update added them) are appended, with a new secret for each change-me.
Run it before the first `docker compose up`: a database initialised with one password keeps
it when .env changes later (docs/runbooks tell how to rotate one).
"""

import re
import secrets
import sys
from pathlib import Path

# KEY=change-me, quoted or not (the quotes are kept); Windows line ends read as plain ones.
PLACEHOLDER = re.compile(r"^(\w+)=([\"']?)change-me\2$", re.MULTILINE)
ASSIGNMENT = re.compile(r"^\s*(?:export\s+)?(\w+)=", re.MULTILINE)


def missing_lines(example: str, current: str) -> list[str]:
    """The example's assignments whose variable the current file does not set, each after the
    comment lines just above it there (what it is for)."""
    known = set(ASSIGNMENT.findall(current))
    lines: list[str] = []
    comments: list[str] = []
    for line in example.splitlines():
        found = ASSIGNMENT.match(line)
        if found and found[1] not in known:
            if comments and lines:
                lines.append("")
            lines += [*comments, line]
            comments = []
        elif line.lstrip().startswith("#"):
            comments.append(line)
        else:
            comments = []
    return lines


def new_secret(match: re.Match[str]) -> str:
    name, quote = match.groups()
    return f"{name}={quote}{secrets.token_urlsafe(32)}{quote}"


def main(argv: list[str]) -> None:
    env, example = (Path(argv[0]), Path(argv[1])) if argv else (Path(".env"), Path(".env.example"))
    if not env.exists():
        env.write_text(example.read_text())
    text = env.read_text()
    added = missing_lines(example.read_text(), text)
    if added:
        text = text.rstrip("\n") + f"\n\n# added by `make env` from {example.name}\n"
        text += "\n".join(added) + "\n"
    text, count = PLACEHOLDER.subn(new_secret, text)
    env.write_text(text)
    env.chmod(0o600)
    variables = sum(1 for line in added if ASSIGNMENT.match(line))
    print(f"{env}: {variables} variable(s) added, {count} change-me value(s) replaced by secrets")


if __name__ == "__main__":
    main(sys.argv[1:])
