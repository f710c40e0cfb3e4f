import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoPath, requireBinary, run, tempDir } from '@primo/test-support';
import { MONITORING, dashboardExpressions, loadDashboards, loadRules, metricNames } from './promql.js';

const promtool = requireBinary('promtool', 'the Prometheus config and rule checks');

/** A copy of monitoring/ with the metrics-token file the compose service writes before starting Prometheus. */
function monitoringCopy(): { dir: string; remove: () => void } {
  const work = tempDir('monitoring');
  cpSync(MONITORING, work.dir, { recursive: true });
  writeFileSync(path.join(work.dir, 'prometheus', 'metrics-token'), '');
  return work;
}

describe.skipIf(!promtool)('Prometheus config and rules (promtool)', () => {
  const work = monitoringCopy();
  afterAll(() => work.remove());

  it('when the compose Prometheus config is checked, then promtool accepts it and its rule files', () => {
    const result = run(promtool as string, ['check', 'config', path.join(work.dir, 'prometheus', 'prometheus.yml')]);
    expect(result.status, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain('SUCCESS: 2 rule files found');
  });

  it('when the rule files are checked, then every recording and alert rule parses', () => {
    const files = ['recording.yml', 'alerts.yml'].map((file) => path.join(work.dir, 'prometheus', 'rules', file));
    const result = run(promtool as string, ['check', 'rules', ...files]);
    expect(result.status, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/SUCCESS: \d+ rules found/);
  });

  it('when the rule unit tests run, then every alert fires on its series and stays quiet on the near misses', () => {
    const result = run(promtool as string, ['test', 'rules', path.join(work.dir, 'tests', 'alerts.test.yml')]);
    expect(result.status, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain('SUCCESS');
  });

  it('when an alert threshold is loosened, then the rule unit tests fail (they test the rules, not themselves)', () => {
    const mutated = monitoringCopy();
    try {
      const file = path.join(mutated.dir, 'prometheus', 'rules', 'alerts.yml');
      const original = readFileSync(file, 'utf8');
      const changed = original.replace(
        'job:http_requests_5xx:ratio_rate5m > 0.02',
        'job:http_requests_5xx:ratio_rate5m > 0.2',
      );
      expect(changed).not.toBe(original);
      writeFileSync(file, changed);
      const result = run(promtool as string, ['test', 'rules', path.join(mutated.dir, 'tests', 'alerts.test.yml')]);
      expect(result.status).not.toBe(0);
      expect(result.stdout + result.stderr).toContain('PrimoHighErrorRate');
    } finally {
      mutated.remove();
    }
  });
});

describe('alert rules and their runbook', () => {
  const rules = loadRules();
  const alerts = rules.filter((rule) => rule.alert !== undefined);
  const runbook = readFileSync(path.join(MONITORING, 'runbook.md'), 'utf8');
  const anchors = [...runbook.matchAll(/^## (\S+)$/gm)].map((match) => (match[1] as string).toLowerCase());
  const unitTests = readFileSync(path.join(MONITORING, 'tests', 'alerts.test.yml'), 'utf8');

  it("when read, then the issue's alerts are all there", () => {
    expect(alerts.map((rule) => rule.alert)).toEqual(
      expect.arrayContaining([
        'PrimoHighErrorRate',
        'PrimoHighLatencyP99',
        'PrimoReadinessFlapping',
        'PrimoRedisCircuitOpen',
        'PrimoEventLoopLag',
        'PrimoRateLimitRejectionsSpiking',
        'PrimoDiskAlmostFull',
        'PrimoHeapNearLimit',
        'PrimoQueueBacklog',
        'PrimoRemindersLate',
      ]),
    );
  });

  it('when an alert is read, then it has a severity, a summary, a description and a runbook paragraph of its own', () => {
    for (const rule of alerts) {
      const name = rule.alert as string;
      expect(['page', 'ticket'], name).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary, name).toBeTruthy();
      expect(rule.annotations?.description, name).toBeTruthy();
      expect(rule.annotations?.runbook_url, name).toBe(`monitoring/runbook.md#${name.toLowerCase()}`);
      expect(anchors, `runbook.md has no "## ${name}"`).toContain(name.toLowerCase());
    }
    // No runbook paragraph outlives its alert.
    expect(anchors.sort()).toEqual(alerts.map((rule) => (rule.alert as string).toLowerCase()).sort());
  });

  it('when the rule unit tests are read, then every alert is exercised by at least one of them', () => {
    const tested = new Set([...unitTests.matchAll(/alertname: (\w+)/g)].map((match) => match[1]));
    expect(alerts.map((rule) => rule.alert).filter((name) => !tested.has(name))).toEqual([]);
  });

  it('when a PromQL expression names a metric, then the name extractor finds it and nothing else', () => {
    expect(
      metricNames(
        'sum by (job, le) (rate(http_request_duration_seconds_bucket{route!~"/a|b",instance=~"$instance"}[5m])) > 10 * (x:y:z offset 1h or up * 0) and on (job) bool 1e3',
      ).sort(),
    ).toEqual(['http_request_duration_seconds_bucket', 'up', 'x:y:z']);
    expect(metricNames('label_values(up{job="primo-backend"}, instance)')).toEqual(['up']);
  });
});

describe('Grafana provisioning', () => {
  const dashboards = loadDashboards();
  const datasources = parse(
    readFileSync(repoPath('monitoring', 'grafana', 'provisioning', 'datasources', 'prometheus.yml'), 'utf8'),
  ) as { datasources: Array<{ uid: string; type: string; url: string }> };
  const provider = parse(
    readFileSync(repoPath('monitoring', 'grafana', 'provisioning', 'dashboards', 'primo.yml'), 'utf8'),
  ) as { providers: Array<{ options: { path: string } }> };

  it('when read, then there are dashboards for the API, the cache, live delivery, rate limits, the runtime and the worker, with unique uids', () => {
    expect(dashboards.map((d) => d.dashboard.uid).sort()).toEqual([
      'primo-api',
      'primo-cache',
      'primo-live',
      'primo-rate-limits',
      'primo-runtime',
      'primo-worker',
    ]);
  });

  it('when a panel queries, then it uses the provisioned Prometheus datasource and has a query', () => {
    const uid = datasources.datasources[0]?.uid;
    expect(datasources.datasources[0]).toMatchObject({ type: 'prometheus', url: 'http://prometheus:9090' });
    for (const { file, dashboard } of dashboards) {
      expect(dashboard.panels.length, file).toBeGreaterThan(0);
      for (const panel of dashboard.panels) {
        expect(panel.datasource?.uid, `${file}: ${panel.title}`).toBe(uid);
        expect(panel.targets?.length, `${file}: ${panel.title}`).toBeGreaterThan(0);
        for (const target of panel.targets ?? []) expect(target.expr, `${file}: ${panel.title}`).toBeTruthy();
      }
    }
  });

  it('when compose mounts the dashboards, then the provider reads the folder they are mounted at', () => {
    const compose = readFileSync(repoPath('docker-compose.yml'), 'utf8');
    const mountPath = provider.providers[0]?.options.path as string;
    expect(compose).toContain(`./monitoring/grafana/dashboards:${mountPath}:ro`);
    expect(compose).toContain('./monitoring/grafana/provisioning:/etc/grafana/provisioning:ro');
  });

  it('when a dashboard uses a recording rule, then that rule exists', () => {
    const recorded = new Set(loadRules().flatMap((rule) => (rule.record ? [rule.record] : [])));
    for (const { file, dashboard } of dashboards) {
      for (const name of dashboardExpressions(dashboard).flatMap(metricNames)) {
        if (name.includes(':')) expect(recorded.has(name), `${file} uses ${name}`).toBe(true);
      }
    }
  });
});
