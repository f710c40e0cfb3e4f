terraform {
  # 1.9 for variable validations that refer to other variables.
  required_version = ">= 1.9.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
  }

  # Partial configuration: bucket, key, region and lock table come from a file passed to
  # `terraform init -backend-config=backend.hcl` (see backend.hcl.example), so every
  # environment or account chooses its own state location without editing this file.
  backend "s3" {}
}
