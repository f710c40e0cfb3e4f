import type { Change, ChangeList, Notification } from '@primo/api/contract/wire';
import type { QueryClient } from '@tanstack/react-query';
import type { Socket } from 'socket.io-client';
import { ApiError, apiRequest, currentAccessToken, refreshSession } from '../../lib/api-client';
import { NOTIFICATIONS_QUERY_ROOT, PROJECTS_QUERY_ROOT, TASKS_QUERY_ROOT } from '../../lib/query-roots';
import { applyChange, type Refresh } from './live-cache';
import { setLiveState } from './live-state';

/** Changes read per page while catching up. */
const CATCH_UP_PAGE = 100;
/** Changes arriving together are refetched once, this long after the first. */
const REFRESH_DELAY_MS = 150;
/** Waits before connecting again after a refusal or a server's goodbye, longest last. */
const RETRY_DELAYS_MS = [500, 1000, 2000, 5000, 10_000, 30_000];
/** The longest a write made offline waits for the connection's catch-up before it is sent anyway. */
const CATCH_UP_WAIT_MS = 5000;
/** How many recent changes are remembered, so one that arrives both live and in a catch-up applies once. */
const SEEN_MAX = 2000;

interface ServerEvents {
  change: (change: Change) => void;
  notification: (notification: Notification) => void;
  expired: () => void;
  shutdown: (hint: { reconnect: boolean }) => void;
}
interface ClientEvents {
  auth: (payload: { token: string }, ack: (answer: { ok: boolean }) => void) => void;
}

/**
 * Keeps the query cache in step with every change in the person's projects: a Socket.IO connection
 * (WebSocket only) receives each change as it is committed on any instance, and after every
 * (re)connect the changes missed meanwhile are read from `/changes` after the last one seen. A gap
 * too old for the log (410) refetches everything instead. An expired access token is renewed and
 * sent on the open socket; a refused one is renewed before connecting again.
 */
export class LiveSync {
  private socket: Socket<ServerEvents, ClientEvents> | null = null;
  private cursor: string | null = null;
  private catchingUp: Promise<void> | null = null;
  private queued: Change[] = [];
  private readonly seen = new Set<string>();
  private pending: Refresh = 'none';
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private catchUpTimer: ReturnType<typeof setTimeout> | undefined;
  private retries = 0;
  private stopped = false;
  private waiting: Array<() => void> = [];

  /**
   * `onCaughtUp` runs after every catch-up from `/changes` (after each (re)connect): the cache now
   * holds the latest versions, so changes kept on this device can go out and meet them.
   */
  constructor(
    private readonly client: QueryClient,
    private readonly userId: string,
    private readonly onCaughtUp: () => void = () => undefined,
  ) {}

