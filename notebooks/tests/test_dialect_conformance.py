"""Dialect conformance: the SQL the semantic layer generates with its Databricks dialect, run by
Spark SQL over the Delta gold tables the notebooks build, must answer what the same queries
compiled with the DuckDB dialect answer on DuckDB over the same gold, value by value.

The queries come from the real engine at test time (server/test/sql/export-databricks-conformance.ts):
the gold query suite (server/test/engine/gold-cases.ts), a few queries aimed at where engines differ
(local time across daylight-saving changes, calendar buckets, ratios, every fact measure), the rollup
builds of model/ (partition listing, whole build, the first, a middle and the last partition's
build) and the Cube corpus cases over the corpus dataset, loaded into both engines from one typed
copy. Gold is the parity suite's build (conftest.py `parity_build`), not built again; the campaign
rollup's source (gold.campanha_metricas_minuto) is built on both engines by notebooks/sql/streaming
from one micro-batch of the project's generated events.

Values are compared as the parity suite compares gold: numbers to 6 decimal places whatever their
type or scale (5, 5.00 and 5.0 are one value), timestamps and dates as wall-clock text. Only
approximate measures (HyperLogLog) get a tolerance. Rows are compared as multisets, and where the
query has an ORDER BY, the sequence of its key columns must agree too (direction, NULL placement).
Spark runs with ANSI mode on, as Databricks SQL warehouses do by default, and for the gold suite
again with it off, as clusters before Runtime 17 do. A true engine semantic
(ENGINE_SEMANTICS) is pinned: the rest of its row must agree and the column must behave as
server/src/sql/README.md documents.
"""
from __future__ import annotations

import datetime as dt
import decimal
import json
import os
import shutil
import subprocess
import tempfile
import time

import pytest

from conftest import REPO_ROOT

EXPORTER = "server/test/sql/export-databricks-conformance.ts"
STREAMING_SQL_DIR = os.path.join(os.path.dirname(__file__), "..", "sql", "streaming")
# bronze.events (server/src/lakehouse/stream/bronze-events-tables.ts): one micro-batch's rows.
BRONZE_EVENTS_COLUMNS = (
    "event_id VARCHAR, event_type VARCHAR, event_time TIMESTAMP, session_id VARCHAR, anonymous_id VARCHAR, "
    "customer_id VARCHAR, device VARCHAR, channel VARCHAR, utm_source VARCHAR, utm_medium VARCHAR, "
    "utm_campaign VARCHAR, product_id VARCHAR, price DECIMAL(18,2), quantity INT, order_id VARCHAR, "
    "_arrival_time TIMESTAMP, _ingested_at TIMESTAMP, _source VARCHAR, _batch_id VARCHAR, _sequence_number VARCHAR")
CORPUS_TABLES = ("customers", "products", "ecommerce", "bigecommerce", "retailcalendar")
SIX_PLACES = decimal.Decimal("0.000001")
# Spark's approx_count_distinct (HyperLogLog++, relative standard deviation 5 %) against the exact
# count: two standard deviations.
APPROX_TOLERANCE = decimal.Decimal("0.1")
# Spark runs every case with ANSI mode on (Databricks SQL warehouses); the gold suite's cases also
# with it off (clusters before Databricks Runtime 17).
ANSI_OFF_TOO = ("gold",)
# A rollup's whole build reads every partition; of its per-partition builds (the same SQL with
# another date range) the first, a middle and the last one are run.
PARTITIONS_PER_ROLLUP = 3
TWO_63 = 2**63
# True engine semantics, pinned (server/src/sql/README.md, "Engine semantics (Databricks …)"):
# case → column → rule. `bigint-sum`: sum() of BIGINT values beyond 2^63 — DuckDB widens to HUGEINT and is exact;
# Spark keeps BIGINT: ANSI mode fails with ARITHMETIC_OVERFLOW, without it the sum wraps around
# (two's complement). Only the gold suite's sum of md5-based surrogate keys comes near.
ENGINE_SEMANTICS = {
    "gold: one-to-many join does not multiply the one side (no fan-out)": {"clientes_teste__soma_sk": "bigint-sum"},
}


