variable "name_prefix" {
  type        = string
  description = "Prefix of the database, workgroup and results bucket names, e.g. \"lakehouse-prod\"."
}

variable "database_name" {
  type        = string
  description = "Glue database for the gold star schema (the semantic layer's CUBEJS_DB_SCHEMA on Athena)."
  default     = "gold"
}

variable "gold_bucket_name" {
  type        = string
  description = "Gold bucket; each table lives at s3://<bucket>/<table>/ as a Delta table."
}

variable "gold_tables" {
  type        = list(string)
  description = "Gold Delta tables registered for Athena (names from notebooks/sql/README.md)."
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

variable "bytes_scanned_cutoff_per_query" {
  type        = number
  description = "Athena cancels a query scanning more than this many bytes (guards against an unfiltered dashboard query)."
  default     = 107374182400
}

variable "results_expiration_days" {
  type        = number
  description = "Days to keep Athena query results (the semantic layer caches what it needs)."
  default     = 7
}

variable "force_destroy" {
  type        = bool
  description = "Allow destroying a non-empty results bucket (dev only)."
  default     = false
}

variable "tags" {
  type        = map(string)
  description = "Tags applied to every resource."
}
