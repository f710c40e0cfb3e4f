import type { TaskPriority } from '@primo/api/contract/wire';
import * as chrono from 'chrono-node';

/**
 * Quick add: one line in plain language becomes a task. Understood, anywhere in the line:
 * a date and time in English ("tomorrow 5pm", "next friday 9am", "on 3 March"), `#tag`,
 * `!low|!medium|!high|!urgent` or `!1`–`!4` (`!1` is the most urgent), `@member` (a member of the
 * project, by first name, full name without spaces or email name) and `+project` (its name without
 * spaces, or the start of it or of one of its words).
 * Whatever is not understood stays in the title; when nothing is left, the whole line is the title.
 * This module pulls in chrono-node, so it is loaded with the quick-add dialog, never on the first screen.
 */

export interface QuickAddProject {
  id: string;
  name: string;
}

export interface QuickAddMember {
  id: string;
  name: string;
  email: string;
}

export interface QuickAddContext {
  /** The instant relative dates are read from ("tomorrow" is the day after it, in local time). */
  now: Date;
  /** The projects the person may add tasks to. */
  projects: readonly QuickAddProject[];
  /** The members of each project, by project id (a missing entry: not known yet). */
  membersOf: (projectId: string) => readonly QuickAddMember[];
  /** The project a line without `+project` goes to. */
  defaultProjectId: string;
}

export interface QuickAddResult {
  title: string;
  projectId: string;
  /** ISO instant, or null. */
  dueDate: string | null;
  /** The words the date was read from, as typed. */
  dueText: string | null;
  priority: TaskPriority | null;
  tags: string[];
  assigneeId: string | null;
  /** Tokens that looked like `@member` or `+project` but named nobody: they stay in the title. */
  unknown: string[];
}

const PRIORITY_WORDS: Record<string, TaskPriority> = {
  low: 'low',
  medium: 'medium',
  high: 'high',
  urgent: 'urgent',
  '1': 'urgent',
  '2': 'high',
  '3': 'medium',
  '4': 'low',
};

const TAG_MAX = 32;
const TAGS_MAX = 20;
const TITLE_MAX = 200;

/** A token: a sigil at the start of a word, then letters, digits, `_`, `-` or `.`. */
const TOKEN = /(^|\s)([#!@+])([\p{L}\p{N}_.-]+)/gu;

const squash = (text: string) => text.replace(/\s+/g, ' ').trim();
const keyOf = (text: string) => text.toLowerCase().replace(/\s+/g, '');

function findProject(word: string, projects: readonly QuickAddProject[]): QuickAddProject | undefined {
  const wanted = keyOf(word);
  return (
    projects.find((project) => keyOf(project.name) === wanted) ??
    projects.find((project) => keyOf(project.name).startsWith(wanted)) ??
    projects.find((project) => project.name.split(/\s+/).some((word) => keyOf(word).startsWith(wanted)))
  );
}

function findMember(word: string, members: readonly QuickAddMember[]): QuickAddMember | undefined {
  const wanted = keyOf(word);
  const names = (member: QuickAddMember) => [
    keyOf(member.name),
    keyOf(member.name.split(/\s+/)[0] ?? ''),
    keyOf(member.email.split('@')[0] ?? ''),
  ];
  return members.find((member) => names(member).includes(wanted));
}

/** Reads one quick-add line. Pure apart from chrono: the same line and context give the same task. */
export function parseQuickAdd(line: string, context: QuickAddContext): QuickAddResult {
  const raw = squash(line);
  let rest = ` ${raw} `;
  const tags: string[] = [];
  const unknown: string[] = [];
  let priority: TaskPriority | null = null;
  let projectId = context.defaultProjectId;
  let memberWord: string | null = null;

  // Projects first: `@member` is looked up among the members of the project the line names.
  rest = rest.replace(TOKEN, (whole, lead: string, sigil: string, word: string) => {
    if (sigil !== '+') return whole;
    const project = findProject(word, context.projects);
    if (project === undefined) {
      unknown.push(`+${word}`);
      return whole;
    }
    projectId = project.id;
    return lead;
  });
  rest = rest.replace(TOKEN, (whole, lead: string, sigil: string, word: string) => {
    if (sigil === '#') {
      const tag = word.toLowerCase().replace(/[.-]+$/, '');
      if (tag === '' || tag.length > TAG_MAX) return whole;
      if (!tags.includes(tag) && tags.length < TAGS_MAX) tags.push(tag);
      return lead;
    }
    if (sigil === '!') {
      const level = PRIORITY_WORDS[word.toLowerCase()];
      if (level === undefined) return whole;
      priority = level;
      return lead;
    }
    if (sigil === '@' && memberWord === null) {
      memberWord = word;
      return `${lead}\u0000`;
    }
    return whole;
  });

  let assigneeId: string | null = null;
  if (memberWord !== null) {
    const member = findMember(memberWord, context.membersOf(projectId));
    if (member === undefined) unknown.push(`@${memberWord}`);
    else assigneeId = member.id;
    rest = rest.replace('\u0000', member === undefined ? `@${memberWord}` : '');
  }

  let dueDate: string | null = null;
  let dueText: string | null = null;
  const [date] = chrono.parse(rest, { instant: context.now }, { forwardDate: true });
  if (date !== undefined) {
    const at = date.start.date();
    // A day without a time of day means the end of that day, as the task form reads a date alone.
    if (!date.start.isCertain('hour')) at.setHours(23, 59, 0, 0);
    dueDate = at.toISOString();
    dueText = date.text;
    rest = `${rest.slice(0, date.index)} ${rest.slice(date.index + date.text.length)}`;
  }

  const title = squash(rest).slice(0, TITLE_MAX);
  return {
    title: title === '' ? raw.slice(0, TITLE_MAX) : title,
    projectId,
    dueDate,
    dueText,
    priority,
    tags,
    assigneeId,
    unknown,
  };
}
