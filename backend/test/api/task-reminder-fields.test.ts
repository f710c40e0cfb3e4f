import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, registerUser, type TestApp, type TestUser } from '../helpers/app.js';

const HOUR = 3_600_000;

describe('tasks API: remindAt and recurrence', () => {
  let t: TestApp;
  let alice: TestUser;
  beforeAll(async () => {
    t = await createTestApp();
    alice = await registerUser(t.app);
  });
  afterAll(async () => {
    await t.close();
  });

  const create = (body: Record<string, unknown>) => request(t.app).post('/api/v1/tasks').set(alice.auth).send(body);
  const patch = (id: string, body: Record<string, unknown>) =>
    request(t.app).patch(`/api/v1/tasks/${id}`).set(alice.auth).send(body);
  const soon = () => new Date(Date.now() + HOUR).toISOString();

  it('when a reminder and a rule are given, then they are stored, returned and recorded in the history', async () => {
    const remindAt = soon();
    const recurrence = { rule: 'FREQ=WEEKLY;BYDAY=MO,TH;COUNT=10', from: 'due' };
    const created = await create({ title: 'Standup notes', remindAt, recurrence }).expect(201);
    expect(created.body).toMatchObject({ remindAt, recurrence });

    const later = new Date(Date.now() + 2 * HOUR).toISOString();
    const changed = await patch(created.body.id, { remindAt: later, recurrence: null }).expect(200);
    expect(changed.body).toMatchObject({ remindAt: later, recurrence: null, version: 2 });

    const history = await request(t.app).get(`/api/v1/tasks/${created.body.id}/activity`).set(alice.auth).expect(200);
    expect(history.body.data[0].fields).toEqual([
      { field: 'remindAt', from: remindAt, to: later },
      { field: 'recurrence', from: recurrence, to: null },
    ]);
  });

  it('when remindAt has passed, is now, or is not a date-time, then 400 naming remindAt and nothing is stored', async () => {
    const before = await request(t.app).get('/api/v1/tasks').set(alice.auth).expect(200);
    for (const remindAt of [new Date(Date.now() - 60_000).toISOString(), 'tomorrow', 12, { $gt: 0 }]) {
      const res = await create({ title: 'Late', remindAt }).expect(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body.errors).toEqual([expect.objectContaining({ path: 'remindAt' })]);
    }
    const task = await create({ title: 'On time' }).expect(201);
    const res = await patch(task.body.id, { remindAt: '2020-01-01T00:00:00Z' }).expect(400);
    expect(res.body.errors).toEqual([{ path: 'remindAt', message: 'must be in the future' }]);
    const after = await request(t.app).get(`/api/v1/tasks/${task.body.id}`).set(alice.auth).expect(200);
    expect(after.body).toMatchObject({ remindAt: null, version: 1 });
    const list = await request(t.app).get('/api/v1/tasks').set(alice.auth).expect(200);
    expect(list.body.data).toHaveLength(before.body.data.length + 1);
  });

  it.each([
    ['FREQ=SECONDLY', /FREQ must be one of DAILY, WEEKLY, MONTHLY, YEARLY/],
    ['FREQ=HOURLY;INTERVAL=1', /FREQ must be one of/],
    ['FREQ=DAILY;COUNT=100000', /COUNT must be a whole number from 1 to 1000/],
    ['FREQ=DAILY;INTERVAL=0', /INTERVAL must be a whole number from 1 to 1000/],
    ['FREQ=DAILY;BYHOUR=9', /BYHOUR is not supported/],
    ['INTERVAL=2', /must have a FREQ/],
    ['FREQ=DAILY;FREQ=WEEKLY', /FREQ must appear once/],
    ['FREQ=DAILY;COUNT=3;UNTIL=20301231', /must not have both COUNT and UNTIL/],
    ['FREQ=WEEKLY;BYDAY=XX', /BYDAY must list weekdays/],
    ['FREQ=MONTHLY;BYMONTHDAY=32', /BYMONTHDAY must list days/],
    ['FREQ=DAILY;UNTIL=soon', /UNTIL must be a date/],
    ['RRULE:FREQ=DAILY', /not a KEY=VALUE part/],
    ['', /must not be empty/],
  ])('when the rule is %j, then 400 explaining what is wrong with it', async (rule, message) => {
    const res = await create({ title: 'Repeat', recurrence: { rule, from: 'due' } }).expect(400);
    expect(res.body.errors).toEqual([{ path: 'recurrence.rule', message: expect.stringMatching(message) }]);
  });

  it('when recurrence is not { rule, from }, then 400 naming the field', async () => {
    const cases: [unknown, string][] = [
      ['FREQ=DAILY', 'recurrence'],
      [{ rule: 'FREQ=DAILY' }, 'recurrence.from'],
      [{ rule: 'FREQ=DAILY', from: 'start' }, 'recurrence.from'],
      [{ rule: 'FREQ=DAILY', from: 'due', extra: 1 }, 'recurrence.extra'],
    ];
    for (const [recurrence, path] of cases) {
      const res = await create({ title: 'Repeat', recurrence }).expect(400);
      expect(res.body.errors).toEqual([expect.objectContaining({ path })]);
    }
  });
});
