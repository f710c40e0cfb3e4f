import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoPath, tempDir } from '@primo/test-support';
import {
  AllowListError,
  AuditUnavailableError,
  evaluateAudit,
  highFindings,
  parseAllowList,
  type AcceptedAdvisory,
} from '../../scripts/audit-check.js';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(path.join(import.meta.dirname, 'fixtures', name), 'utf8')) as unknown;
const TODAY = new Date('2026-12-02T12:00:00Z');

const lodash: AcceptedAdvisory = {
  id: 'GHSA-35jh-r3h4-6jhm',
  package: 'lodash',
  reason: 'only template() is affected and no template string comes from users',
  expires: '2027-01-31',
};

/** Runs the command as CI does, on a saved report and a given allow-list. */
function cli(report: string, allowList: object): { status: number | null; stdout: string; stderr: string } {
  const work = tempDir('audit');
  try {
    const allowFile = path.join(work.dir, 'allow.json');
    writeFileSync(allowFile, JSON.stringify(allowList));
    const result = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        repoPath('scripts', 'audit-check.ts'),
        '--report',
        path.join(import.meta.dirname, 'fixtures', report),
        '--allow-list',
        allowFile,
      ],
      { cwd: repoPath(), encoding: 'utf8' },
    );
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  } finally {
    work.remove();
  }
}

describe('npm audit against the reviewed allow-list', () => {
  it('when a report holds high and critical advisories, then each is found once, by GHSA id and package, moderate ones ignored', () => {
    expect(highFindings(fixture('audit-high.json')).map((f) => `${f.severity} ${f.id} ${f.package}`)).toEqual([
      'high GHSA-35jh-r3h4-6jhm lodash',
      'critical GHSA-xvch-5gv4-984h minimist',
    ]);
  });

  it('when an advisory is not on the allow-list, then it is unaccepted; when it is and not expired, it is accepted', () => {
    const none = evaluateAudit(fixture('audit-high.json'), [], TODAY);
    expect(none.unaccepted.map((f) => f.id)).toEqual(['GHSA-35jh-r3h4-6jhm', 'GHSA-xvch-5gv4-984h']);
    const some = evaluateAudit(fixture('audit-high.json'), [lodash], TODAY);
    expect(some.unaccepted.map((f) => f.id)).toEqual(['GHSA-xvch-5gv4-984h']);
    expect(some.accepted.map((f) => f.id)).toEqual(['GHSA-35jh-r3h4-6jhm']);
    expect(some.expired).toEqual([]);
  });

  it('when an accepted entry has expired, then it fails even though the advisory is listed (and still on its last day it holds)', () => {
    const lastDay = evaluateAudit(fixture('audit-high.json'), [{ ...lodash, expires: '2026-12-02' }], TODAY);
    expect(lastDay.expired).toEqual([]);
    const after = evaluateAudit(fixture('audit-high.json'), [{ ...lodash, expires: '2026-12-01' }], TODAY);
    expect(after.expired.map((entry) => entry.id)).toEqual(['GHSA-35jh-r3h4-6jhm']);
    expect(after.accepted).toEqual([]);
    // Expiry is checked on a clean report too: a stale acceptance must not linger unreviewed.
    expect(
      evaluateAudit(fixture('audit-clean.json'), [{ ...lodash, expires: '2026-11-30' }], TODAY).expired,
    ).toHaveLength(1);
  });

  it('when an entry matches no advisory any more, then it is reported as stale, not as a failure', () => {
    const outcome = evaluateAudit(fixture('audit-clean.json'), [lodash], TODAY);
    expect(outcome.stale.map((entry) => entry.id)).toEqual(['GHSA-35jh-r3h4-6jhm']);
    expect(outcome.unaccepted).toEqual([]);
  });

  it('when npm audit could not reach the registry, then the check says so instead of passing', () => {
    expect(() => highFindings(fixture('audit-unreachable.json'))).toThrow(AuditUnavailableError);
    expect(() => highFindings(fixture('audit-unreachable.json'))).toThrow(/405 Method Not Allowed/);
  });

  it('when an allow-list entry lacks an id, a reason or a real expiry date, then the allow-list is refused naming the entry', () => {
    const bad: Array<[unknown, RegExp]> = [
      [{}, /"accepted" array/],
      [{ accepted: [{ ...lodash, id: 'CVE-2021-23337' }] }, /accepted\[0\]\.id must be a GitHub advisory id/],
      [{ accepted: [{ ...lodash, reason: 'fine' }] }, /accepted\[0\] \(GHSA-35jh-r3h4-6jhm\) needs a reason/],
      [{ accepted: [{ ...lodash, expires: 'next year' }] }, /needs "expires" as a date YYYY-MM-DD/],
      [{ accepted: [{ ...lodash, expires: '2027-13-45' }] }, /needs "expires" as a date/],
      [{ accepted: [lodash, lodash] }, /accepted\[1\]: GHSA-35jh-r3h4-6jhm for lodash is listed twice/],
    ];
    for (const [document, message] of bad) expect(() => parseAllowList(document)).toThrow(message);
    expect(() => parseAllowList({ accepted: [{ ...lodash, reason: 'fine' }] })).toThrow(AllowListError);
  });

  it("when the repository's allow-list is read, then it is valid and nothing on it has expired", () => {
    const entries = parseAllowList(JSON.parse(readFileSync(repoPath('security', 'audit-allowlist.json'), 'utf8')));
    const today = new Date().toISOString().slice(0, 10);
    expect(entries.filter((entry) => entry.expires < today)).toEqual([]);
  });

  it('when the command runs as CI runs it, then its exit code is 1 for unaccepted or expired advisories, 0 when all are accepted, 2 when the audit is unavailable', () => {
    const failing = cli('audit-high.json', { accepted: [lodash] });
    expect(failing.status).toBe(1);
    expect(failing.stdout).toContain('NOT ACCEPTED critical GHSA-xvch-5gv4-984h in minimist');
    expect(failing.stdout).toContain('accepted high GHSA-35jh-r3h4-6jhm in lodash');

    const minimist = {
      id: 'GHSA-xvch-5gv4-984h',
      package: 'minimist',
      reason: 'only reached through mkdirp in a build tool, with fixed arguments',
      expires: '2999-01-01',
    };
    const passing = cli('audit-high.json', { accepted: [{ ...lodash, expires: '2999-01-01' }, minimist] });
    expect(passing.status, passing.stdout + passing.stderr).toBe(0);
    expect(passing.stdout).toContain('no unaccepted high or critical advisory (2 accepted)');

    const expired = cli('audit-clean.json', { accepted: [{ ...lodash, expires: '2020-01-01' }] });
    expect(expired.status).toBe(1);
    expect(expired.stdout).toContain('EXPIRED GHSA-35jh-r3h4-6jhm in lodash: its acceptance ended on 2020-01-01');

    const unreachable = cli('audit-unreachable.json', { accepted: [] });
    expect(unreachable.status).toBe(2);
    expect(unreachable.stderr).toContain('npm audit did not produce a report: 405 Method Not Allowed');
  });
});
