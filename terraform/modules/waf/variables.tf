variable "name" {
  description = "Name of the web ACL and prefix of its metrics."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,128}$", var.name))
    error_message = "name must be 1-128 letters, digits, hyphens or underscores."
  }
}

variable "requests_per_five_minutes" {
  description = "Requests one client address may make in five minutes before WAF blocks it (above the API's own rate limits)."
  type        = number
  default     = 3000

  validation {
    condition     = var.requests_per_five_minutes >= 10 && var.requests_per_five_minutes <= 2000000000
    error_message = "requests_per_five_minutes must be between 10 and 2,000,000,000."
  }
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
