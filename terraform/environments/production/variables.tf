variable "aws_region" {
  description = "AWS region of every regional resource."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-\\d$", var.aws_region))
    error_message = "aws_region must look like eu-west-1."
  }
}

variable "name" {
  description = "Short name of the deployment, used as a prefix."
  type        = string
  default     = "primo"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,15}$", var.name))
    error_message = "name must be 2-16 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "environment" {
  description = "Environment name, part of resource names and tags."
  type        = string
  default     = "production"

  validation {
    condition     = can(regex("^[a-z][a-z0-9]{1,9}$", var.environment))
    error_message = "environment must be 2-10 lowercase letters or digits, starting with a letter."
  }
}

variable "vpc_cidr" {
  description = "IPv4 CIDR block of the VPC."
  type        = string
  default     = "10.40.0.0/16"

  validation {
    condition     = can(cidrnetmask(var.vpc_cidr))
    error_message = "vpc_cidr must be a valid IPv4 CIDR block."
  }
}

variable "zone_count" {
  description = "How many availability zones to use."
  type        = number
  default     = 3

  validation {
    condition     = var.zone_count >= 2 && var.zone_count <= 4
    error_message = "zone_count must be between 2 and 4."
  }
}

variable "single_nat_gateway" {
  description = "Share one NAT gateway between zones (cheaper, not zone-redundant)."
  type        = bool
  default     = false
}

variable "image_tag" {
  description = "Image tag of the first task definition; CI deploys later tags (the commit SHA)."
  type        = string
  default     = "bootstrap"

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]{1,128}$", var.image_tag))
    error_message = "image_tag must be a valid image tag."
  }
}

variable "task_cpu" {
  description = "CPU units per API task."
  type        = number
  default     = 512

  validation {
    condition     = contains([256, 512, 1024, 2048, 4096], var.task_cpu)
    error_message = "task_cpu must be a Fargate size: 256, 512, 1024, 2048 or 4096."
  }
}

variable "task_memory" {
  description = "Memory (MiB) per API task."
  type        = number
  default     = 1024

  validation {
    condition     = var.task_memory >= 512 && var.task_memory <= 30720
    error_message = "task_memory must be between 512 and 30720 MiB."
  }
}

variable "api_min_count" {
  description = "Fewest API tasks autoscaling keeps (3 spreads production over three zones)."
  type        = number
  default     = 3

  validation {
    condition     = var.api_min_count >= 2 && var.api_min_count <= 50
    error_message = "api_min_count must be between 2 and 50 (one task may fail without an outage)."
  }
}

variable "api_max_count" {
  description = "Most API tasks autoscaling starts."
  type        = number
  default     = 10

  validation {
    condition     = var.api_max_count >= var.api_min_count && var.api_max_count <= 100
    error_message = "api_max_count must be at least api_min_count and at most 100."
  }
}

variable "ecr_repository_name" {
  description = "Name of the image repository; null means <name>/backend. Environments sharing one AWS account need distinct names."
  type        = string
  default     = null

  validation {
    condition     = var.ecr_repository_name == null || can(regex("^[a-z0-9][a-z0-9._/-]{1,254}$", var.ecr_repository_name))
    error_message = "ecr_repository_name must be a valid ECR repository name."
  }
}

variable "certificate_arn" {
  description = "ACM certificate of the API load balancer, in aws_region, covering api_domain_name. CloudFront reaches the API over HTTPS only: the hop carries passwords and tokens."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:acm:${var.aws_region}:[0-9]{12}:certificate/", var.certificate_arn))
    error_message = "certificate_arn must be an ACM certificate ARN in aws_region (the load balancer's region)."
  }
}

variable "api_domain_name" {
  description = "DNS name covered by certificate_arn that points (CNAME or alias) at the load_balancer_dns_name output; CloudFront connects to it over TLS."
  type        = string

  validation {
    condition     = can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", var.api_domain_name))
    error_message = "api_domain_name must be a DNS name such as api.example.com."
  }
}

