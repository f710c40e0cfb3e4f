import {
  DESCRIPTION_MAX,
  TASK_PRIORITIES,
  TASK_STATUSES,
  TITLE_MAX,
  type CreateTaskInput,
  type Task,
  type UpdateTaskInput,
} from '@primo/api/contract/wire';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Button } from '../../../components/ui/button';
import { Dialog, DialogActions } from '../../../components/ui/dialog';
import { Field } from '../../../components/ui/field';
import { Notice } from '../../../components/ui/panel';
import { useToast } from '../../../components/ui/toast-context';
import { ApiError } from '../../../lib/api-client';
import { describeError } from '../../../lib/describe-error';
import { fromLocalInputs, toLocalInputs } from '../../../lib/date-inputs';
import { formatDue } from '../../../lib/due-date';
import { PROJECTS_QUERY_ROOT } from '../../../lib/query-roots';
import { canWrite, useMembers, useProjects } from '../../projects';
import { getTask } from '../api/tasks.api';
import { QUEUED_MESSAGE } from '../api/task-writes';
import { useSaveTask } from '../api/use-save-task';
import { clearDraft, saveDraft, type TaskFormValues as FormValues } from '../task-draft';
import { REPEAT_PRESETS } from '../repeat-presets';
import { PRIORITY_LABELS, STATUS_LABELS } from '../task-options';
import { TaskActivity } from './task-activity';
import { TEMPORARY_ID_PREFIX } from '../../../lib/pending-writes';

type FormProblem =
  | { kind: 'retry'; message: string }
  | { kind: 'conflict'; latest: Task | null; message: string }
  | { kind: 'message'; message: string };

const GONE = 'This task is not available any more: it was deleted, or you are no longer a member of its project.';

/** A reminder without a time of day goes off in the morning. */
const REMIND_TIME_DEFAULT = '09:00';

function valuesOf(task: Task | undefined, projectId: string): FormValues {
  const due = toLocalInputs(task?.dueDate ?? null);
  const remind = toLocalInputs(task?.remindAt ?? null);
  return {
    projectId: task?.projectId ?? projectId,
    assigneeId: task?.assigneeId ?? '',
    title: task?.title ?? '',
    description: task?.description ?? '',
    status: task?.status ?? 'todo',
    priority: task?.priority ?? 'medium',
    date: due.date,
    time: due.time,
    tags: task?.tags.join(', ') ?? '',
    remindDate: remind.date,
    remindTime: remind.time,
    repeat: task?.recurrence?.rule ?? '',
    repeatFrom: task?.recurrence?.from ?? 'due',
  };
}

function parseTags(raw: string): string[] {
  return raw
    .split(',')
    .map((tag) => tag.trim())
    .filter(Boolean);
}

/** Every field this form edits, project and assignee included. */
type FormInput = Required<CreateTaskInput>;

function toInput(values: FormValues, assigneeId: string): FormInput {
  return {
    projectId: values.projectId,
    assigneeId: assigneeId || null,
    title: values.title,
    description: values.description,
    status: values.status,
    priority: values.priority,
    dueDate: fromLocalInputs(values.date, values.time),
    tags: parseTags(values.tags),
    remindAt: fromLocalInputs(values.remindDate, values.remindTime || REMIND_TIME_DEFAULT),
    recurrence: values.repeat ? { rule: values.repeat, from: values.repeatFrom } : null,
  };
}

const instantOf = (iso: string | null) => (iso ? new Date(iso).getTime() : null);

/** Only the fields that differ from `base`, so a save never rewrites what the person did not touch. */
function diff(base: Task, input: FormInput): UpdateTaskInput {
  const patch: UpdateTaskInput = {};
  if (input.projectId !== base.projectId) patch.projectId = input.projectId;
  if (input.assigneeId !== base.assigneeId) patch.assigneeId = input.assigneeId;
  if (input.title.trim() !== base.title) patch.title = input.title;
  if (input.description !== base.description) patch.description = input.description;
  if (input.status !== base.status) patch.status = input.status;
  if (input.priority !== base.priority) patch.priority = input.priority;
  if (instantOf(base.dueDate) !== instantOf(input.dueDate)) patch.dueDate = input.dueDate;
  if (instantOf(base.remindAt) !== instantOf(input.remindAt)) patch.remindAt = input.remindAt;
  if (JSON.stringify(base.recurrence) !== JSON.stringify(input.recurrence)) patch.recurrence = input.recurrence;
  const tags = input.tags.map((tag) => tag.toLowerCase());
  if (tags.join('\u0000') !== base.tags.join('\u0000')) patch.tags = input.tags;
  return patch;
}

