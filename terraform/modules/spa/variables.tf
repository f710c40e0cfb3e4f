variable "name" {
  description = "Name prefix of the bucket and CloudFront companions."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,40}$", var.name))
    error_message = "name must be 2-41 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "bucket_name" {
  description = "Globally unique name of the private bucket holding the built SPA."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket_name))
    error_message = "bucket_name must be a valid S3 bucket name (3-63 lowercase letters, digits, dots, hyphens)."
  }
}

variable "aliases" {
  description = "Custom domain names of the distribution; needs acm_certificate_arn."
  type        = list(string)
  default     = []
}

variable "acm_certificate_arn" {
  description = "ACM certificate (in us-east-1) for the aliases; null uses the default cloudfront.net certificate."
  type        = string
  default     = null

  validation {
    condition     = var.acm_certificate_arn == null || can(regex("^arn:aws[a-z-]*:acm:us-east-1:", var.acm_certificate_arn))
    error_message = "CloudFront only accepts ACM certificates from us-east-1."
  }
}

variable "api_origin_domain" {
  description = "Domain of the API load balancer. When set, the API paths are routed there, so the SPA and its refresh cookie stay on one origin."
  type        = string
  default     = null

  validation {
    condition     = var.api_origin_domain == null || can(regex("^[a-z0-9.-]+$", var.api_origin_domain))
    error_message = "api_origin_domain must be a DNS name."
  }
}

variable "api_origin_protocol" {
  description = "How CloudFront talks to the API origin: https-only once the load balancer has a certificate for api_origin_domain."
  type        = string
  default     = "https-only"

  validation {
    condition     = contains(["https-only", "http-only"], var.api_origin_protocol)
    error_message = "api_origin_protocol must be https-only or http-only."
  }
}

variable "api_origin_headers" {
  description = "Headers CloudFront adds to every request to the API origin (the origin-verify secret)."
  type        = map(string)
  default     = {}
  sensitive   = true
}

variable "api_path_patterns" {
  description = "Paths served by the API origin instead of the bucket."
  type        = list(string)
  default     = ["/api/*", "/health/*", "/socket.io/*"]
}

variable "price_class" {
  description = "CloudFront price class."
  type        = string
  default     = "PriceClass_100"

  validation {
    condition     = contains(["PriceClass_All", "PriceClass_200", "PriceClass_100"], var.price_class)
    error_message = "price_class must be PriceClass_All, PriceClass_200 or PriceClass_100."
  }
}

variable "web_acl_arn" {
  description = "WAF web ACL (CLOUDFRONT scope) in front of the distribution."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:wafv2:us-east-1:", var.web_acl_arn))
    error_message = "web_acl_arn must be a CloudFront-scoped (us-east-1) WAFv2 web ACL ARN."
  }
}

variable "logs_bucket_name" {
  description = "Bucket that receives the SPA bucket's server access logs."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.logs_bucket_name))
    error_message = "logs_bucket_name must be a valid S3 bucket name."
  }
}

variable "logs_bucket_domain_name" {
  description = "Domain name of the bucket that receives CloudFront standard logs."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]+\\.s3\\.amazonaws\\.com$", var.logs_bucket_domain_name))
    error_message = "logs_bucket_domain_name must be a bucket domain such as logs.s3.amazonaws.com."
  }
}

variable "logs_s3_prefix" {
  description = "Key prefix of the SPA bucket's server access logs."
  type        = string
  default     = "s3"

  validation {
    condition     = can(regex("^[a-z0-9-]+$", var.logs_s3_prefix))
    error_message = "logs_s3_prefix must be lower-case letters, digits or hyphens."
  }
}

variable "logs_cloudfront_prefix" {
  description = "Key prefix of the CloudFront standard logs."
  type        = string
  default     = "cloudfront"

  validation {
    condition     = can(regex("^[a-z0-9-]+$", var.logs_cloudfront_prefix))
    error_message = "logs_cloudfront_prefix must be lower-case letters, digits or hyphens."
  }
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
