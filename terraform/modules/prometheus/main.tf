# Prometheus on AWS: an Amazon Managed Service for Prometheus workspace holding the same rule files as
# compose (monitoring/prometheus/rules), its Alertmanager publishing to the alarm topic, and one AWS
# Distro for OpenTelemetry collector in the cluster. The collector finds every API and worker task
# through the ECS API (its ecs_observer extension writes them as file service discovery targets),
# scrapes each task's /metrics by its private address, so that every task is its own `instance`, under
# the job names the rules and dashboards use, and remote-writes the samples to the workspace.

data "aws_caller_identity" "current" {}
data "aws_region" "current" {}

locals {
  collector_name = "${var.name}-prometheus-collector"
  targets_file   = "/etc/ecs_sd_targets.yaml"

  collector_config = {
    extensions = {
      sigv4auth = { region = data.aws_region.current.name, service = "aps" }
      ecs_observer = {
        cluster_name     = var.cluster_name
        cluster_region   = data.aws_region.current.name
        refresh_interval = "30s"
        result_file      = local.targets_file
        services = [
          for job, target in var.targets : {
            name_pattern           = "^${target.service_name}$"
            container_name_pattern = "^${target.container_name}$"
            metrics_ports          = [target.port]
            metrics_path           = "/metrics"
            job_name               = job
          }
        ]
      }
    }
    receivers = {
      prometheus = {
        config = {
          global = { scrape_interval = var.scrape_interval, scrape_timeout = "5s" }
          scrape_configs = [{
            # Each discovered target carries its own job label (primo-backend, primo-worker).
            job_name        = "ecs"
            file_sd_configs = [{ files = [local.targets_file], refresh_interval = "30s" }]
          }]
        }
      }
    }
    processors = { batch = {} }
    exporters = {
      prometheusremotewrite = {
        endpoint = "${aws_prometheus_workspace.this.prometheus_endpoint}api/v1/remote_write"
        auth     = { authenticator = "sigv4auth" }
      }
    }
    service = {
      extensions = ["sigv4auth", "ecs_observer"]
      pipelines = {
        metrics = { receivers = ["prometheus"], processors = ["batch"], exporters = ["prometheusremotewrite"] }
      }
    }
  }

  alertmanager_config = {
    route = {
      receiver        = "alarm-topic"
      group_by        = ["alertname", "job", "queue"]
      group_wait      = "30s"
      group_interval  = "5m"
      repeat_interval = "4h"
    }
    receivers = [{
      name = "alarm-topic"
      sns_configs = [{
        topic_arn     = var.alarm_topic_arn
        send_resolved = true
        sigv4         = { region = data.aws_region.current.name }
        subject       = "[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }}"
        attributes    = { severity = "{{ .CommonLabels.severity }}" }
      }]
    }]
  }
}

# --- workspace, rules, alerting ----------------------------------------------------------------

resource "aws_prometheus_workspace" "this" {
  alias = var.name

  tags = var.tags
}

resource "aws_prometheus_rule_group_namespace" "this" {
  for_each = var.rule_files

  name         = each.key
  workspace_id = aws_prometheus_workspace.this.id
  data         = each.value

  tags = var.tags
}

resource "aws_prometheus_alert_manager_definition" "this" {
  workspace_id = aws_prometheus_workspace.this.id
  definition   = yamlencode({ alertmanager_config = yamlencode(local.alertmanager_config) })
}

