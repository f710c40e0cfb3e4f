import type { Task } from '@primo/api/contract/wire';
import { dueState, formatDue } from '../../../lib/due-date';
import { PRIORITY_LABELS, STATUS_LABELS } from '../task-options';
import { Badge } from '../../../components/ui/badge';

interface TaskItemProps {
  task: Task;
  onToggleDone: (task: Task) => void;
  onEdit: (task: Task) => void;
  onDelete: (task: Task) => void;
  onTag: (tag: string) => void;
}

const dueLabels = { overdue: 'Overdue', today: 'Due today' } as const;

export function TaskItem({ task, onToggleDone, onEdit, onDelete, onTag }: TaskItemProps) {
  const due = dueState(task);
  const done = task.status === 'done';
  const checkboxId = `task-done-${task.id}`;
  return (
    <li className="task-item" data-due={due} data-done={done || undefined} data-task-id={task.id}>
      <input
        id={checkboxId}
        type="checkbox"
        className="task-item__check"
        checked={done}
        onChange={() => onToggleDone(task)}
        aria-label={done ? `Reopen “${task.title}”` : `Complete “${task.title}”`}
      />
      <div className="task-item__body">
        <h3 className="task-item__title">{task.title}</h3>
        {task.description && <p className="task-item__description">{task.description}</p>}
        <div className="task-item__meta">
          <Badge status={task.status}>{STATUS_LABELS[task.status]}</Badge>
          <Badge priority={task.priority}>{PRIORITY_LABELS[task.priority]} priority</Badge>
          {(due === 'overdue' || due === 'today') && <Badge due={due}>{dueLabels[due]}</Badge>}
          {task.dueDate && (
            <span className="task-item__due">
              Due <time dateTime={task.dueDate}>{formatDue(task.dueDate)}</time>
            </span>
          )}
          {task.tags.map((tag) => (
            <button
              key={tag}
              type="button"
              className="tag"
              onClick={() => onTag(tag)}
              aria-label={`Show tasks tagged ${tag}`}
            >
              #{tag}
            </button>
          ))}
        </div>
      </div>
      <div className="task-item__actions">
        <button
          type="button"
          className="button button--small"
          onClick={() => onEdit(task)}
          aria-label={`Edit “${task.title}”`}
        >
          Edit
        </button>
        <button
          type="button"
          className="button button--small button--danger"
          onClick={() => onDelete(task)}
          aria-label={`Delete “${task.title}”`}
        >
          Delete
        </button>
      </div>
    </li>
  );
}
