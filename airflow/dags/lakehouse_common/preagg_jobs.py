"""Client side of the semantic layer's pre-aggregation jobs endpoint (Cube's
`POST /cubejs-api/v1/pre-aggregations/jobs`): build the requests, sign the token, read statuses.

Cube's protocol: `{"action": "post", "selector": {...}}` answers a list of job tokens;
`{"action": "get", "tokens": [...]}` answers one status per token. "done" means built; a status
starting with "failure" or "missing" is final and failed; anything else is still running.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Iterable

JOBS_ENDPOINT = "/cubejs-api/v1/pre-aggregations/jobs"
TOKEN_TTL_SECONDS = 600


def build_token(secret: str, now: float | None = None) -> str:
    """Short-lived HS256 JWT signed with CUBEJS_API_SECRET; the `jobs` scope is what Cube requires
    for this endpoint and nothing else."""
    import jwt  # PyJWT ships with Airflow; imported lazily to keep DAG parsing fast.

    issued = int(now if now is not None else time.time())
    claims = {"iat": issued, "exp": issued + TOKEN_TTL_SECONDS, "sub": "airflow", "scope": ["jobs"]}
    return jwt.encode(claims, secret, algorithm="HS256")


def post_request(cubes: Iterable[str] = (), pre_aggregations: Iterable[str] = (),
                 timezones: Iterable[str] = ("UTC",),
                 security_contexts: Iterable[dict[str, Any]] = ({},)) -> dict[str, Any]:
    """Body asking for a build of the selected pre-aggregations (all when none are selected)."""
    selector: dict[str, Any] = {
        "contexts": [{"securityContext": context} for context in security_contexts],
        "timezones": list(timezones),
    }
    if cubes:
        selector["cubes"] = list(cubes)
    if pre_aggregations:
        selector["preAggregations"] = list(pre_aggregations)
    return {"action": "post", "selector": selector}


def get_request(tokens: Iterable[str]) -> dict[str, Any]:
    """Body asking for the status of the given jobs."""
    return {"action": "get", "resType": "object", "tokens": list(tokens)}


@dataclass(frozen=True)
class JobsProgress:
    """Summary of one status poll."""

    done: int
    failed: dict[str, str]
    pending: int

    @property
    def finished(self) -> bool:
        return self.pending == 0


def summarize(statuses: Any) -> JobsProgress:
    """Read a `get` answer: a list of {token, status, table?} or a {token: {status}} object."""
    items = statuses.items() if isinstance(statuses, dict) else (
        (item.get("token", str(index)), item) for index, item in enumerate(statuses))
    done, pending, failed = 0, 0, {}
    for token, item in items:
        status = str(item.get("status", ""))
        label = str(item.get("table") or token)
        if status == "done":
            done += 1
        elif status.startswith("failure") or status.startswith("missing"):
            failed[label] = status
        else:
            pending += 1
    return JobsProgress(done=done, failed=failed, pending=pending)
