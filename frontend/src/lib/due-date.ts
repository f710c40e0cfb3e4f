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

const pad = (value: number) => String(value).padStart(2, '0');

/** Splits an ISO instant into the local `YYYY-MM-DD` and `HH:MM` values of date and time inputs. */
export function toLocalInputs(iso: string | null): { date: string; time: string } {
  if (!iso) return { date: '', time: '' };
  const at = new Date(iso);
  return {
    date: `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}`,
    time: `${pad(at.getHours())}:${pad(at.getMinutes())}`,
  };
}

/** Joins local date and time inputs into an ISO instant; a date without a time means the end of that day. */
export function fromLocalInputs(date: string, time: string): string | null {
  if (!date) return null;
  const [year, month, day] = date.split('-').map(Number);
  const [hours, minutes] = (time || '23:59').split(':').map(Number);
  const at = new Date(year ?? NaN, (month ?? NaN) - 1, day ?? NaN, hours ?? 0, minutes ?? 0);
  return Number.isNaN(at.getTime()) ? null : at.toISOString();
}

const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function formatDue(iso: string): string {
  return dateTimeFormat.format(new Date(iso));
}
