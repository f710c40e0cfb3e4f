# Plans the service module offline (mock_provider): the worker beside the API.
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
}

variables {
  name               = "primo-test-api"
  vpc_id             = "vpc-0123456789abcdef0"
  public_subnet_ids  = ["subnet-0a", "subnet-0b"]
  private_subnet_ids = ["subnet-1a", "subnet-1b"]
  image              = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/primo:abc1234"
  access_logs_bucket = "primo-test-logs"
  environment        = { NODE_ENV = "production", REDIS_URL = "rediss://cache.example:6379" }
  secrets            = { JWT_SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:jwt-AbCdEf" }
}

run "worker_beside_the_api" {
  command = plan

  assert {
    condition     = aws_ecs_service.worker.name == "primo-test-api-worker" && length(aws_ecs_service.worker.load_balancer) == 0
    error_message = "the worker is its own service, behind no load balancer"
  }

  assert {
    condition     = jsondecode(aws_ecs_task_definition.worker.container_definitions)[0].command == ["node", "backend/dist/worker.js"]
    error_message = "the worker task runs worker.js from the API's image"
  }

  assert {
    condition     = jsondecode(aws_ecs_task_definition.worker.container_definitions)[0].image == var.image
    error_message = "the worker runs the API's image"
  }

  # The API's configuration and secrets, plus the worker's own health port.
  assert {
    condition = toset(jsondecode(aws_ecs_task_definition.worker.container_definitions)[0].environment) == toset([
      { name = "NODE_ENV", value = "production" },
      { name = "REDIS_URL", value = "rediss://cache.example:6379" },
      { name = "WORKER_PORT", value = "3001" },
    ])
    error_message = "unexpected worker environment: ${aws_ecs_task_definition.worker.container_definitions}"
  }

  assert {
    condition     = jsondecode(aws_ecs_task_definition.worker.container_definitions)[0].secrets == [{ name = "JWT_SECRET", valueFrom = var.secrets.JWT_SECRET }]
    error_message = "the worker reads the API's secrets"
  }

  # Scaled on its own: two at least, on its own CPU target.
  assert {
    condition     = aws_appautoscaling_target.worker.min_capacity == 2 && aws_appautoscaling_target.worker.max_capacity == 6
    error_message = "the worker scales between 2 and 6 tasks by default"
  }

  assert {
    condition     = aws_appautoscaling_policy.worker_cpu.target_tracking_scaling_policy_configuration[0].target_value == 60
    error_message = "the worker keeps its own CPU target"
  }

  # No inbound rule exists for the worker's security group.
  assert {
    condition     = aws_ecs_service.worker.network_configuration[0].assign_public_ip == false
    error_message = "the worker runs in private subnets without a public address"
  }
}

run "worker_cannot_be_scaled_to_zero" {
  command = plan

  variables {
    worker_min_capacity = 0
  }

  expect_failures = [var.worker_min_capacity]
}

# Optional settings passed as null (no mail server, the default sender) are left out of both containers.
run "unset_optional_settings_are_left_out" {
  command = plan

  variables {
    environment = { NODE_ENV = "production", MAIL_FROM = null }
    secrets = {
      JWT_SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:jwt-AbCdEf"
      SMTP_URL   = null
    }
  }

  assert {
    condition = alltrue([
      for definition in [aws_ecs_task_definition.this.container_definitions, aws_ecs_task_definition.worker.container_definitions] :
      jsondecode(definition)[0].secrets == [{ name = "JWT_SECRET", valueFrom = var.secrets.JWT_SECRET }]
      && !contains([for variable in jsondecode(definition)[0].environment : variable.name], "MAIL_FROM")
    ])
    error_message = "a null setting must not reach a container"
  }
}
