import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type ReactNode } from 'react';
import type { LiveStatus } from './live-connection';
import { LiveContext } from './live-context';

/**
 * Keeps the signed-in session's live connection and applies what it brings to the query cache. The
 * connection code and socket.io-client load after the first screen has rendered.
 */
export function LiveProvider({ children }: { children: ReactNode }) {
  const client = useQueryClient();
  const [status, setStatus] = useState<LiveStatus>('connecting');
  useEffect(() => {
    let stop: (() => void) | undefined;
    let cancelled = false;
    import('./live-runtime').then(
      ({ startLive }) => {
        if (!cancelled) stop = startLive(client, setStatus);
      },
      () => setStatus('offline'),
    );
    return () => {
      cancelled = true;
      stop?.();
    };
  }, [client]);
  return <LiveContext.Provider value={status}>{children}</LiveContext.Provider>;
}
