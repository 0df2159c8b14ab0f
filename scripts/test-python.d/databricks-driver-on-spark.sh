#!/usr/bin/env bash
# Databricks driver on Spark: starts a Spark Thrift Server with Delta (scripts/lib-spark-thrift.sh:
# the pinned pyspark and delta-spark of the parity suite, HTTP transport over TLS, local[2]; its
# default session time zone America/Sao_Paulo here) and runs the suites where the real
# @databricks/sql client reaches it through the Spark bridge: the driver alone (databricks-spark.test.ts), the semantic engine with
# the Databricks dialect (databricks-engine-on-spark.test.ts) and the model's rollups built from
# Spark's gold (the notebooks' SQL run through the driver) against the same rollups built from
# DuckDB (rollups-from-spark.test.ts). Stops the server after. With --record it records the
# exchanges the fake Databricks warehouse replays instead (record-spark-exchanges.ts).
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib-venv.sh
source scripts/lib-spark-thrift.sh
ensure_venv .venv-spark notebooks/requirements-test.txt
[ "${1:-}" = --prepare-only ] && exit 0
work=$(mktemp -d)
# The server's default session time zone is not UTC, as a Databricks workspace's may not be: the
# driver must pin its sessions to UTC (the dialect assumes it), and the suites fail if it does not.
export SPARK_SESSION_TIME_ZONE=America/Sao_Paulo
# The test data is tiny: the parity suite's settings (one partition, no whole-stage code
# generation, no Delta statistics, C1-only JIT): each statement costs less to plan and run.
SPARK_THRIFT_EXTRA_CONF=(
  --conf spark.sql.shuffle.partitions=1 --conf spark.default.parallelism=1 --conf spark.sql.adaptive.enabled=false
  --conf spark.sql.codegen.wholeStage=false --conf spark.databricks.delta.stats.collect=false
  --conf spark.databricks.delta.snapshotPartitions=1 --conf spark.databricks.delta.merge.repartitionBeforeWrite.enabled=false
  --conf spark.databricks.delta.merge.materializeSource=none
  --conf spark.sql.session.timeZone="$SPARK_SESSION_TIME_ZONE"
)
SPARK_THRIFT_JAVA_OPTS="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
trap 'kill ${SPARK_THRIFT_PID:-} 2>/dev/null; wait ${SPARK_THRIFT_PID:-} 2>/dev/null || true; rm -rf "$work"' EXIT
start_spark_thrift "$work" 2g
if [ "${1:-}" = --record ]; then
  # Refresh the exchanges the fake warehouse replays (server/test/drivers/fixtures/spark-*.json).
  npx tsx server/test/drivers/record-spark-exchanges.ts "$SPARK_THRIFT_URL"
  exit 0
fi
SPARK_THRIFT_URL="$SPARK_THRIFT_URL" npx vitest run server/test/drivers/databricks-spark.test.ts \
  server/test/drivers/databricks-engine-on-spark.test.ts server/test/drivers/rollups-from-spark.test.ts
