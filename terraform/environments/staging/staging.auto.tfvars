# Staging: the production root (main.tf, variables.tf, outputs.tf and versions.tf are links to
# ../production) with smaller sizes. Account-specific names go in terraform.tfvars.
environment        = "staging"
vpc_cidr           = "10.41.0.0/16"
zone_count         = 2
single_nat_gateway = true
task_cpu           = 256
task_memory        = 512
api_min_count      = 2
api_max_count      = 3
redis_node_type    = "cache.t4g.micro"
# Distinct from production's primo/backend, so both environments can share one AWS account.
ecr_repository_name = "primo/backend-staging"
