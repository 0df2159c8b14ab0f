# Site/app events: producers PutRecords into the stream; the low-latency path reads the stream
# directly (Spark's kinesis source on Databricks), while Firehose archives every record to bronze
# for replays and Auto Loader (Firehose has no Databricks destination).
resource "aws_kinesis_stream" "events" {
  name             = "${var.name_prefix}-events"
  retention_period = var.retention_hours
  shard_count      = var.stream_mode == "PROVISIONED" ? var.shard_count : null
  encryption_type  = "KMS"
  kms_key_id       = "alias/aws/kinesis"

  stream_mode_details {
    stream_mode = var.stream_mode
  }

  # Per-shard metrics show a hot partition key (one huge session) before it throttles producers.
  shard_level_metrics = ["IncomingRecords", "IteratorAgeMilliseconds", "WriteProvisionedThroughputExceeded"]

  tags = var.tags
}

resource "aws_cloudwatch_log_group" "firehose" {
  name              = "/aws/kinesisfirehose/${var.name_prefix}-events-archive"
  retention_in_days = var.log_retention_days

  tags = var.tags
}

resource "aws_cloudwatch_log_stream" "firehose_s3" {
  name           = "S3Delivery"
  log_group_name = aws_cloudwatch_log_group.firehose.name
}

resource "aws_kinesis_firehose_delivery_stream" "events_archive" {
  name        = "${var.name_prefix}-events-archive"
  destination = "extended_s3"

  kinesis_source_configuration {
    kinesis_stream_arn = aws_kinesis_stream.events.arn
    role_arn           = var.firehose_role_arn
  }

  extended_s3_configuration {
    role_arn   = var.firehose_role_arn
    bucket_arn = var.bronze_bucket_arn

    # Firehose evaluates these namespaces at delivery time (UTC arrival hour); event time is
    # kept in the payload and used downstream, so late events still land in the right period.
    prefix              = var.events_prefix
    error_output_prefix = "${var.error_prefix}!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd/HH}/"

    compression_format = "GZIP"
    buffering_size     = var.buffering_size_mb
    buffering_interval = var.buffering_interval_seconds

    cloudwatch_logging_options {
      enabled         = true
      log_group_name  = aws_cloudwatch_log_group.firehose.name
      log_stream_name = aws_cloudwatch_log_stream.firehose_s3.name
    }
  }

  tags = var.tags
}
