import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoPath, requireBinary, run, tempDir, unavailable } from '@primo/test-support';

const terraform = requireBinary('terraform', 'the Terraform checks');

/** Holds the provider in either mirror layout: unpacked folders or the zips `terraform providers mirror` writes. */
function hasAws5(mirror: string): boolean {
  const dir = path.join(mirror, 'registry.terraform.io', 'hashicorp', 'aws');
  if (!existsSync(dir)) return false;
  return readdirSync(dir).some(
    (entry) => /^5\.\d+\.\d+$/.test(entry) || /^terraform-provider-aws_5\.\d+\.\d+_/.test(entry),
  );
}

/** The local hashicorp/aws 5.x mirror: TF_PROVIDER_MIRROR, else the usual plugin folders. */
function findProviderMirror(): string | undefined {
  const candidates = [
    process.env.TF_PROVIDER_MIRROR,
    '/opt/tf-plugins',
    path.join(os.homedir(), '.terraform.d', 'plugins'),
    path.join(os.homedir(), '.local', 'share', 'terraform', 'plugins'),
    '/usr/local/share/terraform/plugins',
    '/usr/share/terraform/plugins',
  ].filter((dir): dir is string => Boolean(dir));
  return candidates.find(hasAws5);
}

const mirror = terraform
  ? (findProviderMirror() ??
    unavailable(
      'no local mirror of registry.terraform.io/hashicorp/aws 5.x (set TF_PROVIDER_MIRROR)',
      'terraform init/validate',
    ))
  : undefined;

