import type { Notification } from '@primo/api/contract/wire';
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { json, mockFetch, problem } from '../../../test/fetch-mock';
import { alice, signedIn } from '../../../test/fixtures';
import { findAlert } from '../../../test/queries';
import { renderApp } from '../../../test/render-app';

const signedOut = (api: ReturnType<typeof mockFetch>) => api.on('POST', '/api/v1/auth/refresh', problem(401));

describe('forgotten passwords, reset links and verification links', () => {
  it('when a person forgot their password, then sign-in leads to asking for a link, which is sent', async () => {
    const api = mockFetch();
    signedOut(api);
    api.on('POST', '/api/v1/auth/password-reset', json(202, { status: 'accepted', detail: '…' }));
    const { user } = renderApp('/signin');

    await user.click(await screen.findByRole('link', { name: 'Forgot password?' }));
    await screen.findByRole('heading', { name: 'Reset your password' });
    await user.type(screen.getByLabelText('Email'), 'alice@example.com');
    await user.click(screen.getByRole('button', { name: 'Send the link' }));

    await screen.findByText(/a link to choose a new password is on its way/);
    expect(api.to('POST', '/api/v1/auth/password-reset')[0]?.body).toEqual({ email: 'alice@example.com' });
  });

  it('when too many links were asked for, then the page says to wait', async () => {
    const api = mockFetch();
    signedOut(api);
    api.on('POST', '/api/v1/auth/password-reset', problem(429, { title: 'Too Many Requests' }));
    const { user } = renderApp('/forgot-password');
    await user.type(await screen.findByLabelText('Email'), 'alice@example.com');
    await user.click(screen.getByRole('button', { name: 'Send the link' }));
    await findAlert(/Wait a while/);
  });

  it('when a reset link is opened, then the new password is checked twice, saved with the token, and sign-in follows', async () => {
    const api = mockFetch();
    signedOut(api);
    api.on('POST', '/api/v1/auth/password-reset/confirm', () => new Response(null, { status: 204 }));
    const { user } = renderApp('/reset-password?token=tok-123');

    await user.type(await screen.findByLabelText('New password'), 'a new passphrase');
    await user.type(screen.getByLabelText('Repeat the new password'), 'a new passphrase!');
    await user.click(screen.getByRole('button', { name: 'Save the new password' }));
    expect(await screen.findByText('The two passwords differ.')).toBeInTheDocument();
    expect(api.to('POST', '/api/v1/auth/password-reset/confirm')).toHaveLength(0);

    await user.clear(screen.getByLabelText('Repeat the new password'));
    await user.type(screen.getByLabelText('Repeat the new password'), 'a new passphrase');
    await user.click(screen.getByRole('button', { name: 'Save the new password' }));
    await screen.findByText(/Your password is changed/);
    expect(api.to('POST', '/api/v1/auth/password-reset/confirm')[0]?.body).toEqual({
      token: 'tok-123',
      password: 'a new passphrase',
    });
    expect(screen.getByRole('link', { name: 'Sign in' })).toHaveAttribute('href', '/signin');
  });

  it('when a reset link was used already, then the page says so and offers a new one', async () => {
    const api = mockFetch();
    signedOut(api);
    api.on('POST', '/api/v1/auth/password-reset/confirm', problem(400, { title: 'Bad Request', detail: 'not valid' }));
    const { user } = renderApp('/reset-password?token=spent');
    await user.type(await screen.findByLabelText('New password'), 'a new passphrase');
    await user.type(screen.getByLabelText('Repeat the new password'), 'a new passphrase');
    await user.click(screen.getByRole('button', { name: 'Save the new password' }));
    await findAlert(/was used already, has expired or was replaced/);
    expect(screen.getByRole('link', { name: 'Ask for a new link' })).toHaveAttribute('href', '/forgot-password');
  });

  it('when a verification link is opened, then it is sent once and the address shows as confirmed', async () => {
    const api = mockFetch();
    signedOut(api);
    api.on('POST', '/api/v1/auth/verify-email', () => new Response(null, { status: 204 }));
    renderApp('/verify-email?token=v-1');
    await screen.findByText(/your email address is confirmed/);
    expect(api.to('POST', '/api/v1/auth/verify-email').map((request) => request.body)).toEqual([{ token: 'v-1' }]);
  });

  it('when a verification link is spent, then the page says so', async () => {
    const api = mockFetch();
    signedOut(api);
    api.on('POST', '/api/v1/auth/verify-email', problem(400, { title: 'Bad Request' }));
    renderApp('/verify-email?token=old');
    await screen.findByText(/This link cannot be used/);
  });

  it('when someone has not confirmed their address, then a banner says so and sends the link again', async () => {
    const api = mockFetch();
    signedIn(api, { ...alice, emailVerified: false });
    api.on('GET', '/api/v1/tasks', json(200, { data: [], nextCursor: null }));
    api.on('GET', '/api/v1/auth/me', json(200, { user: { ...alice, emailVerified: false } }));
    api.on('POST', '/api/v1/auth/verify-email/resend', json(202, { user: { ...alice, emailVerified: false } }));
    const { user } = renderApp('/tasks');

    const banner = await screen.findByRole('region', { name: 'Email verification' });
    expect(banner).toHaveTextContent('we sent a link to alice@example.com');
    await user.click(within(banner).getByRole('button', { name: 'Send the link again' }));
    await within(banner).findByText(/A new link is on its way/);
    expect(api.to('POST', '/api/v1/auth/verify-email/resend')).toHaveLength(1);
  });
});

