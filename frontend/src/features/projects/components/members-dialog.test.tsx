import type { CreatedInvitation, Member, Project } from '@primo/api/contract/wire';
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { json, mockFetch, problem, type FetchMock } from '../../../test/fetch-mock';
import { alice, bob, makeProject, member, serveProjects, signedIn } from '../../../test/fixtures';
import { findAlert, findStatusToast } from '../../../test/queries';
import { renderApp } from '../../../test/render-app';

const invitation: CreatedInvitation = {
  id: '64c000000000000000000001',
  projectId: '',
  email: 'carol@example.com',
  role: 'viewer',
  invitedBy: { id: alice.id, name: alice.name },
  createdAt: '2026-11-20T10:00:00.000Z',
  expiresAt: '2026-11-27T10:00:00.000Z',
  token: 'tok_secret-123',
};

async function openMembers(project: Project, members: Member[], setUp: (api: FetchMock) => void = () => undefined) {
  const api = mockFetch();
  signedIn(api);
  serveProjects(api, [project]);
  api.on('GET', `/api/v1/projects/${project.id}/members`, json(200, { data: members }));
  api.on('GET', `/api/v1/projects/${project.id}/invitations`, json(200, { data: [] }));
  api.on('GET', '/api/v1/tasks', json(200, { data: [], nextCursor: null }));
  setUp(api);
  const rendered = renderApp(`/tasks?project=${project.id}`);
  await rendered.user.click(await screen.findByRole('button', { name: 'Members' }));
  const dialog = await screen.findByRole('dialog', { name: `Members of ${project.name}` });
  await within(dialog).findByText('Bob');
  return { api, dialog: within(dialog), ...rendered };
}

