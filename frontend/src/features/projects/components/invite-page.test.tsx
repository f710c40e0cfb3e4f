import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { json, mockFetch, problem } from '../../../test/fetch-mock';
import { alice, makeProject, serveProjects, signedIn } from '../../../test/fixtures';
import { findAlert } from '../../../test/queries';
import { renderApp } from '../../../test/render-app';

const launch = makeProject({ name: 'Launch', role: 'editor' });

describe('invitation page', () => {
  it('when a signed-out person opens a link, then signing in keeps the token, joins the project and lands in it', async () => {
    const api = mockFetch();
    api.on('POST', '/api/v1/auth/refresh', problem(401));
    api.on('POST', '/api/v1/auth/login', json(200, { user: alice, accessToken: 'a1', refreshToken: 'r' }));
    api.on('POST', '/api/v1/invitations/accept', () => {
      serveProjects(api, [launch]);
      return json(200, launch);
    });
    api.on('GET', '/api/v1/tasks', json(200, { data: [], nextCursor: null }));
    const { user } = renderApp('/invite/tok_abc-123');

    await screen.findByRole('heading', { name: 'You are invited to a project on Primo' });
    const next = encodeURIComponent('/invite/tok_abc-123');
    expect(screen.getByRole('link', { name: 'Create an account' })).toHaveAttribute('href', `/signup?next=${next}`);
    await user.click(screen.getByRole('link', { name: 'Sign in' }));
    await screen.findByRole('heading', { name: 'Sign in to Primo' });
    await user.type(screen.getByLabelText('Email'), 'alice@example.com');
    await user.type(screen.getByLabelText('Password'), 'correct horse');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(await screen.findByRole('heading', { level: 1, name: 'Launch' })).toBeInTheDocument();
    expect(`${window.location.pathname}${window.location.search}`).toBe(`/tasks?project=${launch.id}`);
    expect(screen.getByText('You joined “Launch”. Welcome!')).toBeInTheDocument();
    expect(api.to('POST', '/api/v1/invitations/accept')).toHaveLength(1);
    expect(api.to('POST', '/api/v1/invitations/accept')[0]?.body).toEqual({ token: 'tok_abc-123' });
  });

  it('when the invitation is spent or for another address, then the page says so and offers another account', async () => {
    const api = mockFetch();
    signedIn(api);
    api.on(
      'POST',
      '/api/v1/invitations/accept',
      problem(404, { title: 'Not Found', detail: 'No pending invitation matches this token for your account.' }),
    );
    api.on('POST', '/api/v1/auth/logout', () => new Response(null, { status: 204 }));
    const { user } = renderApp('/invite/tok_used');

    await findAlert('This invitation is not valid any more or was sent to another address.');
    expect(screen.getByRole('heading', { name: 'This invitation cannot be used' })).toBeInTheDocument();
    expect(screen.getByText('alice@example.com')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Go to your tasks' })).toHaveAttribute('href', '/tasks');
    await user.click(screen.getByRole('button', { name: 'Sign in with another account' }));

    await screen.findByRole('heading', { name: 'You are invited to a project on Primo' });
    expect(api.to('POST', '/api/v1/auth/logout')).toHaveLength(1);
  });

  it('when the server cannot answer, then the reason is shown and Retry asks again', async () => {
    const api = mockFetch();
    signedIn(api);
    api.on(
      'POST',
      '/api/v1/invitations/accept',
      problem(503, { title: 'Service Unavailable' }, { 'Retry-After': '5' }),
    );
    api.on('GET', '/api/v1/tasks', json(200, { data: [], nextCursor: null }));
    const { user } = renderApp('/invite/tok_later');

    const alert = await findAlert(/temporarily unavailable/);
    expect(within(alert).getByText(/Try again in 5 seconds/)).toBeInTheDocument();
    api.on('POST', '/api/v1/invitations/accept', () => {
      serveProjects(api, [launch]);
      return json(200, launch);
    });
    await user.click(screen.getByRole('button', { name: 'Retry' }));

    expect(await screen.findByRole('heading', { level: 1, name: 'Launch' })).toBeInTheDocument();
    expect(api.to('POST', '/api/v1/invitations/accept')).toHaveLength(2);
  });
});
