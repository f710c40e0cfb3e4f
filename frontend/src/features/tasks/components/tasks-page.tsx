import type { Task } from '@primo/api/contract/wire';
import { Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useSearchParams } from 'react-router';
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
      <div className="page-header">
        <h1>Tasks</h1>
        <button
          type="button"
          className="button button--primary"
          onClick={() => setEditor({ mode: 'new' })}
          aria-keyshortcuts="n"
        >
          New task
        </button>
      </div>
      <p className="muted shortcuts-hint">
        Shortcuts: <kbd>n</kbd> new task, <kbd>/</kbd> search, <kbd>Esc</kbd> close.
      </p>

      <TaskFiltersBar filters={filters} onChange={setFilters} searchRef={searchRef} />

      <section aria-labelledby="task-list-heading" aria-busy={list.isFetching}>
        <h2 id="task-list-heading" className="visually-hidden">
          Task list
        </h2>
        {list.isPending ? (
          <p className="muted">Loading tasks…</p>
        ) : list.isError && list.tasks.length === 0 ? (
          <div className="panel panel--error" role="alert">
            <p>Your tasks could not be loaded. {describeError(list.error)}</p>
            <button type="button" className="button" onClick={() => void list.refetch()}>
              Retry
            </button>
          </div>
        ) : visible.length === 0 ? (
          <div className="empty-state">
            {filtered ? (
              <p>No tasks match these filters.</p>
            ) : (
              <>
                <p>No tasks yet.</p>
                <button type="button" className="button button--primary" onClick={() => setEditor({ mode: 'new' })}>
                  Create your first task
                </button>
              </>
            )}
          </div>
        ) : (
          <ul className="task-list" aria-label={`${visible.length} task${visible.length === 1 ? '' : 's'} shown`}>
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
          <div className="panel panel--error" role="alert">
            <p>More tasks could not be loaded. {describeError(list.error)}</p>
          </div>
        )}
        {list.hasNextPage && (
          <button
            type="button"
            className="button button--block load-more"
            onClick={() => void list.fetchNextPage()}
            disabled={list.isFetchingNextPage}
          >
            {list.isFetchingNextPage ? 'Loading…' : list.isFetchNextPageError ? 'Retry loading more' : 'Load more'}
          </button>
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
