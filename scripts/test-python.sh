#!/usr/bin/env bash
# Python suites: Spark parity (notebooks/sql on Spark + Delta vs DuckDB) and Airflow DAG integrity.
# Creates the pinned virtualenv on first run, so `npm test` is the only command a newcomer needs.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv
REQ=requirements-dev.txt
if [ ! -x "$VENV/bin/python" ] || ! cmp -s "$REQ" "$VENV/.requirements"; then
  echo "[test-python] creating virtualenv from $REQ (first run only)"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$REQ"
  cp "$REQ" "$VENV/.requirements"
fi
exec "$VENV/bin/python" -m pytest -q notebooks/tests airflow/tests "$@"
