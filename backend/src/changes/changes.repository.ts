import type { ChangeRecord } from './change.model.js';

/**
 * Storage port for reading the change log. Changes are appended by the task, project and
 * membership writes themselves, inside their transactions, so no write commits without its change.
 */
export interface ChangeRepository {
  /**
   * Changes after `since`, oldest first: those in `projectIds` (or moved out of one of them) and
   * those addressed to `userId` (their removal from a project, the deletion of a project they were in).
   */
  listFor(userId: string, projectIds: readonly string[], since: number, limit: number): Promise<ChangeRecord[]>;
  /** Every change after `since`, oldest first, whoever sees it: what live delivery follows. */
  after(since: number, limit: number): Promise<ChangeRecord[]>;
  /** One task's changes, newest first, before `before` when given. */
  forTask(taskId: string, options: { before?: number; limit: number }): Promise<ChangeRecord[]>;
  /** The newest position (0 before the first change) and the oldest change still kept (null: none). */
  bounds(): Promise<{ head: number; oldest: number | null }>;
  /** Deletes the changes recorded before `before`, oldest first; answers how many went. */
  prune(before: Date): Promise<number>;
}
