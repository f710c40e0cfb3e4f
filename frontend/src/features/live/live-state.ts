import { useSyncExternalStore } from 'react';

/**
 * Where the live connection stands: `connecting` before the first answer, `live` while changes
 * arrive as they happen, `reconnecting` after the connection dropped (it is retried on its own), and
 * `offline` while the browser has no network.
 */
export type LiveState = 'connecting' | 'live' | 'reconnecting' | 'offline';

let state: LiveState = 'connecting';
const listeners = new Set<() => void>();

export function setLiveState(next: LiveState): void {
  if (next === state) return;
  state = next;
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

const current = () => state;

/** The live connection's state, re-rendering when it changes. */
export function useLiveState(): LiveState {
  return useSyncExternalStore(subscribe, current, current);
}
