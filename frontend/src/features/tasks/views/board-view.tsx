import { TASK_STATUSES, type Project, type Task, type TaskStatus } from '@primo/api/contract/wire';
import {
  DndContext,
  KeyboardSensor,
  PointerSensor,
  TouchSensor,
  closestCorners,
  useDroppable,
  useSensor,
  useSensors,
  type Announcements,
  type DragEndEvent,
  type DragOverEvent,
  type UniqueIdentifier,
} from '@dnd-kit/core';
import {
  SortableContext,
  arrayMove,
  sortableKeyboardCoordinates,
  useSortable,
  verticalListSortingStrategy,
} from '@dnd-kit/sortable';
import { CSS } from '@dnd-kit/utilities';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState, type ReactNode } from 'react';
import { Badge } from '../../../components/ui/badge';
import { Button } from '../../../components/ui/button';
import { ErrorPanel } from '../../../components/ui/panel';
import { useToast } from '../../../components/ui/toast-context';
import { ApiError } from '../../../lib/api-client';
import { describeError } from '../../../lib/describe-error';
import { dueState, formatDue } from '../../../lib/due-date';
import { PRIORITY_LABELS, STATUS_LABELS } from '../../../lib/task-labels';
import { useLiveState } from '../../live';
import { invalidateTaskViews } from '../api/task-cache';
import type { TaskFilters } from '../api/task-filters';
import { listBoard, moveTask, viewKeys, type MoveBody } from './views.api';

export interface BoardViewProps {
  filters: TaskFilters;
  /** The project whose board this is; the board needs one (board order is per project). */
  project: Project | undefined;
  /** A task's assignee in words ("you", a name), or undefined. */
  assigneeOf: (task: Task) => string | undefined;
  onEdit: (task: Task) => void;
}

type Columns = Record<TaskStatus, string[]>;

/** How often an open board asks for other members' changes while the live connection is down. */
const BOARD_REFRESH_MS = 5000;

const isStatus = (id: UniqueIdentifier): id is TaskStatus => (TASK_STATUSES as readonly string[]).includes(String(id));

function columnsOf(tasks: readonly Task[]): Columns {
  const columns: Columns = { todo: [], in_progress: [], done: [] };
  for (const task of tasks) columns[task.status].push(task.id);
  return columns;
}

function initials(name: string): string {
  if (name === 'you') return 'You';
  const letters = name
    .split(/\s+/)
    .filter(Boolean)
    .map((word) => word.charAt(0).toUpperCase());
  return letters.slice(0, 2).join('') || '?';
}

/**
 * A project's board: one column per status in board order. Cards move by drag and drop with a
 * pointer, a finger (press and hold) or the keyboard (Space to pick up, arrows, Space to drop), each
 * step announced; the move shows at once and is undone if the server refuses it. While a card is
 * held, the columns keep the order the drag started from, so a refresh does not move the card under it.
 */
