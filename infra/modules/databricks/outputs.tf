output "job_ids" {
  description = "Databricks job id by name (landing_to_bronze, bronze_to_silver, silver_to_gold)."
  value       = { for name, job in databricks_job.batch : name => job.id }
}

output "job_names" {
  description = "Full job names; the Airflow DAGs trigger them with DatabricksRunNowOperator(job_name=...)."
  value       = { for name, job in databricks_job.batch : name => job.name }
}

output "warehouse_id" {
  description = "SQL warehouse id."
  value       = databricks_sql_endpoint.semantic_layer.id
}

output "warehouse_http_path" {
  description = "HTTP path of the SQL warehouse, part of CUBEJS_DB_DATABRICKS_URL."
  value       = databricks_sql_endpoint.semantic_layer.odbc_params[0].path
}

output "warehouse_hostname" {
  description = "Host name of the SQL warehouse."
  value       = databricks_sql_endpoint.semantic_layer.odbc_params[0].hostname
}

output "cluster_policy_id" {
  description = "Id of the job cluster policy."
  value       = databricks_cluster_policy.jobs.id
}
