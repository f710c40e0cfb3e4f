import type { CreateTaskInput, Task, TaskList, UpdateTaskInput } from '@primo/api/contract/wire';
import type { InfiniteData, Query, QueryClient } from '@tanstack/react-query';
import { get, update } from 'idb-keyval';
import { ApiError } from '../../lib/api-client';
import { describeError } from '../../lib/describe-error';
import { setPendingWrites, TEMPORARY_ID_PREFIX } from '../../lib/pending-writes';
import { TASKS_QUERY_ROOT } from '../../lib/query-roots';
import { rewrite, rewriteTasks } from '../live';
import {
  applyPatch,
  createTask,
  deleteTask,
  getTask,
  invalidateTaskViews,
  taskKeys,
  updateTask,
  type TaskFilters,
} from '../tasks';
import { closableStore } from './idb-store';

/** Waits before sending again after no answer or a server error, longest last. */
const RETRY_DELAYS_MS = [1000, 2000, 5000, 10_000, 30_000];
/** Writes on their way at once (each for a different task), so the round trips overlap. */
const SENDING_AT_ONCE = 4;
/** While the outbox sends, what it sent reaches the screens at most this often (not one render per write). */
const VIEW_UPDATE_MS = 250;
/** Back online but no live connection to catch up through: the outbox sends after this long anyway. */
const ONLINE_FALLBACK_MS = 5000;

/**
 * One change made while it could not reach the server. `version` is the version the change was made
 * on (sent as `If-Match`), or null for "the version the write before it leaves" (a second edit of the
 * same task, or an edit of a task created offline). `key` is the `Idempotency-Key`: a change sent
 * again after a lost answer is applied once.
 */
export type QueuedWrite =
  | { kind: 'create'; key: string; taskId: string; input: CreateTaskInput; queuedAt: string }
  | {
      kind: 'update';
      key: string;
      taskId: string;
      version: number | null;
      patch: UpdateTaskInput;
      /** The task as it was shown when the change was made: what "their" changes are told apart from. */
      before: Task;
      queuedAt: string;
    }
  | { kind: 'delete'; key: string; taskId: string; version: number | null; before: Task; queuedAt: string };

/** A queued change the server would not take as it was: it waits, with everything after it, for a choice. */
export type OutboxProblem =
  /** Someone else changed the task meanwhile; `theirs` is its version now. */
  | { kind: 'conflict'; write: Extract<QueuedWrite, { kind: 'update' | 'delete' }>; theirs: Task }
  /** The task was deleted meanwhile (or its project is gone for this person). */
  | { kind: 'gone'; write: Extract<QueuedWrite, { kind: 'update' }> }
  /** Refused for a reason that asking again will not change (a role taken away, say). */
  | { kind: 'refused'; write: QueuedWrite; message: string };

export interface OutboxState {
  writes: QueuedWrite[];
  problem: OutboxProblem | null;
  /** Temporary ids already replaced, with the server's id and the version the create returned. */
  created: Record<string, { id: string; version: number }>;
}

export type Resolution = 'mine' | 'theirs' | 'merge' | 'discard' | 'recreate';

const EMPTY: OutboxState = { writes: [], problem: null, created: {} };

let generation = 0;
const outboxStore = closableStore('primo-outbox', 'writes', () => {
  generation += 1;
  active?.close();
});

let active: Outbox | undefined;
/** Told whenever the open outbox or what it holds changes (the conflict dialog lives outside the app). */
const watchers = new Set<() => void>();

export function watchOutbox(listener: () => void): () => void {
  watchers.add(listener);
  return () => watchers.delete(listener);
}

function tellWatchers(): void {
  for (const watcher of watchers) watcher();
}

/**
 * The outbox of the signed-in person on this page (created on first use). `ready` is what sending
 * waits for first: the live connection's catch-up from `/changes`, so the screens hold the latest
 * versions when a conflict is shown.
 */
export function openOutbox(client: QueryClient, userId: string, ready?: () => Promise<void>): Outbox {
  if (active?.matches(client, userId) !== true) {
    active?.close();
    active = new Outbox(client, userId);
    tellWatchers();
  }
  if (ready) active.ready = ready;
  return active;
}

