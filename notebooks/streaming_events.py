# Databricks notebook source
# MAGIC %md
# MAGIC # Streaming events: Kinesis → bronze.events → near-real-time silver/gold
# MAGIC
# MAGIC Production counterpart of `server/src/lakehouse/stream/` (the local consumer). Reads the
# MAGIC site/app event stream with Databricks' `kinesis` source, lands every micro-batch in
# MAGIC `bronze.events` exactly once per `event_id` (MERGE), quarantines malformed records, then runs the
# MAGIC shared SQL in `notebooks/sql/streaming/` over the micro-batch exposed as `bronze_events_batch`,
# MAGIC the same files the local runner executes on DuckDB. The raw archive is written by Firehose
# MAGIC (`bronze/events/YYYY/MM/DD/HH/…`), not by this notebook. Structured Streaming's checkpoint
# MAGIC plays the role of the local `bronze._stream_checkpoints` + `silver._stream_progress`.

# COMMAND ----------

import os
import uuid

from pyspark.sql import DataFrame, SparkSession, functions as F, types as T

from lakehouse_sql import split_sql  # the batch notebooks' splitter: one rule on Spark and DuckDB

dbutils.widgets.text("stream_name", "ecommerce-events")  # noqa: F821 (Databricks global)
dbutils.widgets.text("region", "us-east-1")  # noqa: F821
dbutils.widgets.text("checkpoint", "s3://example-lakehouse/checkpoints/streaming_events")  # noqa: F821
dbutils.widgets.text("sql_dir", "/Workspace/Repos/lakehouse/notebooks/sql/streaming")  # noqa: F821
dbutils.widgets.text("trigger_seconds", "5")  # noqa: F821

STREAM_NAME = dbutils.widgets.get("stream_name")  # noqa: F821
REGION = dbutils.widgets.get("region")  # noqa: F821
CHECKPOINT = dbutils.widgets.get("checkpoint")  # noqa: F821
SQL_DIR = dbutils.widgets.get("sql_dir")  # noqa: F821
TRIGGER = f"{dbutils.widgets.get('trigger_seconds')} seconds"  # noqa: F821

# COMMAND ----------

EVENT_TYPES = ["page_view", "product_view", "add_to_cart", "remove_from_cart", "checkout_start", "purchase"]
PRODUCT_EVENTS = ["product_view", "add_to_cart", "remove_from_cart", "purchase"]

# Strings are read as strings and numbers as doubles so that a wrong type becomes a quarantine
# reason instead of a silent null.
EVENT_SCHEMA = T.StructType(
    [T.StructField(name, T.StringType()) for name in [
        "event_id", "event_type", "event_time", "session_id", "anonymous_id", "customer_id", "device",
        "channel", "utm_source", "utm_medium", "utm_campaign", "product_id", "order_id",
    ]]
    + [T.StructField("price", T.DoubleType()), T.StructField("quantity", T.DoubleType())]
)


def load_statements(sql_dir: str) -> tuple[list[str], list[str]]:
    """`00_*` files create tables (once); the others run for every micro-batch."""
    setup, batch = [], []
    for name in sorted(f for f in os.listdir(sql_dir) if f.endswith(".sql")):
        with open(os.path.join(sql_dir, name), encoding="utf-8") as handle:
            statements = [s.sql for s in split_sql(handle.read(), name)]
            (setup if name.startswith("00_") else batch).extend(statements)
    return setup, batch


def quarantine_reason() -> F.Column:
    """The first problem found, worded like parse-event-record.ts."""
    e = F.col("e")
    checks = [(F.col("e").isNull(), F.lit("invalid JSON"))]
    for field in ["event_id", "event_type", "event_time", "session_id", "anonymous_id", "device", "channel"]:
        checks.append((e[field].isNull(), F.lit(f"missing field {field}")))
    checks += [
        (~e["event_type"].isin(EVENT_TYPES), F.concat(F.lit("unknown event_type "), e["event_type"])),
        (~e["channel"].isin("site", "app"), F.concat(F.lit("bad channel "), e["channel"])),
        (F.to_timestamp(e["event_time"]).isNull(), F.lit("bad event_time: expected ISO-8601 with a time zone")),
        (e["event_type"].isin(PRODUCT_EVENTS) & e["product_id"].isNull(), F.lit("missing field product_id")),
        (e["price"] < 0, F.lit("bad type for price: expected a number >= 0")),
        ((e["quantity"] < 1) | (e["quantity"] != F.floor(e["quantity"])), F.lit("bad type for quantity: expected an integer >= 1")),
        ((e["event_type"] == "purchase") & e["order_id"].isNull(), F.lit("missing field order_id (required for purchase)")),
    ]
    reason = F.lit(None).cast("string")
    for condition, text in reversed(checks):
        reason = F.when(condition, text).otherwise(reason)
    return reason

