import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import tailwindcss from '@tailwindcss/vite';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';
import { compression } from 'vite-plugin-compression2';
import { VitePWA } from 'vite-plugin-pwa';

const apiTarget = 'http://localhost:5000';

/** Vendor chunks: each library family gets its own long-lived, separately cached file. */
const vendorChunks = [
  { name: 'vendor-react', test: /node_modules[\\/](react|react-dom|scheduler)[\\/]|^\0primo:esm:/ },
  { name: 'vendor-router', test: /node_modules[\\/](react-router|cookie|set-cookie-parser)[\\/]/ },
  // TanStack Query itself; its (de)hydration and the persisters are for the offline cache only and go
  // with it, on demand.
  {
    name: 'vendor-query',
    test: /node_modules[\\/]@tanstack[\\/](?:react-query[\\/]|query-core[\\/](?!build[\\/]modern[\\/]hydration\.js))/,
  },
  // The app's small modules that the first screens and the on-demand chunks share: one file instead of
  // a handful of tiny ones, each with its own request and import boilerplate.
  {
    name: 'app-core',
    test: /[\\/]src[\\/](?:lib[\\/](?:api-client|query-roots|pending-writes|due-date|task-labels|use-shortcuts)|features[\\/]tasks[\\/](?:pending-deletes-context|api[\\/]tasks\.api)|components[\\/]ui[\\/]field)\.tsx?$/,
  },
];

/**
 * React Router's published build defines every component and context at module level with unannotated
 * `React.forwardRef(...)`/`createContext(...)` calls and `X.displayName = ...` writes, which a bundler must
 * keep as possible side effects, so `<Form>`, `<ScrollRestoration>` and friends ship even when unused.
 * Marking the calls pure and dropping the devtools-only names lets tree-shaking remove what the app never
 * imports. The package also ships its development build only (`dist/production` differs by one flag and
 * no export points to it): in the build the flag is turned off and the `warning()` hints for developers
 * are marked pure, so neither their code nor their messages ship. The dev server keeps them.
 */
