# Databricks notebook source
# MAGIC %md
# MAGIC # Bronze → Silver
# MAGIC Runs `notebooks/sql/silver/NN_<table>.sql` in order with `spark.sql` over the Delta tables of
# MAGIC the `bronze` and `silver` databases. The same files run locally on DuckDB
# MAGIC (`server/src/lakehouse/transform/`); `notebooks/tests/test_parity.py` proves both agree.
# MAGIC Each file is incremental (`MERGE INTO` from bronze rows ingested since the last run) and re-runnable.

# COMMAND ----------

import os

from lakehouse_sql import run_layer

dbutils.widgets.text("sql_dir", os.path.join(os.getcwd(), "sql"), "Folder holding silver/ and gold/")  # noqa: F821
sql_dir = dbutils.widgets.get("sql_dir")  # noqa: F821

# COMMAND ----------

# The SQL files compare naive timestamps; keep the session in UTC as the local runner does.
spark.conf.set("spark.sql.session.timeZone", "UTC")  # noqa: F821
timings = run_layer(lambda sql: spark.sql(sql), sql_dir, "silver")  # noqa: F821

# COMMAND ----------

display(spark.createDataFrame(timings, "file STRING, seconds DOUBLE"))  # noqa: F821