# COMMAND ----------

def process_batch(batch: DataFrame, batch_id: int) -> None:
    spark: SparkSession = batch.sparkSession
    run_id = str(uuid.uuid4())
    parsed = (
        batch.select(
            F.col("data").cast("string").alias("raw"),
            F.col("approximateArrivalTimestamp").alias("_arrival_time"),
            F.col("shardId").alias("_source"),
            F.col("sequenceNumber").alias("_sequence_number"),
        )
        .withColumn("e", F.from_json("raw", EVENT_SCHEMA, {"mode": "PERMISSIVE"}))
        .withColumn("reason", quarantine_reason())
        .withColumn("_ingested_at", F.current_timestamp())
        .withColumn("_batch_id", F.lit(run_id))
        .persist()
    )
    parsed.filter("reason IS NOT NULL").select(
        "_source", "_batch_id", "_ingested_at", "_arrival_time", "_sequence_number", "reason", "raw"
    ).createOrReplaceTempView("quarantine_batch")
    spark.sql("""
        MERGE INTO bronze.events_quarantine t USING quarantine_batch s
        ON t._source = s._source AND t._sequence_number = s._sequence_number
        WHEN NOT MATCHED THEN INSERT *""")

    events = parsed.filter("reason IS NULL").select(
        "e.event_id", "e.event_type", F.to_timestamp("e.event_time").alias("event_time"), "e.session_id",
        "e.anonymous_id", "e.customer_id", "e.device", "e.channel", "e.utm_source", "e.utm_medium",
        "e.utm_campaign", "e.product_id", F.col("e.price").cast("decimal(18,2)").alias("price"),
        F.col("e.quantity").cast("int").alias("quantity"), "e.order_id", "_arrival_time", "_ingested_at",
        "_source", "_batch_id", "_sequence_number",
    ).dropDuplicates(["event_id"])
    events.createOrReplaceTempView("events_batch")
    # Exactly once per event id, also when Kinesis redelivers after a restart.
    spark.sql("""
        MERGE INTO bronze.events t USING events_batch s ON t.event_id = s.event_id
        WHEN NOT MATCHED THEN INSERT *""")

    # The shared near-real-time SQL reads the micro-batch as `bronze_events_batch`.
    events.createOrReplaceTempView("bronze_events_batch")
    for statement in BATCH_STATEMENTS:
        spark.sql(statement)
    parsed.unpersist()

# COMMAND ----------

spark.sql("CREATE SCHEMA IF NOT EXISTS bronze")  # noqa: F821 (Databricks global)
spark.sql("""CREATE TABLE IF NOT EXISTS bronze.events (
  event_id STRING, event_type STRING, event_time TIMESTAMP, session_id STRING, anonymous_id STRING,
  customer_id STRING, device STRING, channel STRING, utm_source STRING, utm_medium STRING,
  utm_campaign STRING, product_id STRING, price DECIMAL(18,2), quantity INT, order_id STRING,
  _arrival_time TIMESTAMP, _ingested_at TIMESTAMP, _source STRING, _batch_id STRING, _sequence_number STRING)""")  # noqa: F821
spark.sql("""CREATE TABLE IF NOT EXISTS bronze.events_quarantine (
  _source STRING, _batch_id STRING, _ingested_at TIMESTAMP, _arrival_time TIMESTAMP,
  _sequence_number STRING, reason STRING, raw STRING)""")  # noqa: F821
SETUP_STATEMENTS, BATCH_STATEMENTS = load_statements(SQL_DIR)
for statement in SETUP_STATEMENTS:
    spark.sql(statement)  # noqa: F821

(
    spark.readStream.format("kinesis")  # noqa: F821
    .option("streamName", STREAM_NAME)
    .option("region", REGION)
    .option("initialPosition", "TRIM_HORIZON")
    .load()
    .writeStream.foreachBatch(process_batch)
    .option("checkpointLocation", CHECKPOINT)
    .trigger(processingTime=TRIGGER)
    .start()
)
