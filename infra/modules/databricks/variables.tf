variable "name_prefix" {
  type        = string
  description = "Prefix of job, policy and warehouse names, e.g. \"lakehouse-prod\"."
}

variable "instance_profile_arn" {
  type        = string
  description = "Instance profile (iam module) giving clusters and the SQL warehouse access to the lakehouse buckets."
}

variable "bucket_names" {
  type        = map(string)
  description = "Lakehouse bucket names keyed by layer (s3-lakehouse module), passed to the notebooks as parameters."
}

variable "events_stream_name" {
  type        = string
  description = "Kinesis events stream read by the streaming job."
}

variable "aws_region" {
  type        = string
  description = "AWS region of the stream and buckets."
}

variable "git_url" {
  type        = string
  description = "HTTPS URL of this repository; jobs run the notebooks straight from Git at git_branch."
}

variable "git_provider" {
  type        = string
  description = "Git provider as Databricks names it (gitHub, gitLab, awsCodeCommit, ...)."
  default     = "gitHub"
}

variable "git_branch" {
  type        = string
  description = "Branch the jobs run from (main in prod, a release branch or main in dev)."
  default     = "main"
}

variable "spark_version" {
  type        = string
  description = "Databricks Runtime (LTS) of the job clusters; must ship Delta Lake with MERGE INTO."
  default     = "15.4.x-scala2.12"
}

variable "node_type_id" {
  type        = string
  description = "Worker and driver node type of the job clusters."
  default     = "m6gd.xlarge"
}

variable "allowed_node_types" {
  type        = list(string)
  description = "Node types the cluster policy allows."
  default     = ["m6gd.large", "m6gd.xlarge", "m6gd.2xlarge", "r6gd.xlarge"]
}

variable "min_workers" {
  type        = number
  description = "Autoscaling floor of the batch job clusters."
  default     = 1
}

variable "max_workers" {
  type        = number
  description = "Autoscaling ceiling of the batch job clusters (also the policy's limit)."
  default     = 8
}

variable "warehouse_size" {
  type        = string
  description = "SQL warehouse T-shirt size serving the semantic layer (2X-Small ... 4X-Large)."
  default     = "Small"
}

variable "warehouse_max_clusters" {
  type        = number
  description = "Warehouse scale-out for concurrent dashboard queries."
  default     = 2
}

variable "warehouse_auto_stop_minutes" {
  type        = number
  description = "Minutes of inactivity before the warehouse stops (pre-aggregations absorb most dashboard load)."
  default     = 15
}

variable "job_timeout_seconds" {
  type        = number
  description = "A batch job run longer than this is cancelled (and fails the Airflow task)."
  default     = 7200
}

variable "notification_emails" {
  type        = list(string)
  description = "Addresses notified by Databricks when a job run fails."
  default     = []
}

variable "airflow_principal" {
  type        = string
  description = "Application id of the service principal Airflow uses; granted CAN_MANAGE_RUN on the jobs."
}

variable "semantic_layer_principal" {
  type        = string
  description = "Application id of the service principal the semantic layer uses; granted CAN_USE on the warehouse."
}

variable "tags" {
  type        = map(string)
  description = "Tags propagated to clusters and the warehouse (become EC2 tags for cost allocation)."
}
