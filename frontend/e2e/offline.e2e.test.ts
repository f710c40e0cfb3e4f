import { cpSync, rmSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { buildSpa } from './support/backend.js';
import {
  chromiumPath,
  controlled,
  createTask,
  eventually,
  expectAccessible,
  expectTitles,
  reportMissingChromium,
  setUpJourney,
  signUp,
} from './support/pages.js';

reportMissingChromium('offline app journey');

/** What Cache Storage holds: each cache's name and the paths of its entries. */
async function cachedPaths(page: Page): Promise<Record<string, string[]>> {
  return page.evaluate(async () => {
    const result: Record<string, string[]> = {};
    for (const name of await caches.keys()) {
      const keys = await (await caches.open(name)).keys();
      result[name] = keys.map((request) => new URL(request.url).pathname);
    }
    return result;
  });
}

describe.skipIf(!chromiumPath)('offline app journey: installable, reads offline, clears on sign-out', () => {
  const journey = setUpJourney();
  const email = `ada-offline-${Date.now().toString(36)}@example.com`;

  it('when Ada has opened Primo once, then it is installable, opens with the network cut showing what she saw, never caches API answers, and signing out empties every cache', async () => {
    const page = await journey.newPage();
    await signUp(page, journey.baseUrl(), 'Ada Lovelace', email);
    await controlled(page);

    const manifest = (await page.evaluate(async () => {
      const href = document.querySelector('link[rel="manifest"]')?.getAttribute('href');
      return href ? ((await (await fetch(href)).json()) as unknown) : null;
    })) as { name: string; start_url: string; display: string; icons: Array<{ sizes: string; purpose: string }> };
    expect(manifest).toMatchObject({ name: 'Primo', start_url: '/tasks', display: 'standalone' });
    expect(manifest.icons.map((icon) => `${icon.sizes} ${icon.purpose}`)).toEqual(
      expect.arrayContaining(['192x192 any', '512x512 any', '512x512 maskable']),
    );
    // Chromium's own installability check (what its install prompt requires) finds nothing missing. A test
    // browser context is incognito, where Chromium never offers to install: that one reason is expected.
    const devtools = await page.context().newCDPSession(page);
    await eventually(async () => {
      const { installabilityErrors } = (await devtools.send('Page.getInstallabilityErrors')) as {
        installabilityErrors: Array<{ errorId: string }>;
      };
      expect(installabilityErrors.map((error) => error.errorId)).toEqual(['in-incognito']);
    });
    await devtools.detach();

    // The app shell is precached: index.html and every script the page runs.
    const scripts = await page.evaluate(() =>
      performance
        .getEntriesByType('resource')
        .map((entry) => new URL(entry.name).pathname)
        .filter((path) => path.startsWith('/assets/') && path.endsWith('.js')),
    );
    await eventually(async () => {
      const precache = Object.entries(await cachedPaths(page)).find(([name]) => name.startsWith('workbox-precache'));
      expect(precache?.[1]).toEqual(expect.arrayContaining(['/index.html', ...scripts]));
    });

    // A reload navigates through the worker, which keeps the page network first.
    await page.reload();
    await page.getByRole('heading', { name: 'Tasks', exact: true }).waitFor();
    await eventually(async () => expect((await cachedPaths(page))['primo-pages']).toEqual(['/tasks']));
    for (const paths of Object.values(await cachedPaths(page))) {
      expect(paths.filter((path) => /^\/(api|socket\.io|health|metrics)(\/|$)/.test(path))).toEqual([]);
    }

    // What Ada saw is kept for her in IndexedDB (a second or so after it changes).
    await createTask(page, { title: 'Water the plants' });
    await createTask(page, { title: 'Book the train' });
    await expectTitles(page, ['Book the train', 'Water the plants']);
    await eventually(async () =>
      expect(await page.evaluate(async () => (await indexedDB.databases()).map((database) => database.name))).toContain(
        'primo-offline',
      ),
    );
    await page.waitForTimeout(1500);

    // Offline, a reload opens the app from the worker, signed in as Ada, with the tasks she saw and
    // a banner saying how old they are.
    await page.context().setOffline(true);
    await page.reload();
    await page.getByText(/^Offline — showing what you saw at \d{1,2}:\d{2}/).waitFor();
    await expectTitles(page, ['Book the train', 'Water the plants']);
    await expectAccessible(page, 'the task list opened offline');

    // Back online, the banner goes and the list is the server's again.
    await page.context().setOffline(false);
    await page.getByText(/^Offline — showing/).waitFor({ state: 'detached' });
    await createTask(page, { title: 'Call the plumber' });
    await expectTitles(page, ['Call the plumber', 'Book the train', 'Water the plants']);

    // Signing out leaves nothing of Ada in Cache Storage, IndexedDB or local storage; the build's own files stay.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await eventually(async () => {
      const caches = await cachedPaths(page);
      expect(Object.keys(caches).filter((name) => !name.startsWith('workbox-precache'))).toEqual([]);
    });
    await eventually(async () =>
      expect(await page.evaluate(async () => (await indexedDB.databases()).map((database) => database.name))).toEqual(
        [],
      ),
    );
    expect(await page.evaluate(() => Object.keys(localStorage))).toEqual([]);
  });
});

describe.skipIf(!chromiumPath)('offline app journey: a new deployment is offered, never swapped in silently', () => {
  const journey = setUpJourney();
  let next: string | undefined;
  afterAll(() => {
    if (next) rmSync(next, { recursive: true, force: true });
  });

  it('when a new version is deployed while Primo is open, then the page offers it and Reload runs the new version', async () => {
    const page = await journey.newPage();
    const entryScript = () =>
      page.evaluate(() => document.querySelector('script[type="module"]')?.getAttribute('src') ?? '');
    await page.goto(`${journey.baseUrl()}/signin`);
    await controlled(page);
    const first = await entryScript();

    // Deploy: a second build's files replace the first's under the same server.
    next = await buildSpa({ release: 'two' });
    cpSync(next, journey.staticDir(), { recursive: true });

    await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.update());
    const prompt = page.getByRole('status').filter({ hasText: 'A new version of Primo is available.' });
    await prompt.waitFor();
    // Until Reload is chosen, the running version stays.
    expect(await entryScript()).toBe(first);
    await expectAccessible(page, 'the update prompt');

    await prompt.getByRole('button', { name: 'Reload' }).click();
    await eventually(async () => expect(await entryScript()).not.toBe(first), 20_000);
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(await page.getByText('A new version of Primo is available.').count()).toBe(0);
  });
});
