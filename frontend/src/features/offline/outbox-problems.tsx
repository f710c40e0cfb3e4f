import type { Task } from '@primo/api/contract/wire';
import { useState, useSyncExternalStore } from 'react';
import { Button } from '../../components/ui/button';
import { Dialog } from '../../components/ui/dialog';
import { formatDue } from '../../lib/due-date';
import { PROJECTS_QUERY_ROOT } from '../../lib/query-roots';
import { PRIORITY_LABELS, STATUS_LABELS } from '../../lib/task-labels';
import {
  collidingFields,
  currentOutbox,
  watchOutbox,
  type Outbox,
  type OutboxProblem,
  type Resolution,
} from './outbox';

const FIELD_LABELS: Record<string, string> = {
  title: 'Title',
  description: 'Description',
  status: 'Status',
  priority: 'Priority',
  dueDate: 'Due',
  tags: 'Tags',
  projectId: 'Project',
  assigneeId: 'Assignee',
  remindAt: 'Reminder',
  recurrence: 'Repeats',
};

/** The name of whatever in `data` has this id (a project, or a member's user), or null. */
function findName(data: unknown, id: string): string | null {
  if (typeof data !== 'object' || data === null) return null;
  if ('id' in data && data.id === id && 'name' in data && typeof data.name === 'string') return data.name;
  for (const value of Object.values(data)) {
    const name = findName(value, id);
    if (name !== null) return name;
  }
  return null;
}

/** A project's or a member's name as the cached project views know it. */
function nameOf(outbox: Outbox, id: string): string {
  for (const query of outbox.client.getQueryCache().findAll({ queryKey: PROJECTS_QUERY_ROOT })) {
    const name = findName(query.state.data, id);
    if (name !== null) return name;
  }
  return 'someone or something no longer shown here';
}

/** A field's value in words, the way the task screens show it. */
function describe(outbox: Outbox, field: string, value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  if (Array.isArray(value)) return value.length > 0 ? value.map((tag) => `#${String(tag)}`).join(' ') : '—';
  if (field === 'status') return STATUS_LABELS[value as Task['status']];
  if (field === 'priority') return PRIORITY_LABELS[value as Task['priority']];
  if (field === 'dueDate' || field === 'remindAt') return formatDue(String(value));
  if (field === 'projectId' || field === 'assigneeId') return nameOf(outbox, String(value));
  if (typeof value === 'object' && 'rule' in value) return String(value.rule);
  return String(value);
}

interface Choice {
  resolution: Resolution;
  label: string;
  primary?: boolean;
}

function explain(problem: OutboxProblem): { title: string; text: string; choices: Choice[] } {
  const { write } = problem;
  const name = write.kind === 'create' ? write.input.title : write.before.title;
  switch (problem.kind) {
    case 'conflict':
      if (problem.write.kind === 'delete') {
        return {
          title: 'Deleted here, changed elsewhere',
          text: `You deleted “${name}” while offline, and meanwhile someone changed it.`,
          choices: [
            { resolution: 'mine', label: 'Delete anyway', primary: true },
            { resolution: 'theirs', label: 'Keep their version' },
          ],
        };
      }
      return {
        title: 'Changed here and elsewhere',
        text: `You changed “${name}” while offline, and meanwhile someone else changed it too.`,
        choices: [
          { resolution: 'mine', label: 'Keep mine', primary: true },
          { resolution: 'theirs', label: 'Take theirs' },
          ...(collidingFields(problem.write, problem.theirs).length < Object.keys(problem.write.patch).length
            ? [{ resolution: 'merge' as const, label: 'Merge: mine where they changed nothing' }]
            : []),
        ],
      };
    case 'gone':
      return {
        title: 'This task is gone',
        text: `You changed “${name}” while offline, and meanwhile it was deleted, or you left its project.`,
        choices: [
          { resolution: 'recreate', label: 'Create it again with my changes', primary: true },
          { resolution: 'discard', label: 'Discard my changes' },
        ],
      };
    case 'refused':
      return {
        title: 'A change could not be saved',
        text: `Your change to “${name}” was not accepted: ${problem.message}`,
        choices: [{ resolution: 'discard', label: 'Discard this change', primary: true }],
      };
  }
}

function Versions({ outbox, problem }: { outbox: Outbox; problem: Extract<OutboxProblem, { kind: 'conflict' }> }) {
  const { write, theirs } = problem;
  if (write.kind === 'delete') return null;
  const colliding = new Set(collidingFields(write, theirs));
  const current = theirs as unknown as Record<string, unknown>;
  return (
    <table className="w-full text-left text-sm">
      <caption className="sr-only">Your version and theirs, field by field</caption>
      <thead>
        <tr>
          <th scope="col">Field</th>
          <th scope="col">Yours</th>
          <th scope="col">Theirs</th>
        </tr>
      </thead>
      <tbody>
        {Object.entries(write.patch).map(([field, mine]) => (
          <tr key={field} data-collides={colliding.has(field) || undefined} className="align-top">
            <th scope="row" className="py-1 pr-3 font-semibold">
              {FIELD_LABELS[field] ?? field}
              {colliding.has(field) && <span className="block font-normal text-warning">both changed</span>}
            </th>
            <td className="py-1 pr-3 wrap-anywhere">{describe(outbox, field, mine)}</td>
            <td className="py-1 wrap-anywhere">{describe(outbox, field, current[field])}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * The outbox's first change the server would not take, with what happened and the choices; the rest
 * of the queue waits for one. Put off ("Later"), it stays one click away.
 */
export function OutboxProblems() {
  const problem = useSyncExternalStore(watchOutbox, () => currentOutbox()?.state.problem ?? null);
  const [putOff, setPutOff] = useState<OutboxProblem | null>(null);
  const [busy, setBusy] = useState(false);
  const open = currentOutbox();
  if (problem === null || open === undefined) return null;
  if (putOff === problem) {
    return (
      <div className="fixed right-4 bottom-4 z-70">
        <Button variant="primary" onClick={() => setPutOff(null)}>
          A change made offline needs your decision
        </Button>
      </div>
    );
  }
  const { title, text, choices } = explain(problem);
  return (
    <Dialog title={title} onClose={() => setPutOff(problem)}>
      <div className="flex flex-col gap-4">
        <p>{text}</p>
        {problem.kind === 'conflict' && <Versions outbox={open} problem={problem} />}
        <p className="text-sm text-muted">Your other changes made offline are sent once this one is settled.</p>
        <div className="flex flex-wrap justify-end gap-2">
          <Button onClick={() => setPutOff(problem)}>Later</Button>
          {choices.map((choice) => (
            <Button
              key={choice.resolution}
              variant={choice.primary ? 'primary' : 'default'}
              disabled={busy}
              onClick={() => {
                setBusy(true);
                void open.settle(choice.resolution).finally(() => setBusy(false));
              }}
            >
              {choice.label}
            </Button>
          ))}
        </div>
      </div>
    </Dialog>
  );
}
