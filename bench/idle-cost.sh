#!/usr/bin/env bash
# Idle cost of `npm start` (issue 11): CPU time of the server's node process per wall minute, and
# its RSS, after a warm-up. Usage:
#   bench/idle-cost.sh <lakehouse-dir> [warm-up seconds=60] [minutes=5] [events/s=0]
# The lakehouse is built on first start when absent (default scale). Ports are picked free; the
# server is stopped (SIGTERM to its process group) at the end. Linux only (/proc).
set -euo pipefail
LAKE=$1; WARM=${2:-60}; MINUTES=${3:-5}; RATE=${4:-0}
cd "$(dirname "$0")/.."
free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
PORT=$(free_port); SQL_PORT=$(free_port); LOG=$(mktemp)
LAKEHOUSE_DIR=$LAKE PORT=$PORT CUBEJS_PG_SQL_PORT=$SQL_PORT CUBEJS_DEV_MODE=true LAKEHOUSE_STREAM_RATE=$RATE \
  setsid npm start > "$LOG" 2>&1 &
NPM=$!
trap 'kill -TERM -- -$NPM 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do curl -sf "localhost:$PORT/readyz" > /dev/null && break; sleep 1; done
NODE=$(pgrep -g "$NPM" -f 'server/src/main.ts' | while read -r p; do [ "$(cat /proc/$p/comm)" = node ] && grep -q -- '--import' /proc/$p/cmdline && echo "$p"; done | tail -1)
echo "server node pid $NODE, producer $RATE events/s, warm-up ${WARM}s"
sleep "$WARM"
TICKS=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' "/proc/$NODE/stat"; }
C0=$(cpu); T0=$(date +%s.%N)
for m in $(seq 1 "$MINUTES"); do
  sleep 60
  C=$(cpu); T=$(date +%s.%N)
  echo "minute $m: $(echo "scale=2; 100 * ($C - $C0) / $TICKS / ($T - $T0)" | bc) % of a core, RSS $(awk '/VmRSS/{print $2}' "/proc/$NODE/status") kB"
  C0=$C; T0=$T
done
curl -s "localhost:$PORT/metrics" | grep -E '^stream_(consumer_lag_seconds|ready|records_read_total)'
echo "error lines in the server log: $(grep -c '"level":[56]0' "$LOG" || true)"
