import { createRoot } from 'react-dom/client';
import { UpdatePrompt } from './update-prompt';

let started = false;

/**
 * Starts the offline machinery once per page, after the first screen has rendered: registers the
 * service worker and mounts the update prompt in a root of its own, beside the app, so it shows on
 * every screen and survives navigation.
 */
export function startOfflineApp(): void {
  if (started || !('serviceWorker' in navigator)) return;
  started = true;
  const container = document.createElement('div');
  container.id = 'primo-update-prompt';
  document.body.append(container);
  createRoot(container).render(<UpdatePrompt />);
}
