#!/usr/bin/env bash
# SQL API with Python clients (psycopg 3, psycopg2): starts the SQL API test fixture with tsx,
# runs pytest against it, stops it. Virtualenv pinned by server/test/sql-api/requirements.txt.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib-venv.sh
venv=.venv/sql-api-clients
ensure_venv "$venv" server/test/sql-api/requirements.txt
[ "${1:-}" = --prepare-only ] && exit 0
info=$(mktemp -d)/info.json
node --import tsx server/test/sql-api/support/serve-fixture.ts "$info" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do [ -s "$info" ] && break; sleep 1; done
[ -s "$info" ] || { echo "[sql-api-clients] fixture did not start"; exit 1; }
SQL_API_INFO="$info" "$venv/bin/python" -m pytest -q server/test/sql-api/py
