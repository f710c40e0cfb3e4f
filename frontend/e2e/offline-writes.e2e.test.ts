import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  chromiumPath,
  controlled,
  createTask,
  eventually,
  expectAccessible,
  expectLive,
  expectTitles,
  reportMissingChromium,
  row,
  setUpJourney,
  signUp,
} from './support/pages.js';

reportMissingChromium('offline writes journey');

const PASSWORD = 'correct horse battery';

/** The parts of the API's answers these journeys read. */
interface Task {
  id: string;
  title: string;
  description: string;
  status: string;
  priority: string;
}
interface Change {
  type: string;
  entityId: string;
  fields: Array<{ field: string }>;
}
interface ListOf<T> {
  data: T[];
  nextCursor: string;
}

/** The API as a program uses it: a bearer token, JSON in and out. */
function apiAs(baseUrl: string, token: string) {
  return async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${baseUrl}/api/v1${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return (response.status === 204 ? undefined : await response.json()) as T;
  };
}

async function tokenOf(baseUrl: string, email: string, name?: string): Promise<string> {
  const path = name === undefined ? 'login' : 'register';
  const response = await fetch(`${baseUrl}/api/v1/auth/${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password: PASSWORD, ...(name === undefined ? {} : { name }) }),
  });
  if (!response.ok) throw new Error(`${path}: ${response.status}`);
  return ((await response.json()) as { accessToken: string }).accessToken;
}

/** Waits until every change made on this page has reached the server (no row is marked any more). */
async function synced(page: Page): Promise<void> {
  await eventually(async () => expect(await page.getByText('Not synced yet').count()).toBe(0), 30_000);
}

/** Opens Primo, waits for the service worker and the saved cache, then cuts the network. */
async function goOffline(page: Page): Promise<void> {
  await controlled(page);
  // What the page shows is saved to IndexedDB a second or so after it changes.
  await page.waitForTimeout(1500);
  await page.context().setOffline(true);
  await expectLive(page, 'Offline');
}

describe.skipIf(!chromiumPath)('offline writes journey: changes made without a network reach the server once', () => {
  const journey = setUpJourney();
  const runId = Date.now().toString(36);

  it('when Ada creates three tasks and edits one offline, reloading on the way, then online the server has exactly those changes once', async () => {
    const email = `ada-outbox-${runId}@example.com`;
    const page = await journey.newPage();
    await signUp(page, journey.baseUrl(), 'Ada Lovelace', email);
    await createTask(page, { title: 'Pack the bags' });
    const api = apiAs(journey.baseUrl(), await tokenOf(journey.baseUrl(), email));
    const { nextCursor: before } = await api<ListOf<Change>>('GET', '/changes?limit=1');
    await goOffline(page);

    for (const title of ['Buy snacks', 'Read the map', 'Call grandma']) await createTask(page, { title });
    await row(page, 'Pack the bags').getByRole('button', { name: 'Edit “Pack the bags”' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit task' });
    await edit.getByLabel('Title').fill('Pack the bags tonight');
    await edit.getByRole('button', { name: 'Save changes' }).click();
    await edit.waitFor({ state: 'detached' });
    await row(page, 'Read the map').getByRole('checkbox', { name: 'Complete “Read the map”' }).click();

    const everything = ['Pack the bags tonight', 'Buy snacks', 'Read the map', 'Call grandma'];
    await expectTitles(page, everything);
    for (const title of everything) await row(page, title).getByText('Not synced yet').waitFor();
    await page.getByText(/Changes to 4 tasks are saved on this device/).waitFor();
    await expectAccessible(page, 'the task list with changes not synced yet');

    // A reload with the network still cut: the app from the service worker, the tasks and the queued
    // changes from IndexedDB.
    await page.reload();
    await expectTitles(page, everything);
    for (const title of everything) await row(page, title).getByText('Not synced yet').waitFor();
    expect(await row(page, 'Read the map').getByRole('checkbox').isChecked()).toBe(true);

    await page.context().setOffline(false);
    await synced(page);
    await expectTitles(page, everything);

    const { data: tasks } = await api<ListOf<Task>>('GET', '/tasks?limit=100');
    expect(tasks.map(({ title, status }) => `${title}: ${status}`).sort()).toEqual([
      'Buy snacks: todo',
      'Call grandma: todo',
      'Pack the bags tonight: todo',
      'Read the map: done',
    ]);
    // Exactly once each: three creates and two edits, nothing repeated.
    const { data: changes } = await api<ListOf<Change>>(
      'GET',
      `/changes?since=${encodeURIComponent(before)}&limit=100`,
    );
    const titleOf = (change: Change) => tasks.find((task) => task.id === change.entityId)?.title;
    expect(changes.map((change) => `${change.type} ${titleOf(change)}`).sort()).toEqual([
      'task.created Buy snacks',
      'task.created Call grandma',
      'task.created Read the map',
      'task.updated Pack the bags tonight',
      'task.updated Read the map',
    ]);

    // The rows are the server's now: its ids, nothing left with a temporary one.
    const ids = await page
      .locator('[data-task-id]')
      .evaluateAll((rows) => rows.map((node) => node.getAttribute('data-task-id')));
    expect(ids.sort()).toEqual(tasks.map((task) => task.id).sort());
  });

  it('when Bob changes a task while Ada edits it offline, then Ada sees both versions and her choice is what the server keeps', async () => {
    const adaEmail = `ada-conflict-${runId}@example.com`;
    const bobEmail = `bob-conflict-${runId}@example.com`;
    const base = journey.baseUrl();
    const page = await journey.newPage();
    await signUp(page, base, 'Ada Lovelace', adaEmail);
    const ada = apiAs(base, await tokenOf(base, adaEmail));
    const bob = apiAs(base, await tokenOf(base, bobEmail, 'Bob Kahn'));
    const project = await ada<{ id: string }>('POST', '/projects', { name: 'Trip' });
    const { token } = await ada<{ token: string }>('POST', `/projects/${project.id}/invitations`, {
      email: bobEmail,
      role: 'editor',
    });
    await bob('POST', '/invitations/accept', { token });
    const shared = await ada<Task>('POST', '/tasks', {
      projectId: project.id,
      title: 'Book the hotel',
      priority: 'low',
    });

    await page.getByRole('link', { name: /Trip/ }).click();
    await page.getByRole('heading', { level: 1, name: 'Trip' }).waitFor();
    await expectTitles(page, ['Book the hotel']);
    await goOffline(page);

    // Offline, Ada gives it a description and a new title.
    await row(page, 'Book the hotel').getByRole('button', { name: 'Edit “Book the hotel”' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit task' });
    await edit.getByLabel('Title').fill('Book the hotel near the station');
    await edit.getByLabel('Description').fill('Two nights');
    await edit.getByRole('button', { name: 'Save changes' }).click();
    await edit.waitFor({ state: 'detached' });
    await row(page, 'Book the hotel near the station').getByText('Not synced yet').waitFor();

    // Meanwhile Bob, online, renames it and raises its priority.
    await bob('PATCH', `/tasks/${shared.id}`, { title: 'Book the hotel by Friday', priority: 'high' });

    await page.context().setOffline(false);
    const conflict = page.getByRole('dialog', { name: 'Changed here and elsewhere' });
    await conflict.waitFor({ timeout: 30_000 });
    const rows = await conflict.getByRole('row').allTextContents();
    expect(rows).toEqual([
      'FieldYoursTheirs',
      'Titleboth changedBook the hotel near the stationBook the hotel by Friday',
      'DescriptionTwo nights—',
    ]);
    await expectAccessible(page, 'the conflict dialog');

    // Merging keeps Bob's title (both changed it) and adds Ada's description (only she changed it).
    await conflict.getByRole('button', { name: 'Merge: mine where they changed nothing' }).click();
    await conflict.waitFor({ state: 'detached' });
    await synced(page);
    await eventually(async () =>
      expect(await ada<Task>('GET', `/tasks/${shared.id}`)).toMatchObject({
        title: 'Book the hotel by Friday',
        description: 'Two nights',
        priority: 'high',
      }),
    );
    await expectTitles(page, ['Book the hotel by Friday']);
  });

  it('when 100 changes wait in the outbox, then they all reach the server once within 5 seconds of the first going out', async () => {
    const email = `ada-hundred-${runId}@example.com`;
    const base = journey.baseUrl();
    const page = await journey.newPage();
    await signUp(page, base, 'Ada Lovelace', email);
    const api = apiAs(base, await tokenOf(base, email));
    for (let index = 1; index <= 100; index += 1) {
      await api('POST', '/tasks', { title: `Chore ${String(index).padStart(3, '0')}` });
    }
    await page.reload();
    for (let pages = 1; pages < 5; pages += 1) await page.getByRole('button', { name: 'Load more' }).click();
    await eventually(async () =>
      expect(await page.getByRole('checkbox', { name: /^Complete “Chore/ }).count()).toBe(100),
    );
    const { nextCursor: before } = await api<ListOf<Change>>('GET', '/changes?limit=1');
    await goOffline(page);

    for (let index = 1; index <= 100; index += 1) {
      const title = `Chore ${String(index).padStart(3, '0')}`;
      await page.getByRole('checkbox', { name: `Complete “${title}”` }).click();
      await page.getByRole('checkbox', { name: `Reopen “${title}”` }).waitFor();
    }
    await eventually(async () => expect(await page.getByText('Not synced yet').count()).toBe(100));

    const sentAt: number[] = [];
    page.on('request', (request) => {
      if (request.method() === 'PATCH') sentAt.push(Date.now());
    });

    const online = Date.now();
    await page.context().setOffline(false);
    await synced(page);
    const done = Date.now();
    const replaySeconds = (done - (sentAt[0] ?? online)) / 1000;
    console.log(
      `offline replay: 100 queued writes sent in ${replaySeconds.toFixed(2)} s ` +
        `(${((done - online) / 1000).toFixed(2)} s from reconnecting, catch-up included)`,
    );
    expect(sentAt).toHaveLength(100);
    expect(replaySeconds).toBeLessThanOrEqual(5);

    const { data: changes } = await api<ListOf<Change>>(
      'GET',
      `/changes?since=${encodeURIComponent(before)}&limit=100`,
    );
    expect(changes.filter((change) => change.type === 'task.updated')).toHaveLength(100);
    const { data: tasks } = await api<ListOf<Task>>('GET', '/tasks?status=todo&limit=100');
    expect(tasks).toEqual([]);
  });
});
