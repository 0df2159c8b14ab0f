variable "name_prefix" {
  type        = string
  description = "Prefix of the stream, delivery stream and log group names, e.g. \"lakehouse-prod\"."
}

variable "stream_mode" {
  type        = string
  description = "ON_DEMAND (scales by itself, pay per GB) or PROVISIONED (fixed shard_count, cheaper at steady load)."
  default     = "ON_DEMAND"

  validation {
    condition     = contains(["ON_DEMAND", "PROVISIONED"], var.stream_mode)
    error_message = "stream_mode must be ON_DEMAND or PROVISIONED."
  }
}

variable "shard_count" {
  type        = number
  description = "Shards when stream_mode is PROVISIONED (1 shard = 1 MB/s or 1,000 records/s in)."
  default     = 2
}

variable "retention_hours" {
  type        = number
  description = "How long records stay readable in the stream; covers a consumer outage (24 to 8760)."
  default     = 48
}

variable "bronze_bucket_arn" {
  type        = string
  description = "ARN of the bronze bucket where Firehose archives the raw events."
}

variable "firehose_role_arn" {
  type        = string
  description = "IAM role Firehose assumes to read the stream and write to the bronze bucket (iam module)."
}

variable "events_prefix" {
  type        = string
  description = "Time-partitioned prefix of the raw archive; same layout the local consumer writes (bronze/events/YYYY/MM/DD/HH)."
  default     = "events/!{timestamp:yyyy/MM/dd/HH}/"
}

variable "error_prefix" {
  type        = string
  description = "Prefix (in the bronze bucket) of records Firehose failed to deliver, from the s3-lakehouse module."
}

variable "buffering_size_mb" {
  type        = number
  description = "Firehose flushes when this many MB are buffered (1 to 128)."
  default     = 64
}

variable "buffering_interval_seconds" {
  type        = number
  description = "Firehose flushes at least this often (0 to 900 s); the real-time path reads the stream, not the archive."
  default     = 300
}

variable "log_retention_days" {
  type        = number
  description = "Retention of Firehose delivery error logs."
  default     = 30
}

variable "tags" {
  type        = map(string)
  description = "Tags applied to every resource."
}
