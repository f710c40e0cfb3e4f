// The projects feature's public entry: what other features may use. The app composes the rest directly.
export { useMembers, useProjects } from './api/use-projects';
export { ProjectDot } from './components/project-dot';
export { ProjectHeader } from './components/project-header';
export { ProjectSidebar } from './components/project-sidebar';
export { canWrite, PROJECT_GONE, VIEWER_REASON } from './project-options';
