variable "name" {
  description = "Prefix of the workspace, collector and role names, e.g. primo-production."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,40}$", var.name))
    error_message = "name must be 2–41 lower-case letters, digits or hyphens, starting with a letter."
  }
}

variable "cluster_name" {
  description = "ECS cluster the API and worker services run in; the collector runs there too and discovers their tasks."
  type        = string

  validation {
    condition     = length(var.cluster_name) > 0
    error_message = "cluster_name must not be empty."
  }
}

variable "cluster_arn" {
  description = "ARN of that cluster (the collector's ECS permissions are limited to it)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:ecs:", var.cluster_arn))
    error_message = "cluster_arn must be an ECS cluster ARN."
  }
}

variable "vpc_id" {
  description = "VPC of the tasks."
  type        = string

  validation {
    condition     = can(regex("^vpc-", var.vpc_id))
    error_message = "vpc_id must be a VPC id (vpc-…)."
  }
}

variable "private_subnet_ids" {
  description = "Private subnets the collector runs in (it needs a route to the AMP and ECS endpoints)."
  type        = list(string)

  validation {
    condition     = length(var.private_subnet_ids) > 0
    error_message = "private_subnet_ids must name at least one subnet."
  }
}

variable "targets" {
  description = "What the collector scrapes: per Prometheus job name, the ECS service, its container, that container's metrics port and security group (given an ingress rule from the collector)."
  type = map(object({
    service_name      = string
    container_name    = string
    port              = number
    security_group_id = string
  }))

  validation {
    condition     = length(var.targets) > 0 && alltrue([for t in values(var.targets) : t.port > 0 && t.port < 65536])
    error_message = "targets must name at least one service, each with a port between 1 and 65535."
  }
}

variable "rule_files" {
  description = "Prometheus rule files (the YAML of monitoring/prometheus/rules), by name; each becomes a rule groups namespace of the workspace."
  type        = map(string)

  validation {
    condition     = alltrue([for content in values(var.rule_files) : can(yamldecode(content).groups)])
    error_message = "rule_files must each be a Prometheus rule file with a top-level groups list."
  }
}

variable "alarm_topic_arn" {
  description = "SNS topic the workspace's Alertmanager publishes firing and resolved alerts to."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:sns:", var.alarm_topic_arn))
    error_message = "alarm_topic_arn must be an SNS topic ARN."
  }
}

variable "scrape_interval" {
  description = "How often each target is scraped (a Prometheus duration)."
  type        = string
  default     = "15s"

  validation {
    condition     = can(regex("^[0-9]+[sm]$", var.scrape_interval))
    error_message = "scrape_interval must be seconds or minutes, e.g. 15s."
  }
}

variable "collector_image" {
  description = "The AWS Distro for OpenTelemetry collector image (pinned, never latest)."
  type        = string
  default     = "public.ecr.aws/aws-observability/aws-otel-collector:v0.43.3"

  validation {
    condition     = !endswith(var.collector_image, ":latest") && can(regex(":[^/]+$", var.collector_image))
    error_message = "collector_image must carry a pinned tag, not latest."
  }
}

variable "log_retention_days" {
  description = "Retention of the collector's CloudWatch logs."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365], var.log_retention_days)
    error_message = "log_retention_days must be a CloudWatch Logs retention value."
  }
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
