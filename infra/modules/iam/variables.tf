variable "name_prefix" {
  type        = string
  description = "Prefix of every role name, e.g. \"lakehouse-prod\"."
}

variable "bucket_arns" {
  type        = map(string)
  description = "Lakehouse bucket ARNs keyed by layer (landing, bronze, silver, gold) from the s3-lakehouse module."
}

variable "events_stream_arn" {
  type        = string
  description = "ARN of the events Kinesis stream (read by Firehose and by Databricks streaming)."
}

variable "athena_results_bucket_arn" {
  type        = string
  description = "Bucket where Athena writes query results for the semantic layer (glue-athena module)."
}

variable "athena_workgroup_arn" {
  type        = string
  description = "Athena workgroup the semantic layer runs its queries in."
}

variable "glue_database_name" {
  type        = string
  description = "Glue database holding the gold Delta tables."
}

variable "oidc_provider_arn" {
  type        = string
  description = "IAM OIDC provider of the EKS cluster (eks module)."
}

variable "oidc_issuer" {
  type        = string
  description = "OIDC issuer without https:// (eks module), prefix of the IRSA condition keys."
}

variable "airflow_namespace" {
  type        = string
  description = "Kubernetes namespace of the Airflow release."
  default     = "airflow"
}

variable "airflow_service_account_pattern" {
  type        = string
  description = "Service accounts of the Airflow chart allowed to assume the Airflow role (scheduler, workers, triggerer, webserver)."
  default     = "airflow-*"
}

variable "semantic_layer_namespace" {
  type        = string
  description = "Kubernetes namespace of the semantic layer."
  default     = "semantic-layer"
}

variable "semantic_layer_service_account" {
  type        = string
  description = "Service account of the semantic layer pods."
  default     = "semantic-layer"
}

variable "alerts_topic_arn" {
  type        = string
  description = "SNS topic Airflow failure callbacks publish to (monitoring module)."
}

variable "secrets_kms_key_arn" {
  type        = string
  description = "KMS key encrypting the platform secrets (secrets module); roles that read secrets may decrypt with it."
}

variable "tags" {
  type        = map(string)
  description = "Tags applied to every resource."
}
