import { TASK_PRIORITIES, TASK_STATUSES, type TaskPriority, type TaskStatus } from '@primo/api/contract/wire';
import { useQuery } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { Button } from '../../../components/ui/button';
import { Link } from '../../../components/ui/links';
import { ErrorPanel } from '../../../components/ui/panel';
import { describeError } from '../../../lib/describe-error';
import { useShortcuts } from '../../../lib/use-shortcuts';
import { PRIORITY_LABELS, STATUS_LABELS } from '../../../lib/task-labels';
import { getStats, statsKey } from '../api/stats.api';
import { CompletedChart } from './completed-chart';

const cardClass = 'rounded-md border border-border bg-surface p-4';
const cardHeadingClass = 'mb-3 leading-heading font-bold';

function StatCard({
  label,
  value,
  testId,
  tone = '',
}: {
  label: string;
  value: number;
  testId: string;
  tone?: string;
}) {
  return (
    <div className={cardClass}>
      <dt className="text-sm font-semibold text-muted">{label}</dt>
      <dd className={`text-2xl font-bold ${tone}`} data-testid={testId}>
        {value}
      </dd>
    </div>
  );
}

function Breakdown<K extends string>({
  title,
  keys,
  labels,
  counts,
  total,
  kind,
  filter,
  barTones,
}: {
  title: string;
  keys: readonly K[];
  labels: Record<K, string>;
  counts: Record<K, number>;
  total: number;
  kind: string;
  filter: string;
  /** The bar colour of values that have their own (others are the primary colour). */
  barTones: Partial<Record<K, string>>;
}) {
  return (
    <section className={`${cardClass} max-sm:col-span-full`} aria-labelledby={`${kind}-heading`}>
      <h2 id={`${kind}-heading`} className={cardHeadingClass}>
        {title}
      </h2>
      <ul className="grid gap-2">
        {keys.map((key) => (
          <li key={key} className="grid grid-cols-[7rem_1fr_2.5rem] items-center gap-3">
            <Link to={`/tasks?${filter}=${key}`} className="text-primary underline">
              {labels[key]}
            </Link>
            <span className="h-2.5 overflow-hidden rounded-full bg-surface-2" aria-hidden="true">
              <span
                className={`block h-full ${barTones[key] ?? 'bg-primary'}`}
                style={{ width: `${total ? (counts[key] / total) * 100 : 0}%` }}
              />
            </span>
            <span className="text-right font-semibold tabular-nums" data-testid={`${kind}-${key}`}>
              {counts[key]}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Counts by status and priority, what is overdue or due today, and two weeks of completions. */
export function DashboardPage() {
  const stats = useQuery({ queryKey: statsKey, queryFn: ({ signal }) => getStats(signal) });
  const navigate = useNavigate();
  // Quick add opens over the task list, where what it creates shows up.
  useShortcuts({ a: () => navigate('/tasks', { state: { quickAdd: true } }) });

  return (
    <>
      <h1 className="mb-2 text-xl font-bold">Dashboard</h1>
      <p className="mb-4 text-sm text-muted max-sm:hidden">
        Shortcut: <kbd className="rounded-xs border border-border bg-surface px-1 font-mono text-[0.85em]">a</kbd> quick
        add.
      </p>
      {stats.isPending ? (
        <p className="text-muted">Loading your numbers…</p>
      ) : stats.isError ? (
        <ErrorPanel>
          <p>The dashboard could not be loaded. {describeError(stats.error)}</p>
          <Button onClick={() => void stats.refetch()}>Retry</Button>
        </ErrorPanel>
      ) : (
        <div className="grid grid-cols-2 gap-4">
          <dl className="col-span-full grid grid-cols-4 gap-3 max-sm:grid-cols-2">
            <StatCard label="Total" value={stats.data.total} testId="stat-total" />
            <StatCard label="Overdue" value={stats.data.overdue} testId="stat-overdue" tone="text-danger" />
            <StatCard label="Due today" value={stats.data.dueToday} testId="stat-due-today" tone="text-warning" />
            <StatCard label="Done" value={stats.data.byStatus.done} testId="stat-done" />
          </dl>
          <Breakdown<TaskStatus>
            title="By status"
            keys={TASK_STATUSES}
            labels={STATUS_LABELS}
            counts={stats.data.byStatus}
            total={stats.data.total}
            kind="status"
            filter="status"
            barTones={{ done: 'bg-status-done' }}
          />
          <Breakdown<TaskPriority>
            title="By priority"
            keys={TASK_PRIORITIES}
            labels={PRIORITY_LABELS}
            counts={stats.data.byPriority}
            total={stats.data.total}
            kind="priority"
            filter="priority"
            barTones={{ high: 'bg-priority-high', urgent: 'bg-priority-urgent' }}
          />
          <section className={`${cardClass} col-span-full`} aria-labelledby="completed-heading">
            <h2 id="completed-heading" className={cardHeadingClass}>
              Completed, last 14 days
            </h2>
            <CompletedChart days={stats.data.completedByDay} />
          </section>
        </div>
      )}
    </>
  );
}
