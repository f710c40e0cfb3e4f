variable "name" {
  description = "Prefix of the secret names, e.g. primo/production."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9/_+=.@-]{1,400}$", var.name))
    error_message = "name may only contain letters, digits and / _ + = . @ -."
  }
}

variable "mongodb_uri" {
  description = "MongoDB connection string (MongoDB Atlas or a self-managed replica set). Null creates the secret empty, to be filled in outside Terraform so the URI never enters the state."
  type        = string
  default     = null
  sensitive   = true

  validation {
    condition     = var.mongodb_uri == null || can(regex("^mongodb(\\+srv)?://", var.mongodb_uri))
    error_message = "mongodb_uri must start with mongodb:// or mongodb+srv://."
  }
}

variable "smtp_url" {
  description = "SMTP server URL (smtp:// or smtps:// for TLS), credentials included; null creates no secret and mail is only logged."
  type        = string
  default     = null
  sensitive   = true

  validation {
    condition     = var.smtp_url == null || can(regex("^smtps?://[^/]", var.smtp_url))
    error_message = "smtp_url must start with smtp:// or smtps:// and name a host."
  }
}

variable "jwt_secret_length" {
  description = "Length of the generated JWT signing secret in characters."
  type        = number
  default     = 64

  validation {
    condition     = var.jwt_secret_length >= 32 && var.jwt_secret_length <= 4096
    error_message = "jwt_secret_length must be at least 32 (the backend refuses shorter secrets) and at most 4096."
  }
}

variable "recovery_window_in_days" {
  description = "Days a deleted secret can still be restored (0 deletes at once)."
  type        = number
  default     = 7

  validation {
    condition     = var.recovery_window_in_days == 0 || (var.recovery_window_in_days >= 7 && var.recovery_window_in_days <= 30)
    error_message = "recovery_window_in_days must be 0 or between 7 and 30."
  }
}

variable "kms_key_id" {
  description = "KMS key to encrypt the secrets with; null uses the account's aws/secretsmanager key."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_id == null || can(regex("^(arn:aws[a-z-]*:kms:|alias/|[0-9a-f-]{36}$)", var.kms_key_id))
    error_message = "kms_key_id must be a KMS key ARN, key id or alias, or null."
  }
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
