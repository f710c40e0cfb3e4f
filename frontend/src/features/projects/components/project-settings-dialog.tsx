import {
  PROJECT_DESCRIPTION_MAX,
  PROJECT_NAME_MAX,
  type Project,
  type UpdateProjectInput,
} from '@primo/api/contract/wire';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { Button } from '../../../components/ui/button';
import { Dialog, DialogActions } from '../../../components/ui/dialog';
import { Field } from '../../../components/ui/field';
import { useToast } from '../../../components/ui/toast-context';
import { ApiError } from '../../../lib/api-client';
import { describeError } from '../../../lib/describe-error';
import { createKeys } from '../../../lib/idempotency';
import { createProject, deleteProject, updateProject } from '../api/project-changes.api';
import { listProjects, projectKeys } from '../api/projects.api';
import { refreshProjectViews } from '../api/use-projects';
import { PROJECT_GONE } from '../project-options';

interface Values {
  name: string;
  description: string;
  color: string | null;
}

const valuesOf = (project: Project | undefined): Values => ({
  name: project?.name ?? '',
  description: project?.description ?? '',
  color: project?.color ?? null,
});

/** The colours offered for a project, by name (the dot is never the only sign of a project). */
const PROJECT_COLORS = [
  { name: 'Red', value: '#dc2626' },
  { name: 'Orange', value: '#ea580c' },
  { name: 'Amber', value: '#ca8a04' },
  { name: 'Green', value: '#16a34a' },
  { name: 'Teal', value: '#0d9488' },
  { name: 'Blue', value: '#2563eb' },
  { name: 'Indigo', value: '#4f46e5' },
  { name: 'Purple', value: '#9333ea' },
  { name: 'Pink', value: '#db2777' },
  { name: 'Grey', value: '#64748b' },
];

const swatchClass =
  'block size-8 rounded-full border-2 border-border peer-checked:ring-3 peer-checked:ring-text peer-checked:ring-offset-2 peer-checked:ring-offset-surface peer-focus-visible:outline-3 peer-focus-visible:outline-offset-4 peer-focus-visible:outline-focus';

