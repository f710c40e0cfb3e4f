// The live feature's public entry: what other features may use. The app composes the rest directly.
export { useLiveState, type LiveState } from './live-state';
export { rewrite, rewriteTasks } from './live-cache';
