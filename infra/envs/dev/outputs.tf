# Root outputs (`terraform output <name>`): the platform module's, under the same names.

output "bucket_names" {
  description = "Lakehouse bucket names by layer."
  value       = module.platform.bucket_names
}

output "events_stream_name" {
  description = "Kinesis stream the producers write to."
  value       = module.platform.events_stream_name
}

output "eks_cluster_name" {
  description = "EKS cluster running Airflow and the semantic layer (aws eks update-kubeconfig --name ...)."
  value       = module.platform.eks_cluster_name
}

output "airflow_role_arn" {
  description = "IRSA role for the Airflow Helm release (serviceAccount annotation)."
  value       = module.platform.airflow_role_arn
}

output "semantic_layer_role_arn" {
  description = "IRSA role for the semantic layer service account."
  value       = module.platform.semantic_layer_role_arn
}

output "rds_endpoint" {
  description = "Endpoint of the transactional Postgres."
  value       = module.platform.rds_endpoint
}

output "rds_master_secret_arn" {
  description = "Secrets Manager secret of the RDS master user (managed and rotated by RDS)."
  value       = module.platform.rds_master_secret_arn
}

output "secret_arns" {
  description = "Platform secret containers to fill with put-secret-value."
  value       = module.platform.secret_arns
}

output "databricks_job_names" {
  description = "Databricks job names Airflow triggers."
  value       = module.platform.databricks_job_names
}

output "databricks_sql_url" {
  description = "CUBEJS_DB_DATABRICKS_URL for the semantic layer (token goes in the secret, not here)."
  value       = module.platform.databricks_sql_url
}

output "athena_workgroup" {
  description = "Athena workgroup for the semantic layer when CUBEJS_DB_TYPE=athena."
  value       = module.platform.athena_workgroup
}

output "athena_results_location" {
  description = "CUBEJS_AWS_S3_OUTPUT_LOCATION when CUBEJS_DB_TYPE=athena."
  value       = module.platform.athena_results_location
}

output "redshift_endpoint" {
  description = "CUBEJS_DB_HOST when CUBEJS_DB_TYPE=redshift (Redshift Serverless workgroup; CUBEJS_DB_SSL=true)."
  value       = module.platform.redshift_endpoint
}

output "redshift_port" {
  description = "CUBEJS_DB_PORT when CUBEJS_DB_TYPE=redshift."
  value       = module.platform.redshift_port
}

output "redshift_database" {
  description = "CUBEJS_DB_NAME when CUBEJS_DB_TYPE=redshift."
  value       = module.platform.redshift_database
}

output "redshift_admin_secret_arn" {
  description = "Secret with CUBEJS_DB_USER and CUBEJS_DB_PASS when CUBEJS_DB_TYPE=redshift (managed by Redshift)."
  value       = module.platform.redshift_admin_secret_arn
}

output "redshift_manifest_crawler" {
  description = "Glue crawler refreshing the gold manifests Spectrum reads; start it after each gold build."
  value       = module.platform.redshift_manifest_crawler
}

output "alerts_topic_arn" {
  description = "SNS topic of all alerts."
  value       = module.platform.alerts_topic_arn
}
