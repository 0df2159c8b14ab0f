output "stream_name" {
  description = "Name of the events stream (producers' KINESIS_STREAM_NAME)."
  value       = aws_kinesis_stream.events.name
}

output "stream_arn" {
  description = "ARN of the events stream."
  value       = aws_kinesis_stream.events.arn
}

output "firehose_name" {
  description = "Name of the Firehose delivery stream archiving events to bronze."
  value       = aws_kinesis_firehose_delivery_stream.events_archive.name
}

output "firehose_arn" {
  description = "ARN of the Firehose delivery stream."
  value       = aws_kinesis_firehose_delivery_stream.events_archive.arn
}
