"""Pure helpers of the DAGs: the jobs-API protocol of the semantic layer, alert messages and
the streaming health rules."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import jwt
import pytest

from lakehouse_common import callbacks, preagg_jobs, streaming_health


def test_refresh_token_is_a_short_lived_hs256_jwt_with_the_jobs_scope():
    token = preagg_jobs.build_token("a-test-secret-of-at-least-32-bytes!", now=1_700_000_000)
    claims = jwt.decode(token, "a-test-secret-of-at-least-32-bytes!", algorithms=["HS256"],
                        options={"verify_exp": False})
    assert claims["scope"] == ["jobs"]
    assert claims["exp"] - claims["iat"] == preagg_jobs.TOKEN_TTL_SECONDS
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, "another-secret-of-at-least-32-bytes", algorithms=["HS256"], options={"verify_exp": False})


def test_post_request_follows_cubes_selector_shape():
    assert preagg_jobs.post_request() == {
        "action": "post",
        "selector": {"contexts": [{"securityContext": {}}], "timezones": ["UTC"]},
    }
    body = preagg_jobs.post_request(cubes=["fato_vendas"], pre_aggregations=["fato_vendas.por_canal_dia"],
                                    security_contexts=[{"tenant": "a"}])
    assert body["selector"]["cubes"] == ["fato_vendas"]
    assert body["selector"]["preAggregations"] == ["fato_vendas.por_canal_dia"]
    assert body["selector"]["contexts"] == [{"securityContext": {"tenant": "a"}}]
    assert preagg_jobs.get_request(["t1"]) == {"action": "get", "resType": "object", "tokens": ["t1"]}


def test_summarize_reads_list_and_object_answers():
    listed = preagg_jobs.summarize([
        {"token": "a", "status": "done", "table": "fato_vendas_por_canal_dia"},
        {"token": "b", "status": "processing"},
        {"token": "c", "status": "scheduled"},
    ])
    assert (listed.done, listed.pending, listed.failed, listed.finished) == (1, 2, {}, False)
    keyed = preagg_jobs.summarize({
        "a": {"status": "done"},
        "b": {"status": "failure: source unreachable", "table": "campanhas_hora"},
        "c": {"status": "missing_partition"},
    })
    assert keyed.done == 1 and keyed.pending == 0 and keyed.finished
    assert keyed.failed == {"campanhas_hora": "failure: source unreachable", "c": "missing_partition"}


def test_failure_message_names_dag_task_run_and_error():
    ti = SimpleNamespace(dag_id="lakehouse_transform", task_id="silver_to_gold", try_number=2,
                         log_url="http://airflow/log?x")
    subject, body = callbacks.failure_message(
        {"task_instance": ti, "exception": ValueError("job failed"), "run_id": "dataset_triggered__1"})
    assert "lakehouse_transform.silver_to_gold failed" in subject and len(subject) <= 100
    assert "try 2" in body and "ValueError('job failed')" in body and "dataset_triggered__1" in body
    assert "http://airflow/log?x" in body


def test_sla_miss_message_lists_tasks():
    subject, body = callbacks.sla_miss_message("batch_ingestion", ["b", "a"])
    assert "batch_ingestion" in subject and "a, b" in body


def test_iterator_age_rules():
    assert streaming_health.iterator_age_problem([100, 2_000], 60_000) is None
    assert "lag 90 s" in streaming_health.iterator_age_problem([1_000, 90_000], 60_000)
    assert "no consumer" in streaming_health.iterator_age_problem([], 60_000)


def test_archive_prefixes_follow_firehose_hour_layout():
    now = datetime(2025, 11, 28, 1, 7, tzinfo=timezone.utc)
    assert streaming_health.archive_prefixes(now, timedelta(hours=2)) == [
        "events/2025/11/28/01/", "events/2025/11/28/00/", "events/2025/11/27/23/"]


def test_archive_freshness_rules():
    now = datetime(2025, 11, 28, 1, 7, tzinfo=timezone.utc)
    limit = timedelta(minutes=20)
    assert streaming_health.archive_problem(now - timedelta(minutes=5), now, limit) is None
    assert "old" in streaming_health.archive_problem(now - timedelta(minutes=45), now, limit)
    assert "no raw events" in streaming_health.archive_problem(None, now, limit)
