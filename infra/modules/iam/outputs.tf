output "databricks_instance_profile_arn" {
  description = "Instance profile registered in Databricks and attached to the job clusters and SQL warehouse."
  value       = aws_iam_instance_profile.databricks.arn
}

output "databricks_role_arn" {
  description = "Role behind the Databricks instance profile (the workspace's cross-account role must be allowed to pass it)."
  value       = aws_iam_role.databricks.arn
}

output "firehose_role_arn" {
  description = "Role Firehose assumes; returned only once its policy exists, so the delivery stream validates."
  value       = aws_iam_role.firehose.arn
  depends_on  = [aws_iam_role_policy.firehose]
}

output "airflow_role_arn" {
  description = "IRSA role annotated on the Airflow service accounts (eks.amazonaws.com/role-arn)."
  value       = aws_iam_role.irsa["airflow"].arn
}

output "semantic_layer_role_arn" {
  description = "IRSA role annotated on the semantic layer service account."
  value       = aws_iam_role.irsa["semantic-layer"].arn
}
