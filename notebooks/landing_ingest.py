"""Landing files → bronze Delta tables on Spark: the production counterpart of the local TypeScript
ingestion (server/src/lakehouse/ingest/, README there), used by the `landing_to_bronze` notebook and
by notebooks/tests/test_landing_to_bronze.py.

What one run does (`ingest_landing`), in two phases so that bad input fails before anything is written:

1. Plan and check, no writes: list each source's files under `<landing>/<folder>/dt=YYYY-MM-DD/`
   (the layout of server/src/lakehouse/datagen/landing-layout.ts, plus the RDS extracts Airflow
   stages as Parquet under `rds/<table>/dt=…/`), skip files the ingest log already holds (same path
   and size and mtime, or same path and SHA-256), check CSV headers and Parquet footers and
   columns, parse every record with the contract's columns and types, and count per file
   read = accepted + quarantined. A wrong header or an unreadable Parquet file raises
   `LandingFileError` naming the file, and nothing is written (as the TypeScript side).
2. Write: bronze rows (typed, with `_ingested_at`, `_source`, `_batch_id`; one Delta commit per
   table), then the quarantine rows, then one `_ingest_log` row per file, last. Delta has no
   multi-table transaction, so the log row is the commit mark: a file is "ingested" only once its
   log row exists. Before writing, rows of the files being loaded whose (`_source`, `_batch_id`)
   has no log row are leftovers of an interrupted run and are deleted, so a rerun (same or new
   batch id) neither loses nor duplicates rows.

Records are parsed as text first, one line per record (CSV through `from_csv`, JSON lines through
`from_json`, both in PERMISSIVE mode with a corrupt-record column), then cast to the contract types,
so that a quarantine reason names the column and the value (`birth_date: cannot parse '03/07/1988'
as DATE`), worded as the TypeScript loaders word theirs (server/src/lakehouse/ingest/README.md). A CSV
line with an unterminated or misplaced quote, or the wrong number of fields, is a malformed record;
a JSON field whose JSON type does not fit its column (a number where the contract has a string) is
quarantined (`state: expected a JSON string, got number 12`), never coerced to text.
"""
from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass, field

# --------------------------------------------------------------------------------------------------
# The contract (server/src/lakehouse/datagen/landing-layout.ts and rds/rds-tables.ts; bronze types
# as server/src/lakehouse/ingest/bronze-tables.ts writes them). Type names are DuckDB's, as in the
# TypeScript code and in quarantine reasons; SPARK_TYPES maps them.

TS = "TIMESTAMP"
MONEY = "DECIMAL(18,2)"
SPARK_TYPES = {"VARCHAR": "STRING", "INTEGER": "INT", "DATE": "DATE", TS: "TIMESTAMP", MONEY: "DECIMAL(18,2)"}


@dataclass(frozen=True)
class Source:
    """One landing source: bronze table, folder under the landing root, file name prefix and format,
    columns in file order with their (DuckDB) types, and the columns a record cannot lack."""

    table: str
    folder: str
    prefix: str
    format: str  # csv | json | parquet
    columns: tuple[tuple[str, str], ...]
    required: tuple[str, ...]

    @property
    def extension(self) -> str:
        return self.format


def _cols(*pairs: str) -> tuple[tuple[str, str], ...]:
    return tuple((p.split(":")[0], p.split(":", 1)[1]) for p in pairs)


