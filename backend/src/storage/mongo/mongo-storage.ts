import mongoose, { type ConnectOptions, type mongo } from 'mongoose';
import type { Logger } from '../../observability/logger.js';
import { StoreUnavailableError } from '../../domain/errors.js';
import type { Storage } from '../storage.js';
import { isMongoUnavailable, toStoreError } from './mongo-errors.js';
import { createMongoInvitationRepository } from './mongo-invitations.repository.js';
import { createModels, missingIndexes, modelList, type MongoModels } from './mongo-models.js';
import { createMongoProjectRepository } from './mongo-projects.repository.js';
import { createMongoRefreshTokenRepository } from './mongo-refresh-tokens.repository.js';
import { createMongoOneTimeTokenRepository } from './mongo-one-time-tokens.repository.js';
import { createMongoChangeRepository } from './mongo-changes.repository.js';
import { createMongoIdempotencyRepository } from './mongo-idempotency.repository.js';
import { createMongoTaskRepository, type StoreRunner } from './mongo-tasks.repository.js';
import { transactionRunner } from './mongo-transaction.js';
import { createMongoUserRepository } from './mongo-users.repository.js';
import { createMongoNotificationRepository } from './mongo-notifications.repository.js';
import { createMongoJobRepository } from './mongo-jobs.repository.js';

export interface MongoStorageOptions {
  uri: string;
  poolSize: number;
  logger: Logger;
  /** Create the schemas' indexes after connecting (development); production runs `npm run db:indexes`. */
  autoIndex: boolean;
}

/** How long an operation may wait for a usable primary before the API answers 503. */
export const SERVER_SELECTION_TIMEOUT_MS = 2500;
/** How long a write waits for a majority to acknowledge it (`wtimeoutMS`) before it fails. */
export const WRITE_CONCERN_TIMEOUT_MS = 5000;
/** While indexes are missing, readiness looks again at most this often. */
const INDEX_RECHECK_MS = 5000;
const PING_TIMEOUT_MS = 1000;
const RECONNECT_DELAY_MS = 3000;

/** The connection-string options the URI sets itself, lower-cased (option names are case-insensitive). */
function uriOptionNames(uri: string): Set<string> {
  const query = uri.indexOf('?');
  if (query === -1) return new Set();
  return new Set([...new URLSearchParams(uri.slice(query + 1)).keys()].map((name) => name.toLowerCase()));
}

/**
 * Driver options for a replica set, as defaults under what the URI says: an option the URI names
 * (`retryWrites`, `w`, `readPreference`, timeouts) is left to the URI, because the
 * driver lets options passed in code override the URI. By default server selection gives up quickly, so
 * a dead or leaderless set fails requests within seconds; writes wait for a majority for at most
 * WRITE_CONCERN_TIMEOUT_MS and are retried once across an election; reads go to the primary, so a
 * caller sees its own writes.
 */
export function driverOptions(uri: string, poolSize: number): mongo.MongoClientOptions {
  const named = uriOptionNames(uri);
  const defaults: mongo.MongoClientOptions = {
    serverSelectionTimeoutMS: SERVER_SELECTION_TIMEOUT_MS,
    connectTimeoutMS: 5000,
    socketTimeoutMS: 20_000,
    // Frequent heartbeats notice a returning primary within seconds (see the fast-fail in `run`).
    heartbeatFrequencyMS: 2000,
    retryWrites: true,
    retryReads: true,
    w: 'majority',
    wtimeoutMS: WRITE_CONCERN_TIMEOUT_MS,
    readPreference: 'primary',
  };
  const options: mongo.MongoClientOptions = { maxPoolSize: poolSize };
  for (const [name, value] of Object.entries(defaults)) {
    if (!named.has(name.toLowerCase())) Object.assign(options, { [name]: value });
  }
  return options;
}

/** Mongoose's options on top of the driver's: nothing buffered, no schema-driven index or collection builds. */
export function connectOptions(uri: string, poolSize: number): ConnectOptions {
  return {
    ...driverOptions(uri, poolSize),
    bufferCommands: false,
    autoIndex: false,
    autoCreate: false,
    sanitizeFilter: true,
  };
}

/** Connects a dedicated mongoose connection; returns null when MongoDB is unreachable right now. */
async function connect(
  connection: mongoose.Connection,
  options: MongoStorageOptions,
): Promise<mongoose.Connection | null> {
  try {
    return await connection.openUri(options.uri, connectOptions(options.uri, options.poolSize));
  } catch (error) {
    if (!isMongoUnavailable(error)) throw error;
    options.logger.warn('MongoDB is unreachable; retrying in the background', {
      error: error instanceof Error ? error.message : String(error),
      retryInMs: RECONNECT_DELAY_MS,
    });
    return null;
  }
}

