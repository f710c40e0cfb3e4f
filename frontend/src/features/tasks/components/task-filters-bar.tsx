import { TASK_PRIORITIES, TASK_STATUSES, type TaskPriority, type TaskStatus } from '@primo/api/contract/wire';
import { useEffect, useId, useState, type RefObject } from 'react';
import { Button } from '../../../components/ui/button';
import { Checkbox, Field } from '../../../components/ui/field';
import { useDebouncedValue } from '../../../lib/use-debounced-value';
import { hasActiveFilters, type TaskFilters } from '../api/task-filters';
import { PRIORITY_LABELS, SORT_LABELS, SORT_OPTIONS, STATUS_LABELS, type ListSortParam } from '../task-options';

export const SEARCH_DEBOUNCE_MS = 300;

const groupClass = 'flex flex-wrap gap-x-3 gap-y-1';
const legendClass = 'mb-1 text-sm font-semibold';

interface TaskFiltersBarProps {
  filters: TaskFilters;
  onChange: (filters: TaskFilters) => void;
  searchRef: RefObject<HTMLInputElement | null>;
}

/** Adds or removes a value, keeping the canonical order so one selection always makes one query. */
function toggle<T>(list: readonly T[], value: T, order: readonly T[]): T[] {
  const next = list.includes(value) ? list.filter((item) => item !== value) : [...list, value];
  return order.filter((item) => next.includes(item));
}

/** Search, status and priority checkboxes, tag and sort; typing is debounced before it becomes a query. */
export function TaskFiltersBar({ filters, onChange, searchRef }: TaskFiltersBarProps) {
  const [search, setSearch] = useState(filters.q);
  const [tag, setTag] = useState(filters.tag);
  const debouncedSearch = useDebouncedValue(search.trim(), SEARCH_DEBOUNCE_MS);
  const debouncedTag = useDebouncedValue(tag.trim().toLowerCase(), SEARCH_DEBOUNCE_MS);

  // Filters changed from elsewhere (a tag chip, "clear", the back button) flow back into the inputs.
  const [seen, setSeen] = useState({ q: filters.q, tag: filters.tag });
  if (seen.q !== filters.q || seen.tag !== filters.tag) {
    setSeen({ q: filters.q, tag: filters.tag });
    if (filters.q !== search.trim()) setSearch(filters.q);
    if (filters.tag !== tag.trim().toLowerCase()) setTag(filters.tag);
  }

  useEffect(() => {
    if (debouncedSearch !== filters.q || debouncedTag !== filters.tag) {
      onChange({ ...filters, q: debouncedSearch, tag: debouncedTag });
    }
    // Only the debounced text should trigger this; the other filters are applied immediately.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [debouncedSearch, debouncedTag]);

  const optionsId = useId();
  const [optionsOpen, setOptionsOpen] = useState(false);
  const activeOptions =
    filters.status.length + filters.priority.length + (filters.tag ? 1 : 0) + (filters.assignee ? 1 : 0);

  return (
    <section
      className="mb-4 grid grid-cols-[repeat(auto-fit,minmax(12rem,1fr))] items-start gap-4 rounded-md border border-border bg-surface p-4"
      aria-label="Filter and sort tasks"
    >
      <Field label="Search tasks" id="task-search" className="col-span-full">
        <input
          ref={searchRef}
          type="search"
          value={search}
          onChange={(event) => setSearch(event.target.value)}
          placeholder="Search title and description"
          aria-keyshortcuts="/"
        />
      </Field>
      <Button
        className="justify-self-start sm:hidden"
        aria-expanded={optionsOpen}
        aria-controls={optionsId}
        onClick={() => setOptionsOpen((open) => !open)}
      >
        {activeOptions ? `Filters (${activeOptions})` : 'Filters'}
      </Button>
      {/* On a phone the options fold behind the toggle, so the list starts on the first screen. */}
      <div id={optionsId} className={optionsOpen ? 'contents' : 'contents max-sm:hidden'}>
        <fieldset className={groupClass}>
          <legend className={legendClass}>Assignee</legend>
          <Checkbox
            label="Assigned to me"
            checked={filters.assignee === 'me'}
            onChange={() => onChange({ ...filters, assignee: filters.assignee ? '' : 'me' })}
          />
        </fieldset>
        <fieldset className={groupClass}>
          <legend className={legendClass}>Status</legend>
          {TASK_STATUSES.map((status: TaskStatus) => (
            <Checkbox
              key={status}
              label={STATUS_LABELS[status]}
              checked={filters.status.includes(status)}
              onChange={() => onChange({ ...filters, status: toggle(filters.status, status, TASK_STATUSES) })}
            />
          ))}
        </fieldset>
        <fieldset className={groupClass}>
          <legend className={legendClass}>Priority</legend>
          {TASK_PRIORITIES.map((priority: TaskPriority) => (
            <Checkbox
              key={priority}
              label={PRIORITY_LABELS[priority]}
              checked={filters.priority.includes(priority)}
              onChange={() => onChange({ ...filters, priority: toggle(filters.priority, priority, TASK_PRIORITIES) })}
            />
          ))}
        </fieldset>
        <Field label="Tag" id="task-tag">
          <input value={tag} onChange={(event) => setTag(event.target.value)} placeholder="any tag" />
        </Field>
        <Field label="Sort by" id="task-sort">
          <select
            value={filters.sort}
            onChange={(event) => onChange({ ...filters, sort: event.target.value as ListSortParam })}
          >
            {SORT_OPTIONS.map((sort) => (
              <option key={sort} value={sort}>
                {SORT_LABELS[sort]}
              </option>
            ))}
          </select>
        </Field>
      </div>
      {hasActiveFilters(filters) && (
        <Button
          variant="ghost"
          className="self-end justify-self-start"
          onClick={() => onChange({ ...filters, assignee: '', status: [], priority: [], tag: '', q: '' })}
        >
          Clear filters
        </Button>
      )}
    </section>
  );
}
