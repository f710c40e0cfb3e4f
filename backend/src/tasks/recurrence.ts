import rrule from 'rrule';

/**
 * Repeating tasks: an RFC 5545 RRULE limited to what a task list needs, and the next occurrence a
 * completed task rolls over to. The rule is parsed and expanded by `rrule`; this module only bounds it.
 */

export const RECURRENCE_FROM = ['due', 'completion'] as const;
export type RecurrenceFrom = (typeof RECURRENCE_FROM)[number];

export interface Recurrence {
  /** An RRULE such as `FREQ=WEEKLY;BYDAY=MO,TH` (no `RRULE:` prefix, no DTSTART). */
  rule: string;
  /** The next due date counts from the due date, or from the moment the task was completed. */
  from: RecurrenceFrom;
}

export const RULE_LENGTH_MAX = 200;
export const INTERVAL_MAX = 1000;
export const COUNT_MAX = 1000;
const FREQUENCIES = ['DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY'] as const;
const PARTS = ['FREQ', 'INTERVAL', 'BYDAY', 'BYMONTHDAY', 'COUNT', 'UNTIL'] as const;
type Part = (typeof PARTS)[number];

const WEEKDAY = /^([+-]?[1-5])?(MO|TU|WE|TH|FR|SA|SU)$/;
const UNTIL = /^\d{8}(T\d{6}Z?)?$/;

function wholeIn(value: string, min: number, max: number): boolean {
  if (!/^-?\d{1,4}$/.test(value)) return false;
  const number = Number(value);
  return number >= min && number <= max;
}

/** What is wrong with one `KEY=VALUE` part, or null when it is fine. */
function partProblem(key: Part, value: string): string | null {
  switch (key) {
    case 'FREQ':
      return (FREQUENCIES as readonly string[]).includes(value)
        ? null
        : `FREQ must be one of ${FREQUENCIES.join(', ')}`;
    case 'INTERVAL':
      return wholeIn(value, 1, INTERVAL_MAX) ? null : `INTERVAL must be a whole number from 1 to ${INTERVAL_MAX}`;
    case 'COUNT':
      return wholeIn(value, 1, COUNT_MAX) ? null : `COUNT must be a whole number from 1 to ${COUNT_MAX}`;
    case 'BYDAY':
      return value.split(',').every((day) => WEEKDAY.test(day))
        ? null
        : 'BYDAY must list weekdays such as MO,WE,FR (optionally numbered, as 1MO or -1FR)';
    case 'BYMONTHDAY':
      return value.split(',').every((day) => wholeIn(day, -31, 31) && Number(day) !== 0)
        ? null
        : 'BYMONTHDAY must list days of the month from 1 to 31 (or -1 to -31 from the end)';
    case 'UNTIL':
      return UNTIL.test(value) ? null : 'UNTIL must be a date such as 20271231 or 20271231T235959Z';
  }
}

/**
 * Checks a rule against what tasks support: FREQ (daily to yearly, required), INTERVAL, BYDAY,
 * BYMONTHDAY, COUNT and UNTIL, each at most once, not both COUNT and UNTIL, within bounds. Answers the
 * problem in words, or null for a rule that `nextOccurrence` can expand.
 */
export function ruleProblem(rule: string): string | null {
  if (rule.length === 0) return 'must not be empty';
  if (rule.length > RULE_LENGTH_MAX) return `must be at most ${RULE_LENGTH_MAX} characters`;
  const seen = new Map<Part, string>();
  for (const part of rule.split(';')) {
    const match = /^([A-Za-z]+)=(.+)$/.exec(part);
    if (match === null) return `"${part}" is not a KEY=VALUE part of an RRULE`;
    const key = (match[1] as string).toUpperCase();
    if (!(PARTS as readonly string[]).includes(key)) {
      return `${key} is not supported; use ${PARTS.join(', ')}`;
    }
    if (seen.has(key as Part)) return `${key} must appear once`;
    const value = (match[2] as string).toUpperCase();
    const problem = partProblem(key as Part, value);
    if (problem !== null) return problem;
    seen.set(key as Part, value);
  }
  if (!seen.has('FREQ')) return 'must have a FREQ (DAILY, WEEKLY, MONTHLY or YEARLY)';
  if (seen.has('COUNT') && seen.has('UNTIL')) return 'must not have both COUNT and UNTIL';
  try {
    rrule.RRule.parseString(rule);
  } catch (error) {
    return error instanceof Error ? error.message : 'is not a valid RRULE';
  }
  return null;
}

/** The rule with COUNT lowered by one (the occurrence just completed used one up). */
function withCountSpent(rule: string, count: number): string {
  return rule
    .split(';')
    .map((part) => (/^count=/i.test(part) ? `COUNT=${count - 1}` : part))
    .join(';');
}

/**
 * The occurrence after a completed one: its due date and the recurrence it carries on (COUNT lowered
 * by one), or null when the rule is exhausted (COUNT used up, the next date past UNTIL).
 * From `due`, the first date of the rule after the due date; from `completion`, the first after the
 * day of completion, at the due date's time of day.
 */
export function nextOccurrence(
  recurrence: Recurrence,
  task: { dueDate: Date; completedAt: Date },
): { dueDate: Date; recurrence: Recurrence } | null {
  const options = rrule.RRule.parseString(recurrence.rule);
  const { count } = options;
  if (count !== undefined && count !== null && count <= 1) return null;
  let start = task.dueDate;
  if (recurrence.from === 'completion') {
    const timeOfDay = task.dueDate.getTime() % 86_400_000;
    const completionDay = task.completedAt.getTime() - (task.completedAt.getTime() % 86_400_000);
    start = new Date(completionDay + timeOfDay);
  }
  // COUNT is carried by the rule of each occurrence, so the expansion here only needs the next date.
  const series = new rrule.RRule({ ...options, count: null, dtstart: start });
  const next = series.after(start, false);
  if (next === null) return null;
  const rule = count === undefined || count === null ? recurrence.rule : withCountSpent(recurrence.rule, count);
  return { dueDate: next, recurrence: { rule, from: recurrence.from } };
}
