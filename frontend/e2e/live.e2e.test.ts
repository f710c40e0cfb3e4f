import { describe, expect, it } from 'vitest';
import {
  captureScreen,
  chromiumPath,
  createTask,
  eventually,
  expectAccessible,
  expectLive,
  expectTitles,
  reportMissingChromium,
  row,
  setUpJourney,
  signUp,
  signUpThroughInvitation,
} from './support/pages.js';

reportMissingChromium('live journey');

describe.skipIf(!chromiumPath)('live journey: two people see each other’s changes as they happen', () => {
  const journey = setUpJourney();
  const runId = Date.now().toString(36);
  const adaEmail = `ada-live-${runId}@example.com`;
  const bobEmail = `bob-live-${runId}@example.com`;

  it('when Ada changes a shared project, then Bob’s open page follows without a reload, with the history and a catch-up after a lost connection', async () => {
    const ada = await journey.newPage();
    await signUp(ada, journey.baseUrl(), 'Ada Lovelace', adaEmail);
    await expectLive(ada, 'Live');
    await ada.getByRole('button', { name: 'New project' }).click();
    const create = ada.getByRole('dialog', { name: 'New project' });
    await create.getByLabel('Name').fill('Live launch');
    await create.getByRole('button', { name: 'Create project' }).click();
    await create.waitFor({ state: 'detached' });
    await ada.getByRole('heading', { level: 1, name: 'Live launch' }).waitFor();

    await ada.getByRole('button', { name: 'Members' }).click();
    const members = ada.getByRole('dialog', { name: 'Members of Live launch' });
    await members.getByLabel('Email').fill(bobEmail);
    await members.getByRole('button', { name: 'Create invite link' }).click();
    const link = await members.getByLabel('Invite link').inputValue();
    await ada.keyboard.press('Escape');
    await members.waitFor({ state: 'detached' });

    const bob = await journey.newPage();
    await signUpThroughInvitation(bob, link, 'Bob Kahn', bobEmail);
    await bob.getByRole('heading', { level: 1, name: 'Live launch' }).waitFor();
    await expectLive(bob, 'Live');
    await bob.getByText('No tasks in this project yet.').waitFor();
    // Ada's member list counts Bob as soon as he joins.
    await ada.getByText('Owner · 2 members').waitFor();

    // A task Ada creates appears on Bob's open list: the list never polls, so only the live event brings it.
    await createTask(ada, { title: 'Ship the release' });
    await expectTitles(bob, ['Ship the release']);
    await captureScreen(bob, '50-live-arrived');

    // Ada completes it; Bob's row says so.
    await row(ada, 'Ship the release').getByRole('checkbox', { name: 'Complete “Ship the release”' }).click();
    await row(bob, 'Ship the release').getByText('Done', { exact: true }).waitFor();
    expect(
      await row(bob, 'Ship the release').getByRole('checkbox', { name: 'Reopen “Ship the release”' }).isChecked(),
    ).toBe(true);

    // The task's history in Bob's dialog names who did what.
    await row(bob, 'Ship the release').getByRole('button', { name: 'Edit “Ship the release”' }).click();
    const edit = bob.getByRole('dialog', { name: 'Edit task' });
    const history = edit.getByRole('region', { name: 'History' });
    await eventually(async () =>
      expect(await history.getByRole('listitem').allTextContents()).toEqual([
        expect.stringMatching(/^Ada Lovelace moved it to Done, (now|\d+ seconds? ago)$/),
        expect.stringMatching(/^Ada Lovelace created it, (now|\d+ seconds? ago)$/),
      ]),
    );
    await captureScreen(bob, '51-task-history', { show: history });
    await expectAccessible(bob, 'task dialog with its history');
    await bob.keyboard.press('Escape');
    await edit.waitFor({ state: 'detached' });

    // Bob loses the network; what Ada does meanwhile reaches him once he is back.
    await bob.context().setOffline(true);
    await expectLive(bob, 'Offline');
    await row(ada, 'Ship the release').getByRole('button', { name: 'Edit “Ship the release”' }).click();
    const rename = ada.getByRole('dialog', { name: 'Edit task' });
    await rename.getByLabel('Title').fill('Ship the release candidate');
    await rename.getByRole('button', { name: 'Save changes' }).click();
    await rename.waitFor({ state: 'detached' });
    await bob.context().setOffline(false);
    await expectLive(bob, 'Live');
    await expectTitles(bob, ['Ship the release candidate']);

    // Ada deletes it; once her undo window has passed, it leaves Bob's list too.
    await row(ada, 'Ship the release candidate')
      .getByRole('button', { name: 'Delete “Ship the release candidate”' })
      .click();
    await ada
      .getByRole('region', { name: 'Notifications' })
      .getByText('Deleted “Ship the release candidate”.')
      .waitFor();
    await bob.getByText('No tasks in this project yet.').waitFor({ timeout: 20_000 });

    // Ada removes Bob: his open page says the project is gone, without a reload.
    await ada.getByRole('button', { name: 'Members' }).click();
    const removing = ada.getByRole('dialog', { name: 'Members of Live launch' });
    await removing.getByRole('button', { name: 'Remove Bob Kahn' }).click();
    await removing.getByRole('button', { name: 'Remove', exact: true }).click();
    await removing.getByText('Bob Kahn was removed from the project.').waitFor();
    await bob.getByRole('heading', { level: 1, name: 'Project not available' }).waitFor();
    await captureScreen(bob, '52-live-removed');
  }, 180_000);
});

describe.skipIf(!chromiumPath)('live journey: short-lived access tokens', () => {
  // Tokens live three seconds: the open socket outlives several of them.
  const journey = setUpJourney({ env: { JWT_EXPIRE: '3s' } });
  const email = `ada-expiry-${Date.now().toString(36)}@example.com`;

  async function liveConnections(): Promise<number> {
    const metrics = await (await fetch(`${journey.baseUrl()}/metrics`)).text();
    return Number(/^live_connections (\d+)/m.exec(metrics)?.[1] ?? NaN);
  }

  it('when the access token expires under an open page, then it renews it and keeps receiving changes; signing out closes the connection', async () => {
    const desk = await journey.newPage();
    await signUp(desk, journey.baseUrl(), 'Ada Lovelace', email);
    await expectLive(desk, 'Live');
    const phone = await journey.newPage();
    await phone.goto(`${journey.baseUrl()}/signin`);
    await phone.getByLabel('Email').fill(email);
    await phone.getByLabel('Password').fill('correct horse battery');
    await phone.getByRole('button', { name: 'Sign in' }).click();
    await phone.getByRole('heading', { name: 'Tasks', exact: true }).waitFor();
    await expectLive(phone, 'Live');

    // Two token lifetimes pass; the desk's socket was told its token expired and sent a fresh one.
    await desk.waitForTimeout(7000);
    await createTask(phone, { title: 'Written on the phone' });
    await expectTitles(desk, ['Written on the phone']);
    await expectLive(desk, 'Live');

    expect(await liveConnections()).toBe(2);
    for (const page of [desk, phone]) {
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('heading', { name: 'Sign in to Primo' }).waitFor();
    }
    await eventually(async () => expect(await liveConnections()).toBe(0));
  }, 120_000);
});
