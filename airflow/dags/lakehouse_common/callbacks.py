"""Failure and SLA-miss callbacks: one message format, published to the alerts SNS topic
(infra/modules/monitoring), which also receives the CloudWatch alarms."""
from __future__ import annotations

import logging
from typing import Any

from lakehouse_common import config

log = logging.getLogger(__name__)


def failure_message(context: dict[str, Any]) -> tuple[str, str]:
    """(subject, body) describing a failed task instance; pure, so it is tested directly."""
    ti = context["task_instance"]
    exception = context.get("exception")
    subject = f"[{config.NAME_PREFIX}] {ti.dag_id}.{ti.task_id} failed"
    body = "\n".join([
        f"DAG: {ti.dag_id}",
        f"Task: {ti.task_id} (try {ti.try_number})",
        f"Run: {context.get('run_id', '')}",
        f"Logical date: {context.get('logical_date', '')}",
        f"Error: {exception!r}" if exception else "Error: see log",
        f"Log: {ti.log_url}",
    ])
    # SNS subjects are limited to 100 characters.
    return subject[:100], body


def sla_miss_message(dag_id: str, task_ids: list[str]) -> tuple[str, str]:
    """(subject, body) for tasks that missed their SLA."""
    subject = f"[{config.NAME_PREFIX}] SLA missed in {dag_id}"
    body = f"DAG {dag_id}: tasks {', '.join(sorted(task_ids))} did not finish within their SLA."
    return subject[:100], body


def publish(subject: str, body: str) -> None:
    if not config.ALERTS_TOPIC_ARN:
        log.warning("No LAKEHOUSE_ALERTS_TOPIC_ARN; alert not sent: %s\n%s", subject, body)
        return
    # Imported here: the callback runs in the worker, never at DAG parse time.
    from airflow.providers.amazon.aws.hooks.sns import SnsHook

    SnsHook(aws_conn_id=config.AWS_CONN_ID).publish_to_target(
        target_arn=config.ALERTS_TOPIC_ARN, message=body, subject=subject
    )


def notify_failure(context: dict[str, Any]) -> None:
    """on_failure_callback of every task (set through default_args)."""
    publish(*failure_message(context))


def notify_sla_miss(dag, task_list, blocking_task_list, slas, blocking_tis) -> None:
    """sla_miss_callback of the DAGs with SLAs (Airflow 2 signature)."""
    publish(*sla_miss_message(dag.dag_id, [sla.task_id for sla in slas]))
