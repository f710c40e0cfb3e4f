import type { Task } from '@primo/api/contract/wire';
import { Suspense, useCallback, useEffect, useId, useMemo, useRef, useState, type ReactNode } from 'react';
import { useLocation, useSearchParams } from 'react-router';
import { Button } from '../../../components/ui/button';
import { Link } from '../../../components/ui/links';
import { ErrorPanel } from '../../../components/ui/panel';
import { useToast } from '../../../components/ui/toast-context';
import { ApiError } from '../../../lib/api-client';
import { describeError } from '../../../lib/describe-error';
import { useAuth } from '../../auth';
import {
  canWrite,
  PROJECT_GONE,
  ProjectHeader,
  ProjectSidebar,
  useMembers,
  useProjects,
  VIEWER_REASON,
} from '../../projects';
import { onDemand } from '../../../lib/on-demand';
import { usePendingWrites } from '../../../lib/pending-writes';
import { useShortcuts } from '../../../lib/use-shortcuts';
import { hasActiveFilters, readFilters, writeFilters, type TaskFilters } from '../api/task-filters';
import { useQuickUpdate, useTaskList } from '../api/use-tasks';
import { usePendingDeletes } from '../pending-deletes-context';
import { loadDraft, type TaskFormValues } from '../task-draft';
import { TaskFiltersBar } from './task-filters-bar';
import { TaskItem } from './task-item';

// The form is not needed to show the list, so it arrives in its own chunk, fetched once the list is up.
const taskFormDialog = onDemand(() => import('./task-form-dialog').then((module) => module.TaskFormDialog));
// Quick add brings chrono-node with it: it is fetched the first time quick add opens, never before.
// The board and the calendar (with drag and drop) load when first chosen.
const boardView = onDemand(() => import('../views/board-view').then((module) => module.BoardView));
const calendarView = onDemand(() => import('../views/calendar-view').then((module) => module.CalendarView));
const VIEWS = { list: 'List', board: 'Board', calendar: 'Calendar' } as const;
type View = keyof typeof VIEWS;

const quickAddDialog = onDemand(() => import('../quick-add/quick-add-dialog').then((module) => module.QuickAddDialog));

const kbdClass = 'rounded-xs border border-border bg-surface px-1 font-mono text-[0.85em]';

type Editor =
  | { mode: 'new'; projectId?: string; draft?: TaskFormValues }
  | { mode: 'edit'; task: Task; draft?: TaskFormValues }
  | null;

