"""landing_ingest.py (the landing_to_bronze notebook) against the TypeScript ingestion: both engines
ingest the same landing folder (a week from the project's generator plus hand-written dirty files);
counts per source, bronze contents and quarantined records per file must agree. Then: a second run
adds nothing, a run interrupted before its log write is repaired by the next one, and a corrupt
Parquet file fails the run naming the file, with nothing written (as the TypeScript side does)."""
from __future__ import annotations

import os
import shutil
import subprocess
import time

import pytest

from conftest import REPO_ROOT, _run_cli
from engines import normalize

DATABASE = "bronze_landing_test"  # not `bronze`: the parity test shares the Spark session
FIRST_DAY, LAST_DAY = "2024-11-25", "2024-11-30"
DIRTY_DAY = "2024-12-01"
RDS_TABLES = ("order_status", "returns")

DIRTY_FILES = {
    f"erp/orders/dt={DIRTY_DAY}/orders_20241201.csv": (
        "order_id,customer_id,channel,store_id,order_ts,status,order_discount,campaign_id,utm_source,utm_medium,utm_campaign,updated_at\n"
        'OX1,C0000001,site,L000,2024-12-01 10:00:00,paid,5.50,,google,cpc,"bf, ""2024""",2024-12-01 10:00:00\n'
        "OX2,C0000002,app,L000,01/12/2024 11:00,created,0.00,,,,,2024-12-01 11:00:00\n"
        "OX3,C0000003,site,L000,2024-12-01 12:00:00,paid\n"
        ",C0000004,site,L000,2024-12-01 13:00:00,paid,0.00,,,,,2024-12-01 13:00:00\n"
        "OX5,C0000005,marketplace,L000,2024-12-01T14:00:00,paid,1.234,,,,,2024-12-01 14:00:00.123456\n"
        "OX6,C0000006,site,L000,2024-12-01 15:00:00,paid,abc,,,,,2024-12-01 15:00:00\n"
        'OX7,C0000007,site,L000,"2024-12-01 16:00:00,paid,0.00,,,,,2024-12-01 16:00:00\n'
        "OX8,C0000008,site,L000,2024-12-01 17:00:00,paid,0.00,,,,,2024-12-01 17:00:00\n"),
    f"erp/order_lines/dt={DIRTY_DAY}/order_lines_20241201.csv": (
        "order_id,line_no,product_id,quantity,unit_price,line_discount,updated_at\n"
        "OX1,1,P000001,2,10.00,0.00,2024-12-01 10:00:00\n"
        "OX1,x,P000002,1,10.00,0.00,2024-12-01 10:00:00\n"
        "OX1,2,P000003,dois,10.00,0.00,2024-12-01 10:00:00\n"
        "OX1,,P000005,1,10.00,0.00,2024-12-01 10:00:00\n"
        "OX1,3,P000004,-1,10.00,0.00,2024-12-01 10:00:00\n"
        "OX1,4,P000006,3.7,10.00,0.00,2024-12-01 10:00:00\n"),
    f"crm/customers/dt={DIRTY_DAY}/customers_20241201.json": (
        '{"customer_id":"CX1","name":"Ana","email":"a@x","city":"Recife","state":"PE","segment":"vip",'
        '"birth_date":"1990-01-02","signup_date":"2024-12-01","updated_at":"2024-12-01 09:00:00"}\n'
        "not json at all\n"
        '{"customer_id":"CX2","birth_date":"02/01/1990","updated_at":"2024-12-01 09:00:00"}\n'
        '{"name":"no id","updated_at":"2024-12-01 09:00:00"}\n'
        "\n"
        '{"customer_id":"CX3","state":12,"updated_at":"2024-12-01 09:00:00"}\n'
        '{"customer_id":"CX4","updated_at":"yesterday"}\n'
        '{"customer_id":"CX5","name":{"first":"Ana"},"birth_date":19900102,"updated_at":"2024-12-01 09:00:00"}\n'
        "[1, 2]\n"),
}
# Reasons the Spark side must give for the dirty records above (worded as the TypeScript JSON/RDS loaders).
EXPECTED_REASONS = {
    ("erp/orders", "order_ts: cannot parse '01/12/2024 11:00' as TIMESTAMP"),
    ("erp/orders", "malformed CSV record: expected 12 fields, found 6"),
    ("erp/orders", "malformed CSV record: unterminated or misplaced quote"),
    ("erp/orders", "missing required field order_id"),
    ("erp/orders", "order_discount: cannot parse 'abc' as DECIMAL(18,2)"),
    ("erp/order_lines", "line_no: cannot parse 'x' as INTEGER"),
    ("erp/order_lines", "quantity: cannot parse 'dois' as INTEGER"),
    ("erp/order_lines", "missing required field line_no"),
    ("erp/order_lines", "quantity: cannot parse '3.7' as INTEGER"),
    ("crm/customers", "not a JSON object"),
    ("crm/customers", "birth_date: cannot parse '02/01/1990' as DATE"),
    ("crm/customers", "missing required field customer_id"),
    ("crm/customers", "updated_at: cannot parse 'yesterday' as TIMESTAMP"),
    ("crm/customers", "state: expected a JSON string, got number 12"),
    ("crm/customers", 'name: expected a JSON string, got object {"first":"Ana"}'),
    ("crm/customers", "birth_date: expected a JSON string, got number 19900102"),
    ("pos/store_sales", "missing required field receipt_id"),
    ("pos/store_sales", "missing required field line_no"),
    ("rds/returns", "missing required field return_id"),
    ("rds/returns", "line_no: cannot parse '1.5' as INTEGER"),
}
# An RDS extract only the Spark side reads (the TypeScript side reads RDS from the database), written
# as pandas writes it: Decimal objects, nanosecond timestamps, an INT column with a NULL as DOUBLE.
HAND_RETURNS = f"rds/returns/dt={DIRTY_DAY}/returns_20241201.parquet"
HAND_RETURNS_ACCEPTED = [
    ("RT1", "erp", "OX1", 1, 1, "10.00", "2024-12-01 12:00:00.123456"),
    ("RT2", "pos", "RX1", None, 2, "9.90", "2024-12-01 12:30:00"),
]


