import { lstatSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { parse } from '@cdktf/hcl2json';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { block, blocks, loadTerraformModule, resource, type TerraformModule } from '../helpers/hcl.js';
import { repoPath } from '@primo/test-support';

const MODULES_DIR = repoPath('terraform', 'modules');
const ROOT_DIR = repoPath('terraform', 'environments', 'production');
const MODULE_NAMES = readdirSync(MODULES_DIR, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

const modules: Record<string, TerraformModule> = {};
let root: TerraformModule;

function mod(name: string): TerraformModule {
  const found = modules[name];
  if (!found) throw new Error(`module ${name} was not loaded`);
  return found;
}

function allTfFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === '.terraform' ? [] : allTfFiles(full);
    return entry.name.endsWith('.tf') ? [full] : [];
  });
}

beforeAll(async () => {
  for (const name of MODULE_NAMES) modules[name] = await loadTerraformModule(path.join(MODULES_DIR, name));
  root = await loadTerraformModule(ROOT_DIR);
});

describe('Terraform layout', () => {
  it('when the modules are listed, then every building block of the deployment has one', () => {
    expect(MODULE_NAMES).toEqual(
      expect.arrayContaining([
        'network',
        'ecr',
        'ecs-service',
        'redis',
        'secrets',
        'spa',
        'github-deploy-role',
        'logs',
        'waf',
        'backups',
        'alarms',
        'prometheus',
      ]),
    );
  });

  it('when any module or the environment root is read, then it has main, variables, outputs and versions files', () => {
    for (const parsed of [...Object.values(modules), root]) {
      expect(parsed.files, parsed.dir).toEqual(
        expect.arrayContaining(['main.tf', 'variables.tf', 'outputs.tf', 'versions.tf']),
      );
    }
  });

  it('when a variable is declared, then it is typed and described, and scalars are validated', () => {
    for (const parsed of [...Object.values(modules), root]) {
      for (const [name, variable] of Object.entries(parsed.variable)) {
        const where = `${path.relative(repoPath(), parsed.dir)}: variable ${name}`;
        expect(variable.type, where).toBeDefined();
        expect(String(variable.description ?? ''), where).not.toBe('');
        const scalar = ['${string}', '${number}'].includes(String(variable.type));
        if (scalar) expect(blocks(variable, 'validation').length, `${where} has no validation`).toBeGreaterThan(0);
      }
    }
  });

  it('when an output is declared, then it is described', () => {
    for (const parsed of [...Object.values(modules), root]) {
      for (const [name, output] of Object.entries(parsed.output)) {
        expect(String(output.description ?? ''), `${parsed.dir}: output ${name}`).not.toBe('');
      }
    }
  });

  it('when providers are required, then only hashicorp/aws is, pinned to the 5.x line', () => {
    for (const parsed of [...Object.values(modules), root]) {
      const required = parsed.terraform.flatMap((t) => blocks(t, 'required_providers'));
      expect(required.length, parsed.dir).toBe(1);
      expect(Object.keys(required[0] ?? {})).toEqual(['aws']);
      const aws = (required[0] as Record<string, { source: string; version: string }>).aws;
      expect(aws?.source).toBe('hashicorp/aws');
      expect(aws?.version).toMatch(/^~> 5\.\d+$/);
      const types = [...Object.keys(parsed.resource), ...Object.keys(parsed.data)];
      for (const type of types) expect(type, `${parsed.dir}: ${type}`).toMatch(/^aws_/);
    }
  });

  it('when the environment root is read, then its state backend is S3 and configured at init time', () => {
    const backend = root.terraform.map((t) => block(t, 'backend')).find(Boolean) as Record<string, unknown> | undefined;
    expect(backend).toBeDefined();
    expect(Object.keys(backend ?? {})).toEqual(['s3']);
    expect(readFileSync(path.join(ROOT_DIR, 'backend.hcl.example'), 'utf8')).toMatch(/^bucket\s*=/m);
  });

  it('when any .tf file is read, then it holds no literal secret or access key', () => {
    for (const file of allTfFiles(repoPath('terraform'))) {
      const text = readFileSync(file, 'utf8');
      expect(text, file).not.toMatch(/AKIA[0-9A-Z]{16}/);
      expect(text, file).not.toMatch(/(secret_key|access_key|password)\s*=\s*"[^"$]/);
      expect(text, file).not.toMatch(/mongodb(\+srv)?:\/\/[^"$\s]*:[^"$\s]*@/);
    }
  });
});

