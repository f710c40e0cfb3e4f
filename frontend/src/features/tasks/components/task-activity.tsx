import type { ActivityList, Change, Member, TaskPriority, TaskStatus } from '@primo/api/contract/wire';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useId } from 'react';
import { Button } from '../../../components/ui/button';
import { apiRequest } from '../../../lib/api-client';
import { describeError } from '../../../lib/describe-error';
import { formatDue } from '../../../lib/due-date';
import { PRIORITY_LABELS, STATUS_LABELS } from '../../../lib/task-labels';
import { taskKeys } from '../api/tasks.api';

const PAGE = 20;

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
const STEPS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['second', 60],
  ['minute', 60],
  ['hour', 24],
  ['day', 7],
  ['week', 4.35],
  ['month', 12],
  ['year', Infinity],
];

/** "2 minutes ago", "yesterday": how long ago `at` was, in the largest unit that fits. */
export function timeAgo(at: string, now: number = Date.now()): string {
  let amount = (new Date(at).getTime() - now) / 1000;
  for (const [unit, size] of STEPS) {
    if (Math.abs(amount) < size || unit === 'year') {
      // Anything under ten seconds reads as "now": clocks differ a little.
      return unit === 'second' && Math.abs(amount) < 10
        ? relative.format(0, 'second')
        : relative.format(Math.round(amount), unit);
    }
    amount /= size;
  }
  return relative.format(Math.round(amount), 'year');
}

/** What one change did, as the rest of a sentence that starts with who made it. */
export function describeChange(change: Change, nameOf: (userId: string) => string): string {
  if (change.type === 'task.created') return 'created it';
  if (change.type === 'task.deleted') return 'deleted it';
  const parts = change.fields.map(({ field, to }) => {
    switch (field) {
      case 'status':
        return `moved it to ${STATUS_LABELS[to as TaskStatus] ?? String(to)}`;
      case 'title':
        return `renamed it to “${String(to)}”`;
      case 'priority':
        return `set the priority to ${PRIORITY_LABELS[to as TaskPriority] ?? String(to)}`;
      case 'dueDate':
        return to === null ? 'removed the due date' : `set the due date to ${formatDue(String(to))}`;
      case 'assigneeId':
        return to === null ? 'unassigned it' : `assigned it to ${nameOf(String(to))}`;
      case 'description':
        return 'changed the description';
      case 'tags':
        return Array.isArray(to) && to.length > 0
          ? `set the tags to ${to.map((tag) => `#${tag}`).join(' ')}`
          : 'removed the tags';
      case 'projectId':
        return 'moved it to another project';
      case 'position':
        return 'changed its place on the board';
      default:
        return `changed ${field}`;
    }
  });
  return parts.length === 0 ? 'changed it' : parts.join(', ');
}

function listActivity(taskId: string, cursor: string | null, signal: AbortSignal): Promise<ActivityList> {
  const params = new URLSearchParams({ limit: String(PAGE) });
  if (cursor) params.set('cursor', cursor);
  return apiRequest<ActivityList>(`/tasks/${encodeURIComponent(taskId)}/activity?${params}`, { signal });
}

interface TaskActivityProps {
  taskId: string;
  userId: string;
  /** The members of the task's project, to name assignees by. */
  members: readonly Member[] | undefined;
}

/**
 * A task's history, newest first: who changed what, and how long ago ("Bob moved it to Done,
 * 2 minutes ago"). It follows live changes with the rest of the task views.
 */
export function TaskActivity({ taskId, userId, members }: TaskActivityProps) {
  const headingId = useId();
  const activity = useInfiniteQuery({
    queryKey: [...taskKeys.detail(taskId), 'activity'],
    queryFn: ({ pageParam, signal }) => listActivity(taskId, pageParam, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });
  const nameOf = (id: string) =>
    id === userId ? 'you' : (members?.find((member) => member.user.id === id)?.user.name ?? 'a former member');
  const changes = activity.data?.pages.flatMap((page) => page.data) ?? [];

  return (
    <section aria-labelledby={headingId} className="mt-6 border-t border-border pt-4">
      <h3 id={headingId} className="mb-2 font-semibold">
        History
      </h3>
      {activity.isPending ? (
        <p className="text-sm text-muted">Loading the history…</p>
      ) : activity.isError && changes.length === 0 ? (
        <p className="text-sm" role="alert">
          The history could not be loaded. {describeError(activity.error)}
        </p>
      ) : changes.length === 0 ? (
        <p className="text-sm text-muted">No changes recorded yet.</p>
      ) : (
        <ol className="flex flex-col gap-1 text-sm">
          {changes.map((change) => (
            <li key={change.seq}>
              <span className="font-medium">{change.actor.id === userId ? 'You' : change.actor.name}</span>{' '}
              {describeChange(change, nameOf)},{' '}
              <time dateTime={change.at} title={new Date(change.at).toLocaleString()} className="text-muted">
                {timeAgo(change.at)}
              </time>
            </li>
          ))}
        </ol>
      )}
      {activity.hasNextPage && (
        <Button
          size="small"
          className="mt-2"
          onClick={() => void activity.fetchNextPage()}
          disabled={activity.isFetchingNextPage}
        >
          {activity.isFetchingNextPage ? 'Loading…' : 'Show earlier changes'}
        </Button>
      )}
    </section>
  );
}