const OBJECT_ID = /^[0-9a-f]{24}$/;

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
  // The view is in the address too (shareable; Back returns to the previous view), beside the filters.
  const viewParam = params.get('view');
  const view: View = viewParam === 'board' || viewParam === 'calendar' ? viewParam : 'list';
  const withView = (search: URLSearchParams, next: View = view) => {
    if (next !== 'list') search.set('view', next);
    return search;
  };
  // The router applies address changes in a transition; local state makes a ticked box show at once,
  // and the address bar (back button, reload, shared links) stays the source it follows.
  const [filters, setLocalFilters] = useState(urlFilters);
  const [followedUrl, setFollowedUrl] = useState(urlFilters);
  if (writeFilters(followedUrl).toString() !== writeFilters(urlFilters).toString()) {
    setFollowedUrl(urlFilters);
    setLocalFilters(urlFilters);
  }
  const projects = useProjects();
  const project = filters.project ? projects.byId.get(filters.project) : undefined;
  // A project id that cannot exist is not asked for; one the server does not know is gone.
  const list = useTaskList(filters, view === 'list' && (!filters.project || OBJECT_ID.test(filters.project)));
  const gone =
    filters.project !== '' &&
    !project &&
    (!OBJECT_ID.test(filters.project) ||
      projects.isSuccess ||
      (list.error instanceof ApiError && list.error.status === 404));
  const members = useMembers(project && !project.personal ? project.id : null);
  const userId = useAuth().user?.id ?? '';
  const quickUpdate = useQuickUpdate(userId);
  const { hiddenIds, scheduleDelete } = usePendingDeletes();
  const unsynced = usePendingWrites();
  const toast = useToast();
  const [editor, setEditor] = useState<Editor>(() => editorFromDraft(userId));
  // Pressing `a` elsewhere (the dashboard) lands here with quick add open, once: a reload does not reopen it.
  const arrival = useLocation().state as { quickAdd?: boolean } | null;
  const [quickAdding, setQuickAdding] = useState(arrival?.quickAdd === true);
  useEffect(() => {
    if (arrival?.quickAdd) setParams(params, { replace: true });
    // eslint-disable-next-line react-hooks/exhaustive-deps -- only the state the page was opened with
  }, []);
  const user = useAuth().user;
  const searchRef = useRef<HTMLInputElement>(null);
  const viewerNoticeId = useId();
  const viewOnly = project !== undefined && !canWrite(project);
  const refetchProjects = projects.refetch;

  useEffect(() => {
    // The list says the project is gone before the (cached) projects do: ask them again.
    if (list.error instanceof ApiError && list.error.status === 404) void refetchProjects();
  }, [list.error, refetchProjects]);

  useEffect(() => {
    // A failed fetch here is retried, and reported, when the form is actually opened.
    if (!list.isPending) taskFormDialog.preload().catch(() => undefined);
  }, [list.isPending]);

  const setFilters = useCallback(
    (next: TaskFilters) => {
      setLocalFilters(next);
      setParams(withView(writeFilters(next)), { replace: true });
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps -- withView reads only `view`
    [setParams, view],
  );

  const newTask = () => {
    if (viewOnly) toast.show({ message: VIEWER_REASON });
    else setEditor({ mode: 'new', ...(project ? { projectId: project.id } : {}) });
  };

  useShortcuts(
    {
      n: newTask,
      a: () => setQuickAdding(true),
      '/': () => searchRef.current?.focus(),
    },
    editor === null && !quickAdding,
  );

  const visible = list.tasks.filter((task) => !hiddenIds.has(task.id));
  const filtered = hasActiveFilters(filters);
  const names = new Map((members.data ?? []).map((member) => [member.user.id, member.user.name]));
  const assigneeOf = (task: Task) =>
    task.assigneeId === null
      ? undefined
      : task.assigneeId === userId
        ? 'you'
        : (names.get(task.assigneeId) ?? 'another member');

  if (gone) {
    return (
      <Layout selectedId={filters.project}>
        <h1 className="mb-4 text-xl font-bold">Project not available</h1>
        <div className="flex flex-col items-start gap-4 rounded-md border border-border bg-surface p-4">
          <p role="status">{PROJECT_GONE}</p>
          <Link to="/tasks" className="text-primary underline">
            Show the tasks of all your projects
          </Link>
        </div>
      </Layout>
    );
  }

  const newTaskButton = (
    <div className="flex gap-2">
      <Button onClick={() => setQuickAdding(true)} aria-keyshortcuts="a">
        Quick add
      </Button>
      <Button
        variant="primary"
        onClick={newTask}
        aria-keyshortcuts="n"
        disabled={viewOnly}
        aria-describedby={viewOnly ? viewerNoticeId : undefined}
      >
        New task
      </Button>
    </div>
  );

  return (
    <Layout selectedId={filters.project}>
      {project ? (
        <ProjectHeader project={project} viewerNoticeId={viewerNoticeId}>
          {newTaskButton}
        </ProjectHeader>
      ) : (
        <div className="mb-2 flex items-center justify-between gap-3">
          <h1 className="text-xl font-bold">Tasks</h1>
          {newTaskButton}
        </div>
      )}
      <p className="mb-4 text-sm text-muted max-sm:hidden">
        Shortcuts: <kbd className={kbdClass}>n</kbd> new task, <kbd className={kbdClass}>a</kbd> quick add,{' '}
        <kbd className={kbdClass}>/</kbd> search, <kbd className={kbdClass}>Esc</kbd> close.
      </p>

      <TaskFiltersBar filters={filters} onChange={setFilters} searchRef={searchRef} />

      <nav aria-label="Views" className="mb-4 flex gap-1">
        {(Object.keys(VIEWS) as View[]).map((name) => (
          <Link
            key={name}
            to={`?${withView(writeFilters(filters), name).toString()}`}
            aria-current={name === view ? 'page' : undefined}
            className="rounded-sm border border-border px-3 py-1 text-sm font-medium aria-[current=page]:bg-info-bg aria-[current=page]:text-primary"
          >
            {VIEWS[name]}
          </Link>
        ))}
      </nav>

      {view === 'board' ? (
        <Suspense fallback={<p className="text-muted">Loading the board…</p>}>
          <boardView.Component
            filters={filters}
            project={project}
            assigneeOf={assigneeOf}
            onEdit={(target) => setEditor({ mode: 'edit', task: target })}
          />
        </Suspense>
      ) : view === 'calendar' ? (
        <Suspense fallback={<p className="text-muted">Loading the calendar…</p>}>
          <calendarView.Component
            filters={filters}
            projectsById={projects.byId}
            onEdit={(target) => setEditor({ mode: 'edit', task: target })}
          />
        </Suspense>
      ) : (
        <section aria-labelledby="task-list-heading" aria-busy={list.isFetching}>
          <h2 id="task-list-heading" className="sr-only">
            Task list
          </h2>
          {/* Says what a filter, search or project change brought, without moving focus. */}
          <p className="sr-only" role="status">
            {list.isPending || list.isError ? '' : `${visible.length} task${visible.length === 1 ? '' : 's'} shown.`}
          </p>
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
                  <p>{project ? 'No tasks in this project yet.' : 'No tasks yet.'}</p>
                  {!viewOnly && (
                    <Button variant="primary" onClick={newTask}>
                      Create your first task
                    </Button>
                  )}
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
                  project={project || projects.projects.length < 2 ? undefined : projects.byId.get(task.projectId)}
                  assignee={assigneeOf(task)}
                  viewOnly={projects.byId.get(task.projectId)?.role === 'viewer'}
                  unsynced={unsynced.has(task.id)}
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
            <Button
              className="mt-4 w-full"
              onClick={() => void list.fetchNextPage()}
              disabled={list.isFetchingNextPage}
            >
              {list.isFetchingNextPage ? 'Loading…' : list.isFetchNextPageError ? 'Retry loading more' : 'Load more'}
            </Button>
          )}
        </section>
      )}

      {quickAdding && user && (
        <Suspense fallback={null}>
          <quickAddDialog.Component
            userId={user.id}
            userName={user.name}
            userEmail={user.email}
            {...(project && canWrite(project) ? { projectId: project.id } : {})}
            onClose={() => setQuickAdding(false)}
          />
        </Suspense>
      )}
      {editor && (
        <Suspense fallback={null}>
          <taskFormDialog.Component
            key={editor.mode === 'edit' ? editor.task.id : 'new'}
            {...(editor.mode === 'edit' ? { task: editor.task } : {})}
            {...(editor.mode === 'new' && editor.projectId ? { projectId: editor.projectId } : {})}
            {...(editor.draft ? { draft: editor.draft } : {})}
            userId={userId}
            onClose={() => setEditor(null)}
          />
        </Suspense>
      )}
    </Layout>
  );
}

/** The projects beside the list on a wide screen, above it (folded) on a narrow one. */
function Layout({ selectedId, children }: { selectedId: string; children: ReactNode }) {
  return (
    <div className="grid items-start gap-x-6 gap-y-3 md:grid-cols-[13rem_minmax(0,1fr)]">
      <ProjectSidebar selectedId={selectedId || null} />
      <div className="min-w-0">{children}</div>
    </div>
  );
}