def _write_dirty_files(landing: str) -> None:
    import duckdb

    for path, text in DIRTY_FILES.items():
        os.makedirs(os.path.dirname(os.path.join(landing, path)), exist_ok=True)
        with open(os.path.join(landing, path), "w", encoding="utf-8") as handle:
            handle.write(text)
    # Store receipt lines as the generator writes them (DuckDB Parquet), two without a key.
    folder = os.path.join(landing, f"pos/store_sales/dt={DIRTY_DAY}")
    os.makedirs(folder, exist_ok=True)
    duckdb.connect().execute(f"""COPY (SELECT * FROM (VALUES
        ('RX1', 1, 'L001', TIMESTAMP '2024-12-01 10:00:00', 'P000001', 1, 9.90, 0.00, NULL, 'pix'),
        (NULL, 1, 'L001', TIMESTAMP '2024-12-01 10:05:00', 'P000002', 1, 9.90, 0.00, 'C0000001', 'pix'),
        ('RX2', NULL, 'L001', TIMESTAMP '2024-12-01 10:06:00', 'P000003', 2, 9.90, 1.00, NULL, 'credito'))
        AS t(receipt_id, line_no, store_id, sold_at, product_id, quantity, unit_price, discount, customer_id, payment_method))
        TO '{folder}/store_sales_20241201.parquet' (FORMAT parquet)""")
    import datetime as dt
    from decimal import Decimal

    import pandas as pd

    rows = [(r, s, o, float(n) if n is not None else None, q, Decimal(a), dt.datetime.fromisoformat(t), dt.datetime.fromisoformat(t))
            for r, s, o, n, q, a, t in HAND_RETURNS_ACCEPTED]
    rows += [(None, "erp", "OX1", 2.0, 1, Decimal("5.00"), dt.datetime(2024, 12, 1, 13), dt.datetime(2024, 12, 1, 13)),
             ("RT4", "erp", "OX1", 1.5, 1, Decimal("5.00"), dt.datetime(2024, 12, 1, 14), dt.datetime(2024, 12, 1, 14))]
    os.makedirs(os.path.dirname(os.path.join(landing, HAND_RETURNS)), exist_ok=True)
    pd.DataFrame.from_records(rows, columns=["return_id", "source_system", "order_id", "line_no", "quantity", "refund_amount",
                                             "refunded_at", "updated_at"]).to_parquet(os.path.join(landing, HAND_RETURNS), index=False)
    # The DuckDB literal types (INTEGER, DECIMAL(3,2)…) are cast to the contract's by both loaders.


def _stage_rds_extracts(ts_db: str, landing: str) -> dict[str, int]:
    """Writes the RDS rows the TypeScript ingestion extracted as Airflow's SqlToS3Operator does
    (pandas from a DB-API cursor → `to_parquet`): `rds/<table>/dt=<day>/<table>_<yyyymmdd>.parquet`
    per `updated_at` day, so Decimal objects, nanosecond timestamps and INTs with NULLs as DOUBLE."""
    import duckdb
    import pandas as pd

    from landing_ingest import RDS_SOURCES

    rows_per_table = {}
    connection = duckdb.connect(ts_db, read_only=True)
    for source in RDS_SOURCES:
        columns = [name for name, _ in source.columns]
        rows = connection.execute(f"SELECT {', '.join(columns)} FROM bronze.{source.table} ORDER BY updated_at").fetchall()
        rows_per_table[source.table] = len(rows)
        if not rows:
            continue
        frame = pd.DataFrame.from_records(rows, columns=columns)
        for day, part in frame.groupby(frame["updated_at"].dt.strftime("%Y-%m-%d")):
            folder = os.path.join(landing, f"rds/{source.table}/dt={day}")
            os.makedirs(folder, exist_ok=True)
            part.to_parquet(os.path.join(folder, f"{source.table}_{day.replace('-', '')}.parquet"), index=False)
    connection.close()
    return rows_per_table


