/** What readiness reports of the store: serving, unreachable, or reachable but missing required indexes. */
export type StoreReadiness = 'up' | 'down' | 'indexes missing';
