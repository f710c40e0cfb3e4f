import type { RecurrenceFrom, Task, TaskPriority, TaskStatus } from '@primo/api/contract/wire';

/** The task form's fields as typed, before they become an API body. */
export interface TaskFormValues {
  projectId: string;
  /** A member's user id, or '' for nobody. */
  assigneeId: string;
  title: string;
  description: string;
  status: TaskStatus;
  priority: TaskPriority;
  date: string;
  time: string;
  tags: string;
  remindDate: string;
  remindTime: string;
  /** An RRULE, or '' for a task that does not repeat. */
  repeat: string;
  repeatFrom: RecurrenceFrom;
}

export interface TaskDraft {
  userId: string;
  /** The task being edited, or null for a new one. */
  base: Task | null;
  values: TaskFormValues;
}

const KEY = 'primo:task-draft';

// Unsaved form input survives the one failure a form cannot ride out in place: the session ending
// and sign-in taking over the page. It lives in sessionStorage (this tab only) and is keyed by user.

export function saveDraft(draft: TaskDraft): void {
  try {
    sessionStorage.setItem(KEY, JSON.stringify(draft));
  } catch {
    // Storage full or disabled: the draft is a convenience, never a requirement.
  }
}

export function loadDraft(userId: string): TaskDraft | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    const draft = raw ? (JSON.parse(raw) as TaskDraft) : null;
    return draft && draft.userId === userId ? draft : null;
  } catch {
    return null;
  }
}

export function clearDraft(): void {
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    // Nothing stored, nothing to clear.
  }
}
