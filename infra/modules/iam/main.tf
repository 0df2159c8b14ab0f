# Least-privilege roles for each actor. IRSA trust policies pin the exact namespace and service
# account, so no other pod in the cluster can assume them.
data "aws_caller_identity" "current" {}
data "aws_region" "current" {}
data "aws_partition" "current" {}

locals {
  arn_prefix        = "arn:${data.aws_partition.current.partition}"
  secret_arn_base   = "${local.arn_prefix}:secretsmanager:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:secret"
  lakehouse_layers  = ["bronze", "silver", "gold"]
  lakehouse_buckets = [for layer in local.lakehouse_layers : var.bucket_arns[layer]]
  lakehouse_objects = [for layer in local.lakehouse_layers : "${var.bucket_arns[layer]}/*"]
  glue_catalog_arn  = "${local.arn_prefix}:glue:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:catalog"
  glue_database_arn = "${local.arn_prefix}:glue:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:database/${var.glue_database_name}"
  glue_tables_arn   = "${local.arn_prefix}:glue:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:table/${var.glue_database_name}/*"
}

# --- Databricks clusters: instance profile with read/write on bronze, silver, gold ------------

data "aws_iam_policy_document" "ec2_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "databricks" {
  name               = "${var.name_prefix}-databricks-data"
  assume_role_policy = data.aws_iam_policy_document.ec2_assume.json

  tags = var.tags
}

data "aws_iam_policy_document" "databricks" {
  statement {
    sid       = "ListLakehouse"
    actions   = ["s3:ListBucket", "s3:GetBucketLocation"]
    resources = concat(local.lakehouse_buckets, [var.bucket_arns["landing"]])
  }
  statement {
    sid       = "ReadWriteLakehouse"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = local.lakehouse_objects
  }
  statement {
    sid       = "ReadLanding"
    actions   = ["s3:GetObject"]
    resources = ["${var.bucket_arns["landing"]}/*"]
  }
  statement {
    sid       = "ReadEventsStream"
    actions   = ["kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:ListShards", "kinesis:GetShardIterator", "kinesis:GetRecords"]
    resources = [var.events_stream_arn]
  }
  statement {
    sid       = "GlueCatalogSync"
    actions   = ["glue:GetDatabase", "glue:GetTable", "glue:GetTables", "glue:CreateTable", "glue:UpdateTable"]
    resources = [local.glue_catalog_arn, local.glue_database_arn, local.glue_tables_arn]
  }
}

resource "aws_iam_role_policy" "databricks" {
  name   = "lakehouse-data"
  role   = aws_iam_role.databricks.id
  policy = data.aws_iam_policy_document.databricks.json
}

resource "aws_iam_instance_profile" "databricks" {
  name = "${var.name_prefix}-databricks-data"
  role = aws_iam_role.databricks.name

  tags = var.tags
}

# --- Firehose: read the events stream, write the raw archive to bronze ------------------------

data "aws_iam_policy_document" "firehose_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["firehose.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "sts:ExternalId"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_iam_role" "firehose" {
  name               = "${var.name_prefix}-firehose"
  assume_role_policy = data.aws_iam_policy_document.firehose_assume.json

  tags = var.tags
}

data "aws_iam_policy_document" "firehose" {
  statement {
    sid       = "ReadStream"
    actions   = ["kinesis:DescribeStream", "kinesis:GetShardIterator", "kinesis:GetRecords", "kinesis:ListShards"]
    resources = [var.events_stream_arn]
  }
  statement {
    sid       = "DecryptStream"
    actions   = ["kms:Decrypt"]
    resources = ["*"]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["kinesis.${data.aws_region.current.name}.amazonaws.com"]
    }
  }
  statement {
    sid       = "WriteBronze"
    actions   = ["s3:AbortMultipartUpload", "s3:GetBucketLocation", "s3:GetObject", "s3:ListBucket", "s3:ListBucketMultipartUploads", "s3:PutObject"]
    resources = [var.bucket_arns["bronze"], "${var.bucket_arns["bronze"]}/*"]
  }
  statement {
    sid       = "DeliveryLogs"
    actions   = ["logs:PutLogEvents"]
    resources = ["${local.arn_prefix}:logs:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:log-group:/aws/kinesisfirehose/*"]
  }
}

resource "aws_iam_role_policy" "firehose" {
  name   = "events-archive"
  role   = aws_iam_role.firehose.id
  policy = data.aws_iam_policy_document.firehose.json
}

# --- Pods on EKS (IRSA): one role per service account, trusting only that account -----------

