/**
 * `npm audit` with a reviewed allow-list: fails on every high or critical advisory that
 * security/audit-allowlist.json does not accept, and on every accepted advisory whose review has
 * expired. Run from the repository root:
 *
 *   node --import tsx scripts/audit-check.ts                  # runs npm audit --json itself
 *   node --import tsx scripts/audit-check.ts --report a.json  # checks a saved `npm audit --json` report
 *
 * Exit 0: nothing unaccepted; 1: unaccepted or expired advisories; 2: the audit could not be read
 * (registry unreachable, not an npm audit report) or the allow-list is malformed.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface AcceptedAdvisory {
  /** GitHub advisory id, e.g. GHSA-35jh-r3h4-6jhm. */
  id: string;
  /** The vulnerable package the advisory is about. */
  package: string;
  /** Why it does not affect Primo, or why it cannot be fixed yet. */
  reason: string;
  /** Last day (UTC, YYYY-MM-DD) the acceptance holds; after it the advisory must be reviewed again. */
  expires: string;
}

export interface Finding {
  id: string;
  package: string;
  severity: 'high' | 'critical';
  title: string;
  url: string;
}

export interface AuditOutcome {
  /** High or critical advisories the allow-list does not accept: they fail the check. */
  unaccepted: Finding[];
  /** Accepted advisories whose acceptance has expired: they fail the check too. */
  expired: AcceptedAdvisory[];
  /** High or critical advisories the allow-list accepts, still valid. */
  accepted: Finding[];
  /** Allow-list entries that no longer match any advisory: harmless, but should be removed. */
  stale: AcceptedAdvisory[];
}

/** The audit could not be evaluated: the registry did not answer with a report. */
export class AuditUnavailableError extends Error {
  override name = 'AuditUnavailableError';
}

/** The allow-list file breaks its own rules. */
export class AllowListError extends Error {
  override name = 'AllowListError';
}

const GHSA = /^GHSA(-[23456789cfghjmpqrvwx]{4}){3}$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Validates the allow-list document `{ "accepted": [...] }`; every problem names the entry. */
export function parseAllowList(document: unknown): AcceptedAdvisory[] {
  if (!isRecord(document) || !Array.isArray(document.accepted)) {
    throw new AllowListError('the allow-list must be an object with an "accepted" array');
  }
  const seen = new Set<string>();
  return document.accepted.map((entry: unknown, index) => {
    const where = `accepted[${index}]`;
    if (!isRecord(entry)) throw new AllowListError(`${where} must be an object`);
    const { id, package: pkg, reason, expires } = entry;
    if (typeof id !== 'string' || !GHSA.test(id)) {
      throw new AllowListError(
        `${where}.id must be a GitHub advisory id such as GHSA-35jh-r3h4-6jhm, got ${JSON.stringify(id)}`,
      );
    }
    if (typeof pkg !== 'string' || pkg.trim() === '')
      throw new AllowListError(`${where} (${id}) needs the package name`);
    if (typeof reason !== 'string' || reason.trim().length < 20) {
      throw new AllowListError(`${where} (${id}) needs a reason of at least 20 characters saying why it is accepted`);
    }
    if (typeof expires !== 'string' || !DAY.test(expires) || Number.isNaN(Date.parse(`${expires}T00:00:00Z`))) {
      throw new AllowListError(`${where} (${id}) needs "expires" as a date YYYY-MM-DD, got ${JSON.stringify(expires)}`);
    }
    const key = `${id} ${pkg}`;
    if (seen.has(key)) throw new AllowListError(`${where}: ${id} for ${pkg} is listed twice`);
    seen.add(key);
    return { id, package: pkg, reason, expires };
  });
}

/** The high and critical advisories of an `npm audit --json` report (format 2, npm 7 and later). */
export function highFindings(report: unknown): Finding[] {
  if (!isRecord(report) || report.auditReportVersion !== 2 || !isRecord(report.vulnerabilities)) {
    const message = isRecord(report) && typeof report.message === 'string' ? report.message : 'no auditReportVersion 2';
    throw new AuditUnavailableError(`npm audit did not produce a report: ${message}`);
  }
  const findings = new Map<string, Finding>();
  for (const vulnerability of Object.values(report.vulnerabilities)) {
    if (!isRecord(vulnerability) || !Array.isArray(vulnerability.via)) continue;
    // `via` strings name the dependency a vulnerability comes through; the advisory itself is listed there.
    for (const via of vulnerability.via) {
      if (!isRecord(via) || (via.severity !== 'high' && via.severity !== 'critical')) continue;
      const url = String(via.url ?? '');
      const id = /GHSA(-[a-z0-9]{4}){3}$/.exec(url)?.[0] ?? `npm-advisory-${String(via.source)}`;
      const pkg = String(via.name ?? vulnerability.name);
      findings.set(`${id} ${pkg}`, { id, package: pkg, severity: via.severity, title: String(via.title ?? ''), url });
    }
  }
  return [...findings.values()].sort((a, b) => a.id.localeCompare(b.id) || a.package.localeCompare(b.package));
}

