# Four buckets, one per lakehouse layer, laid out as notebooks/sql/README.md describes:
# landing/<system>/<entity>/dt=YYYY-MM-DD/<file>, bronze/<table>/ (Delta) and bronze/events/ (Firehose archive).
locals {
  layers = toset(["landing", "bronze", "silver", "gold"])
}

resource "aws_s3_bucket" "layer" {
  for_each = local.layers

  bucket        = "${var.name_prefix}-${each.key}"
  force_destroy = var.force_destroy

  tags = merge(var.tags, { Layer = each.key })
}

resource "aws_s3_bucket_ownership_controls" "layer" {
  for_each = aws_s3_bucket.layer

  bucket = each.value.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "layer" {
  for_each = aws_s3_bucket.layer

  bucket                  = each.value.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "layer" {
  for_each = aws_s3_bucket.layer

  bucket = each.value.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = var.kms_key_arn
    }
    # S3 Bucket Keys cut KMS request costs by ~99% for the many small Delta files.
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_versioning" "layer" {
  for_each = aws_s3_bucket.layer

  bucket = each.value.id
  versioning_configuration {
    status = "Enabled"
  }
}

# Deny plain-HTTP access: every client (Databricks, Athena, Firehose, Airflow) speaks TLS.
data "aws_iam_policy_document" "tls_only" {
  for_each = aws_s3_bucket.layer

  statement {
    sid     = "DenyInsecureTransport"
    effect  = "Deny"
    actions = ["s3:*"]
    resources = [
      each.value.arn,
      "${each.value.arn}/*",
    ]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "tls_only" {
  for_each = aws_s3_bucket.layer

  bucket = each.value.id
  policy = data.aws_iam_policy_document.tls_only[each.key].json

  depends_on = [aws_s3_bucket_public_access_block.layer]
}

resource "aws_s3_bucket_lifecycle_configuration" "landing" {
  bucket = aws_s3_bucket.layer["landing"].id

  rule {
    id     = "expire-landed-files"
    status = "Enabled"
    filter {}
    expiration {
      days = var.landing_expiration_days
    }
    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_expiration_days
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }

  depends_on = [aws_s3_bucket_versioning.layer]
}

resource "aws_s3_bucket_lifecycle_configuration" "bronze" {
  bucket = aws_s3_bucket.layer["bronze"].id

  rule {
    id     = "tier-raw-history"
    status = "Enabled"
    filter {
      prefix = "events/"
    }
    transition {
      days          = var.bronze_ia_transition_days
      storage_class = "STANDARD_IA"
    }
    transition {
      days          = var.bronze_glacier_transition_days
      storage_class = "GLACIER_IR"
    }
  }

  rule {
    id     = "expire-firehose-errors"
    status = "Enabled"
    filter {
      prefix = var.firehose_error_prefix
    }
    expiration {
      days = var.firehose_error_expiration_days
    }
  }

  rule {
    id     = "noncurrent-versions"
    status = "Enabled"
    filter {}
    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_expiration_days
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }

  depends_on = [aws_s3_bucket_versioning.layer]
}

# Silver and gold are Delta tables: VACUUM removes unreferenced files, so only superseded
# versions and stale uploads need a rule here.
resource "aws_s3_bucket_lifecycle_configuration" "curated" {
  for_each = toset(["silver", "gold"])

  bucket = aws_s3_bucket.layer[each.key].id

  rule {
    id     = "noncurrent-versions"
    status = "Enabled"
    filter {}
    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_expiration_days
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }

  depends_on = [aws_s3_bucket_versioning.layer]
}
