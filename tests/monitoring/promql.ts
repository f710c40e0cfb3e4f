import { readdirSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { repoPath } from '@primo/test-support';

export const MONITORING = repoPath('monitoring');

export interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** Every rule of every file in monitoring/prometheus/rules. */
export function loadRules(): Rule[] {
  const dir = repoPath('monitoring', 'prometheus', 'rules');
  return readdirSync(dir)
    .filter((file) => file.endsWith('.yml'))
    .flatMap((file) => {
      const doc = parse(readFileSync(`${dir}/${file}`, 'utf8')) as { groups: Array<{ rules: Rule[] }> };
      return doc.groups.flatMap((group) => group.rules);
    });
}

export interface DashboardPanel {
  title: string;
  type: string;
  datasource?: { type?: string; uid?: string };
  targets?: Array<{ expr?: string; datasource?: { uid?: string } }>;
}

export interface Dashboard {
  uid: string;
  title: string;
  panels: DashboardPanel[];
  templating?: { list: Array<{ name: string; query?: { query?: string } | string; datasource?: { uid?: string } }> };
}

/** Every dashboard of monitoring/grafana/dashboards, by file name. */
export function loadDashboards(): Array<{ file: string; dashboard: Dashboard }> {
  const dir = repoPath('monitoring', 'grafana', 'dashboards');
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .map((file) => ({ file, dashboard: JSON.parse(readFileSync(`${dir}/${file}`, 'utf8')) as Dashboard }));
}

/** Every PromQL expression a dashboard evaluates: panel targets and template variable queries. */
export function dashboardExpressions(dashboard: Dashboard): string[] {
  const panels = dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr ?? ''));
  const variables = (dashboard.templating?.list ?? []).map((variable) =>
    typeof variable.query === 'string' ? variable.query : (variable.query?.query ?? ''),
  );
  return [...panels, ...variables].filter((expr) => expr !== '');
}

const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'offset',
  'bool',
  'and',
  'or',
  'unless',
  'inf',
  'nan',
]);

/**
 * The metric (and recording-rule) names a PromQL expression selects: identifiers outside strings,
 * label matchers and ranges that are not functions, keywords or numbers. `label_values(m, l)` names m.
 */
export function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/gi, ' ')
    .replace(/\blabel_values\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*,[^)]*\)/g, ' $1 ');
  const names = new Set<string>();
  for (const match of bare.matchAll(/(?<![\w.$])([a-zA-Z_:][a-zA-Z0-9_:]*)(?![\w])/g)) {
    const name = match[1] as string;
    const rest = bare.slice((match.index ?? 0) + name.length);
    if (/^\s*\(/.test(rest) || KEYWORDS.has(name.toLowerCase())) continue;
    names.add(name);
  }
  return [...names];
}
