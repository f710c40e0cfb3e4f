import { describe, expect, it } from 'vitest';
import { parseQuickAdd, type QuickAddContext, type QuickAddMember } from './parse-quick-add';

// A fixed reference instant: Wednesday 2 December 2026, 10:00 local time. Expected instants are built
// in local time too, so the tests hold in any time zone.
const NOW = new Date(2026, 11, 2, 10, 0);
const local = (month: number, day: number, hours: number, minutes = 0) =>
  new Date(2026, month - 1, day, hours, minutes).toISOString();

const INBOX = 'a'.repeat(24);
const LAUNCH = 'b'.repeat(24);
const ADA: QuickAddMember = { id: '1'.repeat(24), name: 'Ada Lovelace', email: 'ada@example.com' };
const BOB: QuickAddMember = { id: '2'.repeat(24), name: 'Bob', email: 'robert.b@example.com' };

const context: QuickAddContext = {
  now: NOW,
  projects: [
    { id: INBOX, name: 'Inbox' },
    { id: LAUNCH, name: 'Product Launch' },
  ],
  membersOf: (projectId) => (projectId === LAUNCH ? [ADA, BOB] : [ADA]),
  defaultProjectId: INBOX,
};
const parse = (line: string) => parseQuickAdd(line, context);

describe('parseQuickAdd', () => {
  it('when the line is "Pay rent next friday 9am #home !high", then the title, due time, tag and priority are read from it', () => {
    expect(parse('Pay rent next friday 9am #home !high')).toEqual({
      title: 'Pay rent',
      projectId: INBOX,
      // "next friday" on a Wednesday is the Friday of the following week, as chrono-node reads it.
      dueDate: local(12, 11, 9),
      dueText: 'next friday 9am',
      priority: 'high',
      tags: ['home'],
      assigneeId: null,
      unknown: [],
    });
  });

  it('when a relative day comes without a time, then the task is due at the end of that day', () => {
    expect(parse('Call Bob tomorrow 5pm')).toMatchObject({ title: 'Call Bob', dueDate: local(12, 3, 17) });
    expect(parse('Pay the bill on friday')).toMatchObject({ title: 'Pay the bill', dueDate: local(12, 4, 23, 59) });
    expect(parse('Send invoice in 2 hours').dueDate).toBe(local(12, 2, 12));
  });

  it('when priorities are written as words or numbers, then !1 is urgent and !4 is low, and the last one wins', () => {
    expect(parse('a !urgent').priority).toBe('urgent');
    expect(parse('a !1').priority).toBe('urgent');
    expect(parse('a !2').priority).toBe('high');
    expect(parse('a !3').priority).toBe('medium');
    expect(parse('a !4').priority).toBe('low');
    expect(parse('a !LOW').priority).toBe('low');
    expect(parse('a !low !high').priority).toBe('high');
    expect(parse('Wow !5 stars')).toMatchObject({ title: 'Wow !5 stars', priority: null });
  });

  it('when tags repeat or differ in case, then each is kept once, lower-cased', () => {
    expect(parse('Plan #Work #work #q1-review')).toMatchObject({ title: 'Plan', tags: ['work', 'q1-review'] });
    expect(parse('issue#42 stays').tags).toEqual([]);
  });

  it('when +project names a project, then the task goes there, and @member is a member of that project', () => {
    expect(parse('Ship it +launch @bob')).toMatchObject({
      title: 'Ship it',
      projectId: LAUNCH,
      assigneeId: BOB.id,
      unknown: [],
    });
    expect(parse('Ship it +productlaunch @robert.b')).toMatchObject({ projectId: LAUNCH, assigneeId: BOB.id });
    expect(parse('Review @ada')).toMatchObject({ title: 'Review', projectId: INBOX, assigneeId: ADA.id });
    expect(parse('Review @adalovelace').assigneeId).toBe(ADA.id);
  });

  it('when @member or +project names nobody, then the words stay in the title and are reported', () => {
    expect(parse('Ask @bob about +nowhere')).toEqual({
      title: 'Ask @bob about +nowhere',
      projectId: INBOX,
      dueDate: null,
      dueText: null,
      priority: null,
      tags: [],
      assigneeId: null,
      unknown: ['+nowhere', '@bob'],
    });
  });

  it('when nothing in the line is understood, then the raw text is the title', () => {
    expect(parse('  Review   May report ')).toEqual({
      title: 'Review May report',
      projectId: INBOX,
      dueDate: null,
      dueText: null,
      priority: null,
      tags: [],
      assigneeId: null,
      unknown: [],
    });
  });

  it('when the whole line is understood, then the raw text is kept as the title', () => {
    expect(parse('tomorrow #home')).toMatchObject({
      title: 'tomorrow #home',
      dueDate: local(12, 3, 23, 59),
      tags: ['home'],
    });
  });
});
