output "jwt_secret_arn" {
  description = "ARN of the JWT signing secret."
  value       = aws_secretsmanager_secret.jwt.arn
}

output "mongodb_uri_secret_arn" {
  description = "ARN of the MongoDB connection string secret."
  value       = aws_secretsmanager_secret.mongodb_uri.arn
}

output "secret_arns" {
  description = "Every secret ARN, for the task execution role's read policy."
  value       = [aws_secretsmanager_secret.jwt.arn, aws_secretsmanager_secret.mongodb_uri.arn]
}
