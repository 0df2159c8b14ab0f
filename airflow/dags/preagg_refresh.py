"""Pre-aggregation refresh in the semantic layer, scheduled by GOLD_VALIDATED.

Calls the semantic layer's Cube-compatible jobs endpoint
(`POST /cubejs-api/v1/pre-aggregations/jobs`) with a short-lived JWT signed with
CUBEJS_API_SECRET (Airflow Variable `semantic_layer_jwt_secret`, served by the Secrets Manager
backend), then polls the jobs until every build is done. The semantic layer keeps serving the
previous rollup versions until the new ones are swapped in, so a failed build only delays
freshness; it fails this DAG and alerts.
"""
from __future__ import annotations

import json
from datetime import datetime, timedelta

from airflow import DAG
from airflow.decorators import task
from airflow.sensors.base import PokeReturnValue

from lakehouse_common import config
from lakehouse_common.callbacks import notify_sla_miss
from lakehouse_common.defaults import default_args


def _call_jobs_endpoint(body: dict) -> object:
    """POST a jobs request with a fresh token; imports stay inside so parsing stays cheap."""
    from airflow.models import Variable
    from airflow.providers.http.hooks.http import HttpHook

    from lakehouse_common.preagg_jobs import JOBS_ENDPOINT, build_token

    token = build_token(Variable.get(config.SEMANTIC_LAYER_SECRET_VARIABLE))
    response = HttpHook(method="POST", http_conn_id=config.SEMANTIC_LAYER_CONN_ID).run(
        JOBS_ENDPOINT,
        data=json.dumps(body),
        headers={"Authorization": token, "Content-Type": "application/json"},
    )
    return response.json()


with DAG(
    dag_id="preagg_refresh",
    description="Rebuild the semantic layer's pre-aggregations after validated gold loads",
    doc_md=__doc__,
    schedule=[config.GOLD_VALIDATED],
    start_date=datetime(2025, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args=default_args(retries=2, retry_delay=timedelta(minutes=2)),
    sla_miss_callback=notify_sla_miss,
    tags=["semantic-layer", "pre-aggregations"],
) as dag:

    @task(sla=timedelta(minutes=15))
    def request_builds() -> list[str]:
        from lakehouse_common.preagg_jobs import post_request

        tokens = _call_jobs_endpoint(post_request())
        if not isinstance(tokens, list) or not tokens:
            raise ValueError(f"jobs endpoint returned no job tokens: {tokens!r}")
        return tokens

    @task.sensor(poke_interval=30, timeout=2 * 60 * 60, mode="reschedule", sla=timedelta(hours=1))
    def wait_for_builds(tokens: list[str]) -> PokeReturnValue:
        from lakehouse_common.preagg_jobs import get_request, summarize

        progress = summarize(_call_jobs_endpoint(get_request(tokens)))
        if progress.failed:
            raise RuntimeError(f"pre-aggregation builds failed: {progress.failed}")
        return PokeReturnValue(is_done=progress.finished, xcom_value=progress.done)

    wait_for_builds(request_builds())
