# Workspace-level objects. The workspace itself (account-level: credentials, storage config,
# network) is created once per environment by the platform team and handed to this module
# through the provider's host.
locals {
  notebook_parameters = {
    landing_path  = "s3://${var.bucket_names["landing"]}/"
    bronze_path   = "s3://${var.bucket_names["bronze"]}/"
    silver_path   = "s3://${var.bucket_names["silver"]}/"
    gold_path     = "s3://${var.bucket_names["gold"]}/"
    events_stream = var.events_stream_name
    aws_region    = var.aws_region
  }

  # Notebooks are thin wrappers running notebooks/sql/{silver,gold}/*.sql in order (DESIGN.md
  # decision 3); landing_to_bronze loads the landing files and RDS extracts Airflow staged.
  batch_jobs = {
    landing_to_bronze = "notebooks/landing_to_bronze"
    bronze_to_silver  = "notebooks/bronze_to_silver"
    silver_to_gold    = "notebooks/silver_to_gold"
  }
}

resource "databricks_instance_profile" "lakehouse" {
  instance_profile_arn = var.instance_profile_arn
}

resource "databricks_cluster_policy" "jobs" {
  name = "${var.name_prefix}-jobs"
  definition = jsonencode({
    "spark_version"                       = { type = "fixed", value = var.spark_version }
    "aws_attributes.instance_profile_arn" = { type = "fixed", value = databricks_instance_profile.lakehouse.instance_profile_arn }
    "node_type_id"                        = { type = "allowlist", values = var.allowed_node_types, defaultValue = var.node_type_id }
    "driver_node_type_id"                 = { type = "allowlist", values = var.allowed_node_types, defaultValue = var.node_type_id }
    "autoscale.max_workers"               = { type = "range", maxValue = var.max_workers }
    "aws_attributes.availability"         = { type = "fixed", value = "SPOT_WITH_FALLBACK" }
    "aws_attributes.first_on_demand"      = { type = "fixed", value = 1 }
    "data_security_mode"                  = { type = "fixed", value = "SINGLE_USER" }
    "cluster_type"                        = { type = "fixed", value = "job" }
    "custom_tags.Project"                 = { type = "fixed", value = lookup(var.tags, "Project", "lakehouse") }
    "custom_tags.Environment"             = { type = "fixed", value = lookup(var.tags, "Environment", "unknown") }
  })
}

resource "databricks_job" "batch" {
  for_each = local.batch_jobs

  name                = "${var.name_prefix}-${each.key}"
  max_concurrent_runs = 1
  timeout_seconds     = var.job_timeout_seconds

  git_source {
    url      = var.git_url
    provider = var.git_provider
    branch   = var.git_branch
  }

  job_cluster {
    job_cluster_key = "main"
    new_cluster {
      policy_id     = databricks_cluster_policy.jobs.id
      spark_version = var.spark_version
      node_type_id  = var.node_type_id
      autoscale {
        min_workers = var.min_workers
        max_workers = var.max_workers
      }
      aws_attributes {
        instance_profile_arn = databricks_instance_profile.lakehouse.instance_profile_arn
        availability         = "SPOT_WITH_FALLBACK"
        first_on_demand      = 1
      }
      spark_conf = {
        "spark.databricks.delta.optimizeWrite.enabled" = "true"
        "spark.databricks.delta.autoCompact.enabled"   = "true"
      }
      custom_tags = var.tags
    }
  }

  task {
    task_key        = each.key
    job_cluster_key = "main"
    # Airflow owns retries (it knows the data interval); Databricks retries only transient
    # cluster launch failures.
    max_retries               = 1
    min_retry_interval_millis = 60000
    retry_on_timeout          = false

    notebook_task {
      notebook_path   = each.value
      source          = "GIT"
      base_parameters = local.notebook_parameters
    }
  }

  email_notifications {
    on_failure = var.notification_emails
  }

  tags = var.tags
}

resource "databricks_sql_endpoint" "semantic_layer" {
  name                      = "${var.name_prefix}-semantic-layer"
  cluster_size              = var.warehouse_size
  min_num_clusters          = 1
  max_num_clusters          = var.warehouse_max_clusters
  auto_stop_mins            = var.warehouse_auto_stop_minutes
  enable_serverless_compute = false
  warehouse_type            = "PRO"
  instance_profile_arn      = databricks_instance_profile.lakehouse.instance_profile_arn

  tags {
    dynamic "custom_tags" {
      for_each = var.tags
      content {
        key   = custom_tags.key
        value = custom_tags.value
      }
    }
  }
}

resource "databricks_permissions" "jobs" {
  for_each = databricks_job.batch

  job_id = each.value.id

  access_control {
    service_principal_name = var.airflow_principal
    permission_level       = "CAN_MANAGE_RUN"
  }
}

resource "databricks_permissions" "warehouse" {
  sql_endpoint_id = databricks_sql_endpoint.semantic_layer.id

  access_control {
    service_principal_name = var.semantic_layer_principal
    permission_level       = "CAN_USE"
  }

  # The data-quality gate runs its checks on the same warehouse.
  access_control {
    service_principal_name = var.airflow_principal
    permission_level       = "CAN_USE"
  }
}

resource "databricks_permissions" "policy" {
  cluster_policy_id = databricks_cluster_policy.jobs.id

  access_control {
    service_principal_name = var.airflow_principal
    permission_level       = "CAN_USE"
  }
}