LANDING_SOURCES: tuple[Source, ...] = (
    Source("erp_orders", "erp/orders", "orders", "csv", _cols(
        "order_id:VARCHAR", "customer_id:VARCHAR", "channel:VARCHAR", "store_id:VARCHAR", f"order_ts:{TS}",
        "status:VARCHAR", f"order_discount:{MONEY}", "campaign_id:VARCHAR", "utm_source:VARCHAR", "utm_medium:VARCHAR",
        "utm_campaign:VARCHAR", f"updated_at:{TS}"), ("order_id",)),
    Source("erp_order_lines", "erp/order_lines", "order_lines", "csv", _cols(
        "order_id:VARCHAR", "line_no:INTEGER", "product_id:VARCHAR", "quantity:INTEGER", f"unit_price:{MONEY}",
        f"line_discount:{MONEY}", f"updated_at:{TS}"), ("order_id", "line_no")),
    Source("pos_store_sales", "pos/store_sales", "store_sales", "parquet", _cols(
        "receipt_id:VARCHAR", "line_no:INTEGER", "store_id:VARCHAR", f"sold_at:{TS}", "product_id:VARCHAR",
        "quantity:INTEGER", f"unit_price:{MONEY}", f"discount:{MONEY}", "customer_id:VARCHAR", "payment_method:VARCHAR"),
        ("receipt_id", "line_no")),
    Source("crm_customers", "crm/customers", "customers", "json", _cols(
        "customer_id:VARCHAR", "name:VARCHAR", "email:VARCHAR", "city:VARCHAR", "state:VARCHAR",
        "segment:VARCHAR", "birth_date:DATE", "signup_date:DATE", f"updated_at:{TS}"), ("customer_id",)),
    Source("products", "catalog/products", "products", "csv", _cols(
        "product_id:VARCHAR", "name:VARCHAR", "category:VARCHAR", "subcategory:VARCHAR", "brand:VARCHAR",
        f"list_price:{MONEY}", f"updated_at:{TS}"), ("product_id",)),
    Source("stores", "catalog/stores", "stores", "csv", _cols(
        "store_id:VARCHAR", "name:VARCHAR", "store_type:VARCHAR", "city:VARCHAR", "state:VARCHAR",
        "region:VARCHAR", "opened_at:DATE", f"updated_at:{TS}"), ("store_id",)),
    Source("campaigns", "marketing/campaigns", "campaigns", "csv", _cols(
        "campaign_id:VARCHAR", "name:VARCHAR", "utm_source:VARCHAR", "utm_medium:VARCHAR",
        "utm_campaign:VARCHAR", "start_date:DATE", "end_date:DATE", f"updated_at:{TS}"), ("campaign_id",)),
)

# RDS tables as airflow/dags/batch_ingestion.py stages them: SqlToS3Operator writes each day's
# `updated_at` interval to `rds/<table>/dt=<ds>/<table>_<ds_nodash>.parquet` (pandas → Parquet).
RDS_SOURCES: tuple[Source, ...] = (
    Source("order_status", "rds/order_status", "order_status", "parquet", _cols(
        "order_id:VARCHAR", "status:VARCHAR", f"updated_at:{TS}"), ("order_id",)),
    Source("returns", "rds/returns", "returns", "parquet", _cols(
        "return_id:VARCHAR", "source_system:VARCHAR", "order_id:VARCHAR", "line_no:INTEGER", "quantity:INTEGER",
        f"refund_amount:{MONEY}", f"refunded_at:{TS}", f"updated_at:{TS}"), ("return_id",)),
)

SOURCES: tuple[Source, ...] = LANDING_SOURCES + RDS_SOURCES

LINEAGE_DDL = "_ingested_at TIMESTAMP, _source STRING, _batch_id STRING"
QUARANTINE_DDL = "_source STRING, _batch_id STRING, _ingested_at TIMESTAMP, line_no BIGINT, reason STRING, raw STRING"
INGEST_LOG_DDL = ("batch_id STRING, target_table STRING, path STRING, size BIGINT, mtime_ms BIGINT, checksum STRING, "
                  "watermark STRING, rows_read BIGINT, rows_accepted BIGINT, rows_quarantined BIGINT, ingested_at TIMESTAMP")

