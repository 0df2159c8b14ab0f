# Databricks notebook source
# MAGIC %md
# MAGIC # Silver → Gold
# MAGIC Runs `notebooks/sql/gold/NN_<table>.sql` in order with `spark.sql` over Delta tables: the
# MAGIC conformed dimensions (`dim_tempo`, `dim_canal`, `dim_loja`, `dim_produto`, `dim_campanha`,
# MAGIC `dim_cliente` SCD2) and the facts (`fato_vendas`, `fato_devolucoes`), merged incrementally.
# MAGIC Same files as the local DuckDB runner; see `notebooks/sql/README.md` for the table contract.

# COMMAND ----------

import os

from lakehouse_sql import run_layer

dbutils.widgets.text("sql_dir", os.path.join(os.getcwd(), "sql"), "Folder holding silver/ and gold/")  # noqa: F821
sql_dir = dbutils.widgets.get("sql_dir")  # noqa: F821

# COMMAND ----------

spark.conf.set("spark.sql.session.timeZone", "UTC")  # noqa: F821
timings = run_layer(lambda sql: spark.sql(sql), sql_dir, "gold")  # noqa: F821

# COMMAND ----------

counts = [(t, spark.table(f"gold.{t}").count()) for t in  # noqa: F821
          ["dim_tempo", "dim_canal", "dim_loja", "dim_produto", "dim_campanha", "dim_cliente", "fato_vendas", "fato_devolucoes"]]
display(spark.createDataFrame(timings, "file STRING, seconds DOUBLE"))  # noqa: F821
display(spark.createDataFrame(counts, "table STRING, rows BIGINT"))  # noqa: F821
