data "aws_region" "current" {}

locals {
  container_name = "backend"
  https          = var.certificate_arn != null
  # With a certificate the load balancer listens on 443 only: one ingress rule per prefix list (a
  # CloudFront prefix list counts as 55 rules against the security group's quota of 60).
  alb_ports = local.https ? [443] : [80]
  # Either the given prefix lists (e.g. CloudFront's origin-facing ranges) or the whole internet.
  alb_sources = length(var.alb_ingress_prefix_list_ids) > 0 ? [
    for id in var.alb_ingress_prefix_list_ids : { source = id, prefix_list_id = id }
  ] : [{ source = "0.0.0.0/0", prefix_list_id = null }]
  alb_ingress = {
    for pair in setproduct(local.alb_sources, local.alb_ports) :
    "${pair[0].source}-${pair[1]}" => { source = pair[0].source, prefix_list_id = pair[0].prefix_list_id, port = pair[1] }
  }
}

# --- load balancer -------------------------------------------------------------------------

resource "aws_security_group" "alb" {
  name_prefix = "${var.name}-alb-"
  description = "Public HTTP(S) into the load balancer"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, { Name = "${var.name}-alb" })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "alb" {
  for_each = local.alb_ingress

  security_group_id = aws_security_group.alb.id
  description       = "Port ${each.value.port} from ${each.value.source}"
  cidr_ipv4         = each.value.prefix_list_id == null ? each.value.source : null
  prefix_list_id    = each.value.prefix_list_id
  ip_protocol       = "tcp"
  from_port         = each.value.port
  to_port           = each.value.port
}

resource "aws_vpc_security_group_egress_rule" "alb_to_tasks" {
  security_group_id            = aws_security_group.alb.id
  description                  = "To the API tasks"
  referenced_security_group_id = aws_security_group.tasks.id
  ip_protocol                  = "tcp"
  from_port                    = var.container_port
  to_port                      = var.container_port
}

resource "aws_lb" "this" {
  name               = var.name
  load_balancer_type = "application"
  internal           = false
  subnets            = var.public_subnet_ids
  security_groups    = [aws_security_group.alb.id]

  drop_invalid_header_fields = true
  idle_timeout               = 60

  access_logs {
    bucket  = var.access_logs_bucket
    prefix  = var.access_logs_prefix
    enabled = true
  }

  tags = var.tags
}

resource "aws_lb_target_group" "this" {
  name_prefix          = "primo-"
  vpc_id               = var.vpc_id
  target_type          = "ip"
  protocol             = "HTTP"
  port                 = var.container_port
  deregistration_delay = 30

  health_check {
    path                = var.health_check_path
    matcher             = "200"
    interval            = 15
    timeout             = 5
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }

  tags = var.tags

  lifecycle {
    create_before_destroy = true
  }
}

# One listener: HTTPS with the certificate, or plain HTTP without one. With an origin-verify header
# the default answer is 403 and only requests carrying the header are forwarded.
resource "aws_lb_listener" "this" {
  load_balancer_arn = aws_lb.this.arn
  port              = local.https ? 443 : 80
  protocol          = local.https ? "HTTPS" : "HTTP"
  ssl_policy        = local.https ? "ELBSecurityPolicy-TLS13-1-2-2021-06" : null
  certificate_arn   = var.certificate_arn

  default_action {
    type             = var.origin_verify_header == null ? "forward" : "fixed-response"
    target_group_arn = var.origin_verify_header == null ? aws_lb_target_group.this.arn : null

    dynamic "fixed_response" {
      for_each = var.origin_verify_header == null ? [] : [1]

      content {
        content_type = "text/plain"
        message_body = "Forbidden"
        status_code  = "403"
      }
    }
  }

  tags = var.tags
}

resource "aws_lb_listener_rule" "origin_verified" {
  count = var.origin_verify_header == null ? 0 : 1

  listener_arn = aws_lb_listener.this.arn
  priority     = 1

  condition {
    http_header {
      http_header_name = var.origin_verify_header.name
      values           = [var.origin_verify_header.value]
    }
  }

  action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.this.arn
  }

  tags = var.tags
}

# --- tasks ---------------------------------------------------------------------------------

resource "aws_security_group" "tasks" {
  name_prefix = "${var.name}-tasks-"
  description = "API tasks: the load balancer, and the metrics collector when there is one"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, { Name = "${var.name}-tasks" })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "tasks_from_alb" {
  security_group_id            = aws_security_group.tasks.id
  description                  = "From the load balancer"
  referenced_security_group_id = aws_security_group.alb.id
  ip_protocol                  = "tcp"
  from_port                    = var.container_port
  to_port                      = var.container_port
}

resource "aws_vpc_security_group_egress_rule" "tasks_out" {
  security_group_id = aws_security_group.tasks.id
  description       = "MongoDB, Redis, ECR, Secrets Manager and CloudWatch"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "-1"
}

resource "aws_cloudwatch_log_group" "this" {
  name              = "/ecs/${var.name}"
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
  name_prefix        = "${var.name}-exec-"
  description        = "Pulls the image, writes logs and reads the task's secrets"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json

  tags = var.tags
}

