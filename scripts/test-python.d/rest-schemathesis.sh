#!/usr/bin/env bash
# Schemathesis against the running server: generated requests for every operation of the REST
# OpenAPI document (server/src/api/rest/openapi.yaml, served at /cubejs-api/v1/openapi.json) and
# for the GraphQL schema; no response may be a 5xx, REST answers must conform to the document.
# Starts the gold fixture server with tsx, runs pytest, stops it. SCHEMATHESIS_MAX_EXAMPLES sets the
# examples per operation (25 here, about a minute; 60+ by hand for a deeper run).
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib-venv.sh
venv=.venv/rest-schemathesis
ensure_venv "$venv" server/test/api/schemathesis/requirements.txt
[ "${1:-}" = --prepare-only ] && exit 0
info=$(mktemp -d)/info.json
node --import tsx server/test/api/support/serve-rest-fixture.ts "$info" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do [ -s "$info" ] && break; sleep 1; done
[ -s "$info" ] || { echo "[rest-schemathesis] fixture did not start"; exit 1; }
REST_FIXTURE_INFO="$info" SCHEMATHESIS_MAX_EXAMPLES="${SCHEMATHESIS_MAX_EXAMPLES:-25}" \
  "$venv/bin/python" -m pytest -q -p no:cacheprovider server/test/api/schemathesis "$@"
