import { ConfigError, loadConfig } from '../config.js';
import { createLogger } from '../observability/logger.js';
import { migrationStep } from '../storage/mongo/mongo-migrations.js';
import { openIndexConnection } from '../storage/mongo/mongo-storage.js';

/**
 * The deploy's migration step, in two phases so that the running version keeps working while the
 * service rolls (expand, then contract):
 * - `db:indexes` (before traffic moves): creates every index the schemas declare that is missing,
 *   dropping nothing, then moves data written by older versions forward (per-user tasks into personal
 *   projects, search fields), keeping every field the previous version still reads.
 * - `db:indexes --after-roll` (once no instance of the previous version runs): moves what that version
 *   wrote during the roll, then drops the indexes no schema declares any more (mongoose `syncIndexes`)
 *   and the fields only it read.
 * The API itself never builds indexes in production. Each phase is idempotent and resumable: run it
 * again after an interruption and it finishes the job; run it again after success and it changes nothing.
 */
async function migrate(afterRoll: boolean): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: 'info', json: config.env === 'production' });
  if (config.mongo.uri === undefined) {
    logger.error('MONGODB_URI is not set: there is no MongoDB to index (the embedded store needs no step)');
    process.exitCode = 1;
    return;
  }
  const { models, close } = await openIndexConnection(config.mongo.uri);
  try {
    await migrationStep(models, afterRoll ? 'after-roll' : 'before-roll', (line) => logger.info(line));
  } finally {
    await close();
  }
}

const args = process.argv.slice(2);
const unknown = args.filter((arg) => arg !== '--after-roll');
if (unknown.length > 0) {
  process.stderr.write(`db:indexes: unknown argument ${unknown.join(' ')} (the only option is --after-roll)\n`);
  process.exit(2);
}

migrate(args.includes('--after-roll')).catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(`db:indexes failed: ${error instanceof Error ? error.message : String(error)}\n`);
  }
  process.exitCode = 1;
});
