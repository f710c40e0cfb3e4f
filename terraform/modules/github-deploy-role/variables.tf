variable "name" {
  description = "Name of the IAM role GitHub Actions assumes."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9+=,.@_-]{1,64}$", var.name))
    error_message = "name must be a valid IAM role name (1-64 characters)."
  }
}

variable "github_repository" {
  description = "Repository allowed to assume the role, as owner/name."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", var.github_repository))
    error_message = "github_repository must be owner/name."
  }
}

variable "github_environment" {
  description = "GitHub environment the deploy job runs in; only that job's token is trusted."
  type        = string
  default     = "production"

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]{1,255}$", var.github_environment))
    error_message = "github_environment must be a GitHub environment name."
  }
}

variable "create_oidc_provider" {
  description = "Create the account's GitHub OIDC provider (false when the account already has one)."
  type        = bool
  default     = true
}

variable "ecr_repository_arn" {
  description = "Repository the workflow pushes images to."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:ecr:", var.ecr_repository_arn))
    error_message = "ecr_repository_arn must be an ECR repository ARN."
  }
}

variable "ecs_cluster_name" {
  description = "Cluster of the service the workflow rolls."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,255}$", var.ecs_cluster_name))
    error_message = "ecs_cluster_name must be 1-255 letters, digits, hyphens or underscores."
  }
}

variable "ecs_service_name" {
  description = "Service the workflow rolls."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,255}$", var.ecs_service_name))
    error_message = "ecs_service_name must be 1-255 letters, digits, hyphens or underscores."
  }
}

variable "ecs_extra_service_names" {
  description = "Other services of the cluster the workflow rolls to the same image (e.g. the worker)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for name in var.ecs_extra_service_names : can(regex("^[A-Za-z0-9_-]{1,255}$", name))])
    error_message = "Every ecs_extra_service_names entry must be 1-255 letters, digits, hyphens or underscores."
  }
}

variable "ecs_task_family" {
  description = "Task definition family whose revisions the workflow registers and runs the migration step of."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,255}$", var.ecs_task_family))
    error_message = "ecs_task_family must be 1-255 letters, digits, hyphens or underscores."
  }
}

variable "pass_role_arns" {
  description = "Task execution and task roles the workflow may hand to new task definition revisions."
  type        = list(string)
}

variable "spa_bucket_arn" {
  description = "Bucket the workflow syncs the SPA into."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:s3:::[a-z0-9.-]+$", var.spa_bucket_arn))
    error_message = "spa_bucket_arn must be an S3 bucket ARN."
  }
}

variable "cloudfront_distribution_arn" {
  description = "Distribution the workflow invalidates."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:cloudfront::\\d{12}:distribution/", var.cloudfront_distribution_arn))
    error_message = "cloudfront_distribution_arn must be a CloudFront distribution ARN."
  }
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
