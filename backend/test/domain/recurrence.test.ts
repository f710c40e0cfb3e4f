import { describe, expect, it } from 'vitest';
import { nextOccurrence } from '../../src/tasks/recurrence.js';
import { reminderDueAfter } from '../../src/tasks/task.model.js';

const at = (iso: string) => new Date(iso);

describe('nextOccurrence', () => {
  it('from the due date: the first date of the rule after it, at the same time of day', () => {
    const next = nextOccurrence(
      { rule: 'FREQ=WEEKLY;BYDAY=MO,TH', from: 'due' },
      { dueDate: at('2026-12-03T09:30:00Z'), completedAt: at('2026-12-20T18:00:00Z') }, // a Thursday
    );
    expect(next).toEqual({
      dueDate: at('2026-12-07T09:30:00Z'),
      recurrence: { rule: 'FREQ=WEEKLY;BYDAY=MO,TH', from: 'due' },
    });
  });

  it('from completion: counted from the day it was done, at the due time of day', () => {
    const next = nextOccurrence(
      { rule: 'FREQ=DAILY;INTERVAL=3', from: 'completion' },
      { dueDate: at('2026-12-01T09:00:00Z'), completedAt: at('2026-12-05T22:15:00Z') },
    );
    expect(next?.dueDate).toEqual(at('2026-12-08T09:00:00Z'));
  });

  it('monthly on a day the month lacks skips to a month that has it; yearly keeps the date', () => {
    expect(
      nextOccurrence(
        { rule: 'FREQ=MONTHLY;BYMONTHDAY=31', from: 'due' },
        { dueDate: at('2027-01-31T08:00:00Z'), completedAt: at('2027-01-31T08:00:00Z') },
      )?.dueDate,
    ).toEqual(at('2027-03-31T08:00:00Z'));
    expect(
      nextOccurrence(
        { rule: 'FREQ=YEARLY', from: 'due' },
        { dueDate: at('2026-12-24T00:00:00Z'), completedAt: at('2026-12-24T10:00:00Z') },
      )?.dueDate,
    ).toEqual(at('2027-12-24T00:00:00Z'));
  });

  it('COUNT is spent one occurrence at a time; the last one creates nothing', () => {
    const task = { dueDate: at('2026-12-01T09:00:00Z'), completedAt: at('2026-12-01T10:00:00Z') };
    const next = nextOccurrence({ rule: 'FREQ=DAILY;COUNT=2', from: 'due' }, task);
    expect(next).toEqual({
      dueDate: at('2026-12-02T09:00:00Z'),
      recurrence: { rule: 'FREQ=DAILY;COUNT=1', from: 'due' },
    });
    expect(nextOccurrence({ rule: 'FREQ=DAILY;COUNT=1', from: 'due' }, task)).toBeNull();
  });

  it('UNTIL past the next date creates nothing', () => {
    expect(
      nextOccurrence(
        { rule: 'FREQ=WEEKLY;UNTIL=20261205T000000Z', from: 'due' },
        { dueDate: at('2026-12-01T09:00:00Z'), completedAt: at('2026-12-01T10:00:00Z') },
      ),
    ).toBeNull();
  });
});

describe('reminderDueAfter', () => {
  const now = at('2026-12-01T12:00:00Z');
  const ahead = at('2026-12-02T12:00:00Z');
  const past = at('2026-11-30T12:00:00Z');

  it('a new remindAt reschedules unless the task ends up done', () => {
    expect(reminderDueAfter({ remindAt: null, status: 'todo' }, { remindAt: ahead }, now)).toEqual(ahead);
    expect(reminderDueAfter({ remindAt: past, status: 'todo' }, { remindAt: null }, now)).toBeNull();
    expect(reminderDueAfter({ remindAt: null, status: 'todo' }, { remindAt: ahead, status: 'done' }, now)).toBeNull();
  });

  it('completing cancels; reopening revives only a reminder still ahead; other moves leave it alone', () => {
    expect(reminderDueAfter({ remindAt: ahead, status: 'todo' }, { status: 'done' }, now)).toBeNull();
    expect(reminderDueAfter({ remindAt: ahead, status: 'done' }, { status: 'todo' }, now)).toEqual(ahead);
    expect(reminderDueAfter({ remindAt: past, status: 'done' }, { status: 'todo' }, now)).toBeNull();
    expect(reminderDueAfter({ remindAt: ahead, status: 'todo' }, { status: 'in_progress' }, now)).toBeUndefined();
    expect(reminderDueAfter({ remindAt: ahead, status: 'todo' }, {}, now)).toBeUndefined();
  });
});
