# start_spark_thrift WORKDIR DRIVER_MEMORY: starts a Spark Thrift Server (HiveThriftServer2 of the
# pinned pyspark in .venv-spark, local[2], HTTP transport over TLS with a throwaway keystore,
# session time zone UTC) with Delta Lake as the parity suite configures it (delta-spark 3.2.1
# resolved by Ivy into ~/.ivy2, the DeltaSparkSessionExtension and DeltaCatalog, tables Delta by
# default, DuckDB's naive Parquet timestamps read as TIMESTAMP). Waits until it accepts
# connections; sets SPARK_THRIFT_PID and SPARK_THRIFT_URL (https://127.0.0.1:<port>/cliservice).
# The caller stops it (kill "$SPARK_THRIFT_PID"). The log is WORKDIR/server.log. More settings:
# SPARK_THRIFT_EXTRA_CONF (an array of --conf arguments), SPARK_THRIFT_JAVA_OPTS (driver JVM options).
start_spark_thrift() {
  local work=$1 memory=${2:-2g} spark_home port started
  spark_home=$(.venv-spark/bin/python -c 'import os, pyspark; print(os.path.dirname(pyspark.__file__))')
  port=$(.venv-spark/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  # A throwaway TLS key for the server (@databricks/sql speaks only HTTPS).
  keytool -genkeypair -alias sts -keyalg RSA -keysize 2048 -validity 2 -dname CN=127.0.0.1 \
    -keystore "$work/sts.jks" -storepass changeit -keypass changeit -storetype JKS >/dev/null 2>&1
  (
    cd "$work"
    exec "$spark_home/bin/spark-submit" --master 'local[2]' --driver-memory "$memory" --name spark-thrift-delta \
      --class org.apache.spark.sql.hive.thriftserver.HiveThriftServer2 \
      --packages io.delta:delta-spark_2.12:3.2.1 \
      --conf spark.sql.extensions=io.delta.sql.DeltaSparkSessionExtension \
      --conf spark.sql.catalog.spark_catalog=org.apache.spark.sql.delta.catalog.DeltaCatalog \
      --conf spark.sql.sources.default=delta \
      --conf spark.sql.legacy.createHiveTableByDefault=false \
      --conf spark.sql.parquet.inferTimestampNTZ.enabled=false \
      --conf spark.ui.enabled=false \
      --conf spark.sql.session.timeZone=UTC \
      --conf spark.sql.warehouse.dir="$work/warehouse" \
      --conf spark.driver.extraJavaOptions="-Dderby.system.home=$work -Duser.timezone=UTC ${SPARK_THRIFT_JAVA_OPTS:-}" \
      --conf spark.hadoop.hive.server2.transport.mode=http \
      --conf spark.hadoop.hive.server2.thrift.bind.host=127.0.0.1 \
      --conf spark.hadoop.hive.server2.thrift.http.port="$port" \
      --conf spark.hadoop.hive.server2.thrift.http.path=cliservice \
      --conf spark.hadoop.hive.server2.use.SSL=true \
      --conf spark.hadoop.hive.server2.keystore.path="$work/sts.jks" \
      --conf spark.hadoop.hive.server2.keystore.password=changeit \
      --conf spark.hadoop.hive.server2.logging.operation.enabled=false \
      ${SPARK_THRIFT_EXTRA_CONF[@]+"${SPARK_THRIFT_EXTRA_CONF[@]}"} \
      spark-internal
  ) >"$work/server.log" 2>&1 &
  SPARK_THRIFT_PID=$!
  started=$SECONDS
  until grep -q 'HiveThriftServer2 started' "$work/server.log"; do
    if ! kill -0 "$SPARK_THRIFT_PID" 2>/dev/null || [ $((SECONDS - started)) -gt 240 ]; then
      echo "[spark-thrift] Spark Thrift Server did not start:"; tail -40 "$work/server.log"; return 1
    fi
    sleep 1
  done
  SPARK_THRIFT_URL="https://127.0.0.1:$port/cliservice"
  echo "[spark-thrift] Spark Thrift Server (Delta) up in $((SECONDS - started)) s on port $port"
}
