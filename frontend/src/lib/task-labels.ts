import type { TaskPriority, TaskStatus } from '@primo/api/contract/wire';

// Typed by the API's unions, so a value added to or removed from the backend's model breaks the
// type check here instead of silently missing from the UI. Shared by the task list and the dashboard.

export const STATUS_LABELS: Record<TaskStatus, string> = {
  todo: 'To do',
  in_progress: 'In progress',
  done: 'Done',
};

export const PRIORITY_LABELS: Record<TaskPriority, string> = {
  low: 'Low',
  medium: 'Medium',
  high: 'High',
  urgent: 'Urgent',
};
