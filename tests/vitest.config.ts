import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Cross-cutting system tests: nginx in front of real backends, containers, Terraform, workflows.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  test: {
    include: ['**/*.test.ts'],
    environment: 'node',
    globalSetup: ['@primo/test-support/global-setup'],
    // Child processes (nginx, redis-server, backends) are tracked per worker process and killed when it exits.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
  },
});
