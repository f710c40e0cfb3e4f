output "cluster_arn" {
  description = "ARN of the ECS cluster."
  value       = aws_ecs_cluster.this.arn
}

output "cluster_name" {
  description = "Name of the ECS cluster."
  value       = aws_ecs_cluster.this.name
}

output "service_name" {
  description = "Name of the ECS service."
  value       = aws_ecs_service.this.name
}

output "task_definition_family" {
  description = "Task definition family that CI registers new revisions in."
  value       = aws_ecs_task_definition.this.family
}

output "container_name" {
  description = "Name of the API container inside the task definition."
  value       = local.container_name
}

output "tasks_security_group_id" {
  description = "Security group of the tasks, for the database and cache to admit."
  value       = aws_security_group.tasks.id
}

output "execution_role_arn" {
  description = "Task execution role (CI passes it when registering task definitions)."
  value       = aws_iam_role.execution.arn
}

output "task_role_arn" {
  description = "Task role of the running API."
  value       = aws_iam_role.task.arn
}

output "load_balancer_dns_name" {
  description = "DNS name of the load balancer."
  value       = aws_lb.this.dns_name
}

output "load_balancer_zone_id" {
  description = "Hosted zone of the load balancer, for an alias record."
  value       = aws_lb.this.zone_id
}

output "load_balancer_arn_suffix" {
  description = "ARN suffix of the load balancer, the LoadBalancer dimension of its CloudWatch metrics."
  value       = aws_lb.this.arn_suffix
}

output "target_group_arn_suffix" {
  description = "ARN suffix of the target group, the TargetGroup dimension of its CloudWatch metrics."
  value       = aws_lb_target_group.this.arn_suffix
}

output "worker_service_name" {
  description = "Name of the worker ECS service (no load balancer)."
  value       = aws_ecs_service.worker.name
}

output "worker_task_definition_family" {
  description = "Task definition family of the worker, which CI registers new revisions in."
  value       = aws_ecs_task_definition.worker.family
}

output "worker_container_name" {
  description = "Name of the worker container inside its task definition."
  value       = local.worker_container
}

output "worker_security_group_id" {
  description = "Security group of the worker tasks, for the database and cache to admit."
  value       = aws_security_group.worker.id
}

output "container_environment" {
  description = "The plain environment variables the API and worker containers start with."
  value       = var.environment
}

output "container_secrets" {
  description = "The environment variables the API and worker containers read from Secrets Manager: name => secret ARN."
  value       = var.secrets
}
