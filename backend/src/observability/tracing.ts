import type { Telemetry } from 'bullmq';
import type { RequestHandler } from 'express';
import type { Config } from '../config.js';
import type { Logger } from './logger.js';

/** A Redis client whose commands all pass through `sendCommand` (ioredis's Redis and Cluster). */
export interface CommandSender {
  sendCommand(...args: never[]): unknown;
}

/** What the rest of the app uses of tracing; none of it exists when tracing is off. */
export interface Tracing {
  /** Opens the request's server span (continuing an incoming `traceparent`) and makes it current. */
  middleware: RequestHandler;
  /** Runs `fn` in a child span of the current one. */
  span<T>(name: string, attributes: Record<string, string>, fn: () => T): T;
  /** Gives every command of this client a span. */
  instrumentRedis(client: CommandSender): void;
  /**
   * BullMQ's telemetry hook for queues and workers: adding a job is a producer span under the current
   * one and carries its context in the job, so the worker's consumer span continues the same trace.
   */
  queueTelemetry: Telemetry;
  /** Exports the spans still buffered. */
  shutdown(): Promise<void>;
}

/**
 * Starts OpenTelemetry when `OTEL_EXPORTER_OTLP_ENDPOINT` is set, else returns null: the SDK is then
 * never even loaded, so tracing costs nothing while it is off.
 */
export async function startTracing(config: Config['tracing'], logger: Logger): Promise<Tracing | null> {
  if (config.endpoint === undefined) return null;
  const { startOpenTelemetry } = await import('./tracing-otel.js');
  const tracing = startOpenTelemetry({ endpoint: config.endpoint, serviceName: config.serviceName });
  logger.info('tracing on: spans are exported over OTLP/HTTP', {
    endpoint: config.endpoint,
    service: config.serviceName,
  });
  return tracing;
}