export function BoardView({ filters, project, assigneeOf, onEdit }: BoardViewProps) {
  const client = useQueryClient();
  const toast = useToast();
  const key = viewKeys.board(filters.project, filters);
  const [held, setHeld] = useState<Columns | null>(null);
  const live = useLiveState() === 'live';
  const board = useQuery({
    queryKey: key,
    queryFn: ({ signal }) => listBoard(filters, signal),
    enabled: project !== undefined,
    // Other members' moves arrive live (the live connection refetches the board); without it, within
    // a few seconds. The held order stays put while a card is dragged.
    refetchInterval: held === null && !live ? BOARD_REFRESH_MS : false,
  });
  const tasks = useMemo(() => new Map((board.data ?? []).map((task) => [task.id, task])), [board.data]);
  const columns = useMemo(() => held ?? columnsOf(board.data ?? []), [held, board.data]);
  const readOnly = project?.role === 'viewer';
  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 4 } }),
    useSensor(TouchSensor, { activationConstraint: { delay: 200, tolerance: 6 } }),
    useSensor(KeyboardSensor, { coordinateGetter: sortableKeyboardCoordinates }),
  );

  if (project === undefined) {
    return (
      <p className="rounded-md border-2 border-dashed border-border px-4 py-10 text-center">
        Choose a project to see its board: board order belongs to one project.
      </p>
    );
  }
  if (board.isPending) return <p className="text-muted">Loading the board…</p>;
  if (board.isError) {
    return (
      <ErrorPanel>
        <p>The board could not be loaded. {describeError(board.error)}</p>
        <Button onClick={() => void board.refetch()}>Retry</Button>
      </ErrorPanel>
    );
  }

  const containerOf = (id: UniqueIdentifier): TaskStatus | undefined =>
    isStatus(id) ? id : TASK_STATUSES.find((status) => columns[status].includes(String(id)));
  const titleOf = (id: UniqueIdentifier) => tasks.get(String(id))?.title ?? 'the card';
  const placeOf = (id: UniqueIdentifier, within: Columns = columns) => {
    const status = containerOf(id);
    if (status === undefined) return '';
    const list = within[status];
    return `${STATUS_LABELS[status]}, position ${list.indexOf(String(id)) + 1} of ${list.length}`;
  };

  const onDragOver = ({ active, over }: DragOverEvent) => {
    if (!over) return;
    const from = containerOf(active.id);
    const to = containerOf(over.id);
    if (from === undefined || to === undefined || from === to) return;
    setHeld((current) => {
      const base = current ?? columns;
      const target = base[to].filter((id) => id !== active.id);
      const index = isStatus(over.id) ? target.length : Math.max(0, target.indexOf(String(over.id)));
      target.splice(index, 0, String(active.id));
      return { ...base, [from]: base[from].filter((id) => id !== active.id), [to]: target };
    });
  };

  const onDragEnd = async ({ active, over }: DragEndEvent) => {
    const task = tasks.get(String(active.id));
    const to = over ? containerOf(over.id) : undefined;
    if (!task || !over || to === undefined) {
      setHeld(null);
      return;
    }
    const list = columns[to];
    const oldIndex = list.indexOf(task.id);
    const newIndex = isStatus(over.id) ? list.length - 1 : list.indexOf(String(over.id));
    const final = oldIndex === newIndex || newIndex < 0 ? list : arrayMove(list, oldIndex, newIndex);
    const index = final.indexOf(task.id);
    const body: MoveBody = {};
    if (to !== task.status) body.status = to;
    const after = final[index - 1];
    const before = final[index + 1];
    if (after) body.afterId = after;
    if (before) body.beforeId = before;
    const original = columnsOf(board.data ?? []);
    if (to === task.status && original[to].join() === final.join()) {
      setHeld(null);
      return;
    }
    setHeld({ ...columns, [to]: final });
    try {
      await moveTask(task, body);
      await invalidateTaskViews(client);
    } catch (error) {
      const changed = error instanceof ApiError && error.status === 412;
      toast.show({
        tone: 'error',
        message: changed
          ? `“${task.title}” was changed by someone else meanwhile; the board shows the latest.`
          : `“${task.title}” could not be moved. ${describeError(error)}`,
      });
      void client.invalidateQueries({ queryKey: key });
    } finally {
      setHeld(null);
    }
  };

  const announcements: Announcements = {
    onDragStart: ({ active }) => `Picked up “${titleOf(active.id)}”, ${placeOf(active.id)}.`,
    onDragOver: ({ active, over }) =>
      over ? `“${titleOf(active.id)}” is now at ${placeOf(over.id)}.` : `“${titleOf(active.id)}” is outside the board.`,
    onDragEnd: ({ active, over }) =>
      over ? `“${titleOf(active.id)}” dropped at ${placeOf(over.id)}.` : `“${titleOf(active.id)}” put back.`,
    onDragCancel: ({ active }) => `Moving “${titleOf(active.id)}” was cancelled; it is back where it was.`,
  };

  return (
    <DndContext
      sensors={sensors}
      collisionDetection={closestCorners}
      onDragStart={() => setHeld(columns)}
      onDragOver={onDragOver}
      onDragEnd={(event) => void onDragEnd(event)}
      onDragCancel={() => setHeld(null)}
      accessibility={{
        announcements,
        screenReaderInstructions: {
          draggable:
            'To move a card, press Space or Enter on its handle, move it with the arrow keys within and between columns, then press Space or Enter to drop it, or Escape to cancel.',
        },
      }}
    >
      <div className="grid gap-4 md:grid-cols-3" data-board>
        {TASK_STATUSES.map((status) => (
          <BoardColumn key={status} status={status} ids={columns[status]}>
            {columns[status].map((id) => {
              const task = tasks.get(id);
              return task ? (
                <BoardCard key={id} task={task} assignee={assigneeOf(task)} readOnly={readOnly} onEdit={onEdit} />
              ) : null;
            })}
          </BoardColumn>
        ))}
      </div>
    </DndContext>
  );
}

