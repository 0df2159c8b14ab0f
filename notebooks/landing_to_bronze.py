# Databricks notebook source
# MAGIC %md
# MAGIC # Landing → Bronze
# MAGIC Loads the files landed in the landing bucket (`<system>/<entity>/dt=YYYY-MM-DD/<file>`, see
# MAGIC `notebooks/sql/README.md`) and the RDS extracts Airflow stages there (`rds/<table>/dt=…/*.parquet`)
# MAGIC into the Delta tables of the `bronze` database, with `_ingested_at`, `_source`, `_batch_id`.
# MAGIC The work is in `landing_ingest.py` (the counterpart of the local TypeScript ingestion,
# MAGIC `server/src/lakehouse/ingest/`): files already in `bronze._ingest_log` are skipped, records that do
# MAGIC not parse go to `bronze.quarantine` with the reason, and per file records read = accepted +
# MAGIC quarantined. A wrong CSV header or an unreadable Parquet file fails the run, naming the file, before
# MAGIC anything is written; a rerun neither loses nor duplicates rows.

# COMMAND ----------

from landing_ingest import ingest_landing, new_batch_id

# `landing_path` comes from the job's base parameters (infra/modules/databricks), `ds` and `batch_id`
# from Airflow (airflow/dags/batch_ingestion.py); run by hand, empty values mean "every partition" and
# "a new batch id".
dbutils.widgets.text("landing_path", "s3://lakehouse-dev-landing/", "Landing root")  # noqa: F821
dbutils.widgets.text("ds", "", "Load partitions dt <= ds (YYYY-MM-DD; empty = all)")  # noqa: F821
dbutils.widgets.text("batch_id", "", "Batch id (empty = new)")  # noqa: F821
landing_path = dbutils.widgets.get("landing_path")  # noqa: F821
ds = dbutils.widgets.get("ds").strip() or None  # noqa: F821
batch_id = dbutils.widgets.get("batch_id").strip() or new_batch_id()  # noqa: F821

# COMMAND ----------

reports = ingest_landing(spark, landing_path, batch_id, ds=ds)  # noqa: F821

# COMMAND ----------

display(spark.createDataFrame(  # noqa: F821
    [(r.table, r.files, r.skipped_files, r.read, r.accepted, r.quarantined) for r in reports],
    "table STRING, files INT, skipped_files INT, read BIGINT, accepted BIGINT, quarantined BIGINT"))
dbutils.notebook.exit(f"batch {batch_id}: " + ", ".join(  # noqa: F821
    f"{r.table} {r.accepted}+{r.quarantined}q" for r in reports if r.files))
