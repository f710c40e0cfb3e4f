import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  captureScreen,
  chromiumPath,
  eventually,
  expectTitles,
  reportMissingChromium,
  row,
  setUpJourney,
  signUp,
} from './support/pages.js';

reportMissingChromium('projects journey');

const VIEWER_REASON = 'You are a viewer in this project: you can read its tasks but not change them.';
const GONE = 'This project is not available any more: it was deleted, or you are no longer a member of it.';

function projectLink(page: Page, name: string | RegExp) {
  return page.getByRole('navigation', { name: 'Projects' }).getByRole('link', { name });
}

/** Console errors other than failed requests (those are the API's answers, checked where they matter). */
function collectConsoleErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource'))
      errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}

describe.skipIf(!chromiumPath)('projects journey: two people sharing a project', () => {
  const journey = setUpJourney();
  const runId = Date.now().toString(36);
  const adaEmail = `ada-${runId}@example.com`;
  const bobEmail = `bob-${runId}@example.com`;

  it('when Ada invites Bob, then he joins, assigns her a task, becomes a viewer, and sees the project gone once removed', async () => {
    const ada = await journey.newPage();
    await ada.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: journey.baseUrl() });
    const adaErrors = collectConsoleErrors(ada);
    await signUp(ada, journey.baseUrl(), 'Ada Lovelace', adaEmail);
    await projectLink(ada, /^Inbox/).waitFor();

    // Ada creates a project, with a description and a colour.
    await ada.getByRole('button', { name: 'New project' }).click();
    const create = ada.getByRole('dialog', { name: 'New project' });
    await create.getByLabel('Name').fill('Launch');
    await create.getByLabel('Description').fill('Everything for the first release.');
    await create.locator('label[title="Teal"]').click();
    expect(await create.getByRole('radio', { name: 'Teal' }).isChecked()).toBe(true);
    await captureScreen(ada, '20-new-project');
    await create.getByRole('button', { name: 'Create project' }).click();
    await create.waitFor({ state: 'detached' });
    await ada.getByRole('heading', { level: 1, name: 'Launch' }).waitFor();
    const projectId = new URL(ada.url()).searchParams.get('project');
    expect(projectId).toMatch(/^[0-9a-f]{24}$/);
    expect(await projectLink(ada, /^Launch/).getAttribute('aria-current')).toBe('page');

    // A new task goes to the project on screen.
    await ada.keyboard.press('n');
    const newTask = ada.getByRole('dialog', { name: 'New task' });
    expect(await newTask.getByLabel('Project').inputValue()).toBe(projectId);
    await newTask.getByLabel('Title').fill('Write press release');
    await newTask.getByRole('button', { name: 'Create task' }).click();
    await newTask.waitFor({ state: 'detached' });
    await expectTitles(ada, ['Write press release']);
    await eventually(async () => expect(await projectLink(ada, /^Launch/).textContent()).toContain('1'));

    // Ada invites Bob as an editor; the link is shown once, with a Copy button.
    await ada.getByRole('button', { name: 'Members' }).click();
    const members = ada.getByRole('dialog', { name: 'Members of Launch' });
    await members.getByText('No pending invitations.').waitFor();
    await members.getByLabel('Email').fill(bobEmail);
    await members.getByRole('button', { name: 'Create invite link' }).click();
    const linkField = members.getByLabel('Invite link');
    await linkField.waitFor();
    const link = await linkField.inputValue();
    expect(link).toMatch(new RegExp(`^${journey.baseUrl()}/invite/[^/]+$`));
    expect(await members.getByText(/shown only once/).count()).toBe(1);
    await members.getByRole('button', { name: 'Copy link' }).click();
    await members.getByText('Link copied.').waitFor();
    expect(await ada.evaluate(() => navigator.clipboard.readText())).toBe(link);
    await members.getByRole('listitem').filter({ hasText: bobEmail }).waitFor();
    await captureScreen(ada, '21-members-invite-link', { show: linkField });
    await ada.keyboard.press('Escape');
    await members.waitFor({ state: 'detached' });

    // Bob opens the link signed out, creates his account, and lands in the project.
    const bob = await journey.newPage();
    const bobErrors = collectConsoleErrors(bob);
    await bob.goto(link);
    await bob.getByRole('heading', { name: 'You are invited to a project on Primo' }).waitFor();
    await captureScreen(bob, '22-invite-signed-out');
    await bob.getByRole('link', { name: 'Create an account' }).click();
    await bob.getByRole('heading', { name: 'Create your Primo account' }).waitFor();
    await bob.getByLabel('Name').fill('Bob Kahn');
    await bob.getByLabel('Email').fill(bobEmail);
    await bob.getByLabel('Password').fill('correct horse battery');
    await bob.getByRole('button', { name: 'Create account' }).click();
    await bob.getByRole('heading', { level: 1, name: 'Launch' }).waitFor();
    expect(new URL(bob.url()).searchParams.get('project')).toBe(projectId);
    expect(new URL(bob.url()).pathname).toBe('/tasks');
    await bob.getByText('You joined “Launch”. Welcome!').waitFor();
    await bob.getByText('Editor · 2 members').waitFor();
    await expectTitles(bob, ['Write press release']);
    await captureScreen(bob, '23-joined-project');

    // Bob assigns the task to Ada.
    await row(bob, 'Write press release').getByRole('button', { name: 'Edit “Write press release”' }).click();
    const edit = bob.getByRole('dialog', { name: 'Edit task' });
    await edit.getByLabel('Assignee').selectOption({ label: 'Ada Lovelace' });
    await edit.getByRole('button', { name: 'Save changes' }).click();
    await edit.waitFor({ state: 'detached' });
    await row(bob, 'Write press release').getByText('Assigned to Ada Lovelace').waitFor();

    // Ada finds it under "Assigned to me", across all her projects, with its project on the row.
    await projectLink(ada, /^All projects/).click();
    await ada.getByRole('heading', { level: 1, name: 'Tasks' }).waitFor();
    await ada.getByLabel('Assigned to me').check();
    await expectTitles(ada, ['Write press release']);
    expect(new URL(ada.url()).searchParams.get('assignee')).toBe('me');
    await row(ada, 'Write press release').getByText('Assigned to you').waitFor();
    expect(await row(ada, 'Write press release').locator(`[data-project="${projectId}"]`).textContent()).toBe('Launch');
    await captureScreen(ada, '24-assigned-to-me');
    await ada.getByLabel('Assigned to me').uncheck();

    // Ada makes Bob a viewer; the last owner cannot step down.
    await projectLink(ada, /^Launch/).click();
    await ada.getByRole('heading', { level: 1, name: 'Launch' }).waitFor();
    await ada.getByRole('button', { name: 'Members' }).click();
    const roles = ada.getByRole('dialog', { name: 'Members of Launch' });
    await roles.getByLabel('Role of Bob Kahn').selectOption('viewer');
    await roles.getByText('Bob Kahn is now a viewer.').waitFor();
    await roles.getByLabel('Role of Ada Lovelace').selectOption('editor');
    const lastOwner = roles.getByRole('alert');
    await lastOwner.getByText('A project needs at least one owner: make another member an owner first.').waitFor();
    await eventually(async () => expect(await roles.getByLabel('Role of Ada Lovelace').inputValue()).toBe('owner'));
    await captureScreen(ada, '25-members-last-owner', { show: lastOwner });
    await ada.keyboard.press('Escape');

    // Bob's open page learns it live, without a reload: his controls are disabled and say why.
    await bob.getByText(VIEWER_REASON).waitFor();
    await eventually(async () => {
      expect(await bob.getByRole('checkbox', { name: 'Complete “Write press release”' }).isDisabled()).toBe(true);
      expect(await bob.getByRole('button', { name: 'Edit “Write press release”' }).isDisabled()).toBe(true);
      expect(await bob.getByRole('button', { name: 'New task' }).isDisabled()).toBe(true);
    });
    expect(
      await bob.getByRole('button', { name: 'Edit “Write press release”' }).getAttribute('aria-describedby'),
    ).toBeTruthy();
    expect(await bob.getByRole('button', { name: 'Settings' }).count()).toBe(0);
    await bob.getByText('Viewer · 2 members').waitFor();
    await captureScreen(bob, '26-viewer-mode');

    // Ada removes Bob; his next view of the project says it is gone.
    await ada.getByRole('button', { name: 'Members' }).click();
    const removing = ada.getByRole('dialog', { name: 'Members of Launch' });
    await removing.getByRole('button', { name: 'Remove Bob Kahn' }).click();
    await removing.getByRole('button', { name: 'Remove', exact: true }).click();
    await removing.getByText('Bob Kahn was removed from the project.').waitFor();
    await ada.keyboard.press('Escape');
    await bob.reload();
    await bob.getByRole('heading', { level: 1, name: 'Project not available' }).waitFor();
    await bob.getByText(GONE).waitFor();
    expect(await projectLink(bob, /^Launch/).count()).toBe(0);
    await captureScreen(bob, '27-project-gone');

    // The spent link says plainly that it cannot be used.
    await bob.goto(link);
    await bob.getByRole('heading', { name: 'This invitation cannot be used' }).waitFor();
    await bob
      .getByRole('alert')
      .getByText('This invitation is not valid any more or was sent to another address.')
      .waitFor();
    await captureScreen(bob, '28-invite-not-valid');

    // Ada renames nothing but deletes the project, after confirming.
    await ada.getByRole('button', { name: 'Settings' }).click();
    const settings = ada.getByRole('dialog', { name: 'Project settings' });
    expect(await settings.getByLabel('Name').inputValue()).toBe('Launch');
    await captureScreen(ada, '29-project-settings');
    await settings.getByRole('button', { name: 'Delete project…' }).click();
    const confirm = ada.getByRole('dialog', { name: 'Delete project?' });
    await confirm.getByText(/Delete “Launch” and all of its tasks/).waitFor();
    await eventually(async () =>
      expect(await ada.evaluate(() => document.activeElement?.textContent)).toBe('Keep project'),
    );
    await captureScreen(ada, '30-delete-project');
    await confirm.getByRole('button', { name: 'Delete project' }).click();
    await confirm.waitFor({ state: 'detached' });
    await ada.getByRole('heading', { level: 1, name: 'Tasks' }).waitFor();
    await ada.getByRole('region', { name: 'Notifications' }).getByText('Deleted project “Launch”.').waitFor();
    await eventually(async () => expect(await projectLink(ada, /^Launch/).count()).toBe(0));

    // The Inbox cannot be deleted, and its settings say why.
    await projectLink(ada, /^Inbox/).click();
    await ada.getByRole('heading', { level: 1, name: 'Inbox' }).waitFor();
    await ada.getByRole('button', { name: 'Settings' }).click();
    const inbox = ada.getByRole('dialog', { name: 'Project settings' });
    const deleteInbox = inbox.getByRole('button', { name: 'Delete project…' });
    expect(await deleteInbox.isDisabled()).toBe(true);
    const reasonId = await deleteInbox.getAttribute('aria-describedby');
    expect(await inbox.locator(`[id="${reasonId}"]`).textContent()).toBe(
      'The Inbox is your personal project: it cannot be deleted.',
    );
    await ada.keyboard.press('Escape');

    expect(adaErrors).toEqual([]);
    expect(bobErrors).toEqual([]);
  }, 240_000);
});
