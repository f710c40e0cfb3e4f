variable "bucket_name" {
  description = "Globally unique name of the backup bucket."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket_name))
    error_message = "bucket_name must be a valid S3 bucket name."
  }
}

variable "logs_bucket_name" {
  description = "Bucket that receives the backup bucket's server access logs."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.logs_bucket_name))
    error_message = "logs_bucket_name must be a valid S3 bucket name."
  }
}

variable "logs_prefix" {
  description = "Key prefix of the backup bucket's access logs in the log bucket."
  type        = string
  default     = "s3/backups"

  validation {
    condition     = can(regex("^[a-z0-9/-]+$", var.logs_prefix))
    error_message = "logs_prefix must be lower-case letters, digits, hyphens or slashes."
  }
}

variable "infrequent_access_after_days" {
  description = "Days after which a backup moves to S3 Standard-IA (at least 30, S3's minimum)."
  type        = number
  default     = 30

  validation {
    condition     = var.infrequent_access_after_days >= 30
    error_message = "infrequent_access_after_days must be at least 30."
  }
}

variable "glacier_after_days" {
  description = "Days after which a backup moves to Glacier Instant Retrieval (restorable in milliseconds)."
  type        = number
  default     = 90

  validation {
    condition     = var.glacier_after_days >= 60
    error_message = "glacier_after_days must be at least 60 (30 days after Standard-IA at the earliest)."
  }
}

variable "retention_days" {
  description = "Days a backup is kept before it expires."
  type        = number
  default     = 365

  validation {
    condition     = var.retention_days >= 7 && var.retention_days <= 3650
    error_message = "retention_days must be between 7 and 3650."
  }
}

variable "noncurrent_retention_days" {
  description = "Days an overwritten or deleted backup stays recoverable as a noncurrent version."
  type        = number
  default     = 30

  validation {
    condition     = var.noncurrent_retention_days >= 1 && var.noncurrent_retention_days <= 365
    error_message = "noncurrent_retention_days must be between 1 and 365."
  }
}

variable "tags" {
  description = "Tags for the bucket."
  type        = map(string)
  default     = {}
}
