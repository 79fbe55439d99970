"""Level 4's tracing and central logs: Jaeger and the EFK stack in the production compose file,
the Fluent Bit pipeline that turns the services' JSON lines into fields, and their docs.

No Fluent Bit installs here (Debian has no package, PyPI none that runs it): its configuration
is read in this file the way Fluent Bit reads its classic format, and checked against the
plugins' documented options and the compose file it runs in.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.project import compose_model, compose_text

pytestmark = pytest.mark.rendered

APP_SERVICES = {"api_service", "db_postgres_service", "db_mongo_service", "worker_service"}
# The options of the plugins the pipeline uses, from Fluent Bit's documentation.
PLUGIN_OPTIONS = {
    ("INPUT", "forward"): {"listen", "port", "buffer_chunk_size", "buffer_max_size", "tag_prefix"},
    ("FILTER", "parser"): {"match", "key_name", "parser", "reserve_data", "preserve_key"},
    ("FILTER", "modify"): {"match", "rename", "add", "remove", "set", "copy"},
    ("OUTPUT", "es"): {
        "match", "host", "port", "http_user", "http_passwd", "logstash_format",
        "logstash_prefix", "suppress_type_name", "replace_dots", "retry_limit", "tls",
    },
}  # fmt: skip
SERVICE_OPTIONS = {
    "flush", "log_level", "parsers_file", "http_server", "http_listen", "http_port", "health_check",
}  # fmt: skip
PARSER_OPTIONS = {"name", "format", "time_key", "time_format", "time_keep"}


def read_fluent_bit(path: Path) -> list[tuple[str, dict[str, str]]]:
    """Sections of Fluent Bit's classic format: `[NAME]`, then indented `Key value` lines."""
    sections: list[tuple[str, dict[str, str]]] = []
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if header := re.fullmatch(r"\[([A-Z_]+)\]", line):
            sections.append((header.group(1), {}))
            continue
        entry = re.fullmatch(r" {4}(\S+)\s+(\S.*)", line)
        assert entry, f"{path.name}:{number}: not a `    Key value` line: {line!r}"
        assert sections, f"{path.name}:{number}: an option before any [SECTION]"
        key = entry.group(1).lower()
        assert key not in sections[-1][1], f"{path.name}:{number}: {key} set twice"
        sections[-1][1][key] = entry.group(2)
    return sections


@pytest.fixture(scope="module", params=["level4", "modules_level4"])
def project(request: pytest.FixtureRequest, rendered_preset: Callable[[str], Path]) -> Path:
    return rendered_preset(request.param)


@pytest.fixture(scope="module")
def prod(project: Path) -> dict[str, Any]:
    compose: dict[str, Any] = compose_model(project, "docker-compose.prod.yml")
    return compose


def app_services(compose: dict[str, Any]) -> set[str]:
    return APP_SERVICES & set(compose["services"])


def test_every_service_sends_its_spans_to_jaeger(project: Path, prod: dict[str, Any]) -> None:
    dev = yaml.safe_load((project / "docker-compose.dev.yml").read_text())
    for compose in (prod, dev):
        jaeger = compose["services"]["jaeger"]
        assert re.fullmatch(r"jaegertracing/jaeger:\d+\.\d+\.\d+", jaeger["image"])
        assert jaeger["ports"] == ["127.0.0.1:16686:16686"]
        for name in app_services(prod):
            environment = compose["services"][name]["environment"]
            assert environment["OTEL_EXPORTER_OTLP_ENDPOINT"] == "http://jaeger:4318", name


def test_only_the_gateway_is_public_the_rest_on_loopback(prod: dict[str, Any]) -> None:
    for name, service in prod["services"].items():
        if name != "gateway":
            for port in service.get("ports", []):
                assert port.startswith("127.0.0.1:"), f"{name} publishes {port}"


def test_the_services_log_to_fluent_bit(project: Path, prod: dict[str, Any]) -> None:
    sections = read_fluent_bit(project / "monitoring/fluent-bit/fluent-bit.conf")
    [forward] = [options for kind, options in sections if options.get("name") == "forward"]
    published = prod["services"]["fluent_bit"]["ports"]
    assert published == [f"127.0.0.1:{forward['port']}:{forward['port']}"]
    for name in app_services(prod) | {"db_migrate"}:
        logging = prod["services"][name]["logging"]
        assert logging["driver"] == "fluentd", name
        assert logging["options"]["fluentd-address"] == f"127.0.0.1:{forward['port']}"
        assert logging["options"]["fluentd-async"] == "true"
        assert logging["options"]["labels"] == "com.docker.compose.service"


