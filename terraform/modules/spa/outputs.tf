output "bucket_name" {
  description = "Bucket the deploy workflow syncs the built SPA into."
  value       = aws_s3_bucket.this.id
}

output "bucket_arn" {
  description = "ARN of the SPA bucket, for IAM policies."
  value       = aws_s3_bucket.this.arn
}

output "distribution_id" {
  description = "CloudFront distribution to invalidate after a deploy."
  value       = aws_cloudfront_distribution.this.id
}

output "distribution_arn" {
  description = "ARN of the distribution, for IAM policies."
  value       = aws_cloudfront_distribution.this.arn
}

output "domain_name" {
  description = "cloudfront.net domain of the distribution."
  value       = aws_cloudfront_distribution.this.domain_name
}
