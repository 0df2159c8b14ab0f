"""Every DAG imports cleanly and follows the team's rules: owner, retries, failure alerts,
schedule, tags, documentation, no cycles; the Dataset chain ingestion → transform → quality
gate → pre-aggregation refresh is wired end to end."""
from __future__ import annotations

import pytest
from airflow.models import DagBag
from airflow.utils.dag_cycle_tester import check_cycle

from conftest import DAGS_FOLDER

EXPECTED_DAGS = {"batch_ingestion", "lakehouse_transform", "data_quality_gate", "preagg_refresh",
                 "streaming_health"}


@pytest.fixture(scope="module")
def dagbag() -> DagBag:
    return DagBag(dag_folder=str(DAGS_FOLDER), include_examples=False)


def test_every_dag_file_imports_without_errors(dagbag):
    assert dagbag.import_errors == {}


def test_one_dag_per_file_with_the_expected_ids(dagbag):
    assert set(dagbag.dag_ids) == EXPECTED_DAGS
    files = {dag.fileloc for dag in dagbag.dags.values()}
    assert len(files) == len(EXPECTED_DAGS)
    assert {f"{dag_id}.py" for dag_id in EXPECTED_DAGS} == {p.rsplit("/", 1)[-1] for p in files}


@pytest.mark.parametrize("dag_id", sorted(EXPECTED_DAGS))
def test_dag_has_no_cycle_a_schedule_tags_docs_and_bounded_concurrency(dagbag, dag_id):
    dag = dagbag.dags[dag_id]
    check_cycle(dag)
    assert dag.timetable.summary not in ("None", "", None)
    assert dag.tags and dag.doc_md
    assert dag.max_active_runs == 1
    assert dag.catchup is False


@pytest.mark.parametrize("dag_id", sorted(EXPECTED_DAGS))
def test_every_task_has_owner_retries_timeout_and_failure_alert(dagbag, dag_id):
    for t in dagbag.dags[dag_id].tasks:
        assert t.owner == "data-platform", t.task_id
        assert t.retries >= 1, t.task_id
        assert t.execution_timeout is not None, t.task_id
        callbacks = t.on_failure_callback if isinstance(t.on_failure_callback, list) else [t.on_failure_callback]
        assert any(cb is not None and cb.__name__ == "notify_failure" for cb in callbacks), t.task_id


def test_long_running_stages_have_slas(dagbag):
    with_sla = {(dag.dag_id, t.task_id) for dag in dagbag.dags.values() for t in dag.tasks if t.sla}
    assert {("batch_ingestion", "landing_to_bronze"), ("lakehouse_transform", "silver_to_gold"),
            ("data_quality_gate", "publish_validated"), ("preagg_refresh", "wait_for_builds")} <= with_sla
    for dag in dagbag.dags.values():
        if any(t.sla for t in dag.tasks):
            assert dag.sla_miss_callback is not None, dag.dag_id


def _outlets(dag) -> set[str]:
    return {d.uri for t in dag.tasks for d in t.outlets}


def _scheduled_on(dag) -> set[str]:
    condition = getattr(dag.timetable, "dataset_condition", None)
    # iter_datasets() yields (uri, Dataset) pairs in Airflow 2.10.
    return {uri for uri, _ in condition.iter_datasets()} if condition is not None else set()


def test_dataset_chain_links_the_stages_in_order(dagbag):
    chain = ["batch_ingestion", "lakehouse_transform", "data_quality_gate", "preagg_refresh"]
    for upstream, downstream in zip(chain, chain[1:]):
        produced = _outlets(dagbag.dags[upstream])
        consumed = _scheduled_on(dagbag.dags[downstream])
        assert consumed and consumed <= produced, (upstream, downstream)


def test_quality_gate_publishes_only_after_every_check(dagbag):
    dag = dagbag.dags["data_quality_gate"]
    publish = dag.get_task("publish_validated")
    checks = {t.task_id for t in dag.tasks if t.task_id.startswith("check_")}
    assert len(checks) >= 15
    assert publish.upstream_task_ids == checks
    assert publish.trigger_rule == "all_success"


def test_transform_runs_the_notebook_jobs_in_layer_order(dagbag):
    dag = dagbag.dags["lakehouse_transform"]
    silver, gold = dag.get_task("bronze_to_silver"), dag.get_task("silver_to_gold")
    assert silver.json["job_name"].endswith("-bronze_to_silver")
    assert gold.json["job_name"].endswith("-silver_to_gold")
    assert gold.upstream_task_ids == {"bronze_to_silver"}


def test_ingestion_waits_for_every_source_and_extracts_rds_by_data_interval(dagbag):
    dag = dagbag.dags["batch_ingestion"]
    sensors = [t for t in dag.tasks if t.task_type == "S3KeySensor"]
    assert {t.bucket_key.split("/dt=")[0] for t in sensors} == {
        "erp/orders", "erp/order_lines", "pos/store_sales", "crm/customers",
        "catalog/products", "catalog/stores", "marketing/campaigns"}
    assert all(t.mode == "reschedule" for t in sensors)
    extracts = [t for t in dag.tasks if t.task_type == "SqlToS3Operator"]
    assert {t.task_id for t in extracts} == {"extract_rds_order_status", "extract_rds_returns"}
    for t in extracts:
        assert "data_interval_start" in t.query and "data_interval_end" in t.query
        assert t.replace is True
    assert dag.get_task("landing_to_bronze").upstream_task_ids == {"sources_landed"}