def test_the_fluent_bit_pipeline_uses_only_known_options(project: Path) -> None:
    sections = read_fluent_bit(project / "monitoring/fluent-bit/fluent-bit.conf")
    assert [kind for kind, _ in sections] == ["SERVICE", "INPUT", "FILTER", "FILTER", "OUTPUT"]
    for kind, options in sections:
        if kind == "SERVICE":
            assert set(options) <= SERVICE_OPTIONS
            continue
        known = PLUGIN_OPTIONS[(kind, options["name"])]
        assert set(options) - {"name"} <= known, (kind, options)
        if kind != "INPUT":
            assert options["match"] == "*"
    parsers = read_fluent_bit(project / "monitoring/fluent-bit/service-parsers.conf")
    for parser_kind, parser in parsers:
        assert parser_kind == "PARSER"
        assert set(parser) <= PARSER_OPTIONS


def test_json_lines_become_fields_with_the_services_timestamp(project: Path) -> None:
    sections = read_fluent_bit(project / "monitoring/fluent-bit/fluent-bit.conf")
    parsers = {
        options["name"]: options
        for _, options in read_fluent_bit(project / "monitoring/fluent-bit/service-parsers.conf")
    }
    [parse] = [options for _, options in sections if options.get("name") == "parser"]
    [modify] = [options for _, options in sections if options.get("name") == "modify"]
    parser = parsers[parse["parser"]]

    # The docker fluentd driver puts the line under `log`; the services write JSON with a
    # structlog ISO timestamp in UTC.
    assert parse["key_name"] == "log"
    assert parse["reserve_data"] == "On"
    assert (parser["format"], parser["time_key"]) == ("json", "timestamp")
    stamp = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    datetime.strptime(stamp, parser["time_format"].replace("%L", "%f"))
    assert modify["rename"] == "com.docker.compose.service service"


def test_logs_reach_elasticsearch_with_the_required_password(
    project: Path,
    prod: dict[str, Any],
) -> None:
    sections = read_fluent_bit(project / "monitoring/fluent-bit/fluent-bit.conf")
    [output] = [options for kind, options in sections if kind == "OUTPUT"]
    [service] = [options for kind, options in sections if kind == "SERVICE"]
    fluent_bit = prod["services"]["fluent_bit"]
    elasticsearch = prod["services"]["elasticsearch"]
    text = compose_text(project, "docker-compose.prod.yml")

    assert output["host"] in prod["services"]
    assert (output["port"], output["http_user"]) == ("9200", "elastic")
    assert output["http_passwd"] == "${ELASTIC_PASSWORD}"
    assert fluent_bit["environment"]["ELASTIC_PASSWORD"].startswith("${ELASTIC_PASSWORD:?")
    mounted = {volume.split(":")[1] for volume in fluent_bit["volumes"]}
    assert service["parsers_file"] in mounted
    assert "/fluent-bit/etc/fluent-bit.conf" in mounted
    assert re.fullmatch(r"fluent/fluent-bit:\d+\.\d+\.\d+", fluent_bit["image"])
    assert elasticsearch["environment"]["xpack.security.enabled"] == "true"
    assert elasticsearch["environment"]["discovery.type"] == "single-node"
    assert "ports" not in elasticsearch
    for secret in ("ELASTIC_PASSWORD", "KIBANA_SYSTEM_PASSWORD"):
        assert f"${{{secret}:?set {secret}}}" in text
        assert f"{secret}=change-me" in (project / ".env.example").read_text()
    kibana = prod["services"]["kibana"]
    assert kibana["environment"]["ELASTICSEARCH_USERNAME"] == "kibana_system"
    assert kibana["ports"] == ["127.0.0.1:5601:5601"]
    assert kibana["image"].split(":")[1] == elasticsearch["image"].split(":")[1]


def test_the_elasticsearch_setup_script_passes_shellcheck(project: Path) -> None:
    shellcheck = shutil.which("shellcheck")
    if shellcheck is None:
        if os.environ.get("CI"):
            pytest.fail("shellcheck is not installed (apt-get install shellcheck)")
        pytest.skip("shellcheck is not installed (apt-get install shellcheck)")
    script = project / "monitoring/elasticsearch/setup.sh"
    result = subprocess.run([shellcheck, str(script)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout
    assert "services-*" in script.read_text()


def test_the_docs_say_how_to_find_a_trace_and_a_request(project: Path) -> None:
    docs = (project / "docs/observability.md").read_text()
    for words in ("127.0.0.1:16686", "127.0.0.1:5601", "request_id :", "trace_id :", "services-*"):
        assert words in docs
    assert "(docs/observability.md)" in (project / "README.md").read_text()
