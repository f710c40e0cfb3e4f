import type { TaskStats } from '@primo/api/contract/wire';
import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { json, mockFetch, problem } from '../../../test/fetch-mock';
import { signedIn } from '../../../test/fixtures';
import { findAlert } from '../../../test/queries';
import { renderApp } from '../../../test/render-app';

function fourteenDays(counts: Record<number, number>): TaskStats['completedByDay'] {
  return Array.from({ length: 14 }, (_, index) => ({
    date: `2026-11-${String(9 + index).padStart(2, '0')}`,
    count: counts[index] ?? 0,
  }));
}

const stats: TaskStats = {
  total: 9,
  byStatus: { todo: 4, in_progress: 2, done: 3 },
  byPriority: { low: 1, medium: 5, high: 2, urgent: 1 },
  overdue: 2,
  dueToday: 1,
  completedByDay: fourteenDays({ 11: 2, 13: 1 }),
};

describe('dashboard', () => {
  it('when stats arrive, then counts by status, priority, overdue and due today are shown', async () => {
    const api = mockFetch();
    signedIn(api);
    api.on('GET', '/api/v1/tasks/stats', json(200, stats));
    renderApp('/dashboard');

    expect(await screen.findByTestId('stat-total')).toHaveTextContent('9');
    expect(screen.getByTestId('stat-overdue')).toHaveTextContent('2');
    expect(screen.getByTestId('stat-due-today')).toHaveTextContent('1');
    expect(screen.getByTestId('status-in_progress')).toHaveTextContent('2');
    expect(screen.getByTestId('priority-medium')).toHaveTextContent('5');
    expect(screen.getByRole('link', { name: 'Urgent' })).toHaveAttribute('href', '/tasks?priority=urgent');
  });

  it('when the chart is drawn, then it is an SVG image with a summary and a table of every day', async () => {
    const api = mockFetch();
    signedIn(api);
    api.on('GET', '/api/v1/tasks/stats', json(200, stats));
    renderApp('/dashboard');

    const chart = await screen.findByRole('img', { name: /Tasks completed per day, last 14 days/ });
    expect(chart.tagName.toLowerCase()).toBe('svg');
    expect(chart).toHaveAccessibleName(expect.stringContaining('3 tasks completed'));
    expect(chart.querySelectorAll('rect')).toHaveLength(14);
    const table = screen.getByRole('table', { name: 'Tasks completed per day' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(14);
    expect(rows[11]).toHaveTextContent('2');
  });

  it('when stats cannot be loaded, then the failure is shown with a retry', async () => {
    const api = mockFetch();
    signedIn(api);
    api.on('GET', '/api/v1/tasks/stats', problem(429, { title: 'Too Many Requests' }, { 'Retry-After': '10' }));
    const { user } = renderApp('/dashboard');

    await findAlert(/try again in 10 seconds/);
    api.on('GET', '/api/v1/tasks/stats', json(200, stats));
    await user.click(screen.getByRole('button', { name: 'Retry' }));

    expect(await screen.findByTestId('stat-total')).toHaveTextContent('9');
  });
});
