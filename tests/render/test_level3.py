"""Level 3's configuration files work with the real tools: nginx -t, promtool, compose schema."""

from __future__ import annotations

import ast
import json
import os
import py_compile
import shutil
import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import yaml

from extensions.context import ALL_MODULES
from tests.support.postgres import free_port
from tests.support.project import compose_model, compose_text, render


def tool(name: str, package: str) -> str:
    found = shutil.which(name)
    if found is None:
        missing = f"{name} is not installed (apt-get install {package})"
        if os.environ.get("CI"):
            pytest.fail(f"{missing}: CI must run this check")
        pytest.skip(missing)
    return found


@pytest.fixture(scope="module", params=["no modules", "every module"])
def project(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    modules = sorted(ALL_MODULES) if request.param == "every module" else []
    answers = {"maturity_level": 3, "modules": modules}
    return render(tmp_path_factory.mktemp("level3") / "project", answers)


DOMAIN = "api.test.example"


def gateway_config(project: Path, folder: Path, https_port: int | None = None) -> Path:
    """What the nginx image does at start: fill in the environment, include the result in http{}
    (listening on loopback ports of its own when `https_port` is given)."""
    live = folder / "live" / DOMAIN
    live.mkdir(parents=True)
    subprocess.run(
        ["openssl", "req", "-x509", "-nodes", "-newkey", "rsa:2048", "-days", "1",
         "-subj", f"/CN={DOMAIN}", "-keyout", str(live / "privkey.pem"),
         "-out", str(live / "fullchain.pem")],
        check=True, capture_output=True,
    )  # fmt: skip
    template = (project / "gateway/templates/default.conf.template").read_text()
    site = template.replace("${GATEWAY_DOMAIN}", DOMAIN).replace(
        "/etc/letsencrypt/live/", f"{folder}/live/"
    )
    if https_port is not None:
        site = site.replace("listen 80;", f"listen 127.0.0.1:{free_port()};")
        site = site.replace("listen 443 ssl", f"listen 127.0.0.1:{https_port} ssl")
        # Nothing listens there: the API is down.
        site = site.replace("http://api_service:8000", f"http://127.0.0.1:{free_port()}")
    (folder / "locations").mkdir()
    # The files the site includes: templates/<folder>/*.conf.template become conf.d/<folder>/*.conf.
    for included in (project / "gateway/templates").glob("*/*.conf.template"):
        conf = folder / included.parent.name / included.name.removesuffix(".template")
        conf.parent.mkdir(exist_ok=True)
        conf.write_text(included.read_text().replace("/etc/nginx/conf.d/", f"{folder}/"))
    site = site.replace("/etc/nginx/conf.d/", f"{folder}/")
    (folder / "default.conf").write_text(site)
    (folder / "nginx.conf").write_text(
        f"pid {folder}/nginx.pid;\nevents {{}}\n"
        f"http {{\n  include /etc/nginx/mime.types;\n  include {folder}/default.conf;\n}}\n"
    )
    return folder / "nginx.conf"


def test_the_gateway_config_passes_nginx_t(project: Path, tmp_path: Path) -> None:
    nginx = tool("nginx", "nginx")
    config = gateway_config(project, tmp_path)

    result = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(config), "-e", "stderr"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr


SECURITY_HEADERS = ("Strict-Transport-Security", "X-Content-Type-Options", "X-Frame-Options")


def _tls_context() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def _ask_gateway(port: int, path: str, body: bytes | None = None) -> tuple[int, Any, Any]:
    request = urllib.request.Request(
        f"https://127.0.0.1:{port}{path}", data=body, headers={"Host": DOMAIN}
    )
    try:
        with urllib.request.urlopen(request, context=_tls_context(), timeout=5) as response:
            status, headers, text = response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        status, headers, text = error.code, error.headers, error.read()
    return status, headers, json.loads(text)


def _send_raw(port: int, request: bytes) -> tuple[int, Any]:
    """What the gateway answers to bytes that are not a request urllib would send."""
    plain = socket.create_connection(("127.0.0.1", port), timeout=5)
    with plain, _tls_context().wrap_socket(plain, server_hostname=DOMAIN) as tls:
        tls.sendall(request)
        answer = b""
        while chunk := tls.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split()[1]), json.loads(body)


