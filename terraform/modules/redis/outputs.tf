output "primary_endpoint" {
  description = "Hostname of the primary node."
  value       = aws_elasticache_replication_group.this.primary_endpoint_address
}

output "url" {
  description = "REDIS_URL for the backend; rediss:// because transit encryption is on."
  value       = "rediss://${aws_elasticache_replication_group.this.primary_endpoint_address}:${var.port}"
}

output "security_group_id" {
  description = "Security group of the cache nodes."
  value       = aws_security_group.this.id
}

output "node_ids" {
  description = "Cache cluster ids of the nodes (ElastiCache names them <group>-001, -002, …), the CacheClusterId dimension of their metrics."
  value       = [for index in range(var.replicas + 1) : format("%s-%03d", var.name, index + 1)]
}
