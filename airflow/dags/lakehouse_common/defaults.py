"""default_args shared by every DAG: owner, retries with backoff, failure alerts."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from lakehouse_common import config
from lakehouse_common.callbacks import notify_failure


def default_args(**overrides: Any) -> dict[str, Any]:
    """Arguments every task gets; a DAG overrides what it needs (e.g. shorter retry delays)."""
    args: dict[str, Any] = {
        "owner": config.OWNER,
        "depends_on_past": False,
        "retries": 3,
        "retry_delay": timedelta(minutes=5),
        "retry_exponential_backoff": True,
        "max_retry_delay": timedelta(minutes=30),
        "execution_timeout": timedelta(hours=2),
        "on_failure_callback": notify_failure,
        "email_on_failure": False,
        "email_on_retry": False,
    }
    args.update(overrides)
    return args
