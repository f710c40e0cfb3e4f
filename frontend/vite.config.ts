import { fileURLToPath } from 'node:url';
import tailwindcss from '@tailwindcss/vite';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';
import { compression } from 'vite-plugin-compression2';

const apiTarget = 'http://localhost:5000';

/** Vendor chunks: each library family gets its own long-lived, separately cached file. */
const vendorChunks = [
  { name: 'vendor-react', test: /node_modules[\\/](react|react-dom|scheduler)[\\/]/ },
  { name: 'vendor-router', test: /node_modules[\\/](react-router|cookie|set-cookie-parser)[\\/]/ },
  { name: 'vendor-query', test: /node_modules[\\/]@tanstack[\\/]/ },
];

/**
 * React Router's published build defines every component and context at module level with unannotated
 * `React.forwardRef(...)`/`createContext(...)` calls and `X.displayName = ...` writes, which a bundler must
 * keep as possible side effects, so `<Form>`, `<ScrollRestoration>` and friends ship even when unused.
 * Marking the calls pure and dropping the devtools-only names lets tree-shaking remove what the app never
 * imports.
 */
function treeShakeReactRouter(): Plugin {
  return {
    name: 'primo:tree-shake-react-router',
    transform: {
      filter: { id: /[\\/]node_modules[\\/]react-router[\\/]dist[\\/].*\.mjs$/ },
      handler(code) {
        return {
          code: code
            .replace(/^[\w$]+\.displayName = "[^"\n]*";$/gm, '')
            .replace(/= (React\d*\.(?:forwardRef|createContext|memo)\()/g, '= /* @__PURE__ */ $1'),
          map: null,
        };
      },
    },
  };
}

export default defineConfig({
  plugins: [
    react(),
    tailwindcss(),
    treeShakeReactRouter(),
    // Precompressed siblings let nginx (gzip_static/brotli_static) and the API's static handler skip runtime compression.
    compression({ algorithms: ['gzip', 'brotliCompress'], threshold: 1024 }),
  ],
  resolve: {
    alias: {
      '@primo/api': fileURLToPath(new URL('../backend/src', import.meta.url)),
    },
  },
  server: {
    port: 5173,
    proxy: {
      '/api': { target: apiTarget, changeOrigin: false },
      '/health': { target: apiTarget, changeOrigin: false },
    },
  },
  preview: {
    proxy: {
      '/api': { target: apiTarget },
      '/health': { target: apiTarget },
    },
  },
  build: {
    target: 'es2022',
    // Every browser that runs es2022 also preloads modules natively; the polyfill would only add weight.
    modulePreload: { polyfill: false },
    assetsDir: 'assets',
    // Lets scripts/check-size.mjs follow the lazy route chunks as well as the first screen.
    manifest: true,
    rolldownOptions: {
      output: {
        entryFileNames: 'assets/[name]-[hash].js',
        chunkFileNames: 'assets/[name]-[hash].js',
        assetFileNames: 'assets/[name]-[hash][extname]',
        codeSplitting: { groups: vendorChunks },
      },
    },
  },
});
