"""Data-quality gate over the gold star schema, scheduled by the GOLD_TABLES Dataset.

Runs every check of lakehouse_common.quality_checks on the Databricks SQL warehouse (keys not
null, unique sale lines, referential integrity fact → every dimension, accepted values, amounts
that add up, SCD2 with one current version). Only when all pass does `publish_validated`
emit GOLD_VALIDATED, so the semantic layer never refreshes its pre-aggregations from bad data;
a failed check alerts through the failure callback and leaves the previous rollups serving.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.empty import EmptyOperator
from airflow.providers.common.sql.operators.sql import SQLCheckOperator

from lakehouse_common import config
from lakehouse_common.callbacks import notify_sla_miss
from lakehouse_common.defaults import default_args
from lakehouse_common.quality_checks import gold_checks

with DAG(
    dag_id="data_quality_gate",
    description="Gold checks on Databricks SQL; gates the pre-aggregation refresh",
    doc_md=__doc__,
    schedule=[config.GOLD_TABLES],
    start_date=datetime(2025, 1, 1),
    catchup=False,
    max_active_runs=1,
    # A failed check is a data problem, not a transient one: retry once for warehouse hiccups.
    default_args=default_args(retries=1, retry_delay=timedelta(minutes=2),
                              execution_timeout=timedelta(minutes=20)),
    sla_miss_callback=notify_sla_miss,
    tags=["lakehouse", "data-quality", "gold"],
) as dag:
    publish_validated = EmptyOperator(
        task_id="publish_validated",
        outlets=[config.GOLD_VALIDATED],
        sla=timedelta(hours=1),
    )

    for check in gold_checks(config.GOLD_SCHEMA):
        SQLCheckOperator(
            task_id=f"check_{check.name}",
            doc=check.description,
            conn_id=config.DATABRICKS_SQL_CONN_ID,
            sql=check.sql,
        ) >> publish_validated
