"""Level 3's configuration files work with the real tools: nginx -t, promtool, compose schema."""

from __future__ import annotations

import ast
import json
import os
import py_compile
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from extensions.context import ALL_MODULES
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


def test_the_gateway_config_passes_nginx_t(project: Path, tmp_path: Path) -> None:
    nginx = tool("nginx", "nginx")
    domain = "api.test.example"
    live = tmp_path / "live" / domain
    live.mkdir(parents=True)
    subprocess.run(
        ["openssl", "req", "-x509", "-nodes", "-newkey", "rsa:2048", "-days", "1",
         "-subj", f"/CN={domain}", "-keyout", str(live / "privkey.pem"),
         "-out", str(live / "fullchain.pem")],
        check=True, capture_output=True,
    )  # fmt: skip
    # What the nginx image does at start: fill in the environment, include the result in http{}.
    template = (project / "gateway/templates/default.conf.template").read_text()
    site = template.replace("${GATEWAY_DOMAIN}", domain).replace(
        "/etc/letsencrypt/live/", f"{tmp_path}/live/"
    )
    # Modules' locations: templates/locations/*.conf.template become conf.d/locations/*.conf.
    (tmp_path / "locations").mkdir()
    for location in (project / "gateway/templates").glob("locations/*.conf.template"):
        conf = tmp_path / "locations" / location.name.removesuffix(".template")
        conf.write_text(location.read_text())
    site = site.replace("/etc/nginx/conf.d/locations/", f"{tmp_path}/locations/")
    (tmp_path / "default.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nevents {{}}\n"
        f"http {{\n  include /etc/nginx/mime.types;\n  include {tmp_path}/default.conf;\n}}\n"
    )

    result = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-e", "stderr"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr


def test_the_gateway_proxies_only_to_the_business_api(project: Path) -> None:
    site = (project / "gateway/templates/default.conf.template").read_text()
    assert "http://api_service:8000" in site
    assert "db_postgres_service" not in site
    for header in ("Strict-Transport-Security", "X-Content-Type-Options", "X-Frame-Options"):
        assert header in site
    assert "limit_req_status 429;" in site
    assert "return 301 https://" in site
    # Probes and metrics stay inside the network (/ready asks the data service).
    for internal in ("/metrics", "/ready"):
        assert f"location = {internal} {{\n        return 404;" in site


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
