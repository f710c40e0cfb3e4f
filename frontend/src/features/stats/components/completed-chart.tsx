import type { TaskStats } from '@primo/api/contract/wire';
import { useId } from 'react';

type Day = TaskStats['completedByDay'][number];

const WIDTH = 560;
const HEIGHT = 180;
const AXIS = 24;
const TOP = 16;

const dayFormat = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });

/** "YYYY-MM-DD" as a short, locale-aware label; the date is a calendar day, so it is read in UTC. */
export function formatDay(date: string): string {
  const at = new Date(`${date}T00:00:00Z`);
  return Number.isNaN(at.getTime()) ? date : dayFormat.format(at);
}

/**
 * Bar chart of tasks completed per day. Screen readers get a one-line summary on the SVG and
 * the exact numbers in a table; sighted users get the bars with their counts.
 */
export function CompletedChart({ days }: { days: Day[] }) {
  const titleId = useId();
  const descId = useId();
  const total = days.reduce((sum, day) => sum + day.count, 0);
  const max = Math.max(1, ...days.map((day) => day.count));
  const slot = days.length ? WIDTH / days.length : WIDTH;
  const barWidth = Math.max(4, slot * 0.6);
  const plotHeight = HEIGHT - AXIS - TOP;
  const first = days[0];
  const last = days[days.length - 1];

  return (
    <figure>
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-labelledby={`${titleId} ${descId}`}
        className="block h-auto w-full"
      >
        <title id={titleId}>Tasks completed per day, last {days.length} days</title>
        <desc id={descId}>
          {total} task{total === 1 ? '' : 's'} completed
          {first && last ? ` from ${formatDay(first.date)} to ${formatDay(last.date)}` : ''}.
        </desc>
        <line x1="0" x2={WIDTH} y1={HEIGHT - AXIS} y2={HEIGHT - AXIS} className="stroke-border" />
        {days.map((day, index) => {
          const height = (day.count / max) * plotHeight;
          const x = index * slot + (slot - barWidth) / 2;
          const y = HEIGHT - AXIS - height;
          return (
            <g key={day.date}>
              <rect
                x={x}
                y={y}
                width={barWidth}
                height={Math.max(height, day.count ? 2 : 0)}
                rx="3"
                className="fill-primary"
              >
                <title>{`${formatDay(day.date)}: ${day.count} completed`}</title>
              </rect>
              {day.count > 0 && (
                <text
                  x={x + barWidth / 2}
                  y={y - 4}
                  textAnchor="middle"
                  className="fill-muted text-[11px]"
                  aria-hidden="true"
                >
                  {day.count}
                </text>
              )}
              {/* Every other day, counted back from today, so the newest day always has its label. */}
              {(days.length - 1 - index) % 2 === 0 && (
                <text
                  x={x + barWidth / 2}
                  y={HEIGHT - 6}
                  textAnchor="middle"
                  className="fill-muted text-[11px]"
                  aria-hidden="true"
                >
                  {formatDay(day.date)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      {/* Hidden through a wrapper: a table box ignores overflow, so on its own it would stretch the page. */}
      <div className="sr-only">
        <table>
          <caption>Tasks completed per day</caption>
          <thead>
            <tr>
              <th scope="col">Day</th>
              <th scope="col">Completed</th>
            </tr>
          </thead>
          <tbody>
            {days.map((day) => (
              <tr key={day.date}>
                <td>{formatDay(day.date)}</td>
                <td>{day.count}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <figcaption className="text-muted">Completed tasks per day over the last {days.length} days.</figcaption>
    </figure>
  );
}
