# The deploy workflow's GitHub Actions variables (see README), then what operators look up: alarms,
# backups and the Prometheus workspace.

output "aws_region" {
  description = "AWS_REGION variable."
  value       = var.aws_region
}

output "ecr_repository" {
  description = "ECR_REPOSITORY variable (repository name)."
  value       = module.ecr.repository_name
}

output "ecs_cluster" {
  description = "ECS_CLUSTER variable."
  value       = module.api.cluster_name
}

output "ecs_service" {
  description = "ECS_SERVICE variable."
  value       = module.api.service_name
}

output "ecs_task_family" {
  description = "ECS_TASK_FAMILY variable."
  value       = module.api.task_definition_family
}

output "ecs_worker_service" {
  description = "ECS_WORKER_SERVICE variable: the worker service, rolled to the same image after the API."
  value       = module.api.worker_service_name
}

output "ecs_worker_task_family" {
  description = "ECS_WORKER_TASK_FAMILY variable."
  value       = module.api.worker_task_definition_family
}

output "ecs_worker_container_name" {
  description = "ECS_WORKER_CONTAINER_NAME variable."
  value       = module.api.worker_container_name
}

output "ecs_container_name" {
  description = "ECS_CONTAINER_NAME variable."
  value       = module.api.container_name
}

output "ecs_task_subnets" {
  description = "ECS_TASK_SUBNETS: comma-separated private subnets the migration task runs in."
  value       = join(",", module.network.private_subnet_ids)
}

output "ecs_task_security_group" {
  description = "ECS_TASK_SECURITY_GROUP: security group of the API tasks (reaches MongoDB and Redis), for the migration task."
  value       = module.api.tasks_security_group_id
}

output "spa_bucket" {
  description = "SPA_BUCKET variable."
  value       = module.spa.bucket_name
}

output "cloudfront_distribution_id" {
  description = "CLOUDFRONT_DISTRIBUTION_ID variable."
  value       = module.spa.distribution_id
}

output "api_url" {
  description = "API_URL variable: public base URL of the API (the CloudFront origin, which routes /api and /health to the load balancer)."
  value       = local.spa_origin
}

output "spa_url" {
  description = "SPA_URL variable: where the SPA is served."
  value       = local.spa_origin
}

output "load_balancer_dns_name" {
  description = "DNS name of the API load balancer (point api_domain_name at it); it only admits CloudFront."
  value       = module.api.load_balancer_dns_name
}

output "deploy_role_arn" {
  description = "AWS_DEPLOY_ROLE_ARN secret: the role the deploy workflow assumes through OIDC."
  value       = module.deploy_role.role_arn
}

output "alarm_topic_arn" {
  description = "SNS topic of the CloudWatch alarms (subscribe a pager or chat integration)."
  value       = module.alarms.topic_arn
}

output "alarm_names" {
  description = "Every CloudWatch alarm of the environment."
  value       = module.alarms.alarm_names
}

output "backups_bucket_name" {
  description = "Versioned bucket for backups (docs/backup-and-restore.md)."
  value       = module.backups.bucket_name
}

output "prometheus_workspace_id" {
  description = "AMP workspace with the rules of monitoring/prometheus/rules (the Prometheus data source of Amazon Managed Grafana)."
  value       = module.prometheus.workspace_id
}

output "prometheus_rule_namespaces" {
  description = "Rule groups namespaces of the AMP workspace, one per rule file."
  value       = module.prometheus.rule_namespaces
}
