# --- worker --------------------------------------------------------------------------------
# The background work (reminders, notifications, mail, next occurrences of repeating tasks): the
# same image and configuration as the API, started as `node backend/dist/worker.js`. No load
# balancer; it scales on its own CPU. Its health and metrics listen on WORKER_PORT, for the container
# health check and the Prometheus collector (modules/prometheus adds the one ingress rule it needs).

locals {
  worker_name      = "${var.name}-worker"
  worker_container = "worker"
  worker_port      = 3001
  worker_environment = merge(var.environment, {
    WORKER_PORT = tostring(local.worker_port)
  })
}

resource "aws_security_group" "worker" {
  name_prefix = "${local.worker_name}-"
  description = "Worker tasks: only the metrics collector, when there is one"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, { Name = local.worker_name })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_egress_rule" "worker_out" {
  security_group_id = aws_security_group.worker.id
  description       = "MongoDB, Redis, SMTP, ECR, Secrets Manager and CloudWatch"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "-1"
}

resource "aws_ecs_task_definition" "worker" {
  family                   = local.worker_name
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.worker_cpu
  memory                   = var.worker_memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task.arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  container_definitions = jsonencode([local.container_definitions.worker])

  tags = var.tags
}

resource "aws_ecs_service" "worker" {
  name            = local.worker_name
  cluster         = aws_ecs_cluster.this.id
  task_definition = aws_ecs_task_definition.worker.arn
  desired_count   = var.worker_min_capacity
  launch_type     = "FARGATE"

  # New workers start before old ones stop: jobs never wait for a deployment.
  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200
  enable_execute_command             = false

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  network_configuration {
    subnets          = var.private_subnet_ids
    security_groups  = [aws_security_group.worker.id]
    assign_public_ip = false
  }

  # CI registers new task definition revisions and autoscaling owns the count.
  lifecycle {
    ignore_changes = [task_definition, desired_count]
  }

  tags = var.tags
}

resource "aws_appautoscaling_target" "worker" {
  service_namespace  = "ecs"
  resource_id        = "service/${aws_ecs_cluster.this.name}/${aws_ecs_service.worker.name}"
  scalable_dimension = "ecs:service:DesiredCount"
  min_capacity       = var.worker_min_capacity
  max_capacity       = max(var.worker_min_capacity, var.worker_max_capacity)
}

resource "aws_appautoscaling_policy" "worker_cpu" {
  name               = "${local.worker_name}-cpu-target"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.worker.service_namespace
  resource_id        = aws_appautoscaling_target.worker.resource_id
  scalable_dimension = aws_appautoscaling_target.worker.scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = var.worker_cpu_target_percent
    scale_out_cooldown = 60
    scale_in_cooldown  = 300

    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageCPUUtilization"
    }
  }
}
