import type { QueryClient } from '@tanstack/react-query';
import { changeApplier } from './apply-changes';
import { openLiveConnection, type LiveStatus } from './live-connection';

/** The live connection and what applies its changes, loaded together after the first screen. */
export function startLive(client: QueryClient, onStatus: (status: LiveStatus) => void): () => void {
  const applier = changeApplier(client);
  return openLiveConnection({
    onChanges: (changes) => applier.apply(changes),
    onGone: () => applier.reloadAll(),
    onStatus,
  });
}
