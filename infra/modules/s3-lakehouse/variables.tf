variable "name_prefix" {
  type        = string
  description = "Prefix of every bucket name, e.g. \"acme-lakehouse-prod\"; bucket names must be globally unique."
}

variable "tags" {
  type        = map(string)
  description = "Tags applied to every resource (merged with the provider's default_tags)."
}

variable "kms_key_arn" {
  type        = string
  description = "KMS key for SSE-KMS; null uses an AWS-managed key per bucket (aws:kms without a key id)."
  default     = null
}

variable "force_destroy" {
  type        = bool
  description = "Allow terraform destroy to delete non-empty buckets (dev only)."
  default     = false
}

variable "landing_expiration_days" {
  type        = number
  description = "Days after which raw landing files are deleted (they are already copied into bronze)."
  default     = 90
}

variable "bronze_ia_transition_days" {
  type        = number
  description = "Days after which bronze objects move to STANDARD_IA."
  default     = 30
}

variable "bronze_glacier_transition_days" {
  type        = number
  description = "Days after which bronze objects move to GLACIER_IR (raw history kept for replays)."
  default     = 180
}

variable "noncurrent_version_expiration_days" {
  type        = number
  description = "Days to keep superseded object versions; Delta keeps its own history in the _delta_log, so this only guards against accidental deletes."
  default     = 30
}

variable "firehose_error_prefix" {
  type        = string
  description = "Prefix in the bronze bucket where Firehose writes records it could not deliver; expired separately."
  default     = "errors/events/"
}

variable "firehose_error_expiration_days" {
  type        = number
  description = "Days to keep Firehose error records."
  default     = 30
}
