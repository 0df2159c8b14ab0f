project     = "lakehouse"
environment = "dev"
owner       = "data-platform"
cost_center = "analytics"

aws_region         = "us-east-1"
availability_zones = ["us-east-1a", "us-east-1b"]
vpc_cidr           = "10.41.0.0/16"
single_nat_gateway = true

eks_public_access_cidrs = ["203.0.113.0/24"]
eks_admin_role_arns     = ["arn:aws:iam::222222222222:role/platform-admin", "arn:aws:iam::222222222222:role/ci-deployer"]
eks_node_instance_types = ["m6i.large", "m5.large"]
eks_node_capacity_type  = "SPOT"
eks_node_min_size       = 1
eks_node_max_size       = 4

kinesis_stream_mode = "PROVISIONED"
kinesis_shard_count = 1

rds_instance_class      = "db.t4g.medium"
rds_multi_az            = false
rds_deletion_protection = false

force_destroy_buckets        = true
secrets_recovery_window_days = 0
alert_emails                 = []

databricks_host                     = "https://dbc-dev-lakehouse.cloud.databricks.com"
databricks_git_url                  = "https://github.com/example-org/lakehouse-semantic-layer"
databricks_git_branch               = "main"
databricks_max_workers              = 2
databricks_warehouse_size           = "2X-Small"
databricks_airflow_principal        = "00000000-0000-0000-0000-0000000d1f10"
databricks_semantic_layer_principal = "00000000-0000-0000-0000-0000000d0be0"
