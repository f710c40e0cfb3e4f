import type { Task } from '@primo/api/contract/wire';
import { act, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { json, mockFetch, problem, type FetchMock } from '../../../test/fetch-mock';
import { makeTask, signedIn } from '../../../test/fixtures';
import { findAlert, findStatusToast } from '../../../test/queries';
import { renderApp } from '../../../test/render-app';

function serveTasks(api: FetchMock, tasks: Task[]) {
  api.on('GET', '/api/v1/tasks', json(200, { data: tasks, nextCursor: null }));
}

function taskRow(title: string): HTMLElement {
  const row = screen.getByRole('heading', { name: title }).closest('li');
  if (!row) throw new Error(`no row for ${title}`);
  return row;
}

describe('task list', () => {
  it('when tasks are overdue or due today, then they say so in words, not only colour', async () => {
    const api = mockFetch();
    signedIn(api);
    const hourAgo = new Date(Date.now() - 3600_000);
    const laterToday = new Date();
    laterToday.setHours(23, 58, 0, 0);
    serveTasks(api, [
      makeTask({ title: 'Pay rent', dueDate: hourAgo.toISOString() }),
      makeTask({ title: 'Call mum', dueDate: laterToday.toISOString() }),
      makeTask({ title: 'Paid already', dueDate: hourAgo.toISOString(), status: 'done' }),
    ]);
    renderApp('/tasks');

    await screen.findByRole('heading', { name: 'Pay rent' });
    // A task due within the last hour of today is still "today" only if the hour has not passed yet.
    expect(within(taskRow('Pay rent')).getByText('Overdue')).toBeInTheDocument();
    if (laterToday.getTime() > Date.now())
      expect(within(taskRow('Call mum')).getByText('Due today')).toBeInTheDocument();
    expect(within(taskRow('Paid already')).queryByText('Overdue')).toBeNull();
  });

  it('when several statuses and priorities are ticked and a sort is chosen, then one query carries them all', async () => {
    const api = mockFetch();
    signedIn(api);
    serveTasks(api, [makeTask({ title: 'Anything' })]);
    const { user } = renderApp('/tasks');
    await screen.findByRole('heading', { name: 'Anything' });

    const status = screen.getByRole('group', { name: 'Status' });
    await user.click(within(status).getByLabelText('To do'));
    await user.click(within(status).getByLabelText('In progress'));
    await user.click(within(screen.getByRole('group', { name: 'Priority' })).getByLabelText('Urgent'));
    await user.selectOptions(screen.getByLabelText('Sort by'), 'Due date, soonest first');

    await waitFor(() => {
      const last = api.to('GET', '/api/v1/tasks').at(-1)?.url.searchParams;
      expect(last?.get('status')).toBe('todo,in_progress');
      expect(last?.get('priority')).toBe('urgent');
      expect(last?.get('sort')).toBe('dueDate');
    });
    expect(window.location.search).toBe('?status=todo%2Cin_progress&priority=urgent&sort=dueDate');
  });

  it('when typing a search, then only the settled text is sent as q', async () => {
    const api = mockFetch();
    signedIn(api);
    serveTasks(api, [makeTask({ title: 'Quarterly report' })]);
    const { user } = renderApp('/tasks');
    await screen.findByRole('heading', { name: 'Quarterly report' });
    const before = api.to('GET', '/api/v1/tasks').length;

    await user.type(screen.getByLabelText('Search tasks'), 'report');

    await waitFor(() => expect(api.to('GET', '/api/v1/tasks').at(-1)?.url.searchParams.get('q')).toBe('report'));
    const searches = api.to('GET', '/api/v1/tasks').slice(before);
    expect(searches.map((request) => request.url.searchParams.get('q'))).toEqual(['report']);
  });

  it('when a tag chip is clicked, then the list is filtered by that tag', async () => {
    const api = mockFetch();
    signedIn(api);
    serveTasks(api, [makeTask({ title: 'Tagged', tags: ['work'] })]);
    const { user } = renderApp('/tasks');

    await user.click(await screen.findByRole('button', { name: 'Show tasks tagged work' }));

    await waitFor(() => expect(api.to('GET', '/api/v1/tasks').at(-1)?.url.searchParams.get('tag')).toBe('work'));
    expect(screen.getByLabelText('Tag')).toHaveValue('work');
  });

  it('when "Load more" is used, then the next page comes through the cursor with nothing repeated', async () => {
    const api = mockFetch();
    signedIn(api);
    const first = [makeTask({ title: 'One' }), makeTask({ title: 'Two' })];
    const second = [makeTask({ title: 'Three' })];
    api.on('GET', '/api/v1/tasks', (request) =>
      request.url.searchParams.get('cursor') === 'c2'
        ? json(200, { data: second, nextCursor: null })
        : json(200, { data: first, nextCursor: 'c2' }),
    );
    const { user } = renderApp('/tasks');
    await screen.findByRole('heading', { name: 'Two' });

    await user.click(screen.getByRole('button', { name: 'Load more' }));

    await screen.findByRole('heading', { name: 'Three' });
    const titles = within(screen.getByRole('list', { name: /tasks shown/ }))
      .getAllByRole('heading')
      .map((heading) => heading.textContent);
    expect(titles).toEqual(['One', 'Two', 'Three']);
    expect(screen.queryByRole('button', { name: 'Load more' })).toBeNull();
  });

  it('when the list cannot load even after automatic retries, then a retry button brings it', async () => {
    const api = mockFetch();
    signedIn(api);
    api.on('GET', '/api/v1/tasks', problem(500, { title: 'Internal Server Error' }));
    const { user } = renderApp('/tasks');

    await findAlert(/could not be loaded/, 8000);
    expect(api.to('GET', '/api/v1/tasks')).toHaveLength(3);
    serveTasks(api, [makeTask({ title: 'Back again' })]);
    await user.click(screen.getByRole('button', { name: 'Retry' }));

    await screen.findByRole('heading', { name: 'Back again' });
  }, 15_000);
});

describe('quick actions', () => {
  it('when a task is completed with one click, then it shows done at once and sends If-Match', async () => {
    const api = mockFetch();
    signedIn(api);
    const task = makeTask({ title: 'Water plants', version: 3 });
    serveTasks(api, [task]);
    let release: () => void = () => {};
    api.on('PATCH', `/api/v1/tasks/${task.id}`, async () => {
      await new Promise<void>((resolve) => (release = resolve));
      return json(200, { ...task, status: 'done', version: 4, completedAt: new Date().toISOString() });
    });
    const { user } = renderApp('/tasks');

    await user.click(await screen.findByRole('checkbox', { name: 'Complete “Water plants”' }));

    // Still waiting for the server, yet the task already reads as done.
    expect(screen.getByRole('checkbox', { name: 'Reopen “Water plants”' })).toBeChecked();
    const [patch] = api.to('PATCH', `/api/v1/tasks/${task.id}`);
    expect(patch?.body).toEqual({ status: 'done' });
    expect(patch?.headers.get('if-match')).toBe(`"${task.id}-3"`);
    act(() => release());
  });

  it('when completing fails on the server, then the change is rolled back and a retry is offered', async () => {
    const api = mockFetch();
    signedIn(api);
    const task = makeTask({ title: 'Water plants' });
    serveTasks(api, [task]);
    api.on('PATCH', `/api/v1/tasks/${task.id}`, problem(503, { title: 'Service Unavailable' }));
    const { user } = renderApp('/tasks');

    await user.click(await screen.findByRole('checkbox', { name: 'Complete “Water plants”' }));

    const alert = await findAlert(/was not changed/);
    expect(screen.getByRole('checkbox', { name: 'Complete “Water plants”' })).not.toBeChecked();
    api.on('PATCH', `/api/v1/tasks/${task.id}`, json(200, { ...task, status: 'done', version: 2 }));
    serveTasks(api, [{ ...task, status: 'done', version: 2 }]);
    await user.click(within(alert).getByRole('button', { name: 'Retry' }));
    await screen.findByRole('checkbox', { name: 'Reopen “Water plants”' });
    expect(api.to('PATCH', `/api/v1/tasks/${task.id}`)).toHaveLength(2);
  });

  it('when a task is deleted and the deletion undone, then it is back and the server never deleted it', async () => {
    const api = mockFetch();
    signedIn(api);
    const task = makeTask({ title: 'Keep me' });
    serveTasks(api, [task]);
    const { user } = renderApp('/tasks');

    await user.click(await screen.findByRole('button', { name: 'Delete “Keep me”' }));
    expect(screen.queryByRole('heading', { name: 'Keep me' })).toBeNull();
    await findStatusToast('Deleted “Keep me”.');
    await user.click(screen.getByRole('button', { name: 'Undo' }));

    expect(await screen.findByRole('heading', { name: 'Keep me' })).toBeInTheDocument();
    await findStatusToast('Restored “Keep me”.');
    expect(api.to('DELETE', `/api/v1/tasks/${task.id}`)).toHaveLength(0);
  });

  it('when the undo notice closes, then the deletion is sent with If-Match', async () => {
    const api = mockFetch();
    signedIn(api);
    const task = makeTask({ title: 'Bin me', version: 2 });
    serveTasks(api, [task]);
    api.on('DELETE', `/api/v1/tasks/${task.id}`, () => new Response(null, { status: 204 }));
    const { user } = renderApp('/tasks');

    await user.click(await screen.findByRole('button', { name: 'Delete “Bin me”' }));
    serveTasks(api, []);
    await user.click(screen.getByRole('button', { name: 'Dismiss notification' }));

    await waitFor(() => expect(api.to('DELETE', `/api/v1/tasks/${task.id}`)).toHaveLength(1));
    expect(api.to('DELETE', `/api/v1/tasks/${task.id}`)[0]?.headers.get('if-match')).toBe(`"${task.id}-2"`);
    await screen.findByText('No tasks yet.');
  });

  it('when the deletion fails, then the task reappears and the failure is announced', async () => {
    const api = mockFetch();
    signedIn(api);
    const task = makeTask({ title: 'Sticky' });
    serveTasks(api, [task]);
    api.on('DELETE', `/api/v1/tasks/${task.id}`, problem(500, { title: 'Internal Server Error' }));
    const { user } = renderApp('/tasks');

    await user.click(await screen.findByRole('button', { name: 'Delete “Sticky”' }));
    await user.click(screen.getByRole('button', { name: 'Dismiss notification' }));

    await findAlert(/“Sticky” was not deleted/);
    expect(await screen.findByRole('heading', { name: 'Sticky' })).toBeInTheDocument();
  });
});

describe('keyboard', () => {
  it('when "n" is pressed, then the new-task dialog opens with focus inside, and Esc closes it and restores focus', async () => {
    const api = mockFetch();
    signedIn(api);
    serveTasks(api, []);
    const { user } = renderApp('/tasks');
    await screen.findByText('No tasks yet.');
    const newButton = screen.getByRole('button', { name: 'New task' });
    newButton.focus();

    await user.keyboard('n');

    const dialog = await screen.findByRole('dialog', { name: 'New task' });
    expect(within(dialog).getByLabelText('Title')).toHaveFocus();
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(newButton).toHaveFocus();
  });

  it('when "/" is pressed, then the search box takes focus; typing "n" there does not open a dialog', async () => {
    const api = mockFetch();
    signedIn(api);
    serveTasks(api, []);
    const { user } = renderApp('/tasks');
    await screen.findByText('No tasks yet.');

    await user.keyboard('/');
    expect(screen.getByLabelText('Search tasks')).toHaveFocus();
    await user.keyboard('n');

    expect(screen.queryByRole('dialog')).toBeNull();
    expect(screen.getByLabelText('Search tasks')).toHaveValue('n');
  });

  it('when tabbing through an open dialog, then focus stays inside it', async () => {
    const api = mockFetch();
    signedIn(api);
    serveTasks(api, []);
    const { user } = renderApp('/tasks');
    await user.click(await screen.findByRole('button', { name: 'New task' }));
    const dialog = await screen.findByRole('dialog', { name: 'New task' });

    for (let step = 0; step < 12; step += 1) {
      await user.tab();
      expect(dialog).toContainElement(document.activeElement as HTMLElement);
    }
  });
});
