output "bucket_names" {
  description = "Lakehouse bucket names by layer."
  value       = module.s3_lakehouse.bucket_names
}

output "events_stream_name" {
  description = "Kinesis stream the producers write to."
  value       = module.kinesis.stream_name
}

output "eks_cluster_name" {
  description = "EKS cluster running Airflow and the semantic layer (aws eks update-kubeconfig --name ...)."
  value       = module.eks.cluster_name
}

output "airflow_role_arn" {
  description = "IRSA role for the Airflow Helm release (serviceAccount annotation)."
  value       = module.iam.airflow_role_arn
}

output "semantic_layer_role_arn" {
  description = "IRSA role for the semantic layer service account."
  value       = module.iam.semantic_layer_role_arn
}

output "rds_endpoint" {
  description = "Endpoint of the transactional Postgres."
  value       = module.rds.endpoint
}

output "rds_master_secret_arn" {
  description = "Secrets Manager secret of the RDS master user (managed and rotated by RDS)."
  value       = module.rds.master_user_secret_arn
}

output "secret_arns" {
  description = "Platform secret containers to fill with put-secret-value."
  value       = module.secrets.secret_arns
}

output "databricks_job_names" {
  description = "Databricks job names Airflow triggers."
  value       = module.databricks.job_names
}

output "databricks_sql_url" {
  description = "CUBEJS_DB_DATABRICKS_URL for the semantic layer (token goes in the secret, not here)."
  value       = "jdbc:databricks://${module.databricks.warehouse_hostname}:443/default;transportMode=http;ssl=1;AuthMech=3;httpPath=${module.databricks.warehouse_http_path}"
}

output "athena_workgroup" {
  description = "Athena workgroup for the semantic layer when CUBEJS_DB_TYPE=athena."
  value       = module.glue_athena.workgroup_name
}

output "athena_results_location" {
  description = "CUBEJS_AWS_S3_OUTPUT_LOCATION when CUBEJS_DB_TYPE=athena."
  value       = module.glue_athena.results_location
}

output "redshift_endpoint" {
  description = "CUBEJS_DB_HOST when CUBEJS_DB_TYPE=redshift (Redshift Serverless workgroup; CUBEJS_DB_SSL=true)."
  value       = module.redshift_spectrum.endpoint
}

output "redshift_port" {
  description = "CUBEJS_DB_PORT when CUBEJS_DB_TYPE=redshift."
  value       = module.redshift_spectrum.port
}

output "redshift_database" {
  description = "CUBEJS_DB_NAME when CUBEJS_DB_TYPE=redshift."
  value       = module.redshift_spectrum.database_name
}

output "redshift_admin_secret_arn" {
  description = "Secret with CUBEJS_DB_USER and CUBEJS_DB_PASS when CUBEJS_DB_TYPE=redshift (managed by Redshift)."
  value       = module.redshift_spectrum.admin_secret_arn
}

output "redshift_manifest_crawler" {
  description = "Glue crawler refreshing the gold manifests Spectrum reads; start it after each gold build."
  value       = module.redshift_spectrum.crawler_name
}

output "alerts_topic_arn" {
  description = "SNS topic of all alerts."
  value       = module.monitoring.alerts_topic_arn
}
