"""Schemathesis over the REST API's OpenAPI document (served at /cubejs-api/v1/openapi.json).

Every documented operation gets generated requests, schema-valid and invalid, against the real
server started by scripts/test-python.d/rest-schemathesis.sh. Each response must not be a 5xx and
must conform to the document: documented status code, content type, response schema and headers;
invalid input must be refused. The server's address and a valid token come from the JSON file
named by REST_FIXTURE_INFO; SCHEMATHESIS_MAX_EXAMPLES sets the examples per operation.

Three of schemathesis's default checks assert conventions that Cube's API does not follow, so
they are left out, on purpose:
- missing_required_header: a request without a token is 403 (Cube's gateway), not 401;
- positive_data_acceptance: a schema-valid query can still be refused (400), since the schema
  cannot say which member names exist or that a query must select at least one member;
- unsupported_method: an undeclared method (TRACE /livez) is our 404 with Cube's error body,
  not 405.
A fourth, negative_data_rejection, is kept for the query endpoints but not for routes that, like
Cube's /meta and any health probe, ignore query parameters they do not know; among the refusals it
accepts are 413/415 (bodies) and 431, Node's answer to a request line past 16 KB.
"""
import json
import os

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import missing_required_header, negative_data_rejection, positive_data_acceptance, unsupported_method

INFO = json.load(open(os.environ["REST_FIXTURE_INFO"]))
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "60"))
NOT_CUBE_CONVENTIONS = [missing_required_header, positive_data_acceptance, unsupported_method]
QUERY_ENDPOINTS = ("/cubejs-api/v1/load", "/cubejs-api/v1/sql", "/cubejs-api/v1/dry-run", "/cubejs-api/v1/explain")

REFUSALS = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429", "431"]
CONFIG = schemathesis.Config.from_dict({"checks": {"negative_data_rejection": {"expected-statuses": REFUSALS}}})

schema = schemathesis.openapi.from_url(f"{INFO['url']}/cubejs-api/v1/openapi.json", config=CONFIG)
schema.config.base_url = INFO["url"]


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_rest_api_conforms_and_never_answers_5xx(case):
    lenient = [] if case.operation.path in QUERY_ENDPOINTS else [negative_data_rejection]
    case.call_and_validate(headers={"Authorization": INFO["token"]}, excluded_checks=NOT_CUBE_CONVENTIONS + lenient)
