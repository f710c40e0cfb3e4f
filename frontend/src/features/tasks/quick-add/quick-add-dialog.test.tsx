import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { json, mockFetch, problem } from '../../../test/fetch-mock';
import { alice, bob, makeProject, makeTask, member, serveProjects, signedIn } from '../../../test/fixtures';
import { findStatusToast } from '../../../test/queries';
import { renderApp } from '../../../test/render-app';

const previewOf = async () => {
  const preview = await screen.findByRole('region', { name: 'Will be created' });
  return (field: string) => within(preview).getByText((_, node) => node?.getAttribute('data-field') === field);
};

describe('quick add', () => {
  it('when a is pressed and a line is typed, then the preview shows what Enter creates, and Enter creates exactly that', async () => {
    const api = mockFetch();
    signedIn(api);
    api.on('GET', '/api/v1/tasks', json(200, { data: [], nextCursor: null }));
    api.on('POST', '/api/v1/tasks', (request) =>
      json(201, makeTask({ ...(request.body as object), id: 'f'.repeat(24) })),
    );
    const { user } = renderApp('/tasks');
    await screen.findByText('No tasks yet.');

    await user.keyboard('a');
    const input = await screen.findByLabelText('Describe the task');
    expect(input).toHaveFocus();
    await user.type(input, 'Pay rent next friday 9am #home !high');
    const field = await previewOf();
    expect(field('title')).toHaveTextContent('Pay rent');
    expect(field('tags')).toHaveTextContent('#home');
    expect(field('priority')).toHaveTextContent('High');
    expect(field('due')).toHaveTextContent('“next friday 9am”');
    expect(field('project')).toHaveTextContent('Inbox');

    await user.keyboard('{Enter}');
    await findStatusToast('Created “Pay rent”.');
    const [sent] = api.to('POST', '/api/v1/tasks');
    const due = new Date((sent?.body as { dueDate: string }).dueDate);
    expect(sent?.body).toEqual({
      title: 'Pay rent',
      projectId: alice.id,
      dueDate: due.toISOString(),
      priority: 'high',
      tags: ['home'],
    });
    expect([due.getDay(), due.getHours(), due.getMinutes()]).toEqual([5, 9, 0]);
    expect(screen.queryByLabelText('Describe the task')).toBeNull();
  });

  it('when +project and @member name a shared project and one of its members, then the task goes there, assigned', async () => {
    const api = mockFetch();
    signedIn(api);
    const launch = makeProject({ name: 'Launch' });
    serveProjects(api, [launch]);
    api.on(
      'GET',
      `/api/v1/projects/${launch.id}/members`,
      json(200, { data: [member(alice, 'owner'), member(bob, 'editor')] }),
    );
    api.on('GET', '/api/v1/tasks', json(200, { data: [], nextCursor: null }));
    api.on('POST', '/api/v1/tasks', (request) => json(201, makeTask(request.body as object)));
    const { user } = renderApp('/tasks');
    await screen.findByText('No tasks yet.');

    await user.click(screen.getByRole('button', { name: 'Quick add' }));
    await user.type(await screen.findByLabelText('Describe the task'), 'Ship it +launch @bob !1');
    const field = await previewOf();
    await waitFor(() => expect(field('assignee')).toHaveTextContent('Bob'));
    expect(field('project')).toHaveTextContent('Launch');
    await user.click(screen.getByRole('button', { name: 'Create task' }));
    await waitFor(() =>
      expect(api.to('POST', '/api/v1/tasks')[0]?.body).toEqual({
        title: 'Ship it',
        projectId: launch.id,
        priority: 'urgent',
        assigneeId: bob.id,
      }),
    );
  });

  it('when the server refuses the task, then the dialog stays open with the line and says why', async () => {
    const api = mockFetch();
    signedIn(api);
    api.on('GET', '/api/v1/tasks', json(200, { data: [], nextCursor: null }));
    api.on(
      'POST',
      '/api/v1/tasks',
      problem(400, { title: 'Validation failed', errors: [{ path: 'title', message: 'must not be empty' }] }),
    );
    const { user } = renderApp('/tasks');
    await screen.findByText('No tasks yet.');
    await user.keyboard('a');
    const input = await screen.findByLabelText('Describe the task');
    await user.type(input, 'Something{Enter}');
    expect(await screen.findByRole('alert')).toHaveTextContent('The task could not be created.');
    expect(input).toHaveValue('Something');
  });
});
