"""Shared fixtures for the parity suite: one local SparkSession with Delta for the whole run
(starting Spark is the slow part)."""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time

import pytest

# Timestamps must come back from both engines as the same wall-clock values.
os.environ["TZ"] = "UTC"
time.tzset()
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))


@pytest.fixture(scope="session")
def spark_factory():
    """Builds a fresh local SparkSession with Delta whose warehouse lives in a temp dir."""
    from delta import configure_spark_with_delta_pip
    from pyspark.sql import SparkSession

    workdir = tempfile.mkdtemp(prefix="spark-parity-")
    builder = (
        SparkSession.builder.master("local[2]")
        .appName("notebooks-sql-parity")
        .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
        .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
        # Databricks creates Delta tables by default; make the local session do the same.
        .config("spark.sql.sources.default", "delta")
        .config("spark.sql.legacy.createHiveTableByDefault", "false")
        .config("spark.sql.session.timeZone", "UTC")
        # Parquet exported by DuckDB has naive timestamps: read them as TIMESTAMP at UTC.
        .config("spark.sql.parquet.inferTimestampNTZ.enabled", "false")
        # The parity data is tiny: one partition, no whole-stage code generation (compiling Java for
        # each query costs more than running it interpreted), no Delta statistics, C1-only JIT.
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.default.parallelism", "1")
        .config("spark.sql.adaptive.enabled", "false")
        .config("spark.sql.codegen.wholeStage", "false")
        .config("spark.databricks.delta.stats.collect", "false")
        .config("spark.databricks.delta.snapshotPartitions", "1")
        .config("spark.databricks.delta.merge.repartitionBeforeWrite.enabled", "false")
        # Our MERGE sources are deterministic, so Delta need not copy them before merging.
        .config("spark.databricks.delta.merge.materializeSource", "none")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.warehouse.dir", os.path.join(workdir, "warehouse"))
        .config("spark.driver.extraJavaOptions",
                f"-Dderby.system.home={workdir} -Duser.timezone=UTC -XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
    )
    spark = configure_spark_with_delta_pip(builder).getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    yield spark
    spark.stop()
    shutil.rmtree(workdir, ignore_errors=True)


REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BRONZE_TABLES = [
    "erp_orders", "erp_order_lines", "pos_store_sales", "crm_customers", "products", "stores",
    "campaigns", "order_status", "returns",
]


FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")
# The two bronze batches of the parity run; every row is re-stamped with one of these.
BATCH_INGESTED_AT = {1: "2024-03-02 01:00:00", 2: "2024-03-03 01:00:00"}
# The business timestamp that decides whether a generated row belongs to the last day (batch 2).
BATCH_TIME_COLUMN = {
    "erp_orders": "updated_at", "erp_order_lines": "updated_at", "pos_store_sales": "sold_at",
    "crm_customers": "updated_at", "products": "updated_at", "stores": "updated_at",
    "campaigns": "updated_at", "order_status": "updated_at", "returns": "updated_at",
}


def _run_cli(args: list[str]) -> None:
    import subprocess

    done = subprocess.run(["npx", "tsx", "server/src/cli/index.ts", *args], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, f"{' '.join(args)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"


@pytest.fixture(scope="session")
def bronze_batches():
    """Bronze input of the parity run, as Parquet: {batch: {table: path}} for batches 1 and 2.

    It unites the hand-written fixture (fixtures/01 and 02: every edge case once) with bronze
    produced by the project's generator and ingestion at a small scale; the generator's last day
    becomes batch 2 so the incremental path runs on realistic data too. Both engines load the same
    files."""
    import duckdb

    from lakehouse_sql import read_statements

    workdir = tempfile.mkdtemp(prefix="parity-bronze-")
    _run_cli(["generate", "--scale", "0.002", "--seed", "7", "--lakehouse-dir", workdir])
    _run_cli(["ingest", "--lakehouse-dir", workdir])
    connection = duckdb.connect()
    for name in ("00_bronze_schema.sql", "01_bronze_batch1.sql", "02_bronze_batch2.sql"):
        for statement in read_statements(os.path.join(FIXTURES, name)):
            connection.execute(statement.sql)
    connection.execute(f"ATTACH '{os.path.join(workdir, 'lakehouse.duckdb')}' AS src (READ_ONLY)")
    cutoff = connection.execute("SELECT CAST(CAST(max(order_ts) AS DATE) AS TIMESTAMP) FROM src.bronze.erp_orders").fetchone()[0]
    paths: dict[int, dict[str, str]] = {1: {}, 2: {}}
    for table in BRONZE_TABLES:
        columns = [row[0] for row in connection.execute(f"DESCRIBE bronze.{table}").fetchall()]
        generated = ", ".join(
            f"CASE WHEN {BATCH_TIME_COLUMN[table]} >= TIMESTAMP '{cutoff}' THEN TIMESTAMP '{BATCH_INGESTED_AT[2]}' "
            f"ELSE TIMESTAMP '{BATCH_INGESTED_AT[1]}' END AS _ingested_at" if c == "_ingested_at" else c
            for c in columns)
        connection.execute(f"INSERT INTO bronze.{table} SELECT {generated} FROM src.bronze.{table}")
        for batch, stamp in BATCH_INGESTED_AT.items():
            paths[batch][table] = os.path.join(workdir, f"{table}_{batch}.parquet")
            connection.execute(
                f"COPY (SELECT * FROM bronze.{table} WHERE _ingested_at = TIMESTAMP '{stamp}') "
                f"TO '{paths[batch][table]}' (FORMAT parquet)")
    connection.close()
    yield paths
    shutil.rmtree(workdir, ignore_errors=True)


SQL_DIR = os.path.join(os.path.dirname(__file__), "..", "sql")


class ParityBuild:
    """Gold built by notebooks/sql on DuckDB and on Spark (Delta) from the same bronze: a full run
    over batch 1, then an incremental run over batch 2. `problems[batch]` lists the gold tables that
    differed after that batch (test_parity.py asserts there are none); `timings[engine]` holds the
    seconds of the full and the incremental run."""

    def __init__(self, duck, spark) -> None:
        self.duck = duck
        self.spark = spark
        self.problems: dict[int, list[str]] = {}
        self.timings: dict[str, list[float]] = {"duckdb": [], "spark": []}


@pytest.fixture(scope="session")
def parity_build(spark_factory, bronze_batches):
    """One gold build per test session, shared by the parity test and the dialect conformance
    suite (building gold is the slow part)."""
    from engines import DuckDbEngine, SparkEngine, compare_gold, load_batch, run_layers

    build = ParityBuild(DuckDbEngine(), SparkEngine(spark_factory))
    for engine in (build.duck, build.spark):
        engine.execute("CREATE SCHEMA IF NOT EXISTS bronze")
    for batch in (1, 2):
        load_batch(build.duck, build.spark, bronze_batches[batch])
        for engine in (build.duck, build.spark):
            build.timings[engine.name].append(run_layers(engine, SQL_DIR))
        build.problems[batch] = compare_gold(build.duck, build.spark)
    return build
