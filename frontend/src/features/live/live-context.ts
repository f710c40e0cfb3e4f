import { createContext, useContext } from 'react';
import type { LiveStatus } from './live-connection';

export const LiveContext = createContext<LiveStatus>('offline');

export function useLiveStatus(): LiveStatus {
  return useContext(LiveContext);
}
