output "role_arn" {
  description = "Role ARN to store as the AWS_DEPLOY_ROLE_ARN secret of the repository."
  value       = aws_iam_role.this.arn
}
