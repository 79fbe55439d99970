"""deploy/kubernetes of a level 4 project with the kubernetes target: every overlay builds with
kubectl's kustomize, every object validates strictly against Kubernetes 1.37 (the operators'
resources against the fields their documentation names), checkov's Kubernetes checks pass,
the NetworkPolicies let through exactly the architecture's edges, every setting the compose
stack gives a service is set in its Deployment, and the deploy tool migrates before it rolls
out and rolls back what does not come up."""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from tests.render.test_level3 import tool
from tests.support.kubernetes_fields import CUSTOM_RESOURCES, unknown_fields
from tests.support.project import compose_model, render

PRESET = "kubernetes_level4"
WORKLOAD_KINDS = ("Deployment", "StatefulSet", "Job")
SERVICE_NAMES = ("db-postgres-service", "api-service")
ENVIRONMENTS = ("staging", "production")
KUBERNETES_VERSION = "1.37.0"
KUBECTL = str(Path(sys.executable).with_name("kubectl"))
CHECKOV = "checkov==3.3.30"
# Checks the manifests fail on purpose, each with the reason.
CHECKOV_SKIPS = {
    # The images are set per release (make k8s-deploy) by the immutable sha-<commit> tag the
    # images workflow pushes; the third-party images are pinned by version.
    "CKV_K8S_43": "images by digest",
    # The services read their settings from the environment (pydantic-settings), secrets too.
    "CKV_K8S_35": "secrets as files",
}
# compose service -> Kubernetes workload
WORKLOADS = {
    "api_service": "api-service",
    "db_postgres_service": "db-postgres-service",
    "db_migrate": "db-migrate",
}
# Variables a Deployment sets that the compose stack does not: the pool size the connection
# budget counts on, the tokens CALLER_TOKENS is made of ($(VAR) expansion), and the header
# the Gateway's proxy passes the client's address in.
KUBERNETES_ONLY = {
    "DATABASE_POOL_SIZE",
    "API_DATA_SERVICE_TOKEN",
    "WORKER_DATA_SERVICE_TOKEN",
    "RATE_LIMIT_CLIENT_HEADER",
}
# Who may open a connection to whom, and on which port (the architecture of PRODUCT.md):
# namespaces outside the project by their role.
EDGES = {
    ("gateway", "api-service", 8000),
    ("monitoring", "api-service", 8000),
    ("monitoring", "db-postgres-service", 8000),
    ("monitoring", "postgres", 9187),
    ("api-service", "db-postgres-service", 8000),
    ("api-service", "redis", 6379),
    ("api-service", "redis-auth", 6379),
    ("api-service", "tracing", 4318),
    ("db-postgres-service", "postgres", 5432),
    ("db-postgres-service", "tracing", 4318),
    ("db-migrate", "postgres", 5432),
    ("db-migrate", "tracing", 4318),
    ("postgres", "postgres", 5432),
    ("postgres", "postgres", 8000),
    ("cnpg-operator", "postgres", 8000),
    ("cnpg-operator", "postgres", 5432),
    # The Gateway's proxies where they run in the project's namespace, and cert-manager's
    # HTTP-01 solver pod, which the proxies reach while a certificate is issued.
    ("gateway-proxy", "api-service", 8000),
    ("gateway-proxy", "acme-solver", 8089),
    ("gateway", "acme-solver", 8089),
}
OUTSIDE = {
    "gateway": {"platform.role": "gateway"},
    "monitoring": {"platform.role": "monitoring"},
    "tracing": {"platform.role": "tracing"},
    "cnpg-operator": {"kubernetes.io/metadata.name": "cnpg-system"},
    "dns": {"kubernetes.io/metadata.name": "kube-system"},
}


# Names at their limits: the longest slug (namespaces, labels, the database's owner) and a
# database name of its own.
LONG_NAMES = {
    "maturity_level": 4,
    "deployment": "kubernetes",
    "project_slug": "regional_purchase_order_hub_platform_ops",
    "postgres_db": "purchase_orders_2026",
}


