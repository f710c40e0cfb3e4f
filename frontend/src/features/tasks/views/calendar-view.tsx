import type { Project, Task } from '@primo/api/contract/wire';
import {
  DndContext,
  KeyboardSensor,
  PointerSensor,
  TouchSensor,
  pointerWithin,
  rectIntersection,
  useDraggable,
  useDroppable,
  useSensor,
  useSensors,
  type Announcements,
  type CollisionDetection,
  type DragEndEvent,
  type KeyboardCoordinateGetter,
} from '@dnd-kit/core';
import { CSS } from '@dnd-kit/utilities';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { Button } from '../../../components/ui/button';
import { ErrorPanel } from '../../../components/ui/panel';
import { useToast } from '../../../components/ui/toast-context';
import { ApiError } from '../../../lib/api-client';
import { describeError } from '../../../lib/describe-error';
import { dueState } from '../../../lib/due-date';
import { invalidateTaskViews } from '../api/task-cache';
import type { TaskFilters } from '../api/task-filters';
import { updateTask } from '../api/tasks.api';
import { listDue, viewKeys } from './views.api';

export interface CalendarViewProps {
  filters: TaskFilters;
  projectsById: ReadonlyMap<string, Project>;
  onEdit: (task: Task) => void;
}

const pad = (value: number) => String(value).padStart(2, '0');
/** A local calendar day as `YYYY-MM-DD`. */
export const dayKeyOf = (at: Date) => `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}`;
const startOfDay = (at: Date) => new Date(at.getFullYear(), at.getMonth(), at.getDate());
const addDays = (at: Date, days: number) => new Date(at.getFullYear(), at.getMonth(), at.getDate() + days);
/** The Monday on or before a day. */
const weekStart = (at: Date) => addDays(startOfDay(at), -((at.getDay() + 6) % 7));

/** The days a month grid shows: whole weeks, Monday first, from the week of the 1st to the week of the last day. */
export function monthGrid(month: Date): Date[] {
  const first = new Date(month.getFullYear(), month.getMonth(), 1);
  const last = new Date(month.getFullYear(), month.getMonth() + 1, 0);
  const days: Date[] = [];
  for (let day = weekStart(first); day <= last || days.length % 7 !== 0; day = addDays(day, 1)) days.push(day);
  return days;
}

/** A due instant moved to another local day, keeping its time of day. */
export function movedDue(due: string, day: string): string {
  const at = new Date(due);
  const [year, month, date] = day.split('-').map(Number);
  return new Date(
    year ?? 0,
    (month ?? 1) - 1,
    date ?? 1,
    at.getHours(),
    at.getMinutes(),
    at.getSeconds(),
  ).toISOString();
}

const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const monthTitle = new Intl.DateTimeFormat(undefined, { month: 'long', year: 'numeric' });
const dayTitle = new Intl.DateTimeFormat(undefined, { weekday: 'long', day: 'numeric', month: 'long' });
const timeOf = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });

function usePhone(): boolean {
  const query = '(max-width: 640px)';
  const [phone, setPhone] = useState(
    () => typeof window !== 'undefined' && window.matchMedia?.(query).matches === true,
  );
  useEffect(() => {
    const list = window.matchMedia?.(query);
    if (!list) return;
    const change = () => setPhone(list.matches);
    list.addEventListener('change', change);
    return () => list.removeEventListener('change', change);
  }, []);
  return phone;
}

/** Arrow keys move a held task by a day (left, right) or a week (up, down): to the next day cell's centre. */
const dayStepper: KeyboardCoordinateGetter = (event, { currentCoordinates, context }) => {
  const offsets: Record<string, number> = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -7, ArrowDown: 7 };
  const step = offsets[event.code];
  const over = context.over?.id ?? (context.active?.data.current as { day?: string } | undefined)?.day;
  if (step === undefined || typeof over !== 'string') return undefined;
  event.preventDefault();
  const [year, month, date] = over.split('-').map(Number);
  const target = dayKeyOf(new Date(year ?? 0, (month ?? 1) - 1, (date ?? 1) + step));
  const rect = context.droppableRects.get(target);
  if (!rect) return currentCoordinates;
  return { x: rect.left + rect.width / 2, y: rect.top + rect.height / 2 };
};

// The pointer decides where a mouse or a finger drops; the keyboard moves the task's own box.
const collision: CollisionDetection = (args) => {
  const hits = pointerWithin(args);
  return hits.length > 0 ? hits : rectIntersection(args);
};

