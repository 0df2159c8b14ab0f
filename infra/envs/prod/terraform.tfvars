project     = "lakehouse"
environment = "prod"
owner       = "data-platform"
cost_center = "analytics"

aws_region         = "us-east-1"
availability_zones = ["us-east-1a", "us-east-1b", "us-east-1c"]
vpc_cidr           = "10.40.0.0/16"
single_nat_gateway = false

eks_public_access_cidrs = []
eks_admin_role_arns     = ["arn:aws:iam::111111111111:role/platform-admin", "arn:aws:iam::111111111111:role/ci-deployer"]
eks_node_instance_types = ["m6i.xlarge"]
eks_node_capacity_type  = "ON_DEMAND"
eks_node_min_size       = 3
eks_node_max_size       = 10

kinesis_stream_mode = "ON_DEMAND"
kinesis_shard_count = 4

rds_instance_class      = "db.r6g.large"
rds_multi_az            = true
rds_deletion_protection = true

force_destroy_buckets        = false
secrets_recovery_window_days = 30
alert_emails                 = ["data-platform-oncall@example.com"]

databricks_host                     = "https://dbc-prod-lakehouse.cloud.databricks.com"
databricks_git_url                  = "https://github.com/example-org/lakehouse-semantic-layer"
databricks_git_branch               = "main"
databricks_max_workers              = 8
databricks_warehouse_size           = "Small"
databricks_airflow_principal        = "00000000-0000-0000-0000-0000000a1f10"
databricks_semantic_layer_principal = "00000000-0000-0000-0000-0000000c0be0"
