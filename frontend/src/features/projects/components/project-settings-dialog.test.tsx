import type { Project } from '@primo/api/contract/wire';
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { json, mockFetch, problem } from '../../../test/fetch-mock';
import { inbox, makeProject, serveProjects, signedIn } from '../../../test/fixtures';
import { findAlert, findStatusToast } from '../../../test/queries';
import { renderApp } from '../../../test/render-app';

async function openSettings(project: Project) {
  const api = mockFetch();
  signedIn(api);
  serveProjects(api, project.personal ? [] : [project]);
  api.on('GET', '/api/v1/tasks', json(200, { data: [], nextCursor: null }));
  const rendered = renderApp(`/tasks?project=${project.id}`);
  await rendered.user.click(await screen.findByRole('button', { name: 'Settings' }));
  const dialog = await screen.findByRole('dialog', { name: 'Project settings' });
  return { api, dialog, ...rendered };
}

describe('project settings', () => {
  it('when a project is renamed and recoloured, then only those fields are sent, guarded by its version', async () => {
    const launch = makeProject({ name: 'Launch', description: 'Keep', color: null, version: 4 });
    const { api, dialog, user } = await openSettings(launch);
    api.on('PATCH', `/api/v1/projects/${launch.id}`, (request) =>
      json(200, { ...launch, ...(request.body as object), version: 5 }),
    );
    const form = within(dialog);

    await user.clear(form.getByLabelText('Name'));
    await user.type(form.getByLabelText('Name'), 'Launch v2');
    await user.click(form.getByRole('radio', { name: 'Blue' }));
    await user.click(form.getByRole('button', { name: 'Save changes' }));

    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    const [patch] = api.to('PATCH', `/api/v1/projects/${launch.id}`);
    expect(patch?.body).toEqual({ name: 'Launch v2', color: '#2563eb' });
    expect(patch?.headers.get('if-match')).toBe(`"${launch.id}-4"`);
    await findStatusToast('Saved project “Launch v2”.');
  });

  it('when someone else changed the project meanwhile, then the form says so and saving again uses their version', async () => {
    const launch = makeProject({ name: 'Launch', version: 1 });
    const { api, dialog, user } = await openSettings(launch);
    api.on('PATCH', `/api/v1/projects/${launch.id}`, (request) =>
      request.headers.get('if-match') === `"${launch.id}-2"`
        ? json(200, { ...launch, ...(request.body as object), version: 3 })
        : problem(412, { title: 'Precondition Failed' }),
    );
    serveProjects(api, [{ ...launch, description: 'Theirs', version: 2 }]);
    const form = within(dialog);

    await user.type(form.getByLabelText('Name'), '!');
    await user.click(form.getByRole('button', { name: 'Save changes' }));
    await findAlert(/Someone changed this project while you were editing/);
    expect(form.getByLabelText('Name')).toHaveValue('Launch!');
    await user.click(form.getByRole('button', { name: 'Save changes' }));

    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    const patches = api.to('PATCH', `/api/v1/projects/${launch.id}`);
    expect(patches.map((request) => request.headers.get('if-match'))).toEqual([`"${launch.id}-1"`, `"${launch.id}-2"`]);
    expect(patches[1]?.body).toEqual({ name: 'Launch!', description: '' });
  });

  it('when an owner deletes a project, then it asks first, focus starts on keeping it, and the list returns to all projects', async () => {
    const launch = makeProject({ name: 'Launch', version: 7 });
    const { api, dialog, user } = await openSettings(launch);
    api.on('DELETE', `/api/v1/projects/${launch.id}`, () => {
      serveProjects(api, []);
      return new Response(null, { status: 204 });
    });

    await user.click(within(dialog).getByRole('button', { name: 'Delete project…' }));
    const confirm = await screen.findByRole('dialog', { name: 'Delete project?' });
    expect(within(confirm).getByText(/Delete “Launch” and all of its tasks, for every member\?/)).toBeInTheDocument();
    await waitFor(() => expect(within(confirm).getByRole('button', { name: 'Keep project' })).toHaveFocus());
    expect(api.to('DELETE', `/api/v1/projects/${launch.id}`)).toHaveLength(0);
    await user.click(within(confirm).getByRole('button', { name: 'Delete project' }));

    await screen.findByRole('heading', { level: 1, name: 'Tasks' });
    expect(window.location.search).toBe('');
    expect(api.to('DELETE', `/api/v1/projects/${launch.id}`)[0]?.headers.get('if-match')).toBe(`"${launch.id}-7"`);
    await findStatusToast('Deleted project “Launch”.');
  });

  it('when the deletion is cancelled, then nothing is sent and focus is back on Delete', async () => {
    const launch = makeProject({ name: 'Launch' });
    const { api, dialog, user } = await openSettings(launch);

    await user.click(within(dialog).getByRole('button', { name: 'Delete project…' }));
    await user.click(await screen.findByRole('button', { name: 'Keep project' }));

    await waitFor(() => expect(screen.getByRole('button', { name: 'Delete project…' })).toHaveFocus());
    expect(api.to('DELETE', `/api/v1/projects/${launch.id}`)).toHaveLength(0);
  });

  it('when the project is the Inbox, then Delete is disabled and says why', async () => {
    const { dialog } = await openSettings(inbox);
    const remove = within(dialog).getByRole('button', { name: 'Delete project…' });
    expect(remove).toBeDisabled();
    expect(remove).toHaveAccessibleDescription('The Inbox is your personal project: it cannot be deleted.');
  });

  it('when the caller is an editor, then Delete is disabled and says only an owner may', async () => {
    const { dialog } = await openSettings(makeProject({ role: 'editor' }));
    const remove = within(dialog).getByRole('button', { name: 'Delete project…' });
    expect(remove).toBeDisabled();
    expect(remove).toHaveAccessibleDescription('Only an owner can delete this project.');
  });

  it('when the caller lost the right to change it meanwhile, then the server’s reason is shown', async () => {
    const launch = makeProject({ name: 'Launch', role: 'editor' });
    const { api, dialog, user } = await openSettings(launch);
    api.on(
      'PATCH',
      `/api/v1/projects/${launch.id}`,
      problem(403, {
        title: 'Forbidden',
        detail: "As a viewer you cannot change this project's name, description or colour.",
      }),
    );

    await user.type(within(dialog).getByLabelText('Description'), 'more');
    await user.click(within(dialog).getByRole('button', { name: 'Save changes' }));

    await findAlert("As a viewer you cannot change this project's name, description or colour.");
  });
});