@pytest.fixture(scope="module")
def landing_and_ts_bronze():
    """A landing folder and the TypeScript ingestion of it (DuckDB file), in a temp lakehouse dir."""
    workdir = os.path.realpath(os.path.join(os.environ.get("TMPDIR", "/tmp"), f"landing-to-bronze-{os.getpid()}"))
    shutil.rmtree(workdir, ignore_errors=True)
    _run_cli(["generate", "--scale", "0.01", "--seed", "7", "--from", FIRST_DAY, "--to", LAST_DAY, "--lakehouse-dir", workdir])
    landing = os.path.join(workdir, "landing")
    _write_dirty_files(landing)
    _run_cli(["ingest", "--lakehouse-dir", workdir])
    ts_db = os.path.join(workdir, "lakehouse.duckdb")
    rds_rows = _stage_rds_extracts(ts_db, landing)
    yield workdir, landing, ts_db, rds_rows
    shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="module")
def spark(spark_factory):
    spark_factory.sql(f"DROP DATABASE IF EXISTS {DATABASE} CASCADE")
    yield spark_factory
    spark_factory.sql(f"DROP DATABASE IF EXISTS {DATABASE} CASCADE")


def _ts_rows(ts_db: str, sql: str) -> list[tuple]:
    import duckdb

    connection = duckdb.connect(ts_db, read_only=True)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


def _bronze_snapshot(rows) -> list[tuple[str, ...]]:
    return sorted(tuple(normalize(v) for v in row) for row in rows)


def _table_counts(spark) -> dict[str, int]:
    from landing_ingest import SOURCES

    tables = [s.table for s in SOURCES] + ["quarantine", "_ingest_log"]
    union = " UNION ALL ".join(f"SELECT '{t}', count(*) FROM {DATABASE}.{t}" for t in tables)
    return {t: n for t, n in spark.sql(union).collect()}