/**
 * Tasks by due date over the selected projects: a month grid, or a week list on a phone. A task is
 * dragged to another day (pointer, finger, or keyboard: Space, arrows by day and week, Space) and keeps
 * its time of day; the change shows at once and is undone if the server refuses it.
 */
export function CalendarView({ filters, projectsById, onEdit }: CalendarViewProps) {
  const phone = usePhone();
  const [anchor, setAnchor] = useState(() => startOfDay(new Date()));
  const days = useMemo(
    () => (phone ? Array.from({ length: 7 }, (_, i) => addDays(weekStart(anchor), i)) : monthGrid(anchor)),
    [phone, anchor],
  );
  const first = days[0] ?? anchor;
  const last = days[days.length - 1] ?? anchor;
  const from = first.toISOString();
  const to = new Date(addDays(last, 1).getTime() - 1).toISOString();
  const client = useQueryClient();
  const toast = useToast();
  const due = useQuery({
    queryKey: viewKeys.calendar(filters, from, to),
    queryFn: ({ signal }) => listDue(filters, from, to, signal),
  });
  const [moved, setMoved] = useState<ReadonlyMap<string, string>>(new Map());
  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 4 } }),
    useSensor(TouchSensor, { activationConstraint: { delay: 200, tolerance: 6 } }),
    useSensor(KeyboardSensor, { coordinateGetter: dayStepper }),
  );
  const byDay = useMemo(() => {
    const map = new Map<string, Task[]>();
    for (const task of due.data ?? []) {
      const dueDate = moved.get(task.id) ?? task.dueDate;
      if (!dueDate) continue;
      const key = dayKeyOf(new Date(dueDate));
      map.set(key, [...(map.get(key) ?? []), { ...task, dueDate }]);
    }
    return map;
  }, [due.data, moved]);
  const tasks = useMemo(() => new Map((due.data ?? []).map((task) => [task.id, task])), [due.data]);
  const today = dayKeyOf(new Date());
  const titleOf = (id: unknown) => tasks.get(String(id))?.title ?? 'the task';
  const dayName = (id: unknown) => {
    const [year, month, date] = String(id).split('-').map(Number);
    return dayTitle.format(new Date(year ?? 0, (month ?? 1) - 1, date ?? 1));
  };

  const onDragEnd = async ({ active, over }: DragEndEvent) => {
    const task = tasks.get(String(active.id));
    if (!task?.dueDate || !over) return;
    const day = String(over.id);
    if (day === dayKeyOf(new Date(task.dueDate))) return;
    const dueDate = movedDue(task.dueDate, day);
    setMoved((current) => new Map(current).set(task.id, dueDate));
    try {
      await updateTask(task, { dueDate });
      await invalidateTaskViews(client);
    } catch (error) {
      const changed = error instanceof ApiError && error.status === 412;
      toast.show({
        tone: 'error',
        message: changed
          ? `“${task.title}” was changed by someone else meanwhile; the calendar shows the latest.`
          : `“${task.title}” could not be moved. ${describeError(error)}`,
      });
      void client.invalidateQueries({ queryKey: viewKeys.calendar(filters, from, to) });
    } finally {
      setMoved((current) => {
        const next = new Map(current);
        next.delete(task.id);
        return next;
      });
    }
  };

  const announcements: Announcements = {
    onDragStart: ({ active }) => `Picked up “${titleOf(active.id)}”.`,
    onDragOver: ({ active, over }) => (over ? `“${titleOf(active.id)}” is over ${dayName(over.id)}.` : ''),
    onDragEnd: ({ active, over }) =>
      over ? `“${titleOf(active.id)}” is now due ${dayName(over.id)}.` : `“${titleOf(active.id)}” put back.`,
    onDragCancel: ({ active }) => `Moving “${titleOf(active.id)}” was cancelled.`,
  };

  const step = (direction: 1 | -1) =>
    setAnchor((current) =>
      phone ? addDays(current, 7 * direction) : new Date(current.getFullYear(), current.getMonth() + direction, 1),
    );
  const heading = phone
    ? `Week of ${dayTitle.format(weekStart(anchor))}`
    : monthTitle.format(new Date(anchor.getFullYear(), anchor.getMonth(), 1));

  return (
    <section aria-labelledby="calendar-heading" aria-busy={due.isFetching}>
      <div className="mb-3 flex flex-wrap items-center gap-2">
        <h2 id="calendar-heading" className="mr-auto text-lg font-bold" aria-live="polite">
          {heading}
        </h2>
        <Button size="small" onClick={() => step(-1)}>
          {phone ? 'Previous week' : 'Previous month'}
        </Button>
        <Button size="small" onClick={() => setAnchor(startOfDay(new Date()))}>
          Today
        </Button>
        <Button size="small" onClick={() => step(1)}>
          {phone ? 'Next week' : 'Next month'}
        </Button>
      </div>
      {due.isError ? (
        <ErrorPanel>
          <p>The calendar could not be loaded. {describeError(due.error)}</p>
          <Button onClick={() => void due.refetch()}>Retry</Button>
        </ErrorPanel>
      ) : (
        <DndContext
          sensors={sensors}
          collisionDetection={collision}
          onDragEnd={(event) => void onDragEnd(event)}
          accessibility={{
            announcements,
            screenReaderInstructions: {
              draggable:
                'To move a task to another day, press Space or Enter, use the left and right arrows for a day and up and down for a week, then press Space or Enter to drop it, or Escape to cancel.',
            },
          }}
        >
          {!phone && (
            <div className="grid grid-cols-7 gap-1 text-center text-xs font-semibold text-muted" aria-hidden="true">
              {WEEKDAYS.map((name) => (
                <span key={name}>{name.slice(0, 3)}</span>
              ))}
            </div>
          )}
          <ol className={phone ? 'flex flex-col gap-2' : 'grid grid-cols-7 gap-1'} data-calendar>
            {days.map((day) => {
              const key = dayKeyOf(day);
              return (
                <DayCell
                  key={key}
                  day={key}
                  label={dayTitle.format(day)}
                  number={day.getDate()}
                  outside={!phone && day.getMonth() !== anchor.getMonth()}
                  today={key === today}
                  phone={phone}
                >
                  {(byDay.get(key) ?? []).map((task) => (
                    <CalendarTask
                      key={task.id}
                      task={task}
                      readOnly={projectsById.get(task.projectId)?.role === 'viewer'}
                      onEdit={onEdit}
                    />
                  ))}
                </DayCell>
              );
            })}
          </ol>
        </DndContext>
      )}
    </section>
  );
}

