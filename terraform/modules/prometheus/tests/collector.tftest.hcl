# Plans the Prometheus module offline (mock_provider): the workspace with the repository's rule files,
# its Alertmanager to the alarm topic, and the collector that finds the API and worker tasks.
mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = {
      json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
    }
  }
  mock_data "aws_region" {
    defaults = {
      name = "eu-west-1"
    }
  }
  mock_data "aws_caller_identity" {
    defaults = {
      account_id = "123456789012"
    }
  }
  mock_resource "aws_iam_role" {
    defaults = {
      arn = "arn:aws:iam::123456789012:role/primo-test-prom"
    }
  }
  mock_resource "aws_prometheus_workspace" {
    defaults = {
      arn                 = "arn:aws:aps:eu-west-1:123456789012:workspace/ws-0123"
      prometheus_endpoint = "https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-0123/"
    }
  }
}

variables {
  name               = "primo-test"
  cluster_name       = "primo-test-api"
  cluster_arn        = "arn:aws:ecs:eu-west-1:123456789012:cluster/primo-test-api"
  vpc_id             = "vpc-0123456789abcdef0"
  private_subnet_ids = ["subnet-1a", "subnet-1b"]
  alarm_topic_arn    = "arn:aws:sns:eu-west-1:123456789012:primo-test-alarms"
  targets = {
    primo-backend = { service_name = "primo-test-api", container_name = "backend", port = 5000, security_group_id = "sg-0api" }
    primo-worker  = { service_name = "primo-test-api-worker", container_name = "worker", port = 3001, security_group_id = "sg-0worker" }
  }
  rule_files = {
    primo-recording = file("../../../monitoring/prometheus/rules/recording.yml")
    primo-alerts    = file("../../../monitoring/prometheus/rules/alerts.yml")
  }
}

run "collector_scrapes_every_task_and_writes_to_the_workspace" {
  command = apply

  assert {
    condition = [
      for service in yamldecode(jsondecode(aws_ecs_task_definition.collector.container_definitions)[0].environment[0].value).extensions.ecs_observer.services :
      [service.job_name, service.name_pattern, service.container_name_pattern, service.metrics_ports, service.metrics_path]
      ] == [
      ["primo-backend", "^primo-test-api$", "^backend$", [5000], "/metrics"],
      ["primo-worker", "^primo-test-api-worker$", "^worker$", [3001], "/metrics"],
    ]
    error_message = "the collector discovers the API's and the worker's tasks under the job names the rules use"
  }

  assert {
    condition = (
      yamldecode(jsondecode(aws_ecs_task_definition.collector.container_definitions)[0].environment[0].value).extensions.ecs_observer.result_file
      == yamldecode(jsondecode(aws_ecs_task_definition.collector.container_definitions)[0].environment[0].value).receivers.prometheus.config.scrape_configs[0].file_sd_configs[0].files[0]
    )
    error_message = "the scrape config reads the targets file the observer writes"
  }

  assert {
    condition = (
      yamldecode(jsondecode(aws_ecs_task_definition.collector.container_definitions)[0].environment[0].value).exporters.prometheusremotewrite.endpoint
      == "https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-0123/api/v1/remote_write"
    )
    error_message = "the collector remote-writes to the workspace"
  }

  assert {
    condition = (
      yamldecode(jsondecode(aws_ecs_task_definition.collector.container_definitions)[0].environment[0].value).service.pipelines.metrics
      == { receivers = ["prometheus"], processors = ["batch"], exporters = ["prometheusremotewrite"] }
    )
    error_message = "one metrics pipeline: scrape, batch, remote write"
  }

  assert {
    condition     = jsondecode(aws_ecs_task_definition.collector.container_definitions)[0].image == "public.ecr.aws/aws-observability/aws-otel-collector:v0.43.3"
    error_message = "the collector runs the pinned ADOT image"
  }

  assert {
    condition     = aws_ecs_service.collector.desired_count == 1 && aws_ecs_service.collector.deployment_maximum_percent == 100
    error_message = "exactly one collector runs, also during a deployment (two would write every series twice)"
  }

  assert {
    condition = (
      { for key, rule in aws_vpc_security_group_ingress_rule.scrape : key => [rule.security_group_id, rule.from_port, rule.to_port, rule.referenced_security_group_id] }
      == {
        primo-backend = ["sg-0api", 5000, 5000, aws_security_group.collector.id]
        primo-worker  = ["sg-0worker", 3001, 3001, aws_security_group.collector.id]
      }
    )
    error_message = "each scraped service admits the collector on its metrics port only"
  }

  assert {
    condition = (
      { for key, namespace in aws_prometheus_rule_group_namespace.this : key => namespace.data == var.rule_files[key] && namespace.workspace_id == aws_prometheus_workspace.this.id }
      == { primo-recording = true, primo-alerts = true }
    )
    error_message = "each rule file is a rule groups namespace of the workspace, unchanged"
  }

  assert {
    condition = (
      yamldecode(yamldecode(aws_prometheus_alert_manager_definition.this.definition).alertmanager_config).receivers[0].sns_configs[0].topic_arn
      == var.alarm_topic_arn
    )
    error_message = "Alertmanager publishes to the alarm topic"
  }

  assert {
    condition     = yamldecode(yamldecode(aws_prometheus_alert_manager_definition.this.definition).alertmanager_config).receivers[0].sns_configs[0].send_resolved
    error_message = "Alertmanager also says when an alert resolves"
  }

  assert {
    condition = (
      [for statement in data.aws_iam_policy_document.collector.statement : [statement.sid, statement.actions, statement.resources]][0]
      == ["RemoteWrite", toset(["aps:RemoteWrite"]), toset(["arn:aws:aps:eu-west-1:123456789012:workspace/ws-0123"])]
    )
    error_message = "the collector may remote-write to this workspace only"
  }

  assert {
    condition = anytrue([
      for statement in data.aws_iam_policy_document.topic.statement :
      contains(tolist(statement.principals)[0].identifiers, "aps.amazonaws.com") && contains(statement.actions, "sns:Publish")
    ])
    error_message = "the topic lets the workspace's Alertmanager publish"
  }
}

run "a_file_without_rule_groups_is_refused" {
  command = plan

  variables {
    rule_files = { broken = "rules: []" }
  }

  expect_failures = [var.rule_files]
}

run "an_unpinned_collector_image_is_refused" {
  command = plan

  variables {
    collector_image = "public.ecr.aws/aws-observability/aws-otel-collector:latest"
  }

  expect_failures = [var.collector_image]
}