# What a text value must look like to be cast: a cast alone is lax (Spark reads '2024' as a
# timestamp and truncates '1.5' to the integer 1; DuckDB rounds '3.7' to 4), and a value that does
# not fit is quarantined, not coerced. server/src/lakehouse/ingest/text-value-sql.ts checks the same shapes.
_TEXT_SHAPES = {
    "INTEGER": r"^\s*[+-]?[0-9]+\s*$",
    "DATE": r"^\s*[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}\s*$",
    TS: r"^\s*[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([T ][0-9]{1,2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,9})?)?)?\s*(Z|[+-][0-9]{2}(:?[0-9]{2})?)?\s*$",
    MONEY: r"^\s*[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)\s*$",
}
_CORRUPT = "_corrupt_record"
# One CSV field (RFC 4180): quoted with "" for a quote inside, or unquoted without quotes or commas.
# Possessive quantifiers keep Java's regex from backtracking (or recursing deeply) on long lines.
_CSV_QUOTED = '"(?:[^"]|"")*+"'
_CSV_LINE = f'^(?:{_CSV_QUOTED}|[^",]*+)(?:,(?:{_CSV_QUOTED}|[^",]*+))*+$'
# The JSON types a field may hold per contract type (JSON null stands for a missing value), and how
# the reason words the expectation; as server/src/lakehouse/ingest/text-value-sql.ts.
_JSON_KINDS = {"INTEGER": ({"integer"}, "a JSON integer"), MONEY: ({"integer", "number"}, "a JSON number")}
_JSON_TEXT = ({"string"}, "a JSON string")


