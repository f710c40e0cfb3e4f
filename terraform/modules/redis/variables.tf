variable "name" {
  description = "Replication group id and name prefix."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,38}[a-z0-9]$", var.name))
    error_message = "name must be 2-40 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "vpc_id" {
  description = "VPC the cluster lives in."
  type        = string

  validation {
    condition     = can(regex("^vpc-[0-9a-f]+$", var.vpc_id))
    error_message = "vpc_id must be a VPC id such as vpc-0abc123."
  }
}

variable "subnet_ids" {
  description = "Private subnets for the cache nodes."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 2
    error_message = "subnet_ids needs at least two subnets (two availability zones) for failover."
  }
}

variable "auth_token" {
  description = "AUTH token clients must present (16-128 characters, no @, \" or /)."
  type        = string
  sensitive   = true

  validation {
    condition     = length(var.auth_token) >= 16 && length(var.auth_token) <= 128 && !can(regex("[@\"/]", var.auth_token))
    error_message = "auth_token must be 16-128 characters without @, \" or /."
  }
}

variable "allowed_security_groups" {
  description = "Security groups allowed to connect on the Redis port, by a name known at plan time (e.g. { api = <tasks group id> })."
  type        = map(string)

  validation {
    condition     = length(var.allowed_security_groups) > 0
    error_message = "allowed_security_groups must name at least one client security group."
  }
}

variable "node_type" {
  description = "ElastiCache node type."
  type        = string
  default     = "cache.t4g.small"

  validation {
    condition     = can(regex("^cache\\.", var.node_type))
    error_message = "node_type must be an ElastiCache node type such as cache.t4g.small."
  }
}

variable "engine_version" {
  description = "Redis engine version."
  type        = string
  default     = "7.1"

  validation {
    condition     = can(regex("^7\\.\\d+$", var.engine_version))
    error_message = "engine_version must be a Redis 7.x version such as 7.1 (the parameter group is default.redis7)."
  }
}

variable "replicas" {
  description = "Read replicas next to the primary; at least one enables automatic failover."
  type        = number
  default     = 1

  validation {
    condition     = var.replicas >= 1 && var.replicas <= 5
    error_message = "replicas must be between 1 and 5."
  }
}

variable "port" {
  description = "Port Redis listens on."
  type        = number
  default     = 6379

  validation {
    condition     = var.port > 1024 && var.port < 65536
    error_message = "port must be between 1025 and 65535."
  }
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