function BoardColumn({ status, ids, children }: { status: TaskStatus; ids: string[]; children: ReactNode }) {
  const { setNodeRef, isOver } = useDroppable({ id: status });
  const headingId = `board-column-${status}`;
  return (
    <section
      aria-labelledby={headingId}
      className={`flex min-h-40 flex-col gap-2 rounded-md border border-border bg-surface-2 p-3 ${isOver ? 'ring-2 ring-primary' : ''}`}
      data-column={status}
    >
      <h2 id={headingId} className="flex items-center justify-between text-sm font-bold">
        {STATUS_LABELS[status]} <span className="font-normal text-muted">{ids.length}</span>
      </h2>
      <SortableContext id={status} items={ids} strategy={verticalListSortingStrategy}>
        <ul
          ref={setNodeRef}
          className="flex min-h-16 flex-1 flex-col gap-2"
          aria-label={`${STATUS_LABELS[status]} cards`}
        >
          {children}
        </ul>
      </SortableContext>
    </section>
  );
}

const dueLabels = { overdue: 'Overdue', today: 'Due today' } as const;

function BoardCard({
  task,
  assignee,
  readOnly,
  onEdit,
}: {
  task: Task;
  assignee: string | undefined;
  readOnly: boolean;
  onEdit: (task: Task) => void;
}) {
  const { attributes, listeners, setNodeRef, setActivatorNodeRef, transform, transition, isDragging } = useSortable({
    id: task.id,
    disabled: readOnly,
  });
  const due = dueState(task);
  return (
    <li
      ref={setNodeRef}
      style={{ transform: CSS.Transform.toString(transform), transition }}
      className={`flex items-start gap-2 rounded-md border border-border bg-surface p-3 shadow-sm ${isDragging ? 'opacity-60' : ''}`}
      data-task-id={task.id}
    >
      {!readOnly && (
        <button
          type="button"
          ref={setActivatorNodeRef}
          className="-m-1 flex size-11 shrink-0 cursor-grab touch-none items-center justify-center rounded-sm text-lg text-muted hover:bg-surface-2"
          aria-label={`Move “${task.title}”`}
          data-drag-handle
          {...attributes}
          {...listeners}
        >
          ⠿
        </button>
      )}
      <div className="min-w-0 flex-1">
        <h3 className="leading-heading font-semibold wrap-anywhere">
          <button type="button" className="text-left hover:underline" onClick={() => onEdit(task)}>
            {task.title}
          </button>
        </h3>
        <div className="mt-2 flex flex-wrap items-center gap-2 text-sm">
          <Badge priority={task.priority}>{PRIORITY_LABELS[task.priority]}</Badge>
          {task.dueDate && (
            <span className="text-muted">
              {due === 'overdue' || due === 'today' ? <Badge due={due}>{dueLabels[due]}</Badge> : null}{' '}
              <time dateTime={task.dueDate}>{formatDue(task.dueDate)}</time>
            </span>
          )}
          {task.tags.map((tag) => (
            <span key={tag} className="text-muted">
              #{tag}
            </span>
          ))}
        </div>
      </div>
      {assignee && (
        <span
          className="flex size-8 shrink-0 items-center justify-center rounded-full bg-info-bg text-xs font-bold text-primary"
          title={`Assigned to ${assignee}`}
          aria-label={`Assigned to ${assignee}`}
          role="img"
        >
          {initials(assignee)}
        </span>
      )}
    </li>
  );
}
