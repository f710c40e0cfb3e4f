import { createRoot } from 'react-dom/client';
import { OutboxProblems } from './outbox-problems';
import { UpdatePrompt } from './update-prompt';

let started = false;

/**
 * Starts the offline machinery once per page, after the first screen has rendered: registers the
 * service worker and mounts the update prompt and the outbox's conflict dialog in a root of their
 * own, beside the app, so they show on every screen and survive navigation.
 */
export function startOfflineApp(): void {
  if (started) return;
  started = true;
  const container = document.createElement('div');
  container.id = 'primo-update-prompt';
  document.body.append(container);
  createRoot(container).render(
    <>
      {'serviceWorker' in navigator && <UpdatePrompt />}
      <OutboxProblems />
    </>,
  );
}
