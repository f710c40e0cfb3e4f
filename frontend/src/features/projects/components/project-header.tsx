import type { Project } from '@primo/api/contract/wire';
import { Suspense, useEffect, useState, type ReactNode } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { Button } from '../../../components/ui/button';
import { Notice } from '../../../components/ui/panel';
import { ROLE_LABELS, VIEWER_REASON } from '../project-options';
import { membersDialog, projectSettingsDialog } from './lazy-dialogs';
import { ProjectDot } from './project-dot';

interface ProjectHeaderProps {
  project: Project;
  /** The id of the viewer notice, for controls that are disabled because of it to point at. */
  viewerNoticeId: string;
  /** The page's own actions (New task), after the project's. */
  children: ReactNode;
}

/**
 * The top of a project's task list: its name, colour, description and the caller's role, Members and
 * Settings, and, for a viewer, the notice saying why nothing can be changed.
 */
export function ProjectHeader({ project, viewerNoticeId, children }: ProjectHeaderProps) {
  const [open, setOpen] = useState<'members' | 'settings' | null>(null);
  const location = useLocation();
  const navigate = useNavigate();
  // The invite page lands here saying which project was joined; the welcome shows once, not on reload.
  const [joined] = useState(() => (location.state as { joined?: string } | null)?.joined === project.id);
  const address = `${location.pathname}${location.search}`;
  useEffect(() => {
    if (joined) navigate(address, { replace: true, state: null });
  }, [joined, address, navigate]);
  const close = () => setOpen(null);
  const members = `${project.memberCount} member${project.memberCount === 1 ? '' : 's'}`;

  return (
    <>
      <div className="mb-1 flex flex-wrap items-center gap-3">
        <h1 className="flex min-w-0 items-center gap-2 text-xl font-bold">
          <ProjectDot color={project.color} />
          <span className="wrap-anywhere">{project.name}</span>
        </h1>
        <div className="ml-auto flex flex-wrap gap-2">
          {!project.personal && <Button onClick={() => setOpen('members')}>Members</Button>}
          {project.role !== 'viewer' && <Button onClick={() => setOpen('settings')}>Settings</Button>}
          {children}
        </div>
      </div>
      <p className="mb-3 text-sm text-muted">
        {project.personal ? 'Your personal project: only you can see it.' : `${ROLE_LABELS[project.role]} · ${members}`}
      </p>
      {project.description && <p className="mb-3 whitespace-pre-wrap wrap-anywhere">{project.description}</p>}
      {joined && <Notice className="mb-3">You joined “{project.name}”. Welcome!</Notice>}
      {project.role === 'viewer' && (
        <Notice id={viewerNoticeId} className="mb-3">
          {VIEWER_REASON}
        </Notice>
      )}
      {open && (
        <Suspense fallback={null}>
          {open === 'members' ? (
            <membersDialog.Component project={project} onClose={close} />
          ) : (
            <projectSettingsDialog.Component project={project} onClose={close} />
          )}
        </Suspense>
      )}
    </>
  );
}
