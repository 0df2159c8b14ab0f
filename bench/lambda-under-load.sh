#!/usr/bin/env bash
# "Lambda = raw at every moment, under load" (issue 11): runs the lambda suite RUNS times in a row
# with BURNERS CPU-burning processes alongside, and prints how many runs passed and how many
# checkpoints each compared. Usage: bench/lambda-under-load.sh [runs=20] [burners=2]
set -uo pipefail
RUNS=${1:-20}; BURNERS=${2:-2}
cd "$(dirname "$0")/.."
PIDS=()
for _ in $(seq 1 "$BURNERS"); do node -e 'for (;;) {}' & PIDS+=($!); done
trap 'kill "${PIDS[@]}" 2>/dev/null' EXIT
PASSED=0
for run in $(seq 1 "$RUNS"); do
  START=$(date +%s)
  if LOG=$(npx vitest run server/test/stream/lambda-campaign-metrics.test.ts 2>&1); then
    PASSED=$((PASSED + 1)); VERDICT=passed
  else
    VERDICT=FAILED; KEPT=$(mktemp /tmp/lambda-run-XXXX.log); echo "$LOG" > "$KEPT"; echo "run $run's output: $KEPT"
  fi
  echo "run $run: $VERDICT in $(( $(date +%s) - START )) s, load average $(cut -d' ' -f1 /proc/loadavg)"
done
echo "$PASSED of $RUNS runs passed with $BURNERS CPU burners alongside"
[ "$PASSED" = "$RUNS" ]
