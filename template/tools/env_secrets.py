"""Give .env a new random secret in place of every change-me (made from .env.example if missing).

    make env

Values already changed are kept, so it is safe to run again. Run it before the first
`docker compose up`: a database initialised with one password keeps it when .env changes
later (docs/runbooks tell how to rotate one).
"""

import re
import secrets
from pathlib import Path

PLACEHOLDER = re.compile(r"^(\w+)=change-me$", re.MULTILINE)


def main() -> None:
    env = Path(".env")
    if not env.exists():
        env.write_text(Path(".env.example").read_text())
    text, count = PLACEHOLDER.subn(
        lambda match: f"{match[1]}={secrets.token_urlsafe(32)}", env.read_text()
    )
    env.write_text(text)
    env.chmod(0o600)
    print(f".env: {count} change-me value(s) replaced by new random secrets")


if __name__ == "__main__":
    main()
