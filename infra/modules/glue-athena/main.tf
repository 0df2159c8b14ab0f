# Athena engine v3 reads Delta Lake natively from Glue tables marked table_type=DELTA: the schema
# and the file list come from the _delta_log, so no columns are declared here and no crawler runs.
resource "aws_glue_catalog_database" "gold" {
  name         = var.database_name
  description  = "Gold star schema (Delta on S3) of the e-commerce lakehouse"
  location_uri = "s3://${var.gold_bucket_name}/"

  tags = var.tags
}

resource "aws_glue_catalog_table" "gold" {
  for_each = toset(var.gold_tables)

  database_name = aws_glue_catalog_database.gold.name
  name          = each.value
  table_type    = "EXTERNAL_TABLE"

  parameters = {
    "table_type" = "DELTA"
    "EXTERNAL"   = "TRUE"
  }

  storage_descriptor {
    location = "s3://${var.gold_bucket_name}/${each.value}/"
  }
}

resource "aws_s3_bucket" "athena_results" {
  bucket        = "${var.name_prefix}-athena-results"
  force_destroy = var.force_destroy

  tags = var.tags
}

resource "aws_s3_bucket_public_access_block" "athena_results" {
  bucket                  = aws_s3_bucket.athena_results.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "athena_results" {
  bucket = aws_s3_bucket.athena_results.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "aws:kms"
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_versioning" "athena_results" {
  bucket = aws_s3_bucket.athena_results.id
  versioning_configuration {
    # Results are disposable; versioning would only keep deleted results around.
    status = "Suspended"
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "athena_results" {
  bucket = aws_s3_bucket.athena_results.id

  rule {
    id     = "expire-results"
    status = "Enabled"
    filter {}
    expiration {
      days = var.results_expiration_days
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }
}

resource "aws_athena_workgroup" "semantic_layer" {
  name          = "${var.name_prefix}-semantic-layer"
  description   = "Queries of the semantic layer (CUBEJS_AWS_ATHENA_WORKGROUP)"
  force_destroy = var.force_destroy

  configuration {
    enforce_workgroup_configuration    = true
    publish_cloudwatch_metrics_enabled = true
    bytes_scanned_cutoff_per_query     = var.bytes_scanned_cutoff_per_query

    engine_version {
      selected_engine_version = "Athena engine version 3"
    }

    result_configuration {
      output_location = "s3://${aws_s3_bucket.athena_results.bucket}/results/"
      encryption_configuration {
        encryption_option = "SSE_S3"
      }
    }
  }

  tags = var.tags
}
