import { statfsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import client from 'prom-client';

export interface RuntimeMetricsOptions {
  /** The shared Redis's state ('up' while commands go through), or undefined when none is configured. */
  redisStatus?: () => 'up' | 'down';
  /** Subscribes to changes of that state (counts outages). */
  onRedisStatusChange?: (listener: (status: 'up' | 'down') => void) => void;
  /** The embedded store's folder, whose file system is reported; undefined for MongoDB. */
  dataDir?: string;
}

/**
 * Gauges and counters read when Prometheus scrapes, so they cost nothing between scrapes:
 * event-loop utilisation (perf_hooks), the V8 heap limit, the data folder's free space and
 * whether Redis is usable. Event-loop delay comes with the default process metrics
 * (`nodejs_eventloop_lag_*_seconds`, sampled by perf_hooks.monitorEventLoopDelay).
 */
export function registerRuntimeMetrics(registry: client.Registry, options: RuntimeMetricsOptions = {}): void {
  let last = performance.eventLoopUtilization();
  const active = new client.Counter({
    name: 'nodejs_eventloop_active_seconds_total',
    help: 'Time the event loop was busy (not waiting for I/O); rate() of it is the event-loop utilisation (0–1)',
    registers: [registry],
    collect() {
      const now = performance.eventLoopUtilization();
      const delta = performance.eventLoopUtilization(now, last);
      last = now;
      active.inc(delta.active / 1000);
    },
  });

  new client.Gauge({
    name: 'nodejs_heap_size_limit_bytes',
    help: 'The V8 heap limit: the process fails with "heap out of memory" when the used heap reaches it',
    registers: [registry],
    collect() {
      this.set(getHeapStatistics().heap_size_limit);
    },
  });

  if (options.dataDir !== undefined) {
    const dir = options.dataDir;
    const describe = (
      name: string,
      help: string,
      pick: (stats: { bavail: number; blocks: number; bsize: number }) => number,
    ) =>
      new client.Gauge({
        name,
        help,
        registers: [registry],
        collect() {
          try {
            this.set(pick(statfsSync(dir)));
          } catch {
            // The folder is gone or unreadable: report nothing rather than a wrong number.
            this.reset();
          }
        },
      });
    describe(
      'storage_disk_free_bytes',
      'Free bytes (for unprivileged users) on the file system holding the embedded SQLite store',
      (s) => s.bavail * s.bsize,
    );
    describe(
      'storage_disk_size_bytes',
      'Size in bytes of the file system holding the embedded SQLite store',
      (s) => s.blocks * s.bsize,
    );
  }

  if (options.redisStatus !== undefined) {
    const status = options.redisStatus;
    new client.Gauge({
      name: 'cache_redis_up',
      help: '1 while Redis commands go through; 0 while the circuit breaker is open or the connection is down',
      registers: [registry],
      collect() {
        this.set(status() === 'up' ? 1 : 0);
      },
    });
    const outages = new client.Counter({
      name: 'cache_redis_outages_total',
      help: 'Times Redis became unavailable (the circuit opened or the connection dropped)',
      registers: [registry],
    });
    options.onRedisStatusChange?.((next) => {
      if (next === 'down') outages.inc();
    });
  }
}

/** What live delivery reports (live/live-hub.ts). */
export interface LiveMetricsSource {
  connections(): number;
  delivered(): number;
  tailAgeSeconds(): number;
}

/** Live sockets held and changes handed to them, read when Prometheus scrapes. */
export function registerLiveMetrics(registry: client.Registry, live: LiveMetricsSource): void {
  new client.Gauge({
    name: 'live_connections',
    help: 'Socket.IO connections this instance holds',
    registers: [registry],
    collect() {
      this.set(live.connections());
    },
  });
  new client.Gauge({
    name: 'live_tail_age_seconds',
    help: 'Seconds since this instance last read the change log for live delivery (grows while it cannot)',
    registers: [registry],
    collect() {
      this.set(live.tailAgeSeconds());
    },
  });
  let counted = 0;
  const delivered = new client.Counter({
    name: 'live_changes_delivered_total',
    help: 'Changes this instance read from the change log and handed to its sockets',
    registers: [registry],
    collect() {
      const now = live.delivered();
      delivered.inc(now - counted);
      counted = now;
    },
  });
}
