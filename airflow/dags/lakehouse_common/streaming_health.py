"""Pure evaluation of the streaming path's health, fed by the CloudWatch and S3 reads of
dags/streaming_health.py."""
from __future__ import annotations

from datetime import datetime, timedelta


def iterator_age_problem(datapoints_ms: list[float], max_age_ms: int) -> str | None:
    """A message when consumers lag: the maximum GetRecords.IteratorAgeMilliseconds of the
    window is over the limit. No datapoints means nobody read the stream in the window, which
    is itself a failure of the real-time path."""
    if not datapoints_ms:
        return "no GetRecords.IteratorAgeMilliseconds datapoints: no consumer is reading the stream"
    worst = max(datapoints_ms)
    if worst > max_age_ms:
        return f"consumers lag {worst / 1000:.0f} s behind the stream (limit {max_age_ms / 1000:.0f} s)"
    return None


def archive_prefixes(now: datetime, lookback: timedelta, root: str = "events/") -> list[str]:
    """Firehose hour prefixes (events/yyyy/MM/dd/HH/) covering [now - lookback, now], newest first."""
    prefixes, hour = [], now.replace(minute=0, second=0, microsecond=0)
    oldest = (now - lookback).replace(minute=0, second=0, microsecond=0)
    while hour >= oldest:
        prefixes.append(f"{root}{hour:%Y/%m/%d/%H}/")
        hour -= timedelta(hours=1)
    return prefixes


def archive_problem(latest_object_time: datetime | None, now: datetime, max_delay: timedelta) -> str | None:
    """A message when the newest raw-archive object in bronze is older than max_delay."""
    if latest_object_time is None:
        return f"no raw events archived in bronze during the last {max_delay}"
    delay = now - latest_object_time
    if delay > max_delay:
        return f"newest archived events are {delay} old (limit {max_delay})"
    return None
