resource "aws_security_group" "this" {
  name_prefix = "${var.name}-redis-"
  description = "Redis reachable only from the API tasks"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, { Name = "${var.name}-redis" })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "clients" {
  # Keyed by the static names the caller gives, so the plan knows every instance before the groups exist.
  for_each = var.allowed_security_groups

  security_group_id            = aws_security_group.this.id
  description                  = "Redis from ${each.key}"
  referenced_security_group_id = each.value
  ip_protocol                  = "tcp"
  from_port                    = var.port
  to_port                      = var.port
}

resource "aws_elasticache_subnet_group" "this" {
  name       = var.name
  subnet_ids = var.subnet_ids

  tags = var.tags
}

resource "aws_elasticache_replication_group" "this" {
  replication_group_id = var.name
  description          = "Primo response cache and rate-limit counters"
  engine               = "redis"
  engine_version       = var.engine_version
  node_type            = var.node_type
  port                 = var.port
  num_cache_clusters   = var.replicas + 1
  parameter_group_name = "default.redis7"

  automatic_failover_enabled = true
  multi_az_enabled           = true

  subnet_group_name  = aws_elasticache_subnet_group.this.name
  security_group_ids = [aws_security_group.this.id]

  # TLS between the tasks and Redis (clients use rediss://), and encrypted snapshots.
  transit_encryption_enabled = true
  transit_encryption_mode    = "required"
  at_rest_encryption_enabled = true

  # Clients must AUTH; the token lives in Secrets Manager and reaches the tasks as REDIS_PASSWORD.
  auth_token = var.auth_token

  apply_immediately        = false
  snapshot_retention_limit = 1

  tags = var.tags

  lifecycle {
    # Rotating the token is a deliberate two-step change (auth_token_update_strategy), not a plan diff.
    ignore_changes = [auth_token]
  }
}
