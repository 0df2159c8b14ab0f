#!/usr/bin/env bash
# Spark parity: runs notebooks/sql on a local SparkSession with Delta and on DuckDB over the same
# bronze input, then compares every gold table; over that gold, the Databricks dialect conformance
# suite (test_dialect_conformance.py) runs the engine's Databricks SQL on Spark against its DuckDB SQL
# on DuckDB. The virtualenv is created on first run.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib-venv.sh
ensure_venv .venv-spark notebooks/requirements-test.txt
[ "${1:-}" = --prepare-only ] && exit 0
# Exit code 5 (no tests collected) is a failure here: the parity suite must exist and run.
.venv-spark/bin/python -m pytest -q notebooks/tests "$@"