variable "mongodb_uri" {
  description = "MongoDB connection string (MongoDB Atlas or a self-managed replica set); null leaves the secret to be filled outside Terraform."
  type        = string
  default     = null
  sensitive   = true

  validation {
    condition     = var.mongodb_uri == null || can(regex("^mongodb(\\+srv)?://", var.mongodb_uri))
    error_message = "mongodb_uri must start with mongodb:// or mongodb+srv://."
  }
}

variable "smtp_url" {
  description = "SMTP server URL of the mail (smtp:// or smtps:// for TLS, credentials included), kept in Secrets Manager; null logs every email instead of sending it."
  type        = string
  default     = null
  sensitive   = true

  validation {
    condition     = var.smtp_url == null || can(regex("^smtps?://[^/]", var.smtp_url))
    error_message = "smtp_url must start with smtp:// or smtps:// and name a host."
  }
}

variable "mail_from" {
  description = "Sender of Primo's emails (MAIL_FROM), e.g. Primo <no-reply@example.com>; null keeps the backend's default."
  type        = string
  default     = null

  validation {
    condition     = var.mail_from == null || can(regex("^[^@<>]*<?[^@\\s<>]+@[^@\\s<>]+>?$", var.mail_from))
    error_message = "mail_from must contain an email address."
  }
}

variable "redis_node_type" {
  description = "ElastiCache node type."
  type        = string
  default     = "cache.t4g.small"

  validation {
    condition     = can(regex("^cache\\.", var.redis_node_type))
    error_message = "redis_node_type must be an ElastiCache node type."
  }
}

variable "spa_bucket_name" {
  description = "Globally unique name of the SPA bucket."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.spa_bucket_name))
    error_message = "spa_bucket_name must be a valid S3 bucket name."
  }
}

variable "logs_bucket_name" {
  description = "Globally unique name of the bucket for CloudFront, load balancer and S3 access logs."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.logs_bucket_name))
    error_message = "logs_bucket_name must be a valid S3 bucket name."
  }
}

variable "backups_bucket_name" {
  description = "Globally unique name of the versioned bucket for backups (SQLite copies, MongoDB exports)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.backups_bucket_name))
    error_message = "backups_bucket_name must be a valid S3 bucket name."
  }
}

variable "alarm_email_addresses" {
  description = "Addresses subscribed to the alarm topic (each confirms by email); pagers and chat subscribe to the alarm_topic_arn output."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for address in var.alarm_email_addresses : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", address))])
    error_message = "alarm_email_addresses must be email addresses."
  }
}

variable "documentdb_cluster_identifier" {
  description = "DocumentDB cluster behind MONGODB_URI, to alarm on its CPU and connections; null for Atlas or self-managed MongoDB."
  type        = string
  default     = null

  validation {
    condition     = var.documentdb_cluster_identifier == null || can(regex("^[a-z][a-z0-9-]{0,62}$", var.documentdb_cluster_identifier))
    error_message = "documentdb_cluster_identifier must be a DocumentDB cluster identifier."
  }
}

variable "spa_aliases" {
  description = "Custom domains of the SPA distribution."
  type        = list(string)
  default     = []
}

variable "spa_certificate_arn" {
  description = "us-east-1 ACM certificate for spa_aliases; required exactly when spa_aliases is not empty."
  type        = string
  default     = null

  validation {
    condition     = var.spa_certificate_arn == null || can(regex("^arn:aws[a-z-]*:acm:us-east-1:", var.spa_certificate_arn))
    error_message = "spa_certificate_arn must be an ACM certificate ARN in us-east-1 (CloudFront only uses those) or null."
  }

  validation {
    condition     = (length(var.spa_aliases) > 0) == (var.spa_certificate_arn != null)
    error_message = "spa_aliases and spa_certificate_arn go together: custom SPA domains need a us-east-1 certificate, and a certificate needs the domains it covers."
  }
}

variable "github_repository" {
  description = "owner/name of the GitHub repository whose deploy workflow may assume the deploy role."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", var.github_repository))
    error_message = "github_repository must be owner/name."
  }
}

variable "create_github_oidc_provider" {
  description = "Create the account's GitHub OIDC provider (false when it already exists)."
  type        = bool
  default     = true
}