/** The open outbox, for the screens outside the app's tree (the conflict dialog). */
export function currentOutbox(): Outbox | undefined {
  return active;
}

/** Values compared as the API writes them (tag lists, recurrences). */
const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** The fields a queued edit changes that the other side changed differently since the edit was made. */
export function collidingFields(write: Extract<QueuedWrite, { kind: 'update' }>, theirs: Task): string[] {
  const before = write.before as unknown as Record<string, unknown>;
  const now = theirs as unknown as Record<string, unknown>;
  return Object.entries(write.patch)
    .filter(([field, mine]) => !same(now[field], before[field]) && !same(now[field], mine))
    .map(([field]) => field);
}

/** A task as the screens should show it with a queued edit applied (the server's answer replaces it). */
function withPatch(task: Task, patch: UpdateTaskInput): Task {
  const next: Record<string, unknown> = { ...applyPatch(task, patch) };
  for (const field of ['projectId', 'assigneeId', 'remindAt', 'recurrence'] as const) {
    if (patch[field] !== undefined) next[field] = patch[field];
  }
  return next as unknown as Task;
}

function matchesList(task: Task, filters: TaskFilters, userId: string): boolean {
  const text = filters.q.toLowerCase();
  return (
    (!filters.project || task.projectId === filters.project) &&
    (!filters.assignee || task.assigneeId === userId) &&
    (filters.status.length === 0 || filters.status.includes(task.status)) &&
    (filters.priority.length === 0 || filters.priority.includes(task.priority)) &&
    (!filters.tag || task.tags.includes(filters.tag)) &&
    (!text || `${task.title} ${task.description}`.toLowerCase().includes(text))
  );
}

function isListKey(key: readonly unknown[]): key is readonly ['tasks', 'list', TaskFilters] {
  return key[0] === TASKS_QUERY_ROOT[0] && key[1] === 'list' && typeof key[2] === 'object' && key[2] !== null;
}

function isTransient(error: unknown): boolean {
  // 409: the first request with this key is still being answered; 429: asked to wait.
  return !(error instanceof ApiError) || error.isTransient || error.status === 409 || error.status === 429;
}

/**
 * Changes made while the server cannot be reached, kept in IndexedDB (they survive a reload and a
 * closed tab) and sent once the connection is back, after the live connection has caught up: in the
 * order they were made, each task's strictly so, with up to `SENDING_AT_ONCE` tasks' on their way. Until then the screens show them, marked as not synced. A change the
 * server refuses (someone else changed the task, say) stops the queue and waits for the person's
 * choice; nothing is dropped without one.
 */
export class Outbox {
  state: OutboxState = EMPTY;
  /** Resolves once the saved outbox has been read. */
  readonly loaded: Promise<void>;
  ready: () => Promise<void> = () => Promise.resolve();
  private readonly generation = generation;
  private sending: Promise<void> | null = null;
  private readonly sendingKeys = new Set<string>();
  private retries = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private onlineTimer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  /** Sent tasks not yet on screen (by the id they were queued under), and when they will be. */
  private readonly sentTasks = new Map<string, Task>();
  /** Edits made to the queue in memory and not yet stored (they go with the next stored change). */
  private readonly unsaved: Array<(state: OutboxState) => OutboxState> = [];
  private viewTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly unsubscribeCache: () => void;

  constructor(
    readonly client: QueryClient,
    private readonly userId: string,
  ) {
    this.loaded = this.read().then(() => this.showEverywhere());
    // A list or task the server just answered with gets this device's unsent changes laid over it.
    this.unsubscribeCache = client.getQueryCache().subscribe((event) => {
      const fetched = event.type === 'updated' && event.action.type === 'success' && event.action.manual !== true;
      if (fetched || event.type === 'added') this.show(event.query);
    });
    window.addEventListener('online', this.online);
  }

