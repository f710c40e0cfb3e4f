// Import direction of the backend, enforced: routes → services → ports ← adapters.
// Domain modules (models, ports, domain/) depend on nothing but each other; services know no HTTP
// and no store; adapters know no HTTP and no zod schemas; only adapters (storage/ and the Redis
// modules of cache/) import a database or Redis client. The composition roots (app.ts, runtime.ts,
// server.ts, worker.ts, scripts/) may import everything.

const RULE = '@typescript-eslint/no-restricted-imports';

const group = (patterns, message, allowTypeImports = false) => ({ group: patterns, message, allowTypeImports });

const DRIVERS = group(
  ['mongoose', 'mongoose/*', 'mongodb', 'better-sqlite3', 'ioredis'],
  'Only storage adapters (storage/) and the Redis modules of cache/ talk to a database or Redis.',
);
const STORAGE = group(['**/storage/**', '!**/storage/storage.js'], 'Reach a store through its port, not its adapter.');
const STORAGE_ANY = group(['**/storage/**'], 'Domain code does not know how things are stored.');
const HTTP = group(
  ['express', 'express/*', '**/http/**', '**/*.routes.js', '**/*.wire.js', '**/*.middleware.js', '**/task-query.js'],
  'Domain code and adapters know no HTTP: throw a domain error (domain/errors.ts) instead.',
);
const SCHEMAS = group(
  ['zod', '**/*.schemas.js'],
  'Import enums and limits from the domain model (e.g. tasks/task.model.ts), not from zod schemas.',
);
const SCHEMA_VALUES = group(
  ['zod', '**/*.schemas.js'],
  'The wire contract re-exports schema types only, so clients never bundle zod.',
  true,
);
const SERVICES = group(['**/*.service.js'], 'Adapters and domain modules do not call services.');
const CACHE = group(['**/cache/**'], 'Domain code and adapters do not use the response cache or Redis.');
const CONTRACT = group(['**/contract/**'], 'The domain does not depend on the wire contract.');

const restrict = (...groups) => ['error', { patterns: groups }];

const SRC = 'backend/src';
const DOMAIN = [
  `${SRC}/domain/**/*.ts`,
  `${SRC}/**/*.model.ts`,
  `${SRC}/**/*.repository.ts`,
  `${SRC}/projects/access-policy.ts`,
  `${SRC}/projects/change-notifier.ts`,
];
const SERVICE = [`${SRC}/**/*.service.ts`];
const ADAPTER = [`${SRC}/storage/**/*.ts`];
const CONTRACT_FILES = [`${SRC}/contract/**/*.ts`];
const REDIS_ADAPTERS = [`${SRC}/cache/redis-connection.ts`, `${SRC}/cache/rate-limit-store.ts`];
const ROOT = [`${SRC}/app.ts`, `${SRC}/runtime.ts`, `${SRC}/server.ts`, `${SRC}/worker.ts`, `${SRC}/scripts/**/*.ts`];

export const backendBoundaries = [
  {
    // Everything else in src/: HTTP modules, routes, wire mappers, cache, observability.
    files: [`${SRC}/**/*.ts`],
    ignores: [...DOMAIN, ...SERVICE, ...ADAPTER, ...CONTRACT_FILES, ...REDIS_ADAPTERS, ...ROOT],
    rules: { [RULE]: restrict(DRIVERS, STORAGE_ANY) },
  },
  {
    files: DOMAIN,
    ignores: ADAPTER,
    rules: { [RULE]: restrict(DRIVERS, STORAGE_ANY, HTTP, SCHEMAS, SERVICES, CACHE, CONTRACT) },
  },
  {
    files: SERVICE,
    rules: { [RULE]: restrict(DRIVERS, STORAGE_ANY, HTTP, SCHEMAS, CACHE, CONTRACT) },
  },
  {
    files: ADAPTER,
    rules: { [RULE]: restrict(HTTP, SCHEMAS, SERVICES, CACHE, CONTRACT) },
  },
  {
    files: CONTRACT_FILES,
    rules: { [RULE]: restrict(DRIVERS, STORAGE_ANY, HTTP, SCHEMA_VALUES, SERVICES, CACHE) },
  },
  {
    files: REDIS_ADAPTERS,
    rules: {
      [RULE]: restrict(group(['mongoose', 'mongoose/*', 'mongodb', 'better-sqlite3'], DRIVERS.message), STORAGE),
    },
  },
];
