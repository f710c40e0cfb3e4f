import type { Server as HttpServer } from 'node:http';
import { Server, type Socket } from 'socket.io';
import type { AccessTokens } from '../auth/tokens.js';
import type { UserRepository } from '../auth/users.repository.js';
import type { ChangeRecord } from '../changes/change.model.js';
import type { ChangeRepository } from '../changes/changes.repository.js';
import type { Change } from '../changes/changes.schemas.js';
import { toChange } from '../changes/changes.wire.js';
import type { Notification } from '../notifications/notifications.schemas.js';
import type { RedisClient } from '../cache/redis-connection.js';
import type { Clock } from '../domain/clock.js';
import type { Logger } from '../observability/logger.js';
import type { ProjectRepository } from '../projects/projects.repository.js';
import { redisLiveAdapter, type LiveAdapter } from './redis-live-adapter.js';

export const LIVE_PATH = '/socket.io/';
/** Changes read from the log per step of the tail. */
const TAIL_BATCH = 500;
/** How long an actor's name is remembered for the events that carry it. */
const NAME_TTL_MS = 60_000;
const NAMES_MAX = 10_000;

export interface LiveOptions {
  changes: ChangeRepository;
  projects: ProjectRepository;
  users: UserRepository;
  accessTokens: AccessTokens;
  logger: Logger;
  clock: Clock;
  /** Pause between reads of the change log while it has nothing new. */
  pollMs: number;
  /** Sockets this instance holds at most, and per user. */
  maxConnections: number;
  maxPerUser: number;
  /** With Redis, the Socket.IO Redis adapter carries emits to a room beyond this instance (see toUser). */
  redis?: RedisClient | null;
}

interface SocketData {
  userId: string;
  expiry?: NodeJS.Timeout;
}

/** What a client may send: a fresh access token, answered with whether it was accepted. */
export interface ClientEvents {
  auth: (payload: { token?: unknown } | null, ack?: (answer: { ok: boolean }) => void) => void;
}
/** What the server sends: every change in the socket's projects, token expiry, and a shutdown hint. */
export interface ServerEvents {
  change: (change: Change) => void;
  /** A notification for the socket's user, just stored. */
  notification: (notification: Notification) => void;
  expired: () => void;
  shutdown: (hint: { reconnect: boolean }) => void;
}

type LiveServer = Server<ClientEvents, ServerEvents, Record<string, never>, SocketData>;
type LiveSocket = Socket<ClientEvents, ServerEvents, Record<string, never>, SocketData>;

const projectRoom = (projectId: string) => `project:${projectId}`;
const userRoom = (userId: string) => `user:${userId}`;

/**
 * Live delivery over Socket.IO (WebSocket transport only). Every instance follows the change log
 * in the store from its newest position and hands each change to its own sockets in the rooms of
 * the projects it concerns (and of the users it is addressed to). Following the log rather than
 * publishing from the writer keeps delivery in commit order on every instance, exactly once per
 * socket, and independent of Redis; a membership change is applied to an instance's sockets
 * before any later change is delivered there, so a removed member never receives what follows.
 */
export class LiveHub {
  private io: LiveServer | null = null;
  private adapter: LiveAdapter | null = null;
  private position = 0;
  private tail: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly perUser = new Map<string, number>();
  private readonly names = new Map<string, { name: string; until: number }>();
  private failing = false;
  /** When the tail last read the change log (ms since the epoch), or when it started. */
  private lastRead = Date.now();
  private deliveredCount = 0;

  constructor(private readonly options: LiveOptions) {}

  /** Serves `/socket.io/` on the HTTP server and starts following the log from its newest change. */
  async attach(server: HttpServer): Promise<void> {
    this.position = (await this.options.changes.bounds()).head;
    this.lastRead = Date.now();
    this.adapter = this.options.redis ? redisLiveAdapter(this.options.redis, this.options.logger) : null;
    const io: LiveServer = new Server(server, {
      ...(this.adapter === null ? {} : { adapter: this.adapter.adapter }),
      path: LIVE_PATH,
      transports: ['websocket'],
      serveClient: false,
      maxHttpBufferSize: 16 * 1024,
      pingInterval: 25_000,
      pingTimeout: 20_000,
    });
    io.use((socket, next) => {
      const refusal = this.admit(socket);
      next(refusal === null ? undefined : new Error(refusal));
    });
    io.on('connection', (socket) => {
      void this.connected(socket);
    });
    this.io = io;
    this.schedule(0);
  }

  /** Changes read from the log and handed to this instance's sockets since it started. */
  delivered(): number {
    return this.deliveredCount;
  }

  /** Seconds since the tail last read the change log: it grows only while the store cannot be read. */
  tailAgeSeconds(): number {
    return this.io === null ? 0 : (Date.now() - this.lastRead) / 1000;
  }

  /** Sockets connected to this instance. */
  connections(): number {
    return this.io?.engine.clientsCount ?? 0;
  }

