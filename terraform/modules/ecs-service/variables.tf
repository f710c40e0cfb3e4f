variable "name" {
  description = "Name of the cluster, service, load balancer and their companions."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,26}$", var.name))
    error_message = "name must be 2-27 lowercase letters, digits or hyphens (load balancer names are short)."
  }
}

variable "vpc_id" {
  description = "VPC of the service."
  type        = string

  validation {
    condition     = can(regex("^vpc-[0-9a-f]+$", var.vpc_id))
    error_message = "vpc_id must be a VPC id such as vpc-0abc123."
  }
}

variable "public_subnet_ids" {
  description = "Public subnets for the load balancer."
  type        = list(string)

  validation {
    condition     = length(var.public_subnet_ids) >= 2
    error_message = "An application load balancer needs public subnets in at least two availability zones."
  }
}

variable "private_subnet_ids" {
  description = "Private subnets for the tasks; tasks never get a public address."
  type        = list(string)

  validation {
    condition     = length(var.private_subnet_ids) >= 2
    error_message = "private_subnet_ids needs at least two subnets so tasks spread over zones."
  }
}

variable "image" {
  description = "Initial container image (repository URL and tag). Later deploys register new revisions from CI."
  type        = string

  validation {
    condition     = can(regex("^[^\\s:]+(:[A-Za-z0-9_.-]+)?(@sha256:[a-f0-9]{64})?$", var.image))
    error_message = "image must look like REPOSITORY[:TAG][@sha256:DIGEST]."
  }
}

variable "container_port" {
  description = "Port the backend listens on inside the task (PORT)."
  type        = number
  default     = 5000

  validation {
    condition     = var.container_port > 1024 && var.container_port < 65536
    error_message = "container_port must be between 1025 and 65535 (the container runs as a non-root user)."
  }
}

variable "cpu" {
  description = "Task CPU units (1024 = one vCPU)."
  type        = number
  default     = 512

  validation {
    condition     = contains([256, 512, 1024, 2048, 4096], var.cpu)
    error_message = "cpu must be a Fargate size: 256, 512, 1024, 2048 or 4096."
  }
}

variable "memory" {
  description = "Task memory in MiB."
  type        = number
  default     = 1024

  validation {
    condition     = var.memory >= 512 && var.memory <= 30720
    error_message = "memory must be between 512 and 30720 MiB."
  }
}

variable "min_capacity" {
  description = "Fewest running tasks; also the initial desired count."
  type        = number
  default     = 3

  validation {
    condition     = var.min_capacity >= 2
    error_message = "min_capacity must be at least 2 so one task can fail without an outage."
  }
}

variable "max_capacity" {
  description = "Most running tasks autoscaling may start."
  type        = number
  default     = 10

  validation {
    condition     = var.max_capacity >= 2 && var.max_capacity <= 100
    error_message = "max_capacity must be between 2 and 100."
  }
}

variable "cpu_target_percent" {
  description = "Average service CPU utilisation that target tracking keeps the service at."
  type        = number
  default     = 70

  validation {
    condition     = var.cpu_target_percent >= 20 && var.cpu_target_percent <= 90
    error_message = "cpu_target_percent must be between 20 and 90."
  }
}

variable "access_logs_bucket" {
  description = "Bucket the load balancer writes its access logs to."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.access_logs_bucket))
    error_message = "access_logs_bucket must be a valid S3 bucket name."
  }
}

variable "access_logs_prefix" {
  description = "Key prefix of the load balancer's access logs."
  type        = string
  default     = "alb"

  validation {
    condition     = can(regex("^[a-z0-9-]+$", var.access_logs_prefix))
    error_message = "access_logs_prefix must be lower-case letters, digits or hyphens."
  }
}

variable "origin_verify_header" {
  description = "A header (name and secret value) the load balancer requires on every request; null forwards everything."
  type = object({
    name  = string
    value = string
  })
  default   = null
  sensitive = true
}