class LandingFileError(ValueError):
    """Bad input in one landing file (wrong CSV header, unreadable Parquet, missing column): the
    message starts with the file's path relative to the landing root; nothing was written."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}. Nothing was ingested; fix or replace the file and rerun.")
        self.path = path


@dataclass
class LandingFile:
    """A file not ingested yet, with what the ingest log will remember of it."""

    uri: str  # as Spark reports it in _metadata.file_path
    path: str  # relative to the landing root: the bronze _source
    size: int
    mtime_ms: int
    checksum: str
    # Parquet only, from the footer: column name → Parquet type as parquet-mr prints it.
    parquet_columns: dict[str, str] = field(default_factory=dict)
    read: int = 0
    accepted: int = 0
    quarantined: int = 0


@dataclass
class SourceReport:
    """Counts of one source in one run; read = accepted + quarantined always holds."""

    table: str
    files: int = 0
    skipped_files: int = 0
    read: int = 0
    accepted: int = 0
    quarantined: int = 0


@dataclass
class _Plan:
    source: Source
    files: list[LandingFile] = field(default_factory=list)
    skipped: int = 0
    records: object = None  # persisted DataFrame: typed columns + _source, _line_no, _raw, _reason


def new_batch_id() -> str:
    """`b<yyyymmddhhmmss>-<6 hex>`, the shape the TypeScript ingestion uses."""
    return f"b{dt.datetime.now(dt.timezone.utc):%Y%m%d%H%M%S}-{secrets.token_hex(3)}"


def ensure_bronze_tables(spark, database: str = "bronze") -> None:
    """Creates the bronze database, the tables of every source, quarantine and the ingest log when
    missing (same columns as bronze-tables.ts)."""
    spark.sql(f"CREATE DATABASE IF NOT EXISTS {database}")
    for source in SOURCES:
        columns = ", ".join(f"{name} {SPARK_TYPES[t]}" for name, t in source.columns)
        spark.sql(f"CREATE TABLE IF NOT EXISTS {database}.{source.table} ({columns}, {LINEAGE_DDL}) USING DELTA")
    spark.sql(f"CREATE TABLE IF NOT EXISTS {database}.quarantine ({QUARANTINE_DDL}) USING DELTA")
    spark.sql(f"CREATE TABLE IF NOT EXISTS {database}._ingest_log ({INGEST_LOG_DDL}) USING DELTA")


def ingest_landing(spark, landing_root: str, batch_id: str | None = None, *, ds: str | None = None,
                   tables: list[str] | None = None, database: str = "bronze", log=print) -> list[SourceReport]:
    """Ingests the new files of every source under `landing_root` (local path, `file:`, `s3://`,
    `dbfs:` …) into `<database>.*` as batch `batch_id`; see the module doc. `ds` (YYYY-MM-DD) limits
    the run to partitions `dt <= ds`, so a backfill does not load later days while files that
    arrived late for earlier days are still picked up. Returns one report per source."""
    batch_id = batch_id or new_batch_id()
    sources = [s for s in SOURCES if tables is None or s.table in tables]
    # Naive timestamps in the files are wall-clock UTC (DuckDB reads them so); Airflow's pandas
    # Parquet stores timestamps in nanoseconds, which Spark reads only as longs.
    saved = {k: spark.conf.get(k, None) for k in ("spark.sql.session.timeZone", "spark.sql.legacy.parquet.nanosAsLong")}
    spark.conf.set("spark.sql.session.timeZone", "UTC")
    spark.conf.set("spark.sql.legacy.parquet.nanosAsLong", "true")
    plans: list[_Plan] = []
    try:
        ensure_bronze_tables(spark, database)
        ingested_at = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
        fs, root_path = _landing_fs(spark, landing_root)
        logged = _logged_files(spark, database)
        for source in sources:
            plan = _Plan(source)
            plan.files, plan.skipped = _find_new_files(spark, fs, root_path, source, ds, logged.get(source.table, {}))
            plans.append(plan)
        # Phase 1: every check that can fail on bad input, before the first write; cheap checks
        # (CSV headers, Parquet footers) of every source first.
        for plan in plans:
            _check_files(spark, fs, plan)
        for plan in plans:
            if plan.files:
                log(f"{plan.source.table}: parsing {len(plan.files)} new file(s)")
                plan.records = _parse(spark, plan.source, plan.files)
                _count(plan)
        # Phase 2: leftovers of an interrupted run out, then bronze per source, quarantine, and last
        # the log rows that mark the files done.
        loading = [plan for plan in plans if plan.files]
        if loading:
            _remove_leftovers(spark, database, loading, logged)
            _write(spark, database, loading, batch_id, ingested_at)
        reports = []
        for plan in plans:
            report = SourceReport(plan.source.table, len(plan.files), plan.skipped,
                                  sum(f.read for f in plan.files), sum(f.accepted for f in plan.files),
                                  sum(f.quarantined for f in plan.files))
            log(f"{report.table}: {report.files} file(s), {report.skipped_files} skipped, read {report.read}, "
                f"accepted {report.accepted}, quarantined {report.quarantined}")
            reports.append(report)
        return reports
    finally:
        for plan in plans:
            if plan.records is not None:
                plan.records.unpersist()
        for key, value in saved.items():
            if value is None:
                spark.conf.unset(key)
            else:
                spark.conf.set(key, value)


# --------------------------------------------------------------------------------------------------
# Listing and idempotency

def _jvm(spark):
    return spark.sparkContext._jvm


def _landing_fs(spark, landing_root: str):
    jvm = _jvm(spark)
    root = jvm.org.apache.hadoop.fs.Path(landing_root)
    fs = root.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
    if not fs.exists(root):
        raise FileNotFoundError(f"Landing folder {landing_root} does not exist")
    return fs, fs.makeQualified(root).toUri().getPath().rstrip("/")


def _logged_files(spark, database: str) -> dict[str, dict[str, list[tuple[int, int, str, str]]]]:
    """target_table → path → [(size, mtime_ms, checksum, batch_id)] of every file already ingested."""
    known: dict[str, dict[str, list[tuple[int, int, str, str]]]] = {}
    rows = spark.sql(f"SELECT target_table, path, size, mtime_ms, checksum, batch_id FROM {database}._ingest_log "
                     "WHERE checksum IS NOT NULL").collect()
    for table, path, size, mtime, checksum, batch in rows:
        known.setdefault(table, {}).setdefault(path, []).append((size, mtime, checksum, batch))
    return known


def _find_new_files(spark, fs, root_path: str, source: Source, ds: str | None, known) -> tuple[list[LandingFile], int]:
    """The source's files in partition then name order that the log does not know: known means same
    path with the same size and mtime (no read needed) or the same SHA-256 (rewritten, unchanged).
    A changed file is ingested again as a new version (bronze is append-only)."""
    jvm = _jvm(spark)
    name_pattern = re.compile(rf"^{re.escape(source.prefix)}_\d{{8}}\.{source.extension}$")
    pattern = fs.makeQualified(jvm.org.apache.hadoop.fs.Path(f"{root_path}/{source.folder}/dt=*/{source.prefix}_*.{source.extension}"))
    found = []
    for status in fs.globStatus(pattern) or []:
        uri = status.getPath().toUri()
        path, uri = uri.getPath()[len(root_path) + 1:], uri.toString()
        partition, name = path.split("/")[-2:]
        if not status.isFile() or not name_pattern.match(name) or not re.match(r"^dt=\d{4}-\d{2}-\d{2}$", partition):
            continue
        if ds and partition[3:] > ds:
            continue
        found.append((partition, name, uri, path, status))
    files, skipped = [], 0
    for _, _, uri, path, status in sorted(found):
        size, mtime = int(status.getLen()), int(status.getModificationTime())
        versions = known.get(path, [])
        if any(s == size and m == mtime for s, m, _, _ in versions):
            skipped += 1
            continue
        stream = fs.open(status.getPath())
        try:
            checksum = jvm.org.apache.commons.codec.digest.DigestUtils.sha256Hex(stream)
        finally:
            stream.close()
        if any(c == checksum for _, _, c, _ in versions):
            skipped += 1
            continue
        files.append(LandingFile(uri, path, size, mtime, checksum))
    return files, skipped


# --------------------------------------------------------------------------------------------------
# Parsing: every record becomes one row with the typed columns, or a reason

def _check_files(spark, fs, plan: _Plan) -> None:
    """CSV: the header line must be the contract's columns. Parquet: the footer must read (its row
    count is the records read) and hold every contract column. Either failure names the file."""
    jvm = _jvm(spark)
    expected = [name for name, _ in plan.source.columns]
    for f in plan.files:
        if plan.source.format == "csv":
            reader = jvm.java.io.BufferedReader(jvm.java.io.InputStreamReader(fs.open(jvm.org.apache.hadoop.fs.Path(f.uri)), "UTF-8"))
            try:
                header = (reader.readLine() or "").lstrip("\ufeff")
            finally:
                reader.close()
            found = [h.strip().strip('"') for h in header.split(",")]
            if found != expected:
                missing = [c for c in expected if c not in found]
                extra = [c for c in found if c not in expected]
                raise LandingFileError(f.path, f"line 1: CSV header does not match {plan.source.table}: expected "
                                       f"{','.join(expected)}; found {','.join(found)}"
                                       + (f" (missing: {', '.join(missing)})" if missing else "")
                                       + (f" (unexpected: {', '.join(extra)})" if extra else ""))
        elif plan.source.format == "parquet":
            try:
                reader = jvm.org.apache.parquet.hadoop.ParquetFileReader.open(jvm.org.apache.parquet.hadoop.util.HadoopInputFile.fromPath(
                    jvm.org.apache.hadoop.fs.Path(f.uri), spark.sparkContext._jsc.hadoopConfiguration()))
                try:
                    f.read = int(reader.getRecordCount())
                    schema = reader.getFooter().getFileMetaData().getSchema()
                finally:
                    reader.close()
            except Exception as error:  # py4j wraps the Java exception; keep its first line
                raise LandingFileError(f.path, f"not a readable Parquet file ({_first_line(error)})") from error
            f.parquet_columns = {schema.getType(i).getName(): schema.getType(i).toString() for i in range(schema.getFieldCount())}
            missing = [c for c in expected if c not in f.parquet_columns]
            if missing:
                raise LandingFileError(f.path, f"Parquet file lacks column(s) {', '.join(missing)} of {plan.source.table}")


def _parse(spark, source: Source, files: list[LandingFile]):
    from pyspark import StorageLevel

    if source.format == "parquet":
        records = _parse_parquet(spark, source, files)
    else:
        records = _parse_text(spark, source, files)
    return records.persist(StorageLevel.MEMORY_AND_DISK)


def _file_names(spark, files: list[LandingFile]):
    """uri → relative path, to be joined on Spark's `_metadata.file_path`."""
    from pyspark.sql import functions as F

    return F.broadcast(spark.createDataFrame([(f.uri, f.path) for f in files], "_uri STRING, _source STRING"))