def test_landing_to_bronze_matches_the_typescript_ingestion(spark, landing_and_ts_bronze):
    from landing_ingest import SOURCES, LandingFileError, ingest_landing

    workdir, landing, ts_db, rds_rows = landing_and_ts_bronze
    started = time.perf_counter()
    reports = {r.table: r for r in ingest_landing(spark, landing, "spark-batch-1", database=DATABASE, log=lambda _: None)}
    first_run = time.perf_counter() - started

    # 1. Counts per source equal the TypeScript ingestion's (its log holds them per file / extract).
    ts_counts = {t: (int(r), int(a), int(q)) for t, r, a, q in _ts_rows(ts_db, """
        SELECT target_table, sum(rows_read), sum(rows_accepted), sum(rows_quarantined) FROM bronze._ingest_log GROUP BY 1""")}
    for source in SOURCES:
        report = reports[source.table]
        assert report.read == report.accepted + report.quarantined, source.table
        expected = ts_counts.get(source.table, (0, 0, 0))
        if source.table == "returns":  # plus the hand-written extract
            expected = (expected[0] + 4, expected[1] + 2, expected[2] + 2)
        assert (report.read, report.accepted, report.quarantined) == expected, source.table
    assert reports["order_status"].accepted + reports["returns"].accepted == sum(rds_rows.values()) + 2
    assert sum(r.quarantined for r in reports.values()) >= len(EXPECTED_REASONS)

    # 2. The same bronze rows (typed values and, for files, `_source`) on both engines.
    for source in SOURCES:
        names = [name for name, _ in source.columns] + ([] if source.folder.startswith("rds/") else ["_source"])
        select = f"SELECT {', '.join(names)} FROM {{}}.{source.table}"
        duck = _bronze_snapshot(_ts_rows(ts_db, select.format("bronze")))
        sparked = _bronze_snapshot(spark.sql(select.format(DATABASE) + f" WHERE _source <> '{HAND_RETURNS}'").collect())
        assert duck == sparked, f"bronze.{source.table} differs:\n  only TS: {sorted(set(duck) - set(sparked))[:5]}\n" \
                                f"  only Spark: {sorted(set(sparked) - set(duck))[:5]}"
    hand = spark.sql(f"""SELECT return_id, source_system, order_id, line_no, quantity, refund_amount, refunded_at
        FROM {DATABASE}.returns WHERE _source = '{HAND_RETURNS}'""").collect()
    assert _bronze_snapshot(hand) == sorted(tuple(normalize(v) for v in row) for row in HAND_RETURNS_ACCEPTED)
    batches = spark.sql(f"SELECT DISTINCT _batch_id FROM {DATABASE}.erp_orders").collect()
    assert [row[0] for row in batches] == ["spark-batch-1"]

    # 3. Quarantine: same records per file (and the same line numbers where the TypeScript side has
    # one), every record with a reason, the expected reasons for the dirty records.
    ts_quarantine = _ts_rows(ts_db, "SELECT _source, line_no FROM bronze.quarantine")
    spark_quarantine = spark.sql(f"SELECT _source, line_no, reason, raw FROM {DATABASE}.quarantine").collect()
    per_file = lambda rows: sorted((s, sum(1 for r in rows if r[0] == s)) for s in {r[0] for r in rows})  # noqa: E731
    assert per_file(ts_quarantine) == per_file([r for r in spark_quarantine if r._source != HAND_RETURNS])
    assert {(s, n) for s, n in ts_quarantine if n is not None} <= {(r[0], r[1]) for r in spark_quarantine}
    assert all(r.reason and r.raw for r in spark_quarantine)
    reasons = {(folder, part) for r in spark_quarantine for part in r.reason.split("; ")
               for folder in [s.folder for s in SOURCES if r._source.startswith(s.folder + "/")]}
    assert EXPECTED_REASONS <= reasons, sorted(EXPECTED_REASONS - reasons)
    # ... and the same reason for the same line, word for word.
    ts_reasons = {(s, n): r for s, n, r in _ts_rows(ts_db, "SELECT _source, line_no, reason FROM bronze.quarantine WHERE line_no IS NOT NULL")}
    spark_reasons = {(r._source, r.line_no): r.reason for r in spark_quarantine}
    assert {key: spark_reasons.get(key) for key in ts_reasons} == ts_reasons

    # 4. A second run adds nothing: every file is known to the ingest log.
    before = _table_counts(spark)
    again = ingest_landing(spark, landing, "spark-batch-2", database=DATABASE, log=lambda _: None)
    assert all(r.files == 0 and r.accepted == r.quarantined == 0 for r in again)
    assert sum(r.skipped_files for r in again) == sum(r.files for r in reports.values())
    assert _table_counts(spark) == before

    # 5. A run interrupted after its data writes but before its log write (simulated by removing one
    # file's log row) is repaired by the next run: that file's rows are replaced, not duplicated.
    dirty_orders = next(p for p in DIRTY_FILES if p.startswith("erp/orders/"))
    spark.sql(f"DELETE FROM {DATABASE}._ingest_log WHERE path = '{dirty_orders}'")
    repaired = {r.table: r for r in ingest_landing(spark, landing, "spark-batch-3", database=DATABASE, log=lambda _: None)}
    assert repaired["erp_orders"].files == 1 and sum(r.files for r in repaired.values()) == 1
    assert _table_counts(spark) == before
    by_batch = spark.sql(f"""SELECT _batch_id, count(*) FROM (
        SELECT _batch_id FROM {DATABASE}.erp_orders WHERE _source = '{dirty_orders}'
        UNION ALL SELECT _batch_id FROM {DATABASE}.quarantine WHERE _source = '{dirty_orders}') GROUP BY 1""").collect()
    assert {b: n for b, n in by_batch} == {"spark-batch-3": len(DIRTY_FILES[dirty_orders].strip().split("\n")) - 1}

    # 6. A corrupt Parquet file fails the run naming the file, before anything is written (also a
    # new good file of another source stays unloaded), as on the TypeScript side.
    corrupt = f"pos/store_sales/dt={DIRTY_DAY}/store_sales_20241202.parquet"
    with open(os.path.join(landing, corrupt), "wb") as handle:
        handle.write(b"PAR1 this is not a parquet file PAR1")
    shutil.copy(os.path.join(landing, dirty_orders), os.path.join(landing, dirty_orders.replace("20241201.csv", "20241202.csv")))
    with pytest.raises(LandingFileError) as failure:
        ingest_landing(spark, landing, "spark-batch-4", database=DATABASE, log=lambda _: None)
    assert corrupt in str(failure.value) and "not a readable Parquet file" in str(failure.value)
    assert _table_counts(spark) == before
    done = subprocess.run(["npx", "tsx", "server/src/cli/index.ts", "ingest", "--lakehouse-dir", workdir],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=900)
    assert done.returncode != 0 and corrupt in done.stdout + done.stderr
    print(f"\nlanding_to_bronze: first run {first_run:.1f}s over {sum(r.files for r in reports.values())} files")
    for r in reports.values():
        print(f"  {r.table:16} files {r.files:3}  read {r.read:5}  accepted {r.accepted:5}  quarantined {r.quarantined:3}")
