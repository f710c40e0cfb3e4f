import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { Router } from 'express';

const HASHED_ASSET = /\/assets\/.+-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$/;
const ENCODINGS = [
  { name: 'br', ext: '.br' },
  { name: 'gzip', ext: '.gz' },
] as const;

/**
 * Serves the built SPA: hashed assets cached for a year (precompressed `.br`/`.gz` when the client takes them),
 * `index.html` never cached, and every other non-API GET answered with `index.html` so client routes survive a reload.
 */
export function staticSpa(root: string): Router | null {
  const indexFile = path.join(root, 'index.html');
  if (!existsSync(indexFile)) return null;
  const router = Router();

  router.get(/^\/assets\//, (req, res, next) => {
    const file = path.join(root, path.normalize(decodeURIComponent(req.path)));
    if (!file.startsWith(root + path.sep)) return next();
    const accepted = req.acceptsEncodings(ENCODINGS.map((encoding) => encoding.name));
    const encoding = ENCODINGS.find((candidate) => candidate.name === accepted);
    if (encoding === undefined || !existsSync(file + encoding.ext)) return next();
    res.setHeader('Content-Encoding', encoding.name);
    res.setHeader('Vary', 'Accept-Encoding');
    res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
    res.type(path.extname(file));
    res.sendFile(file + encoding.ext, { headers: { 'Content-Type': res.get('Content-Type') } });
  });

  router.use(
    express.static(root, {
      index: false,
      setHeaders: (res, filePath) => {
        res.setHeader(
          'Cache-Control',
          HASHED_ASSET.test(filePath) ? 'public, max-age=31536000, immutable' : 'no-cache',
        );
      },
    }),
  );

  router.get(/^\/(?!api\/|api$|assets\/|health|metrics).*/, (req, res, next) => {
    if (!req.accepts('html')) return next();
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(indexFile);
  });
  return router;
}
