// The offline feature's public entry. Load it on demand (`import('../offline')`): none of it belongs
// in a first screen.
export { startOfflineApp } from './start-offline-app';
export { persistQueries } from './persisted-queries';
export { openOutbox, type Outbox } from './outbox';
