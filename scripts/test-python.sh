#!/usr/bin/env bash
# Python suites, each in its own pinned virtualenv created on first run, so `npm test` is the
# only command a newcomer needs. `--prepare-only` creates the virtualenvs without running tests.
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
for suite in scripts/test-python.d/*.sh; do
  [ -e "$suite" ] || continue
  echo "[test-python] $suite"
  bash "$suite" "$@" || status=1
done
exit $status
