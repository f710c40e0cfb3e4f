import { Writable } from 'node:stream';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import winston from 'winston';
import type { ResponseCache } from '../../src/cache/response-cache.js';
import { cachedJson } from '../../src/http/cached-json.js';
import { HttpError } from '../../src/http/problem.js';
import type { Logger } from '../../src/observability/logger.js';

export interface LogRecord {
  level: string;
  message: string;
}

/** A real winston logger whose lines are kept in memory for assertions. */
export function captureLogger(): { logger: Logger; records: LogRecord[] } {
  const records: LogRecord[] = [];
  const stream = new Writable({
    objectMode: true,
    write(info: { level: string; message: unknown }, _encoding, callback) {
      records.push({ level: info.level, message: String(info.message) });
      callback();
    },
  });
  const logger = winston.createLogger({ level: 'debug', transports: [new winston.transports.Stream({ stream })] });
  return { logger, records };
}

interface Item {
  id: string;
  name: string;
  version: number;
}

/** The database the test instances share: per-user items plus a count of the reads that reached it. */
export class ItemsDatabase {
  loads = 0;
  loadDelayMs = 0;
  private readonly byUser = new Map<string, Item[]>();
  private nextId = 1;

  add(userId: string, name: string): Item {
    const item = { id: String(this.nextId++), name, version: 1 };
    this.byUser.set(userId, [...(this.byUser.get(userId) ?? []), item]);
    return item;
  }

  rename(userId: string, id: string, name: string): Item | undefined {
    const item = this.byUser.get(userId)?.find((candidate) => candidate.id === id);
    if (item === undefined) return undefined;
    item.name = name;
    item.version += 1;
    return item;
  }

  async list(userId: string): Promise<Item[]> {
    this.loads += 1;
    if (this.loadDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.loadDelayMs));
    return (this.byUser.get(userId) ?? []).map((item) => ({ ...item }));
  }

  async find(userId: string, id: string): Promise<Item | undefined> {
    this.loads += 1;
    const item = this.byUser.get(userId)?.find((candidate) => candidate.id === id);
    return item === undefined ? undefined : { ...item };
  }
}

/**
 * A small app shaped like the task routes: the `X-User` header stands in for authentication,
 * reads go through the cache and writes invalidate it.
 */
export function itemsApp(cache: ResponseCache, db: ItemsDatabase): Express {
  const app = express();
  const reads = cachedJson(cache);
  app.use(express.json());
  app.use((req: Request, _res: Response, next: NextFunction) => {
    req.requestId = 'test-request';
    const user = req.header('x-user');
    if (user !== undefined) req.auth = { userId: user };
    next();
  });
  const userOf = (req: Request) => {
    if (req.auth === undefined) throw HttpError.unauthorized();
    return req.auth.userId;
  };
  app.get('/items', async (req, res) => {
    const userId = userOf(req);
    await reads.send(req, res, userId, async () => ({ body: { owner: userId, data: await db.list(userId) } }));
  });
  app.get('/items/:id', async (req, res) => {
    const userId = userOf(req);
    await reads.send(req, res, userId, async () => {
      const item = await db.find(userId, req.params.id);
      if (item === undefined) throw HttpError.notFound();
      return { body: item, etag: `${item.id}-${item.version}` };
    });
  });
  app.post('/items', async (req, res) => {
    const userId = userOf(req);
    const item = db.add(userId, String((req.body as { name?: unknown }).name));
    await cache.invalidateUser(userId);
    res.status(201).json(item);
  });
  app.patch('/items/:id', async (req, res) => {
    const userId = userOf(req);
    const item = db.rename(userId, req.params.id, String((req.body as { name?: unknown }).name));
    if (item === undefined) throw HttpError.notFound();
    await cache.invalidateUser(userId);
    res.json(item);
  });
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const problem = error instanceof HttpError ? error : new HttpError(500, 'Internal error');
    res
      .status(problem.status)
      .type('application/problem+json')
      .send(JSON.stringify(problem.toBody(req.requestId)));
  });
  return app;
}

/** Polls `condition` every 20 ms; rejects after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
