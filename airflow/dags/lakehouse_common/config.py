"""Names shared by the DAGs: connections, Datasets, buckets and thresholds.

Values that differ per environment come from environment variables set by the Helm chart
(airflow/k8s/values.yaml); reading os.environ is free at parse time, unlike Variables, which
would hit the secrets backend on every parse.
"""
from __future__ import annotations

import os
from datetime import timedelta

from airflow.datasets import Dataset

NAME_PREFIX = os.environ.get("LAKEHOUSE_NAME_PREFIX", "lakehouse-dev")
AWS_REGION = os.environ.get("AWS_DEFAULT_REGION", "us-east-1")
ALERTS_TOPIC_ARN = os.environ.get("LAKEHOUSE_ALERTS_TOPIC_ARN", "")
GOLD_SCHEMA = os.environ.get("LAKEHOUSE_GOLD_SCHEMA", "gold")
OWNER = "data-platform"

LANDING_BUCKET = f"{NAME_PREFIX}-landing"
BRONZE_BUCKET = f"{NAME_PREFIX}-bronze"
EVENTS_STREAM = f"{NAME_PREFIX}-events"
FIREHOSE_STREAM = f"{NAME_PREFIX}-events-archive"

# Connection ids, resolved by the Secrets Manager backend as airflow/connections/<id>.
AWS_CONN_ID = "aws_default"
DATABRICKS_CONN_ID = "databricks_default"
DATABRICKS_SQL_CONN_ID = "databricks_sql"
RDS_CONN_ID = "rds_postgres"
SEMANTIC_LAYER_CONN_ID = "semantic_layer_api"
# Variable key, resolved as airflow/variables/<key>.
SEMANTIC_LAYER_SECRET_VARIABLE = "semantic_layer_jwt_secret"


def databricks_job(name: str) -> str:
    """Full name of a Databricks job created by infra/modules/databricks."""
    return f"{NAME_PREFIX}-{name}"


# Data-aware scheduling: each stage publishes a Dataset, the next stage is scheduled on it, so a
# late upstream run delays the downstream one instead of racing it.
BRONZE_BATCH = Dataset(f"s3://{BRONZE_BUCKET}/batch")
GOLD_TABLES = Dataset(f"s3://{NAME_PREFIX}-gold/star-schema")
GOLD_VALIDATED = Dataset(f"s3://{NAME_PREFIX}-gold/star-schema/validated")

# File sources in the landing bucket (notebooks/sql/README.md): required ones must arrive
# every day; optional ones (reference data) only when they changed.
REQUIRED_FILE_SOURCES = ("erp/orders", "erp/order_lines", "pos/store_sales", "crm/customers")
OPTIONAL_FILE_SOURCES = ("catalog/products", "catalog/stores", "marketing/campaigns")
RDS_TABLES = ("order_status", "returns")

# Streaming health thresholds; the CloudWatch alarms (infra/modules/monitoring) page on the
# same metrics, this DAG adds the end-to-end check that data really reaches bronze.
MAX_ITERATOR_AGE_MS = int(os.environ.get("LAKEHOUSE_MAX_ITERATOR_AGE_MS", "60000"))
MAX_ARCHIVE_DELAY = timedelta(minutes=int(os.environ.get("LAKEHOUSE_MAX_ARCHIVE_DELAY_MIN", "20")))
