"""The Helm values deploy what the DAGs expect: KubernetesExecutor, git-synced dags folder,
Secrets Manager backend with the prefixes the secrets module creates, IRSA on every component,
statsd exporter, and the environment variables lakehouse_common.config reads."""
from __future__ import annotations

import json
from pathlib import Path

import yaml

VALUES = Path(__file__).resolve().parents[1] / "k8s" / "values.yaml"
SECRETS_MODULE = Path(__file__).resolve().parents[2] / "infra" / "modules" / "secrets" / "variables.tf"
CONFIG = Path(__file__).resolve().parents[1] / "dags" / "lakehouse_common" / "config.py"


def values() -> dict:
    return yaml.safe_load(VALUES.read_text())


def test_kubernetes_executor_and_pinned_airflow_version():
    v = values()
    assert v["executor"] == "KubernetesExecutor"
    assert v["airflowVersion"] == "2.10.5"
    requirements = (Path(__file__).resolve().parents[1] / "requirements-test.txt").read_text()
    assert "apache-airflow==2.10.5" in requirements


def test_dags_come_from_git_sync_of_the_dags_folder():
    sync = values()["dags"]["gitSync"]
    assert sync["enabled"] is True and sync["subPath"] == "airflow/dags"
    assert (Path(__file__).resolve().parents[1] / "dags").is_dir()


def test_secrets_manager_backend_uses_the_prefixes_terraform_creates():
    secrets = values()["config"]["secrets"]
    assert secrets["backend"] == "airflow.providers.amazon.aws.secrets.secrets_manager.SecretsManagerBackend"
    kwargs = json.loads(secrets["backend_kwargs"])
    declared = SECRETS_MODULE.read_text()
    assert f'"{kwargs["connections_prefix"]}/databricks_default"' in declared
    assert f'"{kwargs["connections_prefix"]}/rds_postgres"' in declared
    assert f'"{kwargs["variables_prefix"]}/semantic_layer_jwt_secret"' in declared


def test_connection_ids_used_by_the_dags_have_secrets():
    declared = SECRETS_MODULE.read_text()
    config_text = CONFIG.read_text()
    for conn_id in ("databricks_default", "databricks_sql", "rds_postgres", "semantic_layer_api"):
        assert f'"{conn_id}"' in config_text
        assert f'"airflow/connections/{conn_id}"' in declared


def test_every_component_assumes_the_airflow_irsa_role():
    v = values()
    for component in ("scheduler", "workers", "triggerer", "webserver"):
        annotations = v[component]["serviceAccount"]["annotations"]
        assert annotations["eks.amazonaws.com/role-arn"].endswith(":role/lakehouse-prod-airflow"), component


def test_statsd_exporter_and_metrics_are_on():
    v = values()
    assert v["statsd"]["enabled"] is True
    assert v["config"]["metrics"]["statsd_on"] == "True"


def test_external_metadata_db_and_no_default_admin_user():
    v = values()
    assert v["postgresql"]["enabled"] is False and v["data"]["metadataSecretName"]
    assert v["webserver"]["defaultUser"]["enabled"] is False


def test_environment_variables_read_by_the_dags_are_set():
    names = {item["name"] for item in values()["env"]}
    for name in ("LAKEHOUSE_NAME_PREFIX", "LAKEHOUSE_ALERTS_TOPIC_ARN", "LAKEHOUSE_GOLD_SCHEMA"):
        assert name in names and name in CONFIG.read_text()
