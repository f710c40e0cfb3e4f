import { ConfigError, loadConfig } from '../config.js';
import { createLogger } from '../observability/logger.js';
import { backfillSearchFields } from '../storage/mongo/mongo-migrations.js';
import { modelList } from '../storage/mongo/mongo-models.js';
import { openIndexConnection } from '../storage/mongo/mongo-storage.js';

/**
 * The deploy's migration step. Makes MongoDB's indexes exactly those the schemas declare (mongoose
 * `syncIndexes`: creates the missing ones, drops the ones no schema declares any more), then fills in
 * derived fields that older documents lack. Run once per deploy, before the new version takes
 * traffic; the API itself never builds indexes in production. Safe to run again at any time.
 */
async function syncIndexes(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: 'info', json: config.env === 'production' });
  if (config.mongo.uri === undefined) {
    logger.error('MONGODB_URI is not set: there is no MongoDB to index (the embedded store needs no step)');
    process.exitCode = 1;
    return;
  }
  const { models, close } = await openIndexConnection(config.mongo.uri);
  try {
    for (const model of modelList(models)) {
      const { toCreate, toDrop } = await model.diffIndexes();
      await model.syncIndexes();
      const describe = (specs: unknown[]) => specs.map((spec) => JSON.stringify(spec)).join(', ') || 'none';
      logger.info(`${model.modelName}: created ${describe(toCreate)}; dropped ${describe(toDrop)}`);
    }
    const backfilled = await backfillSearchFields(models.tasks, (count) =>
      logger.info(`tasks: search fields added to ${count} task(s) so far`),
    );
    logger.info(`tasks: ${backfilled} task(s) given search fields`);
  } finally {
    await close();
  }
}

syncIndexes().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(`db:indexes failed: ${error instanceof Error ? error.message : String(error)}\n`);
  }
  process.exitCode = 1;
});
