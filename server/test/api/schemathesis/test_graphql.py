"""Schemathesis over the GraphQL API (/cubejs-api/graphql), from its introspected schema.

Generated queries for every root field (`cube`, `cubeCompare`), with arguments, filters and
selections built from the schema, against the real server started by
scripts/test-python.d/rest-schemathesis.sh. No response may be a 5xx or carry an error whose
`extensions.code` is INTERNAL. Schemathesis's own GraphQL validation is not used: it counts every
error raised during execution as a server error, while this API checks queries (member types,
date ranges, time zones) as it executes them and answers bad input with HTTP 400 and the error's
code. The server's address and a valid token come from the JSON file named by REST_FIXTURE_INFO.
"""
import json
import os

import schemathesis
from hypothesis import HealthCheck, settings

INFO = json.load(open(os.environ["REST_FIXTURE_INFO"]))
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "60"))
AUTH = {"Authorization": INFO["token"]}

schema = schemathesis.graphql.from_url(f"{INFO['url']}/cubejs-api/graphql", headers=AUTH)


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_graphql_never_answers_5xx(case):
    response = case.call(headers=AUTH)
    assert response.status_code < 500, response.text[:500]
    errors = response.json().get("errors") or []
    internal = [e for e in errors if (e.get("extensions") or {}).get("code") == "INTERNAL"]
    assert not internal, internal
    if response.status_code >= 400:
        assert errors and all(e.get("message") and (e.get("extensions") or {}).get("code") for e in errors), response.text[:500]
