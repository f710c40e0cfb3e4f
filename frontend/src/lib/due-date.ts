import type { Task } from '@primo/api/contract/wire';

export type DueState = 'overdue' | 'today' | 'upcoming' | 'none';

function sameLocalDay(a: Date, b: Date): boolean {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}

/** Whether an open task is past due, due later today, or neither; finished tasks are never urgent. */
export function dueState(task: Pick<Task, 'dueDate' | 'status'>, now: Date = new Date()): DueState {
  if (!task.dueDate || task.status === 'done') return 'none';
  const due = new Date(task.dueDate);
  if (due.getTime() < now.getTime()) return 'overdue';
  return sameLocalDay(due, now) ? 'today' : 'upcoming';
}

const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function formatDue(iso: string): string {
  return dateTimeFormat.format(new Date(iso));
}
