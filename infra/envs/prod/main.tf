# Production: sized for the real load, highly available (a NAT gateway per zone, an RDS standby)
# and protected from deletion. Everything shared with dev is in ../../modules/platform; this
# file holds only what differs.
locals {
  # Applied by the AWS provider as default_tags and passed to every module as var.tags.
  tags = {
    Project     = "lakehouse"
    Environment = "prod"
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
  availability_zones = ["us-east-1a", "us-east-1b", "us-east-1c"]
  vpc_cidr           = "10.40.0.0/16"
  single_nat_gateway = false

  # EKS (Airflow, semantic layer)
  eks_public_access_cidrs = []
  eks_admin_role_arns     = ["arn:aws:iam::111111111111:role/platform-admin", "arn:aws:iam::111111111111:role/ci-deployer"]
  eks_node_instance_types = ["m6i.xlarge"]
  eks_node_capacity_type  = "ON_DEMAND"
  eks_node_min_size       = 3
  eks_node_max_size       = 10

  # Events stream
  kinesis_stream_mode = "ON_DEMAND"
  kinesis_shard_count = 4

  # Transactional Postgres
  rds_instance_class      = "db.r6g.large"
  rds_multi_az            = true
  rds_deletion_protection = true

  # Safety of deletes and rebuilds
  force_destroy_buckets        = false
  secrets_recovery_window_days = 30

  # Alerts
  alert_emails = ["data-platform-oncall@example.com"]

  # Databricks
  databricks_max_workers              = 8
  databricks_warehouse_size           = "Small"
  databricks_airflow_principal        = "00000000-0000-0000-0000-0000000a1f10"
  databricks_semantic_layer_principal = "00000000-0000-0000-0000-0000000c0be0"
}
