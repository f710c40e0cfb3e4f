import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  captureScreen,
  chromiumPath,
  eventually,
  reportMissingChromium,
  setUpJourney,
  signUp,
  signUpThroughInvitation,
} from './support/pages.js';

reportMissingChromium('views journey');

/** The titles of one board column, top to bottom. */
function column(page: Page, name: string): Locator {
  return page.getByRole('region', { name: new RegExp(`^${name}`) });
}
async function columnTitles(page: Page, name: string): Promise<string[]> {
  return column(page, name).getByRole('heading', { level: 3 }).allTextContents();
}
async function expectColumn(page: Page, name: string, titles: string[]): Promise<void> {
  await eventually(async () => expect(await columnTitles(page, name)).toEqual(titles));
}

/** Presses and drags with the mouse in small steps, as a person would (dnd-kit starts after a few pixels). */
async function drag(page: Page, from: Locator, to: Locator): Promise<void> {
  // Centred first, so the drag never comes near an edge of the window (dnd-kit would scroll the page).
  await from.evaluate((node) => node.scrollIntoView({ block: 'center' }));
  const start = await from.boundingBox();
  const end = await to.boundingBox();
  if (!start || !end) throw new Error('nothing to drag from or to');
  await page.mouse.move(start.x + start.width / 2, start.y + start.height / 2);
  await page.mouse.down();
  await page.mouse.move(start.x + start.width / 2 + 8, start.y + start.height / 2 + 8, { steps: 4 });
  await page.mouse.move(end.x + end.width / 2, end.y + end.height / 2, { steps: 12 });
  await page.waitForTimeout(150);
  await page.mouse.up();
}

/**
 * Presses an arrow key on a held card until the live region announces the move. When the target
 * lies past the middle of a scrollable window, dnd-kit spends a press scrolling the page towards it
 * instead of moving, and a person simply presses again; so does this, at most three times.
 */
async function stepUntilAnnounced(page: Page, key: string, expected: RegExp): Promise<void> {
  const announced = page.locator('[id^="DndLiveRegion"]');
  for (let press = 1; ; press += 1) {
    await page.keyboard.press(key);
    try {
      await eventually(async () => expect(await announced.textContent()).toMatch(expected), 1500);
      return;
    } catch (error) {
      if (press === 3) throw error;
    }
  }
}

async function quickAdd(page: Page, line: string): Promise<Locator> {
  await page.keyboard.press('a');
  const dialog = page.getByRole('dialog', { name: 'Quick add' });
  await dialog.getByLabel('Describe the task').fill(line);
  return dialog;
}

