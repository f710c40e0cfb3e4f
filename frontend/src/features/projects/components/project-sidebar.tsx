import { Suspense, useId, useState } from 'react';
import { useLocation } from 'react-router';
import { Button } from '../../../components/ui/button';
import { Link } from '../../../components/ui/links';
import { describeError } from '../../../lib/describe-error';
import { useProjects } from '../api/use-projects';
import { projectSettingsDialog } from './lazy-dialogs';
import { ProjectDot } from './project-dot';

const itemClass =
  'flex min-h-10 items-center gap-2 rounded-sm px-3 py-2 hover:bg-surface-2 aria-[current=page]:bg-info-bg aria-[current=page]:font-semibold aria-[current=page]:text-primary';

function OpenCount({ count }: { count: number }) {
  return (
    <span className="ml-auto text-sm text-muted tabular-nums">
      <span className="sr-only">, </span>
      {count}
      <span className="sr-only"> open {count === 1 ? 'task' : 'tasks'}</span>
    </span>
  );
}

/** The task list address for a project (null: all projects), keeping the other filters of `search`. */
export function projectHref(search: string, projectId: string | null): string {
  const params = new URLSearchParams(search);
  if (projectId) params.set('project', projectId);
  else params.delete('project');
  const query = params.toString();
  return `/tasks${query ? `?${query}` : ''}`;
}

/**
 * The projects beside the task list: all projects, the Inbox, then every other project by name, each
 * with its colour and count of open tasks. On a phone the list folds behind a button naming the
 * current choice, so the tasks stay on the first screen.
 */
export function ProjectSidebar({ selectedId }: { selectedId: string | null }) {
  const { projects, byId, isPending, isError, error, refetch } = useProjects();
  const { search } = useLocation();
  const [open, setOpen] = useState(false);
  const [creating, setCreating] = useState(false);
  const listId = useId();
  const current = selectedId === null ? 'All projects' : (byId.get(selectedId)?.name ?? 'Unavailable project');
  const total = projects.reduce((sum, project) => sum + project.openTaskCount, 0);

  const item = (projectId: string | null, label: string, count: number, color?: string | null) => (
    <li key={projectId ?? 'all'}>
      <Link
        to={projectHref(search, projectId)}
        className={itemClass}
        aria-current={selectedId === projectId ? 'page' : undefined}
        onClick={() => setOpen(false)}
      >
        {color !== undefined && <ProjectDot color={color} />}
        <span className="min-w-0 truncate">{label}</span>
        <OpenCount count={count} />
      </Link>
    </li>
  );

  return (
    <>
      <nav aria-label="Projects" className="flex flex-col gap-2">
        <div className="flex items-center gap-2">
          <h2 className="font-bold max-md:sr-only">Projects</h2>
          <Button
            className="min-w-0 flex-1 justify-start md:hidden"
            aria-expanded={open}
            aria-controls={listId}
            onClick={() => setOpen((value) => !value)}
          >
            <span className="truncate">Project: {current}</span>
            <span aria-hidden="true" className="ml-auto">
              {open ? '▴' : '▾'}
            </span>
          </Button>
          <Button size="small" className="ml-auto" onClick={() => setCreating(true)}>
            New project
          </Button>
        </div>
        <div id={listId} className={open ? '' : 'max-md:hidden'}>
          {isPending ? (
            <p className="px-3 text-sm text-muted">Loading projects…</p>
          ) : isError ? (
            <div role="alert" className="flex flex-col items-start gap-2 px-3 text-sm">
              <p>Your projects could not be loaded. {describeError(error)}</p>
              <Button size="small" onClick={() => void refetch()}>
                Retry
              </Button>
            </div>
          ) : (
            <ul className="flex flex-col gap-0.5">
              {item(null, 'All projects', total)}
              {projects.map((project) => item(project.id, project.name, project.openTaskCount, project.color))}
            </ul>
          )}
        </div>
      </nav>
      {creating && (
        <Suspense fallback={null}>
          <projectSettingsDialog.Component onClose={() => setCreating(false)} />
        </Suspense>
      )}
    </>
  );
}
