#!/usr/bin/env bash
# Databricks driver on Spark: starts a Spark Thrift Server (the pinned pyspark of the parity suite,
# HTTP transport over TLS, local[2], session time zone UTC) and runs the suites where the real
# @databricks/sql client reaches it through the Spark bridge: the driver alone
# (databricks-spark.test.ts) and the semantic engine with the Databricks dialect
# (databricks-engine-on-spark.test.ts). Stops the server after. With --record it records the
# exchanges the fake Databricks warehouse replays instead (record-spark-exchanges.ts).
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib-venv.sh
ensure_venv .venv-spark notebooks/requirements-test.txt
[ "${1:-}" = --prepare-only ] && exit 0
root=$PWD
spark_home=$(.venv-spark/bin/python -c 'import os, pyspark; print(os.path.dirname(pyspark.__file__))')
work=$(mktemp -d)
port=$(.venv-spark/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# A throwaway TLS key for the server (@databricks/sql speaks only HTTPS).
keytool -genkeypair -alias sts -keyalg RSA -keysize 2048 -validity 2 -dname CN=127.0.0.1 \
  -keystore "$work/sts.jks" -storepass changeit -keypass changeit -storetype JKS >/dev/null 2>&1
(
  cd "$work"
  exec "$spark_home/bin/spark-submit" --master 'local[2]' --driver-memory 2g --name databricks-driver-on-spark \
    --class org.apache.spark.sql.hive.thriftserver.HiveThriftServer2 \
    --conf spark.ui.enabled=false \
    --conf spark.sql.session.timeZone=UTC \
    --conf spark.sql.warehouse.dir="$work/warehouse" \
    --conf spark.driver.extraJavaOptions="-Dderby.system.home=$work" \
    --conf spark.hadoop.hive.server2.transport.mode=http \
    --conf spark.hadoop.hive.server2.thrift.bind.host=127.0.0.1 \
    --conf spark.hadoop.hive.server2.thrift.http.port="$port" \
    --conf spark.hadoop.hive.server2.thrift.http.path=cliservice \
    --conf spark.hadoop.hive.server2.use.SSL=true \
    --conf spark.hadoop.hive.server2.keystore.path="$work/sts.jks" \
    --conf spark.hadoop.hive.server2.keystore.password=changeit \
    --conf spark.hadoop.hive.server2.logging.operation.enabled=false \
    spark-internal
) >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true; rm -rf "$work"' EXIT
started=$SECONDS
until grep -q 'HiveThriftServer2 started' "$work/server.log"; do
  if ! kill -0 $server 2>/dev/null || [ $((SECONDS - started)) -gt 180 ]; then
    echo "[databricks-driver-on-spark] Spark Thrift Server did not start:"; tail -40 "$work/server.log"; exit 1
  fi
  sleep 1
done
echo "[databricks-driver-on-spark] Spark Thrift Server up in $((SECONDS - started)) s on port $port"
cd "$root"
if [ "${1:-}" = --record ]; then
  # Refresh the exchanges the fake warehouse replays (server/test/drivers/fixtures/spark-*.json).
  npx tsx server/test/drivers/record-spark-exchanges.ts "https://127.0.0.1:$port/cliservice"
  exit 0
fi
SPARK_THRIFT_URL="https://127.0.0.1:$port/cliservice" npx vitest run server/test/drivers/databricks-spark.test.ts server/test/drivers/databricks-engine-on-spark.test.ts
