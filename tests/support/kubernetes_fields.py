"""The fields of the operators' custom resources that deploy/kubernetes uses, as their
documentation names them (the API references of CloudNativePG, the Gateway API v1 and the
Prometheus Operator): kubernetes-validate has no schema for them, so a misspelt field would
pass unseen. A nested dict lists an object's fields; a list of one dict, a list of such
objects; None, a value."""

from __future__ import annotations

from typing import Any

Fields = dict[str, Any]

METADATA: Fields = {
    "name": None,
    "namespace": None,
    "labels": None,
    "annotations": None,
}
SECRET_REFERENCE: Fields = {"name": None}
CNPG_CLUSTER: Fields = {
    "instances": None,
    "imageName": None,
    "primaryUpdateStrategy": None,
    "enablePDB": None,
    "inheritedMetadata": {"labels": None, "annotations": None},
    "storage": {"size": None, "storageClass": None},
    "resources": {"requests": None, "limits": None},
    "affinity": {"enablePodAntiAffinity": None, "topologyKey": None},
    "postgresql": {"parameters": None},
    "bootstrap": {
        "initdb": {
            "database": None,
            "owner": None,
            "secret": SECRET_REFERENCE,
            "postInitApplicationSQL": None,
        },
    },
    "managed": {
        "roles": [
            {
                "name": None,
                "ensure": None,
                "login": None,
                "superuser": None,
                "createdb": None,
                "createrole": None,
                "replication": None,
                "passwordSecret": SECRET_REFERENCE,
            }
        ],
    },
}
PARENT_REFERENCE: Fields = {"name": None, "namespace": None, "sectionName": None}
GATEWAY: Fields = {
    "gatewayClassName": None,
    "listeners": [
        {
            "name": None,
            "hostname": None,
            "port": None,
            "protocol": None,
            "tls": {"mode": None, "certificateRefs": [{"kind": None, "name": None}]},
            "allowedRoutes": {"namespaces": {"from": None}},
        }
    ],
}
HTTP_ROUTE: Fields = {
    "parentRefs": [PARENT_REFERENCE],
    "hostnames": None,
    "rules": [
        {
            "matches": [{"path": {"type": None, "value": None}}],
            "filters": [{"type": None, "requestRedirect": {"scheme": None, "statusCode": None}}],
            "backendRefs": [{"name": None, "port": None}],
            "timeouts": {"request": None, "backendRequest": None},
        }
    ],
}
LABEL_SELECTOR: Fields = {
    "matchLabels": None,
    "matchExpressions": [{"key": None, "operator": None, "values": None}],
}
POD_MONITOR: Fields = {
    "selector": LABEL_SELECTOR,
    "podMetricsEndpoints": [{"port": None, "path": None, "interval": None}],
}
PROMETHEUS_RULE: Fields = {
    "groups": [
        {
            "name": None,
            "rules": [
                {"alert": None, "expr": None, "for": None, "labels": None, "annotations": None}
            ],
        }
    ],
}
CUSTOM_RESOURCES: dict[str, dict[str, Fields]] = {
    "monitoring.coreos.com/v1": {"PodMonitor": POD_MONITOR, "PrometheusRule": PROMETHEUS_RULE},
    "postgresql.cnpg.io/v1": {"Cluster": CNPG_CLUSTER},
    "gateway.networking.k8s.io/v1": {"Gateway": GATEWAY, "HTTPRoute": HTTP_ROUTE},
}


def unknown_fields(document: dict[str, Any]) -> list[str]:
    """The paths of the document's fields that its kind does not have."""
    kinds = CUSTOM_RESOURCES.get(document.get("apiVersion", ""), {})
    if document.get("kind") not in kinds:
        return [f"kind {document.get('kind')} of {document.get('apiVersion')}"]
    shape = {
        "apiVersion": None,
        "kind": None,
        "metadata": METADATA,
        "spec": kinds[document["kind"]],
    }
    return _unknown(document, shape, "")


def _unknown(value: Any, shape: Any, path: str) -> list[str]:
    if shape is None:
        return []
    if isinstance(shape, list):
        if not isinstance(value, list):
            return [f"{path} is not a list"]
        return [e for i, item in enumerate(value) for e in _unknown(item, shape[0], f"{path}.{i}")]
    if not isinstance(value, dict):
        return [f"{path} is not an object"]
    found = []
    for key, item in value.items():
        where = f"{path}.{key}" if path else key
        found += [where] if key not in shape else _unknown(item, shape[key], where)
    return found