interface TaskFormDialogProps {
  /** The task to edit; absent for a new task. */
  task?: Task;
  /** Whose draft this form keeps while unsaved; their personal project's id is the same. */
  userId: string;
  /** Where a new task goes unless the person picks another project (default: their personal project). */
  projectId?: string;
  /** Unsaved input recovered from an earlier session of this form. */
  draft?: FormValues;
  onClose: () => void;
}

/** Create or edit a task. Server validation messages land on their fields; nothing typed is lost on failure. */
export function TaskFormDialog({ task, userId, projectId = userId, draft, onClose: close }: TaskFormDialogProps) {
  const toast = useToast();
  const save = useSaveTask(userId);
  const client = useQueryClient();
  const formRef = useRef<HTMLFormElement>(null);
  const [base, setBase] = useState(task);
  const [values, setValues] = useState<FormValues>(() => ({ ...valuesOf(task, projectId), ...draft }));
  const projects = useProjects();
  // A task goes only where the person may write; until the projects arrive, the personal project is known.
  const writable = projects.projects.filter(canWrite);
  const projectOptions: Array<{ id: string; name: string }> =
    writable.length > 0 ? writable : [{ id: userId, name: 'Inbox' }];
  if (!projectOptions.some((option) => option.id === values.projectId)) {
    projectOptions.push({ id: values.projectId, name: projects.byId.get(values.projectId)?.name ?? 'Current project' });
  }
  const members = useMembers(values.projectId);
  // Someone who is not a member of the chosen project cannot be its assignee: the task goes unassigned.
  const assigneeOutside =
    values.assigneeId !== '' &&
    members.data !== undefined &&
    !members.data.some((member) => member.user.id === values.assigneeId);
  const assigneeId = assigneeOutside ? '' : values.assigneeId;
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<FormProblem | null>(null);
  const editing = base !== undefined;

  useEffect(() => {
    const pristine = JSON.stringify(values) === JSON.stringify(valuesOf(base, projectId));
    if (pristine) clearDraft();
    else saveDraft({ userId, base: base ?? null, values });
  }, [values, base, userId, projectId]);

  // Closing on purpose (cancel, Esc, saved) drops the draft; being unmounted by a lost session keeps it.
  const onClose = () => {
    clearDraft();
    close();
  };

  const set =
    <K extends keyof FormValues>(field: K) =>
    (event: { target: { value: string } }) =>
      setValues((current) => ({ ...current, [field]: event.target.value as FormValues[K] }));

  // Bumped with the server's field messages; the effect runs once they are on screen, so the first
  // invalid field is there to take focus (a frame callback could run before React had rendered them).
  const [invalidShown, setInvalidShown] = useState(0);
  useEffect(() => {
    if (invalidShown) formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [invalidShown]);

  const showConflict = async (id: string) => {
    try {
      const latest = await getTask(id);
      setBase(latest);
      setProblem({
        kind: 'conflict',
        latest,
        message:
          'Someone changed this task while you were editing. Their latest version is shown below. ' +
          'Save again to replace it with your version, or load theirs into the form.',
      });
    } catch (error) {
      setProblem(
        error instanceof ApiError && error.status === 404
          ? { kind: 'message', message: GONE }
          : { kind: 'conflict', latest: null, message: describeError(error) },
      );
    }
  };

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setFieldErrors({});
    setProblem(null);
    const input = toInput(values, assigneeId);
    let queued: boolean;
    if (base) {
      const patch = diff(base, input);
      if (Object.keys(patch).length === 0) {
        onClose();
        return;
      }
      try {
        queued = (await save.mutateAsync({ kind: 'update', base, patch })).queued;
      } catch (error) {
        return handleFailure(error);
      }
    } else {
      try {
        queued = (await save.mutateAsync({ kind: 'create', input })).queued;
      } catch (error) {
        return handleFailure(error);
      }
    }
    const saved = editing ? 'Task saved.' : `Created “${input.title.trim()}”.`;
    toast.show({ tone: 'success', message: queued ? `${saved} ${QUEUED_MESSAGE}` : saved });
    onClose();
  };

  const handleFailure = (error: unknown) => {
    if (error instanceof ApiError) {
      const fields = error.fieldErrors;
      if (Object.keys(fields).length > 0) {
        const { _form: formMessage, ...rest } = fields;
        setFieldErrors(rest);
        if (formMessage) setProblem({ kind: 'message', message: formMessage });
        setInvalidShown((count) => count + 1);
        return;
      }
      if (error.status === 412 && base) return showConflict(base.id);
      if (error.status === 403 || error.status === 404) {
        // A role taken away or a membership ended meanwhile: the projects (and pickers) say so now.
        void client.invalidateQueries({ queryKey: PROJECTS_QUERY_ROOT });
      }
      if (error.status === 404) {
        return setProblem({
          kind: 'message',
          message: base ? GONE : 'The chosen project is not available any more. Pick another one and save again.',
        });
      }
      if (error.isTransient) return setProblem({ kind: 'retry', message: describeError(error) });
    }
    setProblem({ kind: 'message', message: describeError(error) });
  };

  return (
    <Dialog title={editing ? 'Edit task' : 'New task'} onClose={onClose}>
      <form ref={formRef} className="flex flex-col gap-4" onSubmit={onSubmit} noValidate>
        {draft && <Notice>Your unsaved changes were kept while you signed in again. Review them and save.</Notice>}
        <Field label="Title" error={fieldErrors.title}>
          <input name="title" value={values.title} onChange={set('title')} maxLength={TITLE_MAX} data-autofocus />
        </Field>
        <Field label="Description" error={fieldErrors.description}>
          <textarea
            name="description"
            rows={3}
            value={values.description}
            onChange={set('description')}
            maxLength={DESCRIPTION_MAX}
          />
        </Field>
        <div className="grid grid-cols-2 gap-3">
          <Field label="Project" error={fieldErrors.projectId}>
            <select name="projectId" value={values.projectId} onChange={set('projectId')}>
              {projectOptions.map((option) => (
                <option key={option.id} value={option.id}>
                  {option.name}
                </option>
              ))}
            </select>
          </Field>
          <Field
            label="Assignee"
            error={fieldErrors.assigneeId}
            {...(assigneeOutside
              ? { hint: 'The person it was assigned to is not a member of this project, so it will be unassigned.' }
              : {})}
          >
            <select name="assigneeId" value={assigneeId} onChange={set('assigneeId')}>
              <option value="">Unassigned</option>
              {members.data
                ? members.data.map((member) => (
                    <option key={member.user.id} value={member.user.id}>
                      {member.user.id === userId ? `${member.user.name} (you)` : member.user.name}
                    </option>
                  ))
                : assigneeId && <option value={assigneeId}>Loading members…</option>}
            </select>
          </Field>
        </div>
        <div className="grid grid-cols-2 gap-3">
          <Field label="Status" error={fieldErrors.status}>
            <select name="status" value={values.status} onChange={set('status')}>
              {TASK_STATUSES.map((status) => (
                <option key={status} value={status}>
                  {STATUS_LABELS[status]}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Priority" error={fieldErrors.priority}>
            <select name="priority" value={values.priority} onChange={set('priority')}>
              {TASK_PRIORITIES.map((priority) => (
                <option key={priority} value={priority}>
                  {PRIORITY_LABELS[priority]}
                </option>
              ))}
            </select>
          </Field>
        </div>
        <div className="grid grid-cols-2 gap-3">
          <Field label="Due date" error={fieldErrors.dueDate}>
            <input name="dueDate" type="date" value={values.date} onChange={set('date')} />
          </Field>
          <Field label="Due time" hint="Optional; end of day if empty.">
            <input name="dueTime" type="time" value={values.time} onChange={set('time')} disabled={!values.date} />
          </Field>
        </div>
        <Field label="Tags" error={fieldErrors.tags} hint="Separate tags with commas.">
          <input name="tags" value={values.tags} onChange={set('tags')} autoComplete="off" />
        </Field>
        <div className="grid grid-cols-2 gap-3">
          <Field label="Remind me on" error={fieldErrors.remindAt}>
            <input name="remindDate" type="date" value={values.remindDate} onChange={set('remindDate')} />
          </Field>
          <Field label="Reminder time" hint={`Optional; ${REMIND_TIME_DEFAULT} if empty.`}>
            <input
              name="remindTime"
              type="time"
              value={values.remindTime}
              onChange={set('remindTime')}
              disabled={!values.remindDate}
            />
          </Field>
        </div>
        <div className="grid grid-cols-2 gap-3">
          <Field
            label="Repeat"
            error={fieldErrors['recurrence.rule'] ?? fieldErrors.recurrence}
            {...(values.repeat && !values.date ? { hint: 'A task repeats once it has a due date.' } : {})}
          >
            <select name="repeat" value={values.repeat} onChange={set('repeat')}>
              <option value="">Does not repeat</option>
              {REPEAT_PRESETS.map((preset) => (
                <option key={preset.rule} value={preset.rule}>
                  {preset.label}
                </option>
              ))}
              {values.repeat && !REPEAT_PRESETS.some((preset) => preset.rule === values.repeat) && (
                <option value={values.repeat}>{values.repeat}</option>
              )}
            </select>
          </Field>
          <Field label="Next one counts from" error={fieldErrors['recurrence.from']}>
            <select name="repeatFrom" value={values.repeatFrom} onChange={set('repeatFrom')} disabled={!values.repeat}>
              <option value="due">The due date</option>
              <option value="completion">When it is done</option>
            </select>
          </Field>
        </div>

        {problem && (
          <div
            className={`rounded-sm border-l-4 p-3 ${problem.kind === 'conflict' ? 'border-warning bg-warning-bg' : 'border-danger bg-danger-bg'}`}
            role="alert"
          >
            <p className="mb-2">{problem.message}</p>
            {problem.kind === 'conflict' && problem.latest && (
              <>
                <p className="mb-2 font-semibold">Latest saved version</p>
                <dl className="mb-3 grid grid-cols-[max-content_1fr] gap-x-3 gap-y-1 [&>dd]:wrap-anywhere [&>dt]:font-semibold">
                  <dt>Title</dt>
                  <dd>{problem.latest.title}</dd>
                  <dt>Description</dt>
                  <dd>{problem.latest.description || 'None'}</dd>
                  <dt>Status</dt>
                  <dd>{STATUS_LABELS[problem.latest.status]}</dd>
                  <dt>Priority</dt>
                  <dd>{PRIORITY_LABELS[problem.latest.priority]}</dd>
                  <dt>Due</dt>
                  <dd>{problem.latest.dueDate ? formatDue(problem.latest.dueDate) : 'No due date'}</dd>
                  <dt>Tags</dt>
                  <dd>{problem.latest.tags.join(', ') || 'None'}</dd>
                </dl>
                <Button
                  onClick={() => {
                    if (problem.latest) setValues(valuesOf(problem.latest, projectId));
                    setProblem(null);
                  }}
                >
                  Load latest version
                </Button>
              </>
            )}
          </div>
        )}

        <DialogActions>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={save.isPending}>
            {save.isPending
              ? 'Saving…'
              : problem?.kind === 'retry'
                ? 'Retry save'
                : editing
                  ? 'Save changes'
                  : 'Create task'}
          </Button>
        </DialogActions>
      </form>
      {base &&
        (base.id.startsWith(TEMPORARY_ID_PREFIX) ? (
          <p className="mt-6 text-sm text-muted">Its history starts once this task has reached the server.</p>
        ) : (
          <TaskActivity taskId={base.id} userId={userId} members={members.data} />
        ))}
    </Dialog>
  );
}
