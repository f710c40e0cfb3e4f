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

variable "api_path_patterns" {
  description = "Paths served by the API origin instead of the bucket."
  type        = list(string)
  default     = ["/api/*", "/health/*"]
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

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
