"""Spark parity: the notebooks/sql files run on DuckDB and on Spark with Delta over the same bronze
input must produce the same gold tables (row counts and a content hash per table), after a full
run and after an incremental run over one more day of bronze rows."""
from __future__ import annotations

import os

from engines import GOLD_TABLES, DuckDbEngine, SparkEngine, content_hash, describe_difference, run_layers, table_snapshot

SQL_DIR = os.path.join(os.path.dirname(__file__), "..", "sql")

# Sale lines of the hand-written fixture that gold must hold (computed by hand; see
# server/test/transform/fato-vendas.test.ts for every column of each).
FIXTURE_SALE_LINES = {
    "erp:O1:1", "erp:O1:2", "erp:O1:3", "erp:O2:1", "erp:O3:1", "erp:O3:2", "erp:O5:1", "erp:O6:1",
    "pos:S0:1", "pos:S1:1", "pos:S1:2", "pos:S2:1",
}


def load_batch(duck: DuckDbEngine, spark: SparkEngine, files: dict[str, str]) -> None:
    for table, path in files.items():
        duck.execute(f"CREATE TABLE IF NOT EXISTS bronze.{table} AS SELECT * FROM read_parquet('{path}') LIMIT 0")
        duck.execute(f"INSERT INTO bronze.{table} SELECT * FROM read_parquet('{path}')")
        spark.spark.read.parquet(path).write.format("delta").mode("append").saveAsTable(f"bronze.{table}")


def compare_gold(duck, spark) -> list[str]:
    problems = []
    for table in GOLD_TABLES:
        duck_columns, duck_rows = table_snapshot(duck, table)
        spark_columns, spark_rows = table_snapshot(spark, table)
        if duck_columns != spark_columns:
            problems.append(f"gold.{table}: columns differ\n  duckdb: {duck_columns}\n  spark:  {spark_columns}")
        elif content_hash(duck_rows) != content_hash(spark_rows):
            problems.append(describe_difference(table, duck_columns, duck_rows, spark_rows))
        else:
            print(f"gold.{table}: {len(duck_rows)} rows, hash {content_hash(duck_rows)} on both engines")
    return problems


def test_gold_tables_match_after_a_full_and_an_incremental_run(spark_factory, bronze_batches):
    duck = DuckDbEngine()
    spark = SparkEngine(spark_factory)
    for engine in (duck, spark):
        engine.execute("CREATE SCHEMA IF NOT EXISTS bronze")
    timings: dict[str, list[float]] = {"duckdb": [], "spark": []}
    for batch in (1, 2):
        load_batch(duck, spark, bronze_batches[batch])
        for engine in (duck, spark):
            timings[engine.name].append(run_layers(engine, SQL_DIR))
        problems = compare_gold(duck, spark)
        assert not problems, f"after batch {batch}, gold tables differ between DuckDB and Spark:\n" + "\n\n".join(problems)
    for name, (full, incremental) in timings.items():
        print(f"{name}: full run {full:.2f}s, incremental run {incremental:.2f}s")

    # Guard against comparing two empty results: the input must reach every gold table.
    sale_lines = {row[0] for row in duck.rows("SELECT venda_id FROM gold.fato_vendas")}
    assert FIXTURE_SALE_LINES <= sale_lines
    assert len(sale_lines) > 1000
    for table in GOLD_TABLES:
        assert duck.rows(f"SELECT count(*) FROM gold.{table}")[0][0] > 1, table