function DayCell(props: {
  day: string;
  label: string;
  number: number;
  outside: boolean;
  today: boolean;
  phone: boolean;
  children: ReactNode;
}) {
  const { setNodeRef, isOver } = useDroppable({ id: props.day });
  return (
    <li
      ref={setNodeRef}
      aria-label={props.label}
      data-day={props.day}
      className={`flex min-w-0 flex-col gap-1 rounded-sm border p-1 ${props.phone ? 'min-h-16' : 'min-h-24'} ${
        isOver ? 'border-primary ring-2 ring-primary' : 'border-border'
      } ${props.outside ? 'bg-surface-2' : 'bg-surface'}`}
    >
      <span
        className={`text-xs font-semibold ${props.today ? 'text-primary underline' : 'text-muted'}`}
        aria-hidden="true"
      >
        {props.phone ? props.label : props.number}
      </span>
      {props.today && <span className="sr-only">Today</span>}
      <ul className="flex flex-col gap-1">{props.children}</ul>
    </li>
  );
}

function CalendarTask({ task, readOnly, onEdit }: { task: Task; readOnly: boolean; onEdit: (task: Task) => void }) {
  const { attributes, listeners, setNodeRef, setActivatorNodeRef, transform, isDragging } = useDraggable({
    id: task.id,
    disabled: readOnly,
    data: { day: task.dueDate ? dayKeyOf(new Date(task.dueDate)) : undefined },
  });
  const overdue = dueState(task) === 'overdue';
  return (
    <li
      ref={setNodeRef}
      style={{ transform: CSS.Translate.toString(transform) }}
      className={`flex items-center gap-1 rounded-xs border px-1 text-xs ${
        overdue ? 'border-danger bg-danger-bg text-danger' : 'border-border bg-surface'
      } ${isDragging ? 'relative z-10 opacity-80 shadow' : ''} ${task.status === 'done' ? 'line-through' : ''}`}
      data-task-id={task.id}
      data-overdue={overdue || undefined}
    >
      {!readOnly && (
        <button
          type="button"
          ref={setActivatorNodeRef}
          className="flex size-6 shrink-0 cursor-grab touch-none items-center justify-center"
          aria-label={`Move “${task.title}” to another day`}
          data-drag-handle
          {...attributes}
          {...listeners}
        >
          ⠿
        </button>
      )}
      <button
        type="button"
        className="min-w-0 flex-1 truncate text-left"
        title={task.title}
        onClick={() => onEdit(task)}
      >
        {overdue && <span className="font-bold">Overdue: </span>}
        {task.dueDate ? `${timeOf.format(new Date(task.dueDate))} ` : ''}
        {task.title}
      </button>
    </li>
  );
}
