"""The two engines of the parity test behind one tiny interface: run a statement, fetch normalized
rows. Both run the statements produced by lakehouse_sql (the TypeScript runner's rules)."""
from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import time

from lakehouse_sql import read_statements, run_layer

GOLD_TABLES = [
    "dim_tempo", "dim_canal", "dim_loja", "dim_produto", "dim_campanha", "dim_cliente",
    "fato_vendas", "fato_devolucoes",
]


class DuckDbEngine:
    name = "duckdb"

    def __init__(self) -> None:
        import duckdb

        self.connection = duckdb.connect()

    def execute(self, sql: str) -> None:
        self.connection.execute(sql)

    def rows(self, sql: str) -> list[tuple]:
        return self.connection.execute(sql).fetchall()


class SparkEngine:
    name = "spark"

    def __init__(self, spark) -> None:
        self.spark = spark

    def execute(self, sql: str) -> None:
        self.spark.sql(sql).collect()

    def rows(self, sql: str) -> list[tuple]:
        return [tuple(row) for row in self.spark.sql(sql).collect()]


def run_file(engine, path: str) -> None:
    for statement in read_statements(path):
        try:
            engine.execute(statement.sql)
        except Exception as error:  # name the file and statement, like the TypeScript runner
            raise RuntimeError(
                f"{engine.name}: {statement.file} statement {statement.index} (line {statement.line}) failed: {error}"
            ) from error


def run_layers(engine, sql_dir: str, layers=("silver", "gold")) -> float:
    """Runs every file of the layers in order (lakehouse_sql.run_layer, as the notebooks do);
    returns the elapsed seconds."""
    started = time.perf_counter()
    for layer in layers:
        run_layer(engine.execute, sql_dir, layer, log=lambda line: None)
    return time.perf_counter() - started


def normalize(value) -> str:
    """One text form per value so both engines' results compare byte for byte."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, decimal.Decimal):
        return f"{value:.2f}"
    if isinstance(value, float):
        return f"{value:.6f}"
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None).isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def table_snapshot(engine, table: str) -> tuple[list[str], list[tuple[str, ...]]]:
    """Column names and the sorted, normalized rows of a gold table."""
    columns = [row[0] for row in engine.rows(f"DESCRIBE gold.{table}") if row[0] and not row[0].startswith("#")]
    columns = [c for c in columns if c.strip()]
    select = ", ".join(columns)
    rows = sorted(tuple(normalize(v) for v in row) for row in engine.rows(f"SELECT {select} FROM gold.{table}"))
    return columns, rows


def content_hash(rows: list[tuple[str, ...]]) -> str:
    digest = hashlib.sha256()
    for row in rows:
        digest.update("\x1f".join(row).encode("utf-8"))
        digest.update(b"\x1e")
    return digest.hexdigest()[:16]


def describe_difference(table: str, columns: list[str], left: list[tuple], right: list[tuple]) -> str:
    """A readable diff: counts, hashes and the first rows present on one side only."""
    only_left = sorted(set(left) - set(right))
    only_right = sorted(set(right) - set(left))
    lines = [
        f"gold.{table}: duckdb {len(left)} rows (hash {content_hash(left)}), "
        f"spark {len(right)} rows (hash {content_hash(right)})",
        "  columns: " + ", ".join(columns),
    ]
    for label, rows in (("only in duckdb", only_left), ("only in spark", only_right)):
        for row in rows[:10]:
            lines.append(f"  {label}: " + ", ".join(f"{c}={v}" for c, v in zip(columns, row)))
    return "\n".join(lines)


def load_batch(duck: DuckDbEngine, spark: SparkEngine, files: dict[str, str]) -> None:
    """Appends one bronze batch (Parquet per table) to both engines: DuckDB tables, Delta on Spark."""
    for table, path in files.items():
        duck.execute(f"CREATE TABLE IF NOT EXISTS bronze.{table} AS SELECT * FROM read_parquet('{path}') LIMIT 0")
        duck.execute(f"INSERT INTO bronze.{table} SELECT * FROM read_parquet('{path}')")
        spark.spark.read.parquet(path).write.format("delta").mode("append").saveAsTable(f"bronze.{table}")


def compare_gold(duck, spark) -> list[str]:
    """Every gold table on both engines: a readable problem per table whose columns or rows differ."""
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