  /**
   * Stops following the log and closes every socket with a reconnect hint (`shutdown`), leaving the
   * HTTP server to the caller.
   */
  async close(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.tail);
    const io = this.io;
    if (io === null) return;
    io.local.emit('shutdown', { reconnect: true });
    for (const socket of await io.local.fetchSockets()) clearTimeout(socket.data.expiry);
    io.local.disconnectSockets(true);
    io.engine.close();
    this.io = null;
    await this.adapter?.close();
    this.adapter = null;
  }

  /**
   * Sends a notification to the user's sockets: on every instance when the Redis adapter is in
   * place (a worker's emitter reaches the same room), else on this one.
   */
  notify(userId: string, notification: Notification): void {
    this.io?.to(userRoom(userId)).emit('notification', notification);
  }

  /** Checks the handshake's token and the limits; answers why a socket is refused, or null. */
  private admit(socket: LiveSocket): string | null {
    const token: unknown = socket.handshake.auth.token;
    const check = typeof token === 'string' ? this.options.accessTokens.verify(token) : null;
    if (check === null || !check.ok) return 'unauthorized';
    if (this.connections() >= this.options.maxConnections) return 'too many connections';
    if ((this.perUser.get(check.userId) ?? 0) >= this.options.maxPerUser) return 'too many connections';
    socket.data.userId = check.userId;
    this.expireAt(socket, check.expiresAt);
    return null;
  }

  private async connected(socket: LiveSocket): Promise<void> {
    const { userId } = socket.data;
    this.perUser.set(userId, (this.perUser.get(userId) ?? 0) + 1);
    socket.on('disconnect', () => {
      clearTimeout(socket.data.expiry);
      const left = (this.perUser.get(userId) ?? 1) - 1;
      if (left > 0) this.perUser.set(userId, left);
      else this.perUser.delete(userId);
    });
    // A fresh token (the client refreshed it) renews the subscription of the same user.
    socket.on('auth', (payload, ack) => {
      const token: unknown = typeof payload === 'object' && payload !== null ? payload.token : null;
      const check = typeof token === 'string' ? this.options.accessTokens.verify(token) : null;
      const ok = check !== null && check.ok && check.userId === userId;
      if (ok) {
        this.expireAt(socket, check.expiresAt);
        void this.subscribe(socket);
      }
      if (typeof ack === 'function') ack({ ok });
    });
    await this.subscribe(socket);
  }

  /** Joins the user's room and one room per project they are a member of now. */
  private async subscribe(socket: LiveSocket): Promise<void> {
    const { userId } = socket.data;
    try {
      // A membership change the tail applies while this read is in flight could be missed by the
      // rooms joined below; reading again until the tail has not moved meanwhile closes that gap.
      for (let attempt = 0; attempt < 3; attempt += 1) {
        const seen = this.position;
        const memberships = await this.options.projects.membershipsOf(userId);
        const rooms = new Set([userRoom(userId), ...memberships.map((m) => projectRoom(m.projectId))]);
        for (const room of socket.rooms) if (room !== socket.id && !rooms.has(room)) void socket.leave(room);
        void socket.join([...rooms]);
        if (this.position === seen) return;
      }
    } catch (error) {
      this.options.logger.warn('live: could not read a socket’s memberships; closing it so the client retries', {
        error: error instanceof Error ? error.message : String(error),
      });
      socket.disconnect(true);
    }
  }

  /** When the token expires, the socket leaves every room until it sends a fresh one. */
  private expireAt(socket: LiveSocket, expiresAt: Date): void {
    clearTimeout(socket.data.expiry);
    const delay = Math.max(0, expiresAt.getTime() - this.options.clock().getTime());
    socket.data.expiry = setTimeout(() => {
      for (const room of socket.rooms) if (room !== socket.id) void socket.leave(room);
      socket.emit('expired');
    }, delay);
    socket.data.expiry.unref();
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.tail = setTimeout(() => void this.follow(), delayMs);
    this.tail.unref();
  }

  /** One step of the tail: deliver what the log holds after the position, then wait or go on. */
  private async follow(): Promise<void> {
    let next = this.options.pollMs;
    try {
      const changes = await this.options.changes.after(this.position, TAIL_BATCH);
      for (const change of changes) {
        await this.deliver(change);
        this.position = change.seq;
      }
      this.lastRead = Date.now();
      if (changes.length === TAIL_BATCH) next = 0;
      if (this.failing) this.options.logger.info('live: following the change log again');
      this.failing = false;
    } catch (error) {
      if (!this.failing) {
        this.options.logger.warn('live: cannot read the change log; delivery resumes when the store answers', {
          error: error instanceof Error ? error.message : String(error),
        });
      }
      this.failing = true;
      next = this.options.pollMs * 8;
    }
    this.schedule(next);
  }

  private async deliver(change: ChangeRecord): Promise<void> {
    const io = this.io;
    if (io === null) return;
    const project = projectRoom(change.projectId);
    // A new member's sockets join first, so they receive their own arrival.
    // Every instance follows the log itself: each change goes to this instance's sockets only.
    const local = io.local;
    if (change.type === 'member.added') local.in(userRoom(change.entityId)).socketsJoin(project);
    // A project's creator is its first member: their open sockets follow it from its first change.
    if (change.type === 'project.created') local.in(userRoom(change.actorId)).socketsJoin(project);
    const rooms = [project, ...change.recipients.map(userRoom)];
    if (change.alsoProjectId !== null) rooms.push(projectRoom(change.alsoProjectId));
    const event = toChange({ ...change, actorName: await this.nameOf(change.actorId) });
    local.to(rooms).emit('change', event);
    this.deliveredCount += 1;
    if (change.type === 'member.removed') local.in(userRoom(change.entityId)).socketsLeave(project);
    if (change.type === 'project.deleted') local.in(project).socketsLeave(project);
  }

  private async nameOf(userId: string): Promise<string> {
    const now = Date.now();
    const known = this.names.get(userId);
    if (known !== undefined && known.until > now) return known.name;
    const name = (await this.options.users.findById(userId))?.name ?? '';
    if (this.names.size >= NAMES_MAX) this.names.clear();
    this.names.set(userId, { name, until: now + NAME_TTL_MS });
    return name;
  }
}
