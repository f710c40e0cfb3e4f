variable "name" {
  description = "Prefix of the topic and alarm names, e.g. primo-production."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,40}$", var.name))
    error_message = "name must be 2–41 lower-case letters, digits or hyphens, starting with a letter."
  }
}

variable "email_addresses" {
  description = "Addresses subscribed to the alarm topic (each confirms by email)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for address in var.email_addresses : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", address))])
    error_message = "email_addresses must be email addresses."
  }
}

variable "load_balancer_arn_suffix" {
  description = "ARN suffix of the API's load balancer (app/<name>/<id>)."
  type        = string

  validation {
    condition     = length(var.load_balancer_arn_suffix) > 0
    error_message = "load_balancer_arn_suffix must not be empty."
  }
}

variable "target_group_arn_suffix" {
  description = "ARN suffix of the API's target group (targetgroup/<name>/<id>)."
  type        = string

  validation {
    condition     = length(var.target_group_arn_suffix) > 0
    error_message = "target_group_arn_suffix must not be empty."
  }
}

variable "ecs_cluster_name" {
  description = "ECS cluster of the API service."
  type        = string

  validation {
    condition     = length(var.ecs_cluster_name) > 0
    error_message = "ecs_cluster_name must not be empty."
  }
}

variable "ecs_service_name" {
  description = "ECS service of the API."
  type        = string

  validation {
    condition     = length(var.ecs_service_name) > 0
    error_message = "ecs_service_name must not be empty."
  }
}

variable "redis_node_ids" {
  description = "Cache cluster ids of the Redis nodes; each gets CPU and eviction alarms."
  type        = list(string)
  default     = []
}

variable "documentdb_cluster_identifier" {
  description = "DocumentDB cluster to alarm on (CPU, connections), or null when MongoDB is elsewhere (Atlas alerts on its own)."
  type        = string
  default     = null

  validation {
    condition     = var.documentdb_cluster_identifier == null || can(regex("^[a-z][a-z0-9-]{0,62}$", var.documentdb_cluster_identifier))
    error_message = "documentdb_cluster_identifier must be a DocumentDB cluster identifier."
  }
}

variable "error_rate_percent" {
  description = "Alarm when more than this percentage of requests answer 5xx for 5 minutes."
  type        = number
  default     = 2

  validation {
    condition     = var.error_rate_percent > 0 && var.error_rate_percent <= 50
    error_message = "error_rate_percent must be above 0 and at most 50."
  }
}

variable "p99_seconds" {
  description = "Alarm when the p99 target response time stays above this many seconds for 5 minutes."
  type        = number
  default     = 1

  validation {
    condition     = var.p99_seconds > 0 && var.p99_seconds <= 30
    error_message = "p99_seconds must be above 0 and at most 30."
  }
}

variable "ecs_cpu_percent" {
  description = "Alarm when the service's average CPU stays above this percentage for 10 minutes."
  type        = number
  default     = 85

  validation {
    condition     = var.ecs_cpu_percent >= 50 && var.ecs_cpu_percent <= 100
    error_message = "ecs_cpu_percent must be between 50 and 100."
  }
}

variable "ecs_memory_percent" {
  description = "Alarm when a task's memory stays above this percentage of its size for 10 minutes."
  type        = number
  default     = 85

  validation {
    condition     = var.ecs_memory_percent >= 50 && var.ecs_memory_percent <= 100
    error_message = "ecs_memory_percent must be between 50 and 100."
  }
}

variable "redis_cpu_percent" {
  description = "Alarm when a Redis node's engine CPU stays above this percentage for 10 minutes."
  type        = number
  default     = 80

  validation {
    condition     = var.redis_cpu_percent >= 30 && var.redis_cpu_percent <= 100
    error_message = "redis_cpu_percent must be between 30 and 100."
  }
}

variable "redis_evictions_per_5m" {
  description = "Alarm when a Redis node evicts more keys than this in 5 minutes."
  type        = number
  default     = 1000

  validation {
    condition     = var.redis_evictions_per_5m >= 0
    error_message = "redis_evictions_per_5m must be 0 or more."
  }
}

variable "documentdb_cpu_percent" {
  description = "Alarm when the DocumentDB cluster's CPU stays above this percentage for 10 minutes."
  type        = number
  default     = 80

  validation {
    condition     = var.documentdb_cpu_percent >= 30 && var.documentdb_cpu_percent <= 100
    error_message = "documentdb_cpu_percent must be between 30 and 100."
  }
}

variable "documentdb_max_connections" {
  description = "Alarm when the DocumentDB cluster holds more connections than this."
  type        = number
  default     = 1000

  validation {
    condition     = var.documentdb_max_connections >= 1
    error_message = "documentdb_max_connections must be at least 1."
  }
}

variable "tags" {
  description = "Tags for the topic, key and alarms."
  type        = map(string)
  default     = {}
}