def _parse_text(spark, source: Source, files: list[LandingFile]):
    """CSV and JSON lines: numbered lines (1-based, in file order; blank lines dropped after
    numbering, the CSV header skipped), each record parsed as text with the contract's columns,
    then typed."""
    from pyspark.sql import Window, functions as F

    lines = (spark.read.text([f.uri for f in files])
             .select("value", F.col("_metadata.file_path").alias("_uri"),
                     F.col("_metadata.file_block_start").alias("_block"), F.monotonically_increasing_id().alias("_seq"))
             .withColumn("_line_no", F.row_number().over(Window.partitionBy("_uri").orderBy("_block", "_seq")))
             .join(_file_names(spark, files), "_uri")
             .withColumn("value", F.when(F.col("_line_no") == 1, F.regexp_replace("value", "^\ufeff", "")).otherwise(F.col("value")))
             .where(F.col("value") != ""))
    if source.format == "csv":
        lines = lines.where("_line_no > 1")
    names = [name for name, _ in source.columns]
    text_schema = ", ".join(f"`{n}` STRING" for n in names) + f", {_CORRUPT} STRING"
    options = {"mode": "PERMISSIVE", "columnNameOfCorruptRecord": _CORRUPT}
    if source.format == "csv":
        parsed = F.from_csv("value", text_schema, {**options, "sep": ",", "quote": '"', "escape": '"'})
        # Fields = commas outside quoted fields + 1, counted once the line is known well formed.
        found = F.size(F.split(F.regexp_replace("value", _CSV_QUOTED, ""), ",", -1))
        malformed = (F.when(~F.col("value").rlike(_CSV_LINE), F.lit("malformed CSV record: unterminated or misplaced quote"))
                     .when(found != len(names), F.concat(F.lit(f"malformed CSV record: expected {len(names)} fields, found "),
                                                         found.cast("string")))
                     .when(F.col(f"_p.{_CORRUPT}").isNotNull(), F.lit(f"malformed CSV record: expected {len(names)} fields")))
        # DuckDB reads an empty CSV field, quoted or not, as NULL.
        value = lambda n: F.expr(f"nullif(_p.`{n}`, '')")  # noqa: E731
        type_problems = F.lit(None).cast("array<string>")
    else:
        parsed = F.from_json("value", text_schema, options)
        type_problems = _json_type_problems(source)("value")
        malformed = F.when(F.col("_p").isNull() | F.col(f"_p.{_CORRUPT}").isNotNull() | type_problems.isNull(),
                           F.lit("not a JSON object"))
        value = lambda n: F.col(f"_p.`{n}`")  # noqa: E731
    records = lines.withColumn("_p", parsed).select(
        "_source", "_line_no", F.col("value").alias("_raw"), malformed.alias("_malformed"),
        type_problems.alias("_type_problems"), *[value(n).alias(n) for n in names])
    return _typed(records, source, text=True)


