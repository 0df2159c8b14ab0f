output "database_name" {
  description = "Glue database of the gold tables."
  value       = aws_glue_catalog_database.gold.name
}

output "workgroup_name" {
  description = "Athena workgroup of the semantic layer (CUBEJS_AWS_ATHENA_WORKGROUP)."
  value       = aws_athena_workgroup.semantic_layer.name
}

output "workgroup_arn" {
  description = "ARN of the Athena workgroup."
  value       = aws_athena_workgroup.semantic_layer.arn
}

output "results_bucket_arn" {
  description = "ARN of the Athena results bucket."
  value       = aws_s3_bucket.athena_results.arn
}

output "results_location" {
  description = "S3 URI of the query results (CUBEJS_AWS_S3_OUTPUT_LOCATION)."
  value       = "s3://${aws_s3_bucket.athena_results.bucket}/results/"
}