# The topic's whole policy: the account (CloudWatch alarms publish as it) and this workspace's
# Alertmanager. The topic's KMS key lets both services encrypt (see the alarms module).
data "aws_iam_policy_document" "topic" {
  statement {
    sid       = "AccountPublishes"
    actions   = ["sns:Publish", "sns:GetTopicAttributes", "sns:Subscribe"]
    resources = [var.alarm_topic_arn]

    principals {
      type        = "AWS"
      identifiers = ["*"]
    }

    condition {
      test     = "StringEquals"
      variable = "AWS:SourceOwner"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }

  statement {
    sid       = "PrometheusAlertmanagerPublishes"
    actions   = ["sns:Publish", "sns:GetTopicAttributes"]
    resources = [var.alarm_topic_arn]

    principals {
      type        = "Service"
      identifiers = ["aps.amazonaws.com"]
    }

    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [aws_prometheus_workspace.this.arn]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_sns_topic_policy" "alarm_topic" {
  arn    = var.alarm_topic_arn
  policy = data.aws_iam_policy_document.topic.json
}

# --- collector ---------------------------------------------------------------------------------

resource "aws_security_group" "collector" {
  name_prefix = "${local.collector_name}-"
  description = "Prometheus collector: scrapes the tasks, writes to AMP"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, { Name = local.collector_name })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_egress_rule" "collector_out" {
  security_group_id = aws_security_group.collector.id
  description       = "The tasks' metrics ports, and the AMP, ECS and CloudWatch Logs endpoints"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "-1"
}

# Each scraped service admits the collector on its metrics port, and nothing else new.
resource "aws_vpc_security_group_ingress_rule" "scrape" {
  for_each = var.targets

  security_group_id            = each.value.security_group_id
  description                  = "Prometheus scrapes ${each.key} from the collector"
  referenced_security_group_id = aws_security_group.collector.id
  ip_protocol                  = "tcp"
  from_port                    = each.value.port
  to_port                      = each.value.port
}

resource "aws_cloudwatch_log_group" "collector" {
  name              = "/ecs/${local.collector_name}"
  retention_in_days = var.log_retention_days

  tags = var.tags
}

data "aws_iam_policy_document" "ecs_tasks_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "execution" {
  name_prefix        = "${var.name}-prom-exec-"
  description        = "Starts the Prometheus collector and writes its logs"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json

  tags = var.tags
}

resource "aws_iam_role_policy_attachment" "execution" {
  role       = aws_iam_role.execution.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
}

data "aws_iam_policy_document" "collector" {
  statement {
    sid       = "RemoteWrite"
    actions   = ["aps:RemoteWrite"]
    resources = [aws_prometheus_workspace.this.arn]
  }

  # ecs_observer: the cluster's services and tasks (Fargate: task addresses come from the tasks).
  statement {
    sid       = "DiscoverTasks"
    actions   = ["ecs:ListTasks", "ecs:ListServices", "ecs:DescribeServices", "ecs:DescribeTasks"]
    resources = ["*"]

    condition {
      test     = "ArnEquals"
      variable = "ecs:cluster"
      values   = [var.cluster_arn]
    }
  }

  statement {
    sid       = "ReadTaskDefinitions"
    actions   = ["ecs:DescribeTaskDefinition"]
    resources = ["*"]
  }
}

resource "aws_iam_role" "collector" {
  name_prefix        = "${var.name}-prom-task-"
  description        = "Identity of the Prometheus collector: discovers the tasks, writes to AMP"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json

  tags = var.tags
}

resource "aws_iam_role_policy" "collector" {
  name   = "discover-and-remote-write"
  role   = aws_iam_role.collector.id
  policy = data.aws_iam_policy_document.collector.json
}

resource "aws_ecs_task_definition" "collector" {
  family                   = local.collector_name
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = 256
  memory                   = 512
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.collector.arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  container_definitions = jsonencode([{
    name      = "adot-collector"
    image     = var.collector_image
    essential = true
    # The collector reads its whole configuration from this variable.
    environment = [{ name = "AOT_CONFIG_CONTENT", value = yamlencode(local.collector_config) }]
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = aws_cloudwatch_log_group.collector.name
        awslogs-region        = data.aws_region.current.name
        awslogs-stream-prefix = "collector"
      }
    }
  }])

  tags = var.tags
}

resource "aws_ecs_service" "collector" {
  name            = local.collector_name
  cluster         = var.cluster_arn
  task_definition = aws_ecs_task_definition.collector.arn
  desired_count   = 1
  launch_type     = "FARGATE"

  # One collector at a time: two would write every series twice while a deployment overlaps them.
  deployment_minimum_healthy_percent = 0
  deployment_maximum_percent         = 100

  network_configuration {
    subnets          = var.private_subnet_ids
    security_groups  = [aws_security_group.collector.id]
    assign_public_ip = false
  }

  tags = var.tags
}
