variable "name_prefix" {
  type        = string
  description = "Prefix of alarm and topic names, e.g. \"lakehouse-prod\"."
}

variable "alert_emails" {
  type        = list(string)
  description = "E-mail addresses subscribed to the alerts topic (each must confirm the subscription)."
  default     = []
}

variable "kinesis_stream_name" {
  type        = string
  description = "Events stream watched for consumer lag and throttling."
}

variable "firehose_name" {
  type        = string
  description = "Firehose delivery stream watched for failed and stale deliveries."
}

variable "rds_instance_identifier" {
  type        = string
  description = "RDS instance watched for CPU and free storage."
}

variable "iterator_age_threshold_ms" {
  type        = number
  description = "Alarm when the oldest unread record is older than this (the real-time dashboard target is seconds)."
  default     = 60000
}

variable "firehose_freshness_threshold_seconds" {
  type        = number
  description = "Alarm when the oldest record not yet archived to S3 is older than this (buffer interval + margin)."
  default     = 900
}

variable "rds_cpu_threshold_percent" {
  type        = number
  description = "Alarm when RDS average CPU stays above this percentage."
  default     = 80
}

variable "rds_free_storage_threshold_bytes" {
  type        = number
  description = "Alarm when RDS free storage falls below this many bytes."
  default     = 10737418240
}

variable "tags" {
  type        = map(string)
  description = "Tags applied to every resource."
}
