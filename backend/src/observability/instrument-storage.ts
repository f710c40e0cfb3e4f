import { performance } from 'node:perf_hooks';
import type { HistogramChild } from './bucket-histogram.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';

export interface StorageInstrumentationOptions {
  metrics: Metrics;
  logger: Logger;
  /** Calls at least this slow are logged and counted; 0 turns the slow-call log off. */
  slowMs: number;
  /** Wraps each call in a trace span when tracing is on (see tracing.ts). */
  span?: <T>(name: string, attributes: Record<string, string>, fn: () => T) => T;
}

type AnyFunction = (...args: unknown[]) => unknown;

interface OperationProbe {
  repository: string;
  operation: string;
  ok: HistogramChild;
  error: HistogramChild;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/**
 * Wraps every repository of an opened store (the `Storage` of storage/storage.ts) so each call is timed into
 * `storage_operation_duration_seconds{repository, operation, outcome}` and logged when slow.
 * Labels are the store's property names and the ports' method names, so their number is fixed by
 * the code however many users, ids or URLs there are. The adapters are not touched: new ports and
 * methods are measured as soon as they exist.
 */
export function instrumentStorage<S extends { readonly kind: string }>(
  storage: S,
  options: StorageInstrumentationOptions,
): S {
  const { metrics, logger, slowMs } = options;

  function record(probe: OperationProbe, started: number, failed: boolean): void {
    const seconds = (performance.now() - started) / 1000;
    (failed ? probe.error : probe.ok).observe(seconds);
    if (slowMs > 0 && seconds * 1000 >= slowMs) {
      metrics.storageSlow.inc({ repository: probe.repository, operation: probe.operation });
      logger.warn('slow storage operation', {
        repository: probe.repository,
        operation: probe.operation,
        durationMs: Math.round(seconds * 1e4) / 10,
        outcome: failed ? 'error' : 'ok',
        thresholdMs: slowMs,
      });
    }
  }

  function timed(probe: OperationProbe, fn: AnyFunction, target: object): AnyFunction {
    const run = (args: unknown[]): unknown => {
      const started = performance.now();
      let result: unknown;
      try {
        result = fn.apply(target, args);
      } catch (error) {
        record(probe, started, true);
        throw error;
      }
      if (!isThenable(result)) {
        record(probe, started, false);
        return result;
      }
      return result.then(
        (value) => {
          record(probe, started, false);
          return value;
        },
        (error: unknown) => {
          record(probe, started, true);
          throw error;
        },
      );
    };
    const span = options.span;
    if (span === undefined) return (...args: unknown[]) => run(args);
    const name = `storage ${probe.repository}.${probe.operation}`;
    const attributes = {
      'db.system': storage.kind,
      'primo.repository': probe.repository,
      'db.operation': probe.operation,
    };
    return (...args: unknown[]) => span(name, attributes, () => run(args));
  }

  function instrumentRepository(repository: string, target: object): object {
    const wrapped = new Map<string, AnyFunction>();
    return new Proxy(target, {
      get(object, property, receiver) {
        const value: unknown = Reflect.get(object, property, receiver);
        if (typeof property !== 'string' || typeof value !== 'function') return value;
        let fn = wrapped.get(property);
        if (fn === undefined) {
          const labels = { repository, operation: property };
          fn = timed(
            {
              repository,
              operation: property,
              ok: metrics.storageDuration.labels({ ...labels, outcome: 'ok' }),
              error: metrics.storageDuration.labels({ ...labels, outcome: 'error' }),
            },
            value as AnyFunction,
            object,
          );
          wrapped.set(property, fn);
        }
        return fn;
      },
    });
  }

  // Repositories are the store's object-valued properties; kind and the lifecycle methods pass through.
  const repositories = new Map<string | symbol, object>();
  return new Proxy(storage, {
    get(object, property, receiver) {
      const value: unknown = Reflect.get(object, property, receiver);
      if (typeof property !== 'string' || typeof value !== 'object' || value === null) return value;
      let repository = repositories.get(property);
      if (repository === undefined) {
        repository = instrumentRepository(property, value);
        repositories.set(property, repository);
      }
      return repository;
    },
  });
}
