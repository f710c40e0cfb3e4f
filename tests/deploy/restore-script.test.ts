import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { repoPath } from '@primo/test-support';

const SCRIPT = repoPath('scripts', 'restore-mongodb.sh');
const base = ['--environment', 'production', '--source', 'primo-production', '--target', 'primo-production-r1'];

/** Exit status and both outputs (the dry run writes its plan to stderr). */
function restore(args: string[]): { status: number | null; stdout: string; stderr: string } {
  // Only the basic tools on PATH: a dry run must not need aws, atlas or jq.
  const result = spawnSync('bash', [SCRIPT, ...args], { env: { PATH: '/usr/bin:/bin' }, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('scripts/restore-mongodb.sh', () => {
  it('when asked for a DocumentDB dry run, then it lists the restore into a new cluster, the secret switch, the migration and the roll, and runs nothing', () => {
    const result = restore([...base, '--provider', 'documentdb', '--time', '2026-01-02T03:15:00Z']);
    expect(result.status, result.stderr).toBe(0);
    const steps = result.stderr.split('\n').filter((line) => line.startsWith('+ '));
    expect(steps).toEqual([
      '+ aws docdb restore-db-cluster-to-point-in-time --source-db-cluster-identifier primo-production --db-cluster-identifier primo-production-r1 --restore-to-time 2026-01-02T03:15:00Z',
      '+ aws docdb create-db-instance --db-cluster-identifier primo-production-r1 --db-instance-identifier primo-production-r1-1 --db-instance-class db.r6g.large --engine docdb',
      '+ aws docdb wait db-instance-available --db-instance-identifier primo-production-r1-1',
      "+ new MONGODB_URI = current secret primo/production/mongodb-uri with its host replaced by primo-production-r1's",
      expect.stringContaining('+ run the migration step'),
      '+ aws ecs update-service --cluster primo-production-api --service primo-production-api --force-new-deployment --query service.serviceName --output text',
      '+ aws ecs wait services-stable --cluster primo-production-api --services primo-production-api',
    ]);
    expect(result.stderr).toContain('dry run');
  });

  it('when asked for an Atlas dry run, then it restores to the epoch second of --time in the named project', () => {
    const result = restore([
      ...base,
      '--provider',
      'atlas',
      '--atlas-project',
      '0123456789abcdef01234567',
      '--time',
      '2026-01-02T03:15:00Z',
    ]);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toContain(
      '+ atlas backups restores start pointInTime --projectId 0123456789abcdef01234567 --clusterName primo-production --pointInTimeUTCSeconds 1767323700 --targetProjectId 0123456789abcdef01234567 --targetClusterName primo-production-r1',
    );
  });

  it('when arguments are wrong, then it refuses with exit 2 and says which one', () => {
    const cases: Array<[string[], string]> = [
      [[...base, '--provider', 'postgres', '--time', '2026-01-02T03:15:00Z'], '--provider must be atlas or documentdb'],
      [[...base, '--provider', 'documentdb', '--time', 'yesterday'], '--time must be a UTC time'],
      [[...base, '--provider', 'documentdb', '--time', '2999-01-01T00:00:00Z'], 'is in the future'],
      [[...base, '--provider', 'atlas', '--time', '2026-01-02T03:15:00Z'], 'needs --atlas-project'],
      [
        [
          '--environment',
          'production',
          '--source',
          'a',
          '--target',
          'a',
          '--provider',
          'documentdb',
          '--time',
          '2026-01-02T03:15:00Z',
        ],
        'never overwrites the live cluster',
      ],
      [[...base, '--provider', 'documentdb', '--time', '2026-01-02T03:15:00Z', '--bogus'], 'unknown argument --bogus'],
    ];
    for (const [args, message] of cases) {
      const result = restore(args);
      expect(result.status, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toContain(message);
    }
  });

  it('when the connection string is rewritten, then only the host changes: credentials, database and options stay', () => {
    const rewrite = (uri: string, host: string) => restore(['rewrite-uri', uri, host]).stdout.trim();
    expect(
      rewrite(
        'mongodb://app:s3cr%40t@old-1:27017,old-2:27017/primo?replicaSet=rs0&tls=true',
        'new.docdb.amazonaws.com:27017',
      ),
    ).toBe('mongodb://app:s3cr%40t@new.docdb.amazonaws.com:27017/primo?replicaSet=rs0&tls=true');
    expect(
      rewrite('mongodb+srv://app:pw@cluster0.abcde.mongodb.net/primo?retryWrites=true', 'r1.abcde.mongodb.net'),
    ).toBe('mongodb+srv://app:pw@r1.abcde.mongodb.net/primo?retryWrites=true');
    expect(rewrite('mongodb://old:27017/primo', 'new:27017')).toBe('mongodb://new:27017/primo');
  });
});
