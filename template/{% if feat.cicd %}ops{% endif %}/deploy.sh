#!/usr/bin/env bash
# Runs one release on this host: pulls its images, then restarts the production stack on them.
# Usage (in the project directory on the server): IMAGE_REGISTRY=ghcr.io/<owner>/<repository> \
#   ops/deploy.sh IMAGE_TAG      e.g. sha-<full commit> or v1.4.2
# IMAGE_REGISTRY may also be set in .env. Each run is appended to deployments.log, which is what
# docs/runbooks/rollback.md reads to find the release before.
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGE_TAG="${1:?usage: ops/deploy.sh IMAGE_TAG (sha-<commit> or a release tag such as v1.4.2)}"
export IMAGE_TAG
compose=(docker compose -f docker-compose.prod.yml -f docker-compose.images.yml)

"${compose[@]}" config --quiet
"${compose[@]}" pull --quiet
# Dependencies start in order and are waited for (migrations finish, services turn healthy)
# before the gateway starts: a release that never turns healthy fails here.
"${compose[@]}" up --detach --no-build --remove-orphans
printf '%s %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$IMAGE_TAG" >> deployments.log
"${compose[@]}" ps
