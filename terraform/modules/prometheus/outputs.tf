output "workspace_id" {
  description = "Id of the AMP workspace (Amazon Managed Grafana's Prometheus data source uses it)."
  value       = aws_prometheus_workspace.this.id
}

output "workspace_arn" {
  description = "ARN of the AMP workspace."
  value       = aws_prometheus_workspace.this.arn
}

output "query_endpoint" {
  description = "The workspace's Prometheus-compatible endpoint (queries are SigV4-signed, e.g. with awscurl)."
  value       = aws_prometheus_workspace.this.prometheus_endpoint
}

output "rule_namespaces" {
  description = "Rule groups namespaces of the workspace, one per rule file."
  value       = sort([for namespace in aws_prometheus_rule_group_namespace.this : namespace.name])
}

output "collector_service_name" {
  description = "ECS service of the collector."
  value       = aws_ecs_service.collector.name
}