  /**
   * Resolves once the cache has caught up: at once while connected and current, after the catch-up
   * under way, or, while not connected, after the next one (or `CATCH_UP_WAIT_MS`, whichever is first).
   */
  whenCaughtUp(): Promise<void> {
    if (this.catchingUp !== null) return this.catchingUp;
    if (this.socket?.connected === true || this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      setTimeout(resolve, CATCH_UP_WAIT_MS);
    });
  }

  async start(): Promise<void> {
    setLiveState(navigator.onLine ? 'connecting' : 'offline');
    window.addEventListener('online', this.online);
    window.addEventListener('offline', this.offline);
    const { io } = await import('socket.io-client');
    if (this.stopped) return;
    const socket: Socket<ServerEvents, ClientEvents> = io({
      path: '/socket.io/',
      transports: ['websocket'],
      // Read at every attempt, so a reconnect presents the newest token.
      auth: (send) => send({ token: currentAccessToken() ?? '' }),
    });
    this.socket = socket;
    socket.on('connect', () => {
      this.retries = 0;
      setLiveState('live');
      void this.catchUp();
    });
    socket.on('disconnect', (reason) => {
      if (this.stopped) return;
      setLiveState(navigator.onLine ? 'reconnecting' : 'offline');
      // Socket.IO reconnects by itself unless the server ended the connection (a shutdown, say).
      if (reason === 'io server disconnect') this.retry();
    });
    socket.on('connect_error', (error) => {
      if (this.stopped) return;
      setLiveState(navigator.onLine ? 'reconnecting' : 'offline');
      if (socket.active) return;
      // Refused by the server: a stale token is renewed first; the session may be over.
      if (error.message === 'unauthorized') {
        void refreshSession().then(
          (user) => (user === null ? this.stop() : this.retry()),
          () => this.retry(),
        );
      } else this.retry();
    });
    socket.on('expired', () => void this.renew());
    // The bell reads its list again: a new notification, or (after a reconnect) any missed meanwhile.
    socket.on('notification', () => void this.client.invalidateQueries({ queryKey: NOTIFICATIONS_QUERY_ROOT }));
    socket.on('connect', () => void this.client.invalidateQueries({ queryKey: NOTIFICATIONS_QUERY_ROOT }));
    socket.on('change', (change) => {
      if (this.catchingUp !== null) this.queued.push(change);
      else if (this.apply(change)) this.cursor = change.seq;
    });
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.refreshTimer);
    clearTimeout(this.retryTimer);
    clearTimeout(this.catchUpTimer);
    window.removeEventListener('online', this.online);
    window.removeEventListener('offline', this.offline);
    this.socket?.disconnect();
    this.socket = null;
    setLiveState('connecting');
  }

  private readonly online = () => {
    // Now, rather than at the end of the reconnection back-off that ran while offline. A socket that
    // stayed up may still have missed changes meanwhile: they are read, which is also the cue for
    // changes made offline to go out.
    if (this.socket !== null && !this.socket.connected) this.socket.disconnect().connect();
    else if (this.socket !== null) void this.catchUp();
    setLiveState(this.socket?.connected ? 'live' : 'reconnecting');
  };

  private readonly offline = () => setLiveState('offline');

  private retry(delay = RETRY_DELAYS_MS[Math.min(this.retries, RETRY_DELAYS_MS.length - 1)] ?? 0): void {
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    this.retries += 1;
    // Spread out, so the clients of an instance that went away do not all return at once.
    this.retryTimer = setTimeout(() => this.socket?.connect(), delay * (0.5 + Math.random()));
  }

  /** Sends a fresh token on the open socket; the changes missed while it was expired are read after. */
  private async renew(): Promise<void> {
    const user = await refreshSession().catch(() => undefined);
    if (this.stopped || this.socket === null) return;
    if (user === null) {
      this.stop();
      return;
    }
    const token = currentAccessToken();
    if (user === undefined || token === null) {
      this.socket.disconnect();
      this.retry();
      return;
    }
    this.socket.emit('auth', { token }, (answer) => {
      if (answer.ok) void this.catchUp();
      else {
        this.socket?.disconnect();
        this.retry();
      }
    });
  }

  /** Whether the change was new here (and is now applied). */
  private apply(change: Change): boolean {
    if (this.seen.has(change.seq)) return false;
    this.seen.add(change.seq);
    if (this.seen.size > SEEN_MAX) this.seen.delete(this.seen.values().next().value as string);
    this.schedule(applyChange(this.client, change, this.userId));
    return true;
  }

  private catchUp(): Promise<void> {
    this.catchingUp ??= this.readMissed()
      .catch(() => {
        // The store or the network failed: try again while the socket stays up.
        this.catchUpTimer = setTimeout(() => void this.catchUp(), 5000);
      })
      .finally(() => {
        this.catchingUp = null;
        const queued = this.queued;
        this.queued = [];
        // Live changes the catch-up did not return came after it: they move the cursor on.
        for (const change of queued) if (this.apply(change)) this.cursor = change.seq;
        for (const resolve of this.waiting.splice(0)) resolve();
        this.onCaughtUp();
      });
    return this.catchingUp;
  }

  private async readMissed(): Promise<void> {
    if (this.cursor === null) {
      // From now on; what was read before this moment may miss a change, so it is read again.
      const head = await apiRequest<ChangeList>('/changes?limit=1');
      this.cursor = head.nextCursor;
      this.schedule('everything');
      return;
    }
    for (;;) {
      let page: ChangeList;
      try {
        page = await apiRequest<ChangeList>(`/changes?since=${encodeURIComponent(this.cursor)}&limit=${CATCH_UP_PAGE}`);
      } catch (error) {
        if (!(error instanceof ApiError) || error.status !== 410) throw error;
        // Away longer than the log keeps: start over from now.
        this.cursor = null;
        return this.readMissed();
      }
      for (const change of page.data) this.apply(change);
      this.cursor = page.nextCursor;
      if (page.data.length < CATCH_UP_PAGE) return;
    }
  }

  private schedule(refresh: Refresh): void {
    if (refresh === 'none' || this.pending === 'everything') return;
    this.pending = refresh;
    if (this.refreshTimer !== undefined) return;
    this.refreshTimer = setTimeout(() => {
      const what = this.pending;
      this.pending = 'none';
      this.refreshTimer = undefined;
      void this.client.invalidateQueries({ queryKey: PROJECTS_QUERY_ROOT });
      if (what === 'everything') void this.client.invalidateQueries({ queryKey: TASKS_QUERY_ROOT });
    }, REFRESH_DELAY_MS);
  }
}
