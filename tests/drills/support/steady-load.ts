import { jsonOf, percentileOf } from '../../../bench/lib/http-client.js';
import type { DrillUser } from './stack.js';

export type OperationName = 'list' | 'create' | 'get';

/** One request the load sent, with what came back. */
export interface Sample {
  /** Milliseconds since the load started, when the request was sent. */
  at: number;
  user: number;
  op: OperationName;
  method: string;
  path: string;
  /** 0 when no HTTP answer arrived. */
  status: number;
  ms: number;
  error?: string;
  contentType?: string;
  cache?: string;
  retryAfter?: string;
  /** nginx's X-Upstream: every backend address tried, the one that answered last. */
  upstream: string[];
  body: string;
  /** For creates: the unique title sent, and the id answered with a 201. */
  title?: string;
  id?: string;
}

interface UserState {
  created: string[];
  counter: number;
}

/**
 * Every user runs the plan in a loop, one request at a time, pausing between requests so no single
 * client address exceeds nginx's per-IP budget (20 requests/s). Stops when `stop()` is called.
 */
export class SteadyLoad {
  readonly samples: Sample[] = [];
  private running = false;
  private loops: Promise<void>[] = [];
  private startedAt = 0;
  private readonly states = new Map<number, UserState>();

  constructor(
    private readonly users: readonly DrillUser[],
    private readonly plan: readonly OperationName[],
    private readonly options: { label: string; pauseMs?: number; timeoutMs?: number },
  ) {}

  /** Milliseconds since start(). */
  now(): number {
    return performance.now() - this.startedAt;
  }