def _json_type_problems(source: Source):
    """A UDF over a JSON line: per contract column, why the field's JSON type does not fit the
    column (`state: expected a JSON string, got number 12`) or None; None for a line that is not a
    JSON object. Spark's `from_json` turns a number or an object read into a STRING field into its
    text, so the types are read here, with Python's own JSON parser."""
    import json

    from pyspark.sql import functions as F

    expected = [(name, *_JSON_KINDS.get(duck_type, _JSON_TEXT)) for name, duck_type in source.columns]

    def kind(value) -> str:
        if isinstance(value, bool):
            return "boolean"
        if isinstance(value, int):
            return "integer"
        if isinstance(value, float):
            return "number"
        return {str: "string", dict: "object", list: "array"}[type(value)]

    def problems(line: str):
        try:
            record = json.loads(line)
        except ValueError:
            return None
        if not isinstance(record, dict):
            return None
        out = []
        for name, kinds, wording in expected:
            value = record.get(name)
            if value is None or kind(value) in kinds:
                out.append(None)
            else:
                text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
                out.append(f"{name}: expected {wording}, got {kind(value).replace('integer', 'number')} {text}")
        return out

    return F.udf(problems, "array<string>")


def _parse_parquet(spark, source: Source, files: list[LandingFile]):
    """Parquet (footers already read by `_check_files`): files grouped by physical schema (pandas
    writes an INT column holding NULLs as DOUBLE, so days differ), each group read in one scan and
    cast to the contract types. Nanosecond timestamps (pandas) arrive as longs and are converted."""
    from functools import reduce

    from pyspark.sql import functions as F

    expected = [name for name, _ in source.columns]
    groups: dict[str, list[LandingFile]] = {}
    for f in files:
        if f.read > 0:  # an empty day's RDS extract has nothing to read (and may have typeless columns)
            groups.setdefault("|".join(f.parquet_columns[c] for c in expected), []).append(f)
    parts = []
    for group in groups.values():
        frame = (spark.read.parquet(*[f.uri for f in group])
                 .select(*[F.col(f"`{c}`") for c in expected], F.col("_metadata.file_path").alias("_uri"),
                         (F.col("_metadata.row_index") + 1).alias("_line_no"))
                 .join(_file_names(spark, group), "_uri"))
        for c in expected:
            if "TIMESTAMP(NANOS" in group[0].parquet_columns[c]:
                frame = frame.withColumn(c, F.expr(f"timestamp_micros(CAST(floor(`{c}` / 1000) AS BIGINT))"))
        parts.append(frame.withColumn("_raw", F.to_json(F.struct(*expected))).withColumn("_malformed", F.lit(None).cast("string"))
                     .withColumn("_type_problems", F.lit(None).cast("array<string>")))
    if not parts:
        return spark.createDataFrame([], _empty_schema(source))
    return reduce(lambda a, b: a.unionByName(b), [_typed(p, source, text=False) for p in parts])