/** The colour choice: named swatches as radio buttons, the chosen name spelled out beside them. */
function ColorPicker({ value, onChange }: { value: string | null; onChange: (color: string | null) => void }) {
  const name = useId();
  const options: Array<{ name: string; value: string | null }> = [
    { name: 'No colour', value: null },
    ...PROJECT_COLORS,
  ];
  if (value && !options.some((option) => option.value === value)) options.push({ name: 'Current colour', value });
  const chosen = options.find((option) => option.value === value)?.name ?? 'No colour';
  return (
    <fieldset>
      <legend className="mb-1 text-sm font-semibold">
        Colour <span className="font-normal text-muted">({chosen})</span>
      </legend>
      <div className="flex flex-wrap gap-2.5 p-1">
        {options.map((option) => (
          <label key={option.value ?? 'none'} className="cursor-pointer" title={option.name}>
            <input
              type="radio"
              name={name}
              className="peer sr-only"
              checked={option.value === value}
              onChange={() => onChange(option.value)}
            />
            <span
              className={`${swatchClass} ${option.value ? '' : 'border-dashed'}`}
              style={option.value ? { backgroundColor: option.value, borderColor: option.value } : undefined}
            />
            <span className="sr-only">{option.name}</span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}

/** Only what changed, so a save never rewrites what the person did not touch. */
function diff(base: Project, values: Values): UpdateProjectInput {
  const patch: UpdateProjectInput = {};
  if (values.name.trim() !== base.name) patch.name = values.name;
  if (values.description !== base.description) patch.description = values.description;
  if (values.color !== base.color) patch.color = values.color;
  return patch;
}

interface ProjectSettingsDialogProps {
  /** The project to change; absent to create one. */
  project?: Project;
  onClose: () => void;
}

/** Create a project, or rename, describe, recolour or delete one (delete asks first). */
export function ProjectSettingsDialog({ project, onClose }: ProjectSettingsDialogProps) {
  const client = useQueryClient();
  const toast = useToast();
  const navigate = useNavigate();
  const [base, setBase] = useState(project);
  const [values, setValues] = useState(() => valuesOf(project));
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);
  // The key of this dialog's create, kept across retries of the same values.
  const [creates] = useState(createKeys);
  const deleteReasonId = useId();
  const cancelDeleteRef = useRef<HTMLButtonElement>(null);
  const deleteRef = useRef<HTMLButtonElement>(null);
  const confirmShown = useRef(false);

  useEffect(() => {
    // Entering the confirmation puts focus on its safe choice; leaving it returns focus to Delete.
    if (confirming) cancelDeleteRef.current?.focus();
    else if (confirmShown.current) deleteRef.current?.focus();
    confirmShown.current ||= confirming;
  }, [confirming]);

  const set = (field: 'name' | 'description') => (event: { target: { value: string } }) =>
    setValues((current) => ({ ...current, [field]: event.target.value }));

  /** After a 412: the form keeps the person's input and now guards the save with the latest version. */
  const reloadBase = async (message: string) => {
    const latest = (
      await client.fetchQuery({ queryKey: projectKeys.list(), queryFn: () => listProjects(), staleTime: 0 })
    ).find((candidate) => candidate.id === base?.id);
    if (!latest) return setProblem(PROJECT_GONE);
    setBase(latest);
    setProblem(message);
  };

  const fail = async (error: unknown, action: 'save' | 'delete') => {
    if (error instanceof ApiError) {
      const { _form: formMessage, ...fields } = error.fieldErrors;
      if (Object.keys(fields).length > 0 || formMessage) {
        setFieldErrors(fields);
        return setProblem(formMessage ?? null);
      }
      if (error.status === 412) {
        return reloadBase(
          action === 'save'
            ? 'Someone changed this project while you were editing. Save again to replace their version with yours.'
            : 'Someone changed this project meanwhile. Check it, then delete again if you still want to.',
        );
      }
      if (error.status === 404) {
        void refreshProjectViews(client, { tasks: true });
        return setProblem(PROJECT_GONE);
      }
    }
    setProblem(describeError(error));
  };

  const run = async (work: () => Promise<void>, action: 'save' | 'delete') => {
    setBusy(true);
    setProblem(null);
    setFieldErrors({});
    try {
      await work();
    } catch (error) {
      await fail(error, action).catch((reloadError: unknown) => setProblem(describeError(reloadError)));
    } finally {
      setBusy(false);
    }
  };

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    void run(async () => {
      if (!base) {
        const created = await createProject(values, creates.keyFor(values));
        creates.settled();
        await refreshProjectViews(client);
        toast.show({ tone: 'success', message: `Created project “${created.name}”.` });
        onClose();
        navigate(`/tasks?project=${created.id}`);
        return;
      }
      const patch = diff(base, values);
      if (Object.keys(patch).length > 0) {
        const saved = await updateProject(base, patch);
        await refreshProjectViews(client);
        toast.show({ tone: 'success', message: `Saved project “${saved.name}”.` });
      }
      onClose();
    }, 'save');
  };

  const onDelete = () =>
    void run(async () => {
      if (!base) return;
      await deleteProject(base);
      await refreshProjectViews(client, { tasks: true });
      toast.show({ tone: 'success', message: `Deleted project “${base.name}”.` });
      onClose();
      navigate('/tasks', { replace: true });
    }, 'delete');

  const problemAlert = problem && (
    <p className="rounded-sm border-l-4 border-danger bg-danger-bg p-3" role="alert">
      {problem}
    </p>
  );

  if (confirming && base) {
    return (
      <Dialog title="Delete project?" onClose={onClose}>
        <div className="flex flex-col gap-4">
          <p>Delete “{base.name}” and all of its tasks, for every member? This cannot be undone.</p>
          {problemAlert}
          <DialogActions>
            <Button ref={cancelDeleteRef} onClick={() => setConfirming(false)}>
              Keep project
            </Button>
            <Button variant="danger" onClick={onDelete} disabled={busy}>
              {busy ? 'Deleting…' : 'Delete project'}
            </Button>
          </DialogActions>
        </div>
      </Dialog>
    );
  }

  const deleteReason = !base
    ? null
    : base.personal
      ? 'The Inbox is your personal project: it cannot be deleted.'
      : base.role !== 'owner'
        ? 'Only an owner can delete this project.'
        : null;

  return (
    <Dialog title={base ? 'Project settings' : 'New project'} onClose={onClose}>
      <form className="flex flex-col gap-4" onSubmit={onSubmit} noValidate>
        <Field label="Name" error={fieldErrors.name}>
          <input name="name" value={values.name} onChange={set('name')} maxLength={PROJECT_NAME_MAX} data-autofocus />
        </Field>
        <Field label="Description" error={fieldErrors.description} hint="Optional.">
          <textarea
            name="description"
            rows={3}
            value={values.description}
            onChange={set('description')}
            maxLength={PROJECT_DESCRIPTION_MAX}
          />
        </Field>
        <ColorPicker value={values.color} onChange={(color) => setValues((current) => ({ ...current, color }))} />
        {fieldErrors.color && <p className="text-sm font-medium text-danger">{fieldErrors.color}</p>}
        {problemAlert}
        <DialogActions>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={busy}>
            {busy ? 'Saving…' : base ? 'Save changes' : 'Create project'}
          </Button>
        </DialogActions>
        {base && (
          <section className="mt-2 flex flex-col items-start gap-2 border-t border-border pt-4" aria-label="Delete">
            <Button
              ref={deleteRef}
              variant="danger"
              disabled={deleteReason !== null}
              aria-describedby={deleteReason ? deleteReasonId : undefined}
              onClick={() => setConfirming(true)}
            >
              Delete project…
            </Button>
            {deleteReason && (
              <p id={deleteReasonId} className="text-sm text-muted">
                {deleteReason}
              </p>
            )}
          </section>
        )}
      </form>
    </Dialog>
  );
}