describe('members panel', () => {
  it('when an owner opens it, then every member shows with a role picker, and a change is sent and said', async () => {
    const launch = makeProject({ name: 'Launch' });
    const { api, dialog, user } = await openMembers(launch, [member(alice, 'owner'), member(bob, 'editor')]);
    api.on('PATCH', `/api/v1/projects/${launch.id}/members/${bob.id}`, json(200, member(bob, 'viewer')));

    expect(dialog.getByText('Alice (you)')).toBeInTheDocument();
    expect(dialog.getByLabelText('Role of Bob')).toHaveValue('editor');
    await user.selectOptions(dialog.getByLabelText('Role of Bob'), 'Viewer');

    await dialog.findByText('Bob is now a viewer.');
    expect(api.to('PATCH', `/api/v1/projects/${launch.id}/members/${bob.id}`)[0]?.body).toEqual({ role: 'viewer' });
    expect(api.to('GET', `/api/v1/projects/${launch.id}/members`).length).toBeGreaterThan(1);
  });

  it('when the last owner tries to step down, then the server’s reason is shown and the role stays', async () => {
    const launch = makeProject({ name: 'Launch' });
    const { dialog, user } = await openMembers(launch, [member(alice, 'owner'), member(bob, 'editor')], (api) =>
      api.on(
        'PATCH',
        `/api/v1/projects/${launch.id}/members/${alice.id}`,
        problem(409, {
          title: 'Conflict',
          detail: 'A project needs at least one owner: make another member an owner first.',
        }),
      ),
    );

    await user.selectOptions(dialog.getByLabelText('Role of Alice'), 'Editor');

    await findAlert('A project needs at least one owner: make another member an owner first.');
    expect(dialog.getByLabelText('Role of Alice')).toHaveValue('owner');
  });

  it('when an owner removes a member, then it asks first and sends the removal only once confirmed', async () => {
    const launch = makeProject({ name: 'Launch' });
    const { api, dialog, user } = await openMembers(launch, [member(alice, 'owner'), member(bob, 'editor')]);
    api.on('DELETE', `/api/v1/projects/${launch.id}/members/${bob.id}`, () => {
      api.on('GET', `/api/v1/projects/${launch.id}/members`, json(200, { data: [member(alice, 'owner')] }));
      return new Response(null, { status: 204 });
    });

    await user.click(dialog.getByRole('button', { name: 'Remove Bob' }));
    expect(dialog.getByText(/Remove Bob from “Launch”\?/)).toBeInTheDocument();
    await waitFor(() => expect(dialog.getByRole('button', { name: 'Cancel' })).toHaveFocus());
    expect(api.to('DELETE', `/api/v1/projects/${launch.id}/members/${bob.id}`)).toHaveLength(0);
    await user.click(dialog.getByRole('button', { name: 'Remove' }));

    await dialog.findByText('Bob was removed from the project.');
    await waitFor(() => expect(dialog.queryByText('bob@example.com')).toBeNull());
  });

  it('when a member leaves, then the removal of themself is sent and the list returns to all projects', async () => {
    const launch = makeProject({ name: 'Launch', role: 'editor' });
    const { api, dialog, user } = await openMembers(launch, [member(bob, 'owner'), member(alice, 'editor')]);
    api.on('DELETE', `/api/v1/projects/${launch.id}/members/${alice.id}`, () => {
      serveProjects(api, []);
      return new Response(null, { status: 204 });
    });

    expect(dialog.getByText(/Only an owner can change roles, remove members and invite people\./)).toBeInTheDocument();
    expect(dialog.queryByRole('combobox')).toBeNull();
    expect(dialog.queryByRole('button', { name: /^Remove/ })).toBeNull();
    expect(dialog.queryByRole('heading', { name: 'Invite someone' })).toBeNull();
    await user.click(dialog.getByRole('button', { name: 'Leave' }));
    await user.click(dialog.getByRole('button', { name: 'Leave project' }));

    await screen.findByRole('heading', { level: 1, name: 'Tasks' });
    expect(api.to('DELETE', `/api/v1/projects/${launch.id}/members/${alice.id}`)).toHaveLength(1);
    expect(screen.queryByRole('dialog')).toBeNull();
    await findStatusToast('You left “Launch”.');
  });

  it('when an owner invites someone, then the link is shown once with a working Copy button', async () => {
    const launch = makeProject({ name: 'Launch' });
    const { api, dialog, user } = await openMembers(launch, [member(alice, 'owner'), member(bob, 'editor')]);
    api.on('POST', `/api/v1/projects/${launch.id}/invitations`, () => {
      api.on(
        'GET',
        `/api/v1/projects/${launch.id}/invitations`,
        json(200, { data: [{ ...invitation, token: undefined }] }),
      );
      return json(201, { ...invitation, projectId: launch.id });
    });

    await user.type(dialog.getByLabelText('Email'), 'carol@example.com');
    await user.selectOptions(dialog.getByLabelText('Role'), 'Viewer: reads tasks only');
    await user.click(dialog.getByRole('button', { name: 'Create invite link' }));

    const link = await dialog.findByLabelText('Invite link');
    expect(link).toHaveValue(`${window.location.origin}/invite/tok_secret-123`);
    expect(link).toHaveFocus();
    expect(link).toHaveAccessibleDescription(/This link is shown only once/);
    expect(api.to('POST', `/api/v1/projects/${launch.id}/invitations`)[0]?.body).toEqual({
      email: 'carol@example.com',
      role: 'viewer',
    });
    await user.click(dialog.getByRole('button', { name: 'Copy link' }));
    expect(await dialog.findByText('Link copied.')).toBeInTheDocument();
    expect(await navigator.clipboard.readText()).toBe(`${window.location.origin}/invite/tok_secret-123`);
    expect(await dialog.findByText('carol@example.com')).toBeInTheDocument();
  });

  it('when copying is not allowed, then the link is selected and the panel says how to copy it', async () => {
    const launch = makeProject({ name: 'Launch' });
    const { api, dialog, user } = await openMembers(launch, [member(alice, 'owner'), member(bob, 'editor')]);
    vi.spyOn(navigator.clipboard, 'writeText').mockRejectedValue(new DOMException('Denied', 'NotAllowedError'));
    api.on('POST', `/api/v1/projects/${launch.id}/invitations`, json(201, { ...invitation, projectId: launch.id }));

    await user.type(dialog.getByLabelText('Email'), 'carol@example.com');
    await user.click(dialog.getByRole('button', { name: 'Create invite link' }));
    const link = (await dialog.findByLabelText('Invite link')) as HTMLInputElement;
    await user.click(dialog.getByRole('button', { name: 'Copy link' }));

    expect(await dialog.findByText(/Copying is not available here\. The link is selected/)).toBeInTheDocument();
    expect(link).toHaveFocus();
    expect([link.selectionStart, link.selectionEnd]).toEqual([0, link.value.length]);
  });

  it('when the address already belongs to a member, then the email field says so', async () => {
    const launch = makeProject({ name: 'Launch' });
    const { api, dialog, user } = await openMembers(launch, [member(alice, 'owner'), member(bob, 'editor')]);
    api.on(
      'POST',
      `/api/v1/projects/${launch.id}/invitations`,
      problem(409, { title: 'Conflict', detail: 'This person is already a member of the project.' }),
    );

    await user.type(dialog.getByLabelText('Email'), 'bob@example.com');
    await user.click(dialog.getByRole('button', { name: 'Create invite link' }));

    await waitFor(() =>
      expect(dialog.getByLabelText('Email')).toHaveAccessibleDescription(
        'This person is already a member of the project.',
      ),
    );
    expect(dialog.queryByLabelText('Invite link')).toBeNull();
  });

  it('when a pending invitation is revoked, then its link stops working and the list says so', async () => {
    const launch = makeProject({ name: 'Launch' });
    const pending = { ...invitation, projectId: launch.id, token: undefined };
    const { api, dialog, user } = await openMembers(launch, [member(alice, 'owner'), member(bob, 'editor')], (mock) =>
      mock.on('GET', `/api/v1/projects/${launch.id}/invitations`, json(200, { data: [pending] })),
    );
    api.on('DELETE', `/api/v1/projects/${launch.id}/invitations/${invitation.id}`, () => {
      api.on('GET', `/api/v1/projects/${launch.id}/invitations`, json(200, { data: [] }));
      return new Response(null, { status: 204 });
    });

    await user.click(await dialog.findByRole('button', { name: 'Revoke the invitation for carol@example.com' }));

    await dialog.findByText('The invitation for carol@example.com was revoked; its link no longer works.');
    expect(await dialog.findByText('No pending invitations.')).toBeInTheDocument();
  });
});
