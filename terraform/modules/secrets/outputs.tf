output "jwt_secret_arn" {
  description = "ARN of the JWT signing secret."
  value       = aws_secretsmanager_secret.jwt.arn
}

output "mongodb_uri_secret_arn" {
  description = "ARN of the MongoDB connection string secret."
  value       = aws_secretsmanager_secret.mongodb_uri.arn
}

output "smtp_url_secret_arn" {
  description = "ARN of the SMTP URL secret, or null when no mail server is configured."
  value       = one(aws_secretsmanager_secret.smtp_url[*].arn)
}

output "redis_auth_token_secret_arn" {
  description = "ARN of the Redis AUTH token secret."
  value       = aws_secretsmanager_secret.redis_auth_token.arn
}

output "redis_auth_token" {
  description = "The Redis AUTH token as first generated, for the replication group."
  value       = aws_secretsmanager_secret_version.redis_auth_token.secret_string
  sensitive   = true
}

output "origin_verify" {
  description = "The X-Origin-Verify header value as first generated."
  value       = aws_secretsmanager_secret_version.origin_verify.secret_string
  sensitive   = true
}

output "secret_arns" {
  description = "Every secret ARN, for the task execution role's read policy."
  value = concat([
    aws_secretsmanager_secret.jwt.arn,
    aws_secretsmanager_secret.mongodb_uri.arn,
    aws_secretsmanager_secret.redis_auth_token.arn,
  ], aws_secretsmanager_secret.smtp_url[*].arn)
}
