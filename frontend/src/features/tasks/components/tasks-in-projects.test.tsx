import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { json, mockFetch, problem } from '../../../test/fetch-mock';
import { alice, bob, makeProject, makeTask, member, serveProjects, signedIn } from '../../../test/fixtures';
import { findAlert, findStatusToast } from '../../../test/queries';
import { renderApp } from '../../../test/render-app';

const VIEWER_REASON = 'You are a viewer in this project: you can read its tasks but not change them.';

function taskRow(title: string): HTMLElement {
  const row = screen.getByRole('heading', { name: title }).closest('li');
  if (!row) throw new Error(`no row for ${title}`);
  return row;
}

describe('tasks in projects', () => {
  it('when the caller is a viewer, then the page says so and every write control is disabled with the reason', async () => {
    const api = mockFetch();
    signedIn(api);
    const shared = makeProject({ name: 'Shared', role: 'viewer' });
    serveProjects(api, [shared]);
    api.on(
      'GET',
      '/api/v1/tasks',
      json(200, { data: [makeTask({ title: 'Read me', projectId: shared.id })], nextCursor: null }),
    );
    const { user } = renderApp(`/tasks?project=${shared.id}`);

    await screen.findByRole('heading', { name: 'Read me' });
    const notice = await screen.findByText(VIEWER_REASON);
    expect(notice).toHaveAttribute('role', 'status');
    const newTask = screen.getByRole('button', { name: 'New task' });
    expect(newTask).toBeDisabled();
    expect(newTask).toHaveAccessibleDescription(VIEWER_REASON);
    const row = within(taskRow('Read me'));
    for (const control of [
      row.getByRole('checkbox', { name: 'Complete “Read me”' }),
      row.getByRole('button', { name: 'Edit “Read me”' }),
      row.getByRole('button', { name: 'Delete “Read me”' }),
    ]) {
      expect(control).toBeDisabled();
      expect(control).toHaveAccessibleDescription('You are a viewer here');
    }
    expect(screen.queryByRole('button', { name: 'Settings' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Create your first task' })).toBeNull();

    await user.keyboard('n');
    expect(screen.queryByRole('dialog')).toBeNull();
    await findStatusToast(VIEWER_REASON);
  });

  it('when a write is refused because the role changed meanwhile, then the server’s reason is shown and the page turns read-only', async () => {
    const api = mockFetch();
    signedIn(api);
    const shared = makeProject({ name: 'Shared', role: 'editor' });
    serveProjects(api, [shared]);
    const task = makeTask({ title: 'Was mine to change', projectId: shared.id });
    api.on('GET', '/api/v1/tasks', json(200, { data: [task], nextCursor: null }));
    api.on(
      'PATCH',
      `/api/v1/tasks/${task.id}`,
      problem(403, { title: 'Forbidden', detail: "As a viewer you cannot change this project's tasks." }),
    );
    const { user } = renderApp(`/tasks?project=${shared.id}`);

    const checkbox = await screen.findByRole('checkbox', { name: 'Complete “Was mine to change”' });
    serveProjects(api, [{ ...shared, role: 'viewer' }]);
    await user.click(checkbox);

    await findAlert("“Was mine to change” was not changed. As a viewer you cannot change this project's tasks.");
    expect(await screen.findByText(VIEWER_REASON)).toBeInTheDocument();
    expect(screen.getByRole('checkbox', { name: 'Complete “Was mine to change”' })).not.toBeChecked();
    await waitFor(() => expect(screen.getByRole('checkbox', { name: 'Complete “Was mine to change”' })).toBeDisabled());
  });

  it('when the project is not the caller’s any more, then the page says it is gone', async () => {
    const api = mockFetch();
    signedIn(api);
    const gone = makeProject({ name: 'Gone' });
    api.on('GET', '/api/v1/tasks', problem(404, { title: 'Not Found', detail: 'No project with this id.' }));
    const { user } = renderApp(`/tasks?project=${gone.id}`);

    expect(await screen.findByRole('heading', { level: 1, name: 'Project not available' })).toBeInTheDocument();
    expect(
      screen.getByText('This project is not available any more: it was deleted, or you are no longer a member of it.'),
    ).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'New task' })).toBeNull();
    await user.click(screen.getByRole('link', { name: 'Show the tasks of all your projects' }));
    api.on('GET', '/api/v1/tasks', json(200, { data: [], nextCursor: null }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Tasks' })).toBeInTheDocument();
  });

  it('when "Assigned to me" is ticked, then the list asks for the caller’s tasks and the rows say who has them', async () => {
    const api = mockFetch();
    signedIn(api);
    const shared = makeProject({ name: 'Shared' });
    serveProjects(api, [shared]);
    api.on(
      'GET',
      `/api/v1/projects/${shared.id}/members`,
      json(200, { data: [member(alice, 'owner'), member(bob, 'editor')] }),
    );
    api.on(
      'GET',
      '/api/v1/tasks',
      json(200, {
        data: [
          makeTask({ title: 'Mine', projectId: shared.id, assigneeId: alice.id }),
          makeTask({ title: 'His', projectId: shared.id, assigneeId: bob.id }),
        ],
        nextCursor: null,
      }),
    );
    const { user } = renderApp(`/tasks?project=${shared.id}`);

    await screen.findByRole('heading', { name: 'Mine' });
    expect(await within(taskRow('Mine')).findByText('Assigned to you')).toBeInTheDocument();
    expect(await within(taskRow('His')).findByText('Assigned to Bob')).toBeInTheDocument();
    await user.click(screen.getByLabelText('Assigned to me'));

    await waitFor(() => {
      const query = api.to('GET', '/api/v1/tasks').at(-1)?.url.searchParams;
      expect(query?.get('assignee')).toBe('me');
      expect(query?.get('projectId')).toBe(shared.id);
    });
    expect(new URLSearchParams(window.location.search).get('assignee')).toBe('me');
    await user.click(screen.getByRole('button', { name: 'Clear filters' }));
    await waitFor(() => expect(new URLSearchParams(window.location.search).get('assignee')).toBeNull());
    expect(new URLSearchParams(window.location.search).get('project')).toBe(shared.id);
  });

  it('when the list changes, then a polite status says how many tasks are shown', async () => {
    const api = mockFetch();
    signedIn(api);
    api.on('GET', '/api/v1/tasks', json(200, { data: [makeTask({ title: 'Only one' })], nextCursor: null }));
    renderApp('/tasks');

    await screen.findByRole('heading', { name: 'Only one' });
    expect(screen.getByText('1 task shown.')).toHaveAttribute('role', 'status');
  });
});