@pytest.fixture
def gateway(project: Path, tmp_path: Path) -> Iterator[int]:
    """The gateway on a loopback port, with the API it proxies to down."""
    nginx = tool("nginx", "nginx")
    port = free_port()
    config = gateway_config(project, tmp_path, https_port=port)
    command = [nginx, "-p", str(tmp_path), "-c", str(config), "-e", "stderr"]
    server = subprocess.Popen(
        [*command, "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert server.poll() is None, server.stderr.read() if server.stderr else ""
                assert time.monotonic() < deadline, "nginx did not listen in 10 s"
                time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_the_gateways_own_errors_are_problems(gateway: int) -> None:
    answers = [
        _ask_gateway(gateway, '/metrics?a="b'),
        _ask_gateway(gateway, "/ready"),
        _ask_gateway(gateway, "/api/v1/anything", b"x" * (2 * 1024 * 1024)),
        _ask_gateway(gateway, "/api/v1/items"),
        _ask_gateway(gateway, "/api/v1/" + "x" * 9000),
    ]
    expected = [(404, "not_found", "/metrics"), (404, "not_found", "/ready"),
                (413, "too_large", "/api/v1/anything"), (503, "unavailable", "/api/v1/items"),
                (414, "uri_too_long", "")]  # fmt: skip
    for (status, headers, body), (code_status, code, instance) in zip(
        answers, expected, strict=True
    ):
        assert (status, headers["Content-Type"]) == (code_status, "application/problem+json")
        assert body["type"] == "about:blank"
        assert (body["status"], body["code"], body["instance"]) == (code_status, code, instance)
        for header in SECURITY_HEADERS:
            assert headers[header], (status, header)
    assert answers[3][1]["Retry-After"] == "5"

    bad_host = b"GET /api/v1/items HTTP/1.1\r\nHost: a b\r\nConnection: close\r\n\r\n"
    status, body = _send_raw(gateway, bad_host)
    assert (status, body["status"], body["code"]) == (400, 400, "bad_request")


def test_past_its_burst_a_client_gets_a_429_problem_with_the_security_headers(
    gateway: int,
) -> None:
    # At once: one after the other, a slow machine would let the bucket refill between them.
    with ThreadPoolExecutor(max_workers=40) as pool:
        answers = list(pool.map(lambda _: _ask_gateway(gateway, "/api/v1/items"), range(40)))

    refused = [(headers, body) for status, headers, body in answers if status == 429]
    assert refused, [status for status, _, _ in answers]
    headers, body = refused[0]
    assert (body["code"], headers["Retry-After"]) == ("rate_limited", "1")
    for header in SECURITY_HEADERS:
        assert headers[header], header


def test_the_gateway_proxies_only_to_the_business_api(project: Path) -> None:
    site = (project / "gateway/templates/default.conf.template").read_text()
    assert "http://api_service:8000" in site
    assert "db_postgres_service" not in site
    headers = (project / "gateway/templates/snippets/security_headers.conf.template").read_text()
    for header in SECURITY_HEADERS:
        assert header in headers
    assert "limit_req_status 429;" in site
    assert "return 301 https://" in site
    # Probes and metrics stay inside the network (/ready asks the data service).
    for internal in ("/metrics", "/ready"):
        assert f"location = {internal} {{\n        return 404;" in site
    assert "error_page 404 = @not_found;" in site


def test_prometheus_config_and_alert_rules_pass_promtool(project: Path, tmp_path: Path) -> None:
    promtool = tool("promtool", "prometheus")
    rules = project / "monitoring/prometheus/alerts.yml"
    config = (project / "monitoring/prometheus/prometheus.yml").read_text()
    (tmp_path / "prometheus.yml").write_text(
        config.replace("/etc/prometheus/alerts.yml", str(rules))
    )

    for args in (
        ["check", "rules", str(rules)],
        ["check", "config", str(tmp_path / "prometheus.yml")],
    ):
        result = subprocess.run([promtool, *args], capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stdout + result.stderr

    alerts = {rule["alert"] for rule in yaml.safe_load(rules.read_text())["groups"][0]["rules"]}
    assert alerts == {"HighErrorRate", "HighLatency", "InstanceDown"}


def test_the_dashboard_shows_rate_errors_and_latency_per_service(project: Path) -> None:
    dashboard = json.loads((project / "monitoring/grafana/dashboards/services.json").read_text())
    expressions = " ".join(t["expr"] for p in dashboard["panels"] for t in p["targets"])

    assert "rate(http_requests_total[5m])" in expressions
    assert 'status="5xx"' in expressions
    assert "histogram_quantile(0.95" in expressions
    assert "by (job" in expressions


def test_production_compose_publishes_only_the_gateway_and_requires_secrets(project: Path) -> None:
    compose = compose_model(project, "docker-compose.prod.yml")
    published = {name for name, service in compose["services"].items() if service.get("ports")}
    text = compose_text(project, "docker-compose.prod.yml")

    assert published == {"gateway"}
    for secret in ("POSTGRES_PASSWORD", "GRAFANA_ADMIN_PASSWORD", "GATEWAY_DOMAIN"):
        assert f"${{{secret}:?" in text
    assert "./services/" not in text.replace("build: ./services/", "")
    assert compose["services"]["api_service"]["environment"]["APP_ENV"] == "production"


def test_the_load_test_script_compiles_and_its_body_is_data(project: Path) -> None:
    script = project / "loadtest/locustfile.py"
    py_compile.compile(str(script), doraise=True)
    module = ast.parse(script.read_text())
    (example,) = [
        node.value
        for node in module.body
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "EXAMPLE"
    ]
    assert ast.literal_eval(example)["name"] == "name1"
