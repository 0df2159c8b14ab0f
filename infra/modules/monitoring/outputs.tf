output "alerts_topic_arn" {
  description = "SNS topic receiving every alarm and Airflow failure callback."
  value       = aws_sns_topic.alerts.arn
}

output "alarm_names" {
  description = "Names of the CloudWatch alarms created."
  value       = [for alarm in aws_cloudwatch_metric_alarm.this : alarm.alarm_name]
}
