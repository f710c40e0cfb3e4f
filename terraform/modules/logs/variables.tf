variable "bucket_name" {
  description = "Globally unique name of the access-log bucket."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket_name))
    error_message = "bucket_name must be a valid S3 bucket name."
  }
}

variable "retention_days" {
  description = "Days access logs are kept before they expire."
  type        = number
  default     = 90

  validation {
    condition     = var.retention_days >= 1 && var.retention_days <= 3650
    error_message = "retention_days must be between 1 and 3650."
  }
}

variable "alb_prefix" {
  description = "Key prefix of the load balancer's access logs."
  type        = string
  default     = "alb"

  validation {
    condition     = can(regex("^[a-z0-9-]+$", var.alb_prefix))
    error_message = "alb_prefix must be lower-case letters, digits or hyphens."
  }
}

variable "s3_prefix" {
  description = "Key prefix of the SPA bucket's server access logs."
  type        = string
  default     = "s3"

  validation {
    condition     = can(regex("^[a-z0-9-]+$", var.s3_prefix))
    error_message = "s3_prefix must be lower-case letters, digits or hyphens."
  }
}

variable "cloudfront_prefix" {
  description = "Key prefix of the CloudFront standard logs."
  type        = string
  default     = "cloudfront"

  validation {
    condition     = can(regex("^[a-z0-9-]+$", var.cloudfront_prefix))
    error_message = "cloudfront_prefix must be lower-case letters, digits or hyphens."
  }
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