resource "aws_iam_role_policy_attachment" "execution" {
  role       = aws_iam_role.execution.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
}

data "aws_iam_policy_document" "read_secrets" {
  count = length(var.secrets) > 0 ? 1 : 0

  statement {
    actions   = ["secretsmanager:GetSecretValue"]
    resources = distinct(compact(values(var.secrets)))
  }
}

resource "aws_iam_role_policy" "read_secrets" {
  count = length(var.secrets) > 0 ? 1 : 0

  name   = "read-secrets"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.read_secrets[0].json
}

resource "aws_iam_role" "task" {
  name_prefix        = "${var.name}-task-"
  description        = "Identity of the running API (no AWS permissions needed today)"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json

  tags = var.tags
}

resource "aws_ecs_cluster" "this" {
  name = var.name

  setting {
    name  = "containerInsights"
    value = "enabled"
  }

  tags = var.tags
}

# A null value leaves its variable out: optional settings (MAIL_FROM, SMTP_URL) are passed as null when unset.
locals {
  container_secrets = [
    for key in sort(keys(var.secrets)) : { name = key, valueFrom = var.secrets[key] } if var.secrets[key] != null
  ]

  # What the API and worker containers differ in; container_definitions adds what they share.
  containers = {
    api = {
      name        = local.container_name
      port        = var.container_port
      environment = var.environment
      stopTimeout = 30
      own = {
        portMappings = [{ containerPort = var.container_port, protocol = "tcp" }]
      }
    }
    worker = {
      name        = local.worker_container
      port        = local.worker_port
      environment = local.worker_environment
      # SIGTERM lets the jobs in hand finish (SHUTDOWN_TIMEOUT); what is left is taken over by another worker.
      stopTimeout = 60
      own = {
        command = ["node", "backend/dist/worker.js"]
        # Health and metrics only; the port mapping is how ECS service discovery finds the metrics port.
        portMappings = [{ containerPort = local.worker_port, protocol = "tcp" }]
      }
    }
  }

  container_definitions = {
    for role, container in local.containers : role => merge(container.own, {
      name      = container.name
      image     = var.image
      essential = true
      environment = [
        for key in sort(keys(container.environment)) : { name = key, value = container.environment[key] } if container.environment[key] != null
      ]
      # Resolved by ECS from Secrets Manager at start; the values never appear in the task definition.
      secrets     = local.container_secrets
      stopTimeout = container.stopTimeout
      # Liveness only: a wedged process is replaced, a dependency outage is not (see health_check_path).
      healthCheck = {
        command     = ["CMD", "node", "-e", "fetch('http://127.0.0.1:${container.port}/health/live').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
        interval    = 15
        timeout     = 5
        retries     = 3
        startPeriod = 20
      }
      logConfiguration = {
        logDriver = "awslogs"
        options = {
          awslogs-group         = aws_cloudwatch_log_group.this.name
          awslogs-region        = data.aws_region.current.name
          awslogs-stream-prefix = container.name
        }
      }
    })
  }
}

resource "aws_ecs_task_definition" "this" {
  family                   = var.name
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.cpu
  memory                   = var.memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task.arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  container_definitions = jsonencode([local.container_definitions.api])

  tags = var.tags
}

resource "aws_ecs_service" "this" {
  name            = var.name
  cluster         = aws_ecs_cluster.this.id
  task_definition = aws_ecs_task_definition.this.arn
  desired_count   = var.min_capacity
  launch_type     = "FARGATE"

  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200
  health_check_grace_period_seconds  = 30
  enable_execute_command             = false

  # A deployment whose tasks keep failing is stopped and the last good revision restored.
  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  network_configuration {
    subnets          = var.private_subnet_ids
    security_groups  = [aws_security_group.tasks.id]
    assign_public_ip = false
  }

  load_balancer {
    target_group_arn = aws_lb_target_group.this.arn
    container_name   = local.container_name
    container_port   = var.container_port
  }

  # CI registers new task definition revisions and autoscaling owns the count.
  lifecycle {
    ignore_changes = [task_definition, desired_count]
  }

  tags = var.tags

  depends_on = [aws_lb_listener.this]
}

# --- autoscaling ---------------------------------------------------------------------------

resource "aws_appautoscaling_target" "this" {
  service_namespace  = "ecs"
  resource_id        = "service/${aws_ecs_cluster.this.name}/${aws_ecs_service.this.name}"
  scalable_dimension = "ecs:service:DesiredCount"
  min_capacity       = var.min_capacity
  max_capacity       = var.max_capacity
}

resource "aws_appautoscaling_policy" "cpu" {
  name               = "${var.name}-cpu-target"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.this.service_namespace
  resource_id        = aws_appautoscaling_target.this.resource_id
  scalable_dimension = aws_appautoscaling_target.this.scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = var.cpu_target_percent
    scale_out_cooldown = 60
    scale_in_cooldown  = 300

    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageCPUUtilization"
    }
  }
}
