import type { Project, Task } from '@primo/api/contract/wire';
import { Badge } from '../../../components/ui/badge';
import { Button } from '../../../components/ui/button';
import { Checkbox } from '../../../components/ui/field';
import { dueState, formatDue } from '../../../lib/due-date';
import { ProjectDot } from '../../projects';
import { PRIORITY_LABELS, STATUS_LABELS } from '../task-options';

interface TaskItemProps {
  task: Task;
  onToggleDone: (task: Task) => void;
  onEdit: (task: Task) => void;
  onDelete: (task: Task) => void;
  onTag: (tag: string) => void;
  /** Shown on the row when the list spans several projects. */
  project?: Project | undefined;
  /** Who the task is assigned to, in words ("you", a name), or undefined when nobody is. */
  assignee?: string | undefined;
  /** The caller is a viewer of the task's project: its controls are disabled and say why. */
  viewOnly?: boolean;
  /** Changed on this device and not on the server yet. */
  unsynced?: boolean;
}

const dueLabels = { overdue: 'Overdue', today: 'Due today' } as const;

/** An overdue or due-today task gets a coloured left edge fading into the card. */
const dueTones: Partial<Record<string, string>> = {
  overdue: 'border-l-danger bg-linear-to-r from-danger-bg',
  today: 'border-l-warning bg-linear-to-r from-warning-bg',
};

export function TaskItem({
  task,
  onToggleDone,
  onEdit,
  onDelete,
  onTag,
  project,
  assignee,
  viewOnly,
  unsynced,
}: TaskItemProps) {
  const due = dueState(task);
  const done = task.status === 'done';
  const checkboxId = `task-done-${task.id}`;
  const reasonId = `task-view-only-${task.id}`;
  const readOnly = viewOnly ? { disabled: true, 'aria-describedby': reasonId } : {};
  return (
    <li
      className={`group grid grid-cols-[auto_1fr_auto] items-start gap-3 rounded-md border border-l-4 border-border bg-surface to-surface to-40% px-4 py-3 max-sm:grid-cols-[auto_1fr] ${dueTones[due] ?? ''}`}
      data-due={due}
      data-done={done || undefined}
      data-task-id={task.id}
      data-unsynced={unsynced || undefined}
    >
      <Checkbox
        id={checkboxId}
        className="mt-0.5"
        checked={done}
        onChange={() => onToggleDone(task)}
        aria-label={done ? `Reopen “${task.title}”` : `Complete “${task.title}”`}
        {...readOnly}
      />
      <div className="min-w-0">
        <h3 className="leading-heading font-semibold wrap-anywhere group-data-done:text-muted group-data-done:line-through">
          {task.title}
        </h3>
        {task.description && (
          <p className="mt-1 text-sm whitespace-pre-wrap text-muted wrap-anywhere">{task.description}</p>
        )}
        <div className="mt-2 flex flex-wrap items-center gap-2 text-sm">
          {project && (
            <span className="inline-flex items-center gap-1.5 font-medium" data-project={project.id}>
              <ProjectDot color={project.color} />
              {project.name}
            </span>
          )}
          <Badge status={task.status}>{STATUS_LABELS[task.status]}</Badge>
          <Badge priority={task.priority}>{PRIORITY_LABELS[task.priority]} priority</Badge>
          {(due === 'overdue' || due === 'today') && <Badge due={due}>{dueLabels[due]}</Badge>}
          {task.dueDate && (
            <span className="text-muted">
              Due <time dateTime={task.dueDate}>{formatDue(task.dueDate)}</time>
            </span>
          )}
          {assignee && <span className="text-muted">Assigned to {assignee}</span>}
          {unsynced && <span className="font-medium text-warning">Not synced yet</span>}
          {viewOnly && (
            <span id={reasonId} className="text-muted italic">
              You are a viewer here
            </span>
          )}
          {task.tags.map((tag) => (
            <button
              key={tag}
              type="button"
              className="min-h-7 cursor-pointer rounded-sm bg-surface-2 px-2 hover:underline"
              onClick={() => onTag(tag)}
              aria-label={`Show tasks tagged ${tag}`}
            >
              #{tag}
            </button>
          ))}
        </div>
      </div>
      <div className="flex gap-2 max-sm:col-start-2">
        <Button size="small" onClick={() => onEdit(task)} aria-label={`Edit “${task.title}”`} {...readOnly}>
          Edit
        </Button>
        <Button
          size="small"
          variant="danger"
          onClick={() => onDelete(task)}
          aria-label={`Delete “${task.title}”`}
          {...readOnly}
        >
          Delete
        </Button>
      </div>
    </li>
  );
}
