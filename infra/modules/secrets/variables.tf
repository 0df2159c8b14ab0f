variable "name_prefix" {
  type        = string
  description = "Prefix of the KMS alias, e.g. \"lakehouse-prod\"."
}

variable "secrets" {
  type        = map(string)
  description = "Secret name => description. Names follow the readers' prefixes: airflow/connections/<conn_id>, airflow/variables/<key> (Airflow's Secrets Manager backend) and semantic-layer/<name> (External Secrets)."
  default = {
    "airflow/connections/databricks_default"      = "Airflow connection to the Databricks workspace (host + service-principal token)."
    "airflow/connections/databricks_sql"          = "Airflow connection to the Databricks SQL warehouse used by the data-quality gate."
    "airflow/connections/rds_postgres"            = "Airflow connection to RDS with the read-only extraction user."
    "airflow/connections/semantic_layer_api"      = "Airflow HTTP connection to the semantic layer (internal service URL)."
    "airflow/variables/semantic_layer_jwt_secret" = "CUBEJS_API_SECRET, used by Airflow to sign the short-lived JWT of pre-aggregation refresh calls."
    "semantic-layer/runtime"                      = "JSON: CUBEJS_API_SECRET, CUBEJS_DB_DATABRICKS_TOKEN (and Athena settings when used)."
  }
}

variable "recovery_window_days" {
  type        = number
  description = "Days a deleted secret can be restored (0 deletes at once; dev only)."
  default     = 30
}

variable "tags" {
  type        = map(string)
  description = "Tags applied to every resource."
}
