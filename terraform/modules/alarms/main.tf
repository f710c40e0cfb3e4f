# CloudWatch alarms on the AWS-managed parts of the deployment (load balancer, ECS service, ElastiCache,
# optionally DocumentDB), all notifying one SNS topic on alarm and on recovery. The application's own
# signals (route latency, readiness, Redis circuit, event loop) are alerted on by the Prometheus rules
# in monitoring/, whose Alertmanager can publish to the same topic.

data "aws_caller_identity" "current" {}

locals {
  actions = [aws_sns_topic.this.arn]
  alb     = { LoadBalancer = var.load_balancer_arn_suffix }
  ecs     = { ClusterName = var.ecs_cluster_name, ServiceName = var.ecs_service_name }
  redis   = toset(var.redis_node_ids)
  docdb   = var.documentdb_cluster_identifier == null ? toset([]) : toset([var.documentdb_cluster_identifier])
}

# CloudWatch and AMP may publish to an encrypted topic only with a key whose policy lets them (the
# AWS-managed alias/aws/sns key does not).
data "aws_iam_policy_document" "key" {
  statement {
    sid       = "AccountAdministers"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }

  # CloudWatch alarms, and the Alertmanager of the Prometheus workspace (modules/prometheus).
  statement {
    sid       = "AlarmServicesPublish"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey*"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com", "aps.amazonaws.com"]
    }
  }
}

resource "aws_kms_key" "this" {
  description         = "${var.name} alarm notifications"
  enable_key_rotation = true
  policy              = data.aws_iam_policy_document.key.json

  tags = var.tags
}

resource "aws_sns_topic" "this" {
  name              = "${var.name}-alarms"
  kms_master_key_id = aws_kms_key.this.arn

  tags = var.tags
}

resource "aws_sns_topic_subscription" "email" {
  for_each = toset(var.email_addresses)

  topic_arn = aws_sns_topic.this.arn
  protocol  = "email"
  endpoint  = each.value
}

# --- load balancer -------------------------------------------------------------------------------