function treeShakeReactRouter(): Plugin {
  return {
    name: 'primo:tree-shake-react-router',
    apply: 'build',
    transform: {
      filter: { id: /[\\/]node_modules[\\/]react-router[\\/]dist[\\/].*\.mjs$/ },
      handler(code) {
        return {
          code: code
            .replace(/^[\w$]+\.displayName = "[^"\n]*";$/gm, '')
            .replace(/= (React\d*\.(?:forwardRef|createContext|memo)\()/g, '= /* @__PURE__ */ $1')
            .replace('var ENABLE_DEV_WARNINGS = true;', 'var ENABLE_DEV_WARNINGS = false;')
            .replace(/(^|[^\w$.])(?<!function )(warning(?:Once)?\()/gm, '$1/* @__PURE__ */ $2'),
          map: null,
        };
      },
    },
  };
}

/**
 * React and its JSX runtime are CommonJS, so every hook call and every element a chunk renders would
 * be a property call through a namespace (`(0,r.useState)(…)`, `(0,r.jsx)(…)`). Imported through an
 * ES module that re-exports each of their exports by name, they are bound directly and each call is
 * a plain one, which every chunk is smaller for. React's own CommonJS files keep requiring React.
 */
function esmReact(): Plugin {
  const require = createRequire(import.meta.url);
  const shims = new Map<string, string>(
    ['react', 'react/jsx-runtime'].map((source) => {
      const names = Object.keys(require(source) as object).filter((name) => /^[A-Za-z_$][\w$]*$/.test(name));
      const code = [
        `import * as commonjs from ${JSON.stringify(source)};`,
        ...names.map((name) => `export const ${name} = commonjs.${name};`),
        source === 'react' ? 'export default commonjs.default;' : '',
      ].join('\n');
      return [`\0primo:esm:${source}`, code];
    }),
  );
  const commonjsReact = /node_modules[\\/](react|react-dom|scheduler)[\\/]/;
  return {
    name: 'primo:esm-react',
    apply: 'build',
    enforce: 'pre',
    resolveId(source, importer) {
      const id = `\0primo:esm:${source}`;
      if (!shims.has(id) || importer === undefined || importer === id || commonjsReact.test(importer)) return null;
      return id;
    },
    load(id) {
      return shims.get(id) ?? null;
    },
  };
}

/**
 * Lazy chunks are preloaded the lean way. Vite's preload helper costs every first screen 0.7 kB
 * gzipped for cases this app does not have: CSS that arrives with a lazy chunk (the one stylesheet
 * comes with index.html), CSP nonces, relative bases and a `vite:preloadError` event (a failed chunk
 * is retried by lib/retryable-lazy.tsx). The helper below keeps what matters: each chunk a lazy
 * import depends on is fetched alongside it through `<link rel="modulepreload">`, not after it.
 * And the lists name only what may be missing: not the imported chunk itself (`import()` fetches
 * it) nor what the importing chunk imports statically (it is running, so that is loaded), names
 * every first screen would otherwise carry. A lazy chunk with CSS of its own fails the build.
 */
function leanPreload(base: string) {
  const code = `const seen = new Set();
export const __vitePreload = (load, deps) => {
  for (const dep of deps || []) {
    if (seen.has(dep) || dep.endsWith('.css')) continue;
    seen.add(dep);
    const link = document.createElement('link');
    link.rel = 'modulepreload';
    link.href = ${JSON.stringify(base)} + dep;
    document.head.appendChild(link);
  }
  return load();
};`;
  /** Each chunk's file and the files it imports statically, from the bundle being written. */
  let imports = new Map<string, readonly string[]>();
  const loadedWith = (file: string, into = new Set<string>()): Set<string> => {
    if (into.has(file)) return into;
    into.add(file);
    for (const imported of imports.get(file) ?? []) loadedWith(imported, into);
    return into;
  };
  const plugin: Plugin = {
    name: 'primo:lean-preload',
    apply: 'build',
    transform: {
      filter: { id: /^\0vite\/preload-helper\.js$/ },
      handler: () => ({ code, map: null }),
    },
    // Runs before Vite's import analysis writes the preload lists, which consult `imports`.
    generateBundle(_options, bundle) {
      imports = new Map();
      for (const chunk of Object.values(bundle)) {
        if (chunk.type !== 'chunk') continue;
        imports.set(chunk.fileName, chunk.imports);
        if (!chunk.isEntry && chunk.viteMetadata?.importedCss.size) {
          this.error(`${chunk.fileName} imports CSS of its own, which the lean preload helper does not load.`);
        }
      }
    },
  };
  const resolveDependencies = (file: string, deps: string[], { hostId }: { hostId: string }) => {
    const loaded = loadedWith(hostId);
    // The one stylesheet arrives with index.html (a lazy chunk with CSS of its own fails the build).
    return deps.filter((dep) => dep !== file && !dep.endsWith('.css') && !loaded.has(dep));
  };
  return { plugin, resolveDependencies };
}

/**
 * The installable, offline app (Workbox through vite-plugin-pwa). The service worker precaches the
 * app shell (every built script, stylesheet, icon and index.html) and answers navigations network
 * first, falling back to the precached index.html offline, so a deploy is seen on the next load and
 * the app still opens without a network. It never caches API responses (`/api`, `/socket.io`,
 * `/health`, `/metrics` always go to the network). A new version waits for the update prompt
 * (features/offline) instead of replacing the running one. Registration happens on demand after the
 * first screen (`injectRegister: false`), and public/sw-sign-out.js empties the caches and databases
 * that hold a person's data when they sign out.
 */
function pwa() {
  return VitePWA({
    registerType: 'prompt',
    injectRegister: false,
    includeAssets: ['favicon.svg', 'icons/apple-touch-icon-180.png'],
    manifest: {
      id: '/',
      name: 'Primo',
      short_name: 'Primo',
      description: 'Primo — your tasks, in order, together.',
      start_url: '/tasks',
      scope: '/',
      display: 'standalone',
      background_color: '#ffffff',
      theme_color: '#4f46e5',
      icons: [
        { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
        { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
        { src: '/icons/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
      ],
    },
    workbox: {
      globPatterns: ['**/*.{js,css,html,svg,png,woff2}'],
      // The precompressed siblings are for servers; the worker stores each file once, as served.
      globIgnores: ['**/*.{gz,br}', 'sw-sign-out.js'],
      importScripts: ['/sw-sign-out.js'],
      // Navigations are the runtime route below (network first), not the precache's navigation route.
      navigateFallback: null,
      cleanupOutdatedCaches: true,
      // On the first install the worker controls the open page at once (offline works without a
      // reload); later versions wait for the prompt (registerType: 'prompt').
      clientsClaim: true,
      runtimeCaching: [
        {
          urlPattern: ({ request, url }) =>
            request.mode === 'navigate' && !/^\/(api|socket\.io|health|metrics)(\/|$)/.test(url.pathname),
          handler: 'NetworkFirst',
          options: {
            // Only full loads of the app pass through here (its own navigation happens in the page), and
            // signing out empties this cache, so it needs no expiry (and no database beside it).
            cacheName: 'primo-pages',
            networkTimeoutSeconds: 4,
            precacheFallback: { fallbackURL: 'index.html' },
          },
        },
      ],
    },
  });
}

const preload = leanPreload('/');

export default defineConfig({
  plugins: [
    react(),
    tailwindcss(),
    treeShakeReactRouter(),
    esmReact(),
    preload.plugin,
    pwa(),
    // Precompressed siblings let nginx (gzip_static/brotli_static) and the API's static handler skip runtime compression.
    compression({ algorithms: ['gzip', 'brotliCompress'], threshold: 1024 }),
  ],
  resolve: {
    alias: {
      '@primo/api': fileURLToPath(new URL('../backend/src', import.meta.url)),
      // The client's own one-file ES build: its modules already joined, so the bundle needs none of
      // the namespace helpers that would otherwise land in the runtime every first screen loads.
      'socket.io-client': fileURLToPath(
        new URL('../node_modules/socket.io-client/dist/socket.io.esm.min.js', import.meta.url),
      ),
    },
  },
  server: {
    port: 5173,
    proxy: {
      '/api': { target: apiTarget, changeOrigin: false },
      '/health': { target: apiTarget, changeOrigin: false },
      '/socket.io': { target: apiTarget, changeOrigin: false, ws: true },
    },
  },
  preview: {
    proxy: {
      '/api': { target: apiTarget },
      '/health': { target: apiTarget },
      '/socket.io': { target: apiTarget, ws: true },
    },
  },
  build: {
    target: 'es2022',
    // Every browser that runs es2022 also preloads modules natively; the polyfill would only add weight.
    modulePreload: { polyfill: false, resolveDependencies: preload.resolveDependencies },
    assetsDir: 'assets',
    // Lets scripts/check-size.mjs follow the lazy route chunks as well as the first screen.
    manifest: true,
    rolldownOptions: {
      // A feature's entry only re-exports (eslint.boundaries.js routes cross-feature imports through it):
      // with no side effects of its own, a chunk binds straight to the modules behind it.
      treeshake: {
        moduleSideEffects: (id: string) => !/[\\/]frontend[\\/]src[\\/]features[\\/][^\\/]+[\\/]index\.ts$/.test(id),
      },
      output: {
        entryFileNames: 'assets/[name]-[hash].js',
        chunkFileNames: 'assets/[name]-[hash].js',
        assetFileNames: 'assets/[name]-[hash][extname]',
        codeSplitting: { groups: vendorChunks },
      },
    },
  },
});