def _empty_schema(source: Source) -> str:
    typed = ", ".join(f"`{n}` {SPARK_TYPES[t]}" for n, t in source.columns)
    return f"{typed}, _source STRING, _line_no BIGINT, _raw STRING, _reason STRING"


def _typed(records, source: Source, text: bool):
    """Adds the typed columns and `_reason`: missing required fields, then per column its JSON type
    problem (`_type_problems`) or a value that does not parse as its type (text must also have the
    type's shape, as text-value-sql.ts checks; a number read from Parquet must survive the cast to
    INT unchanged), joined by '; ' — the TypeScript wording."""
    from pyspark.sql import functions as F

    dtypes = dict(records.dtypes)
    typed, problems = [], []
    for i, (name, duck_type) in enumerate(source.columns):
        type_problem = F.col("_type_problems")[i]
        spark_type = SPARK_TYPES[duck_type]
        raw = F.col(f"`{name}`")
        if spark_type == "STRING":
            value = raw.cast("string")
            bad = F.lit(False)
        else:
            value = F.expr(f"try_cast(`{name}` AS {spark_type})")
            if text:
                value = F.when(raw.rlike(_TEXT_SHAPES[duck_type]), value)
            bad = raw.isNotNull() & value.isNull()
            if not text and duck_type == "INTEGER" and (dtypes[name] in ("double", "float") or dtypes[name].startswith("decimal")):
                bad = bad | (raw.isNotNull() & (value.cast("double") != raw.cast("double")))
        typed.append(value.alias(name))
        problems.append(F.coalesce(type_problem, F.when(bad, F.concat(F.lit(f"{name}: cannot parse '"), raw.cast("string"),
                                                                      F.lit(f"' as {duck_type}")))))
    missing = [F.when(F.col(f"`{c}`").isNull(), F.lit(c)) for c in source.required]
    missing_reason = F.when(F.concat_ws(", ", *missing) != "", F.concat(F.lit("missing required field "), F.concat_ws(", ", *missing)))
    problems_text = F.concat_ws("; ", missing_reason, *problems)
    reason = F.coalesce(F.col("_malformed"), F.when(problems_text != "", problems_text))
    return records.select(*typed, "_source", F.col("_line_no").cast("bigint").alias("_line_no"), "_raw", reason.alias("_reason"))


def _first_line(error: Exception) -> str:
    text = str(getattr(error, "java_exception", None) or error)
    return text.strip().split("\n")[0][:300]


# --------------------------------------------------------------------------------------------------
# Counting and writing

