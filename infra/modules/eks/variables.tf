variable "cluster_name" {
  type        = string
  description = "EKS cluster name, e.g. \"lakehouse-prod\"."
}

variable "kubernetes_version" {
  type        = string
  description = "Kubernetes minor version of the control plane and nodes."
  default     = "1.31"
}

variable "vpc_id" {
  type        = string
  description = "VPC of the cluster."
}

variable "subnet_ids" {
  type        = list(string)
  description = "Private subnets for the control plane ENIs and the nodes."
}

variable "public_access_cidrs" {
  type        = list(string)
  description = "CIDRs allowed to reach the public API endpoint (office/VPN); empty disables the public endpoint."
  default     = []
}

variable "admin_role_arns" {
  type        = list(string)
  description = "IAM roles granted cluster-admin through EKS access entries (platform team, CI deployer)."
  default     = []
}

variable "node_instance_types" {
  type        = list(string)
  description = "Instance types of the platform node group running Airflow and the semantic layer."
  default     = ["m6i.large"]
}

variable "node_capacity_type" {
  type        = string
  description = "ON_DEMAND or SPOT for the platform node group; Airflow task pods tolerate SPOT, the scheduler prefers ON_DEMAND."
  default     = "ON_DEMAND"
}

variable "node_min_size" {
  type        = number
  description = "Minimum nodes of the platform node group."
  default     = 2
}

variable "node_desired_size" {
  type        = number
  description = "Initial desired nodes (the cluster autoscaler moves it afterwards)."
  default     = 2
}

variable "node_max_size" {
  type        = number
  description = "Maximum nodes of the platform node group (KubernetesExecutor bursts)."
  default     = 6
}

variable "log_retention_days" {
  type        = number
  description = "Retention of control-plane logs in CloudWatch."
  default     = 30
}

variable "tags" {
  type        = map(string)
  description = "Tags applied to every resource."
}