describe('the notification bell', () => {
  const note = (overrides: Partial<Notification>): Notification => ({
    id: '65f000000000000000000001',
    type: 'assigned',
    read: false,
    createdAt: '2026-03-15T10:00:00.000Z',
    actor: { id: 'b'.repeat(24), name: 'Bob' },
    task: { id: 't'.repeat(24), title: 'Plant tulips', projectId: 'p'.repeat(24) },
    project: { id: 'p'.repeat(24), name: 'Garden' },
    ...overrides,
  });

  it('when there are unread notifications, then the bell counts them, lists them, and marks them read', async () => {
    const api = mockFetch();
    signedIn(api);
    api.on('GET', '/api/v1/tasks', json(200, { data: [], nextCursor: null }));
    api.on(
      'GET',
      '/api/v1/notifications',
      json(200, {
        data: [note({}), note({ id: '65f000000000000000000002', type: 'reminder', actor: undefined, read: true })],
        nextCursor: null,
        unreadCount: 1,
      }),
    );
    api.on('POST', '/api/v1/notifications/read', () => new Response(null, { status: 204 }));
    const { user } = renderApp('/tasks');

    await screen.findByRole('heading', { name: 'Tasks' });
    const header = screen.getByRole('banner');
    const bell = await within(header).findByRole('button', { name: 'Notifications, 1 unread' });
    await user.click(bell);
    const panel = within(header).getByRole('region', { name: 'Your notifications' });
    expect(
      within(panel).getByRole('button', { name: /Unread:\s*Bob assigned you “Plant tulips” in Garden/ }),
    ).toBeVisible();
    expect(within(panel).getByRole('button', { name: /Reminder: “Plant tulips” in Garden/ })).toBeVisible();

    await user.click(within(panel).getByRole('button', { name: 'Mark all read' }));
    await waitFor(() => expect(api.to('POST', '/api/v1/notifications/read')[0]?.body).toEqual({ all: true }));

    await user.click(within(panel).getByRole('button', { name: /Bob assigned you/ }));
    await waitFor(() => expect(api.to('POST', '/api/v1/notifications/read')[1]?.body).toEqual({ ids: [note({}).id] }));
    expect(`${window.location.pathname}${window.location.search}`).toBe(`/tasks?project=${'p'.repeat(24)}`);
  }, 15_000);
});
