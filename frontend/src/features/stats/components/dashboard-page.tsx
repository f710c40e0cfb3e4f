import { TASK_PRIORITIES, TASK_STATUSES, type TaskPriority, type TaskStatus } from '@primo/api/contract/wire';
import { useQuery } from '@tanstack/react-query';
import { Link } from '../../../components/ui/links';
import { describeError } from '../../../lib/describe-error';
import { PRIORITY_LABELS, STATUS_LABELS } from '../../../lib/task-labels';
import { getStats, statsKey } from '../api/stats.api';
import { CompletedChart } from './completed-chart';

function Breakdown<K extends string>({
  title,
  keys,
  labels,
  counts,
  total,
  kind,
  filter,
}: {
  title: string;
  keys: readonly K[];
  labels: Record<K, string>;
  counts: Record<K, number>;
  total: number;
  kind: string;
  filter: string;
}) {
  return (
    <section className="card" aria-labelledby={`${kind}-heading`}>
      <h2 id={`${kind}-heading`}>{title}</h2>
      <ul className="breakdown">
        {keys.map((key) => (
          <li key={key}>
            <Link to={`/tasks?${filter}=${key}`} className="breakdown__label">
              {labels[key]}
            </Link>
            <span className="breakdown__track" aria-hidden="true">
              <span
                className="breakdown__bar"
                data-kind={kind}
                data-value={key}
                style={{ width: `${total ? (counts[key] / total) * 100 : 0}%` }}
              />
            </span>
            <span className="breakdown__count" data-testid={`${kind}-${key}`}>
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

  return (
    <>
      <div className="page-header">
        <h1>Dashboard</h1>
      </div>
      {stats.isPending ? (
        <p className="muted">Loading your numbers…</p>
      ) : stats.isError ? (
        <div className="panel panel--error" role="alert">
          <p>The dashboard could not be loaded. {describeError(stats.error)}</p>
          <button type="button" className="button" onClick={() => void stats.refetch()}>
            Retry
          </button>
        </div>
      ) : (
        <div className="dashboard">
          <dl className="stat-cards">
            <div className="stat-card">
              <dt>Total</dt>
              <dd data-testid="stat-total">{stats.data.total}</dd>
            </div>
            <div className="stat-card" data-due="overdue">
              <dt>Overdue</dt>
              <dd data-testid="stat-overdue">{stats.data.overdue}</dd>
            </div>
            <div className="stat-card" data-due="today">
              <dt>Due today</dt>
              <dd data-testid="stat-due-today">{stats.data.dueToday}</dd>
            </div>
            <div className="stat-card">
              <dt>Done</dt>
              <dd data-testid="stat-done">{stats.data.byStatus.done}</dd>
            </div>
          </dl>
          <Breakdown<TaskStatus>
            title="By status"
            keys={TASK_STATUSES}
            labels={STATUS_LABELS}
            counts={stats.data.byStatus}
            total={stats.data.total}
            kind="status"
            filter="status"
          />
          <Breakdown<TaskPriority>
            title="By priority"
            keys={TASK_PRIORITIES}
            labels={PRIORITY_LABELS}
            counts={stats.data.byPriority}
            total={stats.data.total}
            kind="priority"
            filter="priority"
          />
          <section className="card card--wide" aria-labelledby="completed-heading">
            <h2 id="completed-heading">Completed, last 14 days</h2>
            <CompletedChart days={stats.data.completedByDay} />
          </section>
        </div>
      )}
    </>
  );
}
