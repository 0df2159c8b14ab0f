variable "name_prefix" {
  type        = string
  description = "Prefix of the namespace, workgroup, roles and crawler names, e.g. \"lakehouse-prod\"."
}

variable "vpc_id" {
  type        = string
  description = "VPC of the workgroup."
}

variable "subnet_ids" {
  type        = list(string)
  description = "Private subnets of the workgroup (three Availability Zones recommended)."
}

variable "allowed_security_group_ids" {
  type        = list(string)
  description = "Security groups allowed to reach the workgroup's port (the EKS cluster running the semantic layer)."
}

variable "gold_bucket_name" {
  type        = string
  description = "Gold bucket; each table lives at s3://<bucket>/<table>/ as a Delta table."
}

variable "gold_tables" {
  type        = list(string)
  description = "Gold Delta tables crawled for Spectrum (names from notebooks/sql/README.md)."
  default = [
    "fato_vendas",
    "fato_devolucoes",
    "dim_cliente",
    "dim_produto",
    "dim_tempo",
    "dim_loja",
    "dim_canal",
    "dim_campanha",
  ]
}

variable "glue_database_name" {
  type        = string
  description = "Glue database of the manifest-based tables (apart from glue-athena's native DELTA tables)."
  default     = "gold_spectrum"
}

variable "external_schema_name" {
  type        = string
  description = "Redshift external schema mapping the Glue database; `gold` so the model's sql_table names resolve."
  default     = "gold"
}

variable "database_name" {
  type        = string
  description = "Database of the namespace (CUBEJS_DB_NAME)."
  default     = "dev"
}

variable "admin_username" {
  type        = string
  description = "Admin user of the namespace (CUBEJS_DB_USER); its password is managed in Secrets Manager."
  default     = "semantic_admin"
}

variable "port" {
  type        = number
  description = "Port of the workgroup endpoint (CUBEJS_DB_PORT; Redshift's default 5439)."
  default     = 5439
}

variable "base_capacity" {
  type        = number
  description = "Base Redshift Processing Units of the workgroup (8 to 512, in steps of 8); billed only while queries run."
  default     = 8
}

variable "max_query_execution_seconds" {
  type        = number
  description = "Redshift stops a query running longer than this (a guard beside CUBEJS_DB_QUERY_TIMEOUT)."
  default     = 600
}

variable "crawler_schedule" {
  type        = string
  description = "When the crawler refreshes manifests and tables (Glue cron); run it after each gold build as well."
  default     = "cron(30 * * * ? *)"
}

variable "kms_key_arn" {
  type        = string
  description = "KMS key of the managed admin secret; null uses the AWS managed key."
  default     = null
}

variable "tags" {
  type        = map(string)
  description = "Tags applied to every resource."
}
