import type { Request } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  captureScreen,
  chromiumPath,
  createTask,
  DESKTOP,
  eventually,
  expectTitles,
  localDate,
  PHONE,
  reportMissingChromium,
  row,
  screenshot,
  setUpJourney,
  showView,
  signUp,
  statValue,
  taskList,
  VIEWS,
  visibleTitles,
} from './support/pages.js';

reportMissingChromium('browser journey');

describe.skipIf(!chromiumPath)('browser journey against the real backend', () => {
  const journey = setUpJourney();
  const runId = Date.now().toString(36);
  const firstEmail = `ada-${runId}@example.com`;
  const newPage = () => journey.newPage();

  it('when a person signs up and works through their tasks, then every step holds, survives a reload and signs out', async () => {
    const page = await newPage();
    const consoleErrors: string[] = [];
    page.on('console', (message) => {
      // Failed requests are checked through their responses below, with the expected ones allowed.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
        consoleErrors.push(message.text());
      }
    });
    const failedResponses: string[] = [];
    page.on('response', (response) => {
      if (response.status() >= 400) {
        failedResponses.push(`${response.status()} ${response.request().method()} ${new URL(response.url()).pathname}`);
      }
    });

    // Signed out: the root sends you to sign-in.
    await page.goto(`${journey.baseUrl()}/`);
    await page.getByRole('heading', { name: 'Sign in to Primo' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/signin');
    await captureScreen(page, '01-sign-in');

    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.getByRole('heading', { name: 'Create your Primo account' }).waitFor();
    await captureScreen(page, '02-sign-up');
    await signUp(page, journey.baseUrl(), 'Ada Lovelace', firstEmail);
    await page.getByText('No tasks yet.').waitFor();
    await captureScreen(page, '03-empty-tasks');

    // A server-side validation message lands on its field.
    await page.getByRole('button', { name: 'New task' }).click();
    const dialog = page.getByRole('dialog', { name: 'New task' });
    // The dialog is modal (showModal): the page behind is inert, out of reach by role and by focus.
    await dialog.getByLabel('Title').waitFor();
    const { nodes } = (await (await page.context().newCDPSession(page)).send('Accessibility.getFullAXTree')) as {
      nodes: Array<{ ignored: boolean; name?: { value?: unknown } }>;
    };
    expect(nodes.filter((node) => !node.ignored && node.name?.value === 'Create your first task')).toEqual([]);
    expect(nodes.some((node) => !node.ignored && node.name?.value === 'Create task')).toBe(true);
    expect(
      await page.evaluate(() => {
        const behind = [...document.querySelectorAll('button')].find((b) => b.textContent === 'Create your first task');
        behind?.focus();
        return {
          modal: document.querySelector('dialog')?.matches(':modal'),
          focusedBehind: document.activeElement === behind,
        };
      }),
    ).toEqual({ modal: true, focusedBehind: false });
    await dialog.getByRole('button', { name: 'Create task' }).click();
    await eventually(async () => expect(await dialog.getByLabel('Title').getAttribute('aria-invalid')).toBe('true'));
    // Focus moves to the first field in error, with its ring showing.
    await eventually(async () =>
      expect(await dialog.getByLabel('Title').evaluate((input) => input.matches(':focus-visible'))).toBe(true),
    );
    const titleMessageId = await dialog.getByLabel('Title').getAttribute('aria-describedby');
    expect(await dialog.locator(`[id="${titleMessageId}"]`).textContent()).toMatch(/empty|required|at least/i);
    await captureScreen(page, '04-new-task-errors');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('New task');

    // Three tasks: one overdue, one due today.
    await createTask(page, { title: 'Buy milk', priority: 'Low', tags: 'home' });
    await createTask(page, {
      title: 'Write report',
      priority: 'Urgent',
      status: 'In progress',
      date: localDate(-1),
      tags: 'work, q3',
    });
    await createTask(page, { title: 'Plan trip', priority: 'High', date: localDate(0), tags: 'home' });
    await expectTitles(page, ['Buy milk', 'Write report', 'Plan trip']);
    expect(await row(page, 'Write report').getByText('Overdue').count()).toBe(1);
    expect(await row(page, 'Plan trip').getByText('Due today').count()).toBe(1);
    await captureScreen(page, '05-tasks');

    // On a phone the filter options fold away, so the list starts on the first screen.
    await showView(page, VIEWS[2]);
    const filtersToggle = page.getByRole('button', { name: /^Filters/ });
    expect(await filtersToggle.getAttribute('aria-expanded')).toBe('false');
    expect(await page.getByRole('group', { name: 'Priority' }).isVisible()).toBe(false);
    const firstRowBottom = await taskList(page)
      .getByRole('listitem')
      .first()
      .evaluate((item) => item.getBoundingClientRect().bottom + window.scrollY);
    expect(firstRowBottom).toBeLessThanOrEqual(PHONE.height);
    await filtersToggle.click();
    expect(await filtersToggle.getAttribute('aria-expanded')).toBe('true');
    await page.getByRole('group', { name: 'Priority' }).waitFor();
    await screenshot(page, '06-tasks-filters-open-phone');
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(page, '06-tasks-filters-open-phone-dark');
    await filtersToggle.click();
    expect(await filtersToggle.getAttribute('aria-expanded')).toBe('false');
    await showView(page, VIEWS[0]);

    // The dashboard before anything is done.
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await page.getByTestId('stat-total').waitFor();
    await eventually(async () => expect(await statValue(page, 'stat-total')).toBe('3'));
    expect(await statValue(page, 'stat-done')).toBe('0');
    expect(await statValue(page, 'stat-overdue')).toBe('1');
    await page.getByRole('link', { name: 'Tasks', exact: true }).click();
    await expectTitles(page, ['Buy milk', 'Write report', 'Plan trip']);

    // Filters: several priorities at once, then a status, then a tag.
    const priority = page.getByRole('group', { name: 'Priority' });
    await priority.getByLabel('Urgent').check();
    await expectTitles(page, ['Write report']);
    await priority.getByLabel('High').check();
    await expectTitles(page, ['Write report', 'Plan trip']);
    expect(new URL(page.url()).searchParams.get('priority')).toBe('high,urgent');
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.getByRole('group', { name: 'Status' }).getByLabel('In progress').check();
    await expectTitles(page, ['Write report']);
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await expectTitles(page, ['Buy milk', 'Write report', 'Plan trip']);
    await row(page, 'Plan trip').getByRole('button', { name: 'Show tasks tagged home' }).click();
    await expectTitles(page, ['Buy milk', 'Plan trip']);
    await page.getByRole('button', { name: 'Clear filters' }).click();

    // Sort by priority, highest first.
    await page.getByLabel('Sort by').selectOption({ label: 'Priority, highest first' });
    await eventually(async () => expect(await visibleTitles(page)).toEqual(['Write report', 'Plan trip', 'Buy milk']));
    await page.getByLabel('Sort by').selectOption({ label: 'Newest first' });

    // Search as you type, focused with "/".
    await page.keyboard.press('/');
    await page.keyboard.type('milk');
    await expectTitles(page, ['Buy milk']);
    expect(new URL(page.url()).searchParams.get('q')).toBe('milk');
    await page.getByLabel('Search tasks').fill('');
    await expectTitles(page, ['Buy milk', 'Write report', 'Plan trip']);

    // Edit.
    await row(page, 'Buy milk').getByRole('button', { name: 'Edit “Buy milk”' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit task' });
    await edit.getByLabel('Title').fill('Buy oat milk');
    await edit.getByLabel('Priority').selectOption({ label: 'Medium' });
    await edit.getByRole('button', { name: 'Save changes' }).click();
    await edit.waitFor({ state: 'detached' });
    await expectTitles(page, ['Buy oat milk', 'Write report', 'Plan trip']);
    expect(await row(page, 'Buy oat milk').getByText('Medium priority').count()).toBe(1);

    // A conflict: a second tab changes the task while this tab's form is open (412 → latest shown).
    await row(page, 'Buy oat milk').getByRole('button', { name: 'Edit “Buy oat milk”' }).click();
    const stale = page.getByRole('dialog', { name: 'Edit task' });
    await stale.getByLabel('Description').fill('Two litres');
    const otherTab = await page.context().newPage();
    await otherTab.goto(`${journey.baseUrl()}/tasks`);
    await row(otherTab, 'Buy oat milk').getByRole('button', { name: 'Edit “Buy oat milk”' }).click();
    const fresh = otherTab.getByRole('dialog', { name: 'Edit task' });
    await fresh.getByLabel('Priority').selectOption({ label: 'High' });
    await fresh.getByRole('button', { name: 'Save changes' }).click();
    await fresh.waitFor({ state: 'detached' });
    await otherTab.close();
    await stale.getByRole('button', { name: 'Save changes' }).click();
    const conflict = stale.getByRole('alert');
    await conflict.waitFor();
    expect(await conflict.textContent()).toContain('Someone changed this task');
    expect(await conflict.textContent()).toContain('PriorityHigh');
    expect(await stale.getByLabel('Description').inputValue()).toBe('Two litres');
    await captureScreen(page, '07-conflict', { show: conflict });
    await stale.getByRole('button', { name: 'Save changes' }).click();
    await stale.waitFor({ state: 'detached' });
    await row(page, 'Buy oat milk').getByText('Two litres').waitFor();

    // Complete with one click.
    await page.getByRole('checkbox', { name: 'Complete “Plan trip”' }).click();
    await page.getByRole('checkbox', { name: 'Reopen “Plan trip”' }).waitFor();

    // Delete, then undo: the very same task comes back.
    await row(page, 'Buy oat milk').getByRole('button', { name: 'Delete “Buy oat milk”' }).click();
    await expectTitles(page, ['Write report', 'Plan trip']);
    await page.getByRole('button', { name: 'Undo' }).click();
    await expectTitles(page, ['Buy oat milk', 'Write report', 'Plan trip']);

    // Delete "Write report" for good: closing the undo notice sends it.
    await row(page, 'Write report').getByRole('button', { name: 'Delete “Write report”' }).click();
    await expectTitles(page, ['Buy oat milk', 'Plan trip']);
    const undoToast = page
      .getByRole('region', { name: 'Notifications' })
      .locator('[data-tone]', { hasText: 'Deleted “Write report”.' });
    await undoToast.waitFor();
    // Screenshots only: the undo window must not run out before the notice is closed below.
    await captureScreen(page, '08-undo-toast', { axe: false });
    await undoToast.getByRole('button', { name: 'Dismiss notification' }).click();

    // The dashboard reflects it all: one fewer task, one done today, nothing overdue.
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await eventually(async () => {
      expect(await statValue(page, 'stat-total')).toBe('2');
      expect(await statValue(page, 'stat-done')).toBe('1');
      expect(await statValue(page, 'stat-overdue')).toBe('0');
    });
    const chart = page.getByRole('img', { name: /Tasks completed per day/ });
    expect(await chart.getAttribute('aria-labelledby')).toBeTruthy();
    const lastDay = page.getByRole('table', { name: 'Tasks completed per day' }).locator('tbody tr').last();
    expect(await lastDay.locator('td').last().textContent()).toBe('1');
    // That table is for screen readers only: it must not make the page scroll past its content.
    expect(
      await page.evaluate(() => {
        const main = document.querySelector('main') as HTMLElement;
        const contentBottom = main.getBoundingClientRect().bottom + window.scrollY;
        return document.documentElement.scrollHeight - Math.max(window.innerHeight, contentBottom);
      }),
    ).toBeLessThanOrEqual(1);
    await captureScreen(page, '09-dashboard');

    // Reload: still signed in, and the undone task really survived on the server.
    await page.goto(`${journey.baseUrl()}/tasks`);
    await expectTitles(page, ['Buy oat milk', 'Plan trip']);
    // A signed-in reload never fetches the sign-in form, and fetches the task form only in the
    // background once the list is up: the size budget (scripts/check-size.mjs) counts on both.
    const scripts: string[] = [];
    const onRequest = (request: Request) => {
      const path = new URL(request.url()).pathname;
      if (path.endsWith('.js')) scripts.push(path);
    };
    page.on('request', onRequest);
    await page.reload();
    await expectTitles(page, ['Buy oat milk', 'Plan trip']);
    await eventually(() => expect(scripts.some((path) => path.includes('/task-form-dialog-'))).toBe(true));
    page.off('request', onRequest);
    expect(scripts.some((path) => path.includes('/vendor-react-'))).toBe(true);
    expect(scripts.filter((path) => path.includes('/auth-page-'))).toEqual([]);
    expect(await page.getByText('Ada Lovelace').count()).toBe(1);
    const storage = await page.evaluate(() => ({
      local: JSON.stringify(localStorage),
      session: JSON.stringify(sessionStorage),
      cookie: document.cookie,
    }));
    expect({ session: storage.session, cookie: storage.cookie }).toEqual({ session: '{}', cookie: '' });
    // Web storage holds no token: only who is signed in, so that the app can open for them offline.
    expect(Object.keys(JSON.parse(storage.local) as object)).toEqual(['primo-user']);
    expect(storage.local).not.toMatch(/token|eyJ/i);
    const cookies = await page.context().cookies();
    const refreshCookie = cookies.find((cookie) => cookie.path === '/api/v1/auth');
    expect(refreshCookie?.httpOnly).toBe(true);

    // A done task, in every view; and a narrower phone still scrolls only vertically.
    await captureScreen(page, '10-tasks-after-reload');
    await page.setViewportSize({ width: 375, height: 760 });
    await eventually(async () =>
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375),
    );
    await page.setViewportSize(DESKTOP);

    // Sign out; a reload does not bring the session back.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to Primo' }).waitFor();
    await page.goto(`${journey.baseUrl()}/tasks`);
    await page.getByRole('heading', { name: 'Sign in to Primo' }).waitFor();
    expect(new URL(page.url()).searchParams.get('next')).toBe('/tasks');

    // Signing back in returns to the page that was asked for.
    await page.getByLabel('Email').fill(firstEmail);
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expectTitles(page, ['Buy oat milk', 'Plan trip']);
    expect(new URL(page.url()).pathname).toBe('/tasks');
    expect(consoleErrors).toEqual([]);
    // Expected: the validation attempt, the deliberate conflict, and the silent refresh finding no session.
    const expected = [
      /^400 POST \/api\/v1\/tasks$/,
      /^412 PATCH \/api\/v1\/tasks\/\w+$/,
      /^401 POST \/api\/v1\/auth\/refresh$/,
    ];
    expect(failedResponses.filter((line) => !expected.some((pattern) => pattern.test(line)))).toEqual([]);
    expect(failedResponses).toContain('400 POST /api/v1/tasks');
    expect(failedResponses.filter((line) => line.startsWith('412 '))).toHaveLength(1);
  });

  it('when a second person signs up, then they never see the first person’s tasks', async () => {
    const page = await newPage();
    await signUp(page, journey.baseUrl(), 'Grace Hopper', `grace-${runId}@example.com`);
    await page.getByText('No tasks yet.').waitFor();
    expect(await visibleTitles(page)).toEqual([]);

    await page.getByLabel('Search tasks').fill('milk');
    await page.getByText('No tasks match these filters.').waitFor();

    await page.getByRole('link', { name: 'Dashboard' }).click();
    await eventually(async () => expect(await statValue(page, 'stat-total')).toBe('0'));

    // Even asking the API directly for the first person's list only yields Grace's own (empty) one.
    await page.getByRole('link', { name: 'Tasks', exact: true }).click();
    await createTask(page, { title: 'Grace only' });
    await expectTitles(page, ['Grace only']);
    await screenshot(page, '11-second-user');

    await page.goto(`${journey.baseUrl()}/no-such-page`);
    await page.getByRole('heading', { name: 'Page not found' }).waitFor();
    await captureScreen(page, '12-not-found');
  });
});
