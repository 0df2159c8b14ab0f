variable "identifier" {
  type        = string
  description = "RDS instance identifier, e.g. \"lakehouse-prod-oltp\"."
}

variable "vpc_id" {
  type        = string
  description = "VPC of the database security group."
}

variable "subnet_ids" {
  type        = list(string)
  description = "Private subnets (two zones at least) of the DB subnet group."
}

variable "allowed_security_group_ids" {
  type        = list(string)
  description = "Security groups allowed to connect on 5432 (EKS nodes running Airflow extraction tasks)."
  default     = []
}

variable "engine_version" {
  type        = string
  description = "PostgreSQL major.minor version."
  default     = "16.4"
}

variable "instance_class" {
  type        = string
  description = "Instance class, e.g. db.t4g.medium (dev) or db.r6g.large (prod)."
}

variable "allocated_storage_gb" {
  type        = number
  description = "Initial gp3 storage in GB."
  default     = 50
}

variable "max_allocated_storage_gb" {
  type        = number
  description = "Storage autoscaling ceiling in GB."
  default     = 500
}

variable "database_name" {
  type        = string
  description = "Initial database holding the transactional tables order_status and returns."
  default     = "ecommerce"
}

variable "master_username" {
  type        = string
  description = "Master user; its password is generated and rotated by RDS in Secrets Manager, never in state."
  default     = "lakehouse_admin"
}

variable "multi_az" {
  type        = bool
  description = "Standby in a second zone (prod)."
  default     = false
}

variable "backup_retention_days" {
  type        = number
  description = "Automated backup retention in days."
  default     = 7
}

variable "deletion_protection" {
  type        = bool
  description = "Refuse deletion of the instance (prod)."
  default     = true
}

variable "kms_key_arn" {
  type        = string
  description = "KMS key for storage and the master secret; null uses the AWS-managed keys."
  default     = null
}

variable "tags" {
  type        = map(string)
  description = "Tags applied to every resource."
}