def _count(plan: _Plan) -> None:
    """Accepted and quarantined per file; text files' records read are their record lines, Parquet's
    come from the footer, and read must equal accepted + quarantined."""
    from pyspark.sql import functions as F

    try:
        rows = (plan.records.groupBy("_source")
                .agg(F.count(F.lit(1)), F.count(F.when(F.col("_reason").isNull(), 1)), F.count("_reason")).collect())
    except Exception as error:
        if plan.source.format == "parquet":
            _find_unreadable_parquet(plan, error)
        raise
    counts = {path: (total, accepted, quarantined) for path, total, accepted, quarantined in rows}
    for f in plan.files:
        total, f.accepted, f.quarantined = counts.get(f.path, (0, 0, 0))
        if plan.source.format != "parquet":
            f.read = total
        if f.read != f.accepted + f.quarantined:
            raise RuntimeError(f"Reconciliation failed for {f.path}: read {f.read}, accepted {f.accepted}, "
                               f"quarantined {f.quarantined}")


def _find_unreadable_parquet(plan: _Plan, cause: Exception) -> None:
    """A footer that reads but data pages that do not: name the first file that fails on its own."""
    spark = plan.records.sparkSession
    for f in plan.files:
        if f.read == 0:
            continue
        try:
            spark.read.parquet(f.uri).foreach(lambda _: None)
        except Exception as error:
            raise LandingFileError(f.path, f"not a readable Parquet file ({_first_line(error)})") from cause


def _sql_string(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _remove_leftovers(spark, database: str, plans: list[_Plan], logged) -> None:
    """Deletes rows of the files about to be loaded that an interrupted run wrote without logging
    them: (file, batch) pairs in bronze or quarantine that the ingest log does not hold. One query
    for all tables; the filter on `_source` lets Delta skip data files by their statistics."""
    scans = []
    for plan in plans:
        paths = ", ".join(_sql_string(f.path) for f in plan.files)
        for table in (plan.source.table, "quarantine"):
            scans.append(f"SELECT DISTINCT {_sql_string(plan.source.table)} AS t, '{table}' AS target, _source, _batch_id "
                         f"FROM {database}.{table} WHERE _source IN ({paths})")
    found = spark.sql(" UNION ALL ".join(scans)).collect()
    committed = {(table, path, version[3]) for table, by_path in logged.items() for path, versions in by_path.items()
                 for version in versions}
    leftovers: dict[str, list[tuple[str, str]]] = {}
    for table, target, path, batch in found:
        if (table, path, batch) not in committed:
            leftovers.setdefault(target, []).append((path, batch))
    for target, pairs in leftovers.items():
        condition = " OR ".join(f"(_source = {_sql_string(p)} AND _batch_id = {_sql_string(b)})" for p, b in sorted(set(pairs)))
        spark.sql(f"DELETE FROM {database}.{target} WHERE {condition}")


def _write(spark, database: str, plans: list[_Plan], batch_id: str, ingested_at: str) -> None:
    """One Delta commit per bronze table, one for the quarantine, one for the log rows (last)."""
    from functools import reduce

    from pyspark.sql import functions as F

    stamp = F.expr(f"TIMESTAMP '{ingested_at}'")
    for plan in plans:
        if sum(f.accepted for f in plan.files):
            names = [name for name, _ in plan.source.columns]
            (plan.records.where("_reason IS NULL")
             .select(*names, stamp.alias("_ingested_at"), "_source", F.lit(batch_id).alias("_batch_id"))
             .write.insertInto(f"{database}.{plan.source.table}"))
    rejected = [plan.records.where("_reason IS NOT NULL").select(
        "_source", F.lit(batch_id).alias("_batch_id"), stamp.alias("_ingested_at"), F.col("_line_no").alias("line_no"),
        F.col("_reason").alias("reason"), F.col("_raw").alias("raw"))
        for plan in plans if sum(f.quarantined for f in plan.files)]
    if rejected:
        reduce(lambda a, b: a.unionByName(b), rejected).write.insertInto(f"{database}.quarantine")
    log_rows = [(batch_id, plan.source.table, f.path, f.size, f.mtime_ms, f.checksum, None, f.read, f.accepted,
                 f.quarantined) for plan in plans for f in plan.files]
    log_schema = INGEST_LOG_DDL.rsplit(",", 1)[0]  # all but ingested_at, stamped in SQL as the rows are
    (spark.createDataFrame(log_rows, log_schema).withColumn("ingested_at", stamp)
     .write.insertInto(f"{database}._ingest_log"))