/** Sorts the report's high and critical advisories into accepted, unaccepted, expired and stale. */
export function evaluateAudit(report: unknown, allowList: AcceptedAdvisory[], today: Date): AuditOutcome {
  const day = today.toISOString().slice(0, 10);
  const findings = highFindings(report);
  const key = (item: { id: string; package: string }) => `${item.id} ${item.package}`;
  const entries = new Map(allowList.map((entry) => [key(entry), entry]));
  const found = new Set(findings.map(key));
  return {
    unaccepted: findings.filter((finding) => !entries.has(key(finding))),
    accepted: findings.filter((finding) => {
      const entry = entries.get(key(finding));
      return entry !== undefined && entry.expires >= day;
    }),
    expired: allowList.filter((entry) => entry.expires < day),
    stale: allowList.filter((entry) => entry.expires >= day && !found.has(key(entry))),
  };
}

/** The lines the command prints and its exit code. */
export function report(outcome: AuditOutcome): { lines: string[]; exitCode: 0 | 1 } {
  const lines: string[] = [];
  for (const f of outcome.unaccepted) {
    lines.push(
      `NOT ACCEPTED ${f.severity} ${f.id} in ${f.package}: ${f.title} (${f.url}); fix it or add a reviewed entry to security/audit-allowlist.json`,
    );
  }
  for (const entry of outcome.expired) {
    lines.push(
      `EXPIRED ${entry.id} in ${entry.package}: its acceptance ended on ${entry.expires}; review it again or fix it`,
    );
  }
  for (const f of outcome.accepted) lines.push(`accepted ${f.severity} ${f.id} in ${f.package} (see the allow-list)`);
  for (const entry of outcome.stale) {
    lines.push(`stale allow-list entry ${entry.id} in ${entry.package}: no longer reported; remove it`);
  }
  const failed = outcome.unaccepted.length > 0 || outcome.expired.length > 0;
  lines.push(
    failed
      ? `npm audit: ${outcome.unaccepted.length} unaccepted and ${outcome.expired.length} expired high/critical advisories`
      : `npm audit: no unaccepted high or critical advisory (${outcome.accepted.length} accepted)`,
  );
  return { lines, exitCode: failed ? 1 : 0 };
}

function runNpmAudit(cwd: string): unknown {
  let output: string;
  try {
    output = execFileSync('npm', ['audit', '--json', '--audit-level=high'], {
      cwd,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    // npm audit exits non-zero when it finds something (or fails); its JSON is on stdout either way.
    output = String((error as { stdout?: string }).stdout ?? '');
  }
  try {
    return JSON.parse(output) as unknown;
  } catch {
    throw new AuditUnavailableError(`npm audit printed no JSON: ${output.slice(0, 200)}`);
  }
}

function main(): void {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const args = process.argv.slice(2);
  const reportIndex = args.indexOf('--report');
  const allowIndex = args.indexOf('--allow-list');
  const known = new Set([reportIndex, reportIndex + 1, allowIndex, allowIndex + 1].filter((i) => i >= 0));
  const unknown = args.filter((_, index) => !known.has(index));
  if (unknown.length > 0) {
    process.stderr.write(
      `audit-check: unknown argument ${unknown.join(' ')} (options: --report <file>, --allow-list <file>)\n`,
    );
    process.exit(2);
  }
  try {
    const allowFile =
      allowIndex >= 0 ? String(args[allowIndex + 1]) : path.join(root, 'security', 'audit-allowlist.json');
    const allowList = parseAllowList(JSON.parse(readFileSync(allowFile, 'utf8')));
    const audit =
      reportIndex >= 0
        ? (JSON.parse(readFileSync(String(args[reportIndex + 1]), 'utf8')) as unknown)
        : runNpmAudit(root);
    const { lines, exitCode } = report(evaluateAudit(audit, allowList, new Date()));
    for (const line of lines) process.stdout.write(`${line}\n`);
    process.exit(exitCode);
  } catch (error) {
    process.stderr.write(`audit-check: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) main();
