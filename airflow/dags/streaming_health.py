"""Streaming health check every 5 minutes: consumers keep up with the Kinesis stream
(GetRecords.IteratorAgeMilliseconds) and Firehose keeps archiving raw events to bronze
(newest object under events/yyyy/MM/dd/HH/). A failure alerts through the failure callback;
CloudWatch alarms (infra/modules/monitoring) watch the same metrics independently of Airflow.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from airflow import DAG
from airflow.decorators import task

from lakehouse_common import config
from lakehouse_common.defaults import default_args

with DAG(
    dag_id="streaming_health",
    description="Kinesis consumer lag and Firehose archive freshness",
    doc_md=__doc__,
    schedule="*/5 * * * *",
    start_date=datetime(2025, 1, 1),
    catchup=False,
    max_active_runs=1,
    # A check that fails now is re-evaluated by the next run in 5 minutes; one quick retry
    # absorbs API throttling without piling up runs.
    default_args=default_args(retries=1, retry_delay=timedelta(seconds=30),
                              retry_exponential_backoff=False,
                              execution_timeout=timedelta(minutes=4)),
    dagrun_timeout=timedelta(minutes=5),
    tags=["streaming", "kinesis", "monitoring"],
) as dag:

    @task
    def check_consumer_lag(data_interval_end=None) -> float:
        from airflow.providers.amazon.aws.hooks.base_aws import AwsBaseHook

        from lakehouse_common.streaming_health import iterator_age_problem

        cloudwatch = AwsBaseHook(aws_conn_id=config.AWS_CONN_ID, client_type="cloudwatch").get_conn()
        answer = cloudwatch.get_metric_statistics(
            Namespace="AWS/Kinesis",
            MetricName="GetRecords.IteratorAgeMilliseconds",
            Dimensions=[{"Name": "StreamName", "Value": config.EVENTS_STREAM}],
            StartTime=data_interval_end - timedelta(minutes=15),
            EndTime=data_interval_end,
            Period=60,
            Statistics=["Maximum"],
        )
        ages = [point["Maximum"] for point in answer.get("Datapoints", [])]
        problem = iterator_age_problem(ages, config.MAX_ITERATOR_AGE_MS)
        if problem:
            raise RuntimeError(problem)
        return max(ages)

    @task
    def check_archive_freshness(data_interval_end=None) -> str:
        from airflow.providers.amazon.aws.hooks.s3 import S3Hook

        from lakehouse_common.streaming_health import archive_prefixes, archive_problem

        s3 = S3Hook(aws_conn_id=config.AWS_CONN_ID).get_conn()
        newest = None
        for prefix in archive_prefixes(data_interval_end, config.MAX_ARCHIVE_DELAY + timedelta(hours=1)):
            listing = s3.list_objects_v2(Bucket=config.BRONZE_BUCKET, Prefix=prefix)
            times = [item["LastModified"] for item in listing.get("Contents", [])]
            if times:
                newest = max(times)
                break
        problem = archive_problem(newest, data_interval_end, config.MAX_ARCHIVE_DELAY)
        if problem:
            raise RuntimeError(problem)
        return newest.isoformat()

    check_consumer_lag()
    check_archive_freshness()
