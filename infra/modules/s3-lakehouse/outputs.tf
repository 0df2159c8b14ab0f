output "bucket_names" {
  description = "Bucket name per layer: landing, bronze, silver, gold."
  value       = { for layer, bucket in aws_s3_bucket.layer : layer => bucket.id }
}

output "bucket_arns" {
  description = "Bucket ARN per layer: landing, bronze, silver, gold."
  value       = { for layer, bucket in aws_s3_bucket.layer : layer => bucket.arn }
}

output "firehose_error_prefix" {
  description = "Prefix in the bronze bucket reserved for Firehose delivery errors."
  value       = var.firehose_error_prefix
}
