output "alerts_topic_arn" {
  description = "SNS topic receiving every alarm and Airflow failure callback."
  value       = aws_sns_topic.alerts.arn
}

output "alarm_names" {
  description = "Names of the CloudWatch alarms created."
  value = [
    aws_cloudwatch_metric_alarm.kinesis_iterator_age.alarm_name,
    aws_cloudwatch_metric_alarm.kinesis_write_throttled.alarm_name,
    aws_cloudwatch_metric_alarm.firehose_delivery_failures.alarm_name,
    aws_cloudwatch_metric_alarm.firehose_freshness.alarm_name,
    aws_cloudwatch_metric_alarm.rds_cpu.alarm_name,
    aws_cloudwatch_metric_alarm.rds_free_storage.alarm_name,
  ]
}
