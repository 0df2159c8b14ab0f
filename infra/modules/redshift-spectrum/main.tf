# Redshift Serverless reading the gold Delta tables through Spectrum. Spectrum does not read a
# Delta transaction log: it reads the symlink manifest (_symlink_format_manifest/) that lists a
# version's Parquet files. A Glue crawler with a Delta target writes those manifests and registers
# manifest-based tables in a Glue database of their own (the `gold` database of glue-athena keeps
# the native DELTA tables Athena v3 reads); the external schema `gold` of Redshift maps that
# database, so the semantic layer's model (`gold.fato_vendas`, ...) runs unchanged on Redshift.
data "aws_partition" "current" {}
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

locals {
  glue_arn_prefix = "arn:${data.aws_partition.current.partition}:glue:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}"
  gold_bucket_arn = "arn:${data.aws_partition.current.partition}:s3:::${var.gold_bucket_name}"
}

resource "aws_glue_catalog_database" "spectrum" {
  name        = var.glue_database_name
  description = "Gold tables as symlink-manifest tables for Redshift Spectrum (written by the ${var.name_prefix}-gold-manifests crawler)"

  tags = var.tags
}

# --- crawler: manifests and manifest tables ---------------------------------------------------

resource "aws_iam_role" "crawler" {
  name = "${var.name_prefix}-gold-manifests-crawler"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "glue.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })

  tags = var.tags
}

resource "aws_iam_role_policy_attachment" "crawler_service" {
  role       = aws_iam_role.crawler.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AWSGlueServiceRole"
}

resource "aws_iam_role_policy" "crawler_gold" {
  name = "read-gold-write-manifests"
  role = aws_iam_role.crawler.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["s3:ListBucket", "s3:GetBucketLocation"]
        Resource = local.gold_bucket_arn
      },
      {
        Effect   = "Allow"
        Action   = ["s3:GetObject"]
        Resource = "${local.gold_bucket_arn}/*"
      },
      {
        # write_manifest: the crawler writes each table's _symlink_format_manifest/ and nothing else.
        Effect   = "Allow"
        Action   = ["s3:PutObject", "s3:DeleteObject"]
        Resource = [for t in var.gold_tables : "${local.gold_bucket_arn}/${t}/_symlink_format_manifest/*"]
      },
    ]
  })
}

resource "aws_glue_crawler" "gold_manifests" {
  name          = "${var.name_prefix}-gold-manifests"
  description   = "Writes the symlink manifests of the gold Delta tables and registers them for Redshift Spectrum"
  role          = aws_iam_role.crawler.arn
  database_name = aws_glue_catalog_database.spectrum.name
  schedule      = var.crawler_schedule

  delta_target {
    delta_tables              = [for t in var.gold_tables : "s3://${var.gold_bucket_name}/${t}/"]
    write_manifest            = true
    create_native_delta_table = false
  }

  schema_change_policy {
    update_behavior = "UPDATE_IN_DATABASE"
    delete_behavior = "LOG"
  }

  tags = var.tags
}

# --- Spectrum role: read the catalog database and the gold files -------------------------------

resource "aws_iam_role" "spectrum" {
  name = "${var.name_prefix}-redshift-spectrum"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = ["redshift.amazonaws.com", "redshift-serverless.amazonaws.com"] }
      Action    = "sts:AssumeRole"
    }]
  })

  tags = var.tags
}

resource "aws_iam_role_policy" "spectrum_read" {
  name = "read-gold-catalog-and-files"
  role = aws_iam_role.spectrum.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect = "Allow"
        Action = ["glue:GetDatabase", "glue:GetDatabases", "glue:GetTable", "glue:GetTables", "glue:GetPartition", "glue:GetPartitions", "glue:BatchGetPartition"]
        Resource = [
          "${local.glue_arn_prefix}:catalog",
          "${local.glue_arn_prefix}:database/${aws_glue_catalog_database.spectrum.name}",
          "${local.glue_arn_prefix}:table/${aws_glue_catalog_database.spectrum.name}/*",
        ]
      },
      {
        Effect   = "Allow"
        Action   = ["s3:ListBucket", "s3:GetBucketLocation"]
        Resource = local.gold_bucket_arn
      },
      {
        Effect   = "Allow"
        Action   = ["s3:GetObject"]
        Resource = "${local.gold_bucket_arn}/*"
      },
    ]
  })
}

# --- Redshift Serverless ------------------------------------------------------------------------

resource "aws_security_group" "redshift" {
  name        = "${var.name_prefix}-redshift"
  description = "Redshift Serverless access for ${var.name_prefix}"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, { Name = "${var.name_prefix}-redshift" })
}

resource "aws_vpc_security_group_ingress_rule" "redshift" {
  for_each = toset(var.allowed_security_group_ids)

  security_group_id            = aws_security_group.redshift.id
  referenced_security_group_id = each.value
  ip_protocol                  = "tcp"
  from_port                    = var.port
  to_port                      = var.port
  description                  = "Redshift from ${each.value}"

  tags = var.tags
}

# The admin password never appears in Terraform state: Redshift generates it and keeps it in
# Secrets Manager (manage_admin_password); the semantic layer reads CUBEJS_DB_PASS from there.
resource "aws_redshiftserverless_namespace" "this" {
  namespace_name                   = "${var.name_prefix}-analytics"
  db_name                          = var.database_name
  admin_username                   = var.admin_username
  manage_admin_password            = true
  admin_password_secret_kms_key_id = var.kms_key_arn
  iam_roles                        = [aws_iam_role.spectrum.arn]
  default_iam_role_arn             = aws_iam_role.spectrum.arn

  tags = var.tags
}

resource "aws_redshiftserverless_workgroup" "this" {
  workgroup_name      = "${var.name_prefix}-analytics"
  namespace_name      = aws_redshiftserverless_namespace.this.namespace_name
  base_capacity       = var.base_capacity
  port                = var.port
  subnet_ids          = var.subnet_ids
  security_group_ids  = [aws_security_group.redshift.id]
  publicly_accessible = false

  # TLS only; quoted identifiers keep their case (the semantic layer's column aliases are
  # mixed-case; its driver also sets this per session).
  config_parameter {
    parameter_key   = "require_ssl"
    parameter_value = "true"
  }
  config_parameter {
    parameter_key   = "enable_case_sensitive_identifier"
    parameter_value = "true"
  }
  config_parameter {
    parameter_key   = "max_query_execution_time"
    parameter_value = tostring(var.max_query_execution_seconds)
  }

  tags = var.tags
}

# CREATE EXTERNAL SCHEMA through the Redshift Data API, as the admin user of the managed secret.
# IF NOT EXISTS keeps a re-run (a replaced statement) harmless.
resource "aws_redshiftdata_statement" "external_schema" {
  workgroup_name = aws_redshiftserverless_workgroup.this.workgroup_name
  database       = aws_redshiftserverless_namespace.this.db_name
  secret_arn     = aws_redshiftserverless_namespace.this.admin_password_secret_arn
  sql            = "CREATE EXTERNAL SCHEMA IF NOT EXISTS ${var.external_schema_name} FROM DATA CATALOG DATABASE '${aws_glue_catalog_database.spectrum.name}' IAM_ROLE '${aws_iam_role.spectrum.arn}'"
}
