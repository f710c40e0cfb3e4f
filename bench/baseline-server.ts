// The two reference servers of `npm run bench` and `npm run loadtest`, each answering GET /page (and, for
// the load test, every other request) with the same 20-task JSON page that Primo's first page returns:
//   express  plain Express 5, nothing else;
//   stack    Express 5 with Primo's own middleware in Primo's order (request id, metrics, morgan → winston
//            request logging, helmet with Primo's CSP, compression, JSON body parser) but no auth, store or cache.
// Usage: node --import tsx bench/baseline-server.ts <express|stack> <port> <page.json>
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import compression from 'compression';
import express from 'express';
import { requestId } from '../backend/src/http/request-id.js';
import { securityHeaders } from '../backend/src/http/security-headers.js';
import { httpMetrics, requestLogging } from '../backend/src/observability/http-observability.js';
import { createLogger } from '../backend/src/observability/logger.js';
import { createMetrics } from '../backend/src/observability/metrics.js';

const [mode, portText, pageFile] = process.argv.slice(2);
if ((mode !== 'express' && mode !== 'stack') || portText === undefined || pageFile === undefined) {
  process.stderr.write('usage: baseline-server.ts <express|stack> <port> <page.json>\n');
  process.exit(2);
}
const page: unknown = JSON.parse(readFileSync(pageFile, 'utf8'));

const app = express();
app.disable('x-powered-by');
if (mode === 'stack') {
  // Same settings and the same middleware instances Primo builds in backend/src/app.ts.
  app.set('etag', false);
  app.set('query parser', 'simple');
  app.use(requestId());
  app.use(httpMetrics(createMetrics(true)));
  app.use(requestLogging(createLogger({ level: 'warn', json: true })));
  app.use(securityHeaders());
  app.use(compression());
  app.use(express.json({ limit: '100kb', strict: true }));
}
app.get('/page', (_req, res) => {
  res.json(page);
});
// The load test's baseline: every other request gets the same page, with the status Primo's route would give.
app.use((req, res) => {
  res.status(req.method === 'POST' && req.path === '/api/v1/tasks' ? 201 : 200).json(page);
});

const server = createServer(app);
server.keepAliveTimeout = 65_000;
server.listen(Number(portText), '127.0.0.1', () => {
  process.stdout.write(`baseline ${mode} listening on ${portText}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
