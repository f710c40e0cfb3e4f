import path from 'node:path';
import { ConfigError, loadConfig } from '../config.js';
import { BackupError, isDatabaseInUse, restoreDatabase } from '../storage/sqlite/sqlite-backup.js';
import { parseArgs, progressPrinter } from './cli.js';

const USAGE = 'usage: npm run restore -- <backup file> [--force]   (into <DATA_DIR>/primo.db)';

async function main(): Promise<void> {
  const { flags, positional } = parseArgs(process.argv.slice(2), [], ['--force']);
  if (positional.length !== 1) throw new BackupError(`name exactly one backup file\n${USAGE}`);
  const config = loadConfig();
  if (config.mongo.uri !== undefined) {
    throw new BackupError('MONGODB_URI is set: restore MongoDB from its snapshots (docs/backup-and-restore.md)');
  }
  const file = path.resolve(positional[0] as string);
  const target = path.join(config.dataDir, 'primo.db');
  process.stderr.write(`restore: checking ${file}\n`);
  if (flags.has('--force') && isDatabaseInUse(target)) {
    process.stderr.write(
      `restore: ${target} is open in another process; replacing its contents under it (--force): restart every instance using it afterwards\n`,
    );
  }
  const started = Date.now();
  const { restored, previous } = await restoreDatabase(file, target, {
    force: flags.has('--force'),
    onProgress: progressPrinter('restore'),
  });
  if (previous !== null) process.stdout.write(`restore: the previous database was kept as ${previous}\n`);
  process.stdout.write(
    `restore: ${target} now holds ${file} (schema ${restored.schemaVersion}, ${restored.users} users, ` +
      `${restored.tasks} tasks, integrity ok) in ${Date.now() - started} ms\n`,
  );
}

main().catch((error: unknown) => {
  const known = error instanceof BackupError || error instanceof ConfigError;
  process.stderr.write(`restore failed: ${error instanceof Error ? error.message : String(error)}\n`);
  if (!known && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  process.exitCode = 1;
});