@pytest.fixture(scope="module", params=[PRESET, "long_names"])
def project(
    request: pytest.FixtureRequest,
    rendered_preset: Any,
    tmp_path_factory: pytest.TempPathFactory,
) -> Path:
    if request.param == PRESET:
        root: Path = rendered_preset(PRESET)
    else:
        root = render(tmp_path_factory.mktemp("kubernetes_long") / "project", LONG_NAMES)
    write_secrets(root, root / "tools")
    return root


def write_secrets(root: Path, tools: Path) -> None:
    """Each overlay's secrets.env, as `make k8s-secrets` makes it (tools: the project's)."""
    for environment in ENVIRONMENTS:
        overlay = root / "deploy/kubernetes/overlays" / environment
        if not (overlay / "secrets.env").exists():
            subprocess.run(
                [sys.executable, str(tools / "env_secrets.py"), str(overlay / "secrets.env"),
                 str(overlay / "secrets.env.example")],
                check=True, capture_output=True,
            )  # fmt: skip


def namespace(root: Path, environment: str) -> str:
    answers = yaml.safe_load((root / ".copier-answers.yml").read_text())
    return f"{answers['project_slug'].replace('_', '-')}-{environment}"


def build(root: Path, environment: str) -> list[dict[str, Any]]:
    result = subprocess.run(
        [KUBECTL, "kustomize", str(root / "deploy/kubernetes/overlays" / environment)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return [document for document in yaml.safe_load_all(result.stdout) if document]


def named(objects: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    found = [o for o in objects if o["kind"] == kind and o["metadata"]["name"].startswith(name)]
    assert len(found) == 1, f"{kind} {name}: {len(found)} found"
    return found[0]


def pod_spec(workload: dict[str, Any]) -> dict[str, Any]:
    spec: dict[str, Any] = workload["spec"]["template"]["spec"]
    return spec


def invalid_objects(objects: list[dict[str, Any]]) -> list[str]:
    """What is wrong with each object: Kubernetes' own kinds validated strictly, the operators'
    against their documented fields."""
    errors = []
    for document in objects:
        where = f"{document['kind']} {document['metadata']['name']}"
        if document["apiVersion"] in CUSTOM_RESOURCES:
            errors += [f"{where}: {e}" for e in unknown_fields(document)]
            continue
        try:
            kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as error:
            errors.append(f"{where}: {error.message} at {list(error.path)}")
    return errors


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_every_object_validates_strictly(project: Path, environment: str) -> None:
    objects = build(project, environment)
    assert invalid_objects(objects) == []
    assert {o["metadata"].get("namespace") for o in objects if o["kind"] != "Namespace"} == {
        namespace(project, environment)
    }


def test_a_misspelt_operator_field_is_found() -> None:
    cluster = {
        "apiVersion": "postgresql.cnpg.io/v1",
        "kind": "Cluster",
        "metadata": {"name": "postgres"},
        "spec": {
            "instances": 2,
            "storage": {"size": "1Gi"},
            "bootstrap": {"initdb": {"owner": "x", "databse": "y"}},
        },
    }
    assert unknown_fields(cluster) == ["spec.bootstrap.initdb.databse"]


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_references_resolve(project: Path, environment: str) -> None:
    """Every Secret or ConfigMap key a pod reads exists; every Service selects pods; the route's
    backend is a Service port; the operator's secrets are basic-auth with both keys."""
    objects = build(project, environment)
    data = {
        (o["kind"], o["metadata"]["name"]): set(o.get("data", {}))
        for o in objects
        if o["kind"] in ("Secret", "ConfigMap")
    }
    workloads = [o for o in objects if o["kind"] in WORKLOAD_KINDS]
    for workload in workloads:
        for container in pod_spec(workload)["containers"]:
            for variable in container.get("env", []):
                source = variable.get("valueFrom", {})
                for kind, field in (("Secret", "secretKeyRef"), ("ConfigMap", "configMapKeyRef")):
                    if field in source:
                        reference = source[field]
                        keys = data.get((kind, reference["name"]))
                        assert keys is not None, (
                            f"{workload['metadata']['name']}: no {kind} {reference['name']}"
                        )
                        assert reference["key"] in keys, (
                            f"{reference['name']} lacks {reference['key']}"
                        )
    pods = [
        pod_spec(w) | {"labels": w["spec"]["template"]["metadata"]["labels"]} for w in workloads
    ]
    ports: dict[str, set[int]] = {}
    for service in (o for o in objects if o["kind"] == "Service"):
        selector = service["spec"]["selector"].items()
        assert any(selector <= pod["labels"].items() for pod in pods), service["metadata"]["name"]
        ports[service["metadata"]["name"]] = {port["port"] for port in service["spec"]["ports"]}
    route = named(objects, "HTTPRoute", "api-service")
    for rule in route["spec"]["rules"]:
        for backend in rule["backendRefs"]:
            assert backend["port"] in ports[backend["name"]]
    gateway = named(objects, "Gateway", "public")
    listeners = {listener["name"]: listener for listener in gateway["spec"]["listeners"]}
    routes = [o for o in objects if o["kind"] == "HTTPRoute"]
    for route in routes:
        for parent in route["spec"]["parentRefs"]:
            assert parent["name"] == "public"
            assert route["spec"]["hostnames"] == [listeners[parent["sectionName"]]["hostname"]]
    for name in ("postgres-owner", "postgres-app"):
        secret = named(objects, "Secret", name)
        assert secret["type"] == "kubernetes.io/basic-auth"
        assert set(secret["data"]) == {"username", "password"}
    cluster = named(objects, "Cluster", "postgres")
    owner = base64.b64decode(named(objects, "Secret", "postgres-owner")["data"]["username"])
    assert cluster["spec"]["bootstrap"]["initdb"]["owner"] == owner.decode()


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_the_database_passwords_come_from_secrets_env(project: Path, environment: str) -> None:
    objects = build(project, environment)
    secrets_env = (project / "deploy/kubernetes/overlays" / environment / "secrets.env").read_text()
    values = dict(re.findall(r"^(\w+)=(.*)$", secrets_env, re.MULTILINE))
    for name, variable in (
        ("postgres-owner", "POSTGRES_PASSWORD"),
        ("postgres-app", "POSTGRES_APP_PASSWORD"),
    ):
        password = base64.b64decode(named(objects, "Secret", name)["data"]["password"]).decode()
        assert password == values[variable]
        assert len(password) >= 32


def test_every_setting_of_the_compose_stack_is_set_in_the_deployment(project: Path) -> None:
    stack = compose_model(project, "docker-compose.prod.yml")["services"]
    objects = build(project, "production")
    for service, workload in WORKLOADS.items():
        kind = "Job" if workload == "db-migrate" else "Deployment"
        (container,) = pod_spec(named(objects, kind, workload))["containers"]
        set_here = {variable["name"] for variable in container["env"]}
        assert set(stack[service]["environment"]) == set_here - KUBERNETES_ONLY, workload


def test_probes_ask_routes_the_services_serve(project: Path) -> None:
    objects = build(project, "production")
    for workload in ("api-service", "db-postgres-service"):
        (container,) = pod_spec(named(objects, "Deployment", workload))["containers"]
        paths = {
            container[probe]["httpGet"]["path"]
            for probe in ("startupProbe", "livenessProbe", "readinessProbe")
        }
        assert paths == {"/health", "/ready"}
        package = project / "services" / workload.replace("-", "_") / "src"
        served = set(
            re.findall(
                r'@router\.get\("(/[a-z]+)"',
                "".join(path.read_text() for path in package.rglob("health.py")),
            )
        )
        assert paths <= served, workload


def test_pods_run_as_the_restricted_standard_asks(project: Path) -> None:
    objects = build(project, "production")
    namespace_object = named(objects, "Namespace", namespace(project, "production"))
    assert (
        namespace_object["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    )
    for workload in (o for o in objects if o["kind"] in WORKLOAD_KINDS):
        spec = pod_spec(workload)
        assert spec["securityContext"]["runAsNonRoot"] is True
        assert spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
        assert spec["automountServiceAccountToken"] is False
        for container in spec["containers"]:
            security = container["securityContext"]
            assert security["allowPrivilegeEscalation"] is False
            assert security["readOnlyRootFilesystem"] is True
            assert security["capabilities"] == {"drop": ["ALL"]}
            assert {"requests", "limits"} <= set(container["resources"])


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_an_apply_leaves_the_replicas_to_the_autoscalers(project: Path, environment: str) -> None:
    objects = build(project, environment)
    scaled = {
        o["spec"]["scaleTargetRef"]["name"]
        for o in objects
        if o["kind"] == "HorizontalPodAutoscaler"
    }
    assert scaled == set(SERVICE_NAMES)
    for name in scaled:
        assert "replicas" not in named(objects, "Deployment", name)["spec"]


def test_the_connection_budget_holds(project: Path) -> None:
    """The data service's pods at the HPA's maximum, each with its pool, and the migration stay
    under PostgreSQL's max_connections with the operator's and superusers' reserve."""
    objects = build(project, "production")
    (container,) = pod_spec(named(objects, "Deployment", "db-postgres-service"))["containers"]
    pool = int(next(v["value"] for v in container["env"] if v["name"] == "DATABASE_POOL_SIZE"))
    pods = named(objects, "HorizontalPodAutoscaler", "db-postgres-service")["spec"]["maxReplicas"]
    limit = int(
        named(objects, "Cluster", "postgres")["spec"]["postgresql"]["parameters"]["max_connections"]
    )
    reserved = 3 + 10  # superuser_reserved_connections, the operator and the exporter
    assert pods * pool + 1 <= limit - reserved


def _selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    return selector.get("matchLabels", {}).items() <= labels.items()


def _peers(
    rules: list[dict[str, Any]], side: str, pods: dict[str, dict[str, str]]
) -> set[tuple[str, int]]:
    """(peer, port) pairs that a policy's rules let through: the project's pods (its namespace)
    and the outside namespaces by their labels. The address block left open for the Kubernetes
    API (PostgreSQL's instance manager) is not a workload."""
    allowed = set()
    for rule in rules:
        ports = [port["port"] for port in rule.get("ports", [])]
        for peer in rule.get(side, []):
            if "namespaceSelector" in peer:
                outside = OUTSIDE.items()
                names = [n for n, labels in outside if _selects(peer["namespaceSelector"], labels)]
            elif "podSelector" in peer:
                names = [n for n, labels in pods.items() if _selects(peer["podSelector"], labels)]
            else:
                continue
            allowed |= {(name, port) for name in names for port in ports}
    return allowed


def reachable(objects: list[dict[str, Any]]) -> set[tuple[str, str, int]]:
    """(from, to, port) that the NetworkPolicies let through: the source's egress and the
    destination's ingress must both allow it. Outside namespaces are not ours to restrict:
    what they may send is decided by the policies of what they reach."""
    pods = {
        workload["metadata"]["name"]: workload["spec"]["template"]["metadata"]["labels"]
        for workload in objects
        if workload["kind"] in WORKLOAD_KINDS
    }
    # Pods that others start: the operator's PostgreSQL, the implementation's proxies,
    # cert-manager's solver.
    pods["postgres"] = {"cnpg.io/cluster": "postgres"}
    pods["gateway-proxy"] = {"gateway.networking.k8s.io/gateway-name": "public"}
    pods["acme-solver"] = {"acme.cert-manager.io/http01-solver": "true"}
    policies = [o["spec"] for o in objects if o["kind"] == "NetworkPolicy"]
    deny_all = {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
    assert deny_all in policies

    def allowed(name: str, direction: str) -> set[tuple[str, int]]:
        side = "to" if direction == "egress" else "from"
        return set().union(
            *(
                _peers(policy.get(direction, []), side, pods)
                for policy in policies
                if _selects(policy["podSelector"], pods[name])
            )
        )

    edges = set()
    for source in pods:
        for destination, port in allowed(source, "egress"):
            if destination in OUTSIDE or (source, port) in allowed(destination, "ingress"):
                edges.add((source, destination, port))
    for destination in pods:
        edges |= {
            (peer, destination, port)
            for peer, port in allowed(destination, "ingress")
            if peer in OUTSIDE
        }
    return edges


def unexpected_edges(objects: list[dict[str, Any]]) -> set[tuple[str, str, int]]:
    """The connections the policies let through and the architecture has not, and those it has
    and they do not (DNS for every pod)."""
    workloads = {o["metadata"]["name"] for o in objects if o["kind"] in WORKLOAD_KINDS}
    others = {"postgres", "gateway-proxy", "acme-solver"}
    dns = {(name, "dns", 53) for name in workloads | others}
    return reachable(objects) ^ (EDGES | dns)


def test_the_network_policies_allow_the_architecture_and_nothing_else(project: Path) -> None:
    objects = build(project, "production")
    assert unexpected_edges(objects) == set()
    into_postgres = {
        source for source, destination, _ in reachable(objects) if destination == "postgres"
    }
    assert into_postgres == {
        "db-postgres-service",
        "db-migrate",
        "postgres",
        "cnpg-operator",
        "monitoring",
    }


def test_checkov_finds_nothing_but_the_reasoned_skips(project: Path, tmp_path: Path) -> None:
    """On what a release applies: the overlay with the images of one tag."""
    released = release(project, fake_kubectl(tmp_path), "production", "v1.0.0")
    assert released.returncode == 0, released.stderr
    manifests = tmp_path / "production.yaml"
    manifests.write_text(yaml.safe_dump_all(build(project, "../releases/production")))
    uv = shutil.which("uv") or str(Path(sys.executable).with_name("uv"))
    result = subprocess.run(
        [
            uv,
            "tool",
            "run",
            "--from",
            CHECKOV,
            "checkov",
            "--file",
            str(manifests),
            "--framework",
            "kubernetes",
            "--skip-check",
            ",".join(CHECKOV_SKIPS),
            "--skip-download",
            "--output",
            "json",
            "--quiet",
        ],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "BC_SKIP_MAPPING": "TRUE", "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false"},
    )
    report = json.loads(result.stdout)
    failed = [
        f"{check['check_id']} {check['resource']}"
        for check in report.get("results", {}).get("failed_checks", [])
    ]
    assert failed == []
    assert report["summary"]["passed"] > 300


def test_the_prometheus_operator_component_builds_and_its_rules_pass_promtool(
    project: Path, tmp_path: Path
) -> None:
    """With the component added to an overlay: PodMonitors for what the pods serve, and the
    compose stack's alert rules, the same rules, as a PrometheusRule."""
    shutil.copytree(project / "deploy", tmp_path / "deploy")
    kustomization = tmp_path / "deploy/kubernetes/overlays/production/kustomization.yaml"
    text = kustomization.read_text()
    listed = "  - ../../components/environment\n"
    kustomization.write_text(
        text.replace(listed, listed + "  - ../../components/prometheus-operator\n")
    )
    objects = build(tmp_path, "production")
    monitors = [o for o in objects if o["kind"] == "PodMonitor"]
    rules = named(objects, "PrometheusRule", "alerts")
    for document in [*monitors, rules]:
        assert unknown_fields(document) == []
        assert document["metadata"]["namespace"] == namespace(project, "production")
    served = {
        port["name"]
        for workload in objects
        if workload["kind"] == "Deployment" and "prometheus.io/scrape" in str(workload)
        for container in pod_spec(workload)["containers"]
        for port in container["ports"]
    }
    assert {e["port"] for m in monitors for e in m["spec"]["podMetricsEndpoints"]} == served | {
        "metrics"  # CloudNativePG's exporter
    }
    compose_rules = yaml.safe_load((project / "monitoring/prometheus/alerts.yml").read_text())
    assert rules["spec"] == compose_rules
    promtool = tool("promtool", "prometheus")
    (tmp_path / "rules.yml").write_text(yaml.safe_dump(rules["spec"]))
    checked = subprocess.run(
        [promtool, "check", "rules", str(tmp_path / "rules.yml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_deploy_workflows_pass_actionlint(project: Path) -> None:
    workflows = sorted((project / ".github/workflows").glob("*.yml"))
    assert [path.name for path in workflows] == [
        "ci.yml",
        "deploy-kubernetes-overlay.yml",
        "deploy-kubernetes.yml",
        "images.yml",
    ]
    bin_folder = Path(sys.executable).parent
    result = subprocess.run(
        [
            str(bin_folder / "actionlint"),
            "-color=false",
            "-shellcheck",
            str(bin_folder / "shellcheck"),
            *map(str, workflows),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def fake_kubectl(folder: Path, failing: str = "", revision: str = "3") -> Path:
    """A kubectl that records its calls and answers like a cluster where everything works
    (the Job completes, each Deployment is at `revision`), but for the first call that contains
    `failing`: a `get` of it answers Failed, anything else exits 1. `kustomize` is the real
    one."""
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "kubectl"
    failed_once = folder / "failed-once"
    script.write_text(
        "#!/bin/sh\n"
        f'echo "$*" >> "{folder}/calls"\n'
        f'[ "$1" = kustomize ] && exec "{KUBECTL}" "$@"\n'
        'case "$*" in\n'
        f'  *"{failing or "never"}"*) if [ ! -e "{failed_once}" ]; then touch "{failed_once}";'
        ' [ "$1" = get ] && echo Failed && exit 0; exit 1; fi;;\n'
        '  "get job"*) echo Complete;;\n'
        f'  "get deployment/"*) echo "{revision}";;\n'
        "esac\n"
        "exit 0\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return folder


def deploy(project: Path, folder: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "tools/kubernetes.py", *arguments],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PATH": f"{folder}:{os.environ['PATH']}"},
    )


def release(
    project: Path, folder: Path, environment: str, tag: str, registry: str = "ghcr.io/acme/shop"
) -> subprocess.CompletedProcess[str]:
    """`tools/kubernetes.py deploy` of one tag's images, with `folder`'s kubectl."""
    arguments = ("deploy", environment, "--registry", registry, "--tag", tag)
    return deploy(project, folder, *arguments)


def test_a_release_migrates_first_then_rolls_out(project: Path, tmp_path: Path) -> None:
    result = release(
        project, fake_kubectl(tmp_path), "production", "sha-1234", registry="ghcr.io/Acme/Shop"
    )
    assert result.returncode == 0, result.stderr
    calls = (tmp_path / "calls").read_text().splitlines()
    steps = [call.split(" --selector ")[-1] if "apply" in call else call for call in calls]
    namespace_option = f"-n {namespace(project, 'production')}"
    job_state = 'jsonpath={.status.conditions[?(@.status=="True")].type}'
    revision = "-o jsonpath={.metadata.annotations.deployment\\.kubernetes\\.io/revision}"
    assert steps == [
        "app.kubernetes.io/name notin (db-migrate,db-postgres-service,api-service)",
        f"wait clusters.postgresql.cnpg.io/postgres {namespace_option} --for=condition=Ready"
        " --timeout=900s",
        f"delete job db-migrate {namespace_option} --ignore-not-found --wait=true",
        "app.kubernetes.io/name in (db-migrate)",
        f"get job db-migrate {namespace_option} -o {job_state}",
        f"get deployment/db-postgres-service {namespace_option} {revision} --ignore-not-found",
        f"get deployment/api-service {namespace_option} {revision} --ignore-not-found",
        "app.kubernetes.io/name in (db-postgres-service,api-service)",
        f"rollout status deployment/db-postgres-service {namespace_option} --timeout=300s",
        f"rollout status deployment/api-service {namespace_option} --timeout=300s",
    ]
    release_folder = project / "deploy/kubernetes/releases/production"
    built = subprocess.run(
        [KUBECTL, "kustomize", str(release_folder)], capture_output=True, text=True, check=True
    ).stdout
    assert set(re.findall(r"image: (ghcr\S+)", built)) == {
        "ghcr.io/acme/shop/api_service:sha-1234",
        "ghcr.io/acme/shop/db_postgres_service:sha-1234",
    }


def test_git_ignores_the_secrets_and_the_releases(project: Path, tmp_path: Path) -> None:
    shutil.copytree(project / "deploy", tmp_path / "deploy")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    files = [
        "deploy/kubernetes/overlays/production/secrets.env",
        "deploy/kubernetes/overlays/staging/secrets.env",
        "deploy/kubernetes/releases/production/kustomization.yaml",
        "deploy/kubernetes/overlays/production/settings.env",
        "deploy/kubernetes/overlays/production/secrets.env.example",
    ]
    ignored = subprocess.run(
        ["git", "check-ignore", *files], cwd=tmp_path, capture_output=True, text=True, check=False
    ).stdout.split()
    assert ignored == files[:3]


def test_a_failed_migration_changes_no_service(project: Path, tmp_path: Path) -> None:
    result = release(
        project, fake_kubectl(tmp_path, failing="get job db-migrate"), "staging", "v1.0.0"
    )
    assert result.returncode == 1
    assert "the migration did not complete: no service was changed" in result.stderr
    calls = (tmp_path / "calls").read_text()
    assert "in (db-postgres-service,api-service)" not in calls
    assert "logs job/db-migrate" in calls


def test_a_rollout_that_does_not_finish_is_undone(project: Path, tmp_path: Path) -> None:
    result = release(
        project,
        fake_kubectl(tmp_path, failing="rollout status deployment/api-service"),
        "staging",
        "v1.0.1",
    )
    assert result.returncode == 1
    assert "api-service did not roll out: every service was rolled back" in result.stderr
    undone = [c for c in (tmp_path / "calls").read_text().splitlines() if "rollout undo" in c]
    staging = namespace(project, "staging")
    assert undone == [
        f"rollout undo deployment/db-postgres-service -n {staging} --to-revision=3",
        f"rollout undo deployment/api-service -n {staging} --to-revision=3",
    ]
    calls = (tmp_path / "calls").read_text().splitlines()
    after = calls[calls.index(undone[-1]) + 1 :]
    assert after == [
        f"rollout status deployment/{name} -n {staging} --timeout=300s" for name in SERVICE_NAMES
    ]


def test_a_first_deploy_that_does_not_come_up_has_nothing_to_undo(
    project: Path, tmp_path: Path
) -> None:
    folder = fake_kubectl(tmp_path, failing="rollout status deployment/api-service", revision="")
    result = release(project, folder, "staging", "v1", registry="ghcr.io/a/b")
    assert result.returncode == 1
    assert "a first deploy, nothing to roll back to" in result.stderr
    assert "rollout undo" not in (tmp_path / "calls").read_text()


def test_a_rollback_takes_every_service_back_and_fails_if_one_does_not_come_back(
    project: Path, tmp_path: Path
) -> None:
    staging = namespace(project, "staging")
    result = deploy(project, fake_kubectl(tmp_path / "a"), "rollback", "staging")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "a/calls").read_text().splitlines() == [
        f"rollout undo deployment/{name} -n {staging}" for name in SERVICE_NAMES
    ] + [f"rollout status deployment/{name} -n {staging} --timeout=300s" for name in SERVICE_NAMES]
    failing = fake_kubectl(tmp_path / "b", failing="rollout status deployment/api-service")
    result = deploy(project, failing, "rollback", "staging")
    assert result.returncode == 1
    assert "api-service did not come back either" in result.stderr


def test_production_refuses_placeholder_secrets(project: Path, tmp_path: Path) -> None:
    overlay = project / "deploy/kubernetes/overlays/production"
    kept = (overlay / "secrets.env").read_text()
    try:
        shutil.copy(overlay / "secrets.env.example", overlay / "secrets.env")
        result = subprocess.run(
            ["make", "k8s-deploy", "ENV=production", "REGISTRY=ghcr.io/acme/shop", "TAG=v1"],
            cwd=project,
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "PATH": f"{fake_kubectl(tmp_path)}:{os.environ['PATH']}"},
        )
    finally:
        (overlay / "secrets.env").write_text(kept)
    assert result.returncode != 0
    assert "POSTGRES_PASSWORD" in result.stdout + result.stderr
    assert not (tmp_path / "calls").exists()
