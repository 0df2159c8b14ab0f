# CloudWatch alarms for the managed services; application metrics (semantic layer, Airflow
# statsd) go to Prometheus instead (docker/prometheus, airflow/k8s/values.yaml). Every alarm
# notifies one SNS topic, which Airflow failure callbacks also publish to.
resource "aws_kms_key" "alerts" {
  description         = "Encrypts the ${var.name_prefix} alerts topic"
  enable_key_rotation = true
  policy              = data.aws_iam_policy_document.alerts_key.json

  tags = var.tags
}

data "aws_caller_identity" "current" {}

# CloudWatch must be able to use the key to publish alarm notifications to an encrypted topic.
data "aws_iam_policy_document" "alerts_key" {
  statement {
    sid       = "AccountAdmin"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }
  statement {
    sid       = "CloudWatchPublish"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey*"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }
  }
}

resource "aws_sns_topic" "alerts" {
  name              = "${var.name_prefix}-alerts"
  kms_master_key_id = aws_kms_key.alerts.arn

  tags = var.tags
}

resource "aws_sns_topic_subscription" "email" {
  for_each = toset(var.alert_emails)

  topic_arn = aws_sns_topic.alerts.arn
  protocol  = "email"
  endpoint  = each.value
}

# One alarm per entry of local.alarm_settings, keyed by the alarm name after the prefix. The
# service gives the namespace, the dimensions and how missing data counts: an idle stream sends
# no datapoints and is healthy, while RDS always reports, so a gap is left as "missing".
locals {
  services = {
    kinesis = {
      namespace          = "AWS/Kinesis"
      dimensions         = { StreamName = var.kinesis_stream_name }
      treat_missing_data = "notBreaching"
    }
    firehose = {
      namespace          = "AWS/Firehose"
      dimensions         = { DeliveryStreamName = var.firehose_name }
      treat_missing_data = "notBreaching"
    }
    rds = {
      namespace          = "AWS/RDS"
      dimensions         = { DBInstanceIdentifier = var.rds_instance_identifier }
      treat_missing_data = "missing"
    }
  }

  # Every alarm notifies the topic on ALARM; notify_ok also sends the recovery, for the alarms
  # whose return to normal someone waits for.
  alarm_defaults = {
    period              = 300
    evaluation_periods  = 2
    datapoints_to_alarm = null
    comparison_operator = "GreaterThanThreshold"
    notify_ok           = false
  }

  alarm_settings = {
    "kinesis-iterator-age" = {
      service             = "kinesis"
      description         = "Events consumers are falling behind: campaign metrics are no longer real time."
      metric_name         = "GetRecords.IteratorAgeMilliseconds"
      statistic           = "Maximum"
      period              = 60
      evaluation_periods  = 5
      datapoints_to_alarm = 3
      threshold           = var.iterator_age_threshold_ms
      notify_ok           = true
    }
    "kinesis-write-throttled" = {
      service     = "kinesis"
      description = "Producers are throttled (hot partition key or too few shards); events are retried or lost."
      metric_name = "WriteProvisionedThroughputExceeded"
      statistic   = "Sum"
      threshold   = 0
    }
    "firehose-delivery-failures" = {
      service             = "firehose"
      description         = "Firehose fails to write the raw archive to bronze (records go to the error prefix)."
      metric_name         = "DeliveryToS3.Success"
      statistic           = "Average"
      comparison_operator = "LessThanThreshold"
      threshold           = 1
      notify_ok           = true
    }
    "firehose-data-freshness" = {
      service     = "firehose"
      description = "Raw events wait too long before reaching bronze; Auto Loader batches will be late."
      metric_name = "DeliveryToS3.DataFreshness"
      statistic   = "Maximum"
      threshold   = var.firehose_freshness_threshold_seconds
    }
    "rds-cpu" = {
      service            = "rds"
      description        = "RDS CPU is high; incremental extractions may be scanning without an updated_at index."
      metric_name        = "CPUUtilization"
      statistic          = "Average"
      evaluation_periods = 3
      threshold          = var.rds_cpu_threshold_percent
      notify_ok          = true
    }
    "rds-free-storage" = {
      service             = "rds"
      description         = "RDS free storage is low (autoscaling may have reached its ceiling)."
      metric_name         = "FreeStorageSpace"
      statistic           = "Minimum"
      comparison_operator = "LessThanThreshold"
      threshold           = var.rds_free_storage_threshold_bytes
    }
  }

  alarms = {
    for name, alarm in local.alarm_settings :
    name => merge(local.alarm_defaults, local.services[alarm.service], alarm)
  }
}

resource "aws_cloudwatch_metric_alarm" "this" {
  for_each = local.alarms

  alarm_name          = "${var.name_prefix}-${each.key}"
  alarm_description   = each.value.description
  namespace           = each.value.namespace
  metric_name         = each.value.metric_name
  dimensions          = each.value.dimensions
  statistic           = each.value.statistic
  period              = each.value.period
  evaluation_periods  = each.value.evaluation_periods
  datapoints_to_alarm = each.value.datapoints_to_alarm
  comparison_operator = each.value.comparison_operator
  threshold           = each.value.threshold
  treat_missing_data  = each.value.treat_missing_data
  alarm_actions       = [aws_sns_topic.alerts.arn]
  ok_actions          = each.value.notify_ok ? [aws_sns_topic.alerts.arn] : []

  tags = var.tags
}

# The alarms were one resource each before they became instances of aws_cloudwatch_metric_alarm.this.
moved {
  from = aws_cloudwatch_metric_alarm.kinesis_iterator_age
  to   = aws_cloudwatch_metric_alarm.this["kinesis-iterator-age"]
}

moved {
  from = aws_cloudwatch_metric_alarm.kinesis_write_throttled
  to   = aws_cloudwatch_metric_alarm.this["kinesis-write-throttled"]
}

moved {
  from = aws_cloudwatch_metric_alarm.firehose_delivery_failures
  to   = aws_cloudwatch_metric_alarm.this["firehose-delivery-failures"]
}

moved {
  from = aws_cloudwatch_metric_alarm.firehose_freshness
  to   = aws_cloudwatch_metric_alarm.this["firehose-data-freshness"]
}

moved {
  from = aws_cloudwatch_metric_alarm.rds_cpu
  to   = aws_cloudwatch_metric_alarm.this["rds-cpu"]
}

moved {
  from = aws_cloudwatch_metric_alarm.rds_free_storage
  to   = aws_cloudwatch_metric_alarm.this["rds-free-storage"]
}
