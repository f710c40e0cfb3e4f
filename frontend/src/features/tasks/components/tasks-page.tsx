import type { Task } from '@primo/api/contract/wire';
import { Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useSearchParams } from 'react-router';
import { Button } from '../../../components/ui/button';
import { ErrorPanel } from '../../../components/ui/panel';
import { describeError } from '../../../lib/describe-error';
import { useAuth } from '../../auth';
import { onDemand } from '../../../lib/on-demand';
import { useShortcuts } from '../../../lib/use-shortcuts';
import { hasActiveFilters, readFilters, writeFilters, type TaskFilters } from '../api/task-filters';
import { useQuickUpdate, useTaskList } from '../api/use-tasks';
import { usePendingDeletes } from '../pending-deletes-context';
import { loadDraft, type TaskFormValues } from '../task-draft';
import { TaskFiltersBar } from './task-filters-bar';
import { TaskItem } from './task-item';

// The form is not needed to show the list, so it arrives in its own chunk, fetched once the list is up.
const taskFormDialog = onDemand(() => import('./task-form-dialog').then((module) => module.TaskFormDialog));

const kbdClass = 'rounded-xs border border-border bg-surface px-1 font-mono text-[0.85em]';

type Editor = { mode: 'new'; draft?: TaskFormValues } | { mode: 'edit'; task: Task; draft?: TaskFormValues } | null;

/** A form that was open when the session ended reopens with its input. */
function editorFromDraft(userId: string): Editor {
  const draft = loadDraft(userId);
  if (!draft) return null;
  return draft.base ? { mode: 'edit', task: draft.base, draft: draft.values } : { mode: 'new', draft: draft.values };
}

/** The task list screen: filters in the address bar, pages through the cursor, quick actions inline. */
export function TasksPage() {
  const [params, setParams] = useSearchParams();
  const urlFilters = useMemo(() => readFilters(params), [params]);
  // The router applies address changes in a transition; local state makes a ticked box show at once,
  // and the address bar (back button, reload, shared links) stays the source it follows.
  const [filters, setLocalFilters] = useState(urlFilters);
  const [followedUrl, setFollowedUrl] = useState(urlFilters);
  if (writeFilters(followedUrl).toString() !== writeFilters(urlFilters).toString()) {
    setFollowedUrl(urlFilters);
    setLocalFilters(urlFilters);
  }
  const list = useTaskList(filters);
  const quickUpdate = useQuickUpdate();
  const { hiddenIds, scheduleDelete } = usePendingDeletes();
  const userId = useAuth().user?.id ?? '';
  const [editor, setEditor] = useState<Editor>(() => editorFromDraft(userId));
  const searchRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    // A failed fetch here is retried, and reported, when the form is actually opened.
    if (!list.isPending) taskFormDialog.preload().catch(() => undefined);
  }, [list.isPending]);

  const setFilters = useCallback(
    (next: TaskFilters) => {
      setLocalFilters(next);
      setParams(writeFilters(next), { replace: true });
    },
    [setParams],
  );

  useShortcuts(
    {
      n: () => setEditor({ mode: 'new' }),
      '/': () => searchRef.current?.focus(),
    },
    editor === null,
  );

  const visible = list.tasks.filter((task) => !hiddenIds.has(task.id));
  const filtered = hasActiveFilters(filters);

  return (
    <>
      <div className="mb-2 flex items-center justify-between gap-3">
        <h1 className="text-xl font-bold">Tasks</h1>
        <Button variant="primary" onClick={() => setEditor({ mode: 'new' })} aria-keyshortcuts="n">
          New task
        </Button>
      </div>
      <p className="mb-4 text-sm text-muted max-sm:hidden">
        Shortcuts: <kbd className={kbdClass}>n</kbd> new task, <kbd className={kbdClass}>/</kbd> search,{' '}
        <kbd className={kbdClass}>Esc</kbd> close.
      </p>

      <TaskFiltersBar filters={filters} onChange={setFilters} searchRef={searchRef} />

      <section aria-labelledby="task-list-heading" aria-busy={list.isFetching}>
        <h2 id="task-list-heading" className="sr-only">
          Task list
        </h2>
        {list.isPending ? (
          <p className="text-muted">Loading tasks…</p>
        ) : list.isError && list.tasks.length === 0 ? (
          <ErrorPanel>
            <p>Your tasks could not be loaded. {describeError(list.error)}</p>
            <Button onClick={() => void list.refetch()}>Retry</Button>
          </ErrorPanel>
        ) : visible.length === 0 ? (
          <div className="flex flex-col items-center gap-4 rounded-md border-2 border-dashed border-border px-4 py-10 text-center">
            {filtered ? (
              <p>No tasks match these filters.</p>
            ) : (
              <>
                <p>No tasks yet.</p>
                <Button variant="primary" onClick={() => setEditor({ mode: 'new' })}>
                  Create your first task
                </Button>
              </>
            )}
          </div>
        ) : (
          <ul
            className="flex flex-col gap-2"
            aria-label={`${visible.length} task${visible.length === 1 ? '' : 's'} shown`}
          >
            {visible.map((task) => (
              <TaskItem
                key={task.id}
                task={task}
                onToggleDone={(target) =>
                  quickUpdate.mutate({ task: target, patch: { status: target.status === 'done' ? 'todo' : 'done' } })
                }
                onEdit={(target) => setEditor({ mode: 'edit', task: target })}
                onDelete={scheduleDelete}
                onTag={(tag) => setFilters({ ...filters, tag })}
              />
            ))}
          </ul>
        )}
        {list.isFetchNextPageError && (
          <ErrorPanel>
            <p>More tasks could not be loaded. {describeError(list.error)}</p>
          </ErrorPanel>
        )}
        {list.hasNextPage && (
          <Button className="mt-4 w-full" onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage}>
            {list.isFetchingNextPage ? 'Loading…' : list.isFetchNextPageError ? 'Retry loading more' : 'Load more'}
          </Button>
        )}
      </section>

      {editor && (
        <Suspense fallback={null}>
          <taskFormDialog.Component
            key={editor.mode === 'edit' ? editor.task.id : 'new'}
            {...(editor.mode === 'edit' ? { task: editor.task } : {})}
            {...(editor.draft ? { draft: editor.draft } : {})}
            userId={userId}
            onClose={() => setEditor(null)}
          />
        </Suspense>
      )}
    </>
  );
}
