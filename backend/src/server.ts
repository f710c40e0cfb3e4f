import { createServer, type Server } from 'node:http';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createLogger, type Logger } from './observability/logger.js';
import { startTracing } from './observability/tracing.js';
import { createRuntime, packageVersion, type Runtime } from './runtime.js';

/** Listens until SIGTERM/SIGINT, then drains: readiness 503, stop accepting, finish in-flight requests, close stores, exit 0. */
async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env, packageVersion());
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger({
    level: config.log.level,
    json: config.env === 'production',
    filePath: config.log.filePath,
  });
  if (config.jwt.secretIsEphemeral) {
    logger.warn('JWT_SECRET is not set: using an ephemeral secret, so sessions end when the process restarts');
  }

  const tracing = await startTracing(config.tracing, logger);
  const runtime = await createRuntime(config, logger, { tracing });
  const server = createServer(runtime.app);
  // Longer than the load balancer's idle timeout (ALB 60 s), so the balancer closes idle connections first.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 30_000;

  await runtime.live.attach(server);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, resolve);
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  logger.info(
    `Primo ${config.version} listening on http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}`,
    {
      store: runtime.storage.kind,
      cache: runtime.cache.status(),
      env: config.env,
    },
  );

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal} received: draining`);
    void shutdown(server, runtime, config, logger).then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error('shutdown failed', { error: err instanceof Error ? err.stack : String(err) });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

async function shutdown(server: Server, runtime: Runtime, config: Config, logger: Logger): Promise<void> {
  runtime.startDraining();
  if (config.shutdownDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, config.shutdownDelayMs));

  // Live sockets first, each told to reconnect (to another instance) before it closes.
  await runtime.live.close();
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const deadline = new Promise<'timeout'>((resolve) =>
    setTimeout(resolve, config.shutdownTimeoutMs, 'timeout').unref(),
  );
  if ((await Promise.race([closed.then(() => 'closed' as const), deadline])) === 'timeout') {
    logger.warn('in-flight requests did not finish in time; closing their connections');
    server.closeAllConnections();
    await closed;
  }
  await runtime.close();
  logger.info('stopped cleanly');
}

main().catch((err: unknown) => {
  process.stderr.write(`Primo failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
