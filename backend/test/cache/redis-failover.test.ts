import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis } from '../../src/cache/redis-connection.js';
import { freePort, type RedisServer, redisServerAvailable, startRedisServer } from '../helpers/redis-server.js';
import { captureLogger, waitFor } from './fixtures.js';

const hasRedis = redisServerAvailable('Redis failover test');

describe.skipIf(!hasRedis)('Redis primary demoted to a replica (as in an ElastiCache failover)', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('when a write gets READONLY, then the connection reconnects and writes succeed once the endpoint is a primary again', async () => {
    const { logger } = captureLogger();
    const connection = connectRedis({ url: server.url, port: 6379, clusterNodes: [] }, logger, {
      failureThreshold: 100,
    });
    const admin = new Redis(server.url, { maxRetriesPerRequest: 1 });
    try {
      let readies = 0;
      connection.client.on('ready', () => {
        readies += 1;
      });
      await waitFor(() => connection.status() === 'up');
      await connection.run((client) => client.set('failover:key', 'before'));
      const before = readies;

      // Demote the server: it now follows a primary that is not there, and refuses writes.
      await admin.call('REPLICAOF', '127.0.0.1', String(await freePort()));
      await expect(connection.run((client) => client.set('failover:key', 'during'))).rejects.toThrow(/READONLY/);
      await waitFor(() => readies > before, 5000);

      // The endpoint answers as a primary again (the promoted node, after DNS moved): writes go through.
      await admin.call('REPLICAOF', 'NO', 'ONE');
      await expect
        .poll(
          () =>
            connection
              .run((client) => client.set('failover:key', 'after'))
              .then(
                () => 'written',
                (error: unknown) => String(error),
              ),
          { timeout: 5000, interval: 100 },
        )
        .toBe('written');
      expect(await admin.get('failover:key')).toBe('after');
    } finally {
      admin.disconnect();
      await connection.close();
    }
  });
});
