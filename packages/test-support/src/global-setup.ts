import { isCi } from './binaries.js';
import { ensureBackendBuilt } from './backend.js';

/**
 * Vitest global setup: compiles a stale backend once, before any test worker starts, so parallel
 * test files never rebuild backend/dist underneath each other's running servers.
 */
export default function setup(): void {
  try {
    ensureBackendBuilt();
  } catch (error) {
    if (isCi()) throw error;
    console.log(`backend build failed; tests that start a backend will fail: ${String(error).split('\n')[0]}`);
  }
}
