import { onDemand } from '../../../lib/on-demand';

// Project settings and members are opened now and then, never needed to show the task list: each
// arrives in its own chunk when first opened.
export const projectSettingsDialog = /* @__PURE__ */ onDemand(() =>
  import('./project-settings-dialog').then((module) => module.ProjectSettingsDialog),
);
export const membersDialog = /* @__PURE__ */ onDemand(() =>
  import('./members-dialog').then((module) => module.MembersDialog),
);