variable "health_check_path" {
  description = "Path the load balancer probes. Liveness by default: ECS replaces every task the load balancer finds unhealthy, so probing readiness would make a database outage kill and restart all tasks in a loop."
  type        = string
  default     = "/health/live"

  validation {
    condition     = startswith(var.health_check_path, "/")
    error_message = "health_check_path must start with /."
  }
}

variable "environment" {
  description = "Plain, non-secret environment variables of the container; null leaves the variable out."
  type        = map(string)
  default     = {}

  validation {
    condition = length(setintersection(keys(var.environment), [
      "JWT_SECRET", "MONGODB_URI", "REDIS_PASSWORD", "METRICS_TOKEN", "SMTP_URL",
    ])) == 0
    error_message = "JWT_SECRET, MONGODB_URI, REDIS_PASSWORD, METRICS_TOKEN and SMTP_URL are secrets: pass them in secrets, never in environment."
  }
}

variable "secrets" {
  description = "Environment variables filled from Secrets Manager at task start: variable name => secret ARN; null leaves the variable out."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for arn in values(var.secrets) : arn == null || can(regex("^arn:aws[a-z-]*:secretsmanager:", arn))])
    error_message = "Every secrets value must be a Secrets Manager secret ARN (or null, to leave the variable out)."
  }
}

variable "certificate_arn" {
  description = "ACM certificate for the HTTPS listener; null serves plain HTTP only (for a first bootstrap)."
  type        = string
  default     = null

  validation {
    condition     = var.certificate_arn == null || can(regex("^arn:aws[a-z-]*:acm:", var.certificate_arn))
    error_message = "certificate_arn must be an ACM certificate ARN or null."
  }
}

variable "alb_ingress_prefix_list_ids" {
  description = "Managed prefix lists allowed to reach the load balancer; empty allows the whole internet."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for id in var.alb_ingress_prefix_list_ids : can(regex("^pl-[0-9a-f]+$", id))])
    error_message = "alb_ingress_prefix_list_ids must hold prefix list ids such as pl-3b927c52."
  }
}

variable "log_retention_days" {
  description = "Days CloudWatch keeps the container logs."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1827, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a value CloudWatch Logs accepts, e.g. 7, 30 or 90."
  }
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}

variable "worker_cpu" {
  description = "CPU units of a worker task (reminders, notifications, mail, recurring tasks)."
  type        = number
  default     = 256

  validation {
    condition     = contains([256, 512, 1024, 2048, 4096], var.worker_cpu)
    error_message = "worker_cpu must be a Fargate size: 256, 512, 1024, 2048 or 4096."
  }
}

variable "worker_memory" {
  description = "Memory of a worker task in MiB."
  type        = number
  default     = 512

  validation {
    condition     = var.worker_memory >= 512 && var.worker_memory <= 30720
    error_message = "worker_memory must be between 512 and 30720 MiB."
  }
}

variable "worker_min_capacity" {
  description = "Fewest running worker tasks; also the initial desired count. Two let one fail or be replaced without a pause in reminders."
  type        = number
  default     = 2

  validation {
    condition     = var.worker_min_capacity >= 1
    error_message = "worker_min_capacity must be at least 1: without a worker no reminder or email is delivered."
  }
}

variable "worker_max_capacity" {
  description = "Most worker tasks autoscaling may start."
  type        = number
  default     = 6

  validation {
    condition     = var.worker_max_capacity >= 1 && var.worker_max_capacity <= 50
    error_message = "worker_max_capacity must be between 1 and 50."
  }
}

variable "worker_cpu_target_percent" {
  description = "Average worker CPU utilisation that target tracking keeps the worker service at."
  type        = number
  default     = 60

  validation {
    condition     = var.worker_cpu_target_percent >= 20 && var.worker_cpu_target_percent <= 90
    error_message = "worker_cpu_target_percent must be between 20 and 90."
  }
}
