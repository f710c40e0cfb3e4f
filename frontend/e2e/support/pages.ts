import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  type Locator,
  type Page,
} from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSpa, ensureBackendBuilt, frontendDir, startBackend, type RunningBackend } from './backend.js';
import { CHROMIUM_ARGS, describeViolations, findChromium, seriousA11yViolations } from './browser.js';

export const chromiumPath = findChromium();
export const screenshotDir = join(frontendDir, 'e2e', 'screenshots');

/** Without Chromium a journey is skipped with one line saying why, or fails under `CI=true`. */
export function reportMissingChromium(suite: string): void {
  if (chromiumPath) return;
  if (process.env.CI === 'true') {
    describe(suite, () => {
      it('when CI runs, then Chromium must be installed', () => {
        throw new Error(
          'Chromium was not found (apt-get install chromium, or set CHROMIUM_PATH); CI=true requires it.',
        );
      });
    });
  } else {
    console.log(`${suite} skipped: Chromium not found (install the Debian package "chromium" or set CHROMIUM_PATH).`);
  }
}

export interface Journey {
  baseUrl: () => string;
  /** The folder the backend serves the built SPA from (a test may deploy another build into it). */
  staticDir: () => string;
  /** A page in a browser context of its own: its own cookies and storage, so its own signed-in person. */
  newPage: (options?: BrowserContextOptions) => Promise<Page>;
}

/**
 * Registers the suite's setup and teardown: the SPA built into a temporary folder, the real backend
 * serving it on the embedded store, and headless Chromium; every context is closed afterwards.
 */
export function setUpJourney(options: { env?: Record<string, string> } = {}): Journey {
  let backend: RunningBackend | undefined;
  let spaDir: string | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    mkdirSync(screenshotDir, { recursive: true });
    ensureBackendBuilt();
    spaDir = await buildSpa();
    backend = await startBackend(spaDir, options.env);
    browser = await chromium.launch({ executablePath: chromiumPath as string, args: CHROMIUM_ARGS, headless: true });
  });

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await backend?.stop();
    if (spaDir) rmSync(spaDir, { recursive: true, force: true });
  });

  return {
    baseUrl: () => {
      if (!backend) throw new Error('the backend is not running');
      return backend.baseUrl;
    },
    staticDir: () => {
      if (!spaDir) throw new Error('the SPA is not built');
      return spaDir;
    },
    newPage: async (options = {}) => {
      if (!browser) throw new Error('the browser is not running');
      // bypassCSP lets the test inject axe-core; the app itself runs under the backend's CSP otherwise unchanged.
      const context = await browser.newContext({ bypassCSP: true, viewport: DESKTOP, ...options });
      contexts.push(context);
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      return page;
    },
  };
}

/** Polls until `check` stops throwing; for assertions on a live page, where state settles asynchronously. */
export async function eventually(check: () => Promise<void> | void, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** Waits until the header says how the live connection is ("Live", "Offline", …). */
export async function expectLive(page: Page, state: string): Promise<void> {
  const status = page.getByRole('banner').getByRole('status');
  await eventually(async () => expect(await status.textContent()).toBe(`Live updates: ${state}`));
}

/** Waits until a service worker controls the page (the first install claims the open page). */
export async function controlled(page: Page): Promise<void> {
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 20_000 });
}

/** The task list ("3 tasks shown"); absent while there is nothing to list. */
export function taskList(page: Page): Locator {
  return page.getByRole('list', { name: /tasks? shown$/ });
}

export async function visibleTitles(page: Page): Promise<string[]> {
  return taskList(page).getByRole('heading', { level: 3 }).allTextContents();
}

export async function expectTitles(page: Page, titles: string[]): Promise<void> {
  await eventually(async () => expect((await visibleTitles(page)).sort()).toEqual([...titles].sort()));
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: true });
}

