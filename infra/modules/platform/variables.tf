variable "project" {
  type        = string
  description = "Project name, first part of every resource name."
}

variable "environment" {
  type        = string
  description = "Environment name (dev, prod), second part of every resource name."
}

variable "tags" {
  type        = map(string)
  description = "Tags of every resource; the environment's AWS provider applies the same map as default_tags."

  validation {
    condition     = alltrue([for key in ["Project", "Environment", "Owner", "CostCenter"] : contains(keys(var.tags), key)])
    error_message = "tags must include Project, Environment, Owner and CostCenter."
  }
}

variable "availability_zones" {
  type        = list(string)
  description = "Availability zones used by the VPC, EKS and RDS."
}

variable "vpc_cidr" {
  type        = string
  description = "CIDR of the platform VPC."
}

variable "single_nat_gateway" {
  type        = bool
  description = "One NAT gateway instead of one per zone."
}

variable "eks_public_access_cidrs" {
  type        = list(string)
  description = "CIDRs allowed to reach the EKS public endpoint (empty: private only)."
}

variable "eks_admin_role_arns" {
  type        = list(string)
  description = "IAM roles with cluster-admin on EKS."
}

variable "eks_node_instance_types" {
  type        = list(string)
  description = "Instance types of the EKS platform node group."
}

variable "eks_node_capacity_type" {
  type        = string
  description = "ON_DEMAND or SPOT for the EKS platform node group."
}

variable "eks_node_min_size" {
  type        = number
  description = "Minimum EKS platform nodes."
}

variable "eks_node_max_size" {
  type        = number
  description = "Maximum EKS platform nodes."
}

variable "redshift_base_capacity" {
  type        = number
  description = "Base RPUs of the Redshift Serverless workgroup (CUBEJS_DB_TYPE=redshift); billed only while queries run."
  default     = 8
}

variable "kinesis_stream_mode" {
  type        = string
  description = "ON_DEMAND or PROVISIONED events stream."
}

variable "kinesis_shard_count" {
  type        = number
  description = "Shards when the stream is PROVISIONED."
}

variable "rds_instance_class" {
  type        = string
  description = "Instance class of the transactional Postgres."
}

variable "rds_multi_az" {
  type        = bool
  description = "Standby RDS instance in a second zone."
}

variable "rds_deletion_protection" {
  type        = bool
  description = "Protect the RDS instance from deletion."
}

variable "force_destroy_buckets" {
  type        = bool
  description = "Allow destroying non-empty buckets (dev only)."
}

variable "secrets_recovery_window_days" {
  type        = number
  description = "Recovery window of deleted secrets (0 in dev for quick rebuilds)."
}

variable "alert_emails" {
  type        = list(string)
  description = "E-mail subscriptions of the alerts topic."
}

variable "databricks_git_url" {
  type        = string
  description = "HTTPS URL of this repository, from which Databricks jobs run the notebooks."
  default     = "https://github.com/example-org/lakehouse-semantic-layer"
}

variable "databricks_git_branch" {
  type        = string
  description = "Branch the Databricks jobs run from."
  default     = "main"
}

variable "databricks_max_workers" {
  type        = number
  description = "Autoscaling ceiling of the Databricks job clusters."
}

variable "databricks_warehouse_size" {
  type        = string
  description = "Size of the SQL warehouse serving the semantic layer."
}

variable "databricks_airflow_principal" {
  type        = string
  description = "Application id of the Databricks service principal used by Airflow."
}

variable "databricks_semantic_layer_principal" {
  type        = string
  description = "Application id of the Databricks service principal used by the semantic layer."
}
