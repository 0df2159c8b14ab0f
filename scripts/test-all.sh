#!/usr/bin/env bash
# `npm test`: typecheck, the layer rule (.dependency-cruiser.cjs), the TypeScript suites, then the Python suites. The Python virtualenvs are
# created in the background while vitest runs (downloads overlap CPU-bound tests), which keeps a
# fresh CI machine well inside its time budget. Every suite runs even when an earlier one failed;
# the exit status is non-zero if any failed.
set -uo pipefail
cd "$(dirname "$0")/.."
prepare_log=$(mktemp)
bash scripts/test-python.sh --prepare-only >"$prepare_log" 2>&1 &
prepare=$!

status=0
npm run --silent typecheck || status=1
npm run --silent check:layers || status=1
npx vitest run || status=1

if ! wait "$prepare"; then
  echo "[test] preparing the Python virtualenvs failed:"; cat "$prepare_log"; status=1
fi
bash scripts/test-python.sh || status=1
rm -f "$prepare_log"
exit $status