describe.skipIf(!chromiumPath)('views journey: quick add, board and calendar', () => {
  const journey = setUpJourney();
  const email = `views-${Date.now().toString(36)}@example.com`;
  const bobEmail = `views-bob-${Date.now().toString(36)}@example.com`;

  it('when Ada quick-adds, drags cards on a board with the mouse and the keyboard, and moves a task on the calendar, then every change is kept', async () => {
    const page = await journey.newPage();
    await signUp(page, journey.baseUrl(), 'Ada Lovelace', email);

    // Quick add: the preview says what Enter creates, and it is created so.
    const dialog = await quickAdd(page, 'Pay rent next friday 9am #home !high');
    const preview = dialog.getByRole('region', { name: 'Will be created' });
    await eventually(async () => expect(await preview.locator('[data-field="title"]').textContent()).toBe('Pay rent'));
    expect(await preview.locator('[data-field="tags"]').textContent()).toBe('#home');
    expect(await preview.locator('[data-field="priority"]').textContent()).toBe('High');
    expect(await preview.locator('[data-field="due"]').textContent()).toContain('“next friday 9am”');
    await captureScreen(page, '40-quick-add');
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('heading', { name: 'Pay rent', exact: true }).waitFor();
    // The created task's fields, as the edit form reads them back from the server.
    await page.getByRole('button', { name: 'Edit “Pay rent”' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit task' });
    expect(await edit.getByLabel('Title').inputValue()).toBe('Pay rent');
    expect(await edit.getByLabel('Priority').inputValue()).toBe('high');
    expect(await edit.getByLabel('Tags').inputValue()).toBe('home');
    const dueDay = await edit.getByLabel('Due date').inputValue();
    expect(new Date(`${dueDay}T12:00:00`).getDay()).toBe(5);
    expect(await edit.getByLabel('Due time').inputValue()).toBe('09:00');
    expect(new Date(`${dueDay}T09:00:00`).getTime()).toBeGreaterThan(Date.now());
    await edit.getByRole('button', { name: 'Cancel' }).click();

    // `a` works from the dashboard too: quick add opens over the task list, once (a reload does not reopen it).
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dashboard' }).click();
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    const fromDashboard = await quickAdd(page, 'Water the plants');
    expect(new URL(page.url()).pathname).toBe('/tasks');
    await page.keyboard.press('Enter');
    await fromDashboard.waitFor({ state: 'detached' });
    await page.getByRole('heading', { name: 'Water the plants', exact: true }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Water the plants', exact: true }).waitFor();
    expect(await page.getByRole('dialog', { name: 'Quick add' }).count()).toBe(0);

    // A project with three cards, added with +project.
    await page.getByRole('button', { name: 'New project' }).click();
    const create = page.getByRole('dialog', { name: 'New project' });
    await create.getByLabel('Name').fill('Launch');
    await create.getByRole('button', { name: 'Create project' }).click();
    await page.getByRole('heading', { level: 1, name: 'Launch' }).waitFor();
    for (const title of ['Draft plan', 'Book venue', 'Send invites']) {
      const add = await quickAdd(page, `${title} +launch`);
      await page.keyboard.press('Enter');
      await add.waitFor({ state: 'detached' });
      await page.getByRole('heading', { name: title, exact: true }).waitFor();
    }

    // Bob joins Launch as an editor and watches its board.
    await page.getByRole('button', { name: 'Members' }).click();
    const members = page.getByRole('dialog', { name: 'Members of Launch' });
    await members.getByLabel('Email').fill(bobEmail);
    await members.getByRole('button', { name: 'Create invite link' }).click();
    const linkField = members.getByLabel('Invite link');
    await linkField.waitFor();
    const link = await linkField.inputValue();
    await page.keyboard.press('Escape');
    await members.waitFor({ state: 'detached' });
    const bob = await journey.newPage();
    await signUpThroughInvitation(bob, link, 'Bob Kahn', bobEmail);
    await bob.getByRole('heading', { level: 1, name: 'Launch' }).waitFor();
    await bob.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Board' }).click();
    await expectColumn(bob, 'To do', ['Draft plan', 'Book venue', 'Send invites']);

    await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Board' }).click();
    expect(new URL(page.url()).searchParams.get('view')).toBe('board');
    await expectColumn(page, 'To do', ['Draft plan', 'Book venue', 'Send invites']);
    await captureScreen(page, '41-board');

    // The mouse: "Send invites" into In progress.
    await drag(page, page.getByRole('button', { name: 'Move “Send invites”' }), column(page, 'In progress'));
    await expectColumn(page, 'In progress', ['Send invites']);
    await expectColumn(page, 'To do', ['Draft plan', 'Book venue']);
    // Bob's open board follows live, without a reload (it polls only while the connection is down).
    expect(await bob.getByRole('banner').getByRole('status').textContent()).toBe('Live updates: Live');
    await eventually(async () => expect(await columnTitles(bob, 'In progress')).toEqual(['Send invites']), 3000);
    await expectColumn(bob, 'To do', ['Draft plan', 'Book venue']);

    // The keyboard: pick up "Draft plan", one step down, drop; each step is announced.
    await page.getByRole('button', { name: 'Move “Draft plan”' }).focus();
    await page.keyboard.press('Space');
    const announced = page.locator('[id^="DndLiveRegion"]');
    await eventually(async () => expect(await announced.textContent()).toMatch(/“Draft plan”.*To do, position 1 of 2/));
    await stepUntilAnnounced(page, 'ArrowDown', /To do, position 2 of 2/);
    await page.keyboard.press('Space');
    await eventually(async () =>
      expect(await announced.textContent()).toMatch(/“Draft plan” dropped at To do, position 2 of 2/),
    );
    await expectColumn(page, 'To do', ['Book venue', 'Draft plan']);

    // The keyboard between columns: "Book venue" to the right, into In progress.
    await page.getByRole('button', { name: 'Move “Book venue”' }).focus();
    await page.keyboard.press('Space');
    await eventually(async () =>
      expect(await announced.textContent()).toMatch(/Picked up “Book venue”|“Book venue” is now at To do/),
    );
    await stepUntilAnnounced(page, 'ArrowRight', /In progress/);
    await page.keyboard.press('Space');
    await expectColumn(page, 'In progress', ['Book venue', 'Send invites']);
    await expectColumn(page, 'To do', ['Draft plan']);

    // The order is the server's: it survives a reload.
    await page.waitForTimeout(500);
    await page.reload();
    await expectColumn(page, 'To do', ['Draft plan']);
    await expectColumn(page, 'In progress', ['Book venue', 'Send invites']);
    await expectColumn(bob, 'In progress', ['Book venue', 'Send invites']);

    // While Ada holds a card, Bob's move does not shift her columns; it shows once she lets go.
    await page.getByRole('button', { name: 'Move “Draft plan”' }).focus();
    await page.keyboard.press('Space');
    await eventually(async () =>
      expect(await announced.textContent()).toMatch(/Picked up “Draft plan”|“Draft plan” is now/),
    );
    await drag(bob, bob.getByRole('button', { name: 'Move “Send invites”' }), column(bob, 'Done'));
    await expectColumn(bob, 'Done', ['Send invites']);
    await page.waitForTimeout(1000);
    expect(await columnTitles(page, 'In progress')).toEqual(['Book venue', 'Send invites']);
    await page.keyboard.press('Escape');
    await expectColumn(page, 'In progress', ['Book venue']);
    await expectColumn(page, 'Done', ['Send invites']);

    // A move the server refuses is undone on screen and said.
    await page.route('**/api/v1/tasks/*/move', (route) =>
      route.fulfill({
        status: 503,
        headers: { 'content-type': 'application/problem+json', 'retry-after': '1' },
        body: JSON.stringify({ type: 'about:blank', title: 'Service Unavailable', status: 503, detail: 'Try again.' }),
      }),
    );
    await drag(page, page.getByRole('button', { name: 'Move “Draft plan”' }), column(page, 'Done'));
    await page
      .getByRole('alert')
      .getByText(/“Draft plan” could not be moved/)
      .waitFor();
    await expectColumn(page, 'To do', ['Draft plan']);
    await expectColumn(page, 'Done', ['Send invites']);
    await page.unroute('**/api/v1/tasks/*/move');

    // The calendar of every project: Pay rent on its Friday, dragged to the Saturday after.
    await page.goto(`${journey.baseUrl()}/tasks?view=calendar`);
    await page.locator('section[aria-labelledby="calendar-heading"][aria-busy="false"] li[data-day]').first().waitFor();
    const fridayCell = page.locator(`li[data-day="${dueDay}"]`);
    if ((await fridayCell.count()) === 0) await page.getByRole('button', { name: 'Next month' }).click();
    await fridayCell.getByText('Pay rent').waitFor();
    await captureScreen(page, '42-calendar');
    const friday = new Date(`${dueDay}T12:00:00`);
    const saturday = new Date(friday.getFullYear(), friday.getMonth(), friday.getDate() + 1);
    const saturdayKey = `${saturday.getFullYear()}-${String(saturday.getMonth() + 1).padStart(2, '0')}-${String(saturday.getDate()).padStart(2, '0')}`;
    let saturdayCell = page.locator(`li[data-day="${saturdayKey}"]`);
    await drag(page, page.getByRole('button', { name: 'Move “Pay rent” to another day' }), saturdayCell);
    await saturdayCell.getByText('Pay rent').waitFor();
    await page.waitForTimeout(500);
    await page.reload();
    await page.locator('section[aria-labelledby="calendar-heading"][aria-busy="false"] li[data-day]').first().waitFor();
    saturdayCell = page.locator(`li[data-day="${saturdayKey}"]`);
    if ((await saturdayCell.count()) === 0) await page.getByRole('button', { name: 'Next month' }).click();
    await saturdayCell.getByText('Pay rent').waitFor();
    await saturdayCell.getByRole('button', { name: /^[0-9].*Pay rent$/ }).click();
    const moved = page.getByRole('dialog', { name: 'Edit task' });
    expect(await moved.getByLabel('Due date').inputValue()).toBe(saturdayKey);
    expect(await moved.getByLabel('Due time').inputValue()).toBe('09:00');
    await moved.getByRole('button', { name: 'Cancel' }).click();
    await moved.waitFor({ state: 'detached' });

    // The keyboard: pick it up, one day back (left arrow), drop: due on the Friday again.
    await page.getByRole('button', { name: 'Move “Pay rent” to another day' }).focus();
    const calendarAnnounced = page.locator('[id^="DndLiveRegion"]');
    // Each key waits for the announcement of the one before, so a busy machine cannot reorder them.
    await page.keyboard.press('Space');
    await eventually(async () =>
      expect(await calendarAnnounced.textContent()).toMatch(/Picked up “Pay rent”|“Pay rent” is over/),
    );
    await stepUntilAnnounced(page, 'ArrowLeft', /“Pay rent” is over Friday/);
    await page.keyboard.press('Space');
    await eventually(async () => expect(await calendarAnnounced.textContent()).toMatch(/“Pay rent” is now due Friday/));
    await page.locator(`li[data-day="${dueDay}"]`).getByText('Pay rent').waitFor();
    await page.waitForTimeout(500);
    await page.reload();
    await page.locator('section[aria-labelledby="calendar-heading"][aria-busy="false"] li[data-day]').first().waitFor();
    if ((await page.locator(`li[data-day="${dueDay}"]`).count()) === 0) {
      await page.getByRole('button', { name: 'Next month' }).click();
    }
    await page.locator(`li[data-day="${dueDay}"]`).getByText('Pay rent').waitFor();

    // Back returns to the previous view.
    await page.goto(`${journey.baseUrl()}/tasks?view=calendar`);
    await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'List' }).click();
    await page.getByRole('heading', { name: 'Pay rent', exact: true }).waitFor();
    await page.goBack();
    await eventually(() => expect(new URL(page.url()).searchParams.get('view')).toBe('calendar'));
    await page
      .getByRole('heading', { name: /^(Week of|[A-Z])/, level: 2 })
      .first()
      .waitFor();
  });
});
