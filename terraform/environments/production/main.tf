provider "aws" {
  region = var.aws_region

  default_tags {
    tags = local.tags
  }
}

# CloudFront-scoped WAF web ACLs exist only in us-east-1.
provider "aws" {
  alias  = "us_east_1"
  region = "us-east-1"

  default_tags {
    tags = local.tags
  }
}

data "aws_availability_zones" "available" {
  state = "available"
}

# CloudFront's origin-facing addresses: the load balancer admits nothing else.
data "aws_ec2_managed_prefix_list" "cloudfront" {
  name = "com.amazonaws.global.cloudfront.origin-facing"
}

locals {
  prefix = "${var.name}-${var.environment}"
  tags = {
    Application = var.name
    Environment = var.environment
    ManagedBy   = "terraform"
  }
  spa_origin = length(var.spa_aliases) > 0 ? "https://${var.spa_aliases[0]}" : "https://${module.spa.domain_name}"
  # CloudFront reaches the API by the certificate's name, over TLS only.
  api_origin_domain = var.api_domain_name
  origin_verify     = { name = "X-Origin-Verify", value = module.secrets.origin_verify }
}

module "network" {
  source = "../../modules/network"

  name               = local.prefix
  cidr_block         = var.vpc_cidr
  availability_zones = slice(data.aws_availability_zones.available.names, 0, var.zone_count)
  single_nat_gateway = var.single_nat_gateway
}

module "ecr" {
  source = "../../modules/ecr"

  name = coalesce(var.ecr_repository_name, "${var.name}/backend")
}

module "secrets" {
  source = "../../modules/secrets"

  name        = "${var.name}/${var.environment}"
  mongodb_uri = var.mongodb_uri
  smtp_url    = var.smtp_url
}

module "redis" {
  source = "../../modules/redis"

  name                    = "${local.prefix}-cache"
  vpc_id                  = module.network.vpc_id
  subnet_ids              = module.network.private_subnet_ids
  allowed_security_groups = { api = module.api.tasks_security_group_id, worker = module.api.worker_security_group_id }
  auth_token              = module.secrets.redis_auth_token
  node_type               = var.redis_node_type
}

module "api" {
  source = "../../modules/ecs-service"

  name               = "${local.prefix}-api"
  vpc_id             = module.network.vpc_id
  public_subnet_ids  = module.network.public_subnet_ids
  private_subnet_ids = module.network.private_subnet_ids
  image              = "${module.ecr.repository_url}:${var.image_tag}"
  cpu                = var.task_cpu
  memory             = var.task_memory
  certificate_arn    = var.certificate_arn

  alb_ingress_prefix_list_ids = [data.aws_ec2_managed_prefix_list.cloudfront.id]
  access_logs_bucket          = module.logs.bucket_name
  access_logs_prefix          = module.logs.alb_prefix
  # The prefix list admits every CloudFront distribution; the secret header admits only ours.
  origin_verify_header = local.origin_verify

  min_capacity       = var.api_min_count
  max_capacity       = var.api_max_count
  cpu_target_percent = 70
  health_check_path  = "/health/live"

  environment = {
    NODE_ENV = "production"
    HOST     = "0.0.0.0"
    PORT     = "5000"
    # Two trusted hops: CloudFront, then the load balancer, each append to X-Forwarded-For.
    TRUST_PROXY     = "2"
    LOG_LEVEL       = "info"
    REDIS_URL       = module.redis.url
    CLIENT_URL      = local.spa_origin
    ALLOWED_ORIGINS = local.spa_origin
    # Unset (null): the backend's default sender.
    MAIL_FROM = var.mail_from
  }

  secrets = {
    JWT_SECRET     = module.secrets.jwt_secret_arn
    MONGODB_URI    = module.secrets.mongodb_uri_secret_arn
    REDIS_PASSWORD = module.secrets.redis_auth_token_secret_arn
    # Null without a mail server: emails are then only logged.
    SMTP_URL = module.secrets.smtp_url_secret_arn
  }
}

module "logs" {
  source = "../../modules/logs"

  bucket_name = var.logs_bucket_name
}

module "waf" {
  source = "../../modules/waf"
  providers = {
    aws = aws.us_east_1
  }

  name = "${local.prefix}-edge"
}

module "spa" {
  source = "../../modules/spa"

  web_acl_arn             = module.waf.web_acl_arn
  logs_bucket_name        = module.logs.bucket_name
  logs_bucket_domain_name = module.logs.bucket_domain_name
  logs_s3_prefix          = module.logs.s3_prefix
  logs_cloudfront_prefix  = module.logs.cloudfront_prefix

  name                = local.prefix
  bucket_name         = var.spa_bucket_name
  aliases             = var.spa_aliases
  acm_certificate_arn = var.spa_certificate_arn

  # The SPA, its API and the refresh cookie (SameSite=Strict, path /api/v1/auth) share one origin.
  api_origin_domain   = local.api_origin_domain
  api_origin_protocol = "https-only"
  api_origin_headers  = { (local.origin_verify.name) = local.origin_verify.value }
}

module "backups" {
  source = "../../modules/backups"

  bucket_name      = var.backups_bucket_name
  logs_bucket_name = module.logs.bucket_name
}

module "alarms" {
  source = "../../modules/alarms"

  name                          = local.prefix
  email_addresses               = var.alarm_email_addresses
  load_balancer_arn_suffix      = module.api.load_balancer_arn_suffix
  target_group_arn_suffix       = module.api.target_group_arn_suffix
  ecs_cluster_name              = module.api.cluster_name
  ecs_service_name              = module.api.service_name
  redis_node_ids                = module.redis.node_ids
  documentdb_cluster_identifier = var.documentdb_cluster_identifier
}

# Prometheus on AWS: the compose stack's rules and job names, scraped in the cluster, alerting to the alarm topic.
module "prometheus" {
  source = "../../modules/prometheus"

  name               = local.prefix
  cluster_name       = module.api.cluster_name
  cluster_arn        = module.api.cluster_arn
  vpc_id             = module.network.vpc_id
  private_subnet_ids = module.network.private_subnet_ids
  alarm_topic_arn    = module.alarms.topic_arn

  targets = {
    primo-backend = {
      service_name      = module.api.service_name
      container_name    = module.api.container_name
      port              = 5000
      security_group_id = module.api.tasks_security_group_id
    }
    primo-worker = {
      service_name      = module.api.worker_service_name
      container_name    = module.api.worker_container_name
      port              = 3001
      security_group_id = module.api.worker_security_group_id
    }
  }

  rule_files = {
    for file in ["recording", "alerts"] : "primo-${file}" => file("${path.module}/../../../monitoring/prometheus/rules/${file}.yml")
  }
}

module "deploy_role" {
  source = "../../modules/github-deploy-role"

  name                        = "${local.prefix}-github-deploy"
  github_repository           = var.github_repository
  github_environment          = var.environment
  create_oidc_provider        = var.create_github_oidc_provider
  ecr_repository_arn          = module.ecr.repository_arn
  ecs_cluster_name            = module.api.cluster_name
  ecs_service_name            = module.api.service_name
  ecs_task_family             = module.api.task_definition_family
  ecs_extra_service_names     = [module.api.worker_service_name]
  pass_role_arns              = [module.api.execution_role_arn, module.api.task_role_arn]
  spa_bucket_arn              = module.spa.bucket_arn
  cloudfront_distribution_arn = module.spa.distribution_arn
}
