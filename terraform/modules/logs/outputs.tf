output "bucket_name" {
  description = "Name of the access-log bucket."
  value       = aws_s3_bucket.this.id
}

output "bucket_domain_name" {
  description = "Domain name CloudFront delivers standard logs to."
  value       = aws_s3_bucket.this.bucket_domain_name
}

output "alb_prefix" {
  description = "Key prefix of the load balancer's access logs."
  value       = var.alb_prefix
}

output "s3_prefix" {
  description = "Key prefix of the SPA bucket's server access logs."
  value       = var.s3_prefix
}

output "cloudfront_prefix" {
  description = "Key prefix of the CloudFront standard logs."
  value       = var.cloudfront_prefix
}