  start(): void {
    this.running = true;
    this.startedAt = performance.now();
    this.loops = this.users.map((user) => this.loop(user));
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  /** Samples sent in [from, to) milliseconds after start. */
  between(from: number, to = Infinity): Sample[] {
    return this.samples.filter((sample) => sample.at >= from && sample.at < to);
  }

  private async loop(user: DrillUser): Promise<void> {
    const state: UserState = { created: [], counter: 0 };
    this.states.set(user.index, state);
    for (let step = 0; this.running; step += 1) {
      const op = this.plan[step % this.plan.length] as OperationName;
      this.samples.push(await this.send(user, state, op));
      await new Promise((resolve) => setTimeout(resolve, this.options.pauseMs ?? 60));
    }
  }

  private async send(user: DrillUser, state: UserState, op: OperationName): Promise<Sample> {
    const at = this.now();
    const timeoutMs = this.options.timeoutMs ?? 15_000;
    let method = 'GET';
    let path = '/api/v1/tasks';
    let title: string | undefined;
    let body: unknown;
    const known = state.created.at(-1 - (state.counter % Math.max(1, Math.min(5, state.created.length))));
    if (op === 'create') {
      method = 'POST';
      state.counter += 1;
      title = `${this.options.label} u${user.index} n${state.counter}`;
      body = { title, tags: ['drill', `u${user.index}`], priority: 'high' };
    } else if (op === 'get' && known !== undefined) {
      path = `/api/v1/tasks/${known}`;
    }
    const reply = await user.client.request(method, path, { body, headers: user.auth, timeoutMs });
    const sample: Sample = {
      at,
      user: user.index,
      op,
      method,
      path,
      status: reply.status,
      ms: reply.ms,
      body: reply.body,
      upstream:
        typeof reply.headers['x-upstream'] === 'string'
          ? reply.headers['x-upstream'].split(/\s*,\s*/).filter((part) => part !== '')
          : [],
      ...(reply.error !== undefined ? { error: reply.error } : {}),
      ...(typeof reply.headers['content-type'] === 'string' ? { contentType: reply.headers['content-type'] } : {}),
      ...(typeof reply.headers['x-cache'] === 'string' ? { cache: reply.headers['x-cache'] } : {}),
      ...(typeof reply.headers['retry-after'] === 'string' ? { retryAfter: reply.headers['retry-after'] } : {}),
      ...(title !== undefined ? { title } : {}),
    };
    if (op === 'create' && reply.status === 201) {
      const id = jsonOf<{ id?: string }>(reply)?.id;
      if (id !== undefined) {
        sample.id = id;
        state.created.push(id);
      }
    }
    return sample;
  }
}

/** A short, readable account of failed samples for assertion messages. */
export function describeSamples(samples: readonly Sample[], limit = 8): string {
  return samples
    .slice(0, limit)
    .map(
      (s) =>
        `${s.method} ${s.path} → ${s.status}${s.error ? ` (${s.error})` : ''} after ${s.ms.toFixed(0)} ms at t=${s.at.toFixed(0)} ms: ${s.body.slice(0, 160)}`,
    )
    .join('\n');
}

export function p99(samples: readonly Sample[]): number {
  return percentileOf(
    samples.map((s) => s.ms),
    99,
  );
}

interface TaskBody {
  id: string;
  title: string;
  tags: string[];
}

/** Every task of the user, walking all pages through the API. */
export async function allTasks(user: DrillUser): Promise<TaskBody[]> {
  const tasks: TaskBody[] = [];
  let cursor: string | null = null;
  do {
    const path: string = `/api/v1/tasks?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const reply = await user.client.request('GET', path, { headers: user.auth });
    if (reply.status !== 200) throw new Error(`listing ${user.email} answered ${reply.status}: ${reply.body}`);
    const page = jsonOf<{ data: TaskBody[]; nextCursor: string | null }>(reply);
    if (page === undefined) throw new Error(`listing ${user.email} answered no JSON`);
    tasks.push(...page.data);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return tasks;
}

export interface WriteAudit {
  /** Creates answered 201 whose task is missing or different afterwards. */
  lost: string[];
  /** Titles stored more than once. */
  duplicated: string[];
  /** Creates that did not get a 201 but whose task exists (the answer was lost, the write was not). */
  storedWithoutAnswer: string[];
  stored: number;
}

/** Compares what the creates were told with what the store holds afterwards. */
export async function auditCreates(users: readonly DrillUser[], samples: readonly Sample[]): Promise<WriteAudit> {
  const audit: WriteAudit = { lost: [], duplicated: [], storedWithoutAnswer: [], stored: 0 };
  for (const user of users) {
    const tasks = await allTasks(user);
    audit.stored += tasks.length;
    const byTitle = new Map<string, TaskBody[]>();
    for (const task of tasks) byTitle.set(task.title, [...(byTitle.get(task.title) ?? []), task]);
    for (const [title, copies] of byTitle) if (copies.length > 1) audit.duplicated.push(title);
    for (const sample of samples) {
      if (sample.user !== user.index || sample.op !== 'create' || sample.title === undefined) continue;
      const stored = byTitle.get(sample.title);
      if (sample.status === 201) {
        if (stored?.length !== 1 || stored[0]?.id !== sample.id) audit.lost.push(sample.title);
      } else if (stored !== undefined) {
        audit.storedWithoutAnswer.push(`${sample.title} (${sample.status})`);
      }
    }
  }
  return audit;
}

/** One line for the test log: how many requests, which statuses, and latency, so a passing drill still shows its evidence. */
export function summaryLine(label: string, samples: readonly Sample[], extra = ''): string {
  const statuses = new Map<number, number>();
  for (const sample of samples) statuses.set(sample.status, (statuses.get(sample.status) ?? 0) + 1);
  const counts = [...statuses]
    .sort(([a], [b]) => a - b)
    .map(([status, n]) => `${status}×${n}`)
    .join(' ');
  const ms = samples.map((s) => s.ms);
  return (
    `[drill] ${label}: ${samples.length} requests (${counts}); p50 ${percentileOf(ms, 50).toFixed(1)} ms, ` +
    `p99 ${percentileOf(ms, 99).toFixed(1)} ms, max ${Math.max(0, ...ms).toFixed(0)} ms${extra ? `; ${extra}` : ''}`
  );
}