resource "aws_cloudwatch_metric_alarm" "alb_5xx_rate" {
  alarm_name          = "${var.name}-alb-5xx-rate"
  alarm_description   = "More than ${var.error_rate_percent} % of requests answered 5xx (targets and the load balancer itself) for 5 minutes. Runbook: monitoring/runbook.md#primohigherrorrate"
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.error_rate_percent
  evaluation_periods  = 5
  datapoints_to_alarm = 5
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions

  metric_query {
    id          = "rate"
    label       = "5xx percent"
    return_data = true
    # Below 20 requests a minute one error is no rate: report 0.
    expression = "IF(requests >= 20, 100 * (FILL(target5xx, 0) + FILL(elb5xx, 0)) / requests, 0)"
  }

  metric_query {
    id = "requests"
    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "RequestCount"
      dimensions  = local.alb
      period      = 60
      stat        = "Sum"
    }
  }

  metric_query {
    id = "target5xx"
    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "HTTPCode_Target_5XX_Count"
      dimensions  = local.alb
      period      = 60
      stat        = "Sum"
    }
  }

  metric_query {
    id = "elb5xx"
    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "HTTPCode_ELB_5XX_Count"
      dimensions  = local.alb
      period      = 60
      stat        = "Sum"
    }
  }

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "alb_p99" {
  alarm_name          = "${var.name}-alb-p99-latency"
  alarm_description   = "p99 target response time above ${var.p99_seconds} s for 5 minutes. Runbook: monitoring/runbook.md#primohighlatencyp99"
  namespace           = "AWS/ApplicationELB"
  metric_name         = "TargetResponseTime"
  dimensions          = local.alb
  extended_statistic  = "p99"
  period              = 60
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.p99_seconds
  evaluation_periods  = 5
  datapoints_to_alarm = 5
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "unhealthy_hosts" {
  alarm_name          = "${var.name}-unhealthy-hosts"
  alarm_description   = "At least one task has failed the load balancer's liveness probe for 5 minutes. Runbook: monitoring/runbook.md#primobackenddown"
  namespace           = "AWS/ApplicationELB"
  metric_name         = "UnHealthyHostCount"
  dimensions          = { LoadBalancer = var.load_balancer_arn_suffix, TargetGroup = var.target_group_arn_suffix }
  statistic           = "Maximum"
  period              = 60
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  evaluation_periods  = 5
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "no_healthy_hosts" {
  alarm_name          = "${var.name}-no-healthy-hosts"
  alarm_description   = "No task passes the load balancer's liveness probe: the API is down. Runbook: monitoring/runbook.md#primonobackendup"
  namespace           = "AWS/ApplicationELB"
  metric_name         = "HealthyHostCount"
  dimensions          = { LoadBalancer = var.load_balancer_arn_suffix, TargetGroup = var.target_group_arn_suffix }
  statistic           = "Minimum"
  period              = 60
  comparison_operator = "LessThanThreshold"
  threshold           = 1
  evaluation_periods  = 2
  treat_missing_data  = "breaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions

  tags = var.tags
}

# --- ECS service -----------------------------------------------------------------------------------

resource "aws_cloudwatch_metric_alarm" "ecs_cpu" {
  alarm_name          = "${var.name}-ecs-cpu"
  alarm_description   = "Service CPU above ${var.ecs_cpu_percent} % for 10 minutes although autoscaling targets 70 %: it may be at its maximum task count. Runbook: monitoring/runbook.md#primoeventloopsaturated"
  namespace           = "AWS/ECS"
  metric_name         = "CPUUtilization"
  dimensions          = local.ecs
  statistic           = "Average"
  period              = 60
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.ecs_cpu_percent
  evaluation_periods  = 10
  datapoints_to_alarm = 8
  treat_missing_data  = "missing"
  alarm_actions       = local.actions
  ok_actions          = local.actions

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "ecs_memory" {
  alarm_name          = "${var.name}-ecs-memory"
  alarm_description   = "Service memory above ${var.ecs_memory_percent} % of the task size for 10 minutes. Runbook: monitoring/runbook.md#primoheapnearlimit"
  namespace           = "AWS/ECS"
  metric_name         = "MemoryUtilization"
  dimensions          = local.ecs
  statistic           = "Maximum"
  period              = 60
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.ecs_memory_percent
  evaluation_periods  = 10
  datapoints_to_alarm = 8
  treat_missing_data  = "missing"
  alarm_actions       = local.actions
  ok_actions          = local.actions

  tags = var.tags
}

# --- ElastiCache Redis, per node -----------------------------------------------------------------

resource "aws_cloudwatch_metric_alarm" "redis_cpu" {
  for_each = local.redis

  alarm_name          = "${var.name}-redis-cpu-${each.key}"
  alarm_description   = "Redis engine CPU on ${each.key} above ${var.redis_cpu_percent} % for 10 minutes: commands slow down and the API's 200 ms timeout opens its circuit breaker. Runbook: monitoring/runbook.md#primorediscircuitopen"
  namespace           = "AWS/ElastiCache"
  metric_name         = "EngineCPUUtilization"
  dimensions          = { CacheClusterId = each.key }
  statistic           = "Average"
  period              = 60
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.redis_cpu_percent
  evaluation_periods  = 10
  datapoints_to_alarm = 8
  treat_missing_data  = "missing"
  alarm_actions       = local.actions
  ok_actions          = local.actions

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "redis_evictions" {
  for_each = local.redis

  alarm_name          = "${var.name}-redis-evictions-${each.key}"
  alarm_description   = "Redis on ${each.key} evicted more than ${var.redis_evictions_per_5m} keys in 5 minutes: the node is too small for the cache and the rate-limit counters. Runbook: monitoring/runbook.md#primorediscircuitopen"
  namespace           = "AWS/ElastiCache"
  metric_name         = "Evictions"
  dimensions          = { CacheClusterId = each.key }
  statistic           = "Sum"
  period              = 300
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.redis_evictions_per_5m
  evaluation_periods  = 1
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions

  tags = var.tags
}

# --- DocumentDB (when the MongoDB URI points at a DocumentDB cluster) ----------------------------

resource "aws_cloudwatch_metric_alarm" "documentdb_cpu" {
  for_each = local.docdb

  alarm_name          = "${var.name}-documentdb-cpu"
  alarm_description   = "DocumentDB cluster ${each.key} CPU above ${var.documentdb_cpu_percent} % for 10 minutes. Runbook: monitoring/runbook.md#primoslowstorage"
  namespace           = "AWS/DocDB"
  metric_name         = "CPUUtilization"
  dimensions          = { DBClusterIdentifier = each.key }
  statistic           = "Average"
  period              = 60
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.documentdb_cpu_percent
  evaluation_periods  = 10
  datapoints_to_alarm = 8
  treat_missing_data  = "missing"
  alarm_actions       = local.actions
  ok_actions          = local.actions

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "documentdb_connections" {
  for_each = local.docdb

  alarm_name          = "${var.name}-documentdb-connections"
  alarm_description   = "DocumentDB cluster ${each.key} holds more than ${var.documentdb_max_connections} connections (tasks × MONGODB_POOL_SIZE must stay below the instance limit). Runbook: monitoring/runbook.md#primoreadinessflapping"
  namespace           = "AWS/DocDB"
  metric_name         = "DatabaseConnections"
  dimensions          = { DBClusterIdentifier = each.key }
  statistic           = "Maximum"
  period              = 60
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.documentdb_max_connections
  evaluation_periods  = 5
  treat_missing_data  = "missing"
  alarm_actions       = local.actions
  ok_actions          = local.actions

  tags = var.tags
}
