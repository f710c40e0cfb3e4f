import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { json, mockFetch, problem } from '../../../test/fetch-mock';
import {
  alice,
  bob,
  makeProject,
  makeTask,
  member,
  rememberSignIn,
  serveProjects,
  signedIn,
} from '../../../test/fixtures';
import { findAlert, findStatusToast } from '../../../test/queries';
import { renderApp } from '../../../test/render-app';

async function openNewTask() {
  const api = mockFetch();
  signedIn(api);
  api.on('GET', '/api/v1/tasks', json(200, { data: [], nextCursor: null }));
  const rendered = renderApp('/tasks');
  await rendered.user.click(await screen.findByRole('button', { name: 'New task' }));
  const dialog = await screen.findByRole('dialog', { name: 'New task' });
  return { api, dialog, ...rendered };
}

describe('task form', () => {
  it('when the dialog is open, then the page behind it is out of reach, and closing it brings the page back', async () => {
    const { dialog, user } = await openNewTask();
    expect(screen.queryByRole('button', { name: 'Create your first task' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'New task' })).toBeNull();
    expect(within(dialog).getByRole('button', { name: 'Create task' })).toBeInTheDocument();

    await user.keyboard('{Escape}');
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(screen.getByRole('button', { name: 'Create your first task' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'New task' })).toHaveFocus();
  });

  it('when a new task is saved, then every field is sent and the dialog closes', async () => {
    const { api, dialog, user } = await openNewTask();
    api.on('POST', '/api/v1/tasks', (request) => json(201, makeTask(request.body as object)));
    const form = within(dialog);

    await user.type(form.getByLabelText('Title'), 'Write report');
    await user.type(form.getByLabelText('Description'), 'Q3 numbers');
    await user.selectOptions(form.getByLabelText('Status'), 'In progress');
    await user.selectOptions(form.getByLabelText('Priority'), 'Urgent');
    await user.type(form.getByLabelText('Due date'), '2026-11-30');
    await user.type(form.getByLabelText('Due time'), '14:30');
    await user.type(form.getByLabelText('Tags'), 'Work, q3');
    await user.type(form.getByLabelText('Remind me on'), '2026-11-29');
    expect(form.getByLabelText('Next one counts from')).toBeDisabled();
    await user.selectOptions(form.getByLabelText('Repeat'), 'Every week');
    await user.selectOptions(form.getByLabelText('Next one counts from'), 'When it is done');
    await user.click(form.getByRole('button', { name: 'Create task' }));

    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    const body = api.to('POST', '/api/v1/tasks')[0]?.body as Record<string, unknown>;
    expect(body).toEqual({
      projectId: alice.id,
      assigneeId: null,
      title: 'Write report',
      description: 'Q3 numbers',
      status: 'in_progress',
      priority: 'urgent',
      dueDate: new Date(2026, 10, 30, 14, 30).toISOString(),
      tags: ['Work', 'q3'],
      // A reminder date without a time goes off at nine in the morning.
      remindAt: new Date(2026, 10, 29, 9, 0).toISOString(),
      recurrence: { rule: 'FREQ=WEEKLY', from: 'completion' },
    });
    await findStatusToast('Created “Write report”.');
  });

  it('when the server rejects fields, then each message shows on its field and the input stays', async () => {
    const { api, dialog, user } = await openNewTask();
    api.on(
      'POST',
      '/api/v1/tasks',
      problem(400, {
        title: 'Bad Request',
        detail: 'Request validation failed',
        errors: [
          { path: 'title', message: 'must not be empty' },
          { path: 'tags.1', message: 'must be at most 32 characters' },
        ],
      }),
    );
    const form = within(dialog);
    await user.type(form.getByLabelText('Description'), 'kept text');
    await user.type(form.getByLabelText('Tags'), `ok, ${'x'.repeat(40)}`);
    await user.click(form.getByRole('button', { name: 'Create task' }));

    const title = form.getByLabelText('Title');
    await waitFor(() => expect(title).toHaveAccessibleDescription('must not be empty'));
    expect(title).toHaveAttribute('aria-invalid', 'true');
    await waitFor(() => expect(title).toHaveFocus());
    expect(form.getByLabelText('Tags')).toHaveAccessibleDescription(
      'Separate tags with commas. must be at most 32 characters',
    );
    expect(form.getByLabelText('Description')).toHaveValue('kept text');
    expect(screen.getByRole('dialog')).toBeInTheDocument();
  });

  it('when the network fails, then the new task is kept on this device and sent again with the same key', async () => {
    const { api, dialog, user } = await openNewTask();
    api.on('POST', '/api/v1/tasks', () => Promise.reject(new TypeError('Failed to fetch')));
    const form = within(dialog);
    await user.type(form.getByLabelText('Title'), 'Survives outages');
    await user.click(form.getByRole('button', { name: 'Create task' }));

    expect(await screen.findByText(/Created “Survives outages”\. Saved on this device\./)).toBeInTheDocument();
    expect(screen.queryByRole('dialog')).toBeNull();
    api.on('POST', '/api/v1/tasks', (request) => json(201, makeTask(request.body as object)));

    // The outbox tries again on its own (after waiting a few seconds for the live connection's
    // catch-up, which never comes here); the repeat carries the first attempt's key, so a create that
    // did land is not written twice.
    await waitFor(() => expect(api.to('POST', '/api/v1/tasks')).toHaveLength(2), { timeout: 12_000 });
    const [first, ...repeats] = api
      .to('POST', '/api/v1/tasks')
      .map((request) => request.headers.get('Idempotency-Key'));
    expect(first).toMatch(/^[0-9a-f-]{36}$/);
    expect(repeats).toEqual([first]);
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(api.to('POST', '/api/v1/tasks')).toHaveLength(2);
  }, 20_000);

  it('when saving is rate limited, then the form says when to retry', async () => {
    const { api, dialog, user } = await openNewTask();
    api.on('POST', '/api/v1/tasks', problem(429, { title: 'Too Many Requests' }, { 'Retry-After': '30' }));
    await user.type(within(dialog).getByLabelText('Title'), 'Later');
    await user.click(within(dialog).getByRole('button', { name: 'Create task' }));

    await findAlert('Too many requests. You can try again in 30 seconds.');
    expect(within(dialog).getByLabelText('Title')).toHaveValue('Later');
  });

  it('when someone else changed the task meanwhile, then their version is shown and saving again overwrites it', async () => {
    const api = mockFetch();
    signedIn(api);
    const task = makeTask({ title: 'Original', version: 1 });
    const theirs = { ...task, title: 'Their title', priority: 'high' as const, version: 2 };
    api.on('GET', '/api/v1/tasks', json(200, { data: [task], nextCursor: null }));
    api.on('GET', `/api/v1/tasks/${task.id}`, json(200, theirs));
    api.on('PATCH', `/api/v1/tasks/${task.id}`, (request) =>
      request.headers.get('if-match') === `"${task.id}-2"`
        ? json(200, { ...theirs, ...(request.body as object), version: 3 })
        : problem(412, { title: 'Precondition Failed' }),
    );
    const { user } = renderApp('/tasks');
    await user.click(await screen.findByRole('button', { name: 'Edit “Original”' }));
    const form = within(await screen.findByRole('dialog', { name: 'Edit task' }));
    await user.clear(form.getByLabelText('Title'));
    await user.type(form.getByLabelText('Title'), 'My title');
    await user.click(form.getByRole('button', { name: 'Save changes' }));

    const alert = await findAlert(/Someone changed this task/);
    expect(alert).toHaveTextContent('Latest saved version');
    expect(alert).toHaveTextContent('TitleTheir title');
    expect(alert).toHaveTextContent('PriorityHigh');
    expect(form.getByLabelText('Title')).toHaveValue('My title');

    await user.click(form.getByRole('button', { name: 'Save changes' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    const patches = api.to('PATCH', `/api/v1/tasks/${task.id}`);
    expect(patches.map((request) => request.headers.get('if-match'))).toEqual([`"${task.id}-1"`, `"${task.id}-2"`]);
    expect(patches[1]?.body).toEqual({ title: 'My title', priority: 'medium' });
  });

  it('when the latest version is loaded after a conflict, then the form shows it', async () => {
    const api = mockFetch();
    signedIn(api);
    const task = makeTask({ title: 'Original' });
    api.on('GET', '/api/v1/tasks', json(200, { data: [task], nextCursor: null }));
    api.on('GET', `/api/v1/tasks/${task.id}`, json(200, { ...task, title: 'Their title', version: 2 }));
    api.on('PATCH', `/api/v1/tasks/${task.id}`, problem(412, { title: 'Precondition Failed' }));
    const { user } = renderApp('/tasks');
    await user.click(await screen.findByRole('button', { name: 'Edit “Original”' }));
    const form = within(await screen.findByRole('dialog', { name: 'Edit task' }));
    await user.type(form.getByLabelText('Title'), ' edited');
    await user.click(form.getByRole('button', { name: 'Save changes' }));

    await user.click(await form.findByRole('button', { name: 'Load latest version' }));

    expect(form.getByLabelText('Title')).toHaveValue('Their title');
  });

  it('when an edit changes nothing, then no request is sent', async () => {
    const api = mockFetch();
    signedIn(api);
    const task = makeTask({
      title: 'Same',
      tags: ['a', 'b'],
      dueDate: new Date(2026, 0, 5, 10, 0).toISOString(),
      remindAt: new Date(2026, 0, 5, 8, 15).toISOString(),
      recurrence: { rule: 'FREQ=MONTHLY;BYMONTHDAY=5;COUNT=12', from: 'due' },
    });
    api.on('GET', '/api/v1/tasks', json(200, { data: [task], nextCursor: null }));
    const { user } = renderApp('/tasks');
    await user.click(await screen.findByRole('button', { name: 'Edit “Same”' }));

    await user.click(screen.getByRole('button', { name: 'Save changes' }));

    expect(screen.queryByRole('dialog')).toBeNull();
    expect(api.to('PATCH', `/api/v1/tasks/${task.id}`)).toHaveLength(0);
  });

  it('when a repeating task with a reminder is edited, then its own rule is offered and only what changed is sent', async () => {
    const api = mockFetch();
    signedIn(api);
    const task = makeTask({
      title: 'Pay rent',
      dueDate: new Date(2026, 0, 5, 10, 0).toISOString(),
      remindAt: new Date(2026, 0, 4, 18, 0).toISOString(),
      recurrence: { rule: 'FREQ=MONTHLY;BYMONTHDAY=5', from: 'due' },
    });
    api.on('GET', '/api/v1/tasks', json(200, { data: [task], nextCursor: null }));
    api.on('PATCH', `/api/v1/tasks/${task.id}`, (request) =>
      json(200, { ...task, ...(request.body as object), version: 2 }),
    );
    const { user } = renderApp('/tasks');
    await user.click(await screen.findByRole('button', { name: 'Edit “Pay rent”' }));
    const form = within(await screen.findByRole('dialog', { name: 'Edit task' }));
    expect(form.getByLabelText('Repeat')).toHaveValue('FREQ=MONTHLY;BYMONTHDAY=5');
    expect(form.getByLabelText('Remind me on')).toHaveValue('2026-01-04');
    expect(form.getByLabelText('Reminder time')).toHaveValue('18:00');

    await user.selectOptions(form.getByLabelText('Repeat'), 'Does not repeat');
    await user.clear(form.getByLabelText('Remind me on'));
    await user.click(form.getByRole('button', { name: 'Save changes' }));

    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(api.to('PATCH', `/api/v1/tasks/${task.id}`)[0]?.body).toEqual({ remindAt: null, recurrence: null });
  });

  it('when the session ends while saving, then after signing in again the form is back with its input', async () => {
    rememberSignIn();
    const api = mockFetch();
    let refreshes = 0;
    api.on('POST', '/api/v1/auth/refresh', () =>
      ++refreshes === 1 ? json(200, { user: alice, accessToken: 'a1', refreshToken: 'r' }) : problem(401),
    );
    api.on('POST', '/api/v1/auth/login', json(200, { user: alice, accessToken: 'a2', refreshToken: 'r' }));
    api.on('GET', '/api/v1/tasks', json(200, { data: [], nextCursor: null }));
    api.on('POST', '/api/v1/tasks', (request) =>
      request.headers.get('authorization') === 'Bearer a2' ? json(201, makeTask(request.body as object)) : problem(401),
    );
    const { user } = renderApp('/tasks');
    await user.click(await screen.findByRole('button', { name: 'New task' }));
    await user.type(screen.getByLabelText('Title'), 'Unsaved idea');
    await user.type(screen.getByLabelText('Description'), 'worth keeping');
    await user.click(screen.getByRole('button', { name: 'Create task' }));

    await screen.findByRole('heading', { name: 'Sign in to Primo' });
    await user.type(screen.getByLabelText('Email'), 'alice@example.com');
    await user.type(screen.getByLabelText('Password'), 'correct horse');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    const dialog = await screen.findByRole('dialog', { name: 'New task' });
    expect(within(dialog).getByLabelText('Title')).toHaveValue('Unsaved idea');
    expect(within(dialog).getByLabelText('Description')).toHaveValue('worth keeping');
    expect(within(dialog).getByText(/unsaved changes were kept/)).toBeInTheDocument();
    await user.click(within(dialog).getByRole('button', { name: 'Create task' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(sessionStorage.length).toBe(0);
  });
});

describe('project and assignee pickers', () => {
  it('when a task is added in a project, then it goes there by default, only writable projects are offered, and a member can be assigned', async () => {
    const api = mockFetch();
    signedIn(api);
    const shared = makeProject({ name: 'Shared', role: 'editor' });
    const readOnly = makeProject({ name: 'Read only', role: 'viewer' });
    serveProjects(api, [shared, readOnly]);
    api.on(
      'GET',
      `/api/v1/projects/${shared.id}/members`,
      json(200, { data: [member(bob, 'owner'), member(alice, 'editor')] }),
    );
    api.on('GET', '/api/v1/tasks', json(200, { data: [], nextCursor: null }));
    api.on('POST', '/api/v1/tasks', (request) => json(201, makeTask(request.body as object)));
    const { user } = renderApp(`/tasks?project=${shared.id}`);
    await screen.findByRole('heading', { level: 1, name: 'Shared' });
    await user.click(screen.getByRole('button', { name: 'New task' }));
    const form = within(await screen.findByRole('dialog', { name: 'New task' }));

    const project = form.getByLabelText('Project');
    expect(project).toHaveValue(shared.id);
    expect(
      within(project)
        .getAllByRole('option')
        .map((option) => option.textContent),
    ).toEqual(['Inbox', 'Shared']);
    const assignee = form.getByLabelText('Assignee');
    await within(assignee).findByRole('option', { name: 'Bob' });
    expect(
      within(assignee)
        .getAllByRole('option')
        .map((option) => option.textContent),
    ).toEqual(['Unassigned', 'Bob', 'Alice (you)']);
    await user.type(form.getByLabelText('Title'), 'Review copy');
    await user.selectOptions(assignee, 'Bob');
    await user.click(form.getByRole('button', { name: 'Create task' }));

    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(api.to('POST', '/api/v1/tasks')[0]?.body).toMatchObject({
      projectId: shared.id,
      assigneeId: bob.id,
      title: 'Review copy',
    });
  });

  it('when a task moves to a project its assignee is not in, then the form says it will be unassigned and sends both changes', async () => {
    const api = mockFetch();
    signedIn(api);
    const shared = makeProject({ name: 'Shared' });
    serveProjects(api, [shared]);
    api.on(
      'GET',
      `/api/v1/projects/${shared.id}/members`,
      json(200, { data: [member(alice, 'owner'), member(bob, 'editor')] }),
    );
    const task = makeTask({ title: 'Move me', projectId: shared.id, assigneeId: bob.id });
    api.on('GET', '/api/v1/tasks', json(200, { data: [task], nextCursor: null }));
    api.on('PATCH', `/api/v1/tasks/${task.id}`, (request) =>
      json(200, { ...task, ...(request.body as object), version: 2 }),
    );
    const { user } = renderApp('/tasks');
    await user.click(await screen.findByRole('button', { name: 'Edit “Move me”' }));
    const form = within(await screen.findByRole('dialog', { name: 'Edit task' }));
    await waitFor(() => expect(form.getByLabelText('Assignee')).toHaveValue(bob.id));

    await user.selectOptions(form.getByLabelText('Project'), 'Inbox');

    await waitFor(() => expect(form.getByLabelText('Assignee')).toHaveValue(''));
    expect(form.getByLabelText('Assignee')).toHaveAccessibleDescription(
      'The person it was assigned to is not a member of this project, so it will be unassigned.',
    );
    await user.click(form.getByRole('button', { name: 'Save changes' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(api.to('PATCH', `/api/v1/tasks/${task.id}`)[0]?.body).toEqual({ projectId: alice.id, assigneeId: null });
  });

  it('when the chosen project is gone by the time the task is saved, then the form says so and keeps the input', async () => {
    const api = mockFetch();
    signedIn(api);
    const shared = makeProject({ name: 'Shared' });
    serveProjects(api, [shared]);
    api.on('GET', '/api/v1/tasks', json(200, { data: [], nextCursor: null }));
    api.on('POST', '/api/v1/tasks', problem(404, { title: 'Not Found', detail: 'No project with this id.' }));
    const { user } = renderApp(`/tasks?project=${shared.id}`);
    await screen.findByRole('heading', { level: 1, name: 'Shared' });
    await user.click(screen.getByRole('button', { name: 'New task' }));
    const form = within(await screen.findByRole('dialog', { name: 'New task' }));
    await user.type(form.getByLabelText('Title'), 'Too late');
    await user.click(form.getByRole('button', { name: 'Create task' }));

    await findAlert('The chosen project is not available any more. Pick another one and save again.');
    expect(form.getByLabelText('Title')).toHaveValue('Too late');
  });
});
