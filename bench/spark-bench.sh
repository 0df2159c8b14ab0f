#!/usr/bin/env bash
# Starts a Spark Thrift Server with Delta (scripts/lib-spark-thrift.sh: the pinned pyspark of the
# parity suite, local[2], 3 GB driver heap), runs bench/spark-bench.ts against it for each scale
# given (default 10), and stops the server. Usage: bench/spark-bench.sh [scale ...] [-- bench args]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib-venv.sh
source scripts/lib-spark-thrift.sh
ensure_venv .venv-spark notebooks/requirements-test.txt
scales=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do scales+=("$1"); shift; done
[ "${1:-}" = -- ] && shift
[ ${#scales[@]} -eq 0 ] && scales=(10)
for scale in "${scales[@]}"; do
  work=$(mktemp -d)
  # Two cores: few shuffle partitions; the notebooks' MERGE sources are deterministic.
  SPARK_THRIFT_EXTRA_CONF=(--conf spark.sql.shuffle.partitions=4 --conf spark.databricks.delta.merge.materializeSource=none)
  start_spark_thrift "$work" 3g
  trap 'kill $SPARK_THRIFT_PID 2>/dev/null; wait $SPARK_THRIFT_PID 2>/dev/null || true; rm -rf "$work"' EXIT
  uptime
  npx tsx bench/spark-bench.ts --target "$SPARK_THRIFT_URL" --spark-pid "$SPARK_THRIFT_PID" --scale "$scale" "$@"
  uptime
  kill $SPARK_THRIFT_PID 2>/dev/null; wait $SPARK_THRIFT_PID 2>/dev/null || true; rm -rf "$work"
  trap - EXIT
done
