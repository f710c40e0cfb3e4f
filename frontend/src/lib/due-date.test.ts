import { describe, expect, it } from 'vitest';
import { fromLocalInputs, toLocalInputs } from './date-inputs';
import { dueState } from './due-date';

describe('dueState', () => {
  const now = new Date(2026, 10, 22, 12, 0);

  it('when an open task is past its due time, then it is overdue', () => {
    expect(dueState({ status: 'todo', dueDate: new Date(2026, 10, 22, 11, 0).toISOString() }, now)).toBe('overdue');
  });

  it('when an open task is due later today, then it is due today', () => {
    expect(dueState({ status: 'in_progress', dueDate: new Date(2026, 10, 22, 18, 0).toISOString() }, now)).toBe(
      'today',
    );
  });

  it('when a task is done, then it is never overdue', () => {
    expect(dueState({ status: 'done', dueDate: new Date(2020, 0, 1).toISOString() }, now)).toBe('none');
  });

  it('when a task is due tomorrow, then it is upcoming', () => {
    expect(dueState({ status: 'todo', dueDate: new Date(2026, 10, 23, 9, 0).toISOString() }, now)).toBe('upcoming');
  });
});

describe('local date inputs', () => {
  it('when date and time are joined and split again, then they round-trip', () => {
    const iso = fromLocalInputs('2026-11-22', '09:30');
    expect(iso).not.toBeNull();
    expect(toLocalInputs(iso)).toEqual({ date: '2026-11-22', time: '09:30' });
  });

  it('when only a date is given, then the task is due at the end of that day', () => {
    expect(toLocalInputs(fromLocalInputs('2026-11-22', ''))).toEqual({ date: '2026-11-22', time: '23:59' });
  });

  it('when the date is empty, then there is no due date', () => {
    expect(fromLocalInputs('', '10:00')).toBeNull();
  });
});
