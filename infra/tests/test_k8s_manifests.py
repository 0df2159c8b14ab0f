"""The semantic layer's Kubernetes manifests: production configuration through Cube's variable
names (CUBEJS_DB_TYPE=databricks + CUBEJS_DB_DATABRICKS_*), secrets only from Secrets Manager via
External Secrets, IRSA, probes on /livez and /readyz, non-root, metrics scraped."""
from __future__ import annotations

from pathlib import Path

import yaml

MANIFEST = Path(__file__).resolve().parents[1] / "k8s" / "semantic-layer.yaml"


def documents() -> dict[str, dict]:
    return {doc["kind"] + "/" + doc["metadata"]["name"]: doc
            for doc in yaml.safe_load_all(MANIFEST.read_text()) if doc}


def container() -> dict:
    return documents()["Deployment/semantic-layer"]["spec"]["template"]["spec"]["containers"][0]


def test_databricks_is_the_production_source_with_cubes_variable_names():
    env = {e["name"]: e.get("value") for e in container()["env"]}
    assert env["CUBEJS_DB_TYPE"] == "databricks"
    assert env["CUBEJS_DB_DATABRICKS_URL"].startswith("jdbc:databricks://")
    assert env["CUBEJS_DB_DATABRICKS_CATALOG"]
    assert env["CUBEJS_DEV_MODE"] == "false"


def test_secrets_come_only_from_the_external_secret():
    env_names = {e["name"] for e in container()["env"]}
    assert not env_names & {"CUBEJS_API_SECRET", "CUBEJS_DB_DATABRICKS_TOKEN", "CUBEJS_SQL_PASSWORD"}
    assert container()["envFrom"] == [{"secretRef": {"name": "semantic-layer-runtime"}}]
    external = documents()["ExternalSecret/semantic-layer-runtime"]["spec"]
    assert external["target"]["name"] == "semantic-layer-runtime"
    keys = {item["secretKey"] for item in external["data"]}
    assert {"CUBEJS_API_SECRET", "CUBEJS_DB_DATABRICKS_TOKEN"} <= keys
    assert {item["remoteRef"]["key"] for item in external["data"]} == {"semantic-layer/runtime"}


def test_irsa_probes_non_root_and_metrics():
    docs = documents()
    sa = docs["ServiceAccount/semantic-layer"]["metadata"]["annotations"]
    assert sa["eks.amazonaws.com/role-arn"].endswith(":role/lakehouse-prod-semantic-layer")
    pod = docs["Deployment/semantic-layer"]["spec"]["template"]
    assert pod["spec"]["serviceAccountName"] == "semantic-layer"
    assert pod["spec"]["securityContext"]["runAsNonRoot"] is True
    assert container()["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container()["livenessProbe"]["httpGet"]["path"] == "/livez"
    assert pod["metadata"]["annotations"]["prometheus.io/path"] == "/metrics"
    ports = {p["containerPort"] for p in container()["ports"]}
    assert ports == {4000, 15432}
    # Probes, the Service and Prometheus connect to the pod's IP: both APIs listen on every interface.
    env = {e["name"]: e.get("value") for e in container()["env"]}
    assert env["CUBEJS_HOST"] == "0.0.0.0" and env["CUBEJS_PG_SQL_HOST"] == "0.0.0.0"
