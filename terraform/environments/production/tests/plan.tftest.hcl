# Plans the whole production root offline: the AWS provider's schema with made-up data-source
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
  spa_bucket_name     = "primo-production-spa-123456789012"
  logs_bucket_name    = "primo-production-logs-123456789012"
  backups_bucket_name = "primo-production-backups-123456789012"
  github_repository   = "my-org/primo"
  certificate_arn     = "arn:aws:acm:eu-west-1:123456789012:certificate/0b5e7c1a-1111-2222-3333-444455556666"
  api_domain_name     = "api.example.com"
}

# The SPA on CloudFront's own name; the API behind it over TLS.
run "default_plan" {
  command = plan

  # Load balancer (5xx rate, p99, unhealthy and no healthy hosts), ECS CPU and memory, CPU and
  # evictions for each of the two Redis nodes; no DocumentDB alarms without a DocumentDB cluster.
  assert {
    condition = toset(output.alarm_names) == toset([
      "primo-production-alb-5xx-rate", "primo-production-alb-p99-latency",
      "primo-production-unhealthy-hosts", "primo-production-no-healthy-hosts",
      "primo-production-ecs-cpu", "primo-production-ecs-memory",
      "primo-production-redis-cpu-primo-production-cache-001", "primo-production-redis-cpu-primo-production-cache-002",
      "primo-production-redis-evictions-primo-production-cache-001", "primo-production-redis-evictions-primo-production-cache-002",
    ])
    error_message = "unexpected alarms: ${jsonencode(output.alarm_names)}"
  }

  # Prometheus on AWS: both rule files of monitoring/ in the workspace.
  assert {
    condition     = toset(output.prometheus_rule_namespaces) == toset(["primo-alerts", "primo-recording"])
    error_message = "unexpected rule namespaces: ${jsonencode(output.prometheus_rule_namespaces)}"
  }
}

run "alarms_with_documentdb_and_email_plan" {
  command = plan

  variables {
    documentdb_cluster_identifier = "primo-production"
    alarm_email_addresses         = ["oncall@example.com"]
  }

  assert {
    condition     = contains(output.alarm_names, "primo-production-documentdb-cpu") && contains(output.alarm_names, "primo-production-documentdb-connections")
    error_message = "DocumentDB alarms are missing: ${jsonencode(output.alarm_names)}"
  }
}

run "malformed_alarm_email_is_refused" {
  command = plan

  variables {
    alarm_email_addresses = ["not-an-address"]
  }

  expect_failures = [var.alarm_email_addresses]
}

run "certificate_in_another_region_is_refused" {
  command = plan

  variables {
    certificate_arn = "arn:aws:acm:us-east-1:123456789012:certificate/0b5e7c1a-1111-2222-3333-444455556666"
  }

  expect_failures = [var.certificate_arn]
}

run "spa_aliases_without_certificate_are_refused" {
  command = plan

  variables {
    spa_aliases = ["app.example.com"]
  }

  expect_failures = [var.spa_certificate_arn]
}

run "https_custom_domain_plan" {
  command = plan

  variables {
    spa_aliases         = ["app.example.com"]
    spa_certificate_arn = "arn:aws:acm:us-east-1:123456789012:certificate/9f8e7d6c-1111-2222-3333-444455556666"
  }

  assert {
    condition     = output.spa_url == "https://app.example.com"
    error_message = "With an alias, the SPA is served on that name over HTTPS."
  }

  assert {
    condition     = output.api_url == "https://app.example.com"
    error_message = "The API is reached on the SPA's origin, so the refresh cookie stays same-site."
  }
}

# Mail: without a server no secret exists and emails are only logged; with one, its URL is a secret
# that the API and the worker read as SMTP_URL, never a plain variable.
run "mail_is_logged_without_a_server" {
  command = plan

  assert {
    condition     = module.secrets.smtp_url_secret_arn == null && module.api.container_secrets["SMTP_URL"] == null
    error_message = "Without smtp_url there is no SMTP secret and no SMTP_URL."
  }
}

run "mail_through_a_server" {
  command = plan

  variables {
    smtp_url  = "smtps://primo:app-password@smtp.example.com:465"
    mail_from = "Primo <no-reply@example.com>"
  }

  override_resource {
    target          = module.secrets.aws_secretsmanager_secret.smtp_url
    override_during = plan
    values = {
      arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:primo/production/smtp-url-AbCdEf"
    }
  }

  assert {
    condition     = module.api.container_secrets["SMTP_URL"] == "arn:aws:secretsmanager:eu-west-1:123456789012:secret:primo/production/smtp-url-AbCdEf"
    error_message = "SMTP_URL must come from its Secrets Manager secret."
  }

  assert {
    condition     = module.api.container_environment["MAIL_FROM"] == "Primo <no-reply@example.com>" && !contains(keys(module.api.container_environment), "SMTP_URL")
    error_message = "MAIL_FROM is a plain variable; SMTP_URL never is."
  }
}

run "malformed_smtp_url_is_refused" {
  command = plan

  variables {
    smtp_url = "mail.example.com:587"
  }

  expect_failures = [var.smtp_url]
}
