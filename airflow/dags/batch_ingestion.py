"""Batch ingestion: the day's ERP/CRM/POS/catalog files in the landing bucket and the RDS
incremental extract become bronze tables.

1. One sensor per file source waits for `s3://<landing>/<system>/<entity>/dt=<ds>/` (reschedule
   mode: a waiting sensor holds no worker slot). Reference data (catalog, campaigns) only
   arrives when it changed, so those sensors soft-fail into "skipped".
2. RDS tables are extracted for exactly the run's data interval (`updated_at` in
   [data_interval_start, data_interval_end)) to `landing/rds/<table>/dt=<ds>/` as Parquet:
   a rerun rewrites the same object, so extraction is idempotent and backfills are plain reruns.
3. The Databricks job `landing_to_bronze` loads everything landed for the day into bronze
   (idempotent by file and batch id, quarantine for unparseable records) and publishes the
   BRONZE_BATCH Dataset, which schedules the transformation DAG.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.empty import EmptyOperator
from airflow.providers.amazon.aws.sensors.s3 import S3KeySensor
from airflow.providers.amazon.aws.transfers.sql_to_s3 import SqlToS3Operator
from airflow.providers.databricks.operators.databricks import DatabricksRunNowOperator

from lakehouse_common import config
from lakehouse_common.callbacks import notify_sla_miss
from lakehouse_common.defaults import default_args

RDS_QUERY = """
SELECT *
FROM public.{table}
WHERE updated_at >= TIMESTAMPTZ '{{{{ data_interval_start.isoformat() }}}}'
  AND updated_at <  TIMESTAMPTZ '{{{{ data_interval_end.isoformat() }}}}'
"""

with DAG(
    dag_id="batch_ingestion",
    description="Landing files and RDS increments to bronze",
    doc_md=__doc__,
    schedule="0 2 * * *",
    start_date=datetime(2025, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args=default_args(),
    sla_miss_callback=notify_sla_miss,
    dagrun_timeout=timedelta(hours=8),
    tags=["lakehouse", "ingestion", "bronze"],
) as dag:
    landed = EmptyOperator(task_id="sources_landed", trigger_rule="none_failed")

    for source in config.REQUIRED_FILE_SOURCES + config.OPTIONAL_FILE_SOURCES:
        optional = source in config.OPTIONAL_FILE_SOURCES
        S3KeySensor(
            task_id=f"wait_{source.replace('/', '_')}",
            bucket_name=config.LANDING_BUCKET,
            bucket_key=f"{source}/dt={{{{ ds }}}}/*",
            wildcard_match=True,
            aws_conn_id=config.AWS_CONN_ID,
            mode="reschedule",
            poke_interval=10 * 60,
            timeout=6 * 60 * 60,
            soft_fail=optional,
        ) >> landed

    for table in config.RDS_TABLES:
        SqlToS3Operator(
            task_id=f"extract_rds_{table}",
            sql_conn_id=config.RDS_CONN_ID,
            query=RDS_QUERY.format(table=table),
            s3_bucket=config.LANDING_BUCKET,
            s3_key=f"rds/{table}/dt={{{{ ds }}}}/{table}_{{{{ ds_nodash }}}}.parquet",
            file_format="parquet",
            # Microsecond timestamps: pandas writes nanoseconds by default, which Spark 3.5 reads
            # only with a legacy flag (notebooks/landing_ingest.py copes, but should not have to).
            pd_kwargs={"coerce_timestamps": "us", "allow_truncated_timestamps": True},
            replace=True,
            aws_conn_id=config.AWS_CONN_ID,
            execution_timeout=timedelta(minutes=30),
        ) >> landed

    load_bronze = DatabricksRunNowOperator(
        task_id="landing_to_bronze",
        databricks_conn_id=config.DATABRICKS_CONN_ID,
        job_name=config.databricks_job("landing_to_bronze"),
        notebook_params={"ds": "{{ ds }}", "batch_id": "{{ run_id }}"},
        sla=timedelta(hours=4),
        outlets=[config.BRONZE_BATCH],
    )

    landed >> load_bronze