locals {
  # Keyed by the role name after the prefix, which is also the name of the role's inline policy.
  # A service account pattern with a wildcard is matched with StringLike, an exact one with
  # StringEquals. Trust and permissions are separate maps so that the trust policy never waits
  # for the resources the permissions name.
  irsa_service_accounts = {
    airflow        = "system:serviceaccount:${var.airflow_namespace}:${var.airflow_service_account_pattern}"
    semantic-layer = "system:serviceaccount:${var.semantic_layer_namespace}:${var.semantic_layer_service_account}"
  }
  irsa_policies = {
    airflow        = data.aws_iam_policy_document.airflow.json
    semantic-layer = data.aws_iam_policy_document.semantic_layer.json
  }
}

data "aws_iam_policy_document" "irsa_assume" {
  for_each = local.irsa_service_accounts

  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [var.oidc_provider_arn]
    }
    condition {
      test     = "StringEquals"
      variable = "${var.oidc_issuer}:aud"
      values   = ["sts.amazonaws.com"]
    }
    condition {
      test     = strcontains(each.value, "*") ? "StringLike" : "StringEquals"
      variable = "${var.oidc_issuer}:sub"
      values   = [each.value]
    }
  }
}

resource "aws_iam_role" "irsa" {
  for_each = local.irsa_service_accounts

  name               = "${var.name_prefix}-${each.key}"
  assume_role_policy = data.aws_iam_policy_document.irsa_assume[each.key].json

  tags = var.tags
}

resource "aws_iam_role_policy" "irsa" {
  for_each = local.irsa_policies

  name   = each.key
  role   = aws_iam_role.irsa[each.key].id
  policy = each.value
}

moved {
  from = aws_iam_role.airflow
  to   = aws_iam_role.irsa["airflow"]
}

moved {
  from = aws_iam_role_policy.airflow
  to   = aws_iam_role_policy.irsa["airflow"]
}

moved {
  from = aws_iam_role.semantic_layer
  to   = aws_iam_role.irsa["semantic-layer"]
}

moved {
  from = aws_iam_role_policy.semantic_layer
  to   = aws_iam_role_policy.irsa["semantic-layer"]
}

# Airflow: secrets backend, landing writes, sensors, metrics, alerts.
data "aws_iam_policy_document" "airflow" {
  statement {
    sid       = "SecretsBackend"
    actions   = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
    resources = ["${local.secret_arn_base}:airflow/*"]
  }
  statement {
    sid       = "DecryptSecrets"
    actions   = ["kms:Decrypt"]
    resources = [var.secrets_kms_key_arn]
  }
  statement {
    sid       = "ListBuckets"
    actions   = ["s3:ListBucket"]
    resources = [var.bucket_arns["landing"], var.bucket_arns["bronze"]]
  }
  statement {
    sid       = "LandingReadWrite"
    actions   = ["s3:GetObject", "s3:PutObject"]
    resources = ["${var.bucket_arns["landing"]}/*"]
  }
  statement {
    sid       = "BronzeRead"
    actions   = ["s3:GetObject"]
    resources = ["${var.bucket_arns["bronze"]}/*"]
  }
  statement {
    sid       = "StreamingHealth"
    actions   = ["cloudwatch:GetMetricData", "cloudwatch:GetMetricStatistics", "kinesis:DescribeStreamSummary"]
    resources = ["*"]
  }
  statement {
    sid       = "Alerts"
    actions   = ["sns:Publish"]
    resources = [var.alerts_topic_arn]
  }
}

# Semantic layer: Athena/Glue read of gold, its own secrets.
data "aws_iam_policy_document" "semantic_layer" {
  statement {
    sid       = "AthenaQueries"
    actions   = ["athena:StartQueryExecution", "athena:GetQueryExecution", "athena:GetQueryResults", "athena:StopQueryExecution", "athena:GetWorkGroup"]
    resources = [var.athena_workgroup_arn]
  }
  statement {
    sid       = "GlueRead"
    actions   = ["glue:GetDatabase", "glue:GetTable", "glue:GetTables", "glue:GetPartitions"]
    resources = [local.glue_catalog_arn, local.glue_database_arn, local.glue_tables_arn]
  }
  statement {
    sid       = "GoldRead"
    actions   = ["s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation"]
    resources = [var.bucket_arns["gold"], "${var.bucket_arns["gold"]}/*"]
  }
  statement {
    sid       = "AthenaResults"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:ListBucket", "s3:GetBucketLocation", "s3:AbortMultipartUpload"]
    resources = [var.athena_results_bucket_arn, "${var.athena_results_bucket_arn}/*"]
  }
  statement {
    sid       = "OwnSecrets"
    actions   = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
    resources = ["${local.secret_arn_base}:semantic-layer/*"]
  }
  statement {
    sid       = "DecryptSecrets"
    actions   = ["kms:Decrypt"]
    resources = [var.secrets_kms_key_arn]
  }
}