async function createIndexes(models: MongoModels, logger: Logger): Promise<void> {
  for (const model of modelList(models)) {
    try {
      await model.createIndexes();
    } catch (error) {
      logger.error('could not create MongoDB indexes', {
        model: model.modelName,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
  logger.info('MongoDB indexes are in place');
}

/**
 * Opens the MongoDB store. When MongoDB cannot be reached at start-up the store still opens:
 * calls fail fast with StoreUnavailableError and `ping()` is false until a background retry
 * connects. A malformed URI or bad credentials reject.
 */
export async function openMongoStorage(options: MongoStorageOptions): Promise<Storage> {
  const { logger } = options;
  const connection = mongoose.createConnection();
  const models = createModels(connection);
  let opened = false;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;
  // Required indexes: checked after connecting and, while some are missing, again on readiness and
  // data requests (at most every INDEX_RECHECK_MS); once all exist they are not looked for again.
  let indexesReady = false;
  let missing: string[] = [];
  let lastIndexCheck = 0;
  let indexCheck: Promise<void> | null = null;

  const checkIndexes = (): Promise<void> => {
    if (indexesReady || Date.now() - lastIndexCheck < INDEX_RECHECK_MS) return Promise.resolve();
    indexCheck ??= missingIndexes(modelList(models))
      .then((names) => {
        lastIndexCheck = Date.now();
        if (names.length === 0) {
          indexesReady = true;
          if (missing.length > 0) logger.info('MongoDB indexes are in place; serving requests');
        } else if (names.join() !== missing.join()) {
          logger.error('MongoDB indexes are missing: not ready until `npm run db:indexes` creates them', {
            missing: names,
          });
        }
        missing = names;
      })
      .catch((error: unknown) => {
        lastIndexCheck = Date.now();
        logger.warn('could not list MongoDB indexes', {
          error: error instanceof Error ? error.message : String(error),
        });
      })
      .finally(() => {
        indexCheck = null;
      });
    return indexCheck;
  };

  const onConnected = async () => {
    opened = true;
    logger.info('connected to MongoDB', { host: connection.host, database: connection.name });
    if (options.autoIndex) await createIndexes(models, logger);
    await checkIndexes();
  };

  const scheduleRetry = () => {
    retry = setTimeout(() => {
      void connect(connection, options)
        .then(async (result) => {
          if (closed) return;
          if (result === null) scheduleRetry();
          else await onConnected();
        })
        .catch((error: unknown) => {
          logger.error('MongoDB connection failed', { error: error instanceof Error ? error.message : String(error) });
          if (!closed) scheduleRetry();
        });
    }, RECONNECT_DELAY_MS);
    retry.unref();
  };

  connection.on('disconnected', () => {
    if (opened && !closed) logger.warn('lost the MongoDB primary; data requests answer 503 until it returns');
  });
  connection.on('reconnected', () => logger.info('MongoDB primary is back'));

  if ((await connect(connection, options)) === null) scheduleRetry();
  else await onConnected();

  // Fails at once while the connection has no primary (mongoose tracks the topology), instead of
  // letting each request wait out server selection; outages during a call become 503s too.
  const run: StoreRunner = async (work) => {
    if (!opened || connection.readyState !== mongoose.ConnectionStates.connected) {
      throw new StoreUnavailableError('MongoDB has no reachable primary');
    }
    if (!indexesReady) {
      // Hinted queries would fail against a missing index: answer 503, never 500.
      await checkIndexes();
      if (!indexesReady) throw new StoreUnavailableError(`MongoDB indexes are missing: ${missing.join(', ')}`);
    }
    try {
      return await work();
    } catch (error) {
      throw toStoreError(error);
    }
  };

  const ping = async (): Promise<boolean> => {
    if (!opened || connection.readyState !== mongoose.ConnectionStates.connected) return false;
    const admin = connection.getClient().db('admin');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), PING_TIMEOUT_MS);
    });
    const answered = admin
      .command({ ping: 1 }, { readPreference: 'primary' })
      .then(() => true)
      .catch(() => false);
    try {
      return await Promise.race([answered, timeout]);
    } finally {
      clearTimeout(timer);
    }
  };

  const transact = transactionRunner(connection);

  return {
    kind: 'mongo',
    users: createMongoUserRepository(models.users, run),
    tasks: createMongoTaskRepository(models, run, transact),
    projects: createMongoProjectRepository(models, run, transact),
    invitations: createMongoInvitationRepository(models, run, transact),
    refreshTokens: createMongoRefreshTokenRepository(models.refreshTokens, run),
    oneTimeTokens: createMongoOneTimeTokenRepository(models.oneTimeTokens, run),
    changes: createMongoChangeRepository(models, run),
    idempotency: createMongoIdempotencyRepository(models, run),
    notifications: createMongoNotificationRepository(models, run),
    jobs: createMongoJobRepository(models, run),

    ping,

    async readiness() {
      if (!(await ping())) return 'down';
      await checkIndexes();
      return indexesReady ? 'up' : 'indexes missing';
    },

    async close() {
      closed = true;
      clearTimeout(retry);
      await connection.close();
    },
  };
}

/** Opens a connection for index maintenance only (the `db:indexes` script). */
export async function openIndexConnection(uri: string): Promise<{ models: MongoModels; close: () => Promise<void> }> {
  const connection = await mongoose.createConnection().openUri(uri, {
    ...connectOptions(uri, 2),
    serverSelectionTimeoutMS: 10_000,
  });
  const models = createModels(connection);
  return { models, close: () => connection.close() };
}
