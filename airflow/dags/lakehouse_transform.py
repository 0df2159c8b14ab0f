"""Bronze → silver → gold on Databricks, scheduled by the BRONZE_BATCH Dataset.

Each stage is a Databricks job created by infra/modules/databricks that runs a notebook from
Git; the notebooks execute notebooks/sql/{silver,gold}/*.sql in order — the same files the local
DuckDB runner executes. The jobs allow one concurrent run, and Airflow waits for each run's
terminal state (failing the task if the job failed). Success publishes GOLD_TABLES, which
schedules the data-quality gate.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from airflow import DAG
from airflow.providers.databricks.operators.databricks import DatabricksRunNowOperator

from lakehouse_common import config
from lakehouse_common.callbacks import notify_sla_miss
from lakehouse_common.defaults import default_args

with DAG(
    dag_id="lakehouse_transform",
    description="Bronze to silver to gold (Databricks jobs over notebooks/sql)",
    doc_md=__doc__,
    schedule=[config.BRONZE_BATCH],
    start_date=datetime(2025, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args=default_args(retries=2),
    sla_miss_callback=notify_sla_miss,
    dagrun_timeout=timedelta(hours=6),
    tags=["lakehouse", "databricks", "silver", "gold"],
) as dag:
    bronze_to_silver = DatabricksRunNowOperator(
        task_id="bronze_to_silver",
        databricks_conn_id=config.DATABRICKS_CONN_ID,
        job_name=config.databricks_job("bronze_to_silver"),
        notebook_params={"batch_id": "{{ run_id }}"},
        polling_period_seconds=30,
        sla=timedelta(hours=2),
    )

    silver_to_gold = DatabricksRunNowOperator(
        task_id="silver_to_gold",
        databricks_conn_id=config.DATABRICKS_CONN_ID,
        job_name=config.databricks_job("silver_to_gold"),
        notebook_params={"batch_id": "{{ run_id }}"},
        polling_period_seconds=30,
        sla=timedelta(hours=3),
        outlets=[config.GOLD_TABLES],
    )

    bronze_to_silver >> silver_to_gold
