import type { Change, ChangeList } from '@primo/api/contract/wire';
import { io } from 'socket.io-client';
import { ApiError, apiRequest, currentAccessToken, refreshSession } from '../../lib/api-client';

export type LiveStatus = 'connecting' | 'live' | 'offline';

export interface LiveHandlers {
  /** Changes to apply, oldest first: live events one at a time, catch-up pages in batches. */
  onChanges(changes: Change[]): void;
  /** The history since the last position is gone: everything cached must be read again. */
  onGone(): void;
  onStatus(status: LiveStatus): void;
}

/** Catch-up pages while reconnecting: beyond this many changes, reloading everything is cheaper. */
const CATCH_UP_PAGES = 10;

/**
 * Opens the live connection and
 * keeps it: after every (re)connect it catches up from the last position it saw through `/changes`,
 * so nothing written while it was away is missed; an expired token is renewed and sent again.
 * Answers the function that closes it.
 */
export function openLiveConnection(handlers: LiveHandlers): () => void {
  let closed = false;
  let cursor: string | null = null;

  const advance = (seq: string) => {
    if (cursor === null || Number(seq) > Number(cursor)) cursor = seq;
  };

  /** Everything after the cursor, page by page; the first connect only learns the current position. */
  const catchUp = async () => {
    if (cursor === null) {
      cursor = (await apiRequest<ChangeList>('/changes')).nextCursor;
      return;
    }
    try {
      for (let page = 0; page < CATCH_UP_PAGES; page += 1) {
        const list: ChangeList = await apiRequest<ChangeList>(`/changes?since=${cursor}&limit=100`);
        if (list.data.length > 0) handlers.onChanges(list.data);
        cursor = list.nextCursor;
        if (list.data.length < 100) return;
      }
      handlers.onGone();
    } catch (error) {
      if (error instanceof ApiError && error.status === 410) {
        cursor = null;
        handlers.onGone();
        await catchUp();
        return;
      }
      throw error;
    }
  };

  handlers.onStatus('connecting');
  const socket = io({
    path: '/socket.io/',
    transports: ['websocket'],
    // Read at every attempt, so a reconnect presents the newest token.
    auth: (send) => send({ token: currentAccessToken() }),
    reconnectionDelay: 500,
    reconnectionDelayMax: 10_000,
  });
  socket.on('connect', () => {
    catchUp().then(
      () => handlers.onStatus('live'),
      () => handlers.onStatus('offline'),
    );
  });
  socket.on('change', (change: Change) => {
    advance(change.seq);
    handlers.onChanges([change]);
  });
  socket.on('expired', () => {
    void refreshSession().then((user) => {
      if (user !== null) socket.emit('auth', { token: currentAccessToken() });
    });
  });
  socket.on('connect_error', (error) => {
    handlers.onStatus('offline');
    // A refused token is renewed, then the next attempt presents the new one.
    if (error.message === 'unauthorized') {
      void refreshSession().then((user) => {
        if (user !== null && !closed) socket.connect();
      });
    }
  });
  socket.on('disconnect', (reason) => {
    if (closed) return;
    handlers.onStatus('offline');
    // A server shutting down closes the socket itself; the client then has to dial again.
    if (reason === 'io server disconnect') setTimeout(() => socket.connect(), 250 + Math.random() * 750);
  });
  return () => {
    closed = true;
    socket.close();
  };
}
