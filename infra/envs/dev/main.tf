# Development: small, cheap (spot nodes, one NAT gateway, single-AZ RDS) and quick to rebuild
# (buckets and secrets may be destroyed at once). Everything shared with prod is in
# ../../modules/platform; this file holds only what differs.
locals {
  # Applied by the AWS provider as default_tags and passed to every module as var.tags.
  tags = {
    Project     = "lakehouse"
    Environment = "dev"
    Owner       = "data-platform"
    CostCenter  = "analytics"
    ManagedBy   = "terraform"
  }
}

module "platform" {
  source = "../../modules/platform"

  project     = local.tags.Project
  environment = local.tags.Environment
  tags        = local.tags

  # Network
  availability_zones = ["us-east-1a", "us-east-1b"]
  vpc_cidr           = "10.41.0.0/16"
  single_nat_gateway = true

  # EKS (Airflow, semantic layer)
  eks_public_access_cidrs = ["203.0.113.0/24"]
  eks_admin_role_arns     = ["arn:aws:iam::222222222222:role/platform-admin", "arn:aws:iam::222222222222:role/ci-deployer"]
  eks_node_instance_types = ["m6i.large", "m5.large"]
  eks_node_capacity_type  = "SPOT"
  eks_node_min_size       = 1
  eks_node_max_size       = 4

  # Events stream
  kinesis_stream_mode = "PROVISIONED"
  kinesis_shard_count = 1

  # Transactional Postgres
  rds_instance_class      = "db.t4g.medium"
  rds_multi_az            = false
  rds_deletion_protection = false

  # Safety of deletes and rebuilds
  force_destroy_buckets        = true
  secrets_recovery_window_days = 0

  # Alerts
  alert_emails = []

  # Databricks
  databricks_max_workers              = 2
  databricks_warehouse_size           = "2X-Small"
  databricks_airflow_principal        = "00000000-0000-0000-0000-0000000d1f10"
  databricks_semantic_layer_principal = "00000000-0000-0000-0000-0000000d0be0"
}