  matches(client: QueryClient, userId: string): boolean {
    return !this.closed && client === this.client && userId === this.userId;
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.onlineTimer);
    clearTimeout(this.viewTimer);
    window.removeEventListener('online', this.online);
    this.unsubscribeCache();
    setPendingWrites(new Set());
    if (active === this) active = undefined;
    tellWatchers();
  }

  /** Whether a change to this task must wait behind others (or no request can go out now). */
  mustQueue(taskId?: string): boolean {
    if (!navigator.onLine) return true;
    if (taskId === undefined) return false;
    return taskId.startsWith(TEMPORARY_ID_PREFIX) || this.state.writes.some((write) => write.taskId === taskId);
  }

  /** The task's server id and version when it was created here and has been sent since. */
  resolve(task: Pick<Task, 'id' | 'version'>): Pick<Task, 'id' | 'version'> {
    return this.state.created[task.id] ?? task;
  }

  /** Queues a new task; answers the task as shown until the server's replaces it. */
  async queueCreate(input: CreateTaskInput, key: string): Promise<Task> {
    const taskId = `${TEMPORARY_ID_PREFIX}${key}`;
    await this.change((state) => ({
      ...state,
      writes: [...state.writes, { kind: 'create', key, taskId, input, queuedAt: new Date().toISOString() }],
    }));
    return this.draftOf(taskId) as Task;
  }

  /** Queues an edit made on `task` as shown; answers the task with it applied. */
  async queueUpdate(task: Task, patch: UpdateTaskInput, key: string): Promise<Task> {
    const { id, version } = this.resolve(task);
    await this.change((state) => ({
      ...state,
      writes: [
        ...state.writes,
        {
          kind: 'update',
          key,
          taskId: id,
          version: this.waitsBehind(state, id) ? null : version,
          patch,
          before: task,
          queuedAt: new Date().toISOString(),
        },
      ],
    }));
    return withPatch(task, patch);
  }

  /** Queues a deletion. A task that never reached the server is dropped here with its queued edits. */
  async queueDelete(task: Task, key: string): Promise<void> {
    const { id, version } = this.resolve(task);
    await this.change((state) => {
      const create = state.writes.find((write) => write.kind === 'create' && write.taskId === id);
      if (create !== undefined && !this.sendingKeys.has(create.key)) {
        return { ...state, writes: state.writes.filter((write) => write.taskId !== id) };
      }
      const write: QueuedWrite = {
        kind: 'delete',
        key,
        taskId: id,
        version: this.waitsBehind(state, id) ? null : version,
        before: task,
        queuedAt: new Date().toISOString(),
      };
      return { ...state, writes: [...state.writes, write] };
    });
    rewriteTasks(this.client, (cached) => (cached.id === task.id || cached.id === id ? null : cached));
  }

  /** Sends what is queued, in order, once the live connection has caught up. */
  flush(): Promise<void> {
    if (this.closed || !navigator.onLine) return Promise.resolve();
    this.sending ??= this.sendAll().finally(() => (this.sending = null));
    return this.sending;
  }

  /** Settles the problem at the head of the queue as the person chose, then sends the rest. */
  async settle(resolution: Resolution): Promise<void> {
    const problem = this.state.problem;
    if (problem === null) return;
    const { write } = problem;
    const theirs = problem.kind === 'conflict' ? problem.theirs : null;
    let next: QueuedWrite | null = null;
    if (resolution === 'mine' || resolution === 'merge') {
      if (theirs === null || write.kind === 'create') return;
      const patch =
        write.kind === 'update' && resolution === 'merge'
          ? Object.fromEntries(
              Object.entries(write.patch).filter(([field]) => !collidingFields(write, theirs).includes(field)),
            )
          : write.kind === 'update'
            ? write.patch
            : null;
      // A new key: the refused attempt's answer is what the old one replays.
      next = { ...write, key: crypto.randomUUID(), version: theirs.version, ...(patch && { patch }) };
      if (next.kind === 'update' && Object.keys(next.patch).length === 0) next = null;
    } else if (resolution === 'recreate' && problem.kind === 'gone') {
      const shown = withPatch(problem.write.before, problem.write.patch);
      const input: CreateTaskInput = {
        title: shown.title,
        description: shown.description,
        status: shown.status,
        priority: shown.priority,
        dueDate: shown.dueDate,
        tags: shown.tags,
        projectId: shown.projectId,
      };
      next = { kind: 'create', key: crypto.randomUUID(), taskId: write.taskId, input, queuedAt: write.queuedAt };
    }
    await this.change((state) => {
      const rest = state.writes.filter((queued) => queued.key !== write.key);
      if (next !== null) {
        const settled = next;
        return {
          ...state,
          problem: null,
          writes: state.writes.map((queued) => (queued.key === write.key ? settled : queued)),
        };
      }
      // Dropped: a task that never reached the server takes its queued edits with it; the next edit
      // of a task applies to the version the server has now.
      const dropped = write.kind === 'create' || problem.kind === 'gone' ? write.taskId : null;
      const writes = rest
        .filter((later) => later.taskId !== dropped)
        .map((later, index, all) =>
          theirs !== null &&
          later.taskId === write.taskId &&
          later.kind !== 'create' &&
          later.version === null &&
          all.findIndex((other) => other.taskId === write.taskId) === index
            ? { ...later, version: theirs.version }
            : later,
        );
      return { ...state, problem: null, writes };
    });
    if (next === null) {
      if (theirs !== null) this.replaceEverywhere(write.taskId, theirs);
      else if (write.kind === 'create' || problem.kind === 'gone') {
        rewriteTasks(this.client, (task) => (task.id === write.taskId ? null : task));
      }
      void invalidateTaskViews(this.client);
    }
    void this.flush();
  }

  /** What the screens show for a queued change: every cached view of the tasks it touches. */
  private showEverywhere(): void {
    for (const query of this.client.getQueryCache().findAll({ queryKey: TASKS_QUERY_ROOT })) this.show(query);
  }

  private show(query: Query): void {
    if (this.state.writes.length === 0 || query.queryKey[0] !== TASKS_QUERY_ROOT[0]) return;
    const data: unknown = query.state.data;
    if (data === undefined) return;
    let next = rewrite(data, (task) => this.shown(task)) ?? data;
    if (isListKey(query.queryKey)) next = this.withCreated(next as InfiniteData<TaskList>, query.queryKey[2]);
    if (next !== data) this.client.setQueryData(query.queryKey, next);
  }

  /** A task with this device's queued edits applied, or null when a deletion of it is queued. */
  private shown(task: Task): Task | null {
    let shown: Task | null = task;
    for (const write of this.state.writes) {
      if (write.taskId !== task.id || shown === null) continue;
      if (write.kind === 'delete') shown = null;
      else if (write.kind === 'update') shown = withPatch(shown, write.patch);
    }
    return shown !== null && JSON.stringify(shown) === JSON.stringify(task) ? task : shown;
  }

  /** A list with the tasks created here on top of its first page, where its filters would show them. */
  private withCreated(data: InfiniteData<TaskList>, filters: TaskFilters): InfiniteData<TaskList> {
    const [first, ...rest] = data.pages;
    if (first === undefined) return data;
    const held = new Set(data.pages.flatMap((page) => page.data.map((task) => task.id)));
    const created = this.state.writes
      .filter((write) => write.kind === 'create' && !held.has(write.taskId))
      .map((write) => this.draftOf(write.taskId))
      .filter((task): task is Task => task !== null && matchesList(task, filters, this.userId));
    return created.length === 0 ? data : { ...data, pages: [{ ...first, data: [...created, ...first.data] }, ...rest] };
  }

  /** A task created here as the screens show it: its input with the server's defaults, and edits since. */
  private draftOf(taskId: string): Task | null {
    const create = this.state.writes.find((write) => write.kind === 'create' && write.taskId === taskId);
    if (create?.kind !== 'create') return null;
    const { input } = create;
    const task: Task = {
      id: taskId,
      projectId: input.projectId ?? this.userId,
      assigneeId: input.assigneeId ?? null,
      createdBy: this.userId,
      title: input.title.trim(),
      description: input.description ?? '',
      status: input.status ?? 'todo',
      priority: input.priority ?? 'medium',
      dueDate: input.dueDate ?? null,
      tags: (input.tags ?? []).map((tag) => tag.trim().toLowerCase()),
      createdAt: create.queuedAt,
      updatedAt: create.queuedAt,
      completedAt: input.status === 'done' ? create.queuedAt : null,
      version: 0,
      position: '',
      remindAt: input.remindAt ?? null,
      recurrence: input.recurrence ?? null,
    };
    return this.shown(task);
  }

  private waitsBehind(state: OutboxState, taskId: string): boolean {
    return state.writes.some((write) => write.taskId === taskId);
  }

  private key(): string {
    return `outbox:${this.userId}`;
  }

  private async read(): Promise<void> {
    if (typeof indexedDB === 'undefined') return;
    const saved = (await get<OutboxState>(this.key(), outboxStore())) ?? EMPTY;
    this.state = this.unsaved.reduce((state, edit) => edit(state), saved);
    this.announce();
  }

  /**
   * Changes the saved outbox in one transaction (another tab may change it too) and shows the result;
   * a `quiet` change leaves showing it to `showSent`.
   */
  private async change(edit: (state: OutboxState) => OutboxState, quiet = false): Promise<void> {
    if (this.closed || this.generation !== generation) throw new Error('Signed out: the change was not kept.');
    const edits = [...this.unsaved.splice(0), edit];
    const apply = (state: OutboxState) => edits.reduce((current, next) => next(current), state);
    if (typeof indexedDB === 'undefined') {
      this.state = apply(this.state);
    } else {
      let next = this.state;
      await update<OutboxState>(this.key(), (saved) => (next = apply(saved ?? EMPTY)), outboxStore());
      // Writes sent while this was being stored are off the queue in memory already.
      this.state = this.unsaved.reduce((state, later) => later(state), next);
    }
    if (quiet) return;
    this.announce();
    this.showEverywhere();
  }

  private announce(): void {
    const ids = new Set(this.state.writes.map((write) => write.taskId));
    setPendingWrites(ids);
    if (active === this) tellWatchers();
  }

  private readonly online = () => {
    clearTimeout(this.onlineTimer);
    this.onlineTimer = setTimeout(() => void this.flush(), ONLINE_FALLBACK_MS);
  };

  private async sendAll(): Promise<void> {
    const run = async () => {
      await this.ready();
      await this.read();
      let sent = 0;
      let stop = false;
      const sending = new Map<string, Promise<void>>();
      try {
        for (;;) {
          const write = stop || this.state.problem !== null || this.closed ? undefined : this.nextToSend();
          if (write === undefined || !navigator.onLine) {
            if (sending.size === 0) return;
            await Promise.race(sending.values());
            continue;
          }
          sending.set(
            write.key,
            this.send(write).then((ok) => {
              sending.delete(write.key);
              if (ok) sent += 1;
              else stop = true;
            }),
          );
          if (sending.size >= SENDING_AT_ONCE) await Promise.race(sending.values());
        }
      } finally {
        // Lists, counts and order become the server's once, after the lot, not after every write.
        if (sent > 0) {
          await this.showSent();
          void invalidateTaskViews(this.client);
        }
      }
    };
    // One tab at a time sends a person's outbox; another tab's send would only be refused as in flight.
    const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
    await (locks ? locks.request(`primo-outbox:${this.userId}`, run) : run());
  }

  /**
   * The first queued write that may go now: in the queue's order, and never while an earlier write of
   * the same task is still on its way (a task's changes reach the server in the order they were made).
   */
  private nextToSend(): QueuedWrite | undefined {
    const waiting = new Set<string>();
    for (const write of this.state.writes) {
      if (this.sendingKeys.has(write.key)) waiting.add(write.taskId);
      else if (!waiting.has(write.taskId)) return write;
    }
    return undefined;
  }

  /** Sends one write; answers whether the next may follow. */
  private async send(write: QueuedWrite): Promise<boolean> {
    this.sendingKeys.add(write.key);
    try {
      const base = { id: write.taskId, version: write.kind === 'create' ? 0 : (write.version ?? 0) };
      if (write.kind === 'create') this.sent(write, await createTask(write.input, write.key));
      else if (write.kind === 'update') this.sent(write, await updateTask(base, write.patch, write.key));
      else {
        await deleteTask(base, { idempotencyKey: write.key }).catch((error: unknown) => {
          // Deleted meanwhile by someone else: what this change wanted is done.
          if (!(error instanceof ApiError && error.status === 404)) throw error;
        });
        this.sent(write, null);
      }
      this.retries = 0;
      return true;
    } catch (error) {
      if (isTransient(error)) {
        this.retryLater();
        return false;
      }
      await this.stopAt(write, error);
      return false;
    } finally {
      this.sendingKeys.delete(write.key);
    }
  }

  /** The server took the write: it leaves the queue and the server's task replaces the shown one. */
  private sent(write: QueuedWrite, task: Task | null): void {
    const edit = (state: OutboxState): OutboxState => {
      const rest = state.writes.filter((queued) => queued.key !== write.key);
      let chained = false;
      const writes = rest.map((later) => {
        if (task === null || later.taskId !== write.taskId) return later;
        const next = { ...later, taskId: task.id };
        // The next change of this task was made on the version this one leaves.
        if (!chained && next.kind !== 'create' && next.version === null) next.version = task.version;
        chained = true;
        return next;
      });
      const created =
        write.kind === 'create' && task !== null
          ? { ...state.created, [write.taskId]: { id: task.id, version: task.version } }
          : state.created;
      return { ...state, writes, created };
    };
    // Taken off the queue here at once, and in IndexedDB with the next batch: should the page close
    // before that, the write is sent again with its key and the server answers with its first result.
    this.state = edit(this.state);
    this.unsaved.push(edit);
    if (task !== null) this.sentTasks.set(write.taskId, task);
    this.viewTimer ??= setTimeout(() => void this.showSent(), VIEW_UPDATE_MS);
  }

  /** What was sent since the last time: stored, and the server's versions on screen, in one go. */
  private async showSent(): Promise<void> {
    clearTimeout(this.viewTimer);
    this.viewTimer = undefined;
    for (const [taskId, task] of this.sentTasks) this.replaceEverywhere(taskId, task);
    this.sentTasks.clear();
    this.announce();
    if (this.unsaved.length > 0 && !this.closed) await this.change((state) => state, true);
  }

  private replaceEverywhere(taskId: string, task: Task): void {
    rewriteTasks(this.client, (cached) => (cached.id === taskId || cached.id === task.id ? this.shown(task) : cached));
    this.client.setQueryData(taskKeys.detail(task.id), task);
  }

  private async stopAt(write: QueuedWrite, error: unknown): Promise<void> {
    const status = error instanceof ApiError ? error.status : 0;
    let problem: OutboxProblem;
    if (status === 412 && write.kind !== 'create') {
      try {
        problem = { kind: 'conflict', write, theirs: await getTask(write.taskId) };
      } catch (reading) {
        if (isTransient(reading)) return this.retryLater();
        problem =
          write.kind === 'update'
            ? { kind: 'gone', write }
            : { kind: 'refused', write, message: describeError(reading) };
      }
    } else if (status === 404 && write.kind === 'update') {
      problem = { kind: 'gone', write };
    } else {
      problem = { kind: 'refused', write, message: describeError(error) };
    }
    // One problem at a time: another write refused meanwhile stays queued and comes up again after.
    await this.change((state) => (state.problem === null ? { ...state, problem } : state));
  }

  private retryLater(): void {
    clearTimeout(this.retryTimer);
    const delay = RETRY_DELAYS_MS[Math.min(this.retries, RETRY_DELAYS_MS.length - 1)] ?? 0;
    this.retries += 1;
    this.retryTimer = setTimeout(() => void this.flush(), delay);
  }
}
