import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { json, mockFetch, problem } from '../../../test/fetch-mock';
import { inbox, makeProject, makeTask, serveProjects, signedIn } from '../../../test/fixtures';
import { findAlert, findStatusToast } from '../../../test/queries';
import { renderApp } from '../../../test/render-app';

function sidebar() {
  return within(screen.getByRole('navigation', { name: 'Projects' }));
}

describe('project sidebar', () => {
  it('when projects load, then all projects come first, then the Inbox, each with its open tasks, and a project filters the list', async () => {
    const api = mockFetch();
    signedIn(api);
    const launch = makeProject({ name: 'Launch', color: '#0d9488', openTaskCount: 2 });
    api.on('GET', '/api/v1/projects', json(200, { data: [{ ...inbox, openTaskCount: 1 }, launch], nextCursor: null }));
    api.on('GET', '/api/v1/tasks', json(200, { data: [], nextCursor: null }));
    const { user } = renderApp('/tasks?status=todo');

    await within(await screen.findByRole('navigation', { name: 'Projects' })).findByRole('link', { name: /^Inbox/ });
    const names = sidebar()
      .getAllByRole('link')
      .map((link) => link.textContent);
    expect(names).toEqual(['All projects, 3 open tasks', 'Inbox, 1 open task', 'Launch, 2 open tasks']);
    expect(sidebar().getByRole('link', { name: /^All projects/ })).toHaveAttribute('aria-current', 'page');

    await user.click(sidebar().getByRole('link', { name: /^Launch/ }));

    expect(await screen.findByRole('heading', { level: 1, name: 'Launch' })).toBeInTheDocument();
    expect(sidebar().getByRole('link', { name: /^Launch/ })).toHaveAttribute('aria-current', 'page');
    expect(new URLSearchParams(window.location.search).get('project')).toBe(launch.id);
    expect(new URLSearchParams(window.location.search).get('status')).toBe('todo');
    await waitFor(() => {
      const query = api.to('GET', '/api/v1/tasks').at(-1)?.url.searchParams;
      expect(query?.get('projectId')).toBe(launch.id);
      expect(query?.get('status')).toBe('todo');
    });
  });

  it('when the list spans several projects, then each row shows its project', async () => {
    const api = mockFetch();
    signedIn(api);
    const launch = makeProject({ name: 'Launch' });
    serveProjects(api, [launch]);
    api.on(
      'GET',
      '/api/v1/tasks',
      json(200, {
        data: [makeTask({ title: 'Ship it', projectId: launch.id }), makeTask({ title: 'Mine' })],
        nextCursor: null,
      }),
    );
    renderApp('/tasks');

    const ship = (await screen.findByRole('heading', { name: 'Ship it' })).closest('li') as HTMLElement;
    expect(within(ship).getByText('Launch')).toBeInTheDocument();
    const mine = screen.getByRole('heading', { name: 'Mine' }).closest('li') as HTMLElement;
    expect(within(mine).getByText('Inbox')).toBeInTheDocument();
  });

  it('when on a small screen, then the list folds behind a button naming the current project', async () => {
    const api = mockFetch();
    signedIn(api);
    api.on('GET', '/api/v1/tasks', json(200, { data: [], nextCursor: null }));
    const { user } = renderApp(`/tasks?project=${inbox.id}`);

    const nav = within(await screen.findByRole('navigation', { name: 'Projects' }));
    const toggle = await nav.findByRole('button', { name: /^Project: Inbox/ });
    expect(toggle).toHaveAttribute('aria-expanded', 'false');
    await user.click(toggle);
    expect(toggle).toHaveAttribute('aria-expanded', 'true');
    expect(document.getElementById(toggle.getAttribute('aria-controls') ?? '')).toContainElement(
      sidebar().getByRole('link', { name: /^Inbox/ }),
    );
  });

  it('when the projects cannot load, then the sidebar says so and Retry brings them', async () => {
    const api = mockFetch();
    signedIn(api);
    api.on('GET', '/api/v1/projects', problem(403, { title: 'Forbidden', detail: 'Not today.' }));
    api.on('GET', '/api/v1/tasks', json(200, { data: [], nextCursor: null }));
    const { user } = renderApp('/tasks');

    const alert = await findAlert('Your projects could not be loaded. Not today.');
    serveProjects(api, [makeProject({ name: 'Back' })]);
    await user.click(within(alert).getByRole('button', { name: 'Retry' }));

    expect(await sidebar().findByRole('link', { name: /^Back/ })).toBeInTheDocument();
  });

  it('when a project is created, then it is sent and shown, and the list switches to it', async () => {
    const api = mockFetch();
    signedIn(api);
    api.on('GET', '/api/v1/tasks', json(200, { data: [], nextCursor: null }));
    const created = makeProject({ name: 'Garden', color: '#16a34a', memberCount: 1 });
    api.on('POST', '/api/v1/projects', (request) => {
      serveProjects(api, [created]);
      return json(201, { ...created, ...(request.body as object) });
    });
    const { user } = renderApp('/tasks');

    await user.click(await screen.findByRole('button', { name: 'New project' }));
    const dialog = await screen.findByRole('dialog', { name: 'New project' });
    expect(within(dialog).getByLabelText('Name')).toHaveFocus();
    await user.type(within(dialog).getByLabelText('Name'), 'Garden');
    await user.type(within(dialog).getByLabelText('Description'), 'Beds and seeds');
    await user.click(within(dialog).getByRole('radio', { name: 'Green' }));
    expect(within(dialog).getByRole('group', { name: 'Colour (Green)' })).toBeInTheDocument();
    await user.click(within(dialog).getByRole('button', { name: 'Create project' }));

    expect(await screen.findByRole('heading', { level: 1, name: 'Garden' })).toBeInTheDocument();
    expect(api.to('POST', '/api/v1/projects')[0]?.body).toEqual({
      name: 'Garden',
      description: 'Beds and seeds',
      color: '#16a34a',
    });
    expect(new URLSearchParams(window.location.search).get('project')).toBe(created.id);
    await findStatusToast('Created project “Garden”.');
  });

  it('when the server rejects the name, then its message is on the field and the dialog stays', async () => {
    const api = mockFetch();
    signedIn(api);
    api.on('GET', '/api/v1/tasks', json(200, { data: [], nextCursor: null }));
    api.on(
      'POST',
      '/api/v1/projects',
      problem(400, { title: 'Bad Request', errors: [{ path: 'name', message: 'must not be empty' }] }),
    );
    const { user } = renderApp('/tasks');

    await user.click(await screen.findByRole('button', { name: 'New project' }));
    const dialog = await screen.findByRole('dialog', { name: 'New project' });
    await user.click(within(dialog).getByRole('button', { name: 'Create project' }));

    await waitFor(() => expect(within(dialog).getByLabelText('Name')).toHaveAccessibleDescription('must not be empty'));
    expect(screen.getByRole('dialog', { name: 'New project' })).toBeInTheDocument();
  });
});
