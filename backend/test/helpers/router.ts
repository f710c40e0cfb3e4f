import type { Express } from 'express';

/** The parts of an Express 5 (router@2) layer the walk reads; none of them is typed by @types/express. */
interface RouterLayer {
  rawPath?: unknown;
  route?: { path: unknown; methods: Record<string, boolean> };
  handle: { stack?: RouterLayer[] };
}

/** Every `METHOD /path` the router answers, with Express `:param` written as OpenAPI `{param}`. */
export function routerOperations(app: Express): string[] {
  const found: string[] = [];
  const walk = (stack: RouterLayer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        // Regexp routes are the SPA fallback and asset handler, outside the API contract.
        if (typeof layer.route.path !== 'string') continue;
        const full = `${prefix}${layer.route.path === '/' ? '' : layer.route.path}` || '/';
        for (const [method, on] of Object.entries(layer.route.methods)) {
          if (on && method !== '_all') found.push(`${method} ${full.replace(/:(\w+)/g, '{$1}')}`);
        }
      } else if (layer.handle.stack) {
        // A mounted router's layer keeps the path it was mounted at; `use(fn)` without one keeps '/'.
        const mount = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
        walk(layer.handle.stack, `${prefix}${mount}`);
      }
    }
  };
  walk((app as unknown as { router: { stack: RouterLayer[] } }).router.stack, '');
  return [...new Set(found)].sort();
}
