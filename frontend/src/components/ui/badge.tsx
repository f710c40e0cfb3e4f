import type { ReactNode } from 'react';

export interface BadgeProps {
  /** The enum value the badge shows, as a data attribute its colour keys on (`data-priority="high"`). */
  status?: string;
  priority?: string;
  due?: string;
  children: ReactNode;
}

/** A small outlined label whose colour follows the value it names. */
export function Badge({ status, priority, due, children }: BadgeProps) {
  return (
    <span className="badge" data-status={status} data-priority={priority} data-due={due}>
      {children}
    </span>
  );
}
