# Plans the staging root (the production wiring with staging.auto.tfvars) offline: the AWS provider's schema with made-up data-source
# answers shaped like AWS's own (a mocked value must pass the modules' validations).
mock_provider "aws" {
  alias = "us_east_1"

  mock_resource "aws_wafv2_web_acl" {
    defaults = {
      arn = "arn:aws:wafv2:us-east-1:123456789012:global/webacl/primo-production-edge/0b5e7c1a-1111-2222-3333-444455556666"
    }
  }
}

mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = {
      json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
    }
  }
  mock_data "aws_availability_zones" {
    defaults = {
      names    = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
      zone_ids = ["euw1-az1", "euw1-az2", "euw1-az3"]
    }
  }
  mock_data "aws_ec2_managed_prefix_list" {
    defaults = {
      id = "pl-4fa04526"
    }
  }
  mock_data "aws_region" {
    defaults = {
      name = "eu-west-1"
    }
  }
  mock_data "aws_secretsmanager_random_password" {
    defaults = {
      random_password = "mockedRandomPassword0123456789mockedRandomPassword0123456789abcd"
    }
  }
  mock_data "aws_caller_identity" {
    defaults = {
      account_id = "123456789012"
    }
  }
}

variables {
  aws_region          = "eu-west-1"
  spa_bucket_name     = "primo-staging-spa-123456789012"
  logs_bucket_name    = "primo-staging-logs-123456789012"
  backups_bucket_name = "primo-staging-backups-123456789012"
  github_repository   = "my-org/primo"
  certificate_arn     = "arn:aws:acm:eu-west-1:123456789012:certificate/0b5e7c1a-1111-2222-3333-444455556666"
  api_domain_name     = "api.staging.example.com"
}

# The sizes come from staging.auto.tfvars: two zones, one NAT gateway, the smallest tasks, 2–3 of them,
# a micro Redis pair, its own image repository; everything is named for staging.
run "staging_plan" {
  command = plan

  assert {
    condition     = output.ecs_cluster == "primo-staging-api" && output.ecs_service == "primo-staging-api" && output.ecr_repository == "primo/backend-staging"
    error_message = "staging is not named as staging: ${output.ecs_cluster}, ${output.ecs_service}, ${output.ecr_repository}"
  }

  assert {
    condition = toset(output.alarm_names) == toset([
      "primo-staging-alb-5xx-rate", "primo-staging-alb-p99-latency",
      "primo-staging-unhealthy-hosts", "primo-staging-no-healthy-hosts",
      "primo-staging-ecs-cpu", "primo-staging-ecs-memory",
      "primo-staging-redis-cpu-primo-staging-cache-001", "primo-staging-redis-cpu-primo-staging-cache-002",
      "primo-staging-redis-evictions-primo-staging-cache-001", "primo-staging-redis-evictions-primo-staging-cache-002",
    ])
    error_message = "unexpected alarms: ${jsonencode(output.alarm_names)}"
  }
}

run "staging_cannot_shrink_below_two_tasks" {
  command = plan

  variables {
    api_min_count = 1
  }

  expect_failures = [var.api_min_count]
}
