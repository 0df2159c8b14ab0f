variable "name" {
  type        = string
  description = "Name of the VPC and prefix of its subnets, e.g. \"lakehouse-prod\"."
}

variable "cidr_block" {
  type        = string
  description = "IPv4 CIDR of the VPC; split into one public and one private /20 per availability zone."
}

variable "availability_zones" {
  type        = list(string)
  description = "Availability zones to spread subnets over (at least two: EKS and RDS subnet groups require it)."

  validation {
    condition     = length(var.availability_zones) >= 2
    error_message = "At least two availability zones are required by EKS and RDS subnet groups."
  }
}

variable "single_nat_gateway" {
  type        = bool
  description = "One NAT gateway for all zones (cheaper, dev) instead of one per zone (prod)."
  default     = false
}

variable "eks_cluster_name" {
  type        = string
  description = "EKS cluster name, tagged on subnets so the AWS load balancer controller can find them."
}

variable "tags" {
  type        = map(string)
  description = "Tags applied to every resource."
}