describe('Terraform security policies', () => {
  it('when the SPA bucket is created, then every public access path is blocked', () => {
    const spa = mod('spa');
    const pab = resource(spa, 'aws_s3_bucket_public_access_block');
    for (const flag of ['block_public_acls', 'block_public_policy', 'ignore_public_acls', 'restrict_public_buckets']) {
      expect(pab[flag], flag).toBe(true);
    }
    expect(block(resource(spa, 'aws_s3_bucket_ownership_controls'), 'rule')?.object_ownership).toBe(
      'BucketOwnerEnforced',
    );
    expect(spa.resource.aws_s3_bucket_acl).toBeUndefined();
    expect(spa.resource.aws_s3_bucket_website_configuration).toBeUndefined();
    expect(JSON.stringify(spa.resource)).not.toMatch(/public-read/);
  });

  it('when CloudFront reads the bucket, then it signs through origin access control restricted to this distribution', () => {
    const spa = mod('spa');
    const oac = resource(spa, 'aws_cloudfront_origin_access_control');
    expect(oac).toMatchObject({
      origin_access_control_origin_type: 's3',
      signing_behavior: 'always',
      signing_protocol: 'sigv4',
    });
    const distribution = resource(spa, 'aws_cloudfront_distribution');
    const origins = blocks(distribution, 'origin');
    expect(origins).toHaveLength(1);
    expect(origins[0]?.origin_access_control_id).toBe('${aws_cloudfront_origin_access_control.this.id}');
    expect(block(origins[0], 's3_origin_config')).toBeUndefined();
    expect(spa.resource.aws_cloudfront_origin_access_identity).toBeUndefined();

    const policy = spa.data.aws_iam_policy_document?.bucket;
    const read = blocks(policy, 'statement').find((s) => s.sid === 'CloudFrontReadOnly');
    expect(block(read, 'principals')).toEqual({ type: 'Service', identifiers: ['cloudfront.amazonaws.com'] });
    expect(block(read, 'condition')).toMatchObject({
      variable: 'AWS:SourceArn',
      values: ['${aws_cloudfront_distribution.this.arn}'],
    });
    expect(resource(spa, 'aws_s3_bucket_policy').policy).toBe('${data.aws_iam_policy_document.bucket.json}');
  });

  it('when viewers reach the SPA, then HTTP is redirected, misses fall back to index.html and a cache policy applies', () => {
    const distribution = resource(mod('spa'), 'aws_cloudfront_distribution');
    expect(distribution.default_root_object).toBe('index.html');
    const behavior = block(distribution, 'default_cache_behavior');
    expect(behavior?.viewer_protocol_policy).toBe('redirect-to-https');
    expect(behavior?.cache_policy_id).toBe('${aws_cloudfront_cache_policy.static.id}');
    expect(behavior?.compress).toBe(true);
    const fallback = blocks(distribution, 'dynamic').find((d) => 'custom_error_response' in d);
    const rule = block(block(fallback, 'custom_error_response'), 'content');
    expect(rule).toMatchObject({ response_code: 200, response_page_path: '/index.html' });
    expect(block(fallback, 'custom_error_response')?.for_each).toBe('${local.fallback_error_codes}');
    // S3 answers 403 for a missing key because the bucket policy grants no s3:ListBucket; 404 joins
    // only when no API shares the distribution (its 404s must not turn into index.html).
    expect(mod('spa').locals.fallback_error_codes).toBe('${var.api_origin_domain == null ? [403, 404] : [403]}');
    const statements = blocks(mod('spa').data.aws_iam_policy_document?.bucket, 'statement');
    const granted = statements.filter((st) => st.effect !== 'Deny').flatMap((st) => st.actions as string[]);
    expect(granted).toEqual(['s3:GetObject']);
    const cachePolicy = resource(mod('spa'), 'aws_cloudfront_cache_policy', 'static');
    expect(cachePolicy.min_ttl).toBe(0);
    expect(cachePolicy.max_ttl).toBe(31536000);
  });

  it('when tasks run, then they are Fargate tasks in private subnets without public addresses', () => {
    const ecs = mod('ecs-service');
    const service = resource(ecs, 'aws_ecs_service');
    expect(service.launch_type).toBe('FARGATE');
    expect(block(service, 'network_configuration')).toMatchObject({
      subnets: '${var.private_subnet_ids}',
      assign_public_ip: false,
    });
    expect(root.module.api?.private_subnet_ids).toBe('${module.network.private_subnet_ids}');
    expect(root.module.api?.public_subnet_ids).toBe('${module.network.public_subnet_ids}');
    for (const subnet of Object.values(mod('network').resource.aws_subnet ?? {})) {
      expect(subnet.map_public_ip_on_launch ?? false).toBe(false);
    }
    const privateRoute = resource(mod('network'), 'aws_route', 'private_egress');
    expect(privateRoute.nat_gateway_id).toBeDefined();
    expect(privateRoute.gateway_id).toBeUndefined();
  });

  it('when the load balancer reaches tasks, then only its security group may, and it probes liveness (/health/live)', () => {
    const ecs = mod('ecs-service');
    const ingress = Object.entries(ecs.resource.aws_vpc_security_group_ingress_rule ?? {}).filter(
      ([, rule]) => rule.security_group_id === '${aws_security_group.tasks.id}',
    );
    expect(ingress).toHaveLength(1);
    expect(ingress[0]?.[1].referenced_security_group_id).toBe('${aws_security_group.alb.id}');
    expect(ingress[0]?.[1].cidr_ipv4).toBeUndefined();

    const healthCheck = block(resource(ecs, 'aws_lb_target_group'), 'health_check');
    expect(healthCheck?.path).toBe('${var.health_check_path}');
    // ECS replaces tasks the load balancer marks unhealthy: a readiness probe would turn a MongoDB
    // outage into every task being killed and restarted in a loop.
    expect(ecs.variable.health_check_path?.default).toBe('/health/live');
    expect(root.module.api?.health_check_path).toBe('/health/live');
    // Both containers (API and worker) are built by one local.
    expect(String(resource(ecs, 'aws_ecs_task_definition').container_definitions)).toContain(
      'local.container_definitions.api',
    );
    expect(String(ecs.locals.container_definitions)).toContain('/health/live');
    expect(String(ecs.locals.container_definitions)).not.toContain('/health/ready');
    expect(resource(ecs, 'aws_lb').drop_invalid_header_fields).toBe(true);
  });

  it('when the API is public, then it is only through CloudFront on the SPA origin, and the backend trusts both hops', () => {
    expect(root.module.api?.alb_ingress_prefix_list_ids).toEqual(['${data.aws_ec2_managed_prefix_list.cloudfront.id}']);
    expect(root.data.aws_ec2_managed_prefix_list?.cloudfront?.name).toBe(
      'com.amazonaws.global.cloudfront.origin-facing',
    );
    expect(root.module.spa?.api_origin_domain).toBe('${local.api_origin_domain}');
    expect((root.module.api?.environment as Record<string, unknown>).TRUST_PROXY).toBe('2');
    const albRule = resource(mod('ecs-service'), 'aws_vpc_security_group_ingress_rule', 'alb');
    expect(albRule.prefix_list_id).toBe('${each.value.prefix_list_id}');
  });

  it('when a browser opens a live socket, then CloudFront passes /socket.io/ to the API and the load balancer outlasts its pings', () => {
    const patterns = (mod('spa').variable?.api_path_patterns as { default?: string[] } | undefined)?.default;
    expect(patterns).toContain('/socket.io/*');
    // Socket.IO pings every 25 s; an idle timeout above that keeps quiet sockets open.
    const alb = resource(mod('ecs-service'), 'aws_lb');
    expect(Number(alb.idle_timeout)).toBeGreaterThan(25);
  });

  it("when CloudFront reaches the load balancer, then it is over TLS, on 443 only, and only with this distribution's secret header", () => {
    const ecs = mod('ecs-service');
    // One listener on 443 with a certificate, so one prefix-list ingress rule (55 rules of the 60 allowed).
    expect(String(ecs.locals.alb_ports)).toContain('[443]');
    expect(ecs.resource.aws_lb_listener?.http).toBeUndefined();
    const listener = resource(ecs, 'aws_lb_listener', 'this');
    expect(listener.port).toBe('${local.https ? 443 : 80}');
    expect(listener.ssl_policy).toBe('${local.https ? "ELBSecurityPolicy-TLS13-1-2-2021-06" : null}');
    // Without the header: 403. With it: forwarded.
    expect(block(listener, 'default_action')?.type).toBe(
      '${var.origin_verify_header == null ? "forward" : "fixed-response"}',
    );
    const rule = resource(ecs, 'aws_lb_listener_rule', 'origin_verified');
    expect(block(block(rule, 'condition'), 'http_header')?.http_header_name).toBe('${var.origin_verify_header.name}');
    expect(block(rule, 'action')?.type).toBe('forward');
    expect(ecs.variable.origin_verify_header?.sensitive).toBe(true);

    expect(root.module.api?.origin_verify_header).toBe('${local.origin_verify}');
    expect(root.module.api?.certificate_arn).toBe('${var.certificate_arn}');
    expect(root.variable.certificate_arn?.default).toBeUndefined();
    expect(root.variable.api_domain_name?.default).toBeUndefined();
    expect(root.module.spa?.api_origin_protocol).toBe('https-only');
    expect(root.module.spa?.api_origin_headers).toEqual({
      '${(local.origin_verify.name)}': '${local.origin_verify.value}',
    });
    const version = resource(mod('secrets'), 'aws_secretsmanager_secret_version', 'origin_verify');
    expect(version.secret_string).toBe('${data.aws_secretsmanager_random_password.origin_verify.random_password}');
  });

  it("when viewers reach CloudFront, then a WAF web ACL with AWS's common and known-bad-inputs groups and a per-IP rate limit is in front", () => {
    const acl = resource(mod('waf'), 'aws_wafv2_web_acl');
    expect(acl.scope).toBe('CLOUDFRONT');
    const rules = blocks(acl, 'rule');
    const groups = rules.map((rule) => block(block(rule, 'statement'), 'managed_rule_group_statement')?.name);
    expect(groups).toEqual(
      expect.arrayContaining(['AWSManagedRulesCommonRuleSet', 'AWSManagedRulesKnownBadInputsRuleSet']),
    );
    const rate = rules.find((rule) => block(block(rule, 'statement'), 'rate_based_statement') !== undefined);
    expect(block(block(rate, 'statement'), 'rate_based_statement')?.aggregate_key_type).toBe('IP');
    expect(block(rate, 'action')?.block).toBeDefined();
    // A CloudFront web ACL lives in us-east-1, whatever the stack's region.
    expect(root.module.waf?.providers).toEqual({ aws: '${aws.us_east_1}' });
    expect(root.module.spa?.web_acl_arn).toBe('${module.waf.web_acl_arn}');
    expect(resource(mod('spa'), 'aws_cloudfront_distribution').web_acl_id).toBe('${var.web_acl_arn}');
  });

  it('when requests are served, then CloudFront, the load balancer and the SPA bucket write access logs to one private bucket', () => {
    const logs = mod('logs');
    expect(resource(logs, 'aws_s3_bucket_public_access_block')).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(block(resource(logs, 'aws_s3_bucket_lifecycle_configuration'), 'rule')?.status).toBe('Enabled');
    const distribution = resource(mod('spa'), 'aws_cloudfront_distribution');
    expect(block(distribution, 'logging_config')?.bucket).toBe('${var.logs_bucket_domain_name}');
    expect(resource(mod('spa'), 'aws_s3_bucket_logging').target_bucket).toBe('${var.logs_bucket_name}');
    const lb = resource(mod('ecs-service'), 'aws_lb');
    expect(block(lb, 'access_logs')).toMatchObject({ bucket: '${var.access_logs_bucket}', enabled: true });
    expect(root.module.api?.access_logs_bucket).toBe('${module.logs.bucket_name}');
    expect(root.module.spa?.logs_bucket_name).toBe('${module.logs.bucket_name}');
  });

  it('when a deployment goes bad, then the circuit breaker rolls it back', () => {
    const service = resource(mod('ecs-service'), 'aws_ecs_service');
    expect(block(service, 'deployment_circuit_breaker')).toEqual({ enable: true, rollback: true });
    expect(service.deployment_minimum_healthy_percent).toBe(100);
  });

  it('when load changes, then target tracking keeps CPU at 70 % between 3 and 10 tasks', () => {
    const ecs = mod('ecs-service');
    const target = resource(ecs, 'aws_appautoscaling_target');
    expect(target).toMatchObject({
      min_capacity: '${var.min_capacity}',
      max_capacity: '${var.max_capacity}',
      scalable_dimension: 'ecs:service:DesiredCount',
    });
    const policy = resource(ecs, 'aws_appautoscaling_policy', 'cpu');
    expect(policy.policy_type).toBe('TargetTrackingScaling');
    const config = block(policy, 'target_tracking_scaling_policy_configuration');
    expect(config?.target_value).toBe('${var.cpu_target_percent}');
    expect(block(config, 'predefined_metric_specification')?.predefined_metric_type).toBe(
      'ECSServiceAverageCPUUtilization',
    );
    expect(root.module.api).toMatchObject({
      min_capacity: '${var.api_min_count}',
      max_capacity: '${var.api_max_count}',
      cpu_target_percent: 70,
    });
    expect(root.variable.api_min_count?.default).toBe(3);
    expect(root.variable.api_max_count?.default).toBe(10);
    expect(ecs.variable.min_capacity?.default).toBe(3);
    expect(ecs.variable.max_capacity?.default).toBe(10);
    expect(ecs.variable.cpu_target_percent?.default).toBe(70);
  });

  it('when the API needs its JWT secret, MongoDB URI and Redis token, then ECS injects them from Secrets Manager, never as plain environment', () => {
    const api = root.module.api as Record<string, unknown>;
    const environment = api.environment as Record<string, unknown>;
    const secrets = api.secrets as Record<string, unknown>;
    for (const name of ['JWT_SECRET', 'MONGODB_URI', 'REDIS_PASSWORD', 'METRICS_TOKEN', 'SMTP_URL']) {
      expect(Object.keys(environment)).not.toContain(name);
    }
    expect(secrets).toEqual({
      JWT_SECRET: '${module.secrets.jwt_secret_arn}',
      MONGODB_URI: '${module.secrets.mongodb_uri_secret_arn}',
      REDIS_PASSWORD: '${module.secrets.redis_auth_token_secret_arn}',
      SMTP_URL: '${module.secrets.smtp_url_secret_arn}',
    });
    const ecs = mod('ecs-service');
    const containers = String(ecs.locals.container_definitions);
    expect(containers).toMatch(/secrets\s*=\s*local\.container_secrets/);
    expect(String(ecs.locals.container_secrets)).toMatch(
      /for key in sort\(keys\(var\.secrets\)\) : \{ name = key, valueFrom = var\.secrets\[key\] \}/,
    );
    const guard = blocks(ecs.variable.environment, 'validation')[0];
    expect(String(guard?.condition)).toContain('JWT_SECRET');
    const readSecrets = ecs.data.aws_iam_policy_document?.read_secrets;
    expect(block(readSecrets, 'statement')?.actions).toEqual(['secretsmanager:GetSecretValue']);

    const secretsModule = mod('secrets');
    expect(secretsModule.variable.mongodb_uri?.sensitive).toBe(true);
    expect(root.variable.mongodb_uri?.sensitive).toBe(true);
    expect(secretsModule.variable.smtp_url?.sensitive).toBe(true);
    expect(root.variable.smtp_url?.sensitive).toBe(true);
    expect(resource(secretsModule, 'aws_secretsmanager_secret_version', 'jwt').secret_string).toBe(
      '${data.aws_secretsmanager_random_password.jwt.random_password}',
    );
  });

  it('when Redis is created, then traffic to it is encrypted in transit and it admits only the API and worker tasks', () => {
    const redis = mod('redis');
    const group = resource(redis, 'aws_elasticache_replication_group');
    expect(group.transit_encryption_enabled).toBe(true);
    expect(group.at_rest_encryption_enabled).toBe(true);
    expect(group.automatic_failover_enabled).toBe(true);
    expect(String(redis.output.url?.value)).toMatch(/^rediss:\/\//);
    const ingress = resource(redis, 'aws_vpc_security_group_ingress_rule', 'clients');
    expect(ingress.referenced_security_group_id).toBe('${each.value}');
    expect(root.module.redis?.allowed_security_groups).toEqual({
      api: '${module.api.tasks_security_group_id}',
      worker: '${module.api.worker_security_group_id}',
    });
    expect((root.module.api?.environment as Record<string, unknown>).REDIS_URL).toBe('${module.redis.url}');
  });

  it('when Redis is created, then clients must AUTH with a token from Secrets Manager that the tasks get as REDIS_PASSWORD', () => {
    const group = resource(mod('redis'), 'aws_elasticache_replication_group');
    expect(group.auth_token).toBe('${var.auth_token}');
    expect(mod('redis').variable.auth_token?.sensitive).toBe(true);
    expect(root.module.redis?.auth_token).toBe('${module.secrets.redis_auth_token}');
    const version = resource(mod('secrets'), 'aws_secretsmanager_secret_version', 'redis_auth_token');
    expect(version.secret_string).toBe('${data.aws_secretsmanager_random_password.redis.random_password}');
    expect((root.module.api?.secrets as Record<string, unknown>).REDIS_PASSWORD).toBe(
      '${module.secrets.redis_auth_token_secret_arn}',
    );
    // Nothing passes the token as plain environment.
    expect(Object.keys(root.module.api?.environment as Record<string, unknown>)).not.toContain('REDIS_PASSWORD');
  });

  it('when CI deploys, then it assumes a role through GitHub OIDC bound to one repository environment', () => {
    const role = mod('github-deploy-role');
    const trust = block(role.data.aws_iam_policy_document?.trust, 'statement');
    expect(trust?.actions).toEqual(['sts:AssumeRoleWithWebIdentity']);
    const conditions = blocks(trust, 'condition').map((c) => [c.variable, c.values]);
    expect(conditions).toContainEqual(['${local.oidc_host}:aud', ['sts.amazonaws.com']]);
    expect(conditions).toContainEqual([
      '${local.oidc_host}:sub',
      ['repo:${var.github_repository}:environment:${var.github_environment}'],
    ]);
    expect(resource(mod('ecr'), 'aws_ecr_repository').image_tag_mutability).toBe('IMMUTABLE');
  });

  it("when the deploy runs the migration step, then the role may run only the service's task family in its cluster and describe its tasks", () => {
    const statements = blocks(mod('github-deploy-role').data.aws_iam_policy_document?.deploy, 'statement');
    const bySid = (sid: string) => statements.find((statement) => statement.sid === sid);
    expect(bySid('RunMigration')?.actions).toEqual(['ecs:RunTask']);
    expect(bySid('RunMigration')?.resources).toEqual(['${local.ecs_prefix}:task-definition/${var.ecs_task_family}:*']);
    expect(blocks(bySid('RunMigration'), 'condition').map((c) => [c.test, c.variable, c.values])).toEqual([
      ['ArnEquals', 'ecs:cluster', ['${local.cluster_arn}']],
    ]);
    expect(bySid('WatchMigration')?.actions).toEqual(['ecs:DescribeTasks']);
    expect(bySid('WatchMigration')?.resources).toEqual(['${local.ecs_prefix}:task/${var.ecs_cluster_name}/*']);
    expect(bySid('PassTaskRoles')?.actions).toEqual(['iam:PassRole']);
    expect(root.module.deploy_role?.pass_role_arns).toEqual([
      '${module.api.execution_role_arn}',
      '${module.api.task_role_arn}',
    ]);
    expect(root.module.deploy_role?.ecs_task_family).toBe('${module.api.task_definition_family}');
    // Every action the role holds, exactly: nothing beyond what the workflow runs.
    expect(statements.flatMap((statement) => statement.actions as string[]).sort()).toEqual(
      [
        'cloudfront:CreateInvalidation',
        'cloudfront:GetInvalidation',
        'ecr:BatchCheckLayerAvailability',
        'ecr:BatchGetImage',
        'ecr:CompleteLayerUpload',
        'ecr:DescribeImages',
        'ecr:GetAuthorizationToken',
        'ecr:InitiateLayerUpload',
        'ecr:PutImage',
        'ecr:UploadLayerPart',
        'ecs:DescribeServices',
        'ecs:DescribeTaskDefinition',
        'ecs:DescribeTasks',
        'ecs:RegisterTaskDefinition',
        'ecs:RunTask',
        'ecs:UpdateService',
        'iam:PassRole',
        's3:DeleteObject',
        's3:GetObject',
        's3:ListBucket',
        's3:PutObject',
      ].sort(),
    );
  });
});

describe('Terraform backups and alarms', () => {
  it('when the backup bucket is created, then it is private, encrypted, versioned, TLS-only and ages backups out', () => {
    const backups = mod('backups');
    const pab = resource(backups, 'aws_s3_bucket_public_access_block');
    for (const flag of ['block_public_acls', 'block_public_policy', 'ignore_public_acls', 'restrict_public_buckets']) {
      expect(pab[flag], flag).toBe(true);
    }
    expect(block(resource(backups, 'aws_s3_bucket_versioning'), 'versioning_configuration')?.status).toBe('Enabled');
    const sse = block(
      block(resource(backups, 'aws_s3_bucket_server_side_encryption_configuration'), 'rule'),
      'apply_server_side_encryption_by_default',
    );
    expect(sse?.sse_algorithm).toBe('AES256');
    const rule = block(resource(backups, 'aws_s3_bucket_lifecycle_configuration'), 'rule') as Record<string, unknown>;
    expect(rule.status).toBe('Enabled');
    expect(blocks(rule, 'transition').map((t) => t.storage_class)).toEqual(['STANDARD_IA', 'GLACIER_IR']);
    expect(block(rule, 'expiration')?.days).toBe('${var.retention_days}');
    expect(block(rule, 'noncurrent_version_expiration')?.noncurrent_days).toBe('${var.noncurrent_retention_days}');
    expect(block(rule, 'abort_incomplete_multipart_upload')).toBeDefined();
    const policy = JSON.stringify(backups.data.aws_iam_policy_document?.bucket);
    expect(policy).toContain('aws:SecureTransport');
    expect(policy).toContain('Deny');
    expect(root.module.backups?.source).toBe('../../modules/backups');
  });

  it('when the SPA bucket is created, then old versions of the site stay recoverable for 30 days and then expire', () => {
    const spa = mod('spa');
    expect(block(resource(spa, 'aws_s3_bucket_versioning'), 'versioning_configuration')?.status).toBe('Enabled');
    const rule = block(resource(spa, 'aws_s3_bucket_lifecycle_configuration'), 'rule');
    expect(block(rule, 'noncurrent_version_expiration')?.noncurrent_days).toBe(30);
  });

  it('when alarms are created, then the ones the operators rely on watch the right AWS metrics', () => {
    const alarms = mod('alarms').resource.aws_cloudwatch_metric_alarm ?? {};
    const watched = (name: string) => {
      const alarm = alarms[name];
      if (!alarm) throw new Error(`no alarm ${name}`);
      const queries = blocks(alarm, 'metric_query').flatMap((query) => blocks(query, 'metric'));
      return {
        alarm,
        metrics: [String(alarm.metric_name ?? ''), ...queries.map((metric) => String(metric.metric_name))].filter(
          Boolean,
        ),
      };
    };
    expect(watched('alb_5xx_rate').metrics).toEqual([
      'RequestCount',
      'HTTPCode_Target_5XX_Count',
      'HTTPCode_ELB_5XX_Count',
    ]);
    expect(watched('alb_p99').alarm.extended_statistic).toBe('p99');
    expect(watched('alb_p99').metrics).toEqual(['TargetResponseTime']);
    expect(watched('unhealthy_hosts').metrics).toEqual(['UnHealthyHostCount']);
    expect(watched('no_healthy_hosts').metrics).toEqual(['HealthyHostCount']);
    expect(watched('ecs_cpu').metrics).toEqual(['CPUUtilization']);
    expect(watched('ecs_memory').metrics).toEqual(['MemoryUtilization']);
    expect(watched('redis_cpu').metrics).toEqual(['EngineCPUUtilization']);
    expect(watched('redis_evictions').metrics).toEqual(['Evictions']);
    expect(watched('documentdb_cpu').alarm.namespace).toBe('AWS/DocDB');
    expect(watched('documentdb_connections').metrics).toEqual(['DatabaseConnections']);
  });

  it('when any alarm changes state, then it notifies the encrypted SNS topic on alarm and on recovery, and names its runbook', () => {
    const alarmsModule = mod('alarms');
    const alarms = Object.entries(alarmsModule.resource.aws_cloudwatch_metric_alarm ?? {});
    expect(alarms.length).toBeGreaterThanOrEqual(10);
    for (const [name, alarm] of alarms) {
      expect(alarm.alarm_actions, name).toBe('${local.actions}');
      expect(alarm.ok_actions, name).toBe('${local.actions}');
      expect(String(alarm.alarm_description), name).toMatch(/Runbook: monitoring\/runbook\.md#\w+/);
      const anchor = /#(\w+)/.exec(String(alarm.alarm_description))?.[1] as string;
      expect(readFileSync(repoPath('monitoring', 'runbook.md'), 'utf8').toLowerCase(), name).toContain(`## ${anchor}`);
    }
    expect(alarmsModule.locals.actions).toEqual(['${aws_sns_topic.this.arn}']);
    expect(resource(alarmsModule, 'aws_sns_topic').kms_master_key_id).toBe('${aws_kms_key.this.arn}');
    expect(resource(alarmsModule, 'aws_kms_key').enable_key_rotation).toBe(true);
    // The AWS-managed SNS key would silently drop CloudWatch's notifications: the key policy must admit it.
    expect(JSON.stringify(alarmsModule.data.aws_iam_policy_document?.key)).toContain('cloudwatch.amazonaws.com');
    expect(root.module.alarms?.redis_node_ids).toBe('${module.redis.node_ids}');
  });
});

describe('Terraform staging environment', () => {
  const stagingDir = repoPath('terraform', 'environments', 'staging');

  it('when the staging root is read, then its configuration is the production root itself, linked, not a copy', () => {
    for (const file of ['main.tf', 'variables.tf', 'outputs.tf', 'versions.tf']) {
      const linked = path.join(stagingDir, file);
      expect(lstatSync(linked).isSymbolicLink(), file).toBe(true);
      expect(realpathSync(linked)).toBe(realpathSync(path.join(ROOT_DIR, file)));
    }
    expect(readFileSync(path.join(stagingDir, 'backend.hcl.example'), 'utf8')).toMatch(/^key\s*=\s*"primo\/staging\//m);
  });

  it('when staging is sized, then it is smaller than production everywhere and named for staging', async () => {
    const sizes = (await parse(
      'staging.auto.tfvars',
      readFileSync(path.join(stagingDir, 'staging.auto.tfvars'), 'utf8'),
    )) as Record<string, unknown>;
    expect(sizes.environment).toBe('staging');
    const production = (name: string) => root.variable[name]?.default as number;
    expect(sizes.zone_count as number).toBeLessThan(production('zone_count'));
    expect(sizes.task_cpu as number).toBeLessThan(production('task_cpu'));
    expect(sizes.task_memory as number).toBeLessThan(production('task_memory'));
    expect(sizes.api_min_count as number).toBeLessThan(production('api_min_count'));
    expect(sizes.api_max_count as number).toBeLessThan(production('api_max_count'));
    expect(sizes.single_nat_gateway).toBe(true);
    expect(sizes.redis_node_type).toBe('cache.t4g.micro');
    expect(sizes.vpc_cidr).not.toBe(root.variable.vpc_cidr?.default);
    expect(sizes.ecr_repository_name).not.toBe('primo/backend');
  });
});
