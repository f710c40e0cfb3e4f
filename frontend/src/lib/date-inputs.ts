// The task form's date and time inputs; kept apart from due-date.ts, which the task list needs on its first screen.

const pad = (value: number) => String(value).padStart(2, '0');

/** Splits an ISO instant into the local `YYYY-MM-DD` and `HH:MM` values of date and time inputs. */
export function toLocalInputs(iso: string | null): { date: string; time: string } {
  if (!iso) return { date: '', time: '' };
  const at = new Date(iso);
  return {
    date: `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}`,
    time: `${pad(at.getHours())}:${pad(at.getMinutes())}`,
  };
}

/** Joins local date and time inputs into an ISO instant; a date without a time means the end of that day. */
export function fromLocalInputs(date: string, time: string): string | null {
  if (!date) return null;
  const [year, month, day] = date.split('-').map(Number);
  const [hours, minutes] = (time || '23:59').split(':').map(Number);
  const at = new Date(year ?? NaN, (month ?? NaN) - 1, day ?? NaN, hours ?? 0, minutes ?? 0);
  return Number.isNaN(at.getTime()) ? null : at.toISOString();
}
