import { entityEtag, type Page } from '../contract/wire.js';
import { encodeCursor } from './task-query.js';
import type { TaskPage, TaskRecord, TaskSort } from './tasks.repository.js';
import type { Task } from './tasks.schemas.js';

/** The strong ETag of one task version. */
export function taskEtag(task: Pick<TaskRecord, 'id' | 'version'>): string {
  return entityEtag(task);
}

/** A task as the API sends it: dates as ISO strings. */
export function toTask(record: TaskRecord): Task {
  return {
    id: record.id,
    projectId: record.projectId,
    assigneeId: record.assigneeId,
    createdBy: record.createdBy,
    title: record.title,
    description: record.description,
    status: record.status,
    priority: record.priority,
    dueDate: record.dueDate?.toISOString() ?? null,
    tags: record.tags,
    createdAt: record.createdAt.toISOString(),
    updatedAt: record.updatedAt.toISOString(),
    completedAt: record.completedAt?.toISOString() ?? null,
    version: record.version,
    position: record.position,
    remindAt: record.remindAt?.toISOString() ?? null,
    recurrence: record.recurrence === null ? null : { ...record.recurrence },
  };
}

/** A page of tasks as the API sends it, with the opaque cursor of the next page. */
export function toTaskList(page: TaskPage, sort: TaskSort): Page<Task> {
  return {
    data: page.items.map(toTask),
    nextCursor: page.next === null ? null : encodeCursor(sort, page.next),
  };
}