export async function expectAccessible(page: Page, where: string): Promise<void> {
  const violations = await seriousA11yViolations(page);
  expect(violations, `${where}:\n${describeViolations(violations)}`).toEqual([]);
}

export const DESKTOP = { width: 1200, height: 900 };
export const PHONE = { width: 390, height: 844 };

/** Each screen is looked at in both system themes, on a desktop window and on a phone. */
export const VIEWS = [
  { name: 'light', colorScheme: 'light', viewport: DESKTOP },
  { name: 'dark', colorScheme: 'dark', viewport: DESKTOP },
  { name: 'phone', colorScheme: 'light', viewport: PHONE },
  { name: 'phone-dark', colorScheme: 'dark', viewport: PHONE },
] as const;

export async function showView(page: Page, view: (typeof VIEWS)[number]): Promise<void> {
  await page.setViewportSize(view.viewport);
  await page.emulateMedia({ colorScheme: view.colorScheme });
  // Nothing may stick out sideways (a horizontal scrollbar on a phone is a layout bug).
  await eventually(async () =>
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(view.viewport.width),
  );
}

/**
 * Screenshots of the screen as it is now in every view (`<name>-light.png`, `-dark`, `-phone`, `-phone-dark`),
 * with `show` scrolled into sight when given, then, unless `axe` is false, an axe scan in each; ends on the
 * desktop window in the light theme.
 */
export async function captureScreen(
  page: Page,
  name: string,
  { axe = true, show }: { axe?: boolean; show?: Locator } = {},
): Promise<void> {
  for (const view of VIEWS) {
    await showView(page, view);
    await show?.scrollIntoViewIfNeeded();
    await screenshot(page, `${name}-${view.name}`);
  }
  if (axe) {
    for (const view of VIEWS) {
      await showView(page, view);
      await expectAccessible(page, `${name} (${view.name})`);
    }
  }
  await showView(page, VIEWS[0]);
}

export function localDate(offsetDays: number): string {
  const at = new Date();
  at.setDate(at.getDate() + offsetDays);
  return `${at.getFullYear()}-${String(at.getMonth() + 1).padStart(2, '0')}-${String(at.getDate()).padStart(2, '0')}`;
}

export async function signUp(page: Page, baseUrl: string, name: string, email: string): Promise<void> {
  await page.goto(`${baseUrl}/signup`);
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('correct horse battery');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { name: 'Tasks', exact: true }).waitFor();
}

/** Opens an invitation link signed out, creates the account there, and waits for the joined project. */
export async function signUpThroughInvitation(page: Page, link: string, name: string, email: string): Promise<void> {
  await page.goto(link);
  await page.getByRole('link', { name: 'Create an account' }).click();
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('correct horse battery');
  await page.getByRole('button', { name: 'Create account' }).click();
}

export async function createTask(
  page: Page,
  task: { title: string; priority?: string; status?: string; date?: string; tags?: string },
): Promise<void> {
  await page.getByRole('button', { name: 'New task' }).waitFor();
  await page.keyboard.press('n');
  const dialog = page.getByRole('dialog', { name: 'New task' });
  await dialog.getByLabel('Title').fill(task.title);
  if (task.status) await dialog.getByLabel('Status').selectOption({ label: task.status });
  if (task.priority) await dialog.getByLabel('Priority').selectOption({ label: task.priority });
  if (task.date) await dialog.getByLabel('Due date').fill(task.date);
  if (task.tags) await dialog.getByLabel('Tags').fill(task.tags);
  await dialog.getByRole('button', { name: 'Create task' }).click();
  await dialog.waitFor({ state: 'detached' });
  await page.getByRole('heading', { name: task.title }).waitFor();
}

export function row(page: Page, title: string): Locator {
  return taskList(page)
    .getByRole('listitem')
    .filter({ has: page.getByRole('heading', { name: title, exact: true }) });
}

export async function statValue(page: Page, testId: string): Promise<string> {
  return (await page.getByTestId(testId).textContent()) ?? '';
}
