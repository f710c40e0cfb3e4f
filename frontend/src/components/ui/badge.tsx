import type { ReactNode } from 'react';

export interface BadgeProps {
  /** The enum value the badge shows, also set as a data attribute (`data-priority="high"`). */
  status?: string;
  priority?: string;
  due?: string;
  children: ReactNode;
}

/** Each value's colour, from the design tokens (status, priority and due values never share a name). */
const tones: Record<string, string> = {
  todo: 'text-status-todo',
  in_progress: 'text-status-in-progress',
  done: 'text-status-done',
  low: 'text-priority-low',
  medium: 'text-priority-medium',
  high: 'text-priority-high',
  urgent: 'text-priority-urgent',
  overdue: 'bg-danger-bg text-danger',
  today: 'bg-warning-bg text-warning',
};

/** A small outlined label whose colour follows the value it names. */
export function Badge({ status, priority, due, children }: BadgeProps) {
  const value = status ?? priority ?? due ?? '';
  return (
    <span
      className={`inline-block rounded-full border border-current px-2 text-xs font-semibold ${tones[value] ?? ''}`}
      data-status={status}
      data-priority={priority}
      data-due={due}
    >
      {children}
    </span>
  );
}
