export { findBinary, isCi, requireBinary, run, unavailable } from './binaries.js';
export {
  BACKEND_DIR,
  BACKEND_ENTRY,
  TEST_JWT_SECRET,
  ensureBackendBuilt,
  runBackendToExit,
  startBackend,
  waitForReady,
} from './backend.js';
export type { BackendHandle, StartBackendOptions } from './backend.js';
export { httpRequest, requestPayload } from './http.js';
export type { HttpRequestOptions, HttpResponse } from './http.js';
export { RENDER_SCRIPT, renderNginxConfig, startNginx } from './nginx.js';
export type { NginxHandle, RenderOptions, StartNginxOptions } from './nginx.js';
export { freePort, waitForPort } from './ports.js';
export { spawnTracked, untilReady } from './processes.js';
export type { ExitInfo, TrackedProcess } from './processes.js';
export { REPO_ROOT, repoPath, tempDir } from './paths.js';
export { startRedis } from './redis.js';
export type { RedisHandle, StartRedisOptions } from './redis.js';
