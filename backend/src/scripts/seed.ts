import { PasswordHasher } from '../auth/password.js';
import { ConfigError, loadConfig } from '../config.js';
import { createLogger } from '../observability/logger.js';
import { openStorage } from '../storage/open-storage.js';
import { personalProjectId } from '../projects/project.model.js';
import type { NewTask } from '../tasks/tasks.repository.js';
import { TASK_PRIORITIES, TASK_STATUSES } from '../tasks/task.model.js';

const DEMO_PASSWORD = 'primo-demo-password';
const DEMO_USERS = [
  { email: 'demo@primo.local', name: 'Demo User' },
  { email: 'alex@primo.local', name: 'Alex Example' },
];
const TITLES = [
  'Write quarterly report',
  'Plan team offsite',
  'Review pull requests',
  'Renew passport',
  'Book dentist appointment',
  'Prepare slides for Monday',
  'Fix flaky login test',
  'Order office supplies',
  'Call the landlord',
  'Update project roadmap',
  'Read design document',
  'Water the plants',
];
const TAGS = ['work', 'home', 'errand', 'health', 'urgent', 'reading'];

/** Demo tasks spread over statuses, priorities, due dates (some overdue, some due today) and tags. */
function demoTasks(count: number, now: number): NewTask[] {
  return Array.from({ length: count }, (_, i) => ({
    remindAt: null,
    recurrence: null,
    assigneeId: null,
    title: TITLES[i % TITLES.length] ?? 'Task',
    description: i % 3 === 0 ? 'Created by the demo seed.' : '',
    status: TASK_STATUSES[i % TASK_STATUSES.length] ?? 'todo',
    priority: TASK_PRIORITIES[(i * 7) % TASK_PRIORITIES.length] ?? 'medium',
    dueDate: i % 4 === 3 ? null : new Date(now + ((i % 9) - 3) * 86_400_000),
    tags: [TAGS[i % TAGS.length] ?? 'work', ...(i % 5 === 0 ? ['reading'] : [])].filter(
      (t, k, all) => all.indexOf(t) === k,
    ),
  }));
}

/** Creates the demo users (skipping those that exist) and gives each a set of tasks, on whichever store is configured. */
async function seed(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: 'info', json: false });
  const storage = await openStorage(config, logger);
  try {
    const passwords = new PasswordHasher(config.bcryptRounds);
    const passwordHash = await passwords.hash(DEMO_PASSWORD);
    const now = Date.now();
    for (const demo of DEMO_USERS) {
      const existing = await storage.users.findByEmail(demo.email);
      if (existing) {
        logger.info(`${demo.email} exists; leaving its tasks alone`);
        continue;
      }
      const user = await storage.users.create({ ...demo, passwordHash }, new Date());
      if (user === null) continue;
      await storage.projects.ensurePersonal(user.id, user.createdAt);
      const inbox = personalProjectId(user.id);
      const tasks = demoTasks(24, now);
      for (const [i, task] of tasks.entries()) {
        const created = await storage.tasks.create(
          inbox,
          user.id,
          task,
          new Date(now - (tasks.length - i) * 3_600_000),
        );
        if (task.status === 'done') {
          // Spread completions over the last two weeks so the dashboard chart has a shape.
          await storage.tasks.update(
            inbox,
            created.id,
            { status: 'todo' },
            { now: new Date(now - (i % 14) * 86_400_000), actorId: user.id },
          );
          await storage.tasks.update(
            inbox,
            created.id,
            { status: 'done' },
            { now: new Date(now - (i % 14) * 86_400_000), actorId: user.id },
          );
        }
      }
      logger.info(`created ${demo.email} (password "${DEMO_PASSWORD}") with ${tasks.length} tasks on ${storage.kind}`);
    }
  } finally {
    await storage.close();
  }
}

seed().catch((err: unknown) => {
  process.stderr.write(
    `${err instanceof ConfigError ? err.message : err instanceof Error ? err.stack : String(err)}\n`,
  );
  process.exit(1);
});
