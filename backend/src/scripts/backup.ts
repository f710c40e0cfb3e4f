import path from 'node:path';
import { ConfigError, loadConfig } from '../config.js';
import { BackupError, backupDatabase } from '../storage/sqlite/sqlite-backup.js';
import { parseArgs, progressPrinter } from './cli.js';

const USAGE =
  'usage: npm run backup [-- --out <file>] [--step-pages <n>] [--pause-ms <n>]   (default: <DATA_DIR>/backups/primo-<time>.db)';

async function main(): Promise<void> {
  const { values, positional } = parseArgs(process.argv.slice(2), ['--out', '--step-pages', '--pause-ms'], []);
  if (positional.length > 0) throw new BackupError(`unexpected argument ${positional.join(' ')}\n${USAGE}`);
  const config = loadConfig();
  if (config.mongo.uri !== undefined) {
    throw new BackupError(
      'MONGODB_URI is set: MongoDB is backed up by its own snapshots and point-in-time restore (docs/backup-and-restore.md)',
    );
  }
  const source = path.join(config.dataDir, 'primo.db');
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const out = path.resolve(values['--out'] ?? path.join(config.dataDir, 'backups', `primo-${stamp}.db`));
  const started = Date.now();
  const summary = await backupDatabase(source, out, {
    pagesPerStep: values['--step-pages'] === undefined ? undefined : Number(values['--step-pages']),
    pauseMs: values['--pause-ms'] === undefined ? undefined : Number(values['--pause-ms']),
    onProgress: progressPrinter('backup'),
  });
  process.stdout.write(
    `backup: ${summary.file} (${summary.bytes} bytes, schema ${summary.schemaVersion}, ${summary.users} users, ` +
      `${summary.tasks} tasks, integrity ok) in ${Date.now() - started} ms, ${summary.restarts} restarts\n`,
  );
}

main().catch((error: unknown) => {
  const known = error instanceof BackupError || error instanceof ConfigError;
  process.stderr.write(`backup failed: ${error instanceof Error ? error.message : String(error)}\n`);
  if (!known && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  process.exitCode = 1;
});
