import { context, propagation, SpanKind, SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BullMQOtel } from 'bullmq-otel';
import { routeLabel } from './http-observability.js';
import { currentRequestId } from './request-context.js';
import type { CommandSender, Tracing } from './tracing.js';

/** The part of an ioredis command a span needs. */
interface RedisCommand {
  name: string;
  promise: Promise<unknown>;
}

function withRequestId(attributes: Attributes): Attributes {
  const requestId = currentRequestId();
  return requestId === undefined ? attributes : { ...attributes, 'primo.request_id': requestId };
}

function fail(span: Span, error: unknown): void {
  if (error instanceof Error) span.recordException(error);
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
}

/** Ends `span` when `result` settles (or now, for a plain value) and hands `result` back unchanged. */
function endWith<T>(span: Span, result: T): T {
  if (typeof result === 'object' && result !== null && typeof (result as { then?: unknown }).then === 'function') {
    (result as unknown as Promise<unknown>).then(
      () => span.end(),
      (error: unknown) => {
        fail(span, error);
        span.end();
      },
    );
    return result;
  }
  span.end();
  return result;
}

/** The OpenTelemetry SDK (loaded only when tracing is on) exporting spans as OTLP/HTTP JSON. */
export function startOpenTelemetry(options: { endpoint: string; serviceName: string }): Tracing {
  const sdk = new NodeSDK({
    serviceName: options.serviceName,
    traceExporter: new OTLPTraceExporter({ url: `${options.endpoint.replace(/\/+$/, '')}/v1/traces` }),
    // Spans are made by the app itself (HTTP, storage, Redis): no monkey-patching instrumentations.
    instrumentations: [],
  });
  sdk.start();
  const tracer = trace.getTracer('primo');

  return {
    middleware(req, res, next) {
      const parent = propagation.extract(context.active(), req.headers);
      const span = tracer.startSpan(
        req.method,
        {
          kind: SpanKind.SERVER,
          attributes: withRequestId({ 'http.request.method': req.method, 'url.path': req.path }),
        },
        parent,
      );
      res.on('finish', () => {
        const route = routeLabel(req);
        span.updateName(`${req.method} ${route}`);
        span.setAttributes({ 'http.route': route, 'http.response.status_code': res.statusCode });
        if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
      });
      context.with(trace.setSpan(parent, span), next);
    },

    span(name, attributes, fn) {
      return tracer.startActiveSpan(name, { attributes: withRequestId(attributes) }, (span) => {
        try {
          return endWith(span, fn());
        } catch (error) {
          fail(span, error);
          span.end();
          throw error;
        }
      });
    },

    instrumentRedis(client: CommandSender) {
      // ioredis sends every command, pipelined or not, through sendCommand(command, stream?).
      const target = client as unknown as { sendCommand: (command: RedisCommand, ...rest: unknown[]) => unknown };
      const original = target.sendCommand;
      target.sendCommand = function tracedSendCommand(this: unknown, command: RedisCommand, ...rest: unknown[]) {
        const span = tracer.startSpan(`redis ${command.name}`, {
          kind: SpanKind.CLIENT,
          attributes: withRequestId({ 'db.system': 'redis', 'db.operation': command.name }),
        });
        const sent = original.call(this, command, ...rest);
        endWith(span, command.promise);
        return sent;
      };
    },

    queueTelemetry: new BullMQOtel({ tracerName: 'primo' }),

    shutdown: () => sdk.shutdown(),
  };
}
