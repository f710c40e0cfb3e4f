import { screen, waitFor } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { setPendingWrites } from '../../../lib/pending-writes';
import { json, mockFetch, problem } from '../../../test/fetch-mock';
import { alice, rememberSignIn } from '../../../test/fixtures';
import { findAlert } from '../../../test/queries';
import { renderApp } from '../../../test/render-app';

function emptyTaskList(api: ReturnType<typeof mockFetch>) {
  api.on('GET', '/api/v1/tasks', json(200, { data: [], nextCursor: null }));
}

/** Alice signed in here before: her session is restored on load, and signing out is answered. */
function restoredSession() {
  rememberSignIn();
  const api = mockFetch();
  api.on('POST', '/api/v1/auth/refresh', json(200, { user: alice, accessToken: 'a1', refreshToken: 'secret' }));
  api.on('POST', '/api/v1/auth/logout', () => new Response(null, { status: 204 }));
  emptyTaskList(api);
  return { api, ...renderApp('/tasks') };
}

describe('sign-in and sign-up', () => {
  it('when a signed-out person opens a task page, then sign-in brings them back to that exact page', async () => {
    const api = mockFetch();
    api.on('POST', '/api/v1/auth/refresh', problem(401));
    api.on('POST', '/api/v1/auth/login', json(200, { user: alice, accessToken: 'a1', refreshToken: 'secret' }));
    emptyTaskList(api);
    const { user } = renderApp('/tasks?status=todo');

    await screen.findByRole('heading', { name: 'Sign in to Primo' });
    expect(window.location.pathname).toBe('/signin');
    await user.type(screen.getByLabelText('Email'), 'alice@example.com');
    await user.type(screen.getByLabelText('Password'), 'correct horse');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    await screen.findByRole('heading', { name: 'Tasks' });
    expect(`${window.location.pathname}${window.location.search}`).toBe('/tasks?status=todo');
    expect(api.to('POST', '/api/v1/auth/login')[0]?.body).toEqual({
      email: 'alice@example.com',
      password: 'correct horse',
    });
    await waitFor(() => expect(api.to('GET', '/api/v1/tasks')[0]?.headers.get('authorization')).toBe('Bearer a1'));
    // No token is ever kept in web storage: only who signed in, so that the app can open for them offline.
    expect(Object.keys(localStorage)).toEqual(['primo-user']);
    expect(JSON.parse(localStorage.getItem('primo-user') ?? 'null')).toEqual(alice);
    expect(sessionStorage.length).toBe(0);
  });

  it('when the credentials are wrong, then the form says so and keeps the email', async () => {
    const api = mockFetch();
    api.on('POST', '/api/v1/auth/refresh', problem(401));
    api.on('POST', '/api/v1/auth/login', problem(401, { title: 'Unauthorized', detail: 'Invalid email or password' }));
    const { user } = renderApp('/signin');

    await user.type(await screen.findByLabelText('Email'), 'alice@example.com');
    await user.type(screen.getByLabelText('Password'), 'wrong-password');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    await findAlert('The email or password is not right.');
    expect(screen.getByLabelText('Email')).toHaveValue('alice@example.com');
  });

  it('when sign-up fails validation, then each message appears on its own field', async () => {
    const api = mockFetch();
    api.on('POST', '/api/v1/auth/refresh', problem(401));
    api.on(
      'POST',
      '/api/v1/auth/register',
      problem(400, {
        title: 'Bad Request',
        errors: [
          { path: 'email', message: 'must be a valid email address' },
          { path: 'password', message: 'must be at least 8 characters' },
        ],
      }),
    );
    const { user } = renderApp('/signup');

    await user.type(await screen.findByLabelText('Name'), 'Alice');
    await user.type(screen.getByLabelText('Email'), 'not-an-email');
    await user.type(screen.getByLabelText('Password'), 'short');
    await user.click(screen.getByRole('button', { name: 'Create account' }));

    const email = screen.getByLabelText('Email');
    await waitFor(() => expect(email).toHaveAccessibleDescription('must be a valid email address'));
    expect(email).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByLabelText('Password')).toHaveAccessibleDescription(
      'At least 8 characters. must be at least 8 characters',
    );
    expect(screen.getByLabelText('Name')).not.toHaveAttribute('aria-invalid');
  });

  it('when the email is taken, then the email field says so', async () => {
    const api = mockFetch();
    api.on('POST', '/api/v1/auth/refresh', problem(401));
    api.on('POST', '/api/v1/auth/register', problem(409, { title: 'Conflict', detail: 'Email already registered' }));
    const { user } = renderApp('/signup');

    await user.type(await screen.findByLabelText('Name'), 'Alice');
    await user.type(screen.getByLabelText('Email'), 'alice@example.com');
    await user.type(screen.getByLabelText('Password'), 'long enough');
    await user.click(screen.getByRole('button', { name: 'Create account' }));

    await waitFor(() =>
      expect(screen.getByLabelText('Email')).toHaveAccessibleDescription('An account with this email already exists.'),
    );
  });

  it('when signing in is rate limited, then the form says when to try again', async () => {
    const api = mockFetch();
    api.on('POST', '/api/v1/auth/refresh', problem(401));
    api.on('POST', '/api/v1/auth/login', problem(429, { title: 'Too Many Requests' }, { 'Retry-After': '60' }));
    const { user } = renderApp('/signin');

    await user.type(await screen.findByLabelText('Email'), 'alice@example.com');
    await user.type(screen.getByLabelText('Password'), 'whatever1');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    await findAlert('Too many requests. You can try again in 1 minute.');
  });

  it('when the session is restored on load, then the person stays signed in and sign-out ends it', async () => {
    const { api, user } = restoredSession();

    await screen.findByRole('heading', { name: 'Tasks' });
    expect(screen.getByText('Alice')).toBeInTheDocument();
    expect(localStorage.getItem('primo-user')).not.toBeNull();
    await user.click(screen.getByRole('button', { name: 'Sign out' }));

    await screen.findByRole('heading', { name: 'Sign in to Primo' });
    expect(localStorage.getItem('primo-user')).toBeNull();
    const [logout] = api.to('POST', '/api/v1/auth/logout');
    expect(logout?.body).toEqual({});
    expect(logout?.credentials).toBe('include');
  });

  it('when changes made offline have not reached the server, then signing out asks first and cancelling keeps them', async () => {
    const { api, user } = restoredSession();
    await screen.findByRole('heading', { name: 'Tasks' });
    setPendingWrites(new Set(['t1', 't2']));
    const confirm = vi.spyOn(window, 'confirm').mockReturnValue(false);

    await user.click(screen.getByRole('button', { name: 'Sign out' }));
    expect(confirm).toHaveBeenCalledWith(expect.stringMatching(/^Changes to 2 tasks have not reached the server yet/));
    expect(api.to('POST', '/api/v1/auth/logout')).toHaveLength(0);
    expect(screen.getByRole('heading', { name: 'Tasks' })).toBeInTheDocument();

    confirm.mockReturnValue(true);
    await user.click(screen.getByRole('button', { name: 'Sign out' }));
    await screen.findByRole('heading', { name: 'Sign in to Primo' });
    expect(api.to('POST', '/api/v1/auth/logout')).toHaveLength(1);
    setPendingWrites(new Set());
    confirm.mockRestore();
  });

  it('when the server cannot be reached on load, then a retry is offered', async () => {
    rememberSignIn();
    const api = mockFetch();
    api.on('POST', '/api/v1/auth/refresh', problem(503, { title: 'Service Unavailable' }, { 'Retry-After': '5' }));
    const { user } = renderApp('/tasks');

    await findAlert(/temporarily unavailable/);
    api.on('POST', '/api/v1/auth/refresh', json(200, { user: alice, accessToken: 'a1', refreshToken: 'secret' }));
    emptyTaskList(api);
    await user.click(screen.getByRole('button', { name: 'Retry' }));

    await screen.findByRole('heading', { name: 'Tasks' });
  });

  it('when there is no network on load and this person was signed in here, then the app opens for them offline', async () => {
    localStorage.setItem('primo-user', JSON.stringify(alice));
    const api = mockFetch();
    api.on('POST', '/api/v1/auth/refresh', () => {
      throw new TypeError('Failed to fetch');
    });
    renderApp('/tasks');

    await screen.findByRole('heading', { name: 'Tasks' });
    expect(screen.getByText(alice.name)).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Retry' })).toBeNull();
  });

  it('when nobody has signed in on this browser, then the sign-in screen opens without asking the server for a session', async () => {
    const api = mockFetch();
    renderApp('/tasks');

    await screen.findByRole('heading', { name: 'Sign in to Primo' });
    expect(api.to('POST', '/api/v1/auth/refresh')).toHaveLength(0);
  });

  it('when the server says there is no session, then the person remembered here is forgotten', async () => {
    localStorage.setItem('primo-user', JSON.stringify(alice));
    const api = mockFetch();
    api.on('POST', '/api/v1/auth/refresh', problem(401));
    renderApp('/tasks');

    await screen.findByRole('heading', { name: 'Sign in to Primo' });
    expect(localStorage.getItem('primo-user')).toBeNull();
  });

  it('when the session expires mid-use and cannot be refreshed, then sign-in opens and says so, keeping the page', async () => {
    rememberSignIn();
    const api = mockFetch();
    let refreshes = 0;
    api.on('POST', '/api/v1/auth/refresh', () =>
      ++refreshes === 1 ? json(200, { user: alice, accessToken: 'a1', refreshToken: 'secret' }) : problem(401),
    );
    api.on('GET', '/api/v1/tasks/stats', problem(401, { title: 'Unauthorized' }));
    renderApp('/dashboard');

    await screen.findByRole('heading', { name: 'Sign in to Primo' });
    expect(screen.getByText(/Your session has ended/)).toBeInTheDocument();
    expect(window.location.search).toBe(`?next=${encodeURIComponent('/dashboard')}`);
    expect(refreshes).toBe(2);
  });
});
