import { externalStore } from '../../lib/external-store';

/**
 * Where the live connection stands: `connecting` before the first answer, `live` while changes
 * arrive as they happen, `reconnecting` after the connection dropped (it is retried on its own), and
 * `offline` while the browser has no network.
 */
export type LiveState = 'connecting' | 'live' | 'reconnecting' | 'offline';

const state = externalStore<LiveState>('connecting');

export const setLiveState = state.set;

/** The live connection's state, re-rendering when it changes. */
export const useLiveState = state.use;
