import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { json, mockFetch } from '../../test/fetch-mock';
import { signedIn } from '../../test/fixtures';
import { renderApp } from '../../test/render-app';

function serveSignedInApp() {
  const api = mockFetch();
  signedIn(api);
  api.on('GET', '/api/v1/tasks', json(200, { data: [], nextCursor: null }));
  api.on(
    'GET',
    '/api/v1/tasks/stats',
    json(200, {
      total: 0,
      byStatus: { todo: 0, in_progress: 0, done: 0 },
      byPriority: { low: 0, medium: 0, high: 0, urgent: 0 },
      overdue: 0,
      dueToday: 0,
      completedByDay: [],
    }),
  );
  return api;
}

describe('links', () => {
  it('when a section is showing, then only its header link is marked as the current page', async () => {
    serveSignedInApp();
    const { user } = renderApp('/tasks?status=todo');
    const nav = within(await screen.findByRole('navigation', { name: 'Main' }));

    expect(nav.getByRole('link', { name: 'Tasks' })).toHaveAttribute('aria-current', 'page');
    expect(nav.getByRole('link', { name: 'Tasks' })).toHaveClass('active');
    expect(nav.getByRole('link', { name: 'Dashboard' })).not.toHaveAttribute('aria-current');

    await user.click(nav.getByRole('link', { name: 'Dashboard' }));

    expect(await screen.findByRole('heading', { level: 1, name: 'Dashboard' })).toBeInTheDocument();
    expect(window.location.pathname).toBe('/dashboard');
    expect(nav.getByRole('link', { name: 'Dashboard' })).toHaveAttribute('aria-current', 'page');
    expect(nav.getByRole('link', { name: 'Tasks' })).not.toHaveAttribute('aria-current');
  });

  it('when a link is clicked with a modifier key, then the app leaves it to the browser', async () => {
    serveSignedInApp();
    renderApp('/tasks');
    const nav = within(await screen.findByRole('navigation', { name: 'Main' }));
    const dashboard = nav.getByRole('link', { name: 'Dashboard' });

    expect(dashboard).toHaveAttribute('href', '/dashboard');
    const handledByApp = !fireEvent.click(dashboard, { button: 0, ctrlKey: true });

    expect(handledByApp).toBe(false);
    await waitFor(() => expect(window.location.pathname).toBe('/tasks'));
  });
});
