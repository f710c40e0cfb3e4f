import type { CreateTaskInput } from '@primo/api/contract/wire';
import { useId, useMemo, useState, type FormEvent } from 'react';
import { Button } from '../../../components/ui/button';
import { Dialog, DialogActions } from '../../../components/ui/dialog';
import { controlClass } from '../../../components/ui/field';
import { useToast } from '../../../components/ui/toast-context';
import { describeError } from '../../../lib/describe-error';
import { formatDue } from '../../../lib/due-date';
import { PRIORITY_LABELS } from '../../../lib/task-labels';
import { canWrite, useMembers, useProjects } from '../../projects';
import { QUEUED_MESSAGE } from '../api/task-writes';
import { useSaveTask } from '../api/use-save-task';
import { parseQuickAdd, type QuickAddContext, type QuickAddMember } from './parse-quick-add';

export interface QuickAddDialogProps {
  userId: string;
  userName: string;
  userEmail: string;
  /** The project a line without `+project` goes to (the person's Inbox when absent or read-only). */
  projectId?: string;
  onClose: () => void;
}

/**
 * One line that becomes a task (see parseQuickAdd), with a live preview of what Enter will create.
 * Loaded on demand with chrono-node when someone presses `a` or the Quick add button.
 */
export function QuickAddDialog({ userId, userName, userEmail, projectId, onClose }: QuickAddDialogProps) {
  const [line, setLine] = useState('');
  const [error, setError] = useState<string | null>(null);
  const inputId = useId();
  const hintId = useId();
  const projects = useProjects();
  const save = useSaveTask(userId);
  const toast = useToast();
  const writable = useMemo(() => projects.projects.filter(canWrite), [projects.projects]);
  const fallback = projectId !== undefined && writable.some((p) => p.id === projectId) ? projectId : userId;
  const me: QuickAddMember = { id: userId, name: userName, email: userEmail };
  const base: QuickAddContext = {
    now: new Date(),
    projects: writable,
    membersOf: () => [me],
    defaultProjectId: fallback,
  };
  const target = parseQuickAdd(line, base).projectId;
  const targetProject = projects.byId.get(target);
  const members = useMembers(targetProject && !targetProject.personal ? target : null);
  const memberList: QuickAddMember[] = members.data?.map((member) => ({
    id: member.user.id,
    name: member.user.name,
    email: member.user.email,
  })) ?? [me];
  const parsed = parseQuickAdd(line, { ...base, membersOf: (id) => (id === target ? memberList : [me]) });
  const assignee = memberList.find((member) => member.id === parsed.assigneeId);
  const empty = line.trim() === '';

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (empty || save.isPending) return;
    const input: CreateTaskInput = {
      title: parsed.title,
      projectId: parsed.projectId,
      ...(parsed.dueDate !== null && { dueDate: parsed.dueDate }),
      ...(parsed.priority !== null && { priority: parsed.priority }),
      ...(parsed.tags.length > 0 && { tags: parsed.tags }),
      ...(parsed.assigneeId !== null && { assigneeId: parsed.assigneeId }),
    };
    try {
      const { task, queued } = await save.mutateAsync({ kind: 'create', input });
      toast.show({ message: `Created “${task.title}”.${queued ? ` ${QUEUED_MESSAGE}` : ''}`, tone: 'success' });
      onClose();
    } catch (failure) {
      setError(describeError(failure));
    }
  };

  const rows: [string, string][] = [
    ['Title', parsed.title || '—'],
    ['Project', projects.byId.get(parsed.projectId)?.name ?? 'Inbox'],
    ['Due', parsed.dueDate === null ? 'No due date' : `${formatDue(parsed.dueDate)} (“${parsed.dueText ?? ''}”)`],
    ['Priority', PRIORITY_LABELS[parsed.priority ?? 'medium']],
    ['Tags', parsed.tags.length > 0 ? parsed.tags.map((tag) => `#${tag}`).join(' ') : 'None'],
    ['Assignee', assignee ? (assignee.id === userId ? 'You' : assignee.name) : 'Nobody'],
  ];

  return (
    <Dialog title="Quick add" onClose={onClose}>
      <form onSubmit={(event) => void submit(event)} className="flex flex-col gap-4" noValidate>
        <div className="flex flex-col gap-1">
          <label htmlFor={inputId} className="text-sm font-semibold">
            Describe the task
          </label>
          <input
            id={inputId}
            data-autofocus
            className={controlClass}
            value={line}
            maxLength={400}
            autoComplete="off"
            placeholder="Pay rent next friday 9am #home !high"
            aria-describedby={hintId}
            aria-invalid={error ? true : undefined}
            onChange={(event) => {
              setLine(event.target.value);
              setError(null);
            }}
          />
          <p id={hintId} className="text-sm text-muted">
            Dates in plain English, #tag, !low to !urgent (or !1 most urgent to !4), @member, +project. Enter creates.
          </p>
        </div>
        <section aria-labelledby={`${inputId}-preview`} className="rounded-md border border-border p-3">
          <h3 id={`${inputId}-preview`} className="mb-2 text-sm font-semibold">
            Will be created
          </h3>
          <dl className="grid grid-cols-[auto_minmax(0,1fr)] gap-x-4 gap-y-1 text-sm" data-quick-add-preview>
            {rows.map(([term, value]) => (
              <div key={term} className="contents">
                <dt className="text-muted">{term}</dt>
                <dd className="break-words" data-field={term.toLowerCase()}>
                  {value}
                </dd>
              </div>
            ))}
          </dl>
          {parsed.unknown.length > 0 && (
            <p className="mt-2 text-sm text-muted">Not recognised, kept in the title: {parsed.unknown.join(', ')}</p>
          )}
        </section>
        {error && (
          <p role="alert" className="text-sm text-danger">
            The task could not be created. {error}
          </p>
        )}
        <DialogActions>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={empty || save.isPending}>
            {save.isPending ? 'Creating…' : 'Create task'}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