describe.skipIf(!terraform)('terraform fmt', () => {
  it('when the tree is checked, then every file is already formatted', () => {
    const result = run(terraform as string, ['fmt', '-check', '-recursive', '-diff', '-no-color'], {
      cwd: repoPath('terraform'),
      env: { ...process.env, TF_CLI_CONFIG_FILE: '/dev/null' },
    });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});

describe.skipIf(!terraform || !mirror)('terraform validate against the local provider mirror', () => {
  const work = tempDir('terraform');
  const rootDir = path.join(work.dir, 'terraform', 'environments', 'production');
  // Staging is the production root (its .tf files are links to it) with staging.auto.tfvars.
  const stagingDir = path.join(work.dir, 'terraform', 'environments', 'staging');
  const serviceModuleDir = path.join(work.dir, 'terraform', 'modules', 'ecs-service');
  const prometheusModuleDir = path.join(work.dir, 'terraform', 'modules', 'prometheus');
  let env: NodeJS.ProcessEnv;

  beforeAll(() => {
    // A copy, so init never leaves .terraform/ or a lock file in the repository.
    cpSync(repoPath('terraform'), path.join(work.dir, 'terraform'), {
      recursive: true,
      filter: (source) => !source.includes(`${path.sep}.terraform`),
    });
    // The Prometheus workspace reads its rule files from monitoring/ beside terraform/.
    cpSync(repoPath('monitoring'), path.join(work.dir, 'monitoring'), { recursive: true });
    const cliConfig = path.join(work.dir, 'cli.tfrc');
    writeFileSync(
      cliConfig,
      `provider_installation {
  filesystem_mirror {
    path    = ${JSON.stringify(mirror)}
    include = ["registry.terraform.io/hashicorp/aws"]
  }
  direct {
    exclude = ["registry.terraform.io/hashicorp/aws"]
  }
}
`,
    );
    env = {
      PATH: process.env.PATH,
      HOME: work.dir,
      TF_CLI_CONFIG_FILE: cliConfig,
      TF_IN_AUTOMATION: '1',
      CHECKPOINT_DISABLE: '1',
    };
    for (const dir of [rootDir, stagingDir, serviceModuleDir, prometheusModuleDir]) {
      const init = run(terraform as string, ['init', '-backend=false', '-input=false', '-no-color'], {
        cwd: dir,
        env,
        timeoutMs: 120_000,
      });
      if (init.status !== 0) throw new Error(`terraform init failed in ${dir}:\n${init.stdout}\n${init.stderr}`);
    }
  });

  afterAll(() => work.remove());

  it('when the environment root and every module it wires are validated, then the configuration is valid', () => {
    const result = run(terraform as string, ['validate', '-json', '-no-color'], { cwd: rootDir, env });
    const report = JSON.parse(result.stdout) as {
      valid: boolean;
      diagnostics: Array<{ summary: string; detail?: string }>;
    };
    expect(report.diagnostics.filter((d) => d.summary !== '').map((d) => `${d.summary}: ${d.detail ?? ''}`)).toEqual(
      [],
    );
    expect(report.valid).toBe(true);
    expect(result.status).toBe(0);
  });

  it('when the production root is planned with a mocked AWS provider (default and HTTPS with custom domains, alarms), then every plan succeeds', () => {
    // terraform/environments/production/tests/plan.tftest.hcl: `terraform test` with mock_provider "aws",
    // offline; a for_each over apply-time values or a failing variable validation fails the plan.
    const result = run(terraform as string, ['test', '-no-color'], { cwd: rootDir, env, timeoutMs: 120_000 });
    const output = result.stdout + result.stderr;
    expect(output, output).toContain('run "default_plan"... pass');
    expect(output, output).toContain('run "https_custom_domain_plan"... pass');
    // Certificate and domain variables are validated together: a mismatch fails at plan time.
    expect(output, output).toContain('run "certificate_in_another_region_is_refused"... pass');
    expect(output, output).toContain('run "spa_aliases_without_certificate_are_refused"... pass');
    // CloudWatch alarms: the expected set in the default plan, DocumentDB's when it is named, bad addresses refused.
    expect(output, output).toContain('run "alarms_with_documentdb_and_email_plan"... pass');
    expect(output, output).toContain('run "malformed_alarm_email_is_refused"... pass');
    expect(result.status, output).toBe(0);
  });

  it('when the staging root is validated and planned with a mocked AWS provider, then it plans with the staging names and sizes', () => {
    const validate = run(terraform as string, ['validate', '-no-color'], { cwd: stagingDir, env });
    expect(validate.status, validate.stdout + validate.stderr).toBe(0);
    const result = run(terraform as string, ['test', '-no-color'], { cwd: stagingDir, env, timeoutMs: 120_000 });
    const output = result.stdout + result.stderr;
    expect(output, output).toContain('run "staging_plan"... pass');
    expect(output, output).toContain('run "staging_cannot_shrink_below_two_tasks"... pass');
    expect(result.status, output).toBe(0);
  });

  it('when the service module is planned with a mocked AWS provider, then the worker runs worker.js beside the API, behind no load balancer, scaled on its own', () => {
    // terraform/modules/ecs-service/tests/worker.tftest.hcl
    const result = run(terraform as string, ['test', '-no-color'], { cwd: serviceModuleDir, env, timeoutMs: 120_000 });
    const output = result.stdout + result.stderr;
    expect(output, output).toContain('run "worker_beside_the_api"... pass');
    expect(output, output).toContain('run "worker_cannot_be_scaled_to_zero"... pass');
    expect(result.status, output).toBe(0);
  });

  it('when the Prometheus module is planned with a mocked AWS provider, then the workspace holds the rule files, alerts go to the alarm topic and one collector scrapes the API and worker tasks', () => {
    // terraform/modules/prometheus/tests/collector.tftest.hcl
    const result = run(terraform as string, ['test', '-no-color'], {
      cwd: prometheusModuleDir,
      env,
      timeoutMs: 120_000,
    });
    const output = result.stdout + result.stderr;
    expect(output, output).toContain('run "collector_scrapes_every_task_and_writes_to_the_workspace"... pass');
    expect(output, output).toContain('run "a_file_without_rule_groups_is_refused"... pass');
    expect(output, output).toContain('run "an_unpinned_collector_image_is_refused"... pass');
    expect(result.status, output).toBe(0);
  });

  it('when a module gains an argument the provider does not have, then validate fails naming it', () => {
    const file = path.join(work.dir, 'terraform', 'modules', 'spa', 'main.tf');
    const original = readFileSync(file, 'utf8');
    writeFileSync(
      file,
      original.replace(
        'resource "aws_s3_bucket" "this" {',
        'resource "aws_s3_bucket" "this" {\n  acl_public_everything = true\n',
      ),
    );
    try {
      const result = run(terraform as string, ['validate', '-json', '-no-color'], { cwd: rootDir, env });
      const report = JSON.parse(result.stdout) as {
        valid: boolean;
        diagnostics: Array<{ summary: string; detail?: string }>;
      };
      expect(report.valid).toBe(false);
      expect(report.diagnostics.map((d) => `${d.summary} ${d.detail ?? ''}`).join('\n')).toContain(
        'acl_public_everything',
      );
    } finally {
      writeFileSync(file, original);
    }
  });
});