def export_cases(workdir: str, partitions: dict[str, list[str]] | None = None, corpus_db: str | None = None,
                 events: str | None = None) -> dict:
    out = os.path.join(workdir, f"cases-{time.monotonic_ns()}.json")
    args = ["npx", "tsx", EXPORTER, "--out", out]
    if partitions is not None:
        keys = os.path.join(workdir, "partitions.json")
        with open(keys, "w", encoding="utf-8") as handle:
            json.dump(partitions, handle)
        args += ["--partitions", keys]
    if corpus_db:
        args += ["--corpus-db", corpus_db]
    if events:
        args += ["--events", events]
    done = subprocess.run(args, cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"exporter failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
    with open(out, encoding="utf-8") as handle:
        return json.load(handle)


def normalize(value):
    """One comparable form per value, whatever engine and type produced it."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float, decimal.Decimal)):
        number = decimal.Decimal(repr(value)) if isinstance(value, float) else decimal.Decimal(value)
        return number.quantize(SIX_PLACES, rounding=decimal.ROUND_HALF_EVEN).normalize() + 0
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day).isoformat(sep=" ", timespec="microseconds")
    return str(value)


def sort_key(row: tuple) -> tuple:
    return tuple((v is None, type(v).__name__, str(v)) for v in row)


class Result:
    def __init__(self, columns: list[str], rows: list[tuple]) -> None:
        self.columns = columns
        self.rows = [tuple(normalize(v) for v in row) for row in rows]


def run_duckdb(connection, sql: str, params: list) -> Result:
    cursor = connection.execute(sql, params)
    return Result([d[0] for d in cursor.description], cursor.fetchall())


def run_spark(spark, sql: str, params: list) -> Result:
    frame = spark.sql(sql, args=params) if params else spark.sql(sql)
    return Result(list(frame.columns), [tuple(row) for row in frame.collect()])


def difference(case: dict, duck: Result, spark: Result) -> str | None:
    """Why the two results differ, or None when they agree."""
    if duck.columns != spark.columns:
        return f"columns differ: duckdb {duck.columns}, spark {spark.columns}"
    if len(duck.rows) != len(spark.rows):
        return f"row counts differ: duckdb {len(duck.rows)}, spark {len(spark.rows)}\n  duckdb: {duck.rows[:5]}\n  spark:  {spark.rows[:5]}"
    approx = [duck.columns.index(c) for c in case["approx"] if c in duck.columns]
    exact = [i for i in range(len(duck.columns)) if i not in approx]
    project = lambda row, idx: tuple(row[i] for i in idx)  # noqa: E731
    left = sorted(duck.rows, key=lambda r: sort_key(project(r, exact)))
    right = sorted(spark.rows, key=lambda r: sort_key(project(r, exact)))
    for a, b in zip(left, right):
        if project(a, exact) != project(b, exact):
            only_duck = sorted(set(duck.rows) - set(spark.rows), key=sort_key)[:5]
            only_spark = sorted(set(spark.rows) - set(duck.rows), key=sort_key)[:5]
            return f"rows differ ({duck.columns})\n  only in duckdb: {only_duck}\n  only in spark:  {only_spark}"
        for i in approx:
            x, y = a[i], b[i]
            if (x is None) != (y is None) or (x is not None and abs(x - y) > max(2, APPROX_TOLERANCE * abs(x))):
                return f"approximate column {duck.columns[i]}: exact {x}, spark {y} (beyond {APPROX_TOLERANCE:.0%})"
    order = [duck.columns.index(o["column"]) for o in case["orderBy"] if o["column"] in duck.columns and o["column"] not in case["approx"]]
    if order and [project(r, order) for r in duck.rows] != [project(r, order) for r in spark.rows]:
        return (f"order differs on {[duck.columns[i] for i in order]}\n  duckdb: {[project(r, order) for r in duck.rows][:8]}\n"
                f"  spark:  {[project(r, order) for r in spark.rows][:8]}")
    return None


def build_streaming_gold(duck, spark, events_path: str, workdir: str) -> None:
    """gold.campanha_metricas_minuto (a rollup's source) on both engines: the streaming SQL of the
    notebooks (notebooks/sql/streaming, as the local micro-batch runner and the Databricks notebook
    run it) over one micro-batch of the project's generated events."""
    from engines import run_file

    with open(events_path, encoding="utf-8") as handle:
        events = json.load(handle)
    ingested = dt.datetime(2024, 6, 15, 12, 31)
    rows = []
    for i, e in enumerate(events):
        at = dt.datetime.fromisoformat(e["event_time"].replace("Z", "+00:00")).replace(tzinfo=None)
        rows.append((e["event_id"], e["event_type"], at, e["session_id"], e["anonymous_id"], e["customer_id"], e["device"],
                     e["channel"], e["utm_source"], e["utm_medium"], e["utm_campaign"], e["product_id"],
                     None if e["price"] is None else decimal.Decimal(str(e["price"])), e["quantity"], e["order_id"],
                     at + dt.timedelta(milliseconds=700), ingested, "shardId-000000000000", "conformance", f"{i:020d}"))
    duck.execute(f"CREATE OR REPLACE TEMP TABLE bronze_events_batch ({BRONZE_EVENTS_COLUMNS})")
    duck.executemany(f"INSERT INTO bronze_events_batch VALUES ({', '.join('?' * 20)})", rows)
    path = os.path.join(workdir, "bronze_events_batch.parquet")
    duck.execute(f"COPY bronze_events_batch TO '{path}' (FORMAT parquet)")
    spark.read.parquet(path).createOrReplaceTempView("bronze_events_batch")

    class Duck:
        name = "duckdb"
        execute = staticmethod(lambda sql: duck.execute(sql))

    class Spark:
        name = "spark"
        execute = staticmethod(lambda sql: spark.sql(sql).collect())

    for name in sorted(f for f in os.listdir(STREAMING_SQL_DIR) if f.endswith(".sql")):
        for engine in (Duck, Spark):
            run_file(engine, os.path.join(STREAMING_SQL_DIR, name))


@pytest.fixture(scope="module")
def conformance(parity_build):
    """Both engines with gold (the parity build) and the corpus tables, and the exported cases."""
    duck = parity_build.duck.connection
    spark = parity_build.spark.spark
    started = time.perf_counter()
    workdir = tempfile.mkdtemp(prefix="dialect-conformance-")
    corpus_db = os.path.join(workdir, "corpus.duckdb")
    events = os.path.join(workdir, "events.json")
    exported = export_cases(workdir, corpus_db=corpus_db, events=events)
    build_streaming_gold(duck, spark, events, workdir)
    duck.execute(f"ATTACH '{corpus_db}' AS corpus_src (READ_ONLY)")
    for table in CORPUS_TABLES:
        duck.execute(f"CREATE OR REPLACE TABLE main.{table} AS SELECT * FROM corpus_src.main.{table}")
        path = os.path.join(workdir, f"{table}.parquet")
        duck.execute(f"COPY main.{table} TO '{path}' (FORMAT parquet)")
        spark.read.parquet(path).write.format("delta").mode("overwrite").saveAsTable(f"default.{table}")
    duck.execute("DETACH corpus_src")
    yield {"duck": duck, "spark": spark, "workdir": workdir, "exported": exported, "setup_seconds": time.perf_counter() - started}
    shutil.rmtree(workdir, ignore_errors=True)


def available(case: dict, tables: set[str]) -> bool:
    return all(t in tables for t in case["tables"])


def partition_keys(cases: list[dict], duck, tables: set[str]) -> dict[str, list[str]]:
    """The partitions a rollup refresh would build: its listing query's buckets (run on DuckDB;
    the same query on Spark is compared like every other case)."""
    keys: dict[str, list[str]] = {}
    for case in cases:
        if case["kind"] != "rollup-partitions" or not available(case, tables):
            continue
        rollup = case["name"].removeprefix("rollup ").split(":")[0]
        result = run_duckdb(duck, case["duckdb"]["sql"], case["duckdb"]["params"])
        every = sorted({str(v)[:19].replace(" ", "T") for (v, *_rest) in result.rows if v is not None})
        keys[rollup] = sorted({every[0], every[len(every) // 2], every[-1]}) if len(every) > PARTITIONS_PER_ROLLUP else every
    return keys


def pinned_semantics(case: dict, want: Result, ansi: bool, run) -> str | None:
    """Checks a case with a known engine semantic (ENGINE_SEMANTICS): the other columns equal, the
    pinned column behaving as documented. Returns the problem, or None."""
    rules = ENGINE_SEMANTICS[case["name"]]
    assert set(rules.values()) == {"bigint-sum"}
    if ansi:
        try:
            run()
        except Exception as error:
            return None if "ARITHMETIC_OVERFLOW" in str(error) else f"expected ARITHMETIC_OVERFLOW, got: {str(error)[:300]}"
        return "expected ARITHMETIC_OVERFLOW (sum of BIGINT past 2^63 with ANSI mode on), Spark answered"
    got = run()
    pinned = [want.columns.index(c) for c in rules]
    if not any(abs(row[i]) >= TWO_63 for row in want.rows for i in pinned if row[i] is not None):
        return f"the pinned column(s) {list(rules)} no longer exceed 2^63 on DuckDB: compare them exactly instead"
    wrapped = Result(want.columns, [tuple((v + TWO_63) % (2 * TWO_63) - TWO_63 if i in pinned and v is not None else v
                                          for i, v in enumerate(row)) for row in want.rows])
    return difference(case, wrapped, got)


class Outcome:
    """What one conformance run found: cases equal per kind, cases skipped, differences."""

    def __init__(self) -> None:
        self.equal: dict[str, int] = {}
        self.total: dict[str, int] = {}
        self.skipped: list[str] = []
        self.failures: list[str] = []
        self.pinned: list[str] = []
        self.empty: list[str] = []
        self.seconds = 0.0
        self.seconds_by_kind: dict[str, float] = {}


def check_conformance(conformance) -> Outcome:
    """Runs every exported case on both engines (Spark with ANSI mode on; the gold suite also off)."""
    duck, spark, workdir = conformance["duck"], conformance["spark"], conformance["workdir"]
    outcome = Outcome()
    tables = {f"gold.{r[0]}" for r in duck.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'gold'").fetchall()} | set(CORPUS_TABLES)
    # The rollup source built by the streaming SQL must agree first, or a build difference would be
    # the data's, not the dialect's (atualizado_em is each engine's own clock).
    columns = "chave, minuto, data_sk, sessoes, sessoes_com_compra, visualizacoes_pagina, adicoes_carrinho, pedidos, receita"
    stream_gold = [sorted(Result([], run(f"SELECT {columns} FROM gold.campanha_metricas_minuto")).rows, key=sort_key)
                   for run in (lambda q: duck.execute(q).fetchall(), lambda q: [tuple(x) for x in spark.sql(q).collect()])]
    if stream_gold[0] != stream_gold[1] or len(stream_gold[0]) < 50:
        outcome.failures.append(f"gold.campanha_metricas_minuto differs between the engines or is nearly empty "
                                f"(duckdb {len(stream_gold[0])} rows, spark {len(stream_gold[1])})")
    cases = export_cases(workdir, partitions=partition_keys(conformance["exported"]["cases"], duck, tables))["cases"]
    started = time.perf_counter()
    ansi_before = spark.conf.get("spark.sql.ansi.enabled")
    try:
        for case in cases:
            kind = case["kind"]
            outcome.total[kind] = outcome.total.get(kind, 0) + 1
            if not available(case, tables):
                outcome.skipped.append(f"{case['name']} (needs {', '.join(t for t in case['tables'] if t not in tables)})")
                continue
            clock = time.perf_counter()
            # Approximate distinct counts are two different HyperLogLog estimators (DuckDB's is off
            # by 9 % on the gold suite's case, Spark's HLL++ by 2 %): Spark's estimate is checked
            # against the exact count, which DuckDB computes from the same SQL with count(DISTINCT).
            duck_sql = case["duckdb"]["sql"].replace("approx_count_distinct(", "count(DISTINCT ") if case["approx"] else case["duckdb"]["sql"]
            want = run_duckdb(duck, duck_sql, case["duckdb"]["params"])
            if not want.rows:
                outcome.empty.append(case["name"])
            problems = []
            for ansi in (True, False) if kind in ANSI_OFF_TOO else (True,):
                spark.conf.set("spark.sql.ansi.enabled", "true" if ansi else "false")
                run = lambda: run_spark(spark, case["databricks"]["sql"], case["databricks"]["params"])  # noqa: E731
                try:
                    problem = pinned_semantics(case, want, ansi, run) if case["name"] in ENGINE_SEMANTICS else difference(case, want, run())
                except Exception as error:  # Spark refused the SQL: a difference, with Spark's reason
                    problem = f"Spark failed: {str(error).splitlines()[0][:400]}"
                if problem:
                    problems.append(f"[ANSI {'on' if ansi else 'off'}] {problem}")
            outcome.seconds_by_kind[kind] = outcome.seconds_by_kind.get(kind, 0.0) + time.perf_counter() - clock
            if problems:
                outcome.failures.append(f"{case['name']}:\n  " + "\n  ".join(problems) +
                                        f"\n  Databricks SQL: {case['databricks']['sql'][:1500]}\n  params: {case['databricks']['params']}")
            elif case["name"] in ENGINE_SEMANTICS:
                outcome.pinned.append(case["name"])
            else:
                outcome.equal[kind] = outcome.equal.get(kind, 0) + 1
    finally:
        spark.conf.set("spark.sql.ansi.enabled", ansi_before)
    outcome.seconds = time.perf_counter() - started
    return outcome


def report_lines(outcome: Outcome, exported: dict) -> list[str]:
    rollups = outcome.equal.get("rollup-build", 0) + outcome.equal.get("rollup-partitions", 0)
    timings = ", ".join(f"{kind} {seconds:.1f}s" for kind, seconds in sorted(outcome.seconds_by_kind.items()))
    lines = [f"dialect conformance: {outcome.equal.get('gold', 0)} gold, {outcome.equal.get('edge', 0)} edge, "
             f"{rollups} rollup builds (partition listings included), "
             f"{outcome.equal.get('corpus', 0)} corpus cases equal on Spark and DuckDB; {len(outcome.pinned)} pinned engine semantics, "
             f"{len(outcome.skipped)} skipped, {len(outcome.failures)} differ ({len(outcome.empty)} with no rows on either); "
             f"{outcome.seconds:.1f}s ({timings})"]
    lines += [f"  pinned engine semantic: {name}: {ENGINE_SEMANTICS[name]}" for name in outcome.pinned]
    lines += [f"  skipped: {line}" for line in outcome.skipped]
    lines += [f"  corpus case the engine refuses (run on neither engine): {line}" for line in exported["corpusNotCompiled"]]
    return lines


def test_databricks_sql_answers_on_spark_as_duckdb_sql_on_duckdb(conformance, capsys):
    outcome = check_conformance(conformance)
    # The counts are the suite's result: shown even though pytest captures output.
    with capsys.disabled():
        print("\n" + "\n".join(report_lines(outcome, conformance["exported"])) +
              f"\n  setup (export, streaming gold, corpus tables): {conformance['setup_seconds']:.1f}s")
    assert not outcome.failures, f"{len(outcome.failures)} case(s) differ between Spark and DuckDB:\n\n" + "\n\n".join(outcome.failures)
    # Guard against comparing nothing: every gold case and every rollup build ran, and the corpus did.
    assert sorted(outcome.pinned) == sorted(ENGINE_SEMANTICS)
    for kind in ("gold", "edge", "rollup-build", "rollup-partitions"):
        pinned = sum(1 for name in outcome.pinned if name.startswith("gold:")) if kind == "gold" else 0
        assert outcome.equal.get(kind, 0) + pinned == outcome.total.get(kind, 0) > 0, kind
    assert outcome.equal.get("corpus", 0) >= 80
    # Equal empty answers prove little: nearly every case of the model must have rows on the parity
    # gold (3 gold cases filter on values of the gold suite's own fixture; Cube's corpus expects
    # some answers to be empty).
    own_empty = [name for name in outcome.empty if not name.startswith("corpus:")]
    assert len(own_empty) <= 3, own_empty


def test_databricks_sql_assumes_a_utc_session(conformance):
    """Pins an engine semantic (server/src/sql/README.md): Spark's TIMESTAMP is local to the session
    time zone, so the same Databricks SQL buckets days differently in a session that is not at UTC;
    the dialect assumes UTC (Databricks' default), as the conformance run above does."""
    duck, spark = conformance["duck"], conformance["spark"]
    case = next(c for c in conformance["exported"]["cases"] if c["name"] == "rollup fato_vendas.por_canal_dia: whole build")
    want = run_duckdb(duck, case["duckdb"]["sql"], case["duckdb"]["params"])
    zone_before = spark.conf.get("spark.sql.session.timeZone")
    try:
        at_utc = run_spark(spark, case["databricks"]["sql"], case["databricks"]["params"])
        spark.conf.set("spark.sql.session.timeZone", "America/Sao_Paulo")
        at_sao_paulo = run_spark(spark, case["databricks"]["sql"], case["databricks"]["params"])
    finally:
        spark.conf.set("spark.sql.session.timeZone", zone_before)
    assert len(want.rows) > 20
    assert difference(case, want, at_utc) is None
    assert difference(case, want, at_sao_paulo) is not None
