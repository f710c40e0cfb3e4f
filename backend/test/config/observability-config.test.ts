import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('observability configuration', () => {
  it('when nothing is set, then slow calls above 200 ms are logged and tracing is off', () => {
    const config = loadConfig({});
    expect(config.slowQueryMs).toBe(200);
    expect(config.tracing).toEqual({ endpoint: undefined, serviceName: 'primo-backend' });
  });

  it('when an OTLP endpoint and a service name are set, then tracing is on with them', () => {
    const config = loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SERVICE_NAME: 'primo-api' });
    expect(config.tracing).toEqual({ endpoint: 'http://collector:4318', serviceName: 'primo-api' });
    expect(loadConfig({ SLOW_QUERY_MS: '0' }).slowQueryMs).toBe(0);
  });

  it('when a value is bad, then start-up stops with one line naming the variable and the value', () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ SLOW_QUERY_MS: 'fast' }, /SLOW_QUERY_MS must be a whole number \(got "fast"\)/],
      [{ SLOW_QUERY_MS: '-5' }, /SLOW_QUERY_MS must be at least 0/],
      [
        { OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' },
        /OTEL_EXPORTER_OTLP_ENDPOINT must be an http:\/\/ or https:\/\/ URL/,
      ],
      [{ OTEL_SERVICE_NAME: 'primo api' }, /OTEL_SERVICE_NAME must be 1–64 letters/],
    ];
    for (const [env, message] of cases) {
      expect(() => loadConfig(env)).toThrow(ConfigError);
      expect(() => loadConfig(env)).toThrow(message);
    }
  });
});
