output "endpoint" {
  description = "Host of the workgroup endpoint (CUBEJS_DB_HOST)."
  value       = aws_redshiftserverless_workgroup.this.endpoint[0].address
}

output "port" {
  description = "Port of the workgroup endpoint (CUBEJS_DB_PORT)."
  value       = aws_redshiftserverless_workgroup.this.endpoint[0].port
}

output "database_name" {
  description = "Database the semantic layer connects to (CUBEJS_DB_NAME)."
  value       = aws_redshiftserverless_namespace.this.db_name
}

output "admin_secret_arn" {
  description = "Secrets Manager secret holding the admin user name and password (CUBEJS_DB_USER, CUBEJS_DB_PASS)."
  value       = aws_redshiftserverless_namespace.this.admin_password_secret_arn
}

output "external_schema_name" {
  description = "Redshift external schema over the gold manifest tables."
  value       = var.external_schema_name
}

output "spectrum_role_arn" {
  description = "IAM role Redshift assumes to read the Glue catalog and the gold files."
  value       = aws_iam_role.spectrum.arn
}

output "glue_database_name" {
  description = "Glue database of the manifest-based gold tables."
  value       = aws_glue_catalog_database.spectrum.name
}

output "crawler_name" {
  description = "Glue crawler that refreshes the manifests (start it after a gold build: aws glue start-crawler --name ...)."
  value       = aws_glue_crawler.gold_manifests.name
}
