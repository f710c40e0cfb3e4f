// The tasks feature's public entry: what other features may use (the offline outbox sends task writes
// and shows them in the cached views). The app composes the screens directly.
export { applyPatch, invalidateTaskViews } from './api/task-cache';
export type { TaskFilters } from './api/task-filters';
export { createTask, deleteTask, getTask, taskKeys, updateTask } from './api/tasks.api';
