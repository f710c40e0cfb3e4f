import type { Change, ChangeList, Task, TaskList } from '@primo/api/contract/wire';
import { QueryClient, type InfiniteData } from '@tanstack/react-query';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { acceptAuthResponse } from '../../lib/api-client';
import { json, mockFetch, problem } from '../../test/fetch-mock';
import { alice, makeChange, makeTask } from '../../test/fixtures';
import { LiveSync } from './live-sync';

type Listener = (...args: unknown[]) => void;

/** The Socket.IO client's side of a connection, driven by the test: `fire` plays what the server would send. */
class FakeSocket {
  connected = false;
  active = true;
  readonly sent: unknown[][] = [];
  private readonly listeners = new Map<string, Listener[]>();
  readonly connect = vi.fn(() => this);
  readonly disconnect = vi.fn(() => {
    this.connected = false;
    return this;
  });
  constructor(readonly options: { auth: (send: (auth: { token: string }) => void) => void }) {}
  on(event: string, listener: Listener) {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }
  emit(...args: unknown[]) {
    this.sent.push(args);
  }
  fire(event: string, ...args: unknown[]) {
    if (event === 'connect') this.connected = true;
    if (event === 'disconnect') this.connected = false;
    for (const listener of this.listeners.get(event) ?? []) listener(...args);
  }
}

const sockets = vi.hoisted(() => [] as unknown[]);
vi.mock('socket.io-client', () => ({
  io: (options: ConstructorParameters<typeof FakeSocket>[0]) => {
    const socket = new FakeSocket(options);
    sockets.push(socket);
    return socket;
  },
}));

const listKey = ['tasks', 'list', {}];

const change = (task: Task, seq: string, overrides: Partial<Change> = {}) =>
  makeChange(task, { seq, fields: [{ field: 'title', from: task.title, to: `${task.title}!` }], ...overrides });

describe('the live connection', () => {
  let client: QueryClient;
  let sync: LiveSync;
  let network: ReturnType<typeof mockFetch>;
  let task: Task;

  const socket = () => sockets.at(-1) as FakeSocket;
  const cachedTask = () =>
    client.getQueryData<InfiniteData<TaskList>>(listKey)?.pages[0]?.data.find(({ id }) => id === task.id);
  const invalidated = (root: string) =>
    client
      .getQueryCache()
      .findAll({ queryKey: [root] })
      .some((query) => query.state.isInvalidated);

  beforeEach(async () => {
    sockets.length = 0;
    network = mockFetch();
    acceptAuthResponse({ accessToken: 'token-1', refreshToken: 'cookie-only', user: alice });
    client = new QueryClient();
    task = makeTask({ version: 1 });
    client.setQueryData<InfiniteData<TaskList>>(listKey, {
      pages: [{ data: [task], nextCursor: null }],
      pageParams: [null],
    });
    client.setQueryData(['projects', 'list'], []);
    network.on('GET', '/api/v1/changes', (request) =>
      json(200, { data: [], nextCursor: request.url.searchParams.get('since') ?? '10' } satisfies ChangeList),
    );
    sync = new LiveSync(client, alice.id);
    await sync.start();
  });
  afterEach(() => {
    sync.stop();
    vi.unstubAllGlobals();
  });

  it('connects over WebSocket with the current access token, then rereads what loaded before its starting point', async () => {
    let auth: unknown;
    socket().options.auth((value) => (auth = value));
    expect(auth).toEqual({ token: 'token-1' });
    socket().fire('connect');
    await vi.waitFor(() => expect(invalidated('tasks') && invalidated('projects')).toBe(true));
    expect(network.to('GET', '/api/v1/changes')[0]?.url.searchParams.get('since')).toBeNull();
  });

  it('after a reconnect, reads the changes it missed from the last one seen, page by page, and applies each', async () => {
    socket().fire('connect');
    await vi.waitFor(() => expect(network.to('GET', '/api/v1/changes')).toHaveLength(1));
    socket().fire('change', change(task, '11'));
    await vi.waitFor(() => expect(cachedTask()?.version).toBe(2));
    socket().fire('disconnect', 'transport close');

    const afterEleven = Array.from({ length: 100 }, (_, i) =>
      change(makeTask(), String(12 + i), { type: 'task.deleted', version: 2 }),
    );
    const missed = change({ ...task, version: 2 }, '112', { fields: [{ field: 'status', from: 'todo', to: 'done' }] });
    network.on('GET', '/api/v1/changes', (request) =>
      request.url.searchParams.get('since') === '11'
        ? json(200, { data: afterEleven, nextCursor: '111' })
        : json(200, { data: [missed], nextCursor: '112' }),
    );
    socket().fire('connect');
    await vi.waitFor(() => expect(cachedTask()).toMatchObject({ version: 3, status: 'done' }));
    expect(network.to('GET', '/api/v1/changes').map((request) => request.url.searchParams.get('since'))).toEqual([
      null,
      '11',
      '111',
    ]);
  });

  it('when the gap is older than the log keeps (410), starts over from now and refetches everything', async () => {
    socket().fire('connect');
    socket().fire('change', change(task, '11'));
    await vi.waitFor(() => {
      expect(cachedTask()?.version).toBe(2);
      expect(invalidated('tasks')).toBe(true);
    });
    // Fresh data again (as a refetch would leave it).
    client.setQueryData(listKey, client.getQueryData(listKey));
    expect(invalidated('tasks')).toBe(false);
    socket().fire('disconnect', 'transport close');
    network.on('GET', '/api/v1/changes', (request) =>
      request.url.searchParams.get('since') === null
        ? json(200, { data: [], nextCursor: '500' })
        : problem(410, { title: 'Gone' }),
    );
    socket().fire('connect');
    await vi.waitFor(() => expect(invalidated('tasks')).toBe(true));
    expect(network.to('GET', '/api/v1/changes').at(-1)?.url.searchParams.get('since')).toBeNull();
  });

  it('when its token expires, renews it and sends the fresh one on the open socket', async () => {
    network.on('POST', '/api/v1/auth/refresh', json(200, { accessToken: 'token-2', user: alice }));
    socket().fire('connect');
    socket().fire('expired');
    await vi.waitFor(() => expect(socket().sent).toEqual([['auth', { token: 'token-2' }, expect.any(Function)]]));
    expect(socket().connected).toBe(true);
  });

  it('when the server refuses the handshake as unauthorized, renews the token before connecting again', async () => {
    network.on('POST', '/api/v1/auth/refresh', json(200, { accessToken: 'token-3', user: alice }));
    socket().active = false;
    socket().fire('connect_error', new Error('unauthorized'));
    await vi.waitFor(() => expect(socket().connect).toHaveBeenCalled(), { timeout: 2000 });
    let auth: unknown;
    socket().options.auth((value) => (auth = value));
    expect(auth).toEqual({ token: 'token-3' });
  });

  it('when the session is over, stops instead of retrying', async () => {
    network.on('POST', '/api/v1/auth/refresh', problem(401, { title: 'Unauthorized' }));
    socket().active = false;
    socket().fire('connect_error', new Error('unauthorized'));
    await vi.waitFor(() => expect(socket().disconnect).toHaveBeenCalled());
    expect(socket().connect).not.toHaveBeenCalled();
  });
});
